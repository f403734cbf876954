/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bzImages with a compressed ELF payload, as the kernel's build makes them
 * (scripts/Makefile.lib: the stream, then its decompressed size as 4 bytes
 * little endian; gzip's own trailer carries it), compressed here with the
 * same libraries ptvm decompresses with. Header-only, as boot_fixture.h.
 */
#ifndef PTVM_TEST_UNPACK_FIXTURE_H
#define PTVM_TEST_UNPACK_FIXTURE_H

#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include "boot/unpack.h"
#include "boot_fixture.h"
#include "elf_fixture.h"

#define UNPACK_FIX_IMG	   0x10000 /* the bzImage */
#define UNPACK_FIX_ELF	   0x8000  /* the vmlinux inside */
#define UNPACK_FIX_PAYLOAD 0x3000  /* offset of the payload in the kernel part */

struct unpack_fix {
	uint8_t elf[UNPACK_FIX_ELF];
	size_t elf_len;
	uint8_t img[UNPACK_FIX_IMG];
	size_t img_len;
	size_t setup_len;
	size_t payload_len;
};

static inline size_t unpack_fix_gzip(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	z_stream z = {.next_in = (Bytef *)in,
		      .avail_in = (uInt)n,
		      .next_out = out,
		      .avail_out = (uInt)cap};

	if (deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return 0;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END)
		return 0;
	deflateEnd(&z);
	return z.total_out;
}

/* The payload of @f as @fmt, 4 size bytes after it (not for gzip); its length. */
static inline size_t unpack_fix_compress(enum unpack_format fmt, const uint8_t *in, size_t n,
					 uint8_t *out, size_t cap)
{
	size_t len = 0;
	uint32_t size = (uint32_t)n;

	switch (fmt) {
	case UNPACK_GZIP:
		return unpack_fix_gzip(in, n, out, cap);
	case UNPACK_XZ:
		if (lzma_easy_buffer_encode(6, LZMA_CHECK_CRC32, NULL, in, n, out, &len, cap) !=
		    LZMA_OK)
			return 0;
		break;
	case UNPACK_ZSTD:
		len = ZSTD_compress(out, cap, in, n, 19);
		if (ZSTD_isError(len))
			return 0;
		break;
	default:
		return 0;
	}
	memcpy(out + len, &size, 4);
	return len + 4;
}

/* A bzImage whose payload is fixture_elf_default()'s image compressed as @fmt. */
static inline int unpack_fix_build(struct unpack_fix *f, enum unpack_format fmt)
{
	struct fixture_bz o = fixture_bz_default();
	struct fixture_elf eo = fixture_elf_default();

	f->elf_len = fixture_elf_build(f->elf, sizeof(f->elf), &eo);
	f->img_len = sizeof(f->img);
	fixture_bz_build(f->img, f->img_len, &o);
	f->setup_len = (o.setup_sects + 1) * 512;
	f->payload_len = unpack_fix_compress(fmt, f->elf, f->elf_len,
					     f->img + f->setup_len + UNPACK_FIX_PAYLOAD,
					     f->img_len - f->setup_len - UNPACK_FIX_PAYLOAD - 4);
	if (!f->payload_len)
		return -1;
	fixture_put(f->img, 0x248, UNPACK_FIX_PAYLOAD, 4); /* payload_offset */
	fixture_put(f->img, 0x24c, f->payload_len, 4);	   /* payload_length */
	return 0;
}

#endif
