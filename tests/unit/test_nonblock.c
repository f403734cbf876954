// SPDX-License-Identifier: GPL-2.0
/*
 * Non-blocking writes to inherited fds (nonblock.c): each kind of file is
 * written without waiting, and the description the fd shares with the
 * shell keeps its flags, during the run and after.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <pty.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "nonblock.h"

static bool fd_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

static bool is_nonblock(int fd)
{
	return fcntl(fd, F_GETFL) & O_NONBLOCK;
}

/* Write until the reader's side is full: must end in -EAGAIN, never wait. */
static void write_until_full(const struct nonblock_fd *n)
{
	static const char junk[4096];
	size_t total = 0;
	ssize_t w;

	while ((w = nonblock_write(n, junk, sizeof(junk))) > 0)
		total += w;
	assert_int_equal(w, -EAGAIN);
	assert_true(total > 0);
}

/* A pipe (or FIFO, or terminal): a description of ptvm's own; the shell's stays blocking. */
static void test_pipe_gets_own_description(void **state)
{
	struct nonblock_fd n;
	int p[2], own;

	assert_int_equal(pipe(p), 0);
	assert_int_equal(nonblock_open(&n, p[1]), 0);
	assert_int_equal(n.kind, NONBLOCK_OWN);
	assert_int_not_equal(n.fd, p[1]);
	assert_true(is_nonblock(n.fd));
	write_until_full(&n);
	assert_false(is_nonblock(p[1]));
	own = n.fd;
	nonblock_close(&n);
	assert_false(fd_open(own));
	assert_true(fd_open(p[1]));
	nonblock_close(&n); /* twice is harmless */
	close(p[0]);
	close(p[1]);
}

/* A terminal likewise: its flags (and the shell's reads) are left alone. */
static void test_tty_gets_own_description(void **state)
{
	struct nonblock_fd n;
	int master, slave;

	assert_int_equal(openpty(&master, &slave, NULL, NULL, NULL), 0);
	assert_int_equal(nonblock_open(&n, slave), 0);
	assert_int_equal(n.kind, NONBLOCK_OWN);
	assert_int_equal(nonblock_write(&n, "x", 1), 1);
	assert_false(is_nonblock(slave));
	nonblock_close(&n);
	close(slave);
	close(master);
}

/* A socket: the flag goes with each send, nothing is opened or changed. */
static void test_socket_uses_msg_dontwait(void **state)
{
	struct nonblock_fd n;
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(nonblock_open(&n, sv[0]), 0);
	assert_int_equal(n.kind, NONBLOCK_SOCKET);
	assert_int_equal(n.fd, sv[0]);
	write_until_full(&n);
	assert_false(is_nonblock(sv[0]));
	nonblock_close(&n);
	assert_true(fd_open(sv[0]));
	close(sv[0]);
	close(sv[1]);
}

/* A regular file: written as it is (it never waits for a reader), offset shared. */
static void test_file_is_plain(void **state)
{
	struct nonblock_fd n;
	FILE *f = tmpfile();

	assert_non_null(f);
	assert_int_equal(nonblock_open(&n, fileno(f)), 0);
	assert_int_equal(n.kind, NONBLOCK_PLAIN);
	assert_int_equal(nonblock_write(&n, "abc", 3), 3);
	/* The shell's offset moved: a later writer appends after ptvm's output. */
	assert_int_equal(lseek(fileno(f), 0, SEEK_CUR), 3);
	nonblock_close(&n);
	assert_true(fd_open(fileno(f)));
	fclose(f);
}

/*
 * What cannot be opened again (here an eventfd, an anonymous inode):
 * O_NONBLOCK on the shared description, and its flags back at close.
 */
static void test_fallback_restores_flags(void **state)
{
	struct nonblock_fd n;
	int efd = eventfd(0, 0);

	assert_true(efd >= 0);
	assert_int_equal(nonblock_open(&n, efd), 0);
	assert_int_equal(n.kind, NONBLOCK_SHARED);
	assert_true(is_nonblock(efd));
	nonblock_close(&n);
	assert_false(is_nonblock(efd));
	assert_true(fd_open(efd));
	close(efd);
}

static void test_closed_fd(void **state)
{
	struct nonblock_fd n;
	int p[2];

	assert_int_equal(pipe(p), 0);
	close(p[0]);
	close(p[1]);
	assert_int_equal(nonblock_open(&n, p[1]), -EBADF);
	assert_int_equal(nonblock_write(&n, "x", 1), -EBADF);
	nonblock_close(&n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pipe_gets_own_description),
		cmocka_unit_test(test_tty_gets_own_description),
		cmocka_unit_test(test_socket_uses_msg_dontwait),
		cmocka_unit_test(test_file_is_plain),
		cmocka_unit_test(test_fallback_restores_flags),
		cmocka_unit_test(test_closed_fd),
	};

	return cmocka_run_group_tests_name("nonblock", tests, NULL, NULL);
}
