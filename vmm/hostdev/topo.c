// SPDX-License-Identifier: GPL-2.0
/*
 * A snapshot of the host's PCI functions from sysfs. Attribute names and
 * formats are those of Documentation/ABI/testing/sysfs-bus-pci and
 * drivers/pci/pci-sysfs.c: vendor, device and class in "0x%04x"/"0x%06x",
 * numa_node and the bridge bus numbers in decimal, reset_method a list of
 * names (absent when the function has none), sriov_* for SR-IOV PFs and a
 * physfn link on each VF.
 *
 * The policy half of each entry mirrors kmod/ptguard_pci.c's snapshot, so
 * that ptvm and ptguard.ko compute the same reset domains:
 * - function-level reset capabilities come from reset_method, as ptguard
 *   reads them from pdev->reset_methods[] (which reset_method shows);
 * - its "bus" entry is ignored there and here: the kernel probes it once, when
 *   the function is added, so a function that was alone on its bus at that
 *   time keeps "bus" after a sibling appears. ptguard asks
 *   pci_probe_reset_bus() now; its answer is "yes" exactly when the bus has
 *   a bridge above it (bus->self, drivers/pci/pci.c pci_bus_reset()), short
 *   of the NO_BUS_RESET quirks sysfs does not show;
 * - a slot reset reaches what the bus reset at the same bridge reaches
 *   (ptguard_policy.c), and whether a slot's hotplug driver implements it is
 *   not visible in sysfs: the bus reset stands for both here.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hostdev/topo.h"
#include "vfio/sysfs.h"

#define TOPO_DEFAULT_ROOT "/sys"

/* @root/bus/pci/devices/@dev/@attr into @path. */
static int topo_path(char path[PATH_MAX], const char *root, const char *dev, const char *attr)
{
	int n = snprintf(path, PATH_MAX, "%s/bus/pci/devices/%s%s%s",
			 root ? root : TOPO_DEFAULT_ROOT, dev, attr ? "/" : "", attr ? attr : "");

	return n < 0 || n >= PATH_MAX ? -ENAMETOOLONG : 0;
}

/* Attribute @attr of @dev into @buf, the trailing newline cut. -ENOENT if absent. */
static int topo_attr(const char *root, const char *dev, const char *attr, char *buf, size_t len)
{
	char rel[PATH_MAX];
	int n = snprintf(rel, sizeof(rel), "bus/pci/devices/%s/%s", dev, attr);

	if (n < 0 || n >= (int)sizeof(rel))
		return -ENAMETOOLONG;
	return sysfs_read(root ? root : TOPO_DEFAULT_ROOT, rel, buf, len);
}

/* Unsigned attribute in @base (16 takes the "0x" prefix). -EINVAL if not a number. */
static int topo_attr_ulong(const char *root, const char *dev, const char *attr, int base,
			   unsigned long *out)
{
	char buf[32], *end;
	int ret = topo_attr(root, dev, attr, buf, sizeof(buf));

	if (ret)
		return ret;
	if (buf[0] < '0' || buf[0] > '9')
		return -EINVAL;
	errno = 0;
	*out = strtoul(buf, &end, base);
	return errno || end == buf || *end ? -EINVAL : 0;
}

/* Last component of the link @dev/@link into @buf. -ENOENT if absent. */
static int topo_link(const char *root, const char *dev, const char *link, char *buf, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *base;
	ssize_t n;
	int ret = topo_path(path, root, dev, link);

	if (ret)
		return ret;
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) >= len)
		return -ENAMETOOLONG;
	memcpy(buf, base, strlen(base) + 1);
	return 0;
}

/* The identity attributes every function has. */
static int topo_read_ids(const char *root, struct topo_fn *f)
{
	unsigned long v, d, c;
	long numa;
	char buf[32], *end;
	int ret;

	ret = topo_attr_ulong(root, f->name, "vendor", 16, &v);
	if (!ret)
		ret = topo_attr_ulong(root, f->name, "device", 16, &d);
	if (!ret)
		ret = topo_attr_ulong(root, f->name, "class", 16, &c);
	if (ret)
		return ret;
	f->vendor = (uint16_t)v;
	f->device = (uint16_t)d;
	f->class = (uint32_t)c & 0xffffff;
	/* numa_node exists with CONFIG_NUMA only; -1 is "no node". */
	f->numa_node = -1;
	if (!topo_attr(root, f->name, "numa_node", buf, sizeof(buf))) {
		numa = strtol(buf, &end, 10);
		if (end != buf && !*end && numa >= 0 && numa <= INT_MAX)
			f->numa_node = (int)numa;
	}
	return 0;
}

/* Everything optional: reset methods, bridge bus numbers, SR-IOV. */
static int topo_read_extras(const char *root, struct topo_fn *f, struct ptg_dev *d)
{
	unsigned long sec, sub, num, total;
	int ret;

	ret = topo_attr(root, f->name, "reset_method", f->reset_method, sizeof(f->reset_method));
	if (ret == -ENOENT)
		f->reset_method[0] = '\0';
	else if (ret)
		return ret;
	/* pci_bridge_attrs: shown for type 1 and CardBus headers (pci_is_bridge()). */
	if (!topo_attr_ulong(root, f->name, "secondary_bus_number", 10, &sec) &&
	    !topo_attr_ulong(root, f->name, "subordinate_bus_number", 10, &sub)) {
		f->bridge = d->bridge = true;
		d->sec = (u8)sec;
		d->sub = (u8)sub;
	}
	if (!topo_attr_ulong(root, f->name, "sriov_totalvfs", 10, &total) &&
	    !topo_attr_ulong(root, f->name, "sriov_numvfs", 10, &num)) {
		f->pf = true;
		f->total_vfs = (unsigned)total;
		f->num_vfs = (unsigned)num;
	}
	/* The PF is the directory the link points to, named by its address. */
	f->vf = !topo_link(root, f->name, "physfn", f->physfn, sizeof(f->physfn));
	return 0;
}

static int topo_read_fn(const char *root, struct topo_fn *f, struct ptg_dev *d)
{
	int ret;

	pci_bdf_format(&f->bdf, f->name);
	ret = topo_read_ids(root, f);
	if (!ret)
		ret = sysfs_pci_driver(root, &f->bdf, f->driver, sizeof(f->driver));
	if (!ret) {
		ret = sysfs_pci_iommu_group(root, &f->bdf, &f->group);
		f->has_group = !ret;
		if (ret == -ENOENT)
			ret = 0;
	}
	if (!ret)
		ret = topo_read_extras(root, f, d);
	if (ret)
		log_err("%s: cannot read its sysfs attributes: %s", f->name, strerror(-ret));
	return ret;
}

/*
 * Function-level methods of drivers/pci/pci.c pci_reset_fn_methods[], by
 * the names reset_method shows. "bus" and "cxl_bus" are not here: see the
 * comment at the top.
 */
static const struct {
	const char *name;
	u32 cap;
} topo_methods[] = {
	{"device_specific", PTGUARD_CAP_DEV_SPECIFIC},
	{"acpi", PTGUARD_CAP_ACPI},
	{"flr", PTGUARD_CAP_FLR},
	{"af_flr", PTGUARD_CAP_AF_FLR},
	{"pm", PTGUARD_CAP_PM},
};

static u32 topo_function_caps(const char *reset_method)
{
	char list[TOPO_RESET_MAX], *save = NULL;
	u32 caps = 0;

	snprintf(list, sizeof(list), "%s", reset_method);
	for (char *m = strtok_r(list, " ", &save); m; m = strtok_r(NULL, " ", &save))
		for (unsigned i = 0; i < ARRAY_SIZE(topo_methods); i++)
			if (!strcmp(m, topo_methods[i].name))
				caps |= topo_methods[i].cap;
	return caps;
}

/* The rest of ptguard's view of function @i, once every function is known. */
static void topo_fill_policy(struct topo *t, unsigned i)
{
	const struct topo_fn *f = &t->fns[i];
	struct ptg_dev *d = &t->devs[i];

	d->addr = PTGUARD_ADDR(f->bdf.domain, f->bdf.bus, f->bdf.dev, f->bdf.fn);
	d->group = f->has_group ? f->group : PTG_NO_GROUP;
	snprintf(d->driver, sizeof(d->driver), "%.*s", (int)sizeof(d->driver) - 1, f->driver);
	d->caps = topo_function_caps(f->reset_method);
	/* A root bus ends where the host bridge's range ends; 0xff is all ptguard needs. */
	d->bus_last = 0xff;
	for (unsigned j = 0; j < t->nr; j++) {
		if (j == i || !t->fns[j].bridge || t->fns[j].bdf.domain != f->bdf.domain ||
		    t->devs[j].sec != f->bdf.bus)
			continue;
		/* The bridge above: its Secondary Bus Reset reaches this bus and all below. */
		d->bus_last = t->devs[j].sub;
		d->caps |= PTGUARD_CAP_BUS;
		break;
	}
}

static int topo_cmp(const void *a, const void *b)
{
	const struct topo_fn *x = a, *y = b;
	uint32_t kx = (uint32_t)x->bdf.domain << 16 | x->bdf.bus << 8 | x->bdf.dev << 3 | x->bdf.fn;
	uint32_t ky = (uint32_t)y->bdf.domain << 16 | y->bdf.bus << 8 | y->bdf.dev << 3 | y->bdf.fn;

	return kx < ky ? -1 : kx > ky;
}

/* The addresses under bus/pci/devices into t->fns (t->nr of them). */
static int topo_list(const char *root, struct topo *t)
{
	char dir[PATH_MAX];
	unsigned cap = 0;
	struct dirent *e;
	int ret = topo_path(dir, root, "", NULL);
	DIR *d;

	if (ret)
		return ret;
	d = opendir(dir);
	if (!d) {
		ret = -errno;
		log_err("%s: cannot list the PCI devices: %s", dir, strerror(-ret));
		return ret;
	}
	while ((e = readdir(d))) {
		struct pci_bdf bdf;

		if (pci_bdf_parse(e->d_name, &bdf))
			continue; /* "." and ".." */
		if (t->nr == cap) {
			struct topo_fn *fns;

			cap = cap ? cap * 2 : 32;
			fns = realloc(t->fns, cap * sizeof(*fns));
			if (!fns) {
				log_err("out of memory listing the PCI devices");
				ret = -ENOMEM;
				break;
			}
			t->fns = fns;
		}
		memset(&t->fns[t->nr], 0, sizeof(t->fns[0]));
		t->fns[t->nr++].bdf = bdf;
	}
	closedir(d);
	if (!ret && t->nr)
		qsort(t->fns, t->nr, sizeof(t->fns[0]), topo_cmp);
	return ret;
}

int topo_read(const char *root, struct topo *t)
{
	int ret;

	memset(t, 0, sizeof(*t));
	ret = topo_list(root, t);
	if (ret)
		goto err;
	t->devs = calloc(t->nr ? t->nr : 1, sizeof(*t->devs));
	if (!t->devs) {
		log_err("out of memory listing the PCI devices");
		ret = -ENOMEM;
		goto err;
	}
	for (unsigned i = 0; i < t->nr; i++) {
		ret = topo_read_fn(root, &t->fns[i], &t->devs[i]);
		if (ret)
			goto err;
	}
	for (unsigned i = 0; i < t->nr; i++)
		topo_fill_policy(t, i);
	t->ptg.devs = t->devs;
	t->ptg.nr = t->nr;
	return 0;

err:
	topo_free(t);
	return ret;
}

void topo_free(struct topo *t)
{
	free(t->fns);
	free(t->devs);
	memset(t, 0, sizeof(*t));
}

int topo_find(const struct topo *t, const struct pci_bdf *bdf)
{
	for (unsigned i = 0; i < t->nr; i++) {
		const struct pci_bdf *b = &t->fns[i].bdf;

		if (b->domain == bdf->domain && b->bus == bdf->bus && b->dev == bdf->dev &&
		    b->fn == bdf->fn)
			return (int)i;
	}
	return -ENODEV;
}
