// SPDX-License-Identifier: GPL-2.0
/* Passthrough config space: header, masks, capability lists, ROM, INTx, reset, fds. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <sys/eventfd.h>
#include <cmocka.h>

#include "pt_fixture.h"

/* PCI 3.0 §6.2.5.1 sizing: write all-ones, read back, restore. */
static uint32_t size_probe(struct fx *f, unsigned off)
{
	uint32_t old = fx_rd(f, off, 4), v;

	fx_wr(f, off, 4, 0xffffffff);
	v = fx_rd(f, off, 4);
	fx_wr(f, off, 4, old);
	return v;
}

static void test_header_view(void **state)
{
	struct fx *f = *state;

	assert_int_equal(fx_rd(f, PCI_VENDOR_ID, 4), 0x0a548086);
	assert_int_equal(fx_rd(f, PCI_CLASS_PROG, 1), 0x02);
	/* One function in the guest's slot; BIST not offered. */
	assert_int_equal(fx_rd(f, PCI_HEADER_TYPE, 1), 0x00);
	assert_int_equal(fx_rd(f, 0x0f, 1), 0x00);
	/* Reset values: decoding off, interrupt line 0, pin from the device. */
	assert_int_equal(fx_rd(f, PCI_COMMAND, 2), 0);
	assert_int_equal(fx_rd(f, PCI_INTERRUPT_LINE, 1), 0);
	assert_int_equal(fx_rd(f, PCI_INTERRUPT_PIN, 1), 1);
	/* The host had decoding and bus mastering on: turned off in the device. */
	assert_int_equal(fake_get(f->be.cfg, PCI_COMMAND, 2), 0);
	/* Status: capability list from ptvm, the rest from the device. */
	f->be.cfg[PCI_STATUS + 1] = 0x20; /* Received Master Abort */
	assert_int_equal(fx_rd(f, PCI_STATUS, 2), 0x2010);
}

static void test_cap_chain(void **state)
{
	static const unsigned ids[] = {0x01, 0x05, 0x10, 0x11, 0x09};
	static const unsigned offs[] = {0x40, FX_MSI, FX_EXP, FX_MSIX, 0xc0};
	struct fx *f = *state;
	unsigned off, i;

	assert_true(fx_rd(f, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
	off = fx_rd(f, PCI_CAP_PTR, 1);
	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		assert_int_equal(off, offs[i]);
		assert_int_equal(fx_rd(f, off, 1), ids[i]);
		off = fx_rd(f, off + 1, 1);
	}
	assert_int_equal(off, 0);
	/* Extended list: AER -> (SR-IOV hidden) -> DSN. */
	assert_int_equal(fx_rd(f, 0x100, 4), 0x0001 | 2 << 16 | 0x180 << 20);
	assert_int_equal(fx_rd(f, 0x180, 4), 0x0003 | 1 << 16);
	/* Capability headers are read-only. */
	fx_wr(f, 0x41, 1, 0);
	fx_wr(f, 0x100, 4, 0);
	assert_int_equal(fx_rd(f, 0x41, 1), FX_MSI);
	assert_int_equal(fx_rd(f, 0x100, 2), 0x0001);
}

static void test_cap_chain_broken(void **state)
{
	struct fx *f = fx_new();

	assert_non_null(f);
	/* PM's next points back at itself; the first extended cap is SR-IOV. */
	f->be.cfg[0x41] = 0x40;
	fake_put(f->be.cfg, 0x100, 4, 0x0010 | 1 << 16 | 0x180 << 20);
	assert_int_equal(fx_create(f), 0);
	assert_int_equal(fx_rd(f, PCI_CAP_PTR, 1), 0x40);
	assert_int_equal(fx_rd(f, 0x41, 1), 0);
	/* The head cannot be unlinked: ID 0, version 0, next kept. */
	assert_int_equal(fx_rd(f, 0x100, 4), 0x180 << 20);
	fx_free(f);
}

static void test_no_caps(void **state)
{
	struct fx *f = fx_new();

	assert_non_null(f);
	f->be.cfg[PCI_STATUS] = 0;
	f->desc.regions[VFIO_PCI_CONFIG_REGION_INDEX].size = 256;
	assert_int_equal(fx_create(f), 0);
	assert_int_equal(fx_rd(f, PCI_CAP_PTR, 1), 0);
	assert_int_equal(fx_rd(f, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST, 0);
	/* A conventional function: extended space reads all-ones. */
	assert_int_equal(fx_rd(f, 0x100, 4), 0xffffffff);
	fx_free(f);
}

static void test_bar_sizing(void **state)
{
	struct fx *f = *state;

	/* 16 KiB 64-bit BAR0: low half keeps its type bits, high half all ones. */
	assert_int_equal(size_probe(f, PCI_BAR0), 0xffffc004);
	assert_int_equal(size_probe(f, PCI_BAR0 + 4), 0xffffffff);
	assert_int_equal(size_probe(f, PCI_BAR0 + 8), 0xfffff008);
	assert_int_equal(size_probe(f, PCI_BAR0 + 12), 0xffffff00);
	assert_int_equal(size_probe(f, PCI_BAR0 + 16), 0xffffffe1);
	assert_int_equal(size_probe(f, PCI_BAR0 + 20), 0);
	assert_int_equal(size_probe(f, PCI_ROM_ADDRESS), 0xffff0001);
	/* A 64-bit address, and nothing of it reaches the device. */
	fx_clear(f);
	fx_wr(f, PCI_BAR0, 4, 0x00004000);
	fx_wr(f, PCI_BAR0 + 4, 4, 0x00000001);
	assert_int_equal(fx_rd(f, PCI_BAR0, 4), 0x00004004);
	assert_int_equal(fx_rd(f, PCI_BAR0 + 4, 4), 1);
	assert_int_equal(f->be.nr_writes, 0);
	assert_int_equal(fake_get(f->be.cfg, PCI_BAR0, 4), 0xfe000004);
}

static void test_command_to_hw(void **state)
{
	struct fx *f = *state;

	fx_clear(f);
	fx_wr(f, PCI_COMMAND, 2, PCI_COMMAND_MASTER | PCI_COMMAND_INTX_OFF);
	assert_int_equal(fake_get(f->be.cfg, PCI_COMMAND, 2),
			 PCI_COMMAND_MASTER | PCI_COMMAND_INTX_OFF);
	assert_int_equal(fx_rd(f, PCI_COMMAND, 2), PCI_COMMAND_MASTER | PCI_COMMAND_INTX_OFF);
	/* Only the command register was written, as 2 bytes. */
	assert_int_equal(f->be.nr_writes, 1);
	assert_int_equal(f->be.writes[0].off, PCI_COMMAND);
	assert_int_equal(f->be.writes[0].len, 2);
	/* Bits the guest does not own (fast back-to-back, reserved) are dropped. */
	fx_wr(f, PCI_COMMAND, 2, 0xf800 | PCI_COMMAND_MASTER);
	assert_int_equal(fx_rd(f, PCI_COMMAND, 2), PCI_COMMAND_MASTER);
	assert_int_equal(fake_get(f->be.cfg, PCI_COMMAND, 2), PCI_COMMAND_MASTER);
}

static void test_status_w1c_to_hw(void **state)
{
	struct fx *f = *state;

	fx_clear(f);
	/* A dword write to COMMAND/STATUS: status RW1C bits go to the device. */
	fx_wr(f, PCI_COMMAND, 4, 0x2000u << 16 | PCI_COMMAND_MEMORY);
	/* Byte 6 carries no hardware bits: two runs, COMMAND and STATUS[15:8]. */
	assert_int_equal(f->be.nr_writes, 2);
	assert_int_equal(f->be.writes[0].off, PCI_COMMAND);
	assert_int_equal(f->be.writes[0].len, 2);
	assert_int_equal(f->be.writes[0].val, PCI_COMMAND_MEMORY);
	assert_int_equal(f->be.writes[1].off, PCI_STATUS + 1);
	assert_int_equal(f->be.writes[1].len, 1);
	assert_int_equal(f->be.writes[1].val, 0x20);
}

static void test_readonly_dropped(void **state)
{
	struct fx *f = *state;

	fx_clear(f);
	fx_wr(f, PCI_VENDOR_ID, 4, 0);
	fx_wr(f, PCI_INTERRUPT_PIN, 1, 3);
	fx_wr(f, FX_MSIX + 4, 4, 0x1000 | 2); /* table offset/BIR */
	fx_wr(f, FX_EXP + 4, 4, 0);	      /* Device Capabilities */
	fx_wr(f, FX_EXP + 0x12, 2, 0xffff);   /* Link Status */
	fx_wr(f, 0x104, 4, 0);		      /* AER uncorrectable status: RW1C, to the device */
	assert_int_equal(fx_rd(f, PCI_VENDOR_ID, 4), 0x0a548086);
	assert_int_equal(fx_rd(f, PCI_INTERRUPT_PIN, 1), 1);
	assert_int_equal(fx_rd(f, FX_MSIX + 4, 4), FX_TABLE);
	assert_int_equal(fx_rd(f, FX_EXP + 4, 4), 0x10008fc1);
	/* Only the AER uncorrectable status write went to the device. */
	assert_int_equal(f->be.nr_writes, 1);
	assert_int_equal(f->be.writes[0].off, 0x104);
	/* Interrupt line: the guest's, not the device's. */
	fx_wr(f, PCI_INTERRUPT_LINE, 1, 10);
	assert_int_equal(fx_rd(f, PCI_INTERRUPT_LINE, 1), 10);
	assert_int_equal(f->be.cfg[PCI_INTERRUPT_LINE], 11);
	assert_int_equal(f->be.nr_writes, 1);
}

static void test_pcie_devctl(void **state)
{
	struct fx *f = *state;

	/* Relaxed ordering + MPS 512 + phantom + MRRS 4096: MPS stays virtual. */
	fx_wr(f, FX_EXP + 8, 2, 0x0010 | 2 << 5 | 0x0200 | 5 << 12);
	assert_int_equal(fx_rd(f, FX_EXP + 8, 2), 0x0010 | 2 << 5 | 5 << 12);
	assert_int_equal(fake_get(f->be.cfg, FX_EXP + 8, 2), 0x0010 | 1 << 5 | 5 << 12);
	/* Device Control 2 (version 2): completion timeout reaches the device. */
	fx_wr(f, FX_EXP + 0x28, 2, 0x0405);
	assert_int_equal(fake_get(f->be.cfg, FX_EXP + 0x28, 2), 0x0005);
	/* PM: power state D3hot reaches the device. */
	fx_wr(f, 0x44, 2, 3);
	assert_int_equal(fake_get(f->be.cfg, 0x44, 2), 3);
	/* Vendor-specific body is raw, its header is not. */
	fx_wr(f, 0xc4, 4, 0x12345678);
	assert_int_equal(fake_get(f->be.cfg, 0xc4, 4), 0x12345678);
	fx_wr(f, 0xc0, 4, 0xffffffff);
	assert_int_equal(fx_rd(f, 0xc0, 2), 0x0009);
	assert_int_equal(fx_rd(f, 0xc2, 1), 8);
	assert_int_equal(fx_rd(f, 0xc3, 1), 0xff);
}

static void test_pcie_v1(void **state)
{
	struct fx *f = fx_new();

	assert_non_null(f);
	fake_put(f->be.cfg, FX_EXP + 2, 2, 0x0001);	   /* version 1: no Device Control 2 */
	fake_put(f->be.cfg, FX_EXP + 0x0c, 4, 0x00000c12); /* L0s+L1, x1 5 GT/s */
	fake_put(f->be.cfg, FX_EXP + 0x10, 2, 0x0040);
	fake_put(f->be.cfg, FX_EXP + 0x12, 2, 0x1011);
	assert_int_equal(fx_create(f), 0);
	assert_int_equal(fx_rd(f, FX_EXP + 2, 2), 0x0001);
	fx_clear(f);
	fx_wr(f, FX_EXP + 0x28, 2, 0x0005);
	assert_int_equal(f->be.nr_writes, 0);
	/* A version 1 endpoint has Link registers: virtual as in version 2. */
	assert_int_equal(fx_rd(f, FX_EXP + 0x0c, 4), 0x00000012);
	assert_int_equal(fx_rd(f, FX_EXP + 0x10, 2), 0);
	assert_int_equal(fx_rd(f, FX_EXP + 0x12, 2), 0x1011);
	fx_wr(f, FX_EXP + 0x10, 2, 0x0003);
	assert_int_equal(fx_rd(f, FX_EXP + 0x10, 2), 0x0003);
	assert_int_equal(f->be.nr_writes, 0);
	assert_int_equal(fake_get(f->be.cfg, FX_EXP + 0x10, 2), 0x0040);
	fx_free(f);
}

/* The PCIe capability's registers an Endpoint does not have, as (offset, size). */
static const struct {
	unsigned off, size;
} no_ep_regs[] = {
	{0x14, 4}, {0x18, 2}, {0x1a, 2}, /* Slot Capabilities, Control, Status */
	{0x1c, 2}, {0x1e, 2}, {0x20, 4}, /* Root Control, Capabilities, Status */
	{0x32, 2},			 /* Link Status 2 */
	{0x34, 4}, {0x38, 2}, {0x3a, 2}, /* Slot Capabilities 2, Control 2, Status 2 */
};

/* A version 2 function with every register the device has full of bits. */
static struct fx *fx_pcie_busy(uint16_t flags)
{
	struct fx *f = fx_new();
	unsigned i;

	if (!f)
		return NULL;
	for (i = 0x0c; i < 0x3c; i += 4)
		fake_put(f->be.cfg, FX_EXP + i, 4, 0x5a5a5a5a);
	fake_put(f->be.cfg, FX_EXP + 2, 2, flags);
	fake_put(f->be.cfg, FX_EXP + 0x0c, 4, 0x0073fc41); /* ASPM, Clock PM, DLLLARC; x4 Gen1 */
	fake_put(f->be.cfg, FX_EXP + 0x10, 4, 0x30420043); /* ASPM L0s+L1, CCC; x4 5 GT/s, SCC */
	fake_put(f->be.cfg, FX_EXP + 0x24, 4, 0x0000001f); /* DevCap2 */
	fake_put(f->be.cfg, FX_EXP + 0x28, 4, 0x00000000); /* DevCtl2, DevSta2 */
	fake_put(f->be.cfg, FX_EXP + 0x2c, 4, 0x00000006); /* LnkCap2: 2.5 and 5 GT/s */
	fake_put(f->be.cfg, FX_EXP + 0x30, 4, 0x00000002); /* LnkCtl2: target 5 GT/s */
	return f;
}

/* The Link registers an Endpoint below ptvm's root port shows (pt_exp.c). */
static void assert_ep_link(struct fx *f)
{
	unsigned i;

	/* Max speed/width and ASPM Optionality: no ASPM, Clock PM, DLLLARC; Port 0. */
	assert_int_equal(fx_rd(f, FX_EXP + 0x0c, 4), 0x00400041);
	assert_int_equal(fx_rd(f, FX_EXP + 0x10, 2), 0);
	/* Trained as on the host: x4 at 5 GT/s, Slot Clock Configuration. */
	assert_int_equal(fx_rd(f, FX_EXP + 0x12, 2), 0x1042);
	assert_int_equal(fx_rd(f, FX_EXP + 0x2c, 4), 0x6);
	assert_int_equal(fx_rd(f, FX_EXP + 0x30, 2), 0x2);
	for (i = 0; i < ARRAY_SIZE(no_ep_regs); i++)
		assert_int_equal(fx_rd(f, FX_EXP + no_ep_regs[i].off, no_ep_regs[i].size), 0);
}

static void test_pcie_endpoint(void **state)
{
	/* An Endpoint, a Legacy Endpoint, an RCiEP, all claiming a slot. */
	static const uint16_t flags[] = {0x0102, 0x0112, 0x0192};
	static const uint16_t want[] = {0x0002, 0x0012, 0x0002};
	struct fx *f;
	unsigned t;

	for (t = 0; t < ARRAY_SIZE(flags); t++) {
		f = fx_pcie_busy(flags[t]);
		assert_non_null(f);
		assert_int_equal(fx_create(f), 0);
		/* Device/Port Type (0000b or the device's 0001b), Slot Implemented 0. */
		assert_int_equal(fx_rd(f, FX_EXP + 2, 2), want[t]);
		assert_int_equal(fx_rd(f, FX_EXP + 2, 1), want[t] & 0xff);
		assert_int_equal(fx_rd(f, FX_EXP, 4),
				 (uint32_t)want[t] << 16 | FX_MSIX << 8 | 0x10);
		assert_ep_link(f);
		/* Device Capabilities and Capabilities 2 stay the device's. */
		assert_int_equal(fx_rd(f, FX_EXP + 4, 4), 0x10008fc1);
		assert_int_equal(fx_rd(f, FX_EXP + 0x24, 4), 0x1f);
		/* And so after a reset, Link Control written before included. */
		fx_wr(f, FX_EXP + 0x10, 2, 0x0043);
		assert_int_equal(pt_reset(f->pt), 0);
		assert_int_equal(fx_rd(f, FX_EXP + 2, 2), want[t]);
		assert_ep_link(f);
		fx_free(f);
	}
}

/* A device that shows no trained link (an RCiEP on the host) gets x1 at 2.5 GT/s. */
static void test_pcie_no_link(void **state)
{
	struct fx *f = fx_new();

	assert_non_null(f);
	fake_put(f->be.cfg, FX_EXP + 2, 2, 0x0092);
	assert_int_equal(fx_create(f), 0);
	assert_int_equal(fx_rd(f, FX_EXP + 2, 2), 0x0002);
	assert_int_equal(fx_rd(f, FX_EXP + 0x0c, 4), 0x00000011);
	assert_int_equal(fx_rd(f, FX_EXP + 0x12, 2), 0x0011);
	fx_free(f);
}

static void test_pcie_link_writes_private(void **state)
{
	struct fx *f = fx_pcie_busy(0x0002);
	unsigned i;

	assert_non_null(f);
	assert_int_equal(fx_create(f), 0);
	fx_clear(f);
	/* ASPM on, retrain; then every such register written all-ones. */
	fx_wr(f, FX_EXP + 0x10, 2, 0x0023);
	assert_int_equal(fx_rd(f, FX_EXP + 0x10, 2), 0x0003);
	fx_wr(f, FX_EXP + 0x10, 4, 0xffffffff);
	fx_wr(f, FX_EXP + 0x30, 2, 0xffff);
	fx_wr(f, FX_EXP + 0x02, 2, 0xffff);
	for (i = 0; i < ARRAY_SIZE(no_ep_regs); i++)
		fx_wr(f, FX_EXP + no_ep_regs[i].off, no_ep_regs[i].size, 0xffffffff);
	assert_int_equal(f->be.nr_writes, 0);
	assert_int_equal(fake_get(f->be.cfg, FX_EXP + 0x10, 4), 0x30420043);
	assert_int_equal(fake_get(f->be.cfg, FX_EXP + 0x30, 4), 0x00000002);
	/* Link Control keeps the Endpoint's bits, Link Control 2 all of them; Status is RO. */
	assert_int_equal(fx_rd(f, FX_EXP + 0x10, 2), 0x03cb);
	assert_int_equal(fx_rd(f, FX_EXP + 0x12, 2), 0x1042);
	assert_int_equal(fx_rd(f, FX_EXP + 0x30, 2), 0xffff);
	assert_int_equal(fx_rd(f, FX_EXP + 2, 2), 0x0002);
	/* Device Control and Control 2 still reach the device. */
	fx_wr(f, FX_EXP + 8, 2, 0x0010 | 1 << 5);
	fx_wr(f, FX_EXP + 0x28, 2, 0x0005);
	assert_int_equal(f->be.nr_writes, 2);
	assert_int_equal(fake_get(f->be.cfg, FX_EXP + 0x28, 2), 0x0005);
	fx_free(f);
}

static void test_pcie_v1_rciep(void **state)
{
	struct fx *f = fx_new();

	assert_non_null(f);
	/* A version 1 RCiEP ends after Device Status: what follows is not its. */
	fake_put(f->be.cfg, FX_EXP + 2, 2, 0x0091);
	fake_put(f->be.cfg, FX_EXP + 0x0c, 4, 0x12345678);
	assert_int_equal(fx_create(f), 0);
	assert_int_equal(fx_rd(f, FX_EXP + 2, 2), 0x0091);
	assert_int_equal(fx_rd(f, FX_EXP + 0x0c, 4), 0x12345678);
	fx_free(f);
}

/* Whether the guest's capability list has one at @at. */
static bool cap_listed(struct fx *f, unsigned at)
{
	unsigned off;

	for (off = fx_rd(f, PCI_CAP_PTR, 1); off; off = fx_rd(f, off + 1, 1))
		if (off == at)
			return true;
	return false;
}

static void test_cap_cut_off(void **state)
{
	struct fx *f = fx_new();

	assert_non_null(f);
	/* A second PM after the vendor capability, at 0xfc: its PMCSR would be at 0x100. */
	f->be.cfg[0xc1] = 0xfc;
	f->be.cfg[0xfc] = 0x01, f->be.cfg[0xfd] = 0;
	fake_put(f->be.cfg, 0xfe, 2, 0x0003);
	assert_int_equal(fx_create(f), 0);
	assert_false(cap_listed(f, 0xfc));
	assert_int_equal(fx_rd(f, 0xc1, 1), 0);
	assert_int_equal(fx_rd(f, 0x100, 4), 0x0001 | 2 << 16 | 0x180 << 20);
	fx_free(f);
}

static void test_pcie_cut_off(void **state)
{
	struct fx *f = fx_new();

	assert_non_null(f);
	/* The only PCIe capability, version 2, at 0xd0: its 0x3c bytes run past 0x100. */
	f->be.cfg[FX_MSI + 1] = FX_MSIX;
	f->be.cfg[0xc1] = 0xd0;
	f->be.cfg[0xd0] = 0x10, f->be.cfg[0xd1] = 0;
	fake_put(f->be.cfg, 0xd2, 2, 0x0002);
	fake_put(f->be.cfg, 0xd8, 2, 0x2020);
	assert_int_equal(fx_create(f), 0);
	assert_false(cap_listed(f, 0xd0));
	assert_int_equal(fx_rd(f, 0xc1, 1), 0);
	/* Hidden whole: Device Control is the device's and a write reaches nothing. */
	fx_clear(f);
	fx_wr(f, 0xd8, 2, 0x0010 | 2 << 5);
	assert_int_equal(f->be.nr_writes, 0);
	assert_int_equal(fx_rd(f, 0xd8, 2), 0x2020);
	fx_free(f);
}

static void test_bad_access(void **state)
{
	struct fx *f = *state;

	fx_clear(f);
	/* Crossing a dword, odd sizes, beyond 4 KiB: all-ones, dropped. */
	assert_int_equal(fx_rd(f, 0x03, 2), 0xffff);
	assert_int_equal(fx_rd(f, 0x01, 4), 0xffffffff);
	assert_int_equal(fx_rd(f, 0x04, 3), 0xffffff);
	assert_int_equal(fx_rd(f, 0x1000, 4), 0xffffffff);
	fx_wr(f, 0x03, 2, PCI_COMMAND_MASTER << 8);
	fx_wr(f, 0x04, 3, PCI_COMMAND_MASTER);
	fx_wr(f, 0xffe, 4, 0);
	assert_int_equal(fx_rd(f, PCI_COMMAND, 2), 0);
	assert_int_equal(f->be.nr_writes, 0);
	assert_int_equal(f->be.nr_reads[VFIO_PCI_CONFIG_REGION_INDEX], 0);
	/* A byte inside a dword is fine. */
	fx_wr(f, PCI_COMMAND, 1, PCI_COMMAND_MASTER);
	assert_int_equal(fx_rd(f, PCI_COMMAND, 2), PCI_COMMAND_MASTER);
}

static void test_rom(void **state)
{
	struct fx *f = *state;
	uint64_t rom = FX_MMIO + 0x100000;
	struct as_info i;

	fx_wr(f, PCI_ROM_ADDRESS, 4, (uint32_t)rom | PCI_ROM_ENABLE);
	as_lookup(f->host.mmio, rom, &i);
	assert_int_equal(i.kind, AS_NONE); /* memory decode still off */
	fx_wr(f, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	as_lookup(f->host.mmio, rom + FX_ROM_SIZE - 1, &i);
	assert_int_equal(i.kind, AS_TRAP);
	assert_string_equal(i.name, "0000:06:00.0 ROM0");
	assert_int_equal(i.off, FX_ROM_SIZE - 1);
	as_lookup(f->host.mmio, rom + FX_ROM_SIZE, &i);
	assert_int_equal(i.kind, AS_NONE);
	assert_int_equal(fake_bus_read(&f->host, false, rom + 0x1234, 4),
			 (0x34 ^ 0x5a) | (0x35 ^ 0x5a) << 8 | (0x36 ^ 0x5a) << 16 |
				 (uint32_t)(0x37 ^ 0x5a) << 24);
	/* Read-only: a write changes nothing and reaches no region. */
	fx_clear(f);
	fake_bus_write(&f->host, false, rom, 4, 0);
	assert_int_equal(f->be.nr_writes, 0);
	assert_int_equal(fake_bus_read(&f->host, false, rom, 1), 0x5a);
	/* ROM enable off: untrapped. */
	fx_wr(f, PCI_ROM_ADDRESS, 4, (uint32_t)rom);
	as_lookup(f->host.mmio, rom, &i);
	assert_int_equal(i.kind, AS_NONE);
}

static void test_intx_bound(void **state)
{
	struct fx *f = *state;

	assert_int_equal(f->host.nr_intx_bind, 1);
	assert_int_equal(f->host.intx_slot, FX_SLOT);
	assert_int_equal(f->host.intx_pin, 1);
	assert_true(fx_fd_open(f->host.intx_trigger));
	assert_true(fx_fd_open(f->host.intx_resample));
	assert_int_not_equal(f->host.intx_trigger, f->host.intx_resample);
	assert_int_equal(f->be.nr_irqs, 1);
	assert_int_equal(f->be.irqs[0].index, VFIO_PCI_INTX_IRQ_INDEX);
	assert_int_equal(f->be.irqs[0].start, 0);
	assert_int_equal(f->be.irqs[0].count, 1);
	assert_int_equal(f->be.irqs[0].fds[0], f->host.intx_trigger);
	assert_int_equal(f->be.unmask_fd, f->host.intx_resample);
}

static void test_no_intx(void **state)
{
	struct fx *f = fx_new();

	assert_non_null(f);
	f->desc.irq_count[VFIO_PCI_INTX_IRQ_INDEX] = 0;
	assert_int_equal(fx_create(f), 0);
	assert_int_equal(fx_rd(f, PCI_INTERRUPT_PIN, 1), 0);
	assert_int_equal(f->host.nr_intx_bind, 0);
	assert_int_equal(f->be.nr_irqs, 0);
	fx_free(f);
}

static void test_create_rejects(void **state)
{
	struct fx *f = fx_new();
	struct pt_host host = {&fake_host_ops, &f->host, f->host.mmio, f->host.pio};
	struct pt *pt;

	assert_non_null(f);
	f->be.cfg[PCI_HEADER_TYPE] = 0x01; /* a bridge */
	assert_int_equal(pt_create(&pt, &fake_be_ops, &f->be, &f->desc, &host, 1), -EINVAL);
	memset(f->be.cfg, 0xff, 4);
	assert_int_equal(pt_create(&pt, &fake_be_ops, &f->be, &f->desc, &host, 1), -ENODEV);
	f->desc.regions[VFIO_PCI_CONFIG_REGION_INDEX].size = 64;
	assert_int_equal(pt_create(&pt, &fake_be_ops, &f->be, &f->desc, &host, 1), -EINVAL);
	fx_free(f);
}

static void test_reset(void **state)
{
	struct fx *f = *state;

	fx_wr(f, PCI_BAR0, 4, (uint32_t)FX_MMIO);
	fx_wr(f, PCI_BAR0 + 4, 4, 0);
	fx_wr(f, PCI_INTERRUPT_LINE, 1, 10);
	fx_wr(f, FX_MSIX + 2, 2, 0x8000);
	fx_wr(f, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	assert_int_equal(fake_live_slots(&f->host), 2);
	fake_bus_write(&f->host, false, FX_MMIO + FX_TABLE, 4, 0xfee00000);
	fake_bus_write(&f->host, false, FX_MMIO + FX_TABLE + 12, 4, 0);
	fx_clear(f);
	assert_int_equal(pt_reset(f->pt), 0);
	assert_int_equal(f->be.nr_resets, 1);
	assert_int_equal(fx_rd(f, PCI_COMMAND, 2), 0);
	assert_int_equal(fake_get(f->be.cfg, PCI_COMMAND, 2), 0);
	assert_int_equal(fx_rd(f, PCI_BAR0, 4), 0x4);
	assert_int_equal(fx_rd(f, PCI_INTERRUPT_LINE, 1), 0);
	assert_int_equal(fx_rd(f, FX_MSIX + 2, 2), FX_MSIX_NR - 1);
	/* Every BAR is out of the guest, MSI-X is off in VFIO and INTx is back. */
	assert_int_equal(fake_live_slots(&f->host), 0);
	assert_int_equal(fake_bus_read(&f->host, false, FX_MMIO + FX_TABLE, 4), 0xffffffff);
	assert_int_equal(f->be.nr_irqs, 2);
	assert_int_equal(f->be.irqs[0].index, VFIO_PCI_MSIX_IRQ_INDEX);
	assert_int_equal(f->be.irqs[0].count, 0);
	assert_int_equal(f->be.irqs[1].index, VFIO_PCI_INTX_IRQ_INDEX);
	assert_int_equal(f->be.irqs[1].count, 1);
	assert_int_equal(f->host.nr_removes, 1);
	/* The MSI-X table is back to its reset state: masked, message 0. */
	fx_wr(f, PCI_BAR0, 4, (uint32_t)FX_MMIO);
	fx_wr(f, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	assert_int_equal(fake_bus_read(&f->host, false, FX_MMIO + FX_TABLE, 4), 0);
	assert_int_equal(fake_bus_read(&f->host, false, FX_MMIO + FX_TABLE + 12, 4), 1);
}

static void test_reset_unsupported(void **state)
{
	struct fx *f = fx_new();

	assert_non_null(f);
	f->desc.can_reset = false;
	assert_int_equal(fx_create(f), 0);
	fx_wr(f, PCI_COMMAND, 2, PCI_COMMAND_MASTER);
	assert_int_equal(pt_reset(f->pt), 0);
	assert_int_equal(f->be.nr_resets, 0);
	assert_int_equal(fx_rd(f, PCI_COMMAND, 2), 0);
	fx_free(f);
}

static void test_destroy_closes_fds(void **state)
{
	unsigned before = fx_open_fds(), v;
	struct fx *f = fx_new();

	assert_non_null(f);
	assert_int_equal(fx_create(f), 0);
	/* MSI-X on, vectors 0 and 5 unmasked: two more eventfds. */
	fx_wr(f, PCI_BAR0, 4, (uint32_t)FX_MMIO);
	fx_wr(f, PCI_BAR0 + 4, 4, 0);
	fx_wr(f, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	fx_wr(f, FX_MSIX + 2, 2, 0x8000);
	for (v = 0; v < FX_MSIX_NR; v += 5)
		fake_bus_write(&f->host, false, FX_MMIO + FX_TABLE + 16 * v + 12, 4, 0);
	assert_int_equal(fx_open_fds(), before + 2 + 4); /* INTx pair + vectors 0, 5, 10, 15 */
	pt_destroy(f->pt);
	f->pt = NULL;
	assert_int_equal(fx_open_fds(), before);
	assert_int_equal(f->host.nr_intx_unbind, 1);
	assert_int_equal(fake_live_slots(&f->host), 0);
	assert_int_equal(as_slots_used(f->host.mmio), 0);
	assert_int_equal(f->host.nr_removes, 4);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_header_view, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_cap_chain, fx_setup, fx_teardown),
		cmocka_unit_test(test_cap_chain_broken),
		cmocka_unit_test(test_no_caps),
		cmocka_unit_test_setup_teardown(test_bar_sizing, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_command_to_hw, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_status_w1c_to_hw, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_readonly_dropped, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_pcie_devctl, fx_setup, fx_teardown),
		cmocka_unit_test(test_pcie_v1),
		cmocka_unit_test(test_pcie_endpoint),
		cmocka_unit_test(test_pcie_no_link),
		cmocka_unit_test(test_pcie_link_writes_private),
		cmocka_unit_test(test_pcie_v1_rciep),
		cmocka_unit_test(test_cap_cut_off),
		cmocka_unit_test(test_pcie_cut_off),
		cmocka_unit_test_setup_teardown(test_bad_access, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_rom, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_intx_bound, fx_setup, fx_teardown),
		cmocka_unit_test(test_no_intx),
		cmocka_unit_test(test_create_rejects),
		cmocka_unit_test_setup_teardown(test_reset, fx_setup, fx_teardown),
		cmocka_unit_test(test_reset_unsupported),
		cmocka_unit_test(test_destroy_closes_fds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
