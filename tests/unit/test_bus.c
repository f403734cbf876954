// SPDX-License-Identifier: GPL-2.0
/* The range bus: registration rules, lookup, unclaimed and straddling accesses. */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "bus.h"

struct fake_dev {
	uint64_t tag; /* returned by reads as tag + offset */
	unsigned reads, writes;
	uint64_t last_off, last_val;
	unsigned last_size;
	/* For the re-entrancy test: a write registers this range. */
	struct bus *bus;
	uint64_t move_to;
	int move_ret;
};

static const struct bus_ops fake_ops;

static uint64_t fake_read(void *opaque, uint64_t offset, unsigned size)
{
	struct fake_dev *d = opaque;

	/* Atomic: the concurrency test reads one device from several threads. */
	__atomic_add_fetch(&d->reads, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&d->last_off, offset, __ATOMIC_RELAXED);
	__atomic_store_n(&d->last_size, size, __ATOMIC_RELAXED);
	return d->tag + offset;
}

static void fake_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct fake_dev *d = opaque;

	d->writes++;
	d->last_off = offset;
	d->last_size = size;
	d->last_val = value;
	if (d->bus) {
		struct bus *b = d->bus;

		d->bus = NULL;
		d->move_ret = bus_register(b, d->move_to, 0x10, &fake_ops, d);
	}
}

static const struct bus_ops fake_ops = {
	.read = fake_read,
	.write = fake_write,
};

static int bus_setup(void **state)
{
	static struct bus b;

	if (bus_init(&b, "mmio"))
		return -1;
	*state = &b;
	return 0;
}

static int bus_teardown(void **state)
{
	bus_destroy(*state);
	return 0;
}

static void test_register_rules(void **state)
{
	struct bus *b = *state;
	struct fake_dev d = {0};

	assert_int_equal(bus_register(b, 0x1000, 0x100, &fake_ops, &d), 0);
	assert_int_equal(bus_register(b, 0x1000, 0, &fake_ops, &d), -EINVAL);
	assert_int_equal(bus_register(b, 0x4000, 0x10, NULL, &d), -EINVAL);
	assert_int_equal(bus_register(b, UINT64_MAX - 7, 9, &fake_ops, &d), -EINVAL);
	assert_int_equal(bus_register(b, UINT64_MAX - 7, 8, &fake_ops, &d), 0);
	/* Overlaps: same base, from below, from inside, enclosing, last byte. */
	assert_int_equal(bus_register(b, 0x1000, 0x10, &fake_ops, &d), -EEXIST);
	assert_int_equal(bus_register(b, 0xff0, 0x11, &fake_ops, &d), -EEXIST);
	assert_int_equal(bus_register(b, 0x1080, 0x10, &fake_ops, &d), -EEXIST);
	assert_int_equal(bus_register(b, 0x800, 0x1000, &fake_ops, &d), -EEXIST);
	assert_int_equal(bus_register(b, 0x10ff, 1, &fake_ops, &d), -EEXIST);
	/* Adjacent on both sides is fine. */
	assert_int_equal(bus_register(b, 0xff0, 0x10, &fake_ops, &d), 0);
	assert_int_equal(bus_register(b, 0x1100, 0x10, &fake_ops, &d), 0);
	assert_int_equal(b->nr, 4);

	assert_int_equal(bus_unregister(b, 0x1001), -ENOENT);
	assert_int_equal(bus_unregister(b, 0x1000), 0);
	assert_int_equal(bus_unregister(b, 0x1000), -ENOENT);
	assert_int_equal(b->nr, 3);
	assert_int_equal(bus_register(b, 0x1000, 0x100, &fake_ops, &d), 0);
}

static void test_dispatch_offset_and_byte_order(void **state)
{
	struct bus *b = *state;
	struct fake_dev d = {.tag = 0x1122334455667700ULL};
	uint8_t buf[8];
	uint64_t v = 0;

	assert_int_equal(bus_register(b, 0x2000, 0x100, &fake_ops, &d), 0);
	assert_true(bus_read(b, 0x2008, &v, 8));
	assert_int_equal(d.last_off, 8);
	assert_int_equal(d.last_size, 8);
	assert_int_equal(v, 0x1122334455667708ULL);

	assert_true(bus_read(b, 0x2010, buf, 2));
	assert_int_equal(buf[0], 0x10);
	assert_int_equal(buf[1], 0x77);

	buf[0] = 0xef;
	buf[1] = 0xbe;
	buf[2] = 0xad;
	buf[3] = 0xde;
	assert_true(bus_write(b, 0x20fc, buf, 4));
	assert_int_equal(d.last_off, 0xfc);
	assert_int_equal(d.last_size, 4);
	assert_int_equal(d.last_val, 0xdeadbeef);
	assert_int_equal(d.writes, 1);
}

static void test_unclaimed_reads_all_ones(void **state)
{
	struct bus *b = *state;
	struct fake_dev d = {0};
	unsigned sizes[] = {1, 2, 4, 8};
	uint64_t v;
	unsigned i;

	assert_int_equal(bus_register(b, 0x3000, 0x10, &fake_ops, &d), 0);
	for (i = 0; i < 4; i++) {
		v = 0;
		assert_false(bus_read(b, 0x2ff0, &v, sizes[i]));
		assert_int_equal(v, sizes[i] == 8 ? ~0ULL : (1ULL << (8 * sizes[i])) - 1);
	}
	v = 0x1234;
	assert_false(bus_write(b, 0x2ff0, &v, 2));
	assert_false(bus_read(b, 0x3010, &v, 1));
	assert_int_equal(v & 0xff, 0xff);
	assert_int_equal(d.reads + d.writes, 0);
	/* Every unclaimed access counts against the log rate limit. */
	assert_int_equal(b->unclaimed_log, 6);
}

static void test_straddling_is_unclaimed(void **state)
{
	struct bus *b = *state;
	struct fake_dev d = {0}, e = {0};
	uint32_t v = 0;

	assert_int_equal(bus_register(b, 0x100, 8, &fake_ops, &d), 0);
	assert_int_equal(bus_register(b, 0x108, 8, &fake_ops, &e), 0);
	/* 0x106..0x109 spans two devices: neither sees it. */
	assert_false(bus_read(b, 0x106, &v, 4));
	assert_int_equal(v, 0xffffffff);
	assert_false(bus_write(b, 0x106, &v, 4));
	/* Starting below a range. */
	assert_false(bus_read(b, 0xfe, &v, 4));
	/* The last bytes of a range are fine. */
	assert_true(bus_read(b, 0x104, &v, 4));
	assert_int_equal(d.reads, 1);
	assert_int_equal(d.writes + e.reads + e.writes, 0);
}

static void test_bad_size_is_unclaimed(void **state)
{
	struct bus *b = *state;
	struct fake_dev d = {0};
	uint8_t buf[16];

	assert_int_equal(bus_register(b, 0x100, 0x100, &fake_ops, &d), 0);
	memset(buf, 0, sizeof(buf));
	assert_false(bus_read(b, 0x100, buf, 3));
	assert_int_equal(buf[0] & buf[1] & buf[2], 0xff);
	assert_int_equal(buf[3], 0);
	assert_false(bus_write(b, 0x100, buf, 16));
	assert_int_equal(d.reads + d.writes, 0);
}

static void test_null_handlers(void **state)
{
	struct bus *b = *state;
	static const struct bus_ops none = {0};
	uint16_t v = 0;

	assert_int_equal(bus_register(b, 0x100, 0x10, &none, NULL), 0);
	assert_true(bus_read(b, 0x100, &v, 2));
	assert_int_equal(v, 0xffff);
	assert_true(bus_write(b, 0x100, &v, 2));
}

static void test_many_ranges_sorted(void **state)
{
	struct bus *b = *state;
	static struct fake_dev d[200];
	unsigned i, k;
	uint32_t v;

	/* Register in a scrambled order; 200 > initial capacity forces growth. */
	for (i = 0; i < 200; i++) {
		k = (i * 73) % 200;
		d[k].tag = k << 16;
		assert_int_equal(bus_register(b, 0x10000 + k * 0x100, 0x80, &fake_ops, &d[k]), 0);
	}
	for (i = 1; i < b->nr; i++)
		assert_true(b->ranges[i - 1].base < b->ranges[i].base);
	for (k = 0; k < 200; k++) {
		assert_true(bus_read(b, 0x10000 + k * 0x100 + 0x7c, &v, 4));
		assert_int_equal(v, (k << 16) + 0x7c);
		/* The gap after each range is unclaimed. */
		assert_false(bus_read(b, 0x10000 + k * 0x100 + 0x80, &v, 4));
	}
	for (k = 0; k < 200; k += 2)
		assert_int_equal(bus_unregister(b, 0x10000 + k * 0x100), 0);
	assert_int_equal(b->nr, 100);
	for (k = 0; k < 200; k++)
		assert_int_equal(bus_read(b, 0x10000 + k * 0x100, &v, 4), k & 1);
}

/* A handler may register ranges on its own bus (a guest moving a BAR). */
static void test_handler_may_register(void **state)
{
	struct bus *b = *state;
	struct fake_dev d = {.bus = b, .move_to = 0x9000, .move_ret = 1};
	uint8_t one = 1;
	uint32_t v;

	assert_int_equal(bus_register(b, 0x100, 0x10, &fake_ops, &d), 0);
	assert_true(bus_write(b, 0x100, &one, 1));
	assert_int_equal(d.move_ret, 0);
	assert_true(bus_read(b, 0x9000, &v, 4));
}

static void test_pio_is_quiet(void **state)
{
	struct bus pio, mmio;

	assert_int_equal(bus_init(&pio, "pio"), 0);
	assert_int_equal(bus_init(&mmio, "mmio"), 0);
	assert_true(pio.quiet_unclaimed);
	assert_false(mmio.quiet_unclaimed);
	bus_destroy(&pio);
	bus_destroy(&mmio);
}

struct reader_arg {
	struct bus *b;
	unsigned bad;
};

static void *reader(void *opaque)
{
	struct reader_arg *a = opaque;
	unsigned i;
	uint32_t v;

	for (i = 0; i < 20000; i++) {
		if (!bus_read(a->b, 0x5004, &v, 4) || v != 0xabc0004)
			a->bad++;
	}
	return NULL;
}

/* vCPU threads keep dispatching while ranges come and go. */
static void test_concurrent_dispatch(void **state)
{
	struct bus *b = *state;
	struct fake_dev stable = {.tag = 0xabc0000}, moving = {0};
	struct reader_arg args[4];
	pthread_t t[4];
	unsigned i;

	assert_int_equal(bus_register(b, 0x5000, 0x10, &fake_ops, &stable), 0);
	for (i = 0; i < 4; i++) {
		args[i] = (struct reader_arg){.b = b};
		assert_int_equal(pthread_create(&t[i], NULL, reader, &args[i]), 0);
	}
	for (i = 0; i < 2000; i++) {
		uint64_t base = (i & 1) ? 0x4000 : 0x6000;

		assert_int_equal(bus_register(b, base, 0x10, &fake_ops, &moving), 0);
		assert_int_equal(bus_unregister(b, base), 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(args[i].bad, 0);
	}
	assert_int_equal(stable.reads, 4 * 20000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_register_rules, bus_setup, bus_teardown),
		cmocka_unit_test_setup_teardown(test_dispatch_offset_and_byte_order, bus_setup,
						bus_teardown),
		cmocka_unit_test_setup_teardown(test_unclaimed_reads_all_ones, bus_setup,
						bus_teardown),
		cmocka_unit_test_setup_teardown(test_straddling_is_unclaimed, bus_setup,
						bus_teardown),
		cmocka_unit_test_setup_teardown(test_bad_size_is_unclaimed, bus_setup,
						bus_teardown),
		cmocka_unit_test_setup_teardown(test_null_handlers, bus_setup, bus_teardown),
		cmocka_unit_test_setup_teardown(test_many_ranges_sorted, bus_setup, bus_teardown),
		cmocka_unit_test_setup_teardown(test_handler_may_register, bus_setup, bus_teardown),
		cmocka_unit_test(test_pio_is_quiet),
		cmocka_unit_test_setup_teardown(test_concurrent_dispatch, bus_setup, bus_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
