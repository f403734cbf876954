// SPDX-License-Identifier: GPL-2.0
/* e820_build(): exact maps for mem_layout() layouts. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "boot/e820.h"

struct want {
	uint64_t addr, size;
	uint32_t type;
};

static void check_map(uint64_t ram, const struct want *w, unsigned n)
{
	struct boot_e820_entry tab[E820_MAX_BUILD];
	struct guest_mem m;
	unsigned nr = 99;

	assert_int_equal(mem_layout(&m, ram), 0);
	assert_int_equal(e820_build(&m, tab, ARRAY_SIZE(tab), &nr), 0);
	assert_int_equal(nr, n);
	for (unsigned i = 0; i < n; i++) {
		if (tab[i].addr != w[i].addr || tab[i].size != w[i].size ||
		    tab[i].type != w[i].type)
			fail_msg(
				"entry %u: got [%#llx +%#llx type %u], want [%#llx +%#llx type %u]",
				i, (unsigned long long)tab[i].addr, (unsigned long long)tab[i].size,
				tab[i].type, (unsigned long long)w[i].addr,
				(unsigned long long)w[i].size, w[i].type);
	}
}

static void test_256m(void **state)
{
	static const struct want w[] = {
		{0, 0x9fc00, 1},	  {0x9fc00, 0x400, 2},	       {0xe0000, 0x20000, 2},
		{0x100000, 0xff00000, 1}, {0xe0000000, 0x10000000, 2},
	};

	check_map(256ULL << 20, w, ARRAY_SIZE(w));
}

static void test_6g(void **state)
{
	static const struct want w[] = {
		{0, 0x9fc00, 1},
		{0x9fc00, 0x400, 2},
		{0xe0000, 0x20000, 2},
		{0x100000, 0xbff00000, 1},
		{0xe0000000, 0x10000000, 2},
		{0x100000000, 0xc0000000, 1},
	};

	check_map(6ULL << 30, w, ARRAY_SIZE(w));
}

/* Exactly 3 GiB fills the low region and needs no high one. */
static void test_3g(void **state)
{
	static const struct want w[] = {
		{0, 0x9fc00, 1},	   {0x9fc00, 0x400, 2},		{0xe0000, 0x20000, 2},
		{0x100000, 0xbff00000, 1}, {0xe0000000, 0x10000000, 2},
	};

	check_map(3ULL << 30, w, ARRAY_SIZE(w));
}

static void test_too_small_table(void **state)
{
	struct boot_e820_entry tab[6];
	struct guest_mem m;
	unsigned nr = 99;

	assert_int_equal(mem_layout(&m, 6ULL << 30), 0);
	assert_int_equal(e820_build(&m, tab, 5, &nr), -ENOSPC);
	assert_int_equal(nr, 0);
	assert_int_equal(e820_build(&m, tab, 6, &nr), 0);
	assert_int_equal(nr, 6);
}

static void test_bad_layout(void **state)
{
	struct boot_e820_entry tab[E820_MAX_BUILD];
	struct guest_mem m = {0};
	unsigned nr = 99;

	assert_int_equal(e820_build(&m, tab, ARRAY_SIZE(tab), &nr), -EINVAL);
	assert_int_equal(nr, 0);
	/* A low region that does not reach past 1 MiB. */
	m.nr = 1;
	m.r[0] = (struct mem_region){.gpa = 0, .size = 0x100000};
	assert_int_equal(e820_build(&m, tab, ARRAY_SIZE(tab), &nr), -EINVAL);
	/* A second region below 4 GiB. */
	m.nr = 2;
	m.r[0].size = 0x10000000;
	m.r[1] = (struct mem_region){.gpa = 0x20000000, .size = 0x100000};
	assert_int_equal(e820_build(&m, tab, ARRAY_SIZE(tab), &nr), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_256m),	   cmocka_unit_test(test_6g),
		cmocka_unit_test(test_3g),	   cmocka_unit_test(test_too_small_table),
		cmocka_unit_test(test_bad_layout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
