/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The monitor's half of hot-plug: what it does for the VM process's
 * requests (monitor_req.h), and what it lets it ask. The VM process is the
 * untrusted side: it may ADD a device only if the monitor's own checks pass
 * (managed mode's judgement and vfio-pci's, as for --passthrough at start:
 * monitor_host_linux), only while it holds fewer devices than it has
 * ports, and never one it holds; it may GIVE_BACK only a device it holds.
 * Any other request gets an error reply; none can crash the monitor.
 *
 * With --no-sandbox the VM's own process runs the same requests
 * (monitor_host_do()) without the channel.
 */
#ifndef PTVM_MONITOR_HOST_H
#define PTVM_MONITOR_HOST_H

#include "monitor_req.h"
#include "options.h"

/* The privileged steps, behind a seam for the tests; each 0 or -errno, logged. */
struct monitor_host_ops {
	/* Move @bdf to vfio-pci (managed mode) and check it there: its group in *@group. */
	int (*attach)(void *opaque, const struct pci_bdf *bdf, unsigned *group);
	/* Back to its host driver (managed mode; else nothing). */
	int (*give_back)(void *opaque, const struct pci_bdf *bdf);
	int (*open_group)(void *opaque, unsigned group, int *fd);
	int (*open_container)(void *opaque, int *fd);
	/* *@fd -1 and 0 under --no-guard. */
	int (*open_guard)(void *opaque, int *fd);
	/* Guest RAM may be pinned for DMA by the VM process (its memlock limit). */
	int (*check_pin)(void *opaque);
};

struct monitor_host {
	const struct monitor_host_ops *ops;
	void *opaque;
	unsigned max; /* devices at once: the VM's root ports */
	unsigned nr;
	struct {
		struct pci_bdf bdf;
		unsigned group;
	} dev[OPTS_MAX_PASSTHROUGH]; /* the devices the VM process holds */
};

void monitor_host_init(struct monitor_host *h, const struct monitor_host_ops *ops, void *opaque,
		       unsigned max);
/* A --passthrough device the VM process opens itself at start, in group @group. */
int monitor_host_hold(struct monitor_host *h, const struct pci_bdf *bdf,
		      unsigned group) __must_check;
/*
 * Do request @req: *@rep filled in (rep->err 0 or -errno), and @fds[0..*@n)
 * the fds to pass (the caller closes them once sent).
 */
void monitor_host_do(struct monitor_host *h, const struct monitor_req *req,
		     struct monitor_reply *rep, int fds[MONITOR_MAX_FDS], unsigned *n);
/*
 * In the monitor, @fd readable: take one request, do it, reply. 0; -EPIPE
 * when the VM process is gone (stop polling @fd). A malformed request gets
 * an -EBADMSG reply.
 */
int monitor_host_serve(struct monitor_host *h, int fd) __must_check;

/* monitor_host.c: the real steps, for the monitor's (or --no-sandbox's) managed list. */
struct managed;
struct monitor_env {
	const struct vm_config *cfg;
	struct managed **managed;
	bool vm_caps; /* the VM process keeps its capabilities (--no-sandbox) */
};
extern const struct monitor_host_ops monitor_host_linux;

#endif
