// SPDX-License-Identifier: GPL-2.0
/* ptguard claims: one CLAIM ioctl on /dev/ptguard for every passed-through device. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include <ptvm/ptguard.h>

#include "guard.h"

static bool guard_warned;

void guard_forget_warning(void)
{
	guard_warned = false;
}

static int guard_absent(int *fd_out)
{
	if (!guard_warned)
		log_err("ptguard: " GUARD_PATH " not present; devices are not protected against "
					       "shared reset domains (load ptguard.ko)");
	guard_warned = true;
	*fd_out = -1;
	return 0;
}

int guard_claim(const struct sys_ops *sys, const char *owner, const struct pci_bdf *bdfs,
		unsigned n, bool allow_no_reset, int *fd_out)
{
	struct ptguard_claim c;
	int fd, ret;

	*fd_out = -1;
	if (!n)
		return 0;
	if (n > PTGUARD_CLAIM_MAX || strlen(owner) >= sizeof(c.owner)) {
		log_err("ptguard: cannot claim %u devices as '%s' (at most %u, name below %zu "
			"characters)",
			n, owner, PTGUARD_CLAIM_MAX, sizeof(c.owner));
		return -EINVAL;
	}
	memset(&c, 0, sizeof(c));
	c.flags = allow_no_reset ? PTGUARD_CLAIM_ALLOW_NO_RESET : 0;
	c.nr_devs = n;
	for (unsigned i = 0; i < n; i++)
		c.devs[i] = PTGUARD_ADDR(bdfs[i].domain, bdfs[i].bus, bdfs[i].dev, bdfs[i].fn);
	strcpy(c.owner, owner);

	fd = sys->open(GUARD_PATH, O_RDWR);
	/* No node, or a node whose module is gone. */
	if (fd == -ENOENT || fd == -ENODEV || fd == -ENXIO)
		return guard_absent(fd_out);
	if (fd < 0) {
		log_err("ptguard: cannot open " GUARD_PATH ": %s", strerror(-fd));
		return fd;
	}
	ret = sys->ioctl(fd, PTGUARD_CLAIM, &c);
	if (ret == -ENOTTY) {
		/* A module without the claim calls: the same as none. */
		(void)!sys->close(fd);
		return guard_absent(fd_out);
	}
	if (ret < 0) {
		c.reason[sizeof(c.reason) - 1] = '\0';
		log_err("ptguard: refused: %s", c.reason[0] ? c.reason : strerror(-ret));
		(void)!sys->close(fd);
		return ret;
	}
	log_info("ptguard: %u device(s) claimed as %s", n, owner);
	*fd_out = fd;
	return 0;
}
