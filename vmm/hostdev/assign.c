// SPDX-License-Identifier: GPL-2.0
/* Passthrough verdicts on the sysfs snapshot, through kmod/ptguard_policy.c. */
#include <errno.h>
#include <stdarg.h>
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
	} else if (f->pf && f->num_vfs) {
		/* As managed_check.c refuses it: its VFs live on its host driver. */
		b->reason = "an SR-IOV PF with VFs enabled";
		b->fix = "its VFs go away with its host driver: pass a VF, or first write 0 to its "
			 "sriov_numvfs";
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

/* Append @fmt's text to @list (@len bytes), cut if it does not fit. */
static void __printf(3, 4) assign_add(char *list, size_t len, const char *fmt, ...)
{
	size_t used = strlen(list);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(list + used, len - used, fmt, ap);
	va_end(ap);
}

/* An endpoint of @copy on a host driver goes to vfio-pci; its driver into @from. */
static void assign_managed_move(struct ptg_topo *copy, unsigned i, char *from, size_t len)
{
	struct ptg_dev *d = &copy->devs[i];

	if (d->bridge || !d->driver[0] || ptg_driver_is_vfio(d->driver))
		return;
	if (from)
		snprintf(from, len, "%s", d->driver);
	snprintf(d->driver, sizeof(d->driver), "vfio-pci");
}

int assign_claim(const struct topo *t, unsigned i, const unsigned *set, unsigned n,
		 struct assign_claim *c)
{
	char bind[ASSIGN_TEXT_MAX] = "", unbind[ASSIGN_TEXT_MAX] = "";
	struct ptg_topo copy = {.nr = t->nr};
	struct ptg_verdict v;
	int ret;

	copy.devs = malloc((t->nr ? t->nr : 1) * sizeof(*copy.devs));
	if (!copy.devs) {
		log_err("out of memory checking a claim");
		return -ENOMEM;
	}
	memcpy(copy.devs, t->devs, t->nr * sizeof(*copy.devs));
	c->moved_from[0] = '\0';
	/*
	 * Managed mode (the default) moves every --passthrough endpoint from its
	 * host driver to vfio-pci before the claim: the claim is asked as it
	 * will be made then.
	 */
	assign_managed_move(&copy, i, c->moved_from, sizeof(c->moved_from));
	for (unsigned k = 0; k < n; k++) {
		assign_managed_move(&copy, set[k], NULL, 0);
		if (set[k] == i)
			continue;
		copy.devs[set[k]].owner = ASSIGN_OWNER;
		copy.devs[set[k]].state = PTGUARD_STATE_HELD;
	}
	ret = ptg_decide_claim(&copy, ASSIGN_OWNER, &i, 1, 0, &v);
	c->ret = ret;
	snprintf(c->reason, sizeof(c->reason), "%s", ret ? v.reason : "");
	/* Each round moves one function off its host driver: every function at most once. */
	for (unsigned round = 0; ret == -EBUSY && round < t->nr; round++) {
		const struct topo_fn *f;
		struct ptg_dev *d;

		if (v.blocker < 0)
			break;
		f = &t->fns[v.blocker];
		d = &copy.devs[v.blocker];
		if (!d->driver[0] || ptg_driver_is_vfio(d->driver))
			break;
		if (d->bridge) {
			assign_add(unbind, sizeof(unbind), "%sunbind %s from %s",
				   unbind[0] ? ", " : "", f->name, f->driver);
			d->driver[0] = '\0';
		} else {
			assign_add(bind, sizeof(bind), " --passthrough %s", f->name);
			snprintf(d->driver, sizeof(d->driver), "vfio-pci");
		}
		ret = ptg_decide_claim(&copy, ASSIGN_OWNER, &i, 1, 0, &v);
	}
	free(copy.devs);
	snprintf(c->fix, sizeof(c->fix), "%s%s%s%s", bind[0] ? "pass them too:" : "", bind,
		 bind[0] && unbind[0] ? "; " : "", unbind);
	return 0;
}
