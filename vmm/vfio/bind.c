// SPDX-License-Identifier: GPL-2.0
/*
 * Host driver <-> vfio-pci through the driver core's sysfs files
 * (Documentation/ABI/testing/sysfs-bus-pci):
 *
 *   driver_override   "the device will only bind to a driver matching the
 *                     override"; an empty write (echo >) clears it
 *   drivers/X/unbind  writing the device's name detaches it from driver X
 *   drivers_probe     writing the device's name lets the driver core find
 *                     it a driver again: the override, else the ID match
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "vfio/bind.h"

#define BIND_VFIO_DRIVER "vfio-pci"
/* How often bind_wait_node() looks for the group node. */
#define BIND_POLL_MS 10

static const char *bind_driver_name(const char *driver)
{
	return driver[0] ? driver : "no driver";
}

/* Write @val to @rel; on failure log "@name: @what: <error>". */
static int bind_write(const char *root, const char *name, const char *rel, const char *val,
		      const char *what)
{
	int ret = sysfs_write(root, rel, val);

	if (ret)
		log_err("%s: %s failed: %s", name, what, strerror(-ret));
	return ret;
}

static int bind_unbind(const char *root, const char *name, const char *driver)
{
	char rel[PATH_MAX], what[SYSFS_DRIVER_MAX + 16];

	snprintf(rel, sizeof(rel), "bus/pci/drivers/%s/unbind", driver);
	snprintf(what, sizeof(what), "unbind from %s", driver);
	return bind_write(root, name, rel, name, what);
}

static int bind_probe(const char *root, const char *name)
{
	return bind_write(root, name, "bus/pci/drivers_probe", name, "drivers_probe");
}

static int bind_driver_now(const char *root, const struct pci_bdf *bdf, const char *name, char *now)
{
	int ret = sysfs_pci_driver(root, bdf, now, SYSFS_DRIVER_MAX);

	if (ret)
		log_err("%s: cannot read its driver link: %s", name, strerror(-ret));
	return ret;
}

int bind_vfio(const char *root, const struct pci_bdf *bdf, const char *driver)
{
	char name[PCI_BDF_STRLEN], rel[64], now[SYSFS_DRIVER_MAX];
	int ret;

	pci_bdf_format(bdf, name);
	snprintf(rel, sizeof(rel), "bus/pci/devices/%s/driver_override", name);
	/*
	 * The override before the unbind: from then on only vfio-pci may take
	 * the device, so its own driver cannot grab it back in between (on a
	 * rescan, or a module load doing its ID match).
	 */
	ret = bind_write(root, name, rel, BIND_VFIO_DRIVER, "driver_override = " BIND_VFIO_DRIVER);
	if (!ret && driver[0])
		ret = bind_unbind(root, name, driver);
	if (!ret)
		ret = bind_probe(root, name);
	if (!ret)
		ret = bind_driver_now(root, bdf, name, now);
	if (ret)
		return ret;
	if (strcmp(now, BIND_VFIO_DRIVER)) {
		log_err("%s: vfio-pci did not bind (driver now: %s; see dmesg)", name,
			bind_driver_name(now));
		return -EIO;
	}
	return 0;
}

int bind_restore(const char *root, const struct pci_bdf *bdf, const char *driver)
{
	char name[PCI_BDF_STRLEN], rel[64], now[SYSFS_DRIVER_MAX];
	int ret;

	pci_bdf_format(bdf, name);
	snprintf(rel, sizeof(rel), "bus/pci/devices/%s/driver_override", name);
	/*
	 * First, so that the probe below matches by ID again, not vfio-pci. An
	 * override that is not set reads "(null)": nothing to clear.
	 */
	ret = sysfs_read(root, rel, now, sizeof(now));
	if (ret || (now[0] && strcmp(now, "(null)")))
		ret = bind_write(root, name, rel, "\n", "clearing driver_override");
	if (!ret)
		ret = bind_driver_now(root, bdf, name, now);
	if (ret || !strcmp(now, driver))
		return ret;
	if (now[0])
		ret = bind_unbind(root, name, now);
	/* A device that had no driver stays without one: no probe. */
	if (!ret && driver[0])
		ret = bind_probe(root, name);
	if (!ret)
		ret = bind_driver_now(root, bdf, name, now);
	if (ret)
		return ret;
	if (strcmp(now, driver)) {
		log_err("%s: %s did not bind again (driver now: %s; see dmesg)", name,
			bind_driver_name(driver), bind_driver_name(now));
		return -EIO;
	}
	return 0;
}

int bind_wait_node(const struct pci_bdf *bdf, const char *path, unsigned timeout_ms)
{
	const struct timespec nap = {0, BIND_POLL_MS * 1000000L};
	char name[PCI_BDF_STRLEN];
	struct stat st;

	for (unsigned waited = 0;; waited += BIND_POLL_MS) {
		if (!stat(path, &st))
			return 0;
		if (waited >= timeout_ms)
			break;
		nanosleep(&nap, NULL);
	}
	log_err("%s: %s did not appear within %u ms of binding vfio-pci", pci_bdf_format(bdf, name),
		path, timeout_ms);
	return -ETIMEDOUT;
}
