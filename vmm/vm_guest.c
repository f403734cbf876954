// SPDX-License-Identifier: GPL-2.0
/*
 * The guest side of the VM (vm.h): the KVM VM, the guest address spaces,
 * the chipset devices, the passthrough models and the vCPUs; built at
 * start and again at every guest reboot, and the reboot itself.
 *
 * A reboot is a cold power cycle of everything the guest can see, not a
 * reset of it in place. Resetting in place would mean putting every piece
 * of KVM state back to its power-on value by hand: each vCPU's registers,
 * segments, control registers, FPU/XSAVE, the LAPIC, the APs' MP state,
 * pending events, dozens of MSRs, the PIC, IOAPIC and PIT, the GSI routes
 * and irqfds. Several of those MSRs make KVM write into guest RAM on its
 * own (kvmclock's system time, steal time, async page faults, PV EOI), so
 * one forgotten would scribble over the next boot's memory. A new VM
 * (KVM_CREATE_VM on the /dev/kvm fd held) has all of it at its reset value
 * by construction, and is built by the code that built the first one.
 *
 * Kept from the host side: /dev/kvm; guest RAM, the very pages VFIO pinned
 * and DMA-maps at IOVA = guest physical (cleared with memset, never
 * unmapped or madvised); the VFIO container, groups and device fds with
 * their BAR mmaps and ERR/REQ notifiers; the ptguard claim; the managed
 * bindings; the kernel and initrd copies; the main loop's fds; the vCPU
 * counters. Nothing is opened and sysfs is not read: a confined VM
 * process with no privileges can reboot its guest.
 *
 * The order: the vCPUs have stopped; the guest side goes as vm_destroy()
 * takes it down, each passed device reset on the way (its one reset of
 * the reboot: its DMA stops there, before RAM is cleared, so nothing the
 * old guest queued lands in the new one); then RAM is cleared, and the
 * guest side is built as at start, without the pre-start reset.
 *
 * A triple fault (KVM_EXIT_SHUTDOWN) restarts the guest as a reboot does,
 * as QEMU does by default: it is what real hardware does (the CPU signals
 * shutdown, the chipset resets), and Linux's last way to reboot
 * (reboot=t). The restart line says where it died. A guest that triple
 * faults at every boot restarts forever, as in QEMU; the main loop looks at
 * its fds before every restart, so SIGINT, SIGTERM and Ctrl-A x still end
 * it. With --on-reboot exit a triple fault ends ptvm with exit 1.
 *
 * The cost: Linux since 6.2 (and the stable kernels that took the same
 * fix) keeps a reference on the KVM VM a VFIO device was first opened with
 * until the device's last close (taken at the first open, for drivers
 * that use the kvm pointer), so the first VM's kernel objects stay
 * allocated until ptvm exits. The devices are never opened again, so the
 * later VMs are freed at their reboot: one VM, not one per reboot.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dev/pm.h"
#include "dev/serial.h"
#include "layout.h"
#include "pci/host.h"
#include "signals.h"
#include "vm.h"

static void vm_gsi_set(void *opaque, int level)
{
	struct vm_gsi *g = opaque;

	/* Fails only if the VM is gone; kvm.c has logged it. */
	(void)!kvm_irq_line(&g->vm->kvm, g->gsi, level);
}

static void vm_gsi_init(struct vm_gsi *g, struct vm *vm, unsigned gsi)
{
	g->vm = vm;
	g->gsi = gsi;
	g->line.set = vm_gsi_set;
	g->line.opaque = g;
}

static void vm_pm_event(void *opaque, enum pm_event ev)
{
	if (ev == PM_POWEROFF)
		vm_request_stop(opaque, VM_STOP_POWEROFF, "guest powered off");
	else
		vm_request_stop(opaque, VM_STOP_RESET, "guest rebooted");
}

static int vm_set_memslot(void *opaque, unsigned slot, uint64_t gpa, uint64_t size, void *hva)
{
	struct vm *vm = opaque;

	return kvm_set_memslot(&vm->kvm, slot, gpa, size, hva);
}

static int vm_add_ram(void *opaque, unsigned idx, const struct mem_region *m)
{
	static const char *const names[MEM_MAX_REGIONS] = {"ram0", "ram1", "ram2", "ram3"};
	const struct as_map map = {0, m->size, m->hva};
	struct vm *vm = opaque;
	struct as_region *r;
	int ret;

	ret = as_region_add(vm->mmio, names[idx], AS_PRIO_RAM, NULL, NULL, &r);
	if (!ret)
		ret = as_region_place(r, m->gpa, m->size);
	if (!ret)
		ret = as_region_set_maps(r, &map, 1);
	return ret;
}

/*
 * The guest-physical space: RAM, and holes where KVM's in-kernel devices
 * decode (IOAPIC, local APIC) or its Intel TSS and identity map live, so
 * that no BAR a guest places there can cover them with a memslot.
 */
static int vm_create_address_spaces(struct vm *vm)
{
	const struct as_slot_ops slots = {
		.set = vm_set_memslot,
		.opaque = vm,
		.nr_slots = vm->kvm.nr_slots,
	};
	static const struct {
		const char *name;
		uint64_t base, len;
	} holes[] = {
		{"ioapic", LAYOUT_IOAPIC, SZ_4K},
		{"lapic", LAYOUT_LAPIC, SZ_1M},
		{"kvm-tss", LAYOUT_KVM_TSS, 4 * SZ_4K},
	};
	int ret;

	ret = as_create(&vm->mmio, "mmio", &slots);
	if (!ret)
		ret = as_create(&vm->pio, "pio", NULL);
	if (!ret)
		ret = mem_for_each(&vm->mem, vm_add_ram, vm);
	if (!ret)
		ret = as_commit(vm->mmio);
	for (unsigned i = 0; i < ARRAY_SIZE(holes) && !ret; i++)
		ret = as_add_fixed(vm->mmio, holes[i].name, holes[i].base, holes[i].len, NULL,
				   NULL);
	if (ret)
		log_err("vm: cannot map guest RAM: %s", strerror(-ret));
	return ret;
}

/*
 * Legacy PC devices and the PCI host bridge, on their fixed addresses
 * (layout.h), and the root ports on bus 0.
 */
static int vm_create_devices(struct vm *vm)
{
	int ret;

	vm_gsi_init(&vm->serial_irq, vm, IRQ_SERIAL0);
	ret = serial_create(&vm->serial, &vm->serial_irq.line, console_tx, &vm->console);
	if (ret)
		return ret;
	serial_set_rx_ready(vm->serial, vm_rx_ready, vm);
	ret = pm_create(&vm->pm, vm_pm_event, vm);
	if (ret)
		return ret;
	ret = pci_host_create(&vm->pci);
	if (ret)
		return ret;
	ret = vm_ports_create(vm);
	if (ret)
		return ret;

	ret = as_add_fixed(vm->pio, "serial0", PORT_SERIAL0, PORT_SERIAL_LEN, &serial_bus_ops,
			   vm->serial);
	if (!ret)
		ret = as_add_fixed(vm->pio, "acpi-pm", PORT_ACPI_SLEEP_CTL, PM_ACPI_PORTS,
				   &pm_acpi_ops, vm->pm);
	if (!ret)
		ret = as_add_fixed(vm->pio, "i8042", PORT_I8042, PM_I8042_PORTS, &pm_i8042_ops,
				   vm->pm);
	if (!ret)
		ret = as_add_fixed(vm->pio, "pci-cf8", PORT_PCI_CONF_ADDR, 8, &pci_host_cf8_ops,
				   vm->pci);
	if (!ret)
		ret = as_add_fixed(vm->mmio, "pci-ecam", LAYOUT_ECAM_BASE, LAYOUT_ECAM_SIZE,
				   &pci_host_ecam_ops, vm->pci);
	return ret;
}

/* Into the vCPUs of the first boot, or the same ones again: their counters go on. */
static int vm_create_vcpus(struct vm *vm, const struct boot_entry *entry)
{
	int ret;

	if (!vm->vcpus) {
		vm->vcpus = calloc(vm->cfg->cpus, sizeof(*vm->vcpus));
		if (!vm->vcpus)
			return -ENOMEM;
		vm->nr_vcpus = vm->cfg->cpus;
		for (unsigned i = 0; i < vm->nr_vcpus; i++)
			vm->vcpus[i].kv.fd = -1;
	}
	vm->env = (struct vcpu_env){
		.kvm = &vm->kvm,
		.pio = vm->pio,
		.mmio = vm->mmio,
		.stop = vm_request_stop,
		.stop_opaque = vm,
		.stopping = &vm->stopping,
		.affinity = vm->numa.node != NUMA_NO_NODE ? &vm->numa.cpus : NULL,
		.gate = &vm->gate,
	};
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		v->env = &vm->env;
		v->started = false;
		ret = kvm_vcpu_create(&vm->kvm, i, &v->kv);
		if (ret)
			return ret;
		ret = kvm_vcpu_set_cpuid(&vm->kvm, &v->kv);
		if (ret)
			return ret;
	}
	/* APs wait in the in-kernel LAPIC for INIT/SIPI from the guest. */
	return kvm_vcpu_set_boot_regs(&vm->kvm, &vm->vcpus[0].kv, entry);
}

int vm_guest_create_vm(struct vm *vm)
{
	int ret = kvm_create_vm(&vm->kvm, true);

	if (ret)
		return ret;
	ret = kvm_irq_init(&vm->irq, &vm->kvm);
	if (ret)
		return ret;
	vm->irq_init = true;
	return 0;
}

/*
 * The first build stops at a pending termination signal (-EINTR,
 * signals.h). A rebuild does not look: the main loop owns the signals by
 * then, and vm_run() sees them between two boots.
 */
static int vm_guest_check(const struct vm *vm)
{
	return vm->reboots ? 0 : signals_setup_check();
}

int vm_guest_build(struct vm *vm)
{
	struct boot_entry entry;
	int ret;

	ret = vm_create_address_spaces(vm);
	if (!ret)
		ret = vm_guest_check(vm);
	if (ret)
		return ret;
	ret = vm_create_devices(vm);
	if (ret)
		return ret;
	/* The first VM got the groups in vm_pt_open(), before the devices opened. */
	if (vm->kvm_vfio.fd < 0) {
		ret = vm_pt_register(vm);
		if (ret)
			return ret;
	}
	ret = vm_pt_attach(vm);
	if (ret)
		return ret;
	ret = vm_pt_window(vm);
	if (ret)
		return ret;
	ret = vm_guest_check(vm);
	if (!ret)
		ret = vm_boot_setup(vm, &entry);
	if (ret)
		return ret;
	return vm_create_vcpus(vm, &entry);
}

int vm_guest_destroy(struct vm *vm)
{
	int ret;

	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		kvm_vcpu_destroy(&vm->kvm, &vm->vcpus[i].kv);
	ret = vm_pt_detach(vm);
	as_destroy(vm->mmio);
	as_destroy(vm->pio);
	if (vm->pci)
		vm_ports_destroy(vm);
	pci_host_destroy(vm->pci);
	pm_destroy(vm->pm);
	serial_destroy(vm->serial);
	vm->mmio = vm->pio = NULL;
	vm->pci = NULL;
	vm->pm = NULL;
	vm->serial = NULL;
	if (vm->irq_init)
		kvm_irq_destroy(&vm->irq);
	vm->irq_init = false;
	kvm_destroy_vm(&vm->kvm);
	return ret;
}

int vm_reboot(struct vm *vm, const char *why)
{
	char msg[256];
	int ret;

	vm->reboots++;
	log_err("%s: restarting (reboot %u)", why, vm->reboots);
	/* Pending hot-plug requests end; what is in a slot stays for the next boot. */
	vm_hotplug_cancel(vm);
	ret = vm_guest_destroy(vm);
	if (ret) {
		/* vm_pt_detach() named the device: the guest must not get it unreset. */
		snprintf(msg, sizeof(msg),
			 "cannot restart the guest (reboot %u): a passed-through device did not "
			 "reset: %s",
			 vm->reboots, strerror(-ret));
		vm_request_stop(vm, VM_STOP_ERROR, msg);
		return ret;
	}
	mem_clear(&vm->mem);
	ret = vm_guest_create_vm(vm);
	if (!ret)
		ret = vm_guest_build(vm);
	if (ret) {
		/* Nothing half-built stays: the host side is vm_destroy()'s to undo. */
		(void)!vm_guest_destroy(vm);
		snprintf(msg, sizeof(msg), "cannot restart the guest (reboot %u): %s", vm->reboots,
			 strerror(-ret));
		vm_request_stop(vm, VM_STOP_ERROR, msg);
	}
	return ret;
}
