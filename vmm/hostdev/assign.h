/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Can a host function be passed through, and what goes with it? Shared by
 * `ptvm devices` and `ptvm check`. Which functions a reset reaches and
 * whether a claim is granted are kmod/ptguard_policy.c's answers, computed
 * on the sysfs snapshot of topo.c: the same rules ptguard.ko applies.
 */
#ifndef PTVM_HOSTDEV_ASSIGN_H
#define PTVM_HOSTDEV_ASSIGN_H

#include "hostdev/topo.h"

#define ASSIGN_TEXT_MAX 512

/* Why a function can never go to a guest, and what to do instead. */
struct assign_block {
	const char *reason; /* NULL: assignable */
	const char *fix;
};

/*
 * What kind of function @i is for passthrough: NULL reason when nothing
 * about the function itself stops it (bridges, no IOMMU group, no reset).
 * Who holds it and its peers now is another matter.
 */
void assign_assess(const struct topo *t, unsigned i, struct assign_block *b);

/* The reset ptguard would use on @i: "function", "slot", "bus" or "none". */
const char *assign_reset_name(const struct topo *t, unsigned i);

/*
 * The other functions related to @i by @rel (PTGUARD_REL_IOMMU_GROUP: its
 * IOMMU group; PTGUARD_REL_RESET_DOMAIN: those its reset reaches), in address
 * order, as "0000:01:00.0=pcieport, 0000:02:02.0=none" ("" when there are
 * none) into @buf (@len bytes); returns how many.
 */
unsigned assign_peers_text(const struct topo *t, unsigned i, u32 rel, char *buf, size_t len);

#endif
