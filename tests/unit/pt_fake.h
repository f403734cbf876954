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

struct fake_be {
	uint8_t cfg[4096];
	uint8_t *mem[VFIO_PCI_NUM_REGIONS];
	uint64_t mem_size[VFIO_PCI_NUM_REGIONS];
	struct fake_write writes[FAKE_MAX];
	unsigned nr_writes;
	unsigned nr_reads[VFIO_PCI_NUM_REGIONS];
	struct fake_irqs irqs[FAKE_MAX];
	unsigned nr_irqs;
	int unmask_fd;
	unsigned nr_unmask;
	unsigned nr_resets;
};

struct fake_map {
	uint64_t gpa, size;
	void *hva;
	bool live;
};

struct fake_trap {
	bool pio;
	uint64_t base, len;
	const struct bus_ops *ops;
	void *opaque;
	bool live;
};

struct fake_route {
	uint64_t addr;
	uint32_t data;
	int fd;
	bool live;
};

struct fake_host {
	struct fake_map maps[FAKE_MAX];
	unsigned nr_maps, nr_unmaps;
	struct fake_trap traps[FAKE_MAX];
	unsigned nr_traps, nr_untraps;
	int fail_trap_base_set;
	uint64_t fail_trap_base;
	struct fake_route routes[FAKE_MAX];
	unsigned nr_routes, nr_updates, nr_removes;
	unsigned intx_slot, intx_pin, nr_intx_bind, nr_intx_unbind;
	int intx_trigger, intx_resample;
	/* Call order: 'M' map, 'U' unmap, 'T' trap, 'X' untrap. */
	char order[FAKE_MAX * 2];
	unsigned nr_order;
};

static inline void fake_order(struct fake_host *h, char c)
{
	if (h->nr_order < sizeof(h->order) - 1)
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

/* Host. */
static inline int fake_map_mem(void *opaque, uint64_t gpa, uint64_t size, void *hva)
{
	struct fake_host *h = opaque;

	fake_order(h, 'M');
	if (h->nr_maps >= FAKE_MAX)
		return -ENOSPC;
	h->maps[h->nr_maps] = (struct fake_map){gpa, size, hva, true};
	return h->nr_maps++;
}

static inline void fake_unmap_mem(void *opaque, int handle)
{
	struct fake_host *h = opaque;

	fake_order(h, 'U');
	h->nr_unmaps++;
	if (handle >= 0 && handle < (int)h->nr_maps)
		h->maps[handle].live = false;
}

static inline int fake_trap(void *opaque, bool pio, uint64_t base, uint64_t len,
			    const struct bus_ops *ops, void *dev)
{
	struct fake_host *h = opaque;

	fake_order(h, 'T');
	if (h->fail_trap_base_set && base == h->fail_trap_base)
		return -EEXIST;
	if (h->nr_traps >= FAKE_MAX)
		return -ENOSPC;
	h->traps[h->nr_traps++] = (struct fake_trap){pio, base, len, ops, dev, true};
	return 0;
}

static inline void fake_untrap(void *opaque, bool pio, uint64_t base)
{
	struct fake_host *h = opaque;
	unsigned i;

	fake_order(h, 'X');
	h->nr_untraps++;
	for (i = 0; i < h->nr_traps; i++)
		if (h->traps[i].live && h->traps[i].pio == pio && h->traps[i].base == base)
			h->traps[i].live = false;
}

static inline int fake_msi_add(void *opaque, uint64_t addr, uint32_t data, int fd)
{
	struct fake_host *h = opaque;

	if (h->nr_routes >= FAKE_MAX)
		return -ENOSPC;
	h->routes[h->nr_routes] = (struct fake_route){addr, data, fd, true};
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
	return 0;
}

static inline void fake_msi_remove(void *opaque, int route)
{
	struct fake_host *h = opaque;

	h->nr_removes++;
	if (route >= 0 && route < (int)h->nr_routes)
		h->routes[route].live = false;
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
	.map_mem = fake_map_mem,
	.unmap_mem = fake_unmap_mem,
	.trap = fake_trap,
	.untrap = fake_untrap,
	.msi_add = fake_msi_add,
	.msi_update = fake_msi_update,
	.msi_remove = fake_msi_remove,
	.intx_bind = fake_intx_bind,
	.intx_unbind = fake_intx_unbind,
};

/* The live trap holding @addr, or NULL. */
static inline struct fake_trap *fake_trap_at(struct fake_host *h, bool pio, uint64_t addr)
{
	unsigned i;

	for (i = 0; i < h->nr_traps; i++) {
		struct fake_trap *t = &h->traps[i];

		if (t->live && t->pio == pio && addr >= t->base && addr < t->base + t->len)
			return t;
	}
	return NULL;
}

/* A guest access the way the bus would dispatch it; unclaimed: all-ones. */
static inline uint64_t fake_bus_read(struct fake_host *h, bool pio, uint64_t addr, unsigned size)
{
	struct fake_trap *t = fake_trap_at(h, pio, addr);

	return t ? t->ops->read(t->opaque, addr - t->base, size) : ~0ULL;
}

static inline void fake_bus_write(struct fake_host *h, bool pio, uint64_t addr, unsigned size,
				  uint64_t val)
{
	struct fake_trap *t = fake_trap_at(h, pio, addr);

	if (t)
		t->ops->write(t->opaque, addr - t->base, size, val);
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
