// SPDX-License-Identifier: GPL-2.0
/*
 * A guest's MMIO and PIO accesses (sizes 1 to 8, odd ones too) to the BAR
 * windows of a passed-through device and to its trapped MSI-X table and PBA.
 * The BARs start placed and decoding and MSI-X enabled with the function
 * masked, as a driver leaves them; config actions (moves, masks, resets) are
 * mixed in. Checked after every step and after destroy (pt_harness.h).
 */
#include "pt_harness.h"

#define BAR_BASE 0xc0000000ULL

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz in = {data, size};
	struct fx *f = pth_create();

	pth_place_bar(f, 0, BAR_BASE, 0);
	pth_place_bar(f, 2, BAR_BASE + 0x10000, 0);
	pth_place_bar(f, 3, BAR_BASE + 0x11000, 0);
	pth_place_bar(f, 4, 0xc000, 0);
	pth_place_bar(f, PCI_ROM_BAR, BAR_BASE + 0x20000,
		      PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	pth_cfg_write(f, FX_MSIX + 2, 2, 0xc000);
	pth_check(f);
	/* Mostly BAR accesses: 12 of 16 draws. */
	while (pth_step(f, &in, 12))
		;
	pth_destroy(f);
	return 0;
}
