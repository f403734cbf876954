// SPDX-License-Identifier: GPL-2.0
/*
 * A guest's config-space accesses to a passed-through device (any offset
 * 0..4095, sizes 1/2/4), interleaved with BAR sizing and moves, MSI and
 * MSI-X enables and masks, device interrupts, power states and resets;
 * checked after every step and after destroy (pt_harness.h).
 */
#include "pt_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz in = {data, size};
	struct fx *f = pth_create();

	/* Mostly config accesses: 1 of 16 draws is a BAR access. */
	while (pth_step(f, &in, 1))
		;
	pth_destroy(f);
	return 0;
}
