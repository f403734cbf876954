/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptguard from ptvm's side: claim every --passthrough device through
 * /dev/ptguard (kmod/, ABI in include/ptvm/ptguard.h) before VFIO opens
 * them. The kernel then refuses a device whose reset would reach a device of
 * another VM or of a host driver, and resets the devices after ptvm exits,
 * however it exits: the claim lives as long as the returned file descriptor.
 *
 * ptguard is not optional: without /dev/ptguard ptvm loads the module, and
 * when that fails it refuses to pass devices through unless --no-guard says
 * to go on without it (GUARD_OFF).
 */
#ifndef PTVM_GUARD_H
#define PTVM_GUARD_H

#include "sys.h"
#include "util.h"
#include "vfio/sysfs.h"

#define GUARD_PATH   "/dev/ptguard"
#define GUARD_MODULE "ptguard"
#define GUARD_KO     "ptguard.ko"

/* guard_claim() flags. */
#define GUARD_ALLOW_NO_RESET (1u << 0) /* take devices nothing can reset */
#define GUARD_OFF	     (1u << 1) /* --no-guard: do not use ptguard at all */

/*
 * Claim @bdfs[0..@n) for @owner (at most 31 characters) in one atomic call.
 * 0: granted, *@fd_out is the open guard file; keep it open for the VM's
 * life and close it after the VFIO devices (closing releases and resets).
 *
 * Without /dev/ptguard the module is loaded first, trying in this order:
 *   1. `modprobe ptguard`: an installed module (make install, dkms);
 *   2. DIR/ptguard.ko, DIR being the directory of the running ptvm binary
 *      (a module shipped beside it, as in the rig's L1);
 *   3. DIR/../kmod/ptguard.ko: the source tree's own `make kmod` output,
 *      for build/ptvm and build/ptvm-static.
 * If none loads, one line names what was tried and the fix, and the answer
 * is -ENOENT. With GUARD_OFF nothing is opened or loaded: two lines say what
 * is then not protected, and the answer is 0 with *@fd_out = -1.
 * Otherwise the kernel's refusal (-EBUSY, -EPERM, -ENODEV...) is logged as
 * "ptguard: refused: <reason>". Every system call goes through @sys.
 */
int guard_claim(const struct sys_ops *sys, const char *owner, const struct pci_bdf *bdfs,
		unsigned n, unsigned flags, int *fd_out) __must_check;

/*
 * An open /dev/ptguard in *@fd_out, claiming nothing yet, loading the
 * module as guard_claim() does. -errno, logged.
 */
int guard_open(const struct sys_ops *sys, int *fd_out) __must_check;

/*
 * Hot-plug: claim @bdf too, on the guard file *@fd (or, with none yet, as
 * guard_claim() does, opening it into *@fd). GUARD_OFF: nothing, 0.
 */
int guard_claim_more(const struct sys_ops *sys, const char *owner, const struct pci_bdf *bdf,
		     unsigned flags, int *fd) __must_check;
/*
 * Hot-unplug: PTGUARD_RELEASE of @bdf alone, after its VFIO device and
 * group are closed: ptguard resets it once VFIO let go and then frees it.
 * @fd < 0 (--no-guard): 0. The kernel's refusal is logged; -errno.
 */
int guard_release(const struct sys_ops *sys, int fd, const struct pci_bdf *bdf) __must_check;

/*
 * Say which resets @bdf really gets: VFIO's function reset before the guest
 * starts and after it stops (@vfio_reset: the device reported
 * VFIO_DEVICE_FLAGS_RESET), named after the first entry of its sysfs
 * reset_method (the order pci_reset_function() tries), and the reset after
 * ptvm exits: ptguard's (PTGUARD_QUERY on @guard_fd: function, slot or bus
 * reset, and the devices a slot or bus reset also reaches), or VFIO's
 * best-effort one under --no-guard (@guard_fd < 0). One line per device;
 * logged always when ptvm itself cannot reset the device, else with
 * --verbose only. @sysfs_root NULL means /sys.
 */
void guard_log_reset(const struct sys_ops *sys, int guard_fd, const char *sysfs_root,
		     const struct pci_bdf *bdf, bool vfio_reset);

#endif
