/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fake VFIO kernel behind struct sys_ops: scripted answers for the
 * container, group and device ioctls of include/uapi/linux/vfio.h, with the
 * argsz grow-and-retry protocol of the INFO ioctls, and a record of every
 * call and open fd. One per test binary (the seam has no opaque pointer).
 */
#ifndef PTVM_TEST_VFIO_FAKE_H
#define PTVM_TEST_VFIO_FAKE_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/vfio.h>

#include "sys.h"
#include "util.h"

#define FV_MAX_FDS   64
#define FV_MAX_CALLS 128
#define FV_MAX_MAPS  64
#define FV_MAX_RW    64
#define FV_FIRST_FD  100
#define FV_MAP_BASE  0x7f0000000000ULL
/* vfio-pci's region offsets in the device fd (VFIO_PCI_INDEX_TO_OFFSET, not uapi). */
#define FV_REGION_OFF(i) ((uint64_t)(i) << 40)

struct fv_region {
	uint32_t flags;
	uint64_t size;
	unsigned nr_sparse; /* > 0: report VFIO_REGION_INFO_CAP_SPARSE_MMAP */
	struct vfio_region_sparse_mmap_area sparse[4];
	bool msix_mappable; /* report VFIO_REGION_INFO_CAP_MSIX_MAPPABLE */
};

struct fake_vfio {
	/* Script. */
	int container_open_ret; /* < 0: open("/dev/vfio/vfio") fails */
	int group_open_ret;	/* < 0: open("/dev/vfio/N") fails */
	int api_version;
	int type1v2;
	uint32_t group_flags;
	int set_container_ret;
	int set_container_ret_after; /* from this SET_CONTAINER call on (1-based; 0: all) */
	int set_iommu_ret;
	bool iommu_no_caps;
	struct vfio_iova_range ranges[4];
	unsigned nr_ranges;
	int get_device_fd_ret;
	uint32_t dev_flags;
	unsigned num_regions, num_irqs;
	struct fv_region regions[VFIO_PCI_NUM_REGIONS];
	unsigned irq_count[VFIO_PCI_NUM_IRQS];
	int irq_info_ret[VFIO_PCI_NUM_IRQS]; /* < 0: GET_IRQ_INFO of that index fails */
	int map_dma_fail_at;		     /* 1-based MAP_DMA call that fails with map_dma_ret */
	int map_dma_ret;
	int region_info_fail; /* index + 1 whose VFIO_DEVICE_GET_REGION_INFO fails */
	int region_info_ret;
	bool sparse_overrun; /* BAR0's sparse cap claims more areas than it carries */
	int mmap_fail_at;    /* 1-based mmap call that fails with -EINVAL */
	int set_irqs_ret;
	/* Contents of a region (else reads return offset bytes): pread/pwrite go here. */
	uint8_t *region_data[VFIO_PCI_NUM_REGIONS];
	size_t region_data_len[VFIO_PCI_NUM_REGIONS];

	/* Record. */
	bool fd_open[FV_MAX_FDS];
	int container_fd, last_group_fd, device_fd;
	unsigned nr_opens;
	char last_open[64];
	unsigned long calls[FV_MAX_CALLS];
	unsigned nr_calls;
	int32_t set_container_arg;
	unsigned nr_set_container;
	unsigned long set_iommu_arg;
	unsigned nr_iommu_info, nr_region_info[VFIO_PCI_NUM_REGIONS];
	char device_name[32];
	struct vfio_iommu_type1_dma_map maps[FV_MAX_MAPS];
	unsigned nr_maps;
	struct vfio_iommu_type1_dma_unmap unmaps[FV_MAX_MAPS];
	unsigned nr_unmaps;
	struct {
		size_t len;
		int prot, flags, fd;
		off_t off;
		uint64_t addr;
	} mmaps[FV_MAX_MAPS];
	unsigned nr_mmaps;
	struct {
		uint64_t addr;
		size_t len;
	} munmaps[FV_MAX_MAPS];
	unsigned nr_munmaps;
	struct {
		bool write;
		size_t len;
		off_t off;
		uint64_t val; /* written bytes, little-endian */
	} rw[FV_MAX_RW];
	unsigned nr_rw;
	unsigned char irq_set[256]; /* last VFIO_DEVICE_SET_IRQS argument */
	unsigned nr_set_irqs, nr_reset;
	/* The first VFIO_DEVICE_SET_IRQS calls: header and first eventfd (-2: none). */
	struct {
		/* struct vfio_irq_set without its flexible data[] (ISO C: not in an array). */
		struct {
			uint32_t argsz, flags, index, start, count;
		} hdr;
		int32_t fd;
	} sets[8];
	unsigned nr_irq_info[16]; /* VFIO_DEVICE_GET_IRQ_INFO calls by index */
	unsigned nr_eventfds;
	int eventfd_flags;
};

static struct fake_vfio fv;

static inline void fv_reset(void)
{
	memset(&fv, 0, sizeof(fv));
	fv.api_version = VFIO_API_VERSION;
	fv.type1v2 = 1;
	fv.group_flags = VFIO_GROUP_FLAGS_VIABLE;
	fv.container_fd = fv.last_group_fd = fv.device_fd = -1;
}

static inline int fv_new_fd(void)
{
	for (int i = 0; i < FV_MAX_FDS; i++) {
		if (!fv.fd_open[i]) {
			fv.fd_open[i] = true;
			return FV_FIRST_FD + i;
		}
	}
	return -EMFILE;
}

static inline unsigned fv_open_fds(void)
{
	unsigned n = 0;

	for (int i = 0; i < FV_MAX_FDS; i++)
		n += fv.fd_open[i];
	return n;
}

static inline bool fv_called(unsigned long req)
{
	for (unsigned i = 0; i < fv.nr_calls; i++)
		if (fv.calls[i] == req)
			return true;
	return false;
}

static inline int fv_open(const char *path, int flags)
{
	int fd;

	fv.nr_opens++;
	snprintf(fv.last_open, sizeof(fv.last_open), "%s", path);
	if (!strcmp(path, "/dev/vfio/vfio")) {
		if (fv.container_open_ret < 0)
			return fv.container_open_ret;
		return fv.container_fd = fv_new_fd();
	}
	if (!strncmp(path, "/dev/vfio/", 10)) {
		if (fv.group_open_ret < 0)
			return fv.group_open_ret;
		fd = fv_new_fd();
		fv.last_group_fd = fd;
		return fd;
	}
	return -ENOENT;
}

static inline int fv_close(int fd)
{
	int i = fd - FV_FIRST_FD;

	if (i < 0 || i >= FV_MAX_FDS || !fv.fd_open[i])
		abort(); /* closing an fd the fake never handed out, or twice */
	fv.fd_open[i] = false;
	return 0;
}

/*
 * Reply size of VFIO_IOMMU_GET_INFO: info, a decoy DMA_AVAIL cap, then the
 * IOVA ranges, packed as Linux 6.1 packs them: the 12-byte DMA_AVAIL cap
 * leaves the IOVA-range cap 4-byte aligned only (the rig's L1 put it at 68),
 * so it is written with memcpy, and a reader that accesses it in place
 * trips UBSan's alignment check (make unit SAN=1).
 */
#define FV_INFO_SIZE  ALIGN_UP(sizeof(struct vfio_iommu_type1_info), 8)
#define FV_AVAIL_SIZE sizeof(struct vfio_iommu_type1_info_dma_avail)

static inline int fv_iommu_info(struct vfio_iommu_type1_info *info)
{
	size_t need = FV_INFO_SIZE + FV_AVAIL_SIZE +
		      sizeof(struct vfio_iommu_type1_info_cap_iova_range) +
		      fv.nr_ranges * sizeof(struct vfio_iova_range);
	struct vfio_iommu_type1_info_dma_avail *avail;
	struct vfio_iommu_type1_info_cap_iova_range iova = {0};
	char *at = (char *)info + FV_INFO_SIZE + FV_AVAIL_SIZE;

	fv.nr_iommu_info++;
	info->flags = VFIO_IOMMU_INFO_PGSIZES;
	info->iova_pgsizes = 0x40201000;
	if (fv.iommu_no_caps)
		return 0;
	info->flags |= VFIO_IOMMU_INFO_CAPS;
	if (info->argsz < need) {
		/* vfio.h: too small a buffer gets argsz raised and no chain. */
		info->argsz = (uint32_t)need;
		info->cap_offset = 0;
		return 0;
	}
	info->cap_offset = FV_INFO_SIZE;
	avail = (void *)((char *)info + FV_INFO_SIZE);
	avail->header.id = VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL;
	avail->header.version = 1;
	avail->header.next = FV_INFO_SIZE + FV_AVAIL_SIZE;
	avail->avail = 65535;
	iova.header.id = VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE;
	iova.header.version = 1;
	iova.header.next = 0;
	iova.nr_iovas = fv.nr_ranges;
	memcpy(at, &iova, sizeof(iova));
	memcpy(at + offsetof(struct vfio_iommu_type1_info_cap_iova_range, iova_ranges), fv.ranges,
	       fv.nr_ranges * sizeof(fv.ranges[0]));
	return 0;
}

/* Region info: the fixed struct, then the sparse-mmap cap, then the MSI-X-mappable cap. */
static inline int fv_region_info(struct vfio_region_info *info)
{
	const struct fv_region *r;
	size_t sparse_size, need;
	char *p;

	if (info->index >= VFIO_PCI_NUM_REGIONS)
		return -EINVAL;
	r = &fv.regions[info->index];
	fv.nr_region_info[info->index]++;
	if (fv.region_info_fail == (int)info->index + 1)
		return fv.region_info_ret;
	sparse_size = r->nr_sparse ? sizeof(struct vfio_region_info_cap_sparse_mmap) +
					     r->nr_sparse * sizeof(r->sparse[0])
				   : 0;
	need = sizeof(*info) + sparse_size + (r->msix_mappable ? 8 : 0);
	info->flags = r->flags;
	info->size = r->size;
	info->offset = FV_REGION_OFF(info->index);
	info->cap_offset = 0;
	if (need == sizeof(*info))
		return 0;
	info->flags |= VFIO_REGION_INFO_FLAG_CAPS;
	if (info->argsz < need) {
		info->argsz = (uint32_t)need;
		return 0;
	}
	p = (char *)info + sizeof(*info);
	info->cap_offset = sizeof(*info);
	if (r->nr_sparse) {
		struct vfio_region_info_cap_sparse_mmap *s = (void *)p;

		s->header.id = VFIO_REGION_INFO_CAP_SPARSE_MMAP;
		s->header.version = 1;
		s->header.next = r->msix_mappable ? (uint32_t)(sizeof(*info) + sparse_size) : 0;
		s->nr_areas = r->nr_sparse + (fv.sparse_overrun && info->index == 0 ? 100 : 0);
		memcpy(s->areas, r->sparse, r->nr_sparse * sizeof(r->sparse[0]));
		p += sparse_size;
	}
	if (r->msix_mappable) {
		struct vfio_info_cap_header *h = (void *)p;

		h->id = VFIO_REGION_INFO_CAP_MSIX_MAPPABLE;
		h->version = 1;
		h->next = 0;
	}
	return 0;
}

static inline int fv_ioctl(int fd, unsigned long req, void *arg)
{
	if (fv.nr_calls < FV_MAX_CALLS)
		fv.calls[fv.nr_calls++] = req;
	switch (req) {
	case VFIO_GET_API_VERSION:
		return fv.api_version;
	case VFIO_CHECK_EXTENSION:
		return (unsigned long)arg == VFIO_TYPE1v2_IOMMU ? fv.type1v2 : 0;
	case VFIO_GROUP_GET_STATUS: {
		struct vfio_group_status *st = arg;

		if (st->argsz < sizeof(*st))
			return -EINVAL;
		st->flags = fv.group_flags;
		return 0;
	}
	case VFIO_GROUP_SET_CONTAINER:
		fv.nr_set_container++;
		fv.set_container_arg = *(int32_t *)arg;
		if (!fv.set_container_ret_after ||
		    fv.nr_set_container >= (unsigned)fv.set_container_ret_after)
			return fv.set_container_ret;
		return 0;
	case VFIO_SET_IOMMU:
		fv.set_iommu_arg = (unsigned long)arg;
		return fv.set_iommu_ret;
	case VFIO_IOMMU_GET_INFO:
		return fv_iommu_info(arg);
	case VFIO_IOMMU_MAP_DMA:
		if (fv.nr_maps < FV_MAX_MAPS)
			fv.maps[fv.nr_maps] = *(struct vfio_iommu_type1_dma_map *)arg;
		if (++fv.nr_maps == (unsigned)fv.map_dma_fail_at)
			return fv.map_dma_ret;
		return 0;
	case VFIO_IOMMU_UNMAP_DMA:
		if (fv.nr_unmaps < FV_MAX_MAPS)
			fv.unmaps[fv.nr_unmaps] = *(struct vfio_iommu_type1_dma_unmap *)arg;
		fv.nr_unmaps++;
		return 0;
	case VFIO_GROUP_GET_DEVICE_FD:
		snprintf(fv.device_name, sizeof(fv.device_name), "%s", (const char *)arg);
		if (fv.get_device_fd_ret < 0)
			return fv.get_device_fd_ret;
		return fv.device_fd = fv_new_fd();
	case VFIO_DEVICE_GET_INFO: {
		struct vfio_device_info *info = arg;

		info->flags = fv.dev_flags;
		info->num_regions = fv.num_regions;
		info->num_irqs = fv.num_irqs;
		return 0;
	}
	case VFIO_DEVICE_GET_REGION_INFO:
		return fv_region_info(arg);
	case VFIO_DEVICE_GET_IRQ_INFO: {
		struct vfio_irq_info *irq = arg;

		if (irq->index < ARRAY_SIZE(fv.nr_irq_info))
			fv.nr_irq_info[irq->index]++;
		if (irq->index >= VFIO_PCI_NUM_IRQS)
			return -EINVAL;
		if (fv.irq_info_ret[irq->index] < 0)
			return fv.irq_info_ret[irq->index];
		irq->flags = VFIO_IRQ_INFO_EVENTFD;
		irq->count = fv.irq_count[irq->index];
		return 0;
	}
	case VFIO_DEVICE_SET_IRQS: {
		const struct vfio_irq_set *s = arg;

		if (fv.nr_set_irqs < ARRAY_SIZE(fv.sets)) {
			memcpy(&fv.sets[fv.nr_set_irqs].hdr, s, sizeof(fv.sets[0].hdr));
			fv.sets[fv.nr_set_irqs].fd = -2;
			if (s->count && (s->flags & VFIO_IRQ_SET_DATA_EVENTFD))
				memcpy(&fv.sets[fv.nr_set_irqs].fd, s->data, sizeof(int32_t));
		}
		fv.nr_set_irqs++;
		memset(fv.irq_set, 0, sizeof(fv.irq_set));
		memcpy(fv.irq_set, s,
		       s->argsz < sizeof(fv.irq_set) ? s->argsz : sizeof(fv.irq_set));
		return fv.set_irqs_ret;
	}
	case VFIO_DEVICE_RESET:
		fv.nr_reset++;
		return 0;
	default:
		return -ENOTTY;
	}
}

static inline void *fv_mmap(size_t len, int prot, int flags, int fd, off_t off, int *err)
{
	unsigned n = fv.nr_mmaps;

	if (fv.mmap_fail_at && n + 1 == (unsigned)fv.mmap_fail_at) {
		fv.mmap_fail_at = 0;
		*err = -EINVAL;
		return NULL;
	}
	if (n == FV_MAX_MAPS)
		abort();
	fv.mmaps[n].len = len;
	fv.mmaps[n].prot = prot;
	fv.mmaps[n].flags = flags;
	fv.mmaps[n].fd = fd;
	fv.mmaps[n].off = off;
	fv.mmaps[n].addr = FV_MAP_BASE + (uint64_t)n * 0x100000;
	fv.nr_mmaps++;
	return (void *)(uintptr_t)fv.mmaps[n].addr;
}

static inline int fv_munmap(void *addr, size_t len)
{
	if (fv.nr_munmaps < FV_MAX_MAPS) {
		fv.munmaps[fv.nr_munmaps].addr = (uintptr_t)addr;
		fv.munmaps[fv.nr_munmaps].len = len;
	}
	fv.nr_munmaps++;
	return 0;
}

/* The scripted contents of the region @off falls in that hold [off, off + len), or NULL. */
static inline uint8_t *fv_region_data(off_t off, size_t len)
{
	uint64_t idx = (uint64_t)off >> 40, rel = (uint64_t)off & (FV_REGION_OFF(1) - 1);

	if (idx >= VFIO_PCI_NUM_REGIONS || !fv.region_data[idx] || rel > fv.region_data_len[idx] ||
	    len > fv.region_data_len[idx] - rel)
		return NULL;
	return fv.region_data[idx] + rel;
}

/* Reads return the region's contents, or the low byte of each byte's file offset. */
static inline ssize_t fv_pread(int fd, void *buf, size_t len, off_t off)
{
	uint8_t *data = fv_region_data(off, len);

	if (fv.nr_rw < FV_MAX_RW) {
		fv.rw[fv.nr_rw].write = false;
		fv.rw[fv.nr_rw].len = len;
		fv.rw[fv.nr_rw].off = off;
	}
	fv.nr_rw++;
	if (data) {
		memcpy(buf, data, len);
		return (ssize_t)len;
	}
	for (size_t i = 0; i < len; i++)
		((unsigned char *)buf)[i] = (unsigned char)(off + (off_t)i);
	return (ssize_t)len;
}

static inline ssize_t fv_pwrite(int fd, const void *buf, size_t len, off_t off)
{
	uint8_t *data = fv_region_data(off, len);

	if (data)
		memcpy(data, buf, len);
	if (fv.nr_rw < FV_MAX_RW) {
		fv.rw[fv.nr_rw].write = true;
		fv.rw[fv.nr_rw].len = len;
		fv.rw[fv.nr_rw].off = off;
		fv.rw[fv.nr_rw].val = 0;
		memcpy(&fv.rw[fv.nr_rw].val, buf, len < 8 ? len : 8);
	}
	fv.nr_rw++;
	return (ssize_t)len;
}

static inline int fv_eventfd(unsigned int initval, int flags)
{
	fv.nr_eventfds++;
	fv.eventfd_flags = flags;
	return fv_new_fd();
}

static const struct sys_ops fv_sys = {
	.open = fv_open,
	.close = fv_close,
	.ioctl = fv_ioctl,
	.mmap = fv_mmap,
	.munmap = fv_munmap,
	.eventfd = fv_eventfd,
	.pread = fv_pread,
	.pwrite = fv_pwrite,
};

#endif
