// SPDX-License-Identifier: GPL-2.0
/* Guest RAM layout and bounds-checked guest-physical access. */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "layout.h"
#include "memory.h"

int mem_layout(struct guest_mem *m, uint64_t ram_size)
{
	uint64_t low;

	memset(m, 0, sizeof(*m));
	if (ram_size < MEM_MIN_SIZE || ram_size > MEM_MAX_SIZE || !IS_ALIGNED(ram_size, SZ_1M))
		return -EINVAL;

	low = MIN(ram_size, LAYOUT_LOW_RAM_MAX);
	m->r[m->nr++] = (struct mem_region){ .gpa = 0, .size = low };
	if (ram_size > low)
		m->r[m->nr++] = (struct mem_region){ .gpa = LAYOUT_4G, .size = ram_size - low };
	m->ram_size = ram_size;
	return 0;
}

/*
 * @len bytes of fresh anonymous memory at an @align-aligned address. THP
 * backs a range with 2 MiB pages only where it covers a whole aligned 2 MiB
 * extent (Documentation/admin-guide/mm/transhuge.rst), and KVM maps guest
 * memory with 2 MiB pages only where the host mapping has them and gpa and
 * hva agree modulo 2 MiB (arch/x86/kvm/x86.c, kvm_alloc_memslot_metadata()).
 * The kernel's own choice of address is often only 4K aligned (measured in
 * the rig: L1 KVM then used 4K pages only). So reserve @align more than
 * needed, keep the aligned part and hand the head and tail back (man 2
 * munmap: partial unmaps are allowed). The reservation is PROT_NONE: it
 * only claims addresses.
 */
static void *mem_map_aligned(uint64_t len, uint64_t align, int *err)
{
	uint64_t span = len + align;
	uint8_t *base, *p;

	base = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED) {
		*err = -errno;
		return NULL;
	}
	p = (uint8_t *)ALIGN_UP((uintptr_t)base, align);
	/* MAP_FIXED replaces that part of the reservation (man 2 mmap). */
	if (mmap(p, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0) == MAP_FAILED) {
		*err = -errno;
		munmap(base, span);
		return NULL;
	}
	if (p > base)
		munmap(base, p - base);
	munmap(p + len, base + span - (p + len));
	return p;
}

int mem_alloc(struct guest_mem *m)
{
	for (unsigned i = 0; i < m->nr; i++) {
		int err = 0;
		void *p = mem_map_aligned(m->r[i].size, SZ_2M, &err);

		if (!p) {
			mem_free(m);
			return err;
		}
		/* Guest RAM is large and sparse; transparent huge pages cut TLB misses. */
		madvise(p, m->r[i].size, MADV_HUGEPAGE);
		m->r[i].hva = p;
	}
	return 0;
}

void mem_free(struct guest_mem *m)
{
	for (unsigned i = 0; i < m->nr; i++) {
		if (m->r[i].hva)
			munmap(m->r[i].hva, m->r[i].size);
		m->r[i].hva = NULL;
	}
}

void *mem_ptr(const struct guest_mem *m, uint64_t gpa, uint64_t len)
{
	for (unsigned i = 0; i < m->nr; i++) {
		const struct mem_region *r = &m->r[i];

		if (gpa < r->gpa || gpa - r->gpa >= r->size)
			continue;
		if (len > r->size - (gpa - r->gpa) || !r->hva)
			return NULL;
		return (uint8_t *)r->hva + (gpa - r->gpa);
	}
	return NULL;
}

uint64_t mem_ram_end(const struct guest_mem *m)
{
	const struct mem_region *last = &m->r[m->nr - 1];

	return last->gpa + last->size;
}

uint64_t mem_mmio64_base(const struct guest_mem *m)
{
	return ALIGN_UP(MAX(mem_ram_end(m), LAYOUT_4G), SZ_1G);
}

uint64_t mem_max_ram(unsigned phys_bits)
{
	uint64_t top = phys_bits >= 64 ? UINT64_MAX : 1ULL << phys_bits;

	if (top <= LAYOUT_4G)
		return MIN(top, LAYOUT_LOW_RAM_MAX);
	/* Low RAM stops at the 32-bit hole; the rest runs from 4 GiB to the top. */
	return MIN(ALIGN_DOWN(top - LAYOUT_4G, SZ_1G) + LAYOUT_LOW_RAM_MAX, MEM_MAX_SIZE);
}

int mem_window64(const struct guest_mem *m, unsigned phys_bits, uint64_t need, uint64_t largest,
		 uint64_t *base, uint64_t *size)
{
	uint64_t top = phys_bits >= 64 ? UINT64_MAX : 1ULL << phys_bits;
	uint64_t b = mem_mmio64_base(m), s;

	/* Natural alignment (PCI 3.0 §6.2.5.1): the largest BAR first, at the base. */
	if (largest > SZ_1G)
		b = ALIGN_UP(b, largest);
	s = ALIGN_UP(MAX(need, LAYOUT_MMIO64_SIZE), SZ_1G);
	if (b >= top || b < mem_mmio64_base(m))
		return -ENOSPC;
	s = MIN(s, ALIGN_DOWN(top - b, SZ_1G));
	if (s < need)
		return -ENOSPC;
	*base = b;
	*size = s;
	return 0;
}

int mem_for_each(const struct guest_mem *m,
		 int (*fn)(void *opaque, unsigned idx, const struct mem_region *r), void *opaque)
{
	for (unsigned i = 0; i < m->nr; i++) {
		int ret = fn(opaque, i, &m->r[i]);

		if (ret)
			return ret;
	}
	return 0;
}
