// SPDX-License-Identifier: GPL-2.0
/* The VM object: create everything in order, run, destroy in reverse. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dev/pm.h"
#include "dev/serial.h"
#include "layout.h"
#include "pci/host.h"
#include "signals.h"
#include "vm.h"

static void vm_gsi_set(void *opaque, int level)
{
	struct vm_gsi *g = opaque;

	/* Fails only if the VM is gone; kvm.c has logged it. */
	(void)!kvm_irq_line(&g->vm->kvm, g->gsi, level);
}

static void vm_gsi_init(struct vm_gsi *g, struct vm *vm, unsigned gsi)
{
	g->vm = vm;
	g->gsi = gsi;
	g->line.set = vm_gsi_set;
	g->line.opaque = g;
}

void vm_request_stop(void *opaque, enum vm_stop_reason why, const char *msg)
{
	struct vm *vm = opaque;
	uint64_t one = 1;

	pthread_mutex_lock(&vm->stop_lock);
	if (vm->stop_reason == VM_RUNNING) {
		vm->stop_reason = why;
		snprintf(vm->stop_msg, sizeof(vm->stop_msg), "%s", msg);
	}
	__atomic_store_n(&vm->stopping, 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&vm->stop_lock);
	(void)!write(vm->wake_fd, &one, sizeof(one));
}

static void vm_pm_event(void *opaque, enum pm_event ev)
{
	if (ev == PM_POWEROFF)
		vm_request_stop(opaque, VM_STOP_POWEROFF, "guest powered off");
	else
		vm_request_stop(opaque, VM_STOP_RESET, "guest rebooted");
}

static int vm_set_memslot(void *opaque, unsigned slot, uint64_t gpa, uint64_t size, void *hva)
{
	struct vm *vm = opaque;

	return kvm_set_memslot(&vm->kvm, slot, gpa, size, hva);
}

static int vm_add_ram(void *opaque, unsigned idx, const struct mem_region *m)
{
	static const char *const names[MEM_MAX_REGIONS] = {"ram0", "ram1", "ram2", "ram3"};
	const struct as_map map = {0, m->size, m->hva};
	struct vm *vm = opaque;
	struct as_region *r;
	int ret;

	ret = as_region_add(vm->mmio, names[idx], AS_PRIO_RAM, NULL, NULL, &r);
	if (!ret)
		ret = as_region_place(r, m->gpa, m->size);
	if (!ret)
		ret = as_region_set_maps(r, &map, 1);
	return ret;
}

/*
 * The guest-physical space: RAM, and holes where KVM's in-kernel devices
 * decode (IOAPIC, local APIC) or its Intel TSS and identity map live, so
 * that no BAR a guest places there can cover them with a memslot.
 */
static int vm_create_address_spaces(struct vm *vm)
{
	const struct as_slot_ops slots = {
		.set = vm_set_memslot,
		.opaque = vm,
		.nr_slots = vm->kvm.nr_slots,
	};
	static const struct {
		const char *name;
		uint64_t base, len;
	} holes[] = {
		{"ioapic", LAYOUT_IOAPIC, SZ_4K},
		{"lapic", LAYOUT_LAPIC, SZ_1M},
		{"kvm-tss", LAYOUT_KVM_TSS, 4 * SZ_4K},
	};
	int ret;

	ret = as_create(&vm->mmio, "mmio", &slots);
	if (!ret)
		ret = as_create(&vm->pio, "pio", NULL);
	if (!ret)
		ret = mem_for_each(&vm->mem, vm_add_ram, vm);
	if (!ret)
		ret = as_commit(vm->mmio);
	for (unsigned i = 0; i < ARRAY_SIZE(holes) && !ret; i++)
		ret = as_add_fixed(vm->mmio, holes[i].name, holes[i].base, holes[i].len, NULL,
				   NULL);
	if (ret)
		log_err("vm: cannot map guest RAM: %s", strerror(-ret));
	return ret;
}

/* Legacy PC devices and the PCI host bridge, on their fixed addresses (layout.h). */
static int vm_create_devices(struct vm *vm)
{
	int ret;

	vm_gsi_init(&vm->serial_irq, vm, IRQ_SERIAL0);
	ret = serial_create(&vm->serial, &vm->serial_irq.line, console_tx, &vm->console);
	if (ret)
		return ret;
	serial_set_rx_ready(vm->serial, vm_rx_ready, vm);
	ret = pm_create(&vm->pm, vm_pm_event, vm);
	if (ret)
		return ret;
	ret = pci_host_create(&vm->pci);
	if (ret)
		return ret;

	ret = as_add_fixed(vm->pio, "serial0", PORT_SERIAL0, PORT_SERIAL_LEN, &serial_bus_ops,
			   vm->serial);
	if (!ret)
		ret = as_add_fixed(vm->pio, "acpi-pm", PORT_ACPI_SLEEP_CTL, PM_ACPI_PORTS,
				   &pm_acpi_ops, vm->pm);
	if (!ret)
		ret = as_add_fixed(vm->pio, "i8042", PORT_I8042, PM_I8042_PORTS, &pm_i8042_ops,
				   vm->pm);
	if (!ret)
		ret = as_add_fixed(vm->pio, "pci-cf8", PORT_PCI_CONF_ADDR, 8, &pci_host_cf8_ops,
				   vm->pci);
	if (!ret)
		ret = as_add_fixed(vm->mmio, "pci-ecam", LAYOUT_ECAM_BASE, LAYOUT_ECAM_SIZE,
				   &pci_host_ecam_ops, vm->pci);
	return ret;
}

static int vm_create_vcpus(struct vm *vm, const struct boot_entry *entry)
{
	int ret;

	vm->vcpus = calloc(vm->cfg->cpus, sizeof(*vm->vcpus));
	if (!vm->vcpus)
		return -ENOMEM;
	vm->env = (struct vcpu_env){
		.kvm = &vm->kvm,
		.pio = vm->pio,
		.mmio = vm->mmio,
		.stop = vm_request_stop,
		.stop_opaque = vm,
		.stopping = &vm->stopping,
		.affinity = vm->numa.node != NUMA_NO_NODE ? &vm->numa.cpus : NULL,
	};
	for (unsigned i = 0; i < vm->cfg->cpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		v->env = &vm->env;
		ret = kvm_vcpu_create(&vm->kvm, i, &v->kv);
		if (ret)
			return ret;
		vm->nr_vcpus++;
		ret = kvm_vcpu_set_cpuid(&vm->kvm, &v->kv);
		if (ret)
			return ret;
	}
	/* APs wait in the in-kernel LAPIC for INIT/SIPI from the guest. */
	return kvm_vcpu_set_boot_regs(&vm->kvm, &vm->vcpus[0].kv, entry);
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

int vm_create(struct vm **out, const struct vm_config *cfg, const struct sys_ops *sys)
{
	struct boot_entry entry;
	struct vm *vm;
	int ret;

	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return -ENOMEM;
	vm->cfg = cfg;
	vm->sys = sys;
	vm->wake_fd = vm->signal_fd = vm->guard_fd = -1;
	kvm_vfio_init(&vm->kvm_vfio);
	vm->console.in_fd = STDIN_FILENO;
	vm->console.out_fd = STDOUT_FILENO;
	vm->console.err_fd = STDERR_FILENO;
	pthread_mutex_init(&vm->stop_lock, NULL);

	/* Input files first: a typo costs nothing and touches no device. */
	ret = vm_boot_read(vm);
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
	ret = kvm_create_vm(&vm->kvm, true);
	if (ret)
		goto err;
	ret = kvm_irq_init(&vm->irq, &vm->kvm);
	if (ret)
		goto err;
	vm->irq_init = true;
	ret = signals_setup_check();
	if (ret)
		goto err;
	ret = vm_alloc_ram(vm);
	if (ret)
		goto err;
	ret = signals_setup_check();
	if (ret)
		goto err;
	ret = vm_create_address_spaces(vm);
	if (ret)
		goto err;
	ret = vm_create_devices(vm);
	if (ret)
		goto err;
	ret = signals_setup_check();
	if (ret)
		goto err;
	ret = vm_pt_open(vm);
	if (ret)
		goto err;
	ret = vm_pt_window(vm);
	if (ret)
		goto err;
	ret = signals_setup_check();
	if (ret)
		goto err;
	ret = vm_boot_setup(vm, &entry);
	if (ret)
		goto err;
	/* Copied into guest RAM: the files need not stay mapped for the run. */
	vm_boot_release(vm);
	ret = vm_create_vcpus(vm, &entry);
	if (ret)
		goto err;
	ret = vm_create_events(vm);
	if (ret) {
		log_err("vm: cannot set up the main loop (signals, console): %s", strerror(-ret));
		goto err;
	}
	/* The last look before the guest starts; from here the main loop takes signals. */
	ret = signals_setup_check();
	if (ret)
		goto err;
	*out = vm;
	return 0;

err:
	vm_destroy(vm);
	return ret;
}

void vm_destroy(struct vm *vm)
{
	if (!vm)
		return;
	console_close(&vm->console);
	console_close_output(&vm->console);
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		kvm_vcpu_destroy(&vm->kvm, &vm->vcpus[i].kv);
	free(vm->vcpus);
	vm_pt_close(vm);
	as_destroy(vm->mmio);
	as_destroy(vm->pio);
	pci_host_destroy(vm->pci);
	pm_destroy(vm->pm);
	serial_destroy(vm->serial);
	mem_free(&vm->mem);
	if (vm->irq_init)
		kvm_irq_destroy(&vm->irq);
	if (vm->kvm_open)
		kvm_close(&vm->kvm);
	vm_boot_release(vm);
	if (vm->signal_fd >= 0)
		close(vm->signal_fd);
	if (vm->wake_fd >= 0)
		close(vm->wake_fd);
	pthread_mutex_destroy(&vm->stop_lock);
	free(vm);
}
