// SPDX-License-Identifier: GPL-2.0
/* Passthrough verdicts on the sysfs snapshot, through kmod/ptguard_policy.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostdev/assign.h"

/* Any owner id works: the snapshot has no owners (sysfs does not show ptguard's). */
#define ASSIGN_OWNER 1

void assign_assess(const struct topo *t, unsigned i, struct assign_block *b)
{
	const struct topo_fn *f = &t->fns[i];
	unsigned sub = topo_class_sub(f);

	b->reason = NULL;
	b->fix = NULL;
	/* PCI Code and ID Assignment spec, base class 06h: 00h host, 01h ISA, 04h/09h PCI. */
	if (sub == TOPO_CLASS_HOST_BRIDGE) {
		b->reason = "the host bridge";
		b->fix = "it is the root of the host's PCI hierarchy; pass a device below it";
	} else if (sub == TOPO_CLASS_ISA_BRIDGE) {
		b->reason = "an ISA/LPC bridge";
		b->fix = "the host needs it for its legacy devices and firmware interfaces";
	} else if (f->bridge || sub == 0x0604 || sub == 0x0609) {
		/* vfio-pci binds type 0 headers only (vfio_pci_probe()). */
		b->reason = "a PCI bridge";
		b->fix = "vfio-pci takes no bridges; pass the devices behind it";
	} else if (!f->has_group) {
		b->reason = "no IOMMU group";
		b->fix = "turn the IOMMU on: VT-d or AMD-Vi in the firmware, intel_iommu=on or "
			 "amd_iommu=on";
	} else if (ptg_reset_method(&t->devs[i]) == PTGUARD_RESET_NONE) {
		b->reason = "no reset method";
		b->fix = "it has no FLR, PM, slot or bus reset, and ptvm resets a device before "
			 "and after each guest";
	}
}

const char *assign_reset_name(const struct topo *t, unsigned i)
{
	switch (ptg_reset_method(&t->devs[i])) {
	case PTGUARD_RESET_FUNCTION:
		return "function";
	case PTGUARD_RESET_SLOT:
		return "slot";
	case PTGUARD_RESET_BUS:
		return "bus";
	default:
		return "none";
	}
}

unsigned assign_peers_text(const struct topo *t, unsigned i, u32 rel, char *buf, size_t len)
{
	size_t used = 0;
	unsigned n = 0;

	buf[0] = '\0';
	for (unsigned x = 0; x < t->nr; x++) {
		const struct topo_fn *f = &t->fns[x];

		if (x == i || !(ptg_relation(&t->ptg, i, x) & rel))
			continue;
		if (used < len)
			used += snprintf(buf + used, len - used, "%s%s=%s", n ? ", " : "", f->name,
					 f->driver[0] ? f->driver : "none");
		n++;
	}
	return n;
}
