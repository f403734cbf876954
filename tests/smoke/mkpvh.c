// SPDX-License-Identifier: GPL-2.0
/*
 * usage: mkpvh elf|elf-nonote|bzimage|bzimage-nonote FILE
 * Tiny kernels for the PVH path on this host (tests/smoke/pvh.sh):
 * elf: an ELF64 with one PT_LOAD at 1 MiB and the Xen PHYS32_ENTRY note.
 *   Its 32-bit code checks what the PVH ABI promises, EBX = 0x6000 (ptvm's
 *   start_info) and the start_info magic 0x336ec578 there, and writes
 *   "pvh" to COM1 if both hold, "bad" if not; then it powers off (the ACPI
 *   sleep register, vmm/dev/pm.c).
 * elf-nonote: the same without the note (ptvm refuses it).
 * bzimage: a tiny bzImage whose own 64-bit entry writes "64" and powers
 *   off, with the elf kernel as its gzip payload: which line comes out
 *   tells which entry ptvm took. bzimage-nonote: its payload lacks the note.
 */
#include <stdbool.h>
#include <stdio.h>
#include <zlib.h>

#include "elf_fixture.h"
#include "tiny_bzimage.h"
#include "util.h"

#define PVH_LOAD 0x100000

/* mov dx, 0x3f8; then a, b, c and "\n", one out dx, al each. */
#define SERIAL3(a, b, c) \
	0x66, 0xba, 0xf8, 0x03, 0xb0, (a), 0xee, 0xb0, (b), 0xee, 0xb0, (c), 0xee, 0xb0, '\n', 0xee
/* mov dx, 0x600; mov al, SLP_EN | 5 << 2; out dx, al; jmp $ */
#define POWEROFF 0x66, 0xba, 0x00, 0x06, 0xb0, 0x34, 0xee, 0xeb, 0xfe

static const uint8_t pvh_code[] = {
	0x81,
	0xfb,
	0x00,
	0x60,
	0x00,
	0x00, /* cmp ebx, 0x6000 */
	0x75,
	0x1a, /* jne bad */
	0x81,
	0x3b,
	0x78,
	0xc5,
	0x6e,
	0x33, /* cmp dword [ebx], 0x336ec578 */
	0x75,
	0x12,			/* jne bad */
	SERIAL3('p', 'v', 'h'), /* 16 bytes */
	0xeb,
	0x10,			/* jmp off */
	SERIAL3('b', 'a', 'd'), /* bad: */
	POWEROFF,		/* off: */
};

static const uint8_t linux64_code[] = {
	0x66, 0xba, 0xf8, 0x03, 0xb0, '6', 0xee, 0xb0, '4', 0xee, 0xb0, '\n', 0xee, POWEROFF,
};

/* tests/unit/elf_fixture.h's layout: one PT_LOAD (the code, at 0x1000 of the file), the note. */
static size_t mk_elf(uint8_t *img, size_t cap, bool note)
{
	const struct fixture_elf o = {
		.nr_seg = 1,
		.paddr = {PVH_LOAD},
		.filesz = {sizeof(pvh_code)},
		.memsz = {0x2000},
		.entry_desc_len = note ? 4 : 0,
		.entry = PVH_LOAD,
	};
	size_t len;

	if (cap < fixture_elf_len(&o))
		return 0;
	len = fixture_elf_build(img, cap, &o);
	memcpy(img + 0x1000, pvh_code, sizeof(pvh_code));
	return len;
}

/*
 * The bzImage: its 64-bit code at 0x200 of the kernel part, then the
 * payload (gzip, which carries its own size in its last 4 bytes).
 */
static uint8_t *mk_bzimage(const uint8_t *elf, size_t elf_len, size_t *len)
{
	uint8_t code[0x1000 + 0x4000] = {0};
	const size_t pl_off = 0x100; /* in code[], after the 64-bit code */
	z_stream z = {.next_in = (Bytef *)elf,
		      .avail_in = (uInt)elf_len,
		      .next_out = code + pl_off,
		      .avail_out = sizeof(code) - pl_off};
	struct setup_header *h;
	uint8_t *img;

	memcpy(code, linux64_code, sizeof(linux64_code));
	if (deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK ||
	    deflate(&z, Z_FINISH) != Z_STREAM_END || deflateEnd(&z) != Z_OK)
		return NULL;
	img = tiny_bzimage(code, pl_off + z.total_out, len);
	if (!img)
		return NULL;
	h = (struct setup_header *)(img + 0x1f1);
	/* Relative to the protected-mode code, which tiny_bzimage() puts code[] 0x200 into. */
	h->payload_offset = 0x200 + pl_off;
	h->payload_length = z.total_out;
	return img;
}

int main(int argc, char **argv)
{
	static uint8_t elf[0x2000];
	bool note = argc == 3 && !strstr(argv[1], "nonote");
	size_t elf_len = mk_elf(elf, sizeof(elf), note), len = 0;
	uint8_t *img = NULL;
	FILE *f;

	if (argc != 3 || !elf_len) {
		fprintf(stderr, "usage: mkpvh elf|elf-nonote|bzimage|bzimage-nonote FILE\n");
		return 2;
	}
	if (!strncmp(argv[1], "bzimage", 7)) {
		img = mk_bzimage(elf, elf_len, &len);
		if (!img) {
			fprintf(stderr, "mkpvh: cannot build the bzImage\n");
			return 1;
		}
	}
	f = fopen(argv[2], "wb");
	if (!f || fwrite(img ? img : elf, 1, img ? len : elf_len, f) != (img ? len : elf_len) ||
	    fclose(f)) {
		perror(argv[2]);
		free(img);
		return 1;
	}
	free(img);
	return 0;
}
