// SPDX-License-Identifier: GPL-2.0
/*
 * The console output ring (console_out.c): bytes in order across the wrap,
 * a wake only when the consumer may be asleep, the newest bytes dropped
 * and counted when it is full, and the count exact with a producer and a
 * consumer on two threads.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "console_out.h"

static int setup(void **state)
{
	struct console_out *o = malloc(sizeof(*o));

	assert_int_equal(console_out_init(o), 0);
	*state = o;
	return 0;
}

static int teardown(void **state)
{
	console_out_destroy(*state);
	free(*state);
	return 0;
}

static uint8_t pattern(size_t i)
{
	return (uint8_t)(i * 7 + 3);
}

/* Take @n bytes out (as a consumer does), checking them against pattern() from @from. */
static void take(struct console_out *o, size_t n, size_t from)
{
	while (n) {
		const uint8_t *p;
		size_t got = console_out_peek(o, &p);

		assert_true(got > 0);
		got = MIN(got, n);
		for (size_t i = 0; i < got; i++)
			assert_int_equal(p[i], pattern(from + i));
		console_out_consume(o, got);
		from += got;
		n -= got;
	}
}

static void put_pattern(struct console_out *o, size_t from, size_t n)
{
	for (size_t i = 0; i < n; i++)
		(void)console_out_put(o, pattern(from + i));
}

/* Only the byte that finds the ring empty wakes the consumer. */
static void test_wake_on_empty_only(void **state)
{
	struct console_out *o = *state;
	const uint8_t *p;

	assert_true(console_out_put(o, 'a'));
	assert_false(console_out_put(o, 'b'));
	assert_int_equal(console_out_peek(o, &p), 2);
	assert_memory_equal(p, "ab", 2);
	console_out_consume(o, 1);
	assert_false(console_out_put(o, 'c'));
	console_out_consume(o, 2);
	assert_int_equal(console_out_peek(o, &p), 0);
	assert_true(console_out_put(o, 'd'));
}

/* Across the end of the buffer: a peek stops at the end, the next starts at the front. */
static void test_wraps_in_order(void **state)
{
	struct console_out *o = *state;
	struct console_out_stats st;
	const uint8_t *p;

	put_pattern(o, 0, CONSOLE_OUT_SIZE - 10);
	take(o, CONSOLE_OUT_SIZE - 10, 0);
	put_pattern(o, CONSOLE_OUT_SIZE - 10, 30);
	assert_int_equal(console_out_peek(o, &p), 10);
	take(o, 30, CONSOLE_OUT_SIZE - 10);
	console_out_get_stats(o, &st);
	assert_int_equal(st.written, CONSOLE_OUT_SIZE + 20);
	assert_int_equal(st.dropped, 0);
}

/* Full: the newest bytes are dropped and counted, the oldest kept; one wake for the notice. */
static void test_full_drops_newest(void **state)
{
	struct console_out *o = *state;
	struct console_out_stats st;
	unsigned wakes = 0;

	for (size_t i = 0; i < CONSOLE_OUT_SIZE + 100; i++)
		wakes += console_out_put(o, pattern(i));
	/* The first byte (empty ring) and the first dropped one. */
	assert_int_equal(wakes, 2);
	console_out_get_stats(o, &st);
	assert_int_equal(st.dropped, 100);
	assert_int_equal(st.written, 0);
	take(o, CONSOLE_OUT_SIZE, 0);
	/* Room again; later drops do not wake again: the notice is said once. */
	assert_true(console_out_put(o, pattern(0)));
	put_pattern(o, 1, CONSOLE_OUT_SIZE - 1);
	assert_false(console_out_put(o, 'x'));
	console_out_get_stats(o, &st);
	assert_int_equal(st.dropped, 101);
	assert_int_equal(st.written, CONSOLE_OUT_SIZE);
}

/* At stop: what waits is counted as dropped, and the ring takes bytes again. */
static void test_discard_counts(void **state)
{
	struct console_out *o = *state;
	struct console_out_stats st;
	const uint8_t *p;

	put_pattern(o, 0, 40);
	console_out_discard(o, false);
	assert_int_equal(console_out_peek(o, &p), 0);
	console_out_get_stats(o, &st);
	assert_int_equal(st.dropped, 40);
	assert_true(console_out_put(o, pattern(0)));
	take(o, 1, 0);
}

/* Stdout gone: everything after is dropped, silently (nobody to tell, nothing to write). */
static void test_closed_drops_silently(void **state)
{
	struct console_out *o = *state;
	struct console_out_stats st;
	const uint8_t *p;

	put_pattern(o, 0, 5);
	console_out_discard(o, true);
	for (unsigned i = 0; i < 10; i++)
		assert_false(console_out_put(o, 'z'));
	assert_int_equal(console_out_peek(o, &p), 0);
	console_out_get_stats(o, &st);
	assert_int_equal(st.dropped, 15);
}

#define THREADED_BYTES (16 * CONSOLE_OUT_SIZE)

static void *producer(void *arg)
{
	put_pattern(arg, 0, THREADED_BYTES);
	return NULL;
}

/* A vCPU thread and the main loop at once: every byte is written or dropped, none twice. */
static void test_threads_account_every_byte(void **state)
{
	struct console_out *o = *state;
	struct console_out_stats st;
	uint64_t got = 0;
	pthread_t t;

	assert_int_equal(pthread_create(&t, NULL, producer, o), 0);
	for (;;) {
		const uint8_t *p;
		size_t n = console_out_peek(o, &p);

		console_out_consume(o, n);
		got += n;
		console_out_get_stats(o, &st);
		if (st.written + st.dropped == THREADED_BYTES && !console_out_peek(o, &p))
			break;
	}
	assert_int_equal(pthread_join(t, NULL), 0);
	console_out_get_stats(o, &st);
	assert_int_equal(st.written, got);
	assert_int_equal(st.written + st.dropped, THREADED_BYTES);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_wake_on_empty_only),    T(test_wraps_in_order),
		T(test_full_drops_newest),     T(test_discard_counts),
		T(test_closed_drops_silently), T(test_threads_account_every_byte),
	};
#undef T

	return cmocka_run_group_tests_name("console_out", tests, NULL, NULL);
}
