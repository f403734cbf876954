/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The device side of a passed-through PCI function, as the passthrough model
 * (passthrough.c) sees it: config space, regions, interrupts, reset. vfio
 * device.c implements it over a VFIO device fd; unit tests implement it over
 * an array. The model never sees a file descriptor other than the eventfds
 * it creates for interrupts.
 */
#ifndef PTVM_PT_BACKEND_H
#define PTVM_PT_BACKEND_H

#include <linux/vfio.h>
#include <sys/types.h>

#include "util.h"

#define PT_MAX_AREAS 8

/* One VFIO region (VFIO_PCI_BAR0..5, ROM, CONFIG), as VFIO_DEVICE_GET_REGION_INFO says. */
struct pt_region_desc {
	uint64_t size;
	bool readable;
	bool writable;
	/*
	 * Areas (offset, size; page aligned) that are mmapped in the host and
	 * may go straight into the guest: VFIO's sparse mmap capability, or
	 * the whole region if it is mmappable without one. For each area,
	 * @map[i] is its host address. Everything else is trapped.
	 */
	unsigned nr_areas;
	struct {
		uint64_t offset;
		uint64_t size;
		void *map;
	} areas[PT_MAX_AREAS];
};

struct pt_device_desc {
	char name[16]; /* "0000:06:12.5", for log lines */
	struct pt_region_desc regions[VFIO_PCI_NUM_REGIONS];
	unsigned irq_count[VFIO_PCI_NUM_IRQS]; /* vectors per VFIO_PCI_*_IRQ_INDEX */
	uint32_t irq_flags[VFIO_PCI_NUM_IRQS]; /* VFIO_IRQ_INFO_* per index */
	bool can_reset; /* VFIO_DEVICE_FLAGS_RESET */
};

struct pt_backend_ops {
	/* Region @idx (VFIO_PCI_*_REGION_INDEX) at @off: returns bytes done or -errno. */
	ssize_t (*region_read)(void *be, unsigned idx, void *buf, size_t len, uint64_t off);
	ssize_t (*region_write)(void *be, unsigned idx, const void *buf, size_t len, uint64_t off);
	/*
	 * VFIO_DEVICE_SET_IRQS, ACTION_TRIGGER with eventfds for vectors
	 * [start, start+count) of @index (VFIO_PCI_{INTX,MSI,MSIX}_IRQ_INDEX);
	 * an fd of -1 unbinds that vector. count == 0 disables the index.
	 */
	int (*set_irqs)(void *be, unsigned index, unsigned start, unsigned count, const int *fds);
	/* INTx: VFIO_IRQ_SET_ACTION_UNMASK bound to @resample_fd (-1: unbind). */
	int (*intx_unmask_fd)(void *be, int resample_fd);
	/* VFIO_DEVICE_RESET. */
	int (*reset)(void *be);
};

#endif
