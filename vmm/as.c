// SPDX-License-Identifier: GPL-2.0
/*
 * The guest address space: regions with priorities, staged and committed
 * into a flat view of memslots and trapped ranges. See as.h.
 *
 * Locking: @lock (a mutex) serialises staging and commits; @view_lock (a
 * rwlock) covers only the committed view. A dispatch copies the trapped
 * range it hits under the read lock and runs the handler unlocked, so a
 * handler may itself stage and commit (a guest moving a BAR through ECAM
 * reaches as_commit() from inside an MMIO dispatch).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "as_internal.h"

/* Unclaimed accesses a quiet space reports in verbose mode before going silent. */
#define AS_QUIET_BURST 32

int as_create(struct as **out, const char *name, const struct as_slot_ops *slots)
{
	struct as *as = calloc(1, sizeof(*as));

	if (!as)
		return -ENOMEM;
	as->name = name;
	if (slots) {
		as->slots = *slots;
		as->slots.nr_slots = MIN(slots->nr_slots, AS_MAX_SLOTS);
		as->has_slots = true;
	}
	/*
	 * Linux probes many absent legacy ports at boot (0x80 port delay,
	 * 0x2f8, 0x61, 0x70, ...): there an unclaimed access is normal and is
	 * only logged in verbose mode.
	 */
	as->quiet_unclaimed = name && !strcmp(name, "pio");
	pthread_mutex_init(&as->lock, NULL);
	pthread_rwlock_init(&as->view_lock, NULL);
	*out = as;
	return 0;
}

void as_view_free(struct as_view *v)
{
	free(v->traps);
	free(v->mems);
	memset(v, 0, sizeof(*v));
}

void as_destroy(struct as *as)
{
	struct as_region *r, *next;

	if (!as)
		return;
	for (unsigned i = 0; i < as->view.nr_mems; i++)
		(void)!as->slots.set(as->slots.opaque, as->view.mems[i].slot, 0, 0, NULL);
	as_view_free(&as->view);
	for (r = as->regions; r; r = next) {
		next = r->next;
		free(r);
	}
	pthread_rwlock_destroy(&as->view_lock);
	pthread_mutex_destroy(&as->lock);
	free(as);
}

int as_region_add(struct as *as, const char *name, enum as_prio prio, const struct bus_ops *ops,
		  void *opaque, struct as_region **out)
{
	struct as_region *r = calloc(1, sizeof(*r)), **p;

	if (!r)
		return -ENOMEM;
	r->as = as;
	r->name = name ? name : "?";
	r->prio = prio;
	r->ops = ops;
	r->opaque = opaque;
	pthread_mutex_lock(&as->lock);
	for (p = &as->regions; *p; p = &(*p)->next)
		;
	*p = r;
	pthread_mutex_unlock(&as->lock);
	*out = r;
	return 0;
}

int as_region_place(struct as_region *r, uint64_t base, uint64_t len)
{
	/* Wraps past the top of the space, or ends there (the end must be a number). */
	if (len && base + len <= base)
		return -EINVAL;
	pthread_mutex_lock(&r->as->lock);
	r->base = base;
	r->len = len;
	pthread_mutex_unlock(&r->as->lock);
	return 0;
}

int as_region_set_maps(struct as_region *r, const struct as_map *maps, unsigned nr)
{
	struct as_map sorted[AS_MAX_MAPS], t;
	unsigned i, j;

	if (nr > AS_MAX_MAPS)
		return -EINVAL;
	for (i = 0; i < nr; i++) {
		const struct as_map *m = &maps[i];

		if (!m->len || !IS_ALIGNED(m->off | m->len, AS_PAGE) ||
		    !IS_ALIGNED((uintptr_t)m->hva, AS_PAGE) || m->off + m->len < m->off)
			return -EINVAL;
		sorted[i] = *m;
	}
	for (i = 1; i < nr; i++)
		for (j = i; j > 0 && sorted[j].off < sorted[j - 1].off; j--)
			t = sorted[j], sorted[j] = sorted[j - 1], sorted[j - 1] = t;
	for (i = 1; i < nr; i++)
		if (sorted[i].off < sorted[i - 1].off + sorted[i - 1].len)
			return -EINVAL; /* overlapping maps */
	pthread_mutex_lock(&r->as->lock);
	if (nr)
		memcpy(r->maps, sorted, nr * sizeof(sorted[0]));
	r->nr_maps = nr;
	pthread_mutex_unlock(&r->as->lock);
	return 0;
}

void as_region_del(struct as_region *r)
{
	if (!r)
		return;
	pthread_mutex_lock(&r->as->lock);
	r->dead = true;
	r->len = 0;
	pthread_mutex_unlock(&r->as->lock);
}

int as_add_fixed(struct as *as, const char *name, uint64_t base, uint64_t len,
		 const struct bus_ops *ops, void *opaque)
{
	struct as_region *r;
	int ret;

	if (!len)
		return -EINVAL;
	ret = as_region_add(as, name, AS_PRIO_SYSTEM, ops, opaque, &r);
	if (ret)
		return ret;
	ret = as_region_place(r, base, len);
	if (!ret)
		ret = as_commit(as);
	if (ret)
		log_err("%s: %s at 0x%llx: %s", as->name, name, (unsigned long long)base,
			strerror(-ret));
	return ret;
}

/* The trapped range holding [addr, addr + size), copied out. View lock held. */
static bool as_find(const struct as_view *v, uint64_t addr, unsigned size, struct as_range *out)
{
	unsigned lo = 0, hi = v->nr_traps;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (v->traps[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return false;
	*out = v->traps[lo - 1];
	/* Straddling the range's end is unclaimed, not split. */
	return addr - out->start < out->len && size <= out->len - (addr - out->start);
}

static bool as_claim(struct as *as, uint64_t addr, unsigned size, struct as_range *out)
{
	bool ok;

	if (size != 1 && size != 2 && size != 4 && size != 8)
		return false;
	pthread_rwlock_rdlock(&as->view_lock);
	ok = as_find(&as->view, addr, size, out) && out->ops;
	pthread_rwlock_unlock(&as->view_lock);
	return ok;
}

static void as_log_unclaimed(struct as *as, const char *dir, uint64_t addr, unsigned size)
{
	if (as->quiet_unclaimed) {
		if (__atomic_fetch_add(&as->quiet_key, 1, __ATOMIC_RELAXED) < AS_QUIET_BURST)
			log_info("%s: unclaimed %s of %u bytes at 0x%llx", as->name, dir, size,
				 (unsigned long long)addr);
		return;
	}
	log_guest(&as->log_key, "%s: unclaimed %s of %u bytes at 0x%llx", as->name, dir, size,
		  (unsigned long long)addr);
}

bool as_read(struct as *as, uint64_t addr, void *data, unsigned size)
{
	struct as_range r;
	uint8_t *p = data;
	uint64_t v = ~0ULL;

	if (!as_claim(as, addr, size, &r)) {
		as_log_unclaimed(as, "read", addr, size);
		memset(data, 0xff, size);
		return false;
	}
	if (r.ops->read)
		v = r.ops->read(r.opaque, addr - r.rbase, size);
	/* Guest byte order is little-endian whatever the host's. */
	for (unsigned i = 0; i < size; i++)
		p[i] = v >> (8 * i);
	return true;
}

bool as_write(struct as *as, uint64_t addr, const void *data, unsigned size)
{
	struct as_range r;
	const uint8_t *p = data;
	uint64_t v = 0;

	if (!as_claim(as, addr, size, &r)) {
		as_log_unclaimed(as, "write", addr, size);
		return false;
	}
	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)p[i] << (8 * i);
	if (r.ops->write)
		r.ops->write(r.opaque, addr - r.rbase, size, v);
	return true;
}

void as_lookup(struct as *as, uint64_t addr, struct as_info *out)
{
	const struct as_view *v = &as->view;
	struct as_range r;

	memset(out, 0, sizeof(*out));
	out->slot = -1;
	pthread_rwlock_rdlock(&as->view_lock);
	for (unsigned i = 0; i < v->nr_mems; i++) {
		const struct as_range *m = &v->mems[i];

		if (addr - m->start < m->len) {
			*out = (struct as_info){AS_MEM, m->name, addr - m->rbase,
						(char *)m->hva + (addr - m->start), m->slot};
			goto out;
		}
	}
	if (as_find(v, addr, 1, &r))
		*out = (struct as_info){AS_TRAP, r.name, addr - r.rbase, NULL, -1};
out:
	pthread_rwlock_unlock(&as->view_lock);
}

unsigned as_slots_used(struct as *as)
{
	unsigned n;

	pthread_rwlock_rdlock(&as->view_lock);
	n = as->view.nr_mems;
	pthread_rwlock_unlock(&as->view_lock);
	return n;
}
