// SPDX-License-Identifier: GPL-2.0
/*
 * `ptvm check`: the host verdicts of check_host.c, then one per device asked
 * about, from the same code as `ptvm devices` (assign.c on the topo.c
 * snapshot, which asks kmod/ptguard_policy.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hostdev/assign.h"
#include "hostdev/check.h"
#include "hostdev/json.h"

static const char *const check_words[] = {
	[CHECK_PASS] = "PASS",
	[CHECK_WARN] = "WARN",
	[CHECK_FAIL] = "FAIL",
};

/*
 * "can be passed through; IOMMU group 7 with A=drv, B=drv; its bus reset
 * also reaches B=drv" for function @i.
 */
static void check_takes(const struct topo *t, unsigned i, const char *moved_from, char *buf,
			size_t len)
{
	char peers[ASSIGN_TEXT_MAX], group[ASSIGN_TEXT_MAX + 32], can[128];
	const char *reset = assign_reset_name(t, i);

	if (assign_peers_text(t, i, PTGUARD_REL_IOMMU_GROUP, peers, sizeof(peers)))
		snprintf(group, sizeof(group), "IOMMU group %u with %s", t->fns[i].group, peers);
	else
		snprintf(group, sizeof(group), "alone in IOMMU group %u", t->fns[i].group);
	if (moved_from[0])
		snprintf(can, sizeof(can),
			 "can be passed through (ptvm moves it from %s to vfio-pci and back)",
			 moved_from);
	else
		snprintf(can, sizeof(can), "can be passed through");
	if (assign_peers_text(t, i, PTGUARD_REL_RESET_DOMAIN, peers, sizeof(peers)))
		snprintf(buf, len, "%s; %s; its %s reset also reaches %s", can, group, reset,
			 peers);
	else
		snprintf(buf, len, "%s; %s; its %s reset reaches no other device", can, group,
			 reset);
}

/* The verdict on @bdf, function @i of @t (or CHECK_ABSENT), claimed with @set[0..@n). */
static int check_device(const struct topo *t, const struct pci_bdf *bdf, unsigned i,
			const unsigned *set, unsigned n, struct check_result *r)
{
	char name[PCI_BDF_STRLEN];
	struct assign_claim c;
	struct assign_block b;
	int ret;

	memset(r, 0, sizeof(*r));
	snprintf(r->what, sizeof(r->what), "device %s", pci_bdf_format(bdf, name));
	if (i == CHECK_ABSENT) {
		r->status = CHECK_FAIL;
		snprintf(r->detail, sizeof(r->detail), "no such PCI device");
		snprintf(r->fix, sizeof(r->fix), "see ptvm devices");
		return 0;
	}
	assign_assess(t, i, &b);
	if (b.reason) {
		r->status = CHECK_FAIL;
		snprintf(r->detail, sizeof(r->detail), "not assignable: %s", b.reason);
		snprintf(r->fix, sizeof(r->fix), "%s", b.fix);
		return 0;
	}
	ret = assign_claim(t, i, set, n, &c);
	if (ret)
		return ret;
	if (!c.ret) {
		r->status = CHECK_PASS;
		check_takes(t, i, c.moved_from, r->detail, sizeof(r->detail));
	} else {
		r->status = CHECK_FAIL;
		snprintf(r->detail, sizeof(r->detail), "%s", c.reason);
		snprintf(r->fix, sizeof(r->fix), "%s", c.fix);
	}
	return 0;
}

static void check_print(FILE *out, const struct check_result *r, bool json)
{
	if (json) {
		fprintf(out, "{");
		json_key_str(out, "status", check_words[r->status], true);
		json_key_str(out, "what", r->what, false);
		json_key_str(out, "detail", r->detail, false);
		json_key_str(out, "fix", r->fix[0] ? r->fix : NULL, false);
		fprintf(out, "}\n");
		return;
	}
	fprintf(out, "%s %s: %s%s%s\n", check_words[r->status], r->what, r->detail,
		r->fix[0] ? "; " : "", r->fix);
}

int check_run(FILE *out, const struct check_env *env, const struct topo *t, uint64_t memory,
	      const struct pci_bdf *bdfs, const unsigned *sel, unsigned n, bool json,
	      unsigned *fails)
{
	struct check_result host[CHECK_HOST_NR], r;
	unsigned set[CHECK_MAX_DEVICES], nr_set = 0;
	int ret;

	if (n > CHECK_MAX_DEVICES) {
		log_err("ptvm check takes at most %u devices", CHECK_MAX_DEVICES);
		return -EINVAL;
	}
	*fails = 0;
	check_host(env, memory, host);
	for (unsigned k = 0; k < CHECK_HOST_NR; k++) {
		check_print(out, &host[k], json);
		*fails += host[k].status == CHECK_FAIL;
	}
	/* The devices that are there go to one claim together. */
	for (unsigned k = 0; k < n; k++)
		if (sel[k] != CHECK_ABSENT)
			set[nr_set++] = sel[k];
	for (unsigned k = 0; k < n; k++) {
		ret = check_device(t, &bdfs[k], sel[k], set, nr_set, &r);
		if (ret)
			return ret;
		check_print(out, &r, json);
		*fails += r.status == CHECK_FAIL;
	}
	return 0;
}
