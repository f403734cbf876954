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
 * A route id is the GSI; the eventfd is remembered per GSI so the irqfd can
 * be deassigned (KVM_IRQFD_FLAG_DEASSIGN needs both).
 */
static int vm_pt_msi_add(void *host, uint64_t addr, uint32_t data, int eventfd)
{
	struct vm *vm = host;
	int gsi = kvm_irq_msi_add(&vm->irq, addr, data);
	int ret;

	if (gsi < 0)
		return gsi;
	ret = kvm_irqfd(&vm->kvm, eventfd, gsi, -1);
	if (ret) {
		kvm_irq_msi_remove(&vm->irq, gsi);
		return ret;
	}
	vm->msi_fd[gsi - KVM_IRQ_PINS] = eventfd;
	return gsi;
}

static int vm_pt_msi_update(void *host, int route, uint64_t addr, uint32_t data)
{
	struct vm *vm = host;

	return kvm_irq_msi_update(&vm->irq, route, addr, data);
}

static void vm_pt_msi_remove(void *host, int route)
{
	struct vm *vm = host;
	unsigned i = route - KVM_IRQ_PINS;

	if (route < KVM_IRQ_PINS || i >= KVM_IRQ_MAX_ROUTES)
		return;
	kvm_irqfd_remove(&vm->kvm, vm->msi_fd[i], route);
	vm->msi_fd[i] = -1;
	kvm_irq_msi_remove(&vm->irq, route);
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

static void vm_pt_count_relayed(void *host)
{
	struct vm *vm = host;

	__atomic_fetch_add(&vm->irqs_relayed, 1, __ATOMIC_RELAXED);
}

const struct pt_host_ops vm_pt_host_ops = {
	.msi_add = vm_pt_msi_add,
	.msi_update = vm_pt_msi_update,
	.msi_remove = vm_pt_msi_remove,
	.intx_bind = vm_pt_intx_bind,
	.intx_unbind = vm_pt_intx_unbind,
	.count_relayed = vm_pt_count_relayed,
};
