/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a passed-through device may ask of the VM it sits in: the guest
 * address spaces its BARs go into (as.h: regions the model places, maps and
 * commits itself), and interrupts. vm.c implements the interrupt ops on top
 * of KVM (GSI routes, irqfds); the passthrough model never sees struct vm
 * or a KVM fd.
 */
#ifndef PTVM_PT_HOST_H
#define PTVM_PT_HOST_H

#include "as.h"

struct pt_host_ops {
	/*
	 * MSI/MSI-X: a route that turns a signal on @eventfd into the guest MSI
	 * (@addr, @data) inside the kernel (KVM GSI route + irqfd), so ptvm never
	 * wakes. msi_add returns a route id >= 0 (-ENOSPC: none left); msi_update
	 * changes the message of a live route; msi_remove detaches the irqfd at
	 * once and frees the route. A masked vector is a removed route: signals
	 * then accumulate in the eventfd, and the route added on unmask delivers
	 * one that is pending (KVM checks the eventfd when an irqfd is assigned).
	 *
	 * Route changes are staged: they reach the guest's interrupt routing at
	 * the next msi_commit, which the model calls once at the end of every
	 * guest write that may have changed routes (config space, MSI-X table)
	 * and after enable, disable and reset. The host logs its own failures.
	 */
	int (*msi_add)(void *host, uint64_t addr, uint32_t data, int eventfd);
	int (*msi_update)(void *host, int route, uint64_t addr, uint32_t data);
	void (*msi_remove)(void *host, int route);
	int (*msi_commit)(void *host);

	/*
	 * INTx: the GSI that pin @pin (1 = INTA .. 4 = INTD) of the device in
	 * slot @slot reaches (the DSDT's _PRT), bound as a level-triggered irqfd
	 * with @resample_fd signalled when the guest EOIs it (KVM_IRQFD_FLAG_RESAMPLE).
	 */
	int (*intx_bind)(void *host, unsigned slot, unsigned pin, int trigger_fd, int resample_fd);
	void (*intx_unbind)(void *host, unsigned slot, unsigned pin, int trigger_fd);
};

struct pt_host {
	const struct pt_host_ops *ops;
	void *opaque;
	/* Where memory BARs (and the ROM) and I/O BARs go. */
	struct as *mmio;
	struct as *pio;
};

#endif
