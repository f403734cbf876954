// SPDX-License-Identifier: GPL-2.0
/*
 * vfio/bind.c against a simulated driver core: the writes that move a
 * device to vfio-pci and back, in order, and each failure as one line.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "fake_driver_core.h"
#include "log_capture.h"
#include "vfio/bind.h"

#define NIC "0000:00:02.0"

static struct pci_bdf nic;

static int setup(void **state)
{
	fdc_init();
	fdc_add_dev(NIC, 0x020000, "e1000e", "e1000e", 2);
	fdc_add_dev("0000:00:04.0", 0x020000, NULL, "e1000e", 4);
	assert_int_equal(pci_bdf_parse(NIC, &nic), 0);
	return 0;
}

static int teardown(void **state)
{
	fdc_fini();
	return 0;
}

static const char *driver(const char *bdf)
{
	static char buf[32];

	return fdc_driver(bdf, buf, sizeof(buf));
}

static const char *override_of(const char *bdf)
{
	static char buf[32];

	return fdc_override(bdf, buf, sizeof(buf));
}


static void test_vfio_from_driver(void **state)
{
	char log[256];

	assert_int_equal(LOG_CAPTURED(log, bind_vfio(fdc.fs.root, &nic, "e1000e")), 0);
	assert_string_equal(log, "");
	assert_string_equal(driver(NIC), "vfio-pci");
	assert_string_equal(override_of(NIC), "vfio-pci");
	/* The override before the unbind, so nothing else can take it in between. */
	assert_string_equal(fdc.log, "bus/pci/devices/" NIC "/driver_override=vfio-pci\n"
				     "bus/pci/drivers/e1000e/unbind=" NIC "\n"
				     "bus/pci/drivers_probe=" NIC "\n");
}

static void test_vfio_from_none(void **state)
{
	struct pci_bdf b;

	assert_int_equal(pci_bdf_parse("0000:00:04.0", &b), 0);
	assert_int_equal(bind_vfio(fdc.fs.root, &b, ""), 0);
	assert_string_equal(driver("0000:00:04.0"), "vfio-pci");
	assert_null(strstr(fdc.log, "unbind"));
}

static void test_vfio_refused(void **state)
{
	char log[256];

	snprintf(fdc.refuse, sizeof(fdc.refuse), "vfio-pci");
	assert_int_equal(LOG_CAPTURED(log, bind_vfio(fdc.fs.root, &nic, "e1000e")), -EIO);
	assert_string_equal(log, "ptvm: " NIC ": vfio-pci did not bind (driver now: no driver; see "
				 "dmesg)\n");
}

static void test_vfio_override_fails(void **state)
{
	char log[256];

	snprintf(fdc.fail_path, sizeof(fdc.fail_path), "bus/pci/devices/%s/driver_override", NIC);
	fdc.fail_ret = -EACCES;
	assert_int_equal(LOG_CAPTURED(log, bind_vfio(fdc.fs.root, &nic, "e1000e")), -EACCES);
	assert_string_equal(log, "ptvm: " NIC ": driver_override = vfio-pci failed: Permission "
				 "denied\n");
	/* Stopped there: the device still has its driver. */
	assert_string_equal(driver(NIC), "e1000e");
	assert_int_equal(fdc.nr_writes, 1);
}

static void test_restore(void **state)
{
	char log[256];

	assert_int_equal(bind_vfio(fdc.fs.root, &nic, "e1000e"), 0);
	fdc.log[0] = '\0';
	assert_int_equal(LOG_CAPTURED(log, bind_restore(fdc.fs.root, &nic, "e1000e")), 0);
	assert_string_equal(log, "");
	assert_string_equal(driver(NIC), "e1000e");
	assert_string_equal(override_of(NIC), "(null)");
	/* The override cleared first, so the probe matches e1000e by ID. */
	assert_string_equal(fdc.log, "bus/pci/devices/" NIC "/driver_override=\n"
				     "bus/pci/drivers/vfio-pci/unbind=" NIC "\n"
				     "bus/pci/drivers_probe=" NIC "\n");
}

static void test_restore_to_none(void **state)
{
	struct pci_bdf b;

	assert_int_equal(pci_bdf_parse("0000:00:04.0", &b), 0);
	assert_int_equal(bind_vfio(fdc.fs.root, &b, ""), 0);
	fdc.log[0] = '\0';
	assert_int_equal(bind_restore(fdc.fs.root, &b, ""), 0);
	/* It had no driver: no probe, or e1000e would take it now. */
	assert_string_equal(driver("0000:00:04.0"), "");
	assert_null(strstr(fdc.log, "drivers_probe"));
}

static void test_restore_refused(void **state)
{
	char log[256];

	assert_int_equal(bind_vfio(fdc.fs.root, &nic, "e1000e"), 0);
	snprintf(fdc.refuse, sizeof(fdc.refuse), "e1000e");
	assert_int_equal(LOG_CAPTURED(log, bind_restore(fdc.fs.root, &nic, "e1000e")), -EIO);
	assert_string_equal(log, "ptvm: " NIC ": e1000e did not bind again (driver now: no driver; "
				 "see dmesg)\n");
}

/* Half-way (override set, still on its driver): only the override goes. */
static void test_restore_half_way(void **state)
{
	assert_int_equal(
		sysfs_write(fdc.fs.root, "bus/pci/devices/" NIC "/driver_override", "vfio-pci"), 0);
	fdc.log[0] = '\0';
	assert_int_equal(bind_restore(fdc.fs.root, &nic, "e1000e"), 0);
	assert_string_equal(fdc.log, "bus/pci/devices/" NIC "/driver_override=\n");
	assert_string_equal(override_of(NIC), "(null)");
	assert_string_equal(driver(NIC), "e1000e");
}

/* Nothing changed at all: nothing is written. */
static void test_restore_untouched(void **state)
{
	assert_int_equal(bind_restore(fdc.fs.root, &nic, "e1000e"), 0);
	assert_int_equal(fdc.nr_writes, 0);
}

static void test_wait_node(void **state)
{
	char path[PATH_MAX], log[256];

	fake_sysfs_add_file(&fdc.fs, "dev/vfio/2", "");
	snprintf(path, sizeof(path), "%s/dev/vfio/2", fdc.fs.root);
	assert_int_equal(bind_wait_node(&nic, path, 0), 0);
	snprintf(path, sizeof(path), "%s/dev/vfio/9", fdc.fs.root);
	assert_int_equal(LOG_CAPTURED(log, bind_wait_node(&nic, path, 30)), -ETIMEDOUT);
	assert_non_null(
		strstr(log, "/dev/vfio/9 did not appear within 30 ms of binding vfio-pci\n"));
	assert_int_equal(strncmp(log, "ptvm: " NIC ": ", 20), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_vfio_from_driver, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vfio_from_none, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vfio_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vfio_override_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restore, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restore_to_none, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restore_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restore_half_way, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restore_untouched, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wait_node, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
