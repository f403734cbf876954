// SPDX-License-Identifier: GPL-2.0
/*
 * boot_load(): guest memory after loading a synthetic bzImage. Zero-page
 * fields are read at the offsets of Documentation/arch/x86/zero-page.rst and
 * boot.rst, not through struct boot_params.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "boot/loader.h"
#include "boot_fixture.h"
#include "layout.h"

#define IMG_LEN	 (64 * 1024)
#define RAM_64M	 (64ULL << 20)
#define RSDP_GPA 0xe0000

struct ctx {
	uint8_t img[IMG_LEN];
	struct bzimage bz;
	struct guest_mem m;
	struct boot_entry e;
	const char *why;
};

static void ctx_setup(struct ctx *c, const struct fixture_bz *o, uint64_t ram)
{
	const char *why = NULL;

	fixture_bz_build(c->img, sizeof(c->img), o);
	assert_int_equal(bzimage_parse(c->img, sizeof(c->img), &c->bz, &why), 0);
	assert_int_equal(fixture_mem(&c->m, ram), 0);
	c->why = NULL;
}

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));
	struct fixture_bz o = fixture_bz_default();

	if (!c)
		return -1;
	ctx_setup(c, &o, RAM_64M);
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	fixture_mem_free(&c->m);
	free(c);
	return 0;
}

static uint8_t *gp(struct ctx *c, uint64_t gpa)
{
	uint8_t *p = mem_ptr(&c->m, gpa, 1);

	assert_non_null(p);
	return p;
}

static uint64_t zp(struct ctx *c, unsigned off, unsigned n)
{
	return fixture_get(gp(c, LAYOUT_ZERO_PAGE + off), n);
}

static int load(struct ctx *c, const void *rd, size_t rd_len, const char *cmdline)
{
	return boot_load(&c->m, &c->bz, rd, rd_len, cmdline, RSDP_GPA, &c->e, &c->why);
}

static void test_kernel_copied(void **state)
{
	struct ctx *c = *state;
	size_t setup = 3 * 512;

	assert_int_equal(load(c, NULL, 0, "console=ttyS0"), 0);
	assert_memory_equal(gp(c, LAYOUT_KERNEL), c->img + setup, IMG_LEN - setup);
	assert_int_equal(*gp(c, LAYOUT_KERNEL - 1), 0);
	assert_int_equal(*gp(c, LAYOUT_KERNEL + IMG_LEN - setup), 0);
}

static void test_entry_regs(void **state)
{
	struct ctx *c = *state;

	assert_int_equal(load(c, NULL, 0, NULL), 0);
	assert_int_equal(c->e.rip, 0x1000200);
	assert_int_equal(c->e.rsi, 0x7000);
	assert_int_equal(c->e.cr3, 0x9000);
	assert_int_equal(c->e.gdt_base, 0x500);
	assert_int_equal(c->e.gdt_limit, 31);
}

static void test_zero_page(void **state)
{
	struct ctx *c = *state;
	static const uint64_t e820[][3] = {
		{0, 0x9fc00, 1},	  {0x9fc00, 0x400, 2},	       {0xe0000, 0x20000, 2},
		{0x100000, 0x3f00000, 1}, {0xe0000000, 0x10000000, 2},
	};

	/* Garbage in the zero page must not survive. */
	memset(gp(c, LAYOUT_ZERO_PAGE), 0x5a, 4096);
	assert_int_equal(load(c, NULL, 0, "quiet"), 0);
	assert_int_equal(zp(c, 0x070, 8), RSDP_GPA); /* acpi_rsdp_addr */
	assert_int_equal(zp(c, 0x0c0, 4), 0);	     /* ext_ramdisk_image */
	assert_int_equal(zp(c, 0x0c4, 4), 0);	     /* ext_ramdisk_size */
	assert_int_equal(zp(c, 0x0c8, 4), 0);	     /* ext_cmd_line_ptr */
	assert_int_equal(zp(c, 0x1e8, 1), 5);	     /* e820_entries */
	assert_int_equal(zp(c, 0x1ef, 1), 0);	     /* sentinel */
	assert_int_equal(zp(c, 0x1f1, 1), 2);	     /* setup_sects copied */
	assert_int_equal(zp(c, 0x1fe, 2), 0xaa55);   /* boot_flag */
	assert_memory_equal(gp(c, LAYOUT_ZERO_PAGE + 0x202), "HdrS", 4);
	assert_int_equal(zp(c, 0x206, 2), 0x020f);     /* version */
	assert_int_equal(zp(c, 0x210, 1), 0xff);       /* type_of_loader */
	assert_int_equal(zp(c, 0x211, 1), 0x81);       /* LOADED_HIGH | CAN_USE_HEAP */
	assert_int_equal(zp(c, 0x214, 4), 0x1000000);  /* code32_start */
	assert_int_equal(zp(c, 0x218, 4), 0);	       /* ramdisk_image */
	assert_int_equal(zp(c, 0x21c, 4), 0);	       /* ramdisk_size */
	assert_int_equal(zp(c, 0x224, 2), 0xde00);     /* heap_end_ptr */
	assert_int_equal(zp(c, 0x228, 4), 0x20000);    /* cmd_line_ptr */
	assert_int_equal(zp(c, 0x22c, 4), 0x7fffffff); /* initrd_addr_max */
	assert_int_equal(zp(c, 0x236, 2), 0x3);	       /* xloadflags */
	assert_int_equal(zp(c, 0x260, 4), 0x400000);   /* init_size */
	assert_int_equal(zp(c, 0x268, 4), 0xabcd);     /* kernel_info_offset: last header field */
	assert_int_equal(zp(c, 0x26c, 4), 0);	       /* past the header: zeroed */
	for (unsigned i = 0; i < ARRAY_SIZE(e820); i++) {
		unsigned off = 0x2d0 + 20 * i;

		assert_int_equal(zp(c, off, 8), e820[i][0]);
		assert_int_equal(zp(c, off + 8, 8), e820[i][1]);
		assert_int_equal(zp(c, off + 16, 4), e820[i][2]);
	}
	assert_int_equal(zp(c, 0x2d0 + 20 * 5, 8), 0);
}

static void test_cmdline(void **state)
{
	struct ctx *c = *state;
	static const char cl[] = "console=ttyS0 root=/dev/vda rw";

	memset(gp(c, LAYOUT_CMDLINE), 0x5a, 64);
	assert_int_equal(load(c, NULL, 0, cl), 0);
	assert_memory_equal(gp(c, LAYOUT_CMDLINE), cl, sizeof(cl)); /* with the NUL */
	assert_int_equal(*gp(c, LAYOUT_CMDLINE + sizeof(cl)), 0x5a);

	assert_int_equal(load(c, NULL, 0, NULL), 0);
	assert_int_equal(*gp(c, LAYOUT_CMDLINE), 0);
}

/* cmdline_size 2047: 2047 characters fit, 2048 do not. */
static void test_cmdline_too_long(void **state)
{
	struct ctx *c = *state;
	char *cl = malloc(2049);

	assert_non_null(cl);
	memset(cl, 'x', 2048);
	cl[2047] = '\0';
	assert_int_equal(load(c, NULL, 0, cl), 0);
	assert_int_equal(*gp(c, LAYOUT_CMDLINE + 2046), 'x');
	assert_int_equal(*gp(c, LAYOUT_CMDLINE + 2047), 0);

	cl[2047] = 'x';
	cl[2048] = '\0';
	memset(gp(c, LAYOUT_ZERO_PAGE), 0, 4096);
	assert_int_equal(load(c, NULL, 0, cl), -E2BIG);
	assert_string_equal(c->why, "kernel command line is 2048 bytes; at most 2047 allowed");
	/* Nothing written on failure. */
	assert_int_equal(zp(c, 0x202, 4), 0);
	free(cl);
}

/* A kernel accepting more than the buffer is limited by LAYOUT_CMDLINE_MAX. */
static void test_cmdline_buffer_limit(void **state)
{
	struct ctx *c = *state;
	struct fixture_bz o = fixture_bz_default();
	char *cl = malloc(LAYOUT_CMDLINE_MAX + 1);

	assert_non_null(cl);
	fixture_mem_free(&c->m);
	o.cmdline_size = 0x100000;
	ctx_setup(c, &o, RAM_64M);
	memset(cl, 'y', LAYOUT_CMDLINE_MAX);
	cl[LAYOUT_CMDLINE_MAX] = '\0';
	assert_int_equal(load(c, NULL, 0, cl), -E2BIG);
	assert_string_equal(c->why, "kernel command line is 65536 bytes; at most 65535 allowed");
	cl[LAYOUT_CMDLINE_MAX - 1] = '\0';
	assert_int_equal(load(c, NULL, 0, cl), 0);
	free(cl);
}

static uint8_t *make_initrd(size_t len)
{
	uint8_t *rd = malloc(len);

	assert_non_null(rd);
	for (size_t i = 0; i < len; i++)
		rd[i] = (uint8_t)(i * 13 + 1);
	return rd;
}

/* Highest page-aligned spot below the end of RAM (64 MiB). */
static void test_initrd_top_of_ram(void **state)
{
	struct ctx *c = *state;
	size_t len = 0x100064;
	uint8_t *rd = make_initrd(len);

	assert_int_equal(load(c, rd, len, NULL), 0);
	/* 0x4000000 - 0x100064 = 0x3efff9c, aligned down to 0x3eff000. */
	assert_int_equal(zp(c, 0x218, 4), 0x3eff000);
	assert_int_equal(zp(c, 0x21c, 4), 0x100064);
	assert_memory_equal(gp(c, 0x3eff000), rd, len);
	free(rd);
}

/* initrd_addr_max below the end of RAM caps the placement. */
static void test_initrd_addr_max(void **state)
{
	struct ctx *c = *state;
	struct fixture_bz o = fixture_bz_default();
	size_t len = 0x100064;
	uint8_t *rd = make_initrd(len);

	fixture_mem_free(&c->m);
	o.initrd_addr_max = 0x2ffffff;
	ctx_setup(c, &o, RAM_64M);
	assert_int_equal(load(c, rd, len, NULL), 0);
	/* 0x3000000 - 0x100064 = 0x2efff9c -> 0x2eff000; ends below 0x3000000. */
	assert_int_equal(zp(c, 0x218, 4), 0x2eff000);
	assert_memory_equal(gp(c, 0x2eff000), rd, len);
	free(rd);
}

/* The initrd must stay clear of LAYOUT_KERNEL + init_size (16 + 4 = 20 MiB). */
static void test_initrd_too_big(void **state)
{
	struct ctx *c = *state;
	size_t fits = (64 - 20) << 20, len = fits + 1;
	uint8_t *rd = make_initrd(len);

	assert_int_equal(load(c, rd, fits, NULL), 0);
	assert_int_equal(zp(c, 0x218, 4), 20 << 20);

	memset(gp(c, LAYOUT_ZERO_PAGE), 0, 4096);
	assert_int_equal(load(c, rd, len, NULL), -ENOMEM);
	assert_string_equal(c->why, "initrd (45 MiB) does not fit below initrd_addr_max in 64 MiB "
				    "of RAM; raise --memory");
	assert_int_equal(zp(c, 0x202, 4), 0);
	free(rd);
}

static void test_memory_too_small(void **state)
{
	struct ctx *c = *state;
	struct fixture_bz o = fixture_bz_default();

	fixture_mem_free(&c->m);
	o.init_size = 0x1000001; /* 16 MiB + 1 byte from 16 MiB: needs 33 MiB */
	ctx_setup(c, &o, 32ULL << 20);
	assert_int_equal(load(c, NULL, 0, NULL), -ENOMEM);
	assert_string_equal(c->why, "memory too small for the kernel (needs 33 MiB)");
	assert_int_equal(*gp(c, LAYOUT_KERNEL), 0);

	fixture_mem_free(&c->m);
	o.init_size = 0x1000000; /* exactly fills 32 MiB */
	ctx_setup(c, &o, 32ULL << 20);
	assert_int_equal(load(c, NULL, 0, NULL), 0);
}

static void test_placement_rules(void **state)
{
	struct ctx *c = *state;
	struct fixture_bz o = fixture_bz_default();

	fixture_mem_free(&c->m);
	o.kernel_alignment = 0x2000000;
	ctx_setup(c, &o, RAM_64M);
	assert_int_equal(load(c, NULL, 0, NULL), -ENOEXEC);
	assert_string_equal(
		c->why, "kernel alignment 0x2000000 does not divide the load address 0x1000000");

	fixture_mem_free(&c->m);
	o = fixture_bz_default();
	o.relocatable = 0;
	o.pref_address = 0x100000;
	ctx_setup(c, &o, RAM_64M);
	assert_int_equal(load(c, NULL, 0, NULL), -ENOEXEC);
	assert_string_equal(c->why, "kernel is not relocatable and must load at 0x100000");

	/* Not relocatable but built for 16 MiB: fine. */
	fixture_mem_free(&c->m);
	o.pref_address = 0x1000000;
	ctx_setup(c, &o, RAM_64M);
	assert_int_equal(load(c, NULL, 0, NULL), 0);
}

static void test_page_tables(void **state)
{
	struct ctx *c = *state;

	assert_int_equal(load(c, NULL, 0, NULL), 0);
	assert_int_equal(fixture_get(gp(c, 0x9000), 8), 0xa003);
	assert_int_equal(fixture_get(gp(c, 0x9008), 8), 0);
	assert_int_equal(fixture_get(gp(c, 0xa000), 8), 0xb003);
	assert_int_equal(fixture_get(gp(c, 0xa008), 8), 0xc003);
	assert_int_equal(fixture_get(gp(c, 0xa010), 8), 0xd003);
	assert_int_equal(fixture_get(gp(c, 0xa018), 8), 0xe003);
	assert_int_equal(fixture_get(gp(c, 0xa020), 8), 0);
	assert_int_equal(fixture_get(gp(c, 0xb000), 8), 0x83);
	assert_int_equal(fixture_get(gp(c, 0xb008), 8), 0x200083);
	assert_int_equal(fixture_get(gp(c, 0xc000), 8), 0x40000083);
	assert_int_equal(fixture_get(gp(c, 0xeff8), 8), 0xffe00083);
}

static void test_gdt(void **state)
{
	struct ctx *c = *state;

	assert_int_equal(load(c, NULL, 0, NULL), 0);
	assert_int_equal(fixture_get(gp(c, 0x500), 8), 0);
	assert_int_equal(fixture_get(gp(c, 0x508), 8), 0);
	assert_int_equal(fixture_get(gp(c, 0x510), 8), 0x00af9b000000ffffULL);
	assert_int_equal(fixture_get(gp(c, 0x518), 8), 0x00cf93000000ffffULL);
	assert_int_equal(c->e.gdt[0], 0);
	assert_int_equal(c->e.gdt[1], 0);
	assert_int_equal(c->e.gdt[2], 0x00af9b000000ffffULL);
	assert_int_equal(c->e.gdt[3], 0x00cf93000000ffffULL);
}

static void test_segment_decode(void **state)
{
	struct boot_seg s;

	boot_segment_from_desc(0x00af9b000000ffffULL, 0x10, &s);
	assert_int_equal(s.base, 0);
	assert_int_equal(s.limit, 0xffffffff);
	assert_int_equal(s.selector, 0x10);
	assert_int_equal(s.type, 0xb);
	assert_int_equal(s.s, 1);
	assert_int_equal(s.dpl, 0);
	assert_int_equal(s.present, 1);
	assert_int_equal(s.avl, 0);
	assert_int_equal(s.l, 1);
	assert_int_equal(s.db, 0);
	assert_int_equal(s.g, 1);

	boot_segment_from_desc(0x00cf93000000ffffULL, 0x18, &s);
	assert_int_equal(s.type, 0x3);
	assert_int_equal(s.l, 0);
	assert_int_equal(s.db, 1);
	assert_int_equal(s.limit, 0xffffffff);

	/* base 0x12345678, limit 0xabcde bytes (G=0), AVL, D/B, DPL 3, type 2. */
	boot_segment_from_desc(0x125af2345678bcdeULL, 0x2b, &s);
	assert_int_equal(s.base, 0x12345678);
	assert_int_equal(s.limit, 0xabcde);
	assert_int_equal(s.selector, 0x2b);
	assert_int_equal(s.type, 0x2);
	assert_int_equal(s.s, 1);
	assert_int_equal(s.dpl, 3);
	assert_int_equal(s.present, 1);
	assert_int_equal(s.avl, 1);
	assert_int_equal(s.l, 0);
	assert_int_equal(s.db, 1);
	assert_int_equal(s.g, 0);
}

static void test_unbacked_memory(void **state)
{
	struct ctx *c = *state;

	free(c->m.r[0].hva);
	c->m.r[0].hva = NULL;
	assert_int_equal(load(c, NULL, 0, NULL), -EFAULT);
	assert_string_equal(c->why, "boot structures are not backed by guest memory");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_kernel_copied),
		T(test_entry_regs),
		T(test_zero_page),
		T(test_cmdline),
		T(test_cmdline_too_long),
		T(test_cmdline_buffer_limit),
		T(test_initrd_top_of_ram),
		T(test_initrd_addr_max),
		T(test_initrd_too_big),
		T(test_memory_too_small),
		T(test_placement_rules),
		T(test_page_tables),
		T(test_gdt),
		T(test_segment_decode),
		T(test_unbacked_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
