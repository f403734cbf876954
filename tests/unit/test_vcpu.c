// SPDX-License-Identifier: GPL-2.0
/* vCPU exit handling: each KVM exit becomes the right bus access or stop. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <errno.h>

#include "log_capture.h"
#include "sys.h"
#include "vcpu.h"

struct rec {
	unsigned n;
	uint64_t addr[8];
	uint64_t val[8];
	unsigned size[8];
	int stops;
	enum vm_stop_reason why;
	char msg[128];
};

static uint64_t rec_read(void *opaque, uint64_t off, unsigned size)
{
	return 0x1100 + off;
}

static void rec_write(void *opaque, uint64_t off, unsigned size, uint64_t v)
{
	struct rec *r = opaque;

	if (r->n < 8) {
		r->addr[r->n] = off;
		r->size[r->n] = size;
		r->val[r->n++] = v;
	}
}

static const struct bus_ops rec_ops = {.read = rec_read, .write = rec_write};

static void rec_stop(void *opaque, enum vm_stop_reason why, const char *msg)
{
	struct rec *r = opaque;

	r->stops++;
	r->why = why;
	snprintf(r->msg, sizeof(r->msg), "%s", msg);
}

struct fixture {
	struct rec rec;
	struct as *pio, *mmio;
	struct vcpu_env env;
	struct vcpu v;
	volatile int stopping;
	uint8_t page[4096] __attribute__((aligned(8))); /* a struct kvm_run */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_int_equal(as_create(&f->pio, "pio", NULL), 0);
	assert_int_equal(as_create(&f->mmio, "mmio", NULL), 0);
	assert_int_equal(as_add_fixed(f->pio, "test", 0x500, 8, &rec_ops, &f->rec), 0);
	assert_int_equal(as_add_fixed(f->mmio, "test", 0xd0000000, 0x1000, &rec_ops, &f->rec), 0);
	f->env = (struct vcpu_env){.pio = f->pio,
				   .mmio = f->mmio,
				   .stop = rec_stop,
				   .stop_opaque = &f->rec,
				   .stopping = &f->stopping};
	f->v.env = &f->env;
	f->v.kv.id = 2;
	f->v.kv.run = (struct kvm_run *)f->page;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	as_destroy(f->mmio);
	as_destroy(f->pio);
	free(f);
	return 0;
}

static void test_rep_outs(void **state)
{
	struct fixture *f = *state;
	struct kvm_run *run = f->v.kv.run;

	run->exit_reason = KVM_EXIT_IO;
	run->io.direction = KVM_EXIT_IO_OUT;
	run->io.size = 2;
	run->io.port = 0x502;
	run->io.count = 3;
	run->io.data_offset = 1024;
	memcpy(f->page + 1024, "\x01\x02\x03\x04\x05\x06", 6);
	assert_true(vcpu_handle_exit(&f->v));
	assert_int_equal(f->rec.n, 3);
	assert_int_equal(f->rec.addr[0], 2);
	assert_int_equal(f->rec.size[0], 2);
	assert_int_equal(f->rec.val[0], 0x0201);
	assert_int_equal(f->rec.val[2], 0x0605);
	assert_int_equal(f->v.stats.pio, 1);
}

static void test_pio_in_and_unclaimed(void **state)
{
	struct fixture *f = *state;
	struct kvm_run *run = f->v.kv.run;

	run->exit_reason = KVM_EXIT_IO;
	run->io.direction = KVM_EXIT_IO_IN;
	run->io.size = 1;
	run->io.port = 0x503;
	run->io.count = 1;
	run->io.data_offset = 1024;
	assert_true(vcpu_handle_exit(&f->v));
	assert_int_equal(f->page[1024], 0x03); /* low byte of 0x1103 */
	run->io.port = 0x2f8;		       /* nobody there: all-ones */
	assert_true(vcpu_handle_exit(&f->v));
	assert_int_equal(f->page[1024], 0xff);
}

static void test_mmio(void **state)
{
	struct fixture *f = *state;
	struct kvm_run *run = f->v.kv.run;

	run->exit_reason = KVM_EXIT_MMIO;
	run->mmio.phys_addr = 0xd0000010;
	run->mmio.len = 4;
	run->mmio.is_write = 1;
	memcpy(run->mmio.data, "\x78\x56\x34\x12", 4);
	assert_true(vcpu_handle_exit(&f->v));
	assert_int_equal(f->rec.val[0], 0x12345678);
	assert_int_equal(f->rec.addr[0], 0x10);
	run->mmio.is_write = 0;
	memset(run->mmio.data, 0, 8);
	assert_true(vcpu_handle_exit(&f->v));
	assert_int_equal(run->mmio.data[0], 0x10);
	assert_int_equal(run->mmio.data[1], 0x11);
	assert_int_equal(f->v.stats.mmio, 2);
}

static void test_fatal_exits_stop(void **state)
{
	static const struct {
		uint32_t reason;
		enum vm_stop_reason why;
		const char *msg;
	} cases[] = {
		{KVM_EXIT_SHUTDOWN, VM_STOP_TRIPLE_FAULT,
		 "guest triple fault on vCPU 2 (KVM_EXIT_SHUTDOWN)"},
		{KVM_EXIT_INTERNAL_ERROR, VM_STOP_ERROR, "vCPU 2: KVM internal error, suberror 1"},
		{KVM_EXIT_HLT, VM_STOP_HALT, "vCPU 2 halted"},
		{999, VM_STOP_ERROR, "vCPU 2: unexpected KVM exit reason 999"},
	};
	struct fixture *f = *state;
	struct kvm_run *run = f->v.kv.run;

	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(run, 0, sizeof(*run));
		run->exit_reason = cases[i].reason;
		run->internal.suberror = 1;
		assert_false(vcpu_handle_exit(&f->v));
		assert_int_equal(f->rec.why, cases[i].why);
		assert_string_equal(f->rec.msg, cases[i].msg);
	}
	assert_int_equal(f->rec.stops, ARRAY_SIZE(cases));
}

/*
 * KVM_EXIT_SYSTEM_EVENT: shutdown powers off, reset reboots, a crash the
 * guest reports and an event ptvm does not know are errors (exit 1), not
 * a clean end.
 */
static void test_system_events(void **state)
{
	static const struct {
		uint32_t type;
		enum vm_stop_reason why;
		const char *msg;
	} cases[] = {
		{KVM_SYSTEM_EVENT_SHUTDOWN, VM_STOP_POWEROFF,
		 "guest powered off (KVM_SYSTEM_EVENT_SHUTDOWN)"},
		{KVM_SYSTEM_EVENT_RESET, VM_STOP_RESET, "guest rebooted (KVM_SYSTEM_EVENT_RESET)"},
		{KVM_SYSTEM_EVENT_CRASH, VM_STOP_ERROR,
		 "guest reported a crash (KVM_SYSTEM_EVENT_CRASH)"},
		{KVM_SYSTEM_EVENT_SEV_TERM, VM_STOP_ERROR, "vCPU 2: unknown KVM system event 6"},
		{77, VM_STOP_ERROR, "vCPU 2: unknown KVM system event 77"},
	};
	struct fixture *f = *state;
	struct kvm_run *run = f->v.kv.run;

	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(run, 0, sizeof(*run));
		run->exit_reason = KVM_EXIT_SYSTEM_EVENT;
		run->system_event.type = cases[i].type;
		assert_false(vcpu_handle_exit(&f->v));
		assert_int_equal(f->rec.why, cases[i].why);
		assert_string_equal(f->rec.msg, cases[i].msg);
	}
	assert_int_equal(f->rec.stops, ARRAY_SIZE(cases));
}

/* Each kind of exit counts in its own counter, and vcpu_get_stats() reads them. */
static void test_exit_counters(void **state)
{
	struct fixture *f = *state;
	struct kvm_run *run = f->v.kv.run;
	struct vcpu_stats st;

	run->exit_reason = KVM_EXIT_INTR;
	assert_true(vcpu_handle_exit(&f->v));
	assert_true(vcpu_handle_exit(&f->v));
	run->exit_reason = KVM_EXIT_HLT;
	assert_false(vcpu_handle_exit(&f->v));
	run->exit_reason = KVM_EXIT_SYSTEM_EVENT;
	run->system_event.type = KVM_SYSTEM_EVENT_SHUTDOWN;
	assert_false(vcpu_handle_exit(&f->v));
	run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
	assert_false(vcpu_handle_exit(&f->v));
	vcpu_get_stats(&f->v, &st);
	assert_int_equal(st.intr, 2);
	assert_int_equal(st.halt, 1);
	assert_int_equal(st.other, 2);
	assert_int_equal(st.pio, 0);
	assert_int_equal(st.mmio, 0);
}

/* KVM_RUN ended by the kick (-EINTR) counts as intr; the loop then sees stopping. */
static volatile int *kick_stopping;

static int kick_ioctl(int fd, unsigned long req, void *arg)
{
	assert_int_equal(req, KVM_RUN);
	*kick_stopping = 1;
	return -EINTR;
}

static const struct sys_ops kick_sys = {.ioctl = kick_ioctl};

static void test_kick_counts_intr(void **state)
{
	struct fixture *f = *state;
	struct kvm k = {.sys = &kick_sys};

	kick_stopping = &f->stopping;
	f->env.kvm = &k;
	f->v.kv.run->immediate_exit = 1;
	vcpu_loop(&f->v);
	assert_int_equal(f->v.stats.intr, 1);
	assert_int_equal(f->v.kv.run->immediate_exit, 0);
	assert_int_equal(f->rec.stops, 0);
}

/* What the vCPU thread's first KVM_RUN saw; the fake then stops the VM. */
static cpu_set_t run_cpus;
static unsigned nr_runs;
static volatile int *run_stopping;

static int fake_run_ioctl(int fd, unsigned long req, void *arg)
{
	assert_int_equal(req, KVM_RUN);
	if (!nr_runs++)
		pthread_getaffinity_np(pthread_self(), sizeof(run_cpus), &run_cpus);
	*run_stopping = 1;
	return -EINTR;
}

static const struct sys_ops fake_run_sys = {.ioctl = fake_run_ioctl};

/* Start @f's vCPU thread with @affinity and wait until it has run and stopped. */
static void run_thread(struct fixture *f, const cpu_set_t *affinity)
{
	struct kvm k = {.sys = &fake_run_sys};

	f->env.kvm = &k;
	f->env.affinity = affinity;
	f->stopping = 0;
	run_stopping = &f->stopping;
	nr_runs = 0;
	CPU_ZERO(&run_cpus);
	assert_int_equal(vcpu_start(&f->v), 0);
	assert_int_equal(pthread_join(f->v.thread, NULL), 0);
	f->v.started = false;
	assert_int_equal(nr_runs, 1);
}

/* The thread is on its node's CPUs by its first KVM_RUN; without a node, where it started. */
static void test_thread_affinity(void **state)
{
	struct fixture *f = *state;
	cpu_set_t mine, one;
	int last = -1;

	assert_int_equal(pthread_getaffinity_np(pthread_self(), sizeof(mine), &mine), 0);
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &mine))
			last = c;
	if (CPU_COUNT(&mine) < 2)
		skip();
	CPU_ZERO(&one);
	CPU_SET(last, &one);
	run_thread(f, &one);
	assert_true(CPU_EQUAL(&run_cpus, &one));
	run_thread(f, NULL);
	assert_true(CPU_EQUAL(&run_cpus, &mine));
}

/* CPUs it may not use: one line, and the vCPU runs anyway. */
static void test_thread_affinity_fails(void **state)
{
	struct fixture *f = *state;
	struct log_capture lc;
	cpu_set_t none;

	CPU_ZERO(&none);
	log_capture_start(&lc);
	run_thread(f, &none);
	assert_string_equal(log_capture_end(&lc),
			    "ptvm: vcpu2: cannot run on the NUMA node's CPUs: Invalid argument\n");
	log_capture_free(&lc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rep_outs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pio_in_and_unclaimed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mmio, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fatal_exits_stop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_system_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exit_counters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kick_counts_intr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_thread_affinity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_thread_affinity_fails, setup, teardown),
	};

	return cmocka_run_group_tests_name("vcpu", tests, NULL, NULL);
}
