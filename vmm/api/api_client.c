// SPDX-License-Identifier: GPL-2.0
/* `ptvm ctl`: one request to the control socket and its reply, or raw lines both ways. */
#include <errno.h>
#include <json-c/json.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "api/api.h"
#include "api/api_client.h"

static int api_ctl_connect(const char *path, FILE *err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	if (!path[0] || strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(err, "ptvm: ctl: cannot connect to %s: %s\n", path, strerror(ENAMETOOLONG));
		return -ENAMETOOLONG;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int ret = -errno;

		fprintf(err, "ptvm: ctl: cannot connect to %s: %s\n", path, strerror(-ret));
		if (fd >= 0)
			close(fd);
		return ret;
	}
	return fd;
}

/* All of @buf, or -errno (-EPIPE once the server closed); never SIGPIPE. */
static int api_ctl_send(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Wait up to @ms for @fd to be readable, then read: bytes, 0 at EOF, -errno. */
static ssize_t api_ctl_recv(int fd, char *buf, size_t len, int ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	ssize_t n;
	int ret;

	do
		ret = poll(&p, 1, ms);
	while (ret < 0 && errno == EINTR);
	if (ret < 0)
		return -errno;
	if (ret == 0)
		return -ETIMEDOUT;
	n = read(fd, buf, len);
	return n < 0 ? -errno : n;
}

/* --raw: stdin to the socket, then every byte back to @out. */
static int api_ctl_raw(int fd, const char *path, int in_fd, FILE *out, FILE *err)
{
	char buf[4096];
	bool sent = true;
	ssize_t n;
	int ret;

	while ((n = read(in_fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(err, "ptvm: ctl: stdin: %s\n", strerror(errno));
			return 1;
		}
		ret = api_ctl_send(fd, buf, (size_t)n);
		if (ret) {
			/* The server dropped us; what it answered before is still to read. */
			fprintf(err, "ptvm: ctl: %s: send: %s\n", path, strerror(-ret));
			sent = false;
			break;
		}
	}
	shutdown(fd, SHUT_WR);
	while ((n = api_ctl_recv(fd, buf, sizeof(buf), API_CTL_TIMEOUT_MS)) > 0)
		fwrite(buf, 1, (size_t)n, out);
	fflush(out);
	if (n < 0 && n != -ECONNRESET) {
		fprintf(err, "ptvm: ctl: %s: %s\n", path,
			n == -ETIMEDOUT ? "no reply within 10 s" : strerror((int)-n));
		return 1;
	}
	return sent ? 0 : 1;
}

/*
 * Read one reply line into @line (NUL-terminated, no newline), waiting up
 * to @ms in silence; 0 or -errno (logged).
 */
static int api_ctl_read_line(int fd, const char *path, char *line, size_t size, int ms, FILE *err)
{
	size_t len = 0;

	while (len + 1 < size) {
		ssize_t n = api_ctl_recv(fd, line + len, size - 1 - len, ms);
		char *nl;

		if (n == -ETIMEDOUT) {
			fprintf(err, "ptvm: ctl: %s: no reply within %d s\n", path, ms / 1000);
			return (int)n;
		}
		if (n <= 0) {
			fprintf(err, "ptvm: ctl: %s: %s\n", path,
				n == 0 ? "the connection closed without a reply"
				       : strerror((int)-n));
			return n ? (int)n : -EPIPE;
		}
		nl = memchr(line + len, '\n', (size_t)n);
		len += (size_t)n;
		if (nl) {
			*nl = '\0';
			return 0;
		}
	}
	fprintf(err, "ptvm: ctl: %s: a reply longer than %zu bytes\n", path, size - 1);
	return -EMSGSIZE;
}

/* The reply to request id 1: print "ok" (0) or "error" (1). */
static int api_ctl_reply(const char *path, const char *line, FILE *out, FILE *err)
{
	json_object *r = json_tokener_parse(line), *id, *v;
	int ret = 1;

	if (!r || !json_object_object_get_ex(r, "id", &id)) {
		fprintf(err, "ptvm: ctl: %s: not a reply: %.200s\n", path, line);
	} else if ((!id || json_object_get_int64(id) != 1) &&
		   json_object_object_get_ex(r, "error", &v) &&
		   json_object_is_type(v, json_type_string)) {
		/* Refused before our request was read (too many clients): id null. */
		fprintf(err, "ptvm: ctl: %s\n", json_object_get_string(v));
	} else if (!json_object_is_type(id, json_type_int) || json_object_get_int64(id) != 1) {
		fprintf(err, "ptvm: ctl: %s: not a reply to this request: %.200s\n", path, line);
	} else if (json_object_object_get_ex(r, "ok", &v)) {
		fprintf(out, "%s\n",
			json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
								  JSON_C_TO_STRING_NOSLASHESCAPE));
		ret = 0;
	} else if (json_object_object_get_ex(r, "error", &v) &&
		   json_object_is_type(v, json_type_string)) {
		fprintf(err, "ptvm: ctl: %s\n", json_object_get_string(v));
	} else {
		fprintf(err, "ptvm: ctl: %s: a reply with neither ok nor error: %.200s\n", path,
			line);
	}
	json_object_put(r);
	return ret;
}

/* {"id":1,"verb":@verb[,"bdf":@bdf]} and its newline, sent. */
static int api_ctl_request(int fd, const char *path, const char *verb, const char *bdf, FILE *err)
{
	json_object *req = json_object_new_object();
	const char *s = NULL;
	char *line = NULL;
	int ret = -ENOMEM;

	if (req && !json_object_object_add(req, "id", json_object_new_int(1)) &&
	    !json_object_object_add(req, "verb", json_object_new_string(verb)) &&
	    (!bdf || !json_object_object_add(req, "bdf", json_object_new_string(bdf))))
		s = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
	if (s && asprintf(&line, "%s\n", s) > 0)
		ret = api_ctl_send(fd, line, strlen(line));
	/* A server that refused us (too many clients) said why before closing: read it. */
	if (ret == -EPIPE || ret == -ECONNRESET)
		ret = 0;
	if (ret)
		fprintf(err, "ptvm: ctl: %s: send: %s\n", path, strerror(-ret));
	free(line);
	json_object_put(req);
	return ret;
}

int api_ctl(int argc, char *const argv[], int in_fd, FILE *out, FILE *err)
{
	bool raw = argc >= 4 && !strcmp(argv[3], "--raw");
	const char *path;
	char *line;
	int fd, ret, ms;

	if (argc < 4) {
		fprintf(err, "ptvm: ctl needs a socket path and a verb (ptvm ctl PATH VERB [BDF], "
			     "or ptvm ctl PATH --raw; see ptvm --help)\n");
		return 2;
	}
	if (argc > (raw ? 4 : 5)) {
		fprintf(err, "ptvm: ctl: too many arguments from '%s' (ptvm ctl PATH VERB [BDF])\n",
			argv[raw ? 4 : 5]);
		return 2;
	}
	path = argv[2];
	fd = api_ctl_connect(path, err);
	if (fd < 0)
		return 1;
	if (raw) {
		ret = api_ctl_raw(fd, path, in_fd, out, err);
		close(fd);
		return ret;
	}
	ret = 1;
	/* device-del/add answer when the guest is done, or at the VM's timeout. */
	ms = strncmp(argv[3], "device-", 7) ? API_CTL_TIMEOUT_MS : API_CTL_HOTPLUG_TIMEOUT_MS;
	line = malloc(API_REPLY_MAX + 1);
	if (line && !api_ctl_request(fd, path, argv[3], argc == 5 ? argv[4] : NULL, err) &&
	    !api_ctl_read_line(fd, path, line, API_REPLY_MAX + 1, ms, err))
		ret = api_ctl_reply(path, line, out, err);
	free(line);
	close(fd);
	return ret;
}
