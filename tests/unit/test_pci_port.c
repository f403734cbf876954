// SPDX-License-Identifier: GPL-2.0
/*
 * The PCIe root port model (vmm/pci/port.c, port_slot.c): its registers
 * and masks (PCIe 4.0 §7.5.3), the RW1C Slot Status events, Command
 * Completed, power and link, the hot-plug interrupt (§6.7.3.4), and
 * config routing through the host bridge.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <cmocka.h>

#include "layout.h"
#include "pci/host.h"
#include "pci/port.h"

#define ECAM(bus, dev, fn, reg) ((uint64_t)(bus) << 20 | (dev) << 15 | (fn) << 12 | (reg))
#define EXP			0x40 /* where the model puts its PCI Express Capability */
#define MSI			0x7c /* ... and its MSI capability */
#define SLOT			5
#define BUS			7

struct fx {
	struct pci_port *p;
	struct pci_dev *pd;
	struct pci_dev child;
	unsigned nr_off, nr_on, nr_msi, nr_unmap;
	struct pci_dev *off_dev;
	uint64_t msi_addr;
	uint32_t msi_data;
	int intx;
};

static void fx_msi(void *opaque, uint64_t addr, uint32_t data)
{
	struct fx *f = opaque;

	f->nr_msi++;
	f->msi_addr = addr;
	f->msi_data = data;
}

static void fx_intx(void *opaque, int level)
{
	struct fx *f = opaque;

	f->intx = level;
}

static void fx_off(void *opaque, struct pci_port *port, struct pci_dev *dev)
{
	struct fx *f = opaque;

	f->nr_off++;
	f->off_dev = dev;
}

static void fx_on(void *opaque, struct pci_port *port, struct pci_dev *dev)
{
	struct fx *f = opaque;

	f->nr_on++;
}

static const struct pci_port_ops fx_ops = {
	.slot_off = fx_off,
	.slot_on = fx_on,
};

static int fx_child_map(struct pci_dev *dev, unsigned bar, uint64_t old_addr, uint64_t new_addr,
			bool enable)
{
	struct fx *f = dev->opaque;

	if (!enable)
		f->nr_unmap++;
	return 0;
}

static const struct pci_dev_ops fx_child_ops = {
	.bar_map = fx_child_map,
};

static const struct pci_cfg_id fx_child_id = {
	.vendor = 0x8086,
	.device = 0x10d3,
	.class_code = 0x020000,
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct pci_port_config pc = {
		.slot_nr = SLOT,
		.port_nr = 3,
		.bus = BUS,
		.ops = &fx_ops,
	};
	int off;

	if (!f)
		return -1;
	pc.msi = (struct msi_sink){fx_msi, f};
	pc.intx = (struct irq_line){fx_intx, f};
	pc.opaque = f;
	if (pci_port_create(&f->p, &pc))
		return -1;
	f->pd = pci_port_dev(f->p);
	/* A child with a 4 KiB BAR decoding at 0xc0000000, and a PCIe x4 5 GT/s link. */
	pci_cfg_init_type0(&f->child.cfg, &fx_child_id);
	if (pci_cfg_set_bar(&f->child.cfg, 0, 4096, PCI_BAR_MEM32))
		return -1;
	pci_cfg_set(&f->child.cfg, PCI_BAR0, 4, 0xc0000000);
	pci_cfg_set(&f->child.cfg, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	off = pci_cfg_add_cap(&f->child.cfg, 0x10, 0x3c);
	if (off < 0)
		return -1;
	pci_cfg_set(&f->child.cfg, off + 0x12, 2, 0x0042);
	f->child.ops = &fx_child_ops;
	f->child.opaque = f;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	pci_port_destroy(f->p);
	free(f);
	return 0;
}

static uint32_t rd(struct fx *f, unsigned off, unsigned size)
{
	return pci_dev_cfg_read(f->pd, off, size);
}

static void wr(struct fx *f, unsigned off, unsigned size, uint32_t val)
{
	pci_dev_cfg_write(f->pd, off, size, val);
}

/* The device config accesses to @bus:@devfn reach through the port, or NULL. */
static struct pci_dev *below(struct fx *f, unsigned bus, unsigned devfn)
{
	return f->pd->ops->route(f->pd, bus, devfn);
}

static void test_header(void **state)
{
	struct fx *f = *state;

	assert_int_equal(rd(f, PCI_VENDOR_ID, 4), 0x000c1b36);
	assert_int_equal(rd(f, PCI_REVISION_ID, 4) >> 8, 0x060400);
	assert_int_equal(rd(f, PCI_HEADER_TYPE, 1), 0x01);
	/* Bus numbers as firmware leaves them; all three writable. */
	assert_int_equal(rd(f, PCI_PRIMARY_BUS, 4), 0x00070700);
	wr(f, PCI_PRIMARY_BUS, 4, 0xffffffff);
	assert_int_equal(rd(f, PCI_PRIMARY_BUS, 4), 0x00ffffff);
	/* Closed windows; writable address bits only, the type nibbles stay. */
	assert_int_equal(rd(f, PCI_IO_BASE, 2), 0x00f0);
	assert_int_equal(rd(f, PCI_MEMORY_BASE, 4), 0x0000fff0);
	assert_int_equal(rd(f, PCI_PREF_BASE, 4), 0x0001fff1);
	wr(f, PCI_IO_BASE, 2, 0xffff);
	wr(f, PCI_MEMORY_BASE, 4, 0xffffffff);
	wr(f, PCI_PREF_BASE, 4, 0);
	assert_int_equal(rd(f, PCI_IO_BASE, 2), 0xf0f0);
	assert_int_equal(rd(f, PCI_MEMORY_BASE, 4), 0xfff0fff0);
	assert_int_equal(rd(f, PCI_PREF_BASE, 4), 0x00010001);
	wr(f, PCI_PREF_BASE_UPPER, 4, 0xffffffff);
	assert_int_equal(rd(f, PCI_PREF_BASE_UPPER, 4), 0xffffffff);
	/* No BARs, no ROM; INTA; Bridge Control without Master Abort Mode. */
	wr(f, PCI_BAR0, 4, 0xffffffff);
	wr(f, PCI_BRIDGE_ROM, 4, 0xffffffff);
	assert_int_equal(rd(f, PCI_BAR0, 4), 0);
	assert_int_equal(rd(f, PCI_BRIDGE_ROM, 4), 0);
	assert_int_equal(rd(f, PCI_INTERRUPT_PIN, 1), 1);
	wr(f, PCI_BRIDGE_CONTROL, 2, 0xffff);
	assert_int_equal(rd(f, PCI_BRIDGE_CONTROL, 2), 0x005f);
	/* Capabilities: PCIe at EXP, MSI at MSI. */
	assert_int_equal(rd(f, PCI_CAP_PTR, 1), EXP);
	assert_int_equal(rd(f, EXP, 2), MSI << 8 | 0x10);
	assert_int_equal(rd(f, MSI, 2), 0x05);
	assert_int_equal(rd(f, MSI + 2, 2), 0x0080);
}

static void test_exp_registers(void **state)
{
	struct fx *f = *state;
	static const struct {
		unsigned off, size;
		uint32_t val;
	} ro[] = {
		{EXP + 0x02, 2, 0x0142},		  /* v2 Root Port, Slot Implemented */
		{EXP + 0x04, 4, 0x00008000},		  /* Role-Based Error Reporting */
		{EXP + 0x0c, 4, 0x03500104},		  /* 16 GT/s x16, DLLLARC, port 3 */
		{EXP + 0x14, 4, 0x0000005b | SLOT << 19}, /* slot capabilities */
		{EXP + 0x2c, 4, 0x0000001e},		  /* 2.5 to 16 GT/s */
	};
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(ro); i++) {
		assert_int_equal(rd(f, ro[i].off, ro[i].size), ro[i].val);
		wr(f, ro[i].off, ro[i].size, ~ro[i].val);
		assert_int_equal(rd(f, ro[i].off, ro[i].size), ro[i].val);
	}
	/* Empty slot: power off, both indicators off; no card, link down. */
	assert_int_equal(rd(f, EXP + 0x18, 2), 0x07c0);
	assert_int_equal(rd(f, EXP + 0x1a, 2), 0);
	assert_int_equal(rd(f, EXP + 0x12, 2) & 0x2000, 0);
	/* Slot Control keeps only its writable bits (no MRL, no interlock). */
	wr(f, EXP + 0x18, 2, 0xffff);
	assert_int_equal(rd(f, EXP + 0x18, 2), 0x17fb);
	/* Link Control: Retrain Link reads 0; RCB and Clock PM are RO 0. */
	wr(f, EXP + 0x10, 2, 0xffff);
	assert_int_equal(rd(f, EXP + 0x10, 2), 0x0ed3);
	/* Device Control: bit 15 RsvdP. */
	wr(f, EXP + 0x08, 2, 0xffff);
	assert_int_equal(rd(f, EXP + 0x08, 2), 0x7fff);
}

/* RW1C: a written 1 clears that event only, a 0 nothing. */
static void test_status_rw1c(void **state)
{
	struct fx *f = *state;

	assert_int_equal(pci_port_plug(f->p, &f->child, false), 0);
	/* Presence Detect State + Changed, Attention Button Pressed. */
	assert_int_equal(rd(f, EXP + 0x1a, 2), 0x0049);
	wr(f, EXP + 0x1a, 2, 0);
	assert_int_equal(rd(f, EXP + 0x1a, 2), 0x0049);
	wr(f, EXP + 0x1a, 2, 0x0001);
	assert_int_equal(rd(f, EXP + 0x1a, 2), 0x0048);
	/* The state bit does not clear. */
	wr(f, EXP + 0x1a, 2, 0xffff);
	assert_int_equal(rd(f, EXP + 0x1a, 2), 0x0040);
	assert_int_equal(pci_port_plug(f->p, &f->child, false), -EBUSY);
}

/* §6.7.3.2: every Slot Control write completes at once; §6.7.3.4 MSI on the edge. */
static void test_command_completed(void **state)
{
	struct fx *f = *state;

	wr(f, MSI + 4, 4, 0xfee01004);
	wr(f, MSI + 8, 4, 0);
	wr(f, MSI + 12, 2, 0x4041);
	wr(f, MSI + 2, 2, 0x0001);
	wr(f, EXP + 0x18, 2, 0x0430 | 0x03c0); /* CCIE, HPIE, power off, indicators off */
	assert_int_equal(rd(f, EXP + 0x1a, 2), 0x0010);
	/* No bus mastering: no message. */
	assert_int_equal(f->nr_msi, 0);
	wr(f, EXP + 0x1a, 2, 0x0010);
	wr(f, PCI_COMMAND, 2, PCI_COMMAND_MASTER);
	wr(f, EXP + 0x18, 2, 0x07f0);
	assert_int_equal(f->nr_msi, 1);
	assert_int_equal(f->msi_addr, 0xfee01004);
	assert_int_equal(f->msi_data, 0x4041);
	/* Still pending: another command sends nothing more. */
	wr(f, EXP + 0x18, 2, 0x07f0);
	assert_int_equal(f->nr_msi, 1);
	/* Cleared, then a new command: a new message. */
	wr(f, EXP + 0x1a, 2, 0x0010);
	assert_int_equal(rd(f, EXP + 0x1a, 2), 0);
	wr(f, EXP + 0x18, 2, 0x07f0);
	assert_int_equal(f->nr_msi, 2);
	/* Without CCIE it is still reported, never signalled. */
	wr(f, EXP + 0x1a, 2, 0x0010);
	wr(f, EXP + 0x18, 2, 0x07e0);
	assert_int_equal(rd(f, EXP + 0x1a, 2), 0x0010);
	assert_int_equal(f->nr_msi, 2);
	assert_int_equal(f->intx, 0);
}

/* INTA while MSI is off: level, masked by Interrupt Disable, STATUS bit 3. */
static void test_intx(void **state)
{
	struct fx *f = *state;

	wr(f, EXP + 0x18, 2, 0x0021 | 0x07c0); /* ABPE, HPIE */
	assert_int_equal(pci_port_plug(f->p, &f->child, true), 0);
	assert_int_equal(f->intx, 0);
	assert_int_equal(pci_port_press_button(f->p), 0);
	assert_int_equal(pci_port_press_button(f->p), -EALREADY);
	assert_int_equal(f->intx, 1);
	assert_int_equal(rd(f, PCI_STATUS, 2) & PCI_STATUS_INTX, PCI_STATUS_INTX);
	wr(f, PCI_COMMAND, 2, PCI_COMMAND_INTX_OFF);
	assert_int_equal(f->intx, 0);
	assert_int_equal(rd(f, PCI_STATUS, 2) & PCI_STATUS_INTX, PCI_STATUS_INTX);
	wr(f, PCI_COMMAND, 2, 0);
	assert_int_equal(f->intx, 1);
	wr(f, EXP + 0x1a, 2, 0x0001);
	assert_int_equal(f->intx, 0);
	assert_int_equal(rd(f, PCI_STATUS, 2) & PCI_STATUS_INTX, 0);
	assert_int_equal(f->nr_msi, 0);
}

/* Cold plug, then the guest powers the slot off: the device leaves. */
static void test_power_off(void **state)
{
	struct fx *f = *state;

	assert_int_equal(pci_port_press_button(f->p), -ENODEV);
	assert_int_equal(pci_port_plug(f->p, &f->child, true), 0);
	/* Powered, power indicator on, link up x4 at 5 GT/s, no event. */
	assert_int_equal(rd(f, EXP + 0x18, 2), 0x01c0);
	assert_int_equal(rd(f, EXP + 0x1a, 2), 0x0040);
	assert_int_equal(rd(f, EXP + 0x12, 2), 0x3042);
	assert_ptr_equal(below(f, BUS, 0), &f->child);
	assert_null(below(f, BUS, 1 << 3));
	assert_null(below(f, BUS, 1));
	assert_null(below(f, BUS + 1, 0));
	/* Link Disable takes the link down (DLLSC) and the device with it. */
	wr(f, EXP + 0x10, 2, 0x0010);
	assert_null(below(f, BUS, 0));
	assert_int_equal(rd(f, EXP + 0x1a, 2), 0x0140);
	wr(f, EXP + 0x10, 2, 0);
	assert_ptr_equal(below(f, BUS, 0), &f->child);
	wr(f, EXP + 0x1a, 2, 0xffff);
	/* DLLSCE + HPIE: the power-off write reports the link going down. */
	wr(f, EXP + 0x18, 2, 0x1020 | 0x03c0);
	assert_int_equal(f->nr_off, 0);
	wr(f, EXP + 0x18, 2, 0x1020 | 0x07c0);
	assert_int_equal(f->nr_off, 1);
	assert_ptr_equal(f->off_dev, &f->child);
	assert_int_equal(f->nr_unmap, 1);
	assert_null(pci_port_child(f->p));
	assert_null(below(f, BUS, 0));
	assert_int_equal(rd(f, EXP + 0x12, 2) & 0x2000, 0);
	assert_int_equal(rd(f, EXP + 0x1a, 2), 0x0150); /* PDS, DLLSC, CC */
	assert_int_equal(f->intx, 1);
	/* Still occupied until the owner ejects; then Presence Detect Changed. */
	assert_true(pci_port_occupied(f->p));
	wr(f, EXP + 0x1a, 2, 0xffff);
	assert_int_equal(pci_port_eject(f->p), 0);
	assert_false(pci_port_occupied(f->p));
	assert_int_equal(rd(f, EXP + 0x1a, 2), 0x0008);
	/* Power on again: nothing in the slot, no link. */
	wr(f, EXP + 0x18, 2, 0x1020 | 0x03c0);
	assert_int_equal(f->nr_on, 0);
	assert_int_equal(rd(f, EXP + 0x12, 2) & 0x2000, 0);
}

/* Hot plug: a card in, the guest powers the slot on, the link trains. */
static void test_hot_plug(void **state)
{
	struct fx *f = *state;

	assert_int_equal(pci_port_plug(f->p, &f->child, false), 0);
	assert_null(below(f, BUS, 0));
	assert_int_equal(rd(f, EXP + 0x1a, 2), 0x0049);
	wr(f, EXP + 0x1a, 2, 0xffff);
	wr(f, EXP + 0x18, 2, 0x01c0); /* power on, power indicator on */
	assert_int_equal(f->nr_on, 1);
	assert_ptr_equal(below(f, BUS, 0), &f->child);
	assert_int_equal(rd(f, EXP + 0x12, 2), 0x3042);
	assert_int_equal(rd(f, EXP + 0x1a, 2), 0x0150);
	/* Teardown takes it without telling the guest. */
	assert_ptr_equal(pci_port_take(f->p), &f->child);
	assert_int_equal(f->nr_unmap, 1);
	assert_int_equal(f->nr_off, 0);
	assert_null(below(f, BUS, 0));
}

/* ECAM through the host: bus BUS, device 0 is the child while the link is up. */
static void test_host_routing(void **state)
{
	struct fx *f = *state;
	struct pci_host *h;
	uint64_t v;

	assert_int_equal(pci_host_create(&h), 0);
	assert_int_equal(pci_host_attach(h, SLOT, f->pd), 0);
	assert_int_equal(pci_port_plug(f->p, &f->child, true), 0);
	v = pci_host_ecam_ops.read(h, ECAM(0, SLOT, 0, 0), 4);
	assert_int_equal(v, 0x000c1b36);
	v = pci_host_ecam_ops.read(h, ECAM(BUS, 0, 0, 0), 4);
	assert_int_equal(v, 0x10d38086);
	v = pci_host_ecam_ops.read(h, ECAM(BUS, 1, 0, 0), 4);
	assert_int_equal(v, 0xffffffff);
	v = pci_host_ecam_ops.read(h, ECAM(BUS + 1, 0, 0, 0), 4);
	assert_int_equal(v, 0xffffffff);
	/* The guest renumbers the bus: routing follows. */
	pci_host_ecam_ops.write(h, ECAM(0, SLOT, 0, PCI_SECONDARY_BUS), 1, 9);
	v = pci_host_ecam_ops.read(h, ECAM(9, 0, 0, 0), 4);
	assert_int_equal(v, 0x10d38086);
	v = pci_host_ecam_ops.read(h, ECAM(BUS, 0, 0, 0), 4);
	assert_int_equal(v, 0xffffffff);
	(void)!pci_port_take(f->p);
	assert_int_equal(pci_host_detach(h, SLOT), 0);
	pci_host_destroy(h);
}

static void test_bad_config(void **state)
{
	struct pci_port_config pc = {.slot_nr = 1, .bus = 0};
	struct pci_port *p;

	assert_int_equal(pci_port_create(&p, &pc), -EINVAL);
	pc.bus = 256;
	assert_int_equal(pci_port_create(&p, &pc), -EINVAL);
	pc.bus = 1;
	pc.slot_nr = 0;
	assert_int_equal(pci_port_create(&p, &pc), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exp_registers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_rw1c, setup, teardown),
		cmocka_unit_test_setup_teardown(test_command_completed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_intx, setup, teardown),
		cmocka_unit_test_setup_teardown(test_power_off, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hot_plug, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_routing, setup, teardown),
		cmocka_unit_test(test_bad_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
