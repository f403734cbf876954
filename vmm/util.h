/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small helpers every ptvm file may use: sizes, alignment, logging.
 * Logging goes to stderr, one line per event, prefixed "ptvm: ".
 */
#ifndef PTVM_UTIL_H
#define PTVM_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define ARRAY_SIZE(a)	 (sizeof(a) / sizeof((a)[0]))
#define __must_check	 __attribute__((warn_unused_result))
#define __printf(a, b)	 __attribute__((format(printf, a, b)))
#define ALIGN_UP(x, a)	 (((x) + ((a)-1)) & ~((__typeof__(x))(a)-1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a)-1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a)-1)) == 0)
#define MIN(a, b)	 ((a) < (b) ? (a) : (b))
#define MAX(a, b)	 ((a) > (b) ? (a) : (b))

#define SZ_4K		 0x1000ULL
#define SZ_1M		 0x100000ULL
#define SZ_2M		 0x200000ULL
#define SZ_1G		 0x40000000ULL

/* Error line to stderr: "ptvm: <message>\n". */
void log_err(const char *fmt, ...) __printf(1, 2);
/* Informational line to stderr, only when verbose logging is on. */
void log_info(const char *fmt, ...) __printf(1, 2);
/*
 * Guest-caused oddities (unclaimed port, bad register write): logged at most
 * a few times per @key so a misbehaving guest cannot flood the host log.
 */
void log_guest(unsigned *key, const char *fmt, ...) __printf(2, 3);
void log_set_verbose(bool on);

/*
 * A failure reason for a parser's caller: format into @buf (@len bytes),
 * point *@why at it, return @err. For the boot/ parsers' formatted refusals.
 */
int why_printf(char *buf, size_t len, const char **why, int err, const char *fmt, ...)
	__printf(5, 6);

/* The value of hex digit @c (either case), or -1. */
int hex_value(char c);

#endif
