// SPDX-License-Identifier: GPL-2.0
/*
 * ACPI tables. Section numbers refer to ACPI 6.x (6.4/6.5 numbering):
 * 5.2.5 RSDP, 5.2.6 table header, 5.2.8 XSDT, 5.2.9 FADT, 5.2.12 MADT,
 * 5.2.3.2 Generic Address Structure; MCFG is defined by the PCI Firmware
 * Specification 3.x, 4.1.2.
 *
 * The platform is "hardware-reduced" (4.1): no PM timer, SCI, GPE blocks or
 * legacy PIC. Linux then needs only the reset register and the sleep
 * control/status registers (for S5), all byte ports served by dev/pm.c.
 */
#include <errno.h>
#include <string.h>

#include "boot/acpi.h"
#include "boot/aml.h"
#include "boot/resetvec.h"
#include "layout.h"

#define __packed __attribute__((packed))

/* 5.2.6 System Description Table Header. */
struct acpi_header {
	char signature[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	char creator_id[4];
	uint32_t creator_revision;
} __packed;

/* 5.2.5.3 Root System Description Pointer, revision 2. */
struct acpi_rsdp {
	char signature[8];
	uint8_t checksum; /* over the first 20 bytes (the ACPI 1.0 part) */
	char oem_id[6];
	uint8_t revision;
	uint32_t rsdt_address;
	uint32_t length;
	uint64_t xsdt_address;
	uint8_t extended_checksum; /* over the whole structure */
	uint8_t reserved[3];
} __packed;

#define ACPI_RSDP_V1_LEN 20

/* 5.2.3.2 Generic Address Structure. */
struct acpi_gas {
	uint8_t space_id;
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size;
	uint64_t address;
} __packed;

#define ACPI_GAS_SYSTEM_IO   1
#define ACPI_GAS_ACCESS_BYTE 1

/* 5.2.9 Fixed ACPI Description Table, Table 5.9 (revision 6, 276 bytes). */
struct acpi_fadt {
	struct acpi_header h;
	uint32_t firmware_ctrl;
	uint32_t dsdt;
	uint8_t reserved0;
	uint8_t preferred_pm_profile;
	uint16_t sci_int;
	uint32_t smi_cmd;
	uint8_t acpi_enable, acpi_disable, s4bios_req, pstate_cnt;
	uint32_t pm1a_evt_blk, pm1b_evt_blk, pm1a_cnt_blk, pm1b_cnt_blk;
	uint32_t pm2_cnt_blk, pm_tmr_blk, gpe0_blk, gpe1_blk;
	uint8_t pm1_evt_len, pm1_cnt_len, pm2_cnt_len, pm_tmr_len;
	uint8_t gpe0_blk_len, gpe1_blk_len, gpe1_base, cst_cnt;
	uint16_t p_lvl2_lat, p_lvl3_lat, flush_size, flush_stride;
	uint8_t duty_offset, duty_width, day_alrm, mon_alrm, century;
	uint16_t iapc_boot_arch;
	uint8_t reserved1;
	uint32_t flags;
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	uint16_t arm_boot_arch;
	uint8_t minor_version;
	uint64_t x_firmware_ctrl;
	uint64_t x_dsdt;
	struct acpi_gas x_pm1a_evt_blk, x_pm1b_evt_blk, x_pm1a_cnt_blk, x_pm1b_cnt_blk;
	struct acpi_gas x_pm2_cnt_blk, x_pm_tmr_blk, x_gpe0_blk, x_gpe1_blk;
	struct acpi_gas sleep_control_reg;
	struct acpi_gas sleep_status_reg;
	char hypervisor_vendor_id[8];
} __packed;

_Static_assert(RESETVEC_GPA > LAYOUT_ACPI && RESETVEC_GPA < LAYOUT_ACPI + LAYOUT_ACPI_SIZE,
	       "reset vector inside the ACPI area");
_Static_assert(sizeof(struct acpi_header) == 36, "ACPI header size");
_Static_assert(sizeof(struct acpi_rsdp) == 36, "RSDP size");
_Static_assert(sizeof(struct acpi_gas) == 12, "GAS size");
_Static_assert(offsetof(struct acpi_fadt, iapc_boot_arch) == 109, "FADT IAPC_BOOT_ARCH");
_Static_assert(offsetof(struct acpi_fadt, flags) == 112, "FADT Flags");
_Static_assert(offsetof(struct acpi_fadt, x_dsdt) == 140, "FADT X_DSDT");
_Static_assert(offsetof(struct acpi_fadt, sleep_control_reg) == 244, "FADT SLEEP_CONTROL_REG");
_Static_assert(sizeof(struct acpi_fadt) == 276, "FADT revision 6 size");

#define FADT_REVISION	   6
#define FADT_MINOR_VERSION 0
/* Table 5.10 Fixed ACPI Description Table Fixed Feature Flags. */
#define FADT_F_RESET_REG_SUP   (1u << 10)
#define FADT_F_HW_REDUCED_ACPI (1u << 20)
/*
 * 5.2.9.3 IA-PC Boot Architecture Flags. Bit 1 (8042) stays clear: there is
 * no keyboard controller, only its reset line (and Linux then leaves 0x60
 * alone). Bit 0 (LEGACY_DEVICES) clear: no ISA devices beyond the DSDT's.
 */
#define FADT_BOOT_VGA_NOT_PRESENT      (1u << 2)
#define FADT_BOOT_CMOS_RTC_NOT_PRESENT (1u << 5)

/* 5.2.12 MADT and its Interrupt Controller Structures. */
struct acpi_madt {
	struct acpi_header h;
	uint32_t lapic_address;
	uint32_t flags; /* bit 0 PCAT_COMPAT: clear, there is no 8259 */
} __packed;

struct acpi_madt_lapic { /* 5.2.12.2 Processor Local APIC Structure */
	uint8_t type, length, uid, apic_id;
	uint32_t flags;
} __packed;

struct acpi_madt_ioapic { /* 5.2.12.3 I/O APIC Structure */
	uint8_t type, length, id, reserved;
	uint32_t address;
	uint32_t gsi_base;
} __packed;

#define MADT_REVISION	   4
#define MADT_TYPE_LAPIC	   0
#define MADT_TYPE_IOAPIC   1
#define MADT_LAPIC_ENABLED 1

/* PCI Firmware Specification 3.x, 4.1.2 MCFG Table Description. */
struct acpi_mcfg {
	struct acpi_header h;
	uint8_t reserved[8];
	struct {
		uint64_t base;
		uint16_t segment;
		uint8_t bus_start, bus_end;
		uint32_t reserved;
	} __packed alloc[1];
} __packed;

_Static_assert(sizeof(struct acpi_mcfg) == 60, "MCFG size");

#define XSDT_ENTRIES	 3 /* FADT, MADT, MCFG */
#define DSDT_REVISION	 2 /* 64-bit AML integers */
#define TABLE_ALIGN	 16
#define OEM_REVISION	 1
#define CREATOR_REVISION 1

/* Bump allocator over the ACPI area. */
struct acpi_ctx {
	uint8_t *hva;
	uint64_t gpa;
	size_t size, off;
};

static void *acpi_alloc(struct acpi_ctx *c, size_t len, uint64_t *gpa)
{
	size_t off = ALIGN_UP(c->off, (size_t)TABLE_ALIGN);

	if (off > c->size || len > c->size - off)
		return NULL;
	c->off = off + len;
	*gpa = c->gpa + off;
	return c->hva + off;
}

/* 5.2.6 Checksum: the entire table, checksum field included, must sum to zero. */
static uint8_t acpi_checksum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += b[i];
	return (uint8_t)-sum;
}

static void acpi_header_init(struct acpi_header *h, const char *sig, uint32_t len, uint8_t rev)
{
	memcpy(h->signature, sig, 4);
	h->length = len;
	h->revision = rev;
	memcpy(h->oem_id, ACPI_OEM_ID, 6);
	memcpy(h->oem_table_id, ACPI_OEM_TABLE_ID, 8);
	h->oem_revision = OEM_REVISION;
	memcpy(h->creator_id, ACPI_CREATOR_ID, 4);
	h->creator_revision = CREATOR_REVISION;
}

static void acpi_header_sum(struct acpi_header *h)
{
	h->checksum = 0;
	h->checksum = acpi_checksum(h, h->length);
}

static struct acpi_gas acpi_io_byte(uint16_t port)
{
	return (struct acpi_gas){
		.space_id = ACPI_GAS_SYSTEM_IO,
		.bit_width = 8,
		.bit_offset = 0,
		.access_size = ACPI_GAS_ACCESS_BYTE,
		.address = port,
	};
}

/* ---- DSDT ---------------------------------------------------------------- */

struct dsdt_dev {
	const char *name;      /* under \_SB */
	const char *hid, *cid; /* EISA ids; cid may be NULL */
	unsigned uid;
	void (*crs)(struct aml *r, const struct acpi_cfg *cfg);
	void (*body)(struct aml *a, const struct acpi_cfg *cfg); /* more objects, or NULL */
};

/*
 * PCI root bridge resources (6.4; PCI Firmware Spec 4.1.5 for what Linux's
 * pci_root.c expects): the bus range, the CF8 config ports it consumes, and
 * the windows it forwards. ECAM lies outside every window (it starts where
 * the 32-bit window ends) and is reserved by MBRD instead.
 */
static void dsdt_pci0_crs(struct aml *r, const struct acpi_cfg *cfg)
{
	aml_res_word_bus(r, 0, cfg->ecam_bus_end);
	aml_res_io(r, PORT_PCI_CONF_ADDR, PORT_PCI_CONF_ADDR, 1, 8);
	aml_res_word_io(r, LAYOUT_PCI_IO_BASE, LAYOUT_PCI_IO_BASE + LAYOUT_PCI_IO_SIZE - 1);
	aml_res_dword_mem(r, AML_MEM_NONCACHEABLE, LAYOUT_MMIO32_BASE,
			  LAYOUT_MMIO32_BASE + LAYOUT_MMIO32_SIZE - 1);
	if (cfg->mmio64_size)
		aml_res_qword_mem(r, AML_MEM_CACHEABLE, cfg->mmio64_base,
				  cfg->mmio64_base + cfg->mmio64_size - 1);
}

/*
 * No _ADR: 6.1.1 "A device object must contain either an _HID object or an
 * _ADR object, but should not contain both" (iasl warns on both).
 *
 * 6.2.13 _PRT: Package { Address (slot << 16 | 0xFFFF: any function), Pin
 * (0 = INTA), Source (Zero: SourceIndex is a GSI), SourceIndex }.
 */
static void dsdt_pci0_body(struct aml *a, const struct acpi_cfg *cfg)
{
	static const struct {
		const char *name;
		uint64_t value;
	} ints[] = {{"_SEG", 0}, {"_BBN", 0}};
	size_t prt;

	for (unsigned i = 0; i < ARRAY_SIZE(ints); i++) {
		aml_name(a, ints[i].name);
		aml_int(a, ints[i].value);
	}
	aml_name(a, "_PRT");
	prt = aml_package(a, (ACPI_PCI_SLOTS - 1) * ACPI_PCI_PINS);
	for (unsigned slot = 1; slot < ACPI_PCI_SLOTS; slot++) {
		for (unsigned pin = 0; pin < ACPI_PCI_PINS; pin++) {
			size_t e = aml_package(a, 4);

			aml_int(a, (uint64_t)slot << 16 | 0xffff);
			aml_int(a, pin);
			aml_int(a, 0);
			aml_int(a, ACPI_PCI_INTX_GSI(slot, pin));
			aml_end(a, e);
		}
	}
	aml_end(a, prt);
	acpi_pci_osc(a);
}

/* COM1 as a PNP0501 so Linux maps its ISA IRQ through the IOAPIC. */
static void dsdt_com1_crs(struct aml *r, const struct acpi_cfg *cfg)
{
	aml_res_io(r, PORT_SERIAL0, PORT_SERIAL0, 1, PORT_SERIAL_LEN);
	aml_res_irq(r, 1u << IRQ_SERIAL0);
}

/* Motherboard resources (PNP0C02): the whole ECAM window. */
static void dsdt_mbrd_crs(struct aml *r, const struct acpi_cfg *cfg)
{
	aml_res_mem32_fixed(r, LAYOUT_ECAM_BASE, LAYOUT_ECAM_SIZE);
}

static const struct dsdt_dev dsdt_devs[] = {
	{"PCI0", "PNP0A08", "PNP0A03", 0, dsdt_pci0_crs, dsdt_pci0_body},
	{"COM1", "PNP0501", NULL, 0, dsdt_com1_crs, NULL},
	{"MBRD", "PNP0C02", NULL, 0, dsdt_mbrd_crs, NULL},
};

static void dsdt_device(struct aml *a, const struct dsdt_dev *d, const struct acpi_cfg *cfg)
{
	size_t dev = aml_device(a, d->name);
	struct aml r;

	aml_name(a, "_HID");
	aml_eisaid(a, d->hid);
	if (d->cid) {
		aml_name(a, "_CID");
		aml_eisaid(a, d->cid);
	}
	aml_name(a, "_UID");
	aml_int(a, d->uid);
	if (d->body)
		d->body(a, cfg);
	aml_init(&r);
	d->crs(&r, cfg);
	aml_res_end(&r);
	aml_name(a, "_CRS");
	aml_restemplate(a, &r);
	aml_free(&r);
	aml_end(a, dev);
}

static void dsdt_build(struct aml *a, const struct acpi_cfg *cfg)
{
	size_t pkg, sb;

	/* 7.4.2 \_Sx: Package { SLP_TYPa, SLP_TYPb }, written to SLEEP_CONTROL_REG. */
	aml_name(a, "\\_S5_");
	pkg = aml_package(a, 2);
	aml_int(a, ACPI_S5_SLP_TYP);
	aml_int(a, 0);
	aml_end(a, pkg);

	sb = aml_scope(a, "\\_SB");
	for (unsigned i = 0; i < ARRAY_SIZE(dsdt_devs); i++)
		dsdt_device(a, &dsdt_devs[i], cfg);
	aml_end(a, sb);
}

/* ---- tables -------------------------------------------------------------- */

static int acpi_cfg_check(const struct acpi_cfg *cfg)
{
	if (!cfg->ncpus || cfg->ncpus > ACPI_MAX_CPUS)
		return -EINVAL;
	if (cfg->ecam_bus_start > cfg->ecam_bus_end ||
	    ((uint64_t)cfg->ecam_bus_end + 1) << 20 > LAYOUT_ECAM_SIZE)
		return -EINVAL;
	if (cfg->mmio64_size && (cfg->mmio64_base < LAYOUT_4G ||
				 cfg->mmio64_base + cfg->mmio64_size < cfg->mmio64_base))
		return -EINVAL;
	return 0;
}

static void acpi_fill_fadt(struct acpi_fadt *f, uint64_t dsdt)
{
	acpi_header_init(&f->h, "FACP", sizeof(*f), FADT_REVISION);
	/* No FACS: optional on hardware-reduced platforms (5.2.10). */
	f->dsdt = (uint32_t)dsdt;
	f->x_dsdt = dsdt;
	f->iapc_boot_arch = FADT_BOOT_VGA_NOT_PRESENT | FADT_BOOT_CMOS_RTC_NOT_PRESENT;
	f->flags = FADT_F_HW_REDUCED_ACPI | FADT_F_RESET_REG_SUP;
	/* 4.8.3.6 Reset Register: an 8-bit register, bit offset 0. */
	f->reset_reg = acpi_io_byte(PORT_ACPI_RESET);
	f->reset_value = ACPI_RESET_VALUE;
	f->minor_version = FADT_MINOR_VERSION;
	/* 4.8.3.7/4.8.3.8 Sleep Control and Status Registers (hardware-reduced S5). */
	f->sleep_control_reg = acpi_io_byte(PORT_ACPI_SLEEP_CTL);
	f->sleep_status_reg = acpi_io_byte(PORT_ACPI_SLEEP_STS);
	memcpy(f->hypervisor_vendor_id, "PTVM\0\0\0\0", 8);
	acpi_header_sum(&f->h);
}

static void acpi_fill_madt(struct acpi_madt *t, size_t len, const struct acpi_cfg *cfg)
{
	struct acpi_madt_lapic *l = (struct acpi_madt_lapic *)(t + 1);
	struct acpi_madt_ioapic *io = (struct acpi_madt_ioapic *)(l + cfg->ncpus);

	acpi_header_init(&t->h, "APIC", len, MADT_REVISION);
	t->lapic_address = (uint32_t)LAYOUT_LAPIC;
	for (unsigned i = 0; i < cfg->ncpus; i++) {
		l[i] = (struct acpi_madt_lapic){
			.type = MADT_TYPE_LAPIC,
			.length = sizeof(*l),
			.uid = (uint8_t)i,
			.apic_id = (uint8_t)i,
			.flags = MADT_LAPIC_ENABLED,
		};
	}
	/*
	 * One I/O APIC, GSIs 0..23. No Interrupt Source Override: ISA IRQs map
	 * 1:1 to GSIs (KVM's default routing wires the PIT to pin 0 and the
	 * serial port to pin 4), and a hardware-reduced Linux does not use the
	 * PIT as its timer anyway.
	 */
	*io = (struct acpi_madt_ioapic){
		.type = MADT_TYPE_IOAPIC,
		.length = sizeof(*io),
		.id = (uint8_t)ACPI_IOAPIC_ID(cfg->ncpus),
		.address = (uint32_t)LAYOUT_IOAPIC,
		.gsi_base = 0,
	};
	acpi_header_sum(&t->h);
}

static void acpi_fill_mcfg(struct acpi_mcfg *t, const struct acpi_cfg *cfg)
{
	acpi_header_init(&t->h, "MCFG", sizeof(*t), 1);
	/* "Base address of enhanced configuration mechanism": that of bus 0. */
	t->alloc[0].base = LAYOUT_ECAM_BASE;
	t->alloc[0].segment = 0;
	t->alloc[0].bus_start = cfg->ecam_bus_start;
	t->alloc[0].bus_end = cfg->ecam_bus_end;
	acpi_header_sum(&t->h);
}

static int acpi_write_tables(struct acpi_ctx *c, const struct acpi_cfg *cfg,
			     const struct aml *dsdt_aml, uint64_t *rsdp_gpa)
{
	size_t madt_len = sizeof(struct acpi_madt) + cfg->ncpus * sizeof(struct acpi_madt_lapic) +
			  sizeof(struct acpi_madt_ioapic);
	size_t dsdt_len = sizeof(struct acpi_header) + dsdt_aml->len;
	size_t xsdt_len = sizeof(struct acpi_header) + XSDT_ENTRIES * sizeof(uint64_t);
	uint64_t rsdp_at = 0, dsdt_at = 0, fadt_at = 0, madt_at = 0, mcfg_at = 0, xsdt_at = 0;
	uint64_t entries[XSDT_ENTRIES];
	struct acpi_rsdp *rsdp;
	struct acpi_header *dsdt, *xsdt;
	struct acpi_fadt *fadt;
	struct acpi_madt *madt;
	struct acpi_mcfg *mcfg;

	/* The RSDP first: at LAYOUT_ACPI, 16-byte aligned for the legacy scan (5.2.5.1). */
	rsdp = acpi_alloc(c, sizeof(*rsdp), &rsdp_at);
	dsdt = acpi_alloc(c, dsdt_len, &dsdt_at);
	fadt = acpi_alloc(c, sizeof(*fadt), &fadt_at);
	madt = acpi_alloc(c, madt_len, &madt_at);
	mcfg = acpi_alloc(c, sizeof(*mcfg), &mcfg_at);
	xsdt = acpi_alloc(c, xsdt_len, &xsdt_at);
	if (!rsdp || !dsdt || !fadt || !madt || !mcfg || !xsdt || dsdt_len > UINT32_MAX)
		return -ENOSPC;

	acpi_header_init(dsdt, "DSDT", dsdt_len, DSDT_REVISION);
	memcpy(dsdt + 1, dsdt_aml->buf, dsdt_aml->len);
	acpi_header_sum(dsdt);
	acpi_fill_fadt(fadt, dsdt_at);
	acpi_fill_madt(madt, madt_len, cfg);
	acpi_fill_mcfg(mcfg, cfg);

	/* 5.2.8 XSDT: 64-bit physical addresses, unaligned at offset 36. */
	entries[0] = fadt_at;
	entries[1] = madt_at;
	entries[2] = mcfg_at;
	acpi_header_init(xsdt, "XSDT", xsdt_len, 1);
	memcpy(xsdt + 1, entries, sizeof(entries));
	acpi_header_sum(xsdt);

	memcpy(rsdp->signature, "RSD PTR ", 8);
	memcpy(rsdp->oem_id, ACPI_OEM_ID, 6);
	rsdp->revision = 2;	/* ACPI 2.0+: Length, XsdtAddress, extended checksum */
	rsdp->rsdt_address = 0; /* no RSDT: every consumer of a revision 2 RSDP uses the XSDT */
	rsdp->length = sizeof(*rsdp);
	rsdp->xsdt_address = xsdt_at;
	rsdp->checksum = acpi_checksum(rsdp, ACPI_RSDP_V1_LEN);
	rsdp->extended_checksum = acpi_checksum(rsdp, sizeof(*rsdp));
	*rsdp_gpa = rsdp_at;
	return 0;
}

int acpi_build(struct guest_mem *m, const struct acpi_cfg *cfg, uint64_t *rsdp_gpa)
{
	/* Tables fill the area from its start up to the reset vector. */
	struct acpi_ctx c = {.gpa = LAYOUT_ACPI, .size = RESETVEC_GPA - LAYOUT_ACPI};
	struct aml dsdt;
	int ret;

	ret = acpi_cfg_check(cfg);
	if (ret)
		return ret;
	c.hva = mem_ptr(m, LAYOUT_ACPI, LAYOUT_ACPI_SIZE);
	if (!c.hva)
		return -EFAULT;

	aml_init(&dsdt);
	dsdt_build(&dsdt, cfg);
	ret = aml_error(&dsdt);
	if (!ret) {
		memset(c.hva, 0, c.size);
		ret = acpi_write_tables(&c, cfg, &dsdt, rsdp_gpa);
	}
	aml_free(&dsdt);
	return ret;
}
