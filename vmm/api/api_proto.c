// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket's protocol: parse one request line, run its verb
 * through struct api_vm_ops, format the one-line reply. Pure: no fds.
 *
 * JSON is parsed by json-c (Debian's libjson-c), strict and UTF-8
 * validating, with a nesting limit: hostile input meets a parser that is
 * fuzzed and maintained, not one of ours.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"
#include "vm_stats.h"

/* A request is one object of scalars; deeper nesting is refused early. */
#define API_JSON_DEPTH 4

#define API_VERBS      "status, stats, pause, resume, poweroff, device-del, device-add"

struct api_verb {
	const char *name;
	bool takes_bdf; /* {"bdf": "DDDD:BB:DD.F"} */
	/* The "ok" object, or NULL with @err set (or @call->deferred). */
	json_object *(*run)(const struct api_vm_ops *ops, void *opaque, struct api_call *call,
			    char *err, size_t errlen);
};

bool api_set(json_object *obj, const char *key, json_object *val)
{
	if (!obj || !val || json_object_object_add(obj, key, val)) {
		json_object_put(val);
		return false;
	}
	return true;
}

static bool api_push(json_object *arr, json_object *val)
{
	if (!arr || !val || json_object_array_add(arr, val)) {
		json_object_put(val);
		return false;
	}
	return true;
}

json_object *api_done(json_object *obj, bool ok)
{
	if (ok)
		return obj;
	json_object_put(obj);
	return NULL;
}

static json_object *api_state(bool paused)
{
	json_object *o = json_object_new_object();

	return api_done(o,
			api_set(o, "state", json_object_new_string(paused ? "paused" : "running")));
}

static json_object *api_status(const struct api_vm_ops *ops, void *opaque, struct api_call *call,
			       char *err, size_t errlen)
{
	struct api_status st = {0};
	json_object *o, *devs;
	bool ok;

	ops->status(opaque, &st);
	o = api_state(st.paused);
	ok = api_set(o, "vcpus", json_object_new_uint64(st.vcpus));
	ok = ok && api_set(o, "memory", json_object_new_uint64(st.memory));
	ok = ok && api_set(o, "uptime_ms", json_object_new_uint64(st.uptime_ms));
	ok = ok && api_set(o, "reboots", json_object_new_uint64(st.reboots));
	devs = json_object_new_array();
	ok = ok && api_set(o, "devices", devs);
	for (unsigned i = 0; ok && i < st.nr_devs && i < ARRAY_SIZE(st.dev); i++) {
		json_object *d = json_object_new_object();
		bool dok = api_set(d, "bdf", json_object_new_string(st.dev[i].bdf));

		dok = dok &&
		      api_set(d, "iommu_group", json_object_new_uint64(st.dev[i].iommu_group));
		ok = api_push(devs, api_done(d, dok));
	}
	return api_done(o, ok);
}

static json_object *api_exits(const struct vcpu_stats *v)
{
	json_object *o = json_object_new_object();
	bool ok = api_set(o, "pio", json_object_new_uint64(v->pio));

	ok = ok && api_set(o, "mmio", json_object_new_uint64(v->mmio));
	ok = ok && api_set(o, "intr", json_object_new_uint64(v->intr));
	ok = ok && api_set(o, "halt", json_object_new_uint64(v->halt));
	ok = ok && api_set(o, "other", json_object_new_uint64(v->other));
	return api_done(o, ok);
}

/* The same snapshot --stats prints (vm_stats_print), as JSON. */
static json_object *api_stats_json(const struct vm_stats *st)
{
	json_object *o = json_object_new_object(), *vcpus, *wake, *devs;
	bool ok = api_set(o, "exits", api_exits(&st->exits));

	vcpus = json_object_new_array();
	ok = ok && api_set(o, "vcpus", vcpus);
	for (unsigned i = 0; ok && i < st->nr_vcpus && i < ARRAY_SIZE(st->vcpu); i++)
		ok = api_push(vcpus, api_exits(&st->vcpu[i]));
	wake = json_object_new_object();
	ok = ok && api_set(o, "wakeups", wake);
	for (unsigned k = 0; ok && k < VM_WAKE_NR; k++)
		ok = api_set(wake, vm_wake_names[k], json_object_new_uint64(st->wakeups[k]));
	ok = ok && api_set(o, "reboots", json_object_new_uint64(st->reboots));
	ok = ok && api_set(o, "console_written", json_object_new_uint64(st->console.written));
	ok = ok && api_set(o, "console_dropped", json_object_new_uint64(st->console.dropped));
	devs = json_object_new_array();
	ok = ok && api_set(o, "devices", devs);
	for (unsigned i = 0; ok && i < st->nr_devs && i < ARRAY_SIZE(st->dev); i++) {
		json_object *d = json_object_new_object();
		bool dok = api_set(d, "bdf", json_object_new_string(st->dev[i].bdf));

		dok = dok && api_set(d, "trapped_reads",
				     json_object_new_uint64(st->dev[i].st.trapped_reads));
		dok = dok && api_set(d, "trapped_writes",
				     json_object_new_uint64(st->dev[i].st.trapped_writes));
		ok = api_push(devs, api_done(d, dok));
	}
	return api_done(o, ok);
}

static json_object *api_stats(const struct api_vm_ops *ops, void *opaque, struct api_call *call,
			      char *err, size_t errlen)
{
	struct vm_stats *st = calloc(1, sizeof(*st)); /* ~10 KiB */
	json_object *o;

	if (!st)
		return NULL;
	ops->stats(opaque, st);
	o = api_stats_json(st);
	free(st);
	return o;
}

static json_object *api_pause(const struct api_vm_ops *ops, void *opaque, struct api_call *call,
			      char *err, size_t errlen)
{
	int ret = ops->pause(opaque);

	if (ret) {
		snprintf(err, errlen,
			 "pause: the vCPUs did not stop within %u ms (%s); still running",
			 API_PAUSE_TIMEOUT_MS, strerror(-ret));
		return NULL;
	}
	return api_state(true);
}

static json_object *api_resume(const struct api_vm_ops *ops, void *opaque, struct api_call *call,
			       char *err, size_t errlen)
{
	int ret = ops->resume(opaque);

	if (ret) {
		snprintf(err, errlen, "resume: %s", strerror(-ret));
		return NULL;
	}
	return api_state(false);
}

static json_object *api_poweroff(const struct api_vm_ops *ops, void *opaque, struct api_call *call,
				 char *err, size_t errlen)
{
	json_object *o = json_object_new_object();

	ops->poweroff(opaque);
	return api_done(o, api_set(o, "state", json_object_new_string("stopping")));
}

static const struct api_verb api_verbs[] = {
	{"status", false, api_status},	      {"stats", false, api_stats},
	{"pause", false, api_pause},	      {"resume", false, api_resume},
	{"poweroff", false, api_poweroff},    {"device-del", true, api_device_del},
	{"device-add", true, api_device_add},
};

/* The reply's "id": @id, or null (json-c's null is the NULL object). */
static bool api_set_id(json_object *r, json_object *id)
{
	return r && !json_object_object_add(r, "id", id ? json_object_get(id) : NULL);
}

/* @r as one line and a newline into @out, @r freed; its length. */
static size_t api_put(json_object *r, char *out, size_t outlen)
{
	const char *s = json_object_to_json_string_ext(r, JSON_C_TO_STRING_PLAIN |
								  JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t n = s ? strlen(s) : 0;

	if (s && n + 2 <= outlen) {
		memcpy(out, s, n);
		out[n++] = '\n';
		out[n] = '\0';
	}
	json_object_put(r);
	if (!s)
		return api_error_line("out of memory", out, outlen);
	if (n + 2 > outlen)
		return api_error_line("reply too long", out, outlen);
	return n;
}

size_t api_reply(json_object *id, const char *key, json_object *val, char *out, size_t outlen)
{
	json_object *r = json_object_new_object();

	if (!api_set_id(r, id)) {
		json_object_put(val);
		json_object_put(r);
		return api_error_line("out of memory", out, outlen);
	}
	/* api_set() frees @val when it fails. */
	if (!api_set(r, key, val)) {
		json_object_put(r);
		return api_error_line("out of memory", out, outlen);
	}
	return api_put(r, out, outlen);
}

size_t api_error_line(const char *msg, char *out, size_t outlen)
{
	json_object *r = json_object_new_object();
	const char *s = NULL;
	int n;

	if (api_set_id(r, NULL) && api_set(r, "error", json_object_new_string(msg)))
		s = json_object_to_json_string_ext(r, JSON_C_TO_STRING_PLAIN |
							      JSON_C_TO_STRING_NOSLASHESCAPE);
	/* Without memory for json-c, a fixed line still answers. */
	n = snprintf(out, outlen, "%s\n", s ?: "{\"id\":null,\"error\":\"out of memory\"}");
	json_object_put(r);
	/* Cut short it would be neither one line nor JSON: a fixed one that fits 64 bytes. */
	if ((size_t)n >= outlen)
		n = snprintf(out, outlen, "{\"id\":null,\"error\":\"reply too long\"}\n");
	return MIN((size_t)n, outlen - 1);
}

size_t api_fail(json_object *id, char *out, size_t outlen, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return api_reply(id, "error", json_object_new_string(msg), out, outlen);
}

/* The request's id if it is one a reply can carry: a number or a short string. */
static json_object *api_req_id(json_object *req)
{
	json_object *id;

	if (!json_object_object_get_ex(req, "id", &id))
		return NULL;
	switch (json_object_get_type(id)) {
	case json_type_int:
	case json_type_double:
		return id;
	case json_type_string:
		return json_object_get_string_len(id) <= API_ID_MAX ? id : NULL;
	default:
		return NULL;
	}
}

static json_object *api_parse(const char *line, size_t len, char *err, size_t errlen)
{
	json_tokener *tok = json_tokener_new_ex(API_JSON_DEPTH);
	enum json_tokener_error jerr;
	json_object *obj;

	if (!tok) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	/* A NUL would end json-c's view of the line early. */
	if (memchr(line, '\0', len)) {
		snprintf(err, errlen, "request is not JSON: it holds a NUL byte");
		json_tokener_free(tok);
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, line, (int)len);
	jerr = json_tokener_get_error(tok);
	/* The line is all there is: a NUL tells json-c so (a bare 42 could go on as 421). */
	if (!obj && jerr == json_tokener_continue) {
		obj = json_tokener_parse_ex(tok, "", 1);
		jerr = json_tokener_get_error(tok);
	} else if (obj && json_tokener_get_parse_end(tok) < len) {
		/* The whole line is one value: one followed by more is not a request. */
		json_object_put(obj);
		obj = NULL;
		jerr = json_tokener_error_parse_unexpected;
	}
	if (!obj && jerr == json_tokener_success)
		snprintf(err, errlen, "request is not a JSON object"); /* null is json-c's NULL */
	else if (!obj)
		snprintf(err, errlen, "request is not JSON: %s",
			 jerr == json_tokener_continue || jerr == json_tokener_error_parse_eof
				 ? "it ends early"
				 : json_tokener_error_desc(jerr));
	json_tokener_free(tok);
	return obj;
}

/* Every member is one @v takes: a typo is an error, never ignored. */
static bool api_check_members(json_object *req, const struct api_verb *v, char *err, size_t errlen)
{
	json_object *bdf;

	json_object_object_foreach(req, key, val)
	{
		if (!strcmp(key, "id") || !strcmp(key, "verb") ||
		    (v->takes_bdf && !strcmp(key, "bdf")))
			continue;
		snprintf(err, errlen, "%s: unknown member \"%.32s\" (%s)", v->name, key,
			 v->takes_bdf ? "it takes \"bdf\"" : "it takes no arguments");
		return false;
	}
	if (v->takes_bdf && (!json_object_object_get_ex(req, "bdf", &bdf) ||
			     !json_object_is_type(bdf, json_type_string))) {
		snprintf(err, errlen, "%s needs \"bdf\": the device's PCI address, a string",
			 v->name);
		return false;
	}
	return true;
}

size_t api_answer(const struct api_vm_ops *ops, void *opaque, const char *line, size_t len,
		  struct api_later *later, char *out, size_t outlen)
{
	struct api_call call = {.later = later};
	json_object *req, *id, *verb, *ok, *bdf;
	const struct api_verb *v = NULL;
	char err[256] = "";
	const char *name;
	size_t n;

	req = api_parse(line, len, err, sizeof(err));
	if (!req)
		return api_error_line(err, out, outlen);
	if (!json_object_is_type(req, json_type_object)) {
		json_object_put(req);
		return api_error_line("request is not a JSON object", out, outlen);
	}
	id = api_req_id(req);
	if (!id) {
		n = api_fail(
			NULL, out, outlen,
			"request has no usable \"id\" (a number, or a string of at most %u bytes)",
			API_ID_MAX);
		goto out;
	}
	if (!json_object_object_get_ex(req, "verb", &verb) ||
	    !json_object_is_type(verb, json_type_string)) {
		n = api_fail(id, out, outlen, "request has no \"verb\" (a string: " API_VERBS ")");
		goto out;
	}
	name = json_object_get_string(verb);
	for (unsigned i = 0; i < ARRAY_SIZE(api_verbs) && !v; i++)
		if (!strcmp(name, api_verbs[i].name))
			v = &api_verbs[i];
	if (!v) {
		n = api_fail(id, out, outlen, "unknown verb \"%.32s\" (the verbs: " API_VERBS ")",
			     name);
		goto out;
	}
	if (!api_check_members(req, v, err, sizeof(err))) {
		n = api_fail(id, out, outlen, "%s", err);
		goto out;
	}
	if (json_object_object_get_ex(req, "bdf", &bdf))
		call.bdf = json_object_get_string(bdf);
	/* The id as it came, for a reply written after this request is gone. */
	if (later)
		snprintf(later->id, sizeof(later->id), "%s",
			 json_object_to_json_string_ext(
				 id, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	ok = v->run(ops, opaque, &call, err, sizeof(err));
	if (call.deferred)
		n = 0;
	else if (ok)
		n = api_reply(id, "ok", ok, out, outlen);
	else
		n = api_fail(id, out, outlen, "%s", err[0] ? err : "out of memory");
out:
	json_object_put(req);
	return n;
}
