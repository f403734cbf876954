// SPDX-License-Identifier: GPL-2.0
/*
 * E820 map of a ptvm guest.
 *
 * The ACPI area [LAYOUT_ACPI, 1 MiB) is AddressRangeReserved (2), not
 * AddressRangeACPI (3): type 3 tells the OS it may reuse the range as RAM
 * once it has read the tables (ACPI 6.x 15.1), yet Linux keeps referring to
 * them (it maps tables on demand at runtime, and a kexec'd kernel rereads
 * them), and the range is the legacy BIOS area 0xE0000-0xFFFFF that firmware
 * reports reserved and where the RSDP scan of ACPI 6.x 5.2.5.1 looks.
 *
 * The ECAM window must be reserved: Linux's MMCONFIG code refuses an MCFG
 * region that is not reserved in E820 or by an ACPI motherboard resource
 * (arch/x86/pci/mmconfig-shared.c); acpi.c also describes it as PNP0C02.
 */
#include <errno.h>

#include "boot/e820.h"
#include "layout.h"

struct e820_ctx {
	struct boot_e820_entry *tab;
	unsigned max;
	unsigned nr;
};

static int e820_add(struct e820_ctx *c, uint64_t addr, uint64_t size, uint32_t type)
{
	if (c->nr >= c->max)
		return -ENOSPC;
	c->tab[c->nr++] = (struct boot_e820_entry){.addr = addr, .size = size, .type = type};
	return 0;
}

int e820_build(const struct guest_mem *m, struct boot_e820_entry *tab, unsigned max, unsigned *nr)
{
	struct e820_ctx c = {.tab = tab, .max = max};
	const struct mem_region *low = &m->r[0];
	int ret;

	*nr = 0;
	/* The low region starts at 0 and ends in [1 MiB, LAYOUT_LOW_RAM_MAX]. */
	if (!m->nr || low->gpa != 0 || low->size <= LAYOUT_HIGH_MEM ||
	    low->size > LAYOUT_LOW_RAM_MAX)
		return -EINVAL;
	for (unsigned i = 1; i < m->nr; i++) {
		if (m->r[i].gpa < LAYOUT_4G)
			return -EINVAL;
	}

	ret = e820_add(&c, 0, LAYOUT_EBDA, E820_TYPE_RAM);
	if (!ret)
		ret = e820_add(&c, LAYOUT_EBDA, LAYOUT_LOW_END - LAYOUT_EBDA, E820_TYPE_RESERVED);
	if (!ret)
		ret = e820_add(&c, LAYOUT_ACPI, LAYOUT_HIGH_MEM - LAYOUT_ACPI, E820_TYPE_RESERVED);
	if (!ret)
		ret = e820_add(&c, LAYOUT_HIGH_MEM, low->size - LAYOUT_HIGH_MEM, E820_TYPE_RAM);
	if (!ret)
		ret = e820_add(&c, LAYOUT_ECAM_BASE, LAYOUT_ECAM_SIZE, E820_TYPE_RESERVED);
	for (unsigned i = 1; !ret && i < m->nr; i++)
		ret = e820_add(&c, m->r[i].gpa, m->r[i].size, E820_TYPE_RAM);
	if (ret)
		return ret;
	*nr = c.nr;
	return 0;
}
