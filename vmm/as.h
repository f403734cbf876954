/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A guest address space: guest-physical memory (MMIO) or I/O ports (PIO).
 *
 * Everything that decodes addresses is a region: guest RAM, the chipset's
 * fixed ranges, a BAR. A region has a priority, a place (base, length, or
 * none), handlers for the accesses that exit to ptvm, and maps: the parts
 * that are host memory (RAM, a BAR's mmap) and go into the guest as KVM
 * memslots, so that accesses there never exit.
 *
 * Changes are staged (as_region_place, as_region_set_maps, as_region_del)
 * and take effect at as_commit(), which computes the flat view: at every
 * address, the placed region of highest priority (of equal priorities, the
 * one added first) decides. Overlaps therefore resolve themselves and clear
 * themselves when their cause goes away: a BAR moved onto RAM is hidden by
 * the RAM, and where it is moved off again it is seen again. A commit
 * deletes the memslots that left the view before it creates new ones (KVM
 * memslots never overlap), then swaps the table trapped accesses are
 * dispatched from.
 *
 * Trapped accesses reach a region's handlers with offsets from the region's
 * base, and with the opaque pointer it was added with: no handler ever sees
 * a pointer into the flat view, which a commit on another vCPU may replace.
 * A region's opaque object must outlive every dispatch (devices are freed
 * only after the vCPUs stopped).
 *
 * Where a map cannot become a memslot (no slot left, an unaligned edge from
 * an overlap, KVM refusing it), its accesses are trapped instead, so a
 * region with handlers always works, only slower; a region without
 * handlers (RAM) makes the commit fail.
 */
#ifndef PTVM_AS_H
#define PTVM_AS_H

#include "bus.h"

#define AS_MAX_MAPS 32
#define AS_PAGE	    SZ_4K

/* Who wins where regions overlap (higher wins). */
enum as_prio {
	AS_PRIO_BAR = 0,    /* PCI BARs: the guest places them anywhere */
	AS_PRIO_SYSTEM = 1, /* chipset: ECAM, legacy ports, the in-kernel APICs */
	AS_PRIO_RAM = 2,    /* RAM below a BAR stays RAM, as on a PC chipset */
};

struct as_map {
	uint64_t off, len; /* within the region, page aligned */
	void *hva;	   /* host address of @off, page aligned */
};

/* How the MMIO space reaches KVM: KVM_SET_USER_MEMORY_REGION. */
struct as_slot_ops {
	/* Create slot @slot at @gpa, or delete it (@size 0). 0 or -errno. */
	int (*set)(void *opaque, unsigned slot, uint64_t gpa, uint64_t size, void *hva);
	void *opaque;
	unsigned nr_slots; /* slots KVM offers; at most AS_MAX_SLOTS are used */
};

#define AS_MAX_SLOTS 512

struct as;
struct as_region;

/* @slots NULL: no memslots (the PIO space); maps are then ignored. */
int as_create(struct as **out, const char *name, const struct as_slot_ops *slots) __must_check;
/* Deletes every memslot the space created. */
void as_destroy(struct as *as);

/*
 * A new region, not placed. @ops may be NULL: accesses that reach it are
 * unclaimed (a hole that keeps lower regions away, e.g. from the range an
 * in-kernel device decodes). @name is kept by reference (a literal or the
 * device's own string).
 */
int as_region_add(struct as *as, const char *name, enum as_prio prio, const struct bus_ops *ops,
		  void *opaque, struct as_region **out) __must_check;
/*
 * Staged: place at [base, base + len), which must end below 2^64 (-EINVAL);
 * len 0 takes the region out of the view.
 */
int as_region_place(struct as_region *r, uint64_t base, uint64_t len) __must_check;
/* Staged: the parts of the region that are host memory; -EINVAL for a bad map. */
int as_region_set_maps(struct as_region *r, const struct as_map *maps, unsigned nr) __must_check;
/* Staged: remove the region; @r is invalid once this returns. NULL is a no-op. */
void as_region_del(struct as_region *r);
/*
 * Apply what is staged. 0, or -errno if a map of a region without handlers
 * could not become a memslot (the view then lacks it; logged).
 */
int as_commit(struct as *as) __must_check;

/* Add, place and commit a region at a fixed place: the chipset's ranges. */
int as_add_fixed(struct as *as, const char *name, uint64_t base, uint64_t len,
		 const struct bus_ops *ops, void *opaque) __must_check;

/*
 * Dispatch a guest access of @size bytes (1, 2, 4 or 8) at @addr; @data in
 * guest (little-endian) byte order. An access no handler claims, that
 * straddles the end of a trapped range, or of another size, reads as
 * all-ones and its writes are dropped: returns false. Any thread.
 */
bool as_read(struct as *as, uint64_t addr, void *data, unsigned size);
bool as_write(struct as *as, uint64_t addr, const void *data, unsigned size);

/* What serves @addr in the committed view (tests, --verbose). */
enum as_kind {
	AS_NONE,
	AS_TRAP, /* exits to the region's handlers (or a hole) */
	AS_MEM,	 /* a memslot */
};

struct as_info {
	enum as_kind kind;
	const char *name; /* the region's */
	uint64_t off;	  /* from the region's base */
	void *hva;	  /* AS_MEM: host address of @addr */
	int slot;	  /* AS_MEM: the memslot */
};

void as_lookup(struct as *as, uint64_t addr, struct as_info *out);
/* Memslots in use now. */
unsigned as_slots_used(struct as *as);

#endif
