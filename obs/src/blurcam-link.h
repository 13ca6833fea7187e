/*
 * The plugin's end of the frame link: a ZeroMQ context with the PULL socket bound on the endpoint, every
 * option checked. Over tcp the socket is a CURVE server and a ZAP handler accepts only blurcam's key, so no
 * other program can send frames or read them (docs/bridge.md#security); ipc relies on the socket file's
 * owner-only folder (blurcam-endpoint.c). No libobs dependency: tested by obs/test/blurcam-protocol-test.c.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct blurcam_link {
	void *context;
	void *pull;
	/* tcp only: answers the authentication requests ZeroMQ makes for each peer's handshake. */
	void *zap;
	/* Handshake failures of the PULL socket (strangers, wrong keys, garbage), read as monitor events. */
	void *monitor;
	uint8_t client_key[32];
};

/*
 * Binds `endpoint` (already checked, and for ipc prepared). For tcp the CURVE keys come from `keys_dir`
 * (created there on first use). Returns false with a one-line reason in `reason`; nothing is left open then.
 */
bool blurcam_link_open(struct blurcam_link *link, const char *endpoint, const char *keys_dir, char *reason,
		       size_t reason_size);

void blurcam_link_close(struct blurcam_link *link);

/*
 * Answers the authentication requests waiting (up to a bound): only blurcam's key is accepted. A refusal
 * shows up as a failed handshake in blurcam_link_read_refusals.
 */
void blurcam_link_answer_zap(struct blurcam_link *link);

/* Reads the monitor events waiting (up to a bound); returns the handshakes that failed among them. */
unsigned blurcam_link_read_refusals(struct blurcam_link *link);
