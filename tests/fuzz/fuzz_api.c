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
 * a "poweroff" line; a hung-up client's slot is freed, its fd closed, and
 * nothing is left open when the input ends. api_answer() into small
 * buffers always gives a whole line that fits.
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
	size_t len; /* bytes of the unfinished line */
	bool discard;
	char line[API_LINE_MAX];
	char got[2 * API_REPLY_MAX]; /* replies read and not yet matched */
	size_t got_len;
};

static struct api_fake_dir fz_dir;
static struct api_server *fz_srv;
static struct api_fake fz_vm, fz_ref;
static struct fz_client fz_cl[API_MAX_CLIENTS];
static char fz_want[API_REPLY_MAX];

static void fz_cleanup(void)
{
	api_server_destroy(fz_srv);
	rmdir(fz_dir.dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (!api_fake_mkdir(&fz_dir) ||
	    api_server_open(&fz_srv, fz_dir.path, &api_fake_ops, &fz_vm))
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
				len = api_answer(&api_fake_ops, &fz_ref, c->line, c->len, fz_want,
						 sizeof(fz_want));
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
	FUZZ_CHECK(
		!memcmp(&fz_vm, &fz_ref, sizeof(fz_vm)),
		"the VM saw other calls than the lines asked (poweroff %u of %u, pause %u of %u)",
		fz_vm.nr_poweroff, fz_ref.nr_poweroff, fz_vm.nr_pause, fz_ref.nr_pause);
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
	struct api_fake vm = {0};
	char line[512], out[320];
	size_t outlen = 64 + fz_u8(in), len = fz_below(in, 200), n;

	for (size_t i = 0; i < len; i++)
		line[i] = (char)fz_u8(in);
	memset(out, 0x5a, sizeof(out));
	n = api_answer(&api_fake_ops, &vm, line, len, out, outlen);
	FUZZ_CHECK(n > 1 && n < outlen && out[n - 1] == '\n' && out[n] == 0 && strlen(out) == n &&
			   out[outlen] == 0x5a,
		   "reply of %zu bytes in a buffer of %zu", n, outlen);
	fz_check_shape(out, n);
}

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
	for (unsigned i = 0; i < API_MAX_CLIENTS; i++)
		fz_cl[i].fd = -1;
	while (in.n && steps++ < 256) {
		uint8_t op = fz_u8(&in);
		struct fz_client *c = &fz_cl[op >> 4 & (API_MAX_CLIENTS - 1)];
		size_t len = 0;

		switch (op & 0xf) {
		case 0: /* pause fails from now on, or not */
			fz_vm.pause_ret = fz_ref.pause_ret = (op & 0x80) ? -ETIMEDOUT : 0;
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
	for (unsigned i = 0; i < API_MAX_CLIENTS; i++)
		FUZZ_CHECK(api_server_client_fd(fz_srv, i) < 0, "slot %u left open", i);
	return 0;
}
