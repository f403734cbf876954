/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host side of the guest's serial console: stdin/stdout, raw terminal
 * mode while the guest runs (restored on every exit path), and the escape
 * sequence Ctrl-A x that stops the guest, as in QEMU's -nographic.
 *
 * Output never makes the guest wait: the UART's transmit callback writes
 * without blocking (nonblock.h), and what stdout does not take goes to a
 * bounded ring (console_out.h) that the main loop writes out, polling
 * stdout while bytes wait. A stdout that stops taking them costs the bytes
 * that do not fit: they are counted, said once on stderr, and the guest
 * runs on.
 */
#ifndef PTVM_CONSOLE_H
#define PTVM_CONSOLE_H

#include <termios.h>

#include "console_out.h"
#include "nonblock.h"
#include "util.h"

#define CONSOLE_ESCAPE 0x01 /* Ctrl-A */

struct console {
	int in_fd;
	int out_fd;
	int err_fd; /* where the dropping notice goes */
	bool raw;   /* terminal state saved and changed */
	struct termios saved;
	bool escape; /* the previous input byte was Ctrl-A */

	/* Output, from console_open_output() on. */
	struct console_out *out; /* NULL: not open, guest output is discarded */
	struct nonblock_fd wout; /* stdout */
	struct nonblock_fd werr; /* stderr, for the one notice */
	int wake_fd;		 /* eventfd the main loop polls: the ring needs it */
	bool notice_done;	 /* the dropping notice was written */
};

/* The notice, once, when the first byte is dropped. */
#define CONSOLE_DROP_NOTICE \
	"ptvm: console: stdout is not keeping up: dropping guest output (--stats counts it)\n"

/* Put @in_fd in raw mode if it is a terminal. */
int console_open(struct console *c, int in_fd, int out_fd) __must_check;
/* Restore the terminal; safe to call twice. */
void console_close(struct console *c);
/*
 * Strip the escape sequence from @len input bytes in @buf, in place.
 * Returns the bytes left for the guest; sets *quit on Ctrl-A x.
 * Ctrl-A Ctrl-A sends one Ctrl-A to the guest.
 */
size_t console_filter(struct console *c, uint8_t *buf, size_t len, bool *quit);
/*
 * Set up output to @out_fd (notice to @err_fd): the ring, non-blocking
 * writes, and c->wake_fd. Part of setup; undone by console_close_output().
 */
int console_open_output(struct console *c, int out_fd, int err_fd) __must_check;
/* Close what console_open_output() opened and restore what it changed; safe twice. */
void console_close_output(struct console *c);
/*
 * Guest output byte to the host (the serial model's tx callback, any vCPU
 * thread, UART lock held): written at once if nothing waits and stdout
 * takes it, else into the ring, or dropped and counted. Writes c->wake_fd
 * (non-blocking) when the main loop must look.
 */
void console_tx(void *opaque, uint8_t byte);
/*
 * The main loop: write what waits, and the notice if due, without waiting.
 * Returns true while bytes still wait (poll stdout for POLLOUT), false
 * when all went or stdout is gone (the rest then dropped, counted).
 */
bool console_flush(struct console *c);
/* At stop: flush for at most @ms milliseconds, then count what is left as dropped. */
void console_drain(struct console *c, int ms);
/* Bytes written to stdout and dropped so far (zeros if output was never opened). */
void console_get_stats(const struct console *c, struct console_out_stats *st);

#endif
