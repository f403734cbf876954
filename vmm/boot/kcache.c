// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel cache (kcache.h). SHA-256 (nettle) names an entry: a
 * different bzImage never maps to it, even one built to collide with a
 * weaker hash. The content's check is a CRC-32 (zlib), not a second
 * SHA-256: it is there to catch a torn or damaged file, while tampering is
 * ruled out by ownership and modes (only ptvm's own user can write there,
 * and that user could replace ptvm itself); hashing 60-100 MiB of vmlinux
 * on every boot would cost a good part of what the cache saves.
 */
#include <errno.h>
#include <fcntl.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "boot/file.h"
#include "boot/kcache.h"

_Static_assert(sizeof(struct kcache_hdr) == 64, "the entry header is 64 bytes");

const char *kcache_dir(void)
{
	const char *d = getenv("PTVM_CACHE_DIR");

	return d && d[0] ? d : KCACHE_DEFAULT_DIR;
}

static void kcache_note(struct kcache_result *r, const char *fmt, ...) __printf(2, 3);

static void kcache_note(struct kcache_result *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->why, sizeof(r->why), fmt, ap);
	va_end(ap);
}

/* Files only ptvm's user can change: owned by it, no group/other write. */
static bool kcache_owned(const struct stat *st)
{
	return st->st_uid == geteuid() && !(st->st_mode & (S_IWGRP | S_IWOTH));
}

/* zlib's crc32() takes an unsigned int length: fed in 1 GiB steps. */
static uint32_t kcache_crc(const uint8_t *p, size_t len)
{
	uLong crc = crc32(0, Z_NULL, 0);

	while (len) {
		uInt n = (uInt)MIN(len, (size_t)SZ_1G);

		crc = crc32(crc, p, n);
		p += n;
		len -= n;
	}
	return (uint32_t)crc;
}

/* mkdir -p with mode 0755, then the directory's checks. */
static int kcache_dir_ok(const char *dir, struct kcache_result *r)
{
	char path[PATH_MAX];
	struct stat st;
	size_t n = strlen(dir);

	if (!n || n >= sizeof(path)) {
		kcache_note(r, "cache directory name is empty or too long");
		return -ENAMETOOLONG;
	}
	memcpy(path, dir, n + 1);
	for (char *s = path + 1;; s++) {
		char c = *s;

		if (c && c != '/')
			continue;
		*s = '\0';
		if (mkdir(path, 0755) && errno != EEXIST) {
			kcache_note(r, "cannot create %s: %s", path, strerror(errno));
			return -errno;
		}
		*s = c;
		if (!c)
			break;
	}
	if (stat(dir, &st)) {
		kcache_note(r, "%s: %s", dir, strerror(errno));
		return -errno;
	}
	if (!S_ISDIR(st.st_mode) || !kcache_owned(&st)) {
		kcache_note(r, "%s is not a directory owned by uid %u and writable only by it", dir,
			    (unsigned)geteuid());
		return -EPERM;
	}
	return 0;
}

/* 0 and r->map set on a good entry; else the reason is in r->why. */
static int kcache_read(const char *path, const uint8_t *key, uint64_t len, struct kcache_result *r)
{
	struct kcache_hdr h;
	struct stat st;
	void *map;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno; /* a miss: nothing to say */
	ret = -EINVAL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || !kcache_owned(&st)) {
		kcache_note(r,
			    "entry %s is not a regular file owned by uid %u and writable "
			    "only by it: rebuilt",
			    path, (unsigned)geteuid());
		goto out;
	}
	if ((uint64_t)st.st_size != sizeof(h) + len ||
	    pread(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h) ||
	    memcmp(h.magic, KCACHE_MAGIC, sizeof(h.magic)) || memcmp(h.key, key, KCACHE_KEY_LEN) ||
	    h.len != len) {
		kcache_note(r, "entry %s has a bad header or size: rebuilt", path);
		goto out;
	}
	ret = boot_file_copy(fd, sizeof(h), len, &map);
	if (ret) {
		kcache_note(r, "cannot read entry %s: %s", path, strerror(-ret));
		goto out;
	}
	if (kcache_crc(map, len) != h.crc) {
		munmap(map, len);
		kcache_note(r, "entry %s fails its CRC-32: rebuilt", path);
		ret = -EBADMSG;
		goto out;
	}
	r->map = map;
	r->len = len;
	r->how = KCACHE_HIT;
out:
	close(fd);
	return ret;
}

static int kcache_write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w ? -errno : -EIO;
		p += w;
		n -= w;
	}
	return 0;
}

/*
 * Temporary file, then rename(2), which replaces the name atomically: a
 * reader sees the old entry, none or the new one, never half of it. No
 * fsync: an entry a crash damages fails its checks and is rebuilt.
 */
static int kcache_store(const char *dir, const char *path, const uint8_t *key,
			const struct kcache_result *got, struct kcache_result *r)
{
	struct kcache_hdr h = {.len = got->len};
	char tmp[PATH_MAX];
	int fd, ret;

	memcpy(h.magic, KCACHE_MAGIC, sizeof(h.magic));
	memcpy(h.key, key, KCACHE_KEY_LEN);
	h.crc = kcache_crc(got->map, got->len);
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.tmp-vmlinux-XXXXXX", dir) >= sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		kcache_note(r, "cannot write to %s: %s", dir, strerror(-ret));
		return ret;
	}
	ret = kcache_write_all(fd, &h, sizeof(h));
	if (!ret)
		ret = kcache_write_all(fd, got->map, got->len);
	if (!ret && fchmod(fd, 0644))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret) {
		unlink(tmp);
		kcache_note(r, "cannot write %s: %s", path, strerror(-ret));
	}
	return ret;
}

static int kcache_unpack(const struct unpack_payload *p, struct kcache_result *r, char *why,
			 size_t why_len)
{
	void *map;
	int ret;

	map = mmap(NULL, p->out_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED) {
		ret = -errno;
		snprintf(why, why_len, "cannot allocate %llu bytes to decompress it: %s",
			 (unsigned long long)p->out_len, strerror(-ret));
		return ret;
	}
	ret = unpack_run(p, map, why, why_len);
	if (ret) {
		munmap(map, p->out_len);
		return ret;
	}
	r->map = map;
	r->len = p->out_len;
	return 0;
}

/* DIR/vmlinux-<the key in hex>. */
static int kcache_name(const char *dir, const uint8_t *key, struct kcache_result *r)
{
	char hex[2 * KCACHE_KEY_LEN + 1];

	for (unsigned i = 0; i < KCACHE_KEY_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", key[i]);
	if ((size_t)snprintf(r->path, sizeof(r->path), "%s/vmlinux-%s", dir, hex) >=
	    sizeof(r->path)) {
		kcache_note(r, "cache directory name is too long");
		return -ENAMETOOLONG;
	}
	return 0;
}

int kcache_get(const char *dir, const void *img, size_t len, const struct unpack_payload *p,
	       struct kcache_result *r, char *why, size_t why_len)
{
	uint8_t key[KCACHE_KEY_LEN];
	struct sha256_ctx sha;
	bool cache = dir != NULL;
	int ret;

	memset(r, 0, sizeof(*r));
	r->how = KCACHE_UNCACHED;
	if (cache && kcache_dir_ok(dir, r))
		cache = false;
	if (cache) {
		sha256_init(&sha);
		sha256_update(&sha, len, img);
		sha256_digest(&sha, sizeof(key), key);
		cache = !kcache_name(dir, key, r);
	}
	if (cache && !kcache_read(r->path, key, p->out_len, r))
		return 0;
	ret = kcache_unpack(p, r, why, why_len);
	if (ret)
		return ret;
	if (cache && !kcache_store(dir, r->path, key, r, r))
		r->how = KCACHE_STORED;
	return 0;
}
