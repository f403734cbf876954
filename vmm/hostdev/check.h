/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `ptvm check`: is this host ready to pass devices through with ptvm? One
 * verdict per line, "PASS|WARN|FAIL <what>: <detail>[; <fix>]": KVM, the
 * IOMMU, interrupt remapping, VFIO, ptguard, the locked-memory limit, huge
 * pages, and each device asked about. FAIL means `ptvm run --passthrough`
 * would fail (or, for a device, be refused) as the host is now; WARN means it
 * would run, with less protection or speed than it could have.
 */
#ifndef PTVM_HOSTDEV_CHECK_H
#define PTVM_HOSTDEV_CHECK_H

#include <stdio.h>

#include "hostdev/topo.h"
#include "sys.h"

enum check_status {
	CHECK_PASS,
	CHECK_WARN,
	CHECK_FAIL,
};

#define CHECK_TEXT_MAX 1280 /* room for two lists of peers (ASSIGN_TEXT_MAX) */

struct check_result {
	enum check_status status;
	char what[32];
	char detail[CHECK_TEXT_MAX];
	char fix[CHECK_TEXT_MAX]; /* "" for PASS */
};

/* Where the checks look; tests point every part at fakes. */
struct check_env {
	const struct sys_ops *sys; /* /dev/kvm, /dev/vfio/vfio and /dev/ptguard go through it */
	const char *sysfs;	   /* NULL: "/sys" */
	const char *procfs;	   /* NULL: "/proc" */
	/*
	 * RLIMIT_MEMLOCK's soft limit (UINT64_MAX: unlimited) and whether the
	 * process has CAP_IPC_LOCK; NULL: this process's, via check_memlock_self().
	 */
	int (*memlock)(uint64_t *limit, bool *cap_ipc_lock);
};

/* @sel entry of a device that is not on the host. */
#define CHECK_ABSENT	  (~0u)
#define CHECK_MAX_DEVICES 64

/*
 * Run every check for a guest of @memory bytes and the devices @bdfs[0..@n)
 * (claimed together, as `ptvm run` would), @sel[k] being the index of
 * @bdfs[k] in @t or CHECK_ABSENT. Each verdict goes to @out as it is found
 * (with @json one JSON object per line). *@fails is the number of FAIL
 * verdicts. -ENOMEM or -EINVAL (over CHECK_MAX_DEVICES), logged; else 0.
 */
int check_run(FILE *out, const struct check_env *env, const struct topo *t, uint64_t memory,
	      const struct pci_bdf *bdfs, const unsigned *sel, unsigned n, bool json,
	      unsigned *fails) __must_check;

/* Host checks: kvm, iommu, interrupt remapping, vfio, ptguard, memlock, hugepages. */
#define CHECK_HOST_NR 7

/* The host half of check_run(): every host check, in the order above. */
void check_host(const struct check_env *env, uint64_t memory,
		struct check_result out[CHECK_HOST_NR]);

/* This process's memlock limit and CAP_IPC_LOCK (getrlimit, libcap-ng). */
int check_memlock_self(uint64_t *limit, bool *cap_ipc_lock) __must_check;

#endif
