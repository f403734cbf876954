/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A vfio-pci device fd (Documentation/driver-api/vfio.rst, "VFIO Usage
 * Example"; include/uapi/linux/vfio.h): regions described and mmapped where
 * VFIO allows, interrupts bound to eventfds, reset. Implements
 * struct pt_backend_ops for the passthrough model.
 */
#ifndef PTVM_VFIO_DEVICE_H
#define PTVM_VFIO_DEVICE_H

#include "vfio/container.h"
#include "pt/pt_backend.h"
#include "vfio/sysfs.h"

/* Members are private to vmm/vfio/; tests may read them. */
struct vfio_device {
	struct pt_device_desc desc; /* what the passthrough model sees */
	struct vfio_container *c;
	struct pci_bdf bdf;
	struct vfio_group *group; /* owned by the container */
	int fd;
	uint32_t flags;				      /* VFIO_DEVICE_FLAGS_* */
	uint64_t region_offset[VFIO_PCI_NUM_REGIONS]; /* offset in the device fd */
	uint32_t region_flags[VFIO_PCI_NUM_REGIONS];  /* VFIO_REGION_INFO_FLAG_* */
	/*
	 * VFIO_REGION_INFO_CAP_MSIX_MAPPABLE: the MSI-X table in this BAR may
	 * be mmapped too, so an area can cover it. The model must still trap
	 * the table's pages in the guest (set_irqs is the only way to program
	 * vectors).
	 */
	bool msix_mappable[VFIO_PCI_NUM_REGIONS];
	uint32_t irq_flags[VFIO_PCI_NUM_IRQS]; /* VFIO_IRQ_INFO_* */
	unsigned log_key;		       /* rate limit for guest-caused failures */
	unsigned num_irqs;		       /* VFIO_DEVICE_GET_INFO's */
	/* Eventfds bound to the ERR and REQ notifiers, or -1 where not offered. */
	int err_fd;
	int req_fd;
};

/*
 * Open @bdf: checks sysfs (exists, bound to vfio-pci, has an IOMMU group),
 * attaches its group to @c, VFIO_GROUP_GET_DEVICE_FD, VFIO_DEVICE_GET_INFO
 * (must be vfio-pci), region and IRQ info, and mmaps every mmappable area
 * (VFIO_REGION_INFO_CAP_SPARSE_MMAP areas, or the whole region). Fills
 * (*@out)->desc. Binds an eventfd to each of the ERR and REQ notifiers the
 * device offers (vfio_device_notify_fd()). Errors are logged once, naming
 * the BDF and the ioctl.
 */
int vfio_device_open(struct vfio_container *c, const struct pci_bdf *bdf,
		     struct vfio_device **out) __must_check;
/*
 * The same without the sysfs checks, which were made (monitor_host.h,
 * vm_pt_move()) and which a sandboxed process cannot make: @bdf is in
 * IOMMU group @group, attached to @c already or attached now.
 */
int vfio_device_open_group(struct vfio_container *c, const struct pci_bdf *bdf, unsigned group,
			   struct vfio_device **out) __must_check;

/*
 * Munmap every area and close the fd; the kernel then disables the device's
 * interrupts and resets it (vfio-pci's close_device). NULL is fine.
 */
void vfio_device_close(struct vfio_device *d);

/* VFIO_DEVICE_RESET; -ENOTTY if the device offers none (desc.can_reset false). */
int vfio_device_reset(struct vfio_device *d) __must_check;

static inline const struct pt_device_desc *vfio_device_desc(const struct vfio_device *d)
{
	return &d->desc;
}

/* The IOMMU group @d sits in, and whether VFIO found it viable. */
static inline unsigned vfio_device_group(const struct vfio_device *d)
{
	return d->group->id;
}

/* The fd of that group, owned by the container (the KVM-VFIO device names groups by fd). */
static inline int vfio_device_group_fd(const struct vfio_device *d)
{
	return d->group->fd;
}
static inline bool vfio_device_group_viable(const struct vfio_device *d)
{
	return d->group->viable;
}

/*
 * The eventfd VFIO signals for notifier @index, or -1 if the device does not
 * offer it: VFIO_PCI_REQ_IRQ_INDEX when the host asks for the device back
 * (vfio-pci's driver is being unbound from it; the unbind waits until the
 * device fd is closed), VFIO_PCI_ERR_IRQ_INDEX on an uncorrectable AER error
 * (PCIe devices only). The fds are non-blocking and close with the device.
 */
static inline int vfio_device_notify_fd(const struct vfio_device *d, unsigned index)
{
	if (index == VFIO_PCI_ERR_IRQ_INDEX)
		return d->err_fd;
	if (index == VFIO_PCI_REQ_IRQ_INDEX)
		return d->req_fd;
	return -1;
}

/* pt_backend_ops over a VFIO device fd; the backend pointer is a struct vfio_device *. */
extern const struct pt_backend_ops vfio_pt_backend_ops;

#endif
