// SPDX-License-Identifier: GPL-2.0
/* `ptvm devices` and `ptvm check`: command lines, and the snapshot both run on. */
#include <errno.h>
#include <string.h>

#include "hostdev/devices.h"
#include "hostdev/hostdev.h"
#include "options.h"

#define HOSTDEV_FAIL(...)                           \
	do {                                        \
		snprintf(err, errlen, __VA_ARGS__); \
		return -EINVAL;                     \
	} while (0)

int hostdev_parse(int argc, char *const argv[], struct hostdev_config *cfg, char *err,
		  size_t errlen)
{
	const char *cmd = argv[1];

	memset(cfg, 0, sizeof(*cfg));
	cfg->cmd = strcmp(cmd, "check") ? HOSTDEV_DEVICES : HOSTDEV_CHECK;
	cfg->memory = OPTS_DEFAULT_MEMORY;
	err[0] = '\0';
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		struct pci_bdf *b = &cfg->bdfs[cfg->nr_bdfs];
		char name[PCI_BDF_STRLEN];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			cfg->help = true;
			return 0;
		} else if (!strcmp(a, "--json")) {
			cfg->json = true;
		} else if (!strcmp(a, "--memory") && cfg->cmd == HOSTDEV_CHECK) {
			if (i + 1 == argc)
				HOSTDEV_FAIL("option '--memory' needs a value (see ptvm --help)");
			if (opts_parse_size(argv[++i], &cfg->memory))
				HOSTDEV_FAIL("--memory '%s' is not a size (use e.g. 512M or 2G)",
					     argv[i]);
		} else if (a[0] == '-') {
			HOSTDEV_FAIL("unknown option '%s' for ptvm %s (see ptvm --help)", a, cmd);
		} else if (cfg->nr_bdfs == HOSTDEV_MAX_BDFS) {
			HOSTDEV_FAIL("too many devices for ptvm %s (at most %u)", cmd,
				     HOSTDEV_MAX_BDFS);
		} else if (pci_bdf_parse(a, b)) {
			HOSTDEV_FAIL("'%s' is not a PCI address (use DDDD:BB:DD.F or BB:DD.F)", a);
		} else {
			pci_bdf_format(b, name);
			for (unsigned k = 0; k < cfg->nr_bdfs; k++)
				if (!memcmp(&cfg->bdfs[k], b, sizeof(*b)))
					HOSTDEV_FAIL("%s is given twice", name);
			cfg->nr_bdfs++;
		}
	}
	return 0;
}

/*
 * Indices of the BDFs asked about into @sel. An absent one is -ENODEV, named
 * in one line, for devices; check makes it a FAIL verdict (CHECK_ABSENT).
 */
static int hostdev_select(const struct hostdev_config *cfg, const struct topo *t, unsigned *sel)
{
	for (unsigned k = 0; k < cfg->nr_bdfs; k++) {
		int i = topo_find(t, &cfg->bdfs[k]);
		char name[PCI_BDF_STRLEN];

		if (i < 0 && cfg->cmd == HOSTDEV_DEVICES) {
			log_err("%s: no such PCI device (see ptvm devices)",
				pci_bdf_format(&cfg->bdfs[k], name));
			return -ENODEV;
		}
		sel[k] = i < 0 ? CHECK_ABSENT : (unsigned)i;
	}
	return 0;
}

int hostdev_run(const struct hostdev_config *cfg, const struct check_env *env, const char *ids,
		FILE *out, unsigned *fails)
{
	unsigned sel[HOSTDEV_MAX_BDFS];
	struct names *names = NULL;
	struct topo t;
	int ret;

	*fails = 0;
	ret = topo_read(env->sysfs, &t);
	if (ret)
		return ret;
	ret = hostdev_select(cfg, &t, sel);
	if (ret)
		goto out_topo;
	if (cfg->cmd == HOSTDEV_CHECK) {
		ret = check_run(out, env, &t, cfg->memory, cfg->bdfs, sel, cfg->nr_bdfs, cfg->json,
				fails);
		goto out_topo;
	}
	ret = names_open(ids, &names);
	if (ret) {
		log_err("out of memory loading pci.ids");
		goto out_topo;
	}
	ret = devices_print(out, &t, names, sel, cfg->nr_bdfs, cfg->json);
	names_close(names);
out_topo:
	topo_free(&t);
	return ret;
}
