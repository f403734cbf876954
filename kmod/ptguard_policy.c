// SPDX-License-Identifier: GPL-2.0
/*
 * ptguard policy: reset domains and claim decisions over a topology snapshot.
 *
 * The reset domain of a function is every function its reset reaches:
 * - Function Level Reset (PCIe r4.0 sec 6.6.2), the Advanced Features FLR,
 *   a D3hot->D0 transition of a function that does not set No_Soft_Reset
 *   (PCI PM r1.2 sec 5.6, PCIe r4.0 sec 7.5.2.2), ACPI _RST and Linux's
 *   device-specific resets: the function alone.
 * - A hot-plug slot reset: on x86 only pciehp implements it, as a Hot Reset
 *   of the slot's downstream port (PCIe r4.0 sec 6.6.1, 6.7), so it reaches
 *   the slot's functions and everything below them: the port's secondary bus
 *   and the buses under it.
 * - A Secondary Bus Reset at the parent bridge (PCI-to-PCI Bridge r1.2 sec
 *   3.2.5.17, PCIe r4.0 sec 7.5.1.3.13): every function on that bus and on
 *   every bus below it. A multi-function device without a per-function reset
 *   is reset this way (or by its slot), all functions together.
 * The reset used is the narrowest available, as pci_reset_function() and
 * pci_reset_bus() choose it.
 *
 * A device is "idle" when nobody uses it: no driver, vfio-pci with no owner
 * and no VFIO user, or a bridge under pcieport (port services do no DMA and
 * VFIO accepts them in a viable group).
 */
#include "ptguard_policy.h"

#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/stdarg.h>
#include <linux/string.h>
#else
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#endif

static u32 ptg_seg(const struct ptg_dev *d)
{
	return PTGUARD_ADDR_SEG(d->addr);
}

static u32 ptg_bus(const struct ptg_dev *d)
{
	return PTGUARD_ADDR_BUS(d->addr);
}

static __attribute__((format(printf, 2, 3))) void ptg_say(struct ptg_verdict *v, const char *fmt,
							  ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v->reason, sizeof(v->reason), fmt, ap);
	va_end(ap);
}

/* "dddd:bb:dd.f" of @d into @buf (16 bytes). */
static const char *ptg_name(const struct ptg_dev *d, char buf[16])
{
	snprintf(buf, 16, "%04x:%02x:%02x.%x", ptg_seg(d) & 0xffff, ptg_bus(d) & 0xff,
		 PTGUARD_ADDR_DEV(d->addr), PTGUARD_ADDR_FN(d->addr));
	return buf;
}

int ptg_find(const struct ptg_topo *t, u32 addr)
{
	unsigned int i;

	for (i = 0; i < t->nr; i++)
		if (t->devs[i].addr == addr)
			return i;
	return -ENODEV;
}

unsigned int ptg_reset_method(const struct ptg_dev *d)
{
	if (d->caps & PTGUARD_CAP_FUNCTION)
		return PTGUARD_RESET_FUNCTION;
	if (d->caps & PTGUARD_CAP_SLOT)
		return PTGUARD_RESET_SLOT;
	if (d->caps & PTGUARD_CAP_BUS)
		return PTGUARD_RESET_BUS;
	return PTGUARD_RESET_NONE;
}

static bool ptg_ends_with(const char *s, const char *tail)
{
	size_t ls = strlen(s), lt = strlen(tail);

	return ls >= lt && !strcmp(s + ls - lt, tail);
}

bool ptg_driver_is_vfio(const char *driver)
{
	return ptg_ends_with(driver, "vfio-pci") || ptg_ends_with(driver, "vfio_pci");
}

/* Does the reset of @d reach @x? */
static bool ptg_reaches(const struct ptg_topo *t, unsigned int d, unsigned int x)
{
	const struct ptg_dev *dd = &t->devs[d], *xd = &t->devs[x];

	if (d == x)
		return true;
	switch (ptg_reset_method(dd)) {
	case PTGUARD_RESET_SLOT:
	case PTGUARD_RESET_BUS:
		return ptg_seg(xd) == ptg_seg(dd) && ptg_bus(xd) >= ptg_bus(dd) &&
		       ptg_bus(xd) <= dd->bus_last;
	default:
		return false;
	}
}

u32 ptg_relation(const struct ptg_topo *t, unsigned int d, unsigned int x)
{
	const struct ptg_dev *dd = &t->devs[d], *xd = &t->devs[x];
	u32 rel = 0;

	if (d == x)
		rel |= PTGUARD_REL_SELF;
	else if (ptg_reaches(t, d, x))
		rel |= PTGUARD_REL_RESET_DOMAIN;
	if (d != x && dd->group != PTG_NO_GROUP && dd->group == xd->group)
		rel |= PTGUARD_REL_IOMMU_GROUP;
	if (rel && xd->bridge)
		rel |= PTGUARD_REL_BRIDGE;
	return rel;
}

static bool ptg_in_set(const unsigned int *idx, unsigned int n, unsigned int i)
{
	unsigned int k;

	for (k = 0; k < n; k++)
		if (idx[k] == i)
			return true;
	return false;
}

/* Is @i in the claim, or held by @owner (HELD only unless @any_state)? */
static bool ptg_ours(const struct ptg_topo *t, unsigned int i, u32 owner, const unsigned int *idx,
		     unsigned int n, bool any_state)
{
	const struct ptg_dev *d = &t->devs[i];

	if (ptg_in_set(idx, n, i))
		return true;
	return d->owner == owner && (any_state || d->state == PTGUARD_STATE_HELD);
}

/*
 * Another member of @x's IOMMU group is held by @owner, so the VFIO user of
 * the group may be @owner. Devices only being claimed do not count: ptvm
 * claims before it opens VFIO.
 */
static bool ptg_group_ours(const struct ptg_topo *t, unsigned int x, u32 owner, bool any_state)
{
	u32 group = t->devs[x].group;
	unsigned int j;

	if (group == PTG_NO_GROUP)
		return false;
	for (j = 0; j < t->nr; j++)
		if (j != x && t->devs[j].group == group && t->devs[j].owner == owner &&
		    (any_state || t->devs[j].state == PTGUARD_STATE_HELD))
			return true;
	return false;
}

static bool ptg_driver_idle(const struct ptg_dev *x)
{
	return !x->driver[0] || ptg_driver_is_vfio(x->driver) ||
	       (x->bridge && !strcmp(x->driver, "pcieport"));
}

/* May @x, related to a device @owner wants, stay where it is? */
static bool ptg_related_ok(const struct ptg_topo *t, unsigned int x, u32 owner,
			   const unsigned int *idx, unsigned int n, bool any_state)
{
	const struct ptg_dev *xd = &t->devs[x];

	if (ptg_ours(t, x, owner, idx, n, any_state))
		return true;
	if (xd->state != PTGUARD_STATE_FREE || !ptg_driver_idle(xd))
		return false;
	return !xd->vfio_open || ptg_group_ours(t, x, owner, any_state);
}

/* Who or what holds @x, as a phrase: "held by vm-a (pid 42)". */
static void ptg_holder(const struct ptg_dev *x, char *buf, size_t len)
{
	switch (x->state) {
	case PTGUARD_STATE_HELD:
		snprintf(buf, len, "held by %s (pid %u)", x->owner_name, x->owner_pid);
		break;
	case PTGUARD_STATE_RESET_PENDING:
		snprintf(buf, len, "awaiting its reset after release by %s (pid %u)", x->owner_name,
			 x->owner_pid);
		break;
	case PTGUARD_STATE_RESET_FAILED:
		snprintf(buf, len, "unclaimable: its reset after release by %s (pid %u) failed",
			 x->owner_name, x->owner_pid);
		break;
	default:
		if (!ptg_driver_idle(x))
			snprintf(buf, len, "bound to host driver %s", x->driver);
		else
			snprintf(buf, len, "open through VFIO outside ptguard");
		break;
	}
}

static const char *ptg_domain_word(const struct ptg_dev *d)
{
	return ptg_reset_method(d) == PTGUARD_RESET_SLOT ? "slot" : "bus";
}

/* Refuse because related device @x of @d is in the way. */
static int ptg_refuse_related(const struct ptg_topo *t, unsigned int d, unsigned int x,
			      struct ptg_verdict *v)
{
	const struct ptg_dev *dd = &t->devs[d], *xd = &t->devs[x];
	u32 rel = ptg_relation(t, d, x);
	char dn[16], xn[16], what[64], who[PTGUARD_NAME_MAX + 80];

	if ((rel & PTGUARD_REL_RESET_DOMAIN) && (rel & PTGUARD_REL_IOMMU_GROUP))
		snprintf(what, sizeof(what), "its %s reset domain and IOMMU group %u",
			 ptg_domain_word(dd), dd->group);
	else if (rel & PTGUARD_REL_RESET_DOMAIN)
		snprintf(what, sizeof(what), "its %s reset domain", ptg_domain_word(dd));
	else
		snprintf(what, sizeof(what), "IOMMU group %u", dd->group);
	ptg_holder(xd, who, sizeof(who));
	v->blocker = x;
	ptg_say(v, "%s shares %s with %s, %s", ptg_name(dd, dn), what, ptg_name(xd, xn), who);
	return -EBUSY;
}

/* Checks on the claimed device @d itself, before its relations. */
static int ptg_check_self(const struct ptg_topo *t, unsigned int d, u32 owner, u32 flags,
			  struct ptg_verdict *v)
{
	const struct ptg_dev *dd = &t->devs[d];
	char dn[16], who[PTGUARD_NAME_MAX + 80];

	v->blocker = d;
	ptg_name(dd, dn);
	if (dd->owner && !(dd->owner == owner && dd->state == PTGUARD_STATE_HELD)) {
		ptg_holder(dd, who, sizeof(who));
		ptg_say(v, "%s is %s", dn, who);
		return -EBUSY;
	}
	if (!ptg_driver_is_vfio(dd->driver)) {
		if (dd->driver[0])
			ptg_say(v, "%s is bound to host driver %s, not vfio-pci", dn, dd->driver);
		else
			ptg_say(v, "%s is bound to no driver, not vfio-pci", dn);
		return -EBUSY;
	}
	if (dd->group == PTG_NO_GROUP) {
		ptg_say(v, "%s has no IOMMU group: VFIO cannot isolate it", dn);
		return -EPERM;
	}
	if (ptg_reset_method(dd) == PTGUARD_RESET_NONE && !(flags & PTGUARD_CLAIM_ALLOW_NO_RESET)) {
		ptg_say(v,
			"%s has no reset method (no FLR, PM, slot or bus reset); claim it with "
			"allow-no-reset to take it anyway",
			dn);
		return -EPERM;
	}
	return 0;
}

/*
 * Every device related to @d must be ours or idle. Devices with an owner are
 * looked at first, so a refusal names the VM in the way before anything its
 * VFIO use shows on the devices around it.
 */
static int ptg_check_related(const struct ptg_topo *t, unsigned int d, u32 owner,
			     const unsigned int *idx, unsigned int n, struct ptg_verdict *v)
{
	unsigned int pass, x;

	for (pass = 0; pass < 2; pass++) {
		for (x = 0; x < t->nr; x++) {
			if (x == d || (pass == 0) != (t->devs[x].owner != 0) ||
			    !ptg_relation(t, d, x))
				continue;
			if (!ptg_related_ok(t, x, owner, idx, n, false))
				return ptg_refuse_related(t, d, x, v);
		}
	}
	return 0;
}

int ptg_decide_claim(const struct ptg_topo *t, u32 owner, const unsigned int *idx, unsigned int n,
		     u32 flags, struct ptg_verdict *v)
{
	unsigned int k;
	int ret;

	v->blocker = -1;
	v->reason[0] = '\0';
	for (k = 0; k < n; k++) {
		unsigned int d = idx[k];

		ret = ptg_check_self(t, d, owner, flags, v);
		if (ret)
			return ret;
		ret = ptg_check_related(t, d, owner, idx, n, v);
		if (ret)
			return ret;
		/* Free, yet its group is DMA-owned, and not through anything of ours. */
		if (t->devs[d].owner != owner && t->devs[d].vfio_open &&
		    !ptg_group_ours(t, d, owner, false)) {
			char dn[16];

			v->blocker = d;
			ptg_say(v, "%s is open through VFIO outside ptguard",
				ptg_name(&t->devs[d], dn));
			return -EBUSY;
		}
	}
	v->blocker = -1;
	return 0;
}

int ptg_check_reset(const struct ptg_topo *t, u32 owner, unsigned int d, struct ptg_verdict *v)
{
	const struct ptg_dev *dd = &t->devs[d];
	unsigned int x;
	char dn[16];

	v->blocker = d;
	v->reason[0] = '\0';
	ptg_name(dd, dn);
	if (!owner || dd->owner != owner) {
		ptg_say(v, "%s is not held by this owner", dn);
		return -EPERM;
	}
	if (ptg_reset_method(dd) == PTGUARD_RESET_NONE) {
		ptg_say(v, "%s has no reset method", dn);
		return -ENOTTY;
	}
	for (x = 0; x < t->nr; x++) {
		if (x == d || !ptg_reaches(t, d, x))
			continue;
		if (!ptg_related_ok(t, x, owner, &d, 1, true))
			return ptg_refuse_related(t, d, x, v);
	}
	v->blocker = -1;
	return 0;
}

int ptg_check_release(const struct ptg_topo *t, u32 owner, const unsigned int *idx, unsigned int n,
		      struct ptg_verdict *v)
{
	unsigned int k, x;
	char dn[16], xn[16];

	v->blocker = -1;
	v->reason[0] = '\0';
	for (k = 0; k < n; k++) {
		for (x = 0; x < t->nr; x++) {
			const struct ptg_dev *xd = &t->devs[x];

			if (xd->owner != owner || xd->state != PTGUARD_STATE_HELD ||
			    ptg_in_set(idx, n, x) || !ptg_reaches(t, idx[k], x))
				continue;
			v->blocker = x;
			ptg_say(v, "release %s together with %s: its %s reset reaches both",
				ptg_name(&t->devs[idx[k]], dn), ptg_name(xd, xn),
				ptg_domain_word(&t->devs[idx[k]]));
			return -EBUSY;
		}
	}
	return 0;
}
