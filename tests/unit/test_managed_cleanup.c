// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/managed/managed_cleanup.c, `ptvm cleanup`, on a simulated driver core:
 * a record whose ptvm is gone (dead pid, or its pid now another process's)
 * gives its device back and goes; a running ptvm's record is named and left;
 * nothing to do is said so.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sys/wait.h>

#include "managed_fixture.h"

static struct {
	char *text;
	size_t len;
	FILE *f;
} out;

static int setup(void **state)
{
	mf_init();
	out.f = open_memstream(&out.text, &out.len);
	return out.f ? 0 : -1;
}

static int teardown(void **state)
{
	fclose(out.f);
	free(out.text);
	fdc_fini();
	return 0;
}

/* managed_cleanup(): its return; its lines in out.text, its log in @log. */
#define CLEANUP(log)                                                        \
	({                                                                  \
		int c_ = LOG_CAPTURED(log, managed_cleanup(&mf.env, out.f)); \
		fflush(out.f);                                              \
		c_;                                                         \
	})

static void write_record(const char *bdf, const char *driver, int pid, unsigned long long start)
{
	struct managed_record r = {.pid = pid, .start = start, .time = 1};

	snprintf(r.bdf, sizeof(r.bdf), "%s", bdf);
	snprintf(r.driver, sizeof(r.driver), "%s", driver);
	assert_int_equal(managed_record_create(mf.run, &r), 0);
}

/* What a ptvm killed while running its guest leaves: @bdf on vfio-pci, overridden. */
static void left_on_vfio(const char *bdf)
{
	char rel[96];

	fdc_set_driver(bdf, "vfio-pci");
	snprintf(rel, sizeof(rel), "devices/pci0000:00/%s/driver_override", bdf);
	fake_sysfs_add_file(&fdc.fs, rel, "vfio-pci\n");
}

static void test_nothing(void **state)
{
	char log[256], want[256];

	snprintf(want, sizeof(want),
		 "nothing to clean up: no devices left behind by a ptvm in %s\n", mf.run);
	/* No run directory at all, as on a host where ptvm never ran. */
	assert_int_equal(CLEANUP(log), 0);
	assert_string_equal(out.text, want);
	assert_string_equal(log, "");
	rewind(out.f);
	/* An empty one, and a record half-written when its ptvm died, are nothing too. */
	fake_sysfs_add_file(&fdc.fs, "run/ptvm/." NIC ".123", "bdf=");
	assert_int_equal(CLEANUP(log), 0);
	assert_string_equal(out.text, want);
	assert_int_equal(fdc.nr_writes, 0);
}

static void test_dead_owner_restored(void **state)
{
	int pid = mf_dead_pid();
	char log[256], want[128];

	left_on_vfio(NIC);
	write_record(NIC, "e1000e", pid, 1);
	assert_int_equal(CLEANUP(log), 0);
	snprintf(want, sizeof(want), NIC ": vfio-pci -> e1000e (ptvm pid %d is gone)\n", pid);
	assert_string_equal(out.text, want);
	assert_string_equal(log, "");
	assert_string_equal(mf_driver(NIC), "e1000e");
	assert_false(mf_has_record(NIC));
}

static void test_live_owner_left(void **state)
{
	struct managed_record self;
	char log[256], want[128];

	assert_int_equal(managed_record_self(&self), 0);
	left_on_vfio(NIC);
	write_record(NIC, "e1000e", self.pid, self.start);
	assert_int_equal(CLEANUP(log), 0);
	snprintf(want, sizeof(want), NIC ": left alone: ptvm pid %d still runs\n", self.pid);
	assert_string_equal(out.text, want);
	assert_int_equal(fdc.nr_writes, 0);
	assert_string_equal(mf_driver(NIC), "vfio-pci");
	assert_true(mf_has_record(NIC));
}

/* Same pid, another start time: the pid went to another process; ptvm is gone. */
static void test_pid_reused(void **state)
{
	struct managed_record self;
	char log[256];

	assert_int_equal(managed_record_self(&self), 0);
	left_on_vfio(NIC);
	write_record(NIC, "e1000e", self.pid, self.start + 1);
	assert_int_equal(CLEANUP(log), 0);
	assert_non_null(strstr(out.text, NIC ": vfio-pci -> e1000e"));
	assert_string_equal(mf_driver(NIC), "e1000e");
	assert_false(mf_has_record(NIC));
}

/* One line per device, in BDF order; the live one is left, the others restored. */
static void test_several(void **state)
{
	struct managed_record self;
	int pid = mf_dead_pid();
	char log[256], want[512];

	assert_int_equal(managed_record_self(&self), 0);
	left_on_vfio(FN1);
	left_on_vfio(FN0);
	left_on_vfio(NIC);
	left_on_vfio(IDLE);
	write_record(FN1, "e1000e", pid, 1);
	write_record(NIC, "e1000e", self.pid, self.start);
	write_record(FN0, "e1000e", pid, 1);
	write_record(IDLE, "", pid, 1);
	assert_int_equal(CLEANUP(log), 0);
	snprintf(want, sizeof(want),
		 NIC ": left alone: ptvm pid %d still runs\n" IDLE
		     ": vfio-pci -> no driver (ptvm pid %d is gone)\n" FN0
		     ": vfio-pci -> e1000e (ptvm pid %d is gone)\n" FN1
		     ": vfio-pci -> e1000e (ptvm pid %d is gone)\n",
		 self.pid, pid, pid, pid);
	assert_string_equal(out.text, want);
	assert_string_equal(mf_driver(IDLE), "");
	assert_string_equal(mf_driver(FN0), "e1000e");
	assert_string_equal(mf_driver(FN1), "e1000e");
	assert_string_equal(mf_driver(NIC), "vfio-pci");
}

/* Killed after its record, before any change: only the record goes. */
static void test_died_before_change(void **state)
{
	int pid = mf_dead_pid();
	char log[256], want[128];

	write_record(NIC, "e1000e", pid, 1);
	assert_int_equal(CLEANUP(log), 0);
	snprintf(want, sizeof(want), NIC ": e1000e -> e1000e (ptvm pid %d is gone)\n", pid);
	assert_string_equal(out.text, want);
	assert_int_equal(fdc.nr_writes, 0);
	assert_false(mf_has_record(NIC));
}

static void test_device_gone(void **state)
{
	int pid = mf_dead_pid();
	char log[256], want[128];

	write_record("0000:00:1f.6", "e1000e", pid, 1);
	assert_int_equal(CLEANUP(log), 0);
	snprintf(want, sizeof(want),
		 "0000:00:1f.6: gone from the system; record removed (ptvm pid %d is gone)\n", pid);
	assert_string_equal(out.text, want);
	assert_false(mf_has_record("0000:00:1f.6"));
}

/*
 * A device that does not go back to its driver keeps its record (here the ID
 * match gives it e1000e, not the igb it had); the others are still done.
 */
static void test_restore_fails(void **state)
{
	int pid = mf_dead_pid();
	char log[256], want[128];

	left_on_vfio(NIC);
	left_on_vfio(FN0);
	write_record(NIC, "e1000e", pid, 1);
	write_record(FN0, "igb", pid, 1);
	fdc_add_driver("igb");
	assert_int_equal(CLEANUP(log), -EIO);
	assert_string_equal(log, "ptvm: " FN0 ": igb did not bind again (driver now: e1000e; see "
				 "dmesg)\n");
	snprintf(want, sizeof(want), NIC ": vfio-pci -> e1000e (ptvm pid %d is gone)\n", pid);
	assert_string_equal(out.text, want);
	assert_true(mf_has_record(FN0));
	assert_false(mf_has_record(NIC));
}

/* A record that cannot be read is named and kept; the ones after it are still done. */
static void test_unreadable_record(void **state)
{
	int pid = mf_dead_pid();
	char log[512], want[512];

	left_on_vfio(NIC);
	fake_sysfs_add_file(&fdc.fs, "run/ptvm/0000:00:01.0", "garbage\n");
	write_record(NIC, "e1000e", pid, 1);
	assert_int_equal(CLEANUP(log), -EINVAL);
	snprintf(want, sizeof(want),
		 "ptvm: %s/0000:00:01.0 is not a record ptvm can read (Invalid argument); remove "
		 "it once 0000:00:01.0 is back on its driver\n",
		 mf.run);
	assert_string_equal(log, want);
	assert_non_null(strstr(out.text, NIC ": vfio-pci -> e1000e"));
	assert_true(fdc_exists("run/ptvm/0000:00:01.0"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dead_owner_restored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_live_owner_left, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pid_reused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_several, setup, teardown),
		cmocka_unit_test_setup_teardown(test_died_before_change, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_gone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restore_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unreadable_record, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
