// SPDX-License-Identifier: GPL-2.0
/*
 * hostdev/topo.c on the fixture host: what it reads from sysfs, and the
 * ptguard policy view it derives (reset capabilities, bus ranges, groups),
 * which must be what kmod/ptguard_pci.c would snapshot in the kernel.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "hostdev/topo.h"
#include "hostdev_fixture.h"
#include "log_capture.h"

struct fx {
	struct fake_sysfs fs;
	struct topo t;
};

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	hf_build(&fx->fs, NULL);
	assert_int_equal(topo_read(fx->fs.root, &fx->t), 0);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	topo_free(&fx->t);
	fake_sysfs_destroy(&fx->fs);
	free(fx);
	return 0;
}

static unsigned idx(const struct topo *t, const char *s)
{
	struct pci_bdf b;
	int i;

	assert_int_equal(pci_bdf_parse(s, &b), 0);
	i = topo_find(t, &b);
	if (i < 0)
		fail_msg("%s not in the snapshot", s);
	return (unsigned)i;
}

static void test_sorted_and_complete(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(fx->t.nr, ARRAY_SIZE(hf_rig));
	assert_int_equal(fx->t.ptg.nr, fx->t.nr);
	assert_ptr_equal(fx->t.ptg.devs, fx->t.devs);
	/* hf_rig is in address order; readdir is not. */
	for (unsigned i = 0; i < fx->t.nr; i++)
		assert_string_equal(fx->t.fns[i].name, hf_rig[i].bdf);
}

static void test_identity(void **state)
{
	struct fx *fx = *state;
	const struct topo_fn *f = &fx->t.fns[idx(&fx->t, "0000:00:03.0")];

	assert_int_equal(f->vendor, 0x1b36);
	assert_int_equal(f->device, 0x0010);
	assert_int_equal(f->class, 0x010802);
	assert_string_equal(f->driver, "nvme");
	assert_true(f->has_group);
	assert_int_equal(f->group, 3);
	assert_string_equal(f->reset_method, "flr");
	assert_int_equal(f->numa_node, -1);
	assert_false(f->bridge || f->pf || f->vf);
	/* No driver link, no reset_method file. */
	f = &fx->t.fns[idx(&fx->t, "0000:01:00.0")];
	assert_string_equal(f->driver, "");
	f = &fx->t.fns[idx(&fx->t, "0000:02:02.0")];
	assert_string_equal(f->reset_method, "");
}

static void test_sriov(void **state)
{
	struct fx *fx = *state;
	const struct topo_fn *pf = &fx->t.fns[idx(&fx->t, "0000:04:00.0")];
	const struct topo_fn *vf = &fx->t.fns[idx(&fx->t, "0000:04:10.2")];

	assert_true(pf->pf);
	assert_false(pf->vf);
	assert_int_equal(pf->num_vfs, 2);
	assert_int_equal(pf->total_vfs, 7);
	assert_int_equal(pf->numa_node, 0);
	assert_true(vf->vf);
	assert_false(vf->pf);
	assert_string_equal(vf->physfn, "0000:04:00.0");
}

/* The policy half, field by field, as ptguard_pci.c would fill it. */
static void test_policy_view(void **state)
{
	struct fx *fx = *state;
	const struct ptg_dev *d;

	d = &fx->t.devs[idx(&fx->t, "0000:00:03.0")];
	assert_int_equal(d->addr, PTGUARD_ADDR(0, 0, 3, 0));
	assert_int_equal(d->caps, PTGUARD_CAP_FLR); /* root bus: no bus reset */
	assert_int_equal(d->bus_last, 0xff);
	assert_int_equal(d->group, 3);
	assert_string_equal(d->driver, "nvme");
	assert_int_equal(d->owner, 0);

	d = &fx->t.devs[idx(&fx->t, "0000:00:04.0")];
	assert_true(d->bridge);
	assert_int_equal(d->sec, 1);
	assert_int_equal(d->sub, 2);
	assert_int_equal(d->caps, 0);

	/* Behind root port 00:04.0 (buses 1-2): "bus" comes from the topology. */
	d = &fx->t.devs[idx(&fx->t, "0000:01:00.0")];
	assert_int_equal(d->caps, PTGUARD_CAP_PM | PTGUARD_CAP_BUS);
	assert_int_equal(d->bus_last, 2);

	/* reset_method "bus" and "" give the same: the bridge above decides. */
	d = &fx->t.devs[idx(&fx->t, "0000:02:01.0")];
	assert_int_equal(d->caps, PTGUARD_CAP_BUS);
	assert_int_equal(d->bus_last, 2);
	d = &fx->t.devs[idx(&fx->t, "0000:02:02.0")];
	assert_int_equal(d->caps, PTGUARD_CAP_BUS);
	assert_int_equal(d->bus_last, 2);

	d = &fx->t.devs[idx(&fx->t, "0000:03:00.1")];
	assert_int_equal(d->caps, PTGUARD_CAP_PM | PTGUARD_CAP_BUS);
	assert_int_equal(d->bus_last, 3);

	d = &fx->t.devs[idx(&fx->t, "0000:00:1f.2")];
	assert_int_equal(d->caps, 0);
	assert_int_equal(ptg_reset_method(d), PTGUARD_RESET_NONE);
}

/* Every name reset_method can show maps to its capability. */
static void test_method_names(void **state)
{
	static const struct {
		const char *methods;
		u32 caps;
	} cases[] = {
		{"device_specific", PTGUARD_CAP_DEV_SPECIFIC},
		{"acpi", PTGUARD_CAP_ACPI},
		{"flr", PTGUARD_CAP_FLR},
		{"af_flr", PTGUARD_CAP_AF_FLR},
		{"pm", PTGUARD_CAP_PM},
		{"flr pm", PTGUARD_CAP_FLR | PTGUARD_CAP_PM},
		{"bus", 0},
		{"cxl_bus", 0},
	};

	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		struct fake_sysfs fs;
		struct topo t;

		fake_sysfs_init(&fs);
		hf_add(&fs, &(struct hf_dev)HF("0000:00:03.0", 0x1b36, 0x10, 0x010802, NULL, 3,
					       cases[i].methods));
		assert_int_equal(topo_read(fs.root, &t), 0);
		if (t.devs[0].caps != cases[i].caps)
			fail_msg("'%s': caps 0x%x, want 0x%x", cases[i].methods, t.devs[0].caps,
				 cases[i].caps);
		topo_free(&t);
		fake_sysfs_destroy(&fs);
	}
}

static void test_no_group(void **state)
{
	struct fake_sysfs fs;
	struct topo t;

	fake_sysfs_init(&fs);
	hf_add(&fs, &(struct hf_dev)HF("0000:00:03.0", 0x1b36, 0x10, 0x010802, "nvme", -1, "flr",
				       .numa = ""));
	assert_int_equal(topo_read(fs.root, &t), 0);
	assert_false(t.fns[0].has_group);
	assert_int_equal(t.devs[0].group, PTG_NO_GROUP);
	assert_int_equal(t.fns[0].numa_node, -1);
	topo_free(&t);
	fake_sysfs_destroy(&fs);
}

/* A function without its vendor attribute: one line naming it, and an error. */
static void test_unreadable(void **state)
{
	struct log_capture lc;
	struct fake_sysfs fs;
	char path[PATH_MAX];
	struct topo t;

	fake_sysfs_init(&fs);
	hf_add(&fs, &hf_rig[1]);
	snprintf(path, sizeof(path), "%s/devices/pci0000:00/0000:00:02.0/vendor", fs.root);
	assert_int_equal(unlink(path), 0);
	log_capture_start(&lc);
	assert_int_equal(topo_read(fs.root, &t), -ENOENT);
	assert_string_equal(log_capture_end(&lc), "ptvm: 0000:00:02.0: cannot read its sysfs "
						  "attributes: No such file or directory\n");
	log_capture_free(&lc);
	assert_null(t.fns);
	fake_sysfs_destroy(&fs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sorted_and_complete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_identity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sriov, setup, teardown),
		cmocka_unit_test_setup_teardown(test_policy_view, setup, teardown),
		cmocka_unit_test(test_method_names),
		cmocka_unit_test(test_no_group),
		cmocka_unit_test(test_unreadable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
