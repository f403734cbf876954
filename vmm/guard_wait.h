/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Waiting for ptguard before a device goes back to its host driver. ptguard
 * resets a released device from a work item, once VFIO has let go of it
 * (kmod/ptguard_owner.c): after the guard file is closed that reset is still
 * to come. A host driver bound in between would have the device reset under
 * it, or keep it unreset; so ptvm waits until QUERY says FREE.
 */
#ifndef PTVM_GUARD_WAIT_H
#define PTVM_GUARD_WAIT_H

#include "sys.h"
#include "util.h"
#include "vfio/sysfs.h"

/*
 * Wait up to @timeout_ms until ptguard has finished with @bdf (QUERY reports
 * PTGUARD_STATE_FREE). 0 also when there is no ptguard, or one without QUERY.
 * -EBUSY: a live owner holds it; -EIO: its reset after release failed;
 * -ETIMEDOUT. Each logged naming the device. System calls go through @sys.
 */
int guard_wait_free(const struct sys_ops *sys, const struct pci_bdf *bdf,
		    unsigned timeout_ms) __must_check;

#endif
