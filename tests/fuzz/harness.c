// SPDX-License-Identifier: GPL-2.0
/* The shared part of the fuzz targets: invariant failures and eventfd tracking; see harness.h. */
#include <poll.h>
#include <sanitizer/common_interface_defs.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>

#include <sys/mman.h>

#include "harness.h"

#define FUZZ_MAX_FD 4096

/* Only the target's own thread runs the code under test. */
static bool fuzz_live[FUZZ_MAX_FD];
static unsigned fuzz_nr_live;

int __real_eventfd(unsigned int initval, int flags);
int __real_close(int fd);
int __real_poll(struct pollfd *fds, nfds_t nfds, int timeout);

void fuzz_fail(const char *fmt, ...)
{
	char buf[512];
	int n;
	va_list ap;

	n = snprintf(buf, sizeof(buf), "ptvm-fuzz: invariant: ");
	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	va_end(ap);
	/* Where the sanitizers (and so libFuzzer's crash report) write. */
	__sanitizer_report_error_summary(buf);
	abort();
}

void fuzz_map_boot(uint8_t **ram, const uint8_t **initrd, size_t len)
{
	const int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;

	*ram = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, -1, 0);
	*initrd = mmap(NULL, len, PROT_READ, flags, -1, 0);
	FUZZ_CHECK(*ram != MAP_FAILED && *initrd != MAP_FAILED, "mmap of %zu bytes", len);
}

bool fuzz_fd_live(int fd)
{
	return fd >= 0 && fd < FUZZ_MAX_FD && fuzz_live[fd];
}

unsigned fuzz_fds_live(void)
{
	return fuzz_nr_live;
}

int __wrap_eventfd(unsigned int initval, int flags)
{
	int fd = __real_eventfd(initval, flags);

	if (fd >= 0) {
		FUZZ_CHECK(fd < FUZZ_MAX_FD, "eventfd %d beyond the tracker", fd);
		FUZZ_CHECK(!fuzz_live[fd], "eventfd %d handed out while open", fd);
		fuzz_live[fd] = true;
		fuzz_nr_live++;
	}
	return fd;
}

int __wrap_close(int fd)
{
	if (fd >= 0 && fd < FUZZ_MAX_FD && fuzz_live[fd]) {
		fuzz_live[fd] = false;
		fuzz_nr_live--;
	}
	return __real_close(fd);
}

int __wrap_poll(struct pollfd *fds, nfds_t nfds, int timeout)
{
	for (nfds_t i = 0; i < nfds; i++)
		FUZZ_CHECK(fds[i].fd < 0 || fuzz_fd_live(fds[i].fd), "poll of fd %d, not open",
			   fds[i].fd);
	return __real_poll(fds, nfds, timeout);
}
