/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control socket (--api-socket PATH): JSON, one request per line, one
 * reply line per request.
 *
 *   request: {"id": 7, "verb": "status"}       (id: a number or a string)
 *   reply:   {"id": 7, "ok": {...}}  or  {"id": 7, "error": "one line"}
 *
 * A request whose id cannot be read is answered with "id": null. The verbs
 * and their replies are in api_proto.c. Nothing a client sends ends the VM
 * except "poweroff"; the server never blocks on a client.
 */
#ifndef PTVM_API_H
#define PTVM_API_H

#include <sys/types.h>

#include "options.h"
#include "util.h"
#include "vfio/sysfs.h"

struct vm_stats;

/* A request line, its newline included, is at most this long; longer ones get an error. */
#define API_LINE_MAX 4096
/* Clients served at once; one more gets an error line and is closed. */
#define API_MAX_CLIENTS 4
/* The longest reply ("stats" with OPTS_MAX_CPUS vCPUs is about 30 KiB). */
#define API_REPLY_MAX 65536
/* How long "pause" waits for the vCPUs to leave KVM_RUN. */
#define API_PAUSE_TIMEOUT_MS 2000

struct api_status {
	bool paused;
	unsigned vcpus;
	uint64_t memory; /* guest RAM, bytes */
	uint64_t uptime_ms;
	unsigned reboots; /* guest restarts so far */
	unsigned nr_devs;
	struct {
		char bdf[PCI_BDF_STRLEN];
		unsigned iommu_group;
	} dev[OPTS_MAX_PASSTHROUGH];
};

/* What the verbs do to the VM; the VM's side is vm_api.c, tests bring a fake. */
struct api_vm_ops {
	void (*status)(void *opaque, struct api_status *st);
	void (*stats)(void *opaque, struct vm_stats *st);
	/* 0, or -errno (-ETIMEDOUT: a vCPU did not stop); both idempotent. */
	int (*pause)(void *opaque);
	int (*resume)(void *opaque);
	/* Stop the VM as the VMM does when told to quit: exit 0. */
	void (*poweroff)(void *opaque);
};

/*
 * api_proto.c: answer one request line of @len bytes (its newline not
 * included): the reply, one line ending in '\n', goes into @out. Returns
 * the reply's length (< @outlen; @outlen must be at least 64).
 */
size_t api_answer(const struct api_vm_ops *ops, void *opaque, const char *line, size_t len,
		  char *out, size_t outlen);
/* The reply {"id":null,"error":@msg} and its '\n' in @out; its length. */
size_t api_error_line(const char *msg, char *out, size_t outlen);

struct api_server;

/*
 * api_server.c, at setup: create the socket file @path, mode 0600, and
 * listen (non-blocking, close-on-exec). A stale socket at @path (nobody
 * listening) is replaced; anything else there is refused. Logs one line
 * naming @path on error. The verbs run @ops with @opaque.
 */
int api_server_open(struct api_server **out, const char *path, const struct api_vm_ops *ops,
		    void *opaque) __must_check;
/*
 * Give the socket file to @uid:@gid (--user, before privileges drop): the
 * VM's unprivileged user may then connect. Not done by default (root only).
 */
int api_server_chown(struct api_server *s, uid_t uid, gid_t gid) __must_check;
/* The listening fd, for the main loop. */
int api_server_fd(const struct api_server *s);
/* Client slot @i's fd, or -1 when the slot is free: what the main loop polls. */
int api_server_client_fd(const struct api_server *s, unsigned i);
/* The listener is readable: take one connection (accept4 only). */
void api_server_accept(struct api_server *s);
/* Serve connected fd @fd (non-blocking) in a free slot; its index, or -ENOSPC. */
int api_server_add_client(struct api_server *s, int fd) __must_check;
/*
 * Client slot @i is readable (or hung up): read what it sent, answer each
 * whole line. Only read, write and close; never blocks.
 */
void api_server_input(struct api_server *s, unsigned i);
/*
 * With the sandbox (monitor.h) the monitor binds the socket and its VM
 * process serves it. disown, in the VM process: the file is not this
 * process's to remove (the sandbox allows no unlink). close, in the
 * monitor: its copies of the fds go now; the file stays until destroy.
 */
void api_server_disown(struct api_server *s);
void api_server_close(struct api_server *s);
/* Close every client and the listener, and remove the socket file if it is still ours. */
void api_server_destroy(struct api_server *s);

#endif
