#include "blurcam-placeholder.h"

#include <string.h>

#define BLURCAM_GLYPH_WIDTH 5
#define BLURCAM_GLYPH_HEIGHT 7
/* A glyph cell adds one column and two rows of spacing. */
#define BLURCAM_CELL_WIDTH 6
#define BLURCAM_CELL_HEIGHT 9

struct blurcam_glyph {
	char character;
	/* One byte per row, the low 5 bits are the pixels, most significant on the left. */
	uint8_t rows[BLURCAM_GLYPH_HEIGHT];
};

/* Only the letters the two messages need. */
static const struct blurcam_glyph blurcam_glyphs[] = {
	{'A', {0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11}}, {'B', {0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E}},
	{'C', {0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E}}, {'G', {0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F}},
	{'I', {0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E}}, {'L', {0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F}},
	{'M', {0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11}}, {'N', {0x11, 0x19, 0x15, 0x13, 0x11, 0x11, 0x11}},
	{'O', {0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E}}, {'R', {0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11}},
	{'S', {0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E}}, {'T', {0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04}},
	{'U', {0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E}}, {':', {0x00, 0x0C, 0x0C, 0x00, 0x0C, 0x0C, 0x00}},
};

static const uint8_t *blurcam_glyph_rows(char character)
{
	for (size_t i = 0; i < sizeof(blurcam_glyphs) / sizeof(blurcam_glyphs[0]); i++) {
		if (blurcam_glyphs[i].character == character)
			return blurcam_glyphs[i].rows;
	}
	return NULL;
}

static void blurcam_fill_block(uint8_t *bgra, uint32_t width, uint32_t height, uint32_t stride, int64_t left,
			       int64_t top, uint32_t size)
{
	for (int64_t y = top; y < top + size; y++) {
		if (y < 0 || y >= height)
			continue;
		for (int64_t x = left; x < left + size; x++) {
			if (x < 0 || x >= width)
				continue;
			uint8_t *pixel = bgra + (size_t)y * stride + (size_t)x * 4;
			pixel[0] = pixel[1] = pixel[2] = BLURCAM_PLACEHOLDER_TEXT;
		}
	}
}

/* Draws one line of text centred horizontally, its top at `top`, each font pixel `scale` pixels wide. */
static void blurcam_draw_line(uint8_t *bgra, uint32_t width, uint32_t height, uint32_t stride, const char *text,
			      int64_t top, uint32_t scale)
{
	int64_t line_width = (int64_t)strlen(text) * BLURCAM_CELL_WIDTH * scale;
	int64_t left = ((int64_t)width - line_width) / 2;
	for (size_t i = 0; text[i] != '\0'; i++) {
		const uint8_t *rows = blurcam_glyph_rows(text[i]);
		int64_t glyph_left = left + (int64_t)i * BLURCAM_CELL_WIDTH * scale;
		for (int row = 0; rows && row < BLURCAM_GLYPH_HEIGHT; row++) {
			for (int column = 0; column < BLURCAM_GLYPH_WIDTH; column++) {
				if (rows[row] & (0x10 >> column))
					blurcam_fill_block(bgra, width, height, stride, glyph_left + column * scale,
							   top + row * (int64_t)scale, scale);
			}
		}
	}
}

void blurcam_placeholder_render(uint8_t *bgra, uint32_t width, uint32_t height, uint32_t stride)
{
	static const char title[] = "BLURCAM IS NOT RUNNING";
	static const char hint[] = "RUN: BLURCAM START";

	for (uint32_t y = 0; y < height; y++) {
		uint8_t *row = bgra + (size_t)y * stride;
		memset(row, BLURCAM_PLACEHOLDER_BACKGROUND, (size_t)width * 4);
		for (uint32_t x = 0; x < width; x++)
			row[x * 4 + 3] = 0xFF;
	}

	/* The title spans about 60% of the width; the hint is half its size. */
	uint32_t title_scale = (uint32_t)((uint64_t)width * 6 / 10 / ((sizeof(title) - 1) * BLURCAM_CELL_WIDTH));
	if (title_scale < 1)
		title_scale = 1;
	uint32_t hint_scale = title_scale > 1 ? title_scale / 2 : 1;
	int64_t block_height = (int64_t)BLURCAM_CELL_HEIGHT * (title_scale + hint_scale);
	int64_t top = ((int64_t)height - block_height) / 2;
	blurcam_draw_line(bgra, width, height, stride, title, top, title_scale);
	blurcam_draw_line(bgra, width, height, stride, hint, top + (int64_t)BLURCAM_CELL_HEIGHT * title_scale,
			  hint_scale);
}
