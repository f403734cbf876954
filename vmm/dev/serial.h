/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A 16550A UART (National Semiconductor PC16550D datasheet) as a pure state
 * machine: 8 byte-wide registers on a bus, an interrupt line, a transmit
 * callback and a receive FIFO the host fills. No file descriptors, no KVM.
 *
 * Transmission is instant: a THR write hands the byte to @tx at once and the
 * transmitter is empty again (LSR.THRE = LSR.TEMT = 1 always). Reception is
 * flow-controlled: serial_rx_push() accepts only what the 16-byte RX FIFO can
 * hold, so host input is never dropped.
 */
#ifndef PTVM_DEV_SERIAL_H
#define PTVM_DEV_SERIAL_H

#include "bus.h"
#include "irq.h"

/*
 * RX FIFO depth. 16 bytes as on the PC16550D, and deliberately not more:
 * Linux's autoconfig counts the FIFO in loopback (size_fifo()) and takes a
 * 64-byte one for a different chip (U6_16550A).
 */
#define SERIAL_FIFO_SIZE 16

struct serial;

/*
 * Create a UART in its reset state. @irq is copied (may be NULL: no line).
 * @tx receives every transmitted byte outside loopback mode; it is called
 * with the UART's lock held and must not call back into this UART.
 */
int serial_create(struct serial **out, const struct irq_line *irq,
		  void (*tx)(void *opaque, uint8_t byte), void *tx_opaque) __must_check;
void serial_destroy(struct serial *s);

/*
 * Optional: @fn is called (lock held; it should only wake the input thread)
 * when the guest frees FIFO space after serial_rx_push() refused bytes, or
 * leaves loopback mode, so the input thread need not poll.
 */
void serial_set_rx_ready(struct serial *s, void (*fn)(void *opaque), void *opaque);

/*
 * Host input: queue up to @len bytes into the RX FIFO; returns how many were
 * accepted (0 when full, or in loopback mode where the serial input is
 * disconnected). Thread-safe against concurrent guest register accesses.
 */
size_t serial_rx_push(struct serial *s, const uint8_t *buf, size_t len);
/* Bytes serial_rx_push() would accept now. */
size_t serial_rx_space(struct serial *s);

/* Bus handlers for the 8 ports at PORT_SERIAL0; opaque is the struct serial. */
extern const struct bus_ops serial_bus_ops;

#endif
