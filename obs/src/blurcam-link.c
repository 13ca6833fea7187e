#include "blurcam-link.h"

#include "blurcam-frame-protocol.h"
#include "blurcam-link-keys.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

/* libzmq calls the ZAP handler of a context at this fixed address. */
#define BLURCAM_ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define BLURCAM_MONITOR_ENDPOINT "inproc://blurcam-link-monitor"
/* A peer that has not finished its handshake by then is dropped: strangers cannot hold connections open. */
#define BLURCAM_HANDSHAKE_MS 2000
/* Connections the kernel queues before ZeroMQ accepts them. */
#define BLURCAM_BACKLOG 8
/* Requests or events handled per wake-up, so a flood cannot keep the worker thread from a stop. */
#define BLURCAM_LINK_MAX_PER_WAKE 64
#define BLURCAM_HANDSHAKE_FAILURES                                                                   \
	(ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | \
	 ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)

static bool blurcam_link_fail(char *reason, size_t reason_size, const char *what)
{
	snprintf(reason, reason_size, "%s: %s", what, zmq_strerror(errno));
	return false;
}

static bool blurcam_link_set(void *socket, int option, const void *value, size_t size, const char *name,
			     char *reason, size_t reason_size)
{
	if (zmq_setsockopt(socket, option, value, size) == 0)
		return true;
	char what[96];
	snprintf(what, sizeof(what), "ZeroMQ refused the socket option %s", name);
	return blurcam_link_fail(reason, reason_size, what);
}

#define BLURCAM_LINK_SET(socket, option, value) \
	blurcam_link_set(socket, option, &(value), sizeof(value), #option, reason, reason_size)

static void *blurcam_link_socket(struct blurcam_link *link, int type, char *reason, size_t reason_size)
{
	void *socket = zmq_socket(link->context, type);
	if (!socket) {
		blurcam_link_fail(reason, reason_size, "cannot create a ZeroMQ socket");
		return NULL;
	}
	int linger_ms = 0;
	if (!BLURCAM_LINK_SET(socket, ZMQ_LINGER, linger_ms)) {
		zmq_close(socket);
		return NULL;
	}
	return socket;
}

static bool blurcam_link_start_zap(struct blurcam_link *link, const char *keys_dir, const char **server_secret,
				   struct blurcam_link_keys *keys, char *reason, size_t reason_size)
{
	if (!zmq_has("curve")) {
		snprintf(reason, reason_size,
			 "this ZeroMQ library has no CURVE encryption, so tcp endpoints are refused (use an ipc endpoint)");
		return false;
	}
	const char *problem = keys_dir ? blurcam_link_keys_load(keys_dir, keys) : "HOME is not set";
	if (problem) {
		snprintf(reason, reason_size, "cannot use the frame link keys in %s: %s", keys_dir ? keys_dir : "?",
			 problem);
		return false;
	}
	if (!zmq_z85_decode(link->client_key, keys->client_public)) {
		snprintf(reason, reason_size, "the frame link keys in %s are damaged", keys_dir);
		return false;
	}
	link->zap = blurcam_link_socket(link, ZMQ_REP, reason, reason_size);
	if (!link->zap)
		return false;
	if (zmq_bind(link->zap, BLURCAM_ZAP_ENDPOINT) != 0)
		return blurcam_link_fail(reason, reason_size, "cannot start the authentication handler");
	*server_secret = keys->server_secret;
	return true;
}

static bool blurcam_link_configure(struct blurcam_link *link, const char *endpoint, const char *server_secret,
				   char *reason, size_t reason_size)
{
	void *pull = link->pull;
	/* Keep at most one frame waiting: a stale frame is worse than a dropped one. */
	int receive_hwm = 1;
	int ipv6 = strstr(endpoint, "[::1]") != NULL;
	/* Larger messages cannot be frames: ZeroMQ refuses them before allocating, and drops the peer. */
	int64_t max_message_size = (int64_t)blurcam_frame_max_message_size();
	int handshake_ms = BLURCAM_HANDSHAKE_MS;
	int backlog = BLURCAM_BACKLOG;
	if (!BLURCAM_LINK_SET(pull, ZMQ_RCVHWM, receive_hwm) || !BLURCAM_LINK_SET(pull, ZMQ_IPV6, ipv6) ||
	    !BLURCAM_LINK_SET(pull, ZMQ_MAXMSGSIZE, max_message_size) ||
	    !BLURCAM_LINK_SET(pull, ZMQ_HANDSHAKE_IVL, handshake_ms) || !BLURCAM_LINK_SET(pull, ZMQ_BACKLOG, backlog))
		return false;
	if (!server_secret)
		return true;
	int curve_server = 1;
	return BLURCAM_LINK_SET(pull, ZMQ_CURVE_SERVER, curve_server) &&
	       blurcam_link_set(pull, ZMQ_CURVE_SECRETKEY, server_secret, strlen(server_secret), "ZMQ_CURVE_SECRETKEY",
				reason, reason_size) &&
	       blurcam_link_set(pull, ZMQ_ZAP_DOMAIN, "blurcam", strlen("blurcam"), "ZMQ_ZAP_DOMAIN", reason,
				reason_size);
}

static bool blurcam_link_start_monitor(struct blurcam_link *link, char *reason, size_t reason_size)
{
	if (zmq_socket_monitor(link->pull, BLURCAM_MONITOR_ENDPOINT, BLURCAM_HANDSHAKE_FAILURES) != 0)
		return blurcam_link_fail(reason, reason_size, "cannot watch the socket's handshakes");
	link->monitor = blurcam_link_socket(link, ZMQ_PAIR, reason, reason_size);
	if (!link->monitor)
		return false;
	if (zmq_connect(link->monitor, BLURCAM_MONITOR_ENDPOINT) != 0)
		return blurcam_link_fail(reason, reason_size, "cannot watch the socket's handshakes");
	return true;
}

bool blurcam_link_open(struct blurcam_link *link, const char *endpoint, const char *keys_dir, char *reason,
		       size_t reason_size)
{
	memset(link, 0, sizeof(*link));
	link->context = zmq_ctx_new();
	if (!link->context)
		return blurcam_link_fail(reason, reason_size, "cannot create a ZeroMQ context");

	struct blurcam_link_keys keys;
	const char *server_secret = NULL;
	bool tcp = strncmp(endpoint, "tcp://", 6) == 0;
	bool opened = (!tcp || blurcam_link_start_zap(link, keys_dir, &server_secret, &keys, reason, reason_size)) &&
		      (link->pull = blurcam_link_socket(link, ZMQ_PULL, reason, reason_size)) != NULL &&
		      blurcam_link_configure(link, endpoint, server_secret, reason, reason_size) &&
		      blurcam_link_start_monitor(link, reason, reason_size);
	/* The caller names the endpoint: the reason is ZeroMQ's alone ("Address already in use"). */
	if (opened && zmq_bind(link->pull, endpoint) != 0) {
		snprintf(reason, reason_size, "%s", zmq_strerror(errno));
		opened = false;
	}
	memset(&keys, 0, sizeof(keys));
	if (!opened)
		blurcam_link_close(link);
	return opened;
}

void blurcam_link_close(struct blurcam_link *link)
{
	/*
	 * Monitoring is stopped before any socket closes, while its receiving end is still open: closing the
	 * sockets with the monitor running can leave an event undelivered and zmq_ctx_term waiting forever.
	 */
	if (link->pull && link->monitor)
		zmq_socket_monitor(link->pull, NULL, 0);
	void *sockets[] = {link->monitor, link->pull, link->zap};
	for (size_t i = 0; i < sizeof(sockets) / sizeof(sockets[0]); i++) {
		if (sockets[i])
			zmq_close(sockets[i]);
	}
	if (link->context)
		zmq_ctx_term(link->context);
	memset(link, 0, sizeof(*link));
}

/* Receives every part of one multipart message; returns the number of parts kept (at most `capacity`). */
static size_t blurcam_link_receive_parts(void *socket, zmq_msg_t *parts, size_t capacity, bool *received)
{
	size_t count = 0;
	*received = false;
	for (;;) {
		zmq_msg_t part;
		zmq_msg_init(&part);
		if (zmq_msg_recv(&part, socket, *received ? 0 : ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&part);
			return count;
		}
		*received = true;
		bool more = zmq_msg_more(&part);
		if (count < capacity)
			zmq_msg_move(&parts[count++], &part);
		zmq_msg_close(&part);
		if (!more)
			return count;
	}
}

static bool blurcam_link_part_is(zmq_msg_t *part, const char *text)
{
	return zmq_msg_size(part) == strlen(text) && memcmp(zmq_msg_data(part), text, strlen(text)) == 0;
}

/* ZAP (RFC 27): version, request id, domain, address, identity, mechanism, then the client's public key. */
static bool blurcam_link_accepts(struct blurcam_link *link, zmq_msg_t *parts, size_t count)
{
	return count == 7 && blurcam_link_part_is(&parts[0], "1.0") && blurcam_link_part_is(&parts[5], "CURVE") &&
	       zmq_msg_size(&parts[6]) == sizeof(link->client_key) &&
	       memcmp(zmq_msg_data(&parts[6]), link->client_key, sizeof(link->client_key)) == 0;
}

static void blurcam_link_reply_zap(void *zap, zmq_msg_t *request_id, bool accepted)
{
	const char *status = accepted ? "200" : "400";
	const char *text = accepted ? "OK" : "not blurcam's key";
	zmq_send(zap, "1.0", 3, ZMQ_SNDMORE);
	zmq_send(zap, request_id ? zmq_msg_data(request_id) : "", request_id ? zmq_msg_size(request_id) : 0,
		 ZMQ_SNDMORE);
	zmq_send(zap, status, strlen(status), ZMQ_SNDMORE);
	zmq_send(zap, text, strlen(text), ZMQ_SNDMORE);
	zmq_send(zap, "", 0, ZMQ_SNDMORE);
	zmq_send(zap, "", 0, 0);
}

void blurcam_link_answer_zap(struct blurcam_link *link)
{
	for (int i = 0; link->zap && i < BLURCAM_LINK_MAX_PER_WAKE; i++) {
		zmq_msg_t parts[8];
		for (size_t part = 0; part < 8; part++)
			zmq_msg_init(&parts[part]);
		bool received;
		size_t count = blurcam_link_receive_parts(link->zap, parts, 8, &received);
		if (received) {
			blurcam_link_reply_zap(link->zap, count > 1 ? &parts[1] : NULL,
					       blurcam_link_accepts(link, parts, count));
		}
		for (size_t part = 0; part < 8; part++)
			zmq_msg_close(&parts[part]);
		if (!received)
			break;
	}
}

unsigned blurcam_link_read_refusals(struct blurcam_link *link)
{
	unsigned failures = 0;
	for (int i = 0; link->monitor && i < BLURCAM_LINK_MAX_PER_WAKE; i++) {
		zmq_msg_t parts[2];
		zmq_msg_init(&parts[0]);
		zmq_msg_init(&parts[1]);
		bool received;
		size_t count = blurcam_link_receive_parts(link->monitor, parts, 2, &received);
		/* The first part of an event: its number (16 bits, host order), then a 32-bit value. */
		if (count >= 1 && zmq_msg_size(&parts[0]) >= sizeof(uint16_t)) {
			uint16_t event;
			memcpy(&event, zmq_msg_data(&parts[0]), sizeof(event));
			failures += (event & BLURCAM_HANDSHAKE_FAILURES) != 0;
		}
		zmq_msg_close(&parts[0]);
		zmq_msg_close(&parts[1]);
		if (!received)
			break;
	}
	return failures;
}
