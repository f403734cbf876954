// SPDX-License-Identifier: GPL-2.0
/* Guest console on the host terminal. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
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

int console_open_output(struct console *c, int out_fd, int err_fd)
{
	int ret;

	c->notice_done = false;
	c->wake_fd = -1;
	c->wout.kind = c->werr.kind = NONBLOCK_NONE;
	c->out = malloc(sizeof(*c->out));
	if (!c->out)
		return -ENOMEM;
	ret = console_out_init(c->out);
	if (ret) {
		free(c->out);
		c->out = NULL;
		return ret;
	}
	ret = nonblock_open(&c->wout, out_fd);
	/* Without a stderr to say it on, the notice is skipped; output still flows. */
	if (!ret && nonblock_open(&c->werr, err_fd))
		c->notice_done = true;
	if (!ret) {
		c->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (c->wake_fd < 0)
			ret = -errno;
	}
	if (ret)
		console_close_output(c);
	return ret;
}

void console_close_output(struct console *c)
{
	if (!c->out)
		return;
	nonblock_close(&c->wout);
	nonblock_close(&c->werr);
	if (c->wake_fd >= 0)
		close(c->wake_fd);
	c->wake_fd = -1;
	console_out_destroy(c->out);
	free(c->out);
	c->out = NULL;
}

/*
 * With nothing waiting, the byte goes straight out with one non-blocking
 * write, as it went before the ring existed: handing each byte to the main
 * loop instead would cost an eventfd write, two context switches and a
 * loop wakeup per byte while the reader keeps up. Only when stdout does
 * not take it does the
 * byte go to the ring, the loop is woken to poll stdout, and later bytes
 * queue behind it in order until the loop has written them all.
 */
void console_tx(void *opaque, uint8_t byte)
{
	struct console *c = opaque;
	uint64_t one = 1;
	ssize_t w;

	if (!c->out)
		return;
	if (console_out_idle(c->out)) {
		w = nonblock_write(&c->wout, &byte, 1);
		if (w == 1) {
			console_out_wrote(c->out, 1);
			return;
		}
		if (w != -EAGAIN) {
			/* A closed stdout must not stop the guest: output is dropped. */
			console_out_discard(c->out, true);
			(void)console_out_put(c->out, byte);
			return;
		}
	}
	/* An eventfd write never blocks: at worst (counter full) it fails, already woken. */
	if (console_out_put(c->out, byte) && c->wake_fd >= 0)
		(void)!write(c->wake_fd, &one, sizeof(one));
}

static void console_notice(struct console *c)
{
	struct console_out_stats st;
	ssize_t n;

	if (c->notice_done)
		return;
	console_out_get_stats(c->out, &st);
	/* Closed: stdout is gone, and nobody is there to be told. */
	if (!st.dropped || console_out_closed(c->out))
		return;
	n = nonblock_write(&c->werr, CONSOLE_DROP_NOTICE, strlen(CONSOLE_DROP_NOTICE));
	/* Stderr full too: the next flush tries again. Any other outcome: done. */
	c->notice_done = n != -EAGAIN;
}

/* Enough per call that a fast reader empties the ring, bounded so other sources get a turn. */
#define CONSOLE_FLUSH_MAX (2 * CONSOLE_OUT_SIZE)

bool console_flush(struct console *c)
{
	size_t done = 0;

	if (!c->out)
		return false;
	console_notice(c);
	while (done < CONSOLE_FLUSH_MAX) {
		const uint8_t *p;
		size_t n = console_out_peek(c->out, &p);
		ssize_t w;

		if (!n)
			return false;
		w = nonblock_write(&c->wout, p, n);
		if (w == -EAGAIN)
			return true;
		if (w < 0) {
			/* A closed stdout must not stop the guest: output is dropped. */
			console_out_discard(c->out, true);
			return false;
		}
		console_out_consume(c->out, w);
		done += w;
	}
	return true;
}

static int64_t console_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void console_drain(struct console *c, int ms)
{
	int64_t end = console_now_ms() + ms;

	while (console_flush(c)) {
		struct pollfd p = {.fd = c->wout.fd, .events = POLLOUT};
		int64_t left = end - console_now_ms();

		if (left <= 0) {
			console_out_discard(c->out, false);
			return;
		}
		(void)!poll(&p, 1, (int)left);
	}
}

void console_get_stats(const struct console *c, struct console_out_stats *st)
{
	if (c->out)
		console_out_get_stats(c->out, st);
	else
		*st = (struct console_out_stats){0};
}
