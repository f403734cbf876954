// SPDX-License-Identifier: GPL-2.0
/* Non-blocking writes to an inherited fd, leaving its shared description alone. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nonblock.h"

int nonblock_open(struct nonblock_fd *n, int fd)
{
	char path[32];
	struct stat st;
	int own, flags;

	n->kind = NONBLOCK_NONE;
	n->fd = -1;
	if (fstat(fd, &st))
		return -errno;
	n->fd = fd;
	if (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode)) {
		n->kind = NONBLOCK_PLAIN;
		return 0;
	}
	if (S_ISSOCK(st.st_mode)) {
		n->kind = NONBLOCK_SOCKET;
		return 0;
	}
	/* O_NOCTTY: a terminal opened again must not become ptvm's controlling one. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	own = open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (own >= 0) {
		n->fd = own;
		n->kind = NONBLOCK_OWN;
		return 0;
	}
	flags = fcntl(fd, F_GETFL);
	if (flags < 0)
		return -errno;
	if (!(flags & O_NONBLOCK) && fcntl(fd, F_SETFL, flags | O_NONBLOCK))
		return -errno;
	n->saved_flags = flags;
	n->kind = NONBLOCK_SHARED;
	return 0;
}

ssize_t nonblock_write(const struct nonblock_fd *n, const void *buf, size_t len)
{
	ssize_t w;

	if (n->kind == NONBLOCK_NONE)
		return -EBADF;
	do {
		if (n->kind == NONBLOCK_SOCKET)
			w = send(n->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		else
			w = write(n->fd, buf, len);
	} while (w < 0 && errno == EINTR);
	if (w < 0)
		return -errno; /* EWOULDBLOCK is EAGAIN on Linux */
	/* Nothing taken of a non-empty buffer: as good as "try again later". */
	return w || !len ? w : -EAGAIN;
}

void nonblock_close(struct nonblock_fd *n)
{
	if (n->kind == NONBLOCK_OWN)
		close(n->fd);
	else if (n->kind == NONBLOCK_SHARED)
		(void)!fcntl(n->fd, F_SETFL, n->saved_flags);
	n->kind = NONBLOCK_NONE;
	n->fd = -1;
}
