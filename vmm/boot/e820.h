/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's BIOS-style memory map (INT 15h E820), handed to Linux in
 * boot_params.e820_table (boot.rst, "zero page" e820_table at 0x2D0).
 */
#ifndef PTVM_BOOT_E820_H
#define PTVM_BOOT_E820_H

#include <asm/bootparam.h>

#include "memory.h"

/* Address range types, ACPI 6.x section 15.1 "INT 15H, E820H" (Table 15.1). */
#ifndef E820_TYPE_RAM
#define E820_TYPE_RAM	   1 /* AddressRangeMemory */
#define E820_TYPE_RESERVED 2 /* AddressRangeReserved */
#define E820_TYPE_ACPI	   3 /* AddressRangeACPI: reclaimable after reading the tables */
#endif

/* Entries e820_build() writes at most: 3 low, ECAM, one per further region. */
#define E820_MAX_BUILD (4 + MEM_MAX_REGIONS)

/*
 * Describe @m in at most @max entries of @tab, sorted by address; *@nr gets
 * the count. Layout (see layout.h):
 *   RAM      [0, LAYOUT_EBDA)
 *   reserved [LAYOUT_EBDA, LAYOUT_LOW_END)            EBDA
 *   reserved [LAYOUT_ACPI, LAYOUT_HIGH_MEM)           ACPI tables, RSDP
 *   RAM      [LAYOUT_HIGH_MEM, end of the low region)
 *   reserved [LAYOUT_ECAM_BASE, +LAYOUT_ECAM_SIZE)    PCI MMCONFIG
 *   RAM      every region above 4 GiB
 * The 32-bit PCI window, IOAPIC and LAPIC are MMIO and not listed.
 * -EINVAL if @m is not a layout from mem_layout(), -ENOSPC if @max is short.
 */
int e820_build(const struct guest_mem *m, struct boot_e820_entry *tab, unsigned max,
	       unsigned *nr) __must_check;

#endif
