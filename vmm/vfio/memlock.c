// SPDX-License-Identifier: GPL-2.0
/*
 * May this process pin guest RAM for DMA? Apart from container.c so that only
 * the ptvm binary, not every test that links container.o, needs libcap-ng.
 */
#include <cap-ng.h>
#include <errno.h>
#include <sys/resource.h>

#include "vfio/container.h"

int container_check_memlock(uint64_t bytes)
{
	struct rlimit rl;
	bool cap;

	/* type1 charges pinned pages to RLIMIT_MEMLOCK's soft limit (task_rlimit()). */
	if (getrlimit(RLIMIT_MEMLOCK, &rl))
		return -errno;
	/* libcap-ng: read this process's capability sets before asking about one. */
	cap = capng_get_caps_process() == 0 &&
	      capng_have_capability(CAPNG_EFFECTIVE, CAP_IPC_LOCK) == 1;
	return container_memlock_verdict(
		bytes, rl.rlim_cur == RLIM_INFINITY ? UINT64_MAX : rl.rlim_cur, cap);
}
