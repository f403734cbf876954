// SPDX-License-Identifier: GPL-2.0
/* The KVM_RUN loop: exits to address-space dispatches, fatal exits to a stop request. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vcpu.h"

/* Signal used to kick a vCPU out of KVM_RUN. Its handler does nothing. */
#define VCPU_KICK_SIGNAL SIGUSR1

static void vcpu_kick_handler(int sig)
{
	(void)sig;
}

int vcpu_kick_init(void)
{
	struct sigaction sa = {.sa_handler = vcpu_kick_handler};

	/* No SA_RESTART: the point is to make KVM_RUN return -EINTR. */
	sigemptyset(&sa.sa_mask);
	return sigaction(VCPU_KICK_SIGNAL, &sa, NULL) ? -errno : 0;
}

/*
 * One writer per counter (this vCPU's thread): a relaxed load and store is
 * enough, and unlike a locked add it costs nothing on the exit path. The
 * atomic store is what lets another thread read the counter untorn.
 */
static void vcpu_count(uint64_t *c)
{
	__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + 1, __ATOMIC_RELAXED);
}

void vcpu_get_stats(const struct vcpu *v, struct vcpu_stats *out)
{
	out->pio = __atomic_load_n(&v->stats.pio, __ATOMIC_RELAXED);
	out->mmio = __atomic_load_n(&v->stats.mmio, __ATOMIC_RELAXED);
	out->intr = __atomic_load_n(&v->stats.intr, __ATOMIC_RELAXED);
	out->halt = __atomic_load_n(&v->stats.halt, __ATOMIC_RELAXED);
	out->other = __atomic_load_n(&v->stats.other, __ATOMIC_RELAXED);
}

static void vcpu_stop(struct vcpu *v, enum vm_stop_reason why, const char *fmt, ...) __printf(3, 4);

static void vcpu_stop(struct vcpu *v, enum vm_stop_reason why, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	v->env->stop(v->env->stop_opaque, why, msg);
}

static void vcpu_pio(struct vcpu *v)
{
	struct kvm_run *run = v->kv.run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;

	/* A rep ins/outs arrives as one exit with count > 1 elements back to back. */
	for (uint32_t i = 0; i < run->io.count; i++, data += run->io.size) {
		if (run->io.direction == KVM_EXIT_IO_OUT)
			as_write(v->env->pio, run->io.port, data, run->io.size);
		else
			as_read(v->env->pio, run->io.port, data, run->io.size);
	}
	vcpu_count(&v->stats.pio);
}

static void vcpu_mmio(struct vcpu *v)
{
	struct kvm_run *run = v->kv.run;
	unsigned len = MIN(run->mmio.len, sizeof(run->mmio.data));

	if (run->mmio.is_write)
		as_write(v->env->mmio, run->mmio.phys_addr, run->mmio.data, len);
	else
		as_read(v->env->mmio, run->mmio.phys_addr, run->mmio.data, len);
	vcpu_count(&v->stats.mmio);
}

/*
 * KVM_EXIT_SYSTEM_EVENT (linux/kvm.h, api.rst): the guest asked for the
 * machine to go off, be reset or reported that it crashed (e.g. through
 * Hyper-V's crash MSRs). Only a shutdown ends ptvm well; an event this
 * code does not know is no reason to exit 0.
 */
static void vcpu_system_event(struct vcpu *v, uint32_t type)
{
	switch (type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		vcpu_stop(v, VM_STOP_POWEROFF, "guest powered off (KVM_SYSTEM_EVENT_SHUTDOWN)");
		break;
	case KVM_SYSTEM_EVENT_RESET:
		vcpu_stop(v, VM_STOP_RESET, "guest rebooted (KVM_SYSTEM_EVENT_RESET)");
		break;
	case KVM_SYSTEM_EVENT_CRASH:
		vcpu_stop(v, VM_STOP_ERROR, "guest reported a crash (KVM_SYSTEM_EVENT_CRASH)");
		break;
	default:
		vcpu_stop(v, VM_STOP_ERROR, "vCPU %u: unknown KVM system event %u", v->kv.id, type);
		break;
	}
}

/* The exits that end the run, each with its reason and message. */
static void vcpu_stop_on_exit(struct vcpu *v)
{
	struct kvm_run *run = v->kv.run;

	switch (run->exit_reason) {
	case KVM_EXIT_SHUTDOWN: {
		/* Where the guest died is most of what there is to know about it. */
		char where[160];

		if (!v->env->kvm || kvm_vcpu_describe(v->env->kvm, &v->kv, where, sizeof(where)))
			where[0] = '\0';
		vcpu_stop(v, VM_STOP_TRIPLE_FAULT,
			  "guest triple fault on vCPU %u (KVM_EXIT_SHUTDOWN)%s%s", v->kv.id,
			  where[0] ? " at " : "", where);
		break;
	}
	case KVM_EXIT_SYSTEM_EVENT:
		vcpu_system_event(v, run->system_event.type);
		break;
	case KVM_EXIT_FAIL_ENTRY:
		vcpu_stop(v, VM_STOP_ERROR, "vCPU %u: KVM entry failed, hardware reason 0x%llx",
			  v->kv.id,
			  (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		vcpu_stop(v, VM_STOP_ERROR, "vCPU %u: KVM internal error, suberror %u", v->kv.id,
			  run->internal.suberror);
		break;
	default:
		vcpu_stop(v, VM_STOP_ERROR, "vCPU %u: unexpected KVM exit reason %u", v->kv.id,
			  run->exit_reason);
		break;
	}
}

bool vcpu_handle_exit(struct vcpu *v)
{
	switch (v->kv.run->exit_reason) {
	case KVM_EXIT_IO:
		vcpu_pio(v);
		return true;
	case KVM_EXIT_MMIO:
		vcpu_mmio(v);
		return true;
	case KVM_EXIT_INTR:
		vcpu_count(&v->stats.intr);
		return true;
	case KVM_EXIT_HLT:
		vcpu_count(&v->stats.halt);
		vcpu_stop(v, VM_STOP_HALT, "vCPU %u halted", v->kv.id);
		return false;
	default:
		vcpu_count(&v->stats.other);
		vcpu_stop_on_exit(v);
		return false;
	}
}

void vcpu_loop(struct vcpu *v)
{
	const struct vcpu_env *env = v->env;

	for (;;) {
		int ret;

		if (__atomic_load_n(env->stopping, __ATOMIC_ACQUIRE))
			return;
		/* Paused: out of KVM_RUN until resumed; then stopping is checked again. */
		if (env->gate && vcpu_gate_wait(env->gate))
			continue;
		ret = kvm_vcpu_run(env->kvm, &v->kv);
		if (ret == -EINTR || ret == -EAGAIN) {
			/* Kicked: clear the flag we may have set, then re-check stopping. */
			vcpu_count(&v->stats.intr);
			v->kv.run->immediate_exit = 0;
			continue;
		}
		if (ret) {
			vcpu_stop(v, VM_STOP_ERROR, "vCPU %u: KVM_RUN failed: %s", v->kv.id,
				  strerror(-ret));
			return;
		}
		/* Odd while an exit is being handled: vcpu_wait_exits() waits on that. */
		__atomic_add_fetch(&v->exit_seq, 1, __ATOMIC_SEQ_CST);
		ret = vcpu_handle_exit(v);
		__atomic_add_fetch(&v->exit_seq, 1, __ATOMIC_SEQ_CST);
		if (!ret)
			return;
	}
}

void vcpu_wait_exits(struct vcpu *v, unsigned n)
{
	/* One by one: an exit begun since the call may be waited for too, harmlessly. */
	for (unsigned i = 0; i < n; i++) {
		unsigned long seen = __atomic_load_n(&v[i].exit_seq, __ATOMIC_SEQ_CST);

		while ((seen & 1) && __atomic_load_n(&v[i].exit_seq, __ATOMIC_SEQ_CST) == seen)
			usleep(100);
	}
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	char name[16];
	sigset_t set;

	/*
	 * Set here, first, not by the creator: the thread then never enters
	 * KVM_RUN elsewhere, and what it faults in from now on (its stack,
	 * the page tables KVM builds while it runs) comes from its node, as
	 * the default policy allocates on the node of the CPU that asks (man 2
	 * set_mempolicy, MPOL_DEFAULT). Off the node it still runs, slower.
	 */
	if (v->env->affinity) {
		int ret = pthread_setaffinity_np(pthread_self(), sizeof(*v->env->affinity),
						 v->env->affinity);

		if (ret)
			log_err("vcpu%u: cannot run on the NUMA node's CPUs: %s", v->kv.id,
				strerror(ret));
	}

	/*
	 * Named by itself: naming another thread makes glibc open
	 * /proc/self/task/TID/comm, this is one prctl(PR_SET_NAME), and
	 * vCPUs start again at every guest reboot, in a process that opens
	 * nothing once it runs.
	 */
	snprintf(name, sizeof(name), "vcpu%u", v->kv.id);
	pthread_setname_np(pthread_self(), name);

	/*
	 * Only the kick signal reaches a vCPU thread; the rest go to the main
	 * loop. And SIGSYS: blocked, a syscall the sandbox forbids would kill
	 * ptvm without saying which (sandbox_trap.c).
	 */
	sigfillset(&set);
	sigdelset(&set, VCPU_KICK_SIGNAL);
	sigdelset(&set, SIGSYS);
	pthread_sigmask(SIG_SETMASK, &set, NULL);
	vcpu_loop(v);
	return NULL;
}

int vcpu_start(struct vcpu *v)
{
	int ret = pthread_create(&v->thread, NULL, vcpu_thread, v);

	if (ret)
		return -ret;
	v->started = true;
	return 0;
}

void vcpu_kick(struct vcpu *v)
{
	if (!v->started)
		return;
	/* immediate_exit covers the window before the thread re-enters KVM_RUN. */
	__atomic_store_n(&v->kv.run->immediate_exit, 1, __ATOMIC_RELEASE);
	pthread_kill(v->thread, VCPU_KICK_SIGNAL);
}
