// SPDX-License-Identifier: GPL-2.0
/* elf_parse(): what a vmlinux's headers and notes say, and every lie refused. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "boot/elf.h"
#include "elf_fixture.h"

#define IMG_LEN 0x8000

static uint8_t img[IMG_LEN];

static size_t build(const struct fixture_elf *o)
{
	return fixture_elf_build(img, sizeof(img), o);
}

/* Parse @len bytes of img, expecting -ENOEXEC and exactly @msg. */
static void expect_refused(size_t len, const char *msg)
{
	struct elf_kernel k;
	const char *why = NULL;

	assert_int_equal(elf_parse(img, len, &k, &why), -ENOEXEC);
	assert_non_null(why);
	assert_string_equal(why, msg);
}

static void test_default(void **state)
{
	struct fixture_elf o = fixture_elf_default();
	size_t len = build(&o);
	struct elf_kernel k;
	const char *why = NULL;

	assert_true(elf_is_elf(img, len));
	assert_int_equal(elf_parse(img, len, &k, &why), 0);
	assert_int_equal(k.nr_seg, 2);
	assert_int_equal(k.seg[0].paddr, 0x1000000);
	assert_int_equal(k.seg[0].filesz, 0x3000);
	assert_int_equal(k.seg[0].memsz, 0x3000);
	assert_ptr_equal(k.seg[0].data, img + 0x1000);
	assert_int_equal(k.seg[1].paddr, 0x1200000);
	assert_int_equal(k.seg[1].filesz, 0x1000);
	assert_int_equal(k.seg[1].memsz, 0x5000);
	assert_ptr_equal(k.seg[1].data, img + 0x4000);
	assert_int_equal(k.lo, 0x1000000);
	assert_int_equal(k.hi, 0x1205000);
	assert_true(k.has_pvh);
	assert_int_equal(k.entry32, 0x1000850);
}

static void test_note_4_bytes_after_another(void **state)
{
	struct fixture_elf o = fixture_elf_default();
	struct elf_kernel k;
	const char *why = NULL;
	size_t len;

	o.entry_desc_len = 4;
	o.entry = 0x1002000;
	o.other_note_first = true;
	len = build(&o);
	assert_int_equal(elf_parse(img, len, &k, &why), 0);
	assert_true(k.has_pvh);
	assert_int_equal(k.entry32, 0x1002000);
}

static void test_no_note(void **state)
{
	struct fixture_elf o = fixture_elf_default();
	struct elf_kernel k;
	const char *why = NULL;
	size_t len;

	o.entry_desc_len = 0;
	o.other_note_first = true;
	len = build(&o);
	assert_int_equal(elf_parse(img, len, &k, &why), 0);
	assert_false(k.has_pvh);
}

static void test_not_elf(void **state)
{
	memset(img, 0, 64);
	assert_false(elf_is_elf(img, 64));
	expect_refused(64, "not an ELF file (no \\177ELF magic)");
	memcpy(img, ELFMAG, SELFMAG);
	expect_refused(20, "file too small for an ELF header (20 bytes)");
}

static void test_bad_header(void **state)
{
	struct fixture_elf o = fixture_elf_default();
	size_t len = build(&o);

	img[EI_CLASS] = ELFCLASS32;
	expect_refused(len,
		       "not a 64-bit ELF file (ELFCLASS64; a 32-bit vmlinux is not supported)");
	build(&o);
	img[offsetof(Elf64_Ehdr, e_machine)] = EM_386;
	expect_refused(len, "ELF machine 3 is not x86-64 (62)");
	build(&o);
	img[offsetof(Elf64_Ehdr, e_type)] = ET_DYN;
	expect_refused(len, "ELF type 3 is not an executable (ET_EXEC)");
	build(&o);
	img[offsetof(Elf64_Ehdr, e_phentsize)] = 55;
	expect_refused(len, "ELF program header size 55, expected 56");
	build(&o);
	img[offsetof(Elf64_Ehdr, e_phnum)] = 0;
	expect_refused(len, "ELF has 0 program headers (1 to 64 allowed)");
	build(&o);
	/* e_phoff near the end of the file: the headers would run past it. */
	memcpy(img + offsetof(Elf64_Ehdr, e_phoff), &(uint64_t){len - 8}, 8);
	expect_refused(len, "ELF program headers lie outside the file");
	/* An offset that overflows when the headers' size is added. */
	memcpy(img + offsetof(Elf64_Ehdr, e_phoff), &(uint64_t){UINT64_MAX - 8}, 8);
	expect_refused(len, "ELF program headers lie outside the file");
}

static Elf64_Phdr *phdr(unsigned i)
{
	return (Elf64_Phdr *)(img + sizeof(Elf64_Ehdr) + i * sizeof(Elf64_Phdr));
}

static void test_bad_segments(void **state)
{
	struct fixture_elf o = fixture_elf_default();
	size_t len = build(&o);

	phdr(1)->p_filesz = 0x6000;
	expect_refused(len, "ELF segment 1 has more file bytes than memory bytes");
	build(&o);
	phdr(1)->p_offset = len - 0x800;
	expect_refused(len, "ELF segment 1 lies outside the file (truncated?)");
	/* Truncated: the last segment's bytes are cut. */
	build(&o);
	expect_refused(0x4800, "ELF segment 1 lies outside the file (truncated?)");
	build(&o);
	phdr(0)->p_offset = UINT64_MAX - 0x100;
	expect_refused(len, "ELF segment 0 lies outside the file (truncated?)");
	build(&o);
	phdr(1)->p_paddr = UINT64_MAX - 0x1000;
	expect_refused(len, "ELF segment 1 wraps around the address space");
	build(&o);
	phdr(1)->p_paddr = 0x1002000;
	expect_refused(len, "ELF segments overlap in memory");
	/* Only empty segments: nothing to load. */
	build(&o);
	phdr(0)->p_memsz = phdr(0)->p_filesz = 0;
	phdr(1)->p_memsz = phdr(1)->p_filesz = 0;
	expect_refused(len, "ELF has no loadable segment");
}

static void test_bad_notes(void **state)
{
	struct fixture_elf o = fixture_elf_default();
	size_t len;

	o.entry_desc_len = 6;
	len = build(&o);
	expect_refused(len, "PVH entry note has 6 bytes (4 or 8 expected)");
	o.entry_desc_len = 8;
	o.entry = 0x100000000ULL;
	len = build(&o);
	expect_refused(len, "PVH entry note gives an address above 4 GiB");
	/* In .bss (memsz only) or outside every segment: refused. */
	o.entry = 0x1203000;
	len = build(&o);
	expect_refused(len, "PVH entry 0x1203000 is not inside a loaded segment");
	o.entry = 0x800000;
	len = build(&o);
	expect_refused(len, "PVH entry 0x800000 is not inside a loaded segment");
	/* A note whose descsz runs past the segment's end. */
	o = fixture_elf_default();
	len = build(&o);
	memcpy(img + phdr(2)->p_offset + 4, &(uint32_t){0xfffffff0}, 4);
	expect_refused(len, "ELF note runs past its PT_NOTE segment");
	build(&o);
	phdr(2)->p_filesz = 0x10000;
	expect_refused(len, "ELF note segment 2 lies outside the file");
}

static void test_two_entry_notes(void **state)
{
	struct fixture_elf o = fixture_elf_default();
	size_t len = build(&o), off = len;
	uint32_t v = 0x1000900;

	fixture_elf_note(img, &off, 18, &v, 4);
	phdr(2)->p_filesz += off - len;
	expect_refused(off, "ELF has two PVH entry notes");
}

#define T(f) cmocka_unit_test(f)
int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_default),    T(test_note_4_bytes_after_another),
		T(test_no_note),    T(test_not_elf),
		T(test_bad_header), T(test_bad_segments),
		T(test_bad_notes),  T(test_two_entry_notes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
