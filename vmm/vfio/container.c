// SPDX-License-Identifier: GPL-2.0
/*
 * VFIO container, groups and type1 DMA mappings (Documentation/driver-api/
 * vfio.rst; ioctls and structs from include/uapi/linux/vfio.h).
 */
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vfio/container.h"
#include "vfio/info.h"
#include "vfio/sysfs.h"

#define VFIO_CONTAINER_PATH    "/dev/vfio/vfio"
#define VFIO_GROUP_MEMBERS_MAX 32

/*
 * Where the kernel keeps the switch that lets groups attach without
 * interrupt remapping: type1 (drivers/vfio/vfio_iommu_type1.c), or iommufd
 * when it provides /dev/vfio/vfio (CONFIG_IOMMUFD_VFIO_CONTAINER).
 */
static const struct {
	const char *module;
	const char *param;
} unsafe_irq_params[] = {
	{"vfio_iommu_type1", "module/vfio_iommu_type1/parameters/allow_unsafe_interrupts"},
	{"iommufd", "module/iommufd/parameters/allow_unsafe_interrupts"},
};

/*
 * --allow-unsafe-interrupts checks the host's policy and never changes it.
 * Setting the switch for the run and restoring it on the way out cannot be
 * made to hold: SIGKILL, a crash or a power cut skip any restore; two ptvm
 * runs overlapping save each other's temporary "1" and one restores it for
 * good; and while it is on, it is on for every VFIO user of the host, QEMU
 * too. Recording it for a later cleanup only moves the same hole. So the
 * decision stays the administrator's: with the switch off ptvm refuses and
 * says how to turn it on; with it on, the option is the user's acceptance
 * of the risk, said once.
 */
static int container_check_unsafe_interrupts(struct vfio_container *c)
{
	const char *root = c->sysfs_root ? c->sysfs_root : "/sys";
	int ret = -ENOENT;
	unsigned i;
	char val[8];

	for (i = 0; i < ARRAY_SIZE(unsafe_irq_params); i++) {
		ret = sysfs_read(c->sysfs_root, unsafe_irq_params[i].param, val, sizeof(val));
		if (ret != -ENOENT)
			break;
	}
	if (ret) {
		log_err("vfio: --allow-unsafe-interrupts: cannot read %s/%s: %s", root,
			unsafe_irq_params[0].param, strerror(-ret));
		return ret;
	}
	/* A bool module parameter reads Y or N. */
	if (val[0] != 'Y' && val[0] != '1') {
		log_err("vfio: --allow-unsafe-interrupts: %s's allow_unsafe_interrupts is off and "
			"ptvm leaves that host policy to the administrator: echo 1 > %s/%s (or "
			"'options %s allow_unsafe_interrupts=1' in /etc/modprobe.d/)",
			unsafe_irq_params[i].module, root, unsafe_irq_params[i].param,
			unsafe_irq_params[i].module);
		return -EPERM;
	}
	log_err("vfio: --allow-unsafe-interrupts: without interrupt remapping a passed-through "
		"device can forge MSIs to any host interrupt vector");
	return 0;
}

int container_open(const struct vfio_container_config *cfg, struct vfio_container **out)
{
	const struct sys_ops *sys = cfg->sys;
	struct vfio_container *c;
	int ret;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->sys = sys;
	c->sysfs_root = cfg->sysfs_root;
	c->check = cfg->check;
	c->fd = sys->open(VFIO_CONTAINER_PATH, O_RDWR);
	if (c->fd < 0) {
		ret = c->fd;
		log_err("vfio: cannot open %s: %s%s", VFIO_CONTAINER_PATH, strerror(-ret),
			ret == -ENOENT	 ? " (load the vfio-pci module)"
			: ret == -EACCES ? " (run ptvm as root)"
					 : "");
		goto err_free;
	}
	ret = sys->ioctl(c->fd, VFIO_GET_API_VERSION, NULL);
	if (ret != VFIO_API_VERSION) {
		log_err("vfio: %s speaks API version %d, ptvm needs %d", VFIO_CONTAINER_PATH, ret,
			VFIO_API_VERSION);
		ret = -ENOTSUP;
		goto err_close;
	}
	/* vfio.rst: "Doesn't support the IOMMU driver we want." */
	if (sys->ioctl(c->fd, VFIO_CHECK_EXTENSION, (void *)VFIO_TYPE1v2_IOMMU) <= 0) {
		log_err("vfio: %s lacks VFIO_TYPE1v2_IOMMU (load vfio_iommu_type1)",
			VFIO_CONTAINER_PATH);
		ret = -ENOTSUP;
		goto err_close;
	}
	if (cfg->allow_unsafe_interrupts) {
		ret = container_check_unsafe_interrupts(c);
		if (ret)
			goto err_close;
	}
	*out = c;
	return 0;

err_close:
	sys->close(c->fd);
err_free:
	free(c);
	return ret;
}

void container_close(struct vfio_container *c)
{
	if (!c)
		return;
	container_unmap_ram(c);
	/* Closing a group fd detaches it; the last one disables the IOMMU (vfio.h). */
	for (unsigned i = c->nr_groups; i-- > 0;)
		if (c->groups[i].fd >= 0)
			c->sys->close(c->groups[i].fd);
	c->sys->close(c->fd);
	free(c->ranges);
	free(c);
}

/* One line naming each member of @id that keeps the group from being viable. */
static void group_log_not_viable(struct vfio_container *c, unsigned id)
{
	struct sysfs_group_member m[VFIO_GROUP_MEMBERS_MAX];
	char who[256] = "", names[200] = "";
	size_t wl = 0, nl = 0;
	unsigned nr;
	int ret;

	ret = sysfs_iommu_group_members(c->sysfs_root, id, m, ARRAY_SIZE(m), &nr);
	if (ret) {
		log_err("vfio: /dev/vfio/%u: group not viable (cannot list its devices: %s)", id,
			strerror(-ret));
		return;
	}
	for (unsigned i = 0; i < MIN(nr, ARRAY_SIZE(m)); i++) {
		if (sysfs_driver_vfio_compatible(m[i].driver))
			continue;
		if (wl < sizeof(who))
			wl += snprintf(who + wl, sizeof(who) - wl, "%s%s is bound to %s",
				       wl ? ", " : "", m[i].name, m[i].driver);
		if (nl < sizeof(names))
			nl += snprintf(names + nl, sizeof(names) - nl, " %s", m[i].name);
	}
	if (!wl) {
		log_err("vfio: /dev/vfio/%u: group not viable (see "
			"%s/kernel/iommu_groups/%u/devices)",
			id, c->sysfs_root ? c->sysfs_root : "/sys", id);
		return;
	}
	log_err("vfio: /dev/vfio/%u: group not viable: %s (every device in IOMMU group %u must "
		"be bound to vfio-pci: scripts/bind-vfio%s)",
		id, who, id, names);
}

static void group_log_attach(unsigned id, const char *what, int err)
{
	/*
	 * type1's attach refuses with -EPERM when the IOMMU cannot remap
	 * interrupts and allow_unsafe_interrupts is off: without remapping a
	 * device's DMA to the MSI window reaches any vector.
	 */
	if (err == -EPERM)
		log_err("vfio: /dev/vfio/%u: the host has no interrupt remapping; refusing (to "
			"accept that a device can inject arbitrary interrupts, an administrator "
			"turns on vfio_iommu_type1's allow_unsafe_interrupts and you pass "
			"--allow-unsafe-interrupts)",
			id);
	else
		log_err("vfio: /dev/vfio/%u: %s: %s", id, what, strerror(-err));
}

static int group_attach(struct vfio_container *c, struct vfio_group *g)
{
	struct vfio_group_status st = {.argsz = sizeof(st)};
	int ret;

	ret = c->sys->ioctl(g->fd, VFIO_GROUP_GET_STATUS, &st);
	if (ret < 0) {
		log_err("vfio: /dev/vfio/%u: VFIO_GROUP_GET_STATUS: %s", g->id, strerror(-ret));
		return ret;
	}
	g->viable = st.flags & VFIO_GROUP_FLAGS_VIABLE;
	if (!g->viable) {
		group_log_not_viable(c, g->id);
		return -EBUSY;
	}
	ret = c->sys->ioctl(g->fd, VFIO_GROUP_SET_CONTAINER, &c->fd);
	if (ret < 0) {
		group_log_attach(g->id, "VFIO_GROUP_SET_CONTAINER", ret);
		return ret;
	}
	if (c->iommu_set)
		return 0;
	/* vfio.rst: the IOMMU model is set once, after the first group joins. */
	ret = c->sys->ioctl(c->fd, VFIO_SET_IOMMU, (void *)VFIO_TYPE1v2_IOMMU);
	if (ret < 0) {
		group_log_attach(g->id, "VFIO_SET_IOMMU", ret);
		return ret;
	}
	c->iommu_set = true;
	return 0;
}

int container_group_get(struct vfio_container *c, unsigned id, struct vfio_group **out)
{
	struct vfio_group *g = NULL;
	char path[32];
	int ret;

	for (unsigned i = 0; i < c->nr_groups; i++) {
		if (c->groups[i].fd >= 0 && c->groups[i].id == id) {
			*out = &c->groups[i];
			return 0;
		}
		if (c->groups[i].fd < 0 && !g)
			g = &c->groups[i];
	}
	if (!g && c->nr_groups == VFIO_MAX_GROUPS) {
		log_err("vfio: /dev/vfio/%u: more than %u IOMMU groups", id, VFIO_MAX_GROUPS);
		return -ENOSPC;
	}
	if (!g)
		g = &c->groups[c->nr_groups];
	g->id = id;
	snprintf(path, sizeof(path), "/dev/vfio/%u", id);
	g->fd = c->sys->open(path, O_RDWR);
	if (g->fd < 0) {
		ret = g->fd;
		log_err("vfio: cannot open %s: %s%s", path, strerror(-ret),
			ret == -ENOENT
				? " (bind the group's devices to vfio-pci: scripts/bind-vfio)"
			: ret == -EBUSY ? " (another process holds the group)"
					: "");
		return ret;
	}
	ret = group_attach(c, g);
	if (ret) {
		c->sys->close(g->fd);
		g->fd = -1;
		return ret;
	}
	if (g == &c->groups[c->nr_groups])
		c->nr_groups++;
	*out = g;
	return 0;
}

void container_group_put(struct vfio_container *c, unsigned id)
{
	bool left = false;

	for (unsigned i = 0; i < c->nr_groups; i++) {
		struct vfio_group *g = &c->groups[i];

		if (g->fd >= 0 && g->id == id) {
			/* Closing the fd detaches the group (vfio.rst). */
			c->sys->close(g->fd);
			g->fd = -1;
		} else if (g->fd >= 0) {
			left = true;
		}
	}
	if (left)
		return;
	/* The last group's detach released the IOMMU and its mappings. */
	c->iommu_set = false;
	c->nr_dma = 0;
}

int container_for_each_group(struct vfio_container *c,
			     int (*fn)(void *opaque, const struct vfio_group *g), void *opaque)
{
	for (unsigned i = 0; i < c->nr_groups; i++) {
		int ret = c->groups[i].fd >= 0 ? fn(opaque, &c->groups[i]) : 0;

		if (ret)
			return ret;
	}
	return 0;
}

static int range_cmp(const void *a, const void *b)
{
	const struct vfio_iova_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

int container_get_iova_ranges(struct vfio_container *c)
{
	const size_t at = offsetof(struct vfio_iommu_type1_info_cap_iova_range, iova_ranges);
	struct vfio_iommu_type1_info_cap_iova_range head;
	struct vfio_iommu_type1_info hdr = {0}, *info;
	const char *cap;
	size_t size, room;
	void *buf;
	int ret;

	ret = vfio_info_get(c->sys, c->fd, VFIO_IOMMU_GET_INFO, &hdr, sizeof(hdr), &buf, &size);
	if (ret) {
		log_err("vfio: VFIO_IOMMU_GET_INFO: %s", strerror(-ret));
		return ret;
	}
	info = buf;
	free(c->ranges);
	c->ranges = NULL;
	c->nr_ranges = 0;
	c->have_ranges = false;
	if (!(info->flags & VFIO_IOMMU_INFO_CAPS) || !info->cap_offset)
		goto out; /* before Linux 5.4: no IOVA-range capability */
	cap = (const char *)vfio_info_cap_find(buf, size, info->cap_offset,
					       VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE, at);
	if (!cap)
		goto out;
	/*
	 * Caps are only 4-byte aligned (info.c: Linux 6.1 put this one at 68),
	 * and this one holds u64s: copied out, never read in place (C11
	 * 6.3.2.3p7; UBSan caught the in-place read in the rig's make e2e SAN=1).
	 */
	memcpy(&head, cap, at);
	room = size - (size_t)(cap - (const char *)buf) - at;
	if (head.nr_iovas > room / sizeof(struct vfio_iova_range)) {
		log_err("vfio: VFIO_IOMMU_GET_INFO: IOVA-range capability overruns the reply");
		ret = -EPROTO;
		goto out;
	}
	c->ranges = calloc(head.nr_iovas ? head.nr_iovas : 1, sizeof(*c->ranges));
	if (!c->ranges) {
		ret = -ENOMEM;
		goto out;
	}
	memcpy(c->ranges, cap + at, head.nr_iovas * sizeof(*c->ranges));
	c->nr_ranges = head.nr_iovas;
	qsort(c->ranges, c->nr_ranges, sizeof(*c->ranges), range_cmp);
	c->have_ranges = true;
out:
	free(buf);
	return ret;
}

/*
 * Log which reserved part of the IOVA space (a gap between usable ranges)
 * guest RAM [start, end] of region @idx runs into.
 */
static void ranges_log_conflict(const struct vfio_container *c, unsigned idx, uint64_t start,
				uint64_t end)
{
	unsigned long long s = start, e = end;
	uint64_t lo = 0;

	if (!c->nr_ranges) {
		log_err("vfio: guest RAM region %u (0x%llx-0x%llx): the host IOMMU reports no "
			"usable IOVA range",
			idx, s, e);
		return;
	}
	for (unsigned i = 0; i <= c->nr_ranges; i++) {
		bool top = i == c->nr_ranges;
		uint64_t hi;

		if (top && c->ranges[i - 1].end == UINT64_MAX)
			break;
		hi = top ? UINT64_MAX : c->ranges[i].start - 1;
		if ((top || c->ranges[i].start > lo) && start <= hi && end >= lo) {
			if (top)
				log_err("vfio: guest RAM region %u (0x%llx-0x%llx) lies above the "
					"host IOMMU's last usable IOVA 0x%llx",
					idx, s, e, (unsigned long long)(lo - 1));
			else
				log_err("vfio: guest RAM region %u (0x%llx-0x%llx) overlaps "
					"0x%llx-0x%llx, which the host IOMMU reserves",
					idx, s, e, (unsigned long long)lo, (unsigned long long)hi);
			return;
		}
		if (!top)
			lo = c->ranges[i].end + 1;
	}
	log_err("vfio: guest RAM region %u (0x%llx-0x%llx) spans more than one usable IOVA range",
		idx, s, e);
}

int container_check_ranges(struct vfio_container *c, const struct guest_mem *m)
{
	int ret = container_get_iova_ranges(c);

	if (ret)
		return ret;
	if (!c->have_ranges) {
		log_info("vfio: kernel does not report usable IOVA ranges; not checking guest RAM");
		return 0;
	}
	for (unsigned i = 0; i < m->nr; i++) {
		uint64_t start = m->r[i].gpa, end = m->r[i].gpa + m->r[i].size - 1;
		bool ok = false;

		for (unsigned j = 0; j < c->nr_ranges && !ok; j++)
			ok = start >= c->ranges[j].start && end <= c->ranges[j].end;
		if (!ok) {
			ranges_log_conflict(c, i, start, end);
			return -ERANGE;
		}
	}
	return 0;
}

/*
 * One region, a chunk at a time, so that setup can stop between chunks:
 * type1 pins every page of a mapping inside the ioctl (vfio_pin_map_dma()),
 * seconds for a large guest. Adjacent mappings are separate vfio_dma
 * entries; one unmap of the whole mapped span removes them all, since it
 * splits none (vfio_dma_do_unmap()).
 */
static int container_map_one(void *opaque, unsigned idx, const struct mem_region *r)
{
	struct vfio_container *c = opaque;
	uint64_t off;
	int ret = 0;

	if (!r->hva || c->nr_dma == ARRAY_SIZE(c->dma))
		return -EINVAL;
	c->dma[c->nr_dma].iova = r->gpa;
	c->dma[c->nr_dma].size = 0;
	c->nr_dma++;
	for (off = 0; off < r->size && !ret; off += CONTAINER_DMA_CHUNK) {
		struct vfio_iommu_type1_dma_map map = {
			.argsz = sizeof(map),
			.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
			.vaddr = (uintptr_t)r->hva + off,
			.iova = r->gpa + off,
			.size = MIN(CONTAINER_DMA_CHUNK, r->size - off),
		};

		if (c->check)
			ret = c->check();
		if (ret)
			break;
		ret = c->sys->ioctl(c->fd, VFIO_IOMMU_MAP_DMA, &map);
		if (ret < 0) {
			const char *hint = " (locked-memory limit too low? see ulimit -l)";

			log_err("vfio: VFIO_IOMMU_MAP_DMA of guest RAM 0x%llx+0x%llx: %s%s",
				(unsigned long long)map.iova, (unsigned long long)map.size,
				strerror(-ret), ret == -ENOMEM ? hint : "");
			break;
		}
		c->dma[c->nr_dma - 1].size += map.size;
	}
	return ret;
}

int container_map_ram(struct vfio_container *c, const struct guest_mem *m)
{
	int ret;

	if (c->nr_dma)
		return -EBUSY;
	ret = mem_for_each(m, container_map_one, c);
	if (ret)
		container_unmap_ram(c);
	return ret;
}

void container_unmap_ram(struct vfio_container *c)
{
	while (c->nr_dma) {
		struct vfio_iommu_type1_dma_unmap unmap = {
			.argsz = sizeof(unmap),
			.iova = c->dma[c->nr_dma - 1].iova,
			.size = c->dma[c->nr_dma - 1].size,
		};
		/* A region whose first chunk failed has nothing mapped. */
		int ret = unmap.size ? c->sys->ioctl(c->fd, VFIO_IOMMU_UNMAP_DMA, &unmap) : 0;

		if (ret < 0)
			log_err("vfio: VFIO_IOMMU_UNMAP_DMA of 0x%llx+0x%llx: %s",
				(unsigned long long)unmap.iova, (unsigned long long)unmap.size,
				strerror(-ret));
		c->nr_dma--;
	}
}

int container_memlock_verdict(uint64_t bytes, uint64_t limit, bool cap_ipc_lock)
{
	if (cap_ipc_lock || limit >= bytes)
		return 0;
	log_err("locked-memory limit is %llu MiB but the guest needs %llu MiB pinned for DMA "
		"(raise it: ulimit -l, or LimitMEMLOCK=)",
		(unsigned long long)(limit >> 20), (unsigned long long)((bytes + SZ_1M - 1) >> 20));
	return -ENOMEM;
}
