// SPDX-License-Identifier: GPL-2.0
/* Passthrough MSI: the emulated capability, its route and VFIO's MSI index. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <sys/eventfd.h>
#include <cmocka.h>

#include "pt_fixture.h"

/* The fixture's MSI capability is 64-bit with per-vector masking. */
#define CTRL   (FX_MSI + 2)
#define ADDR   (FX_MSI + 4)
#define ADDRHI (FX_MSI + 8)
#define DATA   (FX_MSI + 0x0c)
#define MASK   (FX_MSI + 0x10)
#define PEND   (FX_MSI + 0x14)

static void program(struct fx *f)
{
	fx_wr(f, ADDR, 4, 0xfee00000);
	fx_wr(f, ADDRHI, 4, 0);
	fx_wr(f, DATA, 2, 0x4031);
}

static void test_capability_view(void **state)
{
	struct fx *f = *state;

	/* One vector: Multiple Message Capable 0 (the device says 4), MME read-only. */
	assert_int_equal(fx_rd(f, CTRL, 2), 0x0180);
	fx_wr(f, CTRL, 2, 0x0070);
	assert_int_equal(fx_rd(f, CTRL, 2), 0x0180);
	/* Address bits 1:0 are 0; data is 16 bits; only mask bit 0 exists. */
	fx_wr(f, ADDR, 4, 0xfee00003);
	fx_wr(f, DATA, 4, 0xffffffff);
	fx_wr(f, MASK, 4, 0xffffffff);
	assert_int_equal(fx_rd(f, ADDR, 4), 0xfee00000);
	assert_int_equal(fx_rd(f, DATA, 4), 0x0000ffff);
	assert_int_equal(fx_rd(f, MASK, 4), 1);
	/* All of it is ptvm's: the device's capability is untouched. */
	assert_int_equal(fake_get(f->be.cfg, ADDR, 4), 0);
	assert_int_equal(fake_get(f->be.cfg, CTRL, 2), 0x0184);
}

static void test_enable(void **state)
{
	struct fx *f = *state;
	int fd;

	program(f);
	fx_clear(f);
	assert_int_equal(f->host.nr_routes, 0);
	fx_wr(f, CTRL, 2, 1);
	/* INTx leaves VFIO, then MSI vector 0 with a fresh eventfd. */
	assert_int_equal(f->be.nr_irqs, 2);
	assert_int_equal(f->be.irqs[0].index, VFIO_PCI_INTX_IRQ_INDEX);
	assert_int_equal(f->be.irqs[0].count, 0);
	assert_int_equal(f->be.irqs[1].index, VFIO_PCI_MSI_IRQ_INDEX);
	assert_int_equal(f->be.irqs[1].start, 0);
	assert_int_equal(f->be.irqs[1].count, 1);
	fd = f->be.irqs[1].fds[0];
	assert_true(fx_fd_open(fd));
	assert_int_equal(f->host.nr_routes, 1);
	assert_int_equal(f->host.routes[0].addr, 0xfee00000);
	assert_int_equal(f->host.routes[0].data, 0x4031);
	assert_int_equal(f->host.routes[0].fd, fd);
	assert_int_equal(fx_rd(f, CTRL, 2), 0x0181);
	/* Message change while enabled: the route follows. */
	fx_wr(f, DATA, 2, 0x4032);
	assert_int_equal(f->host.nr_updates, 1);
	assert_int_equal(f->host.routes[0].data, 0x4032);
	/* Disable: route, VFIO index and eventfd go; INTx comes back. */
	fx_clear(f);
	fx_wr(f, CTRL, 2, 0);
	assert_int_equal(f->host.nr_removes, 1);
	assert_false(fx_fd_open(fd));
	assert_int_equal(f->be.nr_irqs, 2);
	assert_int_equal(f->be.irqs[0].index, VFIO_PCI_MSI_IRQ_INDEX);
	assert_int_equal(f->be.irqs[0].count, 0);
	assert_int_equal(f->be.irqs[1].index, VFIO_PCI_INTX_IRQ_INDEX);
	assert_int_equal(f->be.irqs[1].count, 1);
}

static void test_mask_pending(void **state)
{
	struct fx *f = *state;
	int fd;

	program(f);
	fx_wr(f, MASK, 4, 1);
	fx_wr(f, CTRL, 2, 1);
	/* Enabled but masked: bound to VFIO, no route. */
	assert_int_equal(f->host.nr_routes, 0);
	fd = f->be.irqs[f->be.nr_irqs - 1].fds[0];
	assert_int_equal(fx_rd(f, PEND, 4), 0);
	assert_int_equal(eventfd_write(fd, 1), 0);
	assert_int_equal(fx_rd(f, PEND, 4), 1);
	/* Unmask: routed, and no longer pending. */
	fx_wr(f, MASK, 4, 0);
	assert_int_equal(f->host.nr_routes, 1);
	assert_int_equal(f->host.routes[0].fd, fd);
	assert_int_equal(fx_rd(f, PEND, 4), 0);
	/* Mask again: route removed. */
	fx_wr(f, MASK, 4, 1);
	assert_int_equal(f->host.nr_removes, 1);
	assert_false(f->host.routes[0].live);
}

static void test_msix_wins(void **state)
{
	struct fx *f = *state;
	unsigned i;

	program(f);
	fx_wr(f, FX_MSIX + 2, 2, 0x8000);
	fx_clear(f);
	/* MSI enable while MSI-X is on: no MSI index in VFIO, no route. */
	fx_wr(f, CTRL, 2, 1);
	for (i = 0; i < f->be.nr_irqs; i++)
		assert_int_not_equal(f->be.irqs[i].index, VFIO_PCI_MSI_IRQ_INDEX);
	assert_int_equal(f->host.nr_routes, 0);
	/* MSI-X off: now MSI takes over, not INTx. */
	fx_wr(f, FX_MSIX + 2, 2, 0);
	assert_int_equal(f->be.irqs[f->be.nr_irqs - 1].index, VFIO_PCI_MSI_IRQ_INDEX);
	assert_int_equal(f->be.irqs[f->be.nr_irqs - 1].count, 1);
	assert_int_equal(f->host.nr_routes, 1);
}

static void test_32bit_no_mask(void **state)
{
	struct fx *f = fx_new();

	assert_non_null(f);
	fake_put(f->be.cfg, CTRL, 2, 0x0000); /* 32-bit, no per-vector mask */
	assert_int_equal(fx_create(f), 0);
	/* 32-bit layout: data at +8; the rest is not the capability's. */
	fx_wr(f, ADDR, 4, 0xfee00000);
	fx_wr(f, FX_MSI + 8, 2, 0x4041);
	fx_wr(f, CTRL, 2, 1);
	assert_int_equal(f->host.nr_routes, 1);
	assert_int_equal(f->host.routes[0].addr, 0xfee00000);
	assert_int_equal(f->host.routes[0].data, 0x4041);
	fx_free(f);
}

static void test_cut_off_at_0x100(void **state)
{
	struct fx *f = fx_new();
	unsigned off;

	assert_non_null(f);
	/*
	 * The only MSI sits at 0xec, 64-bit with per-vector masking: its
	 * Pending Bits would be at 0x100, past the end of the capability
	 * space. PM links to PCIe, the vendor capability to the MSI.
	 */
	f->be.cfg[0x41] = FX_EXP;
	f->be.cfg[0xc1] = 0xec;
	f->be.cfg[0xec] = 0x05, f->be.cfg[0xed] = 0;
	fake_put(f->be.cfg, 0xee, 2, 0x0180);
	assert_int_equal(fx_create(f), 0);
	for (off = fx_rd(f, PCI_CAP_PTR, 1); off; off = fx_rd(f, off + 1, 1))
		assert_int_not_equal(fx_rd(f, off, 1), 0x05);
	/* Reads of the would-be Pending Bits leave the extended list's head alone. */
	assert_int_equal(fx_rd(f, 0x100, 4), 0x0001 | 2 << 16 | 0x180 << 20);
	assert_int_equal(fx_rd(f, 0x100, 1), 0x01);
	assert_int_equal(fx_rd(f, 0x102, 2), 2 | 0x180 << 4);
	assert_int_equal(fx_rd(f, 0x100, 4), 0x0001 | 2 << 16 | 0x180 << 20);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_capability_view, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_enable, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_mask_pending, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_msix_wins, fx_setup, fx_teardown),
		cmocka_unit_test(test_32bit_no_mask),
		cmocka_unit_test(test_cut_off_at_0x100),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
