// SPDX-License-Identifier: GPL-2.0
/* Pause and resume of the vCPU threads: a flag they check before KVM_RUN, and a condition. */
#include <errno.h>
#include <time.h>

#include "vcpu.h"
#include "vcpu_gate.h"

/* How often the pauser looks at the VM's stopping flag while it waits. */
#define VCPU_GATE_SLICE_NS 20000000L

void vcpu_gate_init(struct vcpu_gate *g)
{
	pthread_condattr_t ca;

	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->resumed, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&g->parked, &ca);
	pthread_condattr_destroy(&ca);
	g->paused = 0;
	g->nr_parked = 0;
}

void vcpu_gate_destroy(struct vcpu_gate *g)
{
	pthread_cond_destroy(&g->parked);
	pthread_cond_destroy(&g->resumed);
	pthread_mutex_destroy(&g->lock);
}

bool vcpu_gate_wait(struct vcpu_gate *g)
{
	if (!__atomic_load_n(&g->paused, __ATOMIC_ACQUIRE))
		return false;
	pthread_mutex_lock(&g->lock);
	g->nr_parked++;
	pthread_cond_signal(&g->parked);
	/* The kick signal may end a wait early: the flag decides. */
	while (g->paused)
		pthread_cond_wait(&g->resumed, &g->lock);
	g->nr_parked--;
	pthread_mutex_unlock(&g->lock);
	return true;
}

static void vcpu_gate_open(struct vcpu_gate *g)
{
	__atomic_store_n(&g->paused, 0, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&g->resumed);
}

static uint64_t vcpu_gate_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int vcpu_gate_pause(struct vcpu_gate *g, struct vcpu *vcpus, unsigned n,
		    const volatile int *stopping, unsigned timeout_ms)
{
	uint64_t deadline = vcpu_gate_now_ns() + (uint64_t)timeout_ms * 1000000ULL;
	unsigned started = 0;
	int ret = 0;

	pthread_mutex_lock(&g->lock);
	if (g->paused) {
		pthread_mutex_unlock(&g->lock);
		return 0;
	}
	__atomic_store_n(&g->paused, 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&g->lock);

	/* Set before the kick: a vCPU that leaves KVM_RUN now sees it and parks. */
	for (unsigned i = 0; i < n; i++) {
		if (!vcpus[i].started)
			continue;
		started++;
		vcpu_kick(&vcpus[i]);
	}

	pthread_mutex_lock(&g->lock);
	while (g->nr_parked < started && !__atomic_load_n(stopping, __ATOMIC_ACQUIRE)) {
		uint64_t now = vcpu_gate_now_ns(), until;
		struct timespec ts;

		if (now >= deadline) {
			/* Not all stopped: reopen, so no vCPU stays parked behind an error. */
			vcpu_gate_open(g);
			ret = -ETIMEDOUT;
			break;
		}
		until = MIN(deadline, now + VCPU_GATE_SLICE_NS);
		ts.tv_sec = (time_t)(until / 1000000000ULL);
		ts.tv_nsec = (long)(until % 1000000000ULL);
		pthread_cond_timedwait(&g->parked, &g->lock, &ts);
	}
	pthread_mutex_unlock(&g->lock);
	return ret;
}

void vcpu_gate_resume(struct vcpu_gate *g)
{
	pthread_mutex_lock(&g->lock);
	vcpu_gate_open(g);
	pthread_mutex_unlock(&g->lock);
}

bool vcpu_gate_paused(struct vcpu_gate *g)
{
	return __atomic_load_n(&g->paused, __ATOMIC_ACQUIRE);
}
