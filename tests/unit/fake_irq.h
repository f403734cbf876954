/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interrupt fakes for tests: a struct irq_line that records every level it
 * is driven to, and KVM's interrupt routing behind the syscall seam (GSI
 * routing table and irqfds) that checks the order ptvm changes them in.
 */
#ifndef PTVM_TEST_FAKE_IRQ_H
#define PTVM_TEST_FAKE_IRQ_H

#include <linux/kvm.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "irq.h"
#include "sys.h"

#define FAKE_IRQ_MAX 64

struct fake_irq {
	struct irq_line line;
	int level;   /* current level, -1 before the first set */
	unsigned nr; /* number of set() calls */
	int history[FAKE_IRQ_MAX];
};

static inline void fake_irq_set(void *opaque, int level)
{
	struct fake_irq *f = opaque;

	if (f->nr < FAKE_IRQ_MAX)
		f->history[f->nr] = level;
	f->nr++;
	f->level = level;
}

static inline void fake_irq_init(struct fake_irq *f)
{
	memset(f, 0, sizeof(*f));
	f->level = -1;
	f->line.set = fake_irq_set;
	f->line.opaque = f;
}

/* Forget the history, keep the level. */
static inline void fake_irq_clear(struct fake_irq *f)
{
	f->nr = 0;
}

/*
 * KVM's GSI routing and irqfds. KVM_SET_GSI_ROUTING replaces the table;
 * KVM_IRQFD assigns or deassigns. A violation is what would lose or
 * misdirect an interrupt in the real kernel: an irqfd assigned to a GSI
 * that has no route yet (KVM injects a pending signal at assign time), or
 * a table that drops the route of a GSI an irqfd still signals.
 */
#define FAKE_KVM_GSIS  4096
#define FAKE_KVM_ORDER 512

struct fake_kvm_irq {
	int cap;	 /* what KVM_CHECK_EXTENSION(KVM_CAP_IRQ_ROUTING) answers */
	int routing_ret; /* < 0: KVM_SET_GSI_ROUTING fails with it */
	unsigned nr_routing, last_nr;
	bool routed[FAKE_KVM_GSIS]; /* MSI routes of the last table */
	struct kvm_irq_routing_msi msi[FAKE_KVM_GSIS];
	int irqfd[FAKE_KVM_GSIS]; /* eventfd assigned to each GSI, -1: none */
	unsigned nr_assign, nr_deassign;
	unsigned violations;
	/* 'R' a routing table, 'A' an irqfd assigned, 'D' one deassigned. */
	char order[FAKE_KVM_ORDER];
	unsigned nr_order;
};

static struct fake_kvm_irq fake_kvm_irq __attribute__((unused));

static inline void fake_kvm_irq_reset(void)
{
	memset(&fake_kvm_irq, 0, sizeof(fake_kvm_irq));
	memset(fake_kvm_irq.irqfd, 0xff, sizeof(fake_kvm_irq.irqfd));
	fake_kvm_irq.cap = FAKE_KVM_GSIS;
}

/* Forget the recorded order and counts, keep KVM's state. */
static inline void fake_kvm_irq_clear(void)
{
	struct fake_kvm_irq *k = &fake_kvm_irq;

	k->nr_routing = k->nr_assign = k->nr_deassign = 0;
	k->nr_order = 0;
	memset(k->order, 0, sizeof(k->order));
}

static inline void fake_kvm_irq_log(char c)
{
	if (fake_kvm_irq.nr_order < FAKE_KVM_ORDER - 1)
		fake_kvm_irq.order[fake_kvm_irq.nr_order++] = c;
}

static inline int fake_kvm_irq_routing(const struct kvm_irq_routing *r)
{
	struct fake_kvm_irq *k = &fake_kvm_irq;
	unsigned i, gsi;

	k->nr_routing++;
	fake_kvm_irq_log('R');
	if (k->routing_ret < 0)
		return k->routing_ret;
	if (r->nr > (unsigned)k->cap)
		return -EINVAL;
	memset(k->routed, 0, sizeof(k->routed));
	for (i = 0; i < r->nr; i++) {
		gsi = r->entries[i].gsi;
		if (gsi >= (unsigned)k->cap)
			return -EINVAL;
		if (r->entries[i].type != KVM_IRQ_ROUTING_MSI)
			continue;
		k->routed[gsi] = true;
		k->msi[gsi] = r->entries[i].u.msi;
	}
	k->last_nr = r->nr;
	for (gsi = 0; gsi < FAKE_KVM_GSIS; gsi++)
		if (k->irqfd[gsi] >= 0 && gsi >= 24 && !k->routed[gsi])
			k->violations++;
	return 0;
}

static inline int fake_kvm_irq_irqfd(const struct kvm_irqfd *f)
{
	struct fake_kvm_irq *k = &fake_kvm_irq;

	if (f->gsi >= FAKE_KVM_GSIS)
		return -EINVAL;
	if (f->flags & KVM_IRQFD_FLAG_DEASSIGN) {
		fake_kvm_irq_log('D');
		k->nr_deassign++;
		if (k->irqfd[f->gsi] != (int)f->fd)
			return -ENOENT;
		k->irqfd[f->gsi] = -1;
		return 0;
	}
	fake_kvm_irq_log('A');
	k->nr_assign++;
	/* GSIs 0..23 are the irqchip pins, routed from the start. */
	if (f->gsi >= 24 && !k->routed[f->gsi])
		k->violations++;
	k->irqfd[f->gsi] = f->fd;
	return 0;
}

/*
 * The interrupt ioctls: returns true and sets *ret if @req is one of them
 * (for a test's own fake ioctl to hand them on).
 */
static inline bool fake_kvm_irq_ioctl(unsigned long req, void *arg, int *ret)
{
	switch (req) {
	case KVM_CHECK_EXTENSION:
		if ((long)arg != KVM_CAP_IRQ_ROUTING)
			return false;
		*ret = fake_kvm_irq.cap;
		return true;
	case KVM_SET_GSI_ROUTING:
		*ret = fake_kvm_irq_routing(arg);
		return true;
	case KVM_IRQFD:
		*ret = fake_kvm_irq_irqfd(arg);
		return true;
	default:
		return false;
	}
}

static inline int fake_kvm_irq_sys_ioctl(int fd, unsigned long req, void *arg)
{
	int ret = 0;

	fake_kvm_irq_ioctl(req, arg, &ret);
	return ret;
}

/* A seam with only the interrupt ioctls, enough for kvm_irq.c. */
static const struct sys_ops fake_kvm_irq_sys __attribute__((unused)) = {
	.ioctl = fake_kvm_irq_sys_ioctl,
};

#endif
