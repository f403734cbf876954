// SPDX-License-Identifier: GPL-2.0
/* ptvm: options, wiring, exit codes. The only place that exits. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "hostdev/hostdev.h"
#include "managed/managed.h"
#include "options.h"
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

int main(int argc, char **argv)
{
	struct vm_config cfg;
	enum vm_stop_reason why;
	enum opts_cmd cmd;
	const char *msg;
	struct vm *vm;
	char err[256];
	char sig[16];
	int ret;

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
	log_set_verbose(cfg.verbose);
	/* A closed stdout must not kill ptvm with the guest still running. */
	signal(SIGPIPE, SIG_IGN);
	main_hold_signals();
	if (cmd == OPTS_CMD_CLEANUP)
		return managed_cleanup(&managed_env_host, stdout) ? 1 : 0;

	ret = vm_create(&vm, &cfg, &sys_linux);
	if (ret == -EINTR) {
		/* Setup saw the signal, stopped and undid itself; it is still pending. */
		fprintf(stderr, "ptvm: stopped by %s during setup\n",
			signals_name(signals_term_pending(), sig));
		return 130;
	}
	if (ret)
		return 1;
	why = vm_run(vm, &msg);
	if (cfg.stats)
		vm_print_stats(vm);
	vm_destroy(vm);

	switch (why) {
	case VM_STOP_POWEROFF:
	case VM_STOP_RESET:
	case VM_STOP_HALT:
		log_info("%s", msg);
		return 0;
	case VM_STOP_SIGNAL:
		fprintf(stderr, "ptvm: %s\n", msg);
		return 130;
	default:
		fprintf(stderr, "ptvm: %s\n", msg);
		return 1;
	}
}
