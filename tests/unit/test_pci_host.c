// SPDX-License-Identifier: GPL-2.0
/* Host bridge: CF8/CFC and ECAM access, slots, BAR-move reporting. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <setjmp.h>
#include <cmocka.h>

#include "as.h"
#include "layout.h"
#include "pci/host.h"

#define CF8(bus, dev, fn, reg)	(0x80000000u | (bus) << 16 | (dev) << 11 | (fn) << 8 | (reg))
#define ECAM(bus, dev, fn, reg) ((uint64_t)(bus) << 20 | (dev) << 15 | (fn) << 12 | (reg))

struct map_call {
	unsigned bar;
	uint64_t old_addr, new_addr;
	bool enable;
};

struct fixture {
	struct as *pio, *mmio;
	struct pci_host *h;
	struct pci_dev dev;
	struct map_call calls[16];
	unsigned nr_calls;
	int map_ret;
};

static int fx_bar_map(struct pci_dev *dev, unsigned bar, uint64_t old_addr, uint64_t new_addr,
		      bool enable)
{
	struct fixture *f = dev->opaque;

	if (f->nr_calls < 16)
		f->calls[f->nr_calls] = (struct map_call){bar, old_addr, new_addr, enable};
	f->nr_calls++;
	return f->map_ret;
}

static const struct pci_dev_ops fx_ops = {
	.bar_map = fx_bar_map,
};

static const struct pci_cfg_id fx_id = {
	.vendor = 0x1af4,
	.device = 0x1041,
	.class_code = 0x020000,
	.revision = 1,
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f || as_create(&f->pio, "pio", NULL) || as_create(&f->mmio, "mmio", NULL))
		goto err;
	if (pci_host_create(&f->h))
		goto err;
	if (as_add_fixed(f->pio, "test", PORT_PCI_CONF_ADDR, PCI_HOST_CF8_PORTS, &pci_host_cf8_ops,
			 f->h) ||
	    as_add_fixed(f->mmio, "test", LAYOUT_ECAM_BASE, LAYOUT_ECAM_SIZE, &pci_host_ecam_ops,
			 f->h))
		goto err;
	pci_cfg_init_type0(&f->dev.cfg, &fx_id);
	if (pci_cfg_set_bar(&f->dev.cfg, 0, 4096, PCI_BAR_MEM32) ||
	    pci_cfg_set_bar(&f->dev.cfg, 1, 32, PCI_BAR_IO) ||
	    pci_cfg_set_bar(&f->dev.cfg, 2, 1 << 20, PCI_BAR_MEM64 | PCI_BAR_PREFETCH) ||
	    pci_cfg_set_rom(&f->dev.cfg, 64 << 10))
		goto err;
	f->dev.ops = &fx_ops;
	f->dev.opaque = f;
	f->dev.name = "test";
	*state = f;
	return 0;
err:
	free(f);
	return -1;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	pci_host_destroy(f->h);
	as_destroy(f->pio);
	as_destroy(f->mmio);
	free(f);
	return 0;
}

static uint32_t pio_in(struct fixture *f, uint16_t port, unsigned size)
{
	uint32_t v = 0;

	as_read(f->pio, port, &v, size);
	return v;
}

static void pio_out(struct fixture *f, uint16_t port, unsigned size, uint32_t v)
{
	as_write(f->pio, port, &v, size);
}

/* Configuration mechanism #1, as an OS does it. */
static uint32_t cf8_read(struct fixture *f, unsigned dev, unsigned fn, unsigned reg, unsigned size)
{
	pio_out(f, 0xcf8, 4, CF8(0, dev, fn, reg & 0xfc));
	return pio_in(f, 0xcfc + (reg & 3), size);
}

static void cf8_write(struct fixture *f, unsigned dev, unsigned reg, unsigned size, uint32_t v)
{
	pio_out(f, 0xcf8, 4, CF8(0, dev, 0, reg & 0xfc));
	pio_out(f, 0xcfc + (reg & 3), size, v);
}

static uint64_t ecam_read(struct fixture *f, uint64_t off, unsigned size)
{
	uint64_t v = 0;

	as_read(f->mmio, LAYOUT_ECAM_BASE + off, &v, size);
	return v;
}

static void ecam_write(struct fixture *f, uint64_t off, unsigned size, uint64_t v)
{
	as_write(f->mmio, LAYOUT_ECAM_BASE + off, &v, size);
}

static void test_host_bridge_identity(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(cf8_read(f, 0, 0, 0x00, 4), 0x00081b36);
	assert_int_equal(cf8_read(f, 0, 0, 0x08, 4), 0x06000000);
	assert_int_equal(cf8_read(f, 0, 0, 0x0e, 1), 0x00); /* type 0, single function */
	assert_int_equal(ecam_read(f, ECAM(0, 0, 0, 0), 4), 0x00081b36);
	/* The rest of bus 0 is empty. */
	assert_int_equal(cf8_read(f, 1, 0, 0, 4), 0xffffffff);
	assert_int_equal(cf8_read(f, 31, 0, 0, 2), 0xffff);
	assert_int_equal(cf8_read(f, 0, 1, 0, 4), 0xffffffff);
	assert_int_equal(ecam_read(f, ECAM(0, 5, 0, 0), 4), 0xffffffff);
}

static void test_cf8_latch(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(pio_in(f, 0xcf8, 4), 0);
	/* Reserved bits 30:24 and 1:0 read as 0. */
	pio_out(f, 0xcf8, 4, 0xffffffff);
	assert_int_equal(pio_in(f, 0xcf8, 4), 0x80fffffc);
	/* Byte and word accesses at 0xcf8..0xcfb are not the latch. */
	pio_out(f, 0xcf8, 1, 0);
	pio_out(f, 0xcfb, 1, 0x01);
	pio_out(f, 0xcf8, 2, 0);
	assert_int_equal(pio_in(f, 0xcf8, 4), 0x80fffffc);
	assert_int_equal(pio_in(f, 0xcf8, 1), 0xff);
	assert_int_equal(pio_in(f, 0xcf9, 1), 0xff);
	assert_int_equal(pio_in(f, 0xcfa, 2), 0xffff);
	/* Linux's pci_check_type1(). */
	pio_out(f, 0xcfb, 1, 0x01);
	pio_out(f, 0xcf8, 4, 0x80000000);
	assert_int_equal(pio_in(f, 0xcf8, 4), 0x80000000);
	/* With the enable bit clear, data accesses go nowhere. */
	pio_out(f, 0xcf8, 4, 0x00000000);
	assert_int_equal(pio_in(f, 0xcfc, 4), 0xffffffff);
	/* Bus 1 does not exist. */
	pio_out(f, 0xcf8, 4, CF8(1, 0, 0, 0));
	assert_int_equal(pio_in(f, 0xcfc, 4), 0xffffffff);
}

static void test_cf8_byte_lanes(void **state)
{
	struct fixture *f = *state;

	pio_out(f, 0xcf8, 4, CF8(0, 0, 0, 0));
	assert_int_equal(pio_in(f, 0xcfc, 2), 0x1b36);
	assert_int_equal(pio_in(f, 0xcfe, 2), 0x0008);
	assert_int_equal(pio_in(f, 0xcfd, 1), 0x1b);
	assert_int_equal(pio_in(f, 0xcfd, 2), 0x081b);
	/* A dword at 0xcfd runs past 0xcff: unclaimed. */
	assert_int_equal(pio_in(f, 0xcfd, 4), 0xffffffff);
	/* Word write to the interrupt line through lane 0xcfc of dword 0x3c. */
	cf8_write(f, 0, 0x3c, 1, 0x0a);
	assert_int_equal(cf8_read(f, 0, 0, 0x3c, 1), 0x0a);
}

static void test_attach_rules(void **state)
{
	struct fixture *f = *state;
	struct pci_dev other = {0};

	assert_int_equal(pci_host_attach(f->h, 0, &f->dev), -EINVAL);
	assert_int_equal(pci_host_attach(f->h, 32, &f->dev), -EINVAL);
	assert_int_equal(pci_host_attach(f->h, 3, &f->dev), 0);
	assert_int_equal(pci_host_attach(f->h, 3, &other), -EBUSY);
	assert_int_equal(cf8_read(f, 3, 0, 0, 4), 0x10411af4);
	assert_int_equal(pci_host_detach(f->h, 3), 0);
	assert_int_equal(pci_host_detach(f->h, 3), -ENOENT);
	assert_int_equal(pci_host_detach(f->h, 0), -EINVAL);
	assert_int_equal(cf8_read(f, 3, 0, 0, 4), 0xffffffff);
}

static void test_ecam_cf8_equivalence(void **state)
{
	struct fixture *f = *state;
	unsigned reg;

	assert_int_equal(pci_host_attach(f->h, 7, &f->dev), 0);
	/* Program through ECAM, read through CF8 ... */
	ecam_write(f, ECAM(0, 7, 0, 0x10), 4, 0xc0000000);
	ecam_write(f, ECAM(0, 7, 0, 0x3c), 1, 0x05);
	/* ... and the other way round. */
	cf8_write(f, 7, 0x14, 4, 0x2000);
	cf8_write(f, 7, 0x0c, 1, 0x10);
	for (reg = 0; reg < 256; reg += 4)
		assert_int_equal(cf8_read(f, 7, 0, reg, 4), ecam_read(f, ECAM(0, 7, 0, reg), 4));
	assert_int_equal(cf8_read(f, 7, 0, 0x10, 4), 0xc0000000);
	assert_int_equal(ecam_read(f, ECAM(0, 7, 0, 0x14), 4), 0x2001);
	assert_int_equal(ecam_read(f, ECAM(0, 7, 0, 0x0c), 1), 0x10);
	/* Sub-dword ECAM reads match CF8 byte lanes. */
	assert_int_equal(ecam_read(f, ECAM(0, 7, 0, 0x02), 2), cf8_read(f, 7, 0, 0x02, 2));
	assert_int_equal(ecam_read(f, ECAM(0, 7, 0, 0x3d), 1), cf8_read(f, 7, 0, 0x3d, 1));
}

static void test_ecam_sizes_and_bounds(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(pci_host_attach(f->h, 2, &f->dev), 0);
	/* An aligned qword is two dwords, low first. */
	assert_int_equal(ecam_read(f, ECAM(0, 2, 0, 0), 8), 0x0000000010411af4ULL);
	ecam_write(f, ECAM(0, 2, 0, 0x10), 8, 0x00002000c0000000ULL);
	assert_int_equal(ecam_read(f, ECAM(0, 2, 0, 0x10), 4), 0xc0000000);
	assert_int_equal(ecam_read(f, ECAM(0, 2, 0, 0x14), 4), 0x2001);
	assert_int_equal(ecam_read(f, ECAM(0, 2, 0, 0x10), 8), 0x00002001c0000000ULL);
	/* Crossing a dword: all-ones, write dropped. */
	assert_int_equal(ecam_read(f, ECAM(0, 2, 0, 0x02), 4), 0xffffffff);
	assert_int_equal(ecam_read(f, ECAM(0, 2, 0, 0x03), 2), 0xffff);
	assert_int_equal(ecam_read(f, ECAM(0, 2, 0, 0x04), 8), ~0ULL);
	ecam_write(f, ECAM(0, 2, 0, 0x3b), 2, 0x0909);
	assert_int_equal(ecam_read(f, ECAM(0, 2, 0, 0x3c), 1), 0);
	/* Extended space is reachable through ECAM only (and reads 0 here). */
	assert_int_equal(ecam_read(f, ECAM(0, 2, 0, 0x100), 4), 0);
	assert_int_equal(ecam_read(f, ECAM(0, 2, 0, 0xffc), 4), 0);
	/* Other buses and functions are absent. */
	assert_int_equal(ecam_read(f, ECAM(1, 2, 0, 0), 4), 0xffffffff);
	assert_int_equal(ecam_read(f, ECAM(255, 0, 0, 0), 4), 0xffffffff);
	assert_int_equal(ecam_read(f, ECAM(0, 2, 3, 0), 4), 0xffffffff);
}

static void expect_call(struct fixture *f, unsigned i, unsigned bar, uint64_t old_addr,
			uint64_t new_addr)
{
	assert_true(i < f->nr_calls);
	assert_int_equal(f->calls[i].bar, bar);
	assert_int_equal(f->calls[i].old_addr, old_addr);
	assert_int_equal(f->calls[i].new_addr, new_addr);
	assert_int_equal(f->calls[i].enable, new_addr != PCI_BAR_UNMAPPED);
}

static void test_bar_map_reports(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(pci_host_attach(f->h, 1, &f->dev), 0);
	/* Sizing and programming with decode off: nothing decodes, no calls. */
	cf8_write(f, 1, 0x10, 4, 0xffffffff);
	assert_int_equal(cf8_read(f, 1, 0, 0x10, 4), 0xfffff000);
	cf8_write(f, 1, 0x10, 4, 0xc0000000);
	cf8_write(f, 1, 0x14, 4, 0x1000);
	cf8_write(f, 1, 0x18, 4, 0x00000000);
	cf8_write(f, 1, 0x1c, 4, 0x00000010);
	assert_int_equal(f->nr_calls, 0);

	/* Memory decode on: BAR 0 and the 64-bit BAR 2 appear. */
	cf8_write(f, 1, 0x04, 2, PCI_COMMAND_MEMORY);
	assert_int_equal(f->nr_calls, 2);
	expect_call(f, 0, 0, PCI_BAR_UNMAPPED, 0xc0000000);
	expect_call(f, 1, 2, PCI_BAR_UNMAPPED, 0x1000000000ULL);

	/* Moving BAR 0 while decoding. */
	f->nr_calls = 0;
	cf8_write(f, 1, 0x10, 4, 0xc0001000);
	assert_int_equal(f->nr_calls, 1);
	expect_call(f, 0, 0, 0xc0000000, 0xc0001000);
	/* Rewriting the same address is not a move. */
	cf8_write(f, 1, 0x10, 4, 0xc0001000);
	assert_int_equal(f->nr_calls, 1);
	/* The upper dword of the 64-bit BAR moves it as a whole. */
	cf8_write(f, 1, 0x1c, 4, 0x00000020);
	assert_int_equal(f->nr_calls, 2);
	expect_call(f, 1, 2, 0x1000000000ULL, 0x2000000000ULL);

	/* I/O decode on as well; memory stays. */
	f->nr_calls = 0;
	cf8_write(f, 1, 0x04, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
	assert_int_equal(f->nr_calls, 1);
	expect_call(f, 0, 1, PCI_BAR_UNMAPPED, 0x1000);

	/* ROM: its enable bit under memory decode. */
	f->nr_calls = 0;
	cf8_write(f, 1, 0x30, 4, 0xc0010001);
	assert_int_equal(f->nr_calls, 1);
	expect_call(f, 0, PCI_ROM_BAR, PCI_BAR_UNMAPPED, 0xc0010000);

	/* Memory decode off: BARs 0, 2 and the ROM go. */
	f->nr_calls = 0;
	cf8_write(f, 1, 0x04, 2, PCI_COMMAND_IO);
	assert_int_equal(f->nr_calls, 3);
	expect_call(f, 0, 0, 0xc0001000, PCI_BAR_UNMAPPED);
	expect_call(f, 1, 2, 0x2000000000ULL, PCI_BAR_UNMAPPED);
	expect_call(f, 2, PCI_ROM_BAR, 0xc0010000, PCI_BAR_UNMAPPED);

	/* Off the bus and back with I/O decoding: the BAR is gone, then there again. */
	f->nr_calls = 0;
	assert_int_equal(pci_host_detach(f->h, 1), 0);
	assert_int_equal(f->nr_calls, 1);
	expect_call(f, 0, 1, 0x1000, PCI_BAR_UNMAPPED);
	assert_int_equal(pci_host_attach(f->h, 1, &f->dev), 0);
	assert_int_equal(f->nr_calls, 2);
	expect_call(f, 1, 1, PCI_BAR_UNMAPPED, 0x1000);

	/* A failing bar_map is the guest's problem: logged, write stands. */
	f->nr_calls = 0;
	f->map_ret = -EEXIST;
	cf8_write(f, 1, 0x14, 4, 0x2000);
	assert_int_equal(f->nr_calls, 1);
	assert_int_equal(cf8_read(f, 1, 0, 0x14, 4), 0x2001);
	f->map_ret = 0;

	/* Detach unmaps what still decodes. */
	f->nr_calls = 0;
	assert_int_equal(pci_host_detach(f->h, 1), 0);
	assert_int_equal(f->nr_calls, 1);
	expect_call(f, 0, 1, 0x2000, PCI_BAR_UNMAPPED);
}

struct hook_dev {
	struct pci_dev dev;
	unsigned writes;
};

static uint32_t hook_read(struct pci_dev *dev, unsigned off, unsigned size)
{
	return off == 0x40 ? 0xcafe : pci_cfg_read(&dev->cfg, off, size);
}

static void hook_write(struct pci_dev *dev, unsigned off, unsigned size, uint32_t val)
{
	struct hook_dev *h = (struct hook_dev *)dev;

	h->writes++;
	if (off != PCI_COMMAND) /* swallow COMMAND writes */
		pci_cfg_write(&dev->cfg, off, size, val);
}

static const struct pci_dev_ops hook_ops = {
	.cfg_read = hook_read,
	.cfg_write = hook_write,
};

static void test_cfg_hooks(void **state)
{
	struct fixture *f = *state;
	struct hook_dev hd = {0};

	pci_cfg_init_type0(&hd.dev.cfg, &fx_id);
	hd.dev.ops = &hook_ops;
	assert_int_equal(pci_host_attach(f->h, 9, &hd.dev), 0);
	assert_int_equal(cf8_read(f, 9, 0, 0x40, 4), 0xcafe);
	assert_int_equal(cf8_read(f, 9, 0, 0x00, 4), 0x10411af4);
	cf8_write(f, 9, 0x04, 2, PCI_COMMAND_MEMORY);
	cf8_write(f, 9, 0x3c, 1, 0x0b);
	assert_int_equal(hd.writes, 2);
	assert_int_equal(cf8_read(f, 9, 0, 0x04, 2), 0);
	assert_int_equal(cf8_read(f, 9, 0, 0x3c, 1), 0x0b);
	assert_int_equal(pci_host_detach(f->h, 9), 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_host_bridge_identity), T(test_cf8_latch),
		T(test_cf8_byte_lanes),	      T(test_attach_rules),
		T(test_ecam_cf8_equivalence), T(test_ecam_sizes_and_bounds),
		T(test_bar_map_reports),      T(test_cfg_hooks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
