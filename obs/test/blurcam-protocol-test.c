/*
 * Tests the plugin's pure parts without OBS: the frame parser (every malformed case, then a seeded fuzz
 * run, built with AddressSanitizer when the compiler has it), the endpoint rules and the placeholder.
 *
 *   blurcam-protocol-test                 run every case; prints "ok NAME" / "FAIL NAME: ..." lines,
 *                                         "covered ERROR" for each parser error seen, then a summary
 *   blurcam-protocol-test --constants     prints the protocol constants as JSON (compared with the TS side)
 *   blurcam-protocol-test --endpoint X    prints the endpoint the plugin would bind for X, or "refused: why"
 *   blurcam-protocol-test --default-endpoint
 *   blurcam-protocol-test --parse FILE    parses FILE as one message: "ok" and the header fields as JSON,
 *                                         or "error NAME" (checks messages the TS encoder wrote)
 *   blurcam-protocol-test --prepare-ipc PATH   "ready" or "refused: why", for a socket path the user chose
 *   blurcam-protocol-test --link-keys DIR      the tcp keys of DIR as JSON (made first if absent), or "refused: why"
 *   blurcam-protocol-test --never-accept PATH  listens on a socket file, fills its queue, never accepts; prints
 *                                              "ready" and waits to be killed (a hostile or stuck listener)
 * The link, key and ipc cases are in blurcam-link-test.c.
 */
#include "../src/blurcam-endpoint.h"
#include "../src/blurcam-frame-protocol.h"
#include "../src/blurcam-placeholder.h"
#include "blurcam-test.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int blurcam_passed;
static int blurcam_failed;
static unsigned blurcam_seen_errors[BLURCAM_FRAME_ERROR_COUNT];

void blurcam_check(int condition, const char *name, const char *format, ...)
{
	if (condition) {
		blurcam_passed++;
		printf("ok %s\n", name);
		return;
	}
	blurcam_failed++;
	printf("FAIL %s: ", name);
	va_list args;
	va_start(args, format);
	vprintf(format, args);
	va_end(args);
	printf("\n");
}

/* ------------------------------------------------------------------------------------------------------ */
/* Building messages */

struct blurcam_test_message {
	uint8_t *data;
	size_t size;
};

static void blurcam_put_u16(uint8_t *p, uint16_t value)
{
	p[0] = (uint8_t)value;
	p[1] = (uint8_t)(value >> 8);
}

static void blurcam_put_u32(uint8_t *p, uint32_t value)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(value >> (8 * i));
}

static void blurcam_put_u64(uint8_t *p, uint64_t value)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(value >> (8 * i));
}

/* A well-formed message; `extra_header` appends bytes to the header like a later compatible revision. */
static struct blurcam_test_message blurcam_make_message(uint32_t format, uint32_t width, uint32_t height,
							uint32_t stride, uint16_t extra_header)
{
	uint16_t header_size = (uint16_t)(BLURCAM_FRAME_HEADER_SIZE + extra_header);
	uint64_t payload = blurcam_frame_payload_size(format, height, stride);
	struct blurcam_test_message message = {.size = header_size + payload};
	message.data = calloc(1, message.size);
	memcpy(message.data, BLURCAM_FRAME_MAGIC, 4);
	blurcam_put_u16(message.data + BLURCAM_FRAME_OFFSET_VERSION, BLURCAM_FRAME_VERSION);
	blurcam_put_u16(message.data + BLURCAM_FRAME_OFFSET_HEADER_SIZE, header_size);
	blurcam_put_u32(message.data + BLURCAM_FRAME_OFFSET_WIDTH, width);
	blurcam_put_u32(message.data + BLURCAM_FRAME_OFFSET_HEIGHT, height);
	blurcam_put_u32(message.data + BLURCAM_FRAME_OFFSET_FORMAT, format);
	blurcam_put_u32(message.data + BLURCAM_FRAME_OFFSET_STRIDE, stride);
	blurcam_put_u32(message.data + BLURCAM_FRAME_OFFSET_PAYLOAD_SIZE, (uint32_t)payload);
	blurcam_put_u64(message.data + BLURCAM_FRAME_OFFSET_SEQ, 0x0102030405060708ull);
	blurcam_put_u64(message.data + BLURCAM_FRAME_OFFSET_CAPTURE_TIME_NS, 0x1122334455667788ull);
	return message;
}

static struct blurcam_test_message blurcam_make_bgra(uint32_t width, uint32_t height)
{
	return blurcam_make_message(BLURCAM_FRAME_FORMAT_BGRA, width, height, width * 4, 0);
}

/* Parses a copy of exactly `size` bytes, so AddressSanitizer catches any read past the message. */
static enum blurcam_frame_error blurcam_parse_exact(const uint8_t *data, size_t size,
						    struct blurcam_frame_header *header)
{
	uint8_t *copy = malloc(size ? size : 1);
	if (size)
		memcpy(copy, data, size);
	enum blurcam_frame_error error = blurcam_frame_parse(copy, size, header);
	free(copy);
	blurcam_seen_errors[error]++;
	return error;
}

static void blurcam_expect(const char *name, const uint8_t *data, size_t size, enum blurcam_frame_error expected)
{
	struct blurcam_frame_header header;
	memset(&header, 0xAB, sizeof(header));
	struct blurcam_frame_header untouched = header;
	enum blurcam_frame_error error = blurcam_parse_exact(data, size, &header);
	int header_kept = expected == BLURCAM_FRAME_OK || memcmp(&header, &untouched, sizeof(header)) == 0;
	blurcam_check(error == expected && header_kept, name, "expected %s, got %s%s", blurcam_frame_error_name(expected),
		      blurcam_frame_error_name(error), header_kept ? "" : " (and the header was written)");
}

/* Builds a valid 64x32 BGRA message, lets `mutate` spoil it, and expects `expected`. */
static void blurcam_expect_mutation(const char *name, void (*mutate)(struct blurcam_test_message *),
				    enum blurcam_frame_error expected)
{
	struct blurcam_test_message message = blurcam_make_bgra(64, 32);
	mutate(&message);
	blurcam_expect(name, message.data, message.size, expected);
	free(message.data);
}

/* ------------------------------------------------------------------------------------------------------ */
/* Parser cases */

#define BLURCAM_SET_U32(field, value)                                                       \
	static void blurcam_set_##field##_##value(struct blurcam_test_message *m)           \
	{                                                                                   \
		blurcam_put_u32(m->data + BLURCAM_FRAME_OFFSET_##field, (uint32_t)(value)); \
	}
#define BLURCAM_SET_U16(field, value)                                                       \
	static void blurcam_set_##field##_##value(struct blurcam_test_message *m)           \
	{                                                                                   \
		blurcam_put_u16(m->data + BLURCAM_FRAME_OFFSET_##field, (uint16_t)(value)); \
	}

BLURCAM_SET_U16(VERSION, 0)
BLURCAM_SET_U16(VERSION, 2)
BLURCAM_SET_U16(HEADER_SIZE, 40)
BLURCAM_SET_U16(HEADER_SIZE, 52)
BLURCAM_SET_U16(HEADER_SIZE, 264)
BLURCAM_SET_U16(HEADER_SIZE, 65535)
BLURCAM_SET_U32(WIDTH, 0)
BLURCAM_SET_U32(WIDTH, 8193)
BLURCAM_SET_U32(WIDTH, 0xFFFFFFFF)
BLURCAM_SET_U32(HEIGHT, 0)
BLURCAM_SET_U32(HEIGHT, 8193)
BLURCAM_SET_U32(FORMAT, 0)
BLURCAM_SET_U32(FORMAT, 3)
BLURCAM_SET_U32(FORMAT, 0xFFFFFFFF)
BLURCAM_SET_U32(STRIDE, 0)
BLURCAM_SET_U32(STRIDE, 255)
BLURCAM_SET_U32(STRIDE, 513)
BLURCAM_SET_U32(STRIDE, 0xFFFFFFFF)
BLURCAM_SET_U32(PAYLOAD_SIZE, 0)
BLURCAM_SET_U32(PAYLOAD_SIZE, 8191)
BLURCAM_SET_U32(PAYLOAD_SIZE, 8193)
BLURCAM_SET_U32(PAYLOAD_SIZE, 0xFFFFFFFF)

static void blurcam_corrupt_magic(struct blurcam_test_message *m)
{
	m->data[3] = 'X';
}

static void blurcam_drop_last_byte(struct blurcam_test_message *m)
{
	m->size--;
}

static void blurcam_keep_header_only(struct blurcam_test_message *m)
{
	m->size = BLURCAM_FRAME_HEADER_SIZE;
}

static void blurcam_keep_47_bytes(struct blurcam_test_message *m)
{
	m->size = BLURCAM_FRAME_HEADER_SIZE - 1;
}

static void blurcam_add_one_byte(struct blurcam_test_message *m)
{
	m->data = realloc(m->data, m->size + 1);
	m->data[m->size++] = 0;
}

static void blurcam_double_size(struct blurcam_test_message *m)
{
	m->data = realloc(m->data, m->size * 2);
	memset(m->data + m->size, 0, m->size);
	m->size *= 2;
}

static void blurcam_test_valid_frames(void)
{
	struct blurcam_frame_header header;

	struct blurcam_test_message bgra = blurcam_make_bgra(1280, 720);
	enum blurcam_frame_error error = blurcam_parse_exact(bgra.data, bgra.size, &header);
	blurcam_check(error == BLURCAM_FRAME_OK && header.width == 1280 && header.height == 720 &&
			      header.format == BLURCAM_FRAME_FORMAT_BGRA && header.stride == 5120 &&
			      header.payload_size == 5120u * 720 && header.header_size == 48 &&
			      header.seq == 0x0102030405060708ull && header.capture_time_ns == 0x1122334455667788ull,
		      "valid bgra 1280x720 with every field read back", "got %s", blurcam_frame_error_name(error));
	free(bgra.data);

	struct blurcam_test_message padded =
		blurcam_make_message(BLURCAM_FRAME_FORMAT_BGRA, 100, 10, 100 * 4 + BLURCAM_FRAME_MAX_ROW_PADDING, 0);
	blurcam_expect("valid bgra with the largest row padding", padded.data, padded.size, BLURCAM_FRAME_OK);
	free(padded.data);

	struct blurcam_test_message i420 = blurcam_make_message(BLURCAM_FRAME_FORMAT_I420, 640, 480, 640, 0);
	error = blurcam_parse_exact(i420.data, i420.size, &header);
	blurcam_check(error == BLURCAM_FRAME_OK && header.payload_size == 640u * 480 * 3 / 2, "valid i420 640x480",
		      "got %s", blurcam_frame_error_name(error));
	free(i420.data);

	struct blurcam_test_message longer = blurcam_make_message(BLURCAM_FRAME_FORMAT_BGRA, 8, 8, 32, 16);
	error = blurcam_parse_exact(longer.data, longer.size, &header);
	blurcam_check(error == BLURCAM_FRAME_OK && header.header_size == 64,
		      "a longer header from a compatible revision is skipped", "got %s", blurcam_frame_error_name(error));
	free(longer.data);

	struct blurcam_test_message edge = blurcam_make_bgra(BLURCAM_FRAME_MAX_DIMENSION, 1);
	blurcam_expect("valid bgra at the largest width", edge.data, edge.size, BLURCAM_FRAME_OK);
	free(edge.data);
}

static void blurcam_test_malformed_frames(void)
{
	static const uint8_t garbage[] = "this is not a frame, just some text sent to the socket";
	blurcam_expect("empty message", garbage, 0, BLURCAM_FRAME_TRUNCATED);
	blurcam_expect("three bytes of the magic", (const uint8_t *)"BLC", 3, BLURCAM_FRAME_TRUNCATED);
	blurcam_expect("magic only", (const uint8_t *)"BLCM", 4, BLURCAM_FRAME_TRUNCATED);
	blurcam_expect("magic and version only", (const uint8_t *)"BLCM\x01\x00\x30", 7, BLURCAM_FRAME_TRUNCATED);
	blurcam_expect("three bytes of garbage", (const uint8_t *)"XYZ", 3, BLURCAM_FRAME_BAD_MAGIC);
	blurcam_expect("text garbage", garbage, sizeof(garbage), BLURCAM_FRAME_BAD_MAGIC);
	blurcam_expect_mutation("wrong magic", blurcam_corrupt_magic, BLURCAM_FRAME_BAD_MAGIC);

	blurcam_expect_mutation("version 0", blurcam_set_VERSION_0, BLURCAM_FRAME_BAD_VERSION);
	blurcam_expect_mutation("version 2 (a newer sender)", blurcam_set_VERSION_2, BLURCAM_FRAME_BAD_VERSION);
	blurcam_expect_mutation("header size below 48", blurcam_set_HEADER_SIZE_40, BLURCAM_FRAME_BAD_HEADER_SIZE);
	blurcam_expect_mutation("header size not a multiple of 8", blurcam_set_HEADER_SIZE_52,
				BLURCAM_FRAME_BAD_HEADER_SIZE);
	blurcam_expect_mutation("header size above 256", blurcam_set_HEADER_SIZE_264, BLURCAM_FRAME_BAD_HEADER_SIZE);
	blurcam_expect_mutation("header size 65535", blurcam_set_HEADER_SIZE_65535, BLURCAM_FRAME_BAD_HEADER_SIZE);
	blurcam_expect_mutation("message shorter than the header", blurcam_keep_47_bytes, BLURCAM_FRAME_TRUNCATED);

	blurcam_expect_mutation("width 0", blurcam_set_WIDTH_0, BLURCAM_FRAME_BAD_DIMENSIONS);
	blurcam_expect_mutation("width 8193", blurcam_set_WIDTH_8193, BLURCAM_FRAME_BAD_DIMENSIONS);
	blurcam_expect_mutation("width 2^32-1", blurcam_set_WIDTH_0xFFFFFFFF, BLURCAM_FRAME_BAD_DIMENSIONS);
	blurcam_expect_mutation("height 0", blurcam_set_HEIGHT_0, BLURCAM_FRAME_BAD_DIMENSIONS);
	blurcam_expect_mutation("height 8193", blurcam_set_HEIGHT_8193, BLURCAM_FRAME_BAD_DIMENSIONS);

	blurcam_expect_mutation("format 0", blurcam_set_FORMAT_0, BLURCAM_FRAME_BAD_FORMAT);
	blurcam_expect_mutation("format 3 (unknown)", blurcam_set_FORMAT_3, BLURCAM_FRAME_BAD_FORMAT);
	blurcam_expect_mutation("format 2^32-1", blurcam_set_FORMAT_0xFFFFFFFF, BLURCAM_FRAME_BAD_FORMAT);

	blurcam_expect_mutation("stride 0", blurcam_set_STRIDE_0, BLURCAM_FRAME_BAD_STRIDE);
	blurcam_expect_mutation("stride below width * 4", blurcam_set_STRIDE_255, BLURCAM_FRAME_BAD_STRIDE);
	blurcam_expect_mutation("stride padded by more than 256 bytes", blurcam_set_STRIDE_513,
				BLURCAM_FRAME_BAD_STRIDE);
	blurcam_expect_mutation("stride 2^32-1", blurcam_set_STRIDE_0xFFFFFFFF, BLURCAM_FRAME_BAD_STRIDE);

	blurcam_expect_mutation("payload size 0", blurcam_set_PAYLOAD_SIZE_0, BLURCAM_FRAME_BAD_PAYLOAD_SIZE);
	blurcam_expect_mutation("payload size one short", blurcam_set_PAYLOAD_SIZE_8191, BLURCAM_FRAME_BAD_PAYLOAD_SIZE);
	blurcam_expect_mutation("payload size one over", blurcam_set_PAYLOAD_SIZE_8193, BLURCAM_FRAME_BAD_PAYLOAD_SIZE);
	blurcam_expect_mutation("payload size 2^32-1", blurcam_set_PAYLOAD_SIZE_0xFFFFFFFF,
				BLURCAM_FRAME_BAD_PAYLOAD_SIZE);

	blurcam_expect_mutation("last pixel byte missing", blurcam_drop_last_byte, BLURCAM_FRAME_TRUNCATED);
	blurcam_expect_mutation("header without pixels", blurcam_keep_header_only, BLURCAM_FRAME_TRUNCATED);
	blurcam_expect_mutation("one byte too many", blurcam_add_one_byte, BLURCAM_FRAME_OVERSIZED);
	blurcam_expect_mutation("twice the size", blurcam_double_size, BLURCAM_FRAME_OVERSIZED);

	struct blurcam_test_message odd = blurcam_make_message(BLURCAM_FRAME_FORMAT_I420, 64, 32, 64, 0);
	blurcam_put_u32(odd.data + BLURCAM_FRAME_OFFSET_WIDTH, 63);
	blurcam_expect("i420 with an odd width", odd.data, odd.size, BLURCAM_FRAME_BAD_DIMENSIONS);
	blurcam_put_u32(odd.data + BLURCAM_FRAME_OFFSET_WIDTH, 64);
	blurcam_put_u32(odd.data + BLURCAM_FRAME_OFFSET_HEIGHT, 31);
	blurcam_expect("i420 with an odd height", odd.data, odd.size, BLURCAM_FRAME_BAD_DIMENSIONS);
	blurcam_put_u32(odd.data + BLURCAM_FRAME_OFFSET_HEIGHT, 32);
	blurcam_put_u32(odd.data + BLURCAM_FRAME_OFFSET_STRIDE, 65);
	blurcam_expect("i420 with an odd stride", odd.data, odd.size, BLURCAM_FRAME_BAD_STRIDE);
	free(odd.data);

	/* The largest frame the header can describe, sent without its pixels: sizes must not overflow. */
	struct blurcam_test_message huge = blurcam_make_bgra(8, 8);
	uint32_t max_stride = BLURCAM_FRAME_MAX_DIMENSION * 4 + BLURCAM_FRAME_MAX_ROW_PADDING;
	blurcam_put_u32(huge.data + BLURCAM_FRAME_OFFSET_WIDTH, BLURCAM_FRAME_MAX_DIMENSION);
	blurcam_put_u32(huge.data + BLURCAM_FRAME_OFFSET_HEIGHT, BLURCAM_FRAME_MAX_DIMENSION);
	blurcam_put_u32(huge.data + BLURCAM_FRAME_OFFSET_STRIDE, max_stride);
	blurcam_put_u32(huge.data + BLURCAM_FRAME_OFFSET_PAYLOAD_SIZE, max_stride * BLURCAM_FRAME_MAX_DIMENSION);
	blurcam_expect("largest frame header without its pixels", huge.data, huge.size, BLURCAM_FRAME_TRUNCATED);
	free(huge.data);
}

/* ------------------------------------------------------------------------------------------------------ */
/* Fuzzing */

/* xorshift64*: a fixed seed makes every run check the same inputs. */
static uint64_t blurcam_random_state = 0x9E3779B97F4A7C15ull;

static uint64_t blurcam_random(void)
{
	blurcam_random_state ^= blurcam_random_state >> 12;
	blurcam_random_state ^= blurcam_random_state << 25;
	blurcam_random_state ^= blurcam_random_state >> 27;
	return blurcam_random_state * 0x2545F4914F6CDD1Dull;
}

/* What every accepted message must satisfy, whatever bytes it was made of. */
static int blurcam_accepted_is_consistent(const struct blurcam_frame_header *h, size_t size)
{
	uint64_t bpp = h->format == BLURCAM_FRAME_FORMAT_BGRA ? 4 : 1;
	return h->width >= 1 && h->width <= BLURCAM_FRAME_MAX_DIMENSION && h->height >= 1 &&
	       h->height <= BLURCAM_FRAME_MAX_DIMENSION && h->stride >= h->width * bpp &&
	       h->payload_size == blurcam_frame_payload_size(h->format, h->height, h->stride) &&
	       (uint64_t)h->header_size + h->payload_size == size;
}

static void blurcam_test_fuzz(void)
{
	struct blurcam_test_message valid = blurcam_make_bgra(16, 8);
	struct blurcam_frame_header header;

	int truncations_rejected = 1;
	for (size_t size = 0; size < valid.size; size++)
		truncations_rejected &= blurcam_parse_exact(valid.data, size, &header) != BLURCAM_FRAME_OK;
	blurcam_check(truncations_rejected, "fuzz: every truncation of a valid message is rejected", "one was accepted");

	const int rounds = 200000;
	int inconsistent = 0;
	int accepted = 0;
	uint8_t *buffer = malloc(valid.size * 2);
	for (int round = 0; round < rounds; round++) {
		memcpy(buffer, valid.data, valid.size);
		int flips = 1 + (int)(blurcam_random() % 4);
		for (int i = 0; i < flips; i++)
			buffer[blurcam_random() % BLURCAM_FRAME_HEADER_SIZE] = (uint8_t)blurcam_random();
		size_t size = round % 3 == 0 ? (size_t)(blurcam_random() % (valid.size * 2)) : valid.size;
		if (blurcam_parse_exact(buffer, size, &header) == BLURCAM_FRAME_OK) {
			accepted++;
			inconsistent += !blurcam_accepted_is_consistent(&header, size);
		}
	}
	free(buffer);
	blurcam_check(inconsistent == 0, "fuzz: 200000 mutated headers, every accepted one is consistent",
		      "%d of %d accepted messages were inconsistent", inconsistent, accepted);

	int garbage_accepted = 0;
	uint8_t noise[512];
	for (int round = 0; round < 100000; round++) {
		size_t size = (size_t)(blurcam_random() % sizeof(noise));
		for (size_t i = 0; i < size; i++)
			noise[i] = (uint8_t)blurcam_random();
		garbage_accepted += blurcam_parse_exact(noise, size, &header) == BLURCAM_FRAME_OK;
	}
	blurcam_check(garbage_accepted == 0, "fuzz: 100000 random messages are all rejected", "%d accepted",
		      garbage_accepted);
	free(valid.data);
}

/*
 * Every byte of the header set to many values, for several kinds of frame: an accepted message must be
 * consistent, and a change to a byte the parser does not check (flags, sequence number, capture time, the
 * unknown tail of a longer header) must never make it refused. Then every message size around the header and
 * the payload's end.
 */
struct blurcam_sweep_case {
	const char *name;
	uint32_t format, width, height, stride;
	uint16_t extra_header;
};

static int blurcam_byte_is_free(size_t offset)
{
	return offset >= BLURCAM_FRAME_OFFSET_FLAGS;
}

static void blurcam_test_header_sweep(void)
{
	static const struct blurcam_sweep_case cases[] = {
		{"bgra 1x1", BLURCAM_FRAME_FORMAT_BGRA, 1, 1, 4, 0},
		{"bgra 16x8", BLURCAM_FRAME_FORMAT_BGRA, 16, 8, 64, 0},
		{"bgra 64x32 padded", BLURCAM_FRAME_FORMAT_BGRA, 64, 32, 64 * 4 + 64, 0},
		{"bgra 8192x1", BLURCAM_FRAME_FORMAT_BGRA, 8192, 1, 8192 * 4, 0},
		{"i420 64x48", BLURCAM_FRAME_FORMAT_I420, 64, 48, 64, 0},
		{"i420 2x2 padded", BLURCAM_FRAME_FORMAT_I420, 2, 2, 2 + 254, 0},
		{"bgra 32x16, 64-byte header", BLURCAM_FRAME_FORMAT_BGRA, 32, 16, 128, 16},
		{"bgra 640x360", BLURCAM_FRAME_FORMAT_BGRA, 640, 360, 2560, 0},
	};
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		const struct blurcam_sweep_case *k = &cases[c];
		struct blurcam_test_message valid =
			blurcam_make_message(k->format, k->width, k->height, k->stride, k->extra_header);
		size_t header_size = BLURCAM_FRAME_HEADER_SIZE + k->extra_header;
		/* Small messages get every byte value; the large one a spread of them, to keep the run short. */
		unsigned step = valid.size > 100000 ? 17 : 1;
		uint8_t *buffer = malloc(valid.size);
		struct blurcam_frame_header header;
		unsigned parses = 0, accepted = 0, inconsistent = 0, free_refused = 0;
		for (size_t offset = 0; offset < header_size; offset++) {
			for (unsigned value = 0; value < 256; value += step) {
				memcpy(buffer, valid.data, valid.size);
				buffer[offset] = (uint8_t)value;
				enum blurcam_frame_error error = blurcam_parse_exact(buffer, valid.size, &header);
				parses++;
				if (error == BLURCAM_FRAME_OK) {
					accepted++;
					inconsistent += !blurcam_accepted_is_consistent(&header, valid.size);
				} else if (blurcam_byte_is_free(offset)) {
					free_refused++;
				}
			}
		}
		char name[160];
		snprintf(name, sizeof(name), "sweep %s: every header byte x %s values (%u parses)", k->name,
			 step == 1 ? "all 256" : "16", parses);
		blurcam_check(inconsistent == 0 && free_refused == 0, name,
			      "%u accepted messages inconsistent, %u refused for an unchecked byte", inconsistent,
			      free_refused);

		unsigned sizes_accepted = 0, sizes_tried = 0;
		size_t ends[] = {0, header_size, valid.size};
		for (size_t e = 0; e < 3; e++) {
			for (size_t delta = 0; delta <= 16; delta++) {
				for (int sign = -1; sign <= 1; sign += 2) {
					if (sign < 0 && delta > ends[e])
						continue;
					size_t size = sign < 0 ? ends[e] - delta : ends[e] + delta;
					if (size == valid.size)
						continue;
					uint8_t *resized = calloc(1, size ? size : 1);
					memcpy(resized, valid.data, size < valid.size ? size : valid.size);
					sizes_accepted += blurcam_parse_exact(resized, size, &header) == BLURCAM_FRAME_OK;
					sizes_tried++;
					free(resized);
				}
			}
		}
		snprintf(name, sizeof(name), "sweep %s: %u message sizes around the header and payload ends refused",
			 k->name, sizes_tried);
		blurcam_check(sizes_accepted == 0, name, "%u accepted", sizes_accepted);
		free(buffer);
		free(valid.data);
	}
}

/* ------------------------------------------------------------------------------------------------------ */
/* Endpoints */

static void blurcam_expect_endpoint(const char *endpoint, const char *expected)
{
	char normalized[BLURCAM_ENDPOINT_MAX_LENGTH] = "";
	const char *reason = blurcam_endpoint_check(endpoint, normalized, sizeof(normalized));
	char name[600];
	snprintf(name, sizeof(name), "endpoint %s is %s", endpoint, expected ? expected : "refused");
	if (expected)
		blurcam_check(!reason && strcmp(normalized, expected) == 0, name, "got %s",
			      reason ? reason : normalized);
	else
		blurcam_check(reason != NULL, name, "accepted as %s", normalized);
}

static int blurcam_bind_unix(const char *path, int listen_too)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un address;
	memset(&address, 0, sizeof(address));
	address.sun_family = AF_UNIX;
	strncpy(address.sun_path, path, sizeof(address.sun_path) - 1);
	if (bind(fd, (struct sockaddr *)&address, sizeof(address)) != 0 || (listen_too && listen(fd, 1) != 0)) {
		close(fd);
		return -1;
	}
	return fd;
}

static void blurcam_test_endpoints(void)
{
	blurcam_expect_endpoint("ipc:///run/user/1000/blurcam/frames.sock", "ipc:///run/user/1000/blurcam/frames.sock");
	blurcam_expect_endpoint("tcp://127.0.0.1:5555", "tcp://127.0.0.1:5555");
	blurcam_expect_endpoint("tcp://localhost:5555", "tcp://127.0.0.1:5555");
	blurcam_expect_endpoint("tcp://[::1]:65535", "tcp://[::1]:65535");
	blurcam_expect_endpoint("tcp://0.0.0.0:5555", NULL);
	blurcam_expect_endpoint("tcp://*:5555", NULL);
	blurcam_expect_endpoint("tcp://192.168.1.2:5555", NULL);
	blurcam_expect_endpoint("tcp://127.0.0.1:0", NULL);
	blurcam_expect_endpoint("tcp://127.0.0.1:65536", NULL);
	blurcam_expect_endpoint("tcp://127.0.0.1:*", NULL);
	blurcam_expect_endpoint("tcp://127.0.0.1:", NULL);
	blurcam_expect_endpoint("tcp://127.0.0.1.evil.com:5555", NULL);
	blurcam_expect_endpoint("ipc://relative/frames.sock", NULL);
	blurcam_expect_endpoint("ipc://@abstract", NULL);
	blurcam_expect_endpoint("inproc://frames", NULL);
	blurcam_expect_endpoint("pgm://eth0;239.192.1.1:5555", NULL);
	blurcam_expect_endpoint("", NULL);
	char long_path[300] = "ipc:///";
	memset(long_path + 7, 'a', 200);
	long_path[207] = '\0';
	blurcam_expect_endpoint(long_path, NULL);

	char endpoint[BLURCAM_ENDPOINT_MAX_LENGTH];
	char expected[BLURCAM_ENDPOINT_MAX_LENGTH];
#ifdef __APPLE__
	/* The per-user temporary folder whatever $TMPDIR says: an OBS started from the Dock may have another. */
	setenv("TMPDIR", "/run/user/4242/", 1);
	char temp_dir[256];
	size_t temp_length = confstr(_CS_DARWIN_USER_TEMP_DIR, temp_dir, sizeof(temp_dir)) > 0 ? strlen(temp_dir) : 0;
	while (temp_length > 1 && temp_dir[temp_length - 1] == '/')
		temp_dir[--temp_length] = '\0';
	snprintf(expected, sizeof(expected), "ipc://%s/blurcam/frames.sock", temp_dir);
	blurcam_check(temp_length > 0 && blurcam_endpoint_default(endpoint, sizeof(endpoint)) && strcmp(endpoint, expected) == 0,
		      "default endpoint in the per-user temporary folder", "got %s", endpoint);
	unsetenv("TMPDIR");
#else
	setenv("XDG_RUNTIME_DIR", "/run/user/4242/", 1);
	blurcam_check(blurcam_endpoint_default(endpoint, sizeof(endpoint)) &&
			      strcmp(endpoint, "ipc:///run/user/4242/blurcam/frames.sock") == 0,
		      "default endpoint in the runtime folder", "got %s", endpoint);
	unsetenv("XDG_RUNTIME_DIR");
	snprintf(expected, sizeof(expected), "ipc:///tmp/blurcam-%u/frames.sock", (unsigned)getuid());
	blurcam_check(blurcam_endpoint_default(endpoint, sizeof(endpoint)) && strcmp(endpoint, expected) == 0,
		      "default endpoint without a runtime folder", "got %s", endpoint);
#endif
}

static void blurcam_test_ipc_preparation(void)
{
	char base[] = "/tmp/blurcam-protocol-test-XXXXXX";
	if (!mkdtemp(base)) {
		blurcam_check(0, "ipc preparation", "mkdtemp failed: %s", strerror(errno));
		return;
	}
	char dir[128], path[160], file[160];
	snprintf(dir, sizeof(dir), "%s/blurcam", base);
	snprintf(path, sizeof(path), "%s/frames.sock", dir);
	snprintf(file, sizeof(file), "%s/plain-file", base);

	struct stat info;
	enum blurcam_ipc_status status = blurcam_endpoint_prepare_ipc(path, 1);
	blurcam_check(status == BLURCAM_IPC_READY && stat(dir, &info) == 0 && (info.st_mode & 0777) == 0700,
		      "ipc: the private folder is created with mode 0700", "status %d", status);

	chmod(dir, 0755);
	status = blurcam_endpoint_prepare_ipc(path, 1);
	blurcam_check(status == BLURCAM_IPC_READY && stat(dir, &info) == 0 && (info.st_mode & 0777) == 0700,
		      "ipc: a folder others can read is made private again", "status %d", status);

	int stale = blurcam_bind_unix(path, 0);
	close(stale);
	status = blurcam_endpoint_prepare_ipc(path, 1);
	blurcam_check(stale >= 0 && status == BLURCAM_IPC_READY && access(path, F_OK) != 0,
		      "ipc: a stale socket file is removed", "status %d", status);

	int live = blurcam_bind_unix(path, 1);
	status = blurcam_endpoint_prepare_ipc(path, 1);
	blurcam_check(live >= 0 && status == BLURCAM_IPC_IN_USE && access(path, F_OK) == 0,
		      "ipc: a socket someone listens on is left alone", "status %d", status);
	close(live);
	unlink(path);

	FILE *plain = fopen(file, "w");
	if (plain)
		fclose(plain);
	status = blurcam_endpoint_prepare_ipc(file, 0);
	blurcam_check(status == BLURCAM_IPC_NOT_A_SOCKET && access(file, F_OK) == 0,
		      "ipc: a file that is not a socket is left alone", "status %d", status);
	unlink(file);

	char not_a_dir[160];
	snprintf(not_a_dir, sizeof(not_a_dir), "%s/plain-file/frames.sock", base);
	plain = fopen(file, "w");
	if (plain)
		fclose(plain);
	status = blurcam_endpoint_prepare_ipc(not_a_dir, 1);
	blurcam_check(status == BLURCAM_IPC_UNSAFE_DIR, "ipc: a private folder path that is a file is refused",
		      "status %d", status);
	unlink(file);
	rmdir(dir);
	rmdir(base);
}

/* ------------------------------------------------------------------------------------------------------ */
/* Placeholder */

static void blurcam_test_placeholder(void)
{
	const uint32_t width = 1280, height = 720, stride = width * 4 + 16;
	uint8_t *image = malloc((size_t)stride * height);
	memset(image, 0x55, (size_t)stride * height);
	blurcam_placeholder_render(image, width, height, stride);

	size_t text_pixels = 0, background_pixels = 0, other_pixels = 0, padding_touched = 0;
	for (uint32_t y = 0; y < height; y++) {
		for (uint32_t x = 0; x < width; x++) {
			const uint8_t *p = image + (size_t)y * stride + x * 4;
			if (p[3] != 0xFF)
				other_pixels++;
			else if (p[0] == BLURCAM_PLACEHOLDER_TEXT && p[1] == p[0] && p[2] == p[0])
				text_pixels++;
			else if (p[0] == BLURCAM_PLACEHOLDER_BACKGROUND && p[1] == p[0] && p[2] == p[0])
				background_pixels++;
			else
				other_pixels++;
		}
		for (uint32_t x = width * 4; x < stride; x++)
			padding_touched += image[(size_t)y * stride + x] != 0x55;
	}
	double text_share = (double)text_pixels / ((double)width * height);
	blurcam_check(other_pixels == 0 && padding_touched == 0 && text_share > 0.005 && text_share < 0.2,
		      "placeholder: dark opaque frame with light text, row padding untouched",
		      "text %.3f, other %zu, padding %zu", text_share, other_pixels, padding_touched);
	free(image);

	uint8_t tiny[4 * 4 * 4];
	blurcam_placeholder_render(tiny, 4, 4, 16);
	blurcam_check(tiny[3] == 0xFF, "placeholder: a 4x4 frame is drawn without writing outside it", "alpha %u",
		      tiny[3]);
}

/* ------------------------------------------------------------------------------------------------------ */

static void blurcam_print_constants(void)
{
	printf("{\n  \"magic\": \"%s\",\n  \"version\": %u,\n  \"headerSize\": %u,\n  \"maxHeaderSize\": %u,\n",
	       BLURCAM_FRAME_MAGIC, BLURCAM_FRAME_VERSION, BLURCAM_FRAME_HEADER_SIZE, BLURCAM_FRAME_MAX_HEADER_SIZE);
	printf("  \"maxDimension\": %u,\n  \"maxRowPadding\": %u,\n  \"maxMessageSize\": %llu,\n",
	       BLURCAM_FRAME_MAX_DIMENSION, BLURCAM_FRAME_MAX_ROW_PADDING,
	       (unsigned long long)blurcam_frame_max_message_size());
	printf("  \"offsets\": {\"magic\": %u, \"version\": %u, \"headerSize\": %u, \"width\": %u, \"height\": %u, "
	       "\"format\": %u, \"stride\": %u, \"payloadSize\": %u, \"flags\": %u, \"seq\": %u, \"captureTimeNs\": %u},\n",
	       BLURCAM_FRAME_OFFSET_MAGIC, BLURCAM_FRAME_OFFSET_VERSION, BLURCAM_FRAME_OFFSET_HEADER_SIZE,
	       BLURCAM_FRAME_OFFSET_WIDTH, BLURCAM_FRAME_OFFSET_HEIGHT, BLURCAM_FRAME_OFFSET_FORMAT,
	       BLURCAM_FRAME_OFFSET_STRIDE, BLURCAM_FRAME_OFFSET_PAYLOAD_SIZE, BLURCAM_FRAME_OFFSET_FLAGS,
	       BLURCAM_FRAME_OFFSET_SEQ, BLURCAM_FRAME_OFFSET_CAPTURE_TIME_NS);
	printf("  \"formats\": {\"bgra\": %d, \"i420\": %d},\n", BLURCAM_FRAME_FORMAT_BGRA, BLURCAM_FRAME_FORMAT_I420);
	printf("  \"errors\": [");
	for (int error = BLURCAM_FRAME_OK + 1; error < BLURCAM_FRAME_ERROR_COUNT; error++)
		printf("%s\"%s\"", error > 1 ? ", " : "", blurcam_frame_error_name(error));
	printf("]\n}\n");
}

static int blurcam_parse_file(const char *path)
{
	FILE *file = fopen(path, "rb");
	if (!file) {
		fprintf(stderr, "cannot open %s: %s\n", path, strerror(errno));
		return 2;
	}
	uint8_t *data = NULL;
	size_t size = 0;
	uint8_t chunk[65536];
	size_t read;
	while ((read = fread(chunk, 1, sizeof(chunk), file)) > 0) {
		data = realloc(data, size + read);
		memcpy(data + size, chunk, read);
		size += read;
	}
	fclose(file);

	struct blurcam_frame_header h;
	enum blurcam_frame_error error = blurcam_frame_parse(data, size, &h);
	if (error == BLURCAM_FRAME_OK)
		printf("ok {\"width\": %u, \"height\": %u, \"format\": %d, \"stride\": %u, \"payloadSize\": %u, "
		       "\"headerSize\": %u, \"seq\": \"%llu\", \"captureTimeNs\": \"%llu\"}\n",
		       h.width, h.height, (int)h.format, h.stride, h.payload_size, h.header_size,
		       (unsigned long long)h.seq, (unsigned long long)h.capture_time_ns);
	else
		printf("error %s\n", blurcam_frame_error_name(error));
	free(data);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--constants") == 0) {
		blurcam_print_constants();
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "--default-endpoint") == 0) {
		char endpoint[BLURCAM_ENDPOINT_MAX_LENGTH];
		if (!blurcam_endpoint_default(endpoint, sizeof(endpoint)))
			return 1;
		printf("%s\n", endpoint);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "--endpoint") == 0) {
		char normalized[BLURCAM_ENDPOINT_MAX_LENGTH];
		const char *reason = blurcam_endpoint_check(argv[2], normalized, sizeof(normalized));
		printf(reason ? "refused: %s\n" : "%s\n", reason ? reason : normalized);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "--parse") == 0)
		return blurcam_parse_file(argv[2]);
	if (argc == 3 && strcmp(argv[1], "--prepare-ipc") == 0)
		return blurcam_cli_prepare_ipc(argv[2]);
	if (argc == 3 && strcmp(argv[1], "--link-keys") == 0)
		return blurcam_cli_link_keys(argv[2]);
	if (argc == 3 && strcmp(argv[1], "--never-accept") == 0)
		return blurcam_cli_never_accept(argv[2]);
	if (argc != 1) {
		fprintf(stderr,
			"usage: %s [--constants | --default-endpoint | --endpoint ENDPOINT | --parse FILE |\n"
			"          --prepare-ipc PATH | --link-keys DIR | --never-accept PATH]\n",
			argv[0]);
		return 2;
	}

	blurcam_test_valid_frames();
	blurcam_test_malformed_frames();
	blurcam_test_fuzz();
	blurcam_test_header_sweep();
	blurcam_test_endpoints();
	blurcam_test_ipc_preparation();
	blurcam_test_chosen_ipc_folders();
	blurcam_test_probe_never_blocks();
	blurcam_test_link_keys();
	blurcam_test_curve_link();
	blurcam_test_placeholder();

	for (int error = 0; error < BLURCAM_FRAME_ERROR_COUNT; error++) {
		if (blurcam_seen_errors[error])
			printf("covered %s\n", blurcam_frame_error_name(error));
	}
	printf("summary: passed=%d failed=%d\n", blurcam_passed, blurcam_failed);
	return blurcam_failed == 0 ? 0 : 1;
}
