/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's console output on its way to stdout: a bounded byte ring
 * between the vCPU threads, which append (the UART's transmit callback,
 * with the UART's lock held: it must never wait), and the main loop, which
 * writes it out when stdout takes it. When stdout stops taking it (a
 * paused terminal, a reader that stalls) the ring fills and further bytes
 * are dropped and counted: the guest never waits for the reader.
 *
 * Producers are serialised by the caller (one UART, its lock): an empty
 * ring stays empty until that producer appends, since the consumer only
 * takes bytes away. That is what lets console.c write a byte straight to
 * stdout when nothing waits (console_out_idle()).
 */
#ifndef PTVM_CONSOLE_OUT_H
#define PTVM_CONSOLE_OUT_H

#include <pthread.h>

#include "util.h"

/* As much as a Linux pipe holds by default (pipe(7)): a burst waits, a stall drops. */
#define CONSOLE_OUT_SIZE (64 * 1024)

struct console_out {
	pthread_mutex_t lock; /* guards all that follows; never held across a syscall */
	size_t head;	      /* oldest byte waiting */
	size_t len;	      /* bytes waiting */
	bool closed;	      /* stdout is gone: everything from now on is dropped */
	uint64_t written;     /* bytes written: consumed, or written by the producer itself */
	uint64_t dropped;     /* bytes that found the ring full, or stdout closed */
	uint8_t buf[CONSOLE_OUT_SIZE];
};

int console_out_init(struct console_out *o) __must_check;
void console_out_destroy(struct console_out *o);

/*
 * Append @byte, or drop and count it when the ring is full or closed.
 * Returns true when the consumer must be woken: the ring was empty (it may
 * be asleep with nothing to write), or this is the first byte ever dropped
 * (for the one notice). Takes only the ring's lock: no syscall, no wait.
 */
bool console_out_put(struct console_out *o, uint8_t byte);

/* Nothing waits and stdout is not gone: the producer may write a byte itself. */
bool console_out_idle(struct console_out *o);
/* The producer wrote @n bytes itself (idle ring): counted as written. */
void console_out_wrote(struct console_out *o, uint64_t n);
/* Closed: what ended output for good (stdout gone), for the one notice not to be given. */
bool console_out_closed(struct console_out *o);

/*
 * The consumer: *@p gets the oldest waiting bytes, as many as lie
 * contiguous; returns their number, 0 when nothing waits. They stay valid
 * until consumed (producers only write free space).
 */
size_t console_out_peek(struct console_out *o, const uint8_t **p);
/* @n bytes of the last peek were written: free them. */
void console_out_consume(struct console_out *o, size_t n);
/*
 * Out of time at stop, or stdout gone (@for_good: everything after is
 * dropped too): what waits is dropped and counted.
 */
void console_out_discard(struct console_out *o, bool for_good);

struct console_out_stats {
	uint64_t written, dropped;
};

void console_out_get_stats(const struct console_out *o, struct console_out_stats *st);

#endif
