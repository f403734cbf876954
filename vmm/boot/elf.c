// SPDX-License-Identifier: GPL-2.0
/*
 * ELF64 vmlinux validation for the PVH entry. Field meanings from man 5 elf
 * and the System V gABI ("Program Header", "Note Section"); the note from
 * xen/include/public/elfnote.h (XEN_ELFNOTE_PHYS32_ENTRY = 18). Every
 * number the file gives is checked before it is used as an offset.
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "boot/elf.h"

/* gABI: a note's name and descriptor are each padded to 4 bytes. */
#define ELF_NOTE_ALIGN 4

static int elf_fail(const char **why, const char *msg)
{
	*why = msg;
	return -ENOEXEC;
}

/* A formatted reason, kept in @out. */
#define elf_failf(out, why, ...) \
	why_printf((out)->why, sizeof((out)->why), why, -ENOEXEC, __VA_ARGS__)

bool elf_is_elf(const void *img, size_t len)
{
	return img && len >= SELFMAG && !memcmp(img, ELFMAG, SELFMAG);
}

/* [off, off + n) lies inside a file of @len bytes, without overflow. */
static bool elf_in_file(uint64_t off, uint64_t n, size_t len)
{
	return off <= len && n <= len - off;
}

static int elf_check_header(const Elf64_Ehdr *eh, size_t len, struct elf_kernel *out,
			    const char **why)
{
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return elf_fail(why, "not a 64-bit ELF file (ELFCLASS64; a 32-bit vmlinux is "
				     "not supported)");
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_ident[EI_VERSION] != EV_CURRENT)
		return elf_fail(why, "not a little-endian ELF version 1 file");
	if (eh->e_machine != EM_X86_64)
		return elf_failf(out, why, "ELF machine %u is not x86-64 (%u)", eh->e_machine,
				 EM_X86_64);
	if (eh->e_type != ET_EXEC)
		return elf_failf(out, why, "ELF type %u is not an executable (ET_EXEC)",
				 eh->e_type);
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return elf_failf(out, why, "ELF program header size %u, expected %zu",
				 eh->e_phentsize, sizeof(Elf64_Phdr));
	if (!eh->e_phnum || eh->e_phnum > ELF_MAX_PHDRS)
		return elf_failf(out, why, "ELF has %u program headers (1 to %u allowed)",
				 eh->e_phnum, ELF_MAX_PHDRS);
	if (!elf_in_file(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr), len))
		return elf_fail(why, "ELF program headers lie outside the file");
	return 0;
}

static int elf_add_load(const uint8_t *img, size_t len, const Elf64_Phdr *ph, unsigned idx,
			struct elf_kernel *out, const char **why)
{
	struct elf_seg *s;

	if (ph->p_filesz > ph->p_memsz)
		return elf_failf(out, why, "ELF segment %u has more file bytes than memory bytes",
				 idx);
	if (!elf_in_file(ph->p_offset, ph->p_filesz, len))
		return elf_failf(out, why, "ELF segment %u lies outside the file (truncated?)",
				 idx);
	if (ph->p_paddr + ph->p_memsz < ph->p_paddr)
		return elf_failf(out, why, "ELF segment %u wraps around the address space", idx);
	if (!ph->p_memsz)
		return 0;
	if (out->nr_seg == ELF_MAX_SEGS)
		return elf_failf(out, why, "ELF has more than %u loadable segments", ELF_MAX_SEGS);
	s = &out->seg[out->nr_seg++];
	*s = (struct elf_seg){
		.paddr = ph->p_paddr,
		.memsz = ph->p_memsz,
		.filesz = ph->p_filesz,
		.data = img + ph->p_offset,
	};
	return 0;
}

/*
 * Walk the notes of one PT_NOTE segment: each is namesz, descsz, type
 * (4 bytes each), then the name and the descriptor, both 4-byte padded.
 * The entry note's descriptor is a 32-bit physical address; Linux emits it
 * as 4 bytes (.long) or, in some builds, 8 (the Debian 6.1 kernel's is 8).
 */
static int elf_scan_notes(const uint8_t *p, uint64_t n, struct elf_kernel *out, const char **why)
{
	uint64_t off = 0;

	while (n - off >= 3 * sizeof(uint32_t)) {
		uint32_t hdr[3], name_len, desc_len, type;
		uint64_t name_pad, desc_pad;
		const uint8_t *name, *desc;

		memcpy(hdr, p + off, sizeof(hdr));
		name_len = hdr[0], desc_len = hdr[1], type = hdr[2];
		off += sizeof(hdr);
		name_pad = ALIGN_UP((uint64_t)name_len, ELF_NOTE_ALIGN);
		desc_pad = ALIGN_UP((uint64_t)desc_len, ELF_NOTE_ALIGN);
		if (name_pad > n - off || desc_pad > n - off - name_pad)
			return elf_fail(why, "ELF note runs past its PT_NOTE segment");
		name = p + off;
		desc = name + name_pad;
		off += name_pad + desc_pad;
		if (type != ELF_XEN_PHYS32_ENTRY || name_len != sizeof(ELF_NOTE_XEN) ||
		    memcmp(name, ELF_NOTE_XEN, sizeof(ELF_NOTE_XEN)))
			continue;
		if (desc_len == 4) {
			uint32_t v;

			memcpy(&v, desc, 4);
			out->entry32 = v;
		} else if (desc_len == 8) {
			uint64_t v;

			memcpy(&v, desc, 8);
			if (v > UINT32_MAX)
				return elf_fail(why, "PVH entry note gives an address above 4 GiB");
			out->entry32 = (uint32_t)v;
		} else {
			return elf_failf(out, why, "PVH entry note has %u bytes (4 or 8 expected)",
					 desc_len);
		}
		if (out->has_pvh)
			return elf_fail(why, "ELF has two PVH entry notes");
		out->has_pvh = true;
	}
	return 0;
}

/* The entry must point at bytes the file loads, or the vCPU starts in zeroes. */
static bool elf_entry_loaded(const struct elf_kernel *k)
{
	for (unsigned i = 0; i < k->nr_seg; i++)
		if (k->entry32 >= k->seg[i].paddr &&
		    k->entry32 - k->seg[i].paddr < k->seg[i].filesz)
			return true;
	return false;
}

int elf_parse(const void *img, size_t len, struct elf_kernel *out, const char **why)
{
	const uint8_t *p = img;
	Elf64_Ehdr eh;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!elf_is_elf(img, len))
		return elf_fail(why, "not an ELF file (no \\177ELF magic)");
	if (len < sizeof(eh))
		return elf_failf(out, why, "file too small for an ELF header (%zu bytes)", len);
	memcpy(&eh, p, sizeof(eh));
	ret = elf_check_header(&eh, len, out, why);
	if (ret)
		return ret;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		memcpy(&ph, p + eh.e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
		if (ph.p_type == PT_LOAD)
			ret = elf_add_load(p, len, &ph, i, out, why);
		else if (ph.p_type == PT_NOTE && !elf_in_file(ph.p_offset, ph.p_filesz, len))
			ret = elf_failf(out, why, "ELF note segment %u lies outside the file", i);
		else if (ph.p_type == PT_NOTE)
			ret = elf_scan_notes(p + ph.p_offset, ph.p_filesz, out, why);
		if (ret)
			return ret;
	}
	if (!out->nr_seg)
		return elf_fail(why, "ELF has no loadable segment");
	out->lo = UINT64_MAX;
	for (unsigned i = 0; i < out->nr_seg; i++) {
		const struct elf_seg *a = &out->seg[i];

		/* Overlapping segments would make the load order matter: refused. */
		for (unsigned j = 0; j < i; j++)
			if (a->paddr < out->seg[j].paddr + out->seg[j].memsz &&
			    out->seg[j].paddr < a->paddr + a->memsz)
				return elf_fail(why, "ELF segments overlap in memory");
		out->lo = MIN(out->lo, a->paddr);
		out->hi = MAX(out->hi, a->paddr + a->memsz);
	}
	if (out->has_pvh && !elf_entry_loaded(out))
		return elf_failf(out, why, "PVH entry 0x%x is not inside a loaded segment",
				 out->entry32);
	return 0;
}
