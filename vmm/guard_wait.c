// SPDX-License-Identifier: GPL-2.0
/* Wait for ptguard's reset after release: QUERY until the device is FREE. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>

#include <ptvm/ptguard.h>

#include "guard.h"
#include "guard_wait.h"

/* ptguard's work item polls VFIO every 20 ms at first (PTG_POLL_FIRST_MS). */
#define GUARD_WAIT_POLL_MS 20

/* One QUERY: 0 and the state of @addr, or -errno. */
static int guard_wait_query(const struct sys_ops *sys, int fd, uint32_t addr,
			    struct ptguard_dev_info *info)
{
	struct ptguard_query q;
	int ret;

	memset(&q, 0, sizeof(q));
	q.addr = addr;
	ret = sys->ioctl(fd, PTGUARD_QUERY, &q);
	if (ret < 0)
		return ret;
	/* related[0] is the queried device itself (include/ptvm/ptguard.h). */
	*info = q.related[0];
	info->owner[sizeof(info->owner) - 1] = '\0';
	return 0;
}

int guard_wait_free(const struct sys_ops *sys, const struct pci_bdf *bdf, unsigned timeout_ms)
{
	const struct timespec nap = {0, GUARD_WAIT_POLL_MS * 1000000L};
	uint32_t addr = PTGUARD_ADDR(bdf->domain, bdf->bus, bdf->dev, bdf->fn);
	char name[PCI_BDF_STRLEN];
	struct ptguard_dev_info info;
	unsigned waited = 0;
	int fd, ret;

	pci_bdf_format(bdf, name);
	fd = sys->open(GUARD_PATH, O_RDWR);
	/* No ptguard (no node, or a node whose module is gone): no reset to wait for. */
	if (fd == -ENOENT || fd == -ENODEV || fd == -ENXIO)
		return 0;
	if (fd < 0) {
		log_err("ptguard: cannot open " GUARD_PATH ": %s", strerror(-fd));
		return fd;
	}
	for (;;) {
		ret = guard_wait_query(sys, fd, addr, &info);
		/* A module without QUERY, or a device it does not know: nothing to wait for. */
		if (ret == -ENOTTY || ret == -ENODEV) {
			ret = 0;
			break;
		}
		if (ret) {
			log_err("ptguard: %s: QUERY: %s", name, strerror(-ret));
			break;
		}
		if (info.state == PTGUARD_STATE_FREE)
			break;
		if (info.state == PTGUARD_STATE_HELD) {
			log_err("ptguard: %s is held by %s (pid %u); left as it is", name,
				info.owner, info.owner_pid);
			ret = -EBUSY;
			break;
		}
		if (info.state == PTGUARD_STATE_RESET_FAILED) {
			log_err("ptguard: %s: its reset after release failed (see dmesg); left on "
				"vfio-pci",
				name);
			ret = -EIO;
			break;
		}
		if (waited >= timeout_ms) {
			log_err("ptguard: %s: its reset after release is still pending after "
				"%u ms; left on vfio-pci",
				name, timeout_ms);
			ret = -ETIMEDOUT;
			break;
		}
		nanosleep(&nap, NULL);
		waited += GUARD_WAIT_POLL_MS;
	}
	(void)!sys->close(fd);
	return ret;
}
