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

#define KVM_IRQ_PINS	   24	/* IOAPIC pins; GSIs 0..15 also reach the PIC */
#define KVM_IRQ_MAX_ROUTES 1024 /* MSI routes: GSIs KVM_IRQ_PINS.. */

struct kvm_irq {
	struct kvm *kvm;
	pthread_mutex_t lock;
	/* MSI routes by GSI - KVM_IRQ_PINS; used[] marks live ones. */
	struct kvm_irq_routing_msi msi[KVM_IRQ_MAX_ROUTES];
	bool used[KVM_IRQ_MAX_ROUTES];
	unsigned hint; /* next slot to try */
};

int kvm_irq_init(struct kvm_irq *ki, struct kvm *kvm) __must_check;
void kvm_irq_destroy(struct kvm_irq *ki);

/* New MSI route for (@addr, @data); returns its GSI or -errno. */
int kvm_irq_msi_add(struct kvm_irq *ki, uint64_t addr, uint32_t data) __must_check;
int kvm_irq_msi_update(struct kvm_irq *ki, unsigned gsi, uint64_t addr, uint32_t data) __must_check;
void kvm_irq_msi_remove(struct kvm_irq *ki, unsigned gsi);

/* KVM_IRQFD: @fd signals @gsi; with @resample_fd >= 0 the line is level-triggered. */
int kvm_irqfd(struct kvm *k, int fd, unsigned gsi, int resample_fd) __must_check;
void kvm_irqfd_remove(struct kvm *k, int fd, unsigned gsi);

#endif
