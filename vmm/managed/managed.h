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

#endif
