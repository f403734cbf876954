// SPDX-License-Identifier: GPL-2.0
/*
 * bzImage payload decompression with zlib, liblzma and libzstd. The
 * kernel's build (scripts/Makefile.lib, size_append) puts the payload's
 * decompressed size after every compressed stream but gzip's, as 4 bytes
 * little endian; gzip's own trailer ends with it too (RFC 1952, ISIZE). So
 * the output buffer is sized before decompressing, and a stream that ends
 * anywhere else is refused.
 */
#include <errno.h>
#include <lzma.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "boot/elf.h"
#include "boot/unpack.h"

/* liblzma's memory limit: the kernel's xz uses a 32 MiB dictionary. */
#define UNPACK_LZMA_MEMLIMIT (256ULL << 20)

/* Magic numbers, boot.rst's payload_offset field. */
static const struct {
	enum unpack_format f;
	const char *name;
	uint8_t magic[6];
	unsigned len;
} unpack_magic[] = {
	{UNPACK_GZIP, "gzip", {0x1f, 0x8b}, 2},
	{UNPACK_GZIP, "gzip", {0x1f, 0x9e}, 2},
	{UNPACK_XZ, "xz", {0xfd, '7', 'z', 'X', 'Z', 0x00}, 6},
	{UNPACK_LZMA, "lzma", {0x5d, 0x00}, 2},
	{UNPACK_ZSTD, "zstd", {0x28, 0xb5, 0x2f, 0xfd}, 4},
	{UNPACK_NONE, "bzip2", {'B', 'Z'}, 2},
	{UNPACK_NONE, "lz4", {0x02, 0x21}, 2},
	{UNPACK_NONE, "lzo", {0x89, 'L', 'Z', 'O'}, 4},
};

const char *unpack_format_name(enum unpack_format f)
{
	for (unsigned i = 0; i < ARRAY_SIZE(unpack_magic); i++)
		if (unpack_magic[i].f == f && f != UNPACK_NONE)
			return unpack_magic[i].name;
	return "none";
}

static int unpack_fail(char *why, size_t why_len, const char *fmt, ...) __printf(3, 4);

static int unpack_fail(char *why, size_t why_len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, why_len, fmt, ap);
	va_end(ap);
	return -ENOEXEC;
}

int unpack_find(const struct bzimage *bz, struct unpack_payload *p, char *why, size_t why_len)
{
	uint64_t off = bz->hdr.payload_offset, len = bz->hdr.payload_length;
	uint32_t size;

	memset(p, 0, sizeof(*p));
	/* payload_offset is relative to the protected-mode code (boot.rst). */
	if (!len)
		return unpack_fail(why, why_len, "the bzImage has no payload");
	if (off > bz->kernel_len || len > bz->kernel_len - off)
		return unpack_fail(why, why_len, "its payload lies outside the file");
	if (len < 8)
		return unpack_fail(why, why_len, "its payload is too short (%llu bytes)",
				   (unsigned long long)len);
	p->data = bz->kernel + off;
	p->len = len;
	for (unsigned i = 0; i < ARRAY_SIZE(unpack_magic); i++) {
		if (memcmp(p->data, unpack_magic[i].magic, unpack_magic[i].len))
			continue;
		if (unpack_magic[i].f == UNPACK_NONE)
			return unpack_fail(why, why_len,
					   "its payload is %s-compressed (ptvm decompresses gzip, "
					   "xz, lzma and zstd)",
					   unpack_magic[i].name);
		p->format = unpack_magic[i].f;
		break;
	}
	if (p->format == UNPACK_NONE)
		return unpack_fail(why, why_len, "its payload's format is unknown");
	memcpy(&size, p->data + len - 4, sizeof(size));
	p->out_len = size;
	if (p->out_len < 64 || p->out_len > UNPACK_MAX_SIZE)
		return unpack_fail(why, why_len, "its payload states an absurd size (%llu bytes)",
				   (unsigned long long)p->out_len);
	return 0;
}

/* The stream ended (@ended) after @got bytes of output, or filled the buffer first. */
static int unpack_size_fail(const struct unpack_payload *p, bool ended, uint64_t got, char *why,
			    size_t why_len)
{
	if (!ended)
		return unpack_fail(why, why_len,
				   "%s payload decompresses to more than the %llu bytes it states",
				   unpack_format_name(p->format), (unsigned long long)p->out_len);
	return unpack_fail(why, why_len,
			   "%s payload decompresses to %llu bytes, not the %llu it states",
			   unpack_format_name(p->format), (unsigned long long)got,
			   (unsigned long long)p->out_len);
}

static int unpack_gzip(const struct unpack_payload *p, void *out, char *why, size_t why_len)
{
	z_stream z = {.next_in = (Bytef *)p->data,
		      .avail_in = (uInt)p->len,
		      .next_out = out,
		      .avail_out = (uInt)p->out_len};
	int ret;

	/* 16 + MAX_WBITS: a gzip wrapper, zlib.h inflateInit2(). */
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return unpack_fail(why, why_len, "zlib: cannot start inflating");
	ret = inflate(&z, Z_FINISH);
	inflateEnd(&z);
	if (ret == Z_STREAM_END && z.total_out == p->out_len)
		return 0;
	if (ret == Z_STREAM_END || (ret == Z_BUF_ERROR && !z.avail_out))
		return unpack_size_fail(p, ret == Z_STREAM_END, z.total_out, why, why_len);
	return unpack_fail(why, why_len, "gzip payload is corrupt (zlib error %d)", ret);
}

static int unpack_lzma(const struct unpack_payload *p, void *out, char *why, size_t why_len)
{
	lzma_stream s = LZMA_STREAM_INIT;
	lzma_ret ret;

	/* One .xz stream (no LZMA_CONCATENATED: the size bytes follow it), or .lzma. */
	ret = p->format == UNPACK_XZ ? lzma_stream_decoder(&s, UNPACK_LZMA_MEMLIMIT, 0)
				     : lzma_alone_decoder(&s, UNPACK_LZMA_MEMLIMIT);
	if (ret != LZMA_OK)
		return unpack_fail(why, why_len, "liblzma: cannot start decoding (%d)", ret);
	s.next_in = p->data;
	s.avail_in = p->len;
	s.next_out = out;
	s.avail_out = p->out_len;
	ret = lzma_code(&s, LZMA_FINISH);
	lzma_end(&s);
	if (ret == LZMA_STREAM_END && s.total_out == p->out_len)
		return 0;
	if (ret == LZMA_STREAM_END || ((ret == LZMA_OK || ret == LZMA_BUF_ERROR) && !s.avail_out))
		return unpack_size_fail(p, ret == LZMA_STREAM_END, s.total_out, why, why_len);
	return unpack_fail(why, why_len, "%s payload is corrupt (liblzma error %d)",
			   unpack_format_name(p->format), ret);
}

static int unpack_zstd(const struct unpack_payload *p, void *out, char *why, size_t why_len)
{
	/* One frame: the 4 size bytes after it are no frame of their own. */
	size_t frame = ZSTD_findFrameCompressedSize(p->data, p->len), n;

	if (ZSTD_isError(frame))
		return unpack_fail(why, why_len, "zstd payload is corrupt (%s)",
				   ZSTD_getErrorName(frame));
	n = ZSTD_decompress(out, p->out_len, p->data, frame);
	if (!ZSTD_isError(n) && n == p->out_len)
		return 0;
	if (!ZSTD_isError(n) || ZSTD_getErrorCode(n) == ZSTD_error_dstSize_tooSmall)
		return unpack_size_fail(p, !ZSTD_isError(n), n, why, why_len);
	return unpack_fail(why, why_len, "zstd payload is corrupt (%s)", ZSTD_getErrorName(n));
}

int unpack_run(const struct unpack_payload *p, void *out, char *why, size_t why_len)
{
	int ret;

	switch (p->format) {
	case UNPACK_GZIP:
		ret = unpack_gzip(p, out, why, why_len);
		break;
	case UNPACK_XZ:
	case UNPACK_LZMA:
		ret = unpack_lzma(p, out, why, why_len);
		break;
	case UNPACK_ZSTD:
		ret = unpack_zstd(p, out, why, why_len);
		break;
	default:
		return unpack_fail(why, why_len, "no payload to decompress");
	}
	if (!ret && !elf_is_elf(out, p->out_len))
		return unpack_fail(why, why_len, "its %s payload is not an ELF kernel",
				   unpack_format_name(p->format));
	return ret;
}
