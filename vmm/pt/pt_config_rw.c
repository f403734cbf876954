// SPDX-License-Identifier: GPL-2.0
/*
 * Guest config accesses to a passed-through function: each byte is composed
 * from ptvm's copy (vmask bits) and the device (the rest); a write changes
 * the copy's wmask bits and sends its hwmask bits to the device. The masks
 * are built by pt_config.c. MSI/MSI-X control writes then move the
 * interrupt mode (passthrough.c).
 */
#include <errno.h>
#include <string.h>

#include "pt/pt_internal.h"

/* Config accesses stay within one dword (PCI 3.0 §3.2.2.3.2 byte enables). */
static bool pt_config_access_ok(struct pt *pt, unsigned off, unsigned size, bool write)
{
	if ((size == 1 || size == 2 || size == 4) && (off & 3) + size <= 4 && off < PCI_CFG_SIZE) {
		if (off < pt->cfg_size)
			return true;
		/* Above a conventional function's 256 bytes: all-ones, no fuss. */
		if (!write)
			return false;
	}
	log_guest(&pt->log_key, "vfio: %s: config %s of %u bytes at 0x%x dropped", pt->desc.name,
		  write ? "write" : "read", size, off);
	return false;
}

static uint32_t pt_ones(unsigned size)
{
	return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

static uint32_t pt_mask_get(const uint8_t *m, unsigned off, unsigned size)
{
	uint32_t v = 0;
	unsigned i;

	for (i = 0; i < size; i++)
		v |= (uint32_t)m[off + i] << (8 * i);
	return v;
}

static int pt_config_hw_read(struct pt *pt, unsigned off, unsigned size, uint32_t *val)
{
	uint32_t v = 0;
	ssize_t n;

	n = pt->be->region_read(pt->be_opaque, VFIO_PCI_CONFIG_REGION_INDEX, &v, size, off);
	if (n != (ssize_t)size) {
		log_guest(&pt->log_key, "vfio: %s: config read at 0x%x: %s", pt->desc.name, off,
			  n < 0 ? strerror(-n) : "short");
		return n < 0 ? n : -EIO;
	}
	*val = v;
	return 0;
}

uint32_t pt_config_read(struct pci_dev *dev, unsigned off, unsigned size)
{
	struct pt *pt = pt_from_dev(dev);
	uint32_t vm, hw = 0xffffffffu;

	if (!pt_config_access_ok(pt, off, size, false))
		return pt_ones(size);
	vm = pt_mask_get(pt->vmask, off, size);
	if (vm != pt_ones(size) && pt_config_hw_read(pt, off, size, &hw))
		hw = 0xffffffffu;
	/* Only a capability pt_msi_init() accepted has Pending Bits of ours. */
	if (pt->msi.cap && pt->msi.pvm && off < pt->msi.pend_off + 4 &&
	    off + size > pt->msi.pend_off) {
		pthread_mutex_lock(&pt->lock);
		pt_msi_update_pending(pt);
		pthread_mutex_unlock(&pt->lock);
	}
	return ((pci_cfg_get(&dev->cfg, off, size) & vm) | (hw & ~vm)) & pt_ones(size);
}

void pt_config_hw_write(struct pt *pt, unsigned off, unsigned size, uint32_t val)
{
	uint32_t hm = pt_mask_get(pt->hwmask, off, size), cur;
	uint8_t b[4];
	unsigned i, start;
	ssize_t n;

	if (!hm || pt_config_hw_read(pt, off, size, &cur))
		return;
	cur = (cur & ~hm) | (val & hm);
	for (i = 0; i < size; i++)
		b[i] = cur >> (8 * i);
	/* Write only the runs of bytes that carry hardware bits. */
	for (i = 0; i < size; i++) {
		if (!pt->hwmask[off + i])
			continue;
		start = i;
		while (i + 1 < size && pt->hwmask[off + i + 1])
			i++;
		n = pt->be->region_write(pt->be_opaque, VFIO_PCI_CONFIG_REGION_INDEX, &b[start],
					 i + 1 - start, off + start);
		if (n != (ssize_t)(i + 1 - start))
			log_guest(&pt->log_key, "vfio: %s: config write at 0x%x: %s", pt->desc.name,
				  off + start, n < 0 ? strerror(-n) : "short");
	}
}

static bool pt_overlaps(unsigned off, unsigned size, unsigned start, unsigned len)
{
	return len && off < start + len && start < off + size;
}

void pt_config_write(struct pci_dev *dev, unsigned off, unsigned size, uint32_t val)
{
	struct pt *pt = pt_from_dev(dev);

	if (pt_config_access_ok(pt, off, size, true))
		pci_cfg_write(&dev->cfg, off, size, val);
}

/*
 * PCI PM 1.2 §3.2.4: a PowerState the function does not support is
 * ignored, so the copy takes the state the device reports after the write
 * (vfio-pci carries out the transition, restoring the BARs after D3hot).
 */
static void pt_config_refresh_power(struct pt *pt, unsigned off, unsigned size)
{
	unsigned pm = pci_cfg_find_cap(&pt->dev.cfg, PCI_CAP_ID_PM);
	uint32_t hw;

	if (!pm || !pt_overlaps(off, size, pm + PCI_PM_CTRL, 1) ||
	    pt_config_hw_read(pt, pm + PCI_PM_CTRL, 1, &hw))
		return;
	pt->dev.cfg.data[pm + PCI_PM_CTRL] &= ~PCI_PM_STATE_MASK;
	pt->dev.cfg.data[pm + PCI_PM_CTRL] |= hw & PCI_PM_STATE_MASK;
}

void pt_config_commit(struct pci_dev *dev, unsigned off, unsigned size, uint32_t val)
{
	struct pt *pt = pt_from_dev(dev);

	if (!pt_config_access_ok(pt, off, size, true))
		return;
	pt_config_hw_write(pt, off, size, val);
	pt_config_refresh_power(pt, off, size);
	/* MSI/MSI-X Message Control or MSI message/mask: act on the new state. */
	if (pt_overlaps(off, size, pt->msix.cap + 2, pt->msix.cap ? 2 : 0) ||
	    pt_overlaps(off, size, pt->msi.cap + 2, pt->msi.cap ? pt->msi.len - 2 : 0)) {
		pthread_mutex_lock(&pt->lock);
		pt_irq_sync(pt);
		pthread_mutex_unlock(&pt->lock);
	}
}
