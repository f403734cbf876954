/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PCI host bridge: bus 0 with the bridge itself at 00:00.0 and up to 31
 * single-function devices, reached through configuration mechanism #1
 * (ports 0xcf8..0xcff) and ECAM (an MMIO window, one 4 KiB page per
 * function). Accesses to other buses go to the bridges on bus 0 (their
 * route hook, pci/dev.h); absent devices read as all-ones.
 */
#ifndef PTVM_PCI_HOST_H
#define PTVM_PCI_HOST_H

#include "bus.h"
#include "pci/dev.h"

#define PCI_HOST_CF8_PORTS 8 /* 0xcf8..0xcff */
#define PCI_HOST_SLOTS	   32

struct pci_host;

int pci_host_create(struct pci_host **out) __must_check;
/* Devices stay owned by their creators; detach them before freeing them. */
void pci_host_destroy(struct pci_host *h);

/*
 * Put @dev at 00:@slot.0, its decoding BARs reported mapped (bar_map);
 * -EINVAL for slot 0 or > 31, -EBUSY if taken.
 */
int pci_host_attach(struct pci_host *h, unsigned slot, struct pci_dev *dev) __must_check;
/*
 * Take the device off the bus (its decoding BARs are reported unmapped);
 * -EINVAL/-ENOENT. Not for slot 0, the bridge.
 */
int pci_host_detach(struct pci_host *h, unsigned slot) __must_check;

/*
 * The lock that serialises every config access: held by callers that
 * change what a bridge routes to (a root port's slot, pci/port.h) from
 * outside a config access.
 */
void pci_host_lock(struct pci_host *h);
void pci_host_unlock(struct pci_host *h);

/* Bus handlers; opaque is the struct pci_host. */
extern const struct bus_ops pci_host_cf8_ops;  /* PORT_PCI_CONF_ADDR, 8 ports */
extern const struct bus_ops pci_host_ecam_ops; /* LAYOUT_ECAM_BASE, LAYOUT_ECAM_SIZE */

#endif
