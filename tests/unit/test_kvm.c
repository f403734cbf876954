// SPDX-License-Identifier: GPL-2.0
/*
 * kvm.c and kvm_irq.c against a fake syscall seam: capability checks, ioctl
 * order, CPUID, and the GSI routing table with its irqfds.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "boot/pvh.h"
#include "fake_irq.h"
#include "kvm_irq.h"
#include "log_capture.h"

#define FAKE_MAX_CALLS 32

/* The fake kernel's state; reset before every test. */
static struct fake {
	int open_ret;
	int api_version;
	int missing_cap; /* this capability reports 0 */
	int max_vcpus;
	int tsc_deadline;
	int open_fds;
	unsigned long calls[FAKE_MAX_CALLS];
	unsigned nr_calls;
	struct kvm_cpuid2 *set_cpuid; /* copy of the last KVM_SET_CPUID2 */
	struct kvm_run run;
	/* KVM-VFIO device: script and record. */
	int create_device_ret;
	int set_attr_ret;
	unsigned set_attr_fail_at; /* 1-based KVM_SET_DEVICE_ATTR call that fails */
	int device_fd;
	struct kvm_create_device created;
	int create_on_fd;
	struct {
		int fd;
		struct kvm_device_attr a;
		int32_t group_fd; /* what a.addr pointed to during the call */
	} attrs[8];
	unsigned nr_attrs;
	struct kvm_sregs sregs; /* the last KVM_SET_SREGS and KVM_SET_REGS */
	struct kvm_regs regs;
} fake;

static int fake_open(const char *path, int flags)
{
	if (fake.open_ret < 0)
		return fake.open_ret;
	fake.open_fds++;
	return 10 + fake.open_fds;
}

static int fake_close(int fd)
{
	fake.open_fds--;
	return 0;
}

static int fake_cpuid(struct kvm_cpuid2 *c)
{
	static const struct kvm_cpuid_entry2 e[] = {
		{.function = 0, .eax = 0xd},
		{.function = 1, .ebx = 0x07010800, .ecx = 0x1},
		{.function = 0xb, .index = 0, .edx = 0x55},
		{.function = 0xb, .index = 1, .edx = 0x55},
	};

	assert_true(c->nent >= ARRAY_SIZE(e));
	c->nent = ARRAY_SIZE(e);
	memcpy(c->entries, e, sizeof(e));
	return 0;
}

static int fake_ioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	if (fake.nr_calls < FAKE_MAX_CALLS)
		fake.calls[fake.nr_calls++] = req;
	if (fake_kvm_irq_ioctl(req, arg, &ret))
		return ret;
	switch (req) {
	case KVM_GET_API_VERSION:
		return fake.api_version;
	case KVM_CHECK_EXTENSION:
		if ((long)arg == fake.missing_cap)
			return 0;
		if ((long)arg == KVM_CAP_MAX_VCPUS)
			return fake.max_vcpus;
		if ((long)arg == KVM_CAP_TSC_DEADLINE_TIMER)
			return fake.tsc_deadline;
		return 1;
	case KVM_GET_VCPU_MMAP_SIZE:
		return sizeof(struct kvm_run);
	case KVM_GET_SUPPORTED_CPUID:
		return fake_cpuid(arg);
	case KVM_CREATE_VM:
	case KVM_CREATE_VCPU:
		fake.open_fds++;
		return 20 + fake.open_fds;
	case KVM_GET_REGS:
		((struct kvm_regs *)arg)->rip = 0xffffffff81000000ULL;
		((struct kvm_regs *)arg)->rsp = 0x7000;
		return 0;
	case KVM_GET_SREGS:
		((struct kvm_sregs *)arg)->cr0 = 0x80050033;
		((struct kvm_sregs *)arg)->cr3 = 0x9000;
		((struct kvm_sregs *)arg)->cr4 = 0x20;
		((struct kvm_sregs *)arg)->efer = 0x500;
		return 0;
	case KVM_SET_SREGS:
		fake.sregs = *(struct kvm_sregs *)arg;
		return 0;
	case KVM_SET_REGS:
		fake.regs = *(struct kvm_regs *)arg;
		return 0;
	case KVM_SET_CPUID2: {
		struct kvm_cpuid2 *c = arg;
		size_t sz = sizeof(*c) + c->nent * sizeof(c->entries[0]);

		free(fake.set_cpuid);
		fake.set_cpuid = malloc(sz);
		memcpy(fake.set_cpuid, c, sz);
		return 0;
	}
	case KVM_CREATE_DEVICE:
		fake.created = *(struct kvm_create_device *)arg;
		fake.create_on_fd = fd;
		if (fake.create_device_ret < 0)
			return fake.create_device_ret;
		fake.open_fds++;
		fake.device_fd = 40 + fake.open_fds;
		((struct kvm_create_device *)arg)->fd = fake.device_fd;
		return 0;
	case KVM_SET_DEVICE_ATTR: {
		const struct kvm_device_attr *a = arg;
		unsigned n = fake.nr_attrs++;

		if (n < ARRAY_SIZE(fake.attrs)) {
			fake.attrs[n].fd = fd;
			fake.attrs[n].a = *a;
			memcpy(&fake.attrs[n].group_fd, (const void *)(uintptr_t)a->addr,
			       sizeof(int32_t));
		}
		return fake.nr_attrs == fake.set_attr_fail_at ? fake.set_attr_ret : 0;
	}
	default:
		return 0;
	}
}

static void *fake_mmap(size_t len, int prot, int flags, int fd, off_t off, int *err)
{
	return &fake.run;
}

static int fake_munmap(void *addr, size_t len)
{
	return 0;
}

static const struct sys_ops fake_sys = {
	.open = fake_open,
	.close = fake_close,
	.ioctl = fake_ioctl,
	.mmap = fake_mmap,
	.munmap = fake_munmap,
};

static int setup(void **state)
{
	free(fake.set_cpuid);
	memset(&fake, 0, sizeof(fake));
	fake.api_version = KVM_API_VERSION;
	fake.max_vcpus = 288;
	fake.missing_cap = -1;
	fake_kvm_irq_reset();
	return 0;
}

static void test_open_ok(void **state)
{
	struct kvm k;

	fake.tsc_deadline = 1;
	assert_int_equal(kvm_open(&k, &fake_sys, "/dev/kvm"), 0);
	assert_int_equal(k.max_vcpus, 288);
	assert_true(k.tsc_deadline);
	assert_int_equal(k.run_size, sizeof(struct kvm_run));
	assert_int_equal(k.cpuid->nent, 4);
	kvm_close(&k);
	assert_int_equal(fake.open_fds, 0);
}

static void test_open_missing_device(void **state)
{
	struct kvm k;

	fake.open_ret = -ENOENT;
	assert_int_equal(kvm_open(&k, &fake_sys, "/dev/kvm"), -ENOENT);
}

static void test_open_bad_api(void **state)
{
	struct kvm k;

	fake.api_version = 11;
	assert_int_equal(kvm_open(&k, &fake_sys, "/dev/kvm"), -ENOTSUP);
	assert_int_equal(fake.open_fds, 0);
}

static void test_open_missing_cap(void **state)
{
	struct kvm k;

	fake.missing_cap = KVM_CAP_IMMEDIATE_EXIT;
	assert_int_equal(kvm_open(&k, &fake_sys, "/dev/kvm"), -ENOTSUP);
	assert_int_equal(fake.open_fds, 0);
}

static void test_create_vm_order(void **state)
{
	static const unsigned long want[] = {
		KVM_CREATE_VM,	     KVM_SET_TSS_ADDR,
		KVM_CHECK_EXTENSION, KVM_SET_IDENTITY_MAP_ADDR,
		KVM_CREATE_IRQCHIP,  KVM_CREATE_PIT2,
	};
	struct kvm k;

	assert_int_equal(kvm_open(&k, &fake_sys, "/dev/kvm"), 0);
	fake.nr_calls = 0;
	assert_int_equal(kvm_create_vm(&k, true), 0);
	assert_int_equal(fake.nr_calls, ARRAY_SIZE(want));
	assert_memory_equal(fake.calls, want, sizeof(want));

	fake.nr_calls = 0;
	kvm_close(&k);
	assert_int_equal(fake.open_fds, 0);
}

static void test_create_vm_no_irqchip(void **state)
{
	struct kvm k;

	assert_int_equal(kvm_open(&k, &fake_sys, "/dev/kvm"), 0);
	fake.nr_calls = 0;
	assert_int_equal(kvm_create_vm(&k, false), 0);
	for (unsigned i = 0; i < fake.nr_calls; i++) {
		assert_int_not_equal(fake.calls[i], KVM_CREATE_IRQCHIP);
		assert_int_not_equal(fake.calls[i], KVM_CREATE_PIT2);
	}
	kvm_close(&k);
}

static const struct kvm_cpuid_entry2 *leaf(unsigned fn, unsigned idx)
{
	for (unsigned i = 0; i < fake.set_cpuid->nent; i++)
		if (fake.set_cpuid->entries[i].function == fn &&
		    fake.set_cpuid->entries[i].index == idx)
			return &fake.set_cpuid->entries[i];
	fail_msg("leaf 0x%x.%u missing", fn, idx);
	return NULL;
}

static void test_cpuid_per_vcpu(void **state)
{
	struct kvm_vcpu v;
	struct kvm k;

	fake.tsc_deadline = 1;
	assert_int_equal(kvm_open(&k, &fake_sys, "/dev/kvm"), 0);
	assert_int_equal(kvm_create_vm(&k, true), 0);
	assert_int_equal(kvm_vcpu_create(&k, 3, &v), 0);
	assert_int_equal(kvm_vcpu_set_cpuid(&k, &v), 0);
	/* APIC ID 3 in EBX[31:24], the rest of EBX untouched. */
	assert_int_equal(leaf(1, 0)->ebx, 0x03010800);
	/* Hypervisor present (bit 31) and TSC deadline (bit 24), SSE3 kept. */
	assert_int_equal(leaf(1, 0)->ecx, 0x81000001);
	assert_int_equal(leaf(0xb, 0)->edx, 3);
	assert_int_equal(leaf(0xb, 1)->edx, 3);
	kvm_vcpu_destroy(&k, &v);
	kvm_close(&k);
	assert_int_equal(fake.open_fds, 0);
}

static void test_describe(void **state)
{
	struct kvm_vcpu v;
	struct kvm k;
	char buf[160];

	assert_int_equal(kvm_open(&k, &fake_sys, "/dev/kvm"), 0);
	assert_int_equal(kvm_create_vm(&k, true), 0);
	assert_int_equal(kvm_vcpu_create(&k, 0, &v), 0);
	assert_int_equal(kvm_vcpu_describe(&k, &v, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "rip 0xffffffff81000000 rsp 0x7000 cr0 0x80050033 cr3 0x9000 "
				 "cr4 0x20 efer 0x500");
	kvm_vcpu_destroy(&k, &v);
	kvm_close(&k);
}

/* Load @e into a vCPU of a fake VM; the registers land in fake.sregs/regs. */
static void boot_regs(const struct boot_entry *e)
{
	struct kvm_vcpu v;
	struct kvm k;

	assert_int_equal(kvm_open(&k, &fake_sys, "/dev/kvm"), 0);
	assert_int_equal(kvm_create_vm(&k, true), 0);
	assert_int_equal(kvm_vcpu_create(&k, 0, &v), 0);
	assert_int_equal(kvm_vcpu_set_boot_regs(&k, &v, e), 0);
	kvm_vcpu_destroy(&k, &v);
	kvm_close(&k);
}

#define assert_seg(sg, sel, typ, lim, big, code_s, gran) \
	do {                                             \
		assert_int_equal((sg).selector, (sel));  \
		assert_int_equal((sg).base, 0);          \
		assert_int_equal((sg).limit, (lim));     \
		assert_int_equal((sg).type, (typ));      \
		assert_int_equal((sg).present, 1);       \
		assert_int_equal((sg).db, (big));        \
		assert_int_equal((sg).s, (code_s));      \
		assert_int_equal((sg).g, (gran));        \
		assert_int_equal((sg).l, 0);             \
	} while (0)

/* docs/misc/pvh.pandoc: 32-bit flat segments, a 32-bit TSS, paging off, %ebx. */
static void test_boot_regs_pvh(void **state)
{
	struct boot_entry e = {
		.mode = BOOT_MODE_PVH,
		.rip = 0x1000850,
		.rbx = 0x6000,
		.gdt_base = 0x500,
		.gdt_limit = 39,
		.gdt = {0, 0, PVH_DESC_CODE32, PVH_DESC_DATA32, PVH_DESC_TSS32},
	};

	boot_regs(&e);
	assert_seg(fake.sregs.cs, 0x10, 0xb, 0xffffffff, 1, 1, 1);
	assert_seg(fake.sregs.ds, 0x18, 0x3, 0xffffffff, 1, 1, 1);
	assert_seg(fake.sregs.es, 0x18, 0x3, 0xffffffff, 1, 1, 1);
	assert_seg(fake.sregs.ss, 0x18, 0x3, 0xffffffff, 1, 1, 1);
	assert_seg(fake.sregs.tr, 0x20, 0xb, 0x67, 0, 0, 0);
	assert_int_equal(fake.sregs.cr0, 0x11);
	assert_int_equal(fake.sregs.cr3, 0);
	assert_int_equal(fake.sregs.cr4, 0);
	assert_int_equal(fake.sregs.efer, 0);
	assert_int_equal(fake.sregs.gdt.base, 0x500);
	assert_int_equal(fake.sregs.gdt.limit, 39);
	assert_int_equal(fake.regs.rip, 0x1000850);
	assert_int_equal(fake.regs.rbx, 0x6000);
	assert_int_equal(fake.regs.rsi, 0);
	assert_int_equal(fake.regs.rflags, 0x2);
}

/* boot.rst's 64-bit entry: long mode with paging, %rsi = zero page. */
static void test_boot_regs_linux64(void **state)
{
	struct boot_entry e = {
		.rip = 0x1000200,
		.rsi = 0x7000,
		.cr3 = 0x9000,
		.gdt_base = 0x500,
		.gdt_limit = 31,
		.gdt = {0, 0, BOOT_DESC_CODE64, BOOT_DESC_DATA},
	};

	boot_regs(&e);
	assert_int_equal(fake.sregs.cs.l, 1);
	assert_int_equal(fake.sregs.cs.selector, 0x10);
	assert_seg(fake.sregs.ds, 0x18, 0x3, 0xffffffff, 1, 1, 1);
	assert_int_equal(fake.sregs.cr0, 0x80000011);
	assert_int_equal(fake.sregs.cr3, 0x9000);
	assert_int_equal(fake.sregs.cr4, 0x20);
	assert_int_equal(fake.sregs.efer, 0x500);
	assert_int_equal(fake.regs.rip, 0x1000200);
	assert_int_equal(fake.regs.rsi, 0x7000);
	assert_int_equal(fake.regs.rbx, 0);
}

/* A VM with its GSI routing, on the fake seam; the fake's records cleared. */
static void irq_open(struct kvm *k, struct kvm_irq *ki)
{
	assert_int_equal(kvm_open(k, &fake_sys, "/dev/kvm"), 0);
	assert_int_equal(kvm_create_vm(k, true), 0);
	assert_int_equal(kvm_irq_init(ki, k), 0);
	fake_kvm_irq_clear();
}

static void irq_close(struct kvm *k, struct kvm_irq *ki)
{
	kvm_irq_destroy(ki);
	kvm_close(k);
}

static void test_irq_routes_batched(void **state)
{
	struct kvm_irq ki;
	struct kvm k;
	int gsi[8];

	irq_open(&k, &ki);
	for (unsigned i = 0; i < 8; i++) {
		gsi[i] = kvm_irq_msi_add(&ki, 0xfee00000 | i << 12, 0x4020 + i, 100 + i);
		assert_true(gsi[i] >= KVM_IRQ_PINS);
		assert_true(i == 0 || gsi[i] != gsi[i - 1]);
	}
	/* Staged only: KVM has seen nothing yet. */
	assert_int_equal(fake_kvm_irq.nr_order, 0);
	/* One table with the pins and the 8 routes, then the 8 irqfds. */
	assert_int_equal(kvm_irq_commit(&ki), 0);
	assert_string_equal(fake_kvm_irq.order, "RAAAAAAAA");
	assert_int_equal(fake_kvm_irq.last_nr, KVM_IRQ_PIN_ROUTES + 8);
	for (unsigned i = 0; i < 8; i++) {
		assert_true(fake_kvm_irq.routed[gsi[i]]);
		assert_int_equal(fake_kvm_irq.msi[gsi[i]].address_lo, 0xfee00000 | i << 12);
		assert_int_equal(fake_kvm_irq.msi[gsi[i]].data, 0x4020 + i);
		assert_int_equal(fake_kvm_irq.irqfd[gsi[i]], 100 + i);
	}
	/* Nothing changed: no ioctl at all. */
	fake_kvm_irq_clear();
	assert_int_equal(kvm_irq_commit(&ki), 0);
	assert_int_equal(fake_kvm_irq.nr_order, 0);
	/* An update staged, a removal deassigns its irqfd at once; one table for both. */
	assert_int_equal(kvm_irq_msi_update(&ki, gsi[0], 0xfee00000, 0x4030), 0);
	kvm_irq_msi_remove(&ki, gsi[1]);
	assert_string_equal(fake_kvm_irq.order, "D");
	assert_int_equal(fake_kvm_irq.irqfd[gsi[1]], -1);
	assert_int_equal(kvm_irq_commit(&ki), 0);
	assert_string_equal(fake_kvm_irq.order, "DR");
	assert_int_equal(fake_kvm_irq.msi[gsi[0]].data, 0x4030);
	assert_false(fake_kvm_irq.routed[gsi[1]]);
	assert_int_equal(fake_kvm_irq.last_nr, KVM_IRQ_PIN_ROUTES + 7);
	/* Same message again: nothing to commit. */
	assert_int_equal(kvm_irq_msi_update(&ki, gsi[0], 0xfee00000, 0x4030), 0);
	assert_int_equal(kvm_irq_commit(&ki), 0);
	assert_string_equal(fake_kvm_irq.order, "DR");
	assert_int_equal(kvm_irq_msi_update(&ki, gsi[1], 0xfee00000, 0x4030), -ENOENT);
	assert_int_equal(fake_kvm_irq.violations, 0);
	irq_close(&k, &ki);
}

static void test_irq_commit_fails(void **state)
{
	struct kvm_irq ki;
	struct kvm k;
	int gsi;

	irq_open(&k, &ki);
	gsi = kvm_irq_msi_add(&ki, 0xfee00000, 0x4021, 100);
	assert_true(gsi >= KVM_IRQ_PINS);
	/* KVM refuses the table: no irqfd on a route it does not have. */
	fake_kvm_irq.routing_ret = -ENOMEM;
	assert_int_equal(kvm_irq_commit(&ki), -ENOMEM);
	assert_string_equal(fake_kvm_irq.order, "R");
	/* The next commit tries the same table again, then the irqfd. */
	fake_kvm_irq.routing_ret = 0;
	assert_int_equal(kvm_irq_commit(&ki), 0);
	assert_string_equal(fake_kvm_irq.order, "RRA");
	assert_int_equal(fake_kvm_irq.irqfd[gsi], 100);
	assert_int_equal(fake_kvm_irq.violations, 0);
	irq_close(&k, &ki);
}

static void test_irq_routing_cap(void **state)
{
	struct log_capture lc;
	struct kvm_irq ki;
	struct kvm k;
	int gsi[3];

	/* KVM takes 3 entries beyond the irqchip pins' own. */
	fake_kvm_irq.cap = KVM_IRQ_PIN_ROUTES + 3;
	irq_open(&k, &ki);
	for (unsigned i = 0; i < 3; i++) {
		gsi[i] = kvm_irq_msi_add(&ki, 0xfee00000, 0x4020 + i, 100 + i);
		assert_true(gsi[i] >= KVM_IRQ_PINS && gsi[i] < fake_kvm_irq.cap);
	}
	log_capture_start(&lc);
	assert_int_equal(kvm_irq_msi_add(&ki, 0xfee00000, 0x4023, 103), -ENOSPC);
	assert_int_equal(kvm_irq_msi_add(&ki, 0xfee00000, 0x4024, 104), -ENOSPC);
	assert_string_equal(log_capture_end(&lc),
			    "ptvm: kvm: all 3 MSI routes KVM_CAP_IRQ_ROUTING allows are in use: "
			    "further vectors stay silent\n");
	log_capture_free(&lc);
	assert_int_equal(kvm_irq_commit(&ki), 0);
	assert_int_equal(fake_kvm_irq.last_nr, fake_kvm_irq.cap);
	/* A freed route is free again. */
	kvm_irq_msi_remove(&ki, gsi[1]);
	assert_int_equal(kvm_irq_msi_add(&ki, 0xfee00000, 0x4025, 105), gsi[1]);
	assert_int_equal(kvm_irq_commit(&ki), 0);
	assert_int_equal(fake_kvm_irq.irqfd[gsi[1]], 105);
	assert_int_equal(fake_kvm_irq.violations, 0);
	irq_close(&k, &ki);
}

/* A VM with its irqchip; *@vm_fds is how many fds it holds. */
static void open_vm(struct kvm *k, int *vm_fds)
{
	assert_int_equal(kvm_open(k, &fake_sys, "/dev/kvm"), 0);
	assert_int_equal(kvm_create_vm(k, true), 0);
	*vm_fds = fake.open_fds;
}

static void assert_attr(unsigned i, uint64_t attr, int group_fd, int dev_fd)
{
	assert_int_equal(fake.attrs[i].fd, dev_fd);
	assert_int_equal(fake.attrs[i].a.flags, 0);
	assert_int_equal(fake.attrs[i].a.group, KVM_DEV_VFIO_GROUP);
	assert_int_equal(fake.attrs[i].a.attr, attr);
	assert_int_equal(fake.attrs[i].group_fd, group_fd);
}

static void test_vfio_device_groups(void **state)
{
	struct kvm_vfio kv;
	struct kvm k;
	int base;

	open_vm(&k, &base);
	assert_int_equal(kvm_vfio_create(&k, &kv), 0);
	/* On the VM fd, type KVM_DEV_TYPE_VFIO (4 in enum kvm_device_type), no flags. */
	assert_int_equal(fake.create_on_fd, k.vm_fd);
	assert_int_equal(fake.created.type, 4);
	assert_int_equal(fake.created.type, KVM_DEV_TYPE_VFIO);
	assert_int_equal(fake.created.flags, 0);
	assert_int_equal(kv.fd, fake.device_fd);

	assert_int_equal(kvm_vfio_add_group(&kv, 103, 3), 0);
	assert_int_equal(kvm_vfio_add_group(&kv, 104, 4), 0);
	assert_int_equal(fake.nr_attrs, 2);
	assert_attr(0, KVM_DEV_VFIO_GROUP_ADD, 103, kv.fd);
	assert_attr(1, KVM_DEV_VFIO_GROUP_ADD, 104, kv.fd);

	/* Teardown: every group deleted, last first, then the device closed. */
	kvm_vfio_destroy(&kv);
	assert_int_equal(fake.nr_attrs, 4);
	assert_attr(2, KVM_DEV_VFIO_GROUP_DEL, 104, fake.device_fd);
	assert_attr(3, KVM_DEV_VFIO_GROUP_DEL, 103, fake.device_fd);
	assert_int_equal(fake.open_fds, base);
	assert_int_equal(kv.fd, -1);
	kvm_close(&k);
}

static void test_vfio_create_fails(void **state)
{
	struct log_capture lc;
	struct kvm_vfio kv;
	struct kvm k;
	int base;

	open_vm(&k, &base);
	fake.create_device_ret = -ENODEV;
	log_capture_start(&lc);
	assert_int_equal(kvm_vfio_create(&k, &kv), -ENODEV);
	assert_string_equal(log_capture_end(&lc),
			    "ptvm: kvm: KVM_CREATE_DEVICE(KVM_DEV_TYPE_VFIO): No such device\n");
	log_capture_free(&lc);
	assert_int_equal(kv.fd, -1);
	kvm_vfio_destroy(&kv);
	assert_int_equal(fake.nr_attrs, 0);
	assert_int_equal(fake.open_fds, base);
	kvm_close(&k);
}

/* The second group is refused: one line, and teardown deletes only the first. */
static void test_vfio_add_fails(void **state)
{
	struct log_capture lc;
	struct kvm_vfio kv;
	struct kvm k;
	int base;

	open_vm(&k, &base);
	assert_int_equal(kvm_vfio_create(&k, &kv), 0);
	assert_int_equal(kvm_vfio_add_group(&kv, 103, 3), 0);
	fake.set_attr_fail_at = 2;
	fake.set_attr_ret = -EINVAL;
	log_capture_start(&lc);
	assert_int_equal(kvm_vfio_add_group(&kv, 104, 4), -EINVAL);
	assert_string_equal(
		log_capture_end(&lc),
		"ptvm: kvm: KVM_SET_DEVICE_ATTR(KVM_DEV_VFIO_GROUP_ADD) of /dev/vfio/4: "
		"Invalid argument\n");
	log_capture_free(&lc);
	kvm_vfio_destroy(&kv);
	assert_int_equal(fake.nr_attrs, 3);
	assert_attr(2, KVM_DEV_VFIO_GROUP_DEL, 103, fake.device_fd);
	assert_int_equal(fake.open_fds, base);
	kvm_close(&k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_open_ok, setup),
		cmocka_unit_test_setup(test_open_missing_device, setup),
		cmocka_unit_test_setup(test_open_bad_api, setup),
		cmocka_unit_test_setup(test_open_missing_cap, setup),
		cmocka_unit_test_setup(test_create_vm_order, setup),
		cmocka_unit_test_setup(test_create_vm_no_irqchip, setup),
		cmocka_unit_test_setup(test_cpuid_per_vcpu, setup),
		cmocka_unit_test_setup(test_describe, setup),
		cmocka_unit_test_setup(test_boot_regs_pvh, setup),
		cmocka_unit_test_setup(test_boot_regs_linux64, setup),
		cmocka_unit_test_setup(test_irq_routes_batched, setup),
		cmocka_unit_test_setup(test_irq_commit_fails, setup),
		cmocka_unit_test_setup(test_irq_routing_cap, setup),
		cmocka_unit_test_setup(test_vfio_device_groups, setup),
		cmocka_unit_test_setup(test_vfio_create_fails, setup),
		cmocka_unit_test_setup(test_vfio_add_fails, setup),
	};

	return cmocka_run_group_tests_name("kvm", tests, NULL, NULL);
}
