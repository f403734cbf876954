// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket's device-del and device-add (api.h): they start the
 * VM's hot-unplug or hot-plug and answer later, when the guest has done
 * its part (api_later_line()), or now with the error; the one table of
 * their error texts. Pure, like api_proto.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "api/api_internal.h"

void api_hotplug_error(const char *verb, const char *bdf, int err, char *buf, size_t len)
{
	bool del = !strcmp(verb, "device-del");

	switch (err) {
	case -EINVAL:
		snprintf(buf, len, "%s: '%s' is not a PCI address (use DDDD:BB:DD.F)", verb, bdf);
		break;
	case -ENODEV:
		snprintf(buf, len, "%s: %s is not a device of this VM", verb, bdf);
		break;
	case -EBUSY:
		snprintf(buf, len,
			 "%s: %s is being added or removed already; try again when that "
			 "is done",
			 verb, bdf);
		break;
	case -ENOSPC:
		snprintf(buf, len,
			 "%s: %s: no free slot (every root port holds a device; start "
			 "ptvm with more --hotplug-slots)",
			 verb, bdf);
		break;
	case -EEXIST:
		snprintf(buf, len, "%s: %s is in the guest already", verb, bdf);
		break;
	case -ETIMEDOUT:
		snprintf(buf, len, "%s: %s: the guest did not %s within %u s; the device stays %s",
			 verb, bdf, del ? "release it" : "power its slot on",
			 API_HOTPLUG_TIMEOUT_MS / 1000, del ? "in the guest" : "in its slot");
		break;
	case -EIO:
		snprintf(buf, len,
			 "%s: %s: the guest powered the slot off instead; the device is "
			 "back on the host",
			 verb, bdf);
		break;
	case -EALREADY:
		snprintf(buf, len,
			 "%s: %s: the guest has not acknowledged the last attention "
			 "button press; the device stays in the guest",
			 verb, bdf);
		break;
	case -ECANCELED:
		snprintf(buf, len, "%s: %s: the guest stopped or rebooted first", verb, bdf);
		break;
	case -EOPNOTSUPP:
		snprintf(buf, len, "%s: hot-plug is not available here", verb);
		break;
	default:
		snprintf(buf, len, "%s: %s: %s (ptvm's log says more)", verb, bdf, strerror(-err));
		break;
	}
}

/* device-del, device-add: under way (the reply follows), or refused now. */
static json_object *api_hotplug(const struct api_vm_ops *ops, void *opaque, struct api_call *call,
				const char *verb, char *err, size_t errlen)
{
	int (*fn)(void *, struct api_later *) =
		strcmp(verb, "device-del") ? ops->device_add : ops->device_del;
	struct api_later *l = call->later;
	struct pci_bdf bdf;
	int ret;

	if (pci_bdf_parse(call->bdf, &bdf)) {
		api_hotplug_error(verb, call->bdf, -EINVAL, err, errlen);
		return NULL;
	}
	ret = !fn ? -EOPNOTSUPP : !l ? -EBUSY : 0;
	if (!ret) {
		snprintf(l->verb, sizeof(l->verb), "%s", verb);
		pci_bdf_format(&bdf, l->bdf);
		ret = fn(opaque, l);
	}
	if (ret) {
		char name[PCI_BDF_STRLEN];

		api_hotplug_error(verb, pci_bdf_format(&bdf, name), ret, err, errlen);
		return NULL;
	}
	call->deferred = true;
	return NULL;
}

json_object *api_device_del(const struct api_vm_ops *ops, void *opaque, struct api_call *call,
			    char *err, size_t errlen)
{
	return api_hotplug(ops, opaque, call, "device-del", err, errlen);
}

json_object *api_device_add(const struct api_vm_ops *ops, void *opaque, struct api_call *call,
			    char *err, size_t errlen)
{
	return api_hotplug(ops, opaque, call, "device-add", err, errlen);
}

size_t api_later_line(const struct api_later *later, int err, char *out, size_t outlen)
{
	json_object *id = json_tokener_parse(later->id), *o;
	char msg[256];
	size_t n;
	bool ok;

	if (err) {
		api_hotplug_error(later->verb, later->bdf, err, msg, sizeof(msg));
		n = api_fail(id, out, outlen, "%s", msg);
	} else {
		o = json_object_new_object();
		ok = api_set(o, "bdf", json_object_new_string(later->bdf));
		ok = ok &&
		     api_set(o, "state",
			     json_object_new_string(strcmp(later->verb, "device-del") ? "added"
										      : "removed"));
		n = api_reply(id, "ok", api_done(o, ok), out, outlen);
	}
	json_object_put(id);
	return n;
}
