// SPDX-License-Identifier: GPL-2.0
/*
 * BARs of a passed-through function: virtual BAR registers, and where the
 * guest's accesses to a decoding BAR go.
 *
 * The BAR registers are ptvm's (PCI 3.0 §6.2.5.1): type bits from the
 * device's register, size from the VFIO region, so the sizing protocol and
 * 64-bit pairs work through the generic model (pci/cfg.c). Each BAR is one
 * region of the guest's MMIO or PIO address space (as.h), placed wherever
 * the generic layer (pci/dev.c) says the BAR decodes and taken out when it
 * stops decoding:
 *
 *   maps     each sparse mmap area of the region, minus the pages that hold
 *            the MSI-X table or PBA, is host memory the address space makes
 *            a memslot of: guest accesses never exit;
 *   handlers everything else (those pages, parts VFIO does not let us
 *            mmap, BARs smaller than a page, I/O BARs, the ROM) exits and is
 *            forwarded to the region through the backend, except the MSI-X
 *            table and PBA themselves, which pt_msix_table.c emulates.
 *
 * Page rule: only whole pages are mmapped (a memslot is page granular), and
 * only the pages the table and PBA touch are taken out. On a device whose
 * table shares a page with registers (NVMe doorbells), that page's other
 * bytes are forwarded one access at a time; every other page stays mapped.
 * Overlaps with RAM or another BAR are the address space's to resolve: a
 * BAR hidden by one is seen again once the other moves away.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "pt/pt_internal.h"

struct pt_span {
	uint64_t start, end;
	void *hva; /* host address of @start, for mmap spans */
};

int pt_bars_init(struct pt *pt, const uint8_t *hw)
{
	const struct pt_region_desc *r;
	unsigned i, flags;
	uint32_t reg;
	int ret;

	for (i = 0; i < PCI_NUM_BARS; i++) {
		r = &pt->desc.regions[VFIO_PCI_BAR0_REGION_INDEX + i];
		if (!r->size)
			continue;
		reg = hw[PCI_BAR0 + 4 * i] | hw[PCI_BAR0 + 4 * i + 1] << 8 |
		      hw[PCI_BAR0 + 4 * i + 2] << 16 | (uint32_t)hw[PCI_BAR0 + 4 * i + 3] << 24;
		/* §6.2.5.1: bit 0 I/O; memory type in bits 2:1 (2 = 64-bit), bit 3 prefetchable. */
		if (reg & PCI_BAR_IO)
			flags = PCI_BAR_IO;
		else
			flags = (reg & PCI_BAR_PREFETCH) |
				((reg & 0x6) == PCI_BAR_MEM64 ? PCI_BAR_MEM64 : 0);
		ret = pci_cfg_set_bar(&pt->dev.cfg, i, r->size, flags);
		if (ret) {
			log_err("vfio: %s: BAR%u of 0x%llx bytes (type 0x%x) not usable: hidden",
				pt->desc.name, i, (unsigned long long)r->size, flags);
			continue;
		}
		pt->bars[i].size = r->size;
		pt->bars[i].io = flags == PCI_BAR_IO;
		if (flags & PCI_BAR_MEM64)
			i++; /* the upper half is the next register */
	}
	/* §6.2.5.2: the expansion ROM, read through VFIO's ROM region. */
	r = &pt->desc.regions[VFIO_PCI_ROM_REGION_INDEX];
	if (r->size && r->readable) {
		if (pci_cfg_set_rom(&pt->dev.cfg, r->size))
			log_err("vfio: %s: ROM of 0x%llx bytes not usable: hidden", pt->desc.name,
				(unsigned long long)r->size);
		else
			pt->bars[PCI_ROM_BAR].size = r->size;
	}
	for (i = 0; i < PT_NR_BARS; i++)
		pt->bars[i].gpa = PCI_BAR_UNMAPPED;
	return 0;
}

/* A forwarded access to region @bar (BAR index == VFIO region index). */
static uint64_t pt_region_access(struct pt *pt, unsigned bar, uint64_t off, unsigned size,
				 bool write, uint64_t val)
{
	uint64_t v = write ? val : 0;
	ssize_t n;

	if (write)
		n = pt->be->region_write(pt->be_opaque, bar, &v, size, off);
	else
		n = pt->be->region_read(pt->be_opaque, bar, &v, size, off);
	if (n != (ssize_t)size) {
		log_guest(&pt->log_key_bar, "vfio: %s: BAR%u %s of %u bytes at 0x%llx: %s",
			  pt->desc.name, bar, write ? "write" : "read", size,
			  (unsigned long long)off, n < 0 ? strerror(-n) : "short");
		v = ~0ULL;
	}
	return size >= 8 ? v : v & ((1ULL << (8 * size)) - 1);
}

static uint64_t pt_trap_read(void *opaque, uint64_t off, unsigned size)
{
	struct pt_bar *b = opaque;
	struct pt *pt = b->pt;
	uint64_t v;

	__atomic_fetch_add(&pt->stats.trapped_reads, 1, __ATOMIC_RELAXED);
	if (b->idx < PCI_NUM_BARS && pt_msix_bar_access(pt, b->idx, off, size, false, &v))
		return v;
	return pt_region_access(pt, b->idx, off, size, false, 0);
}

static void pt_trap_write(void *opaque, uint64_t off, unsigned size, uint64_t value)
{
	struct pt_bar *b = opaque;
	struct pt *pt = b->pt;

	__atomic_fetch_add(&pt->stats.trapped_writes, 1, __ATOMIC_RELAXED);
	/* PCI 3.0 §6.2.5.2: the ROM is read-only. */
	if (b->idx == PCI_ROM_BAR)
		return;
	if (pt_msix_bar_access(pt, b->idx, off, size, true, &value))
		return;
	pt_region_access(pt, b->idx, off, size, true, value);
}

static const struct bus_ops pt_trap_ops = {
	.read = pt_trap_read,
	.write = pt_trap_write,
};

/* Append [start, end) of @src minus the @n excluded ranges to @out. */
static unsigned pt_span_cut(const struct pt_span *src, const uint64_t *ex_start,
			    const uint64_t *ex_end, unsigned n, struct pt_span *out)
{
	uint64_t pos = src->start;
	unsigned i, nr = 0;

	for (i = 0; i < n; i++) {
		if (ex_end[i] <= pos || ex_start[i] >= src->end)
			continue;
		if (ex_start[i] > pos)
			out[nr++] = (struct pt_span){pos, ex_start[i],
						     (char *)src->hva + (pos - src->start)};
		pos = MAX(pos, ex_end[i]);
	}
	if (pos < src->end)
		out[nr++] = (struct pt_span){pos, src->end, (char *)src->hva + (pos - src->start)};
	return nr;
}

/*
 * The mmappable spans of a memory BAR of at least a page, sorted and not
 * overlapping, without the MSI-X pages. Returns how many.
 */
static unsigned pt_bar_mmap_spans(struct pt *pt, unsigned bar, struct pt_span *out)
{
	const struct pt_region_desc *r = &pt->desc.regions[bar];
	uint64_t size = pt->bars[bar].size, ex_start[2], ex_end[2], t;
	unsigned i, j, n, nr = 0, nex;
	struct pt_span a, tmp;

	nex = pt_msix_pages(pt, bar, ex_start, ex_end);
	if (nex == 2 && ex_start[1] < ex_start[0]) {
		t = ex_start[0], ex_start[0] = ex_start[1], ex_start[1] = t;
		t = ex_end[0], ex_end[0] = ex_end[1], ex_end[1] = t;
	}
	for (i = 0; i < r->nr_areas && i < PT_MAX_AREAS; i++) {
		a.start = r->areas[i].offset;
		a.end = a.start + r->areas[i].size;
		a.hva = r->areas[i].map;
		if (!a.hva || a.start >= size || a.end <= a.start ||
		    !IS_ALIGNED(a.start, PT_PAGE) || !IS_ALIGNED(a.end, PT_PAGE))
			continue;
		a.end = MIN(a.end, size);
		n = pt_span_cut(&a, ex_start, ex_end, nex, &out[nr]);
		nr += n;
	}
	/* Insertion sort by start; overlaps (a broken descriptor) are clipped. */
	for (i = 1; i < nr; i++)
		for (j = i; j > 0 && out[j].start < out[j - 1].start; j--)
			tmp = out[j], out[j] = out[j - 1], out[j - 1] = tmp;
	for (i = 1, n = nr ? 1 : 0; i < nr; i++) {
		if (out[i].end <= out[n - 1].end)
			continue;
		if (out[i].start < out[n - 1].end) {
			out[i].hva = (char *)out[i].hva + (out[n - 1].end - out[i].start);
			out[i].start = out[n - 1].end;
		}
		out[n++] = out[i];
	}
	return n;
}

int pt_bars_regions(struct pt *pt)
{
	struct pt_span spans[PT_MAX_AREAS * 3];
	struct as_map maps[PT_MAX_AREAS * 3];
	unsigned i, j, n;
	int ret;

	for (i = 0; i < PT_NR_BARS; i++) {
		struct pt_bar *b = &pt->bars[i];

		if (!b->size)
			continue;
		b->pt = pt;
		b->idx = i;
		snprintf(b->name, sizeof(b->name), "%s %s%u", pt->desc.name,
			 i == PCI_ROM_BAR ? "ROM" : "BAR", i == PCI_ROM_BAR ? 0 : i);
		ret = as_region_add(b->io ? pt->host.pio : pt->host.mmio, b->name, AS_PRIO_BAR,
				    &pt_trap_ops, b, &b->region);
		if (ret)
			return ret;
		n = 0;
		if (i < PCI_NUM_BARS && !b->io && b->size >= PT_PAGE)
			n = pt_bar_mmap_spans(pt, i, spans);
		for (j = 0; j < n; j++)
			maps[j] = (struct as_map){spans[j].start, spans[j].end - spans[j].start,
						  spans[j].hva};
		ret = as_region_set_maps(b->region, maps, n);
		if (ret) {
			log_err("vfio: %s: BAR%u mmap areas not usable (%s): trapped",
				pt->desc.name, i, strerror(-ret));
			(void)!as_region_set_maps(b->region, NULL, 0);
		}
	}
	return 0;
}

void pt_bars_free(struct pt *pt)
{
	for (unsigned i = 0; i < PT_NR_BARS; i++) {
		struct pt_bar *b = &pt->bars[i];

		if (!b->region)
			continue;
		as_region_del(b->region);
		if (as_commit(b->io ? pt->host.pio : pt->host.mmio))
			log_err("vfio: %s: removing %s from the guest failed", pt->desc.name,
				b->name);
		b->region = NULL;
	}
}

int pt_bar_map(struct pci_dev *dev, unsigned bar, uint64_t old_addr, uint64_t new_addr, bool enable)
{
	struct pt *pt = pt_from_dev(dev);
	struct pt_bar *b;
	int ret, err;

	if (bar >= PT_NR_BARS || !pt->bars[bar].region)
		return 0;
	b = &pt->bars[bar];
	if (!enable)
		new_addr = PCI_BAR_UNMAPPED;
	ret = as_region_place(b->region, new_addr == PCI_BAR_UNMAPPED ? 0 : new_addr,
			      new_addr == PCI_BAR_UNMAPPED ? 0 : b->size);
	/*
	 * A place the address space refuses (a BAR in the top page of the
	 * 64-bit space) takes the BAR out of the view: it must not go on
	 * decoding at its old address, whose memslots would then outlive
	 * the move.
	 */
	if (ret) {
		(void)!as_region_place(b->region, 0, 0);
		new_addr = PCI_BAR_UNMAPPED;
	}
	err = as_commit(b->io ? pt->host.pio : pt->host.mmio);
	ret = ret ? ret : err;
	b->gpa = ret ? PCI_BAR_UNMAPPED : new_addr;
	return ret;
}

void pt_bars_unmap_all(struct pt *pt)
{
	for (unsigned i = 0; i < PT_NR_BARS; i++)
		if (pt->bars[i].gpa != PCI_BAR_UNMAPPED)
			(void)!pt_bar_map(&pt->dev, i, pt->bars[i].gpa, PCI_BAR_UNMAPPED, false);
}

void pt_mem64_bars(const struct pt *pt, uint64_t *sum, uint64_t *largest)
{
	*sum = *largest = 0;
	for (unsigned i = 0; i < PCI_NUM_BARS; i++) {
		uint32_t reg = pci_cfg_get(&pt->dev.cfg, PCI_BAR0 + 4 * i, 4);

		if (!pt->bars[i].size || pt->bars[i].io || (reg & 0x6) != PCI_BAR_MEM64)
			continue;
		*sum += pt->bars[i].size;
		*largest = MAX(*largest, pt->bars[i].size);
	}
}
