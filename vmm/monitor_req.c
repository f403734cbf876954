// SPDX-License-Identifier: GPL-2.0
/* The request channel's messages (monitor_req.h): fixed structs, fds by SCM_RIGHTS. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "monitor_req.h"

bool monitor_req_bdf(const struct monitor_req *r, struct pci_bdf *bdf)
{
	if (r->dev > 31 || r->fn > 7)
		return false;
	*bdf = (struct pci_bdf){.domain = r->domain, .bus = r->bus, .dev = r->dev, .fn = r->fn};
	return true;
}

void monitor_req_init(struct monitor_req *r, enum monitor_req_kind kind, uint32_t flags,
		      uint32_t seq, const struct pci_bdf *bdf)
{
	*r = (struct monitor_req){
		.magic = MONITOR_REQ_MAGIC,
		.kind = kind,
		.flags = flags,
		.seq = seq,
		.domain = bdf->domain,
		.bus = bdf->bus,
		.dev = bdf->dev,
		.fn = bdf->fn,
	};
}

int monitor_req_pair(int sv[2])
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return -errno;
	return 0;
}

/* One datagram of @len bytes and @n fds. */
static int monitor_req_sendmsg(int fd, const void *buf, size_t len, const int *fds, unsigned n)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * MONITOR_MAX_FDS)];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	ssize_t ret;

	if (n > MONITOR_MAX_FDS)
		return -EINVAL;
	if (n) {
		struct cmsghdr *c;

		memset(&u, 0, sizeof(u));
		msg.msg_control = u.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * n);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * n);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
	}
	do
		ret = sendmsg(fd, &msg, MSG_NOSIGNAL);
	while (ret < 0 && errno == EINTR);
	if (ret < 0)
		return -errno;
	return ret == (ssize_t)len ? 0 : -EMSGSIZE;
}

/*
 * One datagram into @buf (exactly @len bytes, or -EBADMSG), its fds into
 * @fds (up to @max; *@n of them). Any fd beyond what is wanted is closed.
 */
static int monitor_req_recvmsg(int fd, void *buf, size_t len, int *fds, unsigned max, unsigned *n)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * MONITOR_MAX_FDS)];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = buf, .iov_len = len};
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = u.buf,
		.msg_controllen = sizeof(u.buf),
	};
	bool bad = false;
	ssize_t ret;

	*n = 0;
	do
		ret = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC | MSG_TRUNC);
	while (ret < 0 && errno == EINTR);
	if (ret < 0)
		return errno == ECONNRESET ? -EPIPE : -errno;
	if (ret == 0)
		return -EPIPE;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		unsigned k;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		k = (unsigned)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		for (unsigned i = 0; i < k; i++) {
			int f;

			memcpy(&f, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (*n < max) {
				fds[(*n)++] = f;
				continue;
			}
			close(f);
			bad = true;
		}
	}
	/* Cut (MSG_CTRUNC): fds were lost on the way, the message is not whole. */
	if (bad || (size_t)ret != len || (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)))
		return -EBADMSG;
	return 0;
}

static void monitor_req_close_all(int *fds, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		close(fds[i]);
}

int monitor_req_send(int fd, const struct monitor_req *r)
{
	return monitor_req_sendmsg(fd, r, sizeof(*r), NULL, 0);
}

int monitor_req_recv(int fd, struct monitor_req *r)
{
	int fds[MONITOR_MAX_FDS];
	unsigned n;
	int ret = monitor_req_recvmsg(fd, r, sizeof(*r), fds, 0, &n);

	monitor_req_close_all(fds, n);
	if (ret)
		return ret;
	return r->magic == MONITOR_REQ_MAGIC ? 0 : -EBADMSG;
}

int monitor_reply_send(int fd, const struct monitor_reply *r, const int *fds, unsigned n)
{
	return monitor_req_sendmsg(fd, r, sizeof(*r), fds, n);
}

int monitor_reply_recv(int fd, struct monitor_reply *r, int fds[MONITOR_MAX_FDS])
{
	unsigned n, want = 0;
	int got[MONITOR_MAX_FDS];
	int ret = monitor_req_recvmsg(fd, r, sizeof(*r), got, MONITOR_MAX_FDS, &n);

	for (unsigned i = 0; i < MONITOR_MAX_FDS; i++)
		fds[i] = -1;
	if (!ret && (r->magic != MONITOR_REPLY_MAGIC || (r->fds & ~0x7u)))
		ret = -EBADMSG;
	for (unsigned i = 0; !ret && i < MONITOR_MAX_FDS; i++)
		want += (r->fds >> i) & 1;
	if (!ret && want != n)
		ret = -EBADMSG;
	if (ret) {
		monitor_req_close_all(got, n);
		return ret;
	}
	for (unsigned i = 0, k = 0; i < MONITOR_MAX_FDS; i++)
		if (r->fds & (1u << i))
			fds[i] = got[k++];
	return 0;
}
