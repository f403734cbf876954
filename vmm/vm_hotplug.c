// SPDX-License-Identifier: GPL-2.0
/*
 * Hot-unplug and hot-plug of passed-through devices while the guest runs,
 * through PCIe native hot-plug on the root ports (pci/port.h, PCIe 4.0
 * §6.7): the guest's own pciehp driver is told by the slot and does its
 * part, ptvm does the host's.
 *
 *   device-del: Attention Button --guest: driver unbinds, slot power off-->
 *     (vCPU: the device leaves the slot) --main loop: reset, close, group
 *     detached, ptguard release, back to its driver, slot empty--> done
 *   device-add: managed move, ptguard claim, open, reset, in the slot
 *     (Presence Detect, button) --guest: slot power on, enumerates--> done
 *
 * The host side runs on the main thread, which the vCPUs wake (wake_fd)
 * when the guest powers a slot. It blocks the main loop for the device's
 * reset and, on the way back, for ptguard's reset and the driver's probe
 * (bounded by managed mode's wait): the vCPUs run on meanwhile.
 *
 * The host's half needs privileges the sandboxed VM process has given up
 * (monitor.h): opening VFIO groups, ptguard claims and releases, the
 * managed moves in sysfs. Until the monitor does that half for it,
 * hot-plug works with --no-sandbox only and is refused otherwise.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "guard.h"
#include "managed/managed.h"
#include "pci/host.h"
#include "pci/port.h"
#include "pt/passthrough.h"
#include "vfio/container.h"
#include "vfio/device.h"
#include "vm.h"

static struct vm_pt_dev *vm_hotplug_by_port(struct vm *vm, const struct pci_port *port)
{
	for (unsigned i = 0; i < vm_nr_ports(vm); i++)
		if (vm->pt[i].port == port)
			return &vm->pt[i];
	return NULL;
}

static struct vm_pt_dev *vm_hotplug_by_bdf(struct vm *vm, const struct pci_bdf *bdf)
{
	for (unsigned i = 0; i < vm_nr_ports(vm); i++)
		if (vm->pt[i].state != VM_SLOT_EMPTY && pci_bdf_equal(&vm->pt[i].bdf, bdf))
			return &vm->pt[i];
	return NULL;
}

/* Whether a device of the guest other than @d's sits in IOMMU group @group. */
static bool vm_hotplug_group_shared(struct vm *vm, const struct vm_pt_dev *d, unsigned group)
{
	for (unsigned i = 0; i < vm_nr_ports(vm); i++)
		if (&vm->pt[i] != d && vm->pt[i].dev && vm->pt[i].group == group)
			return true;
	return false;
}

/* pci_port_ops, from a vCPU inside the guest's Slot Control write: hand on to the loop. */
static void vm_hotplug_note(struct vm *vm, struct pci_port *port, bool on)
{
	struct vm_pt_dev *d = vm_hotplug_by_port(vm, port);
	uint64_t one = 1;

	if (!d)
		return;
	__atomic_store_n(on ? &d->slot_on : &d->slot_off, 1, __ATOMIC_RELEASE);
	(void)!write(vm->wake_fd, &one, sizeof(one));
}

static void vm_hotplug_slot_off(void *opaque, struct pci_port *port, struct pci_dev *dev)
{
	vm_hotplug_note(opaque, port, false);
}

static void vm_hotplug_slot_on(void *opaque, struct pci_port *port, struct pci_dev *dev)
{
	vm_hotplug_note(opaque, port, true);
}

const struct pci_port_ops vm_port_ops = {
	.slot_off = vm_hotplug_slot_off,
	.slot_on = vm_hotplug_slot_on,
};

static void vm_hotplug_report(struct vm_pt_dev *d, int err)
{
	vm_hotplug_done *done = d->done;

	d->done = NULL;
	if (done)
		done(d->done_opaque, &d->bdf, err);
}

/*
 * The host's half of an unplug, once the device left its slot (or a
 * device-add failed half-way): reset and close it, detach its group when
 * it was the group's last, have ptguard release it and give it back.
 * Returns the first error of the ptguard and managed steps.
 */
static int vm_hotplug_release(struct vm *vm, struct vm_pt_dev *d)
{
	int gfd = d->dev ? vfio_device_group_fd(d->dev) : -1, ret;
	bool group = d->dev && !vm_hotplug_group_shared(vm, d, d->group);

	vm_pt_dev_detach(vm, d, true, NULL);
	vm_pt_dev_close(vm, d);
	if (group) {
		/* KVM holds the group until GROUP_DEL; ptguard waits for VFIO to let go. */
		kvm_vfio_del_group(&vm->kvm_vfio, gfd);
		container_group_put(vm->vfio, d->group);
	}
	ret = guard_release(vm->sys, vm->guard_fd, &d->bdf);
	if (ret) {
		/* Still claimed: it goes back at exit, after the guard file closes. */
		log_err("%s: stays on vfio-pci until ptvm exits", d->name);
		return ret;
	}
	return managed_give_back_one(vm->managed, &d->bdf);
}

/* The guest powered off the slot of @d: its device left it (pci/port.h). */
static void vm_hotplug_unplugged(struct vm *vm, struct vm_pt_dev *d)
{
	enum vm_slot_state was = d->state;
	int ret;

	if (was == VM_SLOT_DELETING)
		log_info("%s: the guest released it and powered slot %u off", d->name, d->slot);
	else
		log_info("%s: the guest powered slot %u off: releasing the device", d->name,
			 d->slot);
	ret = vm_hotplug_release(vm, d);
	pci_host_lock(vm->pci);
	(void)!pci_port_eject(d->port);
	pci_host_unlock(vm->pci);
	d->state = VM_SLOT_EMPTY;
	if (!ret)
		log_info("%s: unplugged from 00:%02x.0", d->name, d->slot);
	/* An add the guest turned down instead of powering the slot on. */
	vm_hotplug_report(d, ret ? ret : was == VM_SLOT_ADDING ? -EIO : 0);
}

void vm_hotplug_poll(struct vm *vm)
{
	for (unsigned i = 0; i < vm_nr_ports(vm); i++) {
		struct vm_pt_dev *d = &vm->pt[i];

		if (__atomic_exchange_n(&d->slot_off, 0, __ATOMIC_ACQ_REL) && d->pt) {
			/*
			 * Sandboxed, the host half cannot run: the device,
			 * out of the guest's slot already, stays open until
			 * ptvm exits and goes back then.
			 */
			if (!vm->cfg->no_sandbox)
				log_err("%s: the guest powered slot %u off; the device stays "
					"with ptvm until it exits (hot-unplug needs --no-sandbox)",
					d->name, d->slot);
			else
				vm_hotplug_unplugged(vm, d);
		}
		if (__atomic_exchange_n(&d->slot_on, 0, __ATOMIC_ACQ_REL) &&
		    d->state == VM_SLOT_ADDING) {
			d->state = VM_SLOT_IN;
			log_info("%s: the guest powered slot %u on", d->name, d->slot);
			vm_hotplug_report(d, 0);
		}
	}
}

/* The sandbox's filter would kill the VM process at the host's half (above). */
static int vm_hotplug_allowed(const struct vm *vm, const char *verb)
{
	if (vm->cfg->no_sandbox)
		return 0;
	log_err("%s: hot-plug needs --no-sandbox for now (the monitor does not yet do its "
		"privileged half)",
		verb);
	return -EPERM;
}

int vm_device_del(struct vm *vm, const struct pci_bdf *bdf, vm_hotplug_done *done, void *opaque)
{
	struct vm_pt_dev *d = vm_hotplug_by_bdf(vm, bdf);
	int ret = vm_hotplug_allowed(vm, "device-del");

	if (ret)
		return ret;
	if (!d)
		return -ENODEV;
	if (d->state != VM_SLOT_IN)
		return -EBUSY;
	pci_host_lock(vm->pci);
	ret = pci_port_press_button(d->port);
	pci_host_unlock(vm->pci);
	if (ret)
		return ret;
	d->state = VM_SLOT_DELETING;
	d->done = done;
	d->done_opaque = opaque;
	log_info("%s: asking the guest to release it (attention button of slot %u)", d->name,
		 d->slot);
	return 0;
}

/* An empty slot for device-add, or NULL. */
static struct vm_pt_dev *vm_hotplug_free_slot(struct vm *vm)
{
	struct vm_pt_dev *d = NULL;

	pci_host_lock(vm->pci);
	for (unsigned i = 0; i < vm_nr_ports(vm) && !d; i++)
		if (vm->pt[i].state == VM_SLOT_EMPTY && !vm->pt[i].pt &&
		    !pci_port_occupied(vm->pt[i].port))
			d = &vm->pt[i];
	pci_host_unlock(vm->pci);
	return d;
}

/* VFIO for @d: the container (first device), its group, KVM-VFIO, the device, RAM. */
static int vm_hotplug_open(struct vm *vm, struct vm_pt_dev *d)
{
	const struct vfio_container_config ccfg = {
		.sys = vm->sys,
		.allow_unsafe_interrupts = vm->cfg->allow_unsafe_interrupts,
	};
	bool new_group = !vm_hotplug_group_shared(vm, d, d->group);
	struct vfio_group *g;
	int ret;

	if (!vm->vfio) {
		ret = container_check_memlock(vm->mem.ram_size);
		if (!ret)
			ret = container_open(&ccfg, &vm->vfio);
		if (ret)
			return ret;
	}
	ret = container_group_get(vm->vfio, d->group, &g);
	if (ret)
		return ret;
	if (vm->kvm_vfio.fd < 0)
		ret = kvm_vfio_create(&vm->kvm, &vm->kvm_vfio);
	if (!ret && new_group)
		ret = kvm_vfio_add_group(&vm->kvm_vfio, g->fd, g->id);
	if (ret) {
		if (new_group)
			container_group_put(vm->vfio, d->group);
		return ret;
	}
	ret = vm_pt_dev_open(vm, d);
	if (ret && !d->dev && new_group) {
		kvm_vfio_del_group(&vm->kvm_vfio, g->fd);
		container_group_put(vm->vfio, d->group);
	}
	/* The group may narrow the usable IOVA ranges; RAM is gone with the last group. */
	if (!ret)
		ret = container_check_ranges(vm->vfio, &vm->mem);
	if (!ret && !container_ram_mapped(vm->vfio))
		ret = container_map_ram(vm->vfio, &vm->mem);
	if (!ret)
		guard_log_reset(vm->sys, vm->guard_fd, NULL, &d->bdf,
				vfio_device_desc(d->dev)->can_reset);
	/* In the slot: Presence Detect and the button tell the guest. */
	if (!ret)
		ret = vm_pt_dev_attach(vm, d, false);
	return ret;
}

int vm_device_add(struct vm *vm, const struct pci_bdf *bdf, vm_hotplug_done *done, void *opaque)
{
	struct vm_pt_dev *d;
	int ret = vm_hotplug_allowed(vm, "device-add");

	if (ret)
		return ret;
	if (vm_hotplug_by_bdf(vm, bdf))
		return -EEXIST;
	d = vm_hotplug_free_slot(vm);
	if (!d)
		return -ENOSPC;
	d->bdf = *bdf;
	pci_bdf_format(bdf, d->name);
	/* As at start: moved to vfio-pci (or found there), then claimed, then opened. */
	ret = vm->cfg->unmanaged ? 0 : managed_attach_more(&managed_env_host, bdf, &vm->managed);
	if (ret)
		return ret;
	ret = sysfs_vfio_check(NULL, bdf, &d->group);
	if (!ret)
		ret = guard_claim_more(vm->sys, "ptvm", bdf, vm->cfg->no_guard ? GUARD_OFF : 0,
				       &vm->guard_fd);
	if (ret) {
		(void)!managed_give_back_one(vm->managed, bdf);
		return ret;
	}
	d->state = VM_SLOT_ADDING;
	ret = vm_hotplug_open(vm, d);
	if (ret) {
		log_err("%s: cannot hot-plug it: %s", d->name, strerror(-ret));
		(void)!vm_hotplug_release(vm, d);
		d->state = VM_SLOT_EMPTY;
		return ret;
	}
	d->done = done;
	d->done_opaque = opaque;
	log_info("%s: in slot %u of 00:%02x.0, as %02x:00.0; asking the guest to power it on",
		 d->name, d->slot, d->slot, d->slot);
	return 0;
}

void vm_hotplug_cancel(struct vm *vm)
{
	for (unsigned i = 0; i < vm_nr_ports(vm); i++) {
		struct vm_pt_dev *d = &vm->pt[i];

		/* A rebooted guest finds the device in its slot, as at start. */
		d->slot_off = d->slot_on = 0;
		if (d->state != VM_SLOT_EMPTY)
			d->state = VM_SLOT_IN;
		vm_hotplug_report(d, -ECANCELED);
	}
}
