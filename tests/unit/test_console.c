// SPDX-License-Identifier: GPL-2.0
/* Console escape handling and output. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <pty.h>
#include <termios.h>
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
	struct console c = { 0 };
	bool quit = false;
	char out[32];

	assert_int_equal(filter(&c, "ls -l\r\x03", out, &quit), 7);
	assert_string_equal(out, "ls -l\r\x03");
	assert_false(quit);
}

static void test_escape_x_quits(void **state)
{
	struct console c = { 0 };
	bool quit = false;
	char out[32];

	assert_int_equal(filter(&c, "ab\x01xcd", out, &quit), 2);
	assert_string_equal(out, "ab");
	assert_true(quit);
}

static void test_escape_split_across_reads(void **state)
{
	struct console c = { 0 };
	bool quit = false;
	char out[32];

	assert_int_equal(filter(&c, "a\x01", out, &quit), 1);
	assert_false(quit);
	assert_int_equal(filter(&c, "X", out, &quit), 0);
	assert_true(quit);
}

static void test_double_escape_sends_one(void **state)
{
	struct console c = { 0 };
	bool quit = false;
	char out[32];

	assert_int_equal(filter(&c, "\x01\x01z\x01qy", out, &quit), 3);
	assert_string_equal(out, "\x01zy");
	assert_false(quit);
}

static void test_tx_writes_bytes(void **state)
{
	struct console c = { 0 };
	char buf[8] = { 0 };
	int p[2];

	assert_int_equal(pipe(p), 0);
	c.out_fd = p[1];
	console_tx(&c, 'h');
	console_tx(&c, 'i');
	assert_int_equal(read(p[0], buf, sizeof(buf)), 2);
	assert_string_equal(buf, "hi");
	close(p[0]);
	close(p[1]);
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
		cmocka_unit_test(test_tx_writes_bytes),
		cmocka_unit_test(test_open_non_tty_stays_cooked),
		cmocka_unit_test(test_tty_raw_and_restored),
	};

	return cmocka_run_group_tests_name("console", tests, NULL, NULL);
}
