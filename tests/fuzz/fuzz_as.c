// SPDX-License-Identifier: GPL-2.0
/*
 * The guest address space (vmm/as.c, as_commit.c) under random region
 * add, place, maps, delete and commit, against a model of what as.h
 * promises: at every address the placed region of highest priority (of
 * equals, the first added) decides; whole pages of its maps that it decides
 * entirely are memslots at the right host address, everything else of it is
 * trapped to its handlers with offsets from its base. Checked after every
 * step, at 1 KiB points over the space: the committed view (as_lookup) and
 * a dispatch (as_read) against the model; the memslots KVM got (a fake)
 * never overlap, are page aligned, and are exactly the view's.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "as_internal.h"
#include "harness.h"

#define NR_REGIONS  8
#define NR_MAPS	    4
#define GRAIN	    0x400ULL   /* region edges: 1 KiB */
#define SPACE	    0x40000ULL /* where regions go: 256 KiB */
#define TOP	    0x10000ULL /* or the top 64 KiB */
#define HVA(r, off) ((void *)(uintptr_t)(0x100000000000ULL + ((uint64_t)(r) << 32) + (off)))

struct model_region {
	bool used;
	unsigned id; /* order of addition */
	struct as_region *r;
	enum as_prio prio;
	bool ops;
	uint64_t base, len;
	struct as_map maps[NR_MAPS];
	unsigned nr_maps;
};

/* Staged and committed states: the model of what the space holds. */
static struct model_region staged[NR_REGIONS], committed[NR_REGIONS];
static unsigned next_id;
static char names[NR_REGIONS][8];

/* KVM's memslots. */
static struct {
	bool live;
	uint64_t gpa, size;
	void *hva;
} slots[AS_MAX_SLOTS];

static int slot_set(void *opaque, unsigned slot, uint64_t gpa, uint64_t size, void *hva)
{
	FUZZ_CHECK(slot < AS_MAX_SLOTS, "memslot %u", slot);
	if (!size) {
		FUZZ_CHECK(slots[slot].live, "deleting memslot %u, not live", slot);
		slots[slot].live = false;
		return 0;
	}
	FUZZ_CHECK(!slots[slot].live, "memslot %u created while live", slot);
	FUZZ_CHECK(IS_ALIGNED(gpa | size | (uintptr_t)hva, AS_PAGE) && gpa + size > gpa,
		   "memslot 0x%llx+0x%llx at %p", (unsigned long long)gpa, (unsigned long long)size,
		   hva);
	for (unsigned i = 0; i < AS_MAX_SLOTS; i++)
		FUZZ_CHECK(!slots[i].live || gpa >= slots[i].gpa + slots[i].size ||
				   slots[i].gpa >= gpa + size,
			   "memslot 0x%llx+0x%llx overlaps slot %u", (unsigned long long)gpa,
			   (unsigned long long)size, i);
	slots[slot].live = true;
	slots[slot].gpa = gpa;
	slots[slot].size = size;
	slots[slot].hva = hva;
	return 0;
}

/* The last trapped access a handler saw. */
static struct {
	unsigned region;
	uint64_t off;
	unsigned calls;
} seen;

static uint64_t trap_read(void *opaque, uint64_t off, unsigned size)
{
	seen.region = (unsigned)(uintptr_t)opaque;
	seen.off = off;
	seen.calls++;
	return 0;
}

static const struct bus_ops trap_ops = {.read = trap_read};

/* The committed region deciding @addr, or NULL. */
static const struct model_region *winner(uint64_t addr)
{
	const struct model_region *w = NULL;

	for (unsigned i = 0; i < NR_REGIONS; i++) {
		const struct model_region *m = &committed[i];

		if (!m->used || !m->len || addr < m->base || addr - m->base >= m->len)
			continue;
		if (!w || m->prio > w->prio || (m->prio == w->prio && m->id < w->id))
			w = m;
	}
	return w;
}

/* The map of @m holding the whole page at @addr, if @m decides all of that page. */
static const struct as_map *mem_map(const struct model_region *m, uint64_t addr)
{
	uint64_t page = ALIGN_DOWN(addr, AS_PAGE);

	for (uint64_t a = page; a < page + AS_PAGE; a += GRAIN)
		if (winner(a) != m)
			return NULL;
	for (unsigned i = 0; i < m->nr_maps; i++) {
		uint64_t s = m->base + m->maps[i].off;

		if (page >= s && page + AS_PAGE <= s + m->maps[i].len)
			return &m->maps[i];
	}
	return NULL;
}

/* What serves @a: the view and a dispatch against the model. */
static void check_point(struct as *as, uint64_t a)
{
	{
		const struct model_region *w = winner(a);
		const struct as_map *map = w ? mem_map(w, a) : NULL;
		struct as_info info;
		uint8_t b;
		bool claimed;

		as_lookup(as, a, &info);
		seen.calls = 0;
		claimed = as_read(as, a, &b, 1);
		if (!w) {
			FUZZ_CHECK(info.kind == AS_NONE && !claimed,
				   "0x%llx: %d %s, nothing placed", (unsigned long long)a,
				   info.kind, info.name ? info.name : "");
			return;
		}
		if (map) {
			FUZZ_CHECK(info.kind == AS_MEM &&
					   info.hva ==
						   (char *)map->hva + (a - w->base - map->off) &&
					   !claimed,
				   "0x%llx: %d, want memory of %s", (unsigned long long)a,
				   info.kind, w->r->name);
			return;
		}
		FUZZ_CHECK(info.kind == AS_TRAP && !strcmp(info.name, names[w - committed]) &&
				   info.off == a - w->base,
			   "0x%llx: %d %s+0x%llx, want trapped by %s+0x%llx", (unsigned long long)a,
			   info.kind, info.name ? info.name : "", (unsigned long long)info.off,
			   names[w - committed], (unsigned long long)(a - w->base));
		FUZZ_CHECK(claimed == w->ops, "0x%llx claimed %d by %s", (unsigned long long)a,
			   claimed, names[w - committed]);
		if (w->ops)
			FUZZ_CHECK(seen.calls == 1 && seen.region == (unsigned)(w - committed) &&
					   seen.off == a - w->base,
				   "0x%llx dispatched to %u+0x%llx", (unsigned long long)a,
				   seen.region, (unsigned long long)seen.off);
	}
}

static void check_view(struct as *as)
{
	unsigned nr_live = 0;

	/* A point inside each KiB of the space, and of the top 64 KiB of the address space. */
	for (uint64_t addr = 0; addr < SPACE + 2 * GRAIN; addr += GRAIN)
		check_point(as, addr + (addr / GRAIN % 7) * 0x91);
	for (uint64_t addr = -TOP; addr; addr += GRAIN)
		check_point(as, addr + (addr / GRAIN % 7) * 0x91);
	/* The memslots are the view's memory, page by page. */
	for (unsigned s = 0; s < AS_MAX_SLOTS; s++) {
		if (!slots[s].live)
			continue;
		nr_live++;
		for (uint64_t off = 0; off < slots[s].size; off += AS_PAGE) {
			struct as_info info;

			as_lookup(as, slots[s].gpa + off, &info);
			FUZZ_CHECK(info.kind == AS_MEM && info.slot == (int)s &&
					   info.hva == (char *)slots[s].hva + off,
				   "memslot %u at 0x%llx is not the view's", s,
				   (unsigned long long)(slots[s].gpa + off));
		}
	}
	FUZZ_CHECK(nr_live == as_slots_used(as), "%u memslots, the view %u", nr_live,
		   as_slots_used(as));
}

/* A region's maps: page aligned, possibly overlapping or beyond its end (refused or clipped). */
static void set_maps(struct fz *in, unsigned i)
{
	struct model_region *m = &staged[i];
	struct as_map maps[NR_MAPS];
	unsigned nr = fz_below(in, NR_MAPS + 1);

	for (unsigned j = 0; j < nr; j++) {
		uint64_t off = (uint64_t)fz_below(in, 48) * AS_PAGE;

		maps[j].off = off;
		maps[j].len = (uint64_t)(1 + fz_below(in, 8)) * AS_PAGE;
		maps[j].hva = HVA(i, off + (fz_u8(in) & 1 ? 0x800 : 0)); /* sometimes unaligned */
	}
	if (as_region_set_maps(m->r, maps, nr))
		return; /* refused: the old maps stay */
	memcpy(m->maps, maps, sizeof(maps));
	m->nr_maps = nr;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct as_slot_ops ops = {slot_set, NULL, AS_MAX_SLOTS};
	struct fz in = {data, size};
	unsigned steps = 0;
	struct as *as;

	memset(staged, 0, sizeof(staged));
	memset(committed, 0, sizeof(committed));
	memset(slots, 0, sizeof(slots));
	next_id = 0;
	FUZZ_CHECK(!as_create(&as, "mmio", &ops), "as_create");
	while (in.n && steps++ < 128) {
		uint8_t op = fz_u8(&in);
		unsigned i = (op >> 3) % NR_REGIONS;
		struct model_region *m = &staged[i];
		uint64_t base, len;

		switch (op & 7) {
		case 0: /* add */
			if (m->used)
				break;
			memset(m, 0, sizeof(*m));
			m->used = true;
			m->id = next_id++;
			m->prio = fz_below(&in, 3);
			m->ops = fz_u8(&in) & 1;
			snprintf(names[i], sizeof(names[i]), "r%u", i);
			FUZZ_CHECK(!as_region_add(as, names[i], m->prio, m->ops ? &trap_ops : NULL,
						  (void *)(uintptr_t)i, &m->r),
				   "as_region_add");
			break;
		case 1: /* place, 1 KiB edges; regions with maps page aligned, as BARs are */
		case 2:
			if (!m->used)
				break;
			base = (uint64_t)fz_below(&in, SPACE / GRAIN / 4) * 4 * GRAIN;
			base += m->nr_maps ? 0 : (fz_u8(&in) & 3) * GRAIN;
			len = (uint64_t)fz_u8(&in) * GRAIN;
			if (op & 0x80) /* at the very top, or a page below */
				base = -len - (fz_u8(&in) & 1 ? AS_PAGE : 0);
			if (m->nr_maps && !IS_ALIGNED(base, AS_PAGE))
				break;
			if (as_region_place(m->r, base, len))
				break;
			m->base = base;
			m->len = len;
			break;
		case 3: /* maps, on a region placed page aligned (or not placed) */
			if (m->used && IS_ALIGNED(m->base, AS_PAGE))
				set_maps(&in, i);
			break;
		case 4: /* delete */
			if (!m->used)
				break;
			as_region_del(m->r);
			m->used = false;
			break;
		default: /* commit */
			FUZZ_CHECK(!as_commit(as), "as_commit");
			memcpy(committed, staged, sizeof(staged));
			break;
		}
		check_view(as);
	}
	as_destroy(as);
	for (unsigned s = 0; s < AS_MAX_SLOTS; s++)
		FUZZ_CHECK(!slots[s].live, "memslot %u left after as_destroy", s);
	return 0;
}
