/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bzImage parsing and validation for the 64-bit Linux boot protocol
 * (Documentation/arch/x86/boot.rst, "THE LINUX/x86 BOOT PROTOCOL").
 *
 * A bzImage is the real-mode setup part ((setup_sects + 1) * 512 bytes, with
 * struct setup_header at offset 0x1F1) followed by the protected-mode kernel.
 * ptvm uses only the 64-bit entry point (startup_64 at load address + 0x200),
 * which boot protocol 2.12 announces with XLF_KERNEL_64 in xloadflags.
 */
#ifndef PTVM_BOOT_BZIMAGE_H
#define PTVM_BOOT_BZIMAGE_H

#include <asm/bootparam.h>

#include "util.h"

/* Offsets into the image, boot.rst "THE REAL-MODE KERNEL HEADER". */
#define BZIMAGE_HDR_OFFSET    0x1f1 /* struct setup_header */
#define BZIMAGE_JUMP_OFFSET   0x200 /* 2-byte short jump; byte 0x201 = header length - 2 */
#define BZIMAGE_HDR_END_BASE  0x202 /* the header ends at 0x202 + byte at 0x201 */
#define BZIMAGE_BOOT_FLAG     0xaa55
#define BZIMAGE_MAGIC	      0x53726448 /* "HdrS" read as a little-endian u32 */
#define BZIMAGE_MIN_VERSION   0x020c	 /* 2.12: xloadflags, XLF_KERNEL_64 */
#define BZIMAGE_SECTOR	      512
#define BZIMAGE_DEFAULT_SECTS 4 /* setup_sects == 0 means 4 */
/* A sane bzImage is a few MiB; refuse anything absurdly large. */
#define BZIMAGE_MAX_SIZE (256ULL << 20)
/* Room for a formatted failure reason ("boot protocol 2.10 is too old ..."). */
#define BZIMAGE_WHY_LEN 96

struct bzimage {
	const uint8_t *setup; /* real-mode setup part, inside the caller's image */
	size_t setup_len;
	const uint8_t *kernel; /* protected-mode kernel, loaded at LAYOUT_KERNEL */
	size_t kernel_len;
	/*
	 * The image's setup header; bytes past the header's own end (0x202 +
	 * byte at 0x201) are zero. hdr_len is the number of valid bytes, the
	 * amount a loader copies into boot_params.hdr.
	 */
	struct setup_header hdr;
	size_t hdr_len;
	uint16_t version;   /* 0x020f = 2.15 */
	uint32_t init_size; /* linear memory the kernel needs from its load address */
	uint64_t pref_address;
	uint32_t kernel_alignment;
	uint32_t initrd_addr_max; /* highest address the initrd may occupy (inclusive) */
	uint32_t cmdline_size;	  /* max command-line length without the NUL */
	uint16_t xloadflags;
	bool relocatable;
	char why[BZIMAGE_WHY_LEN]; /* backing store for formatted *why strings */
};

/*
 * Validate the bzImage @img of @len bytes and describe it in @out. @out
 * points into @img, which must outlive it. On failure returns -ENOEXEC and
 * sets *@why to a short human phrase (a static string or one stored in @out),
 * e.g. "not a bzImage (no HdrS signature)".
 */
int bzimage_parse(const void *img, size_t len, struct bzimage *out, const char **why) __must_check;

#endif
