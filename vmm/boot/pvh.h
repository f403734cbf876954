/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Prepare guest memory for the PVH entry of an ELF vmlinux (boot/elf.h):
 * its segments, an hvm_start_info with the command line, the initrd as
 * module 0, the memory map and the RSDP, and a flat 32-bit GDT. The
 * structure layouts are those of xen/include/public/arch-x86/hvm/
 * start_info.h, version 1; the register state is docs/misc/pvh.pandoc's
 * (Xen): 32-bit protected mode, paging off, flat CS/DS/ES/SS, a 32-bit TSS,
 * %ebx = the start_info's physical address. Pure: writes guest memory only.
 */
#ifndef PTVM_BOOT_PVH_H
#define PTVM_BOOT_PVH_H

#include "boot/elf.h"
#include "boot/loader.h"
#include "memory.h"

#define PVH_START_MAGIC	  0x336ec578 /* "xEn3" with the 0x80 bit of the "E" set */
#define PVH_START_VERSION 1	     /* adds memmap_paddr and memmap_entries */

/* start_info.h: "the address and sizes are always a 64bit little endian" value. */
struct pvh_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr; /* version 1 */
	uint32_t memmap_entries;
	uint32_t reserved;
} __attribute__((packed));

struct pvh_modlist_entry {
	uint64_t paddr;
	uint64_t size;
	uint64_t cmdline_paddr; /* 0: none */
	uint64_t reserved;
} __attribute__((packed));

/* Types as E820's (start_info.h XEN_HVM_MEMMAP_TYPE_*: 1 RAM, 2 reserved, 3 ACPI). */
struct pvh_memmap_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
	uint32_t reserved;
} __attribute__((packed));

/*
 * One page at LAYOUT_PVH_INFO holds the start_info, the module list (one
 * entry: the initrd) and the memory map.
 */
#define PVH_MODLIST_OFFSET 0x40
#define PVH_MEMMAP_OFFSET  0x80

/* Selectors of the PVH GDT (their values are unspecified by the ABI). */
#define PVH_SEL_CS  0x10
#define PVH_SEL_DS  0x18
#define PVH_SEL_TSS 0x20

/* Descriptors (Intel SDM vol. 3 3.4.5, 7.2.2): flat 4 GiB 32-bit code and data, TSS. */
#define PVH_DESC_CODE32 0x00cf9b000000ffffULL /* P, DPL0, S, exec/read/acc, D=1, G=1 */
#define PVH_DESC_DATA32 0x00cf93000000ffffULL /* P, DPL0, S, r/w/acc, B=1, G=1 */
#define PVH_DESC_TSS32	0x00008b0000000067ULL /* P, busy 32-bit TSS, base 0, limit 0x67 */

/* CR0: PE; ET (bit 4) is fixed to 1 on every CPU since the P6 (SDM vol. 3 2.5). */
#define PVH_CR0 0x11ULL

/* Linux's COMMAND_LINE_SIZE on x86 (arch/x86/include/asm/setup.h), NUL included. */
#define PVH_CMDLINE_MAX 2048

/*
 * Load @k (has_pvh set) and @initrd (NULL when @initrd_len is 0) into @m,
 * write the start_info with @cmdline (NULL = empty) and @rsdp_gpa (0 =
 * none), the memory map and the GDT, and describe the entry in @out.
 * Checks everything before writing anything. Failures set *@why:
 *   -ENOEXEC  no PVH entry note
 *   -ENOMEM   a segment outside RAM above 1 MiB, or on ptvm's tables below
 *             it ("kernel segment at 0x...-0x... is outside guest RAM ...");
 *             the initrd does not fit above the kernel
 *   -E2BIG    command line longer than PVH_CMDLINE_MAX - 1
 *   -EFAULT   a boot structure is not backed by guest memory
 */
int pvh_load(struct guest_mem *m, const struct elf_kernel *k, const void *initrd, size_t initrd_len,
	     const char *cmdline, uint64_t rsdp_gpa, struct boot_entry *out,
	     const char **why) __must_check;

#endif
