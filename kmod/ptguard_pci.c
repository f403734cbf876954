// SPDX-License-Identifier: GPL-2.0
/*
 * ptguard's view of the real PCI devices: a snapshot of every function for
 * the policy (ptguard_policy.c), and the resets themselves.
 *
 * Reset capabilities. pdev->reset_methods[] (Linux 5.15+) lists, in the
 * order pci_reset_function() tries them, indices into drivers/pci/pci.c's
 * pci_reset_fn_methods[]: 1 device_specific, 2 acpi, 3 flr, 4 af_flr, 5 pm,
 * 6 bus (7 cxl_bus from 6.7). It is what sysfs reset_method shows and lets an
 * administrator narrow, so the function-level methods are read from it.
 * Its "bus" entry is not: the kernel probes it once, when the device is
 * added, and a function probed while still alone on its bus keeps "bus"
 * after a sibling appears (QEMU's two e1000 behind a pcie-pci-bridge show
 * "bus" and ""). The slot and bus resets are therefore probed now, from the
 * topology, with pci_probe_reset_slot() and pci_probe_reset_bus(): those are
 * what pci_reset_bus() will use.
 */
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "ptguard.h"

static_assert(PCI_NUM_RESET_METHODS >= 7, "pci_reset_fn_methods[] of Linux 5.15 or later");

static const u32 ptg_method_caps[] = {
	[1] = PTGUARD_CAP_DEV_SPECIFIC, [2] = PTGUARD_CAP_ACPI, [3] = PTGUARD_CAP_FLR,
	[4] = PTGUARD_CAP_AF_FLR,	[5] = PTGUARD_CAP_PM,
};

static u32 ptg_pci_caps(struct pci_dev *pdev)
{
	u32 caps = 0;
	unsigned int i;

	for (i = 0; i < PCI_NUM_RESET_METHODS && pdev->reset_methods[i]; i++) {
		u8 m = pdev->reset_methods[i];

		if (m < ARRAY_SIZE(ptg_method_caps))
			caps |= ptg_method_caps[m];
	}
	if (pdev->slot && !pci_probe_reset_slot(pdev->slot))
		caps |= PTGUARD_CAP_SLOT;
	if (!pci_is_root_bus(pdev->bus) && !pci_probe_reset_bus(pdev->bus))
		caps |= PTGUARD_CAP_BUS;
	return caps;
}

static void ptg_snap_dev(struct ptg_dev *d, struct pci_dev *pdev)
{
	struct device_driver *drv;
	struct iommu_group *group;

	d->addr = PTGUARD_ADDR(pci_domain_nr(pdev->bus), pdev->bus->number, PCI_SLOT(pdev->devfn),
			       PCI_FUNC(pdev->devfn));
	d->bus_last = pdev->bus->busn_res.end;
	if (pdev->subordinate) {
		d->bridge = true;
		d->sec = pdev->subordinate->number;
		d->sub = pdev->subordinate->busn_res.end;
	}
	d->caps = ptg_pci_caps(pdev);
	d->group = PTG_NO_GROUP;
	group = iommu_group_get(&pdev->dev);
	if (group) {
		d->group = iommu_group_id(group);
		/* See ptg_snap_vfio(). */
		d->vfio_open = iommu_group_dma_owner_claimed(group);
		iommu_group_put(group);
	}
	/*
	 * The driver without the device lock, as dev_driver_string() reads
	 * it: a snapshot that may be stale by the time it is used; a reset
	 * re-checks it from a new snapshot.
	 */
	drv = READ_ONCE(pdev->dev.driver);
	if (drv) {
		strscpy(d->driver, drv->name, sizeof(d->driver));
		d->kernel_dma = !to_pci_driver(drv)->driver_managed_dma;
	}
}

/*
 * iommu_group_dma_owner_claimed() counts every DMA user of the group: VFIO
 * (or iommufd) after it claimed the group, and also each bound driver that
 * uses the kernel DMA API. VFIO cannot claim a group while such a driver is
 * bound (iommu_group_claim_dma_owner() answers -EBUSY), so a group with one
 * has no VFIO user: clear vfio_open there.
 */
static void ptg_snap_vfio(struct ptg_topo *t)
{
	unsigned int i, j;

	for (i = 0; i < t->nr; i++) {
		if (!t->devs[i].vfio_open)
			continue;
		for (j = 0; j < t->nr; j++)
			if (t->devs[j].group == t->devs[i].group && t->devs[j].kernel_dma)
				t->devs[i].vfio_open = false;
	}
}

/* Snapshot every PCI function with ptg_lock held; ptg_snap_free() undoes it. */
int ptg_snap_build(struct ptg_snap *s)
{
	struct pci_dev *pdev = NULL;
	unsigned int cap = 0, n = 0;

	lockdep_assert_held(&ptg_lock);
	for_each_pci_dev(pdev) cap++;
	/* A device hot-added meanwhile is left out: it is nobody's yet. */
	cap = max(cap, 1u);
	s->topo.devs = kvcalloc(cap, sizeof(*s->topo.devs), GFP_KERNEL);
	s->pdevs = kvcalloc(cap, sizeof(*s->pdevs), GFP_KERNEL);
	if (!s->topo.devs || !s->pdevs)
		goto err;
	pdev = NULL;
	for_each_pci_dev(pdev)
	{
		if (n == cap) {
			pci_dev_put(pdev);
			break;
		}
		ptg_snap_dev(&s->topo.devs[n], pdev);
		s->pdevs[n++] = pci_dev_get(pdev);
	}
	s->topo.nr = n;
	ptg_snap_vfio(&s->topo);
	ptg_owner_fill(s);
	return 0;

err:
	kvfree(s->pdevs);
	kvfree(s->topo.devs);
	s->pdevs = NULL;
	s->topo.devs = NULL;
	s->topo.nr = 0;
	return -ENOMEM;
}

void ptg_snap_free(struct ptg_snap *s)
{
	unsigned int i;

	for (i = 0; i < s->topo.nr; i++)
		pci_dev_put(s->pdevs[i]);
	kvfree(s->pdevs);
	kvfree(s->topo.devs);
	s->pdevs = NULL;
	s->topo.devs = NULL;
	s->topo.nr = 0;
}

int ptg_snap_index(const struct ptg_snap *s, const struct pci_dev *pdev)
{
	unsigned int i;

	for (i = 0; i < s->topo.nr; i++)
		if (s->pdevs[i] == pdev)
			return i;
	return -ENODEV;
}

const char *ptg_method_name(unsigned int method)
{
	switch (method) {
	case PTGUARD_RESET_FUNCTION:
		return "function";
	case PTGUARD_RESET_SLOT:
		return "slot";
	case PTGUARD_RESET_BUS:
		return "bus";
	default:
		return "no";
	}
}

/*
 * Reset @pdev by @method (ptg_reset_method() of its snapshot). A function
 * reset goes through pci_reset_function(), which tries reset_methods[] in
 * order and saves and restores config space. A slot or bus reset goes
 * through pci_reset_bus(), which resets the slot when it can and the bus
 * otherwise, and saves and restores every function it reaches; it answers
 * -EAGAIN when another path holds one of their device locks.
 */
int ptg_pci_reset(struct pci_dev *pdev, unsigned int method)
{
	switch (method) {
	case PTGUARD_RESET_FUNCTION:
		return pci_reset_function(pdev);
	case PTGUARD_RESET_SLOT:
	case PTGUARD_RESET_BUS:
		return pci_reset_bus(pdev);
	default:
		return -ENOTTY;
	}
}
