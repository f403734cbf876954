// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket (vmm/api/): bytes from up to API_MAX_CLIENTS clients,
 * in chunks of any size, clients that hang up mid-request and come back,
 * through the real server (api_server.c, on socketpairs) to the real
 * protocol (api_proto.c) and a fake VM (tests/unit/api_fake.h).
 *
 * Checked, against a model of the framing kept here: every line of at most
 * API_LINE_MAX - 1 bytes that is not blank gets exactly one reply, the one
 * api_answer() gives for those very bytes on a second fake VM fed the same
 * lines in the same order (so the server neither splits, joins nor loses
 * lines); a longer line gets exactly one "longer than" error and nothing
 * for the rest of it; every reply is one line of JSON, an object with an
 * "id" and exactly one of "ok" and "error"; the VM is powered off only by
 * a "poweroff" line; a device-del or device-add under way answers once,
 * when the VM says it is done, with the reply api_later_line() gives, to
 * the very connection that asked and to nobody if it hung up (even when
 * its slot went to a new client); a hung-up client's slot is freed, its
 * fd closed, and nothing is left open when the input ends. api_answer()
 * into small buffers always gives a whole line that fits.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "api/api.h"
#include "api_fake.h"
#include "harness.h"

/* One client as the harness sees it: its end of the pair and the framing model. */
struct fz_client {
	int fd; /* the harness's end, -1 when not connected */
	int slot;
	unsigned conn; /* counts its connections */
	size_t len;    /* bytes of the unfinished line */
	bool discard;
	char line[API_LINE_MAX];
	char got[2 * API_REPLY_MAX]; /* replies read and not yet matched */
	size_t got_len;
};

/*
 * A VM: the fake (first, for api_fake.h's callbacks) and the device-del/add
 * under way, oldest first. The server's VM gets the server's api_later; the
 * reference VM the model's, with who asked.
 */
struct fz_vm {
	struct api_fake f;
	unsigned n;
	struct api_later *pend[API_MAX_LATER];
	struct fz_client *who[API_MAX_LATER];
	unsigned conn[API_MAX_LATER];
};

static struct api_fake_dir fz_dir;
static struct api_server *fz_srv;
static struct fz_vm fz_vm, fz_ref;
static struct fz_client fz_cl[API_MAX_CLIENTS];
static char fz_want[API_REPLY_MAX];
/* The model's api_later slots, as the server keeps API_MAX_LATER. */
static struct api_later fz_ref_later[API_MAX_LATER];
static bool fz_ref_used[API_MAX_LATER];
/* The client whose line the reference VM runs now. */
static struct fz_client *fz_asking;

static int fz_hotplug(void *opaque, struct api_later *later)
{
	struct fz_vm *vm = opaque;

	if (vm->f.hp_ret)
		return vm->f.hp_ret;
	FUZZ_CHECK(later && vm->n < API_MAX_LATER, "a reply later without a slot for it");
	vm->pend[vm->n] = later;
	vm->who[vm->n] = fz_asking;
	vm->conn[vm->n++] = fz_asking ? fz_asking->conn : 0;
	return 0;
}

static int fz_device_del(void *opaque, struct api_later *later)
{
	((struct fz_vm *)opaque)->f.nr_del++;
	return fz_hotplug(opaque, later);
}

static int fz_device_add(void *opaque, struct api_later *later)
{
	((struct fz_vm *)opaque)->f.nr_add++;
	return fz_hotplug(opaque, later);
}

static const struct api_vm_ops fz_ops = {
	.status = api_fake_status,
	.stats = api_fake_stats,
	.pause = api_fake_pause,
	.resume = api_fake_resume,
	.poweroff = api_fake_poweroff,
	.device_del = fz_device_del,
	.device_add = fz_device_add,
};

/* The model's api_answer(): a later slot taken first, as the server does. */
static size_t fz_ref_answer(const char *line, size_t len, char *out, size_t outlen)
{
	struct api_later *l = NULL;
	unsigned i;
	size_t n;

	for (i = 0; i < API_MAX_LATER && !l; i++)
		if (!fz_ref_used[i])
			l = &fz_ref_later[i];
	if (l)
		fz_ref_used[--i] = true;
	n = api_answer(&fz_ops, &fz_ref, line, len, l, out, outlen);
	if (n && l)
		fz_ref_used[i] = false;
	return n;
}

static void fz_cleanup(void)
{
	api_server_destroy(fz_srv);
	rmdir(fz_dir.dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (!api_fake_mkdir(&fz_dir) || api_server_open(&fz_srv, fz_dir.path, &fz_ops, &fz_vm))
		abort();
	atexit(fz_cleanup);
	return 0;
}

/* The next reply line the server sent to @c, read as far as there is one; its length. */
static size_t fz_next_reply(struct fz_client *c, char **line)
{
	char *nl;
	ssize_t n;

	while (!(nl = memchr(c->got, '\n', c->got_len))) {
		n = read(c->fd, c->got + c->got_len, sizeof(c->got) - c->got_len);
		FUZZ_CHECK(n > 0 || (n < 0 && errno == EAGAIN), "read of replies: %zd (%s)", n,
			   strerror(errno));
		if (n < 0)
			return 0;
		c->got_len += (size_t)n;
		FUZZ_CHECK(c->got_len < sizeof(c->got), "a reply of more than %zu bytes",
			   sizeof(c->got));
	}
	*line = c->got;
	return (size_t)(nl - c->got) + 1;
}

static void fz_consume(struct fz_client *c, size_t n)
{
	memmove(c->got, c->got + n, c->got_len - n);
	c->got_len -= n;
}

/* One line of JSON: an object with "id" and exactly one of "ok" and "error". */
static void fz_check_shape(const char *s, size_t n)
{
	json_object *r, *v;
	bool ok, err;

	FUZZ_CHECK(n >= 2 && s[n - 1] == '\n' && !memchr(s, '\n', n - 1) && !memchr(s, 0, n),
		   "reply is not one line");
	r = json_tokener_parse(strndupa(s, n - 1));
	FUZZ_CHECK(r && json_object_is_type(r, json_type_object), "reply is not an object: %.*s",
		   (int)n, s);
	ok = json_object_object_get_ex(r, "ok", &v);
	err = json_object_object_get_ex(r, "error", &v);
	FUZZ_CHECK(json_object_object_get_ex(r, "id", &v) && ok != err &&
			   json_object_object_length(r) == 2,
		   "reply %.*s", (int)n, s);
	json_object_put(r);
}

/* The server must have sent @want (of @n bytes) to @c: the next reply is exactly that. */
static void fz_expect(struct fz_client *c, const char *want, size_t n)
{
	char *got;
	size_t len = fz_next_reply(c, &got);

	FUZZ_CHECK(len == n && !memcmp(got, want, n), "client %d: wanted %.*s got %.*s", c->slot,
		   (int)n, want, (int)len, got);
	fz_check_shape(got, len);
	fz_consume(c, len);
}

static bool fz_blank(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return false;
	return true;
}

/* The model's framing of @n bytes sent by @c, checking each reply as it is due. */
static void fz_model(struct fz_client *c, const uint8_t *p, size_t n)
{
	char msg[80];
	size_t len;

	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\n') {
			if (!c->discard && !fz_blank(c->line, c->len)) {
				fz_asking = c;
				len = fz_ref_answer(c->line, c->len, fz_want, sizeof(fz_want));
				fz_asking = NULL;
				if (len)
					fz_expect(c, fz_want, len);
			}
			c->len = 0;
			c->discard = false;
			continue;
		}
		if (c->discard)
			continue;
		c->line[c->len++] = (char)p[i];
		if (c->len == sizeof(c->line)) {
			snprintf(msg, sizeof(msg),
				 "request line longer than %u bytes: ignored up to its newline",
				 API_LINE_MAX);
			len = api_error_line(msg, fz_want, sizeof(fz_want));
			fz_expect(c, fz_want, len);
			c->len = 0;
			c->discard = true;
		}
	}
	/* The VM was told exactly what the lines asked: pause, resume, poweroff... */
	FUZZ_CHECK(!memcmp(&fz_vm.f, &fz_ref.f, sizeof(fz_vm.f)) && fz_vm.n == fz_ref.n,
		   "the VM saw other calls than the lines asked (poweroff %u of %u, pause %u of "
		   "%u, device-del %u of %u, under way %u of %u)",
		   fz_vm.f.nr_poweroff, fz_ref.f.nr_poweroff, fz_vm.f.nr_pause, fz_ref.f.nr_pause,
		   fz_vm.f.nr_del, fz_ref.f.nr_del, fz_vm.n, fz_ref.n);
}

/* Let the server read all @c has sent: it reads at most its buffer's room at a time. */
static void fz_serve(struct fz_client *c)
{
	int pending;

	for (unsigned i = 0; i < 64; i++) {
		int sfd = api_server_client_fd(fz_srv, (unsigned)c->slot);

		if (sfd < 0 || ioctl(sfd, FIONREAD, &pending) || pending <= 0)
			return;
		api_server_input(fz_srv, (unsigned)c->slot);
	}
	FUZZ_CHECK(0, "client %d: the server does not read", c->slot);
}

static void fz_connect(struct fz_client *c)
{
	int sv[2];

	FUZZ_CHECK(!socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv),
		   "socketpair");
	c->slot = api_server_add_client(fz_srv, sv[1]);
	c->conn++;
	FUZZ_CHECK(c->slot >= 0 && c->slot < API_MAX_CLIENTS, "no slot for a client: %d", c->slot);
	c->fd = sv[0];
	c->len = c->got_len = 0;
	c->discard = false;
}

/* The harness hangs up (mid-request or not): the server frees the slot at its next read. */
static void fz_hangup(struct fz_client *c)
{
	char *line;

	FUZZ_CHECK(!fz_next_reply(c, &line), "client %d: a reply nobody asked for", c->slot);
	close(c->fd);
	c->fd = -1;
	api_server_input(fz_srv, (unsigned)c->slot);
	FUZZ_CHECK(api_server_client_fd(fz_srv, (unsigned)c->slot) < 0,
		   "slot %d still open after its client hung up", c->slot);
}

/* api_answer() into a buffer of 64 to 319 bytes: a whole line that fits. */
static void fz_small(struct fz *in)
{
	struct fz_vm vm = {.f.hp_ret = -ENODEV};
	char line[512], out[320];
	size_t outlen = 64 + fz_u8(in), len = fz_below(in, 200), n;

	for (size_t i = 0; i < len; i++)
		line[i] = (char)fz_u8(in);
	memset(out, 0x5a, sizeof(out));
	n = api_answer(&fz_ops, &vm, line, len, NULL, out, outlen);
	FUZZ_CHECK(n > 1 && n < outlen && out[n - 1] == '\n' && out[n] == 0 && strlen(out) == n &&
			   out[outlen] == 0x5a,
		   "reply of %zu bytes in a buffer of %zu", n, outlen);
	fz_check_shape(out, n);
}

/*
 * The VM is done with the oldest device-del/add under way, with @err: the
 * server replies to the connection that asked, if it is still there.
 */
static void fz_done(int err)
{
	struct fz_client *c = fz_ref.who[0];
	size_t len;

	if (!fz_vm.n)
		return;
	api_later_done(fz_vm.pend[0], err);
	len = api_later_line(fz_ref.pend[0], err, fz_want, sizeof(fz_want));
	fz_ref_used[fz_ref.pend[0] - fz_ref_later] = false;
	if (c && c->fd >= 0 && c->conn == fz_ref.conn[0])
		fz_expect(c, fz_want, len);
	for (struct fz_vm *vm = &fz_vm; vm; vm = vm == &fz_vm ? &fz_ref : NULL) {
		vm->n--;
		memmove(vm->pend, vm->pend + 1, vm->n * sizeof(vm->pend[0]));
		memmove(vm->who, vm->who + 1, vm->n * sizeof(vm->who[0]));
		memmove(vm->conn, vm->conn + 1, vm->n * sizeof(vm->conn[0]));
	}
}

static const int fz_errs[] = {0, -ENODEV, -EBUSY, -ENOSPC, -ETIMEDOUT, -EIO, -EEXIST, -EPERM};

/* Text the fuzzer may splice in: requests that get past the parser to the verbs. */
static const char *const fz_words[] = {
	"{\"id\":1,\"verb\":\"status\"}\n",
	"{\"id\":\"a\",\"verb\":\"stats\"}\n",
	"{\"id\":2,\"verb\":\"pause\"}\n",
	"{\"id\":3,\"verb\":\"resume\"}\n",
	"{\"id\":4,\"verb\":\"poweroff\"}\n",
	"{\"id\":5,\"verb\":\"device-del\",\"bdf\":\"0000:01:00.0\"}\n",
	"{\"id\":6,\"verb\":\"device-add\",\"bdf\":\"0000:01:00.0\"}\n",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[2 * API_LINE_MAX];
	struct fz in = {data, size};
	unsigned steps = 0;

	memset(&fz_vm, 0, sizeof(fz_vm));
	memset(&fz_ref, 0, sizeof(fz_ref));
	memset(fz_ref_used, 0, sizeof(fz_ref_used));
	for (unsigned i = 0; i < API_MAX_CLIENTS; i++)
		fz_cl[i].fd = -1;
	while (in.n && steps++ < 256) {
		uint8_t op = fz_u8(&in);
		struct fz_client *c = &fz_cl[op >> 4 & (API_MAX_CLIENTS - 1)];
		size_t len = 0;

		switch (op & 0xf) {
		case 0: /* pause fails from now on, or not; device-del/add: under way, or refused */
			fz_vm.f.pause_ret = fz_ref.f.pause_ret = (op & 0x80) ? -ETIMEDOUT : 0;
			fz_vm.f.hp_ret = fz_ref.f.hp_ret = fz_errs[(op >> 4) & 7];
			continue;
		case 0xf: /* the VM is done with the oldest device-del/add */
			fz_done(fz_errs[(op >> 4) & 7]);
			continue;
		case 1:
			fz_small(&in);
			continue;
		case 2:
			if (c->fd >= 0)
				fz_hangup(c);
			continue;
		}
		if (c->fd < 0)
			fz_connect(c);
		switch (op & 0xf) {
		case 3: { /* a known request */
			const char *w = fz_words[fz_below(&in, ARRAY_SIZE(fz_words))];

			len = strlen(w);
			memcpy(buf, w, len);
			break;
		}
		case 4: /* a run of one byte, up to past the line limit */
			len = fz_u16(&in) % sizeof(buf);
			memset(buf, fz_u8(&in), len);
			break;
		default: /* raw bytes */
			len = fz_below(&in, 255) + 1;
			for (size_t i = 0; i < len; i++)
				buf[i] = fz_u8(&in);
			break;
		}
		if (len && write(c->fd, buf, len) != (ssize_t)len)
			FUZZ_CHECK(0, "client %d: write of %zu bytes: %s", c->slot, len,
				   strerror(errno));
		fz_serve(c);
		fz_model(c, buf, len);
		FUZZ_CHECK(!fz_next_reply(c, &(char *){NULL}), "client %d: an extra reply",
			   c->slot);
	}
	for (unsigned i = 0; i < API_MAX_CLIENTS; i++)
		if (fz_cl[i].fd >= 0)
			fz_hangup(&fz_cl[i]);
	/* The server lives on to the next input: nothing of this one stays under way. */
	while (fz_vm.n)
		fz_done(-ECANCELED);
	for (unsigned i = 0; i < API_MAX_CLIENTS; i++)
		FUZZ_CHECK(api_server_client_fd(fz_srv, i) < 0, "slot %u left open", i);
	return 0;
}
