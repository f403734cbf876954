/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The KVM_RUN loop of one vCPU thread. Each exit becomes an address-space dispatch; the
 * loop knows no device. Anything that ends the VM is reported through
 * vcpu_env.stop and the loop returns.
 */
#ifndef PTVM_VCPU_H
#define PTVM_VCPU_H

#include <pthread.h>
#include <sched.h>

#include "as.h"
#include "kvm.h"
#include "vcpu_gate.h"

enum vm_stop_reason {
	VM_RUNNING = 0,
	VM_STOP_POWEROFF, /* guest powered off: exit 0 */
	VM_STOP_RESET,	  /* guest rebooted: restarted, or exit 0 with --on-reboot exit */
	VM_STOP_HALT,	  /* HLT without an in-kernel irqchip (smoke test) */
	VM_STOP_SIGNAL,	  /* ptvm got SIGINT/SIGTERM/SIGHUP, or the user typed the escape */
	VM_STOP_ERROR,	  /* KVM internal error, failed entry, a crash the guest reported */
	/* KVM_EXIT_SHUTDOWN: restarted as a reboot is, or exit 1 with --on-reboot exit */
	VM_STOP_TRIPLE_FAULT,
	VM_STOP_DEVICE,	 /* the host took a passed-through device back, or it failed: exit 1 */
	VM_STOP_CONTROL, /* "poweroff" on the control socket: exit 0 */
};

/* What every vCPU thread shares. */
struct vcpu_env {
	struct kvm *kvm;
	struct as *pio;
	struct as *mmio;
	/* Ask the VM to stop; the first reason wins (a restart gives way: vm.c). */
	void (*stop)(void *opaque, enum vm_stop_reason why, const char *msg);
	void *stop_opaque;
	/* Set once the VM is stopping: the loop exits at the next KVM_RUN return. */
	volatile int *stopping;
	/* CPUs every vCPU thread runs on (its NUMA node's), or NULL for any. */
	const cpu_set_t *affinity;
	/* Pause and resume (vcpu_gate.h); NULL: never paused. */
	struct vcpu_gate *gate;
};

/* Returns of KVM_RUN to ptvm, by kind, for --stats. */
struct vcpu_stats {
	uint64_t pio;	/* KVM_EXIT_IO (a rep ins/outs counts once) */
	uint64_t mmio;	/* KVM_EXIT_MMIO: a trapped guest-physical access */
	uint64_t intr;	/* a signal (the kick) ended KVM_RUN: -EINTR or KVM_EXIT_INTR */
	uint64_t halt;	/* KVM_EXIT_HLT: only without the in-kernel irqchip */
	uint64_t other; /* everything else; all of them end the run */
};

struct vcpu {
	struct kvm_vcpu kv;
	const struct vcpu_env *env;
	pthread_t thread;
	bool started;
	/*
	 * Written only by this vCPU's thread, with relaxed atomic stores, so
	 * that any thread may read them at any time with vcpu_get_stats().
	 */
	struct vcpu_stats stats;
	/* Exits handled, twice: odd while one is (vcpu_wait_exits()). */
	unsigned long exit_seq;
};

/* @v's counters, each read untorn (not one atomic snapshot); any thread, any time. */
void vcpu_get_stats(const struct vcpu *v, struct vcpu_stats *out);
/* Handle one exit already in v->kv.run. Returns true to keep running. */
bool vcpu_handle_exit(struct vcpu *v);
/*
 * Wait until each of the @n vCPUs @v has finished the exit it was handling
 * when called (none waits if it was in the guest): after a region left the
 * guest address space, no trapped access that found it can still run.
 */
void vcpu_wait_exits(struct vcpu *v, unsigned n);
/* Run until the VM stops. */
void vcpu_loop(struct vcpu *v);
/* Thread entry and kick (signal that makes KVM_RUN return -EINTR). */
int vcpu_start(struct vcpu *v) __must_check;
void vcpu_kick(struct vcpu *v);
/* Install the (empty) kick-signal handler; call once before starting vCPUs. */
int vcpu_kick_init(void) __must_check;

#endif
