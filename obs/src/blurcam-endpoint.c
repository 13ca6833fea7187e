#include "blurcam-endpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define BLURCAM_IPC_PREFIX "ipc://"
#define BLURCAM_TCP_PREFIX "tcp://"

static bool blurcam_starts_with(const char *text, const char *prefix)
{
	return strncmp(text, prefix, strlen(prefix)) == 0;
}

/* The longest socket path the platform accepts (sun_path holds the terminating NUL too). */
static size_t blurcam_ipc_max_path(void)
{
	struct sockaddr_un address;
	return sizeof(address.sun_path) - 1;
}

static bool blurcam_parse_port(const char *text)
{
	size_t length = strlen(text);
	if (length < 1 || length > 5)
		return false;
	long port = 0;
	for (size_t i = 0; i < length; i++) {
		if (text[i] < '0' || text[i] > '9')
			return false;
		port = port * 10 + (text[i] - '0');
	}
	return port >= 1 && port <= 65535;
}

static const char *blurcam_check_tcp(const char *address, char *normalized, size_t normalized_size)
{
	static const char *const hosts[] = {"127.0.0.1:", "localhost:", "[::1]:"};
	for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		if (!blurcam_starts_with(address, hosts[i]))
			continue;
		const char *port = address + strlen(hosts[i]);
		if (!blurcam_parse_port(port))
			return "the tcp port must be a number from 1 to 65535";
		/* ZeroMQ binds interfaces, not host names: localhost is spelled as its address. */
		const char *host = strcmp(hosts[i], "localhost:") == 0 ? "127.0.0.1:" : hosts[i];
		int written = snprintf(normalized, normalized_size, "%s%s%s", BLURCAM_TCP_PREFIX, host, port);
		return written > 0 && (size_t)written < normalized_size ? NULL : "the endpoint is too long";
	}
	return "tcp endpoints must use 127.0.0.1, localhost or [::1] so frames stay on this machine";
}

const char *blurcam_endpoint_check(const char *endpoint, char *normalized, size_t normalized_size)
{
	if (!endpoint || strlen(endpoint) >= BLURCAM_ENDPOINT_MAX_LENGTH)
		return "the endpoint is empty or too long";
	if (blurcam_starts_with(endpoint, BLURCAM_TCP_PREFIX))
		return blurcam_check_tcp(endpoint + strlen(BLURCAM_TCP_PREFIX), normalized, normalized_size);
	if (!blurcam_starts_with(endpoint, BLURCAM_IPC_PREFIX))
		return "only ipc:// and tcp:// (loopback) endpoints are allowed";

	const char *path = endpoint + strlen(BLURCAM_IPC_PREFIX);
	/* Relative paths would differ between OBS and blurcam; abstract sockets (@name) have no permissions. */
	if (path[0] != '/')
		return "ipc endpoints need an absolute path, e.g. ipc:///run/user/1000/blurcam/frames.sock";
	if (strlen(path) > blurcam_ipc_max_path())
		return "the ipc socket path is too long for this system";
	if ((size_t)snprintf(normalized, normalized_size, "%s", endpoint) >= normalized_size)
		return "the endpoint is too long";
	return NULL;
}

/*
 * The user's private runtime folder, or NULL. On macOS the per-user temporary folder that confstr names: the
 * same for an OBS started from the Dock as for blurcam in a terminal, whose $TMPDIR may differ.
 */
static const char *blurcam_runtime_dir(char *buffer, size_t size)
{
#ifdef __APPLE__
	size_t length = confstr(_CS_DARWIN_USER_TEMP_DIR, buffer, size);
	return length > 0 && length <= size ? buffer : NULL;
#else
	(void)buffer;
	(void)size;
	return getenv("XDG_RUNTIME_DIR");
#endif
}

bool blurcam_endpoint_default(char *out, size_t out_size)
{
	char runtime_dir_buffer[BLURCAM_ENDPOINT_MAX_LENGTH];
	const char *runtime_dir = blurcam_runtime_dir(runtime_dir_buffer, sizeof(runtime_dir_buffer));
	int written;
	if (runtime_dir && runtime_dir[0] == '/') {
		size_t length = strlen(runtime_dir);
		while (length > 1 && runtime_dir[length - 1] == '/')
			length--;
		written = snprintf(out, out_size, "%s%.*s/%s/%s", BLURCAM_IPC_PREFIX, (int)length, runtime_dir,
				   BLURCAM_ENDPOINT_DIR_NAME, BLURCAM_ENDPOINT_SOCKET_NAME);
	} else {
		/* /tmp is shared by all users: the uid keeps folders apart, the ownership check keeps them safe. */
		written = snprintf(out, out_size, "%s/tmp/%s-%u/%s", BLURCAM_IPC_PREFIX, BLURCAM_ENDPOINT_DIR_NAME,
				   (unsigned)getuid(), BLURCAM_ENDPOINT_SOCKET_NAME);
	}
	return written > 0 && (size_t)written < out_size;
}

static enum blurcam_ipc_status blurcam_prepare_private_dir(const char *path)
{
	char dir[BLURCAM_ENDPOINT_MAX_LENGTH];
	const char *slash = strrchr(path, '/');
	size_t length = (size_t)(slash - path);
	if (length == 0 || length >= sizeof(dir))
		return BLURCAM_IPC_FAILED;
	memcpy(dir, path, length);
	dir[length] = '\0';

	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return BLURCAM_IPC_FAILED;
	struct stat info;
	if (lstat(dir, &info) != 0)
		return BLURCAM_IPC_FAILED;
	if (!S_ISDIR(info.st_mode) || info.st_uid != geteuid())
		return BLURCAM_IPC_UNSAFE_DIR;
	if ((info.st_mode & 0077) != 0 && chmod(dir, 0700) != 0)
		return BLURCAM_IPC_UNSAFE_DIR;
	return BLURCAM_IPC_READY;
}

/*
 * True when something listens on the socket file: another OBS is using this endpoint. The connect never
 * blocks: a listener that accepts nothing (its queue full) would otherwise hold the source's thread, and
 * with it OBS when the source stops. A full queue counts as listening.
 */
static bool blurcam_socket_answers(const char *path)
{
	int probe = socket(AF_UNIX, SOCK_STREAM, 0);
	if (probe < 0)
		return false;
	if (fcntl(probe, F_SETFL, O_NONBLOCK) != 0) {
		close(probe);
		/* Cannot probe without risking a wait: treat the socket as in use, the safe side. */
		return true;
	}
	struct sockaddr_un address;
	memset(&address, 0, sizeof(address));
	address.sun_family = AF_UNIX;
	strncpy(address.sun_path, path, sizeof(address.sun_path) - 1);
	bool answers = false;
	if (connect(probe, (struct sockaddr *)&address, sizeof(address)) == 0 || errno == EAGAIN) {
		answers = true;
	} else if (errno == EINPROGRESS) {
		struct pollfd item = {.fd = probe, .events = POLLOUT};
		int error = 0;
		socklen_t error_size = sizeof(error);
		answers = poll(&item, 1, BLURCAM_ENDPOINT_PROBE_MS) == 0 ||
			  (getsockopt(probe, SOL_SOCKET, SO_ERROR, &error, &error_size) == 0 && error == 0);
	}
	close(probe);
	return answers;
}

/* The folder of a user-chosen socket must exist, belong to this user, and be writable by no one else. */
static enum blurcam_ipc_status blurcam_check_chosen_dir(const char *path)
{
	char dir[BLURCAM_ENDPOINT_MAX_LENGTH];
	const char *slash = strrchr(path, '/');
	size_t length = (size_t)(slash - path);
	if (length >= sizeof(dir))
		return BLURCAM_IPC_FAILED;
	/* A socket directly in / has the root folder as its folder. */
	snprintf(dir, sizeof(dir), "%.*s", length ? (int)length : 1, path);
	struct stat info;
	if (lstat(dir, &info) != 0)
		return BLURCAM_IPC_FAILED;
	if (!S_ISDIR(info.st_mode) || info.st_uid != geteuid() || (info.st_mode & 0022) != 0)
		return BLURCAM_IPC_UNSAFE_DIR;
	return BLURCAM_IPC_READY;
}

enum blurcam_ipc_status blurcam_endpoint_prepare_ipc(const char *path, bool private_dir)
{
	enum blurcam_ipc_status status = private_dir ? blurcam_prepare_private_dir(path) : blurcam_check_chosen_dir(path);
	if (status != BLURCAM_IPC_READY)
		return status;
	struct stat info;
	if (lstat(path, &info) != 0)
		return errno == ENOENT ? BLURCAM_IPC_READY : BLURCAM_IPC_FAILED;
	if (!S_ISSOCK(info.st_mode))
		return BLURCAM_IPC_NOT_A_SOCKET;
	if (info.st_uid != geteuid())
		return BLURCAM_IPC_FOREIGN_SOCKET;
	if (blurcam_socket_answers(path))
		return BLURCAM_IPC_IN_USE;
	return unlink(path) == 0 || errno == ENOENT ? BLURCAM_IPC_READY : BLURCAM_IPC_FAILED;
}

const char *blurcam_ipc_status_text(enum blurcam_ipc_status status)
{
	switch (status) {
	case BLURCAM_IPC_READY:
		return "ready";
	case BLURCAM_IPC_IN_USE:
		return "another program (another OBS?) is already listening on this socket";
	case BLURCAM_IPC_NOT_A_SOCKET:
		return "the path exists and is not a socket; it was left untouched";
	case BLURCAM_IPC_UNSAFE_DIR:
		return "its folder must belong to this user and be writable by no one else";
	case BLURCAM_IPC_FOREIGN_SOCKET:
		return "the socket file belongs to another user; it was left untouched";
	case BLURCAM_IPC_FAILED:
		break;
	}
	return "its folder does not exist or could not be created or read";
}
