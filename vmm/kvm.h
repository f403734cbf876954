/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every KVM ioctl ptvm issues lives behind these functions (x86-64 only).
 * Each returns 0 or -errno and logs once with the ioctl's name.
 */
#ifndef PTVM_KVM_H
#define PTVM_KVM_H

#include <linux/kvm.h>

#include <pthread.h>

#include "sys.h"
#include "util.h"

struct boot_entry;

#define KVM_MAX_SLOTS 512 /* ptvm's bound; KVM may allow fewer */

struct kvm {
	const struct sys_ops *sys;
	int dev_fd; /* /dev/kvm */
	int vm_fd;
	int run_size; /* bytes to mmap per vCPU for struct kvm_run */
	int max_vcpus;
	bool tsc_deadline;	  /* KVM_CAP_TSC_DEADLINE_TIMER */
	int nr_slots;		  /* KVM_CAP_NR_MEMSLOTS */
	struct kvm_cpuid2 *cpuid; /* KVM_GET_SUPPORTED_CPUID template */
};

struct kvm_vcpu {
	unsigned id;
	int fd;
	struct kvm_run *run;
};

/* Open /dev/kvm, check the API version and capabilities ptvm relies on. */
int kvm_open(struct kvm *k, const struct sys_ops *sys, const char *path) __must_check;
/*
 * Create the VM. With @irqchip, also the in-kernel IOAPIC/PIC/LAPIC and PIT
 * (then HLT never exits to ptvm); without, HLT exits (used by the smoke test).
 */
int kvm_create_vm(struct kvm *k, bool irqchip) __must_check;
/*
 * Close the VM (its memslots, irqchip and devices go with it; vCPU fds
 * first), keeping /dev/kvm open for the next kvm_create_vm(). No-op without a VM.
 */
void kvm_destroy_vm(struct kvm *k);
/* kvm_destroy_vm() and close /dev/kvm. */
void kvm_close(struct kvm *k);

/*
 * KVM_SET_USER_MEMORY_REGION: memslot @slot maps @size bytes at @hva to
 * guest-physical @gpa; @size 0 deletes it. The guest address space (as.c)
 * decides which slots exist.
 */
int kvm_set_memslot(struct kvm *k, unsigned slot, uint64_t gpa, uint64_t size,
		    void *hva) __must_check;
int kvm_irq_line(struct kvm *k, unsigned gsi, int level) __must_check;
/* KVM_SIGNAL_MSI: inject the MSI (@addr, @data) once, for an emulated device. */
int kvm_signal_msi(struct kvm *k, uint64_t addr, uint32_t data) __must_check;

/* The guest's physical-address width, from KVM's CPUID (0x80000008). */
unsigned kvm_phys_bits(const struct kvm *k);

int kvm_vcpu_create(struct kvm *k, unsigned id, struct kvm_vcpu *v) __must_check;
void kvm_vcpu_destroy(struct kvm *k, struct kvm_vcpu *v);
/* CPUID for a vCPU: KVM's supported set with this CPU's APIC ID (its index). */
int kvm_vcpu_set_cpuid(struct kvm *k, struct kvm_vcpu *v) __must_check;
/* Registers for the 64-bit boot protocol entry described by @e. */
int kvm_vcpu_set_boot_regs(struct kvm *k, struct kvm_vcpu *v,
			   const struct boot_entry *e) __must_check;
/*
 * "rip 0x... rsp 0x... cr0 0x... cr3 0x... cr4 0x... efer 0x..." of a stopped
 * vCPU into @buf, for the one line that reports a fatal exit.
 */
int kvm_vcpu_describe(struct kvm *k, struct kvm_vcpu *v, char *buf, size_t len) __must_check;
/* One KVM_RUN; -EINTR when kicked by a signal. */
int kvm_vcpu_run(struct kvm *k, struct kvm_vcpu *v) __must_check;

/*
 * The KVM-VFIO pseudo device (Documentation/virt/kvm/devices/vfio.rst), one
 * per VM: every VFIO group the guest uses is registered with it, so KVM
 * knows whether any of them can do non-coherent DMA (then it honours the
 * guest's memory types and WBINVD instead of forcing write-back), and VFIO
 * can hand the kvm pointer to the drivers of the group's devices.
 */
#define KVM_VFIO_MAX_GROUPS 16

struct kvm_vfio {
	struct kvm *kvm;
	int fd; /* from KVM_CREATE_DEVICE, or -1 */
	/* The groups registered, for KVM_DEV_VFIO_GROUP_DEL at teardown. */
	struct {
		int fd;
		unsigned id; /* /dev/vfio/<id>, for log lines */
	} groups[KVM_VFIO_MAX_GROUPS];
	unsigned nr_groups;
};

/* KVM_CREATE_DEVICE(KVM_DEV_TYPE_VFIO) on the VM of @k; needs kvm_create_vm() done. */
int kvm_vfio_create(struct kvm *k, struct kvm_vfio *kv) __must_check;
/*
 * KVM_DEV_VFIO_GROUP_ADD of the group fd @group_fd (/dev/vfio/@id, named in
 * the log line on error). Do it before the group's devices are opened: VFIO
 * gives a device's driver the group's kvm pointer when the device is first
 * opened.
 */
int kvm_vfio_add_group(struct kvm_vfio *kv, int group_fd, unsigned id) __must_check;
/*
 * KVM_DEV_VFIO_GROUP_DEL of the group fd @group_fd (hot-unplug of its last
 * device), before the fd closes: until then KVM holds the group (below).
 * Not registered: nothing to do.
 */
void kvm_vfio_del_group(struct kvm_vfio *kv, int group_fd);
/*
 * KVM_DEV_VFIO_GROUP_DEL of every group added, last first, then close the
 * device. Call it before the group fds close. Safe on a kvm_vfio whose
 * create failed or never ran, as long as fd is -1 (kvm_vfio_init()).
 */
void kvm_vfio_destroy(struct kvm_vfio *kv);

static inline void kvm_vfio_init(struct kvm_vfio *kv)
{
	kv->kvm = NULL;
	kv->fd = -1;
	kv->nr_groups = 0;
}

#endif
