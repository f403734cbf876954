/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Synthetic ELF64 vmlinux images for the PVH tests: an ELF header, program
 * headers, then each segment's bytes and a note segment, at the offsets of
 * man 5 elf. Header-only (static inline), as boot_fixture.h.
 */
#ifndef PTVM_TEST_ELF_FIXTURE_H
#define PTVM_TEST_ELF_FIXTURE_H

#include <elf.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define FIXTURE_ELF_MAX_SEGS 4

struct fixture_elf {
	unsigned nr_seg;
	uint64_t paddr[FIXTURE_ELF_MAX_SEGS];
	uint64_t filesz[FIXTURE_ELF_MAX_SEGS];
	uint64_t memsz[FIXTURE_ELF_MAX_SEGS];
	/* The PVH note: desc_len 0 = none, else 4 or 8 (others for bad cases). */
	uint32_t entry_desc_len;
	uint64_t entry;
	bool other_note_first; /* a Xen note of another type before it */
};

/* Like the Debian 6.1 vmlinux: text at 16 MiB, data after it, a .bss tail, entry in text. */
static inline struct fixture_elf fixture_elf_default(void)
{
	return (struct fixture_elf){
		.nr_seg = 2,
		.paddr = {0x1000000, 0x1200000},
		.filesz = {0x3000, 0x1000},
		.memsz = {0x3000, 0x5000},
		.entry_desc_len = 8,
		.entry = 0x1000850,
	};
}

static inline void fixture_elf_note(uint8_t *p, size_t *off, uint32_t type, const void *desc,
				    uint32_t desc_len)
{
	uint32_t hdr[3] = {4, desc_len, type};

	memcpy(p + *off, hdr, sizeof(hdr));
	memcpy(p + *off + 12, "Xen", 4);
	memcpy(p + *off + 16, desc, desc_len);
	*off += 16 + ((desc_len + 3) & ~3u);
}

/*
 * Write the image into @img (zeroed first; at least fixture_elf_len()
 * bytes). Segment i's file bytes are (j * 5 + i + 1) & 0xff.
 */
static inline size_t fixture_elf_len(const struct fixture_elf *o)
{
	size_t n = 0x1000;

	for (unsigned i = 0; i < o->nr_seg; i++)
		n += o->filesz[i];
	return n + 256;
}

static inline size_t fixture_elf_build(uint8_t *img, size_t len, const struct fixture_elf *o)
{
	Elf64_Ehdr eh = {
		.e_ident = {ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64, ELFDATA2LSB,
			    EV_CURRENT},
		.e_type = ET_EXEC,
		.e_machine = EM_X86_64,
		.e_version = EV_CURRENT,
		.e_entry = 0x1000000,
		.e_phoff = sizeof(Elf64_Ehdr),
		.e_ehsize = sizeof(Elf64_Ehdr),
		.e_phentsize = sizeof(Elf64_Phdr),
		.e_phnum = (uint16_t)(o->nr_seg + 1),
	};
	size_t off = 0x1000, note_off;
	uint8_t *ph = img + sizeof(eh);

	memset(img, 0, len);
	memcpy(img, &eh, sizeof(eh));
	for (unsigned i = 0; i < o->nr_seg; i++) {
		Elf64_Phdr p = {
			.p_type = PT_LOAD,
			.p_flags = PF_R | PF_X,
			.p_offset = off,
			.p_vaddr = 0xffffffff80000000ULL + o->paddr[i],
			.p_paddr = o->paddr[i],
			.p_filesz = o->filesz[i],
			.p_memsz = o->memsz[i],
			.p_align = 0x1000,
		};

		memcpy(ph + i * sizeof(p), &p, sizeof(p));
		for (uint64_t j = 0; j < o->filesz[i]; j++)
			img[off + j] = (uint8_t)(j * 5 + i + 1);
		off += o->filesz[i];
	}
	note_off = off;
	if (o->other_note_first) {
		uint32_t v = 0x1234;

		fixture_elf_note(img, &off, 17, &v, 4);
	}
	if (o->entry_desc_len) {
		uint8_t desc[16] = {0};

		memcpy(desc, &o->entry, sizeof(o->entry));
		fixture_elf_note(img, &off, 18, desc, o->entry_desc_len);
	}
	Elf64_Phdr n = {
		.p_type = PT_NOTE,
		.p_offset = note_off,
		.p_filesz = off - note_off,
		.p_align = 4,
	};
	memcpy(ph + o->nr_seg * sizeof(n), &n, sizeof(n));
	return off;
}

#endif
