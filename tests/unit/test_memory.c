// SPDX-License-Identifier: GPL-2.0
/* Guest RAM layout around the PCI hole, and bounds-checked gpa access. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "layout.h"
#include "memory.h"

static void test_small_is_one_region(void **state)
{
	struct guest_mem m;

	assert_int_equal(mem_layout(&m, 256ULL << 20), 0);
	assert_int_equal(m.nr, 1);
	assert_int_equal(m.r[0].gpa, 0);
	assert_int_equal(m.r[0].size, 256ULL << 20);
	assert_int_equal(mem_ram_end(&m), 256ULL << 20);
	assert_int_equal(mem_mmio64_base(&m), LAYOUT_4G);
}

static void test_large_splits_at_hole(void **state)
{
	struct guest_mem m;

	assert_int_equal(mem_layout(&m, 6ULL << 30), 0);
	assert_int_equal(m.nr, 2);
	assert_int_equal(m.r[0].size, 3ULL << 30);
	assert_int_equal(m.r[1].gpa, 4ULL << 30);
	assert_int_equal(m.r[1].size, 3ULL << 30);
	assert_int_equal(mem_ram_end(&m), 7ULL << 30);
	assert_int_equal(mem_mmio64_base(&m), 7ULL << 30);
}

static void test_rejects_bad_sizes(void **state)
{
	struct guest_mem m;

	assert_int_equal(mem_layout(&m, 16ULL << 20), -EINVAL);
	assert_int_equal(mem_layout(&m, (64ULL << 20) + 4096), -EINVAL);
	assert_int_equal(mem_layout(&m, 2ULL << 40), -EINVAL);
}

static void test_ptr_bounds(void **state)
{
	struct guest_mem m;

	assert_int_equal(mem_layout(&m, 64ULL << 20), 0);
	/* Unbacked regions give no pointer at all. */
	assert_null(mem_ptr(&m, 0x1000, 16));
	assert_int_equal(mem_alloc(&m), 0);
	assert_non_null(mem_ptr(&m, 0, 64ULL << 20));
	assert_ptr_equal(mem_ptr(&m, 0x1000, 16), (uint8_t *)m.r[0].hva + 0x1000);
	assert_null(mem_ptr(&m, (64ULL << 20) - 8, 16));
	assert_null(mem_ptr(&m, 64ULL << 20, 1));
	assert_null(mem_ptr(&m, 0x1000, ~0ULL));
	assert_null(mem_ptr(&m, LAYOUT_ECAM_BASE, 4));
	mem_free(&m);
	assert_null(m.r[0].hva);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_is_one_region),
		cmocka_unit_test(test_large_splits_at_hole),
		cmocka_unit_test(test_rejects_bad_sizes),
		cmocka_unit_test(test_ptr_bounds),
	};

	return cmocka_run_group_tests_name("memory", tests, NULL, NULL);
}
