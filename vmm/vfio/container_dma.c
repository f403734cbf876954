// SPDX-License-Identifier: GPL-2.0
/*
 * Guest RAM in a VFIO container's IOMMU: the usable IOVA ranges, the type1
 * DMA maps and unmaps (Documentation/driver-api/vfio.rst; ioctls and
 * structs from include/uapi/linux/vfio.h).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vfio/container.h"
#include "vfio/info.h"

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
