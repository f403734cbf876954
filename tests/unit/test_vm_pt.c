// SPDX-License-Identifier: GPL-2.0
/*
 * vm_pt.c's wiring of the VFIO groups to the KVM-VFIO device, against the
 * fake VFIO kernel with the two KVM device ioctls added: one KVM-VFIO device
 * per VM, each group added once with its fd, deleted before its fd closes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "log_capture.h"
#include "vfio/container.h"
#include "vm.h"
#include "vfio_fake.h"

/* What the fake kernel saw, in order: ADD/DEL of a group fd, close of an fd. */
enum ev_kind { EV_ADD, EV_DEL, EV_CLOSE };

static struct {
	int create_ret;
	unsigned add_fail_at; /* 1-based GROUP_ADD that fails with -EINVAL */
	unsigned nr_create, nr_add;
	int vm_fd, create_on_fd, dev_fd;
	struct kvm_create_device created;
	struct {
		enum ev_kind kind;
		int fd;
	} ev[32];
	unsigned nr_ev;
} fk;

static void fk_event(enum ev_kind kind, int fd)
{
	if (fk.nr_ev < ARRAY_SIZE(fk.ev)) {
		fk.ev[fk.nr_ev].kind = kind;
		fk.ev[fk.nr_ev].fd = fd;
	}
	fk.nr_ev++;
}

static int fk_ioctl(int fd, unsigned long req, void *arg)
{
	if (req == KVM_CREATE_DEVICE) {
		struct kvm_create_device *cd = arg;

		fk.nr_create++;
		fk.created = *cd;
		fk.create_on_fd = fd;
		if (fk.create_ret)
			return fk.create_ret;
		fk.dev_fd = fv_new_fd();
		cd->fd = (uint32_t)fk.dev_fd;
		return 0;
	}
	if (req == KVM_SET_DEVICE_ATTR) {
		const struct kvm_device_attr *a = arg;
		int32_t group_fd;

		if (fd != fk.dev_fd || a->group != KVM_DEV_VFIO_GROUP)
			return -ENXIO;
		memcpy(&group_fd, (const void *)(uintptr_t)a->addr, sizeof(group_fd));
		if (a->attr == KVM_DEV_VFIO_GROUP_ADD) {
			fk_event(EV_ADD, group_fd);
			return ++fk.nr_add == fk.add_fail_at ? -EINVAL : 0;
		}
		if (a->attr == KVM_DEV_VFIO_GROUP_DEL) {
			fk_event(EV_DEL, group_fd);
			return 0;
		}
		return -ENXIO;
	}
	return fv_ioctl(fd, req, arg);
}

static int fk_close(int fd)
{
	fk_event(EV_CLOSE, fd);
	return fv_close(fd);
}

static const struct sys_ops fk_sys = {
	.open = fv_open,
	.close = fk_close,
	.ioctl = fk_ioctl,
	.mmap = fv_mmap,
	.munmap = fv_munmap,
};

struct fixture {
	struct vm_config cfg;
	struct vm *vm;
	struct log_capture lc;
};

/* A VM with --passthrough devices in IOMMU groups 4, 3 and 4 again, and an open container. */
static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const struct vfio_container_config ccfg = {.sys = &fk_sys};
	struct vm *vm = calloc(1, sizeof(*vm));
	static const unsigned groups[] = {4, 3, 4};

	fv_reset();
	memset(&fk, 0, sizeof(fk));
	f->cfg.nr_passthrough = ARRAY_SIZE(groups);
	vm->cfg = &f->cfg;
	vm->sys = &fk_sys;
	vm->guard_fd = -1;
	kvm_vfio_init(&vm->kvm_vfio);
	vm->kvm.sys = &fk_sys;
	vm->kvm.vm_fd = fk.vm_fd = fv_new_fd();
	for (unsigned i = 0; i < ARRAY_SIZE(groups); i++)
		vm->pt[i].group = groups[i];
	assert_int_equal(container_open(&ccfg, &vm->vfio), 0);
	f->vm = vm;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	vm_pt_close(f->vm);
	fk_close(f->vm->kvm.vm_fd);
	/* Everything the fake handed out is closed again. */
	assert_int_equal(fv_open_fds(), 0);
	free(f->vm);
	log_capture_free(&f->lc);
	free(f);
	return 0;
}

static void assert_ev(unsigned i, enum ev_kind kind, int fd)
{
	assert_true(i < fk.nr_ev);
	assert_int_equal(fk.ev[i].kind, kind);
	assert_int_equal(fk.ev[i].fd, fd);
}

/* The fds of the events of @kind from @from on, in order, into @fds; returns how many. */
static unsigned events_of(unsigned from, enum ev_kind kind, int *fds, unsigned max)
{
	unsigned n = 0;

	for (unsigned i = from; i < fk.nr_ev && i < ARRAY_SIZE(fk.ev); i++)
		if (fk.ev[i].kind == kind && n < max)
			fds[n++] = fk.ev[i].fd;
	return n;
}

static void test_groups_registered_once(void **state)
{
	struct fixture *f = *state;
	struct vfio_container *c = f->vm->vfio;
	int g4, g3;

	assert_int_equal(vm_pt_open_groups(f->vm), 0);
	/* Two groups for three devices, attached in --passthrough order. */
	assert_int_equal(c->nr_groups, 2);
	assert_int_equal(c->groups[0].id, 4);
	assert_int_equal(c->groups[1].id, 3);
	g4 = c->groups[0].fd;
	g3 = c->groups[1].fd;
	/* One KVM-VFIO device, on the VM fd, type KVM_DEV_TYPE_VFIO (4). */
	assert_int_equal(fk.nr_create, 1);
	assert_int_equal(fk.create_on_fd, fk.vm_fd);
	assert_int_equal(fk.created.type, 4);
	assert_int_equal(fk.created.flags, 0);
	/* One GROUP_ADD per group, with that group's fd; nothing else yet. */
	assert_int_equal(fk.nr_ev, 2);
	assert_ev(0, EV_ADD, g4);
	assert_ev(1, EV_ADD, g3);
}

/* Teardown: every group is deleted from KVM before any group fd closes. */
static void test_groups_deleted_before_close(void **state)
{
	struct fixture *f = *state;
	struct vfio_container *c = f->vm->vfio;
	int g4, g3, dels[4], closes[8];
	unsigned nr_del, nr_close, first_close = 0;

	assert_int_equal(vm_pt_open_groups(f->vm), 0);
	g4 = c->groups[0].fd;
	g3 = c->groups[1].fd;
	fk.nr_ev = 0;
	vm_pt_close(f->vm);
	nr_del = events_of(0, EV_DEL, dels, ARRAY_SIZE(dels));
	assert_int_equal(nr_del, 2);
	assert_int_equal(dels[0], g3);
	assert_int_equal(dels[1], g4);
	while (first_close < fk.nr_ev && fk.ev[first_close].kind != EV_CLOSE)
		first_close++;
	assert_int_equal(first_close, 2);
	/* Then the KVM-VFIO device, the groups (last first), the container. */
	nr_close = events_of(0, EV_CLOSE, closes, ARRAY_SIZE(closes));
	assert_int_equal(nr_close, 4);
	assert_int_equal(closes[0], fk.dev_fd);
	assert_int_equal(closes[1], g3);
	assert_int_equal(closes[2], g4);
	assert_int_equal(closes[3], fv.container_fd);
	assert_null(f->vm->vfio);
	assert_int_equal(f->vm->kvm_vfio.fd, -1);
}

static void test_create_fails(void **state)
{
	struct fixture *f = *state;

	fk.create_ret = -ENODEV;
	log_capture_start(&f->lc);
	assert_int_equal(vm_pt_open_groups(f->vm), -ENODEV);
	assert_string_equal(log_capture_end(&f->lc),
			    "ptvm: kvm: KVM_CREATE_DEVICE(KVM_DEV_TYPE_VFIO): No such device\n");
	assert_int_equal(fk.nr_add, 0);
	vm_pt_close(f->vm);
	assert_int_equal(fk.nr_ev, 3);	    /* the two groups and the container close */
	assert_int_equal(fv_open_fds(), 1); /* the VM fd */
}

/* The second group is refused: one line; teardown deletes the first, closes all. */
static void test_add_fails(void **state)
{
	struct fixture *f = *state;
	int g4;

	fk.add_fail_at = 2;
	log_capture_start(&f->lc);
	assert_int_equal(vm_pt_open_groups(f->vm), -EINVAL);
	assert_string_equal(
		log_capture_end(&f->lc),
		"ptvm: kvm: KVM_SET_DEVICE_ATTR(KVM_DEV_VFIO_GROUP_ADD) of /dev/vfio/3: "
		"Invalid argument\n");
	g4 = f->vm->vfio->groups[0].fd;
	fk.nr_ev = 0;
	vm_pt_close(f->vm);
	assert_ev(0, EV_DEL, g4);
	assert_ev(1, EV_CLOSE, fk.dev_fd);
	assert_int_equal(fv_open_fds(), 1);
}

/*
 * Hot-unplug of a group's last device: KVM lets go of the group (DEL)
 * before its fd closes; the slot is reused by the next group; once no
 * group is left the container needs its IOMMU and RAM mappings again.
 */
static void test_group_put(void **state)
{
	struct fixture *f = *state;
	struct vfio_container *c = f->vm->vfio;
	struct vfio_group *g;
	int g3;

	assert_int_equal(vm_pt_open_groups(f->vm), 0);
	g3 = c->groups[1].fd;
	c->nr_dma = 1; /* as if RAM were mapped */
	fk.nr_ev = 0;
	kvm_vfio_del_group(&f->vm->kvm_vfio, g3);
	container_group_put(c, 3);
	assert_ev(0, EV_DEL, g3);
	assert_ev(1, EV_CLOSE, g3);
	assert_int_equal(fk.nr_ev, 2);
	assert_int_equal(c->groups[1].fd, -1);
	assert_int_equal(f->vm->kvm_vfio.nr_groups, 1);
	assert_true(c->iommu_set);
	assert_true(container_ram_mapped(c));
	/* Not registered any more: a second DEL does nothing. */
	kvm_vfio_del_group(&f->vm->kvm_vfio, g3);
	assert_int_equal(fk.nr_ev, 2);
	/* The freed slot takes the next group. */
	assert_int_equal(container_group_get(c, 5, &g), 0);
	assert_ptr_equal(g, &c->groups[1]);
	assert_int_equal(c->nr_groups, 2);
	/* The last group gone: no IOMMU, no mappings. */
	container_group_put(c, 4);
	assert_true(c->iommu_set);
	container_group_put(c, 5);
	assert_false(c->iommu_set);
	assert_false(container_ram_mapped(c));
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_groups_registered_once),
		T(test_groups_deleted_before_close),
		T(test_create_fails),
		T(test_add_fails),
		T(test_group_put),
	};
#undef T

	return cmocka_run_group_tests_name("vm_pt", tests, NULL, NULL);
}
