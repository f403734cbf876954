/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A device on the PCI bus: its configuration space (data + masks, see
 * cfg.h) and optional hooks. The generic layer here routes config accesses
 * and, around every config write, compares each BAR's decoded window with
 * the one before and reports changes through bar_map (how passthrough
 * moves its memslots and how an emulated device moves its ranges).
 *
 * A write is done in two steps: cfg_write updates ptvm's copy, cfg_commit
 * (optional) takes it to the hardware. Windows that stop decoding are
 * reported gone between the two, moves and windows that start decoding
 * after the second:
 * a passed-through BAR's memslot leaves before the device stops decoding
 * (Memory Space off, or a power state other than D0) and comes back only
 * once it decodes again, because an access to a memslot whose hardware no
 * longer decodes is an EFAULT for the whole VM (vfio-pci zaps the mmap).
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
	 * Optional: the hardware half of the same write, after the windows
	 * that stopped decoding were reported gone. It may refresh bits of
	 * the copy from the hardware (a power state the device refused).
	 */
	void (*cfg_commit)(struct pci_dev *dev, unsigned off, unsigned size, uint32_t val);
	/*
	 * Optional: BAR @bar (0..5, or PCI_ROM_BAR) moved from decoding at
	 * @old_addr to decoding at @new_addr; either is PCI_BAR_UNMAPPED when
	 * the BAR did not / does not decode (COMMAND.IO/MEMORY off, ROM enable
	 * off, a power state other than D0). @enable == (new_addr !=
	 * PCI_BAR_UNMAPPED). Called with the host lock held, from a vCPU
	 * thread; it may move address-space regions. An error is logged and
	 * the write stands.
	 */
	int (*bar_map)(struct pci_dev *dev, unsigned bar, uint64_t old_addr, uint64_t new_addr,
		       bool enable);
	/*
	 * Bridges only: the device that a configuration access to bus @bus,
	 * device/function @devfn reaches below this bridge, or NULL (PCI-to-PCI
	 * Bridge 1.2 3.1.2.1: the bridge claims the buses from its secondary
	 * to its subordinate number). Called with the host lock held; what it
	 * answers changes only under that lock.
	 */
	struct pci_dev *(*route)(struct pci_dev *dev, unsigned bus, unsigned devfn);
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
/* Report every decoding BAR as mapped where it decodes (device joining the bus). */
void pci_dev_map_all(struct pci_dev *dev);

#endif
