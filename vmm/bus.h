/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An address-range bus: the vCPU loop hands every PIO or MMIO exit to a bus,
 * which finds the device that registered the range. Devices see only their
 * own offsets and their opaque pointer.
 */
#ifndef PTVM_BUS_H
#define PTVM_BUS_H

#include <pthread.h>

#include "util.h"

/*
 * A device's handlers. Either may be NULL (reads then return all-ones, writes
 * are dropped). Handlers run without the bus lock held, so they may register
 * or unregister ranges (a BAR move). The bus does not own @opaque: a device
 * must outlive every dispatch that may still reach it, i.e. it is destroyed
 * only after it was unregistered and the vCPUs stopped.
 */
struct bus_ops {
	/* @offset is relative to the registered base; @size is 1, 2, 4 or 8. */
	uint64_t (*read)(void *opaque, uint64_t offset, unsigned size);
	void (*write)(void *opaque, uint64_t offset, unsigned size, uint64_t value);
};

struct bus_range {
	uint64_t base;
	uint64_t len;
	const struct bus_ops *ops;
	void *opaque;
};

struct bus {
	const char *name;	  /* "pio" or "mmio", for log lines */
	pthread_rwlock_t lock;	  /* ranges change rarely (BAR moves), are read on every exit */
	struct bus_range *ranges; /* sorted by base, never overlapping */
	unsigned nr;
	unsigned cap;
	unsigned unclaimed_log; /* rate-limit key for log_guest() */
	/*
	 * Linux probes many absent legacy ports at boot (0x80 port delay, 0x2f8,
	 * 0x3e8, 0x61, 0x70, 0x4d0, ...): on such a bus an unclaimed access is
	 * normal and only logged with log_info() (verbose mode). bus_init() sets
	 * it for a bus named "pio"; a caller may change it before first use.
	 */
	bool quiet_unclaimed;
};

int bus_init(struct bus *b, const char *name) __must_check;
void bus_destroy(struct bus *b);

/*
 * -EINVAL for len 0, wrap-around or NULL @ops, -EEXIST if it overlaps a
 * registered range, -ENOMEM.
 */
int bus_register(struct bus *b, uint64_t base, uint64_t len, const struct bus_ops *ops,
		 void *opaque) __must_check;
/* Remove the range that starts exactly at @base; -ENOENT if there is none. */
int bus_unregister(struct bus *b, uint64_t base) __must_check;

/*
 * Dispatch a guest access of @size bytes (1, 2, 4 or 8) at @addr; @data is in
 * guest (little-endian) byte order. An access no device claims, that
 * straddles a range's end, or of another size, reads as all-ones and its
 * writes are dropped: returns false. Safe to call from many threads at once.
 */
bool bus_read(struct bus *b, uint64_t addr, void *data, unsigned size);
bool bus_write(struct bus *b, uint64_t addr, const void *data, unsigned size);

#endif
