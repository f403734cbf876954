// SPDX-License-Identifier: GPL-2.0
/* vfio/sysfs.c: BDF parsing, and driver/group queries against a fake sysfs tree. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "log_capture.h"
#include "vfio/sysfs.h"
#include "vfio_fake_sysfs.h"

static const struct {
	const char *s;
	int ret;
	struct pci_bdf bdf;
} bdf_cases[] = {
	{"0000:06:12.5", 0, {0, 6, 0x12, 5}},
	{"06:12.5", 0, {0, 6, 0x12, 5}},
	{"ABCD:eF:1f.7", 0, {0xabcd, 0xef, 0x1f, 7}},
	{"ffff:ff:1f.7", 0, {0xffff, 0xff, 0x1f, 7}},
	{"00:00.0", 0, {0, 0, 0, 0}},
	{"", -EINVAL, {0}},
	{"0000:06:12", -EINVAL, {0}},
	{"0000:06:12.8", -EINVAL, {0}},	 /* function > 7 */
	{"0000:06:20.0", -EINVAL, {0}},	 /* device > 0x1f */
	{"000:06:12.5", -EINVAL, {0}},	 /* short domain */
	{"00000:06:12.5", -EINVAL, {0}}, /* long domain */
	{"0000-06-12.5", -EINVAL, {0}},
	{"0000:06:12:5", -EINVAL, {0}},
	{"0000:06:12.5 ", -EINVAL, {0}}, /* trailing junk */
	{" 06:12.5", -EINVAL, {0}},
	{"6:12.5", -EINVAL, {0}},
	{"0000:0g:12.5", -EINVAL, {0}},
	{"0x06:12.5", -EINVAL, {0}},
	{"06:12.5\n", -EINVAL, {0}},
	{"0000:06:12.5x", -EINVAL, {0}},
	{"06.12.5", -EINVAL, {0}},
};

static void test_bdf_parse_table(void **state)
{
	for (unsigned i = 0; i < ARRAY_SIZE(bdf_cases); i++) {
		struct pci_bdf b = {0xeeee, 0xee, 0xee, 0xee};
		int ret = pci_bdf_parse(bdf_cases[i].s, &b);

		if (ret != bdf_cases[i].ret)
			fail_msg("\"%s\": got %d, want %d", bdf_cases[i].s, ret, bdf_cases[i].ret);
		if (ret)
			continue;
		assert_int_equal(b.domain, bdf_cases[i].bdf.domain);
		assert_int_equal(b.bus, bdf_cases[i].bdf.bus);
		assert_int_equal(b.dev, bdf_cases[i].bdf.dev);
		assert_int_equal(b.fn, bdf_cases[i].bdf.fn);
	}
	assert_int_equal(pci_bdf_parse(NULL, &(struct pci_bdf){0}), -EINVAL);
}

static void test_bdf_format(void **state)
{
	char buf[PCI_BDF_STRLEN];
	struct pci_bdf b;

	assert_int_equal(pci_bdf_parse("AB:1F.3", &b), 0);
	assert_string_equal(pci_bdf_format(&b, buf), "0000:ab:1f.3");
	b = (struct pci_bdf){0xbeef, 0x06, 0x12, 5};
	assert_string_equal(pci_bdf_format(&b, buf), "beef:06:12.5");
}

static struct pci_bdf bdf(const char *s)
{
	struct pci_bdf b = {0};

	assert_int_equal(pci_bdf_parse(s, &b), 0);
	return b;
}

/* A tree like the nested rig's L1: NVMe on vfio-pci, a NIC on its driver, a PCI-bridge group. */
static int setup(void **state)
{
	struct fake_sysfs *fs = calloc(1, sizeof(*fs));

	fake_sysfs_init(fs);
	fake_sysfs_add_dev(fs, "0000:00:02.0", "e1000e", 2);
	fake_sysfs_add_dev(fs, "0000:00:03.0", "vfio-pci", 3);
	fake_sysfs_add_dev(fs, "0000:00:04.0", NULL, 4);
	fake_sysfs_add_dev(fs, "0000:00:05.0", "nvme", -1);
	fake_sysfs_add_dev(fs, "0000:02:02.0", "e1000", 7);
	fake_sysfs_add_dev(fs, "0000:01:00.0", NULL, 7);
	fake_sysfs_add_dev(fs, "0000:02:01.0", "vfio-pci", 7);
	*state = fs;
	return 0;
}

static int teardown(void **state)
{
	fake_sysfs_destroy(*state);
	free(*state);
	return 0;
}

static void test_exists(void **state)
{
	struct fake_sysfs *fs = *state;
	struct pci_bdf b = bdf("00:03.0");

	assert_int_equal(sysfs_pci_exists(fs->root, &b), 0);
	b = bdf("0000:06:12.5");
	assert_int_equal(sysfs_pci_exists(fs->root, &b), -ENODEV);
}

static void test_driver(void **state)
{
	struct fake_sysfs *fs = *state;
	char drv[SYSFS_DRIVER_MAX] = "junk";
	struct pci_bdf b = bdf("0000:00:03.0");

	assert_int_equal(sysfs_pci_driver(fs->root, &b, drv, sizeof(drv)), 0);
	assert_string_equal(drv, "vfio-pci");
	b = bdf("0000:00:02.0");
	assert_int_equal(sysfs_pci_driver(fs->root, &b, drv, sizeof(drv)), 0);
	assert_string_equal(drv, "e1000e");
	b = bdf("0000:00:04.0");
	assert_int_equal(sysfs_pci_driver(fs->root, &b, drv, sizeof(drv)), 0);
	assert_string_equal(drv, "");
	b = bdf("0000:06:12.5");
	assert_int_equal(sysfs_pci_driver(fs->root, &b, drv, sizeof(drv)), -ENODEV);
}

static void test_iommu_group(void **state)
{
	struct fake_sysfs *fs = *state;
	struct pci_bdf b = bdf("0000:02:02.0");
	unsigned g = 0;

	assert_int_equal(sysfs_pci_iommu_group(fs->root, &b, &g), 0);
	assert_int_equal(g, 7);
	b = bdf("0000:00:05.0");
	assert_int_equal(sysfs_pci_iommu_group(fs->root, &b, &g), -ENOENT);
	b = bdf("0000:06:12.5");
	assert_int_equal(sysfs_pci_iommu_group(fs->root, &b, &g), -ENODEV);
}

static void test_group_members(void **state)
{
	struct fake_sysfs *fs = *state;
	struct sysfs_group_member m[8];
	unsigned nr = 0;

	assert_int_equal(sysfs_iommu_group_members(fs->root, 7, m, ARRAY_SIZE(m), &nr), 0);
	assert_int_equal(nr, 3);
	assert_string_equal(m[0].name, "0000:01:00.0");
	assert_string_equal(m[0].driver, "");
	assert_string_equal(m[1].name, "0000:02:01.0");
	assert_string_equal(m[1].driver, "vfio-pci");
	assert_string_equal(m[2].name, "0000:02:02.0");
	assert_string_equal(m[2].driver, "e1000");
	/* A short array still learns the total. */
	assert_int_equal(sysfs_iommu_group_members(fs->root, 7, m, 1, &nr), 0);
	assert_int_equal(nr, 3);
	assert_int_equal(sysfs_iommu_group_members(fs->root, 99, m, ARRAY_SIZE(m), &nr), -ENOENT);
}

static void test_driver_compatible(void **state)
{
	assert_true(sysfs_driver_vfio_compatible(""));
	assert_true(sysfs_driver_vfio_compatible("vfio-pci"));
	assert_true(sysfs_driver_vfio_compatible("mlx5_vfio_pci"));
	assert_true(sysfs_driver_vfio_compatible("pci-stub"));
	assert_true(sysfs_driver_vfio_compatible("pcieport"));
	assert_false(sysfs_driver_vfio_compatible("nvme"));
	assert_false(sysfs_driver_vfio_compatible("e1000e"));
}

/* sysfs_vfio_check() on @s: its return, its group and exactly what it logged. */
static void check(struct fake_sysfs *fs, const char *s, int want_ret, unsigned want_group,
		  const char *want_log)
{
	struct pci_bdf b = bdf(s);
	struct log_capture lc;
	unsigned g = 12345;
	int ret;

	log_capture_start(&lc);
	ret = sysfs_vfio_check(fs->root, &b, &g);
	log_capture_end(&lc);
	assert_int_equal(ret, want_ret);
	assert_string_equal(lc.text, want_log);
	if (!ret)
		assert_int_equal(g, want_group);
	log_capture_free(&lc);
}

static void test_vfio_check_messages(void **state)
{
	struct fake_sysfs *fs = *state;

	check(fs, "0000:00:03.0", 0, 3, "");
	check(fs, "02:01.0", 0, 7, "");
	check(fs, "0000:06:12.5", -ENODEV, 0,
	      "ptvm: 0000:06:12.5: no such PCI device (see lspci -D)\n");
	check(fs, "0000:00:02.0", -EBUSY, 0,
	      "ptvm: 0000:00:02.0 is bound to e1000e, not vfio-pci (run scripts/bind-vfio "
	      "0000:00:02.0)\n");
	check(fs, "00:04.0", -EBUSY, 0,
	      "ptvm: 0000:00:04.0 is bound to no driver, not vfio-pci (run scripts/bind-vfio "
	      "0000:00:04.0)\n");
	check(fs, "0000:00:05.0", -ENOENT, 0,
	      "ptvm: 0000:00:05.0 has no IOMMU group (is the IOMMU on? boot with intel_iommu=on "
	      "or amd_iommu=on)\n");
}

static void test_write(void **state)
{
	struct fake_sysfs *fs = *state;
	const char *param = "module/vfio_iommu_type1/parameters/allow_unsafe_interrupts";
	char buf[8];

	fake_sysfs_add_file(fs, param, "N\n");
	assert_int_equal(sysfs_write(fs->root, param, "1"), 0);
	fake_sysfs_read(fs, param, buf, sizeof(buf));
	assert_string_equal(buf, "1");
	assert_int_equal(sysfs_write(fs->root, "module/nope/parameters/x", "1"), -ENOENT);
}

/* sysfs_read(): the newline goes, a value too long is cut to fit, a missing file is -ENOENT. */
static void test_read(void **state)
{
	struct fake_sysfs *fs = *state;
	char buf[8];

	fake_sysfs_add_file(fs, "kernel/x", "1\n");
	assert_int_equal(sysfs_read(fs->root, "kernel/x", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1");
	fake_sysfs_add_file(fs, "kernel/x", "1234567\n");
	assert_int_equal(sysfs_read(fs->root, "kernel/x", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1234567");
	fake_sysfs_add_file(fs, "kernel/x", "tty0 ttyS0\n");
	assert_int_equal(sysfs_read(fs->root, "kernel/x", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "tty0 tt");
	fake_sysfs_add_file(fs, "kernel/x", "");
	assert_int_equal(sysfs_read(fs->root, "kernel/x", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(sysfs_read(fs->root, "kernel/none", buf, sizeof(buf)), -ENOENT);
}

static void test_class(void **state)
{
	struct fake_sysfs *fs = *state;
	struct pci_bdf b = bdf("0000:00:02.0");
	uint32_t class = 0;

	fake_sysfs_add_file(fs, "devices/pci0000:00/0000:00:02.0/class", "0x060400\n");
	assert_int_equal(sysfs_pci_class(fs->root, &b, &class), 0);
	assert_int_equal(class, 0x060400);
	fake_sysfs_add_file(fs, "devices/pci0000:00/0000:00:02.0/class", "0x1060400\n");
	assert_int_equal(sysfs_pci_class(fs->root, &b, &class), -EINVAL);
	fake_sysfs_add_file(fs, "devices/pci0000:00/0000:00:02.0/class", "bridge\n");
	assert_int_equal(sysfs_pci_class(fs->root, &b, &class), -EINVAL);
	b = bdf("0000:00:03.0");
	assert_int_equal(sysfs_pci_class(fs->root, &b, &class), -ENOENT);
	b = bdf("0000:06:12.5");
	assert_int_equal(sysfs_pci_class(fs->root, &b, &class), -ENODEV);
}

/* A tty of 00:02.0 is below it; one of its sibling 00:02.1 is not. */
static void test_below(void **state)
{
	struct fake_sysfs *fs = *state;
	struct pci_bdf b = bdf("0000:00:02.0");
	char path[PATH_MAX];
	bool below = false;

	fake_sysfs_add_file(fs, "devices/pci0000:00/0000:00:02.0/tty/ttyS4/dev", "4:68\n");
	snprintf(path, sizeof(path), "%s/class/tty", fs->root);
	fake_sysfs_mkdir_p(path);
	snprintf(path, sizeof(path), "%s/class/tty/ttyS4", fs->root);
	fake_sysfs_symlink("../../devices/pci0000:00/0000:00:02.0/tty/ttyS4", path);
	assert_int_equal(sysfs_pci_below(fs->root, &b, "class/tty/ttyS4", &below), 0);
	assert_true(below);
	assert_int_equal(sysfs_pci_below(fs->root, &b, "bus/pci/devices/0000:00:02.0", &below), 0);
	assert_true(below);
	fake_sysfs_add_dev(fs, "0000:00:02.1", NULL, 2);
	fake_sysfs_add_file(fs, "devices/pci0000:00/0000:00:02.1/tty/ttyS5/dev", "4:69\n");
	snprintf(path, sizeof(path), "%s/class/tty/ttyS5", fs->root);
	fake_sysfs_symlink("../../devices/pci0000:00/0000:00:02.1/tty/ttyS5", path);
	assert_int_equal(sysfs_pci_below(fs->root, &b, "class/tty/ttyS5", &below), 0);
	assert_false(below);
	assert_int_equal(sysfs_pci_below(fs->root, &b, "class/tty/ttyS9", &below), -ENOENT);
}

static void test_block_on_pci(void **state)
{
	struct fake_sysfs *fs = *state;
	struct pci_bdf nvme = bdf("0000:00:03.0"), nic = bdf("0000:00:02.0");
	char path[PATH_MAX], name[32] = "";
	bool on = true;

	fake_sysfs_add_file(fs, "devices/pci0000:00/0000:00:03.0/nvme/nvme0/nvme0n1/nvme0n1p1/dev",
			    "259:1\n");
	fake_sysfs_add_file(fs, "devices/virtual/block/dm-0/dev", "253:0\n");
	fake_sysfs_add_file(fs, "devices/virtual/block/dm-1/dev", "253:1\n");
	snprintf(path, sizeof(path), "%s/dev/block", fs->root);
	fake_sysfs_mkdir_p(path);
	snprintf(path, sizeof(path), "%s/dev/block/259:1", fs->root);
	fake_sysfs_symlink("../../devices/pci0000:00/0000:00:03.0/nvme/nvme0/nvme0n1/nvme0n1p1",
			   path);
	snprintf(path, sizeof(path), "%s/dev/block/253:1", fs->root);
	fake_sysfs_symlink("../../devices/virtual/block/dm-1", path);
	/* dm-1 (LVM) on dm-0 (dm-crypt) on nvme0n1p1. */
	snprintf(path, sizeof(path), "%s/devices/virtual/block/dm-1/slaves", fs->root);
	fake_sysfs_mkdir_p(path);
	strcat(path, "/dm-0");
	fake_sysfs_symlink("../../dm-0", path);
	snprintf(path, sizeof(path), "%s/devices/virtual/block/dm-0/slaves", fs->root);
	fake_sysfs_mkdir_p(path);
	strcat(path, "/nvme0n1p1");
	fake_sysfs_symlink("../../../../pci0000:00/0000:00:03.0/nvme/nvme0/nvme0n1/nvme0n1p1",
			   path);

	assert_int_equal(sysfs_block_on_pci(fs->root, &nvme, 259, 1, name, sizeof(name), &on), 0);
	assert_true(on);
	assert_string_equal(name, "nvme0n1p1");
	on = false;
	name[0] = '\0';
	assert_int_equal(sysfs_block_on_pci(fs->root, &nvme, 253, 1, name, sizeof(name), &on), 0);
	assert_true(on);
	assert_string_equal(name, "nvme0n1p1");
	assert_int_equal(sysfs_block_on_pci(fs->root, &nic, 253, 1, name, sizeof(name), &on), 0);
	assert_false(on);
	/* btrfs, tmpfs: an anonymous device number that no block device has. */
	assert_int_equal(sysfs_block_on_pci(fs->root, &nvme, 0, 45, name, sizeof(name), &on),
			 -ENOENT);
	assert_false(on);
}

static int hook_calls;
static char hook_seen[128];

static int hook(const char *root, const char *relpath, const char *val)
{
	hook_calls++;
	snprintf(hook_seen, sizeof(hook_seen), "%s=%s", relpath, val);
	return strcmp(val, "bad") ? 0 : -EINVAL;
}

/* The driver core's side of a write: after a successful one, its verdict. */
static void test_write_hook(void **state)
{
	struct fake_sysfs *fs = *state;

	fake_sysfs_add_file(fs, "bus/pci/drivers_probe", "");
	sysfs_set_write_hook(hook);
	assert_int_equal(sysfs_write(fs->root, "bus/pci/drivers_probe", "0000:00:02.0"), 0);
	assert_string_equal(hook_seen, "bus/pci/drivers_probe=0000:00:02.0");
	assert_int_equal(sysfs_write(fs->root, "bus/pci/drivers_probe", "bad"), -EINVAL);
	/* A write that failed never reaches the driver core: no file, or write(2) failing. */
	assert_int_equal(sysfs_write(fs->root, "bus/pci/none", "x"), -ENOENT);
	assert_int_equal(sysfs_write("/dev", "full", "x"), -ENOSPC);
	assert_int_equal(hook_calls, 2);
	sysfs_set_write_hook(NULL);
	assert_int_equal(sysfs_write(fs->root, "bus/pci/drivers_probe", "bad"), 0);
	assert_int_equal(hook_calls, 2);
}

static void test_driver_loaded(void **state)
{
	struct fake_sysfs *fs = *state;

	assert_int_equal(sysfs_pci_driver_loaded(fs->root, "e1000e"), 0);
	assert_int_equal(sysfs_pci_driver_loaded(fs->root, "igb"), -ENOENT);
	fake_sysfs_add_file(fs, "bus/pci/drivers/file", "");
	assert_int_equal(sysfs_pci_driver_loaded(fs->root, "file"), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bdf_parse_table),
		cmocka_unit_test(test_bdf_format),
		cmocka_unit_test(test_driver_compatible),
		cmocka_unit_test_setup_teardown(test_exists, setup, teardown),
		cmocka_unit_test_setup_teardown(test_driver, setup, teardown),
		cmocka_unit_test_setup_teardown(test_iommu_group, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_members, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vfio_check_messages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_class, setup, teardown),
		cmocka_unit_test_setup_teardown(test_below, setup, teardown),
		cmocka_unit_test_setup_teardown(test_block_on_pci, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_hook, setup, teardown),
		cmocka_unit_test_setup_teardown(test_driver_loaded, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
