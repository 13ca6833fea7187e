#include <string.h>

#include "pixels.h"

static inline uint64_t eight_bytes(const uint8_t *p) {
  uint64_t word;
  memcpy(&word, p, sizeof word);
  return word;
}

/* value * alpha / 255, rounded, without a division (as blend-person.ts computes it: the same output). */
static inline int32_t mul_div_255(int32_t value, int32_t alpha) {
  int32_t t = value * alpha + 128;
  return (t + (t >> 8)) >> 8;
}

void blend_person(uint8_t *out, const uint8_t *foreground, const uint8_t *mask, size_t pixels) {
  size_t i = 0;
  while (i < pixels) {
    if (i + 8 <= pixels) {
      uint64_t eight = eight_bytes(mask + i);
      /* The background, most of the frame: eight pixels a test. */
      if (eight == 0) {
        i += 8;
        continue;
      }
      /* The inside of the person: a run of whole person pixels is one block copy. */
      if (eight == UINT64_MAX) {
        size_t end = i + 8;
        while (end + 8 <= pixels && eight_bytes(mask + end) == UINT64_MAX) end += 8;
        memcpy(out + 4 * i, foreground + 4 * i, 4 * (end - i));
        i = end;
        continue;
      }
    }
    int32_t alpha = mask[i];
    uint8_t *o = out + 4 * i;
    const uint8_t *f = foreground + 4 * i;
    if (alpha == 255) {
      memcpy(o, f, 4);
    } else if (alpha != 0) {
      /* An edge pixel keeps the background's alpha byte. */
      for (int c = 0; c < 3; c++) o[c] = (uint8_t)(o[c] + mul_div_255((int32_t)f[c] - (int32_t)o[c], alpha));
    }
    i++;
  }
}
