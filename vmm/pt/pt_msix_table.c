// SPDX-License-Identifier: GPL-2.0
/*
 * The MSI-X table and PBA of a passed-through function as the guest's BAR
 * accesses find them (PCIe 4.0 §7.7.2, PCI 3.0 §6.8.2), emulated: the pages
 * that hold them are never mmapped (pt_bars.c traps them and forwards the
 * rest of such a page), the table is ptvm's copy of the entries
 * (pt->msix.vec) and a write to an entry brings its vector in line
 * (pt_msix.c), a PBA bit reads 1 while its masked vector's eventfd holds a
 * message. Accesses other than a DWORD or an aligned QWORD within the table
 * or PBA are dropped (§6.8.2), reading all-ones.
 */
#include <pthread.h>

#include "pt/pt_internal.h"

unsigned pt_msix_pages(const struct pt *pt, unsigned bar, uint64_t *start, uint64_t *end)
{
	const struct pt_msix *m = &pt->msix;
	unsigned n = 0;

	if (!m->cap)
		return 0;
	if (m->table_bar == bar) {
		start[n] = ALIGN_DOWN(m->table_off, PT_PAGE);
		end[n++] = ALIGN_UP(m->table_off + m->table_len, PT_PAGE);
	}
	if (m->pba_bar == bar) {
		start[n] = ALIGN_DOWN(m->pba_off, PT_PAGE);
		end[n++] = ALIGN_UP(m->pba_off + m->pba_len, PT_PAGE);
	}
	return n;
}

static bool pt_msix_pending(const struct pt *pt, const struct pt_msix_vec *e)
{
	return pt->msix.on && e->fd >= 0 && e->route < 0 && pt_eventfd_pending(e->fd);
}

static uint32_t pt_msix_table_get(const struct pt_msix_vec *e, unsigned reg)
{
	switch (reg) {
	case 0:
		return e->addr_lo;
	case 1:
		return e->addr_hi;
	case 2:
		return e->data;
	default:
		return e->ctrl;
	}
}

static void pt_msix_table_set(struct pt_msix_vec *e, unsigned reg, uint32_t val)
{
	switch (reg) {
	case 0:
		e->addr_lo = val & ~3u; /* §7.7.2.5: dword aligned, bits 1:0 read 0 */
		break;
	case 1:
		e->addr_hi = val;
		break;
	case 2:
		e->data = val;
		break;
	default:
		e->ctrl = val & MSIX_VEC_MASKED; /* the rest is reserved here */
		break;
	}
}

/* Table access at @rel (dword or qword, aligned, checked); pt->lock held. */
static void pt_msix_table_access(struct pt *pt, uint64_t rel, unsigned size, bool write,
				 uint64_t *val)
{
	unsigned v = rel / MSIX_ENTRY_SIZE, reg = rel % MSIX_ENTRY_SIZE / 4, i;
	struct pt_msix_vec *e = &pt->msix.vec[v];

	if (!write) {
		*val = 0;
		for (i = 0; i < size / 4; i++)
			*val |= (uint64_t)pt_msix_table_get(e, reg + i) << (32 * i);
		return;
	}
	for (i = 0; i < size / 4; i++)
		pt_msix_table_set(e, reg + i, *val >> (32 * i));
	pt_msix_sync_range(pt, v, v + 1);
	pt_irq_commit(pt);
}

static uint64_t pt_msix_pba_read(struct pt *pt, uint64_t rel, unsigned size)
{
	uint64_t v = 0;
	unsigned b, vec;

	for (b = 0; b < 8 * size; b++) {
		vec = rel * 8 + b;
		if (vec < pt->msix.nr && pt_msix_pending(pt, &pt->msix.vec[vec]))
			v |= 1ULL << b;
	}
	return v;
}

static bool pt_within(uint64_t off, unsigned size, uint64_t start, uint64_t len)
{
	return off >= start && off + size <= start + len;
}

static bool pt_touches(uint64_t off, unsigned size, uint64_t start, uint64_t len)
{
	return off < start + len && start < off + size;
}

bool pt_msix_bar_access(struct pt *pt, unsigned bar, uint64_t off, unsigned size, bool write,
			uint64_t *val)
{
	struct pt_msix *m = &pt->msix;
	bool table;

	if (!m->cap)
		return false;
	if (bar == m->table_bar && pt_touches(off, size, m->table_off, m->table_len))
		table = true;
	else if (bar == m->pba_bar && pt_touches(off, size, m->pba_off, m->pba_len))
		table = false;
	else
		return false;
	/* §6.8.2 / §7.7.2: DWORD or aligned QWORD accesses only. */
	if ((size != 4 && size != 8) || !IS_ALIGNED(off, size) ||
	    !pt_within(off, size, table ? m->table_off : m->pba_off,
		       table ? m->table_len : m->pba_len)) {
		log_guest(&pt->log_key_irq,
			  "vfio: %s: MSI-X %s access of %u bytes at 0x%llx dropped", pt->desc.name,
			  table ? "table" : "PBA", size, (unsigned long long)off);
		if (!write)
			*val = size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
		return true;
	}
	pthread_mutex_lock(&pt->lock);
	if (table)
		pt_msix_table_access(pt, off - m->table_off, size, write, val);
	else if (!write) /* §7.7.2: Pending Bits are read-only */
		*val = pt_msix_pba_read(pt, off - m->pba_off, size);
	pthread_mutex_unlock(&pt->lock);
	return true;
}
