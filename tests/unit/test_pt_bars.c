// SPDX-License-Identifier: GPL-2.0
/*
 * Passthrough BARs in the guest address space: memslots around the MSI-X
 * pages, forwarding, moves, overlaps that clear themselves, and memslots
 * that leave before the device stops decoding (Memory Space off, D3hot).
 */
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "pt_fixture.h"

#define BAR0 FX_MMIO
#define BAR2 (FX_MMIO + 0x10000)
#define BAR3 (FX_MMIO + 0x11000)
#define IO4  0x2000
#define PM   0x40 /* the fixture's PM capability */

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

static struct as_info at(struct fx *f, bool pio, uint64_t addr)
{
	struct as_info i;

	as_lookup(pio ? f->host.pio : f->host.mmio, addr, &i);
	return i;
}

/* [gpa, gpa + size) is one memslot onto @hva. */
static void assert_mem(struct fx *f, uint64_t gpa, uint64_t size, void *hva)
{
	struct fake_slot *s = fake_slot_at(&f->host, gpa);

	assert_non_null(s);
	assert_int_equal(s->size, size);
	assert_ptr_equal(s->hva, hva);
	assert_int_equal(at(f, false, gpa).kind, AS_MEM);
}

static void assert_trapped(struct fx *f, bool pio, uint64_t addr, const char *name)
{
	struct as_info i = at(f, pio, addr);

	assert_int_equal(i.kind, AS_TRAP);
	assert_string_equal(i.name, name);
}

static void test_msix_bar_split(void **state)
{
	struct fx *f = *state;

	place_bars(f, PCI_COMMAND_MEMORY);
	/* BAR0: the table page (table 0x2000, PBA 0x2800) trapped, the rest mapped. */
	assert_int_equal(fake_live_slots(&f->host), 2);
	assert_mem(f, BAR0, 0x2000, f->bar0_map);
	assert_mem(f, BAR0 + 0x3000, 0x1000, f->bar0_map + 0x3000);
	assert_trapped(f, false, BAR0 + 0x2000, "0000:06:00.0 BAR0");
	assert_trapped(f, false, BAR0 + 0x2fff, "0000:06:00.0 BAR0");
	/* BAR2 (no mmap) and BAR3 (sub-page) trapped; no I/O decoding yet. */
	assert_trapped(f, false, BAR2, "0000:06:00.0 BAR2");
	assert_trapped(f, false, BAR3 + 0xff, "0000:06:00.0 BAR3");
	assert_int_equal(at(f, false, BAR3 + 0x100).kind, AS_NONE);
	assert_int_equal(at(f, true, IO4).kind, AS_NONE);
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
	assert_int_equal(fake_live_slots(&f->host), 1);
	assert_mem(f, BAR0, 0x2000, f->bar0_map);
	assert_trapped(f, false, BAR0 + 0x2000, "0000:06:00.0 BAR0");
	assert_trapped(f, false, BAR0 + 0x3ffc, "0000:06:00.0 BAR0");
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
	assert_int_equal(fake_live_slots(&f->host), 2);
	assert_mem(f, BAR0, 0x1000, f->bar0_map);
	assert_mem(f, BAR0 + 0x3000, 0x1000, f->bar0_map + 0x3000);
	assert_trapped(f, false, BAR0 + 0x1000, "0000:06:00.0 BAR0");
	fx_free(f);
}

static void test_bar_move(void **state)
{
	struct fx *f = *state;
	uint64_t to = FX_MMIO + 0x100000;

	place_bars(f, PCI_COMMAND_MEMORY);
	fx_clear(f);
	fx_wr(f, PCI_BAR0, 4, (uint32_t)to);
	/* The old memslots go before the new ones come (KVM slots never overlap). */
	assert_string_equal(f->host.order, "DDSS");
	assert_null(fake_slot_at(&f->host, BAR0));
	assert_mem(f, to, 0x2000, f->bar0_map);
	assert_mem(f, to + 0x3000, 0x1000, f->bar0_map + 0x3000);
	assert_int_equal(at(f, false, BAR0 + 0x2000).kind, AS_NONE);
	assert_trapped(f, false, to + 0x2000, "0000:06:00.0 BAR0");
	/* The table moved with it. */
	fake_bus_write(&f->host, false, to + FX_TABLE + 8, 4, 0x41);
	assert_int_equal(fake_bus_read(&f->host, false, to + FX_TABLE + 8, 4), 0x41);
}

/*
 * Defect (found by fuzz_pt_config): a move the address space refuses (BAR0
 * into the top page of the 64-bit space, whose end is no 64-bit number) left
 * the BAR decoding at its old address with its memslots, while the model
 * said it was nowhere. It is nowhere now, in the view too.
 */
static void test_bar_move_refused(void **state)
{
	struct fx *f = *state;

	place_bars(f, PCI_COMMAND_MEMORY);
	fx_wr(f, PCI_BAR0, 4, 0xffffc000);
	fx_wr(f, PCI_BAR0 + 4, 4, 0xffffffff);
	assert_null(fake_slot_at(&f->host, BAR0));
	assert_null(fake_slot_at(&f->host, 0xffffc000));
	assert_int_equal(at(f, false, BAR0).kind, AS_NONE);
	assert_int_equal(at(f, false, BAR0 + FX_TABLE).kind, AS_NONE);
	/* Moved back below the top, it decodes again. */
	fx_wr(f, PCI_BAR0 + 4, 4, 0);
	assert_mem(f, 0xffffc000, 0x2000, f->bar0_map);
	assert_trapped(f, false, 0xffffc000 + FX_TABLE, "0000:06:00.0 BAR0");
}

/* Defect: clearing Memory Space left the memslot in while the device stopped decoding. */
static void test_decode_off_slots_leave_first(void **state)
{
	struct fx *f = *state;

	place_bars(f, PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
	assert_trapped(f, true, IO4, "0000:06:00.0 BAR4");
	fx_clear(f);
	fx_wr(f, PCI_COMMAND, 2, 0);
	/* Both memslots are deleted before COMMAND reaches the device. */
	assert_string_equal(f->host.order, "DDC");
	assert_int_equal(fake_live_slots(&f->host), 0);
	assert_int_equal(at(f, false, BAR0).kind, AS_NONE);
	assert_int_equal(at(f, false, BAR0 + 0x2000).kind, AS_NONE);
	assert_int_equal(at(f, true, IO4).kind, AS_NONE);
	assert_int_equal(fake_bus_read(&f->host, false, BAR2, 4), 0xffffffff);
	/* Decoding again: the device hears of it first, then the memslots return. */
	fx_clear(f);
	fx_wr(f, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	assert_string_equal(f->host.order, "CSS");
	assert_mem(f, BAR0, 0x2000, f->bar0_map);
}

/* Defect: a guest putting its device in D3hot then touching a BAR ended the VM. */
static void test_d3hot_takes_bars_out(void **state)
{
	struct fx *f = *state;

	place_bars(f, PCI_COMMAND_MEMORY);
	f->be.mem[2][0] = 0x5a;
	fx_clear(f);
	fx_wr(f, PM + PCI_PM_CTRL, 2, 3); /* PowerState D3hot */
	assert_string_equal(f->host.order, "DDC");
	assert_int_equal(fake_get(f->be.cfg, PM + PCI_PM_CTRL, 2) & 3, 3);
	assert_int_equal(fx_rd(f, PM + PCI_PM_CTRL, 2) & 3, 3);
	/* PCI PM 1.2 §5.3: memory space off; reads all-ones, writes dropped. */
	assert_int_equal(fake_live_slots(&f->host), 0);
	assert_int_equal(fake_bus_read(&f->host, false, BAR2, 4), 0xffffffff);
	assert_int_equal(fake_bus_read(&f->host, false, BAR0 + FX_TABLE, 4), 0xffffffff);
	fx_clear(f);
	fake_bus_write(&f->host, false, BAR2, 4, 0x1234);
	assert_int_equal(f->be.nr_writes, 0);
	/* Back to D0: the BARs decode where they were. */
	fx_wr(f, PM + PCI_PM_CTRL, 2, 0);
	assert_mem(f, BAR0, 0x2000, f->bar0_map);
	assert_int_equal(fake_bus_read(&f->host, false, BAR2, 1), 0x5a);
}

/* A power state the device refuses (D1 unsupported) leaves it in D0, decoding. */
static void test_refused_power_state(void **state)
{
	struct fx *f = *state;

	place_bars(f, PCI_COMMAND_MEMORY);
	f->be.refuse_off = PM + PCI_PM_CTRL;
	f->be.refuse_state = 1;
	fx_clear(f);
	fx_wr(f, PM + PCI_PM_CTRL, 2, 1);
	/* Out before the device was asked, back in once it said no. */
	assert_string_equal(f->host.order, "DDCSS");
	assert_int_equal(fx_rd(f, PM + PCI_PM_CTRL, 2) & 3, 0);
	assert_mem(f, BAR0, 0x2000, f->bar0_map);
}

/* Defect: a BAR refused for an overlap was never placed again. */
static void test_overlap_clears_itself(void **state)
{
	struct fx *f = *state;

	place_bars(f, PCI_COMMAND_MEMORY);
	f->be.mem[2][0x10] = 0x77;
	/* BAR2 onto BAR0: the one placed first (BAR0) decodes there. */
	fx_wr(f, PCI_BAR0 + 8, 4, (uint32_t)BAR0);
	assert_mem(f, BAR0, 0x2000, f->bar0_map);
	assert_trapped(f, false, BAR0 + 0x2000, "0000:06:00.0 BAR0");
	/* BAR0 away: BAR2 is seen at once, without being written again. */
	fx_wr(f, PCI_BAR0, 4, (uint32_t)(FX_MMIO + 0x200000));
	assert_trapped(f, false, BAR0, "0000:06:00.0 BAR2");
	assert_int_equal(fake_bus_read(&f->host, false, BAR0 + 0x10, 1), 0x77);
	/* And BAR0 back on top of it: BAR2 hides again, BAR0 is whole. */
	fx_wr(f, PCI_BAR0, 4, (uint32_t)BAR0);
	assert_mem(f, BAR0, 0x2000, f->bar0_map);
	fx_wr(f, PCI_BAR0 + 8, 4, (uint32_t)BAR2);
	assert_int_equal(fake_bus_read(&f->host, false, BAR2 + 0x10, 1), 0x77);
}

/* A BAR moved onto RAM is hidden by it, and whole again when moved off. */
static void test_bar_onto_ram(void **state)
{
	struct fx *f = *state;
	static uint8_t ram[0x10000] __attribute__((aligned(4096)));
	const struct as_map map = {0, sizeof(ram), ram};
	struct as_region *r;

	assert_int_equal(as_region_add(f->host.mmio, "ram", AS_PRIO_RAM, NULL, NULL, &r), 0);
	assert_int_equal(as_region_place(r, 0, sizeof(ram)), 0);
	assert_int_equal(as_region_set_maps(r, &map, 1), 0);
	assert_int_equal(as_commit(f->host.mmio), 0);
	place_bars(f, PCI_COMMAND_MEMORY);
	fx_wr(f, PCI_BAR0, 4, 0x8000); /* BAR0 [0x8000, 0xc000) inside RAM */
	assert_mem(f, 0, sizeof(ram), ram);
	assert_string_equal(at(f, false, 0xa000).name, "ram");
	fx_wr(f, PCI_BAR0, 4, (uint32_t)BAR0);
	assert_mem(f, BAR0, 0x2000, f->bar0_map);
	assert_mem(f, 0, sizeof(ram), ram);
}

/* No memslot for a map (KVM refuses it): its accesses are trapped and still work. */
static void test_slot_refused_is_trapped(void **state)
{
	struct fx *f = *state;

	f->host.fail_slot_gpa_set = 1;
	f->host.fail_slot_gpa = BAR0;
	fake_put(f->be.mem[0], 0x100, 4, 0xcafe0100);
	place_bars(f, PCI_COMMAND_MEMORY);
	assert_int_equal(fake_live_slots(&f->host), 1);
	assert_trapped(f, false, BAR0 + 0x100, "0000:06:00.0 BAR0");
	assert_int_equal(fake_bus_read(&f->host, false, BAR0 + 0x100, 4), 0xcafe0100);
	/* A later move retries cleanly. */
	f->host.fail_slot_gpa_set = 0;
	fx_wr(f, PCI_BAR0, 4, (uint32_t)(FX_MMIO + 0x100000));
	assert_mem(f, FX_MMIO + 0x100000, 0x2000, f->bar0_map);
}

static void test_io_bar(void **state)
{
	struct fx *f = *state;

	place_bars(f, PCI_COMMAND_IO);
	assert_int_equal(fake_live_slots(&f->host), 0);
	assert_trapped(f, true, IO4, "0000:06:00.0 BAR4");
	assert_trapped(f, true, IO4 + 31, "0000:06:00.0 BAR4");
	assert_int_equal(at(f, true, IO4 + 32).kind, AS_NONE);
	f->be.mem[4][0x10] = 0x77;
	assert_int_equal(fake_bus_read(&f->host, true, IO4 + 0x10, 1), 0x77);
	fake_bus_write(&f->host, true, IO4 + 4, 2, 0xbeef);
	assert_int_equal(f->be.writes[f->be.nr_writes - 1].idx, VFIO_PCI_BAR4_REGION_INDEX);
	assert_int_equal(fake_get(f->be.mem[4], 4, 2), 0xbeef);
}

static void test_destroy_leaves_nothing(void **state)
{
	struct fx *f = fx_new();

	assert_non_null(f);
	assert_int_equal(fx_create(f), 0);
	place_bars(f, PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
	pt_destroy(f->pt);
	f->pt = NULL;
	assert_int_equal(fake_live_slots(&f->host), 0);
	assert_int_equal(as_slots_used(f->host.mmio), 0);
	assert_int_equal(at(f, false, BAR2).kind, AS_NONE);
	assert_int_equal(at(f, true, IO4).kind, AS_NONE);
	fx_free(f);
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
}

struct mover {
	struct fx *f;
	volatile int stop;
	unsigned bad;
};

static void *bar2_reader(void *opaque)
{
	struct mover *m = opaque;

	while (!m->stop) {
		uint64_t v = fake_bus_read(&m->f->host, false, BAR2 + 0x20, 4);

		/* Either the device's bytes (decoding) or all-ones (moved away). */
		if (v != 0x11223344 && v != 0xffffffff)
			m->bad++;
	}
	return NULL;
}

/* Defect: a BAR move rewrote what trap handlers on other vCPUs were reading. */
static void test_move_while_dispatching(void **state)
{
	struct fx *f = *state;
	struct mover m = {.f = f};
	pthread_t t[2];
	unsigned i;

	place_bars(f, PCI_COMMAND_MEMORY);
	fake_put(f->be.mem[2], 0x20, 4, 0x11223344);
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, bar2_reader, &m), 0);
	for (i = 0; i < 3000; i++) {
		/* BAR2 away and back; BAR0 and COMMAND shuffled too. */
		fx_wr(f, PCI_BAR0 + 8, 4, (uint32_t)((i & 1) ? FX_MMIO + 0x400000 : BAR2));
		fx_wr(f, PCI_BAR0, 4, (uint32_t)((i & 2) ? FX_MMIO + 0x800000 : BAR0));
		if (i % 7 == 0)
			fx_wr(f, PCI_COMMAND, 2, (i & 8) ? 0 : PCI_COMMAND_MEMORY);
	}
	m.stop = 1;
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(m.bad, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_msix_bar_split, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_msix_page_forwarding, fx_setup, fx_teardown),
		cmocka_unit_test(test_pba_own_page),
		cmocka_unit_test(test_sparse_areas),
		cmocka_unit_test_setup_teardown(test_bar_move, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_decode_off_slots_leave_first, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_d3hot_takes_bars_out, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_refused_power_state, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_bar_move_refused, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_overlap_clears_itself, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_bar_onto_ram, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_slot_refused_is_trapped, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_io_bar, fx_setup, fx_teardown),
		cmocka_unit_test(test_destroy_leaves_nothing),
		cmocka_unit_test_setup_teardown(test_stats, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_move_while_dispatching, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
