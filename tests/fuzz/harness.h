/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every libFuzzer target of tests/fuzz/ shares: reading the input as a
 * stream of little-endian numbers (past its end everything reads 0, so any
 * input is a complete program), failing an invariant in a way libFuzzer
 * reports (abort() after one line through the sanitizers' report fd, which
 * -close_fd_mask=2 keeps open), and the eventfds the models own: eventfd(),
 * close() and poll() are wrapped at link time (-Wl,--wrap, see the Makefile),
 * so a harness knows which of them are open and catches a model that hands
 * a closed one to VFIO or KVM, polls one, or closes one twice.
 */
#ifndef PTVM_FUZZ_HARNESS_H
#define PTVM_FUZZ_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fz {
	const uint8_t *p;
	size_t n;
};

static inline uint64_t fz_bytes(struct fz *f, unsigned len)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < len && f->n; i++, f->p++, f->n--)
		v |= (uint64_t)*f->p << (8 * i);
	return v;
}

#define fz_u8(f)  ((uint8_t)fz_bytes(f, 1))
#define fz_u16(f) ((uint16_t)fz_bytes(f, 2))
#define fz_u32(f) ((uint32_t)fz_bytes(f, 4))
#define fz_u64(f) fz_bytes(f, 8)

/* A number below @n (n > 0). */
static inline unsigned fz_below(struct fz *f, unsigned n)
{
	return fz_u8(f) % n;
}

/* Print "ptvm-fuzz: <what>" where libFuzzer's report goes, then abort(). */
void fuzz_fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

#define FUZZ_CHECK(cond, ...)                   \
	do {                                    \
		if (!(cond))                    \
			fuzz_fail(__VA_ARGS__); \
	} while (0)

/*
 * For the boot targets: @len bytes of guest RAM (read/write) and of an
 * initrd source (read-only zeroes), mapped once without reserving memory,
 * so pages are only touched as a load uses them. Fails the run on error.
 */
void fuzz_map_boot(uint8_t **ram, const uint8_t **initrd, size_t len);

/* Whether @fd is an eventfd the code under test created and has not closed. */
bool fuzz_fd_live(int fd);
/* How many such eventfds are open. */
unsigned fuzz_fds_live(void);

#endif
