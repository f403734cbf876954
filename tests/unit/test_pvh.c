// SPDX-License-Identifier: GPL-2.0
/*
 * pvh_load(): guest memory after loading a synthetic vmlinux. The
 * start_info, module list and memory map are read back at the byte offsets
 * of xen/include/public/arch-x86/hvm/start_info.h, not through ptvm's
 * structs.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "boot/pvh.h"
#include "boot_fixture.h"
#include "elf_fixture.h"
#include "layout.h"

#define IMG_LEN	 0x8000
#define RAM_64M	 (64ULL << 20)
#define RSDP_GPA 0xe0000

struct ctx {
	uint8_t img[IMG_LEN];
	size_t len;
	struct elf_kernel k;
	struct guest_mem m;
	struct boot_entry e;
	uint8_t initrd[0x2800];
	const char *why;
};

static struct ctx the_ctx;

static void ctx_build(struct ctx *c, const struct fixture_elf *o)
{
	const char *why = NULL;

	c->len = fixture_elf_build(c->img, sizeof(c->img), o);
	assert_int_equal(elf_parse(c->img, c->len, &c->k, &why), 0);
}

/* The default vmlinux, 64 MiB of zeroed RAM, an initrd of bytes i ^ 0x5a. */
static int setup(void **state)
{
	struct fixture_elf o = fixture_elf_default();

	memset(&the_ctx, 0, sizeof(the_ctx));
	ctx_build(&the_ctx, &o);
	for (size_t i = 0; i < sizeof(the_ctx.initrd); i++)
		the_ctx.initrd[i] = (uint8_t)(i ^ 0x5a);
	*state = &the_ctx;
	return fixture_mem(&the_ctx.m, RAM_64M);
}

static int teardown(void **state)
{
	fixture_mem_free(&the_ctx.m);
	return 0;
}

static uint8_t *gpa(struct ctx *c, uint64_t a)
{
	return (uint8_t *)c->m.r[0].hva + a;
}

static uint64_t rd(struct ctx *c, uint64_t a, unsigned n)
{
	return fixture_get(gpa(c, a), n);
}

static void test_start_info(void **state)
{
	struct ctx *c = *state;

	memset(gpa(c, 0x1204000), 0xee, 0x1000); /* a previous boot's .bss */
	assert_int_equal(pvh_load(&c->m, &c->k, c->initrd, sizeof(c->initrd), "console=ttyS0",
				  RSDP_GPA, &c->e, &c->why),
			 0);
	/* start_info at 0x6000: magic, version 1, flags 0, one module. */
	assert_int_equal(rd(c, 0x6000, 4), 0x336ec578);
	assert_int_equal(rd(c, 0x6004, 4), 1);
	assert_int_equal(rd(c, 0x6008, 4), 0);
	assert_int_equal(rd(c, 0x600c, 4), 1);
	assert_int_equal(rd(c, 0x6010, 8), 0x6040);  /* modlist_paddr */
	assert_int_equal(rd(c, 0x6018, 8), 0x20000); /* cmdline_paddr */
	assert_int_equal(rd(c, 0x6020, 8), RSDP_GPA);
	assert_int_equal(rd(c, 0x6028, 8), 0x6080); /* memmap_paddr */
	assert_int_equal(rd(c, 0x6030, 4), 5);	    /* memmap_entries */
	assert_int_equal(rd(c, 0x6034, 4), 0);
	/* The module: the initrd at the top of 64 MiB, page aligned. */
	assert_int_equal(rd(c, 0x6040, 8), RAM_64M - 0x3000);
	assert_int_equal(rd(c, 0x6048, 8), sizeof(c->initrd));
	assert_int_equal(rd(c, 0x6050, 8), 0);
	assert_memory_equal(gpa(c, RAM_64M - 0x3000), c->initrd, sizeof(c->initrd));
	/* Memory map entries (addr, size, type, reserved), e820_build()'s. */
	assert_int_equal(rd(c, 0x6080, 8), 0);
	assert_int_equal(rd(c, 0x6088, 8), 0x9fc00);
	assert_int_equal(rd(c, 0x6090, 4), 1);
	assert_int_equal(rd(c, 0x6098, 8), 0x9fc00);
	assert_int_equal(rd(c, 0x60a0, 8), 0x400);
	assert_int_equal(rd(c, 0x60a8, 4), 2);
	assert_int_equal(rd(c, 0x60b0, 8), 0xe0000);
	assert_int_equal(rd(c, 0x60b8, 8), 0x20000);
	assert_int_equal(rd(c, 0x60c0, 4), 2);
	assert_int_equal(rd(c, 0x60c8, 8), 0x100000);
	assert_int_equal(rd(c, 0x60d0, 8), RAM_64M - 0x100000);
	assert_int_equal(rd(c, 0x60d8, 4), 1);
	assert_int_equal(rd(c, 0x60e0, 8), 0xe0000000); /* ECAM */
	assert_int_equal(rd(c, 0x60e8, 8), 0x10000000);
	assert_int_equal(rd(c, 0x60f0, 4), 2);
	assert_string_equal((char *)gpa(c, 0x20000), "console=ttyS0");
	/* Segments at their paddr; memsz past filesz zeroed. */
	assert_memory_equal(gpa(c, 0x1000000), c->img + 0x1000, 0x3000);
	assert_memory_equal(gpa(c, 0x1200000), c->img + 0x4000, 0x1000);
	for (uint64_t a = 0x1201000; a < 0x1205000; a++)
		if (*gpa(c, a))
			fail_msg(".bss byte at 0x%llx is 0x%x", (unsigned long long)a, *gpa(c, a));
}

static void test_entry(void **state)
{
	struct ctx *c = *state;

	assert_int_equal(pvh_load(&c->m, &c->k, NULL, 0, NULL, 0, &c->e, &c->why), 0);
	assert_int_equal(c->e.mode, BOOT_MODE_PVH);
	assert_int_equal(c->e.rip, 0x1000850);
	assert_int_equal(c->e.rbx, 0x6000);
	assert_int_equal(c->e.rsi, 0);
	assert_int_equal(c->e.cr3, 0);
	assert_int_equal(c->e.gdt_base, 0x500);
	assert_int_equal(c->e.gdt_limit, 39);
	assert_int_equal(c->e.gdt[2], 0x00cf9b000000ffffULL);
	assert_int_equal(c->e.gdt[3], 0x00cf93000000ffffULL);
	assert_int_equal(c->e.gdt[4], 0x00008b0000000067ULL);
	assert_int_equal(rd(c, 0x500 + 16, 8), 0x00cf9b000000ffffULL);
	assert_int_equal(rd(c, 0x500 + 32, 8), 0x00008b0000000067ULL);
	/* No initrd: no module; an empty command line. */
	assert_int_equal(rd(c, 0x600c, 4), 0);
	assert_int_equal(rd(c, 0x6010, 8), 0);
	assert_int_equal(rd(c, 0x20000, 1), 0);
}

static void test_descriptors(void **state)
{
	struct boot_seg s;

	boot_segment_from_desc(PVH_DESC_CODE32, PVH_SEL_CS, &s);
	assert_int_equal(s.base, 0);
	assert_int_equal(s.limit, 0xffffffff);
	assert_int_equal(s.type, 0xb);
	assert_true(s.db && s.s && s.present && s.g && !s.l);
	boot_segment_from_desc(PVH_DESC_DATA32, PVH_SEL_DS, &s);
	assert_int_equal(s.limit, 0xffffffff);
	assert_int_equal(s.type, 0x3);
	boot_segment_from_desc(PVH_DESC_TSS32, PVH_SEL_TSS, &s);
	assert_int_equal(s.base, 0);
	assert_int_equal(s.limit, 0x67);
	assert_int_equal(s.type, 0xb); /* busy 32-bit TSS */
	assert_true(s.present && !s.s && !s.g);
}

static void expect_fail(struct ctx *c, int err, const char *msg, size_t initrd_len,
			const char *cmdline)
{
	c->why = NULL;
	assert_int_equal(pvh_load(&c->m, &c->k, initrd_len ? c->initrd : NULL, initrd_len, cmdline,
				  0, &c->e, &c->why),
			 err);
	assert_non_null(c->why);
	assert_string_equal(c->why, msg);
}

static void test_refusals(void **state)
{
	struct ctx *c = *state;
	struct fixture_elf o = fixture_elf_default();
	static char longline[PVH_CMDLINE_MAX + 1];

	memset(longline, 'x', PVH_CMDLINE_MAX);
	expect_fail(c, -E2BIG, "kernel command line is 2048 bytes; at most 2047 allowed", 0,
		    longline);
	/* Low RAM cut to 18.02 MiB: the kernel ends at 18.02 MiB, the initrd cannot follow. */
	c->m.r[0].size = 0x1206000;
	expect_fail(c, -ENOMEM,
		    "initrd (1 MiB) does not fit above the kernel in 18 MiB of low RAM; raise "
		    "--memory",
		    sizeof(c->initrd), NULL);
	c->m.r[0].size = 0x1204000;
	expect_fail(c, -ENOMEM,
		    "memory too small for the kernel (needs 19 MiB): its segment at "
		    "0x1200000-0x1205000 is outside guest RAM",
		    0, NULL);
	c->m.r[0].size = RAM_64M;
	/* A segment on ptvm's tables below 1 MiB. */
	o.paddr[0] = 0xe0000;
	o.entry = 0xe0100;
	ctx_build(c, &o);
	expect_fail(c, -ENOMEM,
		    "kernel segment at 0xe0000-0xe3000 overlaps ptvm's boot tables below 1 MiB", 0,
		    NULL);
	/* Above the low RAM ptvm loads into (3 GiB). */
	o = fixture_elf_default();
	o.paddr[1] = 0xc0000000;
	ctx_build(c, &o);
	expect_fail(c, -ENOMEM,
		    "kernel segment at 0xc0000000-0xc0005000 lies above the low RAM (below 3 GiB) "
		    "where ptvm loads kernels",
		    0, NULL);
	o = fixture_elf_default();
	o.entry_desc_len = 0;
	ctx_build(c, &o);
	expect_fail(c, -ENOEXEC, "kernel has no PVH entry (XEN_ELFNOTE_PHYS32_ENTRY note)", 0,
		    NULL);
	/* Nothing was written by any refusal. */
	assert_int_equal(rd(c, 0x6000, 4), 0);
	assert_int_equal(rd(c, 0x1000000, 1), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_start_info),
		T(test_entry),
		T(test_descriptors),
		T(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
