// SPDX-License-Identifier: GPL-2.0
/*
 * The root port as a PCI device: its type-1 header, its MSI capability and
 * INTx, config routing to the slot below it, and the slot's life cycle as
 * its owner drives it. The PCI Express Capability is port_slot.c's. See
 * port.h.
 */
#include <errno.h>
#include <stdlib.h>

#include "pci/port_internal.h"

/*
 * Identity. Red Hat's 1b36:000c is the ID allocated for a generic virtual
 * PCIe Root Port (as 1b36:0008 for the host bridge, pci/host.c): no guest
 * driver keys on it, so the guest drives the port by its class and
 * capabilities alone (Linux: pcieport, pciehp).
 */
#define PORT_VENDOR 0x1b36
#define PORT_DEVICE 0x000c
#define PORT_CLASS  0x060400 /* PCI-to-PCI bridge, normal decode */

static const struct pci_cfg_id port_id = {
	.vendor = PORT_VENDOR,
	.device = PORT_DEVICE,
	.class_code = PORT_CLASS,
};

static struct pci_port *port_from_dev(struct pci_dev *dev)
{
	return dev->opaque;
}

bool port_link_up(const struct pci_port *p)
{
	return p->child && !(port_get16(p, EXP_SLTCTL) & EXP_SLTCTL_PCC) &&
	       !(port_get16(p, EXP_LNKCTL) & EXP_LNKCTL_LD);
}

/*
 * PCIe 4.0 §6.7.3.4: the interrupt condition is Hot-Plug Interrupt Enable
 * and an event status bit with its enable bit set. With MSI enabled a
 * message goes out each time the condition turns true (and bus mastering
 * lets the port write it); otherwise INTA is asserted while it holds and
 * COMMAND's Interrupt Disable is clear. STATUS.Interrupt Status follows
 * the INTx condition (PCI 3.0 §6.2.3).
 */
void port_irq_update(struct pci_port *p)
{
	struct pci_cfg *c = &p->dev.cfg;
	uint16_t ctl = port_get16(p, EXP_SLTCTL), sta = port_get16(p, EXP_SLTSTA);
	uint16_t cmd = pci_cfg_get(c, PCI_COMMAND, 2);
	uint16_t en = ctl & (EXP_SLTCTL_ABPE | EXP_SLTCTL_PFDE | EXP_SLTCTL_MRLSCE |
			     EXP_SLTCTL_PDCE | EXP_SLTCTL_CCIE);
	bool cond, msi, level;

	/* Bits 4:0 of Slot Control enable bits 4:0 of Slot Status; DLLSCE (12) enables DLLSC (8).
	 */
	if (ctl & EXP_SLTCTL_DLLSCE)
		en |= EXP_SLTSTA_DLLSC;
	cond = (ctl & EXP_SLTCTL_HPIE) && (sta & en);
	msi = pci_cfg_get(c, p->msi + PORT_MSI_CTRL, 2) & PORT_MSI_ENABLE;
	if (msi && cond && !p->irq_cond && (cmd & PCI_COMMAND_MASTER)) {
		uint64_t addr = pci_cfg_get(c, p->msi + PORT_MSI_ADDR_LO, 4) |
				(uint64_t)pci_cfg_get(c, p->msi + PORT_MSI_ADDR_HI, 4) << 32;

		msi_sink_send(&p->cfg.msi, addr, pci_cfg_get(c, p->msi + PORT_MSI_DATA, 2));
	}
	p->irq_cond = cond;
	if (!msi && cond)
		c->data[PCI_STATUS] |= PCI_STATUS_INTX;
	else
		c->data[PCI_STATUS] &= ~PCI_STATUS_INTX;
	level = !msi && cond && !(cmd & PCI_COMMAND_INTX_OFF);
	if (level != p->intx_level) {
		p->intx_level = level;
		irq_line_set(&p->cfg.intx, level);
	}
}

static void port_cfg_write(struct pci_dev *dev, unsigned off, unsigned size, uint32_t val)
{
	struct pci_port *p = port_from_dev(dev);
	uint16_t sltctl = port_get16(p, EXP_SLTCTL), lnkctl = port_get16(p, EXP_LNKCTL);

	pci_cfg_write(&dev->cfg, off, size, val);
	port_slot_write(p, off, size, sltctl, lnkctl);
	port_irq_update(p);
}

/*
 * PCI-to-PCI Bridge 1.2 §3.1.2.1 and PCIe 4.0 §7.3.1: a Type 1 access to
 * the secondary bus becomes a Type 0 access there, where a Downstream
 * Port has only Device 0 below it; one to a bus up to the subordinate goes
 * further down, where nothing is. Only function 0 is modelled. Nothing
 * answers while the link is down.
 */
static struct pci_dev *port_route(struct pci_dev *dev, unsigned bus, unsigned devfn)
{
	struct pci_port *p = port_from_dev(dev);
	unsigned sec = dev->cfg.data[PCI_SECONDARY_BUS];

	if (bus != sec || sec == 0 || devfn != 0 || !port_link_up(p))
		return NULL;
	return p->child;
}

static const struct pci_dev_ops port_dev_ops = {
	.cfg_write = port_cfg_write,
	.route = port_route,
};

/* PCI 3.0 §6.8.1: 64-bit message address, one message, no per-vector masking. */
static int port_msi_init(struct pci_port *p)
{
	struct pci_cfg *c = &p->dev.cfg;
	int off = pci_cfg_add_cap(c, 0x05, PORT_MSI_LEN);

	if (off < 0)
		return off;
	p->msi = off;
	pci_cfg_set(c, off + PORT_MSI_CTRL, 2, PORT_MSI_64BIT);
	c->wmask[off + PORT_MSI_CTRL] = PORT_MSI_ENABLE;
	for (unsigned i = 0; i < 4; i++) {
		c->wmask[off + PORT_MSI_ADDR_LO + i] = i ? 0xff : 0xfc;
		c->wmask[off + PORT_MSI_ADDR_HI + i] = 0xff;
	}
	c->wmask[off + PORT_MSI_DATA] = 0xff;
	c->wmask[off + PORT_MSI_DATA + 1] = 0xff;
	return 0;
}

int pci_port_create(struct pci_port **out, const struct pci_port_config *cfg)
{
	struct pci_port *p;
	struct pci_cfg *c;
	int ret;

	if (!cfg || cfg->bus < 1 || cfg->bus > 255 || cfg->slot_nr < 1 || cfg->slot_nr > 8191 ||
	    cfg->port_nr > 255)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->cfg = *cfg;
	p->dev.ops = &port_dev_ops;
	p->dev.opaque = p;
	p->dev.name = "root-port";
	c = &p->dev.cfg;
	pci_cfg_init_type1(c, &port_id);
	/* As firmware numbers the buses: this port's bus is its own secondary and last. */
	c->data[PCI_PRIMARY_BUS] = 0;
	c->data[PCI_SECONDARY_BUS] = cfg->bus;
	c->data[PCI_SUBORDINATE_BUS] = cfg->bus;
	/* The hot-plug interrupt's pin; the DSDT's _PRT routes INTA of its slot. */
	c->data[PCI_INTERRUPT_PIN] = 1;
	ret = port_slot_init(p);
	if (!ret)
		ret = port_msi_init(p);
	if (ret) {
		free(p);
		return ret;
	}
	*out = p;
	return 0;
}

void pci_port_destroy(struct pci_port *p)
{
	free(p);
}

struct pci_dev *pci_port_dev(struct pci_port *p)
{
	return &p->dev;
}

int pci_port_plug(struct pci_port *p, struct pci_dev *dev, bool cold)
{
	uint16_t ctl;

	if (!dev)
		return -EINVAL;
	if (p->child || pci_port_occupied(p))
		return -EBUSY;
	p->child = dev;
	port_set16(p, EXP_SLTSTA, port_get16(p, EXP_SLTSTA) | EXP_SLTSTA_PDS);
	if (cold) {
		/* Powered, power indicator on, attention indicator off, link up. */
		ctl = port_get16(p, EXP_SLTCTL) &
		      ~(EXP_SLTCTL_PCC | EXP_SLTCTL_PIC | EXP_SLTCTL_AIC);
		port_set16(p, EXP_SLTCTL, ctl | EXP_SLTCTL_PI_ON | EXP_SLTCTL_AI_OFF);
		port_link_update(p);
		port_set16(p, EXP_SLTSTA, port_get16(p, EXP_SLTSTA) & ~EXP_SLTSTA_DLLSC);
		return 0;
	}
	/*
	 * §6.7.1.5: the button asks software to power the slot on; Presence
	 * Detect Changed is what the slot reports by itself. A guest that
	 * enabled either event learns of the card. A slot the guest left
	 * powered brings its link up at once (DLLSC).
	 */
	port_link_update(p);
	port_slot_event(p, EXP_SLTSTA_PDC | EXP_SLTSTA_ABP);
	return 0;
}

int pci_port_press_button(struct pci_port *p)
{
	if (!p->child)
		return -ENODEV;
	if (port_get16(p, EXP_SLTSTA) & EXP_SLTSTA_ABP)
		return -EALREADY;
	port_slot_event(p, EXP_SLTSTA_ABP);
	return 0;
}

int pci_port_eject(struct pci_port *p)
{
	if (p->child)
		return -EBUSY;
	if (!pci_port_occupied(p))
		return 0;
	port_set16(p, EXP_SLTSTA, port_get16(p, EXP_SLTSTA) & ~EXP_SLTSTA_PDS);
	port_slot_event(p, EXP_SLTSTA_PDC);
	return 0;
}

struct pci_dev *pci_port_take(struct pci_port *p)
{
	struct pci_dev *d = p->child;

	if (d)
		pci_dev_unmap_all(d);
	p->child = NULL;
	port_link_update(p);
	return d;
}

struct pci_dev *pci_port_child(const struct pci_port *p)
{
	return p->child;
}

bool pci_port_occupied(const struct pci_port *p)
{
	return port_get16(p, EXP_SLTSTA) & EXP_SLTSTA_PDS;
}
