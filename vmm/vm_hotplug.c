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
 * What needs privileges the sandboxed VM process has given up (the
 * managed moves in sysfs, the sysfs checks, opening /dev/vfio/N) the
 * monitor does on request (vm_host.c, monitor_host.h); the rest works on
 * fds this process holds: ptguard's claim and release on its guard file
 * (ptguard checks no capability), VFIO group and device ioctls, KVM-VFIO.
 * A guest that does not do its part within API_HOTPLUG_TIMEOUT_MS gets the
 * request ended with -ETIMEDOUT; the device stays where it is.
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "guard.h"
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
	d->deadline_ns = 0;
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
	return vm_host_give_back(vm, &d->bdf);
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

static uint64_t vm_hotplug_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* A request under way: it ends by itself after API_HOTPLUG_TIMEOUT_MS. */
static void vm_hotplug_arm(struct vm_pt_dev *d, vm_hotplug_done *done, void *opaque)
{
	d->done = done;
	d->done_opaque = opaque;
	d->deadline_ns = vm_hotplug_now_ns() + API_HOTPLUG_TIMEOUT_MS * 1000000ULL;
}

void vm_hotplug_poll(struct vm *vm)
{
	for (unsigned i = 0; i < vm_nr_ports(vm); i++) {
		struct vm_pt_dev *d = &vm->pt[i];

		if (__atomic_exchange_n(&d->slot_off, 0, __ATOMIC_ACQ_REL) && d->pt)
			vm_hotplug_unplugged(vm, d);
		if (__atomic_exchange_n(&d->slot_on, 0, __ATOMIC_ACQ_REL) &&
		    d->state == VM_SLOT_ADDING) {
			d->state = VM_SLOT_IN;
			log_info("%s: the guest powered slot %u on", d->name, d->slot);
			vm_hotplug_report(d, 0);
		}
	}
}

int vm_hotplug_expire(struct vm *vm)
{
	uint64_t now = vm_hotplug_now_ns(), next = 0;

	for (unsigned i = 0; i < vm_nr_ports(vm); i++) {
		struct vm_pt_dev *d = &vm->pt[i];
		bool del = d->state == VM_SLOT_DELETING;

		if (!d->deadline_ns)
			continue;
		if (d->deadline_ns > now) {
			next = next && next < d->deadline_ns ? next : d->deadline_ns;
			continue;
		}
		/*
		 * The guest may still act on the button later: a power-off
		 * then releases the device (vm_hotplug_unplugged()), a
		 * power-on finds it in the slot.
		 */
		log_err("%s: the guest did not %s slot %u within %u s; the device stays %s",
			d->name, del ? "release it and power off" : "power on", d->slot,
			API_HOTPLUG_TIMEOUT_MS / 1000, del ? "in the guest" : "in the slot");
		d->state = VM_SLOT_IN;
		vm_hotplug_report(d, -ETIMEDOUT);
	}
	/* Rounded up: poll() must not wake a millisecond early and spin. */
	return next ? (int)((next - now + 999999) / 1000000) : -1;
}

int vm_device_del(struct vm *vm, const struct pci_bdf *bdf, vm_hotplug_done *done, void *opaque)
{
	struct vm_pt_dev *d = vm_hotplug_by_bdf(vm, bdf);
	int ret;

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
	vm_hotplug_arm(d, done, opaque);
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

/*
 * VFIO for @d on what the host half gave (vm_host_add()): its group (in
 * @gfd, or held already) in the container, KVM-VFIO, the device, RAM
 * pinned if it is not, then in the slot.
 */
static int vm_hotplug_open(struct vm *vm, struct vm_pt_dev *d, int gfd)
{
	bool new_group = !vm_hotplug_group_shared(vm, d, d->group);
	struct vfio_group *g;
	int ret;

	/* Sandboxed, a group's error cannot say more from sysfs (the filter forbids open). */
	vm->vfio->no_sysfs = vm->mon_fd >= 0;
	ret = gfd >= 0 ? container_group_adopt(vm->vfio, d->group, gfd, &g)
		       : container_group_get(vm->vfio, d->group, &g);
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
	/* It reads sysfs: not in the sandbox, which opens no file. */
	if (!ret && vm->cfg->no_sandbox)
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
	int ret, gfd;

	if (vm_hotplug_by_bdf(vm, bdf))
		return -EEXIST;
	d = vm_hotplug_free_slot(vm);
	if (!d)
		return -ENOSPC;
	d->bdf = *bdf;
	pci_bdf_format(bdf, d->name);
	/* As at start: moved to vfio-pci (or found there) and checked, then claimed, opened. */
	ret = vm_host_add(vm, bdf, &d->group, &gfd);
	if (ret)
		return ret;
	ret = guard_claim_more(vm->sys, "ptvm", bdf, vm->cfg->no_guard ? GUARD_OFF : 0,
			       &vm->guard_fd);
	if (ret) {
		if (gfd >= 0)
			close(gfd);
		(void)!vm_host_give_back(vm, bdf);
		return ret;
	}
	d->state = VM_SLOT_ADDING;
	ret = vm_hotplug_open(vm, d, gfd);
	if (ret) {
		log_err("%s: cannot hot-plug it: %s", d->name, strerror(-ret));
		(void)!vm_hotplug_release(vm, d);
		d->state = VM_SLOT_EMPTY;
		return ret;
	}
	vm_hotplug_arm(d, done, opaque);
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
