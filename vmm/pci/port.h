/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A PCI Express Root Port with one hot-plug slot (PCIe 4.0 §1.3.2.2,
 * §6.7): a type-1 header whose bus numbers and windows are plain
 * registers, a PCI Express Capability with Slot Capabilities saying
 * Hot-Plug Capable, Attention Button, Power Controller and both
 * indicators present (no surprise removal, no MRL sensor, no interlock),
 * Command Completed, Data Link Layer Link Active reporting, and an MSI
 * capability (INTx when MSI is off) for the hot-plug interrupt. The
 * guest's PCIe native hot-plug driver (Linux pciehp) runs the slot.
 *
 * The device in the slot is the owner's (vm.c): plugged in with
 * pci_port_plug(), it is reached by config accesses to device 0 of the
 * port's secondary bus while the slot is powered and the link enabled.
 * When the guest turns the slot's power off, the device leaves the port
 * at once (its BARs are reported unmapped, its config space reads
 * all-ones) and the owner is told through slot_off; the owner then frees
 * it and says the slot is empty with pci_port_eject().
 *
 * The windows do not filter: a BAR below decodes where the guest put it,
 * as on bus 0. A pure model: it sees no struct vm, KVM or fd. Not locked:
 * every call below pci_port_dev() is made with the host lock held
 * (pci_host_lock(), or inside a config access).
 */
#ifndef PTVM_PCI_PORT_H
#define PTVM_PCI_PORT_H

#include "irq.h"
#include "pci/dev.h"

struct pci_port;

struct pci_port_ops {
	/*
	 * The guest turned off the power of the slot, which held @dev: @dev
	 * has left the port. From a vCPU thread inside a config write, host
	 * lock held: it must not block or call back into the port.
	 */
	void (*slot_off)(void *opaque, struct pci_port *port, struct pci_dev *dev);
	/* The guest turned the power of the slot holding @dev on; the same context. */
	void (*slot_on)(void *opaque, struct pci_port *port, struct pci_dev *dev);
};

struct pci_port_config {
	unsigned slot_nr;     /* Physical Slot Number (§7.5.3.9), 1..8191, unique in the VM */
	unsigned port_nr;     /* Port Number (§7.5.3.6), 0..255 */
	unsigned bus;	      /* secondary and subordinate bus, 1..255, as firmware sets them */
	struct msi_sink msi;  /* the hot-plug interrupt while MSI is enabled */
	struct irq_line intx; /* INTA otherwise */
	const struct pci_port_ops *ops;
	void *opaque;
};

int pci_port_create(struct pci_port **out, const struct pci_port_config *cfg) __must_check;
/* The device in the slot stays its owner's. NULL is a no-op. */
void pci_port_destroy(struct pci_port *p);
/* The port itself, for pci_host_attach(). */
struct pci_dev *pci_port_dev(struct pci_port *p);

/*
 * Put @dev in the empty slot. @cold: before the guest runs, as firmware
 * leaves an occupied slot (powered, link up, power indicator on, no
 * event). Otherwise the slot reports the insertion as PCIe §6.7.1 does:
 * Presence Detect State and Changed, and the Attention Button pressed to
 * ask the guest to power it on. -EBUSY if the slot is not empty.
 */
int pci_port_plug(struct pci_port *p, struct pci_dev *dev, bool cold) __must_check;
/*
 * Ask the guest to release the device: Attention Button Pressed (§6.7.1.5);
 * the guest powers the slot off when it is done (slot_off). -ENODEV if
 * there is no device, -EALREADY if the button was pressed and not yet
 * seen (a second press cancels the request in Linux).
 */
int pci_port_press_button(struct pci_port *p) __must_check;
/* After slot_off: no card any more, Presence Detect Changed. -EBUSY if a device is in. */
int pci_port_eject(struct pci_port *p) __must_check;
/* Teardown: take the device out without telling the guest (BARs unmapped); NULL if none. */
struct pci_dev *pci_port_take(struct pci_port *p);
/* The device in the slot, or NULL. */
struct pci_dev *pci_port_child(const struct pci_port *p);
/* Presence Detect State: a device is in, or left it and pci_port_eject() did not follow. */
bool pci_port_occupied(const struct pci_port *p);

#endif
