/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A host for the managed-mode tests: the simulated driver core
 * (fake_driver_core.h) with the rig's devices, and a managed_env whose
 * every path points into the fake tree:
 *
 *   0000:00:02.0  e1000e, on e1000e, IOMMU group 2
 *   0000:00:03.0  NVMe, on vfio-pci already (native nvme), group 3
 *   0000:00:04.0  a NIC on no driver (native e1000e), group 4
 *   0000:03:00.0  e1000e function 0, on e1000e, group 8
 *   0000:03:00.1  e1000e function 1, on e1000e, group 8
 */
#ifndef PTVM_TEST_MANAGED_FIXTURE_H
#define PTVM_TEST_MANAGED_FIXTURE_H

#include <sys/wait.h>
#include <unistd.h>

#include "fake_driver_core.h"
#include "log_capture.h"
#include "managed/managed_internal.h"

#define NIC  "0000:00:02.0"
#define NVME "0000:00:03.0"
#define IDLE "0000:00:04.0"
#define FN0  "0000:03:00.0"
#define FN1  "0000:03:00.1"

static struct {
	struct managed_env env;
	char dev[96], run[96], rootfs[96];
} mf;

static inline void mf_init(void)
{
	fdc_init();
	fdc_add_dev(NIC, 0x020000, "e1000e", "e1000e", 2);
	fdc_add_dev(NVME, 0x010802, "vfio-pci", "nvme", 3);
	fdc_add_dev(IDLE, 0x020000, NULL, "e1000e", 4);
	fdc_add_dev(FN0, 0x020000, "e1000e", "e1000e", 8);
	fdc_add_dev(FN1, 0x020000, "e1000e", "e1000e", 8);
	fake_sysfs_add_file(&fdc.fs, "run/.keep", "");
	snprintf(mf.dev, sizeof(mf.dev), "%s/dev", fdc.fs.root);
	snprintf(mf.run, sizeof(mf.run), "%s/run/ptvm", fdc.fs.root);
	snprintf(mf.rootfs, sizeof(mf.rootfs), "%s", fdc.fs.root);
	snprintf(fdc.run_dir, sizeof(fdc.run_dir), "%s", mf.run);
	mf.env = (struct managed_env){
		.sysfs = fdc.fs.root,
		.dev = mf.dev,
		.run = mf.run,
		.rootfs = mf.rootfs,
		.sys = NULL,
		.wait_ms = 50,
	};
}

static inline struct pci_bdf mf_bdf(const char *s)
{
	struct pci_bdf b = {0};

	if (pci_bdf_parse(s, &b))
		abort();
	return b;
}

static inline const char *mf_driver(const char *bdf)
{
	static char buf[4][32];
	static unsigned k;

	k = (k + 1) % 4;
	return fdc_driver(bdf, buf[k], sizeof(buf[k]));
}

static inline bool mf_has_record(const char *bdf)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "run/ptvm/%s", bdf);
	return fdc_exists(rel);
}

/* The pid of a process that has exited and been reaped: a record's dead owner. */
static inline int mf_dead_pid(void)
{
	pid_t pid = fork();

	if (!pid)
		_exit(0);
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	return pid;
}

#endif
