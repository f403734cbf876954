/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a device offers for the guest accesses that reach it through an
 * address space (as.h): PIO or MMIO exits of the vCPU loop. Devices see only
 * offsets into their own range and their opaque pointer.
 */
#ifndef PTVM_BUS_H
#define PTVM_BUS_H

#include "util.h"

/*
 * Either handler may be NULL (reads then return all-ones, writes are
 * dropped). Handlers run without any address-space lock held, so they may
 * move regions (a BAR move) and commit.
 */
struct bus_ops {
	/* @offset is relative to the region's base; @size is 1, 2, 4 or 8. */
	uint64_t (*read)(void *opaque, uint64_t offset, unsigned size);
	void (*write)(void *opaque, uint64_t offset, unsigned size, uint64_t value);
};

#endif
