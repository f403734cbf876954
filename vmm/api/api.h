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
 * except "poweroff"; the server never blocks on a client. device-del and
 * device-add answer later, when the guest has done its part: their reply
 * carries the request's id, and other requests are answered meanwhile.
 */
#ifndef PTVM_API_H
#define PTVM_API_H

#include <sys/types.h>

#include "options.h"
#include "util.h"
#include "vfio/sysfs.h"

struct vm_stats;

/* A string id is echoed back; a longer one is not read. */
#define API_ID_MAX 128
/* A request line, its newline included, is at most this long; longer ones get an error. */
#define API_LINE_MAX 4096
/* Clients served at once; one more gets an error line and is closed. */
#define API_MAX_CLIENTS 4
/* The longest reply ("stats" with OPTS_MAX_CPUS vCPUs is about 30 KiB). */
#define API_REPLY_MAX 65536
/*
 * How long device-del and device-add wait for the guest. PCIe 4.0 §6.7.1.5
 * gives the OS 5 s after an Attention Button press to cancel before it
 * acts (Linux pciehp waits exactly that), then a driver's remove or probe
 * takes what it takes: 30 s is six times the spec's wait. A guest that
 * ignores the button gets an error reply and keeps the device.
 */
#define API_HOTPLUG_TIMEOUT_MS 30000
/* device-del/add requests under way at once: one per slot at most. */
#define API_MAX_LATER OPTS_MAX_PASSTHROUGH
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

/*
 * A device-del or device-add under way: its reply comes through
 * api_later_done() (api_server.c), to the client that asked if it is
 * still connected.
 */
struct api_later;

/* What the verbs do to the VM; the VM's side is vm_api.c, tests bring a fake. */
struct api_vm_ops {
	void (*status)(void *opaque, struct api_status *st);
	void (*stats)(void *opaque, struct vm_stats *st);
	/* 0, or -errno (-ETIMEDOUT: a vCPU did not stop); both idempotent. */
	int (*pause)(void *opaque);
	int (*resume)(void *opaque);
	/* Stop the VM as the VMM does when told to quit: exit 0. */
	void (*poweroff)(void *opaque);
	/*
	 * device-del / device-add of @bdf (as the client wrote it; canonical
	 * in @later): 0, under way, and api_later_done(@later, err) follows
	 * once; or -errno, answered now (api_hotplug_error()), @later unused.
	 * NULL: the verb answers -EOPNOTSUPP.
	 */
	int (*device_del)(void *opaque, struct api_later *later);
	int (*device_add)(void *opaque, struct api_later *later);
};

/* One request that answers later: who asked, for what. */
struct api_later {
	struct api_server *s;
	bool used;
	unsigned client, gen; /* the client slot, and its connection's number */
	char verb[16];
	char bdf[PCI_BDF_STRLEN];    /* canonical */
	char id[API_ID_MAX * 6 + 3]; /* the request's id, as JSON text */
};

/*
 * api_proto.c: answer one request line of @len bytes (its newline not
 * included): the reply, one line ending in '\n', goes into @out. Returns
 * the reply's length (< @outlen; @outlen must be at least 64), or 0 when
 * the verb answers later (device-del/add under way): @later, which the
 * caller provides (NULL: those verbs answer -EBUSY), is then filled in
 * and the caller owns it until api_later_done().
 */
size_t api_answer(const struct api_vm_ops *ops, void *opaque, const char *line, size_t len,
		  struct api_later *later, char *out, size_t outlen);
/*
 * api_proto.c: the reply to @later's request: {"id":..,"ok":{"bdf":..,
 * "state":"removed"|"added"}} for @err 0, else its api_hotplug_error().
 */
size_t api_later_line(const struct api_later *later, int err, char *out, size_t outlen);
/* api_proto.c: the one-line error text of device-del/add (@verb) of @bdf failing with @err. */
void api_hotplug_error(const char *verb, const char *bdf, int err, char *buf, size_t len);
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
/*
 * The request @later (from api_answer() through the server) is done with
 * @err: its reply goes to its client if that connection is still open;
 * @later is free again.
 */
void api_later_done(struct api_later *later, int err);
/* Close every client and the listener, and remove the socket file if it is still ours. */
void api_server_destroy(struct api_server *s);

#endif
