// SPDX-License-Identifier: GPL-2.0
/*
 * The managed state machine. For each device to move:
 *
 *   host driver --record--> recorded --bind_vfio--> on vfio-pci --wait--> ready
 *
 * and back, on every way out (the VM stopped, a setup error, a signal: all
 * end in managed_reattach(), or in the unwinding of managed_detach()):
 *
 *   on vfio-pci --ptguard done--> --bind_restore--> host driver --> record removed
 *
 * The record is on disk before the first change and goes only once the
 * device is back, so whatever kills ptvm in between, `ptvm cleanup` finds it.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "guard_wait.h"
#include "managed/managed_internal.h"
#include "vfio/bind.h"

/* As long as scripts/bind-vfio waits for /dev/vfio/GROUP, and for ptguard. */
#define MANAGED_WAIT_MS 5000

const struct managed_env managed_env_host = {
	.sysfs = NULL,
	.dev = "/dev",
	.run = MANAGED_RUN_DIR,
	.rootfs = "/",
	.sys = &sys_linux,
	.wait_ms = MANAGED_WAIT_MS,
};

static const char *managed_driver_name(const char *driver)
{
	return driver[0] ? driver : "no driver";
}

int managed_check(const struct managed_env *env, const struct pci_bdf *bdfs, unsigned n)
{
	struct managed_dev devs[MANAGED_MAX];

	return managed_check_devs(env, bdfs, n, devs);
}

/* Record @d, then hand it to vfio-pci and wait for its group's node. */
static int managed_move(const struct managed_env *env, struct managed_dev *d)
{
	struct managed_record r;
	char node[PATH_MAX];
	int ret;

	memset(&r, 0, sizeof(r));
	snprintf(r.bdf, sizeof(r.bdf), "%s", d->name);
	snprintf(r.driver, sizeof(r.driver), "%s", d->driver);
	ret = managed_record_self(&r);
	if (!ret)
		ret = managed_record_create(env->run, &r);
	if (ret == -EEXIST) {
		log_err("%s: another ptvm recorded it in %s just now", d->name, env->run);
		return ret;
	}
	if (ret) {
		log_err("%s: cannot record it in %s: %s (managed mode needs it; or bind it with "
			"scripts/bind-vfio and use --unmanaged)",
			d->name, env->run, strerror(-ret));
		return ret;
	}
	/* From here on the device may be half-way: giving it back undoes any step. */
	d->moved = true;
	ret = bind_vfio(env->sysfs, &d->bdf, d->driver);
	if (ret)
		return ret;
	snprintf(node, sizeof(node), "%s/vfio/%u", env->dev, d->group);
	ret = bind_wait_node(&d->bdf, node, env->wait_ms);
	if (!ret)
		log_info("%s: %s -> vfio-pci, IOMMU group %u", d->name,
			 managed_driver_name(d->driver), d->group);
	return ret;
}

int managed_give_back(const struct managed_env *env, const struct pci_bdf *bdf, const char *driver)
{
	char name[PCI_BDF_STRLEN];
	int ret;

	pci_bdf_format(bdf, name);
	if (sysfs_pci_exists(env->sysfs, bdf)) {
		log_info("%s is gone from the system; its record goes too", name);
	} else {
		ret = env->sys ? guard_wait_free(env->sys, bdf, env->wait_ms) : 0;
		if (!ret)
			ret = bind_restore(env->sysfs, bdf, driver);
		if (ret)
			return ret;
		log_info("%s: vfio-pci -> %s", name, managed_driver_name(driver));
	}
	ret = managed_record_remove(env->run, name);
	if (ret)
		log_err("%s: back on %s, but its record %s/%s stays: %s", name,
			managed_driver_name(driver), env->run, name, strerror(-ret));
	return ret;
}

/* Give back every device moved so far, last first; the first error is returned. */
static int managed_give_all_back(struct managed *m)
{
	int first = 0;

	for (unsigned i = m->nr; i-- > 0;) {
		struct managed_dev *d = &m->devs[i];
		int ret;

		if (!d->moved)
			continue;
		ret = managed_give_back(m->env, &d->bdf, d->driver);
		if (ret && !first)
			first = ret;
		d->moved = false;
	}
	return first;
}

int managed_detach(const struct managed_env *env, const struct pci_bdf *bdfs, unsigned n,
		   struct managed **out)
{
	struct managed *m = calloc(1, sizeof(*m));
	int ret;

	if (!m)
		return -ENOMEM;
	m->env = env;
	ret = managed_check_devs(env, bdfs, n, m->devs);
	if (ret)
		goto err_free;
	m->nr = n;
	for (unsigned i = 0; i < n; i++) {
		if (!m->devs[i].move)
			continue;
		ret = managed_move(env, &m->devs[i]);
		if (ret)
			goto err_back;
	}
	*out = m;
	return 0;

err_back:
	(void)!managed_give_all_back(m);
err_free:
	free(m);
	return ret;
}

int managed_reattach(struct managed *m)
{
	int ret;

	if (!m)
		return 0;
	ret = managed_give_all_back(m);
	free(m);
	return ret;
}

void managed_forget(struct managed *m)
{
	free(m);
}

int managed_attach_more(const struct managed_env *env, const struct pci_bdf *bdf,
			struct managed **m)
{
	struct managed_dev d;
	int ret;

	if (*m && (*m)->nr == MANAGED_MAX) {
		log_err("managed: more than %u devices", MANAGED_MAX);
		return -ENOSPC;
	}
	ret = managed_check_devs(env, bdf, 1, &d);
	if (ret)
		return ret;
	if (!*m) {
		*m = calloc(1, sizeof(**m));
		if (!*m)
			return -ENOMEM;
		(*m)->env = env;
	}
	(*m)->devs[(*m)->nr++] = d;
	if (!d.move)
		return 0;
	ret = managed_move(env, &(*m)->devs[(*m)->nr - 1]);
	if (ret)
		(void)!managed_give_back_one(*m, bdf);
	return ret;
}

int managed_give_back_one(struct managed *m, const struct pci_bdf *bdf)
{
	int ret = 0;

	for (unsigned i = 0; m && i < m->nr; i++) {
		struct managed_dev *d = &m->devs[i];

		if (!pci_bdf_equal(&d->bdf, bdf))
			continue;
		if (d->moved)
			ret = managed_give_back(m->env, &d->bdf, d->driver);
		m->devs[i] = m->devs[--m->nr];
		return ret;
	}
	return 0;
}
