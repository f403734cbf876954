// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci device fds (Documentation/driver-api/vfio.rst; ioctls and structs
 * from include/uapi/linux/vfio.h) and pt_backend_ops on top of them.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vfio/device.h"
#include "vfio/info.h"

static const char *const region_names[VFIO_PCI_NUM_REGIONS] = {
	"BAR0", "BAR1", "BAR2", "BAR3", "BAR4", "BAR5", "ROM", "config", "VGA",
};

static const char *const irq_names[VFIO_PCI_NUM_IRQS] = {
	"INTx", "MSI", "MSI-X", "ERR", "REQ",
};

static int device_set_irqs(struct vfio_device *d, uint32_t flags, unsigned index, unsigned start,
			   unsigned count, const int *fds);

static int device_ioctl(struct vfio_device *d, unsigned long req, void *arg, const char *name)
{
	int ret = d->c->sys->ioctl(d->fd, req, arg);

	if (ret < 0)
		log_err("vfio: %s: %s: %s", d->desc.name, name, strerror(-ret));
	return ret;
}

/*
 * mmap [@off, @off+@size) of region @idx as the next area. The area is
 * shrunk to whole pages inside it (what is left over stays trapped); an empty
 * one is skipped. A failed mmap is not fatal: the area is trapped instead.
 */
static void region_map_area(struct vfio_device *d, unsigned idx, uint64_t off, uint64_t size)
{
	struct pt_region_desc *r = &d->desc.regions[idx];
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t start = ALIGN_UP(off, page), end;
	int prot = 0, err = 0;
	void *map;

	if (off > r->size || size > r->size - off)
		size = off > r->size ? 0 : r->size - off;
	end = ALIGN_DOWN(off + size, page);
	if (end <= start)
		return;
	if (r->nr_areas == PT_MAX_AREAS) {
		log_info("vfio: %s: %s has more than %u mmap areas; trapping the rest",
			 d->desc.name, region_names[idx], PT_MAX_AREAS);
		return;
	}
	if (d->region_flags[idx] & VFIO_REGION_INFO_FLAG_READ)
		prot |= PROT_READ;
	if (d->region_flags[idx] & VFIO_REGION_INFO_FLAG_WRITE)
		prot |= PROT_WRITE;
	map = d->c->sys->mmap(end - start, prot, MAP_SHARED, d->fd,
			      (off_t)(d->region_offset[idx] + start), &err);
	if (!map) {
		log_err("vfio: %s: mmap of %s 0x%llx+0x%llx: %s; trapping it instead", d->desc.name,
			region_names[idx], (unsigned long long)start,
			(unsigned long long)(end - start), strerror(-err));
		return;
	}
	r->areas[r->nr_areas].offset = start;
	r->areas[r->nr_areas].size = end - start;
	r->areas[r->nr_areas].map = map;
	r->nr_areas++;
}

/* Region capabilities: which parts may be mmapped (vfio.h, VFIO_REGION_INFO_CAP_*). */
static int region_parse_caps(struct vfio_device *d, unsigned idx, const void *buf, size_t size)
{
	const size_t at = offsetof(struct vfio_region_info_cap_sparse_mmap, areas);
	const struct vfio_region_info *info = buf;
	struct vfio_region_info_cap_sparse_mmap head;
	struct vfio_region_sparse_mmap_area area;
	const char *sparse;
	size_t room;

	if (!(info->flags & VFIO_REGION_INFO_FLAG_CAPS) || !info->cap_offset)
		goto whole;
	d->msix_mappable[idx] = vfio_info_cap_find(buf, size, info->cap_offset,
						   VFIO_REGION_INFO_CAP_MSIX_MAPPABLE, 0) != NULL;
	sparse = (const char *)vfio_info_cap_find(buf, size, info->cap_offset,
						  VFIO_REGION_INFO_CAP_SPARSE_MMAP, at);
	if (!sparse)
		goto whole;
	/* Only 4-byte aligned, holding u64s (container.c): copied out, not read in place. */
	memcpy(&head, sparse, at);
	room = size - (size_t)(sparse - (const char *)buf) - at;
	if (head.nr_areas > room / sizeof(area)) {
		log_err("vfio: %s: VFIO_DEVICE_GET_REGION_INFO(%s): sparse mmap capability "
			"overruns the reply",
			d->desc.name, region_names[idx]);
		return -EPROTO;
	}
	/* Only the listed areas may be mmapped; the rest (e.g. an MSI-X table) is trapped. */
	if (info->flags & VFIO_REGION_INFO_FLAG_MMAP)
		for (unsigned i = 0; i < head.nr_areas; i++) {
			memcpy(&area, sparse + at + i * sizeof(area), sizeof(area));
			region_map_area(d, idx, area.offset, area.size);
		}
	return 0;

whole:
	if (info->flags & VFIO_REGION_INFO_FLAG_MMAP)
		region_map_area(d, idx, 0, info->size);
	return 0;
}

static int region_probe(struct vfio_device *d, unsigned idx)
{
	struct vfio_region_info hdr = {.index = idx}, *info;
	struct pt_region_desc *r = &d->desc.regions[idx];
	size_t size;
	void *buf;
	int ret;

	ret = vfio_info_get(d->c->sys, d->fd, VFIO_DEVICE_GET_REGION_INFO, &hdr, sizeof(hdr), &buf,
			    &size);
	/* vfio-pci answers EINVAL for the VGA region of a device that is no VGA. */
	if (ret == -EINVAL && idx == VFIO_PCI_VGA_REGION_INDEX)
		return 0;
	if (ret) {
		log_err("vfio: %s: VFIO_DEVICE_GET_REGION_INFO(%s): %s", d->desc.name,
			region_names[idx], strerror(-ret));
		return ret;
	}
	info = buf;
	d->region_flags[idx] = info->flags;
	d->region_offset[idx] = info->offset;
	r->size = info->size;
	r->readable = info->flags & VFIO_REGION_INFO_FLAG_READ;
	r->writable = info->flags & VFIO_REGION_INFO_FLAG_WRITE;
	/* vfio.h: zero-sized regions are unimplemented BARs. */
	if (info->size)
		ret = region_parse_caps(d, idx, buf, size);
	free(buf);
	return ret;
}

static int device_probe(struct vfio_device *d)
{
	struct vfio_device_info info = {.argsz = sizeof(info)};
	unsigned nr;
	int ret;

	ret = device_ioctl(d, VFIO_DEVICE_GET_INFO, &info, "VFIO_DEVICE_GET_INFO");
	if (ret < 0)
		return ret;
	if (!(info.flags & VFIO_DEVICE_FLAGS_PCI) ||
	    info.num_regions <= VFIO_PCI_CONFIG_REGION_INDEX) {
		log_err("vfio: %s: VFIO_DEVICE_GET_INFO: not a vfio-pci device (flags 0x%x, %u "
			"regions)",
			d->desc.name, info.flags, info.num_regions);
		return -ENODEV;
	}
	d->flags = info.flags;
	d->num_irqs = info.num_irqs;
	d->desc.can_reset = info.flags & VFIO_DEVICE_FLAGS_RESET;
	nr = MIN(info.num_regions, (unsigned)VFIO_PCI_NUM_REGIONS);
	for (unsigned i = 0; i < nr; i++) {
		ret = region_probe(d, i);
		if (ret)
			return ret;
	}
	/*
	 * Only the indexes ptvm drives (INTx, MSI, MSI-X). Asking for the
	 * others is not harmless: vfio-pci answers EINVAL for the ERR index of
	 * a conventional PCI device (an e1000 in the rig).
	 */
	nr = MIN(info.num_irqs, (unsigned)VFIO_PCI_MSIX_IRQ_INDEX + 1);
	for (unsigned i = 0; i < nr; i++) {
		struct vfio_irq_info irq = {.argsz = sizeof(irq), .index = i};

		ret = device_ioctl(d, VFIO_DEVICE_GET_IRQ_INFO, &irq, "VFIO_DEVICE_GET_IRQ_INFO");
		if (ret < 0)
			return ret;
		d->irq_flags[i] = irq.flags;
		d->desc.irq_count[i] = irq.count;
		d->desc.irq_flags[i] = irq.flags;
	}
	return 0;
}

/*
 * Bind an eventfd to notifier @index (ERR or REQ) if the device offers it.
 * Asked apart from device_probe(), which must keep to the indexes every
 * device answers for: vfio-pci answers EINVAL for ERR on a conventional PCI
 * device (vfio_pci_ioctl_get_irq_info()), and that, a count of 0 and an
 * index beyond num_irqs all mean "not offered", without a log line.
 */
static int device_bind_notifier(struct vfio_device *d, unsigned index, int *out)
{
	struct vfio_irq_info irq = {.argsz = sizeof(irq), .index = index};
	int fd, ret;

	if (index >= d->num_irqs)
		return 0;
	ret = d->c->sys->ioctl(d->fd, VFIO_DEVICE_GET_IRQ_INFO, &irq);
	if (ret == -EINVAL)
		return 0;
	if (ret < 0) {
		log_err("vfio: %s: VFIO_DEVICE_GET_IRQ_INFO(%s): %s", d->desc.name,
			irq_names[index], strerror(-ret));
		return ret;
	}
	if (!irq.count || !(irq.flags & VFIO_IRQ_INFO_EVENTFD))
		return 0;
	d->irq_flags[index] = irq.flags;
	d->desc.irq_flags[index] = irq.flags;
	d->desc.irq_count[index] = irq.count;
	/* Non-blocking: the main loop drains it and must never sleep in read(). */
	fd = d->c->sys->eventfd(0, EFD_NONBLOCK);
	if (fd < 0) {
		log_err("vfio: %s: eventfd for %s: %s", d->desc.name, irq_names[index],
			strerror(-fd));
		return fd;
	}
	/* vfio.h: DATA_EVENTFD with ACTION_TRIGGER, count 1: the kernel signals @fd. */
	ret = device_set_irqs(d, VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER, index, 0,
			      1, &fd);
	if (ret) {
		d->c->sys->close(fd);
		return ret;
	}
	*out = fd;
	return 0;
}

static int device_bind_notifiers(struct vfio_device *d)
{
	int ret = device_bind_notifier(d, VFIO_PCI_ERR_IRQ_INDEX, &d->err_fd);

	return ret ? ret : device_bind_notifier(d, VFIO_PCI_REQ_IRQ_INDEX, &d->req_fd);
}

/*
 * After the device fd is closed: vfio-pci's close_device drops its own
 * reference to each trigger, so the order does not matter to the kernel.
 */
static void device_close_notifiers(struct vfio_device *d)
{
	if (d->err_fd >= 0)
		d->c->sys->close(d->err_fd);
	if (d->req_fd >= 0)
		d->c->sys->close(d->req_fd);
	d->err_fd = d->req_fd = -1;
}

static void device_unmap(struct vfio_device *d)
{
	for (unsigned i = 0; i < VFIO_PCI_NUM_REGIONS; i++) {
		struct pt_region_desc *r = &d->desc.regions[i];

		for (unsigned j = 0; j < r->nr_areas; j++)
			d->c->sys->munmap(r->areas[j].map, r->areas[j].size);
		r->nr_areas = 0;
	}
}

int vfio_device_open(struct vfio_container *c, const struct pci_bdf *bdf, struct vfio_device **out)
{
	unsigned group;
	int ret = sysfs_vfio_check(c->sysfs_root, bdf, &group);

	return ret ? ret : vfio_device_open_group(c, bdf, group, out);
}

int vfio_device_open_group(struct vfio_container *c, const struct pci_bdf *bdf, unsigned group,
			   struct vfio_device **out)
{
	struct vfio_device *d;
	int ret;

	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->c = c;
	d->bdf = *bdf;
	d->fd = d->err_fd = d->req_fd = -1;
	pci_bdf_format(bdf, d->desc.name);
	ret = container_group_get(c, group, &d->group);
	if (ret)
		goto err_free;
	/* vfio.rst: the device name is the one in the group's sysfs devices directory. */
	d->fd = c->sys->ioctl(d->group->fd, VFIO_GROUP_GET_DEVICE_FD, d->desc.name);
	if (d->fd < 0) {
		ret = d->fd;
		log_err("vfio: %s: VFIO_GROUP_GET_DEVICE_FD: %s", d->desc.name, strerror(-ret));
		goto err_free;
	}
	ret = device_probe(d);
	if (ret)
		goto err_close;
	ret = device_bind_notifiers(d);
	if (ret)
		goto err_close;
	*out = d;
	return 0;

err_close:
	device_unmap(d);
	c->sys->close(d->fd);
	device_close_notifiers(d);
err_free:
	free(d);
	return ret;
}

void vfio_device_close(struct vfio_device *d)
{
	if (!d)
		return;
	device_unmap(d);
	d->c->sys->close(d->fd);
	device_close_notifiers(d);
	free(d);
}

int vfio_device_reset(struct vfio_device *d)
{
	int ret;

	if (!(d->flags & VFIO_DEVICE_FLAGS_RESET)) {
		log_err("vfio: %s: VFIO_DEVICE_RESET: the device offers no reset method",
			d->desc.name);
		return -ENOTTY;
	}
	ret = device_ioctl(d, VFIO_DEVICE_RESET, NULL, "VFIO_DEVICE_RESET");
	return ret < 0 ? ret : 0;
}

/* Largest naturally aligned access (8, 4, 2 or 1 bytes) at @off that fits in @len. */
static size_t access_size(uint64_t off, size_t len)
{
	for (size_t n = 8; n > 1; n >>= 1)
		if (len >= n && IS_ALIGNED(off, n))
			return n;
	return 1;
}

static ssize_t region_rw(struct vfio_device *d, unsigned idx, void *buf, size_t len, uint64_t off,
			 bool write)
{
	const struct pt_region_desc *r;
	bool split;
	size_t done = 0;

	if (idx >= VFIO_PCI_NUM_REGIONS)
		return -EINVAL;
	r = &d->desc.regions[idx];
	if (!(write ? r->writable : r->readable) || off > r->size || len > r->size - off)
		return -EINVAL;
	/* BARs: one device access per naturally aligned piece, as a CPU would issue them. */
	split = idx <= VFIO_PCI_BAR5_REGION_INDEX;
	while (done < len) {
		size_t n = split ? access_size(off + done, len - done) : len - done;
		off_t pos = (off_t)(d->region_offset[idx] + off + done);
		ssize_t ret = write ? d->c->sys->pwrite(d->fd, (char *)buf + done, n, pos)
				    : d->c->sys->pread(d->fd, (char *)buf + done, n, pos);

		if (ret <= 0 || (split && (size_t)ret != n)) {
			ret = ret < 0 ? ret : -EIO;
			log_guest(&d->log_key, "vfio: %s: %s of %s at 0x%llx+%zu: %s", d->desc.name,
				  write ? "write" : "read", region_names[idx],
				  (unsigned long long)(off + done), n, strerror((int)-ret));
			return ret;
		}
		done += (size_t)ret;
	}
	return (ssize_t)done;
}

static ssize_t vfio_region_read(void *be, unsigned idx, void *buf, size_t len, uint64_t off)
{
	return region_rw(be, idx, buf, len, off, false);
}

static ssize_t vfio_region_write(void *be, unsigned idx, const void *buf, size_t len, uint64_t off)
{
	return region_rw(be, idx, (void *)buf, len, off, true);
}

/* VFIO_DEVICE_SET_IRQS with @count eventfds (or none) after the fixed header. */
static int device_set_irqs(struct vfio_device *d, uint32_t flags, unsigned index, unsigned start,
			   unsigned count, const int *fds)
{
	size_t size = sizeof(struct vfio_irq_set) + (size_t)count * sizeof(int32_t);
	struct vfio_irq_set *set;
	int ret;

	if (index >= VFIO_PCI_NUM_IRQS || start > d->desc.irq_count[index] ||
	    count > d->desc.irq_count[index] - start)
		return -EINVAL;
	set = calloc(1, size);
	if (!set)
		return -ENOMEM;
	set->argsz = (uint32_t)size;
	set->flags = flags;
	set->index = index;
	set->start = start;
	set->count = count;
	for (unsigned i = 0; i < count; i++) {
		int32_t fd = fds[i];

		memcpy(set->data + i * sizeof(fd), &fd, sizeof(fd));
	}
	ret = d->c->sys->ioctl(d->fd, VFIO_DEVICE_SET_IRQS, set);
	if (ret < 0)
		log_err("vfio: %s: VFIO_DEVICE_SET_IRQS(%s %u+%u): %s", d->desc.name,
			irq_names[index], start, count, strerror(-ret));
	free(set);
	return ret < 0 ? ret : 0;
}

static int vfio_set_irqs(void *be, unsigned index, unsigned start, unsigned count, const int *fds)
{
	/*
	 * vfio.h: eventfds bind ACTION_TRIGGER (-1 unbinds one vector); the
	 * whole index is disabled with DATA_NONE and count 0.
	 */
	if (!count)
		return device_set_irqs(be, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER,
				       index, 0, 0, NULL);
	return device_set_irqs(be, VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER, index,
			       start, count, fds);
}

static int vfio_intx_unmask_fd(void *be, int resample_fd)
{
	/* vfio.h: ACTION_UNMASK with an eventfd is an irqfd that unmasks INTx when signalled. */
	return device_set_irqs(be, VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_UNMASK,
			       VFIO_PCI_INTX_IRQ_INDEX, 0, 1, &resample_fd);
}

static int vfio_reset(void *be)
{
	return vfio_device_reset(be);
}

const struct pt_backend_ops vfio_pt_backend_ops = {
	.region_read = vfio_region_read,
	.region_write = vfio_region_write,
	.set_irqs = vfio_set_irqs,
	.intx_unmask_fd = vfio_intx_unmask_fd,
	.reset = vfio_reset,
};
