// SPDX-License-Identifier: GPL-2.0
/* ptvm: options, wiring, exit codes. The only place that exits. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "api/api_client.h"
#include "hostdev/hostdev.h"
#include "managed/managed.h"
#include "monitor.h"
#include "options.h"
#include "sandbox/sandbox.h"
#include "signals.h"
#include "vm.h"

#ifndef PTVM_VERSION
#define PTVM_VERSION "0.1"
#endif

/* `ptvm devices` and `ptvm check`: 0, 1 on an error or a FAIL verdict, 2 for a bad command line. */
static int main_hostdev(int argc, char **argv)
{
	const struct check_env env = {.sys = &sys_linux};
	struct hostdev_config hc;
	unsigned fails;
	char err[256];

	if (hostdev_parse(argc, argv, &hc, err, sizeof(err))) {
		fprintf(stderr, "ptvm: %s\n", err);
		return 2;
	}
	if (hc.help) {
		fputs(opts_usage, stdout);
		return 0;
	}
	if (hostdev_run(&hc, &env, NULL, stdout, &fails))
		return 1;
	return fails ? 1 : 0;
}

/*
 * Held from before the first device moves to vfio-pci to the end, so that
 * SIGINT/SIGTERM cannot kill ptvm with a device half-way: a run takes them
 * through vm.c's signalfd, which stops the guest, and gives the devices
 * back; a setup that fails first gives them back and exits 1, and so does
 * `ptvm cleanup` once done, the held signal going with the process.
 */
static void main_hold_signals(void)
{
	sigset_t set;

	signals_term_set(&set);
	sigprocmask(SIG_BLOCK, &set, NULL);
}

/* How the guest stopped: its line (stderr, or --verbose for a normal end) and the exit code. */
static int main_stopped(enum vm_stop_reason why, const char *msg)
{
	switch (why) {
	case VM_STOP_POWEROFF:
	case VM_STOP_RESET:
	case VM_STOP_HALT:
		log_info("%s", msg);
		return 0;
	case VM_STOP_CONTROL:
		fprintf(stderr, "ptvm: %s\n", msg);
		return 0;
	case VM_STOP_SIGNAL:
		fprintf(stderr, "ptvm: %s\n", msg);
		return 130;
	default:
		fprintf(stderr, "ptvm: %s\n", msg);
		return 1;
	}
}

/*
 * A setup that saw SIGINT/SIGTERM/... stopped at its next check and undid
 * itself (-EINTR, signals.h); the signal is still pending. Its line, and 130.
 */
static void main_setup_stopped(char *msg, size_t len)
{
	char sig[16];

	snprintf(msg, len, "stopped by %s during setup", signals_name(signals_term_pending(), sig));
}

/* --no-sandbox: the whole VM in this one process, as root. */
static int main_run_inline(const struct vm_config *cfg)
{
	enum vm_stop_reason why;
	const char *msg;
	char line[64];
	struct vm *vm;
	int ret;

	log_err("--no-sandbox: the vCPUs and device models run in ptvm's own process, as root "
		"with every capability and no syscall filter: a guest that breaks a device model "
		"has the host");
	ret = vm_create(&vm, cfg, &sys_linux);
	if (ret == -EINTR) {
		main_setup_stopped(line, sizeof(line));
		return main_stopped(VM_STOP_SIGNAL, line);
	}
	if (ret)
		return 1;
	why = vm_run(vm, &msg);
	if (cfg->stats)
		vm_print_stats(vm);
	vm_destroy(vm);
	return main_stopped(why, msg);
}

/*
 * The VM process (monitor.h): build the VM as root, drop into the sandbox,
 * run the guest, tear down what it holds (resets, VFIO, the ptguard fd).
 * It tells the monitor how the guest stopped; its exit code says only
 * whether it got that far (1: a setup error, logged).
 */
static int main_vm_process(struct vm *vm, const struct vm_config *cfg,
			   const struct sandbox_user *user, struct monitor *mon)
{
	unsigned nr_syscalls, nr_ioctls;
	enum vm_stop_reason why;
	pid_t pid = getpid();
	const char *msg;
	int ret;

	vm_leave_to_monitor(vm);
	ret = monitor_child_init(mon);
	/* Hot-plug's privileged half is the monitor's (vm_host.c). */
	vm->mon_fd = mon->chan[1];
	mon->chan[1] = -1;
	if (!ret)
		ret = vm_build(vm);
	if (!ret)
		ret = sandbox_enter(&sandbox_linux, user, mon->self, mon->report[1]);
	if (ret == -EINTR) {
		/* The monitor says it, as it says how a guest stopped. */
		char line[64];

		main_setup_stopped(line, sizeof(line));
		(void)!sandbox_send_stop(mon->report[1], VM_STOP_SIGNAL, line);
		vm_destroy(vm);
		return 0;
	}
	if (ret) {
		vm_destroy(vm);
		return 1;
	}
	sandbox_rules_count(sandbox_rules, sandbox_nr_rules, &nr_syscalls, &nr_ioctls);
	log_info("sandbox: VM process %d runs as %s (uid %u gid %u, %s), no capabilities, "
		 "seccomp allowlist of %u syscalls (%u ioctl requests)",
		 (int)pid, user->name, (unsigned)user->uid, (unsigned)user->gid, user->why,
		 nr_syscalls, nr_ioctls);
	why = vm_run(vm, &msg);
	if (cfg->stats)
		vm_print_stats(vm);
	/* Before teardown: should that die, the monitor still knows how the guest ended. */
	(void)!sandbox_send_stop(mon->report[1], why, msg);
	vm_destroy(vm);
	return 0;
}

/*
 * The monitor: checks and the managed devices' move, the fork, then it
 * waits; the devices go back to their drivers after the VM process is gone.
 */
static int main_run_sandboxed(const struct vm_config *cfg)
{
	struct monitor_env env = {.cfg = cfg};
	struct monitor_host host;
	struct sandbox_user user;
	struct monitor_result r;
	struct managed *managed;
	struct api_server *api;
	struct monitor mon;
	char line[320];
	struct vm *vm;
	int ret;

	if (sandbox_user_choose(&sandbox_linux, cfg->user, &user))
		return 1;
	ret = vm_prepare(&vm, cfg, &sys_linux);
	if (ret == -EINTR) {
		main_setup_stopped(line, sizeof(line));
		return main_stopped(VM_STOP_SIGNAL, line);
	}
	if (ret)
		return 1;
	/* --user given: that user may use the control socket too (README). */
	if (cfg->user && vm->api && api_server_chown(vm->api, user.uid, user.gid)) {
		vm_destroy(vm);
		return 1;
	}
	ret = monitor_fork(&mon);
	if (ret < 0) {
		vm_destroy(vm);
		return 1;
	}
	if (ret == 0)
		return main_vm_process(vm, cfg, &user, &mon);
	/* Its requests: on the devices it holds from the start, and on the managed list. */
	env.managed = &managed;
	monitor_host_init(&host, &monitor_host_linux, &env, vm_nr_ports(vm));
	if (!vm_host_record(vm, &host)) {
		mon.host = &host;
	} else {
		/* Closed: a request then fails at once (-EPIPE), it does not wait. */
		log_err("monitor: cannot record the VM's devices: hot-plug requests are refused");
		close(mon.chan[0]);
		mon.chan[0] = -1;
	}
	vm_hand_over(vm, &managed, &api);
	(void)!monitor_wait(&mon, &r);
	ret = monitor_verdict(&r, line, sizeof(line));
	if (line[0])
		log_err("%s", line);
	/* With the VM process gone, VFIO and ptguard have let go of the devices. */
	(void)!managed_reattach(managed);
	api_server_destroy(api);
	return ret < 0 ? main_stopped(r.reason, r.msg) : ret;
}

int main(int argc, char **argv)
{
	struct vm_config cfg;
	enum opts_cmd cmd;
	const char *knob;
	char err[256];

	if (opts_parse(argc, argv, &cmd, &cfg, err, sizeof(err))) {
		fprintf(stderr, "ptvm: %s\n", err);
		return 2;
	}
	if (cmd == OPTS_CMD_HELP) {
		fputs(opts_usage, stdout);
		return 0;
	}
	if (cmd == OPTS_CMD_VERSION) {
		puts("ptvm " PTVM_VERSION);
		return 0;
	}
	if (cmd == OPTS_CMD_DEVICES || cmd == OPTS_CMD_CHECK)
		return main_hostdev(argc, argv);
	if (cmd == OPTS_CMD_CTL)
		return api_ctl(argc, argv, STDIN_FILENO, stdout, stderr);
	log_set_verbose(cfg.verbose);
	/* A closed stdout must not kill ptvm with the guest still running. */
	signal(SIGPIPE, SIG_IGN);
	main_hold_signals();
	if (cmd == OPTS_CMD_CLEANUP)
		return managed_cleanup(&managed_env_host, stdout) ? 1 : 0;

	/* A test knob (README, Testing): the VM process makes this syscall on console input. */
	knob = getenv("PTVM_TEST_SYSCALL");
	if (knob && cfg.no_sandbox) {
		log_err("PTVM_TEST_SYSCALL=%s needs the sandbox (drop --no-sandbox)", knob);
		return 1;
	}
	if (knob && sandbox_test_syscall(knob, &cfg.test_syscall))
		return 1;
	cfg.test_knob = knob != NULL;
	return cfg.no_sandbox ? main_run_inline(&cfg) : main_run_sandboxed(&cfg);
}
