// SPDX-License-Identifier: GPL-2.0
/*
 * `ptvm devices` output. Both forms say the same things: the plain one is
 * for a person (columns padded to the widest entry, the name last because it
 * is the longest), the JSON one for scripts (one object per line, so a
 * line-oriented tool can pick a device without a JSON parser).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hostdev/assign.h"
#include "hostdev/devices.h"
#include "hostdev/json.h"

enum {
	COL_ADDR,
	COL_ID,
	COL_CLASS,
	COL_DRIVER,
	COL_NUMA,
	COL_GROUP,
	COL_RESET,
	COL_DOMAIN,
	COL_SRIOV,
	COL_STATUS,
	COL_NAME,
	NR_COLS,
};

static const char *const devices_header[NR_COLS] = {
	"ADDRESS",	 "ID",		 "CLASS",  "DRIVER", "NUMA", "IOMMU GROUP",
	"RESET METHODS", "RESET DOMAIN", "SR-IOV", "STATUS", "NAME",
};

#define COL_MAX (ASSIGN_TEXT_MAX + 64)

struct devices_row {
	char col[NR_COLS][COL_MAX];
};

/* "PF 2/7 VFs", "VF of 0000:05:00.0" or "-". */
static void devices_sriov(const struct topo_fn *f, char *buf, size_t len)
{
	if (f->pf)
		snprintf(buf, len, "PF %u/%u VFs", f->num_vfs, f->total_vfs);
	else if (f->vf)
		snprintf(buf, len, "VF of %s", f->physfn);
	else
		snprintf(buf, len, "-");
}

/* "<class>: <vendor> <device>", each a name or, without pci.ids, the hex ID. */
static void devices_name(struct names *names, const struct topo_fn *f, char *buf, size_t len)
{
	char c[NAMES_MAX], v[NAMES_MAX], d[NAMES_MAX];

	snprintf(buf, len, "%s: %s %s", names_class(names, f->class, c),
		 names_vendor(names, f->vendor, v), names_device(names, f->vendor, f->device, d));
}

static void devices_fill_row(const struct topo *t, struct names *names, unsigned i,
			     struct devices_row *r)
{
	const struct topo_fn *f = &t->fns[i];
	char peers[ASSIGN_TEXT_MAX];
	struct assign_block b;
	char *p;

	snprintf(r->col[COL_ADDR], COL_MAX, "%s", f->name);
	snprintf(r->col[COL_ID], COL_MAX, "%04x:%04x", f->vendor, f->device);
	snprintf(r->col[COL_CLASS], COL_MAX, "%06x", f->class);
	snprintf(r->col[COL_DRIVER], COL_MAX, "%s", f->driver[0] ? f->driver : "-");
	if (f->numa_node >= 0)
		snprintf(r->col[COL_NUMA], COL_MAX, "%d", f->numa_node);
	else
		snprintf(r->col[COL_NUMA], COL_MAX, "-");
	if (!f->has_group)
		snprintf(r->col[COL_GROUP], COL_MAX, "-");
	else if (assign_peers_text(t, i, PTGUARD_REL_IOMMU_GROUP, peers, sizeof(peers)))
		snprintf(r->col[COL_GROUP], COL_MAX, "%u with %s", f->group, peers);
	else
		snprintf(r->col[COL_GROUP], COL_MAX, "%u", f->group);
	/* reset_method separates its names with spaces; commas keep the column one word. */
	snprintf(r->col[COL_RESET], COL_MAX, "%s", f->reset_method[0] ? f->reset_method : "-");
	for (p = r->col[COL_RESET]; (p = strchr(p, ' '));)
		*p = ',';
	if (assign_peers_text(t, i, PTGUARD_REL_RESET_DOMAIN, peers, sizeof(peers)))
		snprintf(r->col[COL_DOMAIN], COL_MAX, "%s: %s", assign_reset_name(t, i), peers);
	else
		snprintf(r->col[COL_DOMAIN], COL_MAX, "%s", assign_reset_name(t, i));
	devices_sriov(f, r->col[COL_SRIOV], COL_MAX);
	assign_assess(t, i, &b);
	if (b.reason)
		snprintf(r->col[COL_STATUS], COL_MAX, "not assignable: %s", b.reason);
	else
		snprintf(r->col[COL_STATUS], COL_MAX, "assignable");
	devices_name(names, f, r->col[COL_NAME], COL_MAX);
}

static void devices_print_row(FILE *out, const char *const *col, const size_t *width)
{
	for (unsigned c = 0; c < NR_COLS - 1; c++)
		fprintf(out, "%-*s  ", (int)width[c], col[c]);
	fprintf(out, "%s\n", col[NR_COLS - 1]);
}

static int devices_plain(FILE *out, const struct topo *t, struct names *names, const unsigned *sel,
			 unsigned n)
{
	struct devices_row *rows = calloc(n ? n : 1, sizeof(*rows));
	size_t width[NR_COLS];
	const char *col[NR_COLS];

	if (!rows) {
		log_err("out of memory listing the PCI devices");
		return -ENOMEM;
	}
	for (unsigned c = 0; c < NR_COLS; c++)
		width[c] = strlen(devices_header[c]);
	for (unsigned k = 0; k < n; k++) {
		devices_fill_row(t, names, sel[k], &rows[k]);
		for (unsigned c = 0; c < NR_COLS; c++)
			width[c] = MAX(width[c], strlen(rows[k].col[c]));
	}
	devices_print_row(out, devices_header, width);
	for (unsigned k = 0; k < n; k++) {
		for (unsigned c = 0; c < NR_COLS; c++)
			col[c] = rows[k].col[c];
		devices_print_row(out, col, width);
	}
	free(rows);
	return 0;
}

/* "key": [{"address": ..., "driver": ...}, ...] for the peers of @i by @rel. */
static void devices_json_peers(FILE *out, const struct topo *t, unsigned i, u32 rel,
			       const char *key)
{
	bool first = true;

	fprintf(out, ", ");
	json_str(out, key);
	fprintf(out, ": [");
	for (unsigned x = 0; x < t->nr; x++) {
		if (x == i || !(ptg_relation(&t->ptg, i, x) & rel))
			continue;
		fprintf(out, "%s{", first ? "" : ", ");
		json_key_str(out, "address", t->fns[x].name, true);
		json_key_str(out, "driver", t->fns[x].driver[0] ? t->fns[x].driver : NULL, false);
		fprintf(out, "}");
		first = false;
	}
	fprintf(out, "]");
}

/* "reset_methods": ["flr", "pm"] from sysfs reset_method. */
static void devices_json_methods(FILE *out, const struct topo_fn *f)
{
	char list[TOPO_RESET_MAX], *save = NULL;
	bool first = true;

	snprintf(list, sizeof(list), "%s", f->reset_method);
	fprintf(out, ", \"reset_methods\": [");
	for (char *m = strtok_r(list, " ", &save); m; m = strtok_r(NULL, " ", &save)) {
		fprintf(out, "%s", first ? "" : ", ");
		json_str(out, m);
		first = false;
	}
	fprintf(out, "]");
}

static void devices_json_one(FILE *out, const struct topo *t, struct names *names, unsigned i)
{
	const struct topo_fn *f = &t->fns[i];
	char buf[NAMES_MAX], id[NAMES_MAX];
	struct assign_block b;

	fprintf(out, "{");
	json_key_str(out, "address", f->name, true);
	json_key_str(out, "vendor_id", names_hex16(f->vendor, id), false);
	json_key_str(out, "device_id", names_hex16(f->device, id), false);
	snprintf(id, sizeof(id), "%06x", f->class);
	json_key_str(out, "class_id", id, false);
	json_key_str(out, "vendor", names_vendor(names, f->vendor, buf), false);
	json_key_str(out, "device", names_device(names, f->vendor, f->device, buf), false);
	json_key_str(out, "class", names_class(names, f->class, buf), false);
	json_key_str(out, "driver", f->driver[0] ? f->driver : NULL, false);
	if (f->numa_node >= 0)
		fprintf(out, ", \"numa_node\": %d", f->numa_node);
	else
		fprintf(out, ", \"numa_node\": null");
	if (f->has_group)
		fprintf(out, ", \"iommu_group\": %u", f->group);
	else
		fprintf(out, ", \"iommu_group\": null");
	devices_json_peers(out, t, i, PTGUARD_REL_IOMMU_GROUP, "iommu_group_peers");
	devices_json_methods(out, f);
	json_key_str(out, "reset", assign_reset_name(t, i), false);
	devices_json_peers(out, t, i, PTGUARD_REL_RESET_DOMAIN, "reset_domain");
	if (f->pf) {
		fprintf(out, ", \"sriov\": {\"role\": \"pf\", \"num_vfs\": %u, \"total_vfs\": %u}",
			f->num_vfs, f->total_vfs);
	} else if (f->vf) {
		fprintf(out, ", \"sriov\": {\"role\": \"vf\", ");
		json_key_str(out, "pf", f->physfn, true);
		fprintf(out, "}");
	} else {
		fprintf(out, ", \"sriov\": null");
	}
	assign_assess(t, i, &b);
	fprintf(out, ", \"assignable\": %s", b.reason ? "false" : "true");
	json_key_str(out, "reason", b.reason, false);
	fprintf(out, "}\n");
}

int devices_print(FILE *out, const struct topo *t, struct names *names, const unsigned *sel,
		  unsigned n, bool json)
{
	unsigned *all = NULL;
	int ret = 0;

	if (!n) {
		all = malloc((t->nr ? t->nr : 1) * sizeof(*all));
		if (!all) {
			log_err("out of memory listing the PCI devices");
			return -ENOMEM;
		}
		for (unsigned i = 0; i < t->nr; i++)
			all[i] = i;
		sel = all;
		n = t->nr;
	}
	if (json)
		for (unsigned k = 0; k < n; k++)
			devices_json_one(out, t, names, sel[k]);
	else
		ret = devices_plain(out, t, names, sel, n);
	free(all);
	return ret;
}
