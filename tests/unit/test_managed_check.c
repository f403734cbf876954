// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/managed/managed_check.c: every refusal of managed mode, as its one
 * line, with nothing changed (no sysfs write, no record): bridges, the root
 * filesystem's disk, the console, an SR-IOV PF with VFs, an IOMMU group
 * member on a host driver that was not given, a record of another ptvm, and
 * vfio-pci not loaded.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "managed_fixture.h"

static int setup(void **state)
{
	mf_init();
	return 0;
}

static int teardown(void **state)
{
	fdc_fini();
	return 0;
}

/* Files in the run directory. */
static unsigned nr_records(void)
{
	unsigned n = 0;
	struct dirent *e;
	DIR *d = opendir(mf.run);

	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

/* managed_detach() of @names must fail with @want_ret, log @want_log, change nothing. */
static void refuse(const char *const *names, unsigned n, int want_ret, const char *want_log)
{
	struct pci_bdf b[MANAGED_MAX];
	struct managed *m = NULL;
	unsigned records = nr_records();
	char log[1024];

	for (unsigned i = 0; i < n; i++)
		b[i] = mf_bdf(names[i]);
	assert_int_equal(LOG_CAPTURED(log, managed_detach(&mf.env, b, n, &m)), want_ret);
	assert_string_equal(log, want_log);
	assert_null(m);
	assert_int_equal(fdc.nr_writes, 0);
	assert_int_equal(nr_records(), records);
}

#define REFUSE(ret, log, ...)                                  \
	do {                                                   \
		static const char *const n_[] = {__VA_ARGS__}; \
		refuse(n_, ARRAY_SIZE(n_), ret, log);          \
	} while (0)

/* managed_check() of @names passes, silently. */
static void allow(const char *const *names, unsigned n)
{
	struct pci_bdf b[MANAGED_MAX];
	char log[512];

	for (unsigned i = 0; i < n; i++)
		b[i] = mf_bdf(names[i]);
	assert_int_equal(LOG_CAPTURED(log, managed_check(&mf.env, b, n)), 0);
	assert_string_equal(log, "");
}

#define ALLOW(...)                                             \
	do {                                                   \
		static const char *const n_[] = {__VA_ARGS__}; \
		allow(n_, ARRAY_SIZE(n_));                     \
	} while (0)

/* The host's plumbing, refused as what it is, even without an IOMMU group. */
static void test_bridges(void **state)
{
	fdc_add_dev("0000:00:00.0", 0x060000, NULL, NULL, -1);
	fdc_add_dev("0000:00:1f.0", 0x060100, "lpc_ich", "lpc_ich", 10);
	fdc_add_dev("0000:00:1c.0", 0x060400, "pcieport", "pcieport", 9);
	REFUSE(-EINVAL,
	       "ptvm: 0000:00:00.0 is the host bridge (class 0x0600) and cannot be passed "
	       "through\n",
	       "0000:00:00.0");
	REFUSE(-EINVAL,
	       "ptvm: 0000:00:1f.0 is an ISA/LPC bridge (class 0x0601) and cannot be "
	       "passed through\n",
	       "0000:00:1f.0");
	REFUSE(-EINVAL,
	       "ptvm: 0000:00:1c.0 is a PCI bridge (class 0x0604) and cannot be passed "
	       "through; pass the devices behind it instead\n",
	       "0000:00:1c.0");
	ALLOW(NIC);
}

/* dev/block/MAJ:MIN of the rootfs's device, linked to @target (relative to dev/block/). */
static void root_on(const char *target, const char *mkdir_rel)
{
	char path[PATH_MAX], link[PATH_MAX];
	struct stat st;

	assert_int_equal(stat(mf.rootfs, &st), 0);
	snprintf(path, sizeof(path), "%s/%s", fdc.fs.root, mkdir_rel);
	fake_sysfs_mkdir_p(path);
	snprintf(path, sizeof(path), "%s/dev/block", fdc.fs.root);
	fake_sysfs_mkdir_p(path);
	snprintf(link, sizeof(link), "%s/dev/block/%u:%u", fdc.fs.root, major(st.st_dev),
		 minor(st.st_dev));
	fake_sysfs_symlink(target, link);
}

static void test_rootfs_partition(void **state)
{
	fdc_add_dev("0000:00:05.0", 0x010802, "nvme", "nvme", 5);
	root_on("../../devices/pci0000:00/0000:00:05.0/nvme/nvme0/nvme0n1/nvme0n1p1",
		"devices/pci0000:00/0000:00:05.0/nvme/nvme0/nvme0n1/nvme0n1p1");
	REFUSE(-EBUSY,
	       "ptvm: 0000:00:05.0 holds the root filesystem (on nvme0n1p1) and cannot be "
	       "passed through\n",
	       "0000:00:05.0");
	ALLOW(NIC);
}

/* LVM or dm-crypt: the root is dm-0, which is built on a partition of the disk. */
static void test_rootfs_through_dm(void **state)
{
	char path[PATH_MAX];

	fdc_add_dev("0000:00:05.0", 0x010802, "nvme", "nvme", 5);
	fake_sysfs_mkdir_p(strcat(strcpy(path, fdc.fs.root),
				  "/devices/pci0000:00/0000:00:05.0/nvme/nvme0/nvme0n1/nvme0n1p2"));
	root_on("../../devices/virtual/block/dm-0", "devices/virtual/block/dm-0/slaves");
	snprintf(path, sizeof(path), "%s/devices/virtual/block/dm-0/slaves/nvme0n1p2", fdc.fs.root);
	fake_sysfs_symlink("../../../../pci0000:00/0000:00:05.0/nvme/nvme0/nvme0n1/nvme0n1p2",
			   path);
	REFUSE(-EBUSY,
	       "ptvm: 0000:00:05.0 holds the root filesystem (on nvme0n1p2) and cannot be "
	       "passed through\n",
	       "0000:00:05.0");
}

static void test_console_serial(void **state)
{
	char path[PATH_MAX];

	fdc_add_dev("0000:00:16.3", 0x070002, "serial", "serial", 11);
	fake_sysfs_add_file(&fdc.fs, "class/tty/console/active", "tty0 ttyS4\n");
	fake_sysfs_add_file(&fdc.fs, "devices/pci0000:00/0000:00:16.3/tty/ttyS4/dev", "4:68\n");
	snprintf(path, sizeof(path), "%s/class/tty/ttyS4", fdc.fs.root);
	fake_sysfs_symlink("../../devices/pci0000:00/0000:00:16.3/tty/ttyS4", path);
	REFUSE(-EBUSY, "ptvm: 0000:00:16.3 holds the console ttyS4 and cannot be passed through\n",
	       "0000:00:16.3");
	ALLOW(NIC);
}

static void test_console_boot_vga(void **state)
{
	fdc_add_dev("0000:00:01.0", 0x030000, "i915", "i915", 1);
	fake_sysfs_add_file(&fdc.fs, "devices/pci0000:00/0000:00:01.0/boot_vga", "1\n");
	fake_sysfs_add_file(&fdc.fs, "class/tty/console/active", "ttyS0 tty0\n");
	REFUSE(-EBUSY,
	       "ptvm: 0000:00:01.0 is the boot VGA device, which shows the console, and "
	       "cannot be passed through\n",
	       "0000:00:01.0");
	/* With the console on a serial port only, the boot GPU is free to go. */
	fake_sysfs_add_file(&fdc.fs, "class/tty/console/active", "ttyS0\n");
	ALLOW("0000:00:01.0");
}

static void test_sriov_pf(void **state)
{
	fake_sysfs_add_file(&fdc.fs, "devices/pci0000:00/" NIC "/sriov_numvfs", "4\n");
	REFUSE(-EBUSY,
	       "ptvm: " NIC " is an SR-IOV PF with 4 VFs enabled and cannot be passed "
	       "through (pass a VF, or first: echo 0 > /sys/bus/pci/devices/" NIC
	       "/sriov_numvfs)\n",
	       NIC);
	fake_sysfs_add_file(&fdc.fs, "devices/pci0000:00/" NIC "/sriov_numvfs", "0\n");
	ALLOW(NIC);
}

/* Somebody else's driver_override is left alone; an unset one reads "(null)". */
static void test_foreign_driver_override(void **state)
{
	fake_sysfs_add_file(&fdc.fs, "devices/pci0000:00/" NIC "/driver_override", "e1000e\n");
	REFUSE(-EBUSY,
	       "ptvm: " NIC " has driver_override set to e1000e by someone else; ptvm does not "
	       "take it over (clear it: echo > /sys/bus/pci/devices/" NIC "/driver_override, or "
	       "bind it to vfio-pci and use --unmanaged)\n",
	       NIC);
	fake_sysfs_add_file(&fdc.fs, "devices/pci0000:00/" NIC "/driver_override", "(null)\n");
	ALLOW(NIC);
}

static void test_group_member_on_host_driver(void **state)
{
	REFUSE(-EBUSY,
	       "ptvm: " FN0 ": IOMMU group 8 also holds " FN1 " (bound to e1000e), which "
	       "would have to go too (add --passthrough " FN1 ")\n",
	       FN0);
	ALLOW(FN0, FN1);
}

/* Each member that blocks is named; a bridge (on any driver) and an idle member do not. */
static void test_group_lists_every_member(void **state)
{
	fdc_add_dev("0000:03:00.2", 0x020000, "igb", "igb", 8);
	fdc_add_dev("0000:03:00.3", 0x020000, NULL, "e1000e", 8);
	fdc_add_dev("0000:02:00.0", 0x060400, "shpchp", "shpchp", 8);
	REFUSE(-EBUSY,
	       "ptvm: " FN0 ": IOMMU group 8 also holds " FN1 " (bound to e1000e), "
	       "0000:03:00.2 (bound to igb), which would have to go too (add --passthrough " FN1
	       " --passthrough 0000:03:00.2)\n",
	       FN0);
	ALLOW(FN0, FN1, "0000:03:00.2");
}

/* Already on vfio-pci, nothing to move, but its group still has to come along. */
static void test_group_of_device_on_vfio(void **state)
{
	fdc_set_driver(FN0, "vfio-pci");
	REFUSE(-EBUSY,
	       "ptvm: " FN0 ": IOMMU group 8 also holds " FN1 " (bound to e1000e), which "
	       "would have to go too (add --passthrough " FN1 ")\n",
	       FN0);
}

static void write_record(const char *bdf, int pid, unsigned long long start)
{
	struct managed_record r = {.pid = pid, .start = start, .time = 1};

	snprintf(r.bdf, sizeof(r.bdf), "%s", bdf);
	snprintf(r.driver, sizeof(r.driver), "e1000e");
	assert_int_equal(managed_record_create(mf.run, &r), 0);
}

static void test_record_of_live_ptvm(void **state)
{
	struct managed_record self;
	char want[128];

	assert_int_equal(managed_record_self(&self), 0);
	write_record(NIC, self.pid, self.start);
	snprintf(want, sizeof(want), "ptvm: " NIC " is in use by ptvm pid %d\n", self.pid);
	REFUSE(-EBUSY, want, NIC);
	assert_true(mf_has_record(NIC));
}

static void test_record_of_dead_ptvm(void **state)
{
	int pid = mf_dead_pid();
	char want[160];

	write_record(NVME, pid, 1);
	snprintf(want, sizeof(want),
		 "ptvm: " NVME " has a record of ptvm pid %d, which is gone (run ptvm cleanup "
		 "first)\n",
		 pid);
	REFUSE(-EBUSY, want, NVME);
}

static void test_vfio_pci_not_loaded(void **state)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/bus/pci/drivers/vfio-pci/unbind", fdc.fs.root);
	assert_int_equal(unlink(path), 0);
	*strrchr(path, '/') = '\0';
	assert_int_equal(rmdir(path), 0);
	REFUSE(-ENOENT, "ptvm: vfio-pci is not loaded (modprobe vfio-pci)\n", NIC);
}

static void test_no_device_no_group(void **state)
{
	fdc_add_dev("0000:00:06.0", 0x020000, "e1000e", "e1000e", -1);
	REFUSE(-ENODEV, "ptvm: 0000:00:1f.6: no such PCI device (see lspci -D)\n", "0000:00:1f.6");
	REFUSE(-ENOENT,
	       "ptvm: 0000:00:06.0 has no IOMMU group (is the IOMMU on? boot with "
	       "intel_iommu=on or amd_iommu=on)\n",
	       "0000:00:06.0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bridges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rootfs_partition, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rootfs_through_dm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_console_serial, setup, teardown),
		cmocka_unit_test_setup_teardown(test_console_boot_vga, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sriov_pf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign_driver_override, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_member_on_host_driver, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_lists_every_member, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_of_device_on_vfio, setup, teardown),
		cmocka_unit_test_setup_teardown(test_record_of_live_ptvm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_record_of_dead_ptvm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vfio_pci_not_loaded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_device_no_group, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
