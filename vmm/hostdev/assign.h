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
 * about the function itself stops it (bridges, no IOMMU group, an SR-IOV
 * PF with VFs enabled, no reset).
 * Who holds it and its peers now is assign_claim()'s business.
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

/* What a claim of a function would need done first. */
struct assign_claim {
	int ret;			 /* ptg_decide_claim() as the host is now: 0 granted */
	char reason[PTGUARD_REASON_MAX]; /* its refusal, "" when granted */
	/*
	 * What it takes: "pass them too: --passthrough A --passthrough B" and/or
	 * unbinding bridges; "" if nothing.
	 */
	char fix[ASSIGN_TEXT_MAX];
	/* The host driver managed mode takes the function from, "" if none. */
	char moved_from[64];
};

/*
 * Would ptguard grant @i to a VM that passes through @set[0..@n) (which may
 * hold @i) as `ptvm run --passthrough` claims them? The others of @set count
 * as held by that VM, and every endpoint of @set and @i as on vfio-pci, where
 * managed mode puts them (what @i is moved from goes in @c->moved_from). On refusal, the policy is
 * asked again with each blocking function moved off its host driver (endpoints to vfio-pci, bridges
 * to no driver, as vfio-pci takes no bridges) to collect everything that has to move. -ENOMEM, or 0
 * with @c filled.
 */
int assign_claim(const struct topo *t, unsigned i, const unsigned *set, unsigned n,
		 struct assign_claim *c) __must_check;

#endif
