/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The smallest bzImage bzimage_parse() accepts: one setup sector and a
 * payload at the 64-bit entry point (load address + 0x200). For smoke.c
 * (in memory) and mkbzimage.c (a file for `ptvm run` on this host).
 */
#ifndef PTVM_TINY_BZIMAGE_H
#define PTVM_TINY_BZIMAGE_H

#include <asm/bootparam.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "layout.h"

/* A calloc'd image around @payload, its length in *@len; NULL if out of memory. */
static inline uint8_t *tiny_bzimage(const uint8_t *payload, size_t plen, size_t *len)
{
	size_t setup = 2 * 512, kern = 0x200 + plen;
	uint8_t *img = calloc(1, setup + kern);
	struct setup_header *h;

	*len = 0;
	if (!img)
		return NULL;
	h = (struct setup_header *)(img + 0x1f1);
	/* Short jump over the header; its second byte gives the header's length. */
	img[0x200] = 0xeb;
	img[0x201] = sizeof(struct setup_header) + 0x1f1 - 0x202;
	h->setup_sects = 1;
	h->boot_flag = 0xaa55;
	h->header = 0x53726448; /* "HdrS" */
	h->version = 0x020f;
	h->loadflags = LOADED_HIGH;
	h->kernel_alignment = 0x200000;
	h->relocatable_kernel = 1;
	h->xloadflags = XLF_KERNEL_64;
	h->cmdline_size = 2048;
	h->initrd_addr_max = 0x7fffffff;
	h->init_size = 0x100000;
	h->pref_address = LAYOUT_KERNEL;
	memcpy(img + setup + 0x200, payload, plen);
	*len = setup + kern;
	return img;
}

#endif
