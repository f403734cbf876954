/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Managed devices, as libvirt's <hostdev managed='yes'>: ptvm itself moves
 * each --passthrough device from its host driver to vfio-pci before the VM
 * starts and gives it back on every way out. What it changes is recorded
 * under MANAGED_RUN_DIR first, one file per device, so that `ptvm cleanup`
 * can give the devices back after a SIGKILL or a crash.
 *
 * A device already on vfio-pci is left as it is, then and at exit. Before
 * anything changes, every device is checked: its IOMMU group must be able to
 * go to VFIO as given (every endpoint in it on vfio-pci, on no driver, or
 * given too), and a device to move must not be a bridge, hold the root
 * filesystem or the console, or be an SR-IOV PF with VFs enabled.
 */
#ifndef PTVM_MANAGED_H
#define PTVM_MANAGED_H

#include <stdio.h>

#include "sys.h"
#include "util.h"
#include "vfio/sysfs.h"

#define MANAGED_RUN_DIR "/run/ptvm"
#define MANAGED_MAX	16

/* Where the host is; tests point every path into a tree of their own. */
struct managed_env {
	const char *sysfs;	   /* NULL: /sys */
	const char *dev;	   /* where vfio/GROUP appears: "/dev" */
	const char *run;	   /* the records: MANAGED_RUN_DIR */
	const char *rootfs;	   /* the filesystem whose device must stay: "/" */
	const struct sys_ops *sys; /* ptguard's QUERY; NULL: do not wait for ptguard */
	unsigned wait_ms;	   /* for /dev/vfio/GROUP, and for ptguard's reset */
};

/* The host: /sys, /dev, /run/ptvm, "/", the real system calls. */
extern const struct managed_env managed_env_host;

struct managed;

/*
 * Check @bdfs[0..@n) as managed_detach() would, changing nothing. Logs one
 * line naming the device, the reason and the fix; -errno.
 */
int managed_check(const struct managed_env *env, const struct pci_bdf *bdfs,
		  unsigned n) __must_check;

/*
 * Check @bdfs[0..@n), then move each device not on vfio-pci there: record
 * it, bind vfio-pci, wait for /dev/vfio/GROUP. On error everything moved is
 * given back and its record removed, and the error is logged. *@out is what
 * managed_reattach() gives back.
 */
int managed_detach(const struct managed_env *env, const struct pci_bdf *bdfs, unsigned n,
		   struct managed **out) __must_check;

/*
 * After VFIO let go of the devices (and the guard file is closed): give
 * each moved device back to its driver, after ptguard's reset, and remove its
 * record. A device that could not go back keeps its record for `ptvm
 * cleanup`; the first error is returned (logged). Frees @m; NULL is fine.
 */
int managed_reattach(struct managed *m) __must_check;

/*
 * Free @m and touch no device: the forked VM process's copy, whose devices
 * the monitor's copy gives back (monitor.h). NULL is fine.
 */
void managed_forget(struct managed *m);

/*
 * Hot-plug: check @bdf and move it as managed_detach() does, adding it to
 * *@m (made if NULL) for managed_reattach() or managed_give_back_one().
 * On error it is given back and not added; logged.
 */
int managed_attach_more(const struct managed_env *env, const struct pci_bdf *bdf,
			struct managed **m) __must_check;
/*
 * Hot-unplug: give @bdf back as managed_reattach() does (after ptguard's
 * reset) and drop it from @m. 0 if @m does not hold it (it was on vfio-pci
 * already: it stays there). A device that could not go back keeps its
 * record for `ptvm cleanup`; logged.
 */
int managed_give_back_one(struct managed *m, const struct pci_bdf *bdf) __must_check;

/*
 * `ptvm cleanup`: every record whose ptvm is gone is given back and removed,
 * with one line on @out per device; records of a running ptvm are left and
 * named. Says so when there is nothing to do. 0, or the first error (logged).
 */
int managed_cleanup(const struct managed_env *env, FILE *out) __must_check;

#endif
