/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NUMA placement: which host node a guest's RAM (mbind, memory.c) and vCPU
 * threads (CPU affinity, vcpu.c) go on. By default the node of the
 * passed-through devices, so their DMA and interrupts stay on the node the
 * guest's memory and vCPUs are on; --numa-node overrides. The topology is
 * read from sysfs (Documentation/ABI/stable/sysfs-devices-node,
 * Documentation/ABI/testing/sysfs-bus-pci); every read takes a sysfs root
 * (NULL means "/sys") so tests can point it at a tree they build.
 */
#ifndef PTVM_NUMA_H
#define PTVM_NUMA_H

#include <sched.h>

#include "vfio/sysfs.h"

/* No node: what a device's numa_node says when the firmware did not tell. */
#define NUMA_NO_NODE (-1)

/*
 * Parse a sysfs CPU or node list ("0-3,8-11", "5", "" for none; one
 * trailing newline allowed) into @set. -EINVAL for anything else (signs,
 * blanks, empty items, a range that runs backwards), -ERANGE for a number
 * of CPU_SETSIZE or more.
 */
int numa_cpulist_parse(const char *s, cpu_set_t *set) __must_check;

/*
 * The node @bdf is attached to (bus/pci/devices/BDF/numa_node), or
 * NUMA_NO_NODE if it reports none (-1, or no such attribute: a kernel
 * without NUMA). -errno if it cannot be read or parsed. Silent.
 */
int numa_pci_node(const char *root, const struct pci_bdf *bdf, int *node) __must_check;

/* What placement is asked for. */
struct numa_want {
	const struct pci_bdf *devs; /* the --passthrough devices */
	unsigned nr_devs;
	int node; /* --numa-node, or NUMA_NO_NODE to follow the devices */
	/* --hugepages: the node's pool must have this many pages of this size free. */
	uint64_t huge_page_size;
	uint64_t huge_pages;
};

struct numa_choice {
	int node;	/* NUMA_NO_NODE: no placement */
	cpu_set_t cpus; /* the node's CPUs, when there is a node */
	char why[320];	/* the choice and its reason, for --verbose */
};

/*
 * Choose a node: @w->node if given (it must be online, with memory, CPUs
 * and the huge pages asked for); else the node all devices that report one
 * agree on, if it has all that; else none, with the reason in @c->why. Only
 * a bad --numa-node is an error: one line naming it, -ENODEV.
 */
int numa_choose(const char *root, const struct numa_want *w, struct numa_choice *c) __must_check;

/*
 * Room for @need huge pages of @page_size (SZ_2M or SZ_1G) in the system's
 * pool (@node NUMA_NO_NODE) or in node @node's? 0 if so. Otherwise a clause
 * for an error line into @msg naming the pages needed, the pages free and
 * how to add them: -ENOMEM if the pool is short, -ENOENT if this kernel has
 * no pool of that size, another -errno if it cannot be read.
 */
int numa_huge_check(const char *root, uint64_t page_size, int node, uint64_t need, char *msg,
		    size_t len) __must_check;

#endif
