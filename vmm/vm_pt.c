// SPDX-License-Identifier: GPL-2.0
/*
 * Passed-through devices in the VM: check each --passthrough address, move
 * the devices to vfio-pci unless --unmanaged (managed/), open them through
 * one VFIO container, pin guest RAM for DMA (IOVA = guest physical), put
 * each in the slot of its own root port (vm_port.c), reset them before the
 * guest starts and after it stops, and give managed devices back to their
 * drivers last.
 *
 * Two halves: the host side (vm_pt_open/vm_pt_close: bindings, ptguard,
 * container, groups, device fds, DMA maps) lives as long as ptvm; the
 * guest side (vm_pt_register, vm_pt_attach/vm_pt_detach: the KVM-VFIO
 * device, the passthrough models and their interrupts, the guest's PCI
 * slots) lives one guest boot and is built again at a reboot, from the fds
 * the host side holds. The steps for one device are apart for hot-plug
 * (vm_hotplug.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "guard.h"
#include "managed/managed.h"
#include "pci/host.h"
#include "pci/port.h"
#include "vfio/container.h"
#include "vfio/device.h"
#include "pt/passthrough.h"
#include "signals.h"
#include "vfio/sysfs.h"
#include "vm.h"

/* Parse and check every address before anything is opened: typos cost nothing. */
int vm_pt_check(struct vm *vm)
{
	const struct vm_config *cfg = vm->cfg;
	struct pci_bdf bdfs[OPTS_MAX_PASSTHROUGH];

	for (unsigned i = 0; i < cfg->nr_passthrough; i++) {
		struct vm_pt_dev *d = &vm->pt[i];

		if (pci_bdf_parse(cfg->passthrough[i], &d->bdf)) {
			log_err("--passthrough '%s' is not a PCI address (use DDDD:BB:DD.F or "
				"BB:DD.F)",
				cfg->passthrough[i]);
			return -EINVAL;
		}
		pci_bdf_format(&d->bdf, d->name);
		for (unsigned j = 0; j < i; j++) {
			if (!strcmp(vm->pt[j].name, d->name)) {
				log_err("--passthrough %s is given twice", d->name);
				return -EINVAL;
			}
		}
		bdfs[i] = d->bdf;
	}
	/* Managed: refused now if it cannot move; moved, and its group read, in vm_pt_move(). */
	if (!cfg->unmanaged)
		return managed_check(&managed_env_host, bdfs, cfg->nr_passthrough);
	for (unsigned i = 0; i < cfg->nr_passthrough; i++) {
		int ret = sysfs_vfio_check(NULL, &vm->pt[i].bdf, &vm->pt[i].group);

		if (ret)
			return ret;
	}
	return 0;
}

static int vm_pt_kvm_add_group(void *opaque, const struct vfio_group *g)
{
	return kvm_vfio_add_group(opaque, g->fd, g->id);
}

int vm_pt_register(struct vm *vm)
{
	int ret;

	if (!vm->vfio)
		return 0;
	ret = kvm_vfio_create(&vm->kvm, &vm->kvm_vfio);
	if (ret)
		return ret;
	return container_for_each_group(vm->vfio, vm_pt_kvm_add_group, &vm->kvm_vfio);
}

/*
 * The groups go to KVM before any device in them is opened: VFIO gives a
 * device's driver the kvm pointer of its group when the device is first
 * opened (VFIO_GROUP_GET_DEVICE_FD copies group->kvm into device->kvm), and
 * KVM_DEV_VFIO_GROUP_ADD is what sets group->kvm. KVM also learns from it
 * whether the group's IOMMU enforces cache coherency (vfio.rst).
 */
int vm_pt_open_groups(struct vm *vm)
{
	int ret;

	for (unsigned i = 0; i < vm->cfg->nr_passthrough; i++) {
		struct vfio_group *g;

		ret = container_group_get(vm->vfio, vm->pt[i].group, &g);
		if (ret)
			return ret;
	}
	return vm_pt_register(vm);
}

/* A notifier's count says only that it fired: drain it so that poll() sleeps again. */
static void vm_pt_drain(int fd)
{
	uint64_t count;

	(void)!read(fd, &count, sizeof(count));
}

/*
 * REQ: the host wants the device back; vfio-pci's unbind waits until the
 * device fd is closed (and signals REQ again every few seconds meanwhile).
 * Stopping the guest lets teardown reset and close the device, and the
 * unbind then completes.
 */
static void vm_pt_on_req(struct vm *vm, struct vm_source *src)
{
	struct vm_pt_dev *d = src->opaque;
	char msg[160];

	vm_pt_drain(src->fd);
	d->reclaimed = true;
	snprintf(msg, sizeof(msg),
		 "%s: the host asked for the device back (driver unbind): stopping the guest",
		 d->name);
	vm_request_stop(vm, VM_STOP_DEVICE, msg);
}

/* ERR: an uncorrectable AER error; the guest would go on with a broken device. */
static void vm_pt_on_err(struct vm *vm, struct vm_source *src)
{
	const struct vm_pt_dev *d = src->opaque;
	char msg[160];

	vm_pt_drain(src->fd);
	snprintf(msg, sizeof(msg), "%s: uncorrectable device error (AER): stopping the guest",
		 d->name);
	vm_request_stop(vm, VM_STOP_DEVICE, msg);
}

int vm_pt_watch(struct vm *vm, struct vm_pt_dev *d, unsigned index, int fd)
{
	bool req = index == VFIO_PCI_REQ_IRQ_INDEX;
	int ret;

	if (fd < 0)
		return 0;
	ret = vm_add_source(vm, fd, VM_WAKE_VFIO, req ? vm_pt_on_req : vm_pt_on_err, d);
	if (ret < 0) {
		log_err("%s: cannot watch its %s notifier: %s", d->name, req ? "REQ" : "ERR",
			strerror(-ret));
		return ret;
	}
	*(req ? &d->src_req : &d->src_err) = &vm->src[ret];
	return 0;
}

/*
 * The last check, then the managed devices move to vfio-pci; from here on
 * every way out passes vm_pt_close() or the monitor's managed_reattach(),
 * which give them back.
 */
int vm_pt_move(struct vm *vm)
{
	struct pci_bdf bdfs[OPTS_MAX_PASSTHROUGH];
	int ret;

	if (!vm->cfg->nr_passthrough)
		return 0;
	ret = container_check_memlock(vm->mem.ram_size);
	if (ret || vm->cfg->unmanaged)
		return ret;
	for (unsigned i = 0; i < vm->cfg->nr_passthrough; i++)
		bdfs[i] = vm->pt[i].bdf;
	ret = managed_detach(&managed_env_host, bdfs, vm->cfg->nr_passthrough, &vm->managed);
	/* On vfio-pci now: the check and the group --unmanaged had in vm_pt_check(). */
	for (unsigned i = 0; i < vm->cfg->nr_passthrough && !ret; i++)
		ret = sysfs_vfio_check(NULL, &vm->pt[i].bdf, &vm->pt[i].group);
	/* Unbinding can take a while (the host driver's remove). */
	return ret ? ret : signals_setup_check();
}

int vm_pt_dev_open(struct vm *vm, struct vm_pt_dev *d)
{
	/* d->group was read from sysfs before (vm_pt_move(), the monitor for a hot-plug). */
	int ret = vfio_device_open_group(vm->vfio, &d->bdf, d->group, &d->dev);

	if (!ret)
		ret = vm_pt_watch(vm, d, VFIO_PCI_ERR_IRQ_INDEX,
				  vfio_device_notify_fd(d->dev, VFIO_PCI_ERR_IRQ_INDEX));
	if (!ret)
		ret = vm_pt_watch(vm, d, VFIO_PCI_REQ_IRQ_INDEX,
				  vfio_device_notify_fd(d->dev, VFIO_PCI_REQ_IRQ_INDEX));
	return ret;
}

void vm_pt_dev_close(struct vm *vm, struct vm_pt_dev *d)
{
	vm_del_source(vm, d->src_err);
	vm_del_source(vm, d->src_req);
	d->src_err = d->src_req = NULL;
	if (d->dev)
		vfio_device_close(d->dev);
	d->dev = NULL;
	d->reclaimed = false;
}

/* Open the devices and pin RAM; needs guest RAM allocated and the KVM VM, runs before any vCPU. */
int vm_pt_open(struct vm *vm)
{
	const struct vfio_container_config ccfg = {
		.sys = vm->sys,
		.allow_unsafe_interrupts = vm->cfg->allow_unsafe_interrupts,
		.check = signals_setup_check,
	};
	struct pci_bdf bdfs[OPTS_MAX_PASSTHROUGH];
	int ret;

	if (!vm->cfg->nr_passthrough)
		return 0;
	for (unsigned i = 0; i < vm->cfg->nr_passthrough; i++)
		bdfs[i] = vm->pt[i].bdf;
	/* ptguard first: the kernel refuses shared reset domains before VFIO opens anything. */
	ret = guard_claim(vm->sys, "ptvm", bdfs, vm->cfg->nr_passthrough,
			  vm->cfg->no_guard ? GUARD_OFF : 0, &vm->guard_fd);
	if (ret)
		return ret;
	ret = container_open(&ccfg, &vm->vfio);
	if (ret)
		return ret;
	ret = vm_pt_open_groups(vm);
	if (ret)
		return ret;
	for (unsigned i = 0; i < vm->cfg->nr_passthrough; i++) {
		ret = vm_pt_dev_open(vm, &vm->pt[i]);
		if (ret)
			return ret;
		vm->nr_pt++;
		ret = signals_setup_check();
		if (ret)
			return ret;
	}
	/* Each group may narrow the usable IOVA ranges: check after the last one. */
	ret = container_check_ranges(vm->vfio, &vm->mem);
	if (ret)
		return ret;
	ret = container_map_ram(vm->vfio, &vm->mem);
	if (ret)
		return ret;
	/* Said once, here: it reads sysfs, which a reboot must not need. */
	for (unsigned i = 0; i < vm->nr_pt; i++)
		guard_log_reset(vm->sys, vm->guard_fd, NULL, &vm->pt[i].bdf,
				vfio_device_desc(vm->pt[i].dev)->can_reset);
	return 0;
}

int vm_pt_dev_attach(struct vm *vm, struct vm_pt_dev *d, bool cold)
{
	const struct pt_host host = {
		.ops = &vm_pt_host_ops,
		.opaque = vm,
		.mmio = vm->mmio,
		.pio = vm->pio,
	};
	int ret;

	/* INTx of device 0 below the port swizzles to the port's own pin: its slot's _PRT. */
	ret = pt_create(&d->pt, &vfio_pt_backend_ops, d->dev, vfio_device_desc(d->dev), &host,
			d->slot);
	if (ret) {
		log_err("%s: cannot set up passthrough: %s", d->name, strerror(-ret));
		return ret;
	}
	/*
	 * A clean device for the first guest (or a hot-plug), whatever the
	 * last user left; a rebooted guest gets it as vm_pt_detach() just
	 * reset it.
	 */
	ret = cold && vm->reboots ? 0 : pt_reset(d->pt);
	if (ret && ret != -ENOTTY) {
		log_err("%s: reset before start failed: %s", d->name, strerror(-ret));
		return ret;
	}
	pci_host_lock(vm->pci);
	ret = pci_port_plug(d->port, pt_pci_dev(d->pt), cold);
	pci_host_unlock(vm->pci);
	if (ret) {
		log_err("%s: cannot put it in the slot of 00:%02x.0: %s", d->name, d->slot,
			strerror(-ret));
		return ret;
	}
	d->attached = true;
	return 0;
}

void vm_pt_dev_detach(struct vm *vm, struct vm_pt_dev *d, bool live, int *err)
{
	struct pt_stats st;

	if (d->attached) {
		pci_host_lock(vm->pci);
		(void)!pci_port_take(d->port);
		pci_host_unlock(vm->pci);
	}
	d->attached = false;
	if (!d->pt)
		return;
	if (live) {
		/* Out of the guest, then no vCPU may still be inside one of its traps. */
		pt_unplug(d->pt);
		vcpu_wait_exits(vm->vcpus, vm->nr_vcpus);
	}
	if (d->reclaimed) {
		/*
		 * vfio-pci's unbind holds the device until we close it,
		 * so VFIO_DEVICE_RESET can only fail (EAGAIN); vfio-pci
		 * resets the device itself once it is released.
		 */
		log_info("%s: not reset here: the host is taking it back", d->name);
	} else {
		/*
		 * The next user (or guest) must not see what this guest
		 * left in the device. pt_reset() logged a failure, naming it.
		 */
		int ret = pt_reset(d->pt);

		if (ret && ret != -ENOTTY && err && !*err)
			*err = ret;
	}
	pt_get_stats(d->pt, &st);
	d->past.trapped_reads += st.trapped_reads;
	d->past.trapped_writes += st.trapped_writes;
	pt_destroy(d->pt);
	d->pt = NULL;
}

int vm_pt_attach(struct vm *vm)
{
	for (unsigned i = 0; i < vm_nr_ports(vm); i++) {
		struct vm_pt_dev *d = &vm->pt[i];
		int ret;

		if (!d->dev)
			continue;
		ret = vm_pt_dev_attach(vm, d, true);
		if (ret)
			return ret;
		/*
		 * A reset can take a second or more (a bus reset waits for the
		 * link). At a reboot the main loop owns the signals: no look.
		 */
		ret = vm->reboots ? 0 : signals_setup_check();
		if (ret)
			return ret;
		d->state = VM_SLOT_IN;
		log_info("%s: passed through as %02x:00.0, below the root port 00:%02x.0", d->name,
			 d->slot, d->slot);
	}
	return 0;
}

/*
 * The 64-bit PCI window the DSDT offers: room for every 64-bit BAR of the
 * passed devices, within the guest's physical-address width (CPUID
 * 0x80000008); the guest's own PCI code places the BARs in it.
 */
int vm_pt_window(struct vm *vm)
{
	unsigned bits = kvm_phys_bits(&vm->kvm);
	uint64_t need = 0, largest = 0, s, l;
	int ret;

	for (unsigned i = 0; i < vm_nr_ports(vm); i++) {
		/*
		 * An empty port gets the prefetchable window the guest reserves
		 * for a hot-plug bridge (Linux: pci_hotplug_mmio_pref_size, 2 MiB),
		 * from the 64-bit window when the port's is 64-bit.
		 */
		if (!vm->pt[i].pt) {
			need += VM_PORT_PREF_RESERVE;
			continue;
		}
		pt_mem64_bars(vm->pt[i].pt, &s, &l);
		need += s;
		largest = MAX(largest, l);
	}
	ret = mem_window64(&vm->mem, bits, need, largest, &vm->mmio64_base, &vm->mmio64_size);
	if (ret)
		log_err("--passthrough: the devices' 64-bit BARs need %lluG of PCI window above "
			"%lluG of RAM, more than the guest's %u-bit address space holds "
			"(use less --memory)",
			(unsigned long long)(ALIGN_UP(need, SZ_1G) >> 30),
			(unsigned long long)(vm->mem.ram_size >> 30), bits);
	return ret;
}

int vm_pt_detach(struct vm *vm)
{
	int err = 0;

	for (unsigned i = 0; i < vm_nr_ports(vm); i++)
		vm_pt_dev_detach(vm, &vm->pt[i], false, &err);
	/* KVM lets go of the groups before their fds close (kvm_vfio_destroy()). */
	kvm_vfio_destroy(&vm->kvm_vfio);
	return err;
}

/* After the vCPUs stopped: reset, detach, close; RAM stays pinned until container_close. */
void vm_pt_close(struct vm *vm)
{
	/* Logged there; nothing to do about it but go on giving the devices back. */
	(void)!vm_pt_detach(vm);
	for (unsigned i = 0; i < vm_nr_ports(vm); i++) {
		struct vm_pt_dev *d = &vm->pt[i];

		vm_pt_dev_close(vm, d);
		memset(d, 0, sizeof(*d));
	}
	vm->nr_pt = 0;
	if (vm->vfio)
		container_close(vm->vfio);
	vm->vfio = NULL;
	/* Closing the guard file releases the devices; ptguard resets them. */
	if (vm->guard_fd >= 0)
		(void)!vm->sys->close(vm->guard_fd);
	vm->guard_fd = -1;
	/*
	 * Last, with VFIO closed (vfio-pci's remove waits for its users): each
	 * moved device goes back to its driver; one that cannot keeps its
	 * record for `ptvm cleanup` (logged).
	 */
	(void)!managed_reattach(vm->managed);
	vm->managed = NULL;
}
