// SPDX-License-Identifier: GPL-2.0
/* Guest RAM layout around the PCI hole, and bounds-checked gpa access. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <linux/mempolicy.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "layout.h"
#include "memory.h"
#include "numa.h"

/* The default backing: anonymous memory with THP, on no particular node. */
static const struct mem_backing thp;

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
	assert_int_equal(mem_alloc(&m, &thp), 0);
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
		assert_int_equal(mem_alloc(&m, &thp), 0);
		for (unsigned i = 0; i < m.nr; i++) {
			uint8_t *p = m.r[i].hva;

			assert_true(IS_ALIGNED((uintptr_t)p, SZ_2M));
			p[0] = 1;
			p[m.r[i].size - 1] = 2;
			/* Readable, writable, private, and never executable (issue 9). */
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

/* Huge pages per region, each rounded up on its own: regions are separate mappings. */
static void test_huge_pages(void **state)
{
	struct guest_mem m;

	assert_int_equal(mem_layout(&m, 256ULL << 20), 0);
	assert_int_equal(mem_huge_pages(&m, SZ_2M), 128);
	assert_int_equal(mem_huge_pages(&m, SZ_1G), 1);
	assert_int_equal(mem_layout(&m, 257ULL << 20), 0);
	assert_int_equal(mem_huge_pages(&m, SZ_2M), 129);
	/* 3G low and 1G + 1M high: 1536 + 513 pages of 2M, 3 + 2 of 1G. */
	assert_int_equal(mem_layout(&m, (4ULL << 30) + (1ULL << 20)), 0);
	assert_int_equal(mem_huge_pages(&m, SZ_2M), 2049);
	assert_int_equal(mem_huge_pages(&m, SZ_1G), 5);
}

/* Number of bytes of address space this process has mapped (/proc/self/statm). */
static uint64_t vm_size(void)
{
	unsigned long pages = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	assert_non_null(f);
	assert_int_equal(fscanf(f, "%lu", &pages), 1);
	fclose(f);
	return (uint64_t)pages * (uint64_t)sysconf(_SC_PAGESIZE);
}

/* Pages of the system's 2M pool that an mmap can still reserve; -1 without a pool. */
static long host_free_2m(void)
{
	static const char dir[] = "/sys/kernel/mm/hugepages/hugepages-2048kB";
	long free = -1, resv = -1;
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/free_hugepages", dir);
	f = fopen(path, "r");
	if (f && fscanf(f, "%ld", &free) != 1)
		free = -1;
	if (f)
		fclose(f);
	snprintf(path, sizeof(path), "%s/resv_hugepages", dir);
	f = fopen(path, "r");
	if (f && fscanf(f, "%ld", &resv) != 1)
		resv = -1;
	if (f)
		fclose(f);
	return free < 0 || resv < 0 ? -1 : free - resv;
}

/*
 * hugetlbfs: with enough free pages in this host's pool, each region is
 * mapped in whole 2M pages (a 65M region takes 66M) at a 2M boundary and
 * the pages are reserved at once; with too few, mem_alloc fails -ENOMEM at
 * mmap time, not at a later fault, and the pool check explains it.
 */
static void test_alloc_hugetlb(void **state)
{
	const struct mem_backing b = {.huge_page_size = SZ_2M};
	long avail = host_free_2m();
	uint64_t before = vm_size();
	struct guest_mem m;
	char msg[512];
	int ret;

	assert_int_equal(mem_layout(&m, 65ULL << 20), 0);
	ret = mem_alloc(&m, &b);
	if (avail >= 33) {
		assert_int_equal(ret, 0);
		assert_true(IS_ALIGNED((uintptr_t)m.r[0].hva, SZ_2M));
		assert_int_equal(m.r[0].map_size, 66ULL << 20);
		/* Reserved at mmap: the pool's unreserved count dropped by 33 before any touch. */
		assert_int_equal(host_free_2m(), avail - 33);
		((uint8_t *)m.r[0].hva)[m.r[0].map_size - 1] = 1;
		mem_free(&m);
		assert_int_equal(host_free_2m(), avail);
		return;
	}
	print_message("hugetlb: %ld free 2M pages here: testing the short-pool path\n", avail);
	assert_int_equal(ret, -ENOMEM);
	assert_null(m.r[0].hva);
	/* The address reservation went with the failed mapping, head and tail too. */
	assert_true(vm_size() < before + SZ_2M);
	assert_int_not_equal(numa_huge_check(NULL, SZ_2M, NUMA_NO_NODE, 33, msg, sizeof(msg)), 0);
	if (avail >= 0)
		assert_non_null(
			strstr(msg, "the guest's RAM needs 33 2M huge pages, the pool has"));
}

/* A bound region carries MPOL_BIND to its node before any page is touched. */
static void test_alloc_bind(void **state)
{
	const struct mem_backing b = {.bind = true, .node = 0};
	unsigned long mask[16] = {0};
	struct guest_mem m;
	int mode = -1;

	if (access("/sys/devices/system/node/node0", F_OK))
		skip();
	assert_int_equal(mem_layout(&m, (3ULL << 30) + (64ULL << 20)), 0);
	assert_int_equal(mem_alloc(&m, &b), 0);
	for (unsigned i = 0; i < m.nr; i++) {
		uint8_t *end = (uint8_t *)m.r[i].hva + m.r[i].size - 1;

		/* man 2 get_mempolicy: MPOL_F_ADDR gives the policy of the address. */
		assert_int_equal(syscall(SYS_get_mempolicy, &mode, mask, 1024, end, MPOL_F_ADDR),
				 0);
		assert_int_equal(mode, MPOL_BIND);
		assert_int_equal(mask[0], 1);
	}
	mem_free(&m);
	/* A node past what the mask holds is refused, and nothing stays mapped. */
	assert_int_equal(mem_layout(&m, 64ULL << 20), 0);
	assert_int_equal(mem_alloc(&m, &(struct mem_backing){.bind = true, .node = 1024}), -ERANGE);
	assert_null(m.r[0].hva);
}

/* The bit for the node asked for, not node 0's: a node this host lacks is refused by mbind. */
static void test_alloc_bind_absent(void **state)
{
	struct mem_backing b = {.bind = true};
	struct guest_mem m;
	char path[64];

	for (b.node = 1; b.node < 128; b.node++) {
		snprintf(path, sizeof(path), "/sys/devices/system/node/node%u", b.node);
		if (access(path, F_OK))
			break;
	}
	if (b.node == 128 || access("/sys/devices/system/node/node0", F_OK))
		skip();
	assert_int_equal(mem_layout(&m, 64ULL << 20), 0);
	assert_int_equal(mem_alloc(&m, &b), -EINVAL);
	assert_null(m.r[0].hva);
}

/* When a later region cannot be mapped, the earlier ones are unmapped again. */
static void test_alloc_unwinds(void **state)
{
	struct rlimit old, lim;
	struct guest_mem m;
	uint64_t before;

	/* Room for the 3G low region, not for the 1G above 4G as well. */
	assert_int_equal(mem_layout(&m, 4ULL << 30), 0);
	assert_int_equal(m.nr, 2);
	assert_int_equal(getrlimit(RLIMIT_AS, &old), 0);
	before = vm_size();
	lim = old;
	lim.rlim_cur = before + (3ULL << 30) + (512ULL << 20);
	assert_int_equal(setrlimit(RLIMIT_AS, &lim), 0);
	assert_int_equal(mem_alloc(&m, &thp), -ENOMEM);
	assert_int_equal(setrlimit(RLIMIT_AS, &old), 0);
	assert_null(m.r[0].hva);
	assert_null(m.r[1].hva);
	assert_true(vm_size() < before + (1ULL << 30));
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
		cmocka_unit_test(test_huge_pages),
		cmocka_unit_test(test_alloc_hugetlb),
		cmocka_unit_test(test_alloc_bind),
		cmocka_unit_test(test_alloc_bind_absent),
		cmocka_unit_test(test_alloc_unwinds),
		cmocka_unit_test(test_max_ram),
		cmocka_unit_test(test_window64),
	};

	return cmocka_run_group_tests_name("memory", tests, NULL, NULL);
}
