/* SPDX-License-Identifier: GPL-2.0 */
/* `ptvm devices [--json] [BDF...]`: its command line and its run, for main.c. */
#ifndef PTVM_HOSTDEV_HOSTDEV_H
#define PTVM_HOSTDEV_HOSTDEV_H

#include <stdio.h>

#include "vfio/sysfs.h"

#define HOSTDEV_MAX_BDFS 64

enum hostdev_cmd {
	HOSTDEV_DEVICES,
};

struct hostdev_config {
	enum hostdev_cmd cmd;
	bool help;
	bool json;
	struct pci_bdf bdfs[HOSTDEV_MAX_BDFS];
	unsigned nr_bdfs;
};

/*
 * Parse argv, argv[1] being "devices". On error returns -EINVAL
 * and writes one line (no newline) naming the bad argument and the fix into
 * @err.
 */
int hostdev_parse(int argc, char *const argv[], struct hostdev_config *cfg, char *err,
		  size_t errlen) __must_check;

/*
 * Run the command on the sysfs at @sysfs (NULL: "/sys"), names from the
 * pci.ids at @ids (NULL: libpci's default), output to @out. 0, or -errno
 * with the cause logged (a BDF that is not there: -ENODEV).
 */
int hostdev_run(const struct hostdev_config *cfg, const char *sysfs, const char *ids,
		FILE *out) __must_check;

#endif
