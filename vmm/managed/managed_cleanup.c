// SPDX-License-Identifier: GPL-2.0
/*
 * `ptvm cleanup`: give back the devices of a ptvm that died without doing
 * so (SIGKILL, a crash, the OOM killer), from the records it left in the run
 * directory. A record whose ptvm still runs is that ptvm's business: it is
 * named and left alone.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "managed/managed_internal.h"

/* Records are named by their BDF; ".BDF.PID" is one a ptvm was writing. */
static int managed_cleanup_filter(const struct dirent *e)
{
	struct pci_bdf b;

	return !pci_bdf_parse(e->d_name, &b);
}

static const char *managed_cleanup_driver(const char *driver)
{
	return driver[0] ? driver : "no driver";
}

/* One record: 0 and *@said once a line went to @out, or -errno (logged). */
static int managed_cleanup_one(const struct managed_env *env, const char *name, FILE *out,
			       bool *said)
{
	char now[SYSFS_DRIVER_MAX] = "";
	struct managed_record r;
	struct pci_bdf bdf;
	bool gone;
	int ret = managed_record_read(env->run, name, &r);

	if (ret) {
		log_err("%s/%s is not a record ptvm can read (%s); remove it once %s is "
			"back on its driver",
			env->run, name, strerror(-ret), name);
		return ret;
	}
	if (managed_record_alive(&r)) {
		fprintf(out, "%s: left alone: ptvm pid %d still runs\n", name, r.pid);
		*said = true;
		return 0;
	}
	ret = pci_bdf_parse(name, &bdf);
	if (ret)
		return ret; /* not reached: the filter took only BDFs */
	gone = sysfs_pci_driver(env->sysfs, &bdf, now, sizeof(now)) == -ENODEV;
	ret = managed_give_back(env, &bdf, r.driver);
	if (ret)
		return ret;
	if (gone)
		fprintf(out, "%s: gone from the system; record removed (ptvm pid %d is gone)\n",
			name, r.pid);
	else
		fprintf(out, "%s: %s -> %s (ptvm pid %d is gone)\n", name,
			managed_cleanup_driver(now), managed_cleanup_driver(r.driver), r.pid);
	*said = true;
	return 0;
}

int managed_cleanup(const struct managed_env *env, FILE *out)
{
	struct dirent **list = NULL;
	bool said = false;
	int n, first = 0;

	n = scandir(env->run, &list, managed_cleanup_filter, alphasort);
	if (n < 0 && errno != ENOENT) {
		first = -errno;
		log_err("cannot read %s: %s", env->run, strerror(-first));
		return first;
	}
	for (int i = 0; i < n; i++) {
		int ret = managed_cleanup_one(env, list[i]->d_name, out, &said);

		if (ret && !first)
			first = ret;
		free(list[i]);
	}
	free(list);
	if (!said && !first)
		fprintf(out, "nothing to clean up: no devices left behind by a ptvm in %s\n",
			env->run);
	return first;
}
