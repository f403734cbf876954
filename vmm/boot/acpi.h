/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ACPI tables for a ptvm guest (ACPI 6.x chapter 5): RSDP, XSDT, FADT
 * (hardware-reduced), MADT, MCFG and a DSDT describing the PCI root bridge,
 * all inside [LAYOUT_ACPI, LAYOUT_ACPI + LAYOUT_ACPI_SIZE).
 */
#ifndef PTVM_BOOT_ACPI_H
#define PTVM_BOOT_ACPI_H

#include "layout.h"
#include "memory.h"

/*
 * APIC IDs are the vCPU indexes 0..ncpus-1 (xAPIC: 8 bits, 0xff is the
 * broadcast id). The I/O APIC gets the first id after the CPUs.
 */
#define ACPI_MAX_CPUS	  254
#define ACPI_IOAPIC_ID(n) (n)

/*
 * PCI INTx routing the DSDT's _PRT announces and the device wiring must
 * follow: slot 1..31, pin 0..3 (INTA..INTD) -> one of the 8 GSIs from
 * LAYOUT_PCI_INTX_GSI0, rotated by slot like a PCI-to-PCI bridge swizzle.
 */
#define ACPI_PCI_SLOTS		     32
#define ACPI_PCI_PINS		     4
#define ACPI_PCI_INTX_GSI(slot, pin) (LAYOUT_PCI_INTX_GSI0 + ((slot) + (pin)) % 8)

#define ACPI_OEM_ID		     "PTVM  "
#define ACPI_OEM_TABLE_ID	     "PTVMTBL "
#define ACPI_CREATOR_ID		     "PTVM"

struct acpi_cfg {
	unsigned ncpus;			      /* 1..ACPI_MAX_CPUS */
	uint64_t mmio64_base, mmio64_size;    /* 64-bit PCI window (size 0: none) */
	uint8_t ecam_bus_start, ecam_bus_end; /* buses decoded at LAYOUT_ECAM_BASE */
};

/*
 * Write the tables into @m and return the RSDP's guest-physical address
 * (LAYOUT_ACPI, where the legacy 0xE0000-0xFFFFF scan also finds it) in
 * *@rsdp_gpa. Zeroes and fills [LAYOUT_ACPI, RESETVEC_GPA) only: the reset
 * vector stub (boot/resetvec.h) at the top of the area is left alone, so the
 * two may be written in either order. -EINVAL for a bad @cfg, -EFAULT if the area is not backed,
 * -ENOSPC if the tables outgrow it, -ENOMEM.
 */
int acpi_build(struct guest_mem *m, const struct acpi_cfg *cfg, uint64_t *rsdp_gpa) __must_check;

struct aml;
/* acpi_osc.c: Method (_OSC) of the PCI root bridge, granting native PCIe hot-plug. */
void acpi_pci_osc(struct aml *a);

#endif
