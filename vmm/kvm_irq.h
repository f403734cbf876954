/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interrupt plumbing inside KVM: the GSI routing table (the in-kernel
 * irqchip pins plus one MSI route per passed-through vector) and irqfds, so
 * a device interrupt reaches the guest without waking ptvm.
 */
#ifndef PTVM_KVM_IRQ_H
#define PTVM_KVM_IRQ_H

#include <pthread.h>

#include "kvm.h"

#define KVM_IRQ_PINS	    24			/* IOAPIC pins; GSIs 0..15 also reach the PIC */
#define KVM_IRQ_PIN_ROUTES  (KVM_IRQ_PINS + 16) /* routing entries the pins take */
#define KVM_IRQ_MAX_ENTRIES 4096		/* ptvm's bound; KVM may allow fewer */

/* An MSI route, GSI KVM_IRQ_PINS + its index in kvm_irq.routes. */
struct kvm_irq_route {
	struct kvm_irq_routing_msi msg;
	int fd;	    /* the eventfd that signals it through an irqfd, or -1 */
	bool used;  /* in the table the next commit gives KVM */
	bool irqfd; /* @fd is assigned as an irqfd in KVM */
};

struct kvm_irq {
	struct kvm *kvm;
	pthread_mutex_t lock;
	/* MSI routes KVM's table has room for: KVM_CAP_IRQ_ROUTING minus the pins. */
	unsigned max_routes;
	struct kvm_irq_route *routes; /* [max_routes] */
	unsigned nr_used;
	unsigned hint;	  /* next slot to try */
	bool dirty;	  /* the staged table is not KVM's yet */
	bool full_logged; /* the table ran full once: said so */
};

int kvm_irq_init(struct kvm_irq *ki, struct kvm *kvm) __must_check;
void kvm_irq_destroy(struct kvm_irq *ki);

/*
 * MSI routes. add, update and remove only stage a change (remove also
 * deassigns the route's irqfd at once); kvm_irq_commit() gives KVM the
 * staged table in one KVM_SET_GSI_ROUTING, if anything changed, and then
 * assigns the irqfds of the routes it created.
 *
 * kvm_irq_msi_add: a route for (@addr, @data) signalled by eventfd @fd (-1:
 * none); returns its GSI, or -ENOSPC (logged once) when KVM's table is full.
 */
int kvm_irq_msi_add(struct kvm_irq *ki, uint64_t addr, uint32_t data, int fd) __must_check;
int kvm_irq_msi_update(struct kvm_irq *ki, unsigned gsi, uint64_t addr, uint32_t data) __must_check;
void kvm_irq_msi_remove(struct kvm_irq *ki, unsigned gsi);
int kvm_irq_commit(struct kvm_irq *ki) __must_check;

/* KVM_IRQFD: @fd signals @gsi; with @resample_fd >= 0 the line is level-triggered. */
int kvm_irqfd(struct kvm *k, int fd, unsigned gsi, int resample_fd) __must_check;
void kvm_irqfd_remove(struct kvm *k, int fd, unsigned gsi);

#endif
