/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel cache: a bzImage's decompressed payload (boot/unpack.h) kept
 * on disk, named by the SHA-256 of the whole bzImage, so that its
 * decompression runs once per kernel, not once per boot. Nothing in it is
 * trusted blindly:
 * - the directory must be a directory owned by ptvm's effective user and
 *   writable by nobody else, or the cache is not used;
 * - an entry must be a regular file (not a symlink) with the same owner and
 *   no group/other write permission, of exactly the expected size, whose
 *   header repeats the SHA-256 it is named for and holds the CRC-32 of the
 *   content, which is checked on every read (a torn or corrupted entry is
 *   rebuilt);
 * - what it holds is parsed as any user-given vmlinux is (boot/elf.h).
 * Entries are written to a temporary file in the directory and renamed
 * into place, so a reader sees a whole entry or none.
 */
#ifndef PTVM_BOOT_KCACHE_H
#define PTVM_BOOT_KCACHE_H

#include <limits.h>
#include <stdbool.h>

#include "boot/unpack.h"

#define KCACHE_DEFAULT_DIR "/var/cache/ptvm"
#define KCACHE_MAGIC	   "PTVMKC1\n"
#define KCACHE_KEY_LEN	   32 /* SHA-256 */
#define KCACHE_WHY_LEN	   192

/* An entry: this header (64 bytes), then the decompressed payload. */
struct kcache_hdr {
	char magic[8];
	uint8_t key[KCACHE_KEY_LEN]; /* SHA-256 of the bzImage */
	uint64_t len;		     /* bytes of content after the header */
	uint32_t crc;		     /* zlib's CRC-32 of the content */
	uint8_t pad[12];
};

enum kcache_how {
	KCACHE_HIT,	 /* read from the cache */
	KCACHE_STORED,	 /* decompressed and written to the cache */
	KCACHE_UNCACHED, /* decompressed; the cache was off or unusable (why) */
};

struct kcache_result {
	void *map; /* the decompressed kernel, private memory: munmap(map, len) */
	size_t len;
	enum kcache_how how;
	char path[PATH_MAX];	  /* the entry's path, when there is a cache */
	char why[KCACHE_WHY_LEN]; /* why the cache was not used, or the entry rebuilt */
};

/* $PTVM_CACHE_DIR if set and not empty, else KCACHE_DEFAULT_DIR. */
const char *kcache_dir(void);

/*
 * The decompressed payload @p of the bzImage @img (@len bytes) into @r:
 * from the cache in @dir (NULL: no cache, always decompress), else
 * decompressed and, with a cache, stored. Cache trouble never fails this;
 * it says so in r->why. Fails (-ENOEXEC, -ENOMEM) only when the payload
 * cannot be decompressed: @why then says why.
 */
int kcache_get(const char *dir, const void *img, size_t len, const struct unpack_payload *p,
	       struct kcache_result *r, char *why, size_t why_len) __must_check;

#endif
