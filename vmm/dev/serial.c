// SPDX-License-Identifier: GPL-2.0
/*
 * 16550A UART model. Register and bit names follow the PC16550D datasheet
 * (National Semiconductor, June 1995), "Register Description" and Table II.
 *
 * Interrupts (datasheet Table IV, Interrupt Control Functions), by priority:
 *   1. receiver line status  IIR=0x6  OE/PE/FE/BI set, cleared by an LSR read
 *   2. received data         IIR=0x4  RX level >= trigger, cleared below it
 *      character timeout     IIR=0xC  FIFO mode, 0 < level < trigger
 *   3. THR empty             IIR=0x2  cleared by an IIR read reporting it or
 *                                      by a THR write
 *   4. modem status          IIR=0x0  MSR delta bits, cleared by an MSR read
 * There is no clock, so the character timeout is taken to have elapsed at
 * once: bytes below the trigger level are announced as a timeout right away,
 * which is what a guest sees on hardware a few character times later.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "dev/serial.h"

/* Register offsets (datasheet Table II). */
enum {
	UART_RBR_THR = 0, /* DLL when LCR.DLAB */
	UART_IER = 1,	  /* DLM when LCR.DLAB */
	UART_IIR_FCR = 2,
	UART_LCR = 3,
	UART_MCR = 4,
	UART_LSR = 5,
	UART_MSR = 6,
	UART_SCR = 7,
};

#define IER_ERBFI     0x01 /* received data available */
#define IER_ETBEI     0x02 /* THR empty */
#define IER_ELSI      0x04 /* receiver line status */
#define IER_EDSSI     0x08 /* modem status */
#define IER_MASK      0x0f /* bits 7:4 are always 0 on a 16550A */

#define IIR_NONE      0x01
#define IIR_MSR	      0x00
#define IIR_THRE      0x02
#define IIR_RDA	      0x04
#define IIR_RLS	      0x06
#define IIR_TIMEOUT   0x0c
#define IIR_FIFO      0xc0 /* bits 7:6 set when FCR0 = 1 */

#define FCR_ENABLE    0x01
#define FCR_RX_RESET  0x02
#define FCR_TX_RESET  0x04
#define FCR_STORED    0xc9 /* enable, DMA mode, trigger; the resets self-clear */
#define FCR_TRIG(fcr) ((fcr) >> 6)

#define LCR_DLAB      0x80

#define MCR_DTR	      0x01
#define MCR_RTS	      0x02
#define MCR_OUT1      0x04
#define MCR_OUT2      0x08
#define MCR_LOOP      0x10
#define MCR_MASK      0x1f /* bits 7:5 are always 0 */

#define LSR_DR	      0x01
#define LSR_OE	      0x02
#define LSR_ERR	      0x1e /* OE, PE, FE, BI: cleared by reading LSR */
#define LSR_THRE      0x20
#define LSR_TEMT      0x40

#define MSR_DCTS      0x01
#define MSR_DDSR      0x02
#define MSR_TERI      0x04
#define MSR_DDCD      0x08
#define MSR_CTS	      0x10
#define MSR_DSR	      0x20
#define MSR_RI	      0x40
#define MSR_DCD	      0x80
/* Modem inputs outside loopback: a connected, ready peer. */
#define MSR_EXTERNAL (MSR_CTS | MSR_DSR | MSR_DCD)

struct serial {
	pthread_mutex_t lock;
	struct irq_line irq;
	void (*tx)(void *opaque, uint8_t byte);
	void *tx_opaque;
	void (*rx_ready)(void *opaque);
	void *rx_ready_opaque;

	uint8_t ier, lcr, mcr, fcr, scr, dll, dlm;
	uint8_t lsr_err;   /* LSR bits 4:1 */
	uint8_t msr_delta; /* MSR bits 3:0 */
	bool thre_pending;
	bool rx_starved; /* a push was refused; tell rx_ready when space frees */
	int irq_level;

	uint8_t rx[SERIAL_FIFO_SIZE];
	unsigned rx_head, rx_count;
};

/* RX trigger levels for FCR bits 7:6 (datasheet, FCR description). */
static const unsigned serial_trigger[4] = {1, 4, 8, 14};

static bool serial_fifo_on(const struct serial *s)
{
	return s->fcr & FCR_ENABLE;
}

/* In 16450 mode (FCR0 = 0) the receiver holds a single byte in RBR. */
static unsigned serial_rx_cap(const struct serial *s)
{
	return serial_fifo_on(s) ? SERIAL_FIFO_SIZE : 1;
}

/* MSR bits 7:4: the modem inputs, or in loopback the MCR outputs (MCR4). */
static uint8_t serial_msr_lines(const struct serial *s)
{
	uint8_t m = s->mcr, v = 0;

	if (!(m & MCR_LOOP))
		return MSR_EXTERNAL;
	if (m & MCR_RTS)
		v |= MSR_CTS;
	if (m & MCR_DTR)
		v |= MSR_DSR;
	if (m & MCR_OUT1)
		v |= MSR_RI;
	if (m & MCR_OUT2)
		v |= MSR_DCD;
	return v;
}

/* The highest-priority pending interrupt, IIR bits 3:0. */
static uint8_t serial_iid(const struct serial *s)
{
	unsigned trig = serial_fifo_on(s) ? serial_trigger[FCR_TRIG(s->fcr)] : 1;

	if ((s->ier & IER_ELSI) && s->lsr_err)
		return IIR_RLS;
	if ((s->ier & IER_ERBFI) && s->rx_count >= trig)
		return IIR_RDA;
	if ((s->ier & IER_ERBFI) && s->rx_count)
		return IIR_TIMEOUT;
	if ((s->ier & IER_ETBEI) && s->thre_pending)
		return IIR_THRE;
	if ((s->ier & IER_EDSSI) && s->msr_delta)
		return IIR_MSR;
	return IIR_NONE;
}

/*
 * Drive the line after every state change. On a PC the UART's INTR pin
 * reaches the interrupt controller only through a buffer enabled by OUT2,
 * and loopback forces OUT2 inactive (datasheet, MCR bit 4).
 */
static void serial_update_irq(struct serial *s)
{
	int level = serial_iid(s) != IIR_NONE && (s->mcr & (MCR_OUT2 | MCR_LOOP)) == MCR_OUT2;

	if (level != s->irq_level) {
		s->irq_level = level;
		irq_line_set(&s->irq, level);
	}
}

static void serial_rx_clear(struct serial *s)
{
	s->rx_head = 0;
	s->rx_count = 0;
}

/* A character arrives at the receiver (host input or loopback). */
static void serial_rx_byte(struct serial *s, uint8_t byte)
{
	if (s->rx_count == serial_rx_cap(s)) {
		/* Overrun: a full FIFO keeps its data; RBR alone is overwritten. */
		s->lsr_err |= LSR_OE;
		if (!serial_fifo_on(s))
			s->rx[s->rx_head] = byte;
		return;
	}
	s->rx[(s->rx_head + s->rx_count) % SERIAL_FIFO_SIZE] = byte;
	s->rx_count++;
}

static void serial_notify_rx_ready(struct serial *s)
{
	if (s->rx_starved && s->rx_ready && !(s->mcr & MCR_LOOP) &&
	    s->rx_count < serial_rx_cap(s)) {
		s->rx_starved = false;
		s->rx_ready(s->rx_ready_opaque);
	}
}

static uint8_t serial_read_rbr(struct serial *s)
{
	uint8_t v;

	if (!s->rx_count)
		return 0;
	v = s->rx[s->rx_head];
	s->rx_head = (s->rx_head + 1) % SERIAL_FIFO_SIZE;
	s->rx_count--;
	serial_notify_rx_ready(s);
	return v;
}

static void serial_write_thr(struct serial *s, uint8_t v)
{
	/*
	 * The write clears a pending THRE interrupt; the byte leaves at once
	 * and THR is empty again. Let the line fall before it rises, so an
	 * edge-triggered IOAPIC pin sees a fresh 0->1 for the new condition.
	 */
	s->thre_pending = false;
	serial_update_irq(s);
	if (s->mcr & MCR_LOOP)
		serial_rx_byte(s, v); /* SOUT is looped back to SIN */
	else if (s->tx)
		s->tx(s->tx_opaque, v);
	s->thre_pending = true;
}

static void serial_write_ier(struct serial *s, uint8_t v)
{
	v &= IER_MASK;
	/* Enabling ETBEI while THR is empty raises THRE (Linux checks this). */
	if ((v & IER_ETBEI) && !(s->ier & IER_ETBEI))
		s->thre_pending = true;
	s->ier = v;
}

static void serial_write_fcr(struct serial *s, uint8_t v)
{
	/* Changing FCR0 clears both FIFOs (datasheet, FCR bit 0). */
	if ((v ^ s->fcr) & FCR_ENABLE)
		serial_rx_clear(s);
	/* With FCR0 = 0 the other bits are not programmed. */
	if (!(v & FCR_ENABLE)) {
		s->fcr = 0;
		goto out;
	}
	if (v & FCR_RX_RESET)
		serial_rx_clear(s);
	/* FCR_TX_RESET: the transmitter is always empty, nothing to clear. */
	s->fcr = v & FCR_STORED;
out:
	serial_notify_rx_ready(s);
}

static void serial_write_mcr(struct serial *s, uint8_t v)
{
	uint8_t before = serial_msr_lines(s), after, diff;

	s->mcr = v & MCR_MASK;
	after = serial_msr_lines(s);
	diff = before ^ after;
	if (diff & MSR_CTS)
		s->msr_delta |= MSR_DCTS;
	if (diff & MSR_DSR)
		s->msr_delta |= MSR_DDSR;
	if ((before & MSR_RI) && !(after & MSR_RI))
		s->msr_delta |= MSR_TERI; /* trailing edge only */
	if (diff & MSR_DCD)
		s->msr_delta |= MSR_DDCD;
	serial_notify_rx_ready(s);
}

static uint8_t serial_read_reg(struct serial *s, unsigned reg)
{
	uint8_t v = 0;

	switch (reg) {
	case UART_RBR_THR:
		return s->lcr & LCR_DLAB ? s->dll : serial_read_rbr(s);
	case UART_IER:
		return s->lcr & LCR_DLAB ? s->dlm : s->ier;
	case UART_IIR_FCR:
		v = serial_iid(s);
		if (v == IIR_THRE)
			s->thre_pending = false;
		return v | (serial_fifo_on(s) ? IIR_FIFO : 0);
	case UART_LCR:
		return s->lcr;
	case UART_MCR:
		return s->mcr;
	case UART_LSR:
		v = s->lsr_err | LSR_THRE | LSR_TEMT | (s->rx_count ? LSR_DR : 0);
		s->lsr_err = 0;
		return v;
	case UART_MSR:
		v = serial_msr_lines(s) | s->msr_delta;
		s->msr_delta = 0;
		return v;
	case UART_SCR:
		return s->scr;
	}
	return 0xff;
}

static void serial_write_reg(struct serial *s, unsigned reg, uint8_t v)
{
	switch (reg) {
	case UART_RBR_THR:
		if (s->lcr & LCR_DLAB)
			s->dll = v;
		else
			serial_write_thr(s, v);
		break;
	case UART_IER:
		if (s->lcr & LCR_DLAB)
			s->dlm = v;
		else
			serial_write_ier(s, v);
		break;
	case UART_IIR_FCR:
		serial_write_fcr(s, v);
		break;
	case UART_LCR:
		s->lcr = v;
		break;
	case UART_MCR:
		serial_write_mcr(s, v);
		break;
	case UART_SCR:
		s->scr = v;
		break;
	default:
		/* LSR and MSR: writes are for factory test only; ignored. */
		break;
	}
}

/*
 * The UART sits on an 8-bit bus; a wider access is carried out as byte
 * cycles at consecutive ports, as a PC chipset does for 8-bit ISA devices.
 */
static uint64_t serial_bus_read(void *opaque, uint64_t offset, unsigned size)
{
	struct serial *s = opaque;
	uint64_t v = 0;
	unsigned i;

	pthread_mutex_lock(&s->lock);
	for (i = 0; i < size; i++) {
		uint64_t reg = offset + i;

		v |= (uint64_t)(reg < 8 ? serial_read_reg(s, reg) : 0xff) << (8 * i);
	}
	serial_update_irq(s);
	pthread_mutex_unlock(&s->lock);
	return v;
}

static void serial_bus_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct serial *s = opaque;
	unsigned i;

	pthread_mutex_lock(&s->lock);
	for (i = 0; i < size && offset + i < 8; i++) {
		serial_write_reg(s, offset + i, value >> (8 * i));
		serial_update_irq(s);
	}
	pthread_mutex_unlock(&s->lock);
}

const struct bus_ops serial_bus_ops = {
	.read = serial_bus_read,
	.write = serial_bus_write,
};

size_t serial_rx_push(struct serial *s, const uint8_t *buf, size_t len)
{
	size_t n = 0;

	pthread_mutex_lock(&s->lock);
	if (!(s->mcr & MCR_LOOP)) {
		while (n < len && s->rx_count < serial_rx_cap(s))
			serial_rx_byte(s, buf[n++]);
	}
	if (n < len)
		s->rx_starved = true;
	serial_update_irq(s);
	pthread_mutex_unlock(&s->lock);
	return n;
}

size_t serial_rx_space(struct serial *s)
{
	size_t n = 0;

	pthread_mutex_lock(&s->lock);
	if (!(s->mcr & MCR_LOOP))
		n = serial_rx_cap(s) - s->rx_count;
	pthread_mutex_unlock(&s->lock);
	return n;
}

void serial_set_rx_ready(struct serial *s, void (*fn)(void *opaque), void *opaque)
{
	pthread_mutex_lock(&s->lock);
	s->rx_ready = fn;
	s->rx_ready_opaque = opaque;
	pthread_mutex_unlock(&s->lock);
}

int serial_create(struct serial **out, const struct irq_line *irq,
		  void (*tx)(void *opaque, uint8_t byte), void *tx_opaque)
{
	struct serial *s;
	int ret;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	ret = pthread_mutex_init(&s->lock, NULL);
	if (ret)
		goto err_free;
	if (irq)
		s->irq = *irq;
	s->tx = tx;
	s->tx_opaque = tx_opaque;
	/*
	 * Reset state (datasheet Table III): IER, FCR, LCR, MCR = 0, so
	 * IIR = 0x01 and LSR = 0x60. The divisor is not reset by hardware;
	 * start at 12 (9600 baud from a 1.8432 MHz clock) like PC firmware.
	 */
	s->dll = 12;
	*out = s;
	return 0;

err_free:
	free(s);
	return -ret;
}

void serial_destroy(struct serial *s)
{
	if (!s)
		return;
	pthread_mutex_destroy(&s->lock);
	free(s);
}
