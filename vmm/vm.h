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
struct managed;

/* One --passthrough device. */
struct vm_pt_dev {
	struct pci_bdf bdf;
	char name[PCI_BDF_STRLEN];
	unsigned group; /* IOMMU group, from sysfs in vm_pt_check() (managed: vm_pt_open()) */
	struct vfio_device *dev;
	struct pt *pt;
	bool attached;
	bool reclaimed; /* the host asked for it back (VFIO REQ) */
};

struct vm;

/* What woke the main loop, as --stats counts it. */
enum vm_wake {
	VM_WAKE_CONSOLE, /* input on stdin */
	VM_WAKE_WAKE,	 /* wake_fd: a stop request, or room in the UART's RX FIFO */
	VM_WAKE_SIGNAL,	 /* signal_fd */
	VM_WAKE_VFIO,	 /* a VFIO ERR or REQ notifier */
	VM_WAKE_OUTPUT,	 /* guest console output waits, or stdout takes more of it */
	VM_WAKE_NR,
};

/*
 * One fd the main loop polls, and what to do when it is ready for @events
 * (or hung up). A handler may set @fd to -1 to stop polling it for a
 * while, or for good; it must not block.
 */
struct vm_source {
	int fd;
	short events;	   /* POLLIN from vm_add_source(); stdout's is POLLOUT */
	enum vm_wake kind; /* the counter its wakeups go to */
	void (*handle)(struct vm *vm, struct vm_source *src);
	void *opaque;
};

/*
 * wake_fd, signal_fd, the console's stdin, its output wake and stdout, and
 * ERR and REQ of each passed-through device.
 */
#define VM_MAX_SOURCES (5 + 2 * OPTS_MAX_PASSTHROUGH)

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
	struct kvm_vfio kvm_vfio; /* fd -1 unless there are passthrough devices */
	int guard_fd; /* /dev/ptguard holding the --passthrough claims, or -1 */
	/* The devices ptvm moved to vfio-pci: given back after VFIO closes. */
	struct managed *managed;
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

	/* The main loop's table; only the main thread touches it and what follows. */
	struct vm_source src[VM_MAX_SOURCES];
	unsigned nr_src;
	uint64_t wakeups[VM_WAKE_NR]; /* sources found ready, by kind */
	struct vm_source *console_src;
	struct vm_source *stdout_src; /* polled for POLLOUT while console output waits */
	bool console_eof; /* stdin ended: the guest runs on without input */
	uint8_t in[256];  /* console input waiting for room in the UART's RX FIFO */
	size_t in_len;
};

/*
 * Build the whole VM from @cfg; on error everything is undone and logged.
 * -EINTR, not logged: a termination signal came during setup (signals.h),
 * which stopped at its next check; the signal is left pending.
 */
int vm_create(struct vm **out, const struct vm_config *cfg, const struct sys_ops *sys) __must_check;
/* Run until the guest stops; returns why. @msg gets the stop message. */
enum vm_stop_reason vm_run(struct vm *vm, const char **msg);
/*
 * --stats, after vm_run(): each vCPU's exits by kind and their sum, the
 * main loop's wakeups by kind, the console's output bytes written and
 * dropped, then each passed-through device's trapped accesses. One stable
 * line each on stderr, "ptvm: stats: ...", for scripts to grep.
 */
void vm_print_stats(const struct vm *vm);
void vm_destroy(struct vm *vm);

/* Ask the VM to stop (any thread). */
void vm_request_stop(void *opaque, enum vm_stop_reason why, const char *msg);

/*
 * Poll @fd in the main loop, its wakeups counted as @kind; before vm_run().
 * Returns the index in vm->src, or -ENOSPC when the table is full.
 */
int vm_add_source(struct vm *vm, int fd, enum vm_wake kind,
		  void (*handle)(struct vm *vm, struct vm_source *src), void *opaque) __must_check;
/* The main loop: poll every source until the VM is stopping. Run by vm_run(); tests call it. */
void vm_event_loop(struct vm *vm);

/* vm_loop.c: the main loop's fds (wake, signals, console in and out); last step of vm_create(). */
int vm_create_events(struct vm *vm) __must_check;
/* vm_loop.c: the guest drained its UART's RX FIFO (serial rx_ready callback). */
void vm_rx_ready(void *opaque);

/* vm_pt_host.c: what passed-through devices may ask of the VM. */
extern const struct pt_host_ops vm_pt_host_ops;

/* vm_pt.c: --passthrough devices. check before KVM; open after RAM; close after stop. */
int vm_pt_check(struct vm *vm) __must_check;
int vm_pt_open(struct vm *vm) __must_check;
void vm_pt_close(struct vm *vm);
/* vm_pt.c: size the 64-bit PCI window (also without devices); after vm_pt_open. */
int vm_pt_window(struct vm *vm) __must_check;
/*
 * Part of vm_pt_open(), apart for tests: attach the group of every
 * --passthrough device to vm->vfio and register each with KVM through the
 * KVM-VFIO device. vm_pt_close() undoes it.
 */
int vm_pt_open_groups(struct vm *vm) __must_check;
/*
 * Part of vm_pt_open(), apart for tests: poll @fd, the eventfd of notifier
 * @index (VFIO_PCI_ERR_IRQ_INDEX or VFIO_PCI_REQ_IRQ_INDEX) of @d, in the
 * main loop; when it fires the VM stops with VM_STOP_DEVICE and a line
 * naming the device and why. Nothing to do for @fd -1 (not offered).
 */
int vm_pt_watch(struct vm *vm, struct vm_pt_dev *d, unsigned index, int fd) __must_check;
void vm_pt_print_stats(const struct vm *vm);

/* vm_boot.c: map and check the kernel/initrd files (before any KVM work). */
int vm_boot_read(struct vm *vm) __must_check;
/* vm_boot.c: ACPI tables, zero page, kernel, initrd in guest RAM; BSP entry state. */
int vm_boot_setup(struct vm *vm, struct boot_entry *entry) __must_check;
void vm_boot_release(struct vm *vm);

#endif
