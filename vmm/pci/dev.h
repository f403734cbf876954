/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A device on the PCI bus: its configuration space (data + masks, see
 * cfg.h) and optional hooks. The generic layer here routes config accesses
 * and, after every config write, compares each BAR's decoded window with the
 * one before and reports changes through bar_map (how passthrough moves its
 * memslots and how an emulated device moves its bus ranges).
 */
#ifndef PTVM_PCI_DEV_H
#define PTVM_PCI_DEV_H

#include "pci/cfg.h"

/* Address passed to bar_map for "not decoding". */
#define PCI_BAR_UNMAPPED UINT64_MAX

struct pci_dev;

struct pci_dev_ops {
	/* Optional: replaces the model read (pci_cfg_read) entirely. */
	uint32_t (*cfg_read)(struct pci_dev *dev, unsigned off, unsigned size);
	/*
	 * Optional: called instead of the model write (pci_cfg_write); a hook
	 * that wants the masks applied calls pci_cfg_write(&dev->cfg, ...)
	 * itself. BAR changes are detected after it returns either way.
	 */
	void (*cfg_write)(struct pci_dev *dev, unsigned off, unsigned size, uint32_t val);
	/*
	 * Optional: BAR @bar (0..5, or PCI_ROM_BAR) moved from decoding at
	 * @old_addr to decoding at @new_addr; either is PCI_BAR_UNMAPPED when
	 * the BAR did not / does not decode (COMMAND.IO/MEMORY off, ROM enable
	 * off). @enable == (new_addr != PCI_BAR_UNMAPPED). Called with the host
	 * lock held, from a vCPU thread; it may (un)register bus ranges. An
	 * error is the guest's fault (say, overlapping BARs): it is logged and
	 * the write stands.
	 */
	int (*bar_map)(struct pci_dev *dev, unsigned bar, uint64_t old_addr, uint64_t new_addr,
		       bool enable);
};

struct pci_dev {
	struct pci_cfg cfg;
	const struct pci_dev_ops *ops; /* may be NULL: a pure model */
	void *opaque;
	const char *name; /* for log lines */
	unsigned log_key; /* log_guest() rate limit */
};

/* Config access through the hooks; @off/@size as for pci_cfg_read/write. */
uint32_t pci_dev_cfg_read(struct pci_dev *dev, unsigned off, unsigned size);
void pci_dev_cfg_write(struct pci_dev *dev, unsigned off, unsigned size, uint32_t val);

/* Report every decoding BAR as unmapped (device leaving the bus). */
void pci_dev_unmap_all(struct pci_dev *dev);

#endif
