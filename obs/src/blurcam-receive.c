#include "blurcam-receive.h"

#include <string.h>

enum blurcam_frame_error blurcam_receive_take(struct blurcam_receive_counts *counts, const uint8_t *data, size_t size,
					      struct blurcam_frame_header *header)
{
	struct blurcam_frame_header parsed;
	enum blurcam_frame_error error = blurcam_frame_parse(data, size, &parsed);
	if (error != BLURCAM_FRAME_OK) {
		counts->malformed[error]++;
		return error;
	}
	counts->received++;
	/* A lower number means blurcam restarted: no gap to count. */
	if (counts->has_seq && parsed.seq > counts->last_seq + 1)
		counts->missed += parsed.seq - counts->last_seq - 1;
	counts->has_seq = true;
	counts->last_seq = parsed.seq;
	*header = parsed;
	return BLURCAM_FRAME_OK;
}

void blurcam_frame_planes(const struct blurcam_frame_header *header, const uint8_t *pixels,
			  struct blurcam_frame_planes *planes)
{
	memset(planes, 0, sizeof(*planes));
	planes->data[0] = pixels;
	planes->linesize[0] = header->stride;
	planes->rows[0] = header->height;
	if (header->format != BLURCAM_FRAME_FORMAT_I420) {
		planes->count = 1;
		planes->row_bytes[0] = header->width * 4;
		return;
	}
	uint32_t chroma_stride = header->stride / 2;
	planes->count = 3;
	planes->row_bytes[0] = header->width;
	planes->data[1] = pixels + (size_t)header->stride * header->height;
	planes->data[2] = planes->data[1] + (size_t)chroma_stride * (header->height / 2);
	for (unsigned plane = 1; plane < 3; plane++) {
		planes->linesize[plane] = chroma_stride;
		planes->rows[plane] = header->height / 2;
		planes->row_bytes[plane] = header->width / 2;
	}
}
