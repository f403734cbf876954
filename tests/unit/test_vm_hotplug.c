// SPDX-License-Identifier: GPL-2.0
/*
 * vm_hotplug.c's unplug, over real root ports (vm_port.c) and a
 * passthrough model on the fake backend (pt_fixture.h): device-del presses
 * the attention button once; the guest powering the slot off hands the
 * device to the main loop, which frees it, empties the slot and reports.
 * No VFIO device, ptguard or managed record is involved here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <cmocka.h>

#include "pci/host.h"
#include "pci/port.h"
#include "pt_fixture.h"
#include "vm.h"

#define SLTCTL 0x58 /* the port's PCI Express Capability is at 0x40 */
#define SLTSTA 0x5a

struct hx {
	struct vm_config cfg;
	struct vm *vm;
	struct fx *f;
	unsigned nr_done;
	int done_err;
	struct pci_bdf done_bdf;
};

static void hx_done(void *opaque, const struct pci_bdf *bdf, int err)
{
	struct hx *h = opaque;

	h->nr_done++;
	h->done_err = err;
	h->done_bdf = *bdf;
}

/* Put the fixture's device in port 0's slot as vm_pt_open() does. */
static void hx_plug(struct hx *h)
{
	struct vm_pt_dev *d = &h->vm->pt[0];

	h->f = fx_new();
	assert_non_null(h->f);
	assert_int_equal(fx_create(h->f), 0);
	d->pt = h->f->pt;
	h->f->pt = NULL; /* the VM's now */
	assert_int_equal(pci_bdf_parse("0000:06:00.0", &d->bdf), 0);
	pci_bdf_format(&d->bdf, d->name);
	assert_int_equal(pci_port_plug(d->port, pt_pci_dev(d->pt), true), 0);
	d->attached = true;
	d->state = VM_SLOT_IN;
}

static int setup(void **state)
{
	struct hx *h = calloc(1, sizeof(*h));
	struct vm *vm = calloc(1, sizeof(*vm));

	if (!h || !vm)
		return -1;
	h->cfg.nr_passthrough = 1;
	h->cfg.hotplug_slots = 1;
	h->cfg.no_sandbox = true;
	vm->cfg = &h->cfg;
	vm->guard_fd = -1;
	kvm_vfio_init(&vm->kvm_vfio);
	vm->wake_fd = eventfd(0, EFD_NONBLOCK);
	if (vm->wake_fd < 0 || pci_host_create(&vm->pci) || vm_ports_create(vm))
		return -1;
	h->vm = vm;
	hx_plug(h);
	*state = h;
	return 0;
}

static int teardown(void **state)
{
	struct hx *h = *state;

	/* The guest side, then the host side, as vm_destroy() does. */
	(void)!vm_pt_detach(h->vm);
	vm_ports_destroy(h->vm);
	vm_pt_close(h->vm);
	pci_host_destroy(h->vm->pci);
	close(h->vm->wake_fd);
	fx_free(h->f);
	free(h->vm);
	free(h);
	return 0;
}

static uint32_t port_rd(struct hx *h, unsigned i, unsigned off)
{
	return pci_dev_cfg_read(pci_port_dev(h->vm->pt[i].port), off, 2);
}

static void port_wr(struct hx *h, unsigned i, unsigned off, uint32_t val)
{
	pci_dev_cfg_write(pci_port_dev(h->vm->pt[i].port), off, 2, val);
}

static bool woken(struct hx *h)
{
	uint64_t n = 0;

	return read(h->vm->wake_fd, &n, sizeof(n)) == sizeof(n) && n;
}

static void test_layout(void **state)
{
	struct hx *h = *state;

	/* Two ports: 00:01.0 with the device below on bus 1, 00:02.0 empty. */
	assert_int_equal(vm_nr_ports(h->vm), 2);
	assert_int_equal(h->vm->pt[0].slot, 1);
	assert_int_equal(h->vm->pt[1].slot, 2);
	assert_int_equal(pci_dev_cfg_read(pci_port_dev(h->vm->pt[1].port), PCI_SECONDARY_BUS, 1),
			 2);
	assert_true(pci_port_occupied(h->vm->pt[0].port));
	assert_false(pci_port_occupied(h->vm->pt[1].port));
	/* The empty one powered off, indicators off. */
	assert_int_equal(port_rd(h, 1, SLTCTL), 0x07c0);
}

static void test_del(void **state)
{
	struct hx *h = *state;
	struct pci_bdf other;
	struct vm_pt_dev *d = &h->vm->pt[0];

	assert_int_equal(pci_bdf_parse("0000:07:00.0", &other), 0);
	assert_int_equal(vm_device_del(h->vm, &other, hx_done, h), -ENODEV);
	assert_int_equal(vm_device_del(h->vm, &d->bdf, hx_done, h), 0);
	/* The button, once: a second press would cancel the guest's countdown. */
	assert_int_equal(port_rd(h, 0, SLTSTA), 0x0041);
	assert_int_equal(vm_device_del(h->vm, &d->bdf, hx_done, h), -EBUSY);
	assert_int_equal(d->state, VM_SLOT_DELETING);
	/* Nothing happens until the guest powers the slot off. */
	vm_hotplug_poll(h->vm);
	assert_int_equal(h->nr_done, 0);
	assert_false(woken(h));
	port_wr(h, 0, SLTCTL, 0x07c0);
	assert_true(woken(h));
	assert_null(pci_port_child(d->port));
	assert_non_null(d->pt);
	vm_hotplug_poll(h->vm);
	assert_int_equal(h->nr_done, 1);
	assert_int_equal(h->done_err, 0);
	assert_true(pci_bdf_equal(&h->done_bdf, &d->bdf));
	assert_null(d->pt);
	assert_int_equal(d->state, VM_SLOT_EMPTY);
	assert_false(pci_port_occupied(d->port));
	/* Presence Detect Changed, state clear. */
	assert_int_equal(port_rd(h, 0, SLTSTA) & 0x0048, 0x0008);
	/* Gone: a second del finds nothing; the poll does nothing more. */
	assert_int_equal(vm_device_del(h->vm, &d->bdf, hx_done, h), -ENODEV);
	vm_hotplug_poll(h->vm);
	assert_int_equal(h->nr_done, 1);
}

/* A guest that powers the slot off unasked gets the same unplug, with nobody to tell. */
static void test_guest_power_off(void **state)
{
	struct hx *h = *state;
	struct vm_pt_dev *d = &h->vm->pt[0];

	port_wr(h, 0, SLTCTL, 0x07c0);
	vm_hotplug_poll(h->vm);
	assert_int_equal(h->nr_done, 0);
	assert_null(d->pt);
	assert_int_equal(d->state, VM_SLOT_EMPTY);
	assert_false(pci_port_occupied(d->port));
}

/* The VM stops with a del pending: it ends with -ECANCELED. */
static void test_cancel(void **state)
{
	struct hx *h = *state;

	assert_int_equal(vm_device_del(h->vm, &h->vm->pt[0].bdf, hx_done, h), 0);
	vm_hotplug_cancel(h->vm);
	assert_int_equal(h->nr_done, 1);
	assert_int_equal(h->done_err, -ECANCELED);
	vm_hotplug_cancel(h->vm);
	assert_int_equal(h->nr_done, 1);
}

/* With the sandbox on, both are refused before anything changes. */
static void test_sandbox_refuses(void **state)
{
	struct hx *h = *state;

	h->cfg.no_sandbox = false;
	assert_int_equal(vm_device_del(h->vm, &h->vm->pt[0].bdf, hx_done, h), -EPERM);
	assert_int_equal(vm_device_add(h->vm, &h->vm->pt[0].bdf, hx_done, h), -EPERM);
	assert_int_equal(port_rd(h, 0, SLTSTA), 0x0040);
	assert_int_equal(h->vm->pt[0].state, VM_SLOT_IN);
	assert_int_equal(h->nr_done, 0);
	/* The guest powering the slot off: out of its view, kept until exit. */
	port_wr(h, 0, SLTCTL, 0x07c0);
	vm_hotplug_poll(h->vm);
	assert_null(pci_port_child(h->vm->pt[0].port));
	assert_non_null(h->vm->pt[0].pt);
	assert_int_equal(h->vm->pt[0].state, VM_SLOT_IN);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_layout),		 T(test_del), T(test_guest_power_off), T(test_cancel),
		T(test_sandbox_refuses),
	};
#undef T

	return cmocka_run_group_tests_name("vm_hotplug", tests, NULL, NULL);
}
