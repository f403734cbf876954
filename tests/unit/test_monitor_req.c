// SPDX-License-Identifier: GPL-2.0
/*
 * The request channel (monitor_req.c) and the monitor's side of it
 * (monitor_host.c) over a real SOCK_SEQPACKET socketpair, with fake
 * privileged steps: fds passed with SCM_RIGHTS arrive and the monitor keeps
 * no copy; malformed datagrams, unknown kinds, flags and BDFs, a device
 * the VM process does not hold, one it holds already, one too many and a
 * failed open each get their error reply, and the monitor goes on serving.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "monitor_host.h"

struct fx {
	struct monitor_host h;
	int sv[2]; /* [0] the monitor's, [1] the VM process's */
	unsigned nr_attach, nr_give_back, nr_open;
	int open_group_ret;
	int sent[MONITOR_MAX_FDS]; /* the monitor's copies, as the fake opened them */
	unsigned nr_sent;
};

/* An fd that reads back @tag: the read end of a pipe holding one byte. */
static int fx_tagged(struct fx *f, char tag, int *fd)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC))
		return -errno;
	if (write(p[1], &tag, 1) != 1)
		return -EIO;
	close(p[1]);
	f->sent[f->nr_sent++] = p[0];
	f->nr_open++;
	*fd = p[0];
	return 0;
}

static int fx_attach(void *opaque, const struct pci_bdf *bdf, unsigned *group)
{
	struct fx *f = opaque;

	f->nr_attach++;
	/* Functions of device 3 share group 9; others have their own. */
	*group = bdf->dev == 3 ? 9 : 20 + bdf->dev;
	return bdf->bus == 0xee ? -EPERM : 0;
}

static int fx_give_back(void *opaque, const struct pci_bdf *bdf)
{
	struct fx *f = opaque;

	f->nr_give_back++;
	return 0;
}

static int fx_open_group(void *opaque, unsigned group, int *fd)
{
	struct fx *f = opaque;

	return f->open_group_ret ? f->open_group_ret : fx_tagged(f, 'g', fd);
}

static int fx_open_container(void *opaque, int *fd)
{
	return fx_tagged(opaque, 'c', fd);
}

static int fx_open_guard(void *opaque, int *fd)
{
	return fx_tagged(opaque, 'p', fd);
}

static int fx_pin(void *opaque)
{
	return 0;
}

static const struct monitor_host_ops fx_ops = {
	.attach = fx_attach,
	.give_back = fx_give_back,
	.open_group = fx_open_group,
	.open_container = fx_open_container,
	.open_guard = fx_open_guard,
	.check_pin = fx_pin,
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct pci_bdf start = {.bus = 6};

	if (!f || monitor_req_pair(f->sv))
		return -1;
	monitor_host_init(&f->h, &fx_ops, f, 3);
	/* A --passthrough device the VM process opened itself. */
	if (monitor_host_hold(&f->h, &start, 5))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	close(f->sv[0]);
	if (f->sv[1] >= 0)
		close(f->sv[1]);
	free(f);
	return 0;
}

/* Send @req as the VM process, let the monitor serve it, read the reply. */
static struct monitor_reply fx_ask(struct fx *f, const struct monitor_req *req,
				   int fds[MONITOR_MAX_FDS])
{
	struct monitor_reply rep;

	f->nr_sent = 0;
	assert_int_equal(monitor_req_send(f->sv[1], req), 0);
	assert_int_equal(monitor_host_serve(&f->h, f->sv[0]), 0);
	/* The monitor kept no copy of what it passed. */
	for (unsigned i = 0; i < f->nr_sent; i++)
		assert_int_equal(fcntl(f->sent[i], F_GETFD), -1);
	assert_int_equal(monitor_reply_recv(f->sv[1], &rep, fds), 0);
	assert_int_equal(rep.magic, MONITOR_REPLY_MAGIC);
	return rep;
}

static struct monitor_reply fx_req(struct fx *f, enum monitor_req_kind kind, uint32_t flags,
				   unsigned bus, unsigned dev, unsigned fn,
				   int fds[MONITOR_MAX_FDS])
{
	struct pci_bdf bdf = {.bus = (uint8_t)bus, .dev = (uint8_t)dev, .fn = (uint8_t)fn};
	struct monitor_req req;

	monitor_req_init(&req, kind, flags, 77, &bdf);
	return fx_ask(f, &req, fds);
}

static char fx_tag_of(int fd)
{
	char c = 0;

	assert_true(fd >= 0);
	assert_int_equal(read(fd, &c, 1), 1);
	/* Passed close-on-exec (MSG_CMSG_CLOEXEC). */
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
	return c;
}

/* ADD: the group's fd, and the container's and guard's asked for, in their order. */
static void test_add_fds(void **state)
{
	struct fx *f = *state;
	int fds[MONITOR_MAX_FDS];
	struct monitor_reply rep;

	rep = fx_req(f, MONITOR_REQ_ADD, MONITOR_WANT_ALL, 1, 3, 0, fds);
	assert_int_equal(rep.err, 0);
	assert_int_equal(rep.seq, 77);
	assert_int_equal(rep.group, 9);
	assert_int_equal(rep.fds, MONITOR_FD_GROUP | MONITOR_FD_CONTAINER | MONITOR_FD_GUARD);
	assert_int_equal(fx_tag_of(fds[0]), 'g');
	assert_int_equal(fx_tag_of(fds[1]), 'c');
	assert_int_equal(fx_tag_of(fds[2]), 'p');
	/* Its sibling in group 9: no second open of the group (VFIO would say -EBUSY). */
	rep = fx_req(f, MONITOR_REQ_ADD, 0, 1, 3, 1, fds);
	assert_int_equal(rep.err, 0);
	assert_int_equal(rep.group, 9);
	assert_int_equal(rep.fds, 0);
	assert_int_equal(fds[0] & fds[1] & fds[2], -1);
	assert_int_equal(f->nr_open, 3);
	/* Three held now (the --passthrough one too): a fourth is one too many. */
	rep = fx_req(f, MONITOR_REQ_ADD, 0, 1, 4, 0, fds);
	assert_int_equal(rep.err, -ENOSPC);
	assert_int_equal(f->nr_attach, 2);
	/* Given back, a device frees its place. */
	rep = fx_req(f, MONITOR_REQ_GIVE_BACK, 0, 1, 3, 1, fds);
	assert_int_equal(rep.err, 0);
	assert_int_equal(f->nr_give_back, 1);
	rep = fx_req(f, MONITOR_REQ_ADD, 0, 1, 4, 0, fds);
	assert_int_equal(rep.err, 0);
	assert_int_equal(rep.group, 24);
	assert_int_equal(fx_tag_of(fds[0]), 'g');
}

/* What the VM process may not ask: each refused, nothing moved or given back. */
static void test_refused(void **state)
{
	struct fx *f = *state;
	int fds[MONITOR_MAX_FDS];

	/* Not a device it holds. */
	assert_int_equal(fx_req(f, MONITOR_REQ_GIVE_BACK, 0, 7, 0, 0, fds).err, -ENODEV);
	/* One it holds already (its --passthrough device). */
	assert_int_equal(fx_req(f, MONITOR_REQ_ADD, 0, 6, 0, 0, fds).err, -EEXIST);
	/* No such address, kind or flag. */
	assert_int_equal(fx_req(f, MONITOR_REQ_ADD, 0, 1, 32, 0, fds).err, -EINVAL);
	assert_int_equal(fx_req(f, MONITOR_REQ_ADD, 0, 1, 3, 8, fds).err, -EINVAL);
	assert_int_equal(fx_req(f, 9, 0, 1, 3, 0, fds).err, -EINVAL);
	assert_int_equal(fx_req(f, MONITOR_REQ_ADD, 1u << 5, 1, 3, 0, fds).err, -EINVAL);
	assert_int_equal(fx_req(f, MONITOR_REQ_GIVE_BACK, 1, 6, 0, 0, fds).err, -EINVAL);
	assert_int_equal(f->nr_attach + f->nr_give_back + f->nr_open, 0);
	/* The monitor's own check says no: its error, nothing opened. */
	assert_int_equal(fx_req(f, MONITOR_REQ_ADD, MONITOR_WANT_ALL, 0xee, 0, 0, fds).err, -EPERM);
	assert_int_equal(f->nr_open, 0);
	/* Still held, still its own. */
	assert_int_equal(fx_req(f, MONITOR_REQ_GIVE_BACK, 0, 6, 0, 0, fds).err, 0);
	assert_int_equal(f->nr_give_back, 1);
}

/* An open that fails after the move: the device goes back, nothing is passed or held. */
static void test_open_fails(void **state)
{
	struct fx *f = *state;
	int fds[MONITOR_MAX_FDS];
	struct monitor_reply rep;

	f->open_group_ret = -EBUSY;
	rep = fx_req(f, MONITOR_REQ_ADD, MONITOR_WANT_ALL, 1, 5, 0, fds);
	assert_int_equal(rep.err, -EBUSY);
	assert_int_equal(rep.fds, 0);
	assert_int_equal(fds[0] & fds[1] & fds[2], -1);
	assert_int_equal(f->nr_give_back, 1);
	assert_int_equal(fx_req(f, MONITOR_REQ_GIVE_BACK, 0, 1, 5, 0, fds).err, -ENODEV);
	assert_int_equal(f->nr_give_back, 1);
}

/* A raw datagram of @len bytes from @buf, with @fd (-1: none) attached. */
static void fx_raw(struct fx *f, const void *buf, size_t len, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};

	if (fd >= 0) {
		struct cmsghdr *c;

		memset(&u, 0, sizeof(u));
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof(u.buf);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	assert_int_equal(sendmsg(f->sv[1], &msg, 0), (ssize_t)len);
}

static void fx_expect_badmsg(struct fx *f)
{
	int fds[MONITOR_MAX_FDS];
	struct monitor_reply rep;

	assert_int_equal(monitor_host_serve(&f->h, f->sv[0]), 0);
	assert_int_equal(monitor_reply_recv(f->sv[1], &rep, fds), 0);
	assert_int_equal(rep.err, -EBADMSG);
	assert_int_equal(rep.fds, 0);
}

/* Garbage gets -EBADMSG, an fd sent along is closed, and the next request is served. */
static void test_malformed(void **state)
{
	struct fx *f = *state;
	struct pci_bdf bdf = {.bus = 1, .dev = 3};
	char big[sizeof(struct monitor_req) + 8] = {0};
	int fds[MONITOR_MAX_FDS], p[2];
	struct monitor_req req;
	char c = 0;

	fx_raw(f, "abc", 3, -1);
	fx_expect_badmsg(f);
	fx_raw(f, big, sizeof(big), -1);
	fx_expect_badmsg(f);
	monitor_req_init(&req, MONITOR_REQ_ADD, 0, 1, &bdf);
	req.magic ^= 1;
	fx_raw(f, &req, sizeof(req), -1);
	fx_expect_badmsg(f);
	/* A request with an fd: refused, and the monitor closed its copy. */
	assert_int_equal(pipe(p), 0);
	req.magic ^= 1;
	fx_raw(f, &req, sizeof(req), p[0]);
	close(p[0]);
	fx_expect_badmsg(f);
	/* No reader left: the write end sees EPIPE. */
	assert_int_equal(write(p[1], &c, 1), -1);
	assert_int_equal(errno, EPIPE);
	close(p[1]);
	assert_int_equal(f->nr_attach, 0);
	assert_int_equal(fx_req(f, MONITOR_REQ_ADD, 0, 1, 3, 0, fds).err, 0);
	assert_int_equal(fx_tag_of(fds[0]), 'g');
}

/* The VM process's side: a reply whose fds do not match what it says is refused. */
static void test_reply_checked(void **state)
{
	struct fx *f = *state;
	struct monitor_reply rep = {.magic = MONITOR_REPLY_MAGIC,
				    .fds = MONITOR_FD_GROUP | MONITOR_FD_GUARD};
	int fds[MONITOR_MAX_FDS], p[2];

	assert_int_equal(pipe(p), 0);
	assert_int_equal(monitor_reply_send(f->sv[0], &rep, &p[0], 1), 0);
	close(p[0]);
	assert_int_equal(monitor_reply_recv(f->sv[1], &rep, fds), -EBADMSG);
	assert_int_equal(fds[0] & fds[1] & fds[2], -1);
	/* The fd that came was closed: the pipe has no reader. */
	assert_int_equal(write(p[1], "x", 1), -1);
	assert_int_equal(errno, EPIPE);
	close(p[1]);
	/* The VM process gone: the monitor stops serving. */
	close(f->sv[1]);
	f->sv[1] = -1;
	assert_int_equal(monitor_host_serve(&f->h, f->sv[0]), -EPIPE);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_add_fds),   T(test_refused),	  T(test_open_fails),
		T(test_malformed), T(test_reply_checked),
	};
#undef T

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("monitor_req", tests, NULL, NULL);
}
