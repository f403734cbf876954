// SPDX-License-Identifier: GPL-2.0
/*
 * Pause and resume (vcpu_gate.c) with real threads standing in for vCPUs:
 * each counts its rounds and passes the gate before each, as vcpu_loop()
 * does before KVM_RUN. Paused, no count moves; resumed, all move again; a
 * vCPU that never parks makes pause fail in time and leaves the gate open.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "sys.h"
#include "vcpu.h"

#define NR_SIM 3

struct sim {
	struct vcpu v;
	struct kvm_run run;
	struct vcpu_gate *gate; /* NULL: this "vCPU" never parks */
	const volatile int *stopping;
	uint64_t rounds;
};

struct fixture {
	struct vcpu_gate gate;
	volatile int stopping;
	struct sim sim[NR_SIM];
	struct vcpu vcpus[NR_SIM]; /* what vcpu_gate_pause() kicks: copies of sim[].v */
};

static void *sim_thread(void *arg)
{
	struct sim *s = arg;

	while (!__atomic_load_n(s->stopping, __ATOMIC_ACQUIRE)) {
		if (s->gate && vcpu_gate_wait(s->gate))
			continue;
		__atomic_fetch_add(&s->rounds, 1, __ATOMIC_RELAXED);
		usleep(200);
	}
	return NULL;
}

static void start(struct fixture *f, unsigned nr_never_park)
{
	for (unsigned i = 0; i < NR_SIM; i++) {
		struct sim *s = &f->sim[i];

		s->v.kv.run = &s->run;
		s->gate = i < NR_SIM - nr_never_park ? &f->gate : NULL;
		s->stopping = &f->stopping;
		assert_int_equal(pthread_create(&s->v.thread, NULL, sim_thread, s), 0);
		s->v.started = true;
		f->vcpus[i] = s->v;
	}
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_int_equal(vcpu_kick_init(), 0);
	vcpu_gate_init(&f->gate);
	*state = f;
	return 0;
}

/* What vm_run() does at the end: stop, open the gate, join. */
static int teardown(void **state)
{
	struct fixture *f = *state;

	__atomic_store_n(&f->stopping, 1, __ATOMIC_RELEASE);
	vcpu_gate_resume(&f->gate);
	for (unsigned i = 0; i < NR_SIM; i++)
		if (f->sim[i].v.started)
			pthread_join(f->sim[i].v.thread, NULL);
	vcpu_gate_destroy(&f->gate);
	free(f);
	return 0;
}

static uint64_t rounds(struct fixture *f, unsigned i)
{
	return __atomic_load_n(&f->sim[i].rounds, __ATOMIC_RELAXED);
}

static void wait_all_move(struct fixture *f)
{
	uint64_t before[NR_SIM];

	for (unsigned i = 0; i < NR_SIM; i++)
		before[i] = rounds(f, i);
	for (unsigned i = 0; i < NR_SIM; i++) {
		unsigned tries = 0;

		while (rounds(f, i) == before[i] && tries++ < 2000)
			usleep(1000);
		assert_true(rounds(f, i) > before[i]);
	}
}

/* vcpu_gate_pause() on @f's vCPUs: its return, and in *@ms how long it took. */
static int pause_timed(struct fixture *f, unsigned timeout_ms, long *ms)
{
	struct timespec t0, t1;
	int ret;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = vcpu_gate_pause(&f->gate, f->vcpus, NR_SIM, &f->stopping, timeout_ms);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	*ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	return ret;
}

static void test_pause_resume(void **state)
{
	struct fixture *f = *state;
	uint64_t frozen[NR_SIM];

	start(f, 0);
	wait_all_move(f);
	assert_int_equal(vcpu_gate_pause(&f->gate, f->vcpus, NR_SIM, &f->stopping, 2000), 0);
	assert_true(vcpu_gate_paused(&f->gate));
	assert_int_equal(f->gate.nr_parked, NR_SIM);
	for (unsigned i = 0; i < NR_SIM; i++)
		frozen[i] = rounds(f, i);
	usleep(50000);
	for (unsigned i = 0; i < NR_SIM; i++)
		assert_int_equal(rounds(f, i), frozen[i]);
	/* Again: already paused, ok at once. */
	assert_int_equal(vcpu_gate_pause(&f->gate, f->vcpus, NR_SIM, &f->stopping, 0), 0);
	vcpu_gate_resume(&f->gate);
	assert_false(vcpu_gate_paused(&f->gate));
	wait_all_move(f);
	/* Resume when running changes nothing. */
	vcpu_gate_resume(&f->gate);
	wait_all_move(f);
}

/* One vCPU that does not stop: pause fails after its timeout and the others run on. */
static void test_pause_timeout(void **state)
{
	struct fixture *f = *state;
	long ms;

	start(f, 1);
	assert_int_equal(pause_timed(f, 100, &ms), -ETIMEDOUT);
	assert_true(ms >= 100 && ms < 1000);
	assert_false(vcpu_gate_paused(&f->gate));
	wait_all_move(f);
}

/* A VM that stops while pause waits: the wait ends then, not at the timeout. */
static void test_pause_while_stopping(void **state)
{
	struct fixture *f = *state;
	long ms;

	start(f, 1);
	wait_all_move(f);
	__atomic_store_n(&f->stopping, 1, __ATOMIC_RELEASE);
	assert_int_equal(pause_timed(f, 5000, &ms), 0);
	assert_true(ms < 1000);
}

/* The real vcpu_loop(): a paused gate holds it before KVM_RUN; resumed, it enters. */
static unsigned nr_runs;
static volatile int *run_stopping;

static int fake_run_ioctl(int fd, unsigned long req, void *arg)
{
	assert_int_equal(req, KVM_RUN);
	__atomic_fetch_add(&nr_runs, 1, __ATOMIC_RELAXED);
	*run_stopping = 1;
	return -EINTR;
}

static const struct sys_ops fake_run_sys = {.ioctl = fake_run_ioctl};

static void test_loop_parks(void **state)
{
	struct fixture *f = *state;
	struct kvm k = {.sys = &fake_run_sys};
	struct vcpu_env env = {.kvm = &k, .stopping = &f->stopping, .gate = &f->gate};
	struct sim *s = &f->sim[0];
	unsigned tries = 0;

	run_stopping = &f->stopping;
	s->v.env = &env;
	s->v.kv.run = &s->run;
	/* Paused with no vCPU started: nothing to wait for. */
	assert_int_equal(vcpu_gate_pause(&f->gate, &s->v, 1, &f->stopping, 100), 0);
	assert_int_equal(vcpu_start(&s->v), 0);
	while (f->gate.nr_parked < 1 && tries++ < 2000)
		usleep(1000);
	assert_int_equal(f->gate.nr_parked, 1);
	usleep(20000);
	assert_int_equal(__atomic_load_n(&nr_runs, __ATOMIC_RELAXED), 0);
	vcpu_gate_resume(&f->gate);
	assert_int_equal(pthread_join(s->v.thread, NULL), 0);
	s->v.started = false;
	assert_int_equal(nr_runs, 1);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_pause_resume),
		T(test_pause_timeout),
		T(test_pause_while_stopping),
		T(test_loop_parks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
