/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest RAM: a few regions of guest-physical space backed by host memory.
 * Every guest pointer is turned into a host pointer through mem_ptr(), which
 * checks bounds; no other code does gpa arithmetic on host pointers.
 */
#ifndef PTVM_MEMORY_H
#define PTVM_MEMORY_H

#include "util.h"

#define MEM_MAX_REGIONS 4

struct mem_region {
	uint64_t gpa;
	uint64_t size;
	void *hva; /* NULL until mem_alloc() (or a test) backs it */
	/* Bytes mapped at @hva: @size rounded up to whole (huge) pages. */
	uint64_t map_size;
};

struct guest_mem {
	struct mem_region r[MEM_MAX_REGIONS];
	unsigned nr;
	uint64_t ram_size; /* total bytes of RAM over all regions */
};

/* Smallest and largest RAM ptvm accepts. */
#define MEM_MIN_SIZE (32ULL << 20)
#define MEM_MAX_SIZE (1ULL << 40)

/*
 * Split @ram_size bytes of RAM around the PCI hole (see layout.h). Fills the
 * regions with hva == NULL. -EINVAL if the size is out of range or not a
 * multiple of 1 MiB.
 */
int mem_layout(struct guest_mem *m, uint64_t ram_size) __must_check;

/* How mem_alloc() backs RAM; all zero is anonymous memory with THP, on any node. */
struct mem_backing {
	uint64_t huge_page_size; /* SZ_2M or SZ_1G: hugetlbfs pages of that size */
	bool bind;		 /* bind RAM to NUMA node @node (mbind MPOL_BIND) */
	unsigned node;
};

/*
 * Back every region with host memory as @b says: anonymous memory with
 * MADV_HUGEPAGE at a 2 MiB-aligned address, so THP and KVM can use 2 MiB
 * pages for it; or hugetlbfs pages, reserved from the pool now (-ENOMEM
 * if it is short). Bound to a node before any page is touched (-ERANGE
 * for a node of 1024 or more). On error nothing stays mapped. mem_free()
 * undoes.
 */
int mem_alloc(struct guest_mem *m, const struct mem_backing *b) __must_check;
void mem_free(struct guest_mem *m);
/*
 * Zero every byte of guest RAM, as a power cycle leaves it, in place: the
 * mapping and its pages stay what VFIO pinned for DMA and KVM's memslots
 * use (MADV_DONTNEED or a new mapping would give the guest pages the
 * IOMMU does not point to).
 */
void mem_clear(struct guest_mem *m);

/* Huge pages of @page_size that back @m: each region rounded up to whole pages. */
uint64_t mem_huge_pages(const struct guest_mem *m, uint64_t page_size);

/* Host pointer for [gpa, gpa+len) if it lies wholly in one region, else NULL. */
void *mem_ptr(const struct guest_mem *m, uint64_t gpa, uint64_t len);

/* Highest guest-physical address + 1 that is RAM. */
uint64_t mem_ram_end(const struct guest_mem *m);

/* Base of the 64-bit PCI MMIO window: above RAM and 4 GiB, 1 GiB aligned. */
uint64_t mem_mmio64_base(const struct guest_mem *m);

/*
 * The most RAM (whole GiB) whose guest-physical addresses fit in
 * @phys_bits bits: RAM above 3 GiB continues at 4 GiB (layout.h).
 */
uint64_t mem_max_ram(unsigned phys_bits);

/*
 * The 64-bit PCI window for BARs that need @need bytes (sum of the 64-bit
 * BARs' sizes, each a power of two) of which the largest is @largest:
 * based above RAM at an alignment the largest BAR can use, LAYOUT_MMIO64_SIZE
 * or @need if more, and never beyond the guest's @phys_bits address space
 * (shrunk to fit, but not below @need). -ENOSPC if @need does not fit.
 */
int mem_window64(const struct guest_mem *m, unsigned phys_bits, uint64_t need, uint64_t largest,
		 uint64_t *base, uint64_t *size) __must_check;

/* Call @fn for each region in order; stops at and returns the first error. */
int mem_for_each(const struct guest_mem *m,
		 int (*fn)(void *opaque, unsigned idx, const struct mem_region *r), void *opaque);

#endif
