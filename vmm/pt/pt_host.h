/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a passed-through device may ask of the VM it sits in. vm.c implements
 * these on top of KVM (memslots, GSI routes, irqfds) and the buses; the
 * passthrough model sees only this table, never struct vm or a KVM fd.
 */
#ifndef PTVM_PT_HOST_H
#define PTVM_PT_HOST_H

#include "bus.h"

struct pt_host_ops {
	/*
	 * Put @size bytes of host memory at @hva (a BAR's mmap) at guest-physical
	 * @gpa, so guest accesses never exit. @gpa, @size, @hva page aligned.
	 * Returns a handle >= 0 for unmap_mem, or -errno.
	 */
	int (*map_mem)(void *host, uint64_t gpa, uint64_t size, void *hva);
	void (*unmap_mem)(void *host, int handle);

	/* Trap guest accesses to [base, base+len) on the MMIO (@pio false) or PIO bus. */
	int (*trap)(void *host, bool pio, uint64_t base, uint64_t len, const struct bus_ops *ops,
		    void *opaque);
	void (*untrap)(void *host, bool pio, uint64_t base);

	/*
	 * MSI/MSI-X: a route that turns a signal on @eventfd into the guest MSI
	 * (@addr, @data) inside the kernel (KVM GSI route + irqfd), so ptvm never
	 * wakes. msi_add returns a route id >= 0; msi_update changes the message
	 * of a live route; msi_remove detaches the irqfd and frees the route. A
	 * masked vector is a removed route: signals then accumulate in the
	 * eventfd, and msi_add on unmask delivers one that is pending (KVM
	 * checks the eventfd when an irqfd is assigned).
	 */
	int (*msi_add)(void *host, uint64_t addr, uint32_t data, int eventfd);
	int (*msi_update)(void *host, int route, uint64_t addr, uint32_t data);
	void (*msi_remove)(void *host, int route);

	/*
	 * INTx: the GSI that pin @pin (1 = INTA .. 4 = INTD) of the device in
	 * slot @slot reaches (the DSDT's _PRT), bound as a level-triggered irqfd
	 * with @resample_fd signalled when the guest EOIs it (KVM_IRQFD_FLAG_RESAMPLE).
	 */
	int (*intx_bind)(void *host, unsigned slot, unsigned pin, int trigger_fd, int resample_fd);
	void (*intx_unbind)(void *host, unsigned slot, unsigned pin, int trigger_fd);

	/* Count one interrupt ptvm had to relay itself (shown by --stats). */
	void (*count_relayed)(void *host);
};

struct pt_host {
	const struct pt_host_ops *ops;
	void *opaque;
};

#endif
