/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest-physical and I/O-port map ptvm gives every guest. One place, so
 * the boot code, the ACPI tables, e820 and the device wiring cannot disagree.
 *
 *   0x00000000  low RAM (real-mode area, boot structures, zero page)
 *   0x0009fc00  EBDA (reserved)
 *   0x000e0000  ACPI tables incl. RSDP (reserved; legacy RSDP scan range)
 *   0x00100000  RAM up to min(ram, 3 GiB)
 *   0xc0000000  32-bit PCI MMIO window (512 MiB)
 *   0xe0000000  PCI ECAM, bus 0..255 (256 MiB, reserved in e820)
 *   0xfec00000  IOAPIC, 0xfee00000 local APIC
 *   0x100000000 RAM above 3 GiB continues here
 *   above RAM   64-bit PCI MMIO window, sized from the devices' BARs and
 *               the guest's physical-address width (mem_window64())
 */
#ifndef PTVM_LAYOUT_H
#define PTVM_LAYOUT_H

/* Boot structures in low memory (all below 1 MiB, page aligned). */
#define LAYOUT_GDT	     0x500ULL
#define LAYOUT_PVH_INFO      0x6000ULL /* PVH: hvm_start_info, module list, memory map */
#define LAYOUT_ZERO_PAGE     0x7000ULL
#define LAYOUT_PML4	     0x9000ULL
#define LAYOUT_PDPT	     0xa000ULL
#define LAYOUT_PD	     0xb000ULL /* 4 pages: identity map 0..4 GiB, 2 MiB pages */
#define LAYOUT_CMDLINE	     0x20000ULL
#define LAYOUT_CMDLINE_MAX   0x10000ULL
#define LAYOUT_EBDA	     0x9fc00ULL
#define LAYOUT_LOW_END	     0xa0000ULL /* end of conventional memory */
#define LAYOUT_ACPI	     0xe0000ULL
#define LAYOUT_ACPI_SIZE     0x20000ULL
#define LAYOUT_HIGH_MEM	     0x100000ULL /* 1 MiB */
#define LAYOUT_KERNEL	     0x1000000ULL /* 16 MiB: protected-mode kernel load address */

#define LAYOUT_MMIO32_BASE   0xc0000000ULL
#define LAYOUT_MMIO32_SIZE   0x20000000ULL
#define LAYOUT_ECAM_BASE     0xe0000000ULL
#define LAYOUT_ECAM_SIZE     0x10000000ULL
#define LAYOUT_IOAPIC	     0xfec00000ULL
#define LAYOUT_LAPIC	     0xfee00000ULL
#define LAYOUT_KVM_TSS	     0xfffbc000ULL /* KVM's identity map + TSS (kvm.c), 4 pages */
#define LAYOUT_4G	     0x100000000ULL
#define LAYOUT_LOW_RAM_MAX   LAYOUT_MMIO32_BASE
#define LAYOUT_MMIO64_SIZE   (64ULL << 30) /* at least, where the address width allows */

/* I/O ports. */
#define PORT_SERIAL0	     0x3f8
#define PORT_SERIAL_LEN	     8
#define IRQ_SERIAL0	     4
#define PORT_I8042	     0x60 /* 0x60..0x64: only "pulse reset" (0xfe to 0x64) is honoured */
#define PORT_PCI_CONF_ADDR   0xcf8
#define PORT_PCI_CONF_DATA   0xcfc
/* ACPI hardware-reduced registers (FADT SLEEP_CONTROL/SLEEP_STATUS/RESET_REG). */
#define PORT_ACPI_SLEEP_CTL  0x600
#define PORT_ACPI_SLEEP_STS  0x601
#define PORT_ACPI_RESET	     0x602
#define ACPI_RESET_VALUE     0x1
#define ACPI_S5_SLP_TYP	     5 /* value of \_S5_ in the DSDT */
/* PCI I/O window handed to the guest's PCI root bridge. */
#define LAYOUT_PCI_IO_BASE   0x1000
#define LAYOUT_PCI_IO_SIZE   0xf000

/* IOAPIC: 24 pins, GSI 0..23; PCI INTx use GSI 16..23. */
#define LAYOUT_IOAPIC_PINS   24
#define LAYOUT_PCI_INTX_GSI0 16

#endif
