// SPDX-License-Identifier: GPL-2.0
/* 16550A model: reset values, FIFOs, interrupt priority and edges, loopback. */
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <setjmp.h>
#include <cmocka.h>

#include "dev/serial.h"
#include "fake_irq.h"

enum { RBR, IER, IIR, LCR, MCR, LSR, MSR, SCR };
#define FCR IIR
#define THR RBR
#define DLL RBR
#define DLM IER

struct fixture {
	struct serial *s;
	struct fake_irq irq;
	uint8_t tx[512];
	unsigned nr_tx;
	unsigned rx_ready;
};

static void fx_tx(void *opaque, uint8_t byte)
{
	struct fixture *f = opaque;

	if (f->nr_tx < sizeof(f->tx))
		f->tx[f->nr_tx] = byte;
	f->nr_tx++;
}

static void fx_rx_ready(void *opaque)
{
	struct fixture *f = opaque;

	f->rx_ready++;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	fake_irq_init(&f->irq);
	if (serial_create(&f->s, &f->irq.line, fx_tx, f)) {
		free(f);
		return -1;
	}
	serial_set_rx_ready(f->s, fx_rx_ready, f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	serial_destroy(f->s);
	free(f);
	return 0;
}

static uint8_t in(struct fixture *f, unsigned reg)
{
	return serial_bus_ops.read(f->s, reg, 1);
}

static void out(struct fixture *f, unsigned reg, uint8_t v)
{
	serial_bus_ops.write(f->s, reg, 1, v);
}

static void test_reset_values(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(in(f, IER), 0x00);
	assert_int_equal(in(f, IIR), 0x01);
	assert_int_equal(in(f, LCR), 0x00);
	assert_int_equal(in(f, MCR), 0x00);
	assert_int_equal(in(f, LSR), 0x60);
	assert_int_equal(in(f, MSR), 0xb0); /* CTS, DSR, DCD asserted */
	assert_int_equal(in(f, SCR), 0x00);
	assert_int_equal(f->irq.nr, 0); /* the line was never raised */
}

static void test_register_widths(void **state)
{
	struct fixture *f = *state;

	out(f, IER, 0xff);
	assert_int_equal(in(f, IER), 0x0f);
	out(f, IER, 0);
	out(f, MCR, 0xff);
	assert_int_equal(in(f, MCR), 0x1f);
	out(f, MCR, 0);
	/* Leaving loopback with RI (OUT1) set: trailing RI edge, TERI. */
	assert_int_equal(in(f, MSR), 0xb4);
	out(f, LCR, 0x5b);
	assert_int_equal(in(f, LCR), 0x5b);
	out(f, SCR, 0xa5);
	assert_int_equal(in(f, SCR), 0xa5);
	out(f, SCR, 0x5a);
	assert_int_equal(in(f, SCR), 0x5a);
	/* LSR and MSR ignore writes. */
	out(f, LSR, 0x00);
	assert_int_equal(in(f, LSR), 0x60);
	out(f, MSR, 0x00);
	assert_int_equal(in(f, MSR), 0xb0);
}

static void test_divisor_latch(void **state)
{
	struct fixture *f = *state;

	out(f, IER, 0x05);
	out(f, LCR, 0x83);
	out(f, DLL, 0x01);
	out(f, DLM, 0x02);
	assert_int_equal(in(f, DLL), 0x01);
	assert_int_equal(in(f, DLM), 0x02);
	/* A 16-bit access is two byte cycles: DLL, then DLM. */
	assert_int_equal(serial_bus_ops.read(f->s, DLL, 2), 0x0201);
	assert_int_equal(f->nr_tx, 0); /* DLL writes do not transmit */
	out(f, LCR, 0x03);
	assert_int_equal(in(f, IER), 0x05);
	out(f, LCR, 0x83);
	assert_int_equal(in(f, DLL), 0x01);
}

static void test_fifo_enable_iir(void **state)
{
	struct fixture *f = *state;

	out(f, FCR, 0x01);
	assert_int_equal(in(f, IIR), 0xc1);
	out(f, FCR, 0xc7); /* enable, clear both, trigger 14 */
	assert_int_equal(in(f, IIR), 0xc1);
	out(f, FCR, 0x00);
	assert_int_equal(in(f, IIR), 0x01);
}

static void test_transmit(void **state)
{
	struct fixture *f = *state;

	out(f, THR, 'h');
	out(f, THR, 'i');
	assert_int_equal(f->nr_tx, 2);
	assert_memory_equal(f->tx, "hi", 2);
	assert_int_equal(in(f, LSR), 0x60);
}

static void test_rx_push_capacity(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[20];
	unsigned i;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = 'a' + i;
	/* 16450 mode: a single holding register. */
	assert_int_equal(serial_rx_space(f->s), 1);
	assert_int_equal(serial_rx_push(f->s, buf, 20), 1);
	assert_int_equal(serial_rx_push(f->s, buf, 20), 0);
	assert_int_equal(in(f, LSR), 0x61);
	assert_int_equal(in(f, RBR), 'a');
	assert_int_equal(in(f, LSR), 0x60);

	out(f, FCR, 0x01);
	assert_int_equal(serial_rx_space(f->s), SERIAL_FIFO_SIZE);
	assert_int_equal(serial_rx_push(f->s, buf, 20), 16);
	assert_int_equal(serial_rx_space(f->s), 0);
	assert_int_equal(serial_rx_push(f->s, buf + 16, 4), 0);
	for (i = 0; i < 16; i++) {
		assert_int_equal(in(f, LSR) & 0x01, 1);
		assert_int_equal(in(f, RBR), 'a' + i);
	}
	assert_int_equal(in(f, LSR), 0x60);
	assert_int_equal(serial_rx_space(f->s), 16);
	/* Host input is flow-controlled, never an overrun. */
	assert_int_equal(in(f, LSR) & 0x02, 0);
}

static void test_rx_ready_notify(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[20] = {0};

	out(f, FCR, 0x01);
	assert_int_equal(serial_rx_push(f->s, buf, 10), 10);
	in(f, RBR);
	assert_int_equal(f->rx_ready, 0); /* nothing was refused */
	assert_int_equal(serial_rx_push(f->s, buf, 20), 7);
	assert_int_equal(f->rx_ready, 0);
	in(f, RBR);
	assert_int_equal(f->rx_ready, 1);
	in(f, RBR);
	assert_int_equal(f->rx_ready, 1); /* once per refusal */
}

static void test_fifo_clear(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[4] = {1, 2, 3, 4};

	out(f, FCR, 0x01);
	assert_int_equal(serial_rx_push(f->s, buf, 4), 4);
	out(f, FCR, 0x03); /* RX reset */
	assert_int_equal(in(f, LSR), 0x60);
	assert_int_equal(serial_rx_push(f->s, buf, 4), 4);
	out(f, FCR, 0x00); /* FCR0 change clears the FIFOs */
	assert_int_equal(in(f, LSR), 0x60);
	assert_int_equal(in(f, IIR), 0x01);
}

static void test_loopback(void **state)
{
	struct fixture *f = *state;
	uint8_t c = 'x';

	out(f, FCR, 0x01);
	out(f, MCR, 0x10);
	/* The serial input is disconnected from the host. */
	assert_int_equal(serial_rx_space(f->s), 0);
	assert_int_equal(serial_rx_push(f->s, &c, 1), 0);
	out(f, THR, 0x55);
	assert_int_equal(f->nr_tx, 0);
	assert_int_equal(in(f, LSR), 0x61);
	assert_int_equal(in(f, RBR), 0x55);
	assert_int_equal(in(f, LSR), 0x60);
	/* Leaving loopback tells the input thread it may push again. */
	out(f, MCR, 0x00);
	assert_int_equal(f->rx_ready, 1);
	assert_int_equal(serial_rx_push(f->s, &c, 1), 1);
}

/* size_fifo() in Linux: 256 bytes in loopback, count what comes back. */
static void test_loopback_fifo_size_and_overrun(void **state)
{
	struct fixture *f = *state;
	unsigned i, n;

	out(f, FCR, 0x07);
	out(f, MCR, 0x10);
	out(f, LCR, 0x03);
	for (i = 0; i < 256; i++)
		out(f, THR, i);
	assert_int_equal(in(f, LSR), 0x63); /* OE | DR | THRE | TEMT */
	assert_int_equal(in(f, LSR), 0x61); /* OE clears on read */
	for (n = 0; (in(f, LSR) & 0x01) && n < 256; n++)
		assert_int_equal(in(f, RBR), n); /* the first 16 survive */
	assert_int_equal(n, 16);
}

/* The probes of Linux's 8250 autoconfig(), which must yield PORT_16550A. */
static void test_linux_autoconfig_16550a(void **state)
{
	struct fixture *f = *state;
	uint8_t iersave, s1, s2;

	/* IER existence test. */
	out(f, IER, 0);
	assert_int_equal(in(f, IER) & 0x0f, 0);
	out(f, IER, 0x0f);
	assert_int_equal(in(f, IER) & 0x0f, 0x0f);
	out(f, IER, 0);
	/* Loopback test: MCR = LOOP | OUT2 | RTS gives MSR[7:4] = DCD | CTS. */
	out(f, MCR, 0x1a);
	assert_int_equal(in(f, MSR) & 0xf0, 0x90);
	out(f, MCR, 0);
	/* EFR clear via LCR = 0xbf, then the FIFO probe. */
	out(f, LCR, 0xbf);
	out(f, IIR, 0);
	out(f, LCR, 0);
	out(f, FCR, 0x01);
	assert_int_equal(in(f, IIR) >> 6, 3);
	/* autoconfig_16550a: no EFR at LCR = 0x80 or 0xbf. */
	out(f, LCR, 0x80);
	assert_int_not_equal(in(f, IIR), 0);
	out(f, LCR, 0xbf);
	assert_int_not_equal(in(f, IIR), 0);
	/* Not a NatSemi SuperIO: IIR bit 4 does not follow MCR.LOOP at LCR 0xe0. */
	out(f, LCR, 0);
	out(f, MCR, 0x10);
	out(f, LCR, 0xe0);
	assert_int_equal(in(f, IIR) & 0x10, 0);
	out(f, LCR, 0);
	out(f, MCR, 0);
	/* Not a TI16750: IIR bit 5 never sets, with or without DLAB. */
	out(f, FCR, 0x21);
	s1 = in(f, IIR) >> 5;
	out(f, FCR, 0x01);
	out(f, LCR, 0x80);
	out(f, FCR, 0x21);
	s2 = in(f, IIR) >> 5;
	out(f, FCR, 0x01);
	out(f, LCR, 0);
	assert_false(s1 == 6 && s2 == 7);
	/* Not an XScale: IER bit 6 (UUE) is not writable. */
	iersave = in(f, IER);
	out(f, IER, iersave | 0x40);
	assert_int_equal(in(f, IER) & 0x40, 0);
	out(f, IER, iersave);
}

static void test_thre_irq_and_edges(void **state)
{
	struct fixture *f = *state;

	out(f, MCR, 0x08); /* OUT2: connect INTR to the interrupt controller */
	assert_int_equal(f->irq.nr, 0);
	out(f, IER, 0x02);
	assert_int_equal(f->irq.level, 1);
	/* Reading IIR reports THRE and clears it. */
	assert_int_equal(in(f, IIR), 0x02);
	assert_int_equal(f->irq.level, 0);
	assert_int_equal(in(f, IIR), 0x01);
	/* A THR write makes THR empty again: a fresh interrupt. */
	fake_irq_clear(&f->irq);
	out(f, THR, 'a');
	assert_int_equal(f->irq.nr, 1);
	assert_int_equal(f->irq.history[0], 1);
	/* Written while still pending: the line drops and rises (0->1 edge). */
	fake_irq_clear(&f->irq);
	out(f, THR, 'b');
	assert_int_equal(f->irq.nr, 2);
	assert_int_equal(f->irq.history[0], 0);
	assert_int_equal(f->irq.history[1], 1);
	assert_int_equal(f->nr_tx, 2);
	/* Disabling ETBEI lowers the line. */
	out(f, IER, 0);
	assert_int_equal(f->irq.level, 0);
}

/* Linux's UART_BUG_THRE probe: re-enabling ETBEI must re-raise THRE. */
static void test_thre_reraised_by_ier(void **state)
{
	struct fixture *f = *state;

	out(f, IER, 0x02);
	assert_int_equal(in(f, IIR) & 0x01, 0);
	out(f, IER, 0);
	out(f, IER, 0x02);
	assert_int_equal(in(f, IIR), 0x02);
	out(f, IER, 0);
	/* FIFO mode reports the same with bits 7:6 set. */
	out(f, FCR, 0x01);
	out(f, IER, 0x02);
	assert_int_equal(in(f, IIR), 0xc2);
}

static void test_out2_gates_line(void **state)
{
	struct fixture *f = *state;
	uint8_t c = 'z';

	out(f, IER, 0x01);
	assert_int_equal(serial_rx_push(f->s, &c, 1), 1);
	assert_int_equal(in(f, IIR), 0x04);
	assert_int_equal(f->irq.nr, 0);
	out(f, MCR, 0x08);
	assert_int_equal(f->irq.level, 1);
	/* Loopback forces OUT2 inactive at the pin. */
	out(f, MCR, 0x18);
	assert_int_equal(f->irq.level, 0);
	out(f, MCR, 0x08);
	assert_int_equal(f->irq.level, 1);
	assert_int_equal(in(f, RBR), 'z');
	assert_int_equal(f->irq.level, 0);
}

static void test_rx_trigger_and_timeout(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[14] = {0};
	unsigned i;

	out(f, MCR, 0x08);
	out(f, FCR, 0xc1); /* trigger level 14 */
	out(f, IER, 0x01);
	assert_int_equal(serial_rx_push(f->s, buf, 1), 1);
	assert_int_equal(in(f, IIR), 0xcc); /* below trigger: timeout */
	assert_int_equal(f->irq.level, 1);
	assert_int_equal(serial_rx_push(f->s, buf, 13), 13);
	assert_int_equal(in(f, IIR), 0xc4);
	in(f, RBR);
	assert_int_equal(in(f, IIR), 0xcc);
	for (i = 0; i < 13; i++)
		in(f, RBR);
	assert_int_equal(in(f, IIR), 0xc1);
	assert_int_equal(f->irq.level, 0);
}

static void test_rx_irq_edges(void **state)
{
	struct fixture *f = *state;
	uint8_t c = 'q';

	out(f, MCR, 0x08);
	out(f, FCR, 0x01);
	out(f, IER, 0x01);
	fake_irq_clear(&f->irq);
	assert_int_equal(serial_rx_push(f->s, &c, 1), 1);
	assert_int_equal(in(f, RBR), 'q');
	assert_int_equal(serial_rx_push(f->s, &c, 1), 1);
	assert_int_equal(f->irq.nr, 3);
	assert_int_equal(f->irq.history[0], 1);
	assert_int_equal(f->irq.history[1], 0);
	assert_int_equal(f->irq.history[2], 1);
}

static void test_priority(void **state)
{
	struct fixture *f = *state;
	unsigned i;

	out(f, FCR, 0x01);
	out(f, MCR, 0x10);
	out(f, IER, 0x0f);
	for (i = 0; i < 17; i++)
		out(f, THR, i);
	out(f, MCR, 0x11);		    /* DTR in loopback: DSR changes */
	assert_int_equal(in(f, IIR), 0xc6); /* line status (overrun) first */
	assert_int_equal(in(f, LSR), 0x63);
	assert_int_equal(in(f, IIR), 0xc4); /* then received data */
	for (i = 0; i < 16; i++)
		in(f, RBR);
	assert_int_equal(in(f, IIR), 0xc2); /* then THRE, cleared by this read */
	assert_int_equal(in(f, IIR), 0xc0); /* then modem status */
	/* DSR; deltas DCTS, DDSR, DDCD from entering loopback and DTR. */
	assert_int_equal(in(f, MSR), 0x2b);
	assert_int_equal(in(f, IIR), 0xc1);
}

static void test_modem_status_deltas(void **state)
{
	struct fixture *f = *state;

	out(f, MCR, 0x10);
	/* Entering loopback drops CTS, DSR, DCD (all MCR outputs are 0). */
	assert_int_equal(in(f, MSR), 0x0b);
	assert_int_equal(in(f, MSR), 0x00);
	out(f, MCR, 0x14);		    /* OUT1 -> RI */
	assert_int_equal(in(f, MSR), 0x40); /* leading RI edge: no TERI */
	out(f, MCR, 0x10);
	assert_int_equal(in(f, MSR), 0x04); /* trailing edge: TERI */
	out(f, MCR, 0x1b);
	assert_int_equal(in(f, MSR), 0xbb);
	assert_int_equal(in(f, MSR), 0xb0);
}

static void test_no_irq_line(void **state)
{
	struct serial *s;

	/* A UART without a line or transmit callback still works. */
	assert_int_equal(serial_create(&s, NULL, NULL, NULL), 0);
	serial_bus_ops.write(s, MCR, 1, 0x08);
	serial_bus_ops.write(s, IER, 1, 0x02);
	serial_bus_ops.write(s, THR, 1, 'x');
	assert_int_equal(serial_bus_ops.read(s, IIR, 1), 0x02);
	serial_destroy(s);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_reset_values),
		T(test_register_widths),
		T(test_divisor_latch),
		T(test_fifo_enable_iir),
		T(test_transmit),
		T(test_rx_push_capacity),
		T(test_rx_ready_notify),
		T(test_fifo_clear),
		T(test_loopback),
		T(test_loopback_fifo_size_and_overrun),
		T(test_linux_autoconfig_16550a),
		T(test_thre_irq_and_edges),
		T(test_thre_reraised_by_ier),
		T(test_out2_gates_line),
		T(test_rx_trigger_and_timeout),
		T(test_rx_irq_edges),
		T(test_priority),
		T(test_modem_status_deltas),
		cmocka_unit_test(test_no_irq_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
