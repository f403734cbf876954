// SPDX-License-Identifier: GPL-2.0
/*
 * Guest console output through the main loop (vm_loop.c) to a stdout pipe
 * that is full: the "vCPU" (this thread) never waits, the loop polls stdout
 * only while bytes wait and writes them once the reader is back, and a
 * SIGTERM still stops the loop at once while stdout stays full.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "vm.h"

struct fixture {
	struct vm *vm;
	int in[2], out[2], err[2];
	size_t filled; /* filler bytes in the stdout pipe before the guest's */
	pthread_t loop;
};

static void fill_pipe(struct fixture *f)
{
	static const char junk[4096];
	ssize_t w;

	assert_int_equal(fcntl(f->out[1], F_SETFL, O_NONBLOCK), 0);
	while ((w = write(f->out[1], junk, sizeof(junk))) > 0)
		f->filled += w;
	assert_int_equal(errno, EAGAIN);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->vm = calloc(1, sizeof(*f->vm));
	pthread_mutex_init(&f->vm->stop_lock, NULL);
	assert_int_equal(pipe(f->in), 0);
	assert_int_equal(pipe(f->out), 0);
	assert_int_equal(pipe2(f->err, O_NONBLOCK), 0);
	f->vm->console.in_fd = f->in[0];
	f->vm->console.out_fd = f->out[1];
	f->vm->console.err_fd = f->err[1];
	fill_pipe(f);
	assert_int_equal(vm_create_events(f->vm), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	const struct timespec zero = {0};
	sigset_t set;

	console_close_output(&f->vm->console);
	close(f->vm->wake_fd);
	close(f->vm->signal_fd);
	for (unsigned i = 0; i < 2; i++) {
		close(f->in[i]);
		close(f->out[i]);
		close(f->err[i]);
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	(void)sigtimedwait(&set, NULL, &zero);
	pthread_mutex_destroy(&f->vm->stop_lock);
	free(f->vm);
	free(f);
	return 0;
}

static void *loop_thread(void *arg)
{
	vm_event_loop(arg);
	return NULL;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read exactly @len bytes of @fd within 2 s. */
static void read_all(int fd, char *buf, size_t len)
{
	int64_t end = now_ms() + 2000;

	while (len) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t n;

		if (now_ms() >= end)
			fail_msg("fd %d: %zu bytes still missing after 2 s", fd, len);
		if (poll(&p, 1, 100) <= 0)
			continue;
		n = read(fd, buf, len);
		assert_true(n > 0);
		buf += n;
		len -= n;
	}
}

/* The loop returns within @ms, or the test fails. */
static void join_within(struct fixture *f, int ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	assert_int_equal(pthread_timedjoin_np(f->loop, NULL, &ts), 0);
}

static void test_full_stdout_never_stalls_guest(void **state)
{
	struct fixture *f = *state;
	struct console *c = &f->vm->console;
	static char buf[CONSOLE_OUT_SIZE + 64 * 1024];
	char notice[256] = {0};
	struct console_out_stats st;
	int64_t t0;

	assert_int_equal(pthread_create(&f->loop, NULL, loop_thread, f->vm), 0);
	/* The guest prints more than the ring holds while stdout takes nothing. */
	t0 = now_ms();
	for (size_t i = 0; i < CONSOLE_OUT_SIZE + 1000; i++)
		console_tx(c, (uint8_t)('a' + i % 26));
	assert_true(now_ms() - t0 < 1000);
	/* The loop wakes for the first drop and says so on stderr, once. */
	read_all(f->err[0], notice, strlen(CONSOLE_DROP_NOTICE));
	assert_string_equal(notice, CONSOLE_DROP_NOTICE);
	console_get_stats(c, &st);
	assert_int_equal(st.dropped, 1000);
	/* While it waits for stdout, it polls stdout: the reader's return is enough. */
	read_all(f->out[0], buf, f->filled + CONSOLE_OUT_SIZE);
	for (size_t i = 0; i < CONSOLE_OUT_SIZE; i++)
		assert_int_equal(buf[f->filled + i], 'a' + i % 26);
	/*
	 * New output after the reader is back flows again (straight out: the
	 * ring is empty), the count stays. Once the loop has counted what it
	 * wrote: the reader can see the bytes a moment before the ring frees
	 * them, and a byte then would still queue.
	 */
	t0 = now_ms();
	do {
		console_get_stats(c, &st);
		assert_true(now_ms() - t0 < 2000);
	} while (st.written < CONSOLE_OUT_SIZE);
	console_tx(c, '!');
	read_all(f->out[0], buf, 1);
	assert_int_equal(buf[0], '!');
	vm_request_stop(f->vm, VM_STOP_POWEROFF, "test done");
	join_within(f, 2000);
	console_get_stats(c, &st);
	assert_int_equal(st.written, CONSOLE_OUT_SIZE + 1);
	assert_int_equal(st.dropped, 1000);
	/* Woken for the waiting bytes and the notice (one wake or two), and by stdout's room. */
	assert_true(f->vm->wakeups[VM_WAKE_OUTPUT] >= 2);
	assert_int_equal(read(f->err[0], notice, sizeof(notice)), -1);
}

/* A SIGTERM while stdout is full and output waits: the loop stops at once. */
static void test_sigterm_with_full_stdout(void **state)
{
	struct fixture *f = *state;
	struct console *c = &f->vm->console;
	int64_t t0;

	assert_int_equal(pthread_create(&f->loop, NULL, loop_thread, f->vm), 0);
	for (size_t i = 0; i < 100; i++)
		console_tx(c, 'z');
	usleep(50 * 1000);
	t0 = now_ms();
	/* Process-directed, as kill(1) sends it: the loop's signalfd takes it. */
	assert_int_equal(kill(getpid(), SIGTERM), 0);
	join_within(f, 1000);
	assert_true(now_ms() - t0 < 1000);
	assert_int_equal(f->vm->stop_reason, VM_STOP_SIGNAL);
	assert_string_equal(f->vm->stop_msg, "stopped by SIGTERM");
	/* What vm_run() then does: a bounded drain, the rest counted as dropped. */
	console_drain(c, 50);
	assert_true(now_ms() - t0 < 1000);
	{
		struct console_out_stats st;

		console_get_stats(c, &st);
		assert_int_equal(st.dropped, 100);
		assert_int_equal(st.written, 0);
	}
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_full_stdout_never_stalls_guest),
		T(test_sigterm_with_full_stdout),
	};
#undef T

	return cmocka_run_group_tests_name("vm_output", tests, NULL, NULL);
}
