// SPDX-License-Identifier: GPL-2.0
/*
 * acpi_build(): tables read back at the byte offsets of ACPI 6.x chapter 5
 * (and the PCI Firmware Spec for MCFG), independent of acpi.c's structs.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "boot/acpi.h"
#include "boot_fixture.h"
#include "layout.h"

#define BYTES(...) ((const uint8_t[]){__VA_ARGS__}), sizeof((const uint8_t[]){__VA_ARGS__})

static void mem_is(const uint8_t *p, const uint8_t *want, size_t n)
{
	assert_memory_equal(p, want, n);
}

#define MEM_IS(p, ...) mem_is(p, BYTES(__VA_ARGS__))

struct ctx {
	struct guest_mem m;
	struct acpi_cfg cfg;
	uint64_t rsdp;
};

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));

	if (!c || fixture_mem(&c->m, 32ULL << 20))
		return -1;
	c->cfg = (struct acpi_cfg){
		.ncpus = 4,
		.mmio64_base = 0x400000000ULL,
		.mmio64_size = 0x1000000000ULL,
		.ecam_bus_start = 0,
		.ecam_bus_end = 255,
	};
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

static const uint8_t *gp(struct ctx *c, uint64_t gpa, uint64_t len)
{
	const uint8_t *p = mem_ptr(&c->m, gpa, len);

	assert_non_null(p);
	assert_true(gpa >= LAYOUT_ACPI && gpa + len <= LAYOUT_ACPI + LAYOUT_ACPI_SIZE);
	return p;
}

static uint64_t get(const uint8_t *p, unsigned n)
{
	return fixture_get(p, n);
}

static uint8_t sum(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	for (size_t i = 0; i < len; i++)
		s += p[i];
	return s;
}

/* Check a table's header (5.2.6) and return a pointer to it. */
static const uint8_t *table(struct ctx *c, uint64_t gpa, const char *sig, uint32_t len, uint8_t rev)
{
	const uint8_t *t = gp(c, gpa, 36);

	assert_memory_equal(t, sig, 4);
	if (len)
		assert_int_equal(get(t + 4, 4), len);
	len = get(t + 4, 4);
	t = gp(c, gpa, len);
	assert_int_equal(t[8], rev);
	assert_int_equal(sum(t, len), 0);
	assert_memory_equal(t + 10, "PTVM  ", 6);
	assert_memory_equal(t + 16, "PTVMTBL ", 8);
	assert_memory_equal(t + 28, "PTVM", 4);
	return t;
}

static void build(struct ctx *c)
{
	assert_int_equal(acpi_build(&c->m, &c->cfg, &c->rsdp), 0);
}

static uint64_t xsdt_entry(struct ctx *c, unsigned i)
{
	const uint8_t *r = gp(c, c->rsdp, 36);

	return get(gp(c, get(r + 24, 8), 60) + 36 + 8 * i, 8);
}

static void test_rsdp(void **state)
{
	struct ctx *c = *state;
	const uint8_t *r;

	build(c);
	assert_int_equal(c->rsdp, 0xe0000);
	r = gp(c, c->rsdp, 36);
	assert_memory_equal(r, "RSD PTR ", 8);
	assert_int_equal(sum(r, 20), 0);
	assert_int_equal(sum(r, 36), 0);
	assert_memory_equal(r + 9, "PTVM  ", 6);
	assert_int_equal(r[15], 2);	      /* revision */
	assert_int_equal(get(r + 16, 4), 0);  /* no RSDT */
	assert_int_equal(get(r + 20, 4), 36); /* length */
	assert_int_equal(get(r + 24, 8) % 16, 0);
}

static void test_xsdt(void **state)
{
	struct ctx *c = *state;
	const uint8_t *r, *x;

	build(c);
	r = gp(c, c->rsdp, 36);
	x = table(c, get(r + 24, 8), "XSDT", 36 + 3 * 8, 1);
	assert_memory_equal(gp(c, get(x + 36, 8), 4), "FACP", 4);
	assert_memory_equal(gp(c, get(x + 44, 8), 4), "APIC", 4);
	assert_memory_equal(gp(c, get(x + 52, 8), 4), "MCFG", 4);
}

static void test_fadt(void **state)
{
	struct ctx *c = *state;
	const uint8_t *f;
	uint64_t dsdt;

	build(c);
	f = table(c, xsdt_entry(c, 0), "FACP", 276, 6);
	dsdt = get(f + 140, 8);			/* X_DSDT */
	assert_int_equal(get(f + 40, 4), dsdt); /* DSDT (32-bit) */
	table(c, dsdt, "DSDT", 0, 2);
	assert_int_equal(get(f + 36, 4), 0);	 /* FIRMWARE_CTRL: no FACS */
	assert_int_equal(get(f + 132, 8), 0);	 /* X_FIRMWARE_CTRL */
	assert_int_equal(get(f + 46, 2), 0);	 /* SCI_INT */
	assert_int_equal(get(f + 56, 4), 0);	 /* PM1a_EVT_BLK */
	assert_int_equal(get(f + 76, 4), 0);	 /* PM_TMR_BLK */
	assert_int_equal(get(f + 109, 2), 0x24); /* IAPC_BOOT_ARCH: VGA, CMOS RTC not present */
	assert_int_equal(get(f + 112, 4), (1u << 20) | (1u << 10)); /* HW_REDUCED, RESET_REG_SUP */
	/* RESET_REG: SystemIO, 8 bits, offset 0, byte access, port 0x602; value 1. */
	MEM_IS(f + 116, 1, 8, 0, 1, 0x02, 0x06, 0, 0, 0, 0, 0, 0);
	assert_int_equal(f[128], 1);
	assert_int_equal(f[131], 0); /* FADT minor version */
	MEM_IS(f + 244, 1, 8, 0, 1, 0x00, 0x06, 0, 0, 0, 0, 0, 0);
	MEM_IS(f + 256, 1, 8, 0, 1, 0x01, 0x06, 0, 0, 0, 0, 0, 0);
	MEM_IS(f + 268, 'P', 'T', 'V', 'M', 0, 0, 0, 0);
}

static void check_madt(struct ctx *c, unsigned n)
{
	const uint8_t *t = table(c, xsdt_entry(c, 1), "APIC", 44 + 8 * n + 12, 4);
	const uint8_t *e = t + 44;

	assert_int_equal(get(t + 36, 4), 0xfee00000);
	assert_int_equal(get(t + 40, 4), 0); /* no PCAT_COMPAT */
	for (unsigned i = 0; i < n; i++, e += 8)
		MEM_IS(e, 0, 8, (uint8_t)i, (uint8_t)i, 1, 0, 0, 0);
	MEM_IS(e, 1, 12, (uint8_t)n, 0, 0x00, 0x00, 0xc0, 0xfe, 0, 0, 0, 0);
}

static void test_madt(void **state)
{
	struct ctx *c = *state;

	build(c);
	check_madt(c, 4);
	c->cfg.ncpus = 1;
	build(c);
	check_madt(c, 1);
	c->cfg.ncpus = ACPI_MAX_CPUS;
	build(c);
	check_madt(c, ACPI_MAX_CPUS);
}

static void test_mcfg(void **state)
{
	struct ctx *c = *state;
	const uint8_t *t;

	build(c);
	t = table(c, xsdt_entry(c, 2), "MCFG", 60, 1);
	assert_int_equal(get(t + 36, 8), 0);
	MEM_IS(t + 44, 0x00, 0x00, 0x00, 0xe0, 0, 0, 0, 0, 0, 0, 0, 255, 0, 0, 0, 0);

	c->cfg.ecam_bus_end = 0;
	build(c);
	t = table(c, xsdt_entry(c, 2), "MCFG", 60, 1);
	MEM_IS(t + 44, 0x00, 0x00, 0x00, 0xe0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}

static const uint8_t *find(const uint8_t *hay, size_t n, const uint8_t *needle, size_t m)
{
	for (size_t i = 0; i + m <= n; i++) {
		if (!memcmp(hay + i, needle, m))
			return hay + i;
	}
	return NULL;
}

static const uint8_t *dsdt(struct ctx *c, size_t *len)
{
	const uint8_t *f = gp(c, xsdt_entry(c, 0), 276);
	const uint8_t *d = table(c, get(f + 140, 8), "DSDT", 0, 2);

	*len = get(d + 4, 4);
	return d;
}

#define HAS(d, n, ...) assert_non_null(find(d, n, BYTES(__VA_ARGS__)))

static void test_dsdt(void **state)
{
	struct ctx *c = *state;
	const uint8_t *d;
	size_t n;

	build(c);
	d = dsdt(c, &n);
	/* Name(\_S5_, Package(2) { 5, Zero }), then Scope(\_SB) with a 2-byte PkgLength. */
	MEM_IS(d + 36, 0x08, '\\', '_', 'S', '5', '_', 0x12, 0x05, 0x02, 0x0a, 0x05, 0x00, 0x10);
	assert_int_equal(d[49] >> 6, 1);
	assert_int_equal((size_t)(d[49] & 0xf) + ((size_t)d[50] << 4), n - 36 - 13);
	assert_memory_equal(d + 51, "\\_SB_", 5);
	/* Device(PCI0) with _HID PNP0A08, _CID PNP0A03. */
	HAS(d, n, 0x5b, 0x82);
	HAS(d, n, 'P', 'C', 'I', '0', 0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x0a, 0x08, 0x08,
	    '_', 'C', 'I', 'D', 0x0c, 0x41, 0xd0, 0x0a, 0x03);
	HAS(d, n, 0x08, '_', 'S', 'E', 'G', 0x00, 0x08, '_', 'B', 'B', 'N', 0x00);
	assert_null(find(d, n, (const uint8_t *)"_ADR", 4));
	/* _PRT: 124 entries; slot 1 INTA -> GSI 17, slot 31 INTD -> GSI 18. */
	HAS(d, n, '_', 'P', 'R', 'T', 0x12);
	HAS(d, n, 0x12, 0x0b, 0x04, 0x0c, 0xff, 0xff, 0x01, 0x00, 0x00, 0x00, 0x0a, 0x11);
	HAS(d, n, 0x12, 0x0c, 0x04, 0x0c, 0xff, 0xff, 0x1f, 0x00, 0x0a, 0x03, 0x00, 0x0a, 0x12);
	assert_null(find(d, n, BYTES(0x0c, 0xff, 0xff, 0x00, 0x00))); /* no slot 0 */
	/* _CRS: bus 0..255, CF8 consumed, I/O 0x1000-0xffff, both MMIO windows. */
	HAS(d, n, 0x88, 0x0d, 0x00, 0x02, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0x00, 0x00,
	    0x00, 0x00, 0x01, 0x47, 0x01, 0xf8, 0x0c, 0xf8, 0x0c, 0x01, 0x08, 0x88, 0x0d, 0x00,
	    0x01, 0x0c, 0x03, 0x00, 0x00, 0x00, 0x10, 0xff, 0xff, 0x00, 0x00, 0x00, 0xf0, 0x87);
	HAS(d, n, 0x00, 0x00, 0x00, 0xc0, 0xff, 0xff, 0xff, 0xdf, 0, 0, 0, 0, 0x00, 0x00, 0x00,
	    0x20);
	HAS(d, n, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x13,
	    0x00, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00,
	    0x00, 0x79, 0x00);
	/*
	 * PCI0._OSC (4 args): the PCI host bridge UUID as ToUUID lays it out,
	 * CDW3 masked to native hot-plug and the PCIe capability (0x11) into
	 * Local0, Capabilities Masked (0x10) if that dropped a bit, Return (Arg3).
	 */
	HAS(d, n, '_', 'O', 'S', 'C', 0x04, 0x8a, 0x6b, 0x00, 'C', 'D', 'W', '1', 0xa0);
	HAS(d, n, 0x93, 0x68, 0x11, 0x13, 0x0a, 0x10, 0x5b, 0x4d, 0xdb, 0x33, 0xf7, 0x1f, 0x1c,
	    0x40, 0x96, 0x57, 0x74, 0x41, 0xc0, 0x3d, 0xd7, 0x66);
	HAS(d, n, 0x7b, 'C', 'D', 'W', '3', 0x0a, 0x11, 0x60);
	HAS(d, n, 0x92, 0x93, 0x60, 'C', 'D', 'W', '3', 0x7d, 'C', 'D', 'W', '1', 0x0a, 0x10, 'C',
	    'D', 'W', '1');
	HAS(d, n, 0x70, 0x60, 'C', 'D', 'W', '3', 0xa1);
	HAS(d, n, 0x7d, 'C', 'D', 'W', '1', 0x0a, 0x04, 'C', 'D', 'W', '1', 0xa4, 0x6b);
	/* COM1: PNP0501 at 0x3f8, IRQ 4. */
	HAS(d, n, 0x0c, 0x41, 0xd0, 0x05, 0x01);
	HAS(d, n, 0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x01, 0x08, 0x22, 0x10, 0x00, 0x79, 0x00);
	/* MBRD: PNP0C02 reserving the ECAM window. */
	HAS(d, n, 0x0c, 0x41, 0xd0, 0x0c, 0x02);
	HAS(d, n, 0x86, 0x09, 0x00, 0x01, 0x00, 0x00, 0x00, 0xe0, 0x00, 0x00, 0x00, 0x10, 0x79,
	    0x00);
}

/* Bus range follows ecam_bus_end; no QWordMemory without a 64-bit window. */
static void test_dsdt_cfg(void **state)
{
	struct ctx *c = *state;
	const uint8_t *d;
	size_t n;

	c->cfg.ecam_bus_end = 0;
	c->cfg.mmio64_size = 0;
	build(c);
	d = dsdt(c, &n);
	HAS(d, n, 0x88, 0x0d, 0x00, 0x02, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	    0x00, 0x01, 0x00);
	assert_null(find(d, n, BYTES(0x8a, 0x2b, 0x00)));
}

/* The reset vector (boot/resetvec.c) at 0xffff0 survives acpi_build(). */
static void test_reset_vector_untouched(void **state)
{
	struct ctx *c = *state;
	uint8_t *p = mem_ptr(&c->m, 0xffff0, 16);

	assert_non_null(p);
	memset(p, 0xab, 16);
	memset(p - 16, 0xab, 16);
	build(c);
	for (unsigned i = 0; i < 16; i++) {
		assert_int_equal(p[i], 0xab);
		assert_int_equal((p - 16)[i], 0); /* below it: zeroed */
	}
}

static void test_gsi_formula(void **state)
{
	assert_int_equal(ACPI_PCI_INTX_GSI(1, 0), 17);
	assert_int_equal(ACPI_PCI_INTX_GSI(7, 0), 23);
	assert_int_equal(ACPI_PCI_INTX_GSI(7, 1), 16);
	assert_int_equal(ACPI_PCI_INTX_GSI(31, 3), 18);
}

static void test_bad_cfg(void **state)
{
	struct ctx *c = *state;
	struct acpi_cfg good = c->cfg;

	c->cfg.ncpus = 0;
	assert_int_equal(acpi_build(&c->m, &c->cfg, &c->rsdp), -EINVAL);
	c->cfg.ncpus = ACPI_MAX_CPUS + 1;
	assert_int_equal(acpi_build(&c->m, &c->cfg, &c->rsdp), -EINVAL);
	c->cfg = good;
	c->cfg.ecam_bus_start = 2;
	c->cfg.ecam_bus_end = 1;
	assert_int_equal(acpi_build(&c->m, &c->cfg, &c->rsdp), -EINVAL);
	c->cfg = good;
	c->cfg.mmio64_base = 0x80000000;
	assert_int_equal(acpi_build(&c->m, &c->cfg, &c->rsdp), -EINVAL);
	c->cfg = good;
	free(c->m.r[0].hva);
	c->m.r[0].hva = NULL;
	assert_int_equal(acpi_build(&c->m, &c->cfg, &c->rsdp), -EFAULT);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_rsdp),	  T(test_xsdt),	       T(test_fadt),
		T(test_madt),	  T(test_mcfg),	       T(test_dsdt),
		T(test_dsdt_cfg), T(test_gsi_formula), T(test_reset_vector_untouched),
		T(test_bad_cfg),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
