/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pause and resume of all vCPUs (the control socket's pause and resume):
 * a paused vCPU thread is out of KVM_RUN and waits on a condition before
 * its next entry, while the main loop runs on.
 */
#ifndef PTVM_VCPU_GATE_H
#define PTVM_VCPU_GATE_H

#include <pthread.h>

#include "util.h"

struct vcpu;

struct vcpu_gate {
	pthread_mutex_t lock;
	pthread_cond_t resumed; /* parked vCPUs wait on it */
	pthread_cond_t parked;	/* the pauser waits on it (CLOCK_MONOTONIC) */
	int paused;		/* read without the lock by vCPU threads */
	unsigned nr_parked;
};

void vcpu_gate_init(struct vcpu_gate *g);
void vcpu_gate_destroy(struct vcpu_gate *g);
/*
 * vCPU thread, before KVM_RUN: while the gate is paused, wait. Returns
 * true if it waited (the caller re-checks whether the VM is stopping).
 */
bool vcpu_gate_wait(struct vcpu_gate *g);
/*
 * Pause: kick the started vCPUs of @vcpus[@n] out of KVM_RUN and wait until
 * each is parked, the VM is stopping (*@stopping) or @timeout_ms pass.
 * 0 when paused (also when it already was), -ETIMEDOUT when a vCPU did not
 * stop in time: the gate is then open again, as before.
 */
int vcpu_gate_pause(struct vcpu_gate *g, struct vcpu *vcpus, unsigned n,
		    const volatile int *stopping, unsigned timeout_ms) __must_check;
/* Resume (also when not paused); what vm_run() does before joining the vCPUs. */
void vcpu_gate_resume(struct vcpu_gate *g);
bool vcpu_gate_paused(struct vcpu_gate *g);

#endif
