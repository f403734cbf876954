// SPDX-License-Identifier: GPL-2.0
/* Guest console on the host terminal. */
#include <errno.h>
#include <unistd.h>

#include "console.h"

int console_open(struct console *c, int in_fd, int out_fd)
{
	struct termios t;

	c->in_fd = in_fd;
	c->out_fd = out_fd;
	c->raw = false;
	c->escape = false;
	if (!isatty(in_fd))
		return 0;
	if (tcgetattr(in_fd, &c->saved))
		return -errno;
	t = c->saved;
	/* Every key goes to the guest, Ctrl-C included; the guest echoes. */
	cfmakeraw(&t);
	if (tcsetattr(in_fd, TCSANOW, &t))
		return -errno;
	c->raw = true;
	return 0;
}

void console_close(struct console *c)
{
	if (!c->raw)
		return;
	tcsetattr(c->in_fd, TCSANOW, &c->saved);
	c->raw = false;
}

size_t console_filter(struct console *c, uint8_t *buf, size_t len, bool *quit)
{
	size_t out = 0;

	for (size_t i = 0; i < len; i++) {
		uint8_t ch = buf[i];

		if (c->escape) {
			c->escape = false;
			if (ch == 'x' || ch == 'X') {
				*quit = true;
				return out;
			}
			if (ch != CONSOLE_ESCAPE)
				continue; /* unknown escape: swallowed, like QEMU */
		} else if (ch == CONSOLE_ESCAPE) {
			c->escape = true;
			continue;
		}
		buf[out++] = ch;
	}
	return out;
}

void console_tx(void *opaque, uint8_t byte)
{
	struct console *c = opaque;
	ssize_t n;

	do {
		n = write(c->out_fd, &byte, 1);
	} while (n < 0 && errno == EINTR);
	/* A closed stdout must not stop the guest: output is dropped. */
}
