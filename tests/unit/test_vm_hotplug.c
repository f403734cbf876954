// SPDX-License-Identifier: GPL-2.0
/*
 * vm_hotplug.c's unplug, over real root ports (vm_port.c) and a
 * passthrough model on the fake backend (pt_fixture.h): device-del presses
 * the attention button once; the guest powering the slot off hands the
 * device to the main loop, which frees it, empties the slot and reports.
 * The host's half is a fake monitor (monitor_host.h): in this process, or
 * over the request channel served by a thread as the sandboxed monitor
 * does. No VFIO device, ptguard or managed record is involved here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <pthread.h>
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
	/* The fake monitor: what it was asked, what it answers. */
	unsigned nr_attach, nr_give_back;
	int attach_ret;
	struct pci_bdf give_back_bdf;
	int chan[2];
	pthread_t thread;
};

static int hx_attach(void *opaque, const struct pci_bdf *bdf, unsigned *group)
{
	struct hx *h = opaque;

	h->nr_attach++;
	*group = 9;
	return h->attach_ret;
}

static int hx_give_back(void *opaque, const struct pci_bdf *bdf)
{
	struct hx *h = opaque;

	h->nr_give_back++;
	h->give_back_bdf = *bdf;
	return 0;
}

static int hx_no_fd(void *opaque, int *fd)
{
	return -ENOSYS; /* never reached: every attach here is refused */
}

static int hx_no_group(void *opaque, unsigned group, int *fd)
{
	return -ENOSYS;
}

static int hx_pin(void *opaque)
{
	return 0;
}

static const struct monitor_host_ops hx_host_ops = {
	.attach = hx_attach,
	.give_back = hx_give_back,
	.open_group = hx_no_group,
	.open_container = hx_no_fd,
	.open_guard = hx_no_fd,
	.check_pin = hx_pin,
};

/* The monitor's loop: serve until the VM's end closes. */
static void *hx_serve(void *arg)
{
	struct hx *h = arg;

	while (!monitor_host_serve(h->vm->host, h->chan[0]))
		;
	return NULL;
}

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
	/* The host half's table, as vm_host_record() makes it. */
	vm->mon_fd = h->chan[0] = h->chan[1] = -1;
	vm->host = calloc(1, sizeof(*vm->host));
	if (!vm->host)
		return -1;
	monitor_host_init(vm->host, &hx_host_ops, h, vm_nr_ports(vm));
	if (vm_host_record(vm, vm->host))
		return -1;
	*state = h;
	return 0;
}

/* As setup(), with the host half across the request channel, served by a thread. */
static int setup_chan(void **state)
{
	struct hx *h;

	if (setup(state))
		return -1;
	h = *state;
	if (monitor_req_pair(h->chan))
		return -1;
	h->vm->mon_fd = h->chan[1];
	return pthread_create(&h->thread, NULL, hx_serve, h) ? -1 : 0;
}

static int teardown(void **state)
{
	struct hx *h = *state;

	/* The guest side, then the host side, as vm_destroy() does. */
	(void)!vm_pt_detach(h->vm);
	vm_ports_destroy(h->vm);
	vm_pt_close(h->vm);
	if (h->chan[0] >= 0) {
		/* The VM's end closed: the monitor's thread sees it and ends. */
		close(h->chan[1]);
		pthread_join(h->thread, NULL);
		close(h->chan[0]);
	}
	vm_host_free(h->vm);
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
	/* Released, then given back by the host half, once. */
	assert_int_equal(h->nr_give_back, 1);
	assert_true(pci_bdf_equal(&h->give_back_bdf, &d->bdf));
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

/* A guest that ignores the button: the request ends at its deadline, the device stays. */
static void test_timeout(void **state)
{
	struct hx *h = *state;
	struct vm_pt_dev *d = &h->vm->pt[0];
	int ms;

	assert_int_equal(vm_hotplug_expire(h->vm), -1);
	assert_int_equal(vm_device_del(h->vm, &d->bdf, hx_done, h), 0);
	ms = vm_hotplug_expire(h->vm);
	assert_in_range(ms, API_HOTPLUG_TIMEOUT_MS - 1000, API_HOTPLUG_TIMEOUT_MS);
	assert_int_equal(h->nr_done, 0);
	/* As if the time had come. */
	d->deadline_ns = 1;
	assert_int_equal(vm_hotplug_expire(h->vm), -1);
	assert_int_equal(h->nr_done, 1);
	assert_int_equal(h->done_err, -ETIMEDOUT);
	assert_int_equal(d->state, VM_SLOT_IN);
	assert_non_null(d->pt);
	assert_non_null(pci_port_child(d->port));
	assert_int_equal(h->nr_give_back, 0);
	/* Asked again: not before the guest acknowledged the press (RW1C, PCIe 4.0 §7.5.3.11). */
	assert_int_equal(vm_device_del(h->vm, &d->bdf, hx_done, h), -EALREADY);
	assert_int_equal(d->state, VM_SLOT_IN);
	port_wr(h, 0, SLTSTA, 0x0001);
	assert_int_equal(vm_device_del(h->vm, &d->bdf, hx_done, h), 0);
}

/*
 * Sandboxed: the same unplug with the host half in the monitor, across
 * the request channel; a device-add the monitor refuses leaves all as it was.
 */
static void test_chan(void **state)
{
	struct hx *h = *state;
	struct vm_pt_dev *d = &h->vm->pt[0];
	struct pci_bdf other;

	assert_int_equal(pci_bdf_parse("0000:07:00.0", &other), 0);
	h->attach_ret = -EPERM;
	assert_int_equal(vm_device_add(h->vm, &other, hx_done, h), -EPERM);
	assert_int_equal(h->nr_attach, 1);
	assert_int_equal(h->vm->pt[1].state, VM_SLOT_EMPTY);
	assert_false(pci_port_occupied(h->vm->pt[1].port));
	/* The guest has it: refused here, the monitor is not asked. */
	assert_int_equal(vm_device_add(h->vm, &d->bdf, hx_done, h), -EEXIST);
	assert_int_equal(h->nr_attach, 1);
	assert_int_equal(vm_device_del(h->vm, &d->bdf, hx_done, h), 0);
	port_wr(h, 0, SLTCTL, 0x07c0);
	vm_hotplug_poll(h->vm);
	assert_int_equal(h->nr_done, 1);
	assert_int_equal(h->done_err, 0);
	assert_int_equal(d->state, VM_SLOT_EMPTY);
	assert_int_equal(h->nr_give_back, 1);
	assert_true(pci_bdf_equal(&h->give_back_bdf, &d->bdf));
	/* Given back: the monitor no longer lets it be given back again. */
	assert_int_equal(vm_host_give_back(h->vm, &d->bdf), -ENODEV);
	assert_int_equal(h->nr_give_back, 1);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_layout),
		T(test_del),
		T(test_guest_power_off),
		T(test_cancel),
		T(test_timeout),
		cmocka_unit_test_setup_teardown(test_chan, setup_chan, teardown),
	};
#undef T

	return cmocka_run_group_tests_name("vm_hotplug", tests, NULL, NULL);
}
