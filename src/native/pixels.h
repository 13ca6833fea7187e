/* The compositor's two frame-sized loops (addon.c exposes them to Node; composite/ keeps a JavaScript and OpenCV
 * way of doing each, used when the addon is not built). Callers check every size first. */
#ifndef BLURCAM_PIXELS_H
#define BLURCAM_PIXELS_H

#include <stddef.h>
#include <stdint.h>

/* On x86-64 the row loops are built twice, for AVX2 and for the SSE2 every x86-64 has, and the first call picks
 * what the processor runs (2-4x faster with AVX2 on these loops); Apple Silicon's NEON is always there. */
#if defined(__x86_64__) && defined(__linux__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define WIDE_VECTORS __attribute__((target_clones("avx2", "default")))
#endif
#endif
#ifndef WIDE_VECTORS
#define WIDE_VECTORS
#endif

/* Puts the person on top of `out` in place: BGRA `foreground` copied where `mask` is 255, mixed where it lies
 * strictly between 0 and 255, `out` left as it is where it is 0. All three hold `pixels` pixels. */
void blend_person(uint8_t *out, const uint8_t *foreground, const uint8_t *mask, size_t pixels);

/* `out` (BGRA, `width` x `height`) filled with the BGRA `source` image enlarged bilinearly (pixel centres as OpenCV's
 * INTER_LINEAR; within a level of it at whole ratios, two at others). Returns 0 when out of memory. */
int lay_background(uint8_t *out, int32_t width, int32_t height, const uint8_t *source, int32_t source_width, int32_t source_height);

#endif
