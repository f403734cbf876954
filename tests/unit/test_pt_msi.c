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

	/* VFIO has one MSI vector: Multiple Message Capable 0 (the device says 4). */
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

/* The fixture with VFIO giving @vfio MSI vectors (the device is capable of 4). */
static struct fx *msi_vectors(unsigned vfio)
{
	struct fx *f = fx_new();

	assert_non_null(f);
	f->desc.irq_count[VFIO_PCI_MSI_IRQ_INDEX] = vfio;
	assert_int_equal(fx_create(f), 0);
	program(f);
	return f;
}

static void test_multiple_message(void **state)
{
	struct fx *f = msi_vectors(4);

	/* PCI 3.0 §6.8.1.3: MMC 2 (4 vectors); MME the guest's, at most MMC. */
	assert_int_equal(fx_rd(f, CTRL, 2), 0x0184);
	fx_wr(f, CTRL, 2, 1 << 4);
	assert_int_equal(fx_rd(f, CTRL, 2), 0x0194);
	fx_wr(f, CTRL, 2, 5 << 4);
	assert_int_equal(fx_rd(f, CTRL, 2), 0x01a4);
	/* §6.8.1.7: one Mask bit per capable vector. */
	fx_wr(f, MASK, 4, 0xffffffff);
	assert_int_equal(fx_rd(f, MASK, 4), 0xf);
	/* Nothing of it reaches the device. */
	assert_int_equal(fake_get(f->be.cfg, CTRL, 2), 0x0184);
	fx_free(f);
	/* VFIO's count bounds MMC too: 2 vectors of the device's 4. */
	f = msi_vectors(3);
	assert_int_equal(fx_rd(f, CTRL, 2), 0x0182);
	fx_wr(f, CTRL, 2, 2 << 4);
	assert_int_equal(fx_rd(f, CTRL, 2), 0x0192);
	fx_wr(f, MASK, 4, 0xffffffff);
	assert_int_equal(fx_rd(f, MASK, 4), 0x3);
	fx_free(f);
}

static void test_four_vectors(void **state)
{
	struct fx *f = msi_vectors(4);
	unsigned i, j;

	fx_clear(f);
	fx_wr(f, CTRL, 2, 2 << 4 | 1);
	/* VFIO's MSI index with 4 distinct eventfds. */
	assert_int_equal(f->be.nr_irqs, 2);
	assert_int_equal(f->be.irqs[1].index, VFIO_PCI_MSI_IRQ_INDEX);
	assert_int_equal(f->be.irqs[1].start, 0);
	assert_int_equal(f->be.irqs[1].count, 4);
	for (i = 0; i < 4; i++) {
		assert_true(fx_fd_open(f->be.irqs[1].fds[i]));
		for (j = 0; j < i; j++)
			assert_int_not_equal(f->be.irqs[1].fds[i], f->be.irqs[1].fds[j]);
	}
	/* §6.8.1.6: vector i sends Message Data with its low 2 bits replaced by i. */
	assert_int_equal(f->host.nr_routes, 4);
	for (i = 0; i < 4; i++) {
		assert_int_equal(f->host.routes[i].addr, 0xfee00000);
		assert_int_equal(f->host.routes[i].data, 0x4030 | i);
		assert_int_equal(f->host.routes[i].fd, f->be.irqs[1].fds[i]);
	}
	/* A new Message Data moves all four, in one commit. */
	fx_clear(f);
	f->host.nr_commits = 0;
	fx_wr(f, DATA, 2, 0x4041);
	assert_int_equal(f->host.nr_updates, 4);
	assert_int_equal(f->host.nr_commits, 1);
	assert_int_equal(f->host.nr_staged, 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(f->host.routes[i].data, 0x4040 | i);
	fx_free(f);
}

static void test_vector_mask(void **state)
{
	struct fx *f = msi_vectors(4);
	int fd2;

	fx_wr(f, MASK, 4, 1 << 2);
	fx_wr(f, CTRL, 2, 2 << 4 | 1);
	/* Vector 2 masked: bound to VFIO, no route. */
	assert_int_equal(f->host.nr_routes, 3);
	assert_int_equal(f->host.routes[2].data, 0x4033);
	fd2 = f->be.irqs[f->be.nr_irqs - 1].fds[2];
	assert_int_equal(fx_rd(f, PEND, 4), 0);
	assert_int_equal(eventfd_write(fd2, 1), 0);
	assert_int_equal(fx_rd(f, PEND, 4), 1 << 2);
	/* Unmask 2, mask 0: 2 is routed on the same fd, 0's route goes. */
	fx_wr(f, MASK, 4, 1 << 0);
	assert_int_equal(f->host.nr_routes, 4);
	assert_int_equal(f->host.routes[3].fd, fd2);
	assert_int_equal(f->host.routes[3].data, 0x4032);
	assert_false(f->host.routes[0].live);
	assert_int_equal(fx_rd(f, PEND, 4), 0);
	fx_free(f);
}

static void test_mme_change(void **state)
{
	struct fx *f = msi_vectors(4);
	int fd0, fd1;
	unsigned i;

	fx_wr(f, DATA, 2, 0x4033);
	fx_wr(f, CTRL, 2, 1 << 4 | 1);
	assert_int_equal(f->be.irqs[f->be.nr_irqs - 1].count, 2);
	fd0 = f->be.irqs[f->be.nr_irqs - 1].fds[0];
	fd1 = f->be.irqs[f->be.nr_irqs - 1].fds[1];
	assert_int_equal(f->host.routes[0].data, 0x4032);
	assert_int_equal(f->host.routes[1].data, 0x4033);
	/* MME 1 -> 2 while enabled: disable, enable with 4, the 2 eventfds kept. */
	assert_int_equal(eventfd_write(fd1, 1), 0);
	fx_clear(f);
	fx_wr(f, CTRL, 2, 2 << 4 | 1);
	assert_int_equal(f->be.nr_irqs, 2);
	assert_int_equal(f->be.irqs[0].index, VFIO_PCI_MSI_IRQ_INDEX);
	assert_int_equal(f->be.irqs[0].count, 0);
	assert_int_equal(f->be.irqs[1].count, 4);
	assert_int_equal(f->be.irqs[1].fds[0], fd0);
	assert_int_equal(f->be.irqs[1].fds[1], fd1);
	assert_true(fx_fd_open(f->be.irqs[1].fds[3]));
	/* The data bits of 0 and 1 change with the count; 2 and 3 are new. */
	assert_int_equal(f->host.routes[0].data, 0x4030);
	assert_int_equal(f->host.routes[1].data, 0x4031);
	assert_int_equal(f->host.nr_routes, 4);
	assert_int_equal(f->host.routes[3].data, 0x4033);
	/* Back to one vector: 1..3 lose route and eventfd. */
	fx_clear(f);
	fx_wr(f, CTRL, 2, 1);
	assert_int_equal(f->be.irqs[1].count, 1);
	assert_int_equal(f->be.irqs[1].fds[0], fd0);
	assert_false(fx_fd_open(fd1));
	for (i = 1; i < 4; i++)
		assert_false(f->host.routes[i].live);
	assert_true(f->host.routes[0].live);
	assert_int_equal(f->host.routes[0].data, 0x4033);
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
		cmocka_unit_test(test_multiple_message),
		cmocka_unit_test(test_four_vectors),
		cmocka_unit_test(test_vector_mask),
		cmocka_unit_test(test_mme_change),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
