/* SPDX-License-Identifier: GPL-2.0 */
/* Inside the root port model (port.c: header, MSI, routing; port_slot.c: PCIe slot). */
#ifndef PTVM_PCI_PORT_INTERNAL_H
#define PTVM_PCI_PORT_INTERNAL_H

#include "pci/port.h"

/* PCI Express Capability register offsets (PCIe 4.0 §7.5.3). */
#define EXP_FLAGS   0x02
#define EXP_DEVCAP  0x04
#define EXP_DEVCTL  0x08
#define EXP_DEVSTA  0x0a
#define EXP_LNKCAP  0x0c
#define EXP_LNKCTL  0x10
#define EXP_LNKSTA  0x12
#define EXP_SLTCAP  0x14
#define EXP_SLTCTL  0x18
#define EXP_SLTSTA  0x1a
#define EXP_ROOTCTL 0x1c
#define EXP_ROOTSTA 0x20
#define EXP_LNKCAP2 0x2c
#define EXP_LNKCTL2 0x30
#define EXP_V2_SIZE 0x3c

/* §7.5.3.7 Link Control. */
#define EXP_LNKCTL_LD 0x0010 /* Link Disable */
#define EXP_LNKCTL_RL 0x0020 /* Retrain Link, reads 0 */
/* §7.5.3.8 Link Status. */
#define EXP_LNKSTA_CLS	 0x000f /* Current Link Speed */
#define EXP_LNKSTA_NLW	 0x03f0 /* Negotiated Link Width */
#define EXP_LNKSTA_SCC	 0x1000 /* Slot Clock Configuration */
#define EXP_LNKSTA_DLLLA 0x2000 /* Data Link Layer Link Active */
/* §7.5.3.10 Slot Control. */
#define EXP_SLTCTL_ABPE	  0x0001
#define EXP_SLTCTL_PFDE	  0x0002
#define EXP_SLTCTL_MRLSCE 0x0004
#define EXP_SLTCTL_PDCE	  0x0008
#define EXP_SLTCTL_CCIE	  0x0010
#define EXP_SLTCTL_HPIE	  0x0020
#define EXP_SLTCTL_AIC	  0x00c0 /* Attention Indicator Control */
#define EXP_SLTCTL_PIC	  0x0300 /* Power Indicator Control */
#define EXP_SLTCTL_PCC	  0x0400 /* Power Controller Control: 1 = off */
#define EXP_SLTCTL_DLLSCE 0x1000
#define EXP_SLTCTL_AI_OFF 0x00c0
#define EXP_SLTCTL_PI_ON  0x0100
#define EXP_SLTCTL_PI_OFF 0x0300
/* §7.5.3.11 Slot Status. */
#define EXP_SLTSTA_ABP	 0x0001 /* Attention Button Pressed */
#define EXP_SLTSTA_PFD	 0x0002
#define EXP_SLTSTA_MRLSC 0x0004
#define EXP_SLTSTA_PDC	 0x0008 /* Presence Detect Changed */
#define EXP_SLTSTA_CC	 0x0010 /* Command Completed */
#define EXP_SLTSTA_PDS	 0x0040 /* Presence Detect State */
#define EXP_SLTSTA_DLLSC 0x0100 /* Data Link Layer State Changed */

/* MSI capability (PCI 3.0 §6.8.1), 64-bit, no per-vector masking. */
#define PORT_MSI_CTRL	 0x02
#define PORT_MSI_ADDR_LO 0x04
#define PORT_MSI_ADDR_HI 0x08
#define PORT_MSI_DATA	 0x0c
#define PORT_MSI_LEN	 0x0e
#define PORT_MSI_ENABLE	 0x0001
#define PORT_MSI_64BIT	 0x0080

struct pci_port {
	struct pci_dev dev;
	struct pci_port_config cfg;
	unsigned exp; /* config offset of the PCI Express Capability */
	unsigned msi; /* ... and of the MSI capability */
	struct pci_dev *child;
	bool irq_cond; /* §6.7.3.4's interrupt condition, as last evaluated */
	bool intx_level;
};

/* port_slot.c: the PCI Express Capability, its slot and link. */
int port_slot_init(struct pci_port *p) __must_check;
/* After a guest write of [off, off + size): carry out Slot/Link Control commands. */
void port_slot_write(struct pci_port *p, unsigned off, unsigned size, uint16_t old_sltctl,
		     uint16_t old_lnkctl);
/* The link is up: a device in a powered slot, Link Disable clear. */
bool port_link_up(const struct pci_port *p);
/* Bring DLLLA (and DLLSC when it changes) in line with the slot. */
void port_link_update(struct pci_port *p);
/* Set Slot Status event bits @ev and re-evaluate the interrupt. */
void port_slot_event(struct pci_port *p, uint16_t ev);

/* port.c: raise the hot-plug interrupt if its condition holds (§6.7.3.4). */
void port_irq_update(struct pci_port *p);

static inline uint16_t port_get16(const struct pci_port *p, unsigned reg)
{
	return pci_cfg_get(&p->dev.cfg, p->exp + reg, 2);
}

static inline void port_set16(struct pci_port *p, unsigned reg, uint16_t v)
{
	pci_cfg_set(&p->dev.cfg, p->exp + reg, 2, v);
}

#endif
