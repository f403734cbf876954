// SPDX-License-Identifier: GPL-2.0
/* AML writer: byte-exact encodings from ACPI 6.x chapter 20 and 6.4. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "boot/aml.h"

#define BYTES(...) ((const uint8_t[]){__VA_ARGS__}), sizeof((const uint8_t[]){__VA_ARGS__})

static void expect(struct aml *a, const uint8_t *want, size_t n)
{
	assert_int_equal(aml_error(a), 0);
	assert_int_equal(a->len, n);
	assert_memory_equal(a->buf, want, n);
	aml_free(a);
}

static void check_pkglen(size_t body, const uint8_t *want, size_t n)
{
	uint8_t out[4] = {0};

	assert_int_equal(aml_pkglen_encode(body, out), n);
	assert_memory_equal(out, want, n);
}

/* The value counts its own bytes: 63-byte body + 2 = 65 = 0x41. */
static void test_pkglen(void **state)
{
	check_pkglen(0, BYTES(0x01));
	check_pkglen(62, BYTES(0x3f));
	check_pkglen(63, BYTES(0x41, 0x04));
	check_pkglen(64, BYTES(0x42, 0x04));
	check_pkglen(4093, BYTES(0x4f, 0xff));
	check_pkglen(4094, BYTES(0x81, 0x00, 0x01));
	check_pkglen(4095, BYTES(0x82, 0x00, 0x01));
	check_pkglen(4096, BYTES(0x83, 0x00, 0x01));
	check_pkglen(0xffffc, BYTES(0x8f, 0xff, 0xff));
	check_pkglen(0xffffd, BYTES(0xc1, 0x00, 0x00, 0x01));
	check_pkglen(0xffffffb, BYTES(0xcf, 0xff, 0xff, 0xff));
	assert_int_equal(aml_pkglen_encode(0xffffffc, (uint8_t[4]){0}), 0);
}

/* aml_end() inserts the PkgLength in front of a body of the given size. */
static void scope_with_body(size_t body, const uint8_t *head, size_t head_len)
{
	struct aml a;
	size_t mark;

	aml_init(&a);
	mark = aml_scope(&a, "TEST");
	for (size_t i = 4; i < body; i++)
		aml_byte(&a, 0xa3); /* Noop */
	aml_end(&a, mark);
	assert_int_equal(aml_error(&a), 0);
	assert_int_equal(a.len, 1 + (head_len - 1) + body);
	assert_memory_equal(a.buf, head, head_len);
	assert_memory_equal(a.buf + head_len, "TEST", 4);
	assert_int_equal(a.buf[a.len - 1], 0xa3);
	aml_free(&a);
}

static void test_pkglen_in_objects(void **state)
{
	scope_with_body(63, BYTES(0x10, 0x41, 0x04));
	scope_with_body(64, BYTES(0x10, 0x42, 0x04));
	scope_with_body(4095, BYTES(0x10, 0x82, 0x00, 0x01));
	scope_with_body(4096, BYTES(0x10, 0x83, 0x00, 0x01));
}

static void test_nested(void **state)
{
	struct aml a;
	size_t sb, dev;

	aml_init(&a);
	sb = aml_scope(&a, "\\_SB");
	dev = aml_device(&a, "PCI0");
	aml_name(&a, "_UID");
	aml_int(&a, 0);
	aml_end(&a, dev);
	aml_end(&a, sb);
	expect(&a, BYTES(0x10, 0x13, '\\', '_', 'S', 'B', '_', 0x5b, 0x82, 0x0b, 'P', 'C', 'I', '0',
			 0x08, '_', 'U', 'I', 'D', 0x00));
}

static void check_int(uint64_t v, const uint8_t *want, size_t n)
{
	struct aml a;

	aml_init(&a);
	aml_int(&a, v);
	expect(&a, want, n);
}

static void test_integers(void **state)
{
	check_int(0, BYTES(0x00));
	check_int(1, BYTES(0x01));
	check_int(2, BYTES(0x0a, 0x02));
	check_int(0xff, BYTES(0x0a, 0xff));
	check_int(0x100, BYTES(0x0b, 0x00, 0x01));
	check_int(0xffff, BYTES(0x0b, 0xff, 0xff));
	check_int(0x10000, BYTES(0x0c, 0x00, 0x00, 0x01, 0x00));
	check_int(0xffffffff, BYTES(0x0c, 0xff, 0xff, 0xff, 0xff));
	check_int(0x100000000ULL, BYTES(0x0e, 0, 0, 0, 0, 1, 0, 0, 0));
	check_int(0xfffffffffffffffeULL,
		  BYTES(0x0e, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff));
	check_int(~0ULL, BYTES(0xff));
}

static void check_name(const char *path, const uint8_t *want, size_t n)
{
	struct aml a;

	aml_init(&a);
	aml_namestring(&a, path);
	expect(&a, want, n);
}

static void check_bad_name(const char *path)
{
	struct aml a;

	aml_init(&a);
	aml_namestring(&a, path);
	assert_int_equal(aml_error(&a), -EINVAL);
	aml_free(&a);
}

static void test_names(void **state)
{
	check_name("_HID", BYTES('_', 'H', 'I', 'D'));
	check_name("AB", BYTES('A', 'B', '_', '_'));
	check_name("\\", BYTES('\\', 0x00));
	check_name("\\_SB.PCI0", BYTES('\\', 0x2e, '_', 'S', 'B', '_', 'P', 'C', 'I', '0'));
	check_name("A.B.C",
		   BYTES(0x2f, 3, 'A', '_', '_', '_', 'B', '_', '_', '_', 'C', '_', '_', '_'));
	check_name("^^FOO", BYTES('^', '^', 'F', 'O', 'O', '_'));
	check_bad_name("pci0");
	check_bad_name("1ABC");
	check_bad_name("TOOLONG");
	check_bad_name("A..B");
	check_bad_name("A.");
}

static void test_eisaid(void **state)
{
	struct aml a;

	assert_int_equal(aml_eisaid_value("PNP0A03"), 0x030ad041);
	assert_int_equal(aml_eisaid_value("PNP0A08"), 0x080ad041);
	assert_int_equal(aml_eisaid_value("PNP0C02"), 0x020cd041);
	assert_int_equal(aml_eisaid_value("PNP0501"), 0x0105d041);
	assert_int_equal(aml_eisaid_value("pnp0a03"), 0);
	assert_int_equal(aml_eisaid_value("PNP0A0"), 0);
	assert_int_equal(aml_eisaid_value("PNP0A0G"), 0);
	assert_int_equal(aml_eisaid_value("PNP0a03"), 0);

	aml_init(&a);
	aml_eisaid(&a, "PNP0A03");
	expect(&a, BYTES(0x0c, 0x41, 0xd0, 0x0a, 0x03));

	aml_init(&a);
	aml_eisaid(&a, "PNP");
	assert_int_equal(aml_error(&a), -EINVAL);
	aml_free(&a);
}

static void test_string_buffer_package(void **state)
{
	struct aml a;
	size_t pkg;

	aml_init(&a);
	aml_string(&a, "ab");
	expect(&a, BYTES(0x0d, 'a', 'b', 0x00));

	aml_init(&a);
	aml_buffer(&a, BYTES(1, 2, 3));
	expect(&a, BYTES(0x11, 0x06, 0x0a, 0x03, 1, 2, 3));

	aml_init(&a);
	aml_name(&a, "_S5");
	pkg = aml_package(&a, 2);
	aml_int(&a, 5);
	aml_string(&a, "a");
	aml_end(&a, pkg);
	expect(&a, BYTES(0x08, '_', 'S', '5', '_', 0x12, 0x07, 0x02, 0x0a, 0x05, 0x0d, 'a', 0x00));
}

static void test_method_return(void **state)
{
	struct aml a;
	size_t m;

	aml_init(&a);
	m = aml_method(&a, "_STA", 0, false);
	aml_return(&a);
	aml_int(&a, 0x0f);
	aml_end(&a, m);
	expect(&a, BYTES(0x14, 0x09, '_', 'S', 'T', 'A', 0x00, 0xa4, 0x0a, 0x0f));

	aml_init(&a);
	m = aml_method(&a, "FOO", 2, true);
	aml_end(&a, m);
	expect(&a, BYTES(0x14, 0x06, 'F', 'O', 'O', '_', 0x0a));

	aml_init(&a);
	m = aml_method(&a, "BAD", 8, false);
	aml_end(&a, m);
	assert_int_equal(aml_error(&a), -EINVAL);
	aml_free(&a);
}

static void check_res(void (*emit)(struct aml *r), const uint8_t *want, size_t n)
{
	struct aml r;

	aml_init(&r);
	emit(&r);
	expect(&r, want, n);
}

static void emit_bus(struct aml *r)
{
	aml_res_word_bus(r, 0, 0xff);
}

static void emit_wio(struct aml *r)
{
	aml_res_word_io(r, 0x1000, 0xffff);
}

static void emit_dmem(struct aml *r)
{
	aml_res_dword_mem(r, AML_MEM_NONCACHEABLE, 0xc0000000, 0xdfffffff);
}

static void emit_qmem(struct aml *r)
{
	aml_res_qword_mem(r, AML_MEM_CACHEABLE, 0x200000000ULL, 0x11ffffffffULL);
}

static void emit_io(struct aml *r)
{
	aml_res_io(r, 0xcf8, 0xcf8, 1, 8);
}

static void emit_mem32(struct aml *r)
{
	aml_res_mem32_fixed(r, 0xe0000000, 0x10000000);
}

static void emit_irq(struct aml *r)
{
	aml_res_irq(r, 1 << 4);
}

static void test_resource_descriptors(void **state)
{
	/* 6.4.3.5.3 Word: type 2 (bus), flags MinFixed|MaxFixed, _LEN 0x100. */
	check_res(emit_bus, BYTES(0x88, 0x0d, 0x00, 0x02, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff,
				  0x00, 0x00, 0x00, 0x00, 0x01));
	/* Type 1 (I/O), _RNG = 3 (entire range). */
	check_res(emit_wio, BYTES(0x88, 0x0d, 0x00, 0x01, 0x0c, 0x03, 0x00, 0x00, 0x00, 0x10, 0xff,
				  0xff, 0x00, 0x00, 0x00, 0xf0));
	/* 6.4.3.5.2 DWord memory: _MEM 0 (non-cacheable), _RW. */
	check_res(emit_dmem,
		  BYTES(0x87, 0x17, 0x00, 0x00, 0x0c, 0x01, 0, 0, 0, 0, 0x00, 0x00, 0x00, 0xc0,
			0xff, 0xff, 0xff, 0xdf, 0, 0, 0, 0, 0x00, 0x00, 0x00, 0x20));
	/* 6.4.3.5.1 QWord memory: _MEM 1 (cacheable), _RW. */
	check_res(emit_qmem, BYTES(0x8a, 0x2b, 0x00, 0x00, 0x0c, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0x00,
				   0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
				   0x11, 0x00, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0x00,
				   0x00, 0x10, 0x00, 0x00, 0x00));
	check_res(emit_io, BYTES(0x47, 0x01, 0xf8, 0x0c, 0xf8, 0x0c, 0x01, 0x08));
	check_res(emit_mem32,
		  BYTES(0x86, 0x09, 0x00, 0x01, 0x00, 0x00, 0x00, 0xe0, 0x00, 0x00, 0x00, 0x10));
	check_res(emit_irq, BYTES(0x22, 0x10, 0x00));
}

/* ResourceTemplate = Buffer { descriptors, EndTag 0x79 with checksum 0 }. */
static void test_resource_template(void **state)
{
	struct aml a, r;

	aml_init(&a);
	aml_init(&r);
	aml_res_io(&r, 0x3f8, 0x3f8, 1, 8);
	aml_res_irq(&r, 1 << 4);
	aml_res_end(&r);
	assert_int_equal(r.len, 13);
	assert_int_equal(r.buf[11], 0x79);
	assert_int_equal(r.buf[12], 0x00);
	aml_restemplate(&a, &r);
	aml_free(&r);
	expect(&a, BYTES(0x11, 0x10, 0x0a, 0x0d, 0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x01, 0x08,
			 0x22, 0x10, 0x00, 0x79, 0x00));
}

static void test_sticky_error(void **state)
{
	struct aml a, r;

	aml_init(&a);
	aml_int(&a, 2);
	aml_package(&a, 256);
	assert_int_equal(aml_error(&a), -EINVAL);
	aml_int(&a, 5);
	aml_string(&a, "x");
	assert_int_equal(aml_error(&a), -EINVAL);
	aml_free(&a);

	/* A broken descriptor list poisons the template it is wrapped into. */
	aml_init(&a);
	aml_init(&r);
	aml_res_word_io(&r, 0x2000, 0x1000);
	assert_int_equal(aml_error(&r), -EINVAL);
	aml_restemplate(&a, &r);
	assert_int_equal(aml_error(&a), -EINVAL);
	assert_int_equal(a.len, 0);
	aml_free(&r);
	aml_free(&a);

	aml_init(&a);
	aml_end(&a, 5); /* mark past the end */
	assert_int_equal(aml_error(&a), -EINVAL);
	aml_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pkglen),
		cmocka_unit_test(test_pkglen_in_objects),
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_eisaid),
		cmocka_unit_test(test_string_buffer_package),
		cmocka_unit_test(test_method_return),
		cmocka_unit_test(test_resource_descriptors),
		cmocka_unit_test(test_resource_template),
		cmocka_unit_test(test_sticky_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
