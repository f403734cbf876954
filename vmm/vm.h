/* SPDX-License-Identifier: GPL-2.0 */
/*
 * struct vm owns everything a guest needs: KVM, RAM, buses, devices, vCPUs.
 * Created in order, destroyed in reverse; setup (vm_create) is kept apart
 * from the run loop (vm_run) so privileges can later be dropped in between.
 *
 * Two sides. The host side (/dev/kvm, guest RAM, the VFIO container,
 * groups and device fds, the ptguard claim, managed bindings, the kernel
 * and initrd, the main loop's fds) lives as long as ptvm. The guest side
 * (the KVM VM with its irqchip and memslots, address spaces, device
 * models, passthrough models, vCPUs) lives one boot of the guest: a guest
 * reboot throws it away and builds it again from the host side
 * (vm_guest.c), opening nothing.
 */
#ifndef PTVM_VM_H
#define PTVM_VM_H

#include <pthread.h>

#include "boot/bzimage.h"
#include "boot/elf.h"
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
#include "pt/passthrough.h"
#include "vm_stats.h"
#include "api/api.h"
#include "pt/pt_host.h"
#include "vfio/sysfs.h"
#include "monitor_host.h"

struct serial;
struct vfio_container;
struct vfio_device;
struct pt;
struct pm;
struct pci_host;
struct pci_port;
struct managed;
struct vm;

/* A GSI of the in-kernel IOAPIC, as a struct irq_line for a device. */
struct vm_gsi {
	struct vm *vm;
	unsigned gsi;
	struct irq_line line;
};

/*
 * vm_device_del() and vm_device_add() report here, on the main thread,
 * once the guest let go of the device (it is back on the host) or powered
 * its slot on: @err 0, or -errno (-ECANCELED: the VM stopped first).
 */
typedef void vm_hotplug_done(void *opaque, const struct pci_bdf *bdf, int err);

/* What a root port's slot holds, as vm_hotplug.c moves it along. */
enum vm_slot_state {
	VM_SLOT_EMPTY,
	VM_SLOT_ADDING,	  /* in the slot; the guest was told and has not powered it yet */
	VM_SLOT_IN,	  /* in the slot */
	VM_SLOT_DELETING, /* the button was pressed; the guest has not let go yet */
};

/*
 * One root port of the guest (pci/port.h) and the device in its slot: a
 * --passthrough device (ports 0..nr_passthrough-1), one device-add brought,
 * or none.
 */
struct vm_pt_dev {
	struct pci_bdf bdf;
	char name[PCI_BDF_STRLEN];
	unsigned group; /* IOMMU group, from sysfs in vm_pt_check() (managed: vm_pt_open()) */
	struct vfio_device *dev;
	struct pt *pt;
	bool attached;			     /* in its port's slot (the guest side) */
	bool reclaimed;			     /* the host asked for it back (VFIO REQ) */
	struct pt_stats past;		     /* trapped accesses of the guest's earlier boots */
	struct vm_source *src_err, *src_req; /* its notifiers in vm->src, or NULL */

	/* The guest side: the port and its interrupt line, built every boot. */
	struct pci_port *port;
	unsigned slot;		/* the port's bus-0 device number, also its bus and slot number */
	struct vm_gsi port_irq; /* the port's INTA */
	/* The host side's hot-plug state (vm_hotplug.c). */
	enum vm_slot_state state;
	/* Set by a vCPU (the guest's slot power write) for the main loop: vm_hotplug.c. */
	int slot_off, slot_on;
	vm_hotplug_done *done;
	void *done_opaque;
	uint64_t deadline_ns; /* CLOCK_MONOTONIC when a request under way times out, or 0 */
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
 * wake_fd, signal_fd, the console's stdin, its output wake and stdout, ERR
 * and REQ of each passed-through device, the control socket's listener and
 * clients.
 */
#define VM_MAX_SOURCES (5 + 2 * OPTS_MAX_PASSTHROUGH + 1 + API_MAX_CLIENTS)

struct vm {
	const struct vm_config *cfg;
	const struct sys_ops *sys;
	/* The kernel and initrd files, mapped read-only while the VM is built. */
	void *kernel_map;
	size_t kernel_len;
	void *initrd_map;
	size_t initrd_len;
	struct bzimage bz;
	/*
	 * PVH boots (boot_mode BOOT_MODE_PVH): the ELF kernel, in kernel_map
	 * (--kernel vmlinux) or in vmlinux_map, the bzImage's payload
	 * decompressed (boot/kcache.h), which then replaces kernel_map.
	 */
	enum boot_mode boot_mode;
	struct elf_kernel elf;
	void *vmlinux_map;
	size_t vmlinux_len;
	struct kvm kvm;
	bool kvm_open;
	struct kvm_irq irq;
	bool irq_init;
	struct guest_mem mem;
	struct numa_choice numa; /* the node RAM and vCPUs go on, if any */
	struct as *mmio;	 /* guest-physical: RAM, chipset, BARs */
	struct as *pio;
	uint64_t mmio64_base, mmio64_size; /* the 64-bit PCI window (vm_pt.c sizes it) */
	struct console console;
	struct serial *serial;
	struct vm_gsi serial_irq;
	struct pm *pm;
	struct pci_host *pci;
	struct vfio_container *vfio;
	struct kvm_vfio kvm_vfio; /* fd -1 unless there are passthrough devices */
	int guard_fd;		  /* /dev/ptguard holding the --passthrough claims, or -1 */
	/* The devices ptvm moved to vfio-pci: given back after VFIO closes. */
	struct managed *managed;
	struct vm_pt_dev pt[OPTS_MAX_PASSTHROUGH]; /* [vm_nr_ports()]: one per root port */
	unsigned nr_pt;				   /* of them, opened by vm_pt_open() */
	/* [cfg->cpus], kept across reboots with their counters; kv.fd -1 when not created. */
	struct vcpu *vcpus;
	unsigned nr_vcpus;
	struct vcpu_env env;
	unsigned reboots;      /* guest restarts so far */
	struct vcpu_gate gate; /* pause and resume (the control socket) */
	uint64_t start_ns;     /* CLOCK_MONOTONIC when vm_run() started the vCPUs */
	/* --api-socket; the client sources follow the listener's in vm->src. */
	struct api_server *api;
	int api_src;

	/* Stopping: first reason wins (vm_request_stop()). The main loop sleeps on wake_fd. */
	pthread_mutex_t stop_lock;
	volatile int stopping;
	enum vm_stop_reason stop_reason;
	char stop_msg[256];
	int wake_fd;
	int signal_fd;
	/*
	 * Hot-plug's host half (vm_host.c): the request channel to the
	 * monitor (sandboxed), or -1 and the requests' other side here.
	 */
	int mon_fd;
	struct monitor_host *host;
	struct monitor_env host_env;
	uint32_t host_seq;

	/* The main loop's table; only the main thread touches it and what follows. */
	struct vm_source src[VM_MAX_SOURCES];
	unsigned nr_src;
	uint64_t wakeups[VM_WAKE_NR]; /* sources found ready, by kind */
	struct vm_source *console_src;
	struct vm_source *stdout_src; /* polled for POLLOUT while console output waits */
	bool console_eof;	      /* stdin ended: the guest runs on without input */
	uint8_t in[256];	      /* console input waiting for room in the UART's RX FIFO */
	size_t in_len;
};

/*
 * Everything before KVM_CREATE_VM: the input files, the --passthrough
 * checks, RAM layout and placement, /dev/kvm and its limits, and last the
 * managed devices' move to vfio-pci. On error everything is undone and
 * logged. With the sandbox the monitor runs it, then forks the VM process
 * (monitor.h), which runs vm_build(): a KVM VM belongs to the mm that
 * creates it. Here, in vm_build() and in vm_create(): -EINTR, not logged,
 * when a termination signal came during setup (signals.h), which stopped
 * at its next check; the signal is left pending.
 */
int vm_prepare(struct vm **out, const struct vm_config *cfg,
	       const struct sys_ops *sys) __must_check;
/*
 * The rest, in the process that will run the guest: the KVM VM, RAM, the
 * address spaces, devices, VFIO and ptguard, DMA maps, boot state, vCPUs,
 * the main loop's fds. On error (logged) vm_destroy() undoes it all.
 */
int vm_build(struct vm *vm) __must_check;
/* vm_prepare() and vm_build() in one process; on error everything is undone and logged. */
int vm_create(struct vm **out, const struct vm_config *cfg, const struct sys_ops *sys) __must_check;
/*
 * The monitor's copy after the fork: closes /dev/kvm and the control
 * socket's fds, frees the boot files and @vm. Returns the managed devices
 * and the control socket, which the monitor gives back
 * (managed_reattach()) and removes (api_server_destroy()) once the VM
 * process is gone.
 */
void vm_hand_over(struct vm *vm, struct managed **managed, struct api_server **api);
/* The VM process's copy: the managed devices and the socket file are the monitor's. */
void vm_leave_to_monitor(struct vm *vm);
/*
 * Run until the guest stops; returns why. @msg gets the stop message. A
 * guest reboot or triple fault restarts it (vm_reboot()) unless
 * --on-reboot exit; then it is what ends the run.
 */
enum vm_stop_reason vm_run(struct vm *vm, const char **msg);
/* vm_stats.c: ptvm's counters now (main thread, any time after vm_create()). */
void vm_get_stats(const struct vm *vm, struct vm_stats *st);
/* --stats, after vm_run(): vm_get_stats() through vm_stats_print() on stderr. */
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
/* Stop polling @src (of vm->src; NULL is a no-op); its slot may be reused. */
void vm_del_source(struct vm *vm, struct vm_source *src);
/* The main loop: poll every source until the VM is stopping. Run by vm_run(); tests call it. */
void vm_event_loop(struct vm *vm);

/*
 * vm_loop.c: one pass of the main loop: poll every source, waiting up to
 * @timeout_ms (-1: until one is ready), and run the handlers of the ready
 * ones. False when poll() failed (the VM is then stopping).
 */
bool vm_event_pass(struct vm *vm, int timeout_ms);

/* vm_loop.c: the main loop's fds (wake, signals, console in and out); last step of vm_create(). */
int vm_create_events(struct vm *vm) __must_check;
/* vm_loop.c: the guest drained its UART's RX FIFO (serial rx_ready callback). */
void vm_rx_ready(void *opaque);

/* vm_pt_host.c: what passed-through devices may ask of the VM. */
extern const struct pt_host_ops vm_pt_host_ops;

/*
 * vm_port.c: the root ports (guest side), one per --passthrough device
 * and --hotplug-slots more, at 00:01.0 onwards on bus 0; built after the
 * PCI host, destroyed before it, once vm_pt_detach() emptied their slots.
 */
int vm_ports_create(struct vm *vm) __must_check;
/* What the 64-bit window keeps for an empty port (vm_pt_window()). */
#define VM_PORT_PREF_RESERVE SZ_2M
void vm_ports_destroy(struct vm *vm);

/*
 * vm_hotplug.c, main thread only. Hot-unplug: press the Attention Button
 * of the slot holding the passed-through @bdf; the guest's pciehp lets
 * go of it (Linux waits 5 s first) and powers the slot off, then ptvm
 * resets it, closes it, has ptguard release it and, if ptvm moved it to
 * vfio-pci, gives it back to its driver, and calls @done. 0: under way;
 * -ENODEV: no such device in the guest; -EBUSY: it is being added or
 * deleted already. A guest that has not let go after
 * API_HOTPLUG_TIMEOUT_MS: @done gets -ETIMEDOUT, the device stays.
 */
int vm_device_del(struct vm *vm, const struct pci_bdf *bdf, vm_hotplug_done *done,
		  void *opaque) __must_check;
/*
 * Hot-plug @bdf into an empty slot: moved to vfio-pci (unless
 * --unmanaged), claimed from ptguard, opened, reset, then the slot reports
 * a card and the guest is asked to power it on; @done when it has. 0:
 * under way (@done follows); -ENOSPC: no empty slot; -EEXIST: the guest
 * has it already; other -errno: refused or failed, logged, nothing left
 * changed. A guest that has not powered the slot on after
 * API_HOTPLUG_TIMEOUT_MS: @done gets -ETIMEDOUT, the device stays in the slot.
 */
int vm_device_add(struct vm *vm, const struct pci_bdf *bdf, vm_hotplug_done *done,
		  void *opaque) __must_check;
/* vm_hotplug.c: the main loop's part, after a vCPU saw the guest power a slot. */
void vm_hotplug_poll(struct vm *vm);
/*
 * vm_hotplug.c, after each pass of the main loop: end the requests whose
 * guest did not answer in time (-ETIMEDOUT); the milliseconds until the
 * next deadline, -1 if none (poll()'s timeout).
 */
int vm_hotplug_expire(struct vm *vm);
/* vm_hotplug.c: the pci_port_ops of every port. */
extern const struct pci_port_ops vm_port_ops;
/* vm_hotplug.c: after the vCPUs stopped: requests still pending end with -ECANCELED. */
void vm_hotplug_cancel(struct vm *vm);
/*
 * vm_host.c, hot-plug's privileged half (monitor_host.h), main thread:
 * add: @bdf moved to vfio-pci and checked, its IOMMU group in *@group and
 * the group's fd in *@group_fd (-1: the VM holds that group already); a
 * container and a guard file adopted into vm->vfio and vm->guard_fd if
 * the VM had none. give_back: @bdf released, back to its driver. Each
 * 0 or -errno (the refusal's, logged where it was made).
 */
int vm_host_add(struct vm *vm, const struct pci_bdf *bdf, unsigned *group,
		int *group_fd) __must_check;
int vm_host_give_back(struct vm *vm, const struct pci_bdf *bdf) __must_check;
/* vm_host.c: what the VM holds at start (its --passthrough devices) into @h. */
int vm_host_record(const struct vm *vm, struct monitor_host *h) __must_check;
void vm_host_free(struct vm *vm);

/*
 * vm_guest.c: the guest side. vm_guest_create_vm: the KVM VM and its
 * routing table. vm_guest_build: everything else, on the host side's fds
 * (vm_pt_open() done). vm_guest_destroy: all of it, in reverse, whatever
 * was built; returns the first error of the passed devices' resets (all
 * is undone anyway). Each logs its own errors.
 */
int vm_guest_create_vm(struct vm *vm) __must_check;
int vm_guest_build(struct vm *vm) __must_check;
int vm_guest_destroy(struct vm *vm);
/*
 * vm_guest.c: the guest rebooted (@why: its stop message): say so, tear
 * the guest side down, reset the passed devices, clear RAM, build the
 * guest side again. The stop state must be clear. 0: ready to run; else
 * the VM is stopped with VM_STOP_ERROR and a message, the guest side gone.
 */
int vm_reboot(struct vm *vm, const char *why) __must_check;

/*
 * vm_pt.c: --passthrough devices. check before KVM; move (managed: to
 * vfio-pci) at the end of vm_prepare(); open (the host side, and the
 * groups registered with the first VM) after RAM and the VM; close after
 * stop.
 */
int vm_pt_check(struct vm *vm) __must_check;
int vm_pt_move(struct vm *vm) __must_check;
int vm_pt_open(struct vm *vm) __must_check;
void vm_pt_close(struct vm *vm);
/*
 * vm_pt.c, the guest side of the devices opened: register every group of
 * the container with a KVM-VFIO device of the current VM; put each device
 * on the guest's PCI bus (a passthrough model, reset before the first
 * boot); and detach: take each off the bus, reset it (not one the host is
 * taking back), destroy its model, then the KVM-VFIO device. detach
 * returns the first reset error, having done everything.
 */
int vm_pt_register(struct vm *vm) __must_check;
int vm_pt_attach(struct vm *vm) __must_check;
int vm_pt_detach(struct vm *vm);
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

/*
 * vm_api.c: --api-socket: create and bind the socket (setup, before any
 * device moves) and poll it in the main loop; nothing without the option.
 * vm_destroy() closes and unlinks it.
 */
int vm_api_open(struct vm *vm) __must_check;

/*
 * vm_pt.c, one device, for hot-plug as for start. The host side: open
 * port @d's device (d->bdf and d->group set) through vm->vfio and watch
 * its notifiers; close it. The guest side: a passthrough model of it,
 * reset (but at @cold start after a reboot: vm_pt_detach() just did),
 * in its port's slot (@cold: as firmware leaves it, else announced to
 * the guest); detach: out of the slot, reset (not one the host is taking
 * back), the model destroyed; @live: the vCPUs run, so first out of the
 * address spaces and every trapped access that began waited for. The
 * first reset error goes to *@err if it is 0 (@err may be NULL). None of
 * them touches ptguard or managed mode.
 */
int vm_pt_dev_open(struct vm *vm, struct vm_pt_dev *d) __must_check;
void vm_pt_dev_close(struct vm *vm, struct vm_pt_dev *d);
int vm_pt_dev_attach(struct vm *vm, struct vm_pt_dev *d, bool cold) __must_check;
void vm_pt_dev_detach(struct vm *vm, struct vm_pt_dev *d, bool live, int *err);

/* The root ports: one per --passthrough device, and --hotplug-slots more. */
static inline unsigned vm_nr_ports(const struct vm *vm)
{
	return vm->cfg ? vm->cfg->nr_passthrough + vm->cfg->hotplug_slots : 0;
}

/* vm_boot.c: read and check the kernel/initrd files (before any KVM work); kept in memory. */
int vm_boot_read(struct vm *vm) __must_check;
/* vm_boot.c: ACPI tables, zero page, kernel, initrd in guest RAM; BSP entry state. */
int vm_boot_setup(struct vm *vm, struct boot_entry *entry) __must_check;
void vm_boot_release(struct vm *vm);

#endif
