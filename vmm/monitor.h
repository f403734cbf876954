/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The privileged monitor and its VM process (issue 9). ptvm forks once,
 * after the checks and the managed devices' move to vfio-pci (vm_prepare())
 * and before KVM_CREATE_VM: a KVM VM belongs to the mm that created it
 * (virt/kvm/kvm_main.c: kvm_vm_ioctl() is -EIO from any other), and VFIO
 * pins guest RAM in the mm that maps it for DMA, where a fork would
 * copy-on-write private RAM away from the pinned pages. So the child, the
 * VM process, builds and runs the whole VM itself and then drops to the
 * sandbox; the parent, the monitor, keeps root, holds no VM fd, waits for
 * it, passes it SIGINT/SIGTERM/SIGHUP/SIGQUIT, and afterwards gives the
 * managed devices back and says how it ended. ptguard resets the devices
 * when the VM process's /dev/ptguard fd closes, however it dies. While it
 * waits the monitor serves the VM process's requests (monitor_req.h) on
 * a socketpair made before the fork: hot-plug's privileged half.
 */
#ifndef PTVM_MONITOR_H
#define PTVM_MONITOR_H

#include <stdint.h>
#include <sys/types.h>
#include <termios.h>

#include "monitor_host.h"
#include "sandbox/sandbox.h"

struct monitor {
	pid_t self;    /* the monitor */
	pid_t child;   /* the VM process */
	int report[2]; /* pipe: the VM process writes [1], the monitor reads [0] */
	int chan[2];   /* requests (monitor_req.h): [0] the monitor's, [1] the VM process's */
	/* What serves the requests in monitor_wait(); NULL: none are read. */
	struct monitor_host *host;
	int signal_fd; /* the monitor's: the stop signals and SIGCHLD */
	bool tty;      /* stdin is a terminal, its mode saved in @saved */
	struct termios saved;
};

/* How the VM process ended, from its exit status and its records. */
struct monitor_result {
	bool exited; /* by exit(): @status is its code; else killed by signal @status */
	int status;
	bool stopped; /* a STOP record: @reason (enum vm_stop_reason) and @msg */
	int reason;
	char msg[256];
	bool trapped; /* a SYSCALL record: the syscall the filter caught */
	int nr;
	uint32_t arch;
	uint64_t arg1;
	/* Bytes of a record not yet whole. */
	uint8_t partial[sizeof(struct sandbox_msg)];
	size_t partial_len;
};

/*
 * Fork the VM process. Returns 1 in the monitor, 0 in the VM process,
 * -errno (logged) if there is none. SIGCHLD is blocked first, so that the
 * VM process cannot end unseen.
 */
int monitor_fork(struct monitor *m) __must_check;
/*
 * First thing in the VM process: die with the monitor (PR_SET_PDEATHSIG,
 * then the check that it is still the parent), keep the pipe's write end
 * and the channel's end chan[1], SIGCHLD as it was. -errno, logged.
 */
int monitor_child_init(struct monitor *m) __must_check;
/*
 * In the monitor: wait until the VM process is gone, passing on the stop
 * signals and serving its requests through @m->host.
 */
int monitor_wait(struct monitor *m, struct monitor_result *r) __must_check;
/* Take @len bytes read from the pipe into @r (the first record of each kind counts). */
void monitor_take(struct monitor_result *r, const void *buf, size_t len);
/*
 * The verdict: the exit code, and in @line (empty if none) what the monitor
 * says, e.g. "VM process killed: forbidden syscall ptrace (101)". -1: the
 * VM process stopped normally, the caller says why from @r->reason/@r->msg.
 */
int monitor_verdict(const struct monitor_result *r, char *line, size_t len);

#endif
