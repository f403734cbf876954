// SPDX-License-Identifier: GPL-2.0
/*
 * `ptvm ctl` (api_client.c) against the real server (api_server.c) with a
 * fake VM, served from a thread: what it prints, where, and its exit code.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "api/api_client.h"
#include "api_fake.h"

struct fixture {
	struct api_fake_dir d;
	struct api_fake fake;
	struct api_server *s;
	pthread_t thread;
	int stop;
	/* What api_ctl printed. */
	char *out, *err;
	size_t out_len, err_len;
};

/* The main loop's part, in a thread: accept, and serve every client. */
static void *serve_thread(void *arg)
{
	struct fixture *f = arg;

	while (!__atomic_load_n(&f->stop, __ATOMIC_ACQUIRE)) {
		struct pollfd p[1 + API_MAX_CLIENTS];

		p[0] = (struct pollfd){.fd = api_server_fd(f->s), .events = POLLIN};
		for (unsigned i = 0; i < API_MAX_CLIENTS; i++)
			p[1 + i] = (struct pollfd){.fd = api_server_client_fd(f->s, i),
						   .events = POLLIN};
		/* A device-del/add under way ends as the test said. */
		if (f->fake.later) {
			api_later_done(f->fake.later, f->fake.later_err);
			f->fake.later = NULL;
		}
		if (poll(p, 1 + API_MAX_CLIENTS, 10) <= 0)
			continue;
		if (p[0].revents)
			api_server_accept(f->s);
		for (unsigned i = 0; i < API_MAX_CLIENTS; i++)
			if (p[1 + i].revents)
				api_server_input(f->s, i);
	}
	return NULL;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_true(api_fake_mkdir(&f->d));
	assert_int_equal(api_server_open(&f->s, f->d.path, &api_fake_ops, &f->fake), 0);
	assert_int_equal(pthread_create(&f->thread, NULL, serve_thread, f), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	__atomic_store_n(&f->stop, 1, __ATOMIC_RELEASE);
	pthread_join(f->thread, NULL);
	api_server_destroy(f->s);
	rmdir(f->d.dir);
	free(f->out);
	free(f->err);
	free(f);
	return 0;
}

/* api_ctl with @in (NULL: an empty stdin) and argv "ptvm ctl ..."; its exit code. */
static int ctl(struct fixture *f, const char *in, int argc, char *const argv[])
{
	FILE *out, *err;
	int p[2], ret;

	free(f->out);
	free(f->err);
	out = open_memstream(&f->out, &f->out_len);
	err = open_memstream(&f->err, &f->err_len);
	assert_int_equal(pipe(p), 0);
	if (in)
		assert_int_equal(write(p[1], in, strlen(in)), (ssize_t)strlen(in));
	close(p[1]);
	ret = api_ctl(argc, argv, p[0], out, err);
	close(p[0]);
	fclose(out);
	fclose(err);
	return ret;
}

#define CTL(f, in, ...)                                          \
	({                                                       \
		char *const a_[] = {"ptvm", "ctl", __VA_ARGS__}; \
		ctl(f, in, ARRAY_SIZE(a_), a_);                  \
	})

static void test_status(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(CTL(f, NULL, f->d.path, "status"), 0);
	assert_string_equal(
		f->out, "{\"state\":\"running\",\"vcpus\":2,\"memory\":268435456,"
			"\"uptime_ms\":1234,\"reboots\":3,\"devices\":[{\"bdf\":\"0000:01:00.0\","
			"\"iommu_group\":7}]}\n");
	assert_string_equal(f->err, "");
	assert_int_equal(CTL(f, NULL, f->d.path, "pause"), 0);
	assert_string_equal(f->out, "{\"state\":\"paused\"}\n");
	assert_true(f->fake.paused);
}

/* An error reply: its text on stderr, exit 1. */
static void test_error(void **state)
{
	struct fixture *f = *state;

	f->fake.hp_ret = -ENODEV;
	assert_int_equal(CTL(f, NULL, f->d.path, "device-del", "0000:01:00.0"), 1);
	assert_string_equal(f->out, "");
	assert_string_equal(f->err, "ptvm: ctl: device-del: 0000:01:00.0 is not a device of this "
				    "VM\n");
	assert_int_equal(CTL(f, NULL, f->d.path, "stop"), 1);
	assert_string_equal(f->err, "ptvm: ctl: unknown verb \"stop\" (the verbs: status, stats, "
				    "pause, resume, poweroff, device-del, device-add)\n");
}

/* device-del/add: ctl waits for the reply that comes when the VM is done. */
static void test_later(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(CTL(f, NULL, f->d.path, "device-del", "01:00.0"), 0);
	assert_string_equal(f->out, "{\"bdf\":\"0000:01:00.0\",\"state\":\"removed\"}\n");
	assert_string_equal(f->err, "");
	f->fake.later_err = -ETIMEDOUT;
	assert_int_equal(CTL(f, NULL, f->d.path, "device-add", "0000:01:00.0"), 1);
	assert_string_equal(f->out, "");
	assert_string_equal(f->err, "ptvm: ctl: device-add: 0000:01:00.0: the guest did not power "
				    "its slot on within 30 s; the device stays in its slot\n");
	assert_int_equal(f->fake.nr_del + f->fake.nr_add, 2);
}

static void test_no_server(void **state)
{
	struct fixture *f = *state;
	char path[128], want[256];

	snprintf(path, sizeof(path), "%s/none", f->d.dir);
	assert_int_equal(CTL(f, NULL, path, "status"), 1);
	snprintf(want, sizeof(want), "ptvm: ctl: cannot connect to %s: No such file or directory\n",
		 path);
	assert_string_equal(f->err, want);
	assert_string_equal(f->out, "");
}

static void test_usage(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(CTL(f, NULL, f->d.path), 2);
	assert_string_equal(f->err, "ptvm: ctl needs a socket path and a verb (ptvm ctl PATH VERB "
				    "[BDF], or ptvm ctl PATH --raw; see ptvm --help)\n");
	assert_int_equal(CTL(f, NULL, f->d.path, "device-del", "a", "b"), 2);
	assert_string_equal(f->err, "ptvm: ctl: too many arguments from 'b' (ptvm ctl PATH VERB "
				    "[BDF])\n");
	assert_int_equal(CTL(f, NULL, f->d.path, "--raw", "x"), 2);
}

/* --raw: stdin as it is, every reply line back; a half line is dropped unanswered. */
static void test_raw(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(CTL(f, "garbage\n{\"id\":\"x\",\"verb\":\"resume\"}\n{\"id\":9,\"verb\"",
			     f->d.path, "--raw"),
			 0);
	assert_string_equal(
		f->out, "{\"id\":null,\"error\":\"request is not JSON: unexpected character\"}\n"
			"{\"id\":\"x\",\"ok\":{\"state\":\"running\"}}\n");
	assert_string_equal(f->err, "");
	assert_int_equal(f->fake.nr_resume, 1);
}

/* Refused for lack of slots: the server's reason, exit 1. */
static void test_server_full(void **state)
{
	struct fixture *f = *state;
	int sv[API_MAX_CLIENTS][2];

	/* The slots are the server thread's: taken while it is stopped. */
	__atomic_store_n(&f->stop, 1, __ATOMIC_RELEASE);
	pthread_join(f->thread, NULL);
	for (unsigned i = 0; i < API_MAX_CLIENTS; i++) {
		assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv[i]), 0);
		assert_int_equal(api_server_add_client(f->s, sv[i][0]), (int)i);
	}
	f->stop = 0;
	assert_int_equal(pthread_create(&f->thread, NULL, serve_thread, f), 0);
	assert_int_equal(CTL(f, NULL, f->d.path, "status"), 1);
	assert_string_equal(f->err,
			    "ptvm: ctl: too many clients (at most 4 at once); try again later\n");
	for (unsigned i = 0; i < API_MAX_CLIENTS; i++)
		close(sv[i][1]);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_status), T(test_error), T(test_later),	    T(test_no_server),
		T(test_usage),	T(test_raw),   T(test_server_full),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
