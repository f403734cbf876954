// SPDX-License-Identifier: GPL-2.0
/*
 * struct pt_host_ops on top of KVM: how a passed-through device gets MSI
 * routes with irqfds and an INTx line with resample, without seeing struct
 * vm. Its BARs go into the guest address spaces (as.h) directly.
 */
#include <errno.h>
#include <string.h>

#include "boot/acpi.h"
#include "kvm_irq.h"
#include "vm.h"

/*
 * MSI routes are kvm_irq.c's: a route id is the GSI, the irqfd goes with
 * the route, and the commit orders the irqfds around KVM_SET_GSI_ROUTING.
 */
static int vm_pt_msi_add(void *host, uint64_t addr, uint32_t data, int eventfd)
{
	struct vm *vm = host;

	return kvm_irq_msi_add(&vm->irq, addr, data, eventfd);
}

static int vm_pt_msi_update(void *host, int route, uint64_t addr, uint32_t data)
{
	struct vm *vm = host;

	return route < 0 ? -ENOENT : kvm_irq_msi_update(&vm->irq, route, addr, data);
}

static void vm_pt_msi_remove(void *host, int route)
{
	struct vm *vm = host;

	if (route >= 0)
		kvm_irq_msi_remove(&vm->irq, route);
}

static int vm_pt_msi_commit(void *host)
{
	struct vm *vm = host;

	return kvm_irq_commit(&vm->irq);
}

/* The GSI the DSDT's _PRT gives slot @slot, pin @pin (1 = INTA). */
static unsigned vm_pt_intx_gsi(unsigned slot, unsigned pin)
{
	return ACPI_PCI_INTX_GSI(slot, pin - 1);
}

static int vm_pt_intx_bind(void *host, unsigned slot, unsigned pin, int trigger_fd,
			   int resample_fd)
{
	struct vm *vm = host;

	if (pin < 1 || pin > 4)
		return -EINVAL;
	return kvm_irqfd(&vm->kvm, trigger_fd, vm_pt_intx_gsi(slot, pin), resample_fd);
}

static void vm_pt_intx_unbind(void *host, unsigned slot, unsigned pin, int trigger_fd)
{
	struct vm *vm = host;

	if (pin >= 1 && pin <= 4)
		kvm_irqfd_remove(&vm->kvm, trigger_fd, vm_pt_intx_gsi(slot, pin));
}

const struct pt_host_ops vm_pt_host_ops = {
	.msi_add = vm_pt_msi_add,
	.msi_update = vm_pt_msi_update,
	.msi_remove = vm_pt_msi_remove,
	.msi_commit = vm_pt_msi_commit,
	.intx_bind = vm_pt_intx_bind,
	.intx_unbind = vm_pt_intx_unbind,
};
