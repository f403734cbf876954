// SPDX-License-Identifier: GPL-2.0
/*
 * PCI addresses and sysfs queries for VFIO (Documentation/driver-api/vfio.rst,
 * "VFIO Usage Example"). Plain libc on purpose: these are files, not device
 * fds, and tests point @root at a tree they build in a temporary directory.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vfio/sysfs.h"

#define SYSFS_DEFAULT_ROOT "/sys"

/* Exactly @n hex digits at *@s, advancing *@s. */
static int hex_field(const char **s, unsigned n, unsigned *out)
{
	unsigned v = 0;

	for (unsigned i = 0; i < n; i++) {
		int d = hex_value((*s)[i]);

		if (d < 0)
			return -EINVAL;
		v = v << 4 | (unsigned)d;
	}
	*s += n;
	*out = v;
	return 0;
}

int pci_bdf_parse(const char *s, struct pci_bdf *out)
{
	unsigned domain = 0, bus, dev, fn;
	size_t len;

	if (!s)
		return -EINVAL;
	len = strlen(s);
	if (len == 12) {
		if (hex_field(&s, 4, &domain) || *s++ != ':')
			return -EINVAL;
	} else if (len != 7) {
		return -EINVAL;
	}
	if (hex_field(&s, 2, &bus) || *s++ != ':')
		return -EINVAL;
	if (hex_field(&s, 2, &dev) || *s++ != '.')
		return -EINVAL;
	if (hex_field(&s, 1, &fn) || *s)
		return -EINVAL;
	/* PCI Local Bus 3.0, 3.2.2.3.1: 5-bit device and 3-bit function numbers. */
	if (dev > 0x1f || fn > 7)
		return -EINVAL;
	out->domain = (uint16_t)domain;
	out->bus = (uint8_t)bus;
	out->dev = (uint8_t)dev;
	out->fn = (uint8_t)fn;
	return 0;
}

char *pci_bdf_format(const struct pci_bdf *bdf, char buf[PCI_BDF_STRLEN])
{
	snprintf(buf, PCI_BDF_STRLEN, "%04x:%02x:%02x.%x", bdf->domain, bdf->bus, bdf->dev & 0x1f,
		 bdf->fn & 7);
	return buf;
}

static int __printf(3, 4) sysfs_path(char *buf, const char *root, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(buf, PATH_MAX, "%s/", root ? root : SYSFS_DEFAULT_ROOT);

	if (n < 0 || n >= PATH_MAX)
		return -ENAMETOOLONG;
	va_start(ap, fmt);
	n += vsnprintf(buf + n, PATH_MAX - (size_t)n, fmt, ap);
	va_end(ap);
	return n >= PATH_MAX ? -ENAMETOOLONG : 0;
}

/* Last path component of the symlink @path into @buf; -errno from readlink. */
static int link_basename(const char *path, char *buf, size_t len)
{
	char target[PATH_MAX];
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	const char *base;

	if (n < 0)
		return -errno;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	snprintf(buf, len, "%s", base);
	return 0;
}

int sysfs_pci_exists(const char *root, const struct pci_bdf *bdf)
{
	char path[PATH_MAX], name[PCI_BDF_STRLEN];
	struct stat st;
	int ret = sysfs_path(path, root, "bus/pci/devices/%s", pci_bdf_format(bdf, name));

	if (ret)
		return ret;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : -ENODEV;
}

/* Driver of the device whose sysfs directory is @devpath ("" if none). */
static int dev_driver(const char *devpath, char *buf, size_t len)
{
	char path[PATH_MAX];
	int ret;

	if (snprintf(path, sizeof(path), "%s/driver", devpath) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	ret = link_basename(path, buf, len);
	if (ret == -ENOENT) {
		/* Unbound: no driver link (Documentation/ABI/testing/sysfs-bus-pci). */
		buf[0] = '\0';
		return 0;
	}
	return ret;
}

int sysfs_pci_driver(const char *root, const struct pci_bdf *bdf, char *buf, size_t len)
{
	char path[PATH_MAX], name[PCI_BDF_STRLEN];
	int ret = sysfs_pci_exists(root, bdf);

	if (ret)
		return ret;
	ret = sysfs_path(path, root, "bus/pci/devices/%s", pci_bdf_format(bdf, name));
	return ret ? ret : dev_driver(path, buf, len);
}

int sysfs_pci_iommu_group(const char *root, const struct pci_bdf *bdf, unsigned *group)
{
	char path[PATH_MAX], name[PCI_BDF_STRLEN], num[16], *end;
	unsigned long v;
	int ret = sysfs_pci_exists(root, bdf);

	if (ret)
		return ret;
	ret = sysfs_path(path, root, "bus/pci/devices/%s/iommu_group", pci_bdf_format(bdf, name));
	if (ret)
		return ret;
	ret = link_basename(path, num, sizeof(num));
	if (ret)
		return ret; /* -ENOENT: no group, the IOMMU is off */
	errno = 0;
	v = strtoul(num, &end, 10);
	if (errno || end == num || *end || v > UINT_MAX)
		return -EINVAL;
	*group = (unsigned)v;
	return 0;
}

static int member_cmp(const void *a, const void *b)
{
	const struct sysfs_group_member *x = a, *y = b;

	return strcmp(x->name, y->name);
}

int sysfs_iommu_group_members(const char *root, unsigned group, struct sysfs_group_member *out,
			      unsigned max, unsigned *nr)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct dirent *e;
	unsigned n = 0;
	DIR *d;
	int ret = sysfs_path(dir, root, "kernel/iommu_groups/%u/devices", group);

	if (ret)
		return ret;
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (n < max) {
			snprintf(out[n].name, sizeof(out[n].name), "%.*s",
				 (int)sizeof(out[n].name) - 1, e->d_name);
			if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >=
			    (int)sizeof(path)) {
				ret = -ENAMETOOLONG;
				break;
			}
			ret = dev_driver(path, out[n].driver, sizeof(out[n].driver));
			if (ret)
				break;
		}
		n++;
	}
	closedir(d);
	if (ret)
		return ret;
	qsort(out, MIN(n, max), sizeof(*out), member_cmp);
	*nr = n;
	return 0;
}

int sysfs_pci_bus_functions(const char *root, const struct pci_bdf *bdf, unsigned *nr)
{
	char dir[PATH_MAX], name[PCI_BDF_STRLEN];
	struct dirent *e;
	unsigned n = 0;
	DIR *d;
	int ret = sysfs_path(dir, root, "bus/pci/devices");

	if (ret)
		return ret;
	d = opendir(dir);
	if (!d)
		return -errno;
	/* "dddd:bb:" names the bus. */
	pci_bdf_format(bdf, name);
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, name, 8))
			n++;
	closedir(d);
	*nr = n;
	return 0;
}

bool sysfs_driver_vfio_compatible(const char *driver)
{
	/*
	 * Documentation/driver-api/vfio.rst: a group is viable when every
	 * device in it is bound to a VFIO bus driver, or to no driver, or to
	 * one that does no DMA of its own (the kernel allows pci-stub, and
	 * pcieport for bridges). Variant drivers (mlx5_vfio_pci, ...) are
	 * vfio-pci too.
	 */
	return !driver[0] || strstr(driver, "vfio") || !strcmp(driver, "pci-stub") ||
	       !strcmp(driver, "pcieport");
}

int sysfs_iommu_check(const char *root, const struct pci_bdf *bdf, unsigned *group)
{
	char name[PCI_BDF_STRLEN];
	int ret;

	pci_bdf_format(bdf, name);
	if (sysfs_pci_exists(root, bdf)) {
		log_err("%s: no such PCI device (see lspci -D)", name);
		return -ENODEV;
	}
	/* No group means vfio-pci could not bind at all: report the cause first. */
	ret = sysfs_pci_iommu_group(root, bdf, group);
	if (ret == -ENOENT) {
		log_err("%s has no IOMMU group (is the IOMMU on? boot with intel_iommu=on or "
			"amd_iommu=on)",
			name);
		return -ENOENT;
	}
	if (ret)
		log_err("%s: cannot read its iommu_group link: %s", name, strerror(-ret));
	return ret;
}

int sysfs_vfio_check(const char *root, const struct pci_bdf *bdf, unsigned *group)
{
	char name[PCI_BDF_STRLEN], driver[SYSFS_DRIVER_MAX];
	int ret = sysfs_iommu_check(root, bdf, group);

	if (ret)
		return ret;
	pci_bdf_format(bdf, name);
	ret = sysfs_pci_driver(root, bdf, driver, sizeof(driver));
	if (ret) {
		log_err("%s: cannot read its driver link: %s", name, strerror(-ret));
		return ret;
	}
	if (!driver[0] || !strstr(driver, "vfio")) {
		log_err("%s is %s%s, not vfio-pci (run scripts/bind-vfio %s)", name,
			driver[0] ? "bound to " : "bound to no driver", driver, name);
		return -EBUSY;
	}
	return 0;
}

int sysfs_read(const char *root, const char *relpath, char *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd, ret = sysfs_path(path, root, "%s", relpath);

	if (!len)
		return -EINVAL;
	buf[0] = '\0';
	if (ret)
		return ret;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	ret = n < 0 ? -errno : 0;
	close(fd);
	if (ret)
		return ret;
	buf[n] = '\0';
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}

int sysfs_pci_driver_loaded(const char *root, const char *driver)
{
	char path[PATH_MAX];
	struct stat st;
	int ret = sysfs_path(path, root, "bus/pci/drivers/%s", driver);

	if (ret)
		return ret;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : -ENOENT;
}

static int (*sysfs_write_hook)(const char *root, const char *relpath, const char *val);

void sysfs_set_write_hook(int (*hook)(const char *root, const char *relpath, const char *val))
{
	sysfs_write_hook = hook;
}

int sysfs_write(const char *root, const char *relpath, const char *val)
{
	char path[PATH_MAX];
	size_t len = strlen(val);
	ssize_t n;
	int fd, ret = sysfs_path(path, root, "%s", relpath);

	if (ret)
		return ret;
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC); /* as "echo 1 >" does */
	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	ret = n < 0 ? -errno : (size_t)n != len ? -EIO : 0;
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && sysfs_write_hook)
		ret = sysfs_write_hook(root, relpath, val);
	return ret;
}

int sysfs_pci_attr(const char *root, const struct pci_bdf *bdf, const char *attr, char *buf,
		   size_t len)
{
	char rel[PATH_MAX], name[PCI_BDF_STRLEN];
	int ret = sysfs_pci_exists(root, bdf);

	if (ret)
		return ret;
	if (snprintf(rel, sizeof(rel), "bus/pci/devices/%s/%s", pci_bdf_format(bdf, name), attr) >=
	    (int)sizeof(rel))
		return -ENAMETOOLONG;
	return sysfs_read(root, rel, buf, len);
}

int sysfs_pci_class(const char *root, const struct pci_bdf *bdf, uint32_t *class)
{
	char buf[16], *end;
	unsigned long v;
	int ret = sysfs_pci_attr(root, bdf, "class", buf, sizeof(buf));

	if (ret)
		return ret;
	/* Documentation/ABI/testing/sysfs-bus-pci: "0x%06x". */
	errno = 0;
	v = strtoul(buf, &end, 16);
	if (errno || end == buf || *end || v > 0xffffff)
		return -EINVAL;
	*class = (uint32_t)v;
	return 0;
}

/* realpath() of @root/@relpath into @out (PATH_MAX bytes). */
static int sysfs_resolve(const char *root, const char *relpath, char *out)
{
	char path[PATH_MAX];
	int ret = sysfs_path(path, root, "%s", relpath);

	if (ret)
		return ret;
	return realpath(path, out) ? 0 : -errno;
}

/* The real directory of @bdf under devices/ into @out (PATH_MAX bytes). */
static int sysfs_pci_dir(const char *root, const struct pci_bdf *bdf, char *out)
{
	char rel[64], name[PCI_BDF_STRLEN];
	int ret = sysfs_pci_exists(root, bdf);

	if (ret)
		return ret;
	snprintf(rel, sizeof(rel), "bus/pci/devices/%s", pci_bdf_format(bdf, name));
	return sysfs_resolve(root, rel, out);
}

static bool sysfs_path_below(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(path, dir, n) && (path[n] == '/' || !path[n]);
}

int sysfs_pci_below(const char *root, const struct pci_bdf *bdf, const char *relpath, bool *below)
{
	char dev[PATH_MAX], path[PATH_MAX];
	int ret = sysfs_pci_dir(root, bdf, dev);

	if (!ret)
		ret = sysfs_resolve(root, relpath, path);
	if (!ret)
		*below = sysfs_path_below(path, dev);
	return ret;
}

/* dm on md on a partition is three; a deeper stack of block devices is not real. */
#define SYSFS_BLOCK_DEPTH 8

/* The block device whose real directory is @blk, or one below it, lies below @dev. */
static void sysfs_block_below(const char *dev, const char *blk, unsigned depth, char *name,
			      size_t len, bool *on)
{
	char dir[PATH_MAX], sub[PATH_MAX], real[PATH_MAX];
	struct dirent *e;
	DIR *d;

	if (sysfs_path_below(blk, dev)) {
		snprintf(name, len, "%s", strrchr(blk, '/') + 1);
		*on = true;
		return;
	}
	if (depth == SYSFS_BLOCK_DEPTH ||
	    snprintf(dir, sizeof(dir), "%s/slaves", blk) >= (int)sizeof(dir))
		return;
	/* dm and md disks link what they are built on in slaves/ (block/holder.c). */
	d = opendir(dir);
	if (!d)
		return;
	while (!*on && (e = readdir(d))) {
		if (e->d_name[0] == '.' ||
		    snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name) >= (int)sizeof(sub) ||
		    !realpath(sub, real))
			continue;
		sysfs_block_below(dev, real, depth + 1, name, len, on);
	}
	closedir(d);
}

int sysfs_block_on_pci(const char *root, const struct pci_bdf *bdf, unsigned maj, unsigned min,
		       char *name, size_t len, bool *on)
{
	char dev[PATH_MAX], blk[PATH_MAX], rel[32];
	int ret = sysfs_pci_dir(root, bdf, dev);

	*on = false;
	if (ret)
		return ret;
	/* Documentation/ABI/testing/sysfs-dev: dev/block/MAJ:MIN links to the device. */
	snprintf(rel, sizeof(rel), "dev/block/%u:%u", maj, min);
	ret = sysfs_resolve(root, rel, blk);
	if (!ret)
		sysfs_block_below(dev, blk, 0, name, len, on);
	return ret;
}
