/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fakes for the passthrough model's tests: a backend over an in-memory
 * config space and region buffers, and a host that records every call and
 * dispatches trapped accesses the way the bus would.
 */
#ifndef PTVM_TEST_PT_FAKE_H
#define PTVM_TEST_PT_FAKE_H

#include <errno.h>
#include <string.h>

#include "pt/passthrough.h"

#define FAKE_MAX     64
#define FAKE_IRQ_FDS 16

struct fake_write {
	unsigned idx;
	uint64_t off;
	size_t len;
	uint64_t val;
};

struct fake_irqs {
	unsigned index, start, count;
	bool has_fds;
	int fds[FAKE_IRQ_FDS];
};

struct fake_host;
static inline void fake_order(struct fake_host *h, char c);

struct fake_be {
	struct fake_host *host; /* for the call order, may be NULL */
	/* A device that ignores PowerState @refuse_state written at @refuse_off (PMCSR). */
	unsigned refuse_off;
	uint8_t refuse_state;
	uint8_t cfg[4096];
	uint8_t *mem[VFIO_PCI_NUM_REGIONS];
	uint64_t mem_size[VFIO_PCI_NUM_REGIONS];
	struct fake_write writes[FAKE_MAX];
	unsigned nr_writes;
	unsigned nr_reads[VFIO_PCI_NUM_REGIONS];
	struct fake_irqs irqs[FAKE_MAX];
	unsigned nr_irqs;
	/*
	 * Vectors enabled per index, as VFIO counts them. With @noresize (VFIO
	 * before Linux 6.5), binding beyond the count of an enabled index fails
	 * as vfio_msi_set_block() does; without, the index grows.
	 */
	unsigned enabled[VFIO_PCI_NUM_IRQS];
	bool noresize[VFIO_PCI_NUM_IRQS];
	uint64_t fail_counts; /* bit n set: a set_irqs of n vectors fails */
	int unmask_fd;
	unsigned nr_unmask;
	unsigned nr_resets;
};

/* A memslot as the address space set it (by slot number). */
struct fake_slot {
	uint64_t gpa, size;
	void *hva;
	bool live;
};

struct fake_route {
	uint64_t addr;
	uint32_t data;
	int fd;
	bool live;
};

struct fake_host {
	/* Real address spaces; the MMIO one's memslots land in @slots. */
	struct as *mmio, *pio;
	struct fake_slot slots[FAKE_MAX];
	unsigned nr_slot_sets, nr_slot_dels;
	/* Memslots created over a live one (KVM refuses it) or on a live slot number. */
	unsigned nr_slot_overlaps;
	int fail_slot_gpa_set; /* KVM refuses a memslot at fail_slot_gpa */
	uint64_t fail_slot_gpa;
	struct fake_route routes[FAKE_MAX];
	unsigned nr_routes, nr_updates, nr_removes;
	/* Route changes since the last msi_commit, and commits so far. */
	unsigned nr_staged, nr_commits;
	unsigned intx_slot, intx_pin, nr_intx_bind, nr_intx_unbind;
	int intx_trigger, intx_resample;
	/* Call order: 'S' memslot created, 'D' memslot deleted, 'C' config write to the device. */
	char order[FAKE_MAX * 2];
	unsigned nr_order;
};

static inline void fake_order(struct fake_host *h, char c)
{
	if (h && h->nr_order < sizeof(h->order) - 1)
		h->order[h->nr_order++] = c;
}

/* Backend. */
static inline ssize_t fake_region_read(void *opaque, unsigned idx, void *buf, size_t len,
				       uint64_t off)
{
	struct fake_be *b = opaque;

	if (idx >= VFIO_PCI_NUM_REGIONS)
		return -EINVAL;
	b->nr_reads[idx]++;
	if (idx == VFIO_PCI_CONFIG_REGION_INDEX) {
		if (off + len > sizeof(b->cfg))
			return -EINVAL;
		memcpy(buf, b->cfg + off, len);
		return len;
	}
	if (!b->mem[idx] || off + len > b->mem_size[idx])
		return -EINVAL;
	memcpy(buf, b->mem[idx] + off, len);
	return len;
}

static inline ssize_t fake_region_write(void *opaque, unsigned idx, const void *buf, size_t len,
					uint64_t off)
{
	struct fake_be *b = opaque;
	struct fake_write w = {idx, off, len, 0};

	if (idx >= VFIO_PCI_NUM_REGIONS || len > 8)
		return -EINVAL;
	memcpy(&w.val, buf, len);
	if (b->nr_writes < FAKE_MAX)
		b->writes[b->nr_writes++] = w;
	if (idx == VFIO_PCI_CONFIG_REGION_INDEX) {
		if (off + len > sizeof(b->cfg))
			return -EINVAL;
		fake_order(b->host, 'C');
		if (b->refuse_off && off == b->refuse_off &&
		    (*(const uint8_t *)buf & 3) == b->refuse_state) {
			/* PCI PM 1.2 §3.2.4: an unsupported state is discarded. */
			uint8_t old = b->cfg[off] & 3;

			memcpy(b->cfg + off, buf, len);
			b->cfg[off] = (b->cfg[off] & ~3) | old;
			return len;
		}
		memcpy(b->cfg + off, buf, len);
		return len;
	}
	if (!b->mem[idx] || off + len > b->mem_size[idx])
		return -EINVAL;
	memcpy(b->mem[idx] + off, buf, len);
	return len;
}

static inline int fake_set_irqs(void *opaque, unsigned index, unsigned start, unsigned count,
				const int *fds)
{
	struct fake_be *b = opaque;
	struct fake_irqs *r;
	unsigned i;

	if (b->nr_irqs >= FAKE_MAX)
		return -ENOSPC;
	r = &b->irqs[b->nr_irqs++];
	*r = (struct fake_irqs){index, start, count, fds != NULL, {0}};
	for (i = 0; fds && i < count && i < FAKE_IRQ_FDS; i++)
		r->fds[i] = fds[i];
	if (index >= VFIO_PCI_NUM_IRQS || (count < 64 && (b->fail_counts >> count & 1)))
		return -EINVAL;
	if (!count) {
		b->enabled[index] = 0;
		return 0;
	}
	if (b->enabled[index] && start + count > b->enabled[index] && b->noresize[index])
		return -EINVAL;
	if (start + count > b->enabled[index])
		b->enabled[index] = start + count;
	return 0;
}

static inline int fake_intx_unmask_fd(void *opaque, int fd)
{
	struct fake_be *b = opaque;

	b->unmask_fd = fd;
	b->nr_unmask++;
	return 0;
}

static inline int fake_reset(void *opaque)
{
	struct fake_be *b = opaque;

	b->nr_resets++;
	return 0;
}

static const struct pt_backend_ops fake_be_ops = {
	.region_read = fake_region_read,
	.region_write = fake_region_write,
	.set_irqs = fake_set_irqs,
	.intx_unmask_fd = fake_intx_unmask_fd,
	.reset = fake_reset,
};

/* Host: KVM_SET_USER_MEMORY_REGION as the MMIO address space calls it. */
static inline int fake_slot_set(void *opaque, unsigned slot, uint64_t gpa, uint64_t size, void *hva)
{
	struct fake_host *h = opaque;

	if (slot >= FAKE_MAX)
		return -EINVAL;
	if (!size) {
		fake_order(h, 'D');
		h->nr_slot_dels++;
		h->slots[slot].live = false;
		return 0;
	}
	if (h->fail_slot_gpa_set && gpa == h->fail_slot_gpa)
		return -EINVAL;
	for (unsigned i = 0; i < FAKE_MAX; i++)
		if (h->slots[i].live && (i == slot || (gpa < h->slots[i].gpa + h->slots[i].size &&
						       h->slots[i].gpa < gpa + size)))
			h->nr_slot_overlaps++;
	fake_order(h, 'S');
	h->nr_slot_sets++;
	h->slots[slot] = (struct fake_slot){gpa, size, hva, true};
	return 0;
}

static inline int fake_host_init(struct fake_host *h)
{
	const struct as_slot_ops slots = {fake_slot_set, h, FAKE_MAX};

	if (as_create(&h->mmio, "mmio", &slots))
		return -1;
	return as_create(&h->pio, "pio", NULL) ? -1 : 0;
}

static inline void fake_host_free(struct fake_host *h)
{
	as_destroy(h->mmio);
	as_destroy(h->pio);
	h->mmio = h->pio = NULL;
}

/* The live memslot at @gpa exactly, or NULL. */
static inline struct fake_slot *fake_slot_at(struct fake_host *h, uint64_t gpa)
{
	for (unsigned i = 0; i < FAKE_MAX; i++)
		if (h->slots[i].live && h->slots[i].gpa == gpa)
			return &h->slots[i];
	return NULL;
}

static inline unsigned fake_live_slots(struct fake_host *h)
{
	unsigned n = 0;

	for (unsigned i = 0; i < FAKE_MAX; i++)
		n += h->slots[i].live;
	return n;
}

static inline int fake_msi_add(void *opaque, uint64_t addr, uint32_t data, int fd)
{
	struct fake_host *h = opaque;

	if (h->nr_routes >= FAKE_MAX)
		return -ENOSPC;
	h->routes[h->nr_routes] = (struct fake_route){addr, data, fd, true};
	h->nr_staged++;
	return h->nr_routes++;
}

static inline int fake_msi_update(void *opaque, int route, uint64_t addr, uint32_t data)
{
	struct fake_host *h = opaque;

	if (route < 0 || route >= (int)h->nr_routes || !h->routes[route].live)
		return -ENOENT;
	h->routes[route].addr = addr;
	h->routes[route].data = data;
	h->nr_updates++;
	h->nr_staged++;
	return 0;
}

static inline void fake_msi_remove(void *opaque, int route)
{
	struct fake_host *h = opaque;

	h->nr_removes++;
	h->nr_staged++;
	if (route >= 0 && route < (int)h->nr_routes)
		h->routes[route].live = false;
}

static inline int fake_msi_commit(void *opaque)
{
	struct fake_host *h = opaque;

	h->nr_staged = 0;
	h->nr_commits++;
	return 0;
}

static inline int fake_intx_bind(void *opaque, unsigned slot, unsigned pin, int trigger,
				 int resample)
{
	struct fake_host *h = opaque;

	h->intx_slot = slot;
	h->intx_pin = pin;
	h->intx_trigger = trigger;
	h->intx_resample = resample;
	h->nr_intx_bind++;
	return 0;
}

static inline void fake_intx_unbind(void *opaque, unsigned slot, unsigned pin, int trigger)
{
	struct fake_host *h = opaque;

	h->nr_intx_unbind++;
}

static const struct pt_host_ops fake_host_ops = {
	.msi_add = fake_msi_add,
	.msi_update = fake_msi_update,
	.msi_remove = fake_msi_remove,
	.msi_commit = fake_msi_commit,
	.intx_bind = fake_intx_bind,
	.intx_unbind = fake_intx_unbind,
};

/* A guest access dispatched by the address space; unclaimed: all-ones. */
static inline uint64_t fake_bus_read(struct fake_host *h, bool pio, uint64_t addr, unsigned size)
{
	uint64_t v = 0;

	as_read(pio ? h->pio : h->mmio, addr, &v, size);
	return size >= 8 ? v : v & ((1ULL << (8 * size)) - 1);
}

static inline void fake_bus_write(struct fake_host *h, bool pio, uint64_t addr, unsigned size,
				  uint64_t val)
{
	as_write(pio ? h->pio : h->mmio, addr, &val, size);
}

static inline void fake_put(uint8_t *p, unsigned off, unsigned size, uint32_t v)
{
	unsigned i;

	for (i = 0; i < size; i++)
		p[off + i] = v >> (8 * i);
}

static inline uint32_t fake_get(const uint8_t *p, unsigned off, unsigned size)
{
	uint32_t v = 0;
	unsigned i;

	for (i = 0; i < size; i++)
		v |= (uint32_t)p[off + i] << (8 * i);
	return v;
}

#endif
