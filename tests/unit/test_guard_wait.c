// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/guard_wait.c against a fake /dev/ptguard: QUERY until the device is
 * FREE; no ptguard is no wait; a device held by another owner, a failed
 * reset and a reset that never comes are each one line and an error.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>

#include <ptvm/ptguard.h>

#include "guard_wait.h"
#include "log_capture.h"

#define FAKE_FD 55

static struct {
	/* Script. */
	int open_ret;
	unsigned pending; /* QUERY answers RESET_PENDING this many times first */
	uint32_t state;	  /* then this */
	int ioctl_ret;
	/* Record. */
	unsigned nr_open, nr_query;
	uint32_t addr;
	bool open;
} fk;

static int fake_open(const char *path, int flags)
{
	assert_string_equal(path, "/dev/ptguard");
	fk.nr_open++;
	if (fk.open_ret < 0)
		return fk.open_ret;
	fk.open = true;
	return FAKE_FD;
}

static int fake_close(int fd)
{
	assert_int_equal(fd, FAKE_FD);
	fk.open = false;
	return 0;
}

static int fake_ioctl(int fd, unsigned long req, void *arg)
{
	struct ptguard_query *q = arg;

	assert_int_equal(fd, FAKE_FD);
	assert_int_equal(req, PTGUARD_QUERY);
	fk.addr = q->addr;
	if (fk.ioctl_ret)
		return fk.ioctl_ret;
	q->related[0].addr = q->addr;
	q->related[0].state = fk.nr_query++ < fk.pending ? PTGUARD_STATE_RESET_PENDING : fk.state;
	if (q->related[0].state == PTGUARD_STATE_HELD) {
		q->related[0].owner_pid = 1234;
		memset(q->related[0].owner, 'v', sizeof(q->related[0].owner)); /* no NUL */
	}
	return 0;
}

static const struct sys_ops fake_sys = {
	.open = fake_open, .close = fake_close, .ioctl = fake_ioctl};
static const struct pci_bdf nic = {0, 3, 0, 1};

static int setup(void **state)
{
	memset(&fk, 0, sizeof(fk));
	fk.state = PTGUARD_STATE_FREE;
	return 0;
}

static int wait_logged(unsigned timeout_ms, char *log, size_t len)
{
	struct log_capture lc;
	int ret;

	log_capture_start(&lc);
	ret = guard_wait_free(&fake_sys, &nic, timeout_ms);
	log_capture_end(&lc);
	snprintf(log, len, "%s", lc.text);
	log_capture_free(&lc);
	assert_false(fk.open);
	return ret;
}

static void test_no_ptguard(void **state)
{
	char log[256];

	fk.open_ret = -ENOENT;
	assert_int_equal(wait_logged(100, log, sizeof(log)), 0);
	assert_string_equal(log, "");
	assert_int_equal(fk.nr_query, 0);
}

static void test_free_at_once(void **state)
{
	char log[256];

	assert_int_equal(wait_logged(100, log, sizeof(log)), 0);
	assert_string_equal(log, "");
	assert_int_equal(fk.nr_query, 1);
	assert_int_equal(fk.addr, PTGUARD_ADDR(0, 3, 0, 1));
}

static void test_pending_then_free(void **state)
{
	char log[256];

	fk.pending = 3;
	assert_int_equal(wait_logged(1000, log, sizeof(log)), 0);
	assert_string_equal(log, "");
	assert_int_equal(fk.nr_query, 4);
}

static void test_held(void **state)
{
	char log[256];

	fk.state = PTGUARD_STATE_HELD;
	assert_int_equal(wait_logged(1000, log, sizeof(log)), -EBUSY);
	assert_string_equal(log, "ptvm: ptguard: 0000:03:00.1 is held by "
				 "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv (pid 1234); left as it is\n");
}

static void test_reset_failed(void **state)
{
	char log[256];

	fk.pending = 1;
	fk.state = PTGUARD_STATE_RESET_FAILED;
	assert_int_equal(wait_logged(1000, log, sizeof(log)), -EIO);
	assert_string_equal(log, "ptvm: ptguard: 0000:03:00.1: its reset after release failed (see "
				 "dmesg); left on vfio-pci\n");
}

static void test_timeout(void **state)
{
	char log[256];

	fk.pending = 1000;
	assert_int_equal(wait_logged(60, log, sizeof(log)), -ETIMEDOUT);
	assert_string_equal(log, "ptvm: ptguard: 0000:03:00.1: its reset after release is still "
				 "pending after 60 ms; left on vfio-pci\n");
	assert_int_equal(fk.nr_query, 4); /* at 0, 20, 40 and 60 ms */
}

static void test_no_query(void **state)
{
	char log[256];

	fk.ioctl_ret = -ENOTTY;
	assert_int_equal(wait_logged(100, log, sizeof(log)), 0);
	assert_string_equal(log, "");
	fk.ioctl_ret = -EFAULT;
	assert_int_equal(wait_logged(100, log, sizeof(log)), -EFAULT);
	assert_string_equal(log, "ptvm: ptguard: 0000:03:00.1: QUERY: Bad address\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_no_ptguard, setup),
		cmocka_unit_test_setup(test_free_at_once, setup),
		cmocka_unit_test_setup(test_pending_then_free, setup),
		cmocka_unit_test_setup(test_held, setup),
		cmocka_unit_test_setup(test_reset_failed, setup),
		cmocka_unit_test_setup(test_timeout, setup),
		cmocka_unit_test_setup(test_no_query, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
