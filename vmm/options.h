/* SPDX-License-Identifier: GPL-2.0 */
/* Command-line parsing for `ptvm run`: pure, so unit tests can drive it. */
#ifndef PTVM_OPTIONS_H
#define PTVM_OPTIONS_H

#include "util.h"

#define OPTS_MAX_CPUS	     254 /* xAPIC IDs 0..254; the MADT entry holds 8 bits */
#define OPTS_DEFAULT_MEMORY  (512ULL << 20)
#define OPTS_DEFAULT_CMDLINE "console=ttyS0 panic=-1"
#define OPTS_MAX_PASSTHROUGH 16 /* also the most root ports: one per device, and the spare ones */
/*
 * One spare root port by default: device-add then works in a VM started
 * without --passthrough (the usual orchestration order: boot, then
 * attach), for one bus-0 slot, one bus number, a 4 KiB I/O and two 2 MiB
 * memory windows the guest reserves (Linux's pci_hotplug_*_size). A
 * device-del frees its port for a later device-add anyway.
 */
#define OPTS_DEFAULT_HOTPLUG_SLOTS 1 /* opts_usage says so */

/* --on-reboot: what a guest reboot (or triple fault) does. */
enum opts_on_reboot {
	OPTS_ON_REBOOT_RESTART = 0, /* a fresh guest on the same devices (the default) */
	OPTS_ON_REBOOT_EXIT,	    /* ptvm ends (exit 0 for a reboot) */
};

enum opts_cmd {
	OPTS_CMD_RUN,
	OPTS_CMD_HELP,
	OPTS_CMD_VERSION,
	OPTS_CMD_DEVICES, /* its options: hostdev/hostdev.c */
	OPTS_CMD_CHECK,	  /* the same */
	OPTS_CMD_CLEANUP, /* give back the devices a killed ptvm left on vfio-pci */
	OPTS_CMD_CTL,	  /* a control socket client; its arguments: api/api_client.c */
};

struct vm_config {
	const char *kernel;
	const char *initrd;  /* NULL: none */
	const char *cmdline; /* never NULL after parsing */
	uint64_t memory;     /* bytes */
	unsigned cpus;
	bool verbose;
	bool stats; /* print exit counters when the VM stops */
	const char *kvm_path;
	const char *passthrough[OPTS_MAX_PASSTHROUGH]; /* host PCI addresses, as given */
	unsigned nr_passthrough;
	bool unmanaged; /* leave bindings alone: devices must be on vfio-pci already */
	bool allow_unsafe_interrupts;
	bool no_guard;	    /* --no-guard: pass devices through without ptguard */
	uint64_t hugepages; /* --hugepages: SZ_2M or SZ_1G hugetlbfs pages; 0: THP */
	int numa_node;	    /* --numa-node, or -1: the devices' node */
	enum opts_on_reboot on_reboot;
	const char *api_socket; /* --api-socket PATH, or NULL */
	const char *user;	/* --user: the VM process's user; NULL: ptvm, else nobody */
	bool no_sandbox;	/* --no-sandbox: one process, root, no seccomp filter */
	bool no_kernel_cache;	/* --no-kernel-cache: decompress a bzImage's kernel every time */
	bool no_pvh;		/* --no-pvh: a bzImage through its own 64-bit entry */
	/* PTVM_TEST_SYSCALL (a test knob, main.c): make syscall test_syscall. */
	bool test_knob;
	int test_syscall;
	unsigned hotplug_slots; /* --hotplug-slots: empty root ports */
};

/*
 * Parse argv. On error returns -EINVAL and writes one line (no newline)
 * naming the bad argument and the fix into @err.
 */
int opts_parse(int argc, char *const argv[], enum opts_cmd *cmd, struct vm_config *cfg, char *err,
	       size_t errlen) __must_check;
/* "512M", "2G", "1024" (MiB): bytes, or -EINVAL. */
int opts_parse_size(const char *s, uint64_t *out) __must_check;

extern const char opts_usage[];

#endif
