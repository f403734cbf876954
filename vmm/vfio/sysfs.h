/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PCI addresses and the sysfs facts VFIO depends on: which driver a function
 * is bound to and which IOMMU group it sits in (Documentation/driver-api/
 * vfio.rst, "VFIO Usage Example": a device is usable once every member of its
 * group is bound to vfio-pci). Every query takes a sysfs root (NULL means
 * "/sys") so tests can point it at a tree they build.
 */
#ifndef PTVM_VFIO_SYSFS_H
#define PTVM_VFIO_SYSFS_H

#include "util.h"

/* "0000:06:12.5" plus NUL. */
#define PCI_BDF_STRLEN 13
/* Longest driver name kept; longer names are cut (they only go into messages). */
#define SYSFS_DRIVER_MAX 64
/* Longest device name in an IOMMU group (PCI names are BDFs; others may appear). */
#define SYSFS_NAME_MAX 64

struct pci_bdf {
	uint16_t domain;
	uint8_t bus;
	uint8_t dev; /* 0..31 */
	uint8_t fn;  /* 0..7 */
};

/*
 * Parse "DDDD:BB:DD.F" or the lspci short form "BB:DD.F" (domain 0), hex
 * digits of exactly those widths, either case. -EINVAL for anything else,
 * including a device above 0x1f or a function above 7.
 */
int pci_bdf_parse(const char *s, struct pci_bdf *out) __must_check;

/* Canonical lower-case "dddd:bb:dd.f" into @buf (PCI_BDF_STRLEN bytes); returns @buf. */
char *pci_bdf_format(const struct pci_bdf *bdf, char buf[PCI_BDF_STRLEN]);

static inline bool pci_bdf_equal(const struct pci_bdf *a, const struct pci_bdf *b)
{
	return a->domain == b->domain && a->bus == b->bus && a->dev == b->dev && a->fn == b->fn;
}

/* One member of an IOMMU group and its driver ("" if none). */
struct sysfs_group_member {
	char name[SYSFS_NAME_MAX];
	char driver[SYSFS_DRIVER_MAX];
};

/* 0 if /sys/bus/pci/devices/BDF exists, else -ENODEV. Silent. */
int sysfs_pci_exists(const char *root, const struct pci_bdf *bdf) __must_check;

/*
 * Name of the driver bound to @bdf into @buf (@len bytes), "" if none.
 * -ENODEV if there is no such device. Silent.
 */
int sysfs_pci_driver(const char *root, const struct pci_bdf *bdf, char *buf,
		     size_t len) __must_check;

/* IOMMU group number of @bdf. -ENODEV: no device; -ENOENT: no group. Silent. */
int sysfs_pci_iommu_group(const char *root, const struct pci_bdf *bdf,
			  unsigned *group) __must_check;

/*
 * Members of IOMMU group @group (/sys/kernel/iommu_groups/N/devices), sorted by
 * name, each with its driver. Up to @max go into @out; *@nr is the total found
 * (may exceed @max). -ENOENT if the group does not exist. Silent.
 */
int sysfs_iommu_group_members(const char *root, unsigned group, struct sysfs_group_member *out,
			      unsigned max, unsigned *nr) __must_check;

/*
 * How many PCI functions sit on @bdf's bus, itself included (entries of
 * /sys/bus/pci/devices with its domain and bus) into *@nr. Silent.
 */
int sysfs_pci_bus_functions(const char *root, const struct pci_bdf *bdf, unsigned *nr) __must_check;

/*
 * True if a member bound to @driver does not stop its group from being
 * viable: no driver, vfio-pci (or a vfio-pci variant driver), or a driver
 * that never does DMA on its own behalf (pci-stub, pcieport).
 */
bool sysfs_driver_vfio_compatible(const char *driver);

/*
 * @bdf exists and has an IOMMU group (returned in *@group). Logs one line
 * naming the problem and its fix; returns -ENODEV or -ENOENT respectively.
 */
int sysfs_iommu_check(const char *root, const struct pci_bdf *bdf, unsigned *group) __must_check;

/*
 * Everything ptvm needs before it may open @bdf through VFIO: the device
 * exists, is bound to vfio-pci, and has an IOMMU group (returned in *@group).
 * Logs one line naming the problem and its fix; returns -ENODEV, -EBUSY or
 * -ENOENT respectively.
 */
int sysfs_vfio_check(const char *root, const struct pci_bdf *bdf, unsigned *group) __must_check;

/* 0 if driver @driver is registered with the PCI bus (bus/pci/drivers/NAME), else -ENOENT. */
int sysfs_pci_driver_loaded(const char *root, const char *driver) __must_check;

/*
 * Read the sysfs attribute @root/@relpath into @buf (@len bytes, cut to fit,
 * NUL-terminated) without its trailing newline. Returns 0 or -errno. Silent.
 * Any small file will do: managed_record.c reads /proc/PID/stat and its
 * records in /run/ptvm with it.
 */
int sysfs_read(const char *root, const char *relpath, char *buf, size_t len) __must_check;

/*
 * Write @val to the sysfs attribute @root/@relpath. Returns 0 or -errno.
 * Silent (the caller knows what the attribute means).
 */
int sysfs_write(const char *root, const char *relpath, const char *val) __must_check;

/*
 * Tests only. A fake tree is plain files: nothing binds when a test's code
 * writes drivers_probe. A test that plays the kernel's driver core sets
 * @hook; sysfs_write() calls it after each successful write and returns what
 * it returns, as write(2) returns what the attribute's store() did. NULL
 * (the default) turns it off. ptvm never sets it.
 */
void sysfs_set_write_hook(int (*hook)(const char *root, const char *relpath, const char *val));

/*
 * Attribute @attr of PCI function @bdf ("class", "sriov_numvfs", ...), as
 * sysfs_read() reads it. -ENODEV if there is no such device. Silent.
 */
int sysfs_pci_attr(const char *root, const struct pci_bdf *bdf, const char *attr, char *buf,
		   size_t len) __must_check;

/*
 * The 24-bit class code of @bdf: base class, subclass, programming interface
 * (PCI Local Bus 3.0, 6.2.1), from its "class" attribute. Silent.
 */
int sysfs_pci_class(const char *root, const struct pci_bdf *bdf, uint32_t *class) __must_check;

/*
 * Whether @relpath under @root, symlinks followed, is @bdf's device
 * directory or lies below it, as a tty or a disk of that function does:
 * *@below. -ENOENT if @relpath does not exist. Silent.
 */
int sysfs_pci_below(const char *root, const struct pci_bdf *bdf, const char *relpath,
		    bool *below) __must_check;

/*
 * Whether block device @maj:@min (dev/block/MAJ:MIN) sits on @bdf: it lies
 * below @bdf, or a device it is built on does (its slaves/ directory: dm,
 * md), recursively. *@on, and the name of the block device below @bdf into
 * @name (@len bytes). -ENOENT if there is no such block device. Silent.
 */
int sysfs_block_on_pci(const char *root, const struct pci_bdf *bdf, unsigned maj, unsigned min,
		       char *name, size_t len, bool *on) __must_check;

#endif
