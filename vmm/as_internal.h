/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the guest address space (as.c: regions, staging, dispatch;
 * as_commit.c: the flat view and its memslots). Not for users: see as.h.
 */
#ifndef PTVM_AS_INTERNAL_H
#define PTVM_AS_INTERNAL_H

#include <pthread.h>

#include "as.h"

struct as_region {
	struct as *as;
	struct as_region *next; /* in order of addition */
	const char *name;
	enum as_prio prio;
	const struct bus_ops *ops;
	void *opaque;
	uint64_t base, len; /* len 0: not placed */
	struct as_map maps[AS_MAX_MAPS];
	unsigned nr_maps;
	bool dead;
};

/* One range of the flat view. */
struct as_range {
	uint64_t start, len;
	const struct as_region *r; /* valid only inside a commit */
	const char *name;
	uint64_t rbase; /* the region's base: handler offsets are from here */
	const struct bus_ops *ops;
	void *opaque;
	void *hva; /* memory ranges */
	int slot;  /* memory ranges */
};

struct as_view {
	struct as_range *traps; /* sorted by start, never overlapping */
	unsigned nr_traps;
	struct as_range *mems;
	unsigned nr_mems;
};

struct as {
	const char *name;
	struct as_slot_ops slots;
	bool has_slots;
	pthread_mutex_t lock;
	pthread_rwlock_t view_lock;
	struct as_region *regions;
	struct as_view view;
	uint64_t slot_used[AS_MAX_SLOTS / 64];
	unsigned log_key;
	unsigned quiet_key; /* unclaimed accesses logged on a quiet space */
	bool quiet_unclaimed;
};

/* Free a view's arrays (not the regions). */
void as_view_free(struct as_view *v);

#endif
