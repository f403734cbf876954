// SPDX-License-Identifier: GPL-2.0
/*
 * The allowlist (vmm/sandbox/sandbox_rules.c): every line names a real
 * x86-64 syscall and says why, none twice; the table compiles into a
 * filter; and loaded for real in a child process, the filter lets the
 * listed calls through and traps the rest, the SIGSYS handler reporting
 * which (sandbox_trap.c) before the child dies of SIGSYS.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log_capture.h"
#include "sandbox/sandbox.h"

static void test_lines_well_formed(void **state)
{
	for (unsigned i = 0; i < sandbox_nr_rules; i++) {
		const struct sandbox_rule *r = &sandbox_rules[i];

		assert_non_null(r->why);
		assert_true(strlen(r->why) > 10);
		/* A name libseccomp knows for x86-64, with the number the table uses. */
		assert_int_equal(seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, r->name),
				 r->nr);
		assert_true(r->nr >= 0);
		/* An argument rule says what it lets through; a plain one needs no word. */
		assert_true((r->cmp == SANDBOX_ANY) == (r->what == NULL));
		for (unsigned j = 0; j < i; j++) {
			const struct sandbox_rule *o = &sandbox_rules[j];

			if (o->nr != r->nr)
				continue;
			/* The same syscall again only for another argument value. */
			assert_int_not_equal(r->cmp, SANDBOX_ANY);
			assert_int_not_equal(o->cmp, SANDBOX_ANY);
			assert_false(o->arg == r->arg && o->mask == r->mask &&
				     o->value == r->value);
		}
	}
}

static void test_counts(void **state)
{
	unsigned syscalls, ioctls, n = 0;

	sandbox_rules_count(sandbox_rules, sandbox_nr_rules, &syscalls, &ioctls);
	for (unsigned i = 0; i < sandbox_nr_rules; i++)
		n += sandbox_rules[i].nr == SCMP_SYS(ioctl);
	assert_int_equal(ioctls, n);
	/* Every ioctl line is one syscall: lines = syscalls + ioctl lines - 1. */
	assert_int_equal(syscalls, sandbox_nr_rules - ioctls + 1);
	assert_true(sandbox_rules_name(sandbox_rules, sandbox_nr_rules, SCMP_SYS(ioctl)));
	assert_false(sandbox_rules_name(sandbox_rules, sandbox_nr_rules, SCMP_SYS(ptrace)));
}

/* The filter's BPF program: whole sock_filter instructions, and not a few. */
static void test_table_compiles(void **state)
{
	scmp_filter_ctx ctx;
	char buf[65536];
	int p[2];
	ssize_t n;

	assert_int_equal(sandbox_filter_build(sandbox_rules, sandbox_nr_rules, &ctx), 0);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(seccomp_export_bpf(ctx, p[1]), 0);
	close(p[1]);
	n = read(p[0], buf, sizeof(buf));
	close(p[0]);
	/* struct sock_filter is 8 bytes; at least one test per line. */
	assert_int_equal(n % 8, 0);
	assert_true(n / 8 > (ssize_t)sandbox_nr_rules);
	seccomp_release(ctx);
}

/* A line libseccomp refuses (no such syscall) is logged by name, and nothing is built. */
static void test_bad_line(void **state)
{
	const struct sandbox_rule bad[] = {
		{.nr = SCMP_SYS(read), .name = "read", .why = "fine"},
		{.nr = -4242, .name = "nosuch", .why = "not a syscall"},
	};
	scmp_filter_ctx ctx = NULL;
	char log[256];

	assert_true(LOG_CAPTURED(log, sandbox_filter_build(bad, ARRAY_SIZE(bad), &ctx)) < 0);
	assert_non_null(strstr(log, "ptvm: sandbox: allowlist line nosuch: "));
	assert_null(ctx);
}

static void test_describe(void **state)
{
	char buf[96];

	sandbox_describe_syscall(SCMP_ARCH_X86_64, 101, 0, buf, sizeof(buf));
	assert_string_equal(buf, "ptrace (101)");
	sandbox_describe_syscall(SCMP_ARCH_X86_64, 16, 0xffffffff00005412ULL, buf, sizeof(buf));
	assert_string_equal(buf, "ioctl (16) request 0x5412");
	sandbox_describe_syscall(SCMP_ARCH_X86, 3, 0, buf, sizeof(buf));
	assert_string_equal(buf, "read (3, i386 ABI)");
	sandbox_describe_syscall(SCMP_ARCH_X86_64, 0x40000000 | 1, 0, buf, sizeof(buf));
	assert_string_equal(buf, "unknown (1073741825, x32 ABI)");
	sandbox_describe_syscall(SCMP_ARCH_X86_64, 0x3fff, 0, buf, sizeof(buf));
	assert_string_equal(buf, "unknown (16383)");
}

static void test_knob_names(void **state)
{
	char log[256];
	int nr = -1;

	assert_int_equal(sandbox_test_syscall("ptrace", &nr), 0);
	assert_int_equal(nr, 101);
	assert_int_equal(LOG_CAPTURED(log, sandbox_test_syscall("write", &nr)), -EINVAL);
	assert_string_equal(log, "ptvm: PTVM_TEST_SYSCALL=write: the sandbox allows it (a test "
				 "knob: name a syscall outside the allowlist, e.g. ptrace)\n");
	assert_int_equal(LOG_CAPTURED(log, sandbox_test_syscall("nosuchcall", &nr)), -EINVAL);
	assert_string_equal(log, "ptvm: PTVM_TEST_SYSCALL=nosuchcall: no such x86-64 syscall (a "
				 "test knob: name one outside the sandbox's allowlist, e.g. "
				 "ptrace)\n");
}

/* What a sandboxed child does last; it must not come back. */
enum forbidden { F_PTRACE, F_IOCTL, F_MMAP_EXEC, F_MPROTECT_EXEC, F_FORK, F_OPENAT, F_KNOB };

static void child_forbidden(enum forbidden f)
{
	static char page[8192] __attribute__((aligned(4096)));

	switch (f) {
	case F_PTRACE:
		syscall(SYS_ptrace, 0, 0, 0, 0);
		break;
	case F_IOCTL:
		ioctl(-1, TIOCSTI, "x");
		break;
	case F_MMAP_EXEC:
		mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		break;
	case F_MPROTECT_EXEC:
		mprotect(page, 4096, PROT_READ | PROT_EXEC);
		break;
	case F_FORK:
		syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
		break;
	case F_OPENAT:
		syscall(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY);
		break;
	case F_KNOB:
		sandbox_test_fire(SCMP_SYS(ptrace));
		break;
	}
}

/*
 * In a child: the real filter and handler; then calls the table allows
 * (each must behave as without a filter), a byte on @ok_fd if they did,
 * then @f. Never returns.
 */
static void child_run(int report_fd, int ok_fd, enum forbidden f)
{
	scmp_filter_ctx ctx;
	void *p;
	bool ok;

	if (sandbox_filter_build(sandbox_rules, sandbox_nr_rules, &ctx) ||
	    sandbox_trap_install(report_fd) || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    seccomp_load(ctx))
		_exit(10);
	ok = getpid() > 0;
	/* An allowed request on a bad fd: the kernel's EBADF, not SIGSYS. */
	ok = ok && ioctl(-1, KVM_RUN, 0) < 0 && errno == EBADF;
	/* clone3 answers ENOSYS, so glibc uses clone(2). */
	ok = ok && syscall(SYS_clone3, NULL, 0) < 0 && errno == ENOSYS;
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ok = ok && p != MAP_FAILED && munmap(p, 4096) == 0;
	if (ok)
		(void)!write(ok_fd, "y", 1);
	child_forbidden(f);
	_exit(11);
}

/* Run @f sandboxed in a child: it died of SIGSYS, reporting syscall @nr (and @arg1). */
static void expect_trapped(enum forbidden f, int nr, uint64_t arg1, bool check_arg1)
{
	struct sandbox_msg m;
	int report[2], ok[2], status;
	char c = 0;
	pid_t pid;

	assert_int_equal(pipe(report), 0);
	assert_int_equal(pipe(ok), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		child_run(report[1], ok[1], f);
	close(report[1]);
	close(ok[1]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSYS);
	assert_int_equal(read(ok[0], &c, 1), 1);
	assert_int_equal(c, 'y');
	assert_int_equal(read(report[0], &m, sizeof(m)), sizeof(m));
	assert_int_equal(m.magic, SANDBOX_MSG_MAGIC);
	assert_int_equal(m.kind, SANDBOX_MSG_SYSCALL);
	assert_int_equal(m.arch, SCMP_ARCH_X86_64);
	assert_int_equal(m.nr, nr);
	if (check_arg1)
		assert_int_equal(m.arg1, arg1);
	/* One report, then the end. */
	assert_int_equal(read(report[0], &m, sizeof(m)), 0);
	close(report[0]);
	close(ok[0]);
}

static void test_enforced(void **state)
{
	expect_trapped(F_PTRACE, SCMP_SYS(ptrace), 0, true);
	expect_trapped(F_IOCTL, SCMP_SYS(ioctl), TIOCSTI, true);
	expect_trapped(F_MMAP_EXEC, SCMP_SYS(mmap), 0, false);
	expect_trapped(F_MPROTECT_EXEC, SCMP_SYS(mprotect), 4096, true);
	expect_trapped(F_FORK, SCMP_SYS(clone), 0, true);
	expect_trapped(F_OPENAT, SCMP_SYS(openat), 0, false);
	expect_trapped(F_KNOB, SCMP_SYS(ptrace), 0, true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines_well_formed), cmocka_unit_test(test_counts),
		cmocka_unit_test(test_table_compiles),	  cmocka_unit_test(test_bad_line),
		cmocka_unit_test(test_describe),	  cmocka_unit_test(test_knob_names),
		cmocka_unit_test(test_enforced),
	};

	return cmocka_run_group_tests_name("sandbox_rules", tests, NULL, NULL);
}
