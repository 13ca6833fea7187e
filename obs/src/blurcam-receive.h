/*
 * The receive step of the blurcam source without OBS: what the worker thread does with each message it reads
 * (parse, count, keep the newest valid frame) and where OBS will read the pixels of that frame. No libobs
 * dependency, so the whole path from bytes to pixel planes is fuzzed (obs/test/blurcam-receive-fuzz.c).
 */
#pragma once

#include "blurcam-frame-protocol.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct blurcam_receive_counts {
	/* Valid frames received. */
	uint64_t received;
	/* Frames the sender numbered that never arrived (it dropped them because OBS was slow). */
	uint64_t missed;
	uint64_t malformed[BLURCAM_FRAME_ERROR_COUNT];
	bool has_seq;
	uint64_t last_seq;
};

/*
 * Takes one message: parses it and counts it as received (with any gap in the numbering as missed) or as
 * malformed under its reason. On BLURCAM_FRAME_OK `header` describes the frame, which is newer than any
 * taken before; otherwise `header` is untouched.
 */
enum blurcam_frame_error blurcam_receive_take(struct blurcam_receive_counts *counts, const uint8_t *data, size_t size,
					      struct blurcam_frame_header *header);

/* Where each plane of a valid frame lies inside its message's pixels, as handed to OBS. */
struct blurcam_frame_planes {
	unsigned count;
	const uint8_t *data[3];
	uint32_t linesize[3];
	/* Rows OBS reads, and bytes of each row it reads (the rest of a line is padding). */
	uint32_t rows[3];
	uint32_t row_bytes[3];
};

/* Fills `planes` for a frame `header` accepted; `pixels` is the message data at header->header_size. */
void blurcam_frame_planes(const struct blurcam_frame_header *header, const uint8_t *pixels,
			  struct blurcam_frame_planes *planes);
