// SPDX-License-Identifier: GPL-2.0
/* Generic PCI device layer: config hooks and BAR-move detection; see dev.h. */
#include <string.h>

#include "pci/dev.h"

#define PCI_NR_WINDOWS (PCI_ROM_BAR + 1)

/* Where BAR @idx decodes now, or PCI_BAR_UNMAPPED. */
static uint64_t pci_dev_window(const struct pci_dev *dev, unsigned idx)
{
	if (!pci_cfg_bar_enabled(&dev->cfg, idx))
		return PCI_BAR_UNMAPPED;
	return pci_cfg_bar_addr(&dev->cfg, idx);
}

static void pci_dev_snapshot(const struct pci_dev *dev, uint64_t *win)
{
	unsigned i;

	for (i = 0; i < PCI_NR_WINDOWS; i++)
		win[i] = pci_dev_window(dev, i);
}

static void pci_dev_report(struct pci_dev *dev, unsigned idx, uint64_t old, uint64_t now)
{
	int ret;

	if (old == now || !dev->ops || !dev->ops->bar_map)
		return;
	ret = dev->ops->bar_map(dev, idx, old, now, now != PCI_BAR_UNMAPPED);
	if (ret)
		log_guest(&dev->log_key, "pci: %s: BAR %u move 0x%llx -> 0x%llx: %s",
			  dev->name ? dev->name : "?", idx, (unsigned long long)old,
			  (unsigned long long)now, strerror(-ret));
}

uint32_t pci_dev_cfg_read(struct pci_dev *dev, unsigned off, unsigned size)
{
	if (dev->ops && dev->ops->cfg_read)
		return dev->ops->cfg_read(dev, off, size);
	return pci_cfg_read(&dev->cfg, off, size);
}

void pci_dev_cfg_write(struct pci_dev *dev, unsigned off, unsigned size, uint32_t val)
{
	uint64_t before[PCI_NR_WINDOWS], now;
	unsigned i;

	pci_dev_snapshot(dev, before);
	if (dev->ops && dev->ops->cfg_write)
		dev->ops->cfg_write(dev, off, size, val);
	else
		pci_cfg_write(&dev->cfg, off, size, val);
	/* Windows that stop decoding are gone before the hardware hears of it. */
	for (i = 0; i < PCI_NR_WINDOWS; i++) {
		now = pci_dev_window(dev, i);
		if (now == PCI_BAR_UNMAPPED && before[i] != PCI_BAR_UNMAPPED) {
			pci_dev_report(dev, i, before[i], PCI_BAR_UNMAPPED);
			before[i] = PCI_BAR_UNMAPPED;
		}
	}
	if (dev->ops && dev->ops->cfg_commit)
		dev->ops->cfg_commit(dev, off, size, val);
	/* Moves, and windows that decode, once it has (and as it really took it). */
	for (i = 0; i < PCI_NR_WINDOWS; i++)
		pci_dev_report(dev, i, before[i], pci_dev_window(dev, i));
}

void pci_dev_unmap_all(struct pci_dev *dev)
{
	unsigned i;

	for (i = 0; i < PCI_NR_WINDOWS; i++)
		pci_dev_report(dev, i, pci_dev_window(dev, i), PCI_BAR_UNMAPPED);
}

void pci_dev_map_all(struct pci_dev *dev)
{
	unsigned i;

	for (i = 0; i < PCI_NR_WINDOWS; i++)
		pci_dev_report(dev, i, PCI_BAR_UNMAPPED, pci_dev_window(dev, i));
}
