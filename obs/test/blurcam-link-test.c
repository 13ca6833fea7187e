/*
 * The frame link's protection, without OBS: ipc socket folders a user chose, the socket probe that must never
 * block, the tcp key file, and the CURVE link itself with real ZeroMQ sockets (blurcam's key accepted; a
 * stranger's key, no key, or garbage refused and counted). Runs as part of blurcam-protocol-test.
 */
#include "../src/blurcam-endpoint.h"
#include "../src/blurcam-link-keys.h"
#include "../src/blurcam-link.h"
#include "blurcam-test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

/* A user id nobody has here: files given to it stand for another user's. The test runs as root in CI. */
#define BLURCAM_STRANGER_UID 54321

static double blurcam_now_ms(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)now.tv_sec * 1000.0 + (double)now.tv_nsec / 1e6;
}

static int blurcam_unix_listener(const char *path, int backlog)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un address;
	memset(&address, 0, sizeof(address));
	address.sun_family = AF_UNIX;
	strncpy(address.sun_path, path, sizeof(address.sun_path) - 1);
	if (fd < 0 || bind(fd, (struct sockaddr *)&address, sizeof(address)) != 0 || listen(fd, backlog) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Connects without blocking until the listener's queue is full; returns how many connections it holds. */
static int blurcam_fill_queue(const char *path, int *fds, int capacity)
{
	int count = 0;
	struct sockaddr_un address;
	memset(&address, 0, sizeof(address));
	address.sun_family = AF_UNIX;
	strncpy(address.sun_path, path, sizeof(address.sun_path) - 1);
	while (count < capacity) {
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);
		fcntl(fd, F_SETFL, O_NONBLOCK);
		if (connect(fd, (struct sockaddr *)&address, sizeof(address)) != 0) {
			close(fd);
			break;
		}
		fds[count++] = fd;
	}
	return count;
}

static void blurcam_make_dir(char *out, size_t size, const char *base, const char *name, mode_t mode)
{
	snprintf(out, size, "%s/%s", base, name);
	mkdir(out, 0700);
	chmod(out, mode);
}

/* ------------------------------------------------------------------------------------------------------ */

void blurcam_test_chosen_ipc_folders(void)
{
	char base[] = "/tmp/blurcam-link-test-XXXXXX";
	if (!mkdtemp(base)) {
		blurcam_check(0, "chosen ipc folders", "mkdtemp failed: %s", strerror(errno));
		return;
	}
	char dir[100], path[200];
	struct {
		const char *name;
		mode_t mode;
		enum blurcam_ipc_status expected;
	} folders[] = {
		{"private", 0700, BLURCAM_IPC_READY},
		{"readable", 0755, BLURCAM_IPC_READY},
		{"world-writable", 0777, BLURCAM_IPC_UNSAFE_DIR},
		{"world-writable-sticky", 01777, BLURCAM_IPC_UNSAFE_DIR},
		{"group-writable", 0770, BLURCAM_IPC_UNSAFE_DIR},
	};
	for (size_t i = 0; i < sizeof(folders) / sizeof(folders[0]); i++) {
		blurcam_make_dir(dir, sizeof(dir), base, folders[i].name, folders[i].mode);
		snprintf(path, sizeof(path), "%s/frames.sock", dir);
		enum blurcam_ipc_status status = blurcam_endpoint_prepare_ipc(path, false);
		char name[200];
		snprintf(name, sizeof(name), "chosen ipc: a %s folder (%o) is %s", folders[i].name, folders[i].mode,
			 folders[i].expected == BLURCAM_IPC_READY ? "accepted" : "refused");
		blurcam_check(status == folders[i].expected, name, "status %d", status);
		struct stat info;
		blurcam_check(stat(dir, &info) == 0 && (info.st_mode & 07777) == folders[i].mode,
			      "chosen ipc: the folder's mode is left as the user set it", "mode %o", info.st_mode & 07777);
		rmdir(dir);
	}

	blurcam_make_dir(dir, sizeof(dir), base, "strangers", 0700);
	chown(dir, BLURCAM_STRANGER_UID, BLURCAM_STRANGER_UID);
	snprintf(path, sizeof(path), "%s/frames.sock", dir);
	blurcam_check(blurcam_endpoint_prepare_ipc(path, false) == BLURCAM_IPC_UNSAFE_DIR,
		      "chosen ipc: a folder of another user is refused", "accepted");
	rmdir(dir);

	snprintf(path, sizeof(path), "%s/missing/frames.sock", base);
	blurcam_check(blurcam_endpoint_prepare_ipc(path, false) == BLURCAM_IPC_FAILED,
		      "chosen ipc: a missing folder is refused, not created", "accepted");
	snprintf(dir, sizeof(dir), "%s/missing", base);
	blurcam_check(access(dir, F_OK) != 0, "chosen ipc: the missing folder was not created", "it exists");

	blurcam_make_dir(dir, sizeof(dir), base, "foreign-socket", 0700);
	snprintf(path, sizeof(path), "%s/frames.sock", dir);
	int listener = blurcam_unix_listener(path, 1);
	close(listener);
	chown(path, BLURCAM_STRANGER_UID, BLURCAM_STRANGER_UID);
	enum blurcam_ipc_status status = blurcam_endpoint_prepare_ipc(path, false);
	blurcam_check(listener >= 0 && status == BLURCAM_IPC_FOREIGN_SOCKET && access(path, F_OK) == 0,
		      "chosen ipc: a socket file of another user is refused and left alone", "status %d", status);
	status = blurcam_endpoint_prepare_ipc(path, true);
	blurcam_check(status == BLURCAM_IPC_FOREIGN_SOCKET,
		      "default ipc: a socket file of another user is refused and left alone", "status %d", status);
	unlink(path);
	rmdir(dir);

	char link_path[100];
	blurcam_make_dir(dir, sizeof(dir), base, "target", 0700);
	snprintf(link_path, sizeof(link_path), "%s/linked", base);
	symlink(dir, link_path);
	snprintf(path, sizeof(path), "%s/frames.sock", link_path);
	blurcam_check(blurcam_endpoint_prepare_ipc(path, false) == BLURCAM_IPC_UNSAFE_DIR,
		      "chosen ipc: a folder reached through a symbolic link is refused", "accepted");
	unlink(link_path);
	rmdir(dir);
	rmdir(base);
}

/* The old probe made a blocking connect(): on a listener whose queue is full it waited forever. */
void blurcam_test_probe_never_blocks(void)
{
	char base[] = "/tmp/blurcam-probe-test-XXXXXX";
	if (!mkdtemp(base)) {
		blurcam_check(0, "probe", "mkdtemp failed: %s", strerror(errno));
		return;
	}
	char path[160];
	snprintf(path, sizeof(path), "%s/frames.sock", base);
	int listener = blurcam_unix_listener(path, 0);
	int queued[64];
	int count = blurcam_fill_queue(path, queued, 64);
	/* Should the probe block after all, the alarm ends the program instead of hanging the test suite. */
	signal(SIGALRM, SIG_DFL);
	alarm(10);
	double started = blurcam_now_ms();
	enum blurcam_ipc_status status = blurcam_endpoint_prepare_ipc(path, false);
	double elapsed = blurcam_now_ms() - started;
	alarm(0);
	blurcam_check(listener >= 0 && count > 0 && status == BLURCAM_IPC_IN_USE && elapsed < 1000.0,
		      "probe: a listener that never accepts (queue full) is 'in use', found without blocking",
		      "status %d after %.0f ms (%d queued)", status, elapsed, count);
	for (int i = 0; i < count; i++)
		close(queued[i]);
	close(listener);
	unlink(path);
	rmdir(base);
}

/* ------------------------------------------------------------------------------------------------------ */

static char *blurcam_read_text(const char *path)
{
	static char text[8192];
	FILE *file = fopen(path, "r");
	size_t length = file ? fread(text, 1, sizeof(text) - 1, file) : 0;
	if (file)
		fclose(file);
	text[length] = '\0';
	return text;
}

void blurcam_test_link_keys(void)
{
	char base[] = "/tmp/blurcam-keys-test-XXXXXX";
	if (!mkdtemp(base)) {
		blurcam_check(0, "keys", "mkdtemp failed: %s", strerror(errno));
		return;
	}
	char dir[160], file[200];
	snprintf(dir, sizeof(dir), "%s/config/blurcam", base);
	snprintf(file, sizeof(file), "%s/%s", dir, BLURCAM_LINK_KEYS_FILE_NAME);

	struct blurcam_link_keys first, second;
	const char *problem = blurcam_link_keys_load(dir, &first);
	struct stat dir_info, file_info;
	blurcam_check(!problem && stat(dir, &dir_info) == 0 && (dir_info.st_mode & 0777) == 0700 &&
			      stat(file, &file_info) == 0 && (file_info.st_mode & 0777) == 0600,
		      "keys: made on first use, folder 0700 and file 0600", "%s", problem ? problem : "wrong modes");
	problem = blurcam_link_keys_load(dir, &second);
	blurcam_check(!problem && memcmp(&first, &second, sizeof(first)) == 0 &&
			      strcmp(first.server_public, first.client_public) != 0,
		      "keys: read back the same, two distinct key pairs", "%s", problem ? problem : "differ");

	chmod(dir, 0755);
	problem = blurcam_link_keys_load(dir, &second);
	blurcam_check(!problem && stat(dir, &dir_info) == 0 && (dir_info.st_mode & 0777) == 0700,
		      "keys: a folder others can read is made private again", "%s", problem ? problem : "mode");

	chmod(file, 0644);
	problem = blurcam_link_keys_load(dir, &second);
	blurcam_check(problem && strstr(problem, "other users") && stat(file, &file_info) == 0 &&
			      (file_info.st_mode & 0777) == 0644,
		      "keys: a file others can read is refused and left as it is", "%s", problem ? problem : "accepted");
	chmod(file, 0600);

	chown(file, BLURCAM_STRANGER_UID, BLURCAM_STRANGER_UID);
	problem = blurcam_link_keys_load(dir, &second);
	blurcam_check(problem && strstr(problem, "another user"), "keys: a file of another user is refused", "%s",
		      problem ? problem : "accepted");
	chown(file, geteuid(), getegid());

	char saved[8192];
	snprintf(saved, sizeof(saved), "%s", blurcam_read_text(file));
	FILE *damaged = fopen(file, "w");
	fputs("server-public tooshort\n", damaged);
	fclose(damaged);
	problem = blurcam_link_keys_load(dir, &second);
	blurcam_check(problem && strstr(problem, "damaged"), "keys: a damaged file is refused", "%s",
		      problem ? problem : "accepted");

	char elsewhere[200];
	snprintf(elsewhere, sizeof(elsewhere), "%s/elsewhere", base);
	FILE *other = fopen(elsewhere, "w");
	fputs(saved, other);
	fclose(other);
	chmod(elsewhere, 0600);
	unlink(file);
	symlink(elsewhere, file);
	problem = blurcam_link_keys_load(dir, &second);
	blurcam_check(problem && strstr(problem, "symbolic link"), "keys: a symbolic link is refused", "%s",
		      problem ? problem : "accepted");
	unlink(file);
	unlink(elsewhere);

	chown(dir, BLURCAM_STRANGER_UID, BLURCAM_STRANGER_UID);
	problem = blurcam_link_keys_load(dir, &second);
	blurcam_check(problem && strstr(problem, "not a folder of this user"),
		      "keys: a settings folder of another user is refused", "%s", problem ? problem : "accepted");
	chown(dir, geteuid(), getegid());

	unlink(file);
	rmdir(dir);
	snprintf(dir, sizeof(dir), "%s/config", base);
	rmdir(dir);
	rmdir(base);
}

/* ------------------------------------------------------------------------------------------------------ */

struct blurcam_link_result {
	int received;
	unsigned refused;
};

/* Serves `link` for `duration_ms` as the plugin's thread does, counting frames and refused peers. */
static struct blurcam_link_result blurcam_serve(struct blurcam_link *link, double duration_ms)
{
	struct blurcam_link_result result = {0, 0};
	double until = blurcam_now_ms() + duration_ms;
	while (blurcam_now_ms() < until) {
		zmq_pollitem_t items[] = {
			{.socket = link->pull, .events = ZMQ_POLLIN},
			{.socket = link->monitor, .events = ZMQ_POLLIN},
			{.socket = link->zap, .events = ZMQ_POLLIN},
		};
		zmq_poll(items, link->zap ? 3 : 2, 20);
		blurcam_link_answer_zap(link);
		result.refused += blurcam_link_read_refusals(link);
		char buffer[64];
		while (zmq_recv(link->pull, buffer, sizeof(buffer), ZMQ_DONTWAIT) >= 0)
			result.received++;
	}
	return result;
}

/* A PUSH client; with `server_public` a CURVE client with the given key pair. Sends one message at once. */
static void *blurcam_client(void *context, const char *endpoint, const char *server_public, const char *public_key,
			    const char *secret_key)
{
	void *push = zmq_socket(context, ZMQ_PUSH);
	int linger = 0;
	zmq_setsockopt(push, ZMQ_LINGER, &linger, sizeof(linger));
	if (server_public) {
		zmq_setsockopt(push, ZMQ_CURVE_SERVERKEY, server_public, 40);
		zmq_setsockopt(push, ZMQ_CURVE_PUBLICKEY, public_key, 40);
		zmq_setsockopt(push, ZMQ_CURVE_SECRETKEY, secret_key, 40);
	}
	zmq_connect(push, endpoint);
	zmq_send(push, "frame", 5, ZMQ_DONTWAIT);
	return push;
}

/* Sends bytes that are not ZeroMQ at all to a tcp port. */
static void blurcam_send_garbage(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&address, sizeof(address)) == 0) {
		static const char garbage[] = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n0123456789abcdefghijklmnopqrstuvwxyz";
		ssize_t written = write(fd, garbage, sizeof(garbage));
		(void)written;
	}
	usleep(300000);
	close(fd);
}

void blurcam_test_curve_link(void)
{
	char base[] = "/tmp/blurcam-curve-test-XXXXXX";
	if (!mkdtemp(base)) {
		blurcam_check(0, "curve link", "mkdtemp failed: %s", strerror(errno));
		return;
	}
	char keys_dir[160];
	snprintf(keys_dir, sizeof(keys_dir), "%s/blurcam", base);
	struct blurcam_link link;
	char reason[256] = "";
	blurcam_check(zmq_has("curve"), "curve: this libzmq has CURVE", "zmq_has(\"curve\") is false");
	if (!blurcam_link_open(&link, "tcp://127.0.0.1:*", keys_dir, reason, sizeof(reason))) {
		blurcam_check(0, "curve: the link opens on tcp", "%s", reason);
		return;
	}
	char endpoint[128];
	size_t endpoint_size = sizeof(endpoint);
	zmq_getsockopt(link.pull, ZMQ_LAST_ENDPOINT, endpoint, &endpoint_size);
	int port = atoi(strrchr(endpoint, ':') + 1);
	struct blurcam_link_keys keys;
	blurcam_link_keys_load(keys_dir, &keys);

	void *context = zmq_ctx_new();
	void *blurcam = blurcam_client(context, endpoint, keys.server_public, keys.client_public, keys.client_secret);
	struct blurcam_link_result result = blurcam_serve(&link, 1500);
	blurcam_check(result.received == 1 && result.refused == 0, "curve: blurcam's key is accepted and its frame arrives",
		      "received %d, refused %u", result.received, result.refused);
	zmq_close(blurcam);

	char stranger_public[41], stranger_secret[41];
	zmq_curve_keypair(stranger_public, stranger_secret);
	void *wrong_key = blurcam_client(context, endpoint, keys.server_public, stranger_public, stranger_secret);
	result = blurcam_serve(&link, 1000);
	blurcam_check(result.received == 0 && result.refused >= 1,
		      "curve: a client with the server key but another client key is refused and counted",
		      "received %d, refused %u", result.received, result.refused);
	zmq_close(wrong_key);

	void *no_key = blurcam_client(context, endpoint, NULL, NULL, NULL);
	result = blurcam_serve(&link, 1000);
	blurcam_check(result.received == 0 && result.refused >= 1,
		      "curve: a client without encryption is refused and counted", "received %d, refused %u",
		      result.received, result.refused);
	zmq_close(no_key);

	void *wrong_server = blurcam_client(context, endpoint, stranger_public, stranger_public, stranger_secret);
	result = blurcam_serve(&link, 1000);
	blurcam_check(result.received == 0 && result.refused >= 1,
		      "curve: a client that does not know the server key is refused and counted",
		      "received %d, refused %u", result.received, result.refused);
	zmq_close(wrong_server);

	/* ZeroMQ itself drops a peer whose greeting is not ZeroMQ's, before any handshake (so it is not counted). */
	blurcam_send_garbage(port);
	blurcam = blurcam_client(context, endpoint, keys.server_public, keys.client_public, keys.client_secret);
	result = blurcam_serve(&link, 1000);
	blurcam_check(result.received == 1 && result.refused == 0,
		      "curve: after bytes that are not ZeroMQ, blurcam's frame still arrives (only it)",
		      "received %d, refused %u", result.received, result.refused);
	zmq_close(blurcam);

	zmq_ctx_term(context);
	blurcam_link_close(&link);

	char unsafe_keys[200];
	snprintf(unsafe_keys, sizeof(unsafe_keys), "%s/blurcam/%s", base, BLURCAM_LINK_KEYS_FILE_NAME);
	chmod(unsafe_keys, 0640);
	bool opened = blurcam_link_open(&link, "tcp://127.0.0.1:*", keys_dir, reason, sizeof(reason));
	blurcam_check(!opened && strstr(reason, "other users"), "curve: no listening on tcp with an unsafe key file",
		      "%s", opened ? "opened" : reason);
	if (opened)
		blurcam_link_close(&link);
	unlink(unsafe_keys);
	rmdir(keys_dir);
	rmdir(base);
}

/* ------------------------------------------------------------------------------------------------------ */

int blurcam_cli_prepare_ipc(const char *path)
{
	enum blurcam_ipc_status status = blurcam_endpoint_prepare_ipc(path, false);
	printf(status == BLURCAM_IPC_READY ? "ready\n" : "refused: %s\n", blurcam_ipc_status_text(status));
	return 0;
}

int blurcam_cli_link_keys(const char *dir)
{
	struct blurcam_link_keys keys;
	const char *problem = blurcam_link_keys_load(dir, &keys);
	if (problem)
		printf("refused: %s\n", problem);
	else
		printf("{\"serverPublic\": \"%s\", \"serverSecret\": \"%s\", \"clientPublic\": \"%s\", \"clientSecret\": "
		       "\"%s\"}\n",
		       keys.server_public, keys.server_secret, keys.client_public, keys.client_secret);
	return 0;
}

int blurcam_cli_never_accept(const char *path)
{
	int listener = blurcam_unix_listener(path, 0);
	int queued[64];
	int count = listener >= 0 ? blurcam_fill_queue(path, queued, 64) : 0;
	if (listener < 0 || count == 0) {
		fprintf(stderr, "cannot listen on %s: %s\n", path, strerror(errno));
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}
