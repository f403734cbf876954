// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's PCIe root ports (pci/port.h), as libvirt lays out a q35
 * guest: every --passthrough device in the slot of a port of its own, and
 * --hotplug-slots empty ports for device-add. Port i is device 1 + i on
 * bus 0; its secondary bus, Physical Slot Number and Port Number are 1 + i
 * too, so the device below it is (1 + i):00.0 in the guest. The hot-plug
 * interrupt is an MSI KVM injects, or INTA through the DSDT's _PRT.
 */
#include <errno.h>
#include <string.h>

#include "boot/acpi.h"
#include "pci/host.h"
#include "pci/port.h"
#include "vm.h"

/* 00:00.0 is the host bridge. */
#define VM_PORT_FIRST_SLOT 1

static void vm_port_msi(void *opaque, uint64_t addr, uint32_t data)
{
	struct vm *vm = opaque;

	/* Fails only if the VM is gone; kvm.c has logged it. */
	(void)!kvm_signal_msi(&vm->kvm, addr, data);
}

static void vm_port_intx(void *opaque, int level)
{
	struct vm_gsi *g = opaque;

	(void)!kvm_irq_line(&g->vm->kvm, g->gsi, level);
}

int vm_ports_create(struct vm *vm)
{
	int ret;

	for (unsigned i = 0; i < vm_nr_ports(vm); i++) {
		struct vm_pt_dev *d = &vm->pt[i];
		struct pci_port_config pc;

		d->slot = VM_PORT_FIRST_SLOT + i;
		d->port_irq = (struct vm_gsi){
			.vm = vm,
			.gsi = ACPI_PCI_INTX_GSI(d->slot, 0),
			.line = {.set = vm_port_intx, .opaque = &d->port_irq},
		};
		pc = (struct pci_port_config){
			.slot_nr = d->slot,
			.port_nr = d->slot,
			.bus = d->slot,
			.msi = {.send = vm_port_msi, .opaque = vm},
			.intx = d->port_irq.line,
			.ops = &vm_port_ops,
			.opaque = vm,
		};
		ret = pci_port_create(&d->port, &pc);
		if (!ret)
			ret = pci_host_attach(vm->pci, d->slot, pci_port_dev(d->port));
		if (ret) {
			log_err("pci: cannot create the root port 00:%02x.0: %s", d->slot,
				strerror(-ret));
			return ret;
		}
	}
	return 0;
}

void vm_ports_destroy(struct vm *vm)
{
	for (unsigned i = 0; i < vm_nr_ports(vm); i++) {
		struct vm_pt_dev *d = &vm->pt[i];

		if (!d->port)
			continue;
		(void)!pci_host_detach(vm->pci, d->slot);
		pci_port_destroy(d->port);
		d->port = NULL;
	}
}
