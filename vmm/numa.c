// SPDX-License-Identifier: GPL-2.0
/*
 * The host's NUMA topology from sysfs, and the node a guest is placed on.
 * Plain libc, as vfio/sysfs.c: these are small attribute files.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "numa.h"

#define NUMA_DEFAULT_ROOT "/sys"

/* Attribute @fmt... under @root into @buf (NUL-terminated); -errno. */
static int __printf(4, 5) numa_read(const char *root, char *buf, size_t len, const char *fmt, ...)
{
	char rel[256], path[PATH_MAX];
	va_list ap;
	ssize_t n;
	int fd, ret = 0;

	va_start(ap, fmt);
	n = vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	if (n >= (ssize_t)sizeof(rel) ||
	    snprintf(path, sizeof(path), "%s/%s", root ? root : NUMA_DEFAULT_ROOT, rel) >=
		    (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0)
		ret = -errno;
	else
		buf[n] = '\0';
	close(fd);
	return ret;
}

/*
 * A decimal number at *@s, advancing *@s: digits only, no sign or blank.
 * Too large saturates at ULONG_MAX (man 3 strtoul), which no caller takes.
 */
static int numa_number(const char **s, unsigned long *out)
{
	char *end;

	if (**s < '0' || **s > '9')
		return -EINVAL;
	*out = strtoul(*s, &end, 10);
	*s = end;
	return 0;
}

int numa_cpulist_parse(const char *s, cpu_set_t *set)
{
	CPU_ZERO(set);
	/*
	 * The list format of Documentation/ABI/stable/sysfs-devices-node
	 * (cpulist, online, has_memory): comma-separated numbers and ranges;
	 * the kernel prints it with "%*pbl", never with strides.
	 */
	while (*s && strcmp(s, "\n")) {
		unsigned long lo, hi;
		int ret = numa_number(&s, &lo);

		if (ret)
			return ret;
		hi = lo;
		if (*s == '-') {
			s++;
			ret = numa_number(&s, &hi);
			if (ret)
				return ret;
			if (hi < lo)
				return -EINVAL;
		}
		if (hi >= CPU_SETSIZE)
			return -ERANGE;
		for (unsigned long c = lo; c <= hi; c++)
			CPU_SET(c, set);
		/* Anything but a comma or the end fails as the next number. */
		if (*s == ',' && (!*++s || !strcmp(s, "\n")))
			return -EINVAL;
	}
	return 0;
}

int numa_pci_node(const char *root, const struct pci_bdf *bdf, int *node)
{
	char buf[32], name[PCI_BDF_STRLEN], *end;
	long v;
	int ret = numa_read(root, buf, sizeof(buf), "bus/pci/devices/%s/numa_node",
			    pci_bdf_format(bdf, name));

	if (ret == -ENOENT) {
		/* The attribute exists only in kernels built with NUMA. */
		*node = NUMA_NO_NODE;
		return 0;
	}
	if (ret)
		return ret;
	/* Out of range saturates at LONG_MIN/LONG_MAX (man 3 strtol): refused below. */
	v = strtol(buf, &end, 10);
	if (end == buf || (*end && strcmp(end, "\n")) || v < NUMA_NO_NODE || v > INT_MAX)
		return -EINVAL;
	*node = (int)v;
	return 0;
}

/* A pool attribute (number) of the system's pool or of @node's into *@val. */
static int numa_pool_read(const char *root, const char *pool, const char *attr, uint64_t *val)
{
	char buf[32], *end;
	int ret = numa_read(root, buf, sizeof(buf), "%s/%s", pool, attr);

	if (ret)
		return ret;
	if (buf[0] < '0' || buf[0] > '9')
		return -EINVAL;
	*val = strtoull(buf, &end, 10);
	return *end && strcmp(end, "\n") ? -EINVAL : 0;
}

int numa_huge_check(const char *root, uint64_t page_size, int node, uint64_t need, char *msg,
		    size_t len)
{
	const char *sys = root ? root : NUMA_DEFAULT_ROOT;
	const char *label = page_size == SZ_1G ? "1G" : "2M";
	uint64_t nr, free, resv = 0;
	char pool[96], fix[200], who[32];
	int ret;

	/* Documentation/admin-guide/mm/hugetlbpage.rst: the pools and their files. */
	if (node == NUMA_NO_NODE)
		snprintf(pool, sizeof(pool), "kernel/mm/hugepages/hugepages-%llukB",
			 (unsigned long long)(page_size >> 10));
	else
		snprintf(pool, sizeof(pool),
			 "devices/system/node/node%d/hugepages/hugepages-%llukB", node,
			 (unsigned long long)(page_size >> 10));
	ret = numa_pool_read(root, pool, "nr_hugepages", &nr);
	if (ret == -ENOENT) {
		snprintf(msg, len, "this kernel has no %s huge pages (no %s/%s)", label, sys, pool);
		return ret;
	}
	if (!ret)
		ret = numa_pool_read(root, pool, "free_hugepages", &free);
	/*
	 * Free pages that mmaps have reserved are not free for us: what the
	 * system's pool can still promise is free less resv. Nodes have no
	 * resv file: reservations are counted system-wide.
	 */
	if (!ret && node == NUMA_NO_NODE)
		ret = numa_pool_read(root, pool, "resv_hugepages", &resv);
	if (ret) {
		snprintf(msg, len, "cannot read %s/%s: %s", sys, pool, strerror(-ret));
		return ret;
	}
	free = free > resv ? free - resv : 0;
	if (free >= need)
		return 0;
	/* The pool size that leaves @need pages free: nr_hugepages is the pool. */
	nr += need - free;
	if (node != NUMA_NO_NODE)
		snprintf(fix, sizeof(fix), "echo %llu > %s/%s/nr_hugepages", (unsigned long long)nr,
			 sys, pool);
	else if (page_size == SZ_1G)
		/* 1G pages are rarely found contiguous at runtime: the boot parameter is surer. */
		snprintf(fix, sizeof(fix),
			 "echo %llu > %s/%s/nr_hugepages, or boot with "
			 "hugepagesz=1G hugepages=%llu",
			 (unsigned long long)nr, sys, pool, (unsigned long long)nr);
	else
		/* vm.nr_hugepages is the pool of the default size, 2M on x86-64. */
		snprintf(fix, sizeof(fix), "sysctl vm.nr_hugepages=%llu", (unsigned long long)nr);
	snprintf(who, sizeof(who), node == NUMA_NO_NODE ? "the pool" : "node %d's pool", node);
	snprintf(msg, len,
		 "the guest's RAM needs %llu %s huge page%s, %s has %llu free: add them "
		 "with %s",
		 (unsigned long long)need, label, need == 1 ? "" : "s", who,
		 (unsigned long long)free, fix);
	return -ENOMEM;
}

/* Is @node in the node list @attr (devices/system/node/@attr)? The list into @buf. */
static int numa_node_listed(const char *root, const char *attr, int node, char *buf, size_t len,
			    bool *in)
{
	cpu_set_t set;
	int ret = numa_read(root, buf, len, "devices/system/node/%s", attr);

	if (!ret)
		ret = numa_cpulist_parse(buf, &set);
	if (ret)
		return ret;
	buf[strcspn(buf, "\n")] = '\0';
	/* glibc's CPU_ISSET is 0 for numbers outside the set (bits/cpu-set.h). */
	*in = CPU_ISSET(node, &set);
	return 0;
}

/*
 * Can @node take the guest? Online, with memory (mbind MPOL_BIND to a node
 * without memory fails, man 2 mbind), with CPUs to run the vCPUs on, which
 * go into @cpus, and with the huge pages @w asks for free. Otherwise
 * -ENODEV and a clause naming the node into @why ("node 3 does not exist
 * (online nodes: 0-1)").
 */
static int numa_node_check(const char *root, const struct numa_want *w, int node, cpu_set_t *cpus,
			   char *why, size_t len)
{
	char list[4096];
	bool in;

	if (numa_node_listed(root, "online", node, list, sizeof(list), &in)) {
		snprintf(why, len, "node %d does not exist (this kernel shows no NUMA nodes)",
			 node);
		return -ENODEV;
	}
	if (!in) {
		snprintf(why, len, "node %d does not exist (online nodes: %.64s)", node, list);
		return -ENODEV;
	}
	if (numa_node_listed(root, "has_memory", node, list, sizeof(list), &in) || !in) {
		snprintf(why, len, "node %d has no memory", node);
		return -ENODEV;
	}
	if (numa_read(root, list, sizeof(list), "devices/system/node/node%d/cpulist", node) ||
	    numa_cpulist_parse(list, cpus) || !CPU_COUNT(cpus)) {
		snprintf(why, len, "node %d has no CPUs", node);
		return -ENODEV;
	}
	/*
	 * The pool reservation at mmap time is system-wide, and a fault on a
	 * node that has run out is SIGBUS: check the node's own pool.
	 */
	if (w->huge_page_size &&
	    numa_huge_check(root, w->huge_page_size, node, w->huge_pages, why, len))
		return -ENODEV;
	return 0;
}

/* Distinct nodes a reason line lists before it stops counting. */
#define NUMA_WHY_NODES 8

/* What the devices say: the nodes they report, in order of first mention. */
struct numa_votes {
	int nodes[NUMA_WHY_NODES];
	unsigned nr_nodes;
	unsigned known; /* devices that report a node */
	unsigned first; /* index of the first of them */
};

static void numa_count_votes(const char *root, const struct numa_want *w, struct numa_votes *v)
{
	memset(v, 0, sizeof(*v));
	for (unsigned i = 0; i < w->nr_devs; i++) {
		unsigned j;
		int n;

		/* -1 or unreadable: this device does not say, the others decide. */
		if (numa_pci_node(root, &w->devs[i], &n) || n == NUMA_NO_NODE)
			continue;
		if (!v->known++)
			v->first = i;
		for (j = 0; j < v->nr_nodes && v->nodes[j] != n; j++)
			;
		if (j == v->nr_nodes && j < NUMA_WHY_NODES)
			v->nodes[v->nr_nodes++] = n;
	}
}

/* "devices on nodes 0, 1 and 3" into @c->why. */
static void numa_why_split(const struct numa_votes *v, struct numa_choice *c)
{
	size_t off = snprintf(c->why, sizeof(c->why), "no NUMA placement: devices on nodes %d",
			      v->nodes[0]);

	for (unsigned j = 1; j < v->nr_nodes && off < sizeof(c->why); j++)
		off += snprintf(c->why + off, sizeof(c->why) - off, "%s%d",
				j + 1 == v->nr_nodes ? " and " : ", ", v->nodes[j]);
}

int numa_choose(const char *root, const struct numa_want *w, struct numa_choice *c)
{
	char why[256], name[PCI_BDF_STRLEN], more[48] = "", silent[48] = "";
	struct numa_votes v;
	unsigned n;

	c->node = NUMA_NO_NODE;
	CPU_ZERO(&c->cpus);
	if (w->node != NUMA_NO_NODE) {
		if (numa_node_check(root, w, w->node, &c->cpus, why, sizeof(why))) {
			log_err("--numa-node %d: %s", w->node, why);
			return -ENODEV;
		}
		c->node = w->node;
		snprintf(c->why, sizeof(c->why), "RAM and vCPUs on node %d (--numa-node %d)",
			 c->node, c->node);
		return 0;
	}
	numa_count_votes(root, w, &v);
	if (!w->nr_devs) {
		snprintf(c->why, sizeof(c->why), "no NUMA placement: no device passed through");
		return 0;
	}
	if (!v.known) {
		snprintf(c->why, sizeof(c->why), "no NUMA placement: no device reports a node");
		return 0;
	}
	if (v.nr_nodes > 1) {
		numa_why_split(&v, c);
		return 0;
	}
	pci_bdf_format(&w->devs[v.first], name);
	if (numa_node_check(root, w, v.nodes[0], &c->cpus, why, sizeof(why))) {
		/* The firmware named a node the guest cannot use: run unplaced. */
		snprintf(c->why, sizeof(c->why), "no NUMA placement: %s is on node %d, but %s",
			 name, v.nodes[0], why);
		return 0;
	}
	c->node = v.nodes[0];
	n = v.known - 1;
	if (n)
		snprintf(more, sizeof(more), " and %u other device%s", n, n == 1 ? "" : "s");
	n = w->nr_devs - v.known;
	if (n)
		snprintf(silent, sizeof(silent), "; %u device%s no node", n,
			 n == 1 ? " reports" : "s report");
	snprintf(c->why, sizeof(c->why), "RAM and vCPUs on node %d (the node of %s%s%s)", c->node,
		 name, more, silent);
	return 0;
}
