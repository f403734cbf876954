// SPDX-License-Identifier: GPL-2.0
/* Passthrough BARs: mmap/trap split around the MSI-X pages, forwarding, moves. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "pt_fixture.h"

#define BAR0 FX_MMIO
#define BAR2 (FX_MMIO + 0x10000)
#define BAR3 (FX_MMIO + 0x11000)
#define IO4  0x2000

/* Program every BAR (so none decodes at 0), then turn on @cmd decoding. */
static void place_bars(struct fx *f, uint16_t cmd)
{
	fx_wr(f, PCI_BAR0, 4, (uint32_t)BAR0);
	fx_wr(f, PCI_BAR0 + 4, 4, 0);
	fx_wr(f, PCI_BAR0 + 8, 4, (uint32_t)BAR2);
	fx_wr(f, PCI_BAR0 + 12, 4, (uint32_t)BAR3);
	fx_wr(f, PCI_BAR0 + 16, 4, IO4);
	fx_clear(f);
	fx_wr(f, PCI_COMMAND, 2, cmd);
}

static void assert_map(struct fx *f, unsigned i, uint64_t gpa, uint64_t size, void *hva)
{
	assert_true(i < f->host.nr_maps);
	assert_int_equal(f->host.maps[i].gpa, gpa);
	assert_int_equal(f->host.maps[i].size, size);
	assert_ptr_equal(f->host.maps[i].hva, hva);
	assert_true(f->host.maps[i].live);
}

static void assert_trap(struct fx *f, unsigned i, bool pio, uint64_t base, uint64_t len)
{
	assert_true(i < f->host.nr_traps);
	assert_int_equal(f->host.traps[i].pio, pio);
	assert_int_equal(f->host.traps[i].base, base);
	assert_int_equal(f->host.traps[i].len, len);
	assert_true(f->host.traps[i].live);
}

static void test_msix_bar_split(void **state)
{
	struct fx *f = *state;

	place_bars(f, PCI_COMMAND_MEMORY);
	/* BAR0: the table page (table 0x2000, PBA 0x2800) trapped, the rest mapped. */
	assert_int_equal(f->host.nr_maps, 2);
	assert_map(f, 0, BAR0, 0x2000, f->bar0_map);
	assert_map(f, 1, BAR0 + 0x3000, 0x1000, f->bar0_map + 0x3000);
	/* Trapped: BAR0's table page, BAR2 (no mmap), BAR3 (sub-page). No I/O yet. */
	assert_int_equal(f->host.nr_traps, 3);
	assert_trap(f, 0, false, BAR0 + 0x2000, 0x1000);
	assert_trap(f, 1, false, BAR2, 0x1000);
	assert_trap(f, 2, false, BAR3, 0x100);
	assert_string_equal(f->host.order, "MTMTT");
}

static void test_msix_page_forwarding(void **state)
{
	struct fx *f = *state;
	uint8_t *bar0 = f->be.mem[0];

	place_bars(f, PCI_COMMAND_MEMORY);
	fx_clear(f);
	/* Bytes of the table page outside the table and PBA reach the device. */
	fake_bus_write(&f->host, false, BAR0 + 0x2100, 4, 0xdeadbeef);
	assert_int_equal(f->be.nr_writes, 1);
	assert_int_equal(f->be.writes[0].idx, VFIO_PCI_BAR0_REGION_INDEX);
	assert_int_equal(f->be.writes[0].off, 0x2100);
	assert_int_equal(f->be.writes[0].len, 4);
	assert_int_equal(f->be.writes[0].val, 0xdeadbeef);
	fake_put(bar0, 0x2ffc, 4, 0x01020304);
	assert_int_equal(fake_bus_read(&f->host, false, BAR0 + 0x2ffc, 4), 0x01020304);
	assert_int_equal(fake_bus_read(&f->host, false, BAR0 + 0x2ffe, 2), 0x0102);
	/* The table and PBA are ptvm's: no region access, not the device's bytes. */
	memset(bar0 + FX_TABLE, 0xaa, 0x100);
	memset(bar0 + FX_PBA, 0xaa, 8);
	fx_clear(f);
	fake_bus_write(&f->host, false, BAR0 + FX_TABLE, 4, 0xfee00000);
	assert_int_equal(fake_bus_read(&f->host, false, BAR0 + FX_TABLE, 4), 0xfee00000);
	assert_int_equal(fake_bus_read(&f->host, false, BAR0 + FX_TABLE + 12, 4), 1);
	assert_int_equal(fake_bus_read(&f->host, false, BAR0 + FX_PBA, 8), 0);
	assert_int_equal(f->be.nr_writes, 0);
	assert_int_equal(f->be.nr_reads[VFIO_PCI_BAR0_REGION_INDEX], 0);
	assert_int_equal(fake_get(bar0, FX_TABLE, 4), 0xaaaaaaaa);
}

static void test_pba_own_page(void **state)
{
	struct fx *f = fx_new();

	assert_non_null(f);
	fake_put(f->be.cfg, FX_MSIX + 8, 4, 0x3000); /* PBA on the last page */
	assert_int_equal(fx_create(f), 0);
	place_bars(f, PCI_COMMAND_MEMORY);
	assert_int_equal(f->host.nr_maps, 1);
	assert_map(f, 0, BAR0, 0x2000, f->bar0_map);
	assert_trap(f, 0, false, BAR0 + 0x2000, 0x2000);
	fx_free(f);
}

static void test_sparse_areas(void **state)
{
	struct fx *f = fx_new();
	struct pt_region_desc *r;

	assert_non_null(f);
	/* VFIO leaves the table page out itself: areas [0,0x1000) and [0x3000,0x4000). */
	r = &f->desc.regions[0];
	r->nr_areas = 2;
	r->areas[0].offset = 0x3000;
	r->areas[0].size = 0x1000;
	r->areas[0].map = f->bar0_map + 0x3000;
	r->areas[1].offset = 0;
	r->areas[1].size = 0x1000;
	r->areas[1].map = f->bar0_map;
	assert_int_equal(fx_create(f), 0);
	place_bars(f, PCI_COMMAND_MEMORY);
	assert_int_equal(f->host.nr_maps, 2);
	assert_map(f, 0, BAR0, 0x1000, f->bar0_map);
	assert_map(f, 1, BAR0 + 0x3000, 0x1000, f->bar0_map + 0x3000);
	assert_trap(f, 0, false, BAR0 + 0x1000, 0x2000);
	fx_free(f);
}

static void test_bar_move(void **state)
{
	struct fx *f = *state;
	uint64_t to = FX_MMIO + 0x100000;

	place_bars(f, PCI_COMMAND_MEMORY);
	fx_clear(f);
	fx_wr(f, PCI_BAR0, 4, (uint32_t)to);
	/* Old pieces go first (reverse order), then the new ones. */
	assert_string_equal(f->host.order, "UXUMTM");
	assert_int_equal(f->host.nr_unmaps, 2);
	assert_false(f->host.maps[0].live);
	assert_false(f->host.maps[1].live);
	assert_map(f, 2, to, 0x2000, f->bar0_map);
	assert_map(f, 3, to + 0x3000, 0x1000, f->bar0_map + 0x3000);
	assert_null(fake_trap_at(&f->host, false, BAR0 + 0x2000));
	assert_non_null(fake_trap_at(&f->host, false, to + 0x2000));
	/* The table moved with it. */
	fake_bus_write(&f->host, false, to + FX_TABLE + 8, 4, 0x41);
	assert_int_equal(fake_bus_read(&f->host, false, to + FX_TABLE + 8, 4), 0x41);
}

static void test_decode_off(void **state)
{
	struct fx *f = *state;

	place_bars(f, PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
	assert_int_equal(f->host.nr_traps, 4);
	fx_wr(f, PCI_COMMAND, 2, 0);
	assert_int_equal(f->host.nr_unmaps, f->host.nr_maps);
	assert_int_equal(f->host.nr_untraps, f->host.nr_traps);
	assert_null(fake_trap_at(&f->host, false, BAR0 + 0x2000));
	assert_null(fake_trap_at(&f->host, true, IO4));
}

static void test_io_bar(void **state)
{
	struct fx *f = *state;

	place_bars(f, PCI_COMMAND_IO);
	assert_int_equal(f->host.nr_maps, 0);
	assert_int_equal(f->host.nr_traps, 1);
	assert_trap(f, 0, true, IO4, 32);
	f->be.mem[4][0x10] = 0x77;
	assert_int_equal(fake_bus_read(&f->host, true, IO4 + 0x10, 1), 0x77);
	fake_bus_write(&f->host, true, IO4 + 4, 2, 0xbeef);
	assert_int_equal(f->be.writes[f->be.nr_writes - 1].idx, VFIO_PCI_BAR4_REGION_INDEX);
	assert_int_equal(fake_get(f->be.mem[4], 4, 2), 0xbeef);
}

static void test_trap_failure_unwinds(void **state)
{
	struct fx *f = *state;

	f->host.fail_trap_base_set = 1;
	f->host.fail_trap_base = BAR0 + 0x2000;
	place_bars(f, PCI_COMMAND_MEMORY);
	/* BAR0 failed after its first map: that map is undone; BAR2/3 stand. */
	assert_int_equal(f->host.nr_maps, 1);
	assert_int_equal(f->host.nr_unmaps, 1);
	assert_false(f->host.maps[0].live);
	assert_int_equal(f->host.nr_traps, 2);
	/* A later move of BAR0 retries cleanly, with nothing to unmap. */
	f->host.fail_trap_base_set = 0;
	fx_clear(f);
	fx_wr(f, PCI_BAR0, 4, (uint32_t)(FX_MMIO + 0x100000));
	assert_string_equal(f->host.order, "MTM");
}

static void test_stats(void **state)
{
	struct fx *f = *state;
	struct pt_stats s;

	place_bars(f, PCI_COMMAND_MEMORY);
	fake_bus_read(&f->host, false, BAR2, 4);
	fake_bus_read(&f->host, false, BAR0 + FX_TABLE, 4);
	fake_bus_write(&f->host, false, BAR3, 4, 0);
	pt_get_stats(f->pt, &s);
	assert_int_equal(s.trapped_reads, 2);
	assert_int_equal(s.trapped_writes, 1);
	assert_int_equal(s.relayed_irqs, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_msix_bar_split, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_msix_page_forwarding, fx_setup, fx_teardown),
		cmocka_unit_test(test_pba_own_page),
		cmocka_unit_test(test_sparse_areas),
		cmocka_unit_test_setup_teardown(test_bar_move, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_decode_off, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_io_bar, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_trap_failure_unwinds, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_stats, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
