// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/managed/managed_record.c: a record is written whole or not at all,
 * only one per device, read back as written, and its owner is alive only
 * while the same pid has the same start time.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "managed/managed_internal.h"
#include "vfio_fake_sysfs.h"

static struct fake_sysfs fs;
static char run[96];

static int setup(void **state)
{
	fake_sysfs_init(&fs);
	snprintf(run, sizeof(run), "%s/ptvm", fs.root);
	return 0;
}

static int teardown(void **state)
{
	fake_sysfs_destroy(&fs);
	return 0;
}

static struct managed_record rec(const char *bdf, const char *driver, int pid)
{
	struct managed_record r = {.pid = pid, .start = 4242, .time = 1764590000};

	snprintf(r.bdf, sizeof(r.bdf), "%s", bdf);
	snprintf(r.driver, sizeof(r.driver), "%s", driver);
	return r;
}

static unsigned nr_files(void)
{
	unsigned n = 0;
	DIR *d = opendir(run);

	while (d && readdir(d))
		n++;
	if (d)
		closedir(d);
	return n - 2; /* . and .. */
}

static void test_roundtrip(void **state)
{
	struct managed_record w = rec("0000:00:02.0", "e1000e", 77), r;
	char path[PATH_MAX], text[256];
	struct stat st;

	assert_int_equal(managed_record_create(run, &w), 0);
	assert_int_equal(stat(run, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	fake_sysfs_read(&fs, "ptvm/0000:00:02.0", text, sizeof(text));
	assert_string_equal(text, "bdf=0000:00:02.0\ndriver=e1000e\npid=77\nstart=4242\n"
				  "time=1764590000\n");
	snprintf(path, sizeof(path), "%s/0000:00:02.0", run);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(managed_record_read(run, "0000:00:02.0", &r), 0);
	assert_string_equal(r.bdf, "0000:00:02.0");
	assert_string_equal(r.driver, "e1000e");
	assert_int_equal(r.pid, 77);
	assert_int_equal(r.start, 4242);
	assert_int_equal(r.time, 1764590000);
	/* A device that had no driver. */
	w = rec("0000:00:04.0", "", 78);
	assert_int_equal(managed_record_create(run, &w), 0);
	assert_int_equal(managed_record_read(run, "0000:00:04.0", &r), 0);
	assert_string_equal(r.driver, "");
	assert_int_equal(nr_files(), 2); /* no temporary file left */
}

/* Two ptvm for one device: the second gets -EEXIST, the first record stays. */
static void test_one_per_device(void **state)
{
	struct managed_record a = rec("0000:00:02.0", "e1000e", 77);
	struct managed_record b = rec("0000:00:02.0", "igb", 88), r;

	assert_int_equal(managed_record_create(run, &a), 0);
	assert_int_equal(managed_record_create(run, &b), -EEXIST);
	assert_int_equal(managed_record_read(run, "0000:00:02.0", &r), 0);
	assert_int_equal(r.pid, 77);
	assert_int_equal(nr_files(), 1);
}

static void test_read_bad(void **state)
{
	struct managed_record r;

	assert_int_equal(managed_record_read(run, "0000:00:02.0", &r), -ENOENT);
	fake_sysfs_add_file(&fs, "ptvm/0000:00:02.0", "garbage\n");
	assert_int_equal(managed_record_read(run, "0000:00:02.0", &r), -EINVAL);
	/* No driver: nothing says where the device goes back to. */
	fake_sysfs_add_file(&fs, "ptvm/0000:00:02.0", "bdf=0000:00:02.0\npid=5\nstart=1\n");
	assert_int_equal(managed_record_read(run, "0000:00:02.0", &r), -EINVAL);
	/* No pid: nothing says whose it is. */
	fake_sysfs_add_file(&fs, "ptvm/0000:00:02.0", "bdf=0000:00:02.0\ndriver=e1000e\nstart=1\n");
	assert_int_equal(managed_record_read(run, "0000:00:02.0", &r), -EINVAL);
	/* Another device's record under this name. */
	fake_sysfs_add_file(&fs, "ptvm/0000:00:02.0",
			    "bdf=0000:00:03.0\ndriver=nvme\npid=5\nstart=1\n");
	assert_int_equal(managed_record_read(run, "0000:00:02.0", &r), -EINVAL);
	fake_sysfs_add_file(&fs, "ptvm/0000:00:02.0",
			    "bdf=0000:00:02.0\ndriver=e1000e\npid=5\nstart=1\n");
	assert_int_equal(managed_record_read(run, "0000:00:02.0", &r), 0);
}

static void test_remove(void **state)
{
	struct managed_record w = rec("0000:00:02.0", "e1000e", 77), r;

	assert_int_equal(managed_record_create(run, &w), 0);
	assert_int_equal(managed_record_remove(run, "0000:00:02.0"), 0);
	assert_int_equal(managed_record_read(run, "0000:00:02.0", &r), -ENOENT);
	assert_int_equal(managed_record_remove(run, "0000:00:02.0"), 0);
}

static void test_alive(void **state)
{
	struct managed_record self, r;
	pid_t pid;

	assert_int_equal(managed_record_self(&self), 0);
	assert_int_equal(self.pid, getpid());
	assert_true(self.start > 0);
	assert_true(managed_record_alive(&self));
	r = self;
	r.start++;
	assert_false(managed_record_alive(&r));
	pid = fork();
	if (!pid)
		_exit(0);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	r.pid = pid;
	assert_false(managed_record_alive(&r));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_per_device, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_bad, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alive, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
