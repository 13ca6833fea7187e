/*
 * blurcam frame protocol, version 1 (docs/frame-protocol.md).
 *
 * One ZeroMQ message = a fixed little-endian header followed by the pixels. This file has no libobs
 * dependency so the parser can be unit-tested and fuzzed on its own. src/transport/frame-protocol.ts
 * mirrors these constants; test/integration/plugin-protocol.test.ts checks that both agree.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define BLURCAM_FRAME_MAGIC "BLCM"
#define BLURCAM_FRAME_VERSION 1u
/* Size of the version 1 header; a later compatible revision may append fields (header_size grows). */
#define BLURCAM_FRAME_HEADER_SIZE 48u
#define BLURCAM_FRAME_MAX_HEADER_SIZE 256u
#define BLURCAM_FRAME_MAX_DIMENSION 8192u
/* Rows may be padded (aligned allocations), but never by more than this many bytes. */
#define BLURCAM_FRAME_MAX_ROW_PADDING 256u

/* Byte offsets of the header fields. */
#define BLURCAM_FRAME_OFFSET_MAGIC 0u
#define BLURCAM_FRAME_OFFSET_VERSION 4u
#define BLURCAM_FRAME_OFFSET_HEADER_SIZE 6u
#define BLURCAM_FRAME_OFFSET_WIDTH 8u
#define BLURCAM_FRAME_OFFSET_HEIGHT 12u
#define BLURCAM_FRAME_OFFSET_FORMAT 16u
#define BLURCAM_FRAME_OFFSET_STRIDE 20u
#define BLURCAM_FRAME_OFFSET_PAYLOAD_SIZE 24u
#define BLURCAM_FRAME_OFFSET_FLAGS 28u
#define BLURCAM_FRAME_OFFSET_SEQ 32u
#define BLURCAM_FRAME_OFFSET_CAPTURE_TIME_NS 40u

enum blurcam_frame_format {
	BLURCAM_FRAME_FORMAT_BGRA = 1,
	/* Planar Y, then U and V at half width and height; stride is the Y row stride (chroma: stride / 2). */
	BLURCAM_FRAME_FORMAT_I420 = 2,
};

enum blurcam_frame_error {
	BLURCAM_FRAME_OK = 0,
	BLURCAM_FRAME_BAD_MAGIC,
	BLURCAM_FRAME_TRUNCATED,
	BLURCAM_FRAME_BAD_VERSION,
	BLURCAM_FRAME_BAD_HEADER_SIZE,
	BLURCAM_FRAME_BAD_DIMENSIONS,
	BLURCAM_FRAME_BAD_FORMAT,
	BLURCAM_FRAME_BAD_STRIDE,
	BLURCAM_FRAME_BAD_PAYLOAD_SIZE,
	BLURCAM_FRAME_OVERSIZED,
	BLURCAM_FRAME_ERROR_COUNT,
};

struct blurcam_frame_header {
	uint16_t version;
	uint16_t header_size;
	uint32_t width;
	uint32_t height;
	enum blurcam_frame_format format;
	uint32_t stride;
	uint32_t payload_size;
	uint32_t flags;
	uint64_t seq;
	uint64_t capture_time_ns;
};

/*
 * Checks every header field of a received message against the message size. On BLURCAM_FRAME_OK, `header`
 * is filled and the pixels are exactly data[header_size .. header_size + payload_size), which ends at the
 * end of the message. On any error `header` is left untouched. Reads nothing outside data[0 .. size).
 */
enum blurcam_frame_error blurcam_frame_parse(const uint8_t *data, size_t size, struct blurcam_frame_header *header);

/* A stable lower-case name for an error ("bad_magic"), used in stats and logs. */
const char *blurcam_frame_error_name(enum blurcam_frame_error error);

/* Payload bytes a frame of this format, height and stride must carry; 0 for an unknown format. */
uint64_t blurcam_frame_payload_size(enum blurcam_frame_format format, uint32_t height, uint32_t stride);

/* The largest message a valid frame can make: the bound for ZMQ_MAXMSGSIZE. */
uint64_t blurcam_frame_max_message_size(void);
