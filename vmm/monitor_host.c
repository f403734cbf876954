// SPDX-License-Identifier: GPL-2.0
/*
 * The monitor's side of the request channel (monitor_host.h): check, act,
 * reply; and its privileged steps (monitor_host_linux), the same checks
 * and moves --passthrough gets at start (vm_pt_check(), vm_pt_move()), on
 * the monitor's managed list, so that its give-back at exit covers every
 * device it moved.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "guard.h"
#include "managed/managed.h"
#include "monitor_host.h"
#include "vfio/container.h"

void monitor_host_init(struct monitor_host *h, const struct monitor_host_ops *ops, void *opaque,
		       unsigned max)
{
	memset(h, 0, sizeof(*h));
	h->ops = ops;
	h->opaque = opaque;
	h->max = MIN(max, (unsigned)OPTS_MAX_PASSTHROUGH);
}

static int monitor_host_find(const struct monitor_host *h, const struct pci_bdf *bdf)
{
	for (unsigned i = 0; i < h->nr; i++)
		if (pci_bdf_equal(&h->dev[i].bdf, bdf))
			return (int)i;
	return -1;
}

/* Does the VM process hold a device of IOMMU group @group (so its fd too)? */
static bool monitor_host_has_group(const struct monitor_host *h, unsigned group)
{
	for (unsigned i = 0; i < h->nr; i++)
		if (h->dev[i].group == group)
			return true;
	return false;
}

int monitor_host_hold(struct monitor_host *h, const struct pci_bdf *bdf, unsigned group)
{
	if (monitor_host_find(h, bdf) >= 0)
		return -EEXIST;
	if (h->nr >= h->max)
		return -ENOSPC;
	h->dev[h->nr].bdf = *bdf;
	h->dev[h->nr].group = group;
	h->nr++;
	return 0;
}

static void monitor_host_close(int *fds, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		close(fds[i]);
}

/* ADD: the checks and the move, then the fds it asked for, in MONITOR_FD_* order. */
static int monitor_host_add(struct monitor_host *h, const struct monitor_req *req,
			    const struct pci_bdf *bdf, struct monitor_reply *rep, int *fds,
			    unsigned *n)
{
	int ret, fd;

	if (req->flags & ~MONITOR_WANT_ALL)
		return -EINVAL;
	if (monitor_host_find(h, bdf) >= 0)
		return -EEXIST;
	if (h->nr >= h->max)
		return -ENOSPC;
	ret = req->flags & MONITOR_WANT_PIN ? h->ops->check_pin(h->opaque) : 0;
	if (ret)
		return ret;
	ret = h->ops->attach(h->opaque, bdf, &rep->group);
	if (ret)
		return ret;
	/* A group opens once (VFIO: -EBUSY): one the VM process holds, it has. */
	if (!monitor_host_has_group(h, rep->group)) {
		ret = h->ops->open_group(h->opaque, rep->group, &fd);
		if (ret)
			goto err;
		fds[(*n)++] = fd;
		rep->fds |= MONITOR_FD_GROUP;
	}
	if (req->flags & MONITOR_WANT_CONTAINER) {
		ret = h->ops->open_container(h->opaque, &fd);
		if (ret)
			goto err;
		fds[(*n)++] = fd;
		rep->fds |= MONITOR_FD_CONTAINER;
	}
	if (req->flags & MONITOR_WANT_GUARD) {
		ret = h->ops->open_guard(h->opaque, &fd);
		if (ret)
			goto err;
		if (fd >= 0) {
			fds[(*n)++] = fd;
			rep->fds |= MONITOR_FD_GUARD;
		}
	}
	ret = monitor_host_hold(h, bdf, rep->group);
	if (!ret)
		return 0;
err:
	monitor_host_close(fds, *n);
	*n = 0;
	rep->fds = 0;
	(void)!h->ops->give_back(h->opaque, bdf);
	return ret;
}

/* GIVE_BACK: only what the VM process holds; forgotten even if it cannot go back. */
static int monitor_host_give_back(struct monitor_host *h, const struct pci_bdf *bdf)
{
	int i = monitor_host_find(h, bdf);

	if (i < 0)
		return -ENODEV;
	h->dev[i] = h->dev[--h->nr];
	return h->ops->give_back(h->opaque, bdf);
}

void monitor_host_do(struct monitor_host *h, const struct monitor_req *req,
		     struct monitor_reply *rep, int fds[MONITOR_MAX_FDS], unsigned *n)
{
	struct pci_bdf bdf;

	*n = 0;
	*rep = (struct monitor_reply){.magic = MONITOR_REPLY_MAGIC, .seq = req->seq};
	if (!monitor_req_bdf(req, &bdf))
		rep->err = -EINVAL;
	else if (req->kind == MONITOR_REQ_ADD)
		rep->err = monitor_host_add(h, req, &bdf, rep, fds, n);
	else if (req->kind == MONITOR_REQ_GIVE_BACK && !req->flags)
		rep->err = monitor_host_give_back(h, &bdf);
	else
		rep->err = -EINVAL;
}

int monitor_host_serve(struct monitor_host *h, int fd)
{
	struct monitor_reply rep;
	struct monitor_req req;
	int fds[MONITOR_MAX_FDS];
	unsigned n = 0;
	int ret = monitor_req_recv(fd, &req);

	if (ret == -EPIPE)
		return ret;
	if (ret == -EAGAIN)
		return 0;
	if (ret) {
		log_err("monitor: a malformed request from the VM process: refused");
		rep = (struct monitor_reply){.magic = MONITOR_REPLY_MAGIC, .err = -EBADMSG};
	} else {
		monitor_host_do(h, &req, &rep, fds, &n);
	}
	ret = monitor_reply_send(fd, &rep, fds, n);
	/* Passed (or not): the monitor keeps no copy. */
	monitor_host_close(fds, n);
	return ret == -EPIPE || ret == -ECONNRESET ? -EPIPE : 0;
}

static int monitor_host_linux_attach(void *opaque, const struct pci_bdf *bdf, unsigned *group)
{
	struct monitor_env *env = opaque;
	int ret;

	/* Managed: managed_check()'s judgement, then the move; unmanaged: on vfio-pci already. */
	ret = env->cfg->unmanaged ? 0 : managed_attach_more(&managed_env_host, bdf, env->managed);
	if (ret)
		return ret;
	ret = sysfs_vfio_check(NULL, bdf, group);
	if (ret && !env->cfg->unmanaged)
		(void)!managed_give_back_one(*env->managed, bdf);
	return ret;
}

static int monitor_host_linux_give_back(void *opaque, const struct pci_bdf *bdf)
{
	struct monitor_env *env = opaque;

	return managed_give_back_one(*env->managed, bdf);
}

static int monitor_host_linux_open_group(void *opaque, unsigned group, int *fd)
{
	char path[32];

	snprintf(path, sizeof(path), "/dev/vfio/%u", group);
	*fd = sys_linux.open(path, O_RDWR);
	if (*fd >= 0)
		return 0;
	log_err("monitor: cannot open %s: %s%s", path, strerror(-*fd),
		*fd == -EBUSY ? " (another process holds the group)" : "");
	return *fd;
}

static int monitor_host_linux_open_container(void *opaque, int *fd)
{
	struct monitor_env *env = opaque;
	const struct vfio_container_config ccfg = {
		.sys = &sys_linux,
		.allow_unsafe_interrupts = env->cfg->allow_unsafe_interrupts,
	};

	/* Its checks here, where sysfs can be read; the VM process adopts the fd. */
	return container_open_fd(&ccfg, fd);
}

static int monitor_host_linux_open_guard(void *opaque, int *fd)
{
	struct monitor_env *env = opaque;

	*fd = -1;
	return env->cfg->no_guard ? 0 : guard_open(&sys_linux, fd);
}

/* type1 charges pinned pages to the pinning process's RLIMIT_MEMLOCK, inherited from here. */
static int monitor_host_linux_check_pin(void *opaque)
{
	struct monitor_env *env = opaque;
	struct rlimit rl;

	if (getrlimit(RLIMIT_MEMLOCK, &rl))
		return -errno;
	return container_memlock_verdict(env->cfg->memory,
					 rl.rlim_cur == RLIM_INFINITY ? UINT64_MAX : rl.rlim_cur,
					 env->vm_caps);
}

const struct monitor_host_ops monitor_host_linux = {
	.attach = monitor_host_linux_attach,
	.give_back = monitor_host_linux_give_back,
	.open_group = monitor_host_linux_open_group,
	.open_container = monitor_host_linux_open_container,
	.open_guard = monitor_host_linux_open_guard,
	.check_pin = monitor_host_linux_check_pin,
};
