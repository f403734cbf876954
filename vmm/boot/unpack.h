/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel inside a bzImage: its payload (setup_header payload_offset and
 * payload_length, boot protocol 2.08+), decompressed on the host so that the
 * guest does not run the bzImage's own decompressor. boot.rst: "The format
 * of both the compressed and uncompressed data should be determined using
 * the standard magic numbers", and "the uncompressed payload is currently
 * always ELF". Decompression is Debian's libraries' (zlib, liblzma,
 * libzstd), not ptvm's own code facing a file a user hands it.
 */
#ifndef PTVM_BOOT_UNPACK_H
#define PTVM_BOOT_UNPACK_H

#include "boot/bzimage.h"

/* A payload unpacks to at most this: a vmlinux is some 30-100 MiB. */
#define UNPACK_MAX_SIZE (512ULL << 20)
#define UNPACK_WHY_LEN	128

enum unpack_format {
	UNPACK_NONE, /* no payload, or a format ptvm does not decompress */
	UNPACK_GZIP,
	UNPACK_XZ,
	UNPACK_LZMA,
	UNPACK_ZSTD,
};

struct unpack_payload {
	const uint8_t *data; /* inside the bzImage */
	size_t len;
	enum unpack_format format;
	uint64_t out_len; /* the decompressed size the payload's last 4 bytes state */
};

/* "gzip", "xz", ... for log lines. */
const char *unpack_format_name(enum unpack_format f);

/*
 * Find @bz's payload and its format. -ENOEXEC with *@why set when there is
 * none, it lies outside the image, its size is absurd or its format is one
 * ptvm does not decompress (bzip2, lzo, lz4: named in @why).
 */
int unpack_find(const struct bzimage *bz, struct unpack_payload *p, char *why,
		size_t why_len) __must_check;

/*
 * Decompress @p into @out (p->out_len bytes, caller's). 0 only when the
 * stream ends exactly there and the result is ELF; else -ENOEXEC, *@why set.
 */
int unpack_run(const struct unpack_payload *p, void *out, char *why, size_t why_len) __must_check;

#endif
