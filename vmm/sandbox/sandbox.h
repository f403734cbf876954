/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VM process's sandbox (issue 9). After setup (KVM, RAM, VFIO, ptguard
 * claims, DMA maps, resets: everything that opens a file or needs root),
 * the process that runs the vCPUs and device models drops to an
 * unprivileged user with no capabilities and loads a seccomp allowlist of
 * exactly the syscalls, and ioctl requests, its run and teardown make
 * (sandbox_rules.c, the one table). A syscall outside it is never executed:
 * the SIGSYS it raises tells the monitor which syscall it was, then kills
 * the VM process (sandbox_trap.c). The monitor (monitor.h) gives the
 * devices back and says so.
 *
 * libseccomp, not a hand-written BPF program: it knows each architecture's
 * syscall numbers and audit arch, rejects the other ABIs a process can
 * reach on x86-64 (i386 through int 0x80, x32's numbers with bit 30 set)
 * that a filter checking only the number would let through under other
 * names, compiles argument comparisons (64-bit ones as two 32-bit BPF
 * loads) and sorts the rules into a tree, which a hand-written filter
 * would have to get right by itself.
 */
#ifndef PTVM_SANDBOX_H
#define PTVM_SANDBOX_H

#include <seccomp.h>
#include <stdint.h>
#include <sys/types.h>

#include "util.h"

/* How a rule looks at one argument of the syscall. */
enum sandbox_cmp {
	SANDBOX_ANY,	   /* any arguments */
	SANDBOX_EQ32,	   /* the argument's low 32 bits == value (ioctl's request) */
	SANDBOX_MASKED_EQ, /* (the argument & mask) == value */
};

/* One line of the allowlist. */
struct sandbox_rule {
	int nr;		  /* libseccomp's number of the syscall (SCMP_SYS()) */
	const char *name; /* the syscall's name */
	enum sandbox_cmp cmp;
	unsigned arg; /* which argument cmp looks at */
	uint64_t mask, value;
	const char *what; /* an argument rule's meaning, e.g. "KVM_RUN" */
	int err;	  /* 0: allowed; else the syscall fails with -err, the process goes on */
	const char *why;  /* one line: who makes it and what for */
};

/* sandbox_rules.c: the allowlist. */
extern const struct sandbox_rule sandbox_rules[];
extern const unsigned sandbox_nr_rules;

/*
 * Compile @rules into a libseccomp filter: anything not listed, and any
 * syscall of another ABI, raises SIGSYS (SCMP_ACT_TRAP); the filter is
 * loaded for every thread (TSYNC); it does not set no_new_privs itself
 * (sandbox_enter() does, in its order). -errno, logged.
 */
int sandbox_filter_build(const struct sandbox_rule *rules, unsigned n,
			 scmp_filter_ctx *out) __must_check;
/* How many distinct syscalls @rules name, and how many ioctl requests. */
void sandbox_rules_count(const struct sandbox_rule *rules, unsigned n, unsigned *syscalls,
			 unsigned *ioctls);
/* Does @rules name syscall @nr at all (with or without an argument rule)? */
bool sandbox_rules_name(const struct sandbox_rule *rules, unsigned n, int nr);
/*
 * "ptrace (101)", "ioctl (16) request 0x5412", "read (3, i386 ABI)": a
 * syscall as the SIGSYS handler saw it (@arch an AUDIT_ARCH_* value).
 */
void sandbox_describe_syscall(uint32_t arch, int nr, uint64_t arg1, char *buf, size_t len);

/*
 * What the VM process tells the monitor through its pipe: one record per
 * write(2), which a pipe keeps whole below PIPE_BUF (pipe(7)).
 */
#define SANDBOX_MSG_MAGIC 0x73767470u /* "ptvs" */
enum sandbox_msg_kind {
	SANDBOX_MSG_STOP = 1,	 /* the guest stopped: reason and message */
	SANDBOX_MSG_SYSCALL = 2, /* a syscall outside the allowlist */
};
struct sandbox_msg {
	uint32_t magic;
	uint32_t kind;
	int32_t reason; /* STOP: enum vm_stop_reason */
	int32_t nr;	/* SYSCALL: siginfo's si_syscall */
	uint32_t arch;	/* SYSCALL: si_arch, an AUDIT_ARCH_* value */
	uint32_t pad;
	uint64_t arg1; /* SYSCALL: its second argument (ioctl's request) */
	char msg[256]; /* STOP: the stop message */
};

/* sandbox_trap.c: the SIGSYS handler, writing a SYSCALL record to @report_fd. */
int sandbox_trap_install(int report_fd) __must_check;
/* A STOP record to @fd; -errno (the monitor then says the VM process did not tell). */
int sandbox_send_stop(int fd, int reason, const char *msg) __must_check;
/*
 * PTVM_TEST_SYSCALL=NAME (a test knob): @name's number in *@nr, refused
 * with one line unless it is a syscall the allowlist does not name.
 */
int sandbox_test_syscall(const char *name, int *nr) __must_check;
/* The knob: make syscall @nr with zero arguments (the filter kills the process). */
void sandbox_test_fire(int nr);

/* Who the VM process runs as. */
struct sandbox_user {
	char name[64];
	uid_t uid;
	gid_t gid;
	bool change;  /* false: ptvm did not start as root, the ids stay */
	char why[64]; /* how it was chosen, for --verbose: "--user", "no user ptvm" */
};

/* Each step of the drop, behind a seam for the tests: 0 or -errno. */
struct sandbox_ops {
	/* The user's uid and primary gid: -ENOENT when there is none of that name. */
	int (*lookup)(const char *name, uid_t *uid, gid_t *gid);
	uid_t (*geteuid)(void);
	int (*drop_bounding)(void); /* empty the bounding and ambient sets (CAP_SETPCAP) */
	int (*setgroups)(void);	    /* no supplementary groups */
	int (*setresgid)(gid_t gid);
	int (*setresuid)(uid_t uid);
	int (*drop_caps)(void); /* empty permitted, effective, inheritable; then check */
	int (*prctl)(int option, unsigned long arg);
	pid_t (*getppid)(void);
	int (*trap_install)(int report_fd);
	int (*filter_load)(scmp_filter_ctx ctx);
};

/* The real ones. */
extern const struct sandbox_ops sandbox_linux;

/* The user the VM process would run as, "ptvm" if there is one, else "nobody" */
#define SANDBOX_USER	      "ptvm"
#define SANDBOX_USER_FALLBACK "nobody"

/*
 * --user @name (NULL: SANDBOX_USER, else SANDBOX_USER_FALLBACK) into *@out.
 * Refused with one line: no such user, a user with uid 0, --user when ptvm
 * is not root. Before anything else: a typo costs nothing.
 */
int sandbox_user_choose(const struct sandbox_ops *ops, const char *name,
			struct sandbox_user *out) __must_check;

/*
 * In the VM process, after setup and before the guest runs: build the
 * filter, then bounding set, groups, gid, uid, capabilities, parent-death
 * signal (the uid change cleared it: kernel/cred.c, commit_creds()) and the
 * check that @monitor is still the parent, not dumpable, no_new_privs, the
 * SIGSYS handler writing to @report_fd, the filter. The first step that
 * fails stops it with one line naming the step; the caller then tears the
 * VM down and exits, nothing running yet.
 */
int sandbox_enter(const struct sandbox_ops *ops, const struct sandbox_user *user, pid_t monitor,
		  int report_fd) __must_check;

#endif
