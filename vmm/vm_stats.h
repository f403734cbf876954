/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The counters ptvm keeps about itself, as one snapshot: --stats prints it
 * when the guest stops, the control socket's "stats" verb sends it while
 * the guest runs. One struct filled by one function (vm_get_stats) so the
 * two cannot drift apart.
 */
#ifndef PTVM_VM_STATS_H
#define PTVM_VM_STATS_H

#include <stdio.h>

#include "console_out.h"
#include "options.h"
#include "pt/passthrough.h"
#include "vcpu.h"
#include "vfio/sysfs.h"

/* What woke the main loop, as --stats counts it. */
enum vm_wake {
	VM_WAKE_CONSOLE, /* input on stdin */
	VM_WAKE_WAKE,	 /* wake_fd: a stop request, or room in the UART's RX FIFO */
	VM_WAKE_SIGNAL,	 /* signal_fd */
	VM_WAKE_VFIO,	 /* a VFIO ERR or REQ notifier */
	VM_WAKE_API,	 /* the control socket: a connection or a request */
	VM_WAKE_OUTPUT,	 /* guest console output waits, or stdout takes more of it */
	VM_WAKE_NR,
};

/* Each kind's name in "ptvm: stats: loop wakeups ..." and in the socket's reply. */
extern const char *const vm_wake_names[VM_WAKE_NR];

struct vm_stats_dev {
	char bdf[PCI_BDF_STRLEN];
	struct pt_stats st;
};

struct vm_stats {
	unsigned nr_vcpus;
	struct vcpu_stats vcpu[OPTS_MAX_CPUS];
	struct vcpu_stats exits; /* the sum over vCPUs */
	uint64_t wakeups[VM_WAKE_NR];
	unsigned reboots;		  /* guest restarts (--on-reboot restart) */
	struct console_out_stats console; /* guest console bytes written to stdout, dropped */
	unsigned nr_devs;
	struct vm_stats_dev dev[OPTS_MAX_PASSTHROUGH];
};

/* Add @v into @sum, kind by kind. */
void vm_stats_add(struct vcpu_stats *sum, const struct vcpu_stats *v);
/*
 * --stats: each vCPU's exits by kind and their sum, the main loop's wakeups
 * by kind, the guest's reboots, the console's output bytes written and
 * dropped, then each passed-through device's trapped accesses, all over
 * every boot of the guest. One stable
 * line each, "ptvm: stats: ...", for scripts to grep.
 */
void vm_stats_print(const struct vm_stats *st, FILE *f);

#endif
