/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A miniature sysfs in a mkdtemp directory, laid out like the real one:
 *
 *   devices/pci0000:00/<bdf>/            the device directory
 *       driver      -> ../../../bus/pci/drivers/<driver>
 *       iommu_group -> ../../../kernel/iommu_groups/<n>
 *   bus/pci/devices/<bdf> -> ../../../devices/pci0000:00/<bdf>
 *   kernel/iommu_groups/<n>/devices/<bdf> -> ../../../../devices/pci0000:00/<bdf>
 *   module/<mod>/parameters/<param>      plain files
 */
#ifndef PTVM_TEST_VFIO_FAKE_SYSFS_H
#define PTVM_TEST_VFIO_FAKE_SYSFS_H

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct fake_sysfs {
	char root[64];
};

static inline void fake_sysfs_mkdir_p(const char *path)
{
	char tmp[PATH_MAX];

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) && errno != EEXIST)
			abort();
		*p = '/';
	}
	if (mkdir(tmp, 0755) && errno != EEXIST)
		abort();
}

static inline void fake_sysfs_symlink(const char *target, const char *link)
{
	if (symlink(target, link))
		abort();
}

static inline void fake_sysfs_init(struct fake_sysfs *fs)
{
	snprintf(fs->root, sizeof(fs->root), "/tmp/ptvm-sysfs-XXXXXX");
	if (!mkdtemp(fs->root))
		abort();
}

/* Add PCI function @bdf bound to @driver (NULL: none) in IOMMU group @group (< 0: none). */
static inline void fake_sysfs_add_dev(struct fake_sysfs *fs, const char *bdf, const char *driver,
				      int group)
{
	char dev[256], path[PATH_MAX], target[PATH_MAX];

	snprintf(dev, sizeof(dev), "%s/devices/pci0000:00/%s", fs->root, bdf);
	fake_sysfs_mkdir_p(dev);
	snprintf(path, sizeof(path), "%s/bus/pci/devices", fs->root);
	fake_sysfs_mkdir_p(path);
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s", fs->root, bdf);
	snprintf(target, sizeof(target), "../../../devices/pci0000:00/%s", bdf);
	fake_sysfs_symlink(target, path);
	if (driver) {
		snprintf(path, sizeof(path), "%s/bus/pci/drivers/%s", fs->root, driver);
		fake_sysfs_mkdir_p(path);
		snprintf(path, sizeof(path), "%s/driver", dev);
		snprintf(target, sizeof(target), "../../../bus/pci/drivers/%s", driver);
		fake_sysfs_symlink(target, path);
	}
	if (group >= 0) {
		snprintf(path, sizeof(path), "%s/kernel/iommu_groups/%d/devices", fs->root, group);
		fake_sysfs_mkdir_p(path);
		snprintf(path, sizeof(path), "%s/kernel/iommu_groups/%d/devices/%s", fs->root,
			 group, bdf);
		snprintf(target, sizeof(target), "../../../../devices/pci0000:00/%s", bdf);
		fake_sysfs_symlink(target, path);
		snprintf(path, sizeof(path), "%s/iommu_group", dev);
		snprintf(target, sizeof(target), "../../../kernel/iommu_groups/%d", group);
		fake_sysfs_symlink(target, path);
	}
}

/* Create the attribute file @relpath (under the root) holding @val. */
static inline void fake_sysfs_add_file(struct fake_sysfs *fs, const char *relpath, const char *val)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fs->root, relpath);
	*strrchr(path, '/') = '\0';
	fake_sysfs_mkdir_p(path);
	snprintf(path, sizeof(path), "%s/%s", fs->root, relpath);
	f = fopen(path, "w");
	if (!f)
		abort();
	fputs(val, f);
	fclose(f);
}

/* Contents of @relpath (up to @len - 1 bytes) into @buf; "" if missing. */
static inline void fake_sysfs_read(struct fake_sysfs *fs, const char *relpath, char *buf,
				   size_t len)
{
	char path[PATH_MAX];
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fs->root, relpath);
	f = fopen(path, "r");
	if (f) {
		n = fread(buf, 1, len - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
}

static inline int fake_sysfs_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static inline void fake_sysfs_destroy(struct fake_sysfs *fs)
{
	nftw(fs->root, fake_sysfs_rm, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
