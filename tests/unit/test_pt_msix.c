// SPDX-License-Identifier: GPL-2.0
/* Passthrough MSI-X: control, table, PBA, routes and VFIO vectors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <sys/eventfd.h>
#include <cmocka.h>

#include "fake_irq.h"
#include "log_capture.h"
#include "pt_fixture.h"
#include "vm.h"

#undef CTRL /* termios.h's, through vm.h */
#define TABLE	   (FX_MMIO + FX_TABLE)
#define PBA	   (FX_MMIO + FX_PBA)
#define CTRL	   (FX_MSIX + 2)
#define MSIX_EN	   0x8000
#define MSIX_FMASK 0x4000
#define MSG_ADDR   0xfee01000u
#define MSG_DATA   0x4021u

static void tbl_wr(struct fx *f, unsigned v, unsigned reg, uint32_t val)
{
	fake_bus_write(&f->host, false, TABLE + 16 * v + 4 * reg, 4, val);
}

static uint64_t tbl_rd(struct fx *f, unsigned v, unsigned reg, unsigned size)
{
	return fake_bus_read(&f->host, false, TABLE + 16 * v + 4 * reg, size);
}

static int setup(void **state)
{
	struct fx *f;

	if (fx_setup(state))
		return -1;
	f = *state;
	fx_wr(f, PCI_BAR0, 4, (uint32_t)FX_MMIO);
	fx_wr(f, PCI_BAR0 + 4, 4, 0);
	fx_wr(f, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	return 0;
}

/* Linux's order: enable with the function masked, program masked, unmask. */
static void enable_vector0(struct fx *f)
{
	tbl_wr(f, 0, 0, MSG_ADDR);
	tbl_wr(f, 0, 1, 0);
	tbl_wr(f, 0, 2, MSG_DATA);
	fx_wr(f, CTRL, 2, MSIX_EN | MSIX_FMASK);
	fx_wr(f, CTRL, 2, MSIX_EN);
	tbl_wr(f, 0, 3, 0);
}

static void test_ctrl(void **state)
{
	struct fx *f = *state;

	/* Table size is the device's and read-only (PCIe 4.0 §7.7.2.2). */
	assert_int_equal(fx_rd(f, CTRL, 2), FX_MSIX_NR - 1);
	fx_wr(f, CTRL, 2, 0x07ff | MSIX_FMASK);
	assert_int_equal(fx_rd(f, CTRL, 2), MSIX_FMASK | (FX_MSIX_NR - 1));
	/* MSI-X is ptvm's: nothing reaches the device's capability. */
	assert_int_equal(fake_get(f->be.cfg, CTRL, 2), FX_MSIX_NR - 1);
	/* Reset state of the table: every vector masked, messages 0. */
	assert_int_equal(tbl_rd(f, 7, 3, 4), 1);
	assert_int_equal(tbl_rd(f, 7, 0, 8), 0);
}

static void test_unmask_adds_route(void **state)
{
	struct fx *f = *state;
	int fd;

	fx_clear(f);
	tbl_wr(f, 0, 0, MSG_ADDR);
	tbl_wr(f, 0, 1, 0);
	tbl_wr(f, 0, 2, MSG_DATA);
	assert_int_equal(f->be.nr_irqs, 0);
	/* Enable (function masked): INTx leaves VFIO, MSI-X with one vector and no fd. */
	fx_wr(f, CTRL, 2, MSIX_EN | MSIX_FMASK);
	assert_int_equal(f->be.nr_irqs, 2);
	assert_int_equal(f->be.irqs[0].index, VFIO_PCI_INTX_IRQ_INDEX);
	assert_int_equal(f->be.irqs[0].count, 0);
	assert_int_equal(f->be.irqs[1].index, VFIO_PCI_MSIX_IRQ_INDEX);
	assert_int_equal(f->be.irqs[1].start, 0);
	assert_int_equal(f->be.irqs[1].count, 1);
	assert_int_equal(f->be.irqs[1].fds[0], -1);
	/* Function unmasked, vector still masked: nothing. */
	fx_wr(f, CTRL, 2, MSIX_EN);
	assert_int_equal(f->be.nr_irqs, 2);
	assert_int_equal(f->host.nr_routes, 0);
	/* Vector unmasked: one eventfd, bound to vector 0 and routed. */
	tbl_wr(f, 0, 3, 0);
	assert_int_equal(f->be.nr_irqs, 3);
	assert_int_equal(f->be.irqs[2].index, VFIO_PCI_MSIX_IRQ_INDEX);
	assert_int_equal(f->be.irqs[2].start, 0);
	assert_int_equal(f->be.irqs[2].count, 1);
	fd = f->be.irqs[2].fds[0];
	assert_true(fx_fd_open(fd));
	assert_int_equal(f->host.nr_routes, 1);
	assert_int_equal(f->host.routes[0].addr, MSG_ADDR);
	assert_int_equal(f->host.routes[0].data, MSG_DATA);
	assert_int_equal(f->host.routes[0].fd, fd);
	assert_true(f->host.routes[0].live);
	/* Writing the same unmasked entry again changes nothing. */
	tbl_wr(f, 0, 3, 0);
	assert_int_equal(f->be.nr_irqs, 3);
	assert_int_equal(f->host.nr_routes, 1);
	assert_int_equal(f->host.nr_updates, 0);
}

/*
 * Hot-unplug while the guest runs: pt_unplug() turns MSI-X off in VFIO,
 * removes the live route (committed), closes the vector's eventfd and
 * takes BAR0 out of the guest address space.
 */
static void test_unplug(void **state)
{
	struct fx *f = *state;
	struct as_info ai;
	unsigned commits;
	int fd;

	enable_vector0(f);
	fd = f->host.routes[0].fd;
	as_lookup(f->host.mmio, TABLE, &ai);
	assert_int_equal(ai.kind, AS_TRAP);
	fx_clear(f);
	commits = f->host.nr_commits;
	pt_unplug(f->pt);
	assert_false(f->host.routes[0].live);
	assert_true(f->host.nr_commits > commits);
	assert_int_equal(f->host.nr_staged, 0);
	assert_int_equal(f->be.irqs[0].index, VFIO_PCI_MSIX_IRQ_INDEX);
	assert_int_equal(f->be.irqs[0].count, 0);
	as_lookup(f->host.mmio, TABLE, &ai);
	assert_int_equal(ai.kind, AS_NONE);
	as_lookup(f->host.mmio, FX_MMIO, &ai);
	assert_int_equal(ai.kind, AS_NONE);
	assert_false(fx_fd_open(fd));
}

static void test_enable_with_unmasked(void **state)
{
	struct fx *f = *state;

	/* Vectors 1 and 3 unmasked before the enable: VFIO gets 4 vectors, 2 with fds. */
	tbl_wr(f, 1, 3, 0);
	tbl_wr(f, 3, 3, 0);
	fx_clear(f);
	fx_wr(f, CTRL, 2, MSIX_EN);
	assert_int_equal(f->be.nr_irqs, 2);
	assert_int_equal(f->be.irqs[1].count, 4);
	assert_int_equal(f->be.irqs[1].fds[0], -1);
	assert_true(fx_fd_open(f->be.irqs[1].fds[1]));
	assert_int_equal(f->be.irqs[1].fds[2], -1);
	assert_true(fx_fd_open(f->be.irqs[1].fds[3]));
	assert_int_equal(f->host.nr_routes, 2);
	assert_int_equal(f->host.routes[0].fd, f->be.irqs[1].fds[1]);
	assert_int_equal(f->host.routes[1].fd, f->be.irqs[1].fds[3]);
}

static void test_mask_and_pba(void **state)
{
	struct fx *f = *state;
	int fd;

	enable_vector0(f);
	fd = f->host.routes[0].fd;
	fx_clear(f);
	/* Mask: the route goes, the fd stays bound (no set_irqs). */
	tbl_wr(f, 0, 3, 1);
	assert_int_equal(f->host.nr_removes, 1);
	assert_false(f->host.routes[0].live);
	assert_int_equal(f->be.nr_irqs, 0);
	assert_true(fx_fd_open(fd));
	assert_int_equal(fake_bus_read(&f->host, false, PBA, 8), 0);
	/* The device fires while masked: pending. */
	assert_int_equal(eventfd_write(fd, 1), 0);
	assert_int_equal(fake_bus_read(&f->host, false, PBA, 8), 1);
	assert_int_equal(fake_bus_read(&f->host, false, PBA, 4), 1);
	assert_int_equal(fake_bus_read(&f->host, false, PBA + 4, 4), 0);
	/* Unmask: a new route on the same fd (KVM delivers the pending one). */
	tbl_wr(f, 0, 3, 0);
	assert_int_equal(f->host.nr_routes, 2);
	assert_int_equal(f->host.routes[1].fd, fd);
	assert_int_equal(f->host.routes[1].addr, MSG_ADDR);
	assert_int_equal(f->be.nr_irqs, 0);
	/* Live vectors are never pending (the irqfd consumes the eventfd). */
	assert_int_equal(fake_bus_read(&f->host, false, PBA, 8), 0);
}

static void test_function_mask(void **state)
{
	struct fx *f = *state;

	enable_vector0(f);
	fx_wr(f, CTRL, 2, MSIX_EN | MSIX_FMASK);
	assert_int_equal(f->host.nr_removes, 1);
	assert_false(f->host.routes[0].live);
	assert_int_equal(eventfd_write(f->host.routes[0].fd, 1), 0);
	assert_int_equal(fake_bus_read(&f->host, false, PBA, 8), 1);
	fx_wr(f, CTRL, 2, MSIX_EN);
	assert_int_equal(f->host.nr_routes, 2);
	assert_true(f->host.routes[1].live);
}

static void test_message_update(void **state)
{
	struct fx *f = *state;

	enable_vector0(f);
	/* Changed while unmasked: the route follows at once. */
	tbl_wr(f, 0, 2, 0x4022);
	assert_int_equal(f->host.nr_updates, 1);
	assert_int_equal(f->host.routes[0].data, 0x4022);
	/* A qword write of address low/high: one update, with the new address. */
	fake_bus_write(&f->host, false, TABLE, 8, 0xfee02000ULL);
	assert_int_equal(f->host.nr_updates, 2);
	assert_int_equal(f->host.routes[0].addr, 0xfee02000ULL);
	assert_int_equal(tbl_rd(f, 0, 0, 8), 0xfee02000ULL);
	/* Changed while masked: nothing now, the new message on unmask. */
	tbl_wr(f, 0, 3, 1);
	tbl_wr(f, 0, 2, 0x4023);
	assert_int_equal(f->host.nr_updates, 2);
	tbl_wr(f, 0, 3, 0);
	assert_int_equal(f->host.routes[1].data, 0x4023);
}

static void test_disable(void **state)
{
	struct fx *f = *state;
	int fd;

	enable_vector0(f);
	fd = f->host.routes[0].fd;
	fx_clear(f);
	fx_wr(f, CTRL, 2, 0);
	assert_int_equal(f->host.nr_removes, 1);
	assert_false(f->host.routes[0].live);
	assert_false(fx_fd_open(fd));
	/* MSI-X off in VFIO, then INTx back. */
	assert_int_equal(f->be.nr_irqs, 2);
	assert_int_equal(f->be.irqs[0].index, VFIO_PCI_MSIX_IRQ_INDEX);
	assert_int_equal(f->be.irqs[0].count, 0);
	assert_false(f->be.irqs[0].has_fds);
	assert_int_equal(f->be.irqs[1].index, VFIO_PCI_INTX_IRQ_INDEX);
	assert_int_equal(f->be.irqs[1].count, 1);
	assert_int_equal(f->be.irqs[1].fds[0], f->host.intx_trigger);
	assert_int_equal(f->be.nr_unmask, 1);
	assert_int_equal(f->be.unmask_fd, f->host.intx_resample);
	/* Nothing is pending once disabled. */
	assert_int_equal(fake_bus_read(&f->host, false, PBA, 8), 0);
}

static void test_bad_table_access(void **state)
{
	struct fx *f = *state;

	fx_clear(f);
	tbl_wr(f, 2, 2, 0x1234);
	/* §7.7.2: dword/qword only, aligned; anything else reads all-ones, writes drop. */
	fake_bus_write(&f->host, false, TABLE + 32 + 8, 2, 0xffff);
	fake_bus_write(&f->host, false, TABLE + 32 + 8, 1, 0xff);
	fake_bus_write(&f->host, false, TABLE + 32 + 4, 8, ~0ULL);
	assert_int_equal(tbl_rd(f, 2, 2, 4), 0x1234);
	assert_int_equal(fake_bus_read(&f->host, false, TABLE + 32 + 8, 2), 0xffff);
	assert_int_equal(fake_bus_read(&f->host, false, TABLE + 32 + 4, 8), ~0ULL);
	/* Reserved Vector Control bits and address bits 1:0 read 0. */
	tbl_wr(f, 2, 3, 0xfffffffe);
	assert_int_equal(tbl_rd(f, 2, 3, 4), 0);
	tbl_wr(f, 2, 0, 0xfee00003);
	assert_int_equal(tbl_rd(f, 2, 0, 4), 0xfee00000);
	/* The PBA is read-only. */
	fake_bus_write(&f->host, false, PBA, 8, ~0ULL);
	assert_int_equal(fake_bus_read(&f->host, false, PBA, 8), 0);
	assert_int_equal(f->be.nr_writes, 0);
}

static void test_no_msix_irqs(void **state)
{
	struct fx *f = fx_new();
	unsigned off;

	assert_non_null(f);
	f->desc.irq_count[VFIO_PCI_MSIX_IRQ_INDEX] = 0;
	assert_int_equal(fx_create(f), 0);
	/* VFIO cannot deliver MSI-X: the capability is unlinked, the BAR fully mapped. */
	for (off = fx_rd(f, PCI_CAP_PTR, 1); off; off = fx_rd(f, off + 1, 1))
		assert_int_not_equal(fx_rd(f, off, 1), 0x11);
	assert_int_equal(fx_rd(f, FX_EXP + 1, 1), 0xc0);
	fx_wr(f, PCI_BAR0, 4, (uint32_t)FX_MMIO);
	fx_wr(f, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	assert_non_null(fake_slot_at(&f->host, FX_MMIO));
	assert_int_equal(fake_slot_at(&f->host, FX_MMIO)->size, FX_BAR0_SIZE);
	fx_free(f);
}

/* Whether the guest's capability list holds MSI-X. */
static bool msix_listed(struct fx *f)
{
	unsigned off;

	for (off = fx_rd(f, PCI_CAP_PTR, 1); off; off = fx_rd(f, off + 1, 1))
		if (fx_rd(f, off, 1) == 0x11)
			return true;
	return false;
}

/* Create @f expecting the one log line @line. */
static void create_logged(struct fx *f, const char *line)
{
	struct log_capture lc;

	log_capture_start(&lc);
	assert_int_equal(fx_create(f), 0);
	assert_string_equal(log_capture_end(&lc), line);
	log_capture_free(&lc);
}

static void test_table_outside_bar(void **state)
{
	struct fx *f = fx_new();

	assert_non_null(f);
	/* Table at BAR0 + 0x8000, past the BAR's 16 KiB, as some SR-IOV VFs report. */
	fake_put(f->be.cfg, FX_MSIX + 4, 4, 0x8000 | 0);
	create_logged(f, "ptvm: vfio: 0000:06:00.0: MSI-X table (BIR 0, offset 0x8000, 0x100 "
			 "bytes) is outside its BAR (0x4000 bytes): MSI-X hidden\n");
	assert_false(msix_listed(f));
	assert_int_equal(fx_rd(f, FX_EXP + 1, 1), 0xc0);
	/* No MSI-X pages to trap: BAR0 is mapped whole. */
	fx_wr(f, PCI_BAR0, 4, (uint32_t)FX_MMIO);
	fx_wr(f, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	assert_int_equal(fake_live_slots(&f->host), 1);
	assert_int_equal(fake_slot_at(&f->host, FX_MMIO)->size, FX_BAR0_SIZE);
	/* No half-set MSI-X state for reset and destroy to walk. */
	assert_int_equal(pt_reset(f->pt), 0);
	fx_free(f);
}

static void test_pba_outside_bar_moved(void **state)
{
	struct fx *f = fx_new();
	uint64_t pba = FX_MMIO + FX_TABLE + FX_MSIX_NR * 16;
	int fd;

	assert_non_null(f);
	/* PBA past the BAR: the guest gets one right after the table, in its page. */
	fake_put(f->be.cfg, FX_MSIX + 8, 4, 0x8000 | 0);
	create_logged(f, "ptvm: vfio: 0000:06:00.0: MSI-X PBA (BIR 0, offset 0x8000) is outside "
			 "its BAR (0x4000 bytes): the guest sees it at BIR 0 offset 0x2100\n");
	assert_true(msix_listed(f));
	assert_int_equal(fx_rd(f, FX_MSIX + 8, 4), FX_TABLE + FX_MSIX_NR * 16);
	fx_wr(f, PCI_BAR0, 4, (uint32_t)FX_MMIO);
	fx_wr(f, PCI_BAR0 + 4, 4, 0);
	fx_wr(f, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	enable_vector0(f);
	fd = f->host.routes[0].fd;
	tbl_wr(f, 0, 3, 1);
	assert_int_equal(fake_bus_read(&f->host, false, pba, 8), 0);
	assert_int_equal(eventfd_write(fd, 1), 0);
	assert_int_equal(fake_bus_read(&f->host, false, pba, 8), 1);
	assert_int_equal(fake_bus_read(&f->host, false, pba, 4), 1);
	/* Read-only, and nothing of it reaches the device. */
	fx_clear(f);
	fake_bus_write(&f->host, false, pba, 8, 0);
	assert_int_equal(fake_bus_read(&f->host, false, pba, 8), 1);
	assert_int_equal(f->be.nr_writes, 0);
	assert_int_equal(pt_reset(f->pt), 0);
	fx_free(f);
}

static void test_pba_outside_bar_no_room(void **state)
{
	struct fx *f = fx_new();

	assert_non_null(f);
	/* The table ends on a page boundary: no room for the PBA after it. */
	fake_put(f->be.cfg, FX_MSIX + 4, 4, 0x2f00 | 0);
	fake_put(f->be.cfg, FX_MSIX + 8, 4, 0x8000 | 0);
	create_logged(f, "ptvm: vfio: 0000:06:00.0: MSI-X PBA (BIR 0, offset 0x8000) is outside "
			 "its BAR (0x4000 bytes) and does not fit after the table: MSI-X "
			 "hidden\n");
	assert_false(msix_listed(f));
	assert_int_equal(pt_reset(f->pt), 0);
	fx_free(f);
}

/* A device with a 64-entry table, VFIO resizable or not; vectors 0 and 1 live. */
static struct fx *big_table(bool noresize)
{
	struct fx *f = fx_new();
	unsigned v;

	assert_non_null(f);
	fake_put(f->be.cfg, CTRL, 2, 63);
	f->desc.irq_count[VFIO_PCI_MSIX_IRQ_INDEX] = 64;
	if (!noresize)
		f->desc.irq_flags[VFIO_PCI_MSIX_IRQ_INDEX] &= ~VFIO_IRQ_INFO_NORESIZE;
	assert_int_equal(fx_create(f), 0);
	fx_wr(f, PCI_BAR0, 4, (uint32_t)FX_MMIO);
	fx_wr(f, PCI_BAR0 + 4, 4, 0);
	fx_wr(f, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	for (v = 0; v < 64; v++) {
		tbl_wr(f, v, 0, MSG_ADDR);
		tbl_wr(f, v, 2, MSG_DATA + v);
	}
	tbl_wr(f, 0, 3, 0);
	tbl_wr(f, 1, 3, 0);
	fx_clear(f);
	fx_wr(f, CTRL, 2, MSIX_EN);
	return f;
}

static void test_enable_live_only(void **state)
{
	struct fx *f = big_table(true);

	/* VFIO is asked for 2 vectors, not the table's 64. */
	assert_int_equal(f->be.nr_irqs, 2);
	assert_int_equal(f->be.irqs[1].index, VFIO_PCI_MSIX_IRQ_INDEX);
	assert_int_equal(f->be.irqs[1].start, 0);
	assert_int_equal(f->be.irqs[1].count, 2);
	assert_true(fx_fd_open(f->be.irqs[1].fds[0]));
	assert_true(fx_fd_open(f->be.irqs[1].fds[1]));
	assert_int_equal(f->host.nr_routes, 2);
	assert_int_equal(f->host.routes[1].data, MSG_DATA + 1);
	fx_free(f);
}

static void test_grow_resizable(void **state)
{
	struct fx *f = big_table(false);
	int fd;

	/* Vector 5 goes live: VFIO can resize, so it is bound alone. */
	fx_clear(f);
	tbl_wr(f, 5, 3, 0);
	assert_int_equal(f->be.nr_irqs, 1);
	assert_int_equal(f->be.irqs[0].index, VFIO_PCI_MSIX_IRQ_INDEX);
	assert_int_equal(f->be.irqs[0].start, 5);
	assert_int_equal(f->be.irqs[0].count, 1);
	fd = f->be.irqs[0].fds[0];
	assert_true(fx_fd_open(fd));
	assert_int_equal(f->be.enabled[VFIO_PCI_MSIX_IRQ_INDEX], 6);
	assert_int_equal(f->host.nr_routes, 3);
	assert_int_equal(f->host.routes[2].fd, fd);
	assert_int_equal(f->host.routes[2].data, MSG_DATA + 5);
	fx_free(f);
}

static void test_grow_noresize(void **state)
{
	struct fx *f = big_table(true);
	int fd0 = f->be.irqs[1].fds[0], fd1 = f->be.irqs[1].fds[1];

	/* Vector 1 masked: its eventfd stays bound and keeps what the device sends. */
	tbl_wr(f, 1, 3, 1);
	assert_int_equal(eventfd_write(fd1, 1), 0);
	fx_clear(f);
	/* Vector 5 goes live: disable, then one enable of 6 with every bound fd. */
	tbl_wr(f, 5, 3, 0);
	assert_int_equal(f->be.nr_irqs, 2);
	assert_int_equal(f->be.irqs[0].index, VFIO_PCI_MSIX_IRQ_INDEX);
	assert_int_equal(f->be.irqs[0].count, 0);
	assert_int_equal(f->be.irqs[1].index, VFIO_PCI_MSIX_IRQ_INDEX);
	assert_int_equal(f->be.irqs[1].start, 0);
	assert_int_equal(f->be.irqs[1].count, 6);
	assert_int_equal(f->be.irqs[1].fds[0], fd0);
	assert_int_equal(f->be.irqs[1].fds[1], fd1);
	assert_int_equal(f->be.irqs[1].fds[2], -1);
	assert_int_equal(f->be.irqs[1].fds[4], -1);
	assert_true(fx_fd_open(f->be.irqs[1].fds[5]));
	assert_int_equal(f->be.enabled[VFIO_PCI_MSIX_IRQ_INDEX], 6);
	/* The routes of 0 stay, 5 gets one; 1's pending message survived the re-enable. */
	assert_true(f->host.routes[0].live);
	assert_int_equal(f->host.nr_routes, 3);
	assert_int_equal(f->host.routes[2].fd, f->be.irqs[1].fds[5]);
	assert_int_equal(fake_bus_read(&f->host, false, PBA, 8), 1 << 1);
	/* Vector 3, below the new count, is bound alone. */
	fx_clear(f);
	tbl_wr(f, 3, 3, 0);
	assert_int_equal(f->be.nr_irqs, 1);
	assert_int_equal(f->be.irqs[0].start, 3);
	assert_int_equal(f->be.irqs[0].count, 1);
	fx_free(f);
}

static void test_grow_once_per_write(void **state)
{
	struct fx *f = fx_new();
	unsigned v;

	assert_non_null(f);
	assert_int_equal(fx_create(f), 0);
	fx_wr(f, PCI_BAR0, 4, (uint32_t)FX_MMIO);
	fx_wr(f, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	fx_wr(f, CTRL, 2, MSIX_EN | MSIX_FMASK);
	for (v = 0; v < 8; v++)
		tbl_wr(f, v, 3, 0);
	fx_clear(f);
	/* Unmasking the function brings 8 vectors live: one grow, not 7. */
	fx_wr(f, CTRL, 2, MSIX_EN);
	assert_int_equal(f->be.nr_irqs, 2);
	assert_int_equal(f->be.irqs[0].count, 0);
	assert_int_equal(f->be.irqs[1].count, 8);
	for (v = 0; v < 8; v++)
		assert_true(fx_fd_open(f->be.irqs[1].fds[v]));
	assert_int_equal(f->host.nr_routes, 8);
	fx_free(f);
}

static void test_grow_fails(void **state)
{
	struct fx *f = big_table(true);
	int fd0 = f->be.irqs[1].fds[0];
	unsigned open_fds = fx_open_fds();

	/* VFIO cannot give 6 vectors: back to 2 with the old fds; 5 stays silent. */
	f->be.fail_counts = 1 << 6;
	fx_clear(f);
	tbl_wr(f, 5, 3, 0);
	assert_int_equal(f->be.nr_irqs, 3);
	assert_int_equal(f->be.irqs[1].count, 6);
	assert_int_equal(f->be.irqs[2].count, 2);
	assert_int_equal(f->be.irqs[2].fds[0], fd0);
	assert_int_equal(f->be.enabled[VFIO_PCI_MSIX_IRQ_INDEX], 2);
	assert_int_equal(f->host.nr_routes, 2);
	assert_true(f->host.routes[0].live);
	assert_int_equal(fx_open_fds(), open_fds);
	/* The next write tries again; if the old count fails too, MSI-X is off. */
	f->be.fail_counts = 1 << 6 | 1 << 2;
	tbl_wr(f, 5, 3, 0);
	assert_false(f->host.routes[0].live);
	assert_false(f->host.routes[1].live);
	assert_false(fx_fd_open(fd0));
	assert_int_equal(fx_open_fds(), open_fds - 2);
	/* Until the guest enables it again. */
	f->be.fail_counts = 0;
	fx_clear(f);
	fx_wr(f, CTRL, 2, 0);
	fx_wr(f, CTRL, 2, MSIX_EN);
	assert_int_equal(f->be.irqs[f->be.nr_irqs - 1].count, 6);
	assert_int_equal(f->host.nr_routes, 5);
	fx_free(f);
}

/* Do @write, a guest access: the host must see exactly one commit, at its end. */
#define ONE_COMMIT(f, write)                                         \
	do {                                                         \
		unsigned before_ = (f)->host.nr_commits;             \
		write;                                               \
		assert_int_equal((f)->host.nr_commits, before_ + 1); \
		assert_int_equal((f)->host.nr_staged, 0);            \
	} while (0)

static void test_commit_per_write(void **state)
{
	struct fx *f = *state;
	unsigned v;

	for (v = 0; v < 8; v++) {
		ONE_COMMIT(f, tbl_wr(f, v, 0, MSG_ADDR));
		ONE_COMMIT(f, tbl_wr(f, v, 2, MSG_DATA + v));
		ONE_COMMIT(f, tbl_wr(f, v, 3, 0));
	}
	ONE_COMMIT(f, fx_wr(f, CTRL, 2, MSIX_EN | MSIX_FMASK));
	assert_int_equal(f->host.nr_routes, 0);
	/* Unmasking the function: 8 routes, one commit. */
	ONE_COMMIT(f, fx_wr(f, CTRL, 2, MSIX_EN));
	assert_int_equal(f->host.nr_routes, 8);
	ONE_COMMIT(f, tbl_wr(f, 3, 2, 0x4031));
	assert_int_equal(f->host.nr_updates, 1);
	ONE_COMMIT(f, fake_bus_write(&f->host, false, TABLE + 16 * 4, 8, 0xfee02000ULL));
	assert_int_equal(f->host.nr_updates, 2);
	ONE_COMMIT(f, tbl_wr(f, 5, 3, 1));
	assert_int_equal(f->host.nr_removes, 1);
	ONE_COMMIT(f, fx_wr(f, CTRL, 2, 0));
	assert_int_equal(f->host.nr_removes, 8);
	/* Reset and destroy drop the routes and commit that. */
	ONE_COMMIT(f, fx_wr(f, CTRL, 2, MSIX_EN));
	assert_int_equal(pt_reset(f->pt), 0);
	assert_int_equal(f->host.nr_removes, 15);
	assert_int_equal(f->host.nr_staged, 0);
	fx_wr(f, PCI_BAR0, 4, (uint32_t)FX_MMIO);
	fx_wr(f, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	ONE_COMMIT(f, fx_wr(f, CTRL, 2, MSIX_EN));
	ONE_COMMIT(f, tbl_wr(f, 0, 3, 0));
	assert_int_equal(f->host.nr_routes, 16);
	pt_destroy(f->pt);
	f->pt = NULL;
	assert_int_equal(f->host.nr_removes, 16);
	assert_int_equal(f->host.nr_staged, 0);
}

/*
 * The model over the interrupt half of the real host (vm_pt_host.c on
 * kvm_irq.c) and the fake KVM of fake_irq.h; memory stays the fake host's.
 */
static struct vm *kvm_vm;

static int kvm_msi_add(void *host, uint64_t addr, uint32_t data, int fd)
{
	return vm_pt_host_ops.msi_add(kvm_vm, addr, data, fd);
}

static int kvm_msi_update(void *host, int route, uint64_t addr, uint32_t data)
{
	return vm_pt_host_ops.msi_update(kvm_vm, route, addr, data);
}

static void kvm_msi_remove(void *host, int route)
{
	vm_pt_host_ops.msi_remove(kvm_vm, route);
}

static int kvm_msi_commit(void *host)
{
	return vm_pt_host_ops.msi_commit(kvm_vm);
}

static void test_unmask_one_routing_table(void **state)
{
	struct pt_host_ops ops = fake_host_ops;
	struct fx *f = fx_new();
	struct pt_host host = {&ops, &f->host, f->host.mmio, f->host.pio};
	unsigned v, gsi, n;

	fake_kvm_irq_reset();
	kvm_vm = calloc(1, sizeof(*kvm_vm));
	assert_non_null(kvm_vm);
	kvm_vm->kvm.sys = &fake_kvm_irq_sys;
	assert_int_equal(kvm_irq_init(&kvm_vm->irq, &kvm_vm->kvm), 0);
	ops.msi_add = kvm_msi_add;
	ops.msi_update = kvm_msi_update;
	ops.msi_remove = kvm_msi_remove;
	ops.msi_commit = kvm_msi_commit;
	assert_int_equal(pt_create(&f->pt, &fake_be_ops, &f->be, &f->desc, &host, FX_SLOT), 0);
	f->dev = pt_pci_dev(f->pt);
	fx_wr(f, PCI_BAR0, 4, (uint32_t)FX_MMIO);
	fx_wr(f, PCI_BAR0 + 4, 4, 0);
	fx_wr(f, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	/* Linux's order: enable masked, program and unmask 8 vectors, unmask the function. */
	fx_wr(f, CTRL, 2, MSIX_EN | MSIX_FMASK);
	for (v = 0; v < 8; v++) {
		tbl_wr(f, v, 0, MSG_ADDR);
		tbl_wr(f, v, 2, MSG_DATA + v);
		tbl_wr(f, v, 3, 0);
	}
	assert_int_equal(fake_kvm_irq.nr_routing, 0);
	fx_wr(f, CTRL, 2, MSIX_EN);
	/* One KVM_SET_GSI_ROUTING for the 8 routes, the irqfds after it. */
	assert_int_equal(fake_kvm_irq.nr_routing, 1);
	assert_string_equal(fake_kvm_irq.order, "RAAAAAAAA");
	for (gsi = n = 0; gsi < FAKE_KVM_GSIS; gsi++) {
		if (!fake_kvm_irq.routed[gsi])
			continue;
		assert_int_equal(fake_kvm_irq.msi[gsi].address_lo, MSG_ADDR);
		assert_int_equal(fake_kvm_irq.msi[gsi].data, MSG_DATA + n);
		assert_true(fx_fd_open(fake_kvm_irq.irqfd[gsi]));
		n++;
	}
	assert_int_equal(n, 8);
	/* Disable: every irqfd goes before the one table without the routes. */
	fake_kvm_irq_clear();
	fx_wr(f, CTRL, 2, 0);
	assert_string_equal(fake_kvm_irq.order, "DDDDDDDDR");
	assert_int_equal(fake_kvm_irq.last_nr, KVM_IRQ_PIN_ROUTES);
	assert_int_equal(fake_kvm_irq.violations, 0);
	fx_free(f);
	kvm_irq_destroy(&kvm_vm->irq);
	free(kvm_vm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ctrl, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_unmask_adds_route, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_unplug, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_enable_with_unmasked, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_mask_and_pba, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_function_mask, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_message_update, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_disable, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_bad_table_access, setup, fx_teardown),
		cmocka_unit_test(test_no_msix_irqs),
		cmocka_unit_test(test_table_outside_bar),
		cmocka_unit_test(test_pba_outside_bar_moved),
		cmocka_unit_test(test_pba_outside_bar_no_room),
		cmocka_unit_test(test_enable_live_only),
		cmocka_unit_test(test_grow_resizable),
		cmocka_unit_test(test_grow_noresize),
		cmocka_unit_test(test_grow_once_per_write),
		cmocka_unit_test(test_grow_fails),
		cmocka_unit_test_setup_teardown(test_commit_per_write, setup, fx_teardown),
		cmocka_unit_test(test_unmask_one_routing_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
