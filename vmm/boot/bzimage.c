// SPDX-License-Identifier: GPL-2.0
/*
 * bzImage validation. Every rule cites Documentation/arch/x86/boot.rst
 * ("THE LINUX/x86 BOOT PROTOCOL"); field offsets are those of its
 * "THE REAL-MODE KERNEL HEADER" table, i.e. struct setup_header at 0x1F1.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "boot/bzimage.h"

/* End (exclusive image offset) of a setup_header field. */
#define HDR_FIELD_END(f)                                         \
	(BZIMAGE_HDR_OFFSET + offsetof(struct setup_header, f) + \
	 sizeof(((struct setup_header *)0)->f))

static int bz_fail(const char **why, const char *msg)
{
	*why = msg;
	return -ENOEXEC;
}

/* Format a reason into @out->why; "%u.%02u" prints 0x020a as "2.10". */
static int bz_failf(struct bzimage *out, const char **why, const char *fmt, ...) __printf(3, 4);

static int bz_failf(struct bzimage *out, const char **why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out->why, sizeof(out->why), fmt, ap);
	va_end(ap);
	return bz_fail(why, out->why);
}

static bool is_pow2(uint32_t x)
{
	return x && !(x & (x - 1));
}

int bzimage_parse(const void *img, size_t len, struct bzimage *out, const char **why)
{
	const uint8_t *p = img;
	const struct setup_header *h = &out->hdr;
	size_t hdr_end, setup_len;
	unsigned sects;

	memset(out, 0, sizeof(*out));
	/* Everything up to the end of the 2.15 header must be readable. */
	if (!img || len < HDR_FIELD_END(kernel_info_offset))
		return bz_failf(out, why, "file too small to be a bzImage (%zu bytes)", len);
	if (len > BZIMAGE_MAX_SIZE)
		return bz_failf(out, why, "file too large to be a bzImage (%zu MiB)", len >> 20);

	/* Copy the whole struct for now; trimmed to the header's own length below. */
	memcpy(&out->hdr, p + BZIMAGE_HDR_OFFSET, sizeof(out->hdr));
	/* boot_flag (0x1FE) contains 0xAA55, the legacy boot sector signature. */
	if (h->boot_flag != BZIMAGE_BOOT_FLAG)
		return bz_fail(why, "not a bzImage (no 0xAA55 boot flag)");
	/* header (0x202): the magic number "HdrS" (0x53726448), protocol 2.00+. */
	if (h->header != BZIMAGE_MAGIC)
		return bz_fail(why, "not a bzImage (no HdrS signature)");
	/*
	 * xloadflags and its XLF_KERNEL_64 bit ("this kernel has the legacy
	 * 64-bit entry point at 0x200") appeared in protocol 2.12; without it
	 * nothing says the 64-bit entry exists.
	 */
	out->version = h->version;
	if (h->version < BZIMAGE_MIN_VERSION)
		return bz_failf(out, why,
				"boot protocol %u.%02u is too old (need 2.12 for the 64-bit entry)",
				h->version >> 8, h->version & 0xff);

	/*
	 * "The end of setup header can be calculated as follow: 0x0202 + byte
	 * value at offset 0x0201". A 2.12 header reaches at least init_size.
	 */
	hdr_end = BZIMAGE_HDR_END_BASE + p[BZIMAGE_JUMP_OFFSET + 1];
	if (hdr_end < HDR_FIELD_END(init_size))
		return bz_fail(why, "setup header too short for its boot protocol version");
	out->hdr_len = MIN(hdr_end, HDR_FIELD_END(kernel_info_offset)) - BZIMAGE_HDR_OFFSET;
	memset((uint8_t *)&out->hdr + out->hdr_len, 0, sizeof(out->hdr) - out->hdr_len);

	if (!(h->xloadflags & XLF_KERNEL_64))
		return bz_fail(why, "kernel has no 64-bit entry point (XLF_KERNEL_64 clear)");

	/* setup_sects: "if the setup_sects field contains 0, the real value is 4". */
	sects = h->setup_sects ? h->setup_sects : BZIMAGE_DEFAULT_SECTS;
	/* The setup code is setup_sects sectors after the 512-byte boot sector. */
	setup_len = (size_t)(sects + 1) * BZIMAGE_SECTOR;
	if (setup_len >= len)
		return bz_fail(why, "truncated bzImage (no protected-mode kernel)");
	/* syssize (2.04+): size of the protected-mode code in 16-byte paragraphs. */
	if ((uint64_t)h->syssize * 16 > len - setup_len)
		return bz_failf(out, why,
				"truncated bzImage (kernel part %zu bytes, header says %llu)",
				len - setup_len, (unsigned long long)h->syssize * 16);
	/* init_size (2.10+): linear memory needed from the load address. */
	if (!h->init_size)
		return bz_fail(why, "setup header has no init_size");
	/* kernel_alignment (2.05+): the alignment the kernel must be loaded at. */
	if (!is_pow2(h->kernel_alignment))
		return bz_failf(out, why, "bad kernel_alignment 0x%x (not a power of two)",
				h->kernel_alignment);

	out->setup = p;
	out->setup_len = setup_len;
	out->kernel = p + setup_len;
	out->kernel_len = len - setup_len;
	out->init_size = h->init_size;
	out->pref_address = h->pref_address;
	out->kernel_alignment = h->kernel_alignment;
	out->initrd_addr_max = h->initrd_addr_max;
	out->cmdline_size = h->cmdline_size;
	out->xloadflags = h->xloadflags;
	out->relocatable = h->relocatable_kernel != 0;
	return 0;
}
