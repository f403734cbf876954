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
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "as.h"

/* Unclaimed accesses a quiet space reports in verbose mode before going silent. */
#define AS_QUIET_BURST 32

struct as_region {
	struct as *as;
	struct as_region *next; /* in order of addition */
	const char *name;
	enum as_prio prio;
	const struct bus_ops *ops;
	void *opaque;
	uint64_t base, len; /* len 0: not placed */
	struct as_map maps[AS_MAX_MAPS];
	unsigned nr_maps;
	bool dead;
};

/* One range of the flat view. */
struct as_range {
	uint64_t start, len;
	const struct as_region *r; /* valid only inside a commit */
	const char *name;
	uint64_t rbase; /* the region's base: handler offsets are from here */
	const struct bus_ops *ops;
	void *opaque;
	void *hva; /* memory ranges */
	int slot;  /* memory ranges */
};

struct as_view {
	struct as_range *traps; /* sorted by start, never overlapping */
	unsigned nr_traps;
	struct as_range *mems;
	unsigned nr_mems;
};

struct as {
	const char *name;
	struct as_slot_ops slots;
	bool has_slots;
	pthread_mutex_t lock;
	pthread_rwlock_t view_lock;
	struct as_region *regions;
	struct as_view view;
	uint64_t slot_used[AS_MAX_SLOTS / 64];
	unsigned log_key;
	unsigned quiet_key; /* unclaimed accesses logged on a quiet space */
	bool quiet_unclaimed;
};

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

static void as_view_free(struct as_view *v)
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
	if (len && base + len - 1 < base)
		return -EINVAL; /* wraps past the top of the space */
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

		if (!w->hva || w->slot >= 0)
			continue;
		err = as_slot_alloc(as);
		if (err >= 0) {
			w->slot = err;
			err = as->slots.set(as->slots.opaque, w->slot, w->start, w->len, w->hva);
			if (err) {
				as_slot_free(as, w->slot);
				w->slot = -1;
			}
		}
		if (!err)
			continue;
		log_guest(&as->log_key, "%s: %s at 0x%llx (0x%llx bytes) gets no memslot: %s%s",
			  as->name, w->name, (unsigned long long)w->start,
			  (unsigned long long)w->len, strerror(-err),
			  w->ops ? "; trapped instead" : "");
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
