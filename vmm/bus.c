// SPDX-License-Identifier: GPL-2.0
/*
 * The PIO/MMIO range bus: a sorted array of non-overlapping ranges, found by
 * binary search under a read lock. The lock covers only the lookup; the
 * device handler runs unlocked so that it may itself move ranges (a guest
 * reprogramming a BAR through config space reaches bus_register() from inside
 * a dispatch, and a rwlock cannot be upgraded).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"

/* Unclaimed accesses a quiet bus reports in verbose mode before going silent. */
#define BUS_QUIET_BURST 32

int bus_init(struct bus *b, const char *name)
{
	int ret;

	memset(b, 0, sizeof(*b));
	b->name = name;
	b->quiet_unclaimed = name && strcmp(name, "pio") == 0;
	ret = pthread_rwlock_init(&b->lock, NULL);
	if (ret) {
		log_err("bus %s: pthread_rwlock_init: %s", name, strerror(ret));
		return -ret;
	}
	return 0;
}

void bus_destroy(struct bus *b)
{
	pthread_rwlock_destroy(&b->lock);
	free(b->ranges);
	b->ranges = NULL;
	b->nr = 0;
	b->cap = 0;
}

/* Index of the first range whose base is above @addr (0..nr). Lock held. */
static unsigned bus_upper_bound(const struct bus *b, uint64_t addr)
{
	unsigned lo = 0, hi = b->nr;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (b->ranges[mid].base <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The range containing @addr, or NULL. Lock held. */
static const struct bus_range *bus_find(const struct bus *b, uint64_t addr)
{
	unsigned i = bus_upper_bound(b, addr);
	const struct bus_range *r;

	if (i == 0)
		return NULL;
	r = &b->ranges[i - 1];
	return addr - r->base < r->len ? r : NULL;
}

static int bus_grow(struct bus *b)
{
	unsigned cap = b->cap ? b->cap * 2 : 16;
	struct bus_range *n;

	n = realloc(b->ranges, cap * sizeof(*n));
	if (!n)
		return -ENOMEM;
	b->ranges = n;
	b->cap = cap;
	return 0;
}

int bus_register(struct bus *b, uint64_t base, uint64_t len, const struct bus_ops *ops,
		 void *opaque)
{
	uint64_t last = base + len - 1;
	unsigned i;
	int ret = 0;

	if (!len || last < base || !ops)
		return -EINVAL;

	pthread_rwlock_wrlock(&b->lock);
	i = bus_upper_bound(b, base);
	/* Neighbours: ranges[i - 1] starts at or below base, ranges[i] above it. */
	if (i > 0 && base - b->ranges[i - 1].base < b->ranges[i - 1].len) {
		ret = -EEXIST;
		goto out;
	}
	if (i < b->nr && b->ranges[i].base <= last) {
		ret = -EEXIST;
		goto out;
	}
	if (b->nr == b->cap) {
		ret = bus_grow(b);
		if (ret)
			goto out;
	}
	memmove(&b->ranges[i + 1], &b->ranges[i], (b->nr - i) * sizeof(b->ranges[0]));
	b->ranges[i] = (struct bus_range){
		.base = base,
		.len = len,
		.ops = ops,
		.opaque = opaque,
	};
	b->nr++;
out:
	pthread_rwlock_unlock(&b->lock);
	return ret;
}

int bus_unregister(struct bus *b, uint64_t base)
{
	unsigned i;
	int ret = -ENOENT;

	pthread_rwlock_wrlock(&b->lock);
	i = bus_upper_bound(b, base);
	if (i > 0 && b->ranges[i - 1].base == base) {
		i--;
		memmove(&b->ranges[i], &b->ranges[i + 1], (b->nr - i - 1) * sizeof(b->ranges[0]));
		b->nr--;
		ret = 0;
	}
	pthread_rwlock_unlock(&b->lock);
	return ret;
}

/*
 * Copy out the range that wholly contains [addr, addr + size), so the
 * handler can run after the lock is dropped. False if there is none.
 */
static bool bus_claim(struct bus *b, uint64_t addr, unsigned size, struct bus_range *out)
{
	const struct bus_range *r;
	bool ok = false;

	if (size != 1 && size != 2 && size != 4 && size != 8)
		return false;
	pthread_rwlock_rdlock(&b->lock);
	r = bus_find(b, addr);
	/* Straddling the range's end is unclaimed, not split. */
	if (r && size <= r->len - (addr - r->base)) {
		*out = *r;
		ok = true;
	}
	pthread_rwlock_unlock(&b->lock);
	return ok;
}

static void bus_log_unclaimed(struct bus *b, const char *dir, uint64_t addr, unsigned size)
{
	if (b->quiet_unclaimed) {
		if (__atomic_fetch_add(&b->unclaimed_log, 1, __ATOMIC_RELAXED) < BUS_QUIET_BURST)
			log_info("%s: unclaimed %s of %u bytes at 0x%llx", b->name, dir, size,
				 (unsigned long long)addr);
		return;
	}
	log_guest(&b->unclaimed_log, "%s: unclaimed %s of %u bytes at 0x%llx", b->name, dir, size,
		  (unsigned long long)addr);
}

bool bus_read(struct bus *b, uint64_t addr, void *data, unsigned size)
{
	struct bus_range r;
	uint8_t *p = data;
	uint64_t v = ~0ULL;
	unsigned i;

	if (!bus_claim(b, addr, size, &r)) {
		bus_log_unclaimed(b, "read", addr, size);
		memset(data, 0xff, size);
		return false;
	}
	if (r.ops->read)
		v = r.ops->read(r.opaque, addr - r.base, size);
	/* Guest byte order is little-endian whatever the host's. */
	for (i = 0; i < size; i++)
		p[i] = v >> (8 * i);
	return true;
}

bool bus_write(struct bus *b, uint64_t addr, const void *data, unsigned size)
{
	struct bus_range r;
	const uint8_t *p = data;
	uint64_t v = 0;
	unsigned i;

	if (!bus_claim(b, addr, size, &r)) {
		bus_log_unclaimed(b, "write", addr, size);
		return false;
	}
	for (i = 0; i < size; i++)
		v |= (uint64_t)p[i] << (8 * i);
	if (r.ops->write)
		r.ops->write(r.opaque, addr - r.base, size, v);
	return true;
}
