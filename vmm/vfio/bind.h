/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Moving a PCI function between its host driver and vfio-pci through the
 * driver core's sysfs files (Documentation/ABI/testing/sysfs-bus-pci:
 * driver_override, drivers/.../unbind, drivers_probe), the way
 * Documentation/driver-api/vfio.rst binds a device and scripts/bind-vfio
 * does by hand. Every file goes through vfio/sysfs.c, under a root a test
 * can point at a fake tree.
 */
#ifndef PTVM_VFIO_BIND_H
#define PTVM_VFIO_BIND_H

#include "vfio/sysfs.h"

/*
 * Give @bdf, now bound to @driver ("" for none), to vfio-pci:
 * driver_override = vfio-pci, unbind from @driver, drivers_probe, and check
 * that vfio-pci took it. Logs the step that failed; the device may then be
 * half-way (override set, unbound): bind_restore() undoes any of it.
 */
int bind_vfio(const char *root, const struct pci_bdf *bdf, const char *driver) __must_check;

/*
 * Give @bdf back to @driver ("" for none): clear driver_override, unbind from
 * whatever has it if that is not @driver, drivers_probe when @driver is not
 * "", and check that @driver has it again. Logs the step that failed.
 */
int bind_restore(const char *root, const struct pci_bdf *bdf, const char *driver) __must_check;

/*
 * Wait up to @timeout_ms for @path (/dev/vfio/GROUP) to appear: devtmpfs
 * creates it when vfio-pci registers the group. Logs a timeout (-ETIMEDOUT).
 */
int bind_wait_node(const struct pci_bdf *bdf, const char *path, unsigned timeout_ms) __must_check;

#endif
