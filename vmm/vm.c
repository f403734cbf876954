// SPDX-License-Identifier: GPL-2.0
/* The VM object: create everything in order, destroy in reverse (the guest side: vm_guest.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "managed/managed.h"
#include "signals.h"
#include "vm.h"

/* A stop that boots the guest again (vm_loop.c's vm_restarts()). */
static bool vm_stop_restarts(const struct vm *vm, enum vm_stop_reason why)
{
	return vm->cfg && vm->cfg->on_reboot == OPTS_ON_REBOOT_RESTART &&
	       (why == VM_STOP_RESET || why == VM_STOP_TRIPLE_FAULT);
}

void vm_request_stop(void *opaque, enum vm_stop_reason why, const char *msg)
{
	struct vm *vm = opaque;
	uint64_t one = 1;

	pthread_mutex_lock(&vm->stop_lock);
	/*
	 * The first reason wins, but one that restarts the guest gives way to
	 * one that ends ptvm: a SIGTERM or Ctrl-A x read while the guest goes
	 * down for a reboot must not be lost to the restart.
	 */
	if (vm->stop_reason == VM_RUNNING ||
	    (vm_stop_restarts(vm, vm->stop_reason) && !vm_stop_restarts(vm, why))) {
		vm->stop_reason = why;
		snprintf(vm->stop_msg, sizeof(vm->stop_msg), "%s", msg);
	}
	__atomic_store_n(&vm->stopping, 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&vm->stop_lock);
	(void)!write(vm->wake_fd, &one, sizeof(one));
}

/* Where RAM and vCPUs go, decided before KVM: a bad --numa-node costs nothing. */
static int vm_place(struct vm *vm)
{
	const struct vm_config *cfg = vm->cfg;
	struct pci_bdf devs[OPTS_MAX_PASSTHROUGH];
	const struct numa_want want = {
		.devs = devs,
		.nr_devs = cfg->nr_passthrough,
		.node = cfg->numa_node,
		.huge_page_size = cfg->hugepages,
		.huge_pages = cfg->hugepages ? mem_huge_pages(&vm->mem, cfg->hugepages) : 0,
	};
	int ret;

	for (unsigned i = 0; i < cfg->nr_passthrough; i++)
		devs[i] = vm->pt[i].bdf;
	ret = numa_choose(NULL, &want, &vm->numa);
	if (!ret)
		log_info("numa: %s", vm->numa.why);
	return ret;
}

static int vm_alloc_ram(struct vm *vm)
{
	const struct vm_config *cfg = vm->cfg;
	const struct mem_backing b = {
		.huge_page_size = cfg->hugepages,
		.bind = vm->numa.node != NUMA_NO_NODE,
		.node = vm->numa.node != NUMA_NO_NODE ? (unsigned)vm->numa.node : 0,
	};
	uint64_t pages = cfg->hugepages ? mem_huge_pages(&vm->mem, cfg->hugepages) : 0;
	char msg[320];
	int ret = mem_alloc(&vm->mem, &b), why;

	if (!ret) {
		if (pages)
			log_info("memory: %lluM of guest RAM in %llu %s huge page%s",
				 (unsigned long long)(cfg->memory >> 20), (unsigned long long)pages,
				 cfg->hugepages == SZ_1G ? "1G" : "2M", pages == 1 ? "" : "s");
		return 0;
	}
	/* A short or missing pool says more than the mmap's errno. */
	why = pages ? numa_huge_check(NULL, cfg->hugepages, NUMA_NO_NODE, pages, msg, sizeof(msg))
		    : 0;
	if (why == -ENOMEM || why == -ENOENT)
		log_err("--hugepages%s: %s", cfg->hugepages == SZ_1G ? "=1G" : "", msg);
	else
		log_err("cannot allocate %lluM of guest RAM%s: %s",
			(unsigned long long)(cfg->memory >> 20), pages ? " in huge pages" : "",
			strerror(-ret));
	return ret;
}

int vm_prepare(struct vm **out, const struct vm_config *cfg, const struct sys_ops *sys)
{
	struct vm *vm;
	int ret;

	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return -ENOMEM;
	vm->cfg = cfg;
	vm->sys = sys;
	vm->wake_fd = vm->signal_fd = vm->guard_fd = vm->mon_fd = -1;
	vm->kvm.dev_fd = vm->kvm.vm_fd = -1;
	kvm_vfio_init(&vm->kvm_vfio);
	vm->console.in_fd = STDIN_FILENO;
	vm->console.out_fd = STDOUT_FILENO;
	vm->console.err_fd = STDERR_FILENO;
	pthread_mutex_init(&vm->stop_lock, NULL);
	vcpu_gate_init(&vm->gate);

	/* Input files first: a typo costs nothing and touches no device. */
	ret = vm_boot_read(vm);
	if (ret)
		goto err;
	ret = vm_api_open(vm);
	if (ret)
		goto err;
	ret = vm_pt_check(vm);
	if (ret)
		goto err;
	ret = mem_layout(&vm->mem, cfg->memory);
	if (ret) {
		log_err("--memory %lluM is out of range (use %lluM to %lluG in whole MiB)",
			(unsigned long long)(cfg->memory >> 20),
			(unsigned long long)(MEM_MIN_SIZE >> 20),
			(unsigned long long)(MEM_MAX_SIZE >> 30));
		goto err;
	}
	ret = vm_place(vm);
	if (ret)
		goto err;
	ret = signals_setup_check();
	if (ret)
		goto err;
	ret = kvm_open(&vm->kvm, sys, cfg->kvm_path);
	if (ret)
		goto err;
	vm->kvm_open = true;
	if (cfg->cpus > (unsigned)vm->kvm.max_vcpus) {
		log_err("--cpus %u is more than KVM allows here (at most %d)", cfg->cpus,
			vm->kvm.max_vcpus);
		ret = -EINVAL;
		goto err;
	}
	if (cfg->memory > mem_max_ram(kvm_phys_bits(&vm->kvm))) {
		log_err("--memory %lluM does not fit the guest's %u-bit physical address space "
			"(at most %lluG)",
			(unsigned long long)(cfg->memory >> 20), kvm_phys_bits(&vm->kvm),
			(unsigned long long)(mem_max_ram(kvm_phys_bits(&vm->kvm)) >> 30));
		ret = -EINVAL;
		goto err;
	}
	/* Last: every check that needs no device is behind us. */
	ret = vm_pt_move(vm);
	if (ret)
		goto err;
	*out = vm;
	return 0;

err:
	vm_destroy(vm);
	return ret;
}

int vm_build(struct vm *vm)
{
	int ret;

	/* A termination signal stops setup between its steps (signals.h): -EINTR. */
	ret = signals_setup_check();
	if (!ret)
		ret = vm_alloc_ram(vm);
	if (!ret)
		ret = signals_setup_check();
	/* The host side's devices need the VM: their groups are registered with it first. */
	if (!ret)
		ret = vm_guest_create_vm(vm);
	if (!ret)
		ret = vm_pt_open(vm);
	if (!ret)
		ret = signals_setup_check();
	if (!ret)
		ret = vm_guest_build(vm);
	if (ret)
		return ret;
	/* Copied into guest RAM; kept only if a reboot will copy them again. */
	if (vm->cfg->on_reboot == OPTS_ON_REBOOT_EXIT)
		vm_boot_release(vm);
	ret = vm_create_events(vm);
	if (ret) {
		log_err("vm: cannot set up the main loop (signals, console): %s", strerror(-ret));
		return ret;
	}
	/* The last look before the guest starts; from here the main loop takes signals. */
	return signals_setup_check();
}

int vm_create(struct vm **out, const struct vm_config *cfg, const struct sys_ops *sys)
{
	struct vm *vm;
	int ret;

	ret = vm_prepare(&vm, cfg, sys);
	if (ret)
		return ret;
	ret = vm_build(vm);
	if (ret) {
		vm_destroy(vm);
		return ret;
	}
	*out = vm;
	return 0;
}

void vm_hand_over(struct vm *vm, struct managed **managed, struct api_server **api)
{
	*managed = vm->managed;
	*api = vm->api;
	vm->managed = NULL;
	vm->api = NULL;
	/* The VM process serves the socket: clients must not queue on the monitor's copy. */
	api_server_close(*api);
	vm_destroy(vm);
}

void vm_leave_to_monitor(struct vm *vm)
{
	/* The monitor gives them back; this copy unfreed was LeakSanitizer's finding in the rig. */
	managed_forget(vm->managed);
	vm->managed = NULL;
	api_server_disown(vm->api);
}

void vm_destroy(struct vm *vm)
{
	if (!vm)
		return;
	console_close(&vm->console);
	/* Pending hot-plug requests end before the socket that may have asked for them. */
	vm_hotplug_cancel(vm);
	api_server_destroy(vm->api);
	/* The guest side first (it resets the passed devices), then the host side. */
	(void)!vm_guest_destroy(vm);
	console_close_output(&vm->console);
	free(vm->vcpus);
	vm_pt_close(vm);
	mem_free(&vm->mem);
	if (vm->kvm_open)
		kvm_close(&vm->kvm);
	vm_boot_release(vm);
	if (vm->signal_fd >= 0)
		close(vm->signal_fd);
	if (vm->wake_fd >= 0)
		close(vm->wake_fd);
	vcpu_gate_destroy(&vm->gate);
	vm_host_free(vm);
	if (vm->mon_fd >= 0)
		close(vm->mon_fd);
	pthread_mutex_destroy(&vm->stop_lock);
	free(vm);
}
