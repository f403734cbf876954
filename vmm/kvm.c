// SPDX-License-Identifier: GPL-2.0
/* KVM system, VM and vCPU ioctls (Documentation/virt/kvm/api.rst). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "kvm.h"

/*
 * KVM on Intel needs a 3-page TSS and a 1-page identity map somewhere in
 * guest-physical space that is neither RAM nor MMIO; just below the 4 GiB
 * boundary's firmware area is where every x86 VMM puts them.
 */
#define KVM_TSS_ADDR	  0xfffbd000ULL
#define KVM_IDMAP_ADDR	  0xfffbc000ULL
#define KVM_CPUID_ENTRIES 256

static int kvm_ioctl(struct kvm *k, int fd, unsigned long req, void *arg, const char *name)
{
	int ret = k->sys->ioctl(fd, req, arg);

	if (ret < 0)
		log_err("kvm: %s: %s", name, strerror(-ret));
	return ret;
}

static int kvm_check(struct kvm *k, long cap)
{
	int ret = k->sys->ioctl(k->dev_fd, KVM_CHECK_EXTENSION, (void *)cap);

	return ret < 0 ? 0 : ret;
}

static int kvm_get_cpuid(struct kvm *k)
{
	size_t sz = sizeof(*k->cpuid) + KVM_CPUID_ENTRIES * sizeof(k->cpuid->entries[0]);
	int ret;

	k->cpuid = calloc(1, sz);
	if (!k->cpuid)
		return -ENOMEM;
	k->cpuid->nent = KVM_CPUID_ENTRIES;
	ret = kvm_ioctl(k, k->dev_fd, KVM_GET_SUPPORTED_CPUID, k->cpuid, "KVM_GET_SUPPORTED_CPUID");
	if (ret < 0) {
		free(k->cpuid);
		k->cpuid = NULL;
		return ret;
	}
	return 0;
}

int kvm_open(struct kvm *k, const struct sys_ops *sys, const char *path)
{
	static const struct {
		long cap;
		const char *name;
	} required[] = {
		{KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP"},
		{KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY"},
		{KVM_CAP_SET_TSS_ADDR, "KVM_CAP_SET_TSS_ADDR"},
		{KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID"},
		{KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT"},
	};
	int ret;

	memset(k, 0, sizeof(*k));
	k->sys = sys;
	k->vm_fd = -1;
	k->dev_fd = sys->open(path, O_RDWR);
	if (k->dev_fd < 0) {
		ret = k->dev_fd;
		log_err("kvm: cannot open %s: %s%s", path, strerror(-ret),
			ret == -ENOENT	 ? " (is the kvm module loaded?)"
			: ret == -EACCES ? " (add yourself to the kvm group)"
					 : "");
		return ret;
	}
	ret = sys->ioctl(k->dev_fd, KVM_GET_API_VERSION, NULL);
	if (ret != KVM_API_VERSION) {
		log_err("kvm: %s speaks API version %d, ptvm needs %d", path, ret, KVM_API_VERSION);
		ret = -ENOTSUP;
		goto err_close;
	}
	for (unsigned i = 0; i < ARRAY_SIZE(required); i++) {
		if (!kvm_check(k, required[i].cap)) {
			log_err("kvm: %s lacks %s", path, required[i].name);
			ret = -ENOTSUP;
			goto err_close;
		}
	}
	k->run_size = sys->ioctl(k->dev_fd, KVM_GET_VCPU_MMAP_SIZE, NULL);
	if (k->run_size < (int)sizeof(struct kvm_run)) {
		log_err("kvm: KVM_GET_VCPU_MMAP_SIZE: bad size %d", k->run_size);
		ret = -EINVAL;
		goto err_close;
	}
	k->max_vcpus = kvm_check(k, KVM_CAP_MAX_VCPUS);
	if (!k->max_vcpus)
		k->max_vcpus = kvm_check(k, KVM_CAP_NR_VCPUS);
	if (!k->max_vcpus)
		k->max_vcpus = 4; /* api.rst: assume 4 when KVM_CAP_NR_VCPUS is absent */
	k->tsc_deadline = kvm_check(k, KVM_CAP_TSC_DEADLINE_TIMER) > 0;
	k->nr_slots = MIN(kvm_check(k, KVM_CAP_NR_MEMSLOTS), KVM_MAX_SLOTS);
	if (k->nr_slots <= 0)
		k->nr_slots = 32; /* api.rst: the historical minimum */
	ret = kvm_get_cpuid(k);
	if (ret)
		goto err_close;
	return 0;

err_close:
	sys->close(k->dev_fd);
	k->dev_fd = -1;
	return ret;
}

int kvm_create_vm(struct kvm *k, bool irqchip)
{
	struct kvm_pit_config pit = {.flags = 0};
	int ret;

	ret = kvm_ioctl(k, k->dev_fd, KVM_CREATE_VM, NULL, "KVM_CREATE_VM");
	if (ret < 0)
		return ret;
	k->vm_fd = ret;
	ret = kvm_ioctl(k, k->vm_fd, KVM_SET_TSS_ADDR, (void *)KVM_TSS_ADDR, "KVM_SET_TSS_ADDR");
	if (ret < 0)
		return ret;
	if (kvm_check(k, KVM_CAP_SET_IDENTITY_MAP_ADDR)) {
		__u64 idmap = KVM_IDMAP_ADDR;

		ret = kvm_ioctl(k, k->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &idmap,
				"KVM_SET_IDENTITY_MAP_ADDR");
		if (ret < 0)
			return ret;
	}
	if (!irqchip)
		return 0;
	/* IOAPIC + PIC + per-vCPU LAPIC in the kernel: interrupts never need ptvm. */
	ret = kvm_ioctl(k, k->vm_fd, KVM_CREATE_IRQCHIP, NULL, "KVM_CREATE_IRQCHIP");
	if (ret < 0)
		return ret;
	ret = kvm_ioctl(k, k->vm_fd, KVM_CREATE_PIT2, &pit, "KVM_CREATE_PIT2");
	return ret < 0 ? ret : 0;
}

void kvm_destroy_vm(struct kvm *k)
{
	if (k->vm_fd >= 0)
		k->sys->close(k->vm_fd);
	k->vm_fd = -1;
}

void kvm_close(struct kvm *k)
{
	kvm_destroy_vm(k);
	if (k->dev_fd >= 0)
		k->sys->close(k->dev_fd);
	k->dev_fd = -1;
	free(k->cpuid);
	k->cpuid = NULL;
}

int kvm_set_memslot(struct kvm *k, unsigned slot, uint64_t gpa, uint64_t size, void *hva)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uintptr_t)hva,
	};
	/*
	 * Not logged here: a guest moving a BAR beyond what KVM accepts gets
	 * this refused at will, and the address space (as_commit.c) reports it
	 * rate-limited, with the region's name, before trapping it instead.
	 */
	int ret = k->sys->ioctl(k->vm_fd, KVM_SET_USER_MEMORY_REGION, &r);

	return ret < 0 ? ret : 0;
}

int kvm_irq_line(struct kvm *k, unsigned gsi, int level)
{
	struct kvm_irq_level l = {.irq = gsi, .level = level};
	int ret = kvm_ioctl(k, k->vm_fd, KVM_IRQ_LINE, &l, "KVM_IRQ_LINE");

	return ret < 0 ? ret : 0;
}

int kvm_signal_msi(struct kvm *k, uint64_t addr, uint32_t data)
{
	struct kvm_msi m = {
		.address_lo = (uint32_t)addr,
		.address_hi = addr >> 32,
		.data = data,
	};
	int ret = kvm_ioctl(k, k->vm_fd, KVM_SIGNAL_MSI, &m, "KVM_SIGNAL_MSI");

	return ret < 0 ? ret : 0;
}

int kvm_vcpu_create(struct kvm *k, unsigned id, struct kvm_vcpu *v)
{
	int err = 0;

	v->id = id;
	v->fd = kvm_ioctl(k, k->vm_fd, KVM_CREATE_VCPU, (void *)(uintptr_t)id, "KVM_CREATE_VCPU");
	if (v->fd < 0)
		return v->fd;
	v->run = k->sys->mmap(k->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0, &err);
	if (!v->run) {
		log_err("kvm: mmap of vCPU %u run area: %s", id, strerror(-err));
		k->sys->close(v->fd);
		v->fd = -1;
		return err;
	}
	return 0;
}

void kvm_vcpu_destroy(struct kvm *k, struct kvm_vcpu *v)
{
	if (v->run)
		k->sys->munmap(v->run, k->run_size);
	if (v->fd >= 0)
		k->sys->close(v->fd);
	v->run = NULL;
	v->fd = -1;
}

int kvm_vcpu_run(struct kvm *k, struct kvm_vcpu *v)
{
	int ret = k->sys->ioctl(v->fd, KVM_RUN, NULL);

	if (ret < 0 && ret != -EINTR && ret != -EAGAIN)
		log_err("kvm: vCPU %u: KVM_RUN: %s", v->id, strerror(-ret));
	return ret < 0 ? ret : 0;
}

int kvm_vfio_create(struct kvm *k, struct kvm_vfio *kv)
{
	struct kvm_create_device dev = {.type = KVM_DEV_TYPE_VFIO};
	int ret;

	kvm_vfio_init(kv);
	ret = kvm_ioctl(k, k->vm_fd, KVM_CREATE_DEVICE, &dev,
			"KVM_CREATE_DEVICE(KVM_DEV_TYPE_VFIO)");
	if (ret < 0)
		return ret;
	kv->kvm = k;
	kv->fd = (int)dev.fd;
	return 0;
}

/* KVM_SET_DEVICE_ATTR in group KVM_DEV_VFIO_GROUP; @name is @attr's for the log line. */
static int kvm_vfio_group_attr(struct kvm_vfio *kv, uint64_t attr, const char *name, int group_fd,
			       unsigned id)
{
	/* vfio.rst: addr points to an int32_t holding the group fd. */
	int32_t fd = group_fd;
	struct kvm_device_attr a = {
		.group = KVM_DEV_VFIO_GROUP,
		.attr = attr,
		.addr = (uintptr_t)&fd,
	};
	int ret = kv->kvm->sys->ioctl(kv->fd, KVM_SET_DEVICE_ATTR, &a);

	if (ret < 0)
		log_err("kvm: KVM_SET_DEVICE_ATTR(%s) of /dev/vfio/%u: %s", name, id,
			strerror(-ret));
	return ret < 0 ? ret : 0;
}

int kvm_vfio_add_group(struct kvm_vfio *kv, int group_fd, unsigned id)
{
	int ret;

	if (kv->nr_groups == ARRAY_SIZE(kv->groups)) {
		log_err("kvm: KVM_DEV_VFIO_GROUP_ADD of /dev/vfio/%u: more than %zu groups", id,
			ARRAY_SIZE(kv->groups));
		return -ENOSPC;
	}
	ret = kvm_vfio_group_attr(kv, KVM_DEV_VFIO_GROUP_ADD, "KVM_DEV_VFIO_GROUP_ADD", group_fd,
				  id);
	if (ret)
		return ret;
	kv->groups[kv->nr_groups].fd = group_fd;
	kv->groups[kv->nr_groups].id = id;
	kv->nr_groups++;
	return 0;
}

void kvm_vfio_del_group(struct kvm_vfio *kv, int group_fd)
{
	for (unsigned i = 0; kv->fd >= 0 && i < kv->nr_groups; i++) {
		if (kv->groups[i].fd != group_fd)
			continue;
		(void)!kvm_vfio_group_attr(kv, KVM_DEV_VFIO_GROUP_DEL, "KVM_DEV_VFIO_GROUP_DEL",
					   group_fd, kv->groups[i].id);
		kv->groups[i] = kv->groups[--kv->nr_groups];
		return;
	}
}

void kvm_vfio_destroy(struct kvm_vfio *kv)
{
	if (kv->fd < 0)
		return;
	/*
	 * Before Linux 6.2 the KVM-VFIO device lives until the VM is destroyed
	 * (its ops have .destroy, not .release) and keeps a reference on every
	 * group it was given: only GROUP_DEL lets a group go when its fd closes.
	 */
	while (kv->nr_groups) {
		unsigned i = --kv->nr_groups;

		(void)!kvm_vfio_group_attr(kv, KVM_DEV_VFIO_GROUP_DEL, "KVM_DEV_VFIO_GROUP_DEL",
					   kv->groups[i].fd, kv->groups[i].id);
	}
	kv->kvm->sys->close(kv->fd);
	kv->fd = -1;
}
