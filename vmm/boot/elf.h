/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An uncompressed x86-64 Linux kernel (vmlinux, ELF64) for the PVH entry:
 * its PT_LOAD segments and the 32-bit entry point the kernel announces in a
 * Xen ELF note, XEN_ELFNOTE_PHYS32_ENTRY (xen/include/public/elfnote.h:
 * type 18, "Physical entry point into the kernel", in a note named "Xen").
 * Pure: validates and describes a buffer; nothing is loaded here.
 */
#ifndef PTVM_BOOT_ELF_H
#define PTVM_BOOT_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define ELF_MAX_SEGS	     16 /* a vmlinux has 4 or 5 PT_LOAD segments */
#define ELF_MAX_PHDRS	     64
#define ELF_NOTE_XEN	     "Xen" /* the note's name, NUL included in namesz */
#define ELF_XEN_PHYS32_ENTRY 18
#define ELF_WHY_LEN	     128

struct elf_seg {
	uint64_t paddr;	 /* guest-physical load address */
	uint64_t memsz;	 /* bytes in memory; past filesz they are zero */
	uint64_t filesz; /* bytes from the file */
	const uint8_t *data;
};

struct elf_kernel {
	struct elf_seg seg[ELF_MAX_SEGS];
	unsigned nr_seg;
	uint64_t lo, hi;  /* lowest paddr and end of the highest segment */
	bool has_pvh;	  /* a PHYS32_ENTRY note was found */
	uint32_t entry32; /* its value: the PVH entry, a physical address */
	char why[ELF_WHY_LEN];
};

/* The ELF magic at the start of @img (man 5 elf, e_ident[EI_MAG0..3]). */
bool elf_is_elf(const void *img, size_t len);

/*
 * Validate the ELF64 x86-64 executable @img of @len bytes and describe its
 * loadable segments and PVH entry in @out (pointing into @img). Every offset
 * and size the file states is checked against @len and for overflow; the
 * entry must lie inside a segment's file bytes. A kernel without the note
 * parses (has_pvh false): the caller says what that means. On failure
 * returns -ENOEXEC and sets *@why (static or in @out).
 */
int elf_parse(const void *img, size_t len, struct elf_kernel *out, const char **why) __must_check;

#endif
