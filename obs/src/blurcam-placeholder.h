/*
 * The picture the source shows while no frames arrive: a dark frame saying "BLURCAM IS NOT RUNNING", so a
 * stopped blurcam never looks like a frozen camera. No libobs dependency.
 */
#pragma once

#include <stdint.h>

#define BLURCAM_PLACEHOLDER_BACKGROUND 0x20u
#define BLURCAM_PLACEHOLDER_TEXT 0xE0u

/* Fills a BGRA image (stride in bytes, >= width * 4) with the placeholder. */
void blurcam_placeholder_render(uint8_t *bgra, uint32_t width, uint32_t height, uint32_t stride);
