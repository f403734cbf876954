/* SPDX-License-Identifier: GPL-2.0 */
/* What api_proto.c shares with api_hotplug.c: a verb's call, and the reply's JSON helpers. */
#ifndef PTVM_API_INTERNAL_H
#define PTVM_API_INTERNAL_H

#include <json-c/json.h>

#include "api/api.h"

/* What a verb gets besides the VM: the request's bdf, and where an answer-later goes. */
struct api_call {
	const char *bdf;	 /* {"bdf": "DDDD:BB:DD.F"}, for the verbs that take it */
	struct api_later *later; /* filled in by api_answer(); NULL: none to be had */
	bool deferred;		 /* set by the verb: the reply comes later */
};

/* Add @val to @obj, taking it; false when either is NULL (out of memory) or the add fails. */
bool api_set(json_object *obj, const char *key, json_object *val);
/* Free @obj and return NULL when @ok is false. */
json_object *api_done(json_object *obj, bool ok);
/* {"id": @id, @key: @val} and a newline into @out; takes @val. Its length. */
size_t api_reply(json_object *id, const char *key, json_object *val, char *out, size_t outlen);
/* {"id": @id, "error": the formatted text} and a newline into @out; its length. */
size_t api_fail(json_object *id, char *out, size_t outlen, const char *fmt, ...) __printf(4, 5);

/* api_hotplug.c: the verbs device-del and device-add (api_verb's run). */
json_object *api_device_del(const struct api_vm_ops *ops, void *opaque, struct api_call *call,
			    char *err, size_t errlen);
json_object *api_device_add(const struct api_vm_ops *ops, void *opaque, struct api_call *call,
			    char *err, size_t errlen);

#endif
