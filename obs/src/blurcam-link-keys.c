#include "blurcam-link-keys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

/* Far more than the four lines the file holds: a larger file is not ours. */
#define BLURCAM_LINK_KEYS_MAX_FILE_SIZE 4096

static const char *const blurcam_link_key_names[] = {"server-public", "server-secret", "client-public",
						     "client-secret"};

static char *blurcam_link_key_field(struct blurcam_link_keys *keys, size_t index)
{
	char *fields[] = {keys->server_public, keys->server_secret, keys->client_public, keys->client_secret};
	return fields[index];
}

bool blurcam_link_keys_dir(char *out, size_t out_size)
{
	const char *chosen = getenv("BLURCAM_CONFIG_DIR");
	const char *home = getenv("HOME");
	int written;
	if (chosen && chosen[0] == '/') {
		written = snprintf(out, out_size, "%s", chosen);
		return written > 0 && (size_t)written < out_size;
	}
#ifdef __APPLE__
	if (!home || home[0] != '/')
		return false;
	written = snprintf(out, out_size, "%s/Library/Application Support/blurcam", home);
#else
	const char *config_home = getenv("XDG_CONFIG_HOME");
	if (config_home && config_home[0] == '/')
		written = snprintf(out, out_size, "%s/blurcam", config_home);
	else if (home && home[0] == '/')
		written = snprintf(out, out_size, "%s/.config/blurcam", home);
	else
		return false;
#endif
	return written > 0 && (size_t)written < out_size;
}

/* Creates `dir` and any missing parent, each 0700; the folder itself must then be a folder of this user. */
static const char *blurcam_link_keys_prepare_dir(const char *dir)
{
	char partial[BLURCAM_LINK_KEYS_PATH_MAX];
	size_t length = strlen(dir);
	if (length == 0 || length >= sizeof(partial) || dir[0] != '/')
		return "the settings folder path is not usable";
	for (size_t i = 1; i <= length; i++) {
		if (dir[i] != '/' && dir[i] != '\0')
			continue;
		memcpy(partial, dir, i);
		partial[i] = '\0';
		if (mkdir(partial, 0700) != 0 && errno != EEXIST)
			return "the settings folder could not be created";
	}
	struct stat info;
	if (lstat(dir, &info) != 0 || !S_ISDIR(info.st_mode) || info.st_uid != geteuid())
		return "the settings folder is not a folder of this user";
	if ((info.st_mode & 0077) != 0 && chmod(dir, 0700) != 0)
		return "the settings folder could not be made private";
	return NULL;
}

static bool blurcam_link_keys_generate(struct blurcam_link_keys *keys)
{
	return zmq_curve_keypair(keys->server_public, keys->server_secret) == 0 &&
	       zmq_curve_keypair(keys->client_public, keys->client_secret) == 0;
}

/*
 * Writes fresh keys under a temporary name, then links it to `path`: link() never replaces a file, so when
 * blurcam and the plugin start at the same moment one of them wins and both read the winner's keys.
 */
static const char *blurcam_link_keys_create(const char *dir, const char *path)
{
	struct blurcam_link_keys keys;
	if (!blurcam_link_keys_generate(&keys))
		return "ZeroMQ could not make CURVE keys";
	char text[512];
	int length = snprintf(text, sizeof(text),
			      "# blurcam frame link keys (ZeroMQ CURVE, Z85). Private: whoever reads this file can send "
			      "frames into OBS.\n%s %s\n%s %s\n%s %s\n%s %s\n",
			      blurcam_link_key_names[0], keys.server_public, blurcam_link_key_names[1], keys.server_secret,
			      blurcam_link_key_names[2], keys.client_public, blurcam_link_key_names[3], keys.client_secret);
	char temporary[BLURCAM_LINK_KEYS_PATH_MAX];
	if (length <= 0 || (size_t)length >= sizeof(text) ||
	    (size_t)snprintf(temporary, sizeof(temporary), "%s/.%s.%ld.tmp", dir, BLURCAM_LINK_KEYS_FILE_NAME,
			     (long)getpid()) >= sizeof(temporary))
		return "the key file path is too long";

	unlink(temporary);
	int fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return "the key file could not be written";
	bool written = write(fd, text, (size_t)length) == (ssize_t)length && fsync(fd) == 0;
	close(fd);
	bool linked = written && (link(temporary, path) == 0 || errno == EEXIST);
	unlink(temporary);
	return linked ? NULL : "the key file could not be written";
}

static bool blurcam_link_keys_parse(char *text, struct blurcam_link_keys *keys)
{
	bool found[4] = {false, false, false, false};
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		if (line[0] == '#')
			continue;
		char *space = strchr(line, ' ');
		if (!space)
			return false;
		*space = '\0';
		const char *value = space + 1;
		for (size_t i = 0; i < 4; i++) {
			if (strcmp(line, blurcam_link_key_names[i]) != 0)
				continue;
			uint8_t decoded[32];
			if (strlen(value) != BLURCAM_LINK_KEY_TEXT_SIZE - 1 || !zmq_z85_decode(decoded, value))
				return false;
			memcpy(blurcam_link_key_field(keys, i), value, BLURCAM_LINK_KEY_TEXT_SIZE);
			found[i] = true;
		}
	}
	return found[0] && found[1] && found[2] && found[3];
}

static const char *blurcam_link_keys_read(const char *path, struct blurcam_link_keys *keys)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return errno == ELOOP ? "the key file is a symbolic link" : "the key file could not be read";
	struct stat info;
	const char *problem = NULL;
	if (fstat(fd, &info) != 0 || !S_ISREG(info.st_mode))
		problem = "the key file is not a regular file";
	else if (info.st_uid != geteuid())
		problem = "the key file belongs to another user";
	else if ((info.st_mode & 0077) != 0)
		problem = "the key file can be read or written by other users";
	else if (info.st_size <= 0 || info.st_size > BLURCAM_LINK_KEYS_MAX_FILE_SIZE)
		problem = "the key file has the wrong size";
	char text[BLURCAM_LINK_KEYS_MAX_FILE_SIZE + 1];
	if (!problem) {
		ssize_t length = read(fd, text, BLURCAM_LINK_KEYS_MAX_FILE_SIZE);
		text[length > 0 ? length : 0] = '\0';
		if (length != info.st_size || !blurcam_link_keys_parse(text, keys))
			problem = "the key file is damaged";
	}
	close(fd);
	return problem;
}

const char *blurcam_link_keys_load(const char *dir, struct blurcam_link_keys *keys)
{
	const char *problem = blurcam_link_keys_prepare_dir(dir);
	if (problem)
		return problem;
	char path[BLURCAM_LINK_KEYS_PATH_MAX];
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, BLURCAM_LINK_KEYS_FILE_NAME) >= sizeof(path))
		return "the key file path is too long";
	struct stat info;
	if (lstat(path, &info) != 0) {
		if (errno != ENOENT)
			return "the key file could not be read";
		problem = blurcam_link_keys_create(dir, path);
		if (problem)
			return problem;
	}
	return blurcam_link_keys_read(path, keys);
}
