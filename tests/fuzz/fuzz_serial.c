// SPDX-License-Identifier: GPL-2.0
/*
 * The 8250/16550A model (vmm/dev/serial.c) on its ports in a PIO address
 * space: guest reads and writes of any size at 0x3f8..0x3ff (and around),
 * interleaved with host input. Checked: host input is taken only as far as
 * there is room and never in loopback, the interrupt line is what IIR and
 * MCR say (PC wiring: OUT2 gates it, loopback forces it off), the line
 * changes only when its level changes, transmitted bytes leave only outside
 * loopback, and the scratch register keeps what was written.
 */
#include <string.h>

#include "as.h"
#include "dev/serial.h"
#include "fake_irq.h"
#include "harness.h"
#include "layout.h"

#define MCR_LOOP 0x10
#define MCR_OUT2 0x08

static unsigned nr_tx;

static void tx(void *opaque, uint8_t byte)
{
	nr_tx++;
}

static uint8_t rd(struct as *pio, unsigned reg)
{
	uint8_t v;

	as_read(pio, PORT_SERIAL0 + reg, &v, 1);
	return v;
}

static void wr(struct as *pio, unsigned reg, uint8_t v)
{
	as_write(pio, PORT_SERIAL0 + reg, &v, 1);
}

/* The line against IIR (read twice: the first read may clear THRE) and MCR. */
static void check_irq(struct as *pio, const struct fake_irq *irq)
{
	uint8_t mcr = rd(pio, 4), iir;
	int want;

	rd(pio, 2);
	iir = rd(pio, 2);
	if ((iir & 0xf) == 0x2)
		return; /* THRE again: this read cleared it, the line follows */
	want = !(iir & 1) && (mcr & (MCR_OUT2 | MCR_LOOP)) == MCR_OUT2;
	FUZZ_CHECK(irq->level == want || (irq->level == -1 && !want),
		   "IRQ line %d with IIR 0x%02x MCR 0x%02x", irq->level, iir, mcr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz in = {data, size};
	struct fake_irq irq;
	struct serial *s;
	struct as *pio;
	unsigned steps = 0;

	fake_irq_init(&irq);
	nr_tx = 0;
	FUZZ_CHECK(!as_create(&pio, "pio", NULL), "as_create");
	FUZZ_CHECK(!serial_create(&s, &irq.line, tx, NULL), "serial_create");
	FUZZ_CHECK(!as_add_fixed(pio, "serial", PORT_SERIAL0, PORT_SERIAL_LEN, &serial_bus_ops, s),
		   "serial ports");
	while (in.n && steps++ < 4096) {
		uint8_t op = fz_u8(&in), buf[32];
		unsigned reg = op >> 3 & 7, len, tx_before = nr_tx, hist = irq.nr;
		uint64_t v = 0;
		size_t space, took;
		bool loop = rd(pio, 4) & MCR_LOOP;

		switch (op & 7) {
		case 0: /* host input */
			len = fz_below(&in, sizeof(buf) + 1);
			for (unsigned i = 0; i < len; i++)
				buf[i] = fz_u8(&in);
			space = serial_rx_space(s);
			took = serial_rx_push(s, buf, len);
			FUZZ_CHECK(took <= len && took <= space && (!loop || !took) &&
					   (took == len || took == space),
				   "rx_push took %zu of %u with room for %zu (loopback %d)", took,
				   len, space, loop);
			FUZZ_CHECK(space <= SERIAL_FIFO_SIZE, "room for %zu", space);
			break;
		case 1: /* scratch register round trip */
			v = fz_u8(&in);
			wr(pio, 7, (uint8_t)v);
			FUZZ_CHECK(rd(pio, 7) == (uint8_t)v, "SCR lost 0x%02x", (unsigned)v);
			break;
		case 2: /* any access size, near or across the ports' end */
		case 3:
			len = 1 + fz_below(&in, 8);
			v = fz_u64(&in);
			if (op & 1)
				as_write(pio, PORT_SERIAL0 + reg, &v, len);
			else
				as_read(pio, PORT_SERIAL0 + reg, &v, len);
			break;
		default: /* one register */
			if (op & 0x40) {
				rd(pio, reg);
			} else {
				wr(pio, reg, fz_u8(&in));
				if (reg == 0 && loop)
					FUZZ_CHECK(nr_tx == tx_before, "transmitted in loopback");
			}
			break;
		}
		for (unsigned i = hist; i + 1 < irq.nr && i + 1 < FAKE_IRQ_MAX; i++)
			FUZZ_CHECK(irq.history[i] != irq.history[i + 1], "line set to %d twice",
				   irq.history[i]);
		if (irq.nr > FAKE_IRQ_MAX / 2)
			fake_irq_clear(&irq);
		check_irq(pio, &irq);
	}
	serial_destroy(s);
	as_destroy(pio);
	return 0;
}
