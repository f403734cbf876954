// SPDX-License-Identifier: GPL-2.0
/* ptvm's own counters: one snapshot (vm_get_stats) for --stats and the control socket. */
#include <stdlib.h>
#include <string.h>

#include "pt/passthrough.h"
#include "vm.h"

const char *const vm_wake_names[VM_WAKE_NR] = {
	[VM_WAKE_CONSOLE] = "console", [VM_WAKE_WAKE] = "wake", [VM_WAKE_SIGNAL] = "signal",
	[VM_WAKE_VFIO] = "vfio",       [VM_WAKE_API] = "api",	[VM_WAKE_OUTPUT] = "output",
};

void vm_stats_add(struct vcpu_stats *sum, const struct vcpu_stats *v)
{
	sum->pio += v->pio;
	sum->mmio += v->mmio;
	sum->intr += v->intr;
	sum->halt += v->halt;
	sum->other += v->other;
}

/*
 * Any time, from the main thread: the vCPU and device counters are read
 * untorn while their threads run (vcpu_get_stats, pt_get_stats); the loop's
 * wakeups are the main thread's own.
 */
void vm_get_stats(const struct vm *vm, struct vm_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->nr_vcpus = MIN(vm->nr_vcpus, ARRAY_SIZE(st->vcpu));
	for (unsigned i = 0; i < st->nr_vcpus; i++) {
		vcpu_get_stats(&vm->vcpus[i], &st->vcpu[i]);
		vm_stats_add(&st->exits, &st->vcpu[i]);
	}
	memcpy(st->wakeups, vm->wakeups, sizeof(st->wakeups));
	st->reboots = vm->reboots;
	console_get_stats(&vm->console, &st->console);
	/* The devices in the guest's slots now (hot-plug changes them). */
	for (unsigned i = 0; i < vm_nr_ports(vm) && st->nr_devs < ARRAY_SIZE(st->dev); i++) {
		const struct vm_pt_dev *d = &vm->pt[i];
		struct vm_stats_dev *sd;
		struct pt_stats now = {0};

		if (!d->dev)
			continue;
		sd = &st->dev[st->nr_devs++];
		/* Every boot of the guest counts: the earlier ones are in d->past. */
		if (d->pt)
			pt_get_stats(d->pt, &now);
		snprintf(sd->bdf, sizeof(sd->bdf), "%s", d->name);
		sd->st.trapped_reads = d->past.trapped_reads + now.trapped_reads;
		sd->st.trapped_writes = d->past.trapped_writes + now.trapped_writes;
	}
}

static void vm_stats_print_exits(FILE *f, const char *who, const struct vcpu_stats *st)
{
	fprintf(f, "ptvm: stats: %sexits pio %llu mmio %llu intr %llu halt %llu other %llu\n", who,
		(unsigned long long)st->pio, (unsigned long long)st->mmio,
		(unsigned long long)st->intr, (unsigned long long)st->halt,
		(unsigned long long)st->other);
}

void vm_stats_print(const struct vm_stats *st, FILE *f)
{
	for (unsigned i = 0; i < st->nr_vcpus; i++) {
		char who[16];

		snprintf(who, sizeof(who), "vcpu%u ", i);
		vm_stats_print_exits(f, who, &st->vcpu[i]);
	}
	vm_stats_print_exits(f, "", &st->exits);
	fprintf(f, "ptvm: stats: loop wakeups");
	for (unsigned k = 0; k < VM_WAKE_NR; k++)
		fprintf(f, " %s %llu", vm_wake_names[k], (unsigned long long)st->wakeups[k]);
	fprintf(f, "\n");
	fprintf(f, "ptvm: stats: reboots %u\n", st->reboots);
	fprintf(f, "ptvm: stats: console written %llu dropped %llu\n",
		(unsigned long long)st->console.written, (unsigned long long)st->console.dropped);
	for (unsigned i = 0; i < st->nr_devs; i++)
		fprintf(f, "ptvm: stats: %s trapped reads %llu writes %llu\n", st->dev[i].bdf,
			(unsigned long long)st->dev[i].st.trapped_reads,
			(unsigned long long)st->dev[i].st.trapped_writes);
}

void vm_print_stats(const struct vm *vm)
{
	/* About 10 KiB with OPTS_MAX_CPUS vCPUs: not for the stack of a small thread. */
	struct vm_stats *st = malloc(sizeof(*st));

	if (!st) {
		log_err("stats: out of memory");
		return;
	}
	vm_get_stats(vm, st);
	vm_stats_print(st, stderr);
	free(st);
}
