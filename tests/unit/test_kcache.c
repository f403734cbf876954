// SPDX-License-Identifier: GPL-2.0
/*
 * kcache_get() in a real temporary directory: stored once, then read back;
 * every entry or directory it must not trust (damaged, resized, writable by
 * others, a symlink) is rebuilt or not used, with the reason.
 */
#include <errno.h>
#include <fcntl.h>
#include <nettle/sha2.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "boot/kcache.h"
#include "unpack_fixture.h"

static struct unpack_fix f;
static char tmp[PATH_MAX], dir[PATH_MAX + 16];
static struct unpack_payload p;
static struct kcache_result r;

static int setup(void **state)
{
	const char *why = NULL;
	char msg[UNPACK_WHY_LEN];
	struct bzimage bz;

	snprintf(tmp, sizeof(tmp), "%s/kcache-XXXXXX", getenv("TMPDIR") ?: "/tmp");
	if (!mkdtemp(tmp) || unpack_fix_build(&f, UNPACK_XZ))
		return -1;
	snprintf(dir, sizeof(dir), "%s/a/b", tmp);
	if (bzimage_parse(f.img, f.img_len, &bz, &why) || unpack_find(&bz, &p, msg, sizeof(msg)))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	return system(cmd);
}

/* kcache_get() must succeed, with @how, the fixture's ELF and @why as its note. */
static void get(const char *d, enum kcache_how how, const char *why)
{
	char msg[UNPACK_WHY_LEN];

	assert_int_equal(kcache_get(d, f.img, f.img_len, &p, &r, msg, sizeof(msg)), 0);
	assert_int_equal(r.how, how);
	assert_int_equal(r.len, f.elf_len);
	assert_memory_equal(r.map, f.elf, f.elf_len);
	assert_string_equal(r.why, why);
	munmap(r.map, r.len);
}

static void test_no_cache(void **state)
{
	get(NULL, KCACHE_UNCACHED, "");
	assert_string_equal(r.path, "");
}

static void test_store_then_hit(void **state)
{
	uint8_t key[32];
	char want[PATH_MAX + 128];
	struct sha256_ctx sha;
	struct stat st;
	int n;

	get(dir, KCACHE_STORED, "");
	sha256_init(&sha);
	sha256_update(&sha, f.img_len, f.img);
	sha256_digest(&sha, sizeof(key), key);
	n = snprintf(want, sizeof(want), "%s/vmlinux-", dir);
	for (unsigned i = 0; i < sizeof(key); i++)
		n += snprintf(want + n, sizeof(want) - n, "%02x", key[i]);
	assert_string_equal(r.path, want);
	assert_int_equal(stat(r.path, &st), 0);
	assert_int_equal(st.st_size, 64 + f.elf_len);
	assert_int_equal(st.st_mode & 07777, 0644);
	get(dir, KCACHE_HIT, "");
	/* Another bzImage (one byte of its setup code differs): another entry. */
	f.img[0x300] ^= 1;
	get(dir, KCACHE_STORED, "");
	assert_string_not_equal(r.path, want);
	f.img[0x300] ^= 1;
}

static void poke(const char *path, off_t off, uint8_t x)
{
	int fd = open(path, O_RDWR);
	uint8_t b;

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &b, 1, off), 1);
	b ^= x;
	assert_int_equal(pwrite(fd, &b, 1, off), 1);
	close(fd);
}

static void test_rebuilt(void **state)
{
	char why[KCACHE_WHY_LEN + PATH_MAX], path[PATH_MAX];

	get(dir, KCACHE_STORED, "");
	snprintf(path, sizeof(path), "%s", r.path);
	/* One content byte flipped: the CRC-32 says so; rebuilt, then good again. */
	poke(path, 64 + 100, 0x10);
	snprintf(why, sizeof(why), "entry %s fails its CRC-32: rebuilt", path);
	get(dir, KCACHE_STORED, why);
	get(dir, KCACHE_HIT, "");
	/* The key in the header does not match the name. */
	poke(path, 8, 1);
	snprintf(why, sizeof(why), "entry %s has a bad header or size: rebuilt", path);
	get(dir, KCACHE_STORED, why);
	/* A byte short. */
	assert_int_equal(truncate(path, 64 + f.elf_len - 1), 0);
	get(dir, KCACHE_STORED, why);
	/* Writable by others: not trusted. */
	assert_int_equal(chmod(path, 0666), 0);
	snprintf(why, sizeof(why),
		 "entry %s is not a regular file owned by uid %u and writable only by it: rebuilt",
		 path, (unsigned)geteuid());
	get(dir, KCACHE_STORED, why);
	get(dir, KCACHE_HIT, "");
}

static void test_symlink_replaced(void **state)
{
	char other[PATH_MAX + 16], path[PATH_MAX];
	struct stat st;

	get(dir, KCACHE_STORED, "");
	snprintf(path, sizeof(path), "%s", r.path);
	snprintf(other, sizeof(other), "%s/good", tmp);
	assert_int_equal(rename(path, other), 0);
	assert_int_equal(symlink(other, path), 0);
	/* Not followed (O_NOFOLLOW): a miss, and the link is replaced by an entry. */
	get(dir, KCACHE_STORED, "");
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
}

static void test_dir_not_trusted(void **state)
{
	char why[KCACHE_WHY_LEN + PATH_MAX], file[PATH_MAX + 16];
	int fd;

	get(dir, KCACHE_STORED, "");
	assert_int_equal(chmod(dir, 0777), 0);
	snprintf(why, sizeof(why), "%s is not a directory owned by uid %u and writable only by it",
		 dir, (unsigned)geteuid());
	get(dir, KCACHE_UNCACHED, why);
	assert_int_equal(chmod(dir, 0755), 0);
	/* A file where the directory should be. */
	snprintf(file, sizeof(file), "%s/file", tmp);
	fd = open(file, O_CREAT | O_WRONLY, 0644);
	assert_true(fd >= 0);
	close(fd);
	snprintf(why, sizeof(why), "%s is not a directory owned by uid %u and writable only by it",
		 file, (unsigned)geteuid());
	get(file, KCACHE_UNCACHED, why);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_no_cache),	  T(test_store_then_hit),  T(test_rebuilt),
		T(test_symlink_replaced), T(test_dir_not_trusted),
	};
#undef T

	return cmocka_run_group_tests_name("kcache", tests, NULL, NULL);
}
