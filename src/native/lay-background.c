#include <stdlib.h>
#include <string.h>

#include "pixels.h"

/* Interpolation weights in 1/128ths: a byte times 128 fits 16 bits, so the rows mix on 16-bit vector lanes. */
#define WEIGHT_BITS 7
#define WEIGHT_ONE (1 << WEIGHT_BITS)
#define WEIGHT_HALF (1 << (WEIGHT_BITS - 1))

/* Where output column (or row) `i` of `size` reads from `source_size`: pixel `*first` and the next, mixed by
 * `*weight` / 128 towards the next. Pixel centres line up as in OpenCV's INTER_LINEAR; past the last centre the edge
 * pixel is repeated. */
static void source_of(int32_t i, int32_t size, int32_t source_size, int32_t *first, int32_t *weight) {
  double at = ((double)i + 0.5) * (double)source_size / (double)size - 0.5;
  *first = 0, *weight = 0;
  if (at <= 0) return;
  if (at >= source_size - 1) {
    *first = source_size - 1;
    return;
  }
  *first = (int32_t)at;
  *weight = (int32_t)((at - *first) * WEIGHT_ONE + 0.5);
  if (*weight == WEIGHT_ONE) *first += 1, *weight = 0;
}

/* Source row `row` (BGRA) enlarged to `width` pixels. */
static void widen_row(const uint8_t *row, int32_t width, const int32_t *xs, const uint8_t *xw, uint8_t *out) {
  for (int32_t x = 0; x < width; x++) {
    const uint8_t *a = row + 4 * xs[x];
    /* Weight 0 at the last pixel: it reads no further than itself. */
    const uint8_t *b = xw[x] ? a + 4 : a;
    uint32_t w1 = xw[x], w0 = WEIGHT_ONE - w1;
    for (int c = 0; c < 4; c++) out[4 * x + c] = (uint8_t)((a[c] * w0 + b[c] * w1 + WEIGHT_HALF) >> WEIGHT_BITS);
  }
}

WIDE_VECTORS static void mix_rows(const uint8_t *upper, const uint8_t *lower, uint16_t weight, size_t length, uint8_t *out) {
  const uint16_t w1 = weight, w0 = (uint16_t)(WEIGHT_ONE - weight);
  for (size_t i = 0; i < length; i++) out[i] = (uint8_t)((uint16_t)(upper[i] * w0 + lower[i] * w1 + WEIGHT_HALF) >> WEIGHT_BITS);
}

int lay_background(uint8_t *out, int32_t width, int32_t height, const uint8_t *source, int32_t source_width, int32_t source_height) {
  size_t row_bytes = (size_t)width * 4;
  int32_t *xs = malloc(sizeof(int32_t) * (size_t)width);
  uint8_t *xw = malloc((size_t)width);
  /* The two source rows (enlarged) the current output row lies between, and which rows they are. */
  uint8_t *upper = malloc(row_bytes), *lower = malloc(row_bytes);
  if (!xs || !xw || !upper || !lower) {
    free(xs), free(xw), free(upper), free(lower);
    return 0;
  }
  for (int32_t x = 0; x < width; x++) {
    int32_t weight;
    source_of(x, width, source_width, &xs[x], &weight);
    xw[x] = (uint8_t)weight;
  }
  int32_t upper_row = -1, lower_row = -1;
  for (int32_t y = 0; y < height; y++) {
    int32_t first, weight;
    source_of(y, height, source_height, &first, &weight);
    int32_t second = weight ? first + 1 : first;
    if (upper_row != first) {
      if (lower_row == first) {
        uint8_t *swap = upper;
        upper = lower, lower = swap;
        lower_row = upper_row;
      } else {
        widen_row(source + (size_t)first * source_width * 4, width, xs, xw, upper);
      }
      upper_row = first;
    }
    uint8_t *row = out + (size_t)y * row_bytes;
    if (second == first) {
      memcpy(row, upper, row_bytes);
      continue;
    }
    if (lower_row != second) {
      widen_row(source + (size_t)second * source_width * 4, width, xs, xw, lower);
      lower_row = second;
    }
    mix_rows(upper, lower, (uint16_t)weight, row_bytes, row);
  }
  free(xs), free(xw), free(upper), free(lower);
  return 1;
}
