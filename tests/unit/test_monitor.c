// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/monitor.c: the records from the VM process, whole or in pieces,
 * garbage ignored; the verdict for each way the VM process can end; and
 * with real forks: a child that stops normally, one the monitor passes a
 * SIGTERM to, one the sandbox kills for a forbidden syscall.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "monitor.h"
#include "vcpu.h"

static struct sandbox_msg msg_stop(int reason, const char *text)
{
	struct sandbox_msg m = {
		.magic = SANDBOX_MSG_MAGIC, .kind = SANDBOX_MSG_STOP, .reason = reason};

	snprintf(m.msg, sizeof(m.msg), "%s", text);
	return m;
}

static struct sandbox_msg msg_syscall(int nr, uint64_t arg1)
{
	return (struct sandbox_msg){.magic = SANDBOX_MSG_MAGIC,
				    .kind = SANDBOX_MSG_SYSCALL,
				    .nr = nr,
				    .arch = SCMP_ARCH_X86_64,
				    .arg1 = arg1};
}

/* Records arrive byte by byte, or two at once; a bad magic is skipped; the first counts. */
static void test_take(void **state)
{
	struct sandbox_msg in[4] = {
		msg_stop(VM_STOP_POWEROFF, "guest powered off"),
		msg_syscall(101, 0),
		msg_stop(VM_STOP_ERROR, "a second stop"),
		msg_syscall(16, 0x5412),
	};
	struct monitor_result r;
	const uint8_t *p = (const uint8_t *)in;

	in[0].magic = 0x12345678;
	memset(&r, 0, sizeof(r));
	for (size_t i = 0; i < sizeof(struct sandbox_msg) + 7; i++)
		monitor_take(&r, p + i, 1);
	monitor_take(&r, p + sizeof(struct sandbox_msg) + 7, sizeof(in) - sizeof(in[0]) - 7);
	assert_true(r.trapped);
	assert_int_equal(r.nr, 101);
	assert_true(r.stopped);
	assert_int_equal(r.reason, VM_STOP_ERROR);
	assert_string_equal(r.msg, "a second stop");
	assert_int_equal(r.partial_len, 0);
}

/* A message without its NUL stays a string. */
static void test_take_unterminated(void **state)
{
	struct sandbox_msg m = msg_stop(VM_STOP_POWEROFF, "");
	struct monitor_result r;

	memset(m.msg, 'a', sizeof(m.msg));
	memset(&r, 0, sizeof(r));
	monitor_take(&r, &m, sizeof(m));
	assert_int_equal(strlen(r.msg), sizeof(r.msg) - 1);
}

static void test_verdict(void **state)
{
	struct monitor_result r;
	char line[160];

	memset(&r, 0, sizeof(r));
	r.status = SIGSYS;
	r.trapped = true;
	r.nr = 101;
	r.arch = SCMP_ARCH_X86_64;
	assert_int_equal(monitor_verdict(&r, line, sizeof(line)), 1);
	assert_string_equal(line, "VM process killed: forbidden syscall ptrace (101)");
	/* A report, but another death: the report is not believed. */
	r.status = SIGKILL;
	assert_int_equal(monitor_verdict(&r, line, sizeof(line)), 1);
	assert_string_equal(line, "VM process killed by signal SIGKILL");
	r.trapped = false;
	r.status = SIGSYS;
	assert_int_equal(monitor_verdict(&r, line, sizeof(line)), 1);
	assert_string_equal(line, "VM process killed by signal SIGSYS");

	memset(&r, 0, sizeof(r));
	r.exited = true;
	r.status = 1;
	assert_int_equal(monitor_verdict(&r, line, sizeof(line)), 1);
	assert_string_equal(line, "");
	r.status = 0;
	assert_int_equal(monitor_verdict(&r, line, sizeof(line)), 1);
	assert_string_equal(line, "VM process ended without saying why");
	r.stopped = true;
	assert_int_equal(monitor_verdict(&r, line, sizeof(line)), -1);
	assert_string_equal(line, "");
}

enum child_kind { CHILD_STOP, CHILD_SIGTERM, CHILD_FORBIDDEN };

static void child_main(struct monitor *m, enum child_kind kind)
{
	scmp_filter_ctx ctx;
	sigset_t set;
	int sig;

	if (monitor_child_init(m))
		_exit(20);
	switch (kind) {
	case CHILD_STOP:
		_exit(sandbox_send_stop(m->report[1], VM_STOP_POWEROFF, "guest powered off") ? 21
											     : 0);
	case CHILD_SIGTERM:
		/* The stop signals stay blocked in the VM process, as vm.c wants them. */
		sigemptyset(&set);
		sigaddset(&set, SIGTERM);
		if (sigwait(&set, &sig) || sig != SIGTERM)
			_exit(22);
		_exit(sandbox_send_stop(m->report[1], VM_STOP_SIGNAL, "stopped by SIGTERM")
			      ? 23
			      : 0);
	case CHILD_FORBIDDEN:
		if (sandbox_filter_build(sandbox_rules, sandbox_nr_rules, &ctx) ||
		    sandbox_trap_install(m->report[1]) || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
		    seccomp_load(ctx))
			_exit(24);
		syscall(SYS_ptrace, 0, 0, 0, 0);
		_exit(25);
	}
	_exit(26);
}

/* Fork through the monitor, run @kind in the child, wait as the monitor does. */
static void run_child(enum child_kind kind, struct monitor_result *r)
{
	struct monitor m;
	sigset_t old;
	int ret;

	sigprocmask(SIG_SETMASK, NULL, &old);
	ret = monitor_fork(&m);
	assert_true(ret >= 0);
	if (ret == 0)
		child_main(&m, kind);
	if (kind == CHILD_SIGTERM)
		/* Blocked here since monitor_fork(): it waits for the signalfd. */
		kill(getpid(), SIGTERM);
	assert_int_equal(monitor_wait(&m, r), 0);
	close(m.report[0]);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/* The child @kind exited 0 having told the monitor @reason and @msg, and no more. */
static void expect_stopped(enum child_kind kind, int reason, const char *msg)
{
	struct monitor_result r;
	char line[160];

	run_child(kind, &r);
	assert_true(r.exited);
	assert_int_equal(r.status, 0);
	assert_true(r.stopped);
	assert_false(r.trapped);
	assert_int_equal(r.reason, reason);
	assert_string_equal(r.msg, msg);
	assert_int_equal(monitor_verdict(&r, line, sizeof(line)), -1);
}

static void test_fork_stop(void **state)
{
	expect_stopped(CHILD_STOP, VM_STOP_POWEROFF, "guest powered off");
}

static void test_fork_sigterm_passed_on(void **state)
{
	expect_stopped(CHILD_SIGTERM, VM_STOP_SIGNAL, "stopped by SIGTERM");
}

static void test_fork_forbidden(void **state)
{
	struct monitor_result r;
	char line[160];

	run_child(CHILD_FORBIDDEN, &r);
	assert_false(r.exited);
	assert_int_equal(r.status, SIGSYS);
	assert_true(r.trapped);
	assert_false(r.stopped);
	assert_int_equal(monitor_verdict(&r, line, sizeof(line)), 1);
	assert_string_equal(line, "VM process killed: forbidden syscall ptrace (101)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_take),
		cmocka_unit_test(test_take_unterminated),
		cmocka_unit_test(test_verdict),
		cmocka_unit_test(test_fork_stop),
		cmocka_unit_test(test_fork_sigterm_passed_on),
		cmocka_unit_test(test_fork_forbidden),
	};

	return cmocka_run_group_tests_name("monitor", tests, NULL, NULL);
}
