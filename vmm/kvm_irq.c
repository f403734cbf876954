// SPDX-License-Identifier: GPL-2.0
/* GSI routing and irqfds (Documentation/virt/kvm/api.rst: KVM_SET_GSI_ROUTING, KVM_IRQFD). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kvm_irq.h"

int kvm_irq_init(struct kvm_irq *ki, struct kvm *kvm)
{
	memset(ki, 0, sizeof(*ki));
	ki->kvm = kvm;
	return -pthread_mutex_init(&ki->lock, NULL);
}

void kvm_irq_destroy(struct kvm_irq *ki)
{
	pthread_mutex_destroy(&ki->lock);
}

/*
 * KVM_SET_GSI_ROUTING replaces the whole table, so every commit carries the
 * irqchip pins too, wired as KVM's default table wires them: GSI n to IOAPIC
 * pin n, and GSIs 0..15 also to the PICs (master 0..7, slave 8..15).
 */
static int kvm_irq_commit(struct kvm_irq *ki)
{
	unsigned max = KVM_IRQ_PINS + 16 + KVM_IRQ_MAX_ROUTES, n = 0;
	struct kvm_irq_routing *r;
	int ret;

	r = calloc(1, sizeof(*r) + max * sizeof(r->entries[0]));
	if (!r)
		return -ENOMEM;
	for (unsigned gsi = 0; gsi < KVM_IRQ_PINS; gsi++) {
		r->entries[n++] = (struct kvm_irq_routing_entry){
			.gsi = gsi,
			.type = KVM_IRQ_ROUTING_IRQCHIP,
			.u.irqchip = { .irqchip = KVM_IRQCHIP_IOAPIC, .pin = gsi },
		};
		if (gsi < 16)
			r->entries[n++] = (struct kvm_irq_routing_entry){
				.gsi = gsi,
				.type = KVM_IRQ_ROUTING_IRQCHIP,
				.u.irqchip = { .irqchip = gsi < 8 ? KVM_IRQCHIP_PIC_MASTER :
								    KVM_IRQCHIP_PIC_SLAVE,
					       .pin = gsi % 8 },
			};
	}
	for (unsigned i = 0; i < KVM_IRQ_MAX_ROUTES; i++) {
		if (!ki->used[i])
			continue;
		r->entries[n++] = (struct kvm_irq_routing_entry){
			.gsi = KVM_IRQ_PINS + i,
			.type = KVM_IRQ_ROUTING_MSI,
			.u.msi = ki->msi[i],
		};
	}
	r->nr = n;
	ret = ki->kvm->sys->ioctl(ki->kvm->vm_fd, KVM_SET_GSI_ROUTING, r);
	if (ret < 0)
		log_err("kvm: KVM_SET_GSI_ROUTING: %s", strerror(-ret));
	free(r);
	return ret < 0 ? ret : 0;
}

static void kvm_irq_set_msg(struct kvm_irq_routing_msi *m, uint64_t addr, uint32_t data)
{
	*m = (struct kvm_irq_routing_msi){
		.address_lo = (uint32_t)addr,
		.address_hi = (uint32_t)(addr >> 32),
		.data = data,
	};
}

int kvm_irq_msi_add(struct kvm_irq *ki, uint64_t addr, uint32_t data)
{
	int ret = -ENOSPC;

	pthread_mutex_lock(&ki->lock);
	for (unsigned n = 0; n < KVM_IRQ_MAX_ROUTES; n++) {
		unsigned i = (ki->hint + n) % KVM_IRQ_MAX_ROUTES;

		if (ki->used[i])
			continue;
		ki->used[i] = true;
		kvm_irq_set_msg(&ki->msi[i], addr, data);
		ret = kvm_irq_commit(ki);
		if (ret) {
			ki->used[i] = false;
			break;
		}
		ki->hint = i + 1;
		ret = KVM_IRQ_PINS + i;
		break;
	}
	pthread_mutex_unlock(&ki->lock);
	return ret;
}

int kvm_irq_msi_update(struct kvm_irq *ki, unsigned gsi, uint64_t addr, uint32_t data)
{
	unsigned i = gsi - KVM_IRQ_PINS;
	int ret;

	if (gsi < KVM_IRQ_PINS || i >= KVM_IRQ_MAX_ROUTES)
		return -EINVAL;
	pthread_mutex_lock(&ki->lock);
	kvm_irq_set_msg(&ki->msi[i], addr, data);
	ret = ki->used[i] ? kvm_irq_commit(ki) : -ENOENT;
	pthread_mutex_unlock(&ki->lock);
	return ret;
}

void kvm_irq_msi_remove(struct kvm_irq *ki, unsigned gsi)
{
	unsigned i = gsi - KVM_IRQ_PINS;

	if (gsi < KVM_IRQ_PINS || i >= KVM_IRQ_MAX_ROUTES)
		return;
	pthread_mutex_lock(&ki->lock);
	if (ki->used[i]) {
		ki->used[i] = false;
		/* A stale route is harmless: nothing signals a GSI without an irqfd. */
		(void)!kvm_irq_commit(ki);
	}
	pthread_mutex_unlock(&ki->lock);
}

int kvm_irqfd(struct kvm *k, int fd, unsigned gsi, int resample_fd)
{
	struct kvm_irqfd f = { .fd = fd, .gsi = gsi };
	int ret;

	if (resample_fd >= 0) {
		f.flags = KVM_IRQFD_FLAG_RESAMPLE;
		f.resamplefd = resample_fd;
	}
	ret = k->sys->ioctl(k->vm_fd, KVM_IRQFD, &f);
	if (ret < 0)
		log_err("kvm: KVM_IRQFD (gsi %u): %s", gsi, strerror(-ret));
	return ret < 0 ? ret : 0;
}

void kvm_irqfd_remove(struct kvm *k, int fd, unsigned gsi)
{
	struct kvm_irqfd f = { .fd = fd, .gsi = gsi, .flags = KVM_IRQFD_FLAG_DEASSIGN };

	(void)!k->sys->ioctl(k->vm_fd, KVM_IRQFD, &f);
}
