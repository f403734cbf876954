// SPDX-License-Identifier: GPL-2.0
/*
 * The root port's PCI Express Capability (PCIe 4.0 §7.5.3, version 2) as a
 * mask table, and its hot-plug slot (§6.7): Slot Control commands (power,
 * indicators) completed at once, the link that follows the slot's power
 * and Link Disable, and the events of Slot Status.
 */
#include <errno.h>

#include "pci/port_internal.h"

/* §7.5.3.2: version 2, Root Port (0100b), Slot Implemented; message number 0. */
#define EXP_FLAGS_VAL 0x0142
/* §7.5.3.3: 128-byte Max_Payload_Size Supported, Role-Based Error Reporting. */
#define EXP_DEVCAP_RBER 0x00008000
/* §7.5.3.4 defaults: Relaxed Ordering, No Snoop, 512-byte Max_Read_Request_Size. */
#define EXP_DEVCTL_VAL 0x2810
/*
 * §7.5.3.6: 16 GT/s (0100b), x16, no ASPM, no Clock PM, DLL Link Active
 * Reporting Capable (bit 20, which pciehp waits on), ASPM Optionality
 * Compliance (bit 22); the Port Number goes in 31:24.
 */
#define PORT_MAX_SPEED 4
#define PORT_MAX_WIDTH 16
#define EXP_LNKCAP_VAL (PORT_MAX_SPEED | PORT_MAX_WIDTH << 4 | 1u << 20 | 1u << 22)
/* §7.5.3.18: Supported Link Speeds Vector, 2.5 to 16 GT/s (bits 4:1). */
#define EXP_LNKCAP2_VAL 0x0000001e
/*
 * §7.5.3.9: Attention Button, Power Controller, Attention and Power
 * Indicators present, Hot-Plug Capable; no MRL sensor, no surprise
 * removal, no interlock, Command Completed supported (No Command
 * Completed Support clear); the Physical Slot Number goes in 31:19.
 */
#define EXP_SLTCAP_VAL	     0x0000005b
#define EXP_SLTCAP_PSN_SHIFT 19

/* One register of the capability: its reset value and write masks. */
struct port_reg {
	uint8_t off, size;
	uint32_t val, wmask, w1c;
};

/*
 * Reset values and masks, register by register. Read-only unless a mask
 * says otherwise; bits a guest may write are plain storage unless
 * port_slot_write() acts on them.
 */
static const struct port_reg port_exp_regs[] = {
	{EXP_FLAGS, 2, EXP_FLAGS_VAL, 0, 0},
	{EXP_DEVCAP, 4, EXP_DEVCAP_RBER, 0, 0},
	/* §7.5.3.4: error reporting enables .. Max_Read_Request_Size (15 RsvdP). */
	{EXP_DEVCTL, 2, EXP_DEVCTL_VAL, 0x7fff, 0},
	/* §7.5.3.5: the four error detected bits are RW1C. */
	{EXP_DEVSTA, 2, 0, 0, 0x000f},
	{EXP_LNKCAP, 4, EXP_LNKCAP_VAL, 0, 0},
	/*
	 * §7.5.3.7: ASPM Control, Link Disable, Retrain Link, Common Clock,
	 * Extended Synch, HW Autonomous Width Disable, the two bandwidth
	 * interrupt enables. RCB is RO 0 (64 bytes) in a Root Port, Clock PM
	 * RO 0 without the capability.
	 */
	{EXP_LNKCTL, 2, 0, 0x0ef3, 0},
	/* §7.5.3.8: the two bandwidth status bits are RW1C; SCC set. */
	{EXP_LNKSTA, 2, EXP_LNKSTA_SCC | 1 | 1 << 4, 0, 0xc000},
	{EXP_SLTCAP, 4, EXP_SLTCAP_VAL, 0, 0},
	/*
	 * §7.5.3.10: every enable but MRL Sensor Changed (no sensor), the
	 * indicators, Power Controller Control, DLL State Changed Enable. An
	 * empty slot starts powered off with both indicators off.
	 */
	{EXP_SLTCTL, 2, EXP_SLTCTL_PCC | EXP_SLTCTL_PI_OFF | EXP_SLTCTL_AI_OFF, 0x17fb, 0},
	/* §7.5.3.11: the event bits are RW1C; the state bits are the slot's. */
	{EXP_SLTSTA, 2, 0, 0, 0x011f},
	/* §7.5.3.12: system error enables, PME Interrupt Enable; no CRS visibility. */
	{EXP_ROOTCTL, 2, 0, 0x000f, 0},
	/* §7.5.3.14: PME Status is RW1C. */
	{EXP_ROOTSTA, 4, 0, 0, 0x00010000},
	{EXP_LNKCAP2, 4, EXP_LNKCAP2_VAL, 0, 0},
	/* §7.5.3.19: Target Link Speed (the maximum after reset) .. Compliance Preset. */
	{EXP_LNKCTL2, 2, PORT_MAX_SPEED, 0xffff, 0},
};

int port_slot_init(struct pci_port *p)
{
	struct pci_cfg *c = &p->dev.cfg;
	int off = pci_cfg_add_cap(c, 0x10, EXP_V2_SIZE);

	if (off < 0)
		return off;
	p->exp = off;
	for (unsigned i = 0; i < ARRAY_SIZE(port_exp_regs); i++) {
		const struct port_reg *r = &port_exp_regs[i];

		pci_cfg_set(c, off + r->off, r->size, r->val);
		for (unsigned b = 0; b < r->size; b++) {
			c->wmask[off + r->off + b] = r->wmask >> (8 * b);
			c->w1cmask[off + r->off + b] = r->w1c >> (8 * b);
		}
	}
	pci_cfg_set(c, off + EXP_LNKCAP + 3, 1, p->cfg.port_nr);
	pci_cfg_set(c, off + EXP_SLTCAP, 4,
		    EXP_SLTCAP_VAL | (uint32_t)p->cfg.slot_nr << EXP_SLTCAP_PSN_SHIFT);
	return 0;
}

void port_slot_event(struct pci_port *p, uint16_t ev)
{
	port_set16(p, EXP_SLTSTA, port_get16(p, EXP_SLTSTA) | ev);
	port_irq_update(p);
}

/*
 * The speed and width the link trains to: the lower of the port's and the
 * device's (its Link Status, or x1 at 2.5 GT/s if it shows none).
 */
static uint16_t port_link_width_speed(const struct pci_port *p)
{
	struct pci_dev *d = p->child;
	unsigned cap = d ? pci_cfg_find_cap(&d->cfg, 0x10) : 0;
	uint16_t sta = cap ? pci_dev_cfg_read(d, cap + EXP_LNKSTA, 2) : 0;
	unsigned speed = sta & EXP_LNKSTA_CLS, width = (sta & EXP_LNKSTA_NLW) >> 4;

	if (!speed || speed > PORT_MAX_SPEED)
		speed = speed ? PORT_MAX_SPEED : 1;
	if (!width || width > PORT_MAX_WIDTH)
		width = width ? PORT_MAX_WIDTH : 1;
	return speed | width << 4;
}

/*
 * §7.5.3.8 DLLLA follows the link; §7.5.3.11 DLLSC is set when it
 * changes (and raises the interrupt if enabled).
 */
void port_link_update(struct pci_port *p)
{
	uint16_t sta = port_get16(p, EXP_LNKSTA);
	bool up = port_link_up(p), was = sta & EXP_LNKSTA_DLLLA;

	if (up == was)
		return;
	if (up)
		sta = (sta & ~(EXP_LNKSTA_CLS | EXP_LNKSTA_NLW)) | port_link_width_speed(p) |
		      EXP_LNKSTA_DLLLA;
	else
		sta &= ~EXP_LNKSTA_DLLLA;
	port_set16(p, EXP_LNKSTA, sta);
	port_slot_event(p, EXP_SLTSTA_DLLSC);
}

/* Whether the guest write [off, off + size) touched capability register @reg (2 bytes). */
static bool port_wrote(const struct pci_port *p, unsigned off, unsigned size, unsigned reg)
{
	unsigned at = p->exp + reg;

	return off < at + 2 && at < off + size;
}

void port_slot_write(struct pci_port *p, unsigned off, unsigned size, uint16_t old_sltctl,
		     uint16_t old_lnkctl)
{
	uint16_t ctl = port_get16(p, EXP_SLTCTL);
	struct pci_dev *d;

	if (port_wrote(p, off, size, EXP_LNKCTL)) {
		/* §7.5.3.7: Retrain Link always reads 0; the link is up at once. */
		port_set16(p, EXP_LNKCTL, port_get16(p, EXP_LNKCTL) & ~EXP_LNKCTL_RL);
		if ((old_lnkctl ^ port_get16(p, EXP_LNKCTL)) & EXP_LNKCTL_LD)
			port_link_update(p);
	}
	if (!port_wrote(p, off, size, EXP_SLTCTL))
		return;
	/*
	 * Power off (§6.7.1.8): the device loses power and leaves the slot,
	 * link down; the owner frees it. Power on brings the link up if a
	 * device is in.
	 */
	if ((ctl & ~old_sltctl & EXP_SLTCTL_PCC) && p->child) {
		d = p->child;
		pci_dev_unmap_all(d);
		p->child = NULL;
		port_link_update(p);
		if (p->cfg.ops && p->cfg.ops->slot_off)
			p->cfg.ops->slot_off(p->cfg.opaque, p, d);
	} else if (old_sltctl & ~ctl & EXP_SLTCTL_PCC) {
		port_link_update(p);
		if (p->child && p->cfg.ops && p->cfg.ops->slot_on)
			p->cfg.ops->slot_on(p->cfg.opaque, p, p->child);
	}
	/*
	 * §6.7.3.2: any write to Slot Control is one command; this port
	 * carries it out at once and reports Command Completed.
	 */
	port_slot_event(p, EXP_SLTSTA_CC);
}
