/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host side of the guest's serial console: stdin/stdout, raw terminal
 * mode while the guest runs (restored on every exit path), and the escape
 * sequence Ctrl-A x that stops the guest, as in QEMU's -nographic.
 */
#ifndef PTVM_CONSOLE_H
#define PTVM_CONSOLE_H

#include <termios.h>

#include "util.h"

#define CONSOLE_ESCAPE 0x01 /* Ctrl-A */

struct console {
	int in_fd;
	int out_fd;
	bool raw; /* terminal state saved and changed */
	struct termios saved;
	bool escape; /* the previous input byte was Ctrl-A */
};

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
/* Guest output byte to the host (the serial model's tx callback). */
void console_tx(void *opaque, uint8_t byte);

#endif
