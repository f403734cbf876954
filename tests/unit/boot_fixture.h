/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Synthetic bzImages and calloc-backed guest memory for the boot/ tests.
 * Header-only (static inline) so it is not linked into unrelated tests.
 * Header fields are written at the raw offsets of boot.rst's "THE REAL-MODE
 * KERNEL HEADER" table, independently of struct setup_header.
 */
#ifndef PTVM_TEST_BOOT_FIXTURE_H
#define PTVM_TEST_BOOT_FIXTURE_H

#include <stdlib.h>
#include <string.h>

#include "memory.h"

struct fixture_bz {
	uint8_t setup_sects;
	uint16_t version;
	uint8_t hdr_end_byte; /* byte at 0x201: header ends at 0x202 + this */
	uint32_t syssize;
	uint32_t initrd_addr_max;
	uint32_t kernel_alignment;
	uint8_t relocatable;
	uint16_t xloadflags;
	uint32_t cmdline_size;
	uint64_t pref_address;
	uint32_t init_size;
};

/* A plausible 2.15 kernel: 64-bit, relocatable, 2 MiB aligned. */
static inline struct fixture_bz fixture_bz_default(void)
{
	return (struct fixture_bz){
		.setup_sects = 2,
		.version = 0x020f,
		.hdr_end_byte = 0x6a, /* 0x202 + 0x6a = 0x26c, end of kernel_info_offset */
		.syssize = 0,
		.initrd_addr_max = 0x7fffffff,
		.kernel_alignment = 0x200000,
		.relocatable = 1,
		.xloadflags = 0x3, /* XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G */
		.cmdline_size = 2047,
		.pref_address = 0x1000000,
		.init_size = 0x400000,
	};
}

static inline void fixture_put(uint8_t *img, size_t off, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		img[off + i] = (uint8_t)(v >> (8 * i));
}

/* Fill @img (@len bytes, zeroed first); the kernel part is bytes i*7+3. */
static inline void fixture_bz_build(uint8_t *img, size_t len, const struct fixture_bz *o)
{
	size_t setup = ((size_t)(o->setup_sects ? o->setup_sects : 4) + 1) * 512;

	memset(img, 0, len);
	fixture_put(img, 0x1f1, o->setup_sects, 1);
	fixture_put(img, 0x1f4, o->syssize, 4);
	fixture_put(img, 0x1fe, 0xaa55, 2);
	fixture_put(img, 0x200, 0xeb, 1);
	fixture_put(img, 0x201, o->hdr_end_byte, 1);
	memcpy(img + 0x202, "HdrS", 4);
	fixture_put(img, 0x206, o->version, 2);
	fixture_put(img, 0x211, 0x01, 1);     /* loadflags: LOADED_HIGH */
	fixture_put(img, 0x214, 0x100000, 4); /* code32_start */
	fixture_put(img, 0x22c, o->initrd_addr_max, 4);
	fixture_put(img, 0x230, o->kernel_alignment, 4);
	fixture_put(img, 0x234, o->relocatable, 1);
	fixture_put(img, 0x236, o->xloadflags, 2);
	fixture_put(img, 0x238, o->cmdline_size, 4);
	fixture_put(img, 0x258, o->pref_address, 8);
	fixture_put(img, 0x260, o->init_size, 4);
	fixture_put(img, 0x264, 0x190, 4);  /* handover_offset */
	fixture_put(img, 0x268, 0xabcd, 4); /* kernel_info_offset */
	for (size_t i = setup; i < len; i++)
		img[i] = (uint8_t)(i * 7 + 3);
}

/* mem_layout() plus calloc backing; lazily zeroed, so large sizes are cheap. */
static inline int fixture_mem(struct guest_mem *m, uint64_t ram)
{
	if (mem_layout(m, ram))
		return -1;
	for (unsigned i = 0; i < m->nr; i++) {
		m->r[i].hva = calloc(1, m->r[i].size);
		if (!m->r[i].hva)
			return -1;
	}
	return 0;
}

static inline void fixture_mem_free(struct guest_mem *m)
{
	for (unsigned i = 0; i < m->nr; i++) {
		free(m->r[i].hva);
		m->r[i].hva = NULL;
	}
}

static inline uint64_t fixture_get(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

#endif
