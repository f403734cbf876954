/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the rig's small static tools (l2/ptpoke.c, l2/ptdma.c, l1/nvmeadm.c,
 * l1/ptfault.c) share:
 * an error is one line "NAME: ..." on stderr and exit status 1; a number is
 * a C literal (0x.. or decimal), and one that is not, or is too large, is
 * bad usage (exit status 2); a device's sysfs file that will not open is
 * an error. Each tool defines TOOL_NAME before including.
 */
#ifndef PTVM_E2E_TOOL_H
#define PTVM_E2E_TOOL_H

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;

	fputs(TOOL_NAME ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static uint64_t num(const char *s, uint64_t max)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || v > max) {
		fprintf(stderr, TOOL_NAME ": '%s' is not a number up to 0x%" PRIx64 "\n", s, max);
		exit(2);
	}
	return v;
}

/* /sys/bus/pci/devices/BDF/NAME opened with FLAGS (an L2 tool's device files). */
static inline int tool_sysfs_open(const char *bdf, const char *name, int flags)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", bdf, name);
	fd = open(path, flags);
	if (fd < 0)
		die("%s: %s", path, strerror(errno));
	return fd;
}

#endif
