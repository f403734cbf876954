/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The passthrough model under a fuzzed guest, for fuzz_pt_config.c and
 * fuzz_pt_bar.c: the unit tests' NVMe-like fixture (tests/unit/pt_fixture.h)
 * behind backend and host ops that check what the model asks of them, a
 * small language of guest actions read from the input, and the invariants
 * checked after each action and after the device is destroyed.
 */
#ifndef PTVM_FUZZ_PT_HARNESS_H
#define PTVM_FUZZ_PT_HARNESS_H

#include <unistd.h>

#include "as_internal.h"
#include "harness.h"
#include "pt/pt_internal.h"
#include "pt_fixture.h"

/* The device and VFIO the model talks to; only one device per run. */
static struct fx *pth_fx;

/* Accesses the model forwards stay in the region VFIO described. */
static void pth_check_region(unsigned idx, size_t len, uint64_t off)
{
	struct fx *f = pth_fx;
	uint64_t size;

	FUZZ_CHECK(idx < VFIO_PCI_NUM_REGIONS && len >= 1 && len <= 8, "region %u access of %zu",
		   idx, len);
	if (idx == VFIO_PCI_CONFIG_REGION_INDEX)
		size = f->pt ? f->pt->cfg_size : sizeof(f->be.cfg);
	else
		size = f->desc.regions[idx].size;
	FUZZ_CHECK(off < size && len <= size - off,
		   "region %u access of %zu at 0x%llx beyond 0x%llx", idx, len,
		   (unsigned long long)off, (unsigned long long)size);
}

static ssize_t pth_region_read(void *be, unsigned idx, void *buf, size_t len, uint64_t off)
{
	/* pt_config_init() reads the whole config space at once. */
	if (!(idx == VFIO_PCI_CONFIG_REGION_INDEX && !off && !pth_fx->pt))
		pth_check_region(idx, len, off);
	return fake_region_read(be, idx, buf, len, off);
}

static ssize_t pth_region_write(void *be, unsigned idx, const void *buf, size_t len, uint64_t off)
{
	pth_check_region(idx, len, off);
	return fake_region_write(be, idx, buf, len, off);
}

static int pth_set_irqs(void *be, unsigned index, unsigned start, unsigned count, const int *fds)
{
	for (unsigned i = 0; fds && i < count; i++)
		FUZZ_CHECK(fds[i] == -1 || fuzz_fd_live(fds[i]),
			   "set_irqs index %u vector %u: fd %d is not open", index, start + i,
			   fds[i]);
	return fake_set_irqs(be, index, start, count, fds);
}

static int pth_intx_unmask_fd(void *be, int fd)
{
	FUZZ_CHECK(fd == -1 || fuzz_fd_live(fd), "INTx unmask fd %d is not open", fd);
	return fake_intx_unmask_fd(be, fd);
}

static const struct pt_backend_ops pth_be_ops = {
	.region_read = pth_region_read,
	.region_write = pth_region_write,
	.set_irqs = pth_set_irqs,
	.intx_unmask_fd = pth_intx_unmask_fd,
	.reset = fake_reset,
};

/* As fake_msi_add(), but route ids are reused as KVM's GSIs are (fuzz runs are long). */
static int pth_msi_add(void *host, uint64_t addr, uint32_t data, int fd)
{
	struct fake_host *h = host;

	FUZZ_CHECK(fuzz_fd_live(fd), "msi_add with fd %d, not open", fd);
	for (unsigned i = 0; i < h->nr_routes; i++) {
		if (h->routes[i].live)
			continue;
		h->routes[i] = (struct fake_route){addr, data, fd, true};
		h->nr_staged++;
		return (int)i;
	}
	return fake_msi_add(host, addr, data, fd);
}

static void pth_msi_remove(void *host, int route)
{
	struct fake_host *h = host;

	FUZZ_CHECK(route >= 0 && route < (int)h->nr_routes && h->routes[route].live,
		   "msi_remove of route %d, not live", route);
	fake_msi_remove(host, route);
}

static int pth_intx_bind(void *host, unsigned slot, unsigned pin, int trigger, int resample)
{
	FUZZ_CHECK(fuzz_fd_live(trigger) && fuzz_fd_live(resample), "intx_bind fds %d %d", trigger,
		   resample);
	return fake_intx_bind(host, slot, pin, trigger, resample);
}

static const struct pt_host_ops pth_host_ops = {
	.msi_add = pth_msi_add,
	.msi_update = fake_msi_update,
	.msi_remove = pth_msi_remove,
	.msi_commit = fake_msi_commit,
	.intx_bind = pth_intx_bind,
	.intx_unbind = fake_intx_unbind,
};

static inline struct fx *pth_create(void)
{
	struct fx *f = fx_new();

	FUZZ_CHECK(f, "fixture");
	pth_fx = f;
	FUZZ_CHECK(!fx_create_with(f, &pth_be_ops, &pth_host_ops), "pt_create of the fixture");
	return f;
}

/* How many of the model's vectors hold @route (with its fd). */
static unsigned pth_route_users(const struct pt *pt, int route, int fd)
{
	unsigned n = 0;

	for (unsigned i = 0; i < pt->msix.nr; i++)
		n += pt->msix.vec[i].route == route && pt->msix.vec[i].fd == fd;
	for (unsigned i = 0; i < PT_MSI_MAX_VECS; i++)
		n += pt->msi.vec[i].route == route && pt->msi.vec[i].fd == fd;
	return n;
}

static void pth_check_vec_route(const struct fake_host *h, int route, int fd, uint64_t addr,
				uint32_t data)
{
	const struct fake_route *r;

	FUZZ_CHECK(fd < 0 || fuzz_fd_live(fd), "vector fd %d is not open", fd);
	if (route < 0)
		return;
	FUZZ_CHECK(route < (int)h->nr_routes && h->routes[route].live,
		   "vector holds route %d, which the host removed", route);
	r = &h->routes[route];
	FUZZ_CHECK(r->fd == fd && r->addr == addr && r->data == data,
		   "route %d carries fd %d 0x%llx/0x%x, the vector fd %d 0x%llx/0x%x", route, r->fd,
		   (unsigned long long)r->addr, r->data, fd, (unsigned long long)addr, data);
}

/*
 * Routes: each live one is one vector's, with its fd and message; no stale
 * ones. @msix_vfio: the MSI-X vectors VFIO has, if the backend counts them.
 */
static void pth_check_routes(const struct pt *pt, const struct fake_host *h,
			     const unsigned *msix_vfio)
{
	FUZZ_CHECK(!h->nr_staged, "%u route changes left uncommitted", h->nr_staged);
	for (unsigned i = 0; i < h->nr_routes; i++) {
		const struct fake_route *r = &h->routes[i];

		if (!r->live)
			continue;
		FUZZ_CHECK(fuzz_fd_live(r->fd), "route %u signalled by fd %d, not open", i, r->fd);
		FUZZ_CHECK(pth_route_users(pt, (int)i, r->fd) == 1, "route %u has %u vectors", i,
			   pth_route_users(pt, (int)i, r->fd));
	}
	for (unsigned i = 0; i < pt->msix.nr; i++) {
		const struct pt_msix_vec *e = &pt->msix.vec[i];

		pth_check_vec_route(h, e->route, e->fd, e->r_addr, e->r_data);
		/* A vector with an eventfd is one VFIO has. */
		FUZZ_CHECK(e->fd < 0 || !msix_vfio || i < *msix_vfio,
			   "MSI-X vector %u has fd %d, VFIO only %u vectors", i, e->fd, *msix_vfio);
	}
	for (unsigned i = 0; i < PT_MSI_MAX_VECS; i++) {
		const struct pt_msi_vec *e = &pt->msi.vec[i];

		pth_check_vec_route(h, e->route, e->fd, e->r_addr, e->r_data);
	}
}

/* Whether [gpa, gpa + size) of BAR @b is host memory the BAR's areas map at @hva. */
static bool pth_slot_in_area(const struct pt *pt, const struct pt_bar *b, uint64_t gpa,
			     uint64_t size, const void *hva)
{
	const struct pt_region_desc *r = &pt->desc.regions[b->idx];
	uint64_t off = gpa - b->gpa;

	if (b->gpa == PCI_BAR_UNMAPPED || gpa < b->gpa || off >= b->size || size > b->size - off)
		return false;
	for (unsigned i = 0; i < r->nr_areas; i++) {
		uint64_t ao = r->areas[i].offset;

		if (off >= ao && off + size <= ao + r->areas[i].size &&
		    (const char *)hva == (const char *)r->areas[i].map + (off - ao))
			return true;
	}
	return false;
}

/* Memslots: inside a decoding BAR's mmap areas at the right host address, never the MSI-X pages. */
static void pth_check_slots(const struct pt *pt, const struct fake_host *h)
{
	FUZZ_CHECK(!h->nr_slot_overlaps, "a memslot was created over a live one");
	for (unsigned s = 0; s < FAKE_MAX; s++) {
		const struct fake_slot *sl = &h->slots[s];
		uint64_t ex_start[2], ex_end[2];
		unsigned i, nex;

		if (!sl->live)
			continue;
		for (i = 0; i < PCI_NUM_BARS; i++)
			if (pth_slot_in_area(pt, &pt->bars[i], sl->gpa, sl->size, sl->hva))
				break;
		FUZZ_CHECK(i < PCI_NUM_BARS, "memslot %u at 0x%llx+0x%llx maps no BAR area", s,
			   (unsigned long long)sl->gpa, (unsigned long long)sl->size);
		nex = pt_msix_pages(pt, i, ex_start, ex_end);
		for (unsigned j = 0; j < nex; j++)
			FUZZ_CHECK(sl->gpa + sl->size <= pt->bars[i].gpa + ex_start[j] ||
					   sl->gpa >= pt->bars[i].gpa + ex_end[j],
				   "memslot %u maps MSI-X page 0x%llx of BAR%u", s,
				   (unsigned long long)ex_start[j], i);
	}
	/* A BAR the model says decodes is where its register says, and decodes. */
	for (unsigned i = 0; i < PT_NR_BARS; i++) {
		const struct pt_bar *b = &pt->bars[i];

		if (b->gpa == PCI_BAR_UNMAPPED)
			continue;
		FUZZ_CHECK(pci_cfg_bar_enabled(&pt->dev.cfg, i) &&
				   pci_cfg_bar_addr(&pt->dev.cfg, i) == b->gpa,
			   "BAR%u placed at 0x%llx, its register says 0x%llx (%s)", i,
			   (unsigned long long)b->gpa,
			   (unsigned long long)pci_cfg_bar_addr(&pt->dev.cfg, i),
			   pci_cfg_bar_enabled(&pt->dev.cfg, i) ? "decoding" : "not decoding");
	}
}

static inline void pth_check(const struct fx *f)
{
	pth_check_routes(f->pt, &f->host, &f->be.enabled[VFIO_PCI_MSIX_IRQ_INDEX]);
	pth_check_slots(f->pt, &f->host);
}

/* After pt_reset(): nothing of the guest's interrupts or BARs is left. */
static void pth_check_reset(const struct pt *pt, struct fake_host *h)
{
	FUZZ_CHECK(fake_live_slots(h) == 0, "memslots after reset");
	/* INTx, or none if VFIO refused it (logged). */
	FUZZ_CHECK(pt->mode == PT_IRQ_INTX || pt->mode == PT_IRQ_NONE, "mode %d after reset",
		   pt->mode);
	for (unsigned i = 0; i < h->nr_routes; i++)
		FUZZ_CHECK(!h->routes[i].live, "route %u live after reset", i);
	for (unsigned i = 0; i < PT_NR_BARS; i++)
		FUZZ_CHECK(pt->bars[i].gpa == PCI_BAR_UNMAPPED, "BAR%u placed after reset", i);
	FUZZ_CHECK(!(pci_cfg_get(&pt->dev.cfg, PCI_COMMAND, 2) & 7), "COMMAND decodes after reset");
}

static bool pth_as_empty(const struct as *as)
{
	return !as->regions && !as->view.nr_traps && !as->view.nr_mems;
}

/* pt_destroy(), then nothing of the device may be left in the host. */
static inline void pth_destroy_pt(struct pt *pt, struct fake_host *h)
{
	pt_destroy(pt);
	FUZZ_CHECK(fake_live_slots(h) == 0, "memslots left after destroy");
	for (unsigned i = 0; i < h->nr_routes; i++)
		FUZZ_CHECK(!h->routes[i].live, "route %u left after destroy", i);
	FUZZ_CHECK(h->nr_intx_unbind == h->nr_intx_bind, "INTx bound %u, unbound %u",
		   h->nr_intx_bind, h->nr_intx_unbind);
	FUZZ_CHECK(pth_as_empty(h->mmio) && pth_as_empty(h->pio),
		   "address-space regions left after destroy");
	FUZZ_CHECK(fuzz_fds_live() == 0, "%u eventfds left open", fuzz_fds_live());
}

/* Detach (pci_host_detach() unmaps), destroy, and check that nothing is left behind. */
static inline void pth_destroy(struct fx *f)
{
	pci_dev_unmap_all(f->dev);
	pth_check(f);
	pth_destroy_pt(f->pt, &f->host);
	f->pt = NULL;
	f->dev = NULL;
	for (unsigned i = 0; i < VFIO_PCI_NUM_IRQS; i++)
		FUZZ_CHECK(!f->be.enabled[i], "VFIO index %u left with %u vectors", i,
			   f->be.enabled[i]);
	fx_free(f);
	pth_fx = NULL;
}

/* Config offsets worth aiming at: the fixture's capabilities (pt_fixture.h). */
static const uint16_t pth_caps[] = {0x00, 0x40, FX_MSI, FX_EXP, FX_MSIX, 0xc0, 0x100, 0x140, 0x180};

static const unsigned pth_sizes[] = {1, 2, 4};

/* Memory BARs of the fixture and the I/O one, ROM last (PCI_ROM_BAR). */
static const unsigned pth_bars[] = {0, 2, 3, 4, PCI_ROM_BAR};

static unsigned pth_bar_reg(unsigned bar)
{
	return bar == PCI_ROM_BAR ? PCI_ROM_ADDRESS : PCI_BAR0 + 4 * bar;
}

/* The guest's config write, as the host bridge makes it. */
static void pth_cfg_write(struct fx *f, unsigned off, unsigned size, uint32_t val)
{
	pci_dev_cfg_write(f->dev, off, size, val);
}

static void pth_cfg_read(struct fx *f, unsigned off, unsigned size)
{
	uint32_t v = pci_dev_cfg_read(f->dev, off, size);

	FUZZ_CHECK(size == 4 || v >> (8 * size) == 0, "config read of %u at 0x%x: 0x%x", size, off,
		   v);
}

/* Place @bar at @addr (what sizing leaves, or an address) and turn decoding on. */
static void pth_place_bar(struct fx *f, unsigned bar, uint64_t addr, uint16_t cmd)
{
	unsigned reg = pth_bar_reg(bar);

	pth_cfg_write(f, reg, 4, (uint32_t)addr | (bar == PCI_ROM_BAR ? PCI_ROM_ENABLE : 0));
	if (bar == 0)
		pth_cfg_write(f, reg + 4, 4, (uint32_t)(addr >> 32));
	pth_cfg_write(f, PCI_COMMAND, 2, cmd);
}

/* A device interrupt: the device signals a vector's eventfd (or INTx's). */
static void pth_signal(struct fx *f, unsigned which, unsigned v)
{
	struct pt *pt = f->pt;
	uint64_t one = 1;
	int fd = -1;

	if (which == 0 && pt->msix.nr)
		fd = pt->msix.vec[v % pt->msix.nr].fd;
	else if (which == 1)
		fd = pt->msi.vec[v % PT_MSI_MAX_VECS].fd;
	else if (which == 2)
		fd = pt->intx.trigger;
	if (fd >= 0)
		FUZZ_CHECK(write(fd, &one, sizeof(one)) == sizeof(one), "eventfd write");
}

/* Where a guest access aims: a BAR's placed window (or 0x1000 if it is not placed). */
static uint64_t pth_bar_base(const struct fx *f, unsigned bar)
{
	uint64_t a = f->pt->bars[bar].gpa;

	return a == PCI_BAR_UNMAPPED ? 0x1000 : a;
}

/* A guest access of @size (1..8: odd sizes never reach a handler) to @bar at @off. */
static void pth_bar_access(struct fx *f, unsigned bar, uint64_t off, unsigned size, bool write,
			   uint64_t val)
{
	bool pio = f->pt->bars[bar].io;
	uint64_t addr = pth_bar_base(f, bar) + off;
	uint8_t buf[8];

	memcpy(buf, &val, sizeof(buf));
	if (write)
		as_write(pio ? f->host.pio : f->host.mmio, addr, buf, size);
	else
		as_read(pio ? f->host.pio : f->host.mmio, addr, buf, size);
}

static inline void pth_forget(struct fx *f);

/*
 * One guest (or device) action from @in; @bus_weight of 16 draws are BAR
 * accesses. Returns false when the input is used up.
 */
static inline bool pth_step(struct fx *f, struct fz *in, unsigned bus_weight)
{
	unsigned op, off, size, bar;
	uint64_t val;

	if (!in->n)
		return false;
	op = fz_u8(in);
	if (op % 16 < bus_weight) {
		static const uint16_t hot[] = {0,      FX_TABLE, FX_PBA, FX_TABLE + 0x100,
					       0x1000, 0x3000};

		bar = pth_bars[fz_below(in, ARRAY_SIZE(pth_bars))];
		size = 1 + fz_below(in, 8);
		/* Near the MSI-X table/PBA or anywhere in (and a little past) the BAR. */
		off = op & 0x80 ? hot[fz_below(in, ARRAY_SIZE(hot))] + (fz_u8(in) & 0x3f)
				: fz_u32(in) % (f->pt->bars[bar].size + 16);
		val = fz_u64(in);
		pth_bar_access(f, bar, off, size, op & 0x40, val);
		pth_check(f);
		pth_forget(f);
		return true;
	}
	switch (op / 16 % 8) {
	case 0: /* anywhere in config space, or (1, 2) into a capability */
	case 1:
	case 2:
		if (op / 16 % 8 == 0)
			off = fz_u16(in) % PCI_CFG_SIZE;
		else
			off = pth_caps[fz_below(in, ARRAY_SIZE(pth_caps))] + fz_below(in, 0x40);
		size = pth_sizes[fz_below(in, 3)];
		if (op & 1)
			pth_cfg_read(f, off, size);
		else
			pth_cfg_write(f, off, size, fz_u32(in));
		break;
	case 3: /* BAR sizing, then placing it and turning decoding on or off */
		bar = pth_bars[fz_below(in, ARRAY_SIZE(pth_bars))];
		pth_cfg_write(f, pth_bar_reg(bar), 4, 0xffffffff);
		pth_cfg_read(f, pth_bar_reg(bar), 4);
		val = op & 1 ? fz_u64(in) : 0xc0000000ULL + ((uint64_t)fz_u8(in) << 16);
		pth_place_bar(f, bar, val, fz_u16(in));
		break;
	case 4: /* MSI-X or MSI enable and masks */
		if (op & 1) {
			pth_cfg_write(f, FX_MSIX + 2, 2, fz_u16(in) & 0xc000);
		} else {
			pth_cfg_write(f, FX_MSI + 0x10, 4, fz_u32(in)); /* per-vector mask */
			pth_cfg_write(f, FX_MSI + 2, 2, fz_u16(in) & 0x71);
		}
		break;
	case 5: /* an MSI-X table entry, wherever BAR0 decodes */
		off = FX_TABLE + 16 * fz_below(in, FX_MSIX_NR + 1) + 4 * fz_below(in, 4);
		pth_bar_access(f, 0, off, 4, true, fz_u32(in));
		break;
	case 6: /* the device signals a vector */
		pth_signal(f, fz_below(in, 3), fz_u8(in));
		break;
	case 7: /* a reset between a stop and the next start, or a power state */
		if (op & 1) {
			pci_dev_unmap_all(f->dev);
			FUZZ_CHECK(!pt_reset(f->pt), "pt_reset");
			pth_check(f);
			pth_check_reset(f->pt, &f->host);
		} else {
			pth_cfg_write(f, 0x44, 2, fz_u8(in) & 3);
		}
		break;
	}
	pth_check(f);
	pth_forget(f);
	return true;
}

/* Forget the fakes' records of calls (their arrays are bounded), keep their state. */
static inline void pth_forget(struct fx *f)
{
	f->be.nr_writes = f->be.nr_irqs = 0;
	f->host.nr_order = 0;
}

#endif
