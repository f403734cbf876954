// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket's connections: a listening AF_UNIX stream socket and
 * up to API_MAX_CLIENTS clients, each with a bounded line buffer. Built at
 * setup (socket, bind, listen: before privileges drop); while the guest
 * runs the main loop calls in here and only accept4, read, write and close
 * are used, all non-blocking.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "api/api.h"

struct api_client {
	int fd;
	unsigned gen; /* counts its connections: a late reply goes to the one that asked */
	size_t len;   /* bytes of an unfinished line in buf */
	bool discard; /* in the rest of an oversize line, up to its newline */
	char buf[API_LINE_MAX];
};

struct api_server {
	int fd;
	bool listening; /* off for good after an accept error that would repeat */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	/* The file bound, so that exit removes only ours, not a newer one. */
	dev_t dev;
	ino_t ino;
	const struct api_vm_ops *ops;
	void *opaque;
	unsigned log_drop, log_accept; /* rate limits (log_guest) */
	struct api_client client[API_MAX_CLIENTS];
	struct api_later later[API_MAX_LATER];
	char reply[API_REPLY_MAX];
};

static int api_addr(const char *path, struct sockaddr_un *sa)
{
	*sa = (struct sockaddr_un){.sun_family = AF_UNIX};
	if (!path[0] || strlen(path) >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	memcpy(sa->sun_path, path, strlen(path) + 1);
	return 0;
}

/*
 * What is at @path: nothing (0), a stale socket nobody listens on, removed
 * (0), or a reason to refuse (logged).
 */
static int api_clear_path(const char *path, const struct sockaddr_un *sa)
{
	struct stat st;
	int fd, ret;

	if (lstat(path, &st))
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		log_err("--api-socket %s: exists and is not a socket (remove it or choose another "
			"path)",
			path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	ret = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) ? -errno : 0;
	close(fd);
	if (!ret) {
		log_err("--api-socket %s: a process listens there already (another ptvm?); stop "
			"it or choose another path",
			path);
		return -EADDRINUSE;
	}
	if (ret != -ECONNREFUSED) {
		log_err("--api-socket %s: cannot tell whether the socket there is in use: %s", path,
			strerror(-ret));
		return ret;
	}
	/* Left by a ptvm that was killed: nobody listens, so it can go. */
	if (unlink(path) && errno != ENOENT) {
		ret = -errno;
		log_err("--api-socket %s: cannot remove the stale socket: %s", path,
			strerror(-ret));
		return ret;
	}
	log_info("api: %s: replaced a stale socket (nobody listened on it)", path);
	return 0;
}

int api_server_open(struct api_server **out, const char *path, const struct api_vm_ops *ops,
		    void *opaque)
{
	struct api_server *s;
	struct sockaddr_un sa;
	struct stat st;
	mode_t old;
	int ret;

	if (api_addr(path, &sa)) {
		log_err("--api-socket '%s': a socket path is 1 to %zu bytes (choose a shorter one)",
			path, sizeof(sa.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->fd = -1;
	for (unsigned i = 0; i < API_MAX_CLIENTS; i++)
		s->client[i].fd = -1;
	s->ops = ops;
	s->opaque = opaque;
	ret = api_clear_path(path, &sa);
	if (ret)
		goto err;
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0) {
		ret = -errno;
		log_err("--api-socket %s: socket: %s", path, strerror(-ret));
		goto err;
	}
	/* The file is born 0600: no moment where another user could connect. */
	old = umask(0177);
	ret = bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)) ? -errno : 0;
	umask(old);
	if (ret) {
		log_err("--api-socket %s: bind: %s", path, strerror(-ret));
		goto err;
	}
	snprintf(s->path, sizeof(s->path), "%s", path);
	if (!lstat(path, &st)) {
		s->dev = st.st_dev;
		s->ino = st.st_ino;
	}
	if (listen(s->fd, API_MAX_CLIENTS)) {
		ret = -errno;
		log_err("--api-socket %s: listen: %s", path, strerror(-ret));
		goto err;
	}
	s->listening = true;
	*out = s;
	return 0;
err:
	api_server_destroy(s);
	return ret;
}

int api_server_chown(struct api_server *s, uid_t uid, gid_t gid)
{
	if (lchown(s->path, uid, gid)) {
		int ret = -errno;

		log_err("--api-socket %s: chown to %u:%u: %s", s->path, (unsigned)uid,
			(unsigned)gid, strerror(-ret));
		return ret;
	}
	return 0;
}

int api_server_fd(const struct api_server *s)
{
	return s->listening ? s->fd : -1;
}

int api_server_client_fd(const struct api_server *s, unsigned i)
{
	return i < API_MAX_CLIENTS ? s->client[i].fd : -1;
}

int api_server_add_client(struct api_server *s, int fd)
{
	for (unsigned i = 0; i < API_MAX_CLIENTS; i++) {
		struct api_client *c = &s->client[i];

		if (c->fd >= 0)
			continue;
		c->fd = fd;
		c->gen++;
		c->len = 0;
		c->discard = false;
		return (int)i;
	}
	return -ENOSPC;
}

void api_server_accept(struct api_server *s)
{
	int fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	char msg[80];
	size_t n;

	if (fd < 0) {
		if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED)
			return;
		/* Out of fds or memory: the connection stays queued, and poll would spin. */
		log_err("api: accept: %s: the control socket takes no more connections",
			strerror(errno));
		s->listening = false;
		return;
	}
	if (api_server_add_client(s, fd) >= 0)
		return;
	snprintf(msg, sizeof(msg), "too many clients (at most %u at once); try again later",
		 API_MAX_CLIENTS);
	n = api_error_line(msg, s->reply, sizeof(s->reply));
	(void)!write(fd, s->reply, n);
	close(fd);
}

static void api_client_close(struct api_client *c)
{
	close(c->fd);
	c->fd = -1;
	c->len = 0;
	c->discard = false;
}

/*
 * One reply, whole or not at all: a client that lets replies pile up is
 * dropped. write(), not send(MSG_NOSIGNAL): ptvm ignores SIGPIPE (main.c),
 * so a client gone gives EPIPE here, and the run-time syscalls stay few.
 */
static bool api_send(struct api_server *s, struct api_client *c, size_t len)
{
	ssize_t n = write(c->fd, s->reply, len);

	if (n == (ssize_t)len)
		return true;
	if (n >= 0 || errno == EAGAIN)
		log_guest(&s->log_drop, "api: a client that does not read its replies was dropped");
	api_client_close(c);
	return false;
}

static bool api_blank(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return false;
	return true;
}

/* A free request slot for a reply that comes later, for client @c; NULL if none. */
static struct api_later *api_later_get(struct api_server *s, struct api_client *c)
{
	for (unsigned i = 0; i < API_MAX_LATER; i++) {
		struct api_later *l = &s->later[i];

		if (l->used)
			continue;
		memset(l, 0, sizeof(*l));
		l->s = s;
		l->client = (unsigned)(c - s->client);
		l->gen = c->gen;
		return l;
	}
	return NULL;
}

/* Answer one line; false when the client was dropped. Blank lines get no reply. */
static bool api_line(struct api_server *s, struct api_client *c, const char *line, size_t len)
{
	struct api_later *l;
	size_t n;

	if (api_blank(line, len))
		return true;
	/* Taken first: the request's until api_later_done() if it answers later. */
	l = api_later_get(s, c);
	if (l)
		l->used = true;
	n = api_answer(s->ops, s->opaque, line, len, l, s->reply, sizeof(s->reply));
	if (!n)
		return true;
	if (l)
		l->used = false;
	return api_send(s, c, n);
}

void api_later_done(struct api_later *l, int err)
{
	struct api_server *s = l->s;
	struct api_client *c = &s->client[l->client];

	l->used = false;
	/* The client that asked may be gone, and its slot another's now. */
	if (c->fd < 0 || c->gen != l->gen)
		return;
	(void)api_send(s, c, api_later_line(l, err, s->reply, sizeof(s->reply)));
}

void api_server_input(struct api_server *s, unsigned i)
{
	struct api_client *c;
	size_t start = 0, end;
	char msg[80];
	ssize_t n;

	if (i >= API_MAX_CLIENTS || s->client[i].fd < 0)
		return;
	c = &s->client[i];
	n = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		/* Gone, mid-request or not: nothing to answer. */
		api_client_close(c);
		return;
	}
	end = c->len + (size_t)n;
	for (size_t p = c->len; p < end; p++) {
		if (c->buf[p] != '\n')
			continue;
		if (c->discard)
			c->discard = false;
		else if (!api_line(s, c, c->buf + start, p - start))
			return;
		start = p + 1;
	}
	c->len = end - start;
	memmove(c->buf, c->buf + start, c->len);
	if (c->len < sizeof(c->buf))
		return;
	/* Full without a newline: answer once, then drop bytes until the line ends. */
	c->len = 0;
	if (c->discard)
		return;
	c->discard = true;
	snprintf(msg, sizeof(msg), "request line longer than %u bytes: ignored up to its newline",
		 API_LINE_MAX);
	(void)api_send(s, c, api_error_line(msg, s->reply, sizeof(s->reply)));
}

void api_server_disown(struct api_server *s)
{
	if (s)
		s->path[0] = '\0';
}

void api_server_close(struct api_server *s)
{
	if (!s)
		return;
	for (unsigned i = 0; i < API_MAX_CLIENTS; i++)
		if (s->client[i].fd >= 0)
			api_client_close(&s->client[i]);
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->listening = false;
}

void api_server_destroy(struct api_server *s)
{
	struct stat st;

	if (!s)
		return;
	api_server_close(s);
	/* Only the socket bound here: a newer ptvm's socket at the same path stays. */
	if (s->path[0] && !lstat(s->path, &st) && S_ISSOCK(st.st_mode) && st.st_dev == s->dev &&
	    st.st_ino == s->ino)
		unlink(s->path);
	free(s);
}
