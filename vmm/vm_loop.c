// SPDX-License-Identifier: GPL-2.0
/*
 * The main loop: one thread polls every fd ptvm waits on (stdin, signals,
 * stop requests, VFIO notifiers, the control socket) and runs the vCPU
 * threads until the VM stops, booting the guest again when it reboots
 * (vm_guest.c).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "dev/serial.h"
#include "sandbox/sandbox.h"
#include "signals.h"
#include "vm.h"

/* How long a stop waits for stdout to take the console output still buffered. */
#define VM_CONSOLE_DRAIN_MS 250

/* The guest drained its RX FIFO: wake the main loop to push pending input. */
void vm_rx_ready(void *opaque)
{
	struct vm *vm = opaque;
	uint64_t one = 1;

	(void)!write(vm->wake_fd, &one, sizeof(one));
}

int vm_add_source(struct vm *vm, int fd, enum vm_wake kind,
		  void (*handle)(struct vm *vm, struct vm_source *src), void *opaque)
{
	unsigned i;

	/* A slot vm_del_source() freed first. */
	for (i = 0; i < vm->nr_src && vm->src[i].handle; i++)
		;
	if (i == ARRAY_SIZE(vm->src))
		return -ENOSPC;
	vm->src[i] = (struct vm_source){
		.fd = fd, .events = POLLIN, .kind = kind, .handle = handle, .opaque = opaque};
	if (i == vm->nr_src)
		vm->nr_src++;
	return (int)i;
}

void vm_del_source(struct vm *vm, struct vm_source *src)
{
	if (src)
		*src = (struct vm_source){.fd = -1};
}

/* Move pending host input into the guest UART, as much as its FIFO takes. */
static void vm_pump_input(struct vm *vm)
{
	size_t n = vm->in_len ? serial_rx_push(vm->serial, vm->in, vm->in_len) : 0;

	memmove(vm->in, vm->in + n, vm->in_len - n);
	vm->in_len -= n;
	/* What is left waits for room; vm_rx_ready() wakes the loop when there is. */
	if (vm->console_src && !vm->console_eof)
		vm->console_src->fd = vm->in_len ? -1 : vm->console.in_fd;
}

static void vm_on_wake(struct vm *vm, struct vm_source *src)
{
	uint64_t count;

	(void)!read(src->fd, &count, sizeof(count));
	vm_pump_input(vm);
	vm_hotplug_poll(vm);
}

static void vm_on_signal(struct vm *vm, struct vm_source *src)
{
	struct signalfd_siginfo si;
	char msg[64], name[16];

	if (read(src->fd, &si, sizeof(si)) != sizeof(si))
		return;
	snprintf(msg, sizeof(msg), "stopped by %s", signals_name(si.ssi_signo, name));
	vm_request_stop(vm, VM_STOP_SIGNAL, msg);
}

static void vm_on_console(struct vm *vm, struct vm_source *src)
{
	ssize_t n;
	bool quit = false;

	/* PTVM_TEST_SYSCALL (main.c): with the guest running, on the first input. */
	if (vm->cfg->test_knob)
		sandbox_test_fire(vm->cfg->test_syscall);
	n = read(src->fd, vm->in, sizeof(vm->in));

	if (n <= 0) {
		/* EOF or a read error: the guest keeps running with no more input. */
		if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
			vm->console_eof = true;
			src->fd = -1;
		}
		return;
	}
	vm->in_len = console_filter(&vm->console, vm->in, n, &quit);
	if (quit)
		vm_request_stop(vm, VM_STOP_SIGNAL, "stopped from the console (Ctrl-A x)");
	vm_pump_input(vm);
}

/*
 * Guest output: woken by the console's eventfd (bytes wait in an empty
 * ring, or the first were dropped) or by stdout taking more. stdout is
 * polled only while bytes wait, or every poll would return at once.
 */
static void vm_on_output(struct vm *vm, struct vm_source *src)
{
	uint64_t count;

	if (src != vm->stdout_src)
		(void)!read(src->fd, &count, sizeof(count));
	vm->stdout_src->fd = console_flush(&vm->console) ? vm->console.wout.fd : -1;
}

/* The console's output side and its two sources. */
static int vm_create_output(struct vm *vm)
{
	int ret = console_open_output(&vm->console, vm->console.out_fd, vm->console.err_fd);

	if (ret)
		return ret;
	ret = vm_add_source(vm, vm->console.wake_fd, VM_WAKE_OUTPUT, vm_on_output, NULL);
	if (ret >= 0)
		ret = vm_add_source(vm, -1, VM_WAKE_OUTPUT, vm_on_output, NULL);
	if (ret < 0)
		return ret;
	vm->stdout_src = &vm->src[ret];
	vm->stdout_src->events = POLLOUT;
	return 0;
}

int vm_create_events(struct vm *vm)
{
	sigset_t set;
	int ret;

	vm->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm->wake_fd < 0)
		return -errno;
	/* Termination signals become events of the main loop, never handlers. */
	signals_term_set(&set);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL))
		return -EINVAL;
	vm->signal_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (vm->signal_fd < 0)
		return -errno;
	ret = vm_add_source(vm, vm->wake_fd, VM_WAKE_WAKE, vm_on_wake, NULL);
	if (ret >= 0)
		ret = vm_add_source(vm, vm->signal_fd, VM_WAKE_SIGNAL, vm_on_signal, NULL);
	if (ret >= 0)
		ret = vm_add_source(vm, vm->console.in_fd, VM_WAKE_CONSOLE, vm_on_console, NULL);
	if (ret < 0)
		return ret;
	vm->console_src = &vm->src[ret];
	ret = vm_create_output(vm);
	if (ret)
		return ret;
	return vcpu_kick_init();
}

bool vm_event_pass(struct vm *vm, int timeout_ms)
{
	struct pollfd p[ARRAY_SIZE(vm->src)];

	for (unsigned i = 0; i < vm->nr_src; i++)
		p[i] = (struct pollfd){.fd = vm->src[i].fd, .events = vm->src[i].events};
	if (poll(p, vm->nr_src, timeout_ms) < 0) {
		char msg[64];

		if (errno == EINTR)
			return true;
		/* Without the loop nothing could stop the vCPUs: stop them now. */
		snprintf(msg, sizeof(msg), "main loop: poll: %s", strerror(errno));
		vm_request_stop(vm, VM_STOP_ERROR, msg);
		return false;
	}
	for (unsigned i = 0; i < vm->nr_src; i++) {
		struct vm_source *src = &vm->src[i];

		/* A handler may have replaced the source since the poll (hot-plug). */
		if (p[i].fd != src->fd || !src->handle)
			continue;
		/* An fd closed under the loop would make every poll return at once. */
		if (p[i].revents & POLLNVAL) {
			src->fd = -1;
		} else if (p[i].revents) {
			vm->wakeups[src->kind]++;
			src->handle(vm, src);
		}
	}
	return true;
}

void vm_event_loop(struct vm *vm)
{
	/* Woken at the next hot-plug deadline too (vm_hotplug_expire()). */
	while (!__atomic_load_n(&vm->stopping, __ATOMIC_ACQUIRE))
		if (!vm_event_pass(vm, vm_hotplug_expire(vm)))
			break;
}

/* One boot of the guest: its vCPUs run until the VM is stopping. */
static void vm_run_guest(struct vm *vm)
{
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		if (vcpu_start(&vm->vcpus[i])) {
			vm_request_stop(vm, VM_STOP_ERROR, "cannot start a vCPU thread");
			break;
		}
	}
	vm_event_loop(vm);
	/* Paused vCPUs wake and see the VM stopping: a stop never waits for "resume". */
	vcpu_gate_resume(&vm->gate);
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		vcpu_kick(&vm->vcpus[i]);
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		if (vm->vcpus[i].started)
			pthread_join(vm->vcpus[i].thread, NULL);
		vm->vcpus[i].started = false;
	}
}

/* The guest is to boot again: it rebooted or triple faulted, and --on-reboot restart. */
static bool vm_restarts(const struct vm *vm)
{
	return vm->cfg->on_reboot == OPTS_ON_REBOOT_RESTART &&
	       (vm->stop_reason == VM_STOP_RESET || vm->stop_reason == VM_STOP_TRIPLE_FAULT);
}

/*
 * Between two boots: the stop is forgotten (its message saved in @why),
 * then every source is looked at once without waiting, so that what came
 * while the guest went down (a signal, Ctrl-A x, the host asking for a
 * device back) ends the VM instead. A guest that dies at once at every
 * boot may never let the loop sleep in poll(): without this pass nothing
 * could stop it. True: boot it again.
 */
static bool vm_between_boots(struct vm *vm, char *why, size_t len)
{
	pthread_mutex_lock(&vm->stop_lock);
	snprintf(why, len, "%s", vm->stop_msg);
	vm->stop_reason = VM_RUNNING;
	vm->stop_msg[0] = '\0';
	__atomic_store_n(&vm->stopping, 0, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&vm->stop_lock);
	(void)vm_event_pass(vm, 0);
	return !__atomic_load_n(&vm->stopping, __ATOMIC_ACQUIRE);
}

enum vm_stop_reason vm_run(struct vm *vm, const char **msg)
{
	int ret = console_open(&vm->console, STDIN_FILENO, STDOUT_FILENO);
	char why[sizeof(vm->stop_msg)];
	struct timespec now;

	if (ret)
		log_err("console: cannot set raw mode on stdin: %s", strerror(-ret));
	/* The control socket's uptime: since the first boot, over reboots. */
	clock_gettime(CLOCK_MONOTONIC, &now);
	vm->start_ns = (uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec;
	for (;;) {
		vm_run_guest(vm);
		if (!vm_restarts(vm) || !vm_between_boots(vm, why, sizeof(why)))
			break;
		if (vm_reboot(vm, why))
			break;
	}
	/* The guest's last words, if stdout takes them soon: a stop must stay prompt. */
	console_drain(&vm->console, VM_CONSOLE_DRAIN_MS);
	console_close(&vm->console);
	*msg = vm->stop_msg;
	return vm->stop_reason;
}
