/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `ptvm devices [--json] [BDF...]` and `ptvm check [--json] [--memory SIZE]
 * [BDF...]`: their command lines and their runs, for main.c.
 */
#ifndef PTVM_HOSTDEV_HOSTDEV_H
#define PTVM_HOSTDEV_HOSTDEV_H

#include <stdio.h>

#include "hostdev/check.h"
#include "vfio/sysfs.h"

#define HOSTDEV_MAX_BDFS CHECK_MAX_DEVICES

enum hostdev_cmd {
	HOSTDEV_DEVICES,
	HOSTDEV_CHECK,
};

struct hostdev_config {
	enum hostdev_cmd cmd;
	bool help;
	bool json;
	uint64_t memory; /* check: the guest size to check RLIMIT_MEMLOCK against */
	struct pci_bdf bdfs[HOSTDEV_MAX_BDFS];
	unsigned nr_bdfs;
};

/*
 * Parse argv, argv[1] being "devices" or "check". On error returns -EINVAL
 * and writes one line (no newline) naming the bad argument and the fix into
 * @err.
 */
int hostdev_parse(int argc, char *const argv[], struct hostdev_config *cfg, char *err,
		  size_t errlen) __must_check;

/*
 * Run the command against @env (its sysfs root for both commands), names
 * from the pci.ids at @ids (NULL: libpci's default), output to @out. 0, or
 * -errno with the cause logged (a BDF that is not there: -ENODEV). For check,
 * *@fails is the number of FAIL verdicts (0 for devices).
 */
int hostdev_run(const struct hostdev_config *cfg, const struct check_env *env, const char *ids,
		FILE *out, unsigned *fails) __must_check;

#endif
