/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Prepare guest memory for the 64-bit Linux boot protocol
 * (Documentation/arch/x86/boot.rst, "64-bit Boot Protocol"): kernel at
 * LAYOUT_KERNEL, zero page, command line, initrd, identity page tables and a
 * GDT. Pure: writes guest memory only; the vCPU code loads the registers.
 */
#ifndef PTVM_BOOT_LOADER_H
#define PTVM_BOOT_LOADER_H

#include "boot/bzimage.h"
#include "memory.h"

/* Selectors the 64-bit protocol requires: __BOOT_CS and __BOOT_DS. */
#define BOOT_SEL_CS	 0x10
#define BOOT_SEL_DS	 0x18
#define BOOT_GDT_ENTRIES 4
/* The PVH entry's GDT has a fifth entry, its TSS (boot/pvh.h). */
#define BOOT_GDT_MAX 5

/* GDT descriptors (Intel SDM vol. 3 3.4.5): flat 4 GiB, G=1. */
#define BOOT_DESC_CODE64 0x00af9b000000ffffULL /* P, DPL0, S, type 0xb exec/read/acc, L=1 */
#define BOOT_DESC_DATA	 0x00cf93000000ffffULL /* P, DPL0, S, type 0x3 r/w/acc, D/B=1 */

/* The 64-bit entry point is 0x200 past the protected-mode kernel's start. */
#define BOOT_ENTRY64_OFFSET 0x200

/* Control registers the vCPU code sets for the 64-bit entry. */
#define BOOT_CR0  0x80000011ULL /* PE | ET | PG */
#define BOOT_CR4  0x20ULL	/* PAE */
#define BOOT_EFER 0x500ULL	/* LME | LMA */

/* Page-table entry bits (Intel SDM vol. 3 4.5). */
#define BOOT_PTE_P   0x1ULL
#define BOOT_PTE_RW  0x2ULL
#define BOOT_PTE_PS  0x80ULL /* 2 MiB page in a PD entry */

#define BOOT_WHY_LEN 128

/* Which entry the boot vCPU takes. */
enum boot_mode {
	BOOT_MODE_LINUX64, /* boot.rst's 64-bit protocol: long mode, %rsi = zero page */
	BOOT_MODE_PVH,	   /* PVH: 32-bit protected mode, paging off, %ebx = start_info */
};

/* Where and how the boot vCPU starts. */
struct boot_entry {
	enum boot_mode mode;
	uint64_t rip; /* LAYOUT_KERNEL + 0x200, or the PVH entry */
	uint64_t rsi; /* zero page (struct boot_params); 0 for PVH */
	uint64_t rbx; /* PVH: hvm_start_info; 0 for the 64-bit protocol */
	uint64_t cr3; /* LAYOUT_PML4; 0 for PVH (paging off) */
	uint64_t gdt_base;
	uint16_t gdt_limit;
	uint64_t gdt[BOOT_GDT_MAX]; /* null, null, CS, DS (and the TSS for PVH) */
	char why[BOOT_WHY_LEN];	    /* backing store for formatted *why strings */
};

/* A segment descriptor decoded into the fields struct kvm_segment wants. */
struct boot_seg {
	uint64_t base;
	uint32_t limit; /* in bytes: scaled by 4 KiB (low 12 bits set) when g = 1 */
	uint16_t selector;
	uint8_t type; /* 4-bit type field */
	uint8_t present, dpl, db, s, l, g, avl;
};

/*
 * Load @bz and @initrd (may be NULL when @initrd_len is 0) into @m, write the
 * zero page with @cmdline (NULL = empty) and @rsdp_gpa (0 = let Linux scan),
 * the page tables and GDT, and describe the entry in @out. Checks everything
 * before writing anything. Failures set *@why (static or stored in @out):
 *   -ENOEXEC  kernel cannot be placed at LAYOUT_KERNEL (alignment, not relocatable)
 *   -ENOMEM   "memory too small for the kernel (needs N MiB)",
 *             "initrd (N MiB) does not fit below initrd_addr_max in M MiB of RAM; ..."
 *   -E2BIG    command line too long for the kernel or LAYOUT_CMDLINE_MAX
 *   -EFAULT   a boot structure is not backed by guest memory
 */
int boot_load(struct guest_mem *m, const struct bzimage *bz, const void *initrd, size_t initrd_len,
	      const char *cmdline, uint64_t rsdp_gpa, struct boot_entry *out,
	      const char **why) __must_check;

/*
 * What every loader (this one, boot/pvh.h) checks first: @m is a layout
 * from mem_layout() with RAM at 0, an initrd length has its bytes. Clears
 * @out and turns a NULL *@cmdline into "". -EINVAL with *@why set if not.
 */
int boot_check_args(const struct guest_mem *m, const void *initrd, size_t initrd_len,
		    const char **cmdline, struct boot_entry *out, const char **why) __must_check;

/* Decode GDT descriptor @desc, to be loaded with selector @sel, into @s. */
void boot_segment_from_desc(uint64_t desc, uint16_t sel, struct boot_seg *s);

#endif
