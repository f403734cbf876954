/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptguard's pure part: given a snapshot of the PCI topology (who is where,
 * what reset each function has, IOMMU groups, drivers, owners), compute the
 * reset domain of a device and decide a claim. No kernel object is touched
 * here, so the same file builds in the module and in the cmocka unit tests
 * (tests/unit/test_ptguard_policy.c includes ptguard_policy.c directly).
 */
#ifndef PTGUARD_POLICY_H
#define PTGUARD_POLICY_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
typedef __u8 u8;
typedef __u32 u32;
#endif

#include <ptvm/ptguard.h>

#define PTG_NO_GROUP 0xffffffffu

/* One PCI function as the policy sees it. */
struct ptg_dev {
	u32 addr;	 /* PTGUARD_ADDR() */
	u8 bus_last;	 /* last bus number routed below this device's bus */
	bool bridge;	 /* has a subordinate bus ... */
	u8 sec, sub;	 /* ... with these secondary and subordinate numbers */
	u32 caps;	 /* PTGUARD_CAP_* */
	u32 group;	 /* IOMMU group id or PTG_NO_GROUP */
	bool vfio_open;	 /* its IOMMU group has a user-space DMA owner (VFIO) */
	bool kernel_dma; /* its driver uses the kernel DMA API (not driver_managed_dma) */
	char driver[PTGUARD_NAME_MAX]; /* "" if none */
	/* Holder: owner 0 means free (state PTGUARD_STATE_FREE). */
	u32 owner;
	u32 state; /* PTGUARD_STATE_* */
	u32 owner_pid;
	char owner_name[PTGUARD_NAME_MAX];
};

struct ptg_topo {
	struct ptg_dev *devs;
	unsigned int nr;
};

/* A refusal: the device in the way (index, or -1) and one line saying why. */
struct ptg_verdict {
	int blocker;
	char reason[PTGUARD_REASON_MAX];
};

/* Index of @addr in @t, or -ENODEV. */
int ptg_find(const struct ptg_topo *t, u32 addr);

/* The reset ptguard uses for @d: PTGUARD_RESET_FUNCTION, _SLOT, _BUS or _NONE. */
unsigned int ptg_reset_method(const struct ptg_dev *d);

/* True for vfio-pci and its variant drivers (names ending in "vfio-pci"/"vfio_pci"). */
bool ptg_driver_is_vfio(const char *driver);

/* PTGUARD_REL_* bits saying how @x relates to @d (0: unrelated). */
u32 ptg_relation(const struct ptg_topo *t, unsigned int d, unsigned int x);

/*
 * May @owner (non-zero) claim the devices @idx[0..@n) of @t together?
 * 0 if granted; -EBUSY (someone or something else is in the way), -EPERM
 * (no reset method without PTGUARD_CLAIM_ALLOW_NO_RESET, or no IOMMU group),
 * with @v filled. Pure: @t is not changed.
 */
int ptg_decide_claim(const struct ptg_topo *t, u32 owner, const unsigned int *idx, unsigned int n,
		     u32 flags, struct ptg_verdict *v);

/*
 * May @owner reset device @d now? It must hold @d, and every other device the
 * reset reaches must be held by @owner too (in any state) or idle. 0, or
 * -EPERM (not the holder), -ENOTTY (no reset method), -EBUSY, with @v filled.
 */
int ptg_check_reset(const struct ptg_topo *t, u32 owner, unsigned int d, struct ptg_verdict *v);

/*
 * May @owner release @idx[0..@n) while keeping its other devices? Not if the
 * release reset of one reaches a device @owner keeps: -EBUSY with @v filled.
 */
int ptg_check_release(const struct ptg_topo *t, u32 owner, const unsigned int *idx, unsigned int n,
		      struct ptg_verdict *v);

#endif
