// SPDX-License-Identifier: GPL-2.0
/* Guest RAM layout around the PCI hole, and bounds-checked gpa access. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
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

/*
 * Permissions ("rw-p", "---p") of the mapping in /proc/self/maps that holds
 * @addr into @perms; false if nothing is mapped there.
 */
static bool maps_perms(uintptr_t addr, char perms[5])
{
	unsigned long lo, hi;
	char line[512];
	bool found = false;
	FILE *f = fopen("/proc/self/maps", "r");

	assert_non_null(f);
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%lx-%lx %4s", &lo, &hi, perms) == 3 && addr >= lo &&
			addr < hi;
	fclose(f);
	return found;
}

/*
 * Every region starts 2 MiB aligned, whatever the kernel would have picked,
 * and the over-allocation is gone again: no PROT_NONE leftover either side.
 * Sizes that are not a multiple of 2 MiB, since recent kernels align those
 * that are on their own.
 */
static void test_alloc_aligned(void **state)
{
	static const uint64_t sizes[] = {33ULL << 20, 65ULL << 20, (3ULL << 30) + (97ULL << 20)};
	char perms[5];

	for (unsigned s = 0; s < ARRAY_SIZE(sizes); s++) {
		struct guest_mem m;

		assert_int_equal(mem_layout(&m, sizes[s]), 0);
		assert_int_equal(mem_alloc(&m), 0);
		for (unsigned i = 0; i < m.nr; i++) {
			uint8_t *p = m.r[i].hva;

			assert_true(IS_ALIGNED((uintptr_t)p, SZ_2M));
			p[0] = 1;
			p[m.r[i].size - 1] = 2;
			assert_true(maps_perms((uintptr_t)p, perms));
			assert_string_equal(perms, "rw-p");
			if (maps_perms((uintptr_t)p - 1, perms))
				assert_string_not_equal(perms, "---p");
			if (maps_perms((uintptr_t)p + m.r[i].size, perms))
				assert_string_not_equal(perms, "---p");
		}
		mem_free(&m);
	}
}

/* The most RAM a guest address width holds: low RAM to 3 GiB, the rest from 4 GiB. */
static void test_max_ram(void **state)
{
	assert_int_equal(mem_max_ram(40), 1023ULL << 30);
	assert_int_equal(mem_max_ram(36), 63ULL << 30);
	assert_int_equal(mem_max_ram(48), MEM_MAX_SIZE);
	assert_int_equal(mem_max_ram(32), LAYOUT_LOW_RAM_MAX);
}

/* The 64-bit window: sized from the BARs, within the address width. */
static void test_window64(void **state)
{
	struct guest_mem m;
	uint64_t base, size;

	assert_int_equal(mem_layout(&m, 256ULL << 20), 0);
	/* No large BARs: the default 64 GiB above 4 GiB. */
	assert_int_equal(mem_window64(&m, 40, 0, 0, &base, &size), 0);
	assert_int_equal(base, LAYOUT_4G);
	assert_int_equal(size, LAYOUT_MMIO64_SIZE);
	/* A 128 GiB BAR: the window is at least that, aligned for it. */
	assert_int_equal(mem_window64(&m, 40, 128ULL << 30, 128ULL << 30, &base, &size), 0);
	assert_int_equal(base, 128ULL << 30);
	assert_int_equal(size, 128ULL << 30);
	/* 36 bits: the default shrinks to what is left (64 - 4 GiB)... */
	assert_int_equal(mem_window64(&m, 36, 0, 0, &base, &size), 0);
	assert_int_equal(base + size, 64ULL << 30);
	/* ... but never below what the BARs need. */
	assert_int_equal(mem_window64(&m, 36, 128ULL << 30, 128ULL << 30, &base, &size), -ENOSPC);
	/* Large RAM near the top of 40 bits: 23 GiB left, 16 of them 16 GiB aligned. */
	assert_int_equal(mem_layout(&m, 1000ULL << 30), 0);
	assert_int_equal(mem_window64(&m, 40, 0, 0, &base, &size), 0);
	assert_int_equal(base, 1001ULL << 30);
	assert_int_equal(size, 23ULL << 30);
	assert_int_equal(mem_window64(&m, 40, 16ULL << 30, 16ULL << 30, &base, &size), 0);
	assert_int_equal(base, 1008ULL << 30);
	assert_int_equal(size, 16ULL << 30);
	assert_int_equal(mem_window64(&m, 40, 32ULL << 30, 16ULL << 30, &base, &size), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_is_one_region),
		cmocka_unit_test(test_large_splits_at_hole),
		cmocka_unit_test(test_rejects_bad_sizes),
		cmocka_unit_test(test_ptr_bounds),
		cmocka_unit_test(test_alloc_aligned),
		cmocka_unit_test(test_max_ram),
		cmocka_unit_test(test_window64),
	};

	return cmocka_run_group_tests_name("memory", tests, NULL, NULL);
}
