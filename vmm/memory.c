// SPDX-License-Identifier: GPL-2.0
/* Guest RAM layout and bounds-checked guest-physical access. */
#include <errno.h>
#include <string.h>
#include <linux/mempolicy.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "layout.h"
#include "memory.h"

/* Nodes mem_bind() can name: MAX_NUMNODES is at most 1 << CONFIG_NODES_SHIFT (10). */
#define MEM_MAX_NODES 1024

int mem_layout(struct guest_mem *m, uint64_t ram_size)
{
	uint64_t low;

	memset(m, 0, sizeof(*m));
	if (ram_size < MEM_MIN_SIZE || ram_size > MEM_MAX_SIZE || !IS_ALIGNED(ram_size, SZ_1M))
		return -EINVAL;

	low = MIN(ram_size, LAYOUT_LOW_RAM_MAX);
	m->r[m->nr++] = (struct mem_region){.gpa = 0, .size = low};
	if (ram_size > low)
		m->r[m->nr++] = (struct mem_region){.gpa = LAYOUT_4G, .size = ram_size - low};
	m->ram_size = ram_size;
	return 0;
}

/*
 * @len bytes of fresh anonymous memory at an @align-aligned address, mapped
 * with @flags. THP backs a range with 2 MiB pages only where it covers a
 * whole aligned 2 MiB extent (Documentation/admin-guide/mm/transhuge.rst),
 * and KVM maps guest memory with 2 MiB pages only where the host mapping
 * has them and gpa and hva agree modulo 2 MiB (arch/x86/kvm/x86.c,
 * kvm_alloc_memslot_metadata()). The kernel's own choice of address is
 * often only 4K aligned (measured in the rig: L1 KVM then used 4K pages
 * only). So reserve @align more than needed, map the aligned part over it
 * (MAP_FIXED replaces that part, man 2 mmap) and hand the head and tail
 * back (man 2 munmap: partial unmaps are allowed). The reservation is
 * PROT_NONE and MAP_NORESERVE: it only claims addresses.
 */
static void *mem_map_aligned(uint64_t len, uint64_t align, int flags, int *err)
{
	uint64_t span = len + align;
	uint8_t *base, *p;

	base = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED) {
		*err = -errno;
		return NULL;
	}
	p = (uint8_t *)ALIGN_UP((uintptr_t)base, align);
	/*
	 * Never executable in ptvm (issue 9): guest code runs in the guest,
	 * and bytes a guest wrote must not be code ptvm could jump to. The
	 * sandbox's filter refuses PROT_EXEC later too (sandbox_rules.c).
	 */
	if (mmap(p, len, PROT_READ | PROT_WRITE, flags | MAP_FIXED, -1, 0) == MAP_FAILED) {
		*err = -errno;
		munmap(base, span);
		return NULL;
	}
	if (p > base)
		munmap(base, p - base);
	munmap(p + len, base + span - (p + len));
	return p;
}

/*
 * Bind [@p, @p+@len) to @node before any of it is touched: a policy only
 * places pages allocated after it is set (man 2 mbind). The kernel reads
 * one bit less of the mask than maxnode says (mm/mempolicy.c, get_nodes()),
 * so maxnode counts one bit beyond @node. glibc has no wrapper.
 */
static int mem_bind(void *p, uint64_t len, unsigned node)
{
	unsigned long mask[(MEM_MAX_NODES + 63) / 64] = {0};

	if (node >= MEM_MAX_NODES)
		return -ERANGE;
	mask[node / 64] = 1UL << (node % 64);
	if (syscall(SYS_mbind, p, len, MPOL_BIND, mask, (unsigned long)node + 2, 0))
		return -errno;
	return 0;
}

int mem_alloc(struct guest_mem *m, const struct mem_backing *b)
{
	uint64_t page = b->huge_page_size;
	/*
	 * Without MAP_NORESERVE, hugetlbfs reserves the pages from the pool at
	 * mmap time (Documentation/admin-guide/mm/hugetlbpage.rst), so a
	 * short pool fails here instead of with SIGBUS on a later fault. The
	 * page size goes in as its log2 at MAP_HUGE_SHIFT (man 2 mmap).
	 */
	int flags = page ? MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB |
				    __builtin_ctzll(page) << MAP_HUGE_SHIFT
			 : MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;

	for (unsigned i = 0; i < m->nr; i++) {
		struct mem_region *r = &m->r[i];
		/*
		 * hugetlbfs maps whole pages only: a region that is not a
		 * multiple of the page size gets its last page whole, and the
		 * guest sees only @size of it.
		 */
		uint64_t len = page ? ALIGN_UP(r->size, page) : r->size;
		int err = 0;
		void *p = mem_map_aligned(len, page ? page : SZ_2M, flags, &err);

		if (!p) {
			mem_free(m);
			return err;
		}
		r->hva = p;
		r->map_size = len;
		if (b->bind) {
			err = mem_bind(p, len, b->node);
			if (err) {
				mem_free(m);
				return err;
			}
		}
		/* Guest RAM is large and sparse; transparent huge pages cut TLB misses. */
		if (!page)
			madvise(p, len, MADV_HUGEPAGE);
	}
	return 0;
}

void mem_free(struct guest_mem *m)
{
	for (unsigned i = 0; i < m->nr; i++) {
		if (m->r[i].hva)
			munmap(m->r[i].hva, m->r[i].map_size);
		m->r[i].hva = NULL;
	}
}

void mem_clear(struct guest_mem *m)
{
	for (unsigned i = 0; i < m->nr; i++)
		if (m->r[i].hva)
			memset(m->r[i].hva, 0, m->r[i].size);
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

uint64_t mem_huge_pages(const struct guest_mem *m, uint64_t page_size)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < m->nr; i++)
		n += ALIGN_UP(m->r[i].size, page_size) / page_size;
	return n;
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
