// SPDX-License-Identifier: GPL-2.0
/*
 * --api-socket: the VM's side of the control socket's verbs (api_vm_ops),
 * and its listener and clients as sources of the main loop.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "vm.h"

static void vm_api_status(void *opaque, struct api_status *st)
{
	struct vm *vm = opaque;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	st->paused = vcpu_gate_paused(&vm->gate);
	st->vcpus = vm->nr_vcpus;
	st->memory = vm->cfg->memory;
	st->reboots = vm->reboots;
	if (vm->start_ns)
		st->uptime_ms = ((uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec -
				 vm->start_ns) /
				1000000ULL;
	st->nr_devs = 0;
	for (unsigned i = 0; i < vm_nr_ports(vm) && st->nr_devs < ARRAY_SIZE(st->dev); i++) {
		const struct vm_pt_dev *d = &vm->pt[i];

		if (!d->dev)
			continue;
		snprintf(st->dev[st->nr_devs].bdf, sizeof(st->dev[0].bdf), "%s", d->name);
		st->dev[st->nr_devs].iommu_group = d->group;
		st->nr_devs++;
	}
}

static void vm_api_stats(void *opaque, struct vm_stats *st)
{
	vm_get_stats(opaque, st);
}

static int vm_api_pause(void *opaque)
{
	struct vm *vm = opaque;

	return vcpu_gate_pause(&vm->gate, vm->vcpus, vm->nr_vcpus, &vm->stopping,
			       API_PAUSE_TIMEOUT_MS);
}

static int vm_api_resume(void *opaque)
{
	struct vm *vm = opaque;

	vcpu_gate_resume(&vm->gate);
	return 0;
}

static void vm_api_poweroff(void *opaque)
{
	vm_request_stop(opaque, VM_STOP_CONTROL, "stopped by the control socket (poweroff)");
}

/* vm_hotplug_done: the guest did its part (or not): the reply goes to whoever asked. */
static void vm_api_hotplug_done(void *opaque, const struct pci_bdf *bdf, int err)
{
	api_later_done(opaque, err);
}

static int vm_api_device_del(void *opaque, struct api_later *later)
{
	struct pci_bdf bdf;

	if (pci_bdf_parse(later->bdf, &bdf))
		return -EINVAL;
	return vm_device_del(opaque, &bdf, vm_api_hotplug_done, later);
}

static int vm_api_device_add(void *opaque, struct api_later *later)
{
	struct pci_bdf bdf;

	if (pci_bdf_parse(later->bdf, &bdf))
		return -EINVAL;
	return vm_device_add(opaque, &bdf, vm_api_hotplug_done, later);
}

static const struct api_vm_ops vm_api_ops = {
	.status = vm_api_status,
	.stats = vm_api_stats,
	.pause = vm_api_pause,
	.resume = vm_api_resume,
	.poweroff = vm_api_poweroff,
	.device_del = vm_api_device_del,
	.device_add = vm_api_device_add,
};

/* What the loop polls follows the server: a slot taken or freed, the listener off. */
static void vm_api_sync(struct vm *vm)
{
	vm->src[vm->api_src].fd = api_server_fd(vm->api);
	for (unsigned i = 0; i < API_MAX_CLIENTS; i++)
		vm->src[vm->api_src + 1 + i].fd = api_server_client_fd(vm->api, i);
}

static void vm_api_on_listen(struct vm *vm, struct vm_source *src)
{
	api_server_accept(vm->api);
	vm_api_sync(vm);
}

static void vm_api_on_client(struct vm *vm, struct vm_source *src)
{
	api_server_input(vm->api, (unsigned)(src - &vm->src[vm->api_src + 1]));
	vm_api_sync(vm);
}

int vm_api_open(struct vm *vm)
{
	int ret;

	if (!vm->cfg->api_socket)
		return 0;
	ret = api_server_open(&vm->api, vm->cfg->api_socket, &vm_api_ops, vm);
	if (ret)
		return ret;
	ret = vm_add_source(vm, api_server_fd(vm->api), VM_WAKE_API, vm_api_on_listen, NULL);
	if (ret < 0)
		goto err;
	vm->api_src = ret;
	/* One source per client slot, polled only while the slot is taken. */
	for (unsigned i = 0; i < API_MAX_CLIENTS; i++) {
		ret = vm_add_source(vm, -1, VM_WAKE_API, vm_api_on_client, NULL);
		if (ret < 0)
			goto err;
	}
	return 0;
err:
	log_err("api: no room in the main loop for the control socket");
	return ret;
}
