#include "blurcam-frame-protocol.h"

#include <string.h>

/* Byte-wise little-endian reads: no alignment assumptions, same result on every host. */
static uint16_t blurcam_read_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t blurcam_read_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static uint64_t blurcam_read_u64(const uint8_t *p)
{
	return (uint64_t)blurcam_read_u32(p) | ((uint64_t)blurcam_read_u32(p + 4) << 32);
}

/* Bytes per pixel of the first plane, 0 for an unknown format. */
static uint32_t blurcam_frame_plane_bpp(uint32_t format)
{
	switch (format) {
	case BLURCAM_FRAME_FORMAT_BGRA:
		return 4;
	case BLURCAM_FRAME_FORMAT_I420:
		return 1;
	default:
		return 0;
	}
}

uint64_t blurcam_frame_payload_size(enum blurcam_frame_format format, uint32_t height, uint32_t stride)
{
	switch (format) {
	case BLURCAM_FRAME_FORMAT_BGRA:
		return (uint64_t)stride * height;
	case BLURCAM_FRAME_FORMAT_I420:
		return (uint64_t)stride * height + 2 * ((uint64_t)(stride / 2) * (height / 2));
	default:
		return 0;
	}
}

uint64_t blurcam_frame_max_message_size(void)
{
	uint64_t max_stride = (uint64_t)BLURCAM_FRAME_MAX_DIMENSION * 4 + BLURCAM_FRAME_MAX_ROW_PADDING;
	return BLURCAM_FRAME_MAX_HEADER_SIZE +
	       blurcam_frame_payload_size(BLURCAM_FRAME_FORMAT_BGRA, BLURCAM_FRAME_MAX_DIMENSION, (uint32_t)max_stride);
}

enum blurcam_frame_error blurcam_frame_parse(const uint8_t *data, size_t size, struct blurcam_frame_header *header)
{
	size_t magic_size = strlen(BLURCAM_FRAME_MAGIC);
	size_t compared = size < magic_size ? size : magic_size;
	if (compared > 0 && memcmp(data, BLURCAM_FRAME_MAGIC, compared) != 0)
		return BLURCAM_FRAME_BAD_MAGIC;
	if (size < BLURCAM_FRAME_OFFSET_WIDTH)
		return BLURCAM_FRAME_TRUNCATED;

	/* Version first: a newer sender gets "bad version", the one error that tells the user what to do. */
	struct blurcam_frame_header parsed;
	parsed.version = blurcam_read_u16(data + BLURCAM_FRAME_OFFSET_VERSION);
	if (parsed.version != BLURCAM_FRAME_VERSION)
		return BLURCAM_FRAME_BAD_VERSION;
	parsed.header_size = blurcam_read_u16(data + BLURCAM_FRAME_OFFSET_HEADER_SIZE);
	if (parsed.header_size < BLURCAM_FRAME_HEADER_SIZE || parsed.header_size > BLURCAM_FRAME_MAX_HEADER_SIZE ||
	    parsed.header_size % 8 != 0)
		return BLURCAM_FRAME_BAD_HEADER_SIZE;
	if (size < parsed.header_size)
		return BLURCAM_FRAME_TRUNCATED;

	parsed.width = blurcam_read_u32(data + BLURCAM_FRAME_OFFSET_WIDTH);
	parsed.height = blurcam_read_u32(data + BLURCAM_FRAME_OFFSET_HEIGHT);
	uint32_t format = blurcam_read_u32(data + BLURCAM_FRAME_OFFSET_FORMAT);
	parsed.stride = blurcam_read_u32(data + BLURCAM_FRAME_OFFSET_STRIDE);
	parsed.payload_size = blurcam_read_u32(data + BLURCAM_FRAME_OFFSET_PAYLOAD_SIZE);
	parsed.flags = blurcam_read_u32(data + BLURCAM_FRAME_OFFSET_FLAGS);
	parsed.seq = blurcam_read_u64(data + BLURCAM_FRAME_OFFSET_SEQ);
	parsed.capture_time_ns = blurcam_read_u64(data + BLURCAM_FRAME_OFFSET_CAPTURE_TIME_NS);

	if (parsed.width < 1 || parsed.width > BLURCAM_FRAME_MAX_DIMENSION || parsed.height < 1 ||
	    parsed.height > BLURCAM_FRAME_MAX_DIMENSION)
		return BLURCAM_FRAME_BAD_DIMENSIONS;
	uint32_t bpp = blurcam_frame_plane_bpp(format);
	if (bpp == 0)
		return BLURCAM_FRAME_BAD_FORMAT;
	parsed.format = (enum blurcam_frame_format)format;
	/* Chroma planes are half size: odd sizes would lose a row or column. */
	if (parsed.format == BLURCAM_FRAME_FORMAT_I420 && (parsed.width % 2 != 0 || parsed.height % 2 != 0))
		return BLURCAM_FRAME_BAD_DIMENSIONS;

	uint64_t row_bytes = (uint64_t)parsed.width * bpp;
	if (parsed.stride < row_bytes || parsed.stride > row_bytes + BLURCAM_FRAME_MAX_ROW_PADDING)
		return BLURCAM_FRAME_BAD_STRIDE;
	if (parsed.format == BLURCAM_FRAME_FORMAT_I420 && parsed.stride % 2 != 0)
		return BLURCAM_FRAME_BAD_STRIDE;
	if (parsed.payload_size != blurcam_frame_payload_size(parsed.format, parsed.height, parsed.stride))
		return BLURCAM_FRAME_BAD_PAYLOAD_SIZE;

	uint64_t message_size = (uint64_t)parsed.header_size + parsed.payload_size;
	if ((uint64_t)size < message_size)
		return BLURCAM_FRAME_TRUNCATED;
	if ((uint64_t)size > message_size)
		return BLURCAM_FRAME_OVERSIZED;

	*header = parsed;
	return BLURCAM_FRAME_OK;
}

const char *blurcam_frame_error_name(enum blurcam_frame_error error)
{
	switch (error) {
	case BLURCAM_FRAME_OK:
		return "ok";
	case BLURCAM_FRAME_BAD_MAGIC:
		return "bad_magic";
	case BLURCAM_FRAME_TRUNCATED:
		return "truncated";
	case BLURCAM_FRAME_BAD_VERSION:
		return "bad_version";
	case BLURCAM_FRAME_BAD_HEADER_SIZE:
		return "bad_header_size";
	case BLURCAM_FRAME_BAD_DIMENSIONS:
		return "bad_dimensions";
	case BLURCAM_FRAME_BAD_FORMAT:
		return "bad_format";
	case BLURCAM_FRAME_BAD_STRIDE:
		return "bad_stride";
	case BLURCAM_FRAME_BAD_PAYLOAD_SIZE:
		return "bad_payload_size";
	case BLURCAM_FRAME_OVERSIZED:
		return "oversized";
	case BLURCAM_FRAME_ERROR_COUNT:
		break;
	}
	return "unknown";
}
