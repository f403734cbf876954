// SPDX-License-Identifier: GPL-2.0
/*
 * The commit of a guest address space: the flat view of the placed regions
 * (at every address the region of highest priority, of equals the one added
 * first), split into memslots (whole pages of a region's maps) and trapped
 * ranges, and the memslot diff against the view before (deletions first:
 * KVM memslots never overlap). See as.h for the contract, as.c for the
 * locking.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "as_internal.h"

/* Whether @a beats @b where both decode (the earlier region wins a tie). */
static bool as_beats(const struct as_region *a, const struct as_region *b)
{
	return !b || a->prio > b->prio;
}

static int as_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* A growable array of ranges. */
struct as_list {
	struct as_range *v;
	unsigned nr, cap;
};

static int as_list_push(struct as_list *l, const struct as_region *r, uint64_t start, uint64_t len,
			void *hva)
{
	struct as_range *last = l->nr ? &l->v[l->nr - 1] : NULL;

	if (!len)
		return 0;
	/* Neighbouring trapped parts of one region are one range. */
	if (!hva && last && !last->hva && last->r == r && last->start + last->len == start) {
		last->len += len;
		return 0;
	}
	if (l->nr == l->cap) {
		unsigned cap = l->cap ? 2 * l->cap : 16;
		struct as_range *n = realloc(l->v, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		l->v = n;
		l->cap = cap;
	}
	l->v[l->nr++] = (struct as_range){
		.start = start,
		.len = len,
		.r = r,
		.name = r->name,
		.rbase = r->base,
		.ops = r->ops,
		.opaque = r->opaque,
		.hva = hva,
		.slot = -1,
	};
	return 0;
}

/*
 * [start, end) of region @r is visible: its maps become memory ranges
 * (whole pages only), the rest trapped ranges, in address order.
 */
static int as_split(struct as *as, const struct as_region *r, uint64_t start, uint64_t end,
		    struct as_list *out)
{
	uint64_t pos = start;
	int ret = 0;

	for (unsigned i = 0; as->has_slots && i < r->nr_maps && !ret; i++) {
		const struct as_map *m = &r->maps[i];
		uint64_t ms = r->base + m->off, me = ms + m->len, a, b;

		a = ALIGN_UP(MAX(ms, pos), AS_PAGE);
		b = ALIGN_DOWN(MIN(me, end), AS_PAGE);
		if (a >= b)
			continue;
		ret = as_list_push(out, r, pos, a - pos, NULL);
		if (!ret)
			ret = as_list_push(out, r, a, b - a, (char *)m->hva + (a - ms));
		pos = b;
	}
	if (!ret)
		ret = as_list_push(out, r, pos, end - pos, NULL);
	return ret;
}

/* The flat view of the placed regions, in address order. Lock held. */
static int as_flatten(struct as *as, struct as_list *out)
{
	const struct as_region *r, *win, *cur = NULL;
	uint64_t *b, cur_start = 0;
	unsigned n = 0, nb = 0, i;
	int ret = 0;

	for (r = as->regions; r; r = r->next)
		n += r->len ? 2 : 0;
	b = malloc((n + 1) * sizeof(*b));
	if (!b)
		return -ENOMEM;
	for (r = as->regions; r; r = r->next) {
		if (!r->len)
			continue;
		b[nb++] = r->base;
		b[nb++] = r->base + r->len; /* no wrap: as_region_place() checked */
	}
	qsort(b, nb, sizeof(*b), as_cmp_u64);
	/* Between two neighbouring boundaries, one region (or none) decodes. */
	for (i = 0; i + 1 < nb && !ret; i++) {
		if (b[i] == b[i + 1])
			continue;
		win = NULL;
		for (r = as->regions; r; r = r->next)
			if (r->len && b[i] >= r->base && b[i] - r->base < r->len &&
			    as_beats(r, win))
				win = r;
		if (win == cur)
			continue;
		if (cur)
			ret = as_split(as, cur, cur_start, b[i], out);
		cur = win;
		cur_start = b[i];
	}
	if (!ret && cur)
		ret = as_split(as, cur, cur_start, b[nb - 1], out);
	free(b);
	return ret;
}

static bool as_same_mem(const struct as_range *a, const struct as_range *b)
{
	return a->start == b->start && a->len == b->len && a->hva == b->hva;
}

static int as_slot_alloc(struct as *as)
{
	for (unsigned s = 0; s < as->slots.nr_slots; s++) {
		if (!(as->slot_used[s / 64] & (1ULL << (s % 64)))) {
			as->slot_used[s / 64] |= 1ULL << (s % 64);
			return s;
		}
	}
	return -ENOSPC;
}

static void as_slot_free(struct as *as, int s)
{
	as->slot_used[s / 64] &= ~(1ULL << (s % 64));
}

/*
 * Memslots for the new view: the old ones that left it are deleted first
 * (KVM memslots must never overlap), then the new ones created. A memory
 * range that gets no memslot is trapped if its region has handlers.
 */
static int as_apply_slots(struct as *as, struct as_list *want)
{
	struct as_view *old = &as->view;
	unsigned i, j;
	int ret = 0, err;

	for (i = 0; i < old->nr_mems; i++) {
		struct as_range *o = &old->mems[i];
		bool keep = false;

		for (j = 0; j < want->nr && !keep; j++) {
			struct as_range *w = &want->v[j];

			if (w->hva && w->slot < 0 && as_same_mem(o, w)) {
				w->slot = o->slot;
				keep = true;
			}
		}
		if (keep)
			continue;
		err = as->slots.set(as->slots.opaque, o->slot, 0, 0, NULL);
		if (err)
			/* KVM may still hold it: the slot number stays taken. */
			log_err("%s: deleting memslot %d of %s: %s", as->name, o->slot, o->name,
				strerror(-err));
		else
			as_slot_free(as, o->slot);
	}
	for (j = 0; j < want->nr; j++) {
		struct as_range *w = &want->v[j];
		const char *why = "all memslots in use";

		if (!w->hva || w->slot >= 0)
			continue;

		err = as_slot_alloc(as);
		if (err >= 0) {
			w->slot = err;
			err = as->slots.set(as->slots.opaque, w->slot, w->start, w->len, w->hva);
			if (err) {
				as_slot_free(as, w->slot);
				w->slot = -1;
				why = strerror(-err);
			}
		}
		if (!err)
			continue;
		log_guest(&as->log_key, "%s: %s at 0x%llx (0x%llx bytes) gets no memslot (%s)%s",
			  as->name, w->name, (unsigned long long)w->start,
			  (unsigned long long)w->len, why, w->ops ? "; trapped instead" : "");
		w->hva = NULL;
		if (!w->ops) {
			w->len = 0; /* nothing can serve it */
			ret = err;
		}
	}
	return ret;
}

int as_commit(struct as *as)
{
	struct as_list want = {0};
	struct as_view next = {0}, old;
	struct as_region **p, *r;
	unsigned i, nt = 0, nm = 0;
	int ret;

	pthread_mutex_lock(&as->lock);
	ret = as_flatten(as, &want);
	if (ret)
		goto out;
	if (as->has_slots) {
		ret = as_apply_slots(as, &want);
	} else {
		for (i = 0; i < want.nr; i++)
			want.v[i].hva = NULL;
	}
	next.traps = calloc(want.nr + 1, sizeof(*next.traps));
	next.mems = calloc(want.nr + 1, sizeof(*next.mems));
	if (!next.traps || !next.mems) {
		as_view_free(&next);
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < want.nr; i++) {
		struct as_range *w = &want.v[i];

		if (!w->len)
			continue;
		w->r = NULL; /* regions may be freed below */
		if (w->hva)
			next.mems[nm++] = *w;
		else
			next.traps[nt++] = *w;
	}
	next.nr_traps = nt;
	next.nr_mems = nm;
	pthread_rwlock_wrlock(&as->view_lock);
	old = as->view;
	as->view = next;
	pthread_rwlock_unlock(&as->view_lock);
	as_view_free(&old);
	/* Deleted regions are in no view now. */
	for (p = &as->regions; (r = *p);) {
		if (r->dead) {
			*p = r->next;
			free(r);
		} else {
			p = &r->next;
		}
	}
out:
	pthread_mutex_unlock(&as->lock);
	free(want.v);
	return ret;
}
