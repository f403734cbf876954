/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host's PCI functions as sysfs shows them (Documentation/ABI/testing/
 * sysfs-bus-pci), read once into a snapshot for `ptvm devices` and `ptvm
 * check`. Next to what a person wants to see (IDs, class, driver, NUMA node,
 * SR-IOV), the snapshot carries the same struct ptg_topo that ptguard.ko
 * builds in the kernel, so kmod/ptguard_policy.c answers which devices a
 * reset reaches and whether a claim would be granted, with the same rules.
 */
#ifndef PTVM_HOSTDEV_TOPO_H
#define PTVM_HOSTDEV_TOPO_H

#include "../../kmod/ptguard_policy.h"
#include "util.h"
#include "vfio/sysfs.h"

/* Longest reset_method line kept: every method name of Linux 6.x fits. */
#define TOPO_RESET_MAX 96

/* What sysfs says about one function, beyond the policy's view of it. */
struct topo_fn {
	struct pci_bdf bdf;
	char name[PCI_BDF_STRLEN]; /* "dddd:bb:dd.f" */
	uint16_t vendor, device;
	uint32_t class;		       /* 24 bits: base class, sub-class, programming interface */
	char driver[SYSFS_DRIVER_MAX]; /* "" if none */
	bool has_group;
	unsigned group;
	char reset_method[TOPO_RESET_MAX]; /* sysfs reset_method, "" if absent */
	int numa_node;			   /* -1: none or unknown */
	bool bridge;			   /* has secondary_bus_number */
	bool pf;			   /* has sriov_totalvfs */
	unsigned num_vfs, total_vfs;
	bool vf;		     /* has a physfn link ... */
	char physfn[PCI_BDF_STRLEN]; /* ... to this PF */
};

/*
 * Every function, sorted by address. fns[i] and ptg.devs[i] describe the
 * same function; ptg.nr == nr.
 */
struct topo {
	struct topo_fn *fns;
	struct ptg_dev *devs;
	struct ptg_topo ptg;
	unsigned nr;
};

/*
 * Read every function under @root/bus/pci/devices (@root NULL: "/sys").
 * Logs once what it could not read; -errno. topo_free() undoes it.
 */
int topo_read(const char *root, struct topo *t) __must_check;
void topo_free(struct topo *t);

/* Index of @bdf in @t, or -ENODEV. */
int topo_find(const struct topo *t, const struct pci_bdf *bdf);

/* Class code helpers (PCI Code and ID Assignment r1.11, sec 1.7: base class 06h, bridges). */
#define TOPO_CLASS_HOST_BRIDGE 0x0600
#define TOPO_CLASS_ISA_BRIDGE  0x0601
static inline unsigned topo_class_sub(const struct topo_fn *f)
{
	return f->class >> 8;
}

#endif
