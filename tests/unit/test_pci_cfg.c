// SPDX-License-Identifier: GPL-2.0
/* Config space as data: header, masks, BAR sizing, capabilities, bounds. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <setjmp.h>
#include <cmocka.h>

#include "pci/cfg.h"

static const struct pci_cfg_id test_id = {
	.vendor = 0x1234,
	.device = 0x5678,
	.class_code = 0x020000, /* ethernet */
	.revision = 0x03,
	.subsys_vendor = 0xabcd,
	.subsys = 0xef01,
};

static int setup(void **state)
{
	struct pci_cfg *c = malloc(sizeof(*c));

	if (!c)
		return -1;
	pci_cfg_init_type0(c, &test_id);
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

/* The sizing protocol (PCI 3.0 6.2.5.1): write all-ones, read back, restore. */
static uint32_t size_probe(struct pci_cfg *c, unsigned off)
{
	uint32_t old = pci_cfg_read(c, off, 4), v;

	pci_cfg_write(c, off, 4, 0xffffffff);
	v = pci_cfg_read(c, off, 4);
	pci_cfg_write(c, off, 4, old);
	return v;
}

static void test_header(void **state)
{
	struct pci_cfg *c = *state;

	assert_int_equal(pci_cfg_read(c, PCI_VENDOR_ID, 4), 0x56781234);
	assert_int_equal(pci_cfg_read(c, PCI_REVISION_ID, 4), 0x02000003);
	assert_int_equal(pci_cfg_read(c, PCI_HEADER_TYPE, 1), 0x00);
	assert_int_equal(pci_cfg_read(c, PCI_SUBSYS_VENDOR, 4), 0xef01abcd);
	assert_int_equal(pci_cfg_read(c, PCI_COMMAND, 4), 0);
	assert_int_equal(pci_cfg_read(c, PCI_CAP_PTR, 1), 0);
	/* Read-only fields ignore writes. */
	pci_cfg_write(c, PCI_VENDOR_ID, 4, 0);
	pci_cfg_write(c, PCI_REVISION_ID, 4, 0xffffffff);
	assert_int_equal(pci_cfg_read(c, PCI_VENDOR_ID, 4), 0x56781234);
	assert_int_equal(pci_cfg_read(c, PCI_REVISION_ID, 4), 0x02000003);
	/* Unimplemented BARs read 0 and size to 0. */
	assert_int_equal(size_probe(c, PCI_BAR0), 0);
	assert_int_equal(size_probe(c, PCI_ROM_ADDRESS), 0);
	/* Scratch-like bytes. */
	pci_cfg_write(c, PCI_INTERRUPT_LINE, 2, 0xff0b);
	assert_int_equal(pci_cfg_read(c, PCI_INTERRUPT_LINE, 2), 0x000b);
	pci_cfg_write(c, PCI_CACHE_LINE, 1, 0x10);
	assert_int_equal(pci_cfg_read(c, PCI_CACHE_LINE, 1), 0x10);
}

static void test_command_and_status(void **state)
{
	struct pci_cfg *c = *state;

	pci_cfg_write(c, PCI_COMMAND, 2, 0xffff);
	assert_int_equal(pci_cfg_read(c, PCI_COMMAND, 2), 0x0547);
	assert_true(pci_cfg_decode_enabled(c, true));
	assert_true(pci_cfg_decode_enabled(c, false));
	pci_cfg_write(c, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	assert_false(pci_cfg_decode_enabled(c, true));
	assert_true(pci_cfg_decode_enabled(c, false));

	/* Status error bits are RW1C; the rest is read-only. */
	pci_cfg_set(c, PCI_STATUS, 2, 0xf900 | PCI_STATUS_INTX);
	pci_cfg_write(c, PCI_STATUS, 2, 0);
	assert_int_equal(pci_cfg_read(c, PCI_STATUS, 2), 0xf908);
	pci_cfg_write(c, PCI_STATUS, 2, 0x8000 | PCI_STATUS_INTX);
	assert_int_equal(pci_cfg_read(c, PCI_STATUS, 2), 0x7908);
	/* A dword write to COMMAND also hits STATUS's W1C bits. */
	pci_cfg_write(c, PCI_COMMAND, 4, 0xffff0000);
	assert_int_equal(pci_cfg_read(c, PCI_COMMAND, 4), 0x00080000);
}

static void test_bar_mem32(void **state)
{
	struct pci_cfg *c = *state;

	assert_int_equal(pci_cfg_set_bar(c, 0, 4096, PCI_BAR_MEM32), 0);
	assert_int_equal(size_probe(c, PCI_BAR0), 0xfffff000);
	assert_int_equal(pci_cfg_set_bar(c, 1, 1 << 20, PCI_BAR_MEM32 | PCI_BAR_PREFETCH), 0);
	assert_int_equal(size_probe(c, PCI_BAR0 + 4), 0xfff00008);
	assert_int_equal(pci_cfg_bar_size(c, 0), 4096);
	assert_int_equal(pci_cfg_bar_size(c, 1), 1 << 20);
	assert_int_equal(pci_cfg_bar_size(c, 2), 0);

	/* Low bits are dropped, flags kept. */
	pci_cfg_write(c, PCI_BAR0, 4, 0xc0001234);
	assert_int_equal(pci_cfg_read(c, PCI_BAR0, 4), 0xc0001000);
	assert_int_equal(pci_cfg_bar_addr(c, 0), 0xc0001000);
	assert_false(pci_cfg_bar_is_io(c, 0));
	assert_false(pci_cfg_bar_enabled(c, 0));
	pci_cfg_write(c, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	assert_true(pci_cfg_bar_enabled(c, 0));
	assert_false(pci_cfg_bar_enabled(c, 2));
	/* A byte write moves only that byte. */
	pci_cfg_write(c, PCI_BAR0 + 3, 1, 0xd0);
	assert_int_equal(pci_cfg_bar_addr(c, 0), 0xd0001000);
}

static void test_bar_io(void **state)
{
	struct pci_cfg *c = *state;

	assert_int_equal(pci_cfg_set_bar(c, 2, 32, PCI_BAR_IO), 0);
	assert_int_equal(size_probe(c, PCI_BAR0 + 8), 0xffffffe1);
	assert_int_equal(pci_cfg_bar_size(c, 2), 32);
	pci_cfg_write(c, PCI_BAR0 + 8, 4, 0x1020);
	assert_int_equal(pci_cfg_read(c, PCI_BAR0 + 8, 4), 0x1021);
	assert_int_equal(pci_cfg_bar_addr(c, 2), 0x1020);
	assert_true(pci_cfg_bar_is_io(c, 2));
	pci_cfg_write(c, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	assert_false(pci_cfg_bar_enabled(c, 2));
	pci_cfg_write(c, PCI_COMMAND, 2, PCI_COMMAND_IO);
	assert_true(pci_cfg_bar_enabled(c, 2));
}

static void test_bar_mem64(void **state)
{
	struct pci_cfg *c = *state;

	assert_int_equal(pci_cfg_set_bar(c, 0, 1 << 20, PCI_BAR_MEM64 | PCI_BAR_PREFETCH), 0);
	assert_int_equal(size_probe(c, PCI_BAR0), 0xfff0000c);
	assert_int_equal(size_probe(c, PCI_BAR0 + 4), 0xffffffff);
	assert_int_equal(pci_cfg_bar_size(c, 0), 1 << 20);
	assert_int_equal(pci_cfg_bar_size(c, 1), 0); /* upper half */
	pci_cfg_write(c, PCI_BAR0, 4, 0x00100000);
	pci_cfg_write(c, PCI_BAR0 + 4, 4, 0x00000012);
	assert_int_equal(pci_cfg_bar_addr(c, 0), 0x1200100000ULL);
	assert_int_equal(pci_cfg_bar_addr(c, 1), 0);

	/* 8 GiB: the size lives in the upper dword. */
	assert_int_equal(pci_cfg_set_bar(c, 2, 8ULL << 30, PCI_BAR_MEM64), 0);
	assert_int_equal(size_probe(c, PCI_BAR0 + 8), 0x00000004);
	assert_int_equal(size_probe(c, PCI_BAR0 + 12), 0xfffffffe);
	assert_int_equal(pci_cfg_bar_size(c, 2), 8ULL << 30);
	pci_cfg_write(c, PCI_BAR0 + 12, 4, 0x3);
	assert_int_equal(pci_cfg_bar_addr(c, 2), 0x200000000ULL);

	/* The upper half's data cannot make it look like a BAR of its own. */
	pci_cfg_write(c, PCI_BAR0 + 4, 4, 0x4);
	assert_int_equal(pci_cfg_bar_size(c, 1), 0);
	assert_int_equal(pci_cfg_bar_size(c, 2), 8ULL << 30);
	assert_false(pci_cfg_bar_is_io(c, 3));
}

static void test_bar_rejects(void **state)
{
	struct pci_cfg *c = *state;

	assert_int_equal(pci_cfg_set_bar(c, 6, 4096, PCI_BAR_MEM32), -EINVAL);
	assert_int_equal(pci_cfg_set_bar(c, 0, 3000, PCI_BAR_MEM32), -EINVAL);
	assert_int_equal(pci_cfg_set_bar(c, 0, 0, PCI_BAR_MEM32), -EINVAL);
	assert_int_equal(pci_cfg_set_bar(c, 0, 8, PCI_BAR_MEM32), -EINVAL);
	assert_int_equal(pci_cfg_set_bar(c, 0, 512, PCI_BAR_IO), -EINVAL);
	assert_int_equal(pci_cfg_set_bar(c, 0, 2, PCI_BAR_IO), -EINVAL);
	assert_int_equal(pci_cfg_set_bar(c, 0, 16, PCI_BAR_IO | PCI_BAR_PREFETCH), -EINVAL);
	assert_int_equal(pci_cfg_set_bar(c, 5, 4096, PCI_BAR_MEM64), -EINVAL);
	assert_int_equal(pci_cfg_set_bar(c, 0, 4ULL << 30, PCI_BAR_MEM32), -EINVAL);
	assert_int_equal(pci_cfg_set_bar(c, 0, 2ULL << 30, PCI_BAR_MEM32), 0);
	assert_int_equal(size_probe(c, PCI_BAR0), 0x80000000);
	assert_int_equal(pci_cfg_set_rom(c, 1024), -EINVAL);
	assert_int_equal(pci_cfg_set_rom(c, 32ULL << 20), -EINVAL);
}

static void test_rom(void **state)
{
	struct pci_cfg *c = *state;

	assert_int_equal(pci_cfg_set_rom(c, 64 << 10), 0);
	assert_int_equal(size_probe(c, PCI_ROM_ADDRESS), 0xffff0001);
	assert_int_equal(pci_cfg_bar_size(c, PCI_ROM_BAR), 64 << 10);
	pci_cfg_write(c, PCI_ROM_ADDRESS, 4, 0xc0010000);
	assert_int_equal(pci_cfg_bar_addr(c, PCI_ROM_BAR), 0xc0010000);
	pci_cfg_write(c, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	assert_false(pci_cfg_bar_enabled(c, PCI_ROM_BAR)); /* ROM enable bit off */
	pci_cfg_write(c, PCI_ROM_ADDRESS, 4, 0xc0010001);
	assert_true(pci_cfg_bar_enabled(c, PCI_ROM_BAR));
	assert_int_equal(pci_cfg_bar_addr(c, PCI_ROM_BAR), 0xc0010000);
	pci_cfg_write(c, PCI_COMMAND, 2, 0);
	assert_false(pci_cfg_bar_enabled(c, PCI_ROM_BAR));
}

static void test_caps(void **state)
{
	struct pci_cfg *c = *state;
	int a, b, d;

	assert_int_equal(pci_cfg_find_cap(c, 0x05), 0);
	a = pci_cfg_add_cap(c, 0x05, 14); /* MSI, 64-bit */
	assert_int_equal(a, 0x40);
	assert_int_equal(pci_cfg_read(c, PCI_CAP_PTR, 1), 0x40);
	assert_int_equal(pci_cfg_read(c, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST, PCI_STATUS_CAP_LIST);
	b = pci_cfg_add_cap(c, 0x11, 12); /* MSI-X, after 0x4e rounded up */
	assert_int_equal(b, 0x50);
	assert_int_equal(pci_cfg_read(c, a, 2), 0x5005);
	assert_int_equal(pci_cfg_read(c, b, 2), 0x0011);
	assert_int_equal(pci_cfg_find_cap(c, 0x11), 0x50);
	assert_int_equal(pci_cfg_find_cap(c, 0x05), 0x40);
	assert_int_equal(pci_cfg_find_cap(c, 0x10), 0);
	/* The list is read-only to the guest. */
	pci_cfg_write(c, a + 1, 1, 0);
	assert_int_equal(pci_cfg_read(c, a + 1, 1), 0x50);
	assert_int_equal(pci_cfg_add_cap(c, 0x09, 1), -EINVAL);
	assert_int_equal(pci_cfg_add_cap(c, 0x09, 0xa5), -ENOSPC);
	d = pci_cfg_add_cap(c, 0x09, 0xa4); /* fills 0x5c..0xff exactly */
	assert_int_equal(d, 0x5c);
	assert_int_equal(pci_cfg_add_cap(c, 0x09, 4), -ENOSPC);
}

static void test_bounds(void **state)
{
	struct pci_cfg *c = *state;

	assert_int_equal(pci_cfg_read(c, 4094, 4), 0xffffffff);
	assert_int_equal(pci_cfg_read(c, 4096, 1), 0xff);
	assert_int_equal(pci_cfg_read(c, 4095, 2), 0xffff);
	assert_int_equal(pci_cfg_read(c, 0, 3), 0xffffff);
	assert_int_equal(pci_cfg_read(c, 4092, 4), 0);
	/* Unaligned but in bounds. */
	assert_int_equal(pci_cfg_read(c, 1, 2), 0x7812);
	/* Dropped writes. */
	c->wmask[4095] = 0xff;
	pci_cfg_write(c, 4094, 4, 0xffffffff);
	pci_cfg_write(c, 4095, 3, 0xffffffff);
	assert_int_equal(pci_cfg_read(c, 4095, 1), 0);
	pci_cfg_write(c, 4095, 1, 0x7e);
	assert_int_equal(pci_cfg_read(c, 4095, 1), 0x7e);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_header),	   T(test_command_and_status), T(test_bar_mem32), T(test_bar_io),
		T(test_bar_mem64), T(test_bar_rejects),	       T(test_rom),	  T(test_caps),
		T(test_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
