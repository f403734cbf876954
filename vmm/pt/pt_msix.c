// SPDX-License-Identifier: GPL-2.0
/*
 * MSI-X of a passed-through function (PCIe 4.0 §7.7.2, §6.1.4), emulated:
 * the guest's Message Control, table and PBA live in ptvm; the device's
 * interrupts reach the guest through eventfds VFIO signals and KVM routes.
 * This file is the capability and the vectors' life cycle; the guest's
 * accesses to the table and PBA are pt_msix_table.c's.
 *
 * A vector is live when MSI-X is enabled, the function is not masked and
 * the vector's Mask bit is clear. A live vector has an eventfd bound to
 * VFIO (created the first time it goes live) and a host route (msi_add)
 * carrying its message. Masking removes the route only: the fd stays bound,
 * so the device's messages accumulate in it, the PBA bit reads 1 while it is
 * readable, and msi_add on unmask delivers what is pending (the spec's
 * "pending message is sent when unmasked").
 *
 * Every vector VFIO enables costs the host an interrupt and an interrupt
 * remapping entry, so the enable flip asks VFIO for the vectors up to the
 * highest one live at that moment (at least one, so the device is in MSI-X
 * mode: Linux enables with the function masked and unmasks vectors one by
 * one later). A vector beyond that count going live grows the index: bound
 * alone where VFIO can resize it (VFIO_IRQ_INFO_NORESIZE clear, dynamic
 * MSI-X, Linux 6.5+), else by a disable and an enable with the larger
 * count carrying every bound eventfd. Disabling drops the index, the
 * routes and the fds.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pt/pt_internal.h"

/* §7.7.2.2 Message Control. */
#define MSIX_CTRL_SIZE	 0x07ff /* Table Size - 1, read-only */
#define MSIX_CTRL_MASK	 0x4000 /* Function Mask */
#define MSIX_CTRL_ENABLE 0x8000
/* §7.7.2.3/4: Table/PBA Offset (31:3) and BIR (2:0). */
#define MSIX_BIR_MASK 0x7

static uint16_t pt_msix_ctrl(const struct pt *pt)
{
	return pci_cfg_get(&pt->dev.cfg, pt->msix.cap + 2, 2);
}

bool pt_msix_wanted(const struct pt *pt)
{
	return pt->msix.cap && (pt_msix_ctrl(pt) & MSIX_CTRL_ENABLE);
}

void pt_msix_reset(struct pt *pt)
{
	struct pt_msix *m = &pt->msix;
	unsigned i;

	/* §7.7.2 (Vector Control): every vector is masked after reset. */
	for (i = 0; i < m->nr; i++) {
		struct pt_msix_vec *e = &m->vec[i];

		e->addr_lo = e->addr_hi = e->data = 0;
		e->ctrl = MSIX_VEC_MASKED;
	}
}

/* Check that [off, off+len) lies in a memory BAR. */
static bool pt_msix_in_bar(const struct pt *pt, unsigned bar, uint64_t off, uint64_t len)
{
	return bar < PCI_NUM_BARS && pt->bars[bar].size && !pt->bars[bar].io &&
	       off + len <= pt->bars[bar].size;
}

/* Size of memory BAR @bar for a log line; 0 if @bar names no memory BAR. */
static unsigned long long pt_msix_bar_size(const struct pt *pt, unsigned bar)
{
	return bar < PCI_NUM_BARS && !pt->bars[bar].io ? pt->bars[bar].size : 0;
}

/*
 * The PBA lies outside its BAR (SR-IOV VFs report such layouts): as ptvm
 * emulates the PBA, the guest can be shown one anywhere ptvm traps. PCI 3.0
 * §6.8.2 (PCIe 4.0 §7.7.2) keeps every other register out of the naturally
 * aligned 4 KiB ranges the table occupies, so the bytes after the table up
 * to the end of its last page are free: put the virtual PBA at the first
 * QWORD there (PBA Offset is QWORD aligned, §6.8.2.5), if it fits in the BAR
 * too. Those pages are trapped already; on a device that breaks the rule,
 * the bytes the PBA covers are no longer forwarded.
 */
static int pt_msix_pba_move(const struct pt *pt, struct pt_msix *m)
{
	uint64_t table_end = m->table_off + m->table_len;
	uint64_t off = ALIGN_UP(table_end, 8);
	uint64_t end = MIN(ALIGN_UP(table_end, PT_PAGE), pt->bars[m->table_bar].size);

	if (off + m->pba_len > end) {
		log_err("vfio: %s: MSI-X PBA (BIR %u, offset 0x%llx) is outside its BAR (0x%llx "
			"bytes) and does not fit after the table: MSI-X hidden",
			pt->desc.name, m->pba_bar, (unsigned long long)m->pba_off,
			pt_msix_bar_size(pt, m->pba_bar));
		return -EOPNOTSUPP;
	}
	log_err("vfio: %s: MSI-X PBA (BIR %u, offset 0x%llx) is outside its BAR (0x%llx bytes): "
		"the guest sees it at BIR %u offset 0x%llx",
		pt->desc.name, m->pba_bar, (unsigned long long)m->pba_off,
		pt_msix_bar_size(pt, m->pba_bar), m->table_bar, (unsigned long long)off);
	m->pba_bar = m->table_bar;
	m->pba_off = off;
	return 0;
}

/*
 * Everything is worked out in a local struct and committed to pt->msix only
 * on success: a hidden MSI-X leaves pt->msix all zero, which every other
 * function here reads as "no MSI-X".
 */
int pt_msix_init(struct pt *pt, unsigned cap)
{
	struct pci_cfg *c = &pt->dev.cfg;
	struct pt_msix m = {0};
	uint32_t table, pba;
	unsigned i;
	int ret;

	if (pt->msix.cap || cap + 12 > PCI_CFG_STD_SIZE)
		return -EOPNOTSUPP; /* a second one, or cut off */
	if (!pt->desc.irq_count[VFIO_PCI_MSIX_IRQ_INDEX])
		return -EOPNOTSUPP;
	m.nr = (pci_cfg_get(c, cap + 2, 2) & MSIX_CTRL_SIZE) + 1;
	m.nr_irqs = MIN(m.nr, pt->desc.irq_count[VFIO_PCI_MSIX_IRQ_INDEX]);
	table = pci_cfg_get(c, cap + 4, 4);
	pba = pci_cfg_get(c, cap + 8, 4);
	m.table_bar = table & MSIX_BIR_MASK;
	m.table_off = table & ~MSIX_BIR_MASK;
	m.table_len = (uint64_t)m.nr * MSIX_ENTRY_SIZE;
	m.pba_bar = pba & MSIX_BIR_MASK;
	m.pba_off = pba & ~MSIX_BIR_MASK;
	m.pba_len = ALIGN_UP(m.nr, 64u) / 8; /* §7.7.2: one bit per vector, in qwords */
	if (!pt_msix_in_bar(pt, m.table_bar, m.table_off, m.table_len)) {
		log_err("vfio: %s: MSI-X table (BIR %u, offset 0x%llx, 0x%llx bytes) is outside "
			"its BAR (0x%llx bytes): MSI-X hidden",
			pt->desc.name, m.table_bar, (unsigned long long)m.table_off,
			(unsigned long long)m.table_len, pt_msix_bar_size(pt, m.table_bar));
		return -EOPNOTSUPP;
	}
	if (!pt_msix_in_bar(pt, m.pba_bar, m.pba_off, m.pba_len)) {
		ret = pt_msix_pba_move(pt, &m);
		if (ret)
			return ret;
	}
	m.vec = calloc(m.nr, sizeof(*m.vec));
	m.fds = calloc(m.nr, sizeof(*m.fds));
	if (!m.vec || !m.fds)
		goto err_nomem;
	for (i = 0; i < m.nr; i++) {
		m.vec[i].fd = -1;
		m.vec[i].route = -1;
	}
	if (m.nr_irqs < m.nr)
		log_err("vfio: %s: MSI-X table has %u vectors, VFIO %u: the rest are silent",
			pt->desc.name, m.nr, m.nr_irqs);
	m.cap = cap;
	pt->msix = m;
	pt_msix_reset(pt);
	/* Message Control: enable and function mask are the guest's, in ptvm only. */
	pt_config_perm(pt, cap + 2, 2, 0xffff, MSIX_CTRL_ENABLE | MSIX_CTRL_MASK, 0);
	pci_cfg_set(c, cap + 2, 2, m.nr - 1);
	pt_config_perm(pt, cap + 4, 4, 0xffffffff, 0, 0);
	pt_config_perm(pt, cap + 8, 4, 0xffffffff, 0, 0);
	pci_cfg_set(c, cap + 8, 4, m.pba_off | m.pba_bar); /* where the guest finds the PBA */
	return 0;

err_nomem:
	free(m.vec);
	free(m.fds);
	return -ENOMEM;
}

void pt_msix_free(struct pt *pt)
{
	struct pt_msix *m = &pt->msix;
	unsigned i;

	for (i = 0; m->vec && i < m->nr; i++)
		pt_eventfd_close(&m->vec[i].fd);
	free(m->vec);
	free(m->fds);
	memset(m, 0, sizeof(*m));
}

/* Neither the function nor the vector is masked (§7.7.2.2, §7.7.2.5). */
static bool pt_msix_unmasked(const struct pt *pt, const struct pt_msix_vec *e)
{
	return !(pt_msix_ctrl(pt) & MSIX_CTRL_MASK) && !(e->ctrl & MSIX_VEC_MASKED);
}

static bool pt_msix_live(const struct pt *pt, const struct pt_msix_vec *e)
{
	return pt->mode == PT_IRQ_MSIX && pt->msix.on && pt_msix_unmasked(pt, e);
}

/* vfio.h: without NORESIZE, vectors can be added to an enabled index one by one. */
static bool pt_msix_resizable(const struct pt *pt)
{
	return !(pt->desc.irq_flags[VFIO_PCI_MSIX_IRQ_INDEX] & VFIO_IRQ_INFO_NORESIZE);
}

/* Every route and eventfd goes; the index is off in VFIO. */
static void pt_msix_drop(struct pt *pt)
{
	struct pt_msix *m = &pt->msix;
	unsigned i;

	for (i = 0; i < m->nr; i++) {
		if (m->vec[i].route >= 0)
			pt->host.ops->msi_remove(pt->host.opaque, m->vec[i].route);
		m->vec[i].route = -1;
		pt_eventfd_close(&m->vec[i].fd);
	}
	m->nr_enabled = 0;
	m->on = false;
}

/*
 * NORESIZE: VFIO fixes the index's vector count at the enable, so it grows
 * to @top by a disable and an enable in one call that carries every bound
 * eventfd: the vectors' own and the new ones in m->fds[first, top). The
 * eventfds outlive the re-enable, so what the device signalled into them
 * before (a masked vector's pending message) is still there. If VFIO does
 * not take @top vectors, the index goes back to the count it had.
 */
static void pt_msix_grow(struct pt *pt, unsigned first, unsigned top)
{
	struct pt_msix *m = &pt->msix;
	unsigned i;
	int ret;

	for (i = 0; i < top; i++)
		if (i < first || m->fds[i] < 0)
			m->fds[i] = m->vec[i].fd;
	ret = pt->be->set_irqs(pt->be_opaque, VFIO_PCI_MSIX_IRQ_INDEX, 0, 0, NULL);
	if (!ret) {
		ret = pt->be->set_irqs(pt->be_opaque, VFIO_PCI_MSIX_IRQ_INDEX, 0, top, m->fds);
		if (!ret) {
			for (i = first; i < top; i++)
				m->vec[i].fd = m->fds[i];
			m->nr_enabled = top;
			return;
		}
	}
	log_err("vfio: %s: growing MSI-X from %u to %u vectors: %s", pt->desc.name, m->nr_enabled,
		top, strerror(-ret));
	for (i = first; i < top; i++)
		if (m->vec[i].fd < 0)
			pt_eventfd_close(&m->fds[i]);
	for (i = 0; i < m->nr_enabled; i++)
		m->fds[i] = m->vec[i].fd;
	/* Back to the old count (if the disable failed, this rebinds the same eventfds). */
	if (pt->be->set_irqs(pt->be_opaque, VFIO_PCI_MSIX_IRQ_INDEX, 0, m->nr_enabled, m->fds)) {
		log_err("vfio: %s: MSI-X is off until the guest enables it again", pt->desc.name);
		pt_msix_drop(pt);
	}
}

/*
 * Give each vector in [first, end) that is live without an eventfd one,
 * bound to VFIO: alone if it is below the index's vector count or VFIO can
 * resize the index, else by growing the index once for all of them.
 */
static void pt_msix_bind(struct pt *pt, unsigned first, unsigned end)
{
	struct pt_msix *m = &pt->msix;
	unsigned v, top = 0;
	int fd, ret;

	end = MIN(end, m->nr_irqs); /* the rest are silent, pt_msix_init() said so */
	for (v = first; v < end; v++) {
		m->fds[v] = -1;
		if (m->vec[v].fd >= 0 || !pt_msix_live(pt, &m->vec[v]))
			continue;
		fd = pt_eventfd_new(pt, "MSI-X");
		if (fd < 0)
			continue; /* logged; the vector stays silent */
		m->fds[v] = fd;
		top = v + 1;
	}
	if (top > m->nr_enabled && !pt_msix_resizable(pt)) {
		pt_msix_grow(pt, first, top);
		return;
	}
	for (v = first; v < top; v++) {
		if (m->fds[v] < 0)
			continue;
		ret = pt->be->set_irqs(pt->be_opaque, VFIO_PCI_MSIX_IRQ_INDEX, v, 1, &m->fds[v]);
		if (ret) {
			log_err("vfio: %s: MSI-X vector %u: set_irqs: %s", pt->desc.name, v,
				strerror(-ret));
			pt_eventfd_close(&m->fds[v]);
			continue;
		}
		m->vec[v].fd = m->fds[v];
	}
}

/* Bring vector @v's route in line with its entry and the mask bits. */
static void pt_msix_vec_sync(struct pt *pt, unsigned v)
{
	const struct pt_host_ops *h = pt->host.ops;
	struct pt_msix_vec *e = &pt->msix.vec[v];
	uint64_t addr = (uint64_t)e->addr_hi << 32 | e->addr_lo;
	int ret;

	if (!pt_msix_live(pt, e) || e->fd < 0) {
		if (e->route >= 0)
			h->msi_remove(pt->host.opaque, e->route);
		e->route = -1;
		return;
	}
	if (e->route >= 0) {
		/* §6.1.4.2: software should mask first; a live change applies now. */
		if (addr == e->r_addr && e->data == e->r_data)
			return;
		/* On failure the next sync tries again. */
		if (h->msi_update(pt->host.opaque, e->route, addr, e->data))
			return;
		e->r_addr = addr;
		e->r_data = e->data;
		return;
	}
	ret = h->msi_add(pt->host.opaque, addr, e->data, e->fd);
	if (ret < 0)
		return; /* silent until the next sync (the host logged why) */
	e->route = ret;
	e->r_addr = addr;
	e->r_data = e->data;
}

/* Eventfds first (one grow at most), then the routes. */
void pt_msix_sync_range(struct pt *pt, unsigned first, unsigned end)
{
	unsigned v;

	pt_msix_bind(pt, first, end);
	for (v = first; v < end; v++)
		pt_msix_vec_sync(pt, v);
}

void pt_msix_sync(struct pt *pt)
{
	pt_msix_sync_range(pt, 0, pt->msix.nr);
}

int pt_msix_on(struct pt *pt)
{
	struct pt_msix *m = &pt->msix;
	unsigned i, n = 1;
	int ret;

	for (i = 0; i < m->nr_irqs; i++)
		if (pt_msix_unmasked(pt, &m->vec[i]))
			n = i + 1;
	for (i = 0; i < n; i++) {
		m->fds[i] = -1;
		if (!pt_msix_unmasked(pt, &m->vec[i]))
			continue;
		ret = pt_eventfd_new(pt, "MSI-X");
		if (ret < 0)
			goto err;
		m->vec[i].fd = m->fds[i] = ret;
	}
	ret = pt->be->set_irqs(pt->be_opaque, VFIO_PCI_MSIX_IRQ_INDEX, 0, n, m->fds);
	if (ret) {
		log_err("vfio: %s: enabling %u MSI-X vectors: %s", pt->desc.name, n,
			strerror(-ret));
		goto err;
	}
	m->nr_enabled = n;
	m->on = true;
	return 0;

err:
	for (i = 0; i < n; i++)
		pt_eventfd_close(&m->vec[i].fd);
	return ret;
}

void pt_msix_off(struct pt *pt)
{
	int ret;

	if (!pt->msix.on)
		return;
	ret = pt->be->set_irqs(pt->be_opaque, VFIO_PCI_MSIX_IRQ_INDEX, 0, 0, NULL);
	if (ret)
		log_err("vfio: %s: disabling MSI-X: %s", pt->desc.name, strerror(-ret));
	pt_msix_drop(pt);
}
