/*
 * Where the plugin listens for frames. Frames must never leave the machine, so only ipc:// (a socket file,
 * private to the user) and tcp:// on the loopback interface are accepted. No libobs dependency: tested by
 * obs/test/blurcam-protocol-test.c. src/transport/endpoint.ts applies the same rules on the sender side.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define BLURCAM_ENDPOINT_MAX_LENGTH 512
/* Appended to the runtime folder; the folder is created with mode 0700. */
#define BLURCAM_ENDPOINT_DIR_NAME "blurcam"
#define BLURCAM_ENDPOINT_SOCKET_NAME "frames.sock"

/*
 * Checks a user-given endpoint and writes the form to bind (localhost becomes 127.0.0.1, which ZeroMQ can
 * bind) into `normalized`. Returns NULL when acceptable, else a one-line reason.
 */
const char *blurcam_endpoint_check(const char *endpoint, char *normalized, size_t normalized_size);

/*
 * The default endpoint: ipc://$XDG_RUNTIME_DIR/blurcam/frames.sock on Linux, ipc://<per-user temporary
 * folder>/blurcam/frames.sock on macOS (confstr(_CS_DARWIN_USER_TEMP_DIR), whatever $TMPDIR says); both are
 * per-user folders. ipc:///tmp/blurcam-<uid>/frames.sock when that folder cannot be told.
 * Returns false if it does not fit in `out`.
 */
bool blurcam_endpoint_default(char *out, size_t out_size);

enum blurcam_ipc_status {
	BLURCAM_IPC_READY = 0,
	BLURCAM_IPC_IN_USE,
	BLURCAM_IPC_NOT_A_SOCKET,
	BLURCAM_IPC_UNSAFE_DIR,
	BLURCAM_IPC_FOREIGN_SOCKET,
	BLURCAM_IPC_FAILED,
};

/* How long the check for another listener on an ipc socket file may wait (it never blocks longer). */
#define BLURCAM_ENDPOINT_PROBE_MS 100

/*
 * Makes an ipc socket path ready to bind. With `private_dir` (the default endpoint), creates the parent
 * folder with mode 0700 (or tightens it), refusing one owned by another user. Without it (a path the user
 * chose), the folder must exist, belong to this user and be writable by no one else. A socket file left by a
 * crashed OBS is removed; one that still answers (another OBS listening), one of another user, or a file that
 * is not a socket is left alone.
 */
enum blurcam_ipc_status blurcam_endpoint_prepare_ipc(const char *path, bool private_dir);

const char *blurcam_ipc_status_text(enum blurcam_ipc_status status);
