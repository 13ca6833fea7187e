/*
 * The "blurcam" source: an async video source fed by blurcam over ZeroMQ (docs/bridge.md).
 *
 * A worker thread binds a PULL socket on the endpoint, polls it beside a wake-up pipe (so a stop is
 * immediate), validates each message (blurcam-frame-protocol.c) and hands the newest valid frame to OBS.
 * When no frame arrives for BLURCAM_NOT_RUNNING_MS it shows a placeholder instead of a frozen frame.
 * Errors are logged and the source goes idle; nothing here may take OBS down.
 */
#include "blurcam-source.h"

#include "blurcam-endpoint.h"
#include "blurcam-frame-protocol.h"
#include "blurcam-link-keys.h"
#include "blurcam-link.h"
#include "blurcam-log.h"
#include "blurcam-placeholder.h"
#include "blurcam-receive.h"

#include <media-io/video-io.h>
#include <util/bmem.h>
#include <util/dstr.h>
#include <util/platform.h>
#include <util/threading.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#define BLURCAM_SETTING_ENDPOINT "endpoint"
/* How often the worker thread wakes while no message arrives, to notice a stopped blurcam. */
#define BLURCAM_POLL_MS 100
/* How long the source waits before retrying a failed bind (endpoint in use, folder missing). */
#define BLURCAM_RETRY_BIND_MS 1000
#define BLURCAM_NOT_RUNNING_MS 1000
/* Messages handled per poll wake-up: a flood of garbage cannot keep the thread from seeing a stop. */
#define BLURCAM_MAX_MESSAGES_PER_WAKE 64
/* Glass-to-OBS latencies kept for GetStats: about two minutes at 30 fps. */
#define BLURCAM_LATENCY_SAMPLES 4096
#define BLURCAM_DEFAULT_WIDTH 1280
#define BLURCAM_DEFAULT_HEIGHT 720

enum blurcam_source_state {
	BLURCAM_STATE_WAITING,
	BLURCAM_STATE_RECEIVING,
	BLURCAM_STATE_NOT_RUNNING,
	BLURCAM_STATE_ENDPOINT_ERROR,
};

struct blurcam_source_stats {
	enum blurcam_source_state state;
	/* Valid frames received, missed and malformed messages (blurcam-receive.h). */
	struct blurcam_receive_counts counts;
	/* Frames handed to OBS. */
	uint64_t shown;
	/* Valid frames replaced by a newer one before they could be shown. */
	uint64_t dropped;
	/* Peers whose handshake failed: strangers, a wrong key, or not ZeroMQ at all. */
	uint64_t refused;
	uint32_t width;
	uint32_t height;
	int64_t latency_ns[BLURCAM_LATENCY_SAMPLES];
	size_t latency_count;
	size_t latency_next;
};

struct blurcam_source {
	/* settings */
	char endpoint[BLURCAM_ENDPOINT_MAX_LENGTH];
	bool endpoint_is_default;

	/* internal data */
	obs_source_t *source;
	pthread_t thread;
	bool thread_running;
	os_event_t *stop_event;
	/* Written on stop so the thread wakes from its poll at once: OBS waits for destroy on shutdown. */
	int wake_fds[2];
	/* Guards `stats` and `endpoint`, which obs-websocket's thread reads. */
	pthread_mutex_t stats_mutex;
	struct blurcam_source_stats stats;
	struct blurcam_source *next;
};

/* Every live source, so GetStats can find them from obs-websocket's thread. */
static pthread_mutex_t blurcam_registry_mutex = PTHREAD_MUTEX_INITIALIZER;
static struct blurcam_source *blurcam_registry;

static const char *blurcam_state_name(enum blurcam_source_state state)
{
	switch (state) {
	case BLURCAM_STATE_WAITING:
		return "waiting";
	case BLURCAM_STATE_RECEIVING:
		return "receiving";
	case BLURCAM_STATE_NOT_RUNNING:
		return "not_running";
	case BLURCAM_STATE_ENDPOINT_ERROR:
		return "endpoint_error";
	}
	return "unknown";
}

static void blurcam_source_set_state(struct blurcam_source *s, enum blurcam_source_state state)
{
	pthread_mutex_lock(&s->stats_mutex);
	s->stats.state = state;
	pthread_mutex_unlock(&s->stats_mutex);
}

/* ------------------------------------------------------------------------------------------------------ */
/* Receiving */

/* Logs a failure once, not every retry: the same message again is silent until another one happens. */
static void blurcam_log_once(char *last, size_t last_size, const char *message)
{
	if (strcmp(last, message) == 0)
		return;
	blurcam_log(LOG_WARNING, "%s", message);
	snprintf(last, last_size, "%s", message);
}

/* The bound link, and the socket file it made: ZeroMQ leaves ipc files behind when it closes. */
struct blurcam_listener {
	struct blurcam_link link;
	bool open;
	/* Inode of our socket file, 0 for tcp: only that very file is removed, never one made since by another. */
	ino_t ipc_inode;
};

static bool blurcam_listener_open(struct blurcam_source *s, struct blurcam_listener *listener, char *last_error,
				  size_t last_error_size)
{
	char reason[256];
	char message[BLURCAM_ENDPOINT_MAX_LENGTH + sizeof(reason) + 32];
	const char *endpoint = s->endpoint;
	bool ipc = strncmp(endpoint, "ipc://", 6) == 0;
	listener->ipc_inode = 0;
	if (ipc) {
		enum blurcam_ipc_status status = blurcam_endpoint_prepare_ipc(endpoint + 6, s->endpoint_is_default);
		if (status != BLURCAM_IPC_READY) {
			snprintf(message, sizeof(message), "cannot listen on %s: %s", endpoint,
				 blurcam_ipc_status_text(status));
			blurcam_log_once(last_error, last_error_size, message);
			return false;
		}
	}
	char keys_dir[BLURCAM_LINK_KEYS_PATH_MAX];
	bool has_keys_dir = blurcam_link_keys_dir(keys_dir, sizeof(keys_dir));
	listener->open = blurcam_link_open(&listener->link, endpoint, has_keys_dir ? keys_dir : NULL, reason,
					   sizeof(reason));
	if (!listener->open) {
		snprintf(message, sizeof(message), "cannot listen on %s: %s", endpoint, reason);
		blurcam_log_once(last_error, last_error_size, message);
		return false;
	}
	struct stat info;
	if (ipc && lstat(endpoint + 6, &info) == 0) {
		if (chmod(endpoint + 6, 0600) != 0)
			blurcam_log(LOG_WARNING, "could not make %s private: %s", endpoint, strerror(errno));
		listener->ipc_inode = info.st_ino;
	}
	blurcam_log(LOG_INFO, "source '%s' listening on %s%s", obs_source_get_name(s->source), endpoint,
		    ipc ? "" : " (CURVE, blurcam's key only)");
	last_error[0] = '\0';
	return true;
}

static void blurcam_listener_close(struct blurcam_source *s, struct blurcam_listener *listener)
{
	blurcam_link_close(&listener->link);
	listener->open = false;
	struct stat info;
	if (listener->ipc_inode && lstat(s->endpoint + 6, &info) == 0 && info.st_ino == listener->ipc_inode)
		unlink(s->endpoint + 6);
	listener->ipc_inode = 0;
}

static void blurcam_source_output(struct blurcam_source *s, const struct blurcam_frame_header *header,
				  const uint8_t *pixels)
{
	struct blurcam_frame_planes planes;
	blurcam_frame_planes(header, pixels, &planes);
	struct obs_source_frame2 frame;
	memset(&frame, 0, sizeof(frame));
	frame.width = header->width;
	frame.height = header->height;
	frame.timestamp = header->capture_time_ns;
	for (unsigned plane = 0; plane < planes.count; plane++) {
		/* OBS copies the frame before obs_source_output_video2 returns; it never writes to it. */
		frame.data[plane] = (uint8_t *)planes.data[plane];
		frame.linesize[plane] = planes.linesize[plane];
	}
	if (header->format == BLURCAM_FRAME_FORMAT_I420) {
		frame.format = VIDEO_FORMAT_I420;
		/* What OpenCV's BGR-to-I420 conversion produces: BT.601, limited range. */
		frame.range = VIDEO_RANGE_PARTIAL;
		video_format_get_parameters_for_format(VIDEO_CS_601, frame.range, frame.format, frame.color_matrix,
						       frame.color_range_min, frame.color_range_max);
	} else {
		frame.format = VIDEO_FORMAT_BGRA;
		frame.range = VIDEO_RANGE_FULL;
	}
	obs_source_output_video2(s->source, &frame);
}

static void blurcam_source_count_shown(struct blurcam_source *s, const struct blurcam_frame_header *header,
				       uint64_t handed_off_ns, uint64_t replaced)
{
	pthread_mutex_lock(&s->stats_mutex);
	struct blurcam_source_stats *stats = &s->stats;
	stats->shown++;
	stats->dropped += replaced;
	stats->state = BLURCAM_STATE_RECEIVING;
	stats->width = header->width;
	stats->height = header->height;
	stats->latency_ns[stats->latency_next] = (int64_t)(handed_off_ns - header->capture_time_ns);
	stats->latency_next = (stats->latency_next + 1) % BLURCAM_LATENCY_SAMPLES;
	if (stats->latency_count < BLURCAM_LATENCY_SAMPLES)
		stats->latency_count++;
	pthread_mutex_unlock(&s->stats_mutex);
}

/*
 * Reads every message waiting (up to a bound), keeps only the newest valid frame and hands it to OBS.
 * Returns true if a frame was shown.
 */
static bool blurcam_source_receive(struct blurcam_source *s, void *socket)
{
	zmq_msg_t newest;
	struct blurcam_frame_header newest_header = {0};
	uint64_t received = 0;
	zmq_msg_init(&newest);

	for (int i = 0; i < BLURCAM_MAX_MESSAGES_PER_WAKE; i++) {
		zmq_msg_t message;
		zmq_msg_init(&message);
		if (zmq_msg_recv(&message, socket, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&message);
			break;
		}
		size_t size = zmq_msg_size(&message);
		pthread_mutex_lock(&s->stats_mutex);
		enum blurcam_frame_error error =
			blurcam_receive_take(&s->stats.counts, zmq_msg_data(&message), size, &newest_header);
		bool first_of_its_kind = error != BLURCAM_FRAME_OK && s->stats.counts.malformed[error] == 1;
		pthread_mutex_unlock(&s->stats_mutex);
		if (error == BLURCAM_FRAME_OK) {
			received++;
			zmq_msg_move(&newest, &message);
		} else if (first_of_its_kind) {
			blurcam_log(LOG_WARNING,
				    "source '%s' dropped a malformed message (%s, %zu bytes); more are counted silently",
				    obs_source_get_name(s->source), blurcam_frame_error_name(error), size);
		}
		zmq_msg_close(&message);
	}

	if (received > 0) {
		blurcam_source_output(s, &newest_header, (const uint8_t *)zmq_msg_data(&newest) + newest_header.header_size);
		blurcam_source_count_shown(s, &newest_header, os_gettime_ns(), received - 1);
	}
	zmq_msg_close(&newest);
	return received > 0;
}

/* Answers the handshakes' authentication requests and counts the peers refused (strangers, wrong keys). */
static void blurcam_source_watch_peers(struct blurcam_source *s, struct blurcam_link *link)
{
	blurcam_link_answer_zap(link);
	unsigned refused = blurcam_link_read_refusals(link);
	if (refused == 0)
		return;
	pthread_mutex_lock(&s->stats_mutex);
	bool first = s->stats.refused == 0;
	s->stats.refused += refused;
	pthread_mutex_unlock(&s->stats_mutex);
	if (first)
		blurcam_log(LOG_WARNING,
			    "source '%s' refused a peer on %s that failed the handshake (not blurcam, or another key); "
			    "more are counted silently",
			    obs_source_get_name(s->source), s->endpoint);
}

static void blurcam_source_show_placeholder(struct blurcam_source *s)
{
	pthread_mutex_lock(&s->stats_mutex);
	uint32_t width = s->stats.width ? s->stats.width : BLURCAM_DEFAULT_WIDTH;
	uint32_t height = s->stats.height ? s->stats.height : BLURCAM_DEFAULT_HEIGHT;
	pthread_mutex_unlock(&s->stats_mutex);

	uint32_t stride = width * 4;
	uint8_t *pixels = bmalloc((size_t)stride * height);
	blurcam_placeholder_render(pixels, width, height, stride);
	struct blurcam_frame_header header = {
		.width = width,
		.height = height,
		.format = BLURCAM_FRAME_FORMAT_BGRA,
		.stride = stride,
		.capture_time_ns = os_gettime_ns(),
	};
	blurcam_source_output(s, &header, pixels);
	bfree(pixels);
}

static void *blurcam_source_thread(void *data)
{
	struct blurcam_source *s = data;
	char last_error[BLURCAM_ENDPOINT_MAX_LENGTH + 512] = "";
	os_set_thread_name("blurcam-source");

	struct blurcam_listener listener = {0};
	bool placeholder_shown = false;
	uint64_t last_frame_ns = os_gettime_ns();

	while (os_event_try(s->stop_event) == EAGAIN) {
		if (!listener.open) {
			bool opened = blurcam_listener_open(s, &listener, last_error, sizeof(last_error));
			blurcam_source_set_state(s, opened ? BLURCAM_STATE_WAITING : BLURCAM_STATE_ENDPOINT_ERROR);
		}
		if (listener.open) {
			struct blurcam_link *link = &listener.link;
			zmq_pollitem_t items[] = {
				{.socket = link->pull, .events = ZMQ_POLLIN},
				{.fd = s->wake_fds[0], .events = ZMQ_POLLIN},
				{.socket = link->monitor, .events = ZMQ_POLLIN},
				{.socket = link->zap, .events = ZMQ_POLLIN},
			};
			int ready = zmq_poll(items, link->zap ? 4 : 3, BLURCAM_POLL_MS);
			if (ready > 0 && (items[2].revents | items[3].revents) & ZMQ_POLLIN)
				blurcam_source_watch_peers(s, link);
			if (ready > 0 && (items[0].revents & ZMQ_POLLIN) && blurcam_source_receive(s, link->pull)) {
				last_frame_ns = os_gettime_ns();
				placeholder_shown = false;
			} else if (ready < 0 && errno != EINTR) {
				blurcam_log(LOG_WARNING, "waiting for frames failed (%s); listening again",
					    zmq_strerror(errno));
				blurcam_listener_close(s, &listener);
			}
		} else {
			os_event_timedwait(s->stop_event, BLURCAM_RETRY_BIND_MS);
		}

		if (!placeholder_shown && os_gettime_ns() - last_frame_ns > BLURCAM_NOT_RUNNING_MS * 1000000ull) {
			blurcam_source_show_placeholder(s);
			placeholder_shown = true;
			if (listener.open)
				blurcam_source_set_state(s, BLURCAM_STATE_NOT_RUNNING);
		}
	}

	if (listener.open)
		blurcam_listener_close(s, &listener);
	return NULL;
}

/* ------------------------------------------------------------------------------------------------------ */
/* Thread control */

static void blurcam_source_start(struct blurcam_source *s)
{
	char drained[16];
	while (read(s->wake_fds[0], drained, sizeof(drained)) > 0)
		continue;
	os_event_reset(s->stop_event);
	s->thread_running = pthread_create(&s->thread, NULL, blurcam_source_thread, s) == 0;
	if (!s->thread_running)
		blurcam_log(LOG_ERROR, "source '%s' could not start its thread", obs_source_get_name(s->source));
}

static void blurcam_source_stop(struct blurcam_source *s)
{
	if (!s->thread_running)
		return;
	os_event_signal(s->stop_event);
	ssize_t written = write(s->wake_fds[1], "", 1);
	UNUSED_PARAMETER(written);
	pthread_join(s->thread, NULL);
	s->thread_running = false;
}

/* ------------------------------------------------------------------------------------------------------ */
/* Stats */

static int blurcam_compare_int64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a;
	int64_t y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted samples, in milliseconds. */
static double blurcam_percentile_ms(const int64_t *sorted, size_t count, unsigned percent)
{
	if (count == 0)
		return 0.0;
	size_t rank = (count * percent + 99) / 100;
	return (double)sorted[rank > 0 ? rank - 1 : 0] / 1e6;
}

static obs_data_t *blurcam_latency_data(const struct blurcam_source_stats *stats)
{
	obs_data_t *latency = obs_data_create();
	size_t count = stats->latency_count;
	int64_t *sorted = bmemdup(stats->latency_ns, sizeof(int64_t) * (count ? count : 1));
	qsort(sorted, count, sizeof(int64_t), blurcam_compare_int64);
	obs_data_set_int(latency, "samples", (long long)count);
	obs_data_set_double(latency, "median", blurcam_percentile_ms(sorted, count, 50));
	obs_data_set_double(latency, "p95", blurcam_percentile_ms(sorted, count, 95));
	obs_data_set_double(latency, "max", count ? (double)sorted[count - 1] / 1e6 : 0.0);
	bfree(sorted);
	return latency;
}

static obs_data_t *blurcam_stats_data(struct blurcam_source *s)
{
	const struct blurcam_source_stats *stats = &s->stats;
	obs_data_t *data = obs_data_create();
	obs_data_t *malformed = obs_data_create();
	uint64_t malformed_total = 0;
	for (int error = BLURCAM_FRAME_OK + 1; error < BLURCAM_FRAME_ERROR_COUNT; error++) {
		obs_data_set_int(malformed, blurcam_frame_error_name(error), (long long)stats->counts.malformed[error]);
		malformed_total += stats->counts.malformed[error];
	}
	obs_data_t *latency = blurcam_latency_data(stats);

	obs_data_set_string(data, "name", obs_source_get_name(s->source));
	obs_data_set_string(data, "endpoint", s->endpoint);
	obs_data_set_string(data, "state", blurcam_state_name(stats->state));
	obs_data_set_int(data, "received", (long long)stats->counts.received);
	obs_data_set_int(data, "shown", (long long)stats->shown);
	obs_data_set_int(data, "dropped", (long long)stats->dropped);
	obs_data_set_int(data, "missed", (long long)stats->counts.missed);
	obs_data_set_int(data, "malformed", (long long)malformed_total);
	obs_data_set_obj(data, "malformedByReason", malformed);
	obs_data_set_int(data, "refused", (long long)stats->refused);
	obs_data_set_int(data, "lastSeq", (long long)stats->counts.last_seq);
	obs_data_set_int(data, "width", stats->width);
	obs_data_set_int(data, "height", stats->height);
	obs_data_set_obj(data, "latencyMs", latency);
	obs_data_release(malformed);
	obs_data_release(latency);
	return data;
}

static void blurcam_stats_reset(struct blurcam_source_stats *stats)
{
	enum blurcam_source_state state = stats->state;
	uint32_t width = stats->width;
	uint32_t height = stats->height;
	memset(stats, 0, sizeof(*stats));
	stats->state = state;
	stats->width = width;
	stats->height = height;
}

void blurcam_source_write_stats(obs_data_t *response, const char *source_name, bool reset)
{
	obs_data_array_t *sources = obs_data_array_create();
	pthread_mutex_lock(&blurcam_registry_mutex);
	for (struct blurcam_source *s = blurcam_registry; s; s = s->next) {
		if (source_name && strcmp(source_name, obs_source_get_name(s->source)) != 0)
			continue;
		pthread_mutex_lock(&s->stats_mutex);
		obs_data_t *data = blurcam_stats_data(s);
		if (reset)
			blurcam_stats_reset(&s->stats);
		pthread_mutex_unlock(&s->stats_mutex);
		obs_data_array_push_back(sources, data);
		obs_data_release(data);
	}
	pthread_mutex_unlock(&blurcam_registry_mutex);
	obs_data_set_array(response, "sources", sources);
	obs_data_array_release(sources);
}

static void blurcam_source_log_summary(struct blurcam_source *s)
{
	obs_data_t *data = blurcam_stats_data(s);
	obs_data_t *latency = obs_data_get_obj(data, "latencyMs");
	blurcam_log(LOG_INFO,
		    "source '%s' stopped: received %lld, shown %lld, dropped %lld, missed %lld, malformed %lld, "
		    "refused peers %lld; "
		    "glass-to-OBS latency median %.1f ms, p95 %.1f ms",
		    obs_source_get_name(s->source), obs_data_get_int(data, "received"), obs_data_get_int(data, "shown"),
		    obs_data_get_int(data, "dropped"), obs_data_get_int(data, "missed"),
		    obs_data_get_int(data, "malformed"), obs_data_get_int(data, "refused"),
		    obs_data_get_double(latency, "median"),
		    obs_data_get_double(latency, "p95"));
	obs_data_release(latency);
	obs_data_release(data);
}

/* ------------------------------------------------------------------------------------------------------ */
/* obs_source_info callbacks */

static const char *blurcam_source_get_name(void *type_data)
{
	UNUSED_PARAMETER(type_data);
	return obs_module_text("BlurcamSource");
}

/*
 * Reads the endpoint setting; an invalid one is logged and replaced by the default. The default, given
 * explicitly or not, gets its private folder created (after a reboot it is gone until someone makes it).
 */
static void blurcam_source_read_endpoint(struct blurcam_source *s, obs_data_t *settings,
					 char endpoint[BLURCAM_ENDPOINT_MAX_LENGTH], bool *is_default)
{
	char default_endpoint[BLURCAM_ENDPOINT_MAX_LENGTH];
	if (!blurcam_endpoint_default(default_endpoint, sizeof(default_endpoint)))
		default_endpoint[0] = '\0';

	const char *configured = obs_data_get_string(settings, BLURCAM_SETTING_ENDPOINT);
	const char *reason = NULL;
	if (configured && *configured) {
		reason = blurcam_endpoint_check(configured, endpoint, BLURCAM_ENDPOINT_MAX_LENGTH);
		if (reason)
			blurcam_log(LOG_WARNING, "source '%s': endpoint '%s' refused (%s); using the default",
				    obs_source_get_name(s->source), configured, reason);
	}
	if (!configured || !*configured || reason)
		snprintf(endpoint, BLURCAM_ENDPOINT_MAX_LENGTH, "%s", default_endpoint);
	*is_default = strcmp(endpoint, default_endpoint) == 0;
}

static void blurcam_source_update(void *data, obs_data_t *settings)
{
	struct blurcam_source *s = data;
	char endpoint[BLURCAM_ENDPOINT_MAX_LENGTH];
	bool is_default;
	blurcam_source_read_endpoint(s, settings, endpoint, &is_default);
	if (s->thread_running && strcmp(endpoint, s->endpoint) == 0)
		return;

	blurcam_source_stop(s);
	pthread_mutex_lock(&s->stats_mutex);
	snprintf(s->endpoint, sizeof(s->endpoint), "%s", endpoint);
	s->endpoint_is_default = is_default;
	pthread_mutex_unlock(&s->stats_mutex);
	blurcam_source_start(s);
}

static void *blurcam_source_create(obs_data_t *settings, obs_source_t *source)
{
	struct blurcam_source *s = bzalloc(sizeof(struct blurcam_source));
	s->source = source;
	pthread_mutex_init(&s->stats_mutex, NULL);
	if (os_event_init(&s->stop_event, OS_EVENT_TYPE_MANUAL) != 0 || pipe(s->wake_fds) != 0) {
		blurcam_log(LOG_ERROR, "source '%s' could not be created", obs_source_get_name(source));
		if (s->stop_event)
			os_event_destroy(s->stop_event);
		pthread_mutex_destroy(&s->stats_mutex);
		bfree(s);
		return NULL;
	}
	fcntl(s->wake_fds[0], F_SETFL, O_NONBLOCK);
	/* Show the newest frame at once instead of pacing frames by their timestamps: latency first. */
	obs_source_set_async_unbuffered(source, true);

	pthread_mutex_lock(&blurcam_registry_mutex);
	s->next = blurcam_registry;
	blurcam_registry = s;
	pthread_mutex_unlock(&blurcam_registry_mutex);

	blurcam_source_update(s, settings);
	return s;
}

static void blurcam_source_destroy(void *data)
{
	struct blurcam_source *s = data;

	pthread_mutex_lock(&blurcam_registry_mutex);
	for (struct blurcam_source **link = &blurcam_registry; *link; link = &(*link)->next) {
		if (*link == s) {
			*link = s->next;
			break;
		}
	}
	pthread_mutex_unlock(&blurcam_registry_mutex);

	blurcam_source_stop(s);
	blurcam_source_log_summary(s);
	os_event_destroy(s->stop_event);
	close(s->wake_fds[0]);
	close(s->wake_fds[1]);
	pthread_mutex_destroy(&s->stats_mutex);
	bfree(s);
}

static void blurcam_source_defaults(obs_data_t *settings)
{
	obs_data_set_default_string(settings, BLURCAM_SETTING_ENDPOINT, "");
}

static obs_properties_t *blurcam_source_properties(void *data)
{
	UNUSED_PARAMETER(data);
	obs_properties_t *props = obs_properties_create();
	obs_property_t *endpoint = obs_properties_add_text(props, BLURCAM_SETTING_ENDPOINT,
							   obs_module_text("Endpoint"), OBS_TEXT_DEFAULT);
	obs_property_set_long_description(endpoint, obs_module_text("Endpoint.Description"));

	char default_endpoint[BLURCAM_ENDPOINT_MAX_LENGTH];
	if (blurcam_endpoint_default(default_endpoint, sizeof(default_endpoint))) {
		struct dstr text = {0};
		dstr_printf(&text, "%s %s", obs_module_text("Endpoint.Default"), default_endpoint);
		obs_properties_add_text(props, "default_endpoint", text.array, OBS_TEXT_INFO);
		dstr_free(&text);
	}
	return props;
}

struct obs_source_info blurcam_source_info = {
	.id = "blurcam_source",
	.type = OBS_SOURCE_TYPE_INPUT,
	.output_flags = OBS_SOURCE_ASYNC_VIDEO | OBS_SOURCE_DO_NOT_DUPLICATE,
	.get_name = blurcam_source_get_name,
	.create = blurcam_source_create,
	.destroy = blurcam_source_destroy,
	.update = blurcam_source_update,
	.get_defaults = blurcam_source_defaults,
	.get_properties = blurcam_source_properties,
	.icon_type = OBS_ICON_TYPE_CAMERA,
};
