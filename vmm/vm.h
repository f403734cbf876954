/* SPDX-License-Identifier: GPL-2.0 */
/*
 * struct vm owns everything a guest needs: KVM, RAM, buses, devices, vCPUs.
 * Created in order, destroyed in reverse; setup (vm_create) is kept apart
 * from the run loop (vm_run) so privileges can later be dropped in between.
 */
#ifndef PTVM_VM_H
#define PTVM_VM_H

#include <pthread.h>

#include "boot/bzimage.h"
#include "boot/loader.h"
#include "as.h"
#include "console.h"
#include "irq.h"
#include "kvm.h"
#include "kvm_irq.h"
#include "memory.h"
#include "numa.h"
#include "options.h"
#include "vcpu.h"
#include "pt/pt_host.h"
#include "vfio/sysfs.h"

struct serial;
struct vfio_container;
struct vfio_device;
struct pt;
struct pm;
struct pci_host;

/* One --passthrough device. */
struct vm_pt_dev {
	struct pci_bdf bdf;
	char name[PCI_BDF_STRLEN];
	struct vfio_device *dev;
	struct pt *pt;
	bool attached;
};

/* A GSI of the in-kernel IOAPIC, as a struct irq_line for a device. */
struct vm_gsi {
	struct vm *vm;
	unsigned gsi;
	struct irq_line line;
};

struct vm {
	const struct vm_config *cfg;
	const struct sys_ops *sys;
	/* The kernel and initrd files, mapped read-only while the VM is built. */
	void *kernel_map;
	size_t kernel_len;
	void *initrd_map;
	size_t initrd_len;
	struct bzimage bz;
	struct kvm kvm;
	bool kvm_open;
	struct kvm_irq irq;
	bool irq_init;
	int msi_fd[KVM_IRQ_MAX_ROUTES]; /* irqfd of each live MSI route, by GSI - KVM_IRQ_PINS */
	uint64_t irqs_relayed;		/* interrupts ptvm had to deliver itself */
	struct guest_mem mem;
	struct numa_choice numa; /* the node RAM and vCPUs go on, if any */
	struct as *mmio; /* guest-physical: RAM, chipset, BARs */
	struct as *pio;
	uint64_t mmio64_base, mmio64_size; /* the 64-bit PCI window (vm_pt.c sizes it) */
	struct console console;
	struct serial *serial;
	struct vm_gsi serial_irq;
	struct pm *pm;
	struct pci_host *pci;
	struct vfio_container *vfio;
	int guard_fd; /* /dev/ptguard holding the --passthrough claims, or -1 */
	struct vm_pt_dev pt[OPTS_MAX_PASSTHROUGH];
	unsigned nr_pt;
	struct vcpu *vcpus;
	unsigned nr_vcpus;
	struct vcpu_env env;

	/* Stopping: first reason wins. The main loop sleeps on wake_fd. */
	pthread_mutex_t stop_lock;
	volatile int stopping;
	enum vm_stop_reason stop_reason;
	char stop_msg[256];
	int wake_fd;
	int signal_fd;
};

/* Build the whole VM from @cfg; on error everything is undone and logged. */
int vm_create(struct vm **out, const struct vm_config *cfg, const struct sys_ops *sys) __must_check;
/* Run until the guest stops; returns why. @msg gets the stop message. */
enum vm_stop_reason vm_run(struct vm *vm, const char **msg);
void vm_destroy(struct vm *vm);

/* Ask the VM to stop (any thread). */
void vm_request_stop(void *opaque, enum vm_stop_reason why, const char *msg);

/* vm_pt_host.c: what passed-through devices may ask of the VM. */
extern const struct pt_host_ops vm_pt_host_ops;

/* vm_pt.c: --passthrough devices. check before KVM; open after RAM; close after stop. */
int vm_pt_check(struct vm *vm) __must_check;
int vm_pt_open(struct vm *vm) __must_check;
void vm_pt_close(struct vm *vm);
/* vm_pt.c: size the 64-bit PCI window (also without devices); after vm_pt_open. */
int vm_pt_window(struct vm *vm) __must_check;
void vm_pt_print_stats(const struct vm *vm);

/* vm_boot.c: map and check the kernel/initrd files (before any KVM work). */
int vm_boot_read(struct vm *vm) __must_check;
/* vm_boot.c: ACPI tables, zero page, kernel, initrd in guest RAM; BSP entry state. */
int vm_boot_setup(struct vm *vm, struct boot_entry *entry) __must_check;
void vm_boot_release(struct vm *vm);

#endif
