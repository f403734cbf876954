/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptguard from ptvm's side: claim every --passthrough device through
 * /dev/ptguard (kmod/, ABI in include/ptvm/ptguard.h) before VFIO opens
 * them. The kernel then refuses a device whose reset would reach a device of
 * another VM or of a host driver, and resets the devices after ptvm exits,
 * however it exits: the claim lives as long as the returned file descriptor.
 */
#ifndef PTVM_GUARD_H
#define PTVM_GUARD_H

#include "sys.h"
#include "util.h"
#include "vfio/sysfs.h"

#define GUARD_PATH "/dev/ptguard"

/*
 * Claim @bdfs[0..@n) for @owner (at most 31 characters) in one atomic call.
 * 0: granted, *@fd_out is the open guard file; keep it open for the VM's
 * life and close it after the VFIO devices (closing releases and resets).
 * 0 with *@fd_out = -1: no ptguard here (no /dev/ptguard, or a module that
 * does not implement CLAIM); warned once per process. Otherwise the kernel's
 * refusal (-EBUSY, -EPERM, -ENODEV...), logged as "ptguard: refused: <reason>".
 * All system calls go through @sys.
 */
int guard_claim(const struct sys_ops *sys, const char *owner, const struct pci_bdf *bdfs,
		unsigned n, bool allow_no_reset, int *fd_out) __must_check;

/* Tests: forget that the "not present" warning was given. */
void guard_forget_warning(void);

#endif
