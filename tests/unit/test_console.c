// SPDX-License-Identifier: GPL-2.0
/* Console escape handling, terminal modes, and output to a stdout that may stall. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <pty.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "console.h"

static size_t filter(struct console *c, const char *in, char *out, bool *quit)
{
	size_t n = strlen(in);

	memcpy(out, in, n);
	n = console_filter(c, (uint8_t *)out, n, quit);
	out[n] = '\0';
	return n;
}

static void test_plain_bytes_pass(void **state)
{
	struct console c = {0};
	bool quit = false;
	char out[32];

	assert_int_equal(filter(&c, "ls -l\r\x03", out, &quit), 7);
	assert_string_equal(out, "ls -l\r\x03");
	assert_false(quit);
}

static void test_escape_x_quits(void **state)
{
	struct console c = {0};
	bool quit = false;
	char out[32];

	assert_int_equal(filter(&c, "ab\x01xcd", out, &quit), 2);
	assert_string_equal(out, "ab");
	assert_true(quit);
}

static void test_escape_split_across_reads(void **state)
{
	struct console c = {0};
	bool quit = false;
	char out[32];

	assert_int_equal(filter(&c, "a\x01", out, &quit), 1);
	assert_false(quit);
	assert_int_equal(filter(&c, "X", out, &quit), 0);
	assert_true(quit);
}

static void test_double_escape_sends_one(void **state)
{
	struct console c = {0};
	bool quit = false;
	char out[32];

	assert_int_equal(filter(&c, "\x01\x01z\x01qy", out, &quit), 3);
	assert_string_equal(out, "\x01zy");
	assert_false(quit);
}

/* Fill the pipe whose write end is @fd (made non-blocking here) until it takes no more. */
static size_t fill_pipe(int fd)
{
	static const char junk[4096];
	size_t n = 0;
	ssize_t w;

	assert_int_equal(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK), 0);
	while ((w = write(fd, junk, sizeof(junk))) > 0)
		n += w;
	assert_int_equal(errno, EAGAIN);
	return n;
}

/* Both ends of the stdout and stderr pipes of a test. */
static void close_pipes(int p[2], int e[2])
{
	for (unsigned i = 0; i < 2; i++) {
		close(p[i]);
		close(e[i]);
	}
}

static void tx_string(struct console *c, const char *s)
{
	while (*s)
		console_tx(c, (uint8_t)*s++);
}

static uint64_t wakes(const struct console *c)
{
	uint64_t v = 0;

	return read(c->wake_fd, &v, sizeof(v)) == sizeof(v) ? v : 0;
}

/* Nothing waiting and a reader that keeps up: each byte goes out at once, no wake. */
static void test_tx_writes_at_once_when_idle(void **state)
{
	struct console_out_stats st;
	struct console c = {0};
	char buf[8] = {0};
	int p[2], e[2];

	assert_int_equal(pipe2(p, O_NONBLOCK), 0);
	assert_int_equal(pipe2(e, O_NONBLOCK), 0);
	assert_int_equal(console_open_output(&c, p[1], e[1]), 0);
	assert_int_equal(c.wout.kind, NONBLOCK_OWN);
	tx_string(&c, "hi");
	assert_int_equal(read(p[0], buf, sizeof(buf)), 2);
	assert_string_equal(buf, "hi");
	assert_int_equal(wakes(&c), 0);
	assert_false(console_flush(&c));
	console_get_stats(&c, &st);
	assert_int_equal(st.written, 2);
	console_close_output(&c);
	console_close_output(&c); /* twice is harmless */
	close_pipes(p, e);
}

/* Once a byte waits, later ones queue behind it: order holds when the reader returns. */
static void test_tx_queues_behind_waiting_bytes(void **state)
{
	struct console c = {0};
	static char buf[64 * 1024];
	size_t filled, got = 0;
	int p[2], e[2];

	assert_int_equal(pipe(p), 0);
	assert_int_equal(pipe2(e, O_NONBLOCK), 0);
	assert_int_equal(fcntl(p[0], F_SETFL, O_NONBLOCK), 0);
	filled = fill_pipe(p[1]);
	assert_int_equal(console_open_output(&c, p[1], e[1]), 0);
	tx_string(&c, "ab");
	/* The first byte found stdout full: the loop is woken to poll it. */
	assert_int_equal(wakes(&c), 1);
	/* Room again, but "c" must not overtake "ab". */
	while (got < filled) {
		ssize_t n = read(p[0], buf, MIN(sizeof(buf), filled - got));

		assert_true(n > 0);
		got += n;
	}
	tx_string(&c, "c");
	assert_int_equal(read(p[0], buf, sizeof(buf)), -1);
	assert_false(console_flush(&c));
	assert_int_equal(read(p[0], buf, sizeof(buf)), 3);
	assert_memory_equal(buf, "abc", 3);
	/* Drained: the next byte goes at once again. */
	tx_string(&c, "d");
	assert_int_equal(read(p[0], buf, sizeof(buf)), 1);
	console_close_output(&c);
	close_pipes(p, e);
}

/*
 * A stdout that stops reading: the guest's bytes fill the ring, the rest
 * is dropped and counted, the notice goes to stderr once, and what waited
 * comes out in order once the reader is back.
 */
static void test_stalled_stdout_drops_and_says_so(void **state)
{
	struct console_out_stats st;
	struct console c = {0};
	static char buf[CONSOLE_OUT_SIZE + 4096];
	char notice[256] = {0};
	size_t filled, got = 0;
	int p[2], e[2];
	ssize_t n;

	assert_int_equal(pipe(p), 0);
	assert_int_equal(pipe2(e, O_NONBLOCK), 0);
	filled = fill_pipe(p[1]);
	assert_int_equal(console_open_output(&c, p[1], e[1]), 0);
	for (size_t i = 0; i < CONSOLE_OUT_SIZE + 10; i++)
		console_tx(&c, (uint8_t)('a' + i % 26));
	/* One wake when the ring got its first byte, one for the first drop. */
	assert_int_equal(wakes(&c), 2);
	assert_true(console_flush(&c));
	assert_true(console_flush(&c));
	assert_int_equal(read(e[0], notice, sizeof(notice)), strlen(CONSOLE_DROP_NOTICE));
	assert_string_equal(notice, CONSOLE_DROP_NOTICE);
	console_get_stats(&c, &st);
	assert_int_equal(st.dropped, 10);
	assert_int_equal(st.written, 0);
	/* The reader comes back: the filler, then the ring's bytes in order. */
	while (got < filled + CONSOLE_OUT_SIZE) {
		n = read(p[0], buf, MIN(sizeof(buf), filled + CONSOLE_OUT_SIZE - got));
		assert_true(n > 0);
		for (ssize_t i = 0; i < n; i++, got++)
			if (got >= filled)
				assert_int_equal(buf[i], 'a' + (got - filled) % 26);
		(void)console_flush(&c);
	}
	assert_false(console_flush(&c));
	console_get_stats(&c, &st);
	assert_int_equal(st.written, CONSOLE_OUT_SIZE);
	/* Said once only. */
	assert_int_equal(read(e[0], notice, sizeof(notice)), -1);
	console_close_output(&c);
	close_pipes(p, e);
}

/* Stderr full as well: the notice waits for a later flush instead of blocking. */
static void test_notice_waits_for_stderr(void **state)
{
	struct console c = {0};
	static char buf[256 * 1024];
	int p[2], e[2];

	assert_int_equal(pipe(p), 0);
	assert_int_equal(pipe(e), 0);
	fill_pipe(p[1]);
	fill_pipe(e[1]);
	assert_int_equal(console_open_output(&c, p[1], e[1]), 0);
	for (size_t i = 0; i < CONSOLE_OUT_SIZE + 1; i++)
		console_tx(&c, 'x');
	assert_true(console_flush(&c));
	assert_false(c.notice_done);
	assert_true(read(e[0], buf, sizeof(buf)) > 0);
	assert_true(console_flush(&c));
	assert_true(c.notice_done);
	assert_int_equal(read(e[0], buf, sizeof(buf)), strlen(CONSOLE_DROP_NOTICE));
	console_close_output(&c);
	close_pipes(p, e);
}

/* A stdout nobody reads any more (EPIPE): all output is dropped from then on, no notice. */
static void test_closed_stdout_drops(void **state)
{
	struct console_out_stats st;
	struct console c = {0};
	char notice[256];
	int p[2], e[2];

	signal(SIGPIPE, SIG_IGN); /* as main() does */
	assert_int_equal(pipe(p), 0);
	assert_int_equal(pipe2(e, O_NONBLOCK), 0);
	assert_int_equal(console_open_output(&c, p[1], e[1]), 0);
	close(p[0]);
	tx_string(&c, "lost");
	assert_false(console_flush(&c));
	tx_string(&c, "also");
	assert_int_equal(wakes(&c), 0);
	console_get_stats(&c, &st);
	assert_int_equal(st.dropped, 8);
	assert_false(console_flush(&c));
	assert_int_equal(read(e[0], notice, sizeof(notice)), -1);
	console_close_output(&c);
	close(p[1]);
	close(e[0]);
	close(e[1]);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* At stop: a stalled stdout costs the time given, no more, and the rest counts as dropped. */
static void test_drain_is_bounded(void **state)
{
	struct console_out_stats st;
	struct console c = {0};
	int64_t t0, ms;
	int p[2], e[2];
	char buf[8];

	assert_int_equal(pipe(p), 0);
	assert_int_equal(pipe2(e, O_NONBLOCK), 0);
	fill_pipe(p[1]);
	assert_int_equal(console_open_output(&c, p[1], e[1]), 0);
	tx_string(&c, "bye");
	t0 = now_ms();
	console_drain(&c, 100);
	ms = now_ms() - t0;
	assert_true(ms >= 100 && ms < 1000);
	console_get_stats(&c, &st);
	assert_int_equal(st.dropped, 3);
	console_close_output(&c);
	close(p[1]);
	close(p[0]);
	/* With a reader that keeps up, everything goes, at once. */
	assert_int_equal(pipe(p), 0);
	assert_int_equal(console_open_output(&c, p[1], e[1]), 0);
	tx_string(&c, "bye");
	t0 = now_ms();
	console_drain(&c, 5000);
	assert_true(now_ms() - t0 < 1000);
	assert_int_equal(read(p[0], buf, sizeof(buf)), 3);
	console_get_stats(&c, &st);
	assert_int_equal(st.written, 3);
	assert_int_equal(st.dropped, 0);
	console_close_output(&c);
	close_pipes(p, e);
}

/* Guest output before output is set up (or after it is closed) goes nowhere, harmlessly. */
static void test_tx_without_output(void **state)
{
	struct console_out_stats st;
	struct console c = {0};

	console_tx(&c, 'x');
	assert_false(console_flush(&c));
	console_get_stats(&c, &st);
	assert_int_equal(st.written + st.dropped, 0);
}

static void test_open_non_tty_stays_cooked(void **state)
{
	struct console c;
	int p[2];

	assert_int_equal(pipe(p), 0);
	assert_int_equal(console_open(&c, p[0], p[1]), 0);
	assert_false(c.raw);
	console_close(&c);
	close(p[0]);
	close(p[1]);
}

/* On a terminal: raw while the guest runs, exactly the old settings after. */
static void test_tty_raw_and_restored(void **state)
{
	struct termios before, during, after;
	struct console c;
	int master, slave;

	assert_int_equal(openpty(&master, &slave, NULL, NULL, NULL), 0);
	assert_int_equal(tcgetattr(slave, &before), 0);
	assert_true(before.c_lflag & ECHO);
	assert_int_equal(console_open(&c, slave, slave), 0);
	assert_true(c.raw);
	assert_int_equal(tcgetattr(slave, &during), 0);
	assert_false(during.c_lflag & (ECHO | ICANON | ISIG));
	console_close(&c);
	console_close(&c); /* twice is harmless */
	assert_int_equal(tcgetattr(slave, &after), 0);
	assert_int_equal(after.c_lflag, before.c_lflag);
	assert_int_equal(after.c_iflag, before.c_iflag);
	assert_int_equal(after.c_oflag, before.c_oflag);
	assert_int_equal(after.c_cflag, before.c_cflag);
	close(slave);
	close(master);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_bytes_pass),
		cmocka_unit_test(test_escape_x_quits),
		cmocka_unit_test(test_escape_split_across_reads),
		cmocka_unit_test(test_double_escape_sends_one),
		cmocka_unit_test(test_tx_writes_at_once_when_idle),
		cmocka_unit_test(test_tx_queues_behind_waiting_bytes),
		cmocka_unit_test(test_stalled_stdout_drops_and_says_so),
		cmocka_unit_test(test_notice_waits_for_stderr),
		cmocka_unit_test(test_closed_stdout_drops),
		cmocka_unit_test(test_drain_is_bounded),
		cmocka_unit_test(test_tx_without_output),
		cmocka_unit_test(test_open_non_tty_stays_cooked),
		cmocka_unit_test(test_tty_raw_and_restored),
	};

	return cmocka_run_group_tests_name("console", tests, NULL, NULL);
}
