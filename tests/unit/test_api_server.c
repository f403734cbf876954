// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket's connections (api_server.c) over real sockets: the
 * socket file (mode 0600, stale ones replaced, anything else refused, only
 * ours unlinked), and clients over socketpairs: lines split or joined,
 * oversize lines, a client that closes mid-request, one that never reads
 * its replies, one too many.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "api_fake.h"
#include "log_capture.h"

struct fixture {
	struct api_fake_dir d;
	struct api_fake fake;
	struct api_server *s;
	int peer; /* the test's end of the socketpair, or -1 */
	int slot;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_true(api_fake_mkdir(&f->d));
	f->peer = -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	api_server_destroy(f->s);
	if (f->peer >= 0)
		close(f->peer);
	unlink(f->d.path);
	rmdir(f->d.dir);
	free(f);
	return 0;
}

static int open_server(struct fixture *f)
{
	return api_server_open(&f->s, f->d.path, &api_fake_ops, &f->fake);
}

/* A server with one client on a socketpair: the test talks through f->peer. */
static int setup_pair(void **state)
{
	struct fixture *f;
	int sv[2];

	setup(state);
	f = *state;
	assert_int_equal(open_server(f), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	f->slot = api_server_add_client(f->s, sv[0]);
	assert_int_equal(f->slot, 0);
	f->peer = sv[1];
	return 0;
}

static void send_str(struct fixture *f, const char *s)
{
	assert_int_equal(write(f->peer, s, strlen(s)), (ssize_t)strlen(s));
}

/* Let the server read until it has nothing left to read (or dropped the client). */
static void serve(struct fixture *f)
{
	for (unsigned n = 0; n < 10000; n++) {
		int fd = api_server_client_fd(f->s, f->slot);
		struct pollfd p = {.fd = fd, .events = POLLIN};

		if (fd < 0 || poll(&p, 1, 0) <= 0)
			return;
		api_server_input(f->s, f->slot);
	}
	fail_msg("the server never drained its client");
}

/* What the server wrote so far. */
static const char *replies(struct fixture *f)
{
	static char buf[API_REPLY_MAX];
	ssize_t n = read(f->peer, buf, sizeof(buf) - 1);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

#define POWEROFF_OK "{\"id\":1,\"ok\":{\"state\":\"stopping\"}}\n"

/* The file is a socket, 0600 from the start (umask), and gone after destroy. */
static void test_socket_file(void **state)
{
	struct fixture *f = *state;
	struct stat st;

	assert_int_equal(open_server(f), 0);
	assert_int_equal(lstat(f->d.path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	/* The hook --user will use; to our own ids it works unprivileged. */
	assert_int_equal(api_server_chown(f->s, getuid(), getgid()), 0);
	assert_true(api_server_fd(f->s) >= 0);
	api_server_destroy(f->s);
	f->s = NULL;
	assert_int_equal(lstat(f->d.path, &st), -1);
	assert_int_equal(errno, ENOENT);
}

static void test_refuse_file(void **state)
{
	struct fixture *f = *state;
	char log[512];
	struct stat st;
	int fd = open(f->d.path, O_CREAT | O_WRONLY, 0644);

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(LOG_CAPTURED(log, open_server(f)), -EEXIST);
	assert_null(f->s);
	assert_true(strstr(log, "exists and is not a socket (remove it or choose another path)"));
	assert_int_equal(lstat(f->d.path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
}

/* A socket nobody listens on (a killed ptvm's) is replaced; a live one is not. */
static void test_stale_and_live(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct api_server *other;
	char log[512];
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", f->d.path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	assert_int_equal(open_server(f), 0);
	assert_int_equal(LOG_CAPTURED(log, api_server_open(&other, f->d.path, &api_fake_ops, NULL)),
			 -EADDRINUSE);
	assert_true(strstr(log, "a process listens there already (another ptvm?); stop it or "
				"choose another path"));
	/* The refused open removed nothing: the first server's file is still there. */
	assert_int_equal(access(f->d.path, F_OK), 0);
}

static void test_path_too_long(void **state)
{
	struct fixture *f = *state;
	char path[200], log[512];

	memset(path, 'p', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	assert_int_equal(LOG_CAPTURED(log, api_server_open(&f->s, path, &api_fake_ops, NULL)),
			 -ENAMETOOLONG);
	assert_true(strstr(log, "a socket path is 1 to 107 bytes (choose a shorter one)"));
}

/* Exit removes our socket only: a file put there since stays. */
static void test_unlink_only_ours(void **state)
{
	struct fixture *f = *state;
	int fd;

	assert_int_equal(open_server(f), 0);
	assert_int_equal(unlink(f->d.path), 0);
	fd = open(f->d.path, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	api_server_destroy(f->s);
	f->s = NULL;
	assert_int_equal(access(f->d.path, F_OK), 0);
}

/* Lines joined in one write, split over two, blank: one reply per request, in order. */
static void test_lines(void **state)
{
	struct fixture *f = *state;

	send_str(f, "{\"id\":1,\"verb\":\"pause\"}\n\n{\"id\":2,\"verb\":\"resume\"}\n{\"id\":3,");
	serve(f);
	assert_string_equal(replies(f), "{\"id\":1,\"ok\":{\"state\":\"paused\"}}\n"
					"{\"id\":2,\"ok\":{\"state\":\"running\"}}\n");
	send_str(f, "\"verb\":\"poweroff\"}\r\n");
	serve(f);
	assert_string_equal(replies(f), "{\"id\":3,\"ok\":{\"state\":\"stopping\"}}\n");
	assert_int_equal(f->fake.nr_poweroff, 1);
}

/* An oversize line: one error, its rest ignored however long, then service as usual. */
static void test_oversize(void **state)
{
	struct fixture *f = *state;
	char big[3000];

	memset(big, 'a', sizeof(big));
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(write(f->peer, big, sizeof(big)), (ssize_t)sizeof(big));
		serve(f);
	}
	/* A request inside the ignored part is not run. */
	send_str(f, "{\"id\":1,\"verb\":\"poweroff\"}\n{\"id\":1,\"verb\":\"poweroff\"}\n");
	serve(f);
	assert_string_equal(replies(f),
			    "{\"id\":null,\"error\":\"request line longer than 4096 bytes: ignored "
			    "up to its newline\"}\n" POWEROFF_OK);
	assert_int_equal(f->fake.nr_poweroff, 1);
	/* 4095 bytes and the newline: the longest request there is, answered. */
	memset(big, ' ', sizeof(big));
	assert_int_equal(write(f->peer, big, sizeof(big)), (ssize_t)sizeof(big));
	serve(f);
	memset(big, ' ', 4095 - sizeof(big) - 26);
	big[4095 - sizeof(big) - 26] = '\0';
	send_str(f, big);
	send_str(f, "{\"id\":1,\"verb\":\"poweroff\"}\n");
	serve(f);
	assert_string_equal(replies(f), POWEROFF_OK);
}

/* A client gone mid-request is closed, unanswered, and its slot serves the next. */
static void test_closed_mid_request(void **state)
{
	struct fixture *f = *state;
	int sv[2];

	send_str(f, "{\"id\":1,\"verb\":\"powe");
	close(f->peer);
	f->peer = -1;
	serve(f);
	assert_int_equal(api_server_client_fd(f->s, f->slot), -1);
	assert_int_equal(f->fake.nr_poweroff, 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	assert_int_equal(api_server_add_client(f->s, sv[0]), f->slot);
	f->peer = sv[1];
	/* The new client does not inherit the old one's half line. */
	send_str(f, "rweroff\"}\n{\"id\":1,\"verb\":\"poweroff\"}\n");
	serve(f);
	assert_string_equal(replies(f), "{\"id\":null,\"error\":\"request is not JSON: unexpected "
					"character\"}\n" POWEROFF_OK);
}

/* The reply lines waiting for the peer, read to the end. */
static unsigned count_lines(struct fixture *f)
{
	unsigned lines = 0;
	char buf[4096];
	ssize_t n;

	while ((n = read(f->peer, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n; i++)
			lines += buf[i] == '\n';
	return lines;
}

/* A client that sends requests and never reads the replies is dropped, not waited for. */
static void test_never_reads(void **state)
{
	struct fixture *f = *state;
	const char *req = "{\"id\":1,\"verb\":\"stats\"}\n";
	int small = 4096, fd = api_server_client_fd(f->s, f->slot);
	char log[512];
	struct log_capture lc;
	unsigned sent = 0;

	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)), 0);
	log_capture_start(&lc);
	while (api_server_client_fd(f->s, f->slot) >= 0 && sent < 100000) {
		if (write(f->peer, req, strlen(req)) == (ssize_t)strlen(req))
			sent++;
		serve(f);
	}
	snprintf(log, sizeof(log), "%s", log_capture_end(&lc));
	log_capture_free(&lc);
	assert_int_equal(api_server_client_fd(f->s, f->slot), -1);
	assert_string_equal(log,
			    "ptvm: api: a client that does not read its replies was dropped\n");
	/* Every request read was answered, but not every answer got through: none waited. */
	assert_true(f->fake.nr_stats > 0 && f->fake.nr_stats <= sent);
	assert_true(count_lines(f) < f->fake.nr_stats);
}

static int connect_to(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* API_MAX_CLIENTS through accept; one more hears why and is closed. */
static void test_too_many_clients(void **state)
{
	struct fixture *f = *state;
	int fds[API_MAX_CLIENTS + 1];
	char buf[256];
	ssize_t n;

	assert_int_equal(open_server(f), 0);
	/* Nothing pending: nothing happens. */
	api_server_accept(f->s);
	for (unsigned i = 0; i < API_MAX_CLIENTS; i++)
		assert_int_equal(api_server_client_fd(f->s, i), -1);
	for (unsigned i = 0; i <= API_MAX_CLIENTS; i++) {
		fds[i] = connect_to(f->d.path);
		api_server_accept(f->s);
	}
	for (unsigned i = 0; i < API_MAX_CLIENTS; i++)
		assert_true(api_server_client_fd(f->s, i) >= 0);
	n = read(fds[API_MAX_CLIENTS], buf, sizeof(buf) - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, "{\"id\":null,\"error\":\"too many clients (at most 4 at once); "
				 "try again later\"}\n");
	assert_int_equal(read(fds[API_MAX_CLIENTS], buf, sizeof(buf)), 0);
	/* A served one works end to end. */
	assert_int_equal(write(fds[2], "{\"id\":5,\"verb\":\"pause\"}\n", 24), 24);
	f->slot = 2;
	serve(f);
	n = read(fds[2], buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	assert_string_equal(buf, "{\"id\":5,\"ok\":{\"state\":\"paused\"}}\n");
	for (unsigned i = 0; i <= API_MAX_CLIENTS; i++)
		close(fds[i]);
}

/* A reply that comes later goes to the connection that asked, and to no later one. */
static void test_later(void **state)
{
	struct fixture *f = *state;
	int sv[2];

	send_str(f, "{\"id\":5,\"verb\":\"device-del\",\"bdf\":\"0000:01:00.0\"}\n"
		    "{\"id\":6,\"verb\":\"pause\"}\n");
	serve(f);
	/* Under way: the next request is answered meanwhile. */
	assert_string_equal(replies(f), "{\"id\":6,\"ok\":{\"state\":\"paused\"}}\n");
	assert_non_null(f->fake.later);
	api_later_done(f->fake.later, 0);
	assert_string_equal(replies(f), "{\"id\":5,\"ok\":{\"bdf\":\"0000:01:00.0\","
					"\"state\":\"removed\"}}\n");
	send_str(f, "{\"id\":7,\"verb\":\"device-del\",\"bdf\":\"0000:01:00.0\"}\n");
	serve(f);
	/* The client goes; another takes its slot before the reply is ready. */
	close(f->peer);
	serve(f);
	assert_int_equal(api_server_client_fd(f->s, f->slot), -1);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	assert_int_equal(api_server_add_client(f->s, sv[0]), f->slot);
	f->peer = sv[1];
	api_later_done(f->fake.later, -ECANCELED);
	assert_string_equal(replies(f), "");
}

int main(void)
{
#define T(fn)	  cmocka_unit_test_setup_teardown(fn, setup, teardown)
#define TPAIR(fn) cmocka_unit_test_setup_teardown(fn, setup_pair, teardown)
	const struct CMUnitTest tests[] = {
		T(test_socket_file),	  T(test_refuse_file),
		T(test_stale_and_live),	  T(test_path_too_long),
		T(test_unlink_only_ours), TPAIR(test_lines),
		TPAIR(test_oversize),	  TPAIR(test_closed_mid_request),
		TPAIR(test_never_reads),  T(test_too_many_clients),
		TPAIR(test_later),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
