// SPDX-License-Identifier: GPL-2.0
/*
 * MSI of a passed-through function (PCI 3.0 §6.8.1, PCIe 4.0 §7.7.1),
 * emulated in ptvm's copy of the capability.
 *
 * One vector only: Multiple Message Capable reads 0 (PCI 3.0 §6.8.1.3), so
 * a guest never enables more than one message and Multiple Message Enable
 * is read-only 0. That keeps one eventfd and one route per device; a guest
 * that wants more vectors uses MSI-X. Extended Message Data (PCIe 4.0) is
 * not offered either.
 *
 * Enable: an eventfd bound to VFIO's MSI index and, unless the per-vector
 * Mask bit is set, a host route with the message. Masking removes the
 * route; the eventfd keeps collecting, and the Pending bit reads 1 while it
 * is readable. Message changes of a live vector update the route.
 */
#include <errno.h>
#include <string.h>

#include "pt/pt_internal.h"

/* PCI 3.0 §6.8.1.3 Message Control. */
#define MSI_CTRL_ENABLE 0x0001
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

/*
 * The layout is worked out in a local struct and committed to pt->msi only
 * once it is known to fit: a hidden MSI leaves pt->msi as pt_create() set it
 * (cap 0, no fd, no route) and the config space untouched.
 */
int pt_msi_init(struct pt *pt, unsigned cap)
{
	struct pci_cfg *c = &pt->dev.cfg;
	uint16_t ctrl = pci_cfg_get(c, cap + 2, 2);
	struct pt_msi m = {.fd = -1, .route = -1};
	unsigned i;

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
	/* Everything after the header is virtual and reset to 0 but the flags. */
	pci_cfg_set(c, cap + 2, 2, ctrl & (MSI_CTRL_64 | MSI_CTRL_PVM));
	pt_config_perm(pt, cap + 2, 2, 0xffff, MSI_CTRL_ENABLE, 0);
	pt_config_perm(pt, cap + 4, 4, 0xffffffff, 0xfffffffc, 0); /* dword aligned */
	if (m.is64)
		pt_config_perm(pt, cap + 8, 4, 0xffffffff, 0xffffffff, 0);
	/* Message Data, 16 bits; Extended Message Data (15:0 of the next word) is 0. */
	pt_config_perm(pt, m.data_off, 4, 0xffffffff, 0x0000ffff, 0);
	if (m.pvm) {
		pt_config_perm(pt, m.mask_off, 4, 0xffffffff, 0x1, 0);
		pt_config_perm(pt, m.pend_off, 4, 0xffffffff, 0, 0);
	}
	return 0;
}

static bool pt_msi_masked(const struct pt *pt)
{
	return pt->msi.pvm && (pci_cfg_get(&pt->dev.cfg, pt->msi.mask_off, 4) & 1);
}

int pt_msi_on(struct pt *pt)
{
	struct pt_msi *m = &pt->msi;
	int ret;

	ret = pt_eventfd_new(pt, "MSI");
	if (ret < 0)
		return ret;
	m->fd = ret;
	ret = pt->be->set_irqs(pt->be_opaque, VFIO_PCI_MSI_IRQ_INDEX, 0, 1, &m->fd);
	if (ret) {
		log_err("vfio: %s: enabling MSI: %s", pt->desc.name, strerror(-ret));
		pt_eventfd_close(&m->fd);
		return ret;
	}
	m->on = true;
	return 0;
}

void pt_msi_off(struct pt *pt)
{
	struct pt_msi *m = &pt->msi;
	int ret;

	if (!m->on)
		return;
	if (m->route >= 0)
		pt->host.ops->msi_remove(pt->host.opaque, m->route);
	m->route = -1;
	ret = pt->be->set_irqs(pt->be_opaque, VFIO_PCI_MSI_IRQ_INDEX, 0, 0, NULL);
	if (ret)
		log_err("vfio: %s: disabling MSI: %s", pt->desc.name, strerror(-ret));
	pt_eventfd_close(&m->fd);
	m->on = false;
}

void pt_msi_sync(struct pt *pt)
{
	const struct pt_host_ops *h = pt->host.ops;
	struct pt_msi *m = &pt->msi;
	const struct pci_cfg *c = &pt->dev.cfg;
	uint64_t addr = pci_cfg_get(c, m->cap + 4, 4);
	uint32_t data = pci_cfg_get(c, m->data_off, 2);
	int ret;

	if (m->is64)
		addr |= (uint64_t)pci_cfg_get(c, m->cap + 8, 4) << 32;
	if (pt->mode != PT_IRQ_MSI || !m->on || pt_msi_masked(pt)) {
		if (m->route >= 0)
			h->msi_remove(pt->host.opaque, m->route);
		m->route = -1;
		return;
	}
	if (m->route >= 0) {
		if (addr == m->r_addr && data == m->r_data)
			return;
		ret = h->msi_update(pt->host.opaque, m->route, addr, data);
	} else {
		ret = h->msi_add(pt->host.opaque, addr, data, m->fd);
		if (ret >= 0)
			m->route = ret;
	}
	if (ret < 0)
		return; /* the host logged why; the next sync tries again */
	m->r_addr = addr;
	m->r_data = data;
}

void pt_msi_update_pending(struct pt *pt)
{
	struct pt_msi *m = &pt->msi;
	bool pending = m->on && m->fd >= 0 && m->route < 0 && pt_eventfd_pending(m->fd);

	pci_cfg_set(&pt->dev.cfg, m->pend_off, 4, pending);
}
