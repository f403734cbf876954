/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's driver core, simulated on a fake sysfs tree
 * (vfio_fake_sysfs.h) through sysfs.c's write hook. The files are real; the
 * hook does what the kernel does inside write(2) on them
 * (Documentation/ABI/testing/sysfs-bus-pci):
 *
 *   devices/BDF/driver_override  kept as written; "\n" clears it ("(null)")
 *   drivers/X/unbind             BDF: the device's driver link goes
 *                                (-ENODEV if X does not have it)
 *   drivers_probe                BDF: a device with no driver gets the one
 *                                its override names, else its native one,
 *                                if that driver is registered
 *
 * Binding vfio-pci makes dev/vfio/GROUP in the tree, as devtmpfs would.
 * Every write is logged in order; a write can be scripted to fail, a driver
 * to refuse to probe. With run_dir set, the first change to a device checks
 * that its record is already there. One per test binary (the hook has no
 * opaque pointer).
 */
#ifndef PTVM_TEST_FAKE_DRIVER_CORE_H
#define PTVM_TEST_FAKE_DRIVER_CORE_H

#include <fcntl.h>

#include "vfio/sysfs.h"
#include "vfio_fake_sysfs.h"

#define FDC_MAX_DEVS 16

struct fdc_dev {
	char bdf[16];
	char native[32]; /* what the ID match binds; "" none */
	int group;
	bool changed; /* seen a write that changes it */
};

static struct {
	struct fake_sysfs fs;
	struct fdc_dev devs[FDC_MAX_DEVS];
	unsigned nr;
	/* Script. */
	char fail_path[128]; /* a write to this relpath returns fail_ret */
	int fail_ret;
	char refuse[32];   /* this driver's probe fails: the device stays unbound */
	bool no_vfio_node; /* binding vfio-pci makes no dev/vfio/GROUP */
	char run_dir[128]; /* "": do not check for records */
	/* Record. */
	char log[4096]; /* "relpath=val\n" per write, the value's newline cut */
	bool change_without_record;
	unsigned nr_writes;
} fdc;

static inline struct fdc_dev *fdc_find(const char *bdf)
{
	for (unsigned i = 0; i < fdc.nr; i++)
		if (!strncmp(fdc.devs[i].bdf, bdf, 12))
			return &fdc.devs[i];
	return NULL;
}

/* Make @driver a registered PCI driver: bus/pci/drivers/@driver with its unbind file. */
static inline void fdc_add_driver(const char *driver)
{
	char rel[128];

	snprintf(rel, sizeof(rel), "bus/pci/drivers/%s/unbind", driver);
	fake_sysfs_add_file(&fdc.fs, rel, "");
}

static inline void fdc_dev_path(char *buf, size_t len, const char *bdf, const char *file)
{
	snprintf(buf, len, "%s/devices/pci0000:00/%s/%s", fdc.fs.root, bdf, file);
}

/* The driver @bdf is bound to into @buf ("" none). */
static inline const char *fdc_driver(const char *bdf, char *buf, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	ssize_t n;

	fdc_dev_path(path, sizeof(path), bdf, "driver");
	n = readlink(path, target, sizeof(target) - 1);
	buf[0] = '\0';
	if (n > 0) {
		target[n] = '\0';
		snprintf(buf, len, "%s", strrchr(target, '/') + 1);
	}
	return buf;
}

static inline void fdc_link_driver(const char *bdf, const char *driver)
{
	char path[PATH_MAX], target[128];

	fdc_dev_path(path, sizeof(path), bdf, "driver");
	snprintf(target, sizeof(target), "../../../bus/pci/drivers/%s", driver);
	fake_sysfs_symlink(target, path);
	if (!strcmp(driver, "vfio-pci") && !fdc.no_vfio_node) {
		struct fdc_dev *d = fdc_find(bdf);
		char rel[64];

		snprintf(rel, sizeof(rel), "dev/vfio/%d", d->group);
		fake_sysfs_add_file(&fdc.fs, rel, "");
	}
}

static inline void fdc_note_change(struct fdc_dev *d)
{
	char path[PATH_MAX];

	if (d->changed || !fdc.run_dir[0])
		return;
	d->changed = true;
	snprintf(path, sizeof(path), "%s/%s", fdc.run_dir, d->bdf);
	if (access(path, F_OK))
		fdc.change_without_record = true;
}

static inline int fdc_probe(struct fdc_dev *d)
{
	char rel[96], path[256], override[64], now[32];
	const char *want;

	if (fdc_driver(d->bdf, now, sizeof(now))[0])
		return 0;
	snprintf(rel, sizeof(rel), "devices/pci0000:00/%s/driver_override", d->bdf);
	fake_sysfs_read(&fdc.fs, rel, override, sizeof(override));
	override[strcspn(override, "\n")] = '\0';
	want = override[0] && strcmp(override, "(null)") ? override : d->native;
	if (!want[0] || !strcmp(want, fdc.refuse))
		return 0;
	snprintf(path, sizeof(path), "%s/bus/pci/drivers/%s", fdc.fs.root, want);
	if (access(path, F_OK))
		return 0; /* no such driver registered: nothing binds */
	fdc_link_driver(d->bdf, want);
	return 0;
}

static inline int fdc_hook(const char *root, const char *relpath, const char *val)
{
	char v[64], drv[32], now[32], path[PATH_MAX];
	size_t len = strlen(fdc.log);
	struct fdc_dev *d;

	snprintf(v, sizeof(v), "%s", val);
	v[strcspn(v, "\n")] = '\0';
	snprintf(fdc.log + len, sizeof(fdc.log) - len, "%s=%s\n", relpath, v);
	fdc.nr_writes++;
	if (fdc.fail_path[0] && !strcmp(relpath, fdc.fail_path))
		return fdc.fail_ret;
	if (!strncmp(relpath, "bus/pci/devices/", 16) && strstr(relpath, "/driver_override")) {
		d = fdc_find(relpath + 16);
		if (!d)
			return -ENODEV;
		fdc_note_change(d);
		/* Shown with a newline, and as "(null)" once cleared. */
		snprintf(path, sizeof(path), "%s\n", v[0] ? v : "(null)");
		fake_sysfs_add_file(&fdc.fs, relpath, path);
		return 0;
	}
	if (sscanf(relpath, "bus/pci/drivers/%31[^/]/unbind", drv) == 1) {
		d = fdc_find(v);
		if (!d || strcmp(fdc_driver(d->bdf, now, sizeof(now)), drv))
			return -ENODEV;
		fdc_note_change(d);
		fdc_dev_path(path, sizeof(path), d->bdf, "driver");
		unlink(path);
		return 0;
	}
	if (!strcmp(relpath, "bus/pci/drivers_probe")) {
		d = fdc_find(v);
		return d ? fdc_probe(d) : -ENODEV;
	}
	return 0;
}

/* A tree with the driver core's files, vfio-pci registered, and the hook on. */
static inline void fdc_init(void)
{
	memset(&fdc, 0, sizeof(fdc));
	fake_sysfs_init(&fdc.fs);
	fake_sysfs_add_file(&fdc.fs, "bus/pci/drivers_probe", "");
	fdc_add_driver("vfio-pci");
	sysfs_set_write_hook(fdc_hook);
}

static inline void fdc_fini(void)
{
	sysfs_set_write_hook(NULL);
	fake_sysfs_destroy(&fdc.fs);
}

/*
 * Add PCI function @bdf of @class (e.g. 0x020000), now on @driver (NULL:
 * none), whose ID match binds @native (NULL: nothing), in IOMMU group @group.
 */
static inline void fdc_add_dev(const char *bdf, unsigned class, const char *driver,
			       const char *native, int group)
{
	struct fdc_dev *d = &fdc.devs[fdc.nr++];
	char rel[96], val[16];

	snprintf(d->bdf, sizeof(d->bdf), "%s", bdf);
	snprintf(d->native, sizeof(d->native), "%s", native ? native : "");
	d->group = group;
	if (driver)
		fdc_add_driver(driver);
	if (native)
		fdc_add_driver(native);
	fake_sysfs_add_dev(&fdc.fs, bdf, driver, group);
	snprintf(rel, sizeof(rel), "devices/pci0000:00/%s/class", bdf);
	snprintf(val, sizeof(val), "0x%06x\n", class);
	fake_sysfs_add_file(&fdc.fs, rel, val);
	snprintf(rel, sizeof(rel), "devices/pci0000:00/%s/driver_override", bdf);
	fake_sysfs_add_file(&fdc.fs, rel, "(null)\n");
	if (driver && !strcmp(driver, "vfio-pci") && !fdc.no_vfio_node) {
		snprintf(rel, sizeof(rel), "dev/vfio/%d", group);
		fake_sysfs_add_file(&fdc.fs, rel, "");
	}
}

/* Bind @bdf to @driver (NULL: none) behind the simulation's back, as another tool would. */
static inline void fdc_set_driver(const char *bdf, const char *driver)
{
	char path[PATH_MAX];

	fdc_dev_path(path, sizeof(path), bdf, "driver");
	unlink(path);
	if (driver) {
		fdc_add_driver(driver);
		fdc_link_driver(bdf, driver);
	}
}

/* @bdf's driver_override as it reads, "(null)" when clear. */
static inline const char *fdc_override(const char *bdf, char *buf, size_t len)
{
	char rel[96];

	snprintf(rel, sizeof(rel), "devices/pci0000:00/%s/driver_override", bdf);
	fake_sysfs_read(&fdc.fs, rel, buf, len);
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

static inline bool fdc_exists(const char *relpath)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", fdc.fs.root, relpath);
	return access(path, F_OK) == 0;
}

#endif
