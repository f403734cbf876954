// SPDX-License-Identifier: GPL-2.0
/*
 * The guest address space: dispatch, priorities and overlaps that resolve
 * themselves, staging and commit, the memslot diff, slot exhaustion, and
 * dispatch while another thread moves regions.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "as.h"

#define NR_SLOTS 4

struct fake_dev {
	uint64_t tag; /* reads return tag + offset */
	unsigned reads, writes;
	uint64_t last_off, last_val;
	unsigned last_size;
	/* A write moves this region (a guest moving a BAR from a dispatch). */
	struct as *as;
	struct as_region *move;
	uint64_t move_to;
	int move_ret;
};

struct slot_log {
	struct {
		uint64_t gpa, size;
		void *hva;
	} slot[NR_SLOTS];
	char order[64]; /* 'S' create, 'D' delete */
	unsigned n;
	uint64_t fail_gpa; /* refuse a memslot here (~0: none) */
};

struct fx {
	struct as *as;
	struct slot_log log;
	uint8_t mem[4][0x4000] __attribute__((aligned(4096)));
};

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
	if (d->move) {
		struct as_region *r = d->move;

		d->move = NULL;
		d->move_ret = as_region_place(r, d->move_to, 0x10);
		if (!d->move_ret)
			d->move_ret = as_commit(d->as);
	}
}

static const struct bus_ops fake_ops = {
	.read = fake_read,
	.write = fake_write,
};

static int slot_set(void *opaque, unsigned slot, uint64_t gpa, uint64_t size, void *hva)
{
	struct slot_log *l = opaque;

	if (slot >= NR_SLOTS)
		return -EINVAL;
	if (size && gpa == l->fail_gpa)
		return -EEXIST;
	if (l->n < sizeof(l->order) - 1)
		l->order[l->n++] = size ? 'S' : 'D';
	l->slot[slot].gpa = gpa;
	l->slot[slot].size = size;
	l->slot[slot].hva = hva;
	return 0;
}

static int setup(void **state)
{
	struct fx *f = aligned_alloc(4096, ALIGN_UP(sizeof(*f), 4096));
	struct as_slot_ops slots = {slot_set, NULL, NR_SLOTS};

	if (!f)
		return -1;
	memset(f, 0, sizeof(*f));
	f->log.fail_gpa = ~0ULL;
	slots.opaque = &f->log;
	if (as_create(&f->as, "mmio", &slots))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	as_destroy(f->as);
	free(f);
	return 0;
}

static struct as_region *add(struct fx *f, const char *name, enum as_prio prio, struct fake_dev *d,
			     uint64_t base, uint64_t len)
{
	struct as_region *r;

	assert_int_equal(as_region_add(f->as, name, prio, d ? &fake_ops : NULL, d, &r), 0);
	assert_int_equal(as_region_place(r, base, len), 0);
	return r;
}

static uint32_t rd32(struct fx *f, uint64_t addr)
{
	uint32_t v;

	as_read(f->as, addr, &v, 4);
	return v;
}

static const char *who(struct fx *f, uint64_t addr)
{
	struct as_info i;

	as_lookup(f->as, addr, &i);
	return i.kind == AS_NONE ? "-" : i.name;
}

static void test_dispatch_offset_and_byte_order(void **state)
{
	struct fx *f = *state;
	struct fake_dev d = {.tag = 0x1122334455667700ULL};
	uint8_t buf[8];
	uint64_t v;

	add(f, "dev", AS_PRIO_SYSTEM, &d, 0x2000, 0x100);
	assert_int_equal(as_commit(f->as), 0);
	assert_true(as_read(f->as, 0x2008, &v, 8));
	assert_int_equal(v, 0x1122334455667708ULL);
	assert_int_equal(d.last_off, 8);
	assert_true(as_read(f->as, 0x2010, buf, 2));
	assert_int_equal(buf[0], 0x10);
	assert_int_equal(buf[1], 0x77);
	memcpy(buf, "\x78\x56\x34\x12", 4);
	assert_true(as_write(f->as, 0x20fc, buf, 4));
	assert_int_equal(d.last_off, 0xfc);
	assert_int_equal(d.last_val, 0x12345678);
}

static void test_unclaimed_straddle_and_sizes(void **state)
{
	struct fx *f = *state;
	struct fake_dev d = {0};
	uint64_t v = 0;
	uint8_t buf[16];

	add(f, "dev", AS_PRIO_SYSTEM, &d, 0x3000, 0x10);
	add(f, "hole", AS_PRIO_SYSTEM, NULL, 0x4000, 0x1000);
	assert_int_equal(as_commit(f->as), 0);
	assert_false(as_read(f->as, 0x2ff0, &v, 8));
	assert_int_equal(v, ~0ULL);
	/* Straddling the end is unclaimed, not split. */
	assert_false(as_read(f->as, 0x300c, &v, 8));
	assert_false(as_read(f->as, 0x3000, buf, 3));
	assert_false(as_write(f->as, 0x3000, buf, 16));
	/* A hole claims nothing. */
	assert_false(as_read(f->as, 0x4000, &v, 4));
	assert_int_equal(d.reads + d.writes, 0);
	/* Wrapping past the top of the space is refused. */
	assert_int_equal(as_region_place(add(f, "x", AS_PRIO_BAR, &d, 0, 0), UINT64_MAX - 7, 9),
			 -EINVAL);
	/*
	 * So is ending exactly at the top: the end is not a 64-bit number
	 * (a guest's 64-bit BAR at 0xfffffffffffff000 was silently absent).
	 */
	assert_int_equal(as_region_place(add(f, "y", AS_PRIO_BAR, &d, 0, 0), -SZ_4K, SZ_4K),
			 -EINVAL);
	assert_int_equal(as_region_place(add(f, "z", AS_PRIO_BAR, &d, 0, 0), -2 * SZ_4K, SZ_4K), 0);
	assert_int_equal(as_commit(f->as), 0);
	assert_true(as_read(f->as, -SZ_4K - 8, &v, 8));
}

/* Nothing changes until the commit. */
static void test_staged_until_commit(void **state)
{
	struct fx *f = *state;
	struct fake_dev d = {.tag = 0x100};
	struct as_region *r = add(f, "dev", AS_PRIO_BAR, &d, 0x5000, 0x10);

	assert_string_equal(who(f, 0x5000), "-");
	assert_int_equal(as_commit(f->as), 0);
	assert_int_equal(rd32(f, 0x5004), 0x104);
	assert_int_equal(as_region_place(r, 0x6000, 0x10), 0);
	assert_int_equal(rd32(f, 0x5004), 0x104);
	assert_int_equal(as_commit(f->as), 0);
	assert_int_equal(rd32(f, 0x5004), 0xffffffff);
	assert_int_equal(rd32(f, 0x6004), 0x104);
	as_region_del(r);
	assert_int_equal(rd32(f, 0x6004), 0x104);
	assert_int_equal(as_commit(f->as), 0);
	assert_int_equal(rd32(f, 0x6004), 0xffffffff);
}

/* Higher priority wins; of equals the older; the loser returns when the winner leaves. */
static void test_priorities(void **state)
{
	struct fx *f = *state;
	struct fake_dev a = {.tag = 0xa000}, b = {.tag = 0xb000}, c = {.tag = 0xc000};
	struct as_region *ra = add(f, "a", AS_PRIO_BAR, &a, 0x10000, 0x1000);
	struct as_region *rb = add(f, "b", AS_PRIO_BAR, &b, 0x10800, 0x1000);

	add(f, "c", AS_PRIO_SYSTEM, &c, 0x10c00, 0x100);
	assert_int_equal(as_commit(f->as), 0);
	assert_string_equal(who(f, 0x107ff), "a");
	assert_string_equal(who(f, 0x10800), "a"); /* the older of two BARs */
	assert_string_equal(who(f, 0x10c00), "c"); /* the chipset over both */
	assert_string_equal(who(f, 0x10d00), "a");
	assert_string_equal(who(f, 0x11000), "b");
	/* Offsets stay from each region's own base. */
	assert_int_equal(rd32(f, 0x11004), 0xb000 + 0x804);
	assert_int_equal(rd32(f, 0x10c04), 0xc004);
	/* a leaves: b is whole again (under c still). */
	assert_int_equal(as_region_place(ra, 0, 0), 0);
	assert_int_equal(as_commit(f->as), 0);
	assert_string_equal(who(f, 0x10800), "b");
	assert_string_equal(who(f, 0x10c00), "c");
	assert_int_equal(rd32(f, 0x10800), 0xb000);
	assert_string_equal(who(f, 0x10000), "-");
	(void)rb;
}

/* Memslots: the diff keeps what stays, deletes before it creates. */
static void test_memslot_diff(void **state)
{
	struct fx *f = *state;
	const struct as_map ram = {0, 0x4000, f->mem[0]};
	const struct as_map bar = {0, 0x2000, f->mem[1]};
	struct fake_dev d = {.tag = 0xd000};
	struct as_region *r = add(f, "ram", AS_PRIO_RAM, NULL, 0, 0x4000);
	struct as_region *b;
	struct as_info i;

	assert_int_equal(as_region_set_maps(r, &ram, 1), 0);
	b = add(f, "bar", AS_PRIO_BAR, &d, 0x100000, 0x4000);
	assert_int_equal(as_region_set_maps(b, &bar, 1), 0);
	assert_int_equal(as_commit(f->as), 0);
	assert_string_equal(f->log.order, "SS");
	assert_int_equal(as_slots_used(f->as), 2);
	as_lookup(f->as, 0x101000, &i);
	assert_int_equal(i.kind, AS_MEM);
	assert_ptr_equal(i.hva, f->mem[1] + 0x1000);
	/* The unmapped half of the BAR exits to its handlers. */
	assert_int_equal(rd32(f, 0x103000), 0xd000 + 0x3000);
	/* Moving the BAR: its slot goes, then comes; RAM's is left alone. */
	assert_int_equal(as_region_place(b, 0x200000, 0x4000), 0);
	assert_int_equal(as_commit(f->as), 0);
	assert_string_equal(f->log.order, "SSDS");
	/* Onto RAM: RAM wins, the BAR's map is hidden and needs no slot. */
	assert_int_equal(as_region_place(b, 0, 0x4000), 0);
	assert_int_equal(as_commit(f->as), 0);
	assert_string_equal(f->log.order, "SSDSD");
	as_lookup(f->as, 0x1000, &i);
	assert_string_equal(i.name, "ram");
	assert_int_equal(as_slots_used(f->as), 1);
}

/* A map that gets no memslot is trapped instead; RAM that gets none fails the commit. */
static void test_no_slot_fallback(void **state)
{
	struct fx *f = *state;
	struct fake_dev d[NR_SLOTS + 1];
	struct as_region *r;
	struct as_info i;
	unsigned k;

	/* KVM refusing one: that map is trapped, the others still get slots. */
	f->log.fail_gpa = 0x100000;
	for (k = 0; k < NR_SLOTS + 1; k++) {
		const struct as_map m = {0, 0x1000, f->mem[k % 4]};

		d[k] = (struct fake_dev){.tag = k << 16};
		r = add(f, "bar", AS_PRIO_BAR, &d[k], 0x100000 * (k + 1), 0x1000);
		assert_int_equal(as_region_set_maps(r, &m, 1), 0);
	}
	assert_int_equal(as_commit(f->as), 0);
	assert_int_equal(as_slots_used(f->as), NR_SLOTS);
	as_lookup(f->as, 0x100000, &i);
	assert_int_equal(i.kind, AS_TRAP);
	assert_int_equal(rd32(f, 0x100000 + 8), 8);
	/* Out of slots: the last one is trapped and still works. */
	as_lookup(f->as, 0x100000 * (NR_SLOTS + 1), &i);
	assert_int_equal(i.kind, AS_MEM);
	f->log.fail_gpa = ~0ULL;
	{
		const struct as_map m = {0, 0x1000, f->mem[0]};

		/* RAM cannot be trapped: no slot for it fails the commit. */
		r = add(f, "ram", AS_PRIO_RAM, NULL, 0x900000, 0x1000);
		assert_int_equal(as_region_set_maps(r, &m, 1), 0);
		assert_int_equal(as_commit(f->as), -ENOSPC);
		assert_string_equal(who(f, 0x900000), "-");
	}
}

/* Unaligned edges of a map (an overlap cut it) are trapped, whole pages mapped. */
static void test_unaligned_cut(void **state)
{
	struct fx *f = *state;
	const struct as_map m = {0, 0x4000, f->mem[2]};
	struct fake_dev d = {.tag = 0}, c = {.tag = 0xc0000};
	struct as_region *r = add(f, "bar", AS_PRIO_BAR, &d, 0x300000, 0x4000);
	struct as_info i;

	assert_int_equal(as_region_set_maps(r, &m, 1), 0);
	add(f, "chip", AS_PRIO_SYSTEM, &c, 0x300000, 0x800);
	assert_int_equal(as_commit(f->as), 0);
	assert_string_equal(who(f, 0x300000), "chip");
	as_lookup(f->as, 0x300800, &i);
	assert_int_equal(i.kind, AS_TRAP); /* rest of the first page */
	assert_string_equal(i.name, "bar");
	assert_int_equal(rd32(f, 0x300800), 0x800);
	as_lookup(f->as, 0x301000, &i);
	assert_int_equal(i.kind, AS_MEM);
	assert_ptr_equal(i.hva, f->mem[2] + 0x1000);
	/* Bad maps are refused whole. */
	{
		const struct as_map bad[2] = {{0, 0x2000, f->mem[0]}, {0x1000, 0x1000, f->mem[1]}};
		const struct as_map odd = {0x800, 0x1000, f->mem[0]};

		assert_int_equal(as_region_set_maps(r, bad, 2), -EINVAL);
		assert_int_equal(as_region_set_maps(r, &odd, 1), -EINVAL);
	}
}

/* A handler may move regions and commit (a guest moving a BAR). */
static void test_handler_may_commit(void **state)
{
	struct fx *f = *state;
	struct fake_dev d = {.tag = 0x900}, m = {.tag = 0x700};
	struct as_region *moving = add(f, "moving", AS_PRIO_BAR, &m, 0x8000, 0x10);
	uint8_t one = 1;

	add(f, "ctl", AS_PRIO_SYSTEM, &d, 0x100, 0x10);
	assert_int_equal(as_commit(f->as), 0);
	d.as = f->as;
	d.move = moving;
	d.move_to = 0x9000;
	d.move_ret = 1;
	assert_true(as_write(f->as, 0x100, &one, 1));
	assert_int_equal(d.move_ret, 0);
	assert_int_equal(rd32(f, 0x9004), 0x704);
	assert_int_equal(rd32(f, 0x8004), 0xffffffff);
}

static void test_pio_is_quiet(void **state)
{
	struct as *pio;
	uint32_t v;

	assert_int_equal(as_create(&pio, "pio", NULL), 0);
	/* No memslots in the PIO space: maps are ignored, everything traps. */
	assert_false(as_read(pio, 0x80, &v, 1));
	as_destroy(pio);
}

struct reader_arg {
	struct as *as;
	unsigned bad;
	volatile int *stop;
};

static void *reader(void *opaque)
{
	struct reader_arg *a = opaque;
	unsigned i;
	uint32_t v;

	for (i = 0; i < 20000; i++) {
		if (!as_read(a->as, 0x5004, &v, 4) || v != 0xabc0004)
			a->bad++;
	}
	return NULL;
}

/* vCPU threads keep dispatching while other regions come, go and move. */
static void test_concurrent_dispatch(void **state)
{
	struct fx *f = *state;
	struct fake_dev stable = {.tag = 0xabc0000}, moving = {0};
	struct as_region *r;
	struct reader_arg args[4];
	pthread_t t[4];
	unsigned i;

	add(f, "stable", AS_PRIO_BAR, &stable, 0x5000, 0x10);
	r = add(f, "moving", AS_PRIO_BAR, &moving, 0x4000, 0x10);
	assert_int_equal(as_commit(f->as), 0);
	for (i = 0; i < 4; i++) {
		args[i] = (struct reader_arg){.as = f->as};
		assert_int_equal(pthread_create(&t[i], NULL, reader, &args[i]), 0);
	}
	for (i = 0; i < 2000; i++) {
		/* Even over the stable one: it was added first and keeps winning. */
		assert_int_equal(as_region_place(r, (i & 1) ? 0x4ff8 : 0x6000, 0x10), 0);
		assert_int_equal(as_commit(f->as), 0);
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
		cmocka_unit_test_setup_teardown(test_dispatch_offset_and_byte_order, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_unclaimed_straddle_and_sizes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_staged_until_commit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_priorities, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memslot_diff, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_slot_fallback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unaligned_cut, setup, teardown),
		cmocka_unit_test_setup_teardown(test_handler_may_commit, setup, teardown),
		cmocka_unit_test(test_pio_is_quiet),
		cmocka_unit_test_setup_teardown(test_concurrent_dispatch, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
