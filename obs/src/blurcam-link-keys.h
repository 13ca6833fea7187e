/*
 * The keys that authenticate the frame link over tcp (ZeroMQ CURVE, docs/bridge.md#security). One file,
 * frame-link-keys, in the user's private blurcam settings folder holds both key pairs: the plugin's (CURVE
 * server) and blurcam's (CURVE client). Whoever starts first writes it (folder 0700, file 0600); both sides
 * then read the same file. src/transport/link-keys.ts is the blurcam side and must agree. No libobs
 * dependency: tested by obs/test/blurcam-protocol-test.c.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define BLURCAM_LINK_KEYS_FILE_NAME "frame-link-keys"
/* A Z85 CURVE key: 40 characters for 32 bytes, plus the terminating NUL. */
#define BLURCAM_LINK_KEY_TEXT_SIZE 41
#define BLURCAM_LINK_KEYS_PATH_MAX 1024

struct blurcam_link_keys {
	char server_public[BLURCAM_LINK_KEY_TEXT_SIZE];
	char server_secret[BLURCAM_LINK_KEY_TEXT_SIZE];
	char client_public[BLURCAM_LINK_KEY_TEXT_SIZE];
	char client_secret[BLURCAM_LINK_KEY_TEXT_SIZE];
};

/*
 * blurcam's settings folder, as src/config.ts computes it: $BLURCAM_CONFIG_DIR when set, else
 * $XDG_CONFIG_HOME/blurcam (when absolute) or ~/.config/blurcam on Linux, ~/Library/Application Support/blurcam
 * on macOS. False without HOME.
 */
bool blurcam_link_keys_dir(char *out, size_t out_size);

/*
 * Reads the keys from `dir`, writing a new file first when there is none. The folder must belong to this user
 * (it is made 0700); the file must be a regular file of this user that no one else can read or write.
 * Returns NULL on success, else a one-line reason (the file is never overwritten or loosened).
 */
const char *blurcam_link_keys_load(const char *dir, struct blurcam_link_keys *keys);
