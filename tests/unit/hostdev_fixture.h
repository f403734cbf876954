/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A host for the hostdev tests, built as a fake sysfs tree (vfio_fake_sysfs.h):
 * the nested rig's L1 as /work/shared/nested-rig.md ("Topologies for reset
 * and co-assignment tests") measured it, with q35's host bridge and its
 * ICH9 functions (an LPC/ISA bridge, SATA, SMBus in one group), plus an
 * SR-IOV PF with two VFs behind a root port of their own.
 */
#ifndef PTVM_TEST_HOSTDEV_FIXTURE_H
#define PTVM_TEST_HOSTDEV_FIXTURE_H

#include "vfio_fake_sysfs.h"

struct hf_dev {
	const char *bdf;
	unsigned vendor, device, class;
	const char *driver; /* NULL: none */
	int group;	    /* < 0: none */
	const char *reset;  /* reset_method; NULL: no such file (no method) */
	int sec, sub;	    /* bridge bus numbers; sec 0: not a bridge */
	const char *numa;   /* numa_node; NULL: "-1"; "": no file (no CONFIG_NUMA) */
	int total_vfs;	    /* > 0: an SR-IOV PF with ... */
	int num_vfs;	    /* ... this many enabled */
	const char *physfn; /* a VF of this PF */
};

#define HF(b, v, d, c, drv, g, rst, ...)                                                   \
	{                                                                                  \
		.bdf = b, .vendor = v, .device = d, .class = c, .driver = drv, .group = g, \
		.reset = rst, __VA_ARGS__                                                  \
	}

static const struct hf_dev hf_rig[] = {
	HF("0000:00:00.0", 0x8086, 0x29c0, 0x060000, NULL, 0, NULL),
	HF("0000:00:02.0", 0x8086, 0x10d3, 0x020000, "e1000e", 2, "pm"),
	HF("0000:00:03.0", 0x1b36, 0x0010, 0x010802, "nvme", 3, "flr"),
	HF("0000:00:04.0", 0x1b36, 0x000c, 0x060400, "pcieport", 4, NULL, .sec = 1, .sub = 2),
	HF("0000:00:05.0", 0x1b36, 0x000c, 0x060400, "pcieport", 5, NULL, .sec = 3, .sub = 3),
	HF("0000:00:06.0", 0x1b36, 0x000c, 0x060400, "pcieport", 9, NULL, .sec = 4, .sub = 4),
	HF("0000:00:1f.0", 0x8086, 0x2918, 0x060100, "lpc_ich", 6, NULL),
	HF("0000:00:1f.2", 0x8086, 0x2922, 0x010601, "ahci", 6, NULL),
	HF("0000:00:1f.3", 0x8086, 0x2930, 0x0c0500, "i801_smbus", 6, NULL),
	HF("0000:01:00.0", 0x1b36, 0x000e, 0x060400, NULL, 7, "pm bus", .sec = 2, .sub = 2),
	/* The kernel probed "bus" for the first e1000 only: see nested-rig.md. */
	HF("0000:02:01.0", 0x8086, 0x100e, 0x020000, "e1000", 7, "bus"),
	HF("0000:02:02.0", 0x8086, 0x100e, 0x020000, "e1000", 7, NULL),
	HF("0000:03:00.0", 0x8086, 0x10d3, 0x020000, "e1000e", 8, "pm bus"),
	HF("0000:03:00.1", 0x8086, 0x10d3, 0x020000, "e1000e", 8, "pm"),
	HF("0000:04:00.0", 0x8086, 0x10c9, 0x020000, "igb", 10, "flr", .numa = "0", .total_vfs = 7,
	   .num_vfs = 2),
	HF("0000:04:10.0", 0x8086, 0x10ca, 0x020000, "vfio-pci", 11, "flr", .numa = "0",
	   .physfn = "0000:04:00.0"),
	HF("0000:04:10.2", 0x8086, 0x10ca, 0x020000, "igbvf", 12, "flr", .numa = "0",
	   .physfn = "0000:04:00.0"),
};

static inline void hf_attr(struct fake_sysfs *fs, const char *bdf, const char *attr,
			   const char *fmt, int v)
{
	char rel[128], val[32];

	snprintf(rel, sizeof(rel), "devices/pci0000:00/%s/%s", bdf, attr);
	snprintf(val, sizeof(val), fmt, v);
	fake_sysfs_add_file(fs, rel, val);
}

static inline void hf_add(struct fake_sysfs *fs, const struct hf_dev *d)
{
	char rel[128], path[PATH_MAX], target[64];

	fake_sysfs_add_dev(fs, d->bdf, d->driver, d->group);
	hf_attr(fs, d->bdf, "vendor", "0x%04x\n", (int)d->vendor);
	hf_attr(fs, d->bdf, "device", "0x%04x\n", (int)d->device);
	hf_attr(fs, d->bdf, "class", "0x%06x\n", (int)d->class);
	if (!d->numa || d->numa[0]) {
		snprintf(rel, sizeof(rel), "devices/pci0000:00/%s/numa_node", d->bdf);
		snprintf(path, sizeof(path), "%s\n", d->numa ? d->numa : "-1");
		fake_sysfs_add_file(fs, rel, path);
	}
	if (d->reset) {
		snprintf(rel, sizeof(rel), "devices/pci0000:00/%s/reset_method", d->bdf);
		snprintf(path, sizeof(path), "%s\n", d->reset);
		fake_sysfs_add_file(fs, rel, path);
	}
	if (d->sec) {
		hf_attr(fs, d->bdf, "secondary_bus_number", "%d\n", d->sec);
		hf_attr(fs, d->bdf, "subordinate_bus_number", "%d\n", d->sub);
	}
	if (d->total_vfs) {
		hf_attr(fs, d->bdf, "sriov_totalvfs", "%d\n", d->total_vfs);
		hf_attr(fs, d->bdf, "sriov_numvfs", "%d\n", d->num_vfs);
	}
	if (d->physfn) {
		snprintf(path, sizeof(path), "%s/devices/pci0000:00/%s/physfn", fs->root, d->bdf);
		snprintf(target, sizeof(target), "../%s", d->physfn);
		fake_sysfs_symlink(target, path);
	}
}

/* The whole fixture host; @skip (NULL: none) is left out. */
static inline void hf_build(struct fake_sysfs *fs, const char *skip)
{
	fake_sysfs_init(fs);
	for (unsigned i = 0; i < sizeof(hf_rig) / sizeof(hf_rig[0]); i++)
		if (!skip || strcmp(skip, hf_rig[i].bdf))
			hf_add(fs, &hf_rig[i]);
}

/* Rebind @bdf to @driver (NULL: unbind) in the tree. */
static inline void hf_bind(struct fake_sysfs *fs, const char *bdf, const char *driver)
{
	char path[PATH_MAX], target[PATH_MAX];

	snprintf(path, sizeof(path), "%s/devices/pci0000:00/%s/driver", fs->root, bdf);
	unlink(path);
	if (!driver)
		return;
	snprintf(target, sizeof(target), "%s/bus/pci/drivers/%s", fs->root, driver);
	fake_sysfs_mkdir_p(target);
	snprintf(target, sizeof(target), "../../../bus/pci/drivers/%s", driver);
	fake_sysfs_symlink(target, path);
}

#endif
