/*
 * libFuzzer target for everything the plugin does with bytes that arrive on its socket, outside OBS
 * (scripts/fuzz-plugin.sh builds it with clang under AddressSanitizer and UBSan, and runs it).
 *
 * The input is cut into messages, each a 2-byte little-endian length and that many bytes. Each message is
 * copied into a buffer of exactly its size (so any read past it is caught) and taken as the source's thread
 * takes it (blurcam_receive_take); then every byte OBS would read of the newest valid frame is read, plane by
 * plane. The input is also checked as an endpoint string. A crash, a sanitizer report or a broken invariant
 * (abort) is a failure.
 */
#include "../src/blurcam-endpoint.h"
#include "../src/blurcam-receive.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void blurcam_fuzz_require(int condition)
{
	if (!condition)
		abort();
}

/* Reads every byte of every row OBS reads; the plane must end inside the message. */
static uint32_t blurcam_fuzz_read_planes(const uint8_t *message, size_t size, const struct blurcam_frame_header *header)
{
	struct blurcam_frame_planes planes;
	blurcam_frame_planes(header, message + header->header_size, &planes);
	uint32_t sum = 0;
	for (unsigned plane = 0; plane < planes.count; plane++) {
		blurcam_fuzz_require(planes.row_bytes[plane] <= planes.linesize[plane]);
		const uint8_t *end = planes.data[plane] + (size_t)(planes.rows[plane] - 1) * planes.linesize[plane] +
				     planes.row_bytes[plane];
		blurcam_fuzz_require(end <= message + size);
		for (uint32_t row = 0; row < planes.rows[plane]; row++) {
			const uint8_t *line = planes.data[plane] + (size_t)row * planes.linesize[plane];
			for (uint32_t x = 0; x < planes.row_bytes[plane]; x++)
				sum += line[x];
		}
	}
	return sum;
}

static void blurcam_fuzz_endpoint(const uint8_t *data, size_t size)
{
	char endpoint[BLURCAM_ENDPOINT_MAX_LENGTH + 16];
	size_t length = size < sizeof(endpoint) - 1 ? size : sizeof(endpoint) - 1;
	memcpy(endpoint, data, length);
	endpoint[length] = '\0';
	char normalized[BLURCAM_ENDPOINT_MAX_LENGTH];
	const char *reason = blurcam_endpoint_check(endpoint, normalized, sizeof(normalized));
	blurcam_fuzz_require(reason || strncmp(normalized, "ipc:///", 7) == 0 || strncmp(normalized, "tcp://", 6) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	blurcam_fuzz_endpoint(data, size);

	struct blurcam_receive_counts counts;
	memset(&counts, 0, sizeof(counts));
	uint8_t *newest = NULL;
	size_t newest_size = 0;
	struct blurcam_frame_header newest_header;
	uint64_t messages = 0;
	while (size >= 2) {
		size_t length = (size_t)data[0] | ((size_t)data[1] << 8);
		data += 2;
		size -= 2;
		if (length > size)
			length = size;
		uint8_t *message = malloc(length ? length : 1);
		memcpy(message, data, length);
		data += length;
		size -= length;
		messages++;

		struct blurcam_frame_header header;
		if (blurcam_receive_take(&counts, message, length, &header) == BLURCAM_FRAME_OK) {
			blurcam_fuzz_require((uint64_t)header.header_size + header.payload_size == length);
			free(newest);
			newest = message;
			newest_size = length;
			newest_header = header;
		} else {
			free(message);
		}
	}

	uint64_t malformed = 0;
	for (int error = 0; error < BLURCAM_FRAME_ERROR_COUNT; error++)
		malformed += counts.malformed[error];
	blurcam_fuzz_require(counts.malformed[BLURCAM_FRAME_OK] == 0 && counts.received + malformed == messages);
	if (newest) {
		volatile uint32_t sum = blurcam_fuzz_read_planes(newest, newest_size, &newest_header);
		(void)sum;
		free(newest);
	}
	return 0;
}
