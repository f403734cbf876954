// SPDX-License-Identifier: GPL-2.0
/* bzimage_parse(): synthetic images built at boot.rst's header offsets. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "boot/bzimage.h"
#include "boot_fixture.h"

#define IMG_LEN 4096

static int parse(uint8_t *img, size_t len, struct bzimage *bz, const char **why)
{
	*why = NULL;
	return bzimage_parse(img, len, bz, why);
}

static void test_good(void **state)
{
	static uint8_t img[IMG_LEN];
	struct fixture_bz o = fixture_bz_default();
	struct bzimage bz;
	const char *why;

	o.syssize = (IMG_LEN - 3 * 512) / 16;
	fixture_bz_build(img, sizeof(img), &o);
	assert_int_equal(parse(img, sizeof(img), &bz, &why), 0);
	assert_null(why);
	assert_ptr_equal(bz.setup, img);
	assert_int_equal(bz.setup_len, 3 * 512);
	assert_ptr_equal(bz.kernel, img + 3 * 512);
	assert_int_equal(bz.kernel_len, IMG_LEN - 3 * 512);
	assert_int_equal(bz.version, 0x020f);
	assert_int_equal(bz.init_size, 0x400000);
	assert_int_equal(bz.pref_address, 0x1000000);
	assert_int_equal(bz.kernel_alignment, 0x200000);
	assert_int_equal(bz.initrd_addr_max, 0x7fffffff);
	assert_int_equal(bz.cmdline_size, 2047);
	assert_int_equal(bz.xloadflags, XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G);
	assert_true(bz.relocatable);
	/* The header runs from 0x1f1 to 0x26c: 123 bytes, all kept. */
	assert_int_equal(bz.hdr_len, 0x26c - 0x1f1);
	assert_int_equal(bz.hdr.setup_sects, 2);
	assert_int_equal(bz.hdr.boot_flag, 0xaa55);
	assert_int_equal(bz.hdr.header, 0x53726448);
	assert_int_equal(bz.hdr.syssize, o.syssize);
	assert_int_equal(bz.hdr.loadflags, LOADED_HIGH);
	assert_int_equal(bz.hdr.handover_offset, 0x190);
	assert_int_equal(bz.hdr.kernel_info_offset, 0xabcd);
}

static void test_setup_sects_zero_means_four(void **state)
{
	static uint8_t img[IMG_LEN];
	struct fixture_bz o = fixture_bz_default();
	struct bzimage bz;
	const char *why;

	o.setup_sects = 0;
	fixture_bz_build(img, sizeof(img), &o);
	assert_int_equal(parse(img, sizeof(img), &bz, &why), 0);
	assert_int_equal(bz.setup_len, 5 * 512);
	assert_ptr_equal(bz.kernel, img + 5 * 512);
	assert_int_equal(bz.kernel_len, IMG_LEN - 5 * 512);
	assert_int_equal(bz.kernel[0], (uint8_t)(5 * 512 * 7 + 3));
}

/* A 2.12 header ends at handover_offset (0x268): later bytes are not header. */
static void test_short_header_trimmed(void **state)
{
	static uint8_t img[IMG_LEN];
	struct fixture_bz o = fixture_bz_default();
	struct bzimage bz;
	const char *why;

	o.version = 0x020c;
	o.hdr_end_byte = 0x66;
	fixture_bz_build(img, sizeof(img), &o);
	assert_int_equal(parse(img, sizeof(img), &bz, &why), 0);
	assert_int_equal(bz.version, 0x020c);
	assert_int_equal(bz.hdr_len, 0x268 - 0x1f1);
	assert_int_equal(bz.hdr.handover_offset, 0x190);
	assert_int_equal(bz.hdr.kernel_info_offset, 0);
}

struct bad_case {
	const char *name;
	void (*mutate)(uint8_t *img, struct fixture_bz *o);
	const char *why;
};

static void bad_boot_flag(uint8_t *img, struct fixture_bz *o)
{
	img[0x1fe] = 0;
}

static void bad_magic(uint8_t *img, struct fixture_bz *o)
{
	memcpy(img + 0x202, "HdrZ", 4);
}

static void old_protocol(uint8_t *img, struct fixture_bz *o)
{
	fixture_put(img, 0x206, 0x020a, 2);
}

static void no_kernel64(uint8_t *img, struct fixture_bz *o)
{
	fixture_put(img, 0x236, XLF_CAN_BE_LOADED_ABOVE_4G, 2);
}

static void header_too_short(uint8_t *img, struct fixture_bz *o)
{
	img[0x201] = 0x60; /* ends at 0x262, inside init_size */
}

static void syssize_past_end(uint8_t *img, struct fixture_bz *o)
{
	fixture_put(img, 0x1f4, 4096 / 16, 4);
}

static void no_init_size(uint8_t *img, struct fixture_bz *o)
{
	fixture_put(img, 0x260, 0, 4);
}

static void bad_alignment(uint8_t *img, struct fixture_bz *o)
{
	fixture_put(img, 0x230, 0x300000, 4);
}

static void setup_fills_file(uint8_t *img, struct fixture_bz *o)
{
	img[0x1f1] = 7; /* (7 + 1) * 512 == IMG_LEN: no kernel left */
}

static const struct bad_case bad_cases[] = {
	{"boot flag", bad_boot_flag, "not a bzImage (no 0xAA55 boot flag)"},
	{"magic", bad_magic, "not a bzImage (no HdrS signature)"},
	{"2.10", old_protocol, "boot protocol 2.10 is too old (need 2.12 for the 64-bit entry)"},
	{"xlf", no_kernel64, "kernel has no 64-bit entry point (XLF_KERNEL_64 clear)"},
	{"hdr len", header_too_short, "setup header too short for its boot protocol version"},
	{"syssize", syssize_past_end,
	 "truncated bzImage (kernel part 2560 bytes, header says 4096)"},
	{"init_size", no_init_size, "setup header has no init_size"},
	{"align", bad_alignment, "bad kernel_alignment 0x300000 (not a power of two)"},
	{"setup", setup_fills_file, "truncated bzImage (no protected-mode kernel)"},
};

static void test_bad_images(void **state)
{
	static uint8_t img[IMG_LEN];

	for (unsigned i = 0; i < ARRAY_SIZE(bad_cases); i++) {
		struct fixture_bz o = fixture_bz_default();
		struct bzimage bz;
		const char *why;

		fixture_bz_build(img, sizeof(img), &o);
		bad_cases[i].mutate(img, &o);
		assert_int_equal(parse(img, sizeof(img), &bz, &why), -ENOEXEC);
		assert_non_null(why);
		if (strcmp(why, bad_cases[i].why))
			fail_msg("%s: got \"%s\"", bad_cases[i].name, why);
	}
}

static void test_truncated(void **state)
{
	static uint8_t img[IMG_LEN];
	struct fixture_bz o = fixture_bz_default();
	struct bzimage bz;
	const char *why;

	fixture_bz_build(img, sizeof(img), &o);
	/* Cut inside the setup header. */
	assert_int_equal(parse(img, 0x250, &bz, &why), -ENOEXEC);
	assert_string_equal(why, "file too small to be a bzImage (592 bytes)");
	/* Cut right after the setup part. */
	assert_int_equal(parse(img, 3 * 512, &bz, &why), -ENOEXEC);
	assert_string_equal(why, "truncated bzImage (no protected-mode kernel)");
	/* One byte of kernel is enough when syssize says so. */
	assert_int_equal(parse(img, 3 * 512 + 1, &bz, &why), 0);
	assert_int_equal(bz.kernel_len, 1);
	assert_int_equal(parse(NULL, 0, &bz, &why), -ENOEXEC);
	assert_string_equal(why, "file too small to be a bzImage (0 bytes)");
}

static void test_not_relocatable_is_parsed(void **state)
{
	static uint8_t img[IMG_LEN];
	struct fixture_bz o = fixture_bz_default();
	struct bzimage bz;
	const char *why;

	o.relocatable = 0;
	fixture_bz_build(img, sizeof(img), &o);
	assert_int_equal(parse(img, sizeof(img), &bz, &why), 0);
	assert_false(bz.relocatable);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_setup_sects_zero_means_four),
		cmocka_unit_test(test_short_header_trimmed),
		cmocka_unit_test(test_bad_images),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_not_relocatable_is_parsed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
