/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The request channel between the VM process and its monitor (monitor.h):
 * a SOCK_SEQPACKET socketpair made before the fork, so each message is one
 * datagram, kept whole or refused (unix(7)). The VM process, which has no
 * privileges, asks; the monitor (root) does the host's privileged half of
 * hot-plug and answers, passing file descriptors with SCM_RIGHTS.
 *
 *   ADD @bdf:       move it to vfio-pci (managed mode) and check it as at
 *                   start; reply: its IOMMU group and, in this order, the
 *                   fds the reply's @fds bits name: /dev/vfio/GROUP (unless
 *                   the VM process holds that group already), and on
 *                   request a new /dev/vfio/vfio and /dev/ptguard.
 *   GIVE_BACK @bdf: the VM process let go of it (reset, closed, group put,
 *                   ptguard release): back to its host driver.
 *
 * Requests and replies are fixed structs; anything else (a short or long
 * datagram, a wrong magic, an fd on a request) is refused as -EBADMSG, and
 * fds that came with it are closed.
 */
#ifndef PTVM_MONITOR_REQ_H
#define PTVM_MONITOR_REQ_H

#include <stdint.h>

#include "util.h"
#include "vfio/sysfs.h"

#define MONITOR_REQ_MAGIC   0x71727470u /* "ptrq" */
#define MONITOR_REPLY_MAGIC 0x70727470u /* "ptrp" */

enum monitor_req_kind {
	MONITOR_REQ_ADD = 1,
	MONITOR_REQ_GIVE_BACK = 2,
};

/* ADD: what the VM process does not hold yet and wants with the group. */
#define MONITOR_WANT_CONTAINER (1u << 0) /* a /dev/vfio/vfio fd */
#define MONITOR_WANT_GUARD     (1u << 1) /* a /dev/ptguard fd (none under --no-guard) */
#define MONITOR_WANT_PIN       (1u << 2) /* guest RAM will be pinned: check the memlock limit */
#define MONITOR_WANT_ALL       (MONITOR_WANT_CONTAINER | MONITOR_WANT_GUARD | MONITOR_WANT_PIN)

/* A reply's fds, in this order. */
#define MONITOR_FD_GROUP     (1u << 0)
#define MONITOR_FD_CONTAINER (1u << 1)
#define MONITOR_FD_GUARD     (1u << 2)
#define MONITOR_MAX_FDS	     3

struct monitor_req {
	uint32_t magic;
	uint32_t kind;	/* enum monitor_req_kind */
	uint32_t flags; /* ADD: MONITOR_WANT_* */
	uint32_t seq;	/* echoed in the reply */
	uint16_t domain;
	uint8_t bus, dev, fn;
	uint8_t pad[3];
};

struct monitor_reply {
	uint32_t magic;
	uint32_t seq;
	int32_t err;	/* 0 or -errno */
	uint32_t group; /* ADD: the device's IOMMU group */
	uint32_t fds;	/* MONITOR_FD_*: the fds that came with it */
	uint32_t pad;
};

/* The device a request names; false if it is none (dev > 31, fn > 7). */
bool monitor_req_bdf(const struct monitor_req *r, struct pci_bdf *bdf);
/* Fill @r for @kind of @bdf. */
void monitor_req_init(struct monitor_req *r, enum monitor_req_kind kind, uint32_t flags,
		      uint32_t seq, const struct pci_bdf *bdf);
/* SOCK_SEQPACKET | SOCK_CLOEXEC pair: [0] the monitor's, [1] the VM process's. */
int monitor_req_pair(int sv[2]) __must_check;
/* 0 or -errno (-EPIPE: the other side is gone). */
int monitor_req_send(int fd, const struct monitor_req *r) __must_check;
/* One request: 0; -EPIPE at the other side's end; -EBADMSG for anything malformed. */
int monitor_req_recv(int fd, struct monitor_req *r) __must_check;
/* A reply and @n fds (bits of r->fds in order; n == popcount). 0 or -errno. */
int monitor_reply_send(int fd, const struct monitor_reply *r, const int *fds,
		       unsigned n) __must_check;
/*
 * One reply: 0 with @fds[i] set for each MONITOR_FD_* bit in order (the
 * rest -1), close-on-exec; -EPIPE, -EBADMSG (its fds closed) otherwise.
 */
int monitor_reply_recv(int fd, struct monitor_reply *r, int fds[MONITOR_MAX_FDS]) __must_check;

#endif
