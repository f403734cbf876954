// SPDX-License-Identifier: GPL-2.0
/* Logging for ptvm: one line per event, to stderr; formatted failure reasons. */
#include <stdio.h>

#include "util.h"

/* Only touched by main.c and tests; read-only during a run. */
static bool log_verbose;

/* Rate limit for guest-caused lines: after this many, a key goes quiet. */
#define LOG_GUEST_BURST 5

void log_set_verbose(bool on)
{
	log_verbose = on;
}

static void log_vline(const char *fmt, va_list ap)
{
	char buf[512];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	fprintf(stderr, "ptvm: %s\n", buf);
}

void log_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(fmt, ap);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	log_vline(fmt, ap);
	va_end(ap);
}

void log_guest(unsigned *key, const char *fmt, ...)
{
	va_list ap;
	unsigned n = __atomic_fetch_add(key, 1, __ATOMIC_RELAXED);

	if (n >= LOG_GUEST_BURST)
		return;
	va_start(ap, fmt);
	log_vline(fmt, ap);
	va_end(ap);
	if (n == LOG_GUEST_BURST - 1)
		fprintf(stderr, "ptvm: (further messages of this kind suppressed)\n");
}

int why_printf(char *buf, size_t len, const char **why, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	*why = buf;
	return err;
}

int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
