// SPDX-License-Identifier: GPL-2.0
/*
 * MSI of a passed-through function (PCI 3.0 §6.8.1, PCIe 4.0 §7.7.1),
 * emulated in ptvm's copy of the capability.
 *
 * Multiple Message Capable is what the device offers, as far as VFIO
 * gives vectors for it (its irq_count for the MSI index); Multiple Message
 * Enable is the guest's, clamped to MMC (PCI 3.0 §6.8.1.3). Extended
 * Message Data (PCIe 4.0) is not offered.
 *
 * Enable: VFIO's MSI index with 2^MME vectors, an eventfd for each and,
 * unless its per-vector Mask bit is set, a host route carrying the message
 * with the low MME bits of Message Data replaced by the vector number
 * (§6.8.1.6). Masking removes the route; the eventfd keeps collecting, and
 * the vector's Pending bit reads 1 while it is readable. Message changes of
 * live vectors update their routes. VFIO takes the vector count only at an
 * enable (MSI is NORESIZE), so MME changing while enabled re-enables the
 * index, keeping the eventfds of the vectors that stay.
 */
#include <errno.h>
#include <string.h>

#include "pt/pt_internal.h"

/* PCI 3.0 §6.8.1.3 Message Control. */
#define MSI_CTRL_ENABLE 0x0001
#define MSI_CTRL_MMC	0x000e /* Multiple Message Capable: log2 of the vectors */
#define MSI_CTRL_MME	0x0070 /* Multiple Message Enable: log2 of those enabled */
#define MSI_CTRL_64	0x0080
#define MSI_CTRL_PVM	0x0100 /* per-vector masking capable */

static uint16_t pt_msi_ctrl(const struct pt *pt)
{
	return pci_cfg_get(&pt->dev.cfg, pt->msi.cap + 2, 2);
}

bool pt_msi_wanted(const struct pt *pt)
{
	return pt->msi.cap && (pt_msi_ctrl(pt) & MSI_CTRL_ENABLE);
}

/* log2 of the vectors offered: what the device can (§6.8.1.3: at most 32) and VFIO gives. */
static unsigned pt_msi_log2_capable(const struct pt *pt, uint16_t ctrl)
{
	unsigned mmc = MIN((ctrl & MSI_CTRL_MMC) >> 1, 5u);

	while (mmc && (1u << mmc) > pt->desc.irq_count[VFIO_PCI_MSI_IRQ_INDEX])
		mmc--;
	return mmc;
}

/* Mask and Pending bits 0..@n-1 (§6.8.1.7, §6.8.1.8). */
static uint32_t pt_msi_bits(unsigned n)
{
	return n >= 32 ? 0xffffffffu : (1u << n) - 1;
}

/*
 * The layout is worked out in a local struct and committed to pt->msi only
 * once it is known to fit: a hidden MSI leaves pt->msi as pt_create() set it
 * (cap 0, no fd, no route) and the config space untouched.
 */
int pt_msi_init(struct pt *pt, unsigned cap)
{
	struct pci_cfg *c = &pt->dev.cfg;
	uint16_t ctrl = pci_cfg_get(c, cap + 2, 2);
	struct pt_msi m = pt->msi;
	unsigned i, mmc = pt_msi_log2_capable(pt, ctrl);

	if (pt->msi.cap || !pt->desc.irq_count[VFIO_PCI_MSI_IRQ_INDEX])
		return -EOPNOTSUPP;
	/* §6.8.1: 32-bit layout 0x0c bytes (+ 0x0a with masking), 64-bit 0x10 (+ 0x0a). */
	m.is64 = ctrl & MSI_CTRL_64;
	m.pvm = ctrl & MSI_CTRL_PVM;
	m.data_off = cap + (m.is64 ? 0x0c : 0x08);
	m.mask_off = m.data_off + 4;
	m.pend_off = m.data_off + 8;
	m.len = m.pvm ? m.pend_off + 4 - cap : m.data_off + 4 - cap;
	if (cap + m.len > PCI_CFG_STD_SIZE)
		return -EOPNOTSUPP;
	m.cap = cap;
	pt->msi = m;
	for (i = 2; i < m.len; i++)
		c->data[cap + i] = 0;
	/* Everything after the header is virtual and reset to 0 but the flags and MMC. */
	pci_cfg_set(c, cap + 2, 2, (ctrl & (MSI_CTRL_64 | MSI_CTRL_PVM)) | mmc << 1);
	pt_config_perm(pt, cap + 2, 2, 0xffff, MSI_CTRL_ENABLE | MSI_CTRL_MME, 0);
	pt_config_perm(pt, cap + 4, 4, 0xffffffff, 0xfffffffc, 0); /* dword aligned */
	if (m.is64)
		pt_config_perm(pt, cap + 8, 4, 0xffffffff, 0xffffffff, 0);
	/* Message Data, 16 bits; Extended Message Data (15:0 of the next word) is 0. */
	pt_config_perm(pt, m.data_off, 4, 0xffffffff, 0x0000ffff, 0);
	if (m.pvm) {
		pt_config_perm(pt, m.mask_off, 4, 0xffffffff, pt_msi_bits(1u << mmc), 0);
		pt_config_perm(pt, m.pend_off, 4, 0xffffffff, 0, 0);
	}
	return 0;
}

void pt_msi_clamp_mme(struct pt *pt)
{
	uint16_t ctrl;
	unsigned mmc, mme;

	if (!pt->msi.cap)
		return;
	ctrl = pt_msi_ctrl(pt);
	mmc = (ctrl & MSI_CTRL_MMC) >> 1;
	mme = (ctrl & MSI_CTRL_MME) >> 4;
	/* §6.8.1.3: more than MMC is undefined; the guest sees (and gets) MMC. */
	if (mme > mmc)
		pci_cfg_set(&pt->dev.cfg, pt->msi.cap + 2, 2, (ctrl & ~MSI_CTRL_MME) | mmc << 4);
}

/* The vectors Multiple Message Enable asks for. */
static unsigned pt_msi_nr_wanted(const struct pt *pt)
{
	return 1u << ((pt_msi_ctrl(pt) & MSI_CTRL_MME) >> 4);
}

static bool pt_msi_masked(const struct pt *pt, unsigned i)
{
	return pt->msi.pvm && (pci_cfg_get(&pt->dev.cfg, pt->msi.mask_off, 4) >> i & 1);
}

/* Every route and eventfd goes; the index is off in VFIO. */
static void pt_msi_drop(struct pt *pt)
{
	struct pt_msi *m = &pt->msi;
	unsigned i;

	for (i = 0; i < PT_MSI_MAX_VECS; i++) {
		if (m->vec[i].route >= 0)
			pt->host.ops->msi_remove(pt->host.opaque, m->vec[i].route);
		m->vec[i].route = -1;
		pt_eventfd_close(&m->vec[i].fd);
	}
	m->nr = 0;
	m->on = false;
}

/*
 * Enable VFIO's MSI index with @n vectors: the vectors below @n keep their
 * eventfds (what is pending in them survives a re-enable), the others lose
 * theirs. VFIO fixes the count at the enable, so an enabled index is
 * disabled first. On failure everything is off.
 */
static int pt_msi_enable(struct pt *pt, unsigned n)
{
	struct pt_msi *m = &pt->msi;
	int fds[PT_MSI_MAX_VECS];
	unsigned i;
	int ret;

	for (i = n; i < PT_MSI_MAX_VECS; i++) {
		if (m->vec[i].route >= 0)
			pt->host.ops->msi_remove(pt->host.opaque, m->vec[i].route);
		m->vec[i].route = -1;
		pt_eventfd_close(&m->vec[i].fd);
	}
	for (i = 0; i < n; i++) {
		if (m->vec[i].fd < 0) {
			ret = pt_eventfd_new(pt, "MSI");
			if (ret < 0)
				goto err;
			m->vec[i].fd = ret;
		}
		fds[i] = m->vec[i].fd;
	}
	if (m->on) {
		ret = pt->be->set_irqs(pt->be_opaque, VFIO_PCI_MSI_IRQ_INDEX, 0, 0, NULL);
		if (ret) {
			log_err("vfio: %s: disabling MSI to change its vectors: %s", pt->desc.name,
				strerror(-ret));
			goto err;
		}
		m->on = false;
	}
	ret = pt->be->set_irqs(pt->be_opaque, VFIO_PCI_MSI_IRQ_INDEX, 0, n, fds);
	if (ret) {
		log_err("vfio: %s: enabling %u MSI vectors: %s", pt->desc.name, n, strerror(-ret));
		goto err;
	}
	m->nr = n;
	m->on = true;
	return 0;

err:
	pt_msi_drop(pt);
	return ret;
}

int pt_msi_on(struct pt *pt)
{
	return pt_msi_enable(pt, pt_msi_nr_wanted(pt));
}

void pt_msi_off(struct pt *pt)
{
	int ret;

	if (!pt->msi.on)
		return;
	ret = pt->be->set_irqs(pt->be_opaque, VFIO_PCI_MSI_IRQ_INDEX, 0, 0, NULL);
	if (ret)
		log_err("vfio: %s: disabling MSI: %s", pt->desc.name, strerror(-ret));
	pt_msi_drop(pt);
}

/* Bring vector @i's route in line with the message and its Mask bit. */
static void pt_msi_vec_sync(struct pt *pt, unsigned i)
{
	const struct pt_host_ops *h = pt->host.ops;
	struct pt_msi *m = &pt->msi;
	struct pt_msi_vec *e = &m->vec[i];
	const struct pci_cfg *c = &pt->dev.cfg;
	uint64_t addr;
	uint32_t data;
	int ret;

	if (pt->mode != PT_IRQ_MSI || !m->on || i >= m->nr || pt_msi_masked(pt, i)) {
		if (e->route >= 0)
			h->msi_remove(pt->host.opaque, e->route);
		e->route = -1;
		return;
	}
	addr = pci_cfg_get(c, m->cap + 4, 4);
	if (m->is64)
		addr |= (uint64_t)pci_cfg_get(c, m->cap + 8, 4) << 32;
	/* §6.8.1.6: vector i's message has the low MME bits of Message Data set to i. */
	data = (pci_cfg_get(c, m->data_off, 2) & ~(m->nr - 1)) | i;
	if (e->route >= 0) {
		if (addr == e->r_addr && data == e->r_data)
			return;
		ret = h->msi_update(pt->host.opaque, e->route, addr, data);
	} else {
		ret = h->msi_add(pt->host.opaque, addr, data, e->fd);
		if (ret >= 0)
			e->route = ret;
	}
	if (ret < 0)
		return; /* the host logged why; the next sync tries again */
	e->r_addr = addr;
	e->r_data = data;
}

void pt_msi_sync(struct pt *pt)
{
	struct pt_msi *m = &pt->msi;
	unsigned i, n = pt_msi_nr_wanted(pt);

	/* Logged on failure, and then MSI is off until the guest enables it again. */
	if (pt->mode == PT_IRQ_MSI && m->on && n != m->nr)
		(void)!pt_msi_enable(pt, n);
	for (i = 0; i < PT_MSI_MAX_VECS; i++)
		pt_msi_vec_sync(pt, i);
}

void pt_msi_update_pending(struct pt *pt)
{
	struct pt_msi *m = &pt->msi;
	uint32_t pending = 0;
	unsigned i;

	for (i = 0; m->on && i < m->nr; i++)
		if (m->vec[i].route < 0 && pt_eventfd_pending(m->vec[i].fd))
			pending |= 1u << i;
	pci_cfg_set(&pt->dev.cfg, m->pend_off, 4, pending);
}
