// SPDX-License-Identifier: GPL-2.0
/*
 * The VM's main loop (vm_event_loop in vm_loop.c) over real pipes and eventfds:
 * each readable source runs its handler, a disarmed or closed one is not
 * polled, and the loop ends once the VM is stopping; a VFIO REQ or ERR
 * notifier (vm_pt_watch in vm_pt.c) that fires stops the VM.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <fcntl.h>
#include <unistd.h>
#include <cmocka.h>
#include <linux/vfio.h>

#include "log_capture.h"
#include "vm.h"

struct fixture {
	struct vm *vm;
	int pipe_a[2], pipe_b[2];
	unsigned nr_a, nr_b, nr_closed;
};

static struct fixture *fx; /* for the handlers */

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->vm = calloc(1, sizeof(*f->vm));
	pthread_mutex_init(&f->vm->stop_lock, NULL);
	f->vm->wake_fd = -1; /* vm_request_stop()'s wake-up write just fails */
	assert_int_equal(pipe2(f->pipe_a, O_NONBLOCK), 0);
	assert_int_equal(pipe2(f->pipe_b, O_NONBLOCK), 0);
	fx = f;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	for (unsigned i = 0; i < 2; i++) {
		close(f->pipe_a[i]);
		close(f->pipe_b[i]);
	}
	pthread_mutex_destroy(&f->vm->stop_lock);
	free(f->vm);
	free(f);
	return 0;
}

static void poke(int fd)
{
	assert_int_equal(write(fd, "x", 1), 1);
}

/* Leaves its byte unread and stops polling its fd: polled again, it would run again. */
static void on_a(struct vm *vm, struct vm_source *src)
{
	assert_ptr_equal(src->opaque, &fx->nr_a);
	fx->nr_a++;
	src->fd = -1;
}

/* The first wakeup asks for another round; the second stops the VM. */
static void on_b(struct vm *vm, struct vm_source *src)
{
	char c;

	assert_int_equal(read(src->fd, &c, 1), 1);
	if (++fx->nr_b == 1)
		poke(fx->pipe_b[1]);
	else
		vm_request_stop(vm, VM_STOP_ERROR, "b ran twice");
}

static void on_closed(struct vm *vm, struct vm_source *src)
{
	fx->nr_closed++;
}

/* An fd number nothing has open. */
static int closed_fd(void)
{
	int p[2];

	assert_int_equal(pipe(p), 0);
	close(p[1]);
	close(p[0]);
	return p[0];
}

static void test_loop_runs_handlers_until_stop(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(vm_add_source(f->vm, f->pipe_a[0], VM_WAKE_CONSOLE, on_a, &f->nr_a), 0);
	assert_int_equal(vm_add_source(f->vm, -1, VM_WAKE_WAKE, on_closed, NULL), 1);
	assert_int_equal(vm_add_source(f->vm, f->pipe_b[0], VM_WAKE_SIGNAL, on_b, NULL), 2);
	assert_int_equal(vm_add_source(f->vm, closed_fd(), VM_WAKE_WAKE, on_closed, NULL), 3);
	poke(f->pipe_a[1]);
	poke(f->pipe_b[1]);
	vm_event_loop(f->vm);
	assert_int_equal(f->nr_a, 1);
	assert_int_equal(f->nr_b, 2);
	/* Neither the disarmed source nor the closed fd ran its handler; the closed one is off. */
	assert_int_equal(f->nr_closed, 0);
	assert_int_equal(f->vm->src[3].fd, -1);
	assert_int_equal(f->vm->stop_reason, VM_STOP_ERROR);
	assert_string_equal(f->vm->stop_msg, "b ran twice");
	/* Each handler run is one wakeup of its source's kind; the closed fd none. */
	assert_int_equal(f->vm->wakeups[VM_WAKE_CONSOLE], 1);
	assert_int_equal(f->vm->wakeups[VM_WAKE_SIGNAL], 2);
	assert_int_equal(f->vm->wakeups[VM_WAKE_WAKE], 0);
	assert_int_equal(f->vm->wakeups[VM_WAKE_VFIO], 0);
}

/* A stopping VM does not poll at all. */
static void test_loop_returns_when_stopping(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(vm_add_source(f->vm, f->pipe_b[0], VM_WAKE_SIGNAL, on_b, NULL), 0);
	poke(f->pipe_b[1]);
	f->vm->stopping = 1;
	vm_event_loop(f->vm);
	assert_int_equal(f->nr_b, 0);
}

/*
 * The first stop wins, except that one that would boot the guest again
 * gives way to one that ends ptvm (a SIGTERM read while the guest goes
 * down for a reboot); with --on-reboot exit a reboot is final too.
 */
static void test_stop_precedence(void **state)
{
	struct fixture *f = *state;
	struct vm_config cfg = {.on_reboot = OPTS_ON_REBOOT_RESTART};

	f->vm->cfg = &cfg;
	vm_request_stop(f->vm, VM_STOP_TRIPLE_FAULT, "guest triple fault");
	vm_request_stop(f->vm, VM_STOP_RESET, "guest rebooted");
	assert_int_equal(f->vm->stop_reason, VM_STOP_TRIPLE_FAULT);
	vm_request_stop(f->vm, VM_STOP_SIGNAL, "stopped by SIGTERM");
	vm_request_stop(f->vm, VM_STOP_ERROR, "later");
	vm_request_stop(f->vm, VM_STOP_RESET, "guest rebooted");
	assert_int_equal(f->vm->stop_reason, VM_STOP_SIGNAL);
	assert_string_equal(f->vm->stop_msg, "stopped by SIGTERM");
	assert_true(f->vm->stopping);

	cfg.on_reboot = OPTS_ON_REBOOT_EXIT;
	f->vm->stop_reason = VM_RUNNING;
	vm_request_stop(f->vm, VM_STOP_RESET, "guest rebooted");
	vm_request_stop(f->vm, VM_STOP_SIGNAL, "stopped by SIGTERM");
	assert_int_equal(f->vm->stop_reason, VM_STOP_RESET);
	assert_string_equal(f->vm->stop_msg, "guest rebooted");
	f->vm->cfg = NULL;
}

static void test_table_full(void **state)
{
	struct fixture *f = *state;

	for (unsigned i = 0; i < VM_MAX_SOURCES; i++)
		assert_int_equal(vm_add_source(f->vm, -1, VM_WAKE_WAKE, on_closed, NULL), (int)i);
	assert_int_equal(vm_add_source(f->vm, -1, VM_WAKE_WAKE, on_closed, NULL), -ENOSPC);
}

/* The notifier eventfd of @index of a device named 0000:00:03.0, fired once. */
static int fire_notifier(struct fixture *f, unsigned index)
{
	int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

	assert_true(efd >= 0);
	snprintf(f->vm->pt[0].name, sizeof(f->vm->pt[0].name), "0000:00:03.0");
	assert_int_equal(vm_pt_watch(f->vm, &f->vm->pt[0], index, efd), 0);
	assert_int_equal(eventfd_write(efd, 1), 0);
	return efd;
}

static void assert_stopped_and_drained(struct fixture *f, int efd, const char *msg)
{
	eventfd_t v;

	assert_int_equal(f->vm->stop_reason, VM_STOP_DEVICE);
	assert_string_equal(f->vm->stop_msg, msg);
	assert_int_equal(f->vm->wakeups[VM_WAKE_VFIO], 1);
	/* Drained: nothing left to make poll() return again. */
	assert_int_equal(eventfd_read(efd, &v), -1);
	assert_int_equal(errno, EAGAIN);
	close(efd);
}

/* A host-side unbind (REQ) stops the guest so teardown can give the device back. */
static void test_req_stops_guest(void **state)
{
	struct fixture *f = *state;
	int efd = fire_notifier(f, VFIO_PCI_REQ_IRQ_INDEX);

	assert_false(f->vm->pt[0].reclaimed);
	vm_event_loop(f->vm);
	assert_stopped_and_drained(f, efd,
				   "0000:00:03.0: the host asked for the device back (driver "
				   "unbind): stopping the guest");
	/* Teardown then leaves the reset to vfio-pci (its unbind holds the device). */
	assert_true(f->vm->pt[0].reclaimed);
}

static void test_err_stops_guest(void **state)
{
	struct fixture *f = *state;
	int efd = fire_notifier(f, VFIO_PCI_ERR_IRQ_INDEX);

	vm_event_loop(f->vm);
	assert_stopped_and_drained(
		f, efd, "0000:00:03.0: uncorrectable device error (AER): stopping the guest");
	assert_false(f->vm->pt[0].reclaimed); /* still ours: reset after stop */
}

/* A notifier the device does not offer (-1) adds nothing to the loop. */
static void test_watch_not_offered(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(vm_pt_watch(f->vm, &f->vm->pt[0], VFIO_PCI_REQ_IRQ_INDEX, -1), 0);
	assert_int_equal(f->vm->nr_src, 0);
}

/* --stats: one line per vCPU, one for all, one for the loop, each kind by name, the reboots. */
static void test_print_stats(void **state)
{
	struct fixture *f = *state;
	struct log_capture lc;

	f->vm->vcpus = calloc(2, sizeof(*f->vm->vcpus));
	f->vm->nr_vcpus = 2;
	f->vm->vcpus[0].stats = (struct vcpu_stats){.pio = 1, .mmio = 2, .intr = 3, .other = 4};
	f->vm->vcpus[1].stats = (struct vcpu_stats){.pio = 10, .mmio = 20, .intr = 30, .halt = 5};
	f->vm->wakeups[VM_WAKE_CONSOLE] = 7;
	f->vm->wakeups[VM_WAKE_WAKE] = 8;
	f->vm->wakeups[VM_WAKE_SIGNAL] = 9;
	f->vm->wakeups[VM_WAKE_VFIO] = 6;
	f->vm->reboots = 2;
	f->vm->wakeups[VM_WAKE_API] = 5;
	f->vm->wakeups[VM_WAKE_OUTPUT] = 4;
	log_capture_start(&lc);
	vm_print_stats(f->vm);
	assert_string_equal(
		log_capture_end(&lc),
		"ptvm: stats: vcpu0 exits pio 1 mmio 2 intr 3 halt 0 other 4\n"
		"ptvm: stats: vcpu1 exits pio 10 mmio 20 intr 30 halt 5 other 0\n"
		"ptvm: stats: exits pio 11 mmio 22 intr 33 halt 5 other 4\n"
		"ptvm: stats: loop wakeups console 7 wake 8 signal 9 vfio 6 api 5 output 4\n"
		"ptvm: stats: reboots 2\n"
		"ptvm: stats: console written 0 dropped 0\n");
	log_capture_free(&lc);
	free(f->vm->vcpus);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_loop_runs_handlers_until_stop),
		T(test_loop_returns_when_stopping),
		T(test_table_full),
		T(test_stop_precedence),
		T(test_req_stops_guest),
		T(test_err_stops_guest),
		T(test_watch_not_offered),
		T(test_print_stats),
	};
#undef T

	return cmocka_run_group_tests_name("vm_loop", tests, NULL, NULL);
}
