// SPDX-License-Identifier: GPL-2.0
/* unpack_find() and unpack_run(): a bzImage's payload by its magic, decompressed exactly. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "unpack_fixture.h"

static struct unpack_fix f;
static uint8_t out[UNPACK_FIX_ELF];

static void find(struct bzimage *bz, struct unpack_payload *p)
{
	const char *why = NULL;
	char msg[UNPACK_WHY_LEN];

	assert_int_equal(bzimage_parse(f.img, f.img_len, bz, &why), 0);
	assert_int_equal(unpack_find(bz, p, msg, sizeof(msg)), 0);
}

static void roundtrip(enum unpack_format fmt, const char *name)
{
	struct unpack_payload p;
	struct bzimage bz;
	char msg[UNPACK_WHY_LEN] = "";

	assert_int_equal(unpack_fix_build(&f, fmt), 0);
	find(&bz, &p);
	assert_int_equal(p.format, fmt);
	assert_string_equal(unpack_format_name(p.format), name);
	assert_ptr_equal(p.data, f.img + f.setup_len + UNPACK_FIX_PAYLOAD);
	assert_int_equal(p.len, f.payload_len);
	assert_int_equal(p.out_len, f.elf_len);
	memset(out, 0xcc, sizeof(out));
	assert_int_equal(unpack_run(&p, out, msg, sizeof(msg)), 0);
	assert_memory_equal(out, f.elf, f.elf_len);
}

static void test_gzip(void **state)
{
	roundtrip(UNPACK_GZIP, "gzip");
}

static void test_xz(void **state)
{
	roundtrip(UNPACK_XZ, "xz");
}

static void test_zstd(void **state)
{
	roundtrip(UNPACK_ZSTD, "zstd");
}

static void expect_find(const char *msg)
{
	struct unpack_payload p;
	struct bzimage bz;
	const char *why = NULL;
	char got[UNPACK_WHY_LEN];

	assert_int_equal(bzimage_parse(f.img, f.img_len, &bz, &why), 0);
	assert_int_equal(unpack_find(&bz, &p, got, sizeof(got)), -ENOEXEC);
	assert_string_equal(got, msg);
}

static void test_find_refusals(void **state)
{
	uint8_t *pl;

	assert_int_equal(unpack_fix_build(&f, UNPACK_XZ), 0);
	pl = f.img + f.setup_len + UNPACK_FIX_PAYLOAD;
	memcpy(pl, "BZh9", 4);
	expect_find("its payload is bzip2-compressed (ptvm decompresses gzip, xz, lzma and zstd)");
	memcpy(pl, "\x02\x21\x4c\x18", 4);
	expect_find("its payload is lz4-compressed (ptvm decompresses gzip, xz, lzma and zstd)");
	memcpy(pl,
	       "\x7f"
	       "ELF",
	       4);
	expect_find("its payload's format is unknown");
	fixture_put(f.img, 0x24c, 0, 4);
	expect_find("the bzImage has no payload");
	fixture_put(f.img, 0x24c, f.img_len - f.setup_len - UNPACK_FIX_PAYLOAD + 1, 4);
	expect_find("its payload lies outside the file");
	fixture_put(f.img, 0x248, 0xffffff00, 4);
	fixture_put(f.img, 0x24c, 0x200, 4);
	expect_find("its payload lies outside the file");
	/* The size bytes after the stream say 2 GiB. */
	assert_int_equal(unpack_fix_build(&f, UNPACK_XZ), 0);
	fixture_put(f.img, f.setup_len + UNPACK_FIX_PAYLOAD + f.payload_len - 4, 0x80000000, 4);
	expect_find("its payload states an absurd size (2147483648 bytes)");
}

static void expect_run(enum unpack_format fmt, size_t flip, int size_delta, const char *msg)
{
	struct unpack_payload p;
	struct bzimage bz;
	char got[UNPACK_WHY_LEN];

	assert_int_equal(unpack_fix_build(&f, fmt), 0);
	if (flip)
		f.img[f.setup_len + UNPACK_FIX_PAYLOAD + flip] ^= 0x55;
	find(&bz, &p);
	p.out_len += size_delta;
	assert_int_equal(unpack_run(&p, out, got, sizeof(got)), -ENOEXEC);
	assert_string_equal(got, msg);
}

static void test_run_refusals(void **state)
{
	/* A damaged stream: liblzma's check, zlib's CRC, zstd's block decoding. */
	expect_run(UNPACK_XZ, 40, 0, "xz payload is corrupt (liblzma error 9)");
	expect_run(UNPACK_GZIP, 30, 0, "gzip payload is corrupt (zlib error -3)");
	/* The stream is longer, or shorter, than its size bytes say. */
	expect_run(UNPACK_XZ, 0, -1,
		   "xz payload decompresses to more than the 20503 bytes it states");
	expect_run(UNPACK_XZ, 0, 1,
		   "xz payload decompresses to 20504 bytes, not the 20505 it states");
	expect_run(UNPACK_ZSTD, 0, -1,
		   "zstd payload decompresses to more than the 20503 bytes it states");
	expect_run(UNPACK_ZSTD, 0, 1,
		   "zstd payload decompresses to 20504 bytes, not the 20505 it states");
	expect_run(UNPACK_GZIP, 0, -1,
		   "gzip payload decompresses to more than the 20503 bytes it states");
	expect_run(UNPACK_GZIP, 0, 1,
		   "gzip payload decompresses to 20504 bytes, not the 20505 it states");
}

static void test_not_elf(void **state)
{
	struct unpack_payload p;
	struct bzimage bz;
	char got[UNPACK_WHY_LEN];

	assert_int_equal(unpack_fix_build(&f, UNPACK_ZSTD), 0);
	f.elf[0] = 0;
	f.payload_len = unpack_fix_compress(UNPACK_ZSTD, f.elf, f.elf_len,
					    f.img + f.setup_len + UNPACK_FIX_PAYLOAD, 0x8000);
	fixture_put(f.img, 0x24c, f.payload_len, 4);
	find(&bz, &p);
	assert_int_equal(unpack_run(&p, out, got, sizeof(got)), -ENOEXEC);
	assert_string_equal(got, "its zstd payload is not an ELF kernel");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gzip),	     cmocka_unit_test(test_xz),
		cmocka_unit_test(test_zstd),	     cmocka_unit_test(test_find_refusals),
		cmocka_unit_test(test_run_refusals), cmocka_unit_test(test_not_elf),
	};

	return cmocka_run_group_tests_name("unpack", tests, NULL, NULL);
}
