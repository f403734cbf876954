// SPDX-License-Identifier: GPL-2.0
/* The bounded ring of guest console output between the vCPUs and the main loop. */
#include <errno.h>

#include "console_out.h"

/*
 * Counters change under the lock but are read without it (--stats, the
 * notice): an atomic store keeps such a read untorn.
 */
static void console_out_count(uint64_t *c, uint64_t n)
{
	__atomic_store_n(c, *c + n, __ATOMIC_RELAXED);
}

int console_out_init(struct console_out *o)
{
	int ret = pthread_mutex_init(&o->lock, NULL);

	o->head = o->len = 0;
	o->closed = false;
	o->written = o->dropped = 0;
	return -ret;
}

void console_out_destroy(struct console_out *o)
{
	pthread_mutex_destroy(&o->lock);
}

bool console_out_put(struct console_out *o, uint8_t byte)
{
	bool wake;

	pthread_mutex_lock(&o->lock);
	if (o->closed || o->len == CONSOLE_OUT_SIZE) {
		/* Newest bytes go: what waits is older, and next in line for the reader. */
		wake = !o->dropped && !o->closed;
		console_out_count(&o->dropped, 1);
	} else {
		wake = !o->len;
		o->buf[(o->head + o->len) % CONSOLE_OUT_SIZE] = byte;
		o->len++;
	}
	pthread_mutex_unlock(&o->lock);
	return wake;
}

bool console_out_idle(struct console_out *o)
{
	bool idle;

	pthread_mutex_lock(&o->lock);
	idle = !o->len && !o->closed;
	pthread_mutex_unlock(&o->lock);
	return idle;
}

void console_out_wrote(struct console_out *o, uint64_t n)
{
	pthread_mutex_lock(&o->lock);
	console_out_count(&o->written, n);
	pthread_mutex_unlock(&o->lock);
}

bool console_out_closed(struct console_out *o)
{
	bool closed;

	pthread_mutex_lock(&o->lock);
	closed = o->closed;
	pthread_mutex_unlock(&o->lock);
	return closed;
}

size_t console_out_peek(struct console_out *o, const uint8_t **p)
{
	size_t n;

	pthread_mutex_lock(&o->lock);
	n = MIN(o->len, CONSOLE_OUT_SIZE - o->head);
	*p = o->buf + o->head;
	pthread_mutex_unlock(&o->lock);
	return n;
}

void console_out_consume(struct console_out *o, size_t n)
{
	pthread_mutex_lock(&o->lock);
	n = MIN(n, o->len);
	o->head = (o->head + n) % CONSOLE_OUT_SIZE;
	o->len -= n;
	console_out_count(&o->written, n);
	pthread_mutex_unlock(&o->lock);
}

void console_out_discard(struct console_out *o, bool for_good)
{
	pthread_mutex_lock(&o->lock);
	console_out_count(&o->dropped, o->len);
	o->head = o->len = 0;
	o->closed |= for_good;
	pthread_mutex_unlock(&o->lock);
}

void console_out_get_stats(const struct console_out *o, struct console_out_stats *st)
{
	st->written = __atomic_load_n(&o->written, __ATOMIC_RELAXED);
	st->dropped = __atomic_load_n(&o->dropped, __ATOMIC_RELAXED);
}
