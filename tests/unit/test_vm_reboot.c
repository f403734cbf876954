// SPDX-License-Identifier: GPL-2.0
/*
 * A guest reboot (vm_guest.c) against a fake kernel: KVM's ioctls here,
 * VFIO's from vfio_fake.h, one passed-through device on a fake sysfs. The
 * guest side goes and comes back in order, on the fds the host side holds
 * (nothing opened, no host fd closed, the DMA maps untouched); the device
 * is reset once per reboot, before RAM is cleared, and RAM is cleared
 * before the new VM exists; an error on the way stops the VM with one
 * message and leaves no guest side behind.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "boot/pvh.h"
#include "boot_fixture.h"
#include "elf_fixture.h"
#include "layout.h"
#include "log_capture.h"
#include "pci/cfg.h"
#include "vfio/container.h"
#include "vfio/device.h"
#include "vm.h"
#include "vfio_fake.h"
#include "vfio_fake_sysfs.h"

#define BDF	   "0000:00:03.0"
#define GROUP	   3
#define MARK_GPA   0x900000ULL /* RAM no boot structure uses */
#define MARK	   0x4b52414d44454f4cULL
#define KERNEL_LEN 0x3000
#define RUN_SIZE   0x3000

/* What a fake fd is, for the close events. */
enum fd_kind { FD_VFIO, FD_KVM, FD_VM, FD_VCPU, FD_KVM_VFIO };

static const char *const close_names[] = {
	[FD_VFIO] = "close vfio", [FD_KVM] = "close /dev/kvm",	    [FD_VM] = "close vm",
	[FD_VCPU] = "close vcpu", [FD_KVM_VFIO] = "close kvm-vfio",
};

static struct {
	enum fd_kind kind[FV_MAX_FDS];
	const char *ev[256];
	unsigned nr_ev;
	unsigned nr_create_vcpu;
	unsigned fail_vcpu_at; /* 1-based KVM_CREATE_VCPU that fails with -ENOMEM */
	int reset_ret;	       /* what VFIO_DEVICE_RESET answers */
	uint8_t cfg[256];      /* the device's config space */
	struct guest_mem *mem; /* to look at RAM when the kernel is asked things */
} fk;

static void fk_event(const char *what)
{
	if (fk.nr_ev < ARRAY_SIZE(fk.ev))
		fk.ev[fk.nr_ev++] = what;
}

static bool fk_marked(void)
{
	return *(uint64_t *)mem_ptr(fk.mem, MARK_GPA, 8) == MARK;
}

static int fk_new_fd(enum fd_kind kind)
{
	int fd = fv_new_fd();

	if (fd >= 0)
		fk.kind[fd - FV_FIRST_FD] = kind;
	return fd;
}

static int fk_open(const char *path, int flags)
{
	fk_event("open");
	if (!strcmp(path, "/dev/kvm"))
		return fk_new_fd(FD_KVM);
	return fv_open(path, flags);
}

static int fk_close(int fd)
{
	enum fd_kind k = fk.kind[fd - FV_FIRST_FD];

	fk_event(close_names[k]);
	fk.kind[fd - FV_FIRST_FD] = FD_VFIO;
	return fv_close(fd);
}

static int fk_kvm_check(long cap)
{
	switch (cap) {
	case KVM_CAP_NR_MEMSLOTS:
		return 32;
	case KVM_CAP_MAX_VCPUS:
		return 8;
	case KVM_CAP_IRQ_ROUTING:
		return 1024;
	default:
		return 1;
	}
}

static int fk_ioctl(int fd, unsigned long req, void *arg)
{
	switch (req) {
	case KVM_GET_API_VERSION:
		return KVM_API_VERSION;
	case KVM_CHECK_EXTENSION:
		return fk_kvm_check((long)arg);
	case KVM_GET_VCPU_MMAP_SIZE:
		return RUN_SIZE;
	case KVM_GET_SUPPORTED_CPUID:
		((struct kvm_cpuid2 *)arg)->nent = 1;
		((struct kvm_cpuid2 *)arg)->entries[0] = (struct kvm_cpuid_entry2){.eax = 0xd};
		return 0;
	case KVM_CREATE_VM:
		fk_event(fk_marked() ? "KVM_CREATE_VM, RAM not cleared" : "KVM_CREATE_VM");
		return fk_new_fd(FD_VM);
	case KVM_CREATE_IRQCHIP:
		fk_event("KVM_CREATE_IRQCHIP");
		return 0;
	case KVM_SET_USER_MEMORY_REGION:
		fk_event(((struct kvm_userspace_memory_region *)arg)->memory_size ? "memslot add"
										  : "memslot del");
		return 0;
	case KVM_CREATE_DEVICE:
		fk_event("KVM_CREATE_DEVICE");
		((struct kvm_create_device *)arg)->fd = fk_new_fd(FD_KVM_VFIO);
		return 0;
	case KVM_SET_DEVICE_ATTR:
		fk_event(((struct kvm_device_attr *)arg)->attr == KVM_DEV_VFIO_GROUP_ADD
				 ? "KVM_DEV_VFIO_GROUP_ADD"
				 : "KVM_DEV_VFIO_GROUP_DEL");
		return 0;
	case KVM_CREATE_VCPU:
		fk_event("KVM_CREATE_VCPU");
		if (++fk.nr_create_vcpu == fk.fail_vcpu_at)
			return -ENOMEM;
		return fk_new_fd(FD_VCPU);
	case KVM_SET_REGS:
		fk_event("KVM_SET_REGS");
		return 0;
	case KVM_SET_TSS_ADDR:
	case KVM_SET_IDENTITY_MAP_ADDR:
	case KVM_CREATE_PIT2:
	case KVM_SET_CPUID2:
	case KVM_GET_SREGS:
	case KVM_SET_SREGS:
	case KVM_SET_FPU:
	case KVM_SET_GSI_ROUTING:
	case KVM_IRQFD:
	case KVM_IRQ_LINE:
		return 0;
	case VFIO_DEVICE_RESET:
		fk_event(fk_marked() ? "VFIO_DEVICE_RESET"
				     : "VFIO_DEVICE_RESET, RAM already cleared");
		fv_ioctl(fd, req, arg);
		return fk.reset_ret;
	default:
		return fv_ioctl(fd, req, arg);
	}
}

/* vCPU run areas are real memory; BAR mmaps are the VFIO fake's. */
static void *fk_mmap(size_t len, int prot, int flags, int fd, off_t off, int *err)
{
	if (fd >= FV_FIRST_FD && fk.kind[fd - FV_FIRST_FD] == FD_VCPU)
		return calloc(1, len);
	return fv_mmap(len, prot, flags, fd, off, err);
}

static int fk_munmap(void *addr, size_t len)
{
	if ((uintptr_t)addr < FV_MAP_BASE)
		free(addr);
	else
		fv_munmap(addr, len);
	return 0;
}

static bool fk_is_cfg(off_t off)
{
	return (uint64_t)off >> 40 == VFIO_PCI_CONFIG_REGION_INDEX;
}

static ssize_t fk_pread(int fd, void *buf, size_t len, off_t off)
{
	uint64_t at = (uint64_t)off & 0xff;

	if (!fk_is_cfg(off))
		return fv_pread(fd, buf, len, off);
	memcpy(buf, fk.cfg + at, MIN(len, sizeof(fk.cfg) - at));
	return (ssize_t)len;
}

static ssize_t fk_pwrite(int fd, const void *buf, size_t len, off_t off)
{
	uint64_t at = (uint64_t)off & 0xff;

	if (!fk_is_cfg(off))
		return fv_pwrite(fd, buf, len, off);
	memcpy(fk.cfg + at, buf, MIN(len, sizeof(fk.cfg) - at));
	return (ssize_t)len;
}

static const struct sys_ops fk_sys = {
	.open = fk_open,
	.close = fk_close,
	.ioctl = fk_ioctl,
	.mmap = fk_mmap,
	.munmap = fk_munmap,
	.eventfd = fv_eventfd,
	.pread = fk_pread,
	.pwrite = fk_pwrite,
};

/* An NVMe-like function: one 64-bit BAR, INTA, no capabilities; FLR through VFIO. */
static void script_device(void)
{
	fv.dev_flags = VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET;
	fv.num_regions = VFIO_PCI_NUM_REGIONS;
	fv.num_irqs = VFIO_PCI_NUM_IRQS;
	fv.regions[0] = (struct fv_region){
		.flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
			 VFIO_REGION_INFO_FLAG_MMAP,
		.size = 0x4000,
	};
	fv.regions[VFIO_PCI_CONFIG_REGION_INDEX] = (struct fv_region){
		.flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE,
		.size = 0x100,
	};
	fv.irq_count[VFIO_PCI_INTX_IRQ_INDEX] = 1;
	fv.irq_count[VFIO_PCI_ERR_IRQ_INDEX] = 1;
	fv.irq_count[VFIO_PCI_REQ_IRQ_INDEX] = 1;
	memset(fk.cfg, 0, sizeof(fk.cfg));
	memcpy(fk.cfg + PCI_VENDOR_ID, "\x36\x1b\x10\x00", 4);
	memcpy(fk.cfg + PCI_REVISION_ID, "\x02\x02\x08\x01", 4);
	fk.cfg[PCI_BAR0] = PCI_BAR_MEM64; /* 64-bit memory */
	fk.cfg[PCI_INTERRUPT_PIN] = 1;
}

struct fixture {
	struct fake_sysfs fs;
	struct vm_config cfg;
	struct vm *vm;
	struct log_capture lc;
};

/* The host side, as vm_create() and vm_pt_open() leave it, then the first guest side. */
static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct fixture_bz bzo = fixture_bz_default();
	struct vfio_container_config ccfg = {.sys = &fk_sys};
	const char *why = NULL;
	struct vm_pt_dev *d;
	struct vm *vm;

	fv_reset();
	memset(&fk, 0, sizeof(fk));
	script_device();
	fake_sysfs_init(&f->fs);
	fake_sysfs_add_dev(&f->fs, BDF, "vfio-pci", GROUP);
	ccfg.sysfs_root = f->fs.root;
	f->cfg = (struct vm_config){
		.cmdline = "console=ttyS0",
		.memory = MEM_MIN_SIZE,
		.cpus = 2,
		.nr_passthrough = 1,
		.unmanaged = true,
		.numa_node = -1,
	};
	f->vm = vm = calloc(1, sizeof(*vm));
	vm->cfg = &f->cfg;
	vm->sys = &fk_sys;
	vm->wake_fd = vm->signal_fd = vm->guard_fd = -1;
	vm->kvm.dev_fd = vm->kvm.vm_fd = -1;
	kvm_vfio_init(&vm->kvm_vfio);
	pthread_mutex_init(&vm->stop_lock, NULL);
	vm->numa.node = NUMA_NO_NODE;
	/* The kernel as vm_boot_read() keeps it: anonymous memory. */
	vm->kernel_map =
		mmap(NULL, KERNEL_LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(vm->kernel_map != MAP_FAILED);
	vm->kernel_len = KERNEL_LEN;
	fixture_bz_build(vm->kernel_map, KERNEL_LEN, &bzo);
	assert_int_equal(bzimage_parse(vm->kernel_map, KERNEL_LEN, &vm->bz, &why), 0);
	assert_int_equal(mem_layout(&vm->mem, f->cfg.memory), 0);
	assert_int_equal(mem_alloc(&vm->mem, &(struct mem_backing){0}), 0);
	fk.mem = &vm->mem;
	assert_int_equal(kvm_open(&vm->kvm, &fk_sys, "/dev/kvm"), 0);
	vm->kvm_open = true;
	assert_int_equal(vm_guest_create_vm(vm), 0);
	d = &vm->pt[0];
	assert_int_equal(pci_bdf_parse(BDF, &d->bdf), 0);
	pci_bdf_format(&d->bdf, d->name);
	d->group = GROUP;
	assert_int_equal(container_open(&ccfg, &vm->vfio), 0);
	assert_int_equal(vm_pt_open_groups(vm), 0);
	assert_int_equal(vfio_device_open(vm->vfio, &d->bdf, &d->dev), 0);
	vm->nr_pt = 1;
	assert_int_equal(container_map_ram(vm->vfio, &vm->mem), 0);
	assert_int_equal(vm_guest_build(vm), 0);
	/* The first guest ran, left a mark in RAM and counted exits. */
	assert_false(fk_marked());
	*(uint64_t *)mem_ptr(&vm->mem, MARK_GPA, 8) = MARK;
	vm->vcpus[1].stats.mmio = 7;
	assert_int_equal(fv.nr_reset, 1); /* before the first boot */
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	vm_destroy(f->vm);
	/* Everything the fake kernel handed out is closed again. */
	assert_int_equal(fv_open_fds(), 0);
	fake_sysfs_destroy(&f->fs);
	log_capture_free(&f->lc);
	free(f);
	return 0;
}

static unsigned ev_count(const char *what)
{
	unsigned n = 0;

	for (unsigned i = 0; i < fk.nr_ev; i++)
		n += !strcmp(fk.ev[i], what);
	return n;
}

/* Each of @want happened, in this order (other events may come between). */
static void assert_in_order(const char *const *want, unsigned nr)
{
	unsigned i = 0;

	for (unsigned w = 0; w < nr; w++) {
		while (i < fk.nr_ev && strcmp(fk.ev[i], want[w]))
			i++;
		if (i == fk.nr_ev)
			fail_msg("'%s' (step %u) not seen in order", want[w], w);
		i++;
	}
}

/* One reboot under a log capture; returns vm_reboot()'s answer and the log in f->lc. */
static int reboot(struct fixture *f)
{
	int ret;

	fk.nr_ev = 0;
	log_capture_free(&f->lc);
	log_capture_start(&f->lc);
	ret = vm_reboot(f->vm, "guest rebooted");
	log_capture_end(&f->lc);
	return ret;
}

static void test_reboot_rebuilds_in_order(void **state)
{
	static const char *const order[] = {
		"close vcpu",	      "close vcpu",
		"VFIO_DEVICE_RESET",  "KVM_DEV_VFIO_GROUP_DEL",
		"close kvm-vfio",     "memslot del",
		"close vm",	      "KVM_CREATE_VM",
		"KVM_CREATE_IRQCHIP", "memslot add",
		"KVM_CREATE_DEVICE",  "KVM_DEV_VFIO_GROUP_ADD",
		"KVM_CREATE_VCPU",    "KVM_CREATE_VCPU",
		"KVM_SET_REGS",
	};
	struct fixture *f = *state;
	struct vm *vm = f->vm;
	unsigned maps = fv.nr_maps, opens = fv.nr_opens;
	int kvm_fd = vm->kvm.dev_fd;
	const uint8_t *kernel = mem_ptr(&vm->mem, vm->bz.pref_address, 16);

	for (unsigned n = 1; n <= 2; n++) {
		assert_int_equal(reboot(f), 0);
		assert_in_order(order, ARRAY_SIZE(order));
		/* Once per reboot, before RAM was cleared; RAM cleared before the new VM. */
		assert_int_equal(ev_count("VFIO_DEVICE_RESET"), 1);
		assert_int_equal(ev_count("KVM_CREATE_VM"), 1);
		assert_int_equal(fv.nr_reset, 1 + n);
		/* The host side as it was: nothing opened, no host fd closed, DMA maps kept. */
		assert_int_equal(ev_count("open"), 0);
		assert_int_equal(fv.nr_opens, opens);
		assert_int_equal(ev_count("close vfio") + ev_count("close /dev/kvm"), 0);
		assert_int_equal(fv.nr_maps, maps);
		assert_int_equal(fv.nr_unmaps, 0);
		assert_int_equal(vm->kvm.dev_fd, kvm_fd);
		/* One line said it. */
		if (n == 1)
			assert_string_equal(f->lc.text,
					    "ptvm: guest rebooted: restarting (reboot 1)\n");
		else
			assert_string_equal(f->lc.text,
					    "ptvm: guest rebooted: restarting (reboot 2)\n");
		assert_int_equal(vm->reboots, n);
		assert_int_equal(vm->stop_reason, VM_RUNNING);
		/* A new guest in cleared RAM, its kernel loaded again; counters go on. */
		assert_false(fk_marked());
		assert_memory_equal(kernel, (uint8_t *)vm->kernel_map + 3 * 512, 16);
		assert_int_equal(vm->vcpus[1].stats.mmio, 7);
		assert_true(vm->pt[0].attached && vm->pt[0].pt);
		*(uint64_t *)mem_ptr(&vm->mem, MARK_GPA, 8) = MARK;
	}
	assert_true(vm->kvm.vm_fd >= 0);
}

/* A PVH guest (a bzImage's cached vmlinux) gets its segments and start_info again. */
static void test_reboot_reloads_pvh(void **state)
{
	struct fixture_elf eo = fixture_elf_default();
	struct vm *vm = ((struct fixture *)*state)->vm;
	const char *why = NULL;

	vm->vmlinux_len = 0x8000;
	vm->vmlinux_map = mmap(NULL, vm->vmlinux_len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(vm->vmlinux_map != MAP_FAILED);
	fixture_elf_build(vm->vmlinux_map, vm->vmlinux_len, &eo);
	assert_int_equal(elf_parse(vm->vmlinux_map, vm->vmlinux_len, &vm->elf, &why), 0);
	vm->boot_mode = BOOT_MODE_PVH;
	for (unsigned n = 1; n <= 2; n++) {
		assert_int_equal(reboot(*state), 0);
		assert_false(fk_marked());
		assert_memory_equal(mem_ptr(&vm->mem, 0x1000000, 0x3000),
				    (uint8_t *)vm->vmlinux_map + 0x1000, 0x3000);
		assert_int_equal(*(uint32_t *)mem_ptr(&vm->mem, LAYOUT_PVH_INFO, 4), 0x336ec578);
		*(uint64_t *)mem_ptr(&vm->mem, MARK_GPA, 8) = MARK;
		memset(mem_ptr(&vm->mem, 0x1000000, 0x3000), 0, 0x3000);
	}
}

/* The guest side is gone, the host side's fds are all still open. */
static void assert_guest_side_gone(struct vm *vm)
{
	assert_int_equal(vm->kvm.vm_fd, -1);
	assert_null(vm->mmio);
	assert_null(vm->pio);
	assert_null(vm->pci);
	assert_null(vm->serial);
	assert_false(vm->irq_init);
	assert_int_equal(vm->kvm_vfio.fd, -1);
	assert_null(vm->pt[0].pt);
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		assert_true(vm->vcpus[i].kv.fd < 0 && !vm->vcpus[i].kv.run);
	/* /dev/kvm, container, group, device and its ERR and REQ eventfds. */
	assert_int_equal(fv_open_fds(), 6);
}

static void test_rebuild_error_stops(void **state)
{
	struct fixture *f = *state;
	struct vm *vm = f->vm;

	/* The second vCPU of the new VM cannot be created. */
	fk.fail_vcpu_at = 4;
	assert_int_equal(reboot(f), -ENOMEM);
	assert_int_equal(vm->stop_reason, VM_STOP_ERROR);
	assert_string_equal(vm->stop_msg,
			    "cannot restart the guest (reboot 1): Cannot allocate memory");
	assert_string_equal(f->lc.text, "ptvm: guest rebooted: restarting (reboot 1)\n"
					"ptvm: kvm: KVM_CREATE_VCPU: Cannot allocate memory\n");
	assert_true(vm->stopping);
	assert_guest_side_gone(vm);
	/* The half-built side went: the new VM and the vCPU made, then the device model. */
	assert_int_equal(ev_count("close vm"), 2);
	assert_int_equal(ev_count("close vcpu"), 3);
}

static void test_reset_error_stops(void **state)
{
	struct fixture *f = *state;
	struct vm *vm = f->vm;

	fk.reset_ret = -EIO;
	assert_int_equal(reboot(f), -EIO);
	assert_int_equal(vm->stop_reason, VM_STOP_ERROR);
	assert_string_equal(vm->stop_msg,
			    "cannot restart the guest (reboot 1): a "
			    "passed-through device did not reset: Input/output error");
	assert_string_equal(f->lc.text,
			    "ptvm: guest rebooted: restarting (reboot 1)\n"
			    "ptvm: vfio: " BDF ": VFIO_DEVICE_RESET: Input/output error\n"
			    "ptvm: vfio: " BDF ": reset: Input/output error\n");
	/* No guest got the device unreset: no new VM was made. */
	assert_int_equal(ev_count("KVM_CREATE_VM"), 0);
	assert_guest_side_gone(vm);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_reboot_rebuilds_in_order),
		T(test_reboot_reloads_pvh),
		T(test_rebuild_error_stops),
		T(test_reset_error_stops),
	};
#undef T

	return cmocka_run_group_tests_name("vm_reboot", tests, NULL, NULL);
}
