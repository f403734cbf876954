// SPDX-License-Identifier: GPL-2.0
/*
 * GSI routing and irqfds (Documentation/virt/kvm/api.rst: KVM_SET_GSI_ROUTING,
 * KVM_IRQFD, KVM_CAP_IRQ_ROUTING).
 *
 * KVM_SET_GSI_ROUTING replaces the whole table and waits for KVM's readers
 * to leave the old one, so route changes are staged and given to KVM in one
 * ioctl per kvm_irq_commit(): a guest write that unmasks a function with
 * many live vectors costs one table rewrite, not one per vector.
 *
 * irqfds are ordered around the commits. When an irqfd is assigned, KVM
 * looks up its GSI's route and, if the eventfd is already readable, injects
 * at once (virt/kvm/eventfd.c, kvm_irqfd_assign()); assigned before its
 * route is in KVM's table, that pending message would go nowhere. So a new
 * route's irqfd is assigned only after the commit that put the route in
 * KVM, and a removed route's irqfd is deassigned before the commit that
 * drops the route: KVM never has an irqfd on a GSI without a route.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kvm_irq.h"

int kvm_irq_init(struct kvm_irq *ki, struct kvm *kvm)
{
	int cap, ret;

	memset(ki, 0, sizeof(*ki));
	ki->kvm = kvm;
	/*
	 * api.rst: KVM_CAP_IRQ_ROUTING is the number of routing entries KVM
	 * takes (and GSIs must be below it); the pins' entries come first.
	 */
	cap = kvm->sys->ioctl(kvm->vm_fd, KVM_CHECK_EXTENSION, (void *)(long)KVM_CAP_IRQ_ROUTING);
	cap = MIN(cap, KVM_IRQ_MAX_ENTRIES);
	ki->max_routes = cap > KVM_IRQ_PIN_ROUTES ? cap - KVM_IRQ_PIN_ROUTES : 0;
	if (!ki->max_routes)
		log_info("kvm: KVM_CAP_IRQ_ROUTING is %d: no MSI routes", cap);
	ki->routes = calloc(ki->max_routes ? ki->max_routes : 1, sizeof(*ki->routes));
	if (!ki->routes)
		return -ENOMEM;
	for (unsigned i = 0; i < ki->max_routes; i++)
		ki->routes[i].fd = -1;
	ret = -pthread_mutex_init(&ki->lock, NULL);
	if (ret) {
		free(ki->routes);
		ki->routes = NULL;
	}
	return ret;
}

void kvm_irq_destroy(struct kvm_irq *ki)
{
	pthread_mutex_destroy(&ki->lock);
	free(ki->routes);
	ki->routes = NULL;
}

/*
 * The staged table, pins included, as KVM's default table wires them: GSI n
 * to IOAPIC pin n, and GSIs 0..15 also to the PICs (master 0..7, slave 8..15).
 */
static int kvm_irq_set_table(struct kvm_irq *ki)
{
	unsigned n = 0;
	struct kvm_irq_routing *r;
	int ret;

	r = calloc(1, sizeof(*r) + (KVM_IRQ_PIN_ROUTES + ki->nr_used) * sizeof(r->entries[0]));
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
	for (unsigned i = 0; i < ki->max_routes; i++) {
		if (!ki->routes[i].used)
			continue;
		r->entries[n++] = (struct kvm_irq_routing_entry){
			.gsi = KVM_IRQ_PINS + i,
			.type = KVM_IRQ_ROUTING_MSI,
			.u.msi = ki->routes[i].msg,
		};
	}
	r->nr = n;
	ret = ki->kvm->sys->ioctl(ki->kvm->vm_fd, KVM_SET_GSI_ROUTING, r);
	if (ret < 0)
		log_err("kvm: KVM_SET_GSI_ROUTING (%u entries): %s", n, strerror(-ret));
	free(r);
	return ret < 0 ? ret : 0;
}

int kvm_irq_commit(struct kvm_irq *ki)
{
	int ret = 0, err;

	pthread_mutex_lock(&ki->lock);
	if (ki->dirty) {
		ret = kvm_irq_set_table(ki);
		if (ret)
			goto out;
		ki->dirty = false;
	}
	/* Every staged route is in KVM now: their irqfds may see a pending signal. */
	for (unsigned i = 0; i < ki->max_routes; i++) {
		struct kvm_irq_route *r = &ki->routes[i];

		if (!r->used || r->irqfd || r->fd < 0)
			continue;
		err = kvm_irqfd(ki->kvm, r->fd, KVM_IRQ_PINS + i, -1);
		if (err) {
			ret = ret ? ret : err;
			continue; /* tried again at the next commit */
		}
		r->irqfd = true;
	}
out:
	pthread_mutex_unlock(&ki->lock);
	return ret;
}

static void kvm_irq_set_msg(struct kvm_irq_routing_msi *m, uint64_t addr, uint32_t data)
{
	*m = (struct kvm_irq_routing_msi){
		.address_lo = (uint32_t)addr,
		.address_hi = (uint32_t)(addr >> 32),
		.data = data,
	};
}

int kvm_irq_msi_add(struct kvm_irq *ki, uint64_t addr, uint32_t data, int fd)
{
	int ret = -ENOSPC;

	pthread_mutex_lock(&ki->lock);
	for (unsigned n = 0; n < ki->max_routes; n++) {
		unsigned i = (ki->hint + n) % ki->max_routes;
		struct kvm_irq_route *r = &ki->routes[i];

		if (r->used)
			continue;
		kvm_irq_set_msg(&r->msg, addr, data);
		r->fd = fd;
		r->used = true;
		r->irqfd = false;
		ki->nr_used++;
		ki->dirty = true;
		ki->hint = i + 1;
		ret = KVM_IRQ_PINS + i;
		break;
	}
	if (ret == -ENOSPC && !ki->full_logged) {
		ki->full_logged = true;
		log_err("kvm: all %u MSI routes KVM_CAP_IRQ_ROUTING allows are in use: "
			"further vectors stay silent",
			ki->max_routes);
	}
	pthread_mutex_unlock(&ki->lock);
	return ret;
}

static struct kvm_irq_route *kvm_irq_route(struct kvm_irq *ki, unsigned gsi)
{
	if (gsi < KVM_IRQ_PINS || gsi - KVM_IRQ_PINS >= ki->max_routes)
		return NULL;
	return &ki->routes[gsi - KVM_IRQ_PINS];
}

int kvm_irq_msi_update(struct kvm_irq *ki, unsigned gsi, uint64_t addr, uint32_t data)
{
	struct kvm_irq_routing_msi m;
	struct kvm_irq_route *r;
	int ret = 0;

	kvm_irq_set_msg(&m, addr, data);
	pthread_mutex_lock(&ki->lock);
	r = kvm_irq_route(ki, gsi);
	if (!r || !r->used) {
		ret = -ENOENT;
	} else if (memcmp(&r->msg, &m, sizeof(m))) {
		r->msg = m;
		ki->dirty = true;
	}
	pthread_mutex_unlock(&ki->lock);
	return ret;
}

void kvm_irq_msi_remove(struct kvm_irq *ki, unsigned gsi)
{
	struct kvm_irq_route *r;

	pthread_mutex_lock(&ki->lock);
	r = kvm_irq_route(ki, gsi);
	if (r && r->used) {
		/* The irqfd goes now, the route at the next commit (see the top). */
		if (r->irqfd)
			kvm_irqfd_remove(ki->kvm, r->fd, gsi);
		r->irqfd = false;
		r->fd = -1;
		r->used = false;
		ki->nr_used--;
		ki->dirty = true;
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
