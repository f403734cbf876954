// SPDX-License-Identifier: GPL-2.0
/*
 * The host's privileged half of hot-plug, from the VM's side: asked of
 * the monitor over the request channel when the VM process is sandboxed
 * (vm->mon_fd), or done in this process through the same requests with
 * --no-sandbox (monitor_host.h). Either way the VM gets a device moved to
 * vfio-pci and checked, and the fds it lacks: the IOMMU group's, the
 * container's and the guard file's on first use.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "monitor_host.h"
#include "vfio/container.h"
#include "vm.h"

/* --no-sandbox: the requests' other side, in this process, over vm->managed. */
static int vm_host_local(struct vm *vm)
{
	if (vm->host)
		return 0;
	vm->host = calloc(1, sizeof(*vm->host));
	if (!vm->host)
		return -ENOMEM;
	vm->host_env =
		(struct monitor_env){.cfg = vm->cfg, .managed = &vm->managed, .vm_caps = true};
	monitor_host_init(vm->host, &monitor_host_linux, &vm->host_env, vm_nr_ports(vm));
	return vm_host_record(vm, vm->host);
}

int vm_host_record(const struct vm *vm, struct monitor_host *h)
{
	for (unsigned i = 0; i < vm_nr_ports(vm); i++) {
		const struct vm_pt_dev *d = &vm->pt[i];
		int ret;

		if (i >= vm->cfg->nr_passthrough && d->state == VM_SLOT_EMPTY)
			continue;
		ret = monitor_host_hold(h, &d->bdf, d->group);
		if (ret)
			return ret;
	}
	return 0;
}

/* @req answered: 0 and @fds by MONITOR_FD_* bit (-1 if none), or the reply's -errno. */
static int vm_host_ask(struct vm *vm, struct monitor_req *req, struct monitor_reply *rep,
		       int fds[MONITOR_MAX_FDS])
{
	int got[MONITOR_MAX_FDS];
	unsigned n;
	int ret;

	req->seq = ++vm->host_seq;
	if (vm->mon_fd < 0) {
		ret = vm_host_local(vm);
		if (ret)
			return ret;
		monitor_host_do(vm->host, req, rep, got, &n);
		for (unsigned i = 0, k = 0; i < MONITOR_MAX_FDS; i++)
			fds[i] = rep->fds & (1u << i) ? got[k++] : -1;
		return rep->err;
	}
	/* The monitor answers each request before it reads the next: blocking is fine. */
	ret = monitor_req_send(vm->mon_fd, req);
	if (!ret)
		ret = monitor_reply_recv(vm->mon_fd, rep, fds);
	if (ret) {
		log_err("monitor: no answer to the VM process's request: %s", strerror(-ret));
		return ret;
	}
	if (rep->seq != req->seq) {
		for (unsigned i = 0; i < MONITOR_MAX_FDS; i++)
			if (fds[i] >= 0)
				close(fds[i]);
		log_err("monitor: a reply to another request (%u, not %u)", rep->seq, req->seq);
		return -EPROTO;
	}
	return rep->err;
}

int vm_host_add(struct vm *vm, const struct pci_bdf *bdf, unsigned *group, int *group_fd)
{
	const struct vfio_container_config ccfg = {.sys = vm->sys};
	struct monitor_reply rep;
	struct monitor_req req;
	int fds[MONITOR_MAX_FDS];
	uint32_t want = 0;
	int ret;

	if (!vm->vfio)
		want |= MONITOR_WANT_CONTAINER;
	if (vm->guard_fd < 0 && !vm->cfg->no_guard)
		want |= MONITOR_WANT_GUARD;
	if (!vm->vfio || !container_ram_mapped(vm->vfio))
		want |= MONITOR_WANT_PIN;
	monitor_req_init(&req, MONITOR_REQ_ADD, want, 0, bdf);
	ret = vm_host_ask(vm, &req, &rep, fds);
	if (ret)
		return ret;
	*group = rep.group;
	*group_fd = fds[0];
	if (fds[2] >= 0)
		vm->guard_fd = fds[2];
	ret = fds[1] >= 0 ? container_adopt(&ccfg, fds[1], &vm->vfio) : 0;
	if (!ret && !vm->vfio)
		ret = -EPROTO; /* a container was asked for and none came */
	if (ret) {
		if (*group_fd >= 0)
			close(*group_fd);
		*group_fd = -1;
		(void)!vm_host_give_back(vm, bdf);
	}
	return ret;
}

int vm_host_give_back(struct vm *vm, const struct pci_bdf *bdf)
{
	struct monitor_reply rep;
	struct monitor_req req;
	int fds[MONITOR_MAX_FDS];

	monitor_req_init(&req, MONITOR_REQ_GIVE_BACK, 0, 0, bdf);
	return vm_host_ask(vm, &req, &rep, fds);
}

void vm_host_free(struct vm *vm)
{
	free(vm->host);
	vm->host = NULL;
}
