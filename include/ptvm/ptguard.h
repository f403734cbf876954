/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ptguard ioctl ABI: /dev/ptguard, shared by kmod/ and ptvm (vmm/guard.c).
 *
 * One open file is one owner (a VM). The owner CLAIMs the devices it will
 * pass through, before it opens them through VFIO; a claim is atomic: all
 * devices are granted or none. When the file is closed (exit, crash,
 * SIGKILL), every device it held is reset once VFIO has let go of it, and
 * only then becomes claimable again.
 *
 * Every struct is made of __u32 and char arrays only: the same layout for
 * 32- and 64-bit callers, no pointers, no implicit padding. A PCI function
 * is named by PTGUARD_ADDR(segment, bus, device, function).
 */
#ifndef PTVM_PTGUARD_H
#define PTVM_PTGUARD_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define PTGUARD_ADDR(seg, bus, dev, fn) \
	((((__u32)(seg) & 0xffff) << 16) | (((__u32)(bus) & 0xff) << 8) | \
	 (((__u32)(dev) & 0x1f) << 3) | ((__u32)(fn) & 0x7))
#define PTGUARD_ADDR_SEG(a) ((a) >> 16)
#define PTGUARD_ADDR_BUS(a) (((a) >> 8) & 0xff)
#define PTGUARD_ADDR_DEV(a) (((a) >> 3) & 0x1f)
#define PTGUARD_ADDR_FN(a)  ((a) & 0x7)
/* No device (segment 0xffff is never a PCI segment Linux hands out here). */
#define PTGUARD_ADDR_NONE   0xffffffffu

#define PTGUARD_NAME_MAX    32	/* owner and driver names, NUL included */
#define PTGUARD_REASON_MAX  256 /* one line, NUL included */
#define PTGUARD_CLAIM_MAX   16	/* devices per CLAIM call */
#define PTGUARD_QUERY_MAX   32	/* related devices a QUERY reports */

/* How a device is reset: the scope of the reset that ptguard would use. */
#define PTGUARD_RESET_NONE     0 /* nothing can reset it */
#define PTGUARD_RESET_FUNCTION 1 /* FLR, AF FLR, PM, ACPI or device-specific */
#define PTGUARD_RESET_SLOT     2 /* hotplug slot reset: every function in the slot */
#define PTGUARD_RESET_BUS      3 /* secondary bus reset: the bus and all below */

/* Reset capabilities found (ptguard_query.reset_caps). */
#define PTGUARD_CAP_DEV_SPECIFIC (1u << 0)
#define PTGUARD_CAP_ACPI	 (1u << 1)
#define PTGUARD_CAP_FLR		 (1u << 2) /* PCIe r4.0 sec 6.6.2 */
#define PTGUARD_CAP_AF_FLR	 (1u << 3) /* Advanced Features capability */
#define PTGUARD_CAP_PM		 (1u << 4) /* D3hot->D0 without No_Soft_Reset */
#define PTGUARD_CAP_SLOT	 (1u << 5)
#define PTGUARD_CAP_BUS		 (1u << 6)
#define PTGUARD_CAP_FUNCTION                                                   \
	(PTGUARD_CAP_DEV_SPECIFIC | PTGUARD_CAP_ACPI | PTGUARD_CAP_FLR |      \
	 PTGUARD_CAP_AF_FLR | PTGUARD_CAP_PM)

/* What a device is to ptguard (ptguard_dev_info.state). */
#define PTGUARD_STATE_FREE	   0 /* no owner */
#define PTGUARD_STATE_HELD	   1 /* claimed by a live owner */
#define PTGUARD_STATE_RESET_PENDING 2 /* owner gone; waits for VFIO, then reset */
#define PTGUARD_STATE_RESET_FAILED  3 /* owner gone, reset failed: unclaimable */

/* ptguard_dev_info.flags: why a device is in a QUERY answer. */
#define PTGUARD_REL_SELF	(1u << 0) /* the queried device */
#define PTGUARD_REL_RESET_DOMAIN (1u << 1) /* its reset reaches this device */
#define PTGUARD_REL_IOMMU_GROUP	(1u << 2) /* same IOMMU group */
#define PTGUARD_REL_BRIDGE	(1u << 3) /* a bridge (has a subordinate bus) */

/* ptguard_claim.flags */
#define PTGUARD_CLAIM_ALLOW_NO_RESET (1u << 0) /* take devices nothing can reset */

/*
 * CLAIM: 0 granted; -EBUSY another owner, a host driver or a pending reset
 * is in the way; -EPERM a device has no reset method and the claim did not
 * allow it; -ENODEV no such device; -EINVAL malformed. On refusal @blocker
 * is the device in the way and @reason one line naming it and its holder.
 */
struct ptguard_claim {
	__u32 flags;			  /* in: PTGUARD_CLAIM_* */
	__u32 nr_devs;			  /* in: 1..PTGUARD_CLAIM_MAX */
	__u32 devs[PTGUARD_CLAIM_MAX];	  /* in: PTGUARD_ADDR() */
	char owner[PTGUARD_NAME_MAX];	  /* in: the owner's name (first claim sets it) */
	__u32 blocker;			  /* out: PTGUARD_ADDR() or PTGUARD_ADDR_NONE */
	__u32 reserved;			  /* must be 0 */
	char reason[PTGUARD_REASON_MAX];  /* out: "" when granted */
};

struct ptguard_dev_info {
	__u32 addr;			  /* PTGUARD_ADDR() */
	__u32 flags;			  /* PTGUARD_REL_* */
	__u32 state;			  /* PTGUARD_STATE_* */
	__u32 owner_pid;		  /* 0 when FREE */
	char owner[PTGUARD_NAME_MAX];	  /* "" when FREE */
	char driver[PTGUARD_NAME_MAX];	  /* bound host driver, "" if none */
};

/*
 * QUERY one device: its reset method and capabilities, its reset domain and
 * IOMMU group (related[0] is the device itself), who holds each, and whether
 * the caller could CLAIM it alone (@claimable, else @reason says why).
 */
struct ptguard_query {
	__u32 addr;			  /* in */
	__u32 flags;			  /* in: PTGUARD_CLAIM_* to evaluate with */
	__u32 reset_method;		  /* out: PTGUARD_RESET_* */
	__u32 reset_caps;		  /* out: PTGUARD_CAP_* */
	__u32 iommu_group;		  /* out: group id, 0xffffffff if none */
	__u32 claimable;		  /* out: 1 or 0 */
	__u32 nr_related;		  /* out: all related (may exceed QUERY_MAX) */
	__u32 reserved;			  /* must be 0 */
	struct ptguard_dev_info related[PTGUARD_QUERY_MAX];
	char reason[PTGUARD_REASON_MAX];  /* out: why not claimable, else "" */
};

/*
 * RESET a device the caller holds: a function reset, or a slot/bus reset when
 * the caller holds (or nobody uses) every device the reset reaches.
 */
struct ptguard_reset {
	__u32 addr;			  /* in */
	__u32 method;			  /* out: PTGUARD_RESET_* used */
	char reason[PTGUARD_REASON_MAX];  /* out: why refused, else "" */
};

/*
 * RELEASE devices before close: they are reset (once VFIO lets go) and then
 * become claimable. A device whose reset domain holds other devices of the
 * caller is released only together with them (-EBUSY otherwise).
 */
#define PTGUARD_RELEASE_ALL (1u << 0)
struct ptguard_release {
	__u32 addr;			  /* in: ignored with PTGUARD_RELEASE_ALL */
	__u32 flags;			  /* in: PTGUARD_RELEASE_* */
	char reason[PTGUARD_REASON_MAX];  /* out: why refused, else "" */
};

#define PTGUARD_TYPE	0xE7
#define PTGUARD_CLAIM	_IOWR(PTGUARD_TYPE, 0x00, struct ptguard_claim)
#define PTGUARD_QUERY	_IOWR(PTGUARD_TYPE, 0x01, struct ptguard_query)
#define PTGUARD_RESET	_IOWR(PTGUARD_TYPE, 0x02, struct ptguard_reset)
#define PTGUARD_RELEASE	_IOWR(PTGUARD_TYPE, 0x03, struct ptguard_release)

#endif
