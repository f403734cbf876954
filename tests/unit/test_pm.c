// SPDX-License-Identifier: GPL-2.0
/* ACPI sleep/reset registers and the i8042 reset line. */
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <setjmp.h>
#include <cmocka.h>

#include "as.h"
#include "dev/pm.h"
#include "layout.h"

struct events {
	unsigned poweroff, reset;
};

static void on_event(void *opaque, enum pm_event ev)
{
	struct events *e = opaque;

	if (ev == PM_POWEROFF)
		e->poweroff++;
	else if (ev == PM_RESET)
		e->reset++;
}

struct fixture {
	struct as *bus;
	struct pm *pm;
	struct events ev;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f || as_create(&f->bus, "pio", NULL))
		goto err;
	if (pm_create(&f->pm, on_event, &f->ev))
		goto err;
	if (as_add_fixed(f->bus, "test", PORT_ACPI_SLEEP_CTL, PM_ACPI_PORTS, &pm_acpi_ops, f->pm) ||
	    as_add_fixed(f->bus, "test", PORT_I8042, PM_I8042_PORTS, &pm_i8042_ops, f->pm))
		goto err;
	*state = f;
	return 0;
err:
	free(f);
	return -1;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	pm_destroy(f->pm);
	as_destroy(f->bus);
	free(f);
	return 0;
}

static void outb(struct fixture *f, uint16_t port, uint8_t v)
{
	assert_true(as_write(f->bus, port, &v, 1));
}

static uint8_t inb(struct fixture *f, uint16_t port)
{
	uint8_t v = 0x5a;

	assert_true(as_read(f->bus, port, &v, 1));
	return v;
}

static void test_s5_powers_off(void **state)
{
	struct fixture *f = *state;

	/* SLP_TYP without SLP_EN does nothing. */
	outb(f, PORT_ACPI_SLEEP_CTL, ACPI_S5_SLP_TYP << 2);
	assert_int_equal(f->ev.poweroff, 0);
	/* SLP_EN with another sleep type (S3 = 3 here) is refused. */
	outb(f, PORT_ACPI_SLEEP_CTL, 0x20 | (3 << 2));
	assert_int_equal(f->ev.poweroff + f->ev.reset, 0);
	outb(f, PORT_ACPI_SLEEP_CTL, 0x20 | (ACPI_S5_SLP_TYP << 2));
	assert_int_equal(f->ev.poweroff, 1);
	assert_int_equal(f->ev.reset, 0);
}

static void test_reset_register(void **state)
{
	struct fixture *f = *state;

	outb(f, PORT_ACPI_RESET, ACPI_RESET_VALUE + 1);
	assert_int_equal(f->ev.reset, 0);
	outb(f, PORT_ACPI_RESET, ACPI_RESET_VALUE);
	assert_int_equal(f->ev.reset, 1);
	assert_int_equal(f->ev.poweroff, 0);
}

static void test_acpi_reads_and_status(void **state)
{
	struct fixture *f = *state;
	uint32_t v = 0x12345678;

	assert_int_equal(inb(f, PORT_ACPI_SLEEP_CTL), 0);
	assert_int_equal(inb(f, PORT_ACPI_SLEEP_STS), 0);
	assert_int_equal(inb(f, PORT_ACPI_RESET), 0);
	outb(f, PORT_ACPI_SLEEP_STS, 0x80); /* clear WAK_STS */
	assert_int_equal(f->ev.poweroff + f->ev.reset, 0);
	/* The block is 3 ports: a dword at 0x600 straddles its end. */
	assert_false(as_read(f->bus, PORT_ACPI_SLEEP_CTL, &v, 4));
	assert_int_equal(v, 0xffffffff);
}

static void test_acpi_word_write_is_byte_cycles(void **state)
{
	struct fixture *f = *state;
	uint16_t v = ACPI_RESET_VALUE << 8; /* 0x601 = 0, 0x602 = reset value */

	assert_true(as_write(f->bus, PORT_ACPI_SLEEP_STS, &v, 2));
	assert_int_equal(f->ev.reset, 1);
}

static void test_i8042_pulse_reset(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(inb(f, 0x64), 0); /* input and output buffers empty */
	assert_int_equal(inb(f, 0x60), 0);
	outb(f, 0x60, 0xfe); /* data port: not a command */
	outb(f, 0x64, 0xd1); /* write output port: ignored */
	outb(f, 0x64, 0xff); /* pulse no line */
	outb(f, 0x64, 0xfd); /* pulse bit 1 (A20), not reset */
	assert_int_equal(f->ev.reset, 0);
	outb(f, 0x64, 0xfe);
	assert_int_equal(f->ev.reset, 1);
	outb(f, 0x64, 0xf0); /* pulses bits 3:0, reset among them */
	assert_int_equal(f->ev.reset, 2);
	assert_int_equal(f->ev.poweroff, 0);
}

static void test_no_callback(void **state)
{
	struct pm *pm;

	assert_int_equal(pm_create(&pm, NULL, NULL), 0);
	pm_acpi_ops.write(pm, 2, 1, ACPI_RESET_VALUE);
	pm_i8042_ops.write(pm, 4, 1, 0xfe);
	pm_destroy(pm);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_s5_powers_off),	       T(test_reset_register),
		T(test_acpi_reads_and_status), T(test_acpi_word_write_is_byte_cycles),
		T(test_i8042_pulse_reset),     cmocka_unit_test(test_no_callback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
