// SPDX-License-Identifier: GPL-2.0
/*
 * A syscall outside the allowlist: the filter's SCMP_ACT_TRAP skips it and
 * raises SIGSYS with the syscall's number and arch in the siginfo
 * (Documentation/userspace-api/seccomp_filter.rst, SECCOMP_RET_TRAP). The
 * handler writes them to the monitor's pipe, then the process dies of
 * SIGSYS.
 *
 * TRAP rather than SCMP_ACT_NOTIFY with the listener fd in the monitor:
 * either way the forbidden syscall never runs, and the monitor gives the
 * devices back on any death of the VM process, so a compromised VM process
 * gains nothing from either. What NOTIFY adds is a syscall number the
 * kernel vouches for, where here a compromised process could write a false
 * one (the message could lie; the sandbox holds). What it costs: the
 * listener only exists once the filter is loaded, so sending it to the
 * monitor needs sendmsg(SCM_RIGHTS) in the allowlist; the trapped thread
 * sleeps in the kernel until the monitor answers, so a stopped or slow
 * monitor leaves a VM process half alive instead of dead; and the root
 * process would parse notifications about a hostile one. TRAP keeps the
 * kill in the kernel and in the VM process itself.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "sandbox/sandbox.h"

/*
 * A signal handler has no argument: where it reports, set by
 * sandbox_trap_install() (again by each test that installs it).
 */
static int sandbox_report_fd = -1;

/* SIGSYS's si_code from a filter (asm-generic/siginfo.h; glibc does not name it). */
#define SANDBOX_SYS_SECCOMP 1

/* Past every x86-64 syscall and below x32's bit 30: no rule can ever allow it. */
#define SANDBOX_NO_SYSCALL 0x3fff

static void sandbox_die(void)
{
	sigset_t set;

	/*
	 * SIGSYS is blocked in its own handler, and a syscall the filter
	 * traps while SIGSYS is blocked is fatal: the kernel resets the
	 * action to SIG_DFL and unblocks it (force_sig_info_to_task(),
	 * kernel/signal.c), and SIGSYS's default action ends the process.
	 */
	syscall(SANDBOX_NO_SYSCALL);
	/* Still here: a kill(2) before the filter was loaded. Die of it all the same. */
	signal(SIGSYS, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, SIGSYS);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	raise(SIGSYS);
	_exit(128 + SIGSYS);
}

static void sandbox_sigsys(int sig, siginfo_t *si, void *ucv)
{
	const ucontext_t *uc = ucv;
	struct sandbox_msg m = {
		.magic = SANDBOX_MSG_MAGIC,
		.kind = SANDBOX_MSG_SYSCALL,
		.nr = si->si_syscall,
		.arch = si->si_arch,
		/* x86-64's syscall ABI: the second argument in rsi. */
		.arg1 = (uint64_t)uc->uc_mcontext.gregs[REG_RSI],
	};

	/* A SIGSYS someone sent with kill(2) names no syscall: die without a report. */
	if (si->si_code == SANDBOX_SYS_SECCOMP)
		(void)!write(sandbox_report_fd, &m, sizeof(m));
	sandbox_die();
}

int sandbox_trap_install(int report_fd)
{
	struct sigaction sa = {.sa_sigaction = sandbox_sigsys, .sa_flags = SA_SIGINFO};
	sigset_t set;

	sandbox_report_fd = report_fd;
	sigfillset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL))
		return -errno;
	/* Blocked, it would kill without a report; threads created later inherit this. */
	sigemptyset(&set);
	sigaddset(&set, SIGSYS);
	return -pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

int sandbox_send_stop(int fd, int reason, const char *msg)
{
	struct sandbox_msg m = {
		.magic = SANDBOX_MSG_MAGIC,
		.kind = SANDBOX_MSG_STOP,
		.reason = reason,
	};
	ssize_t n;

	snprintf(m.msg, sizeof(m.msg), "%s", msg);
	do {
		n = write(fd, &m, sizeof(m));
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n == sizeof(m) ? 0 : -EIO;
}

int sandbox_test_syscall(const char *name, int *nr)
{
	int n = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, name);

	if (n < 0) {
		log_err("PTVM_TEST_SYSCALL=%s: no such x86-64 syscall (a test knob: name one "
			"outside the sandbox's allowlist, e.g. ptrace)",
			name);
		return -EINVAL;
	}
	if (sandbox_rules_name(sandbox_rules, sandbox_nr_rules, n)) {
		log_err("PTVM_TEST_SYSCALL=%s: the sandbox allows it (a test knob: name a syscall "
			"outside the allowlist, e.g. ptrace)",
			name);
		return -EINVAL;
	}
	*nr = n;
	return 0;
}

void sandbox_test_fire(int nr)
{
	syscall(nr, 0, 0, 0, 0, 0, 0);
}
