// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/managed/managed.c, the managed state machine, on a simulated driver
 * core: a device moves to vfio-pci with its record written first, and goes
 * back to its driver, record removed, on every way out: managed_reattach()
 * after the VM, and the unwinding of a managed_detach() that failed half-way.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ptvm/ptguard.h>

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

static struct managed *detach_ok(const char *const *names, unsigned n)
{
	struct pci_bdf b[MANAGED_MAX];
	struct managed *m = NULL;

	for (unsigned i = 0; i < n; i++)
		b[i] = mf_bdf(names[i]);
	assert_int_equal(managed_detach(&mf.env, b, n, &m), 0);
	assert_non_null(m);
	return m;
}

static void test_detach_reattach(void **state)
{
	static const char *const one[] = {NIC};
	struct managed_record r;
	struct managed *m;

	m = detach_ok(one, 1);
	assert_string_equal(mf_driver(NIC), "vfio-pci");
	assert_true(fdc_exists("dev/vfio/2"));
	/* The record was on disk before the first write that changed the device. */
	assert_false(fdc.change_without_record);
	assert_int_equal(managed_record_read(mf.run, NIC, &r), 0);
	assert_string_equal(r.driver, "e1000e");
	assert_int_equal(r.pid, getpid());
	assert_true(managed_record_alive(&r));

	assert_int_equal(managed_reattach(m), 0);
	assert_string_equal(mf_driver(NIC), "e1000e");
	assert_false(mf_has_record(NIC));
}

/* Not ptvm's change, not ptvm's to undo: no write, no record, then or at exit. */
static void test_already_on_vfio(void **state)
{
	static const char *const one[] = {NVME};
	struct managed *m = detach_ok(one, 1);

	assert_int_equal(fdc.nr_writes, 0);
	assert_false(mf_has_record(NVME));
	assert_int_equal(managed_reattach(m), 0);
	assert_int_equal(fdc.nr_writes, 0);
	assert_string_equal(mf_driver(NVME), "vfio-pci");
}

static void test_group_moves_together(void **state)
{
	static const char *const both[] = {FN0, FN1};
	struct managed *m = detach_ok(both, 2);

	assert_string_equal(mf_driver(FN0), "vfio-pci");
	assert_string_equal(mf_driver(FN1), "vfio-pci");
	assert_true(mf_has_record(FN0) && mf_has_record(FN1));
	assert_int_equal(managed_reattach(m), 0);
	assert_string_equal(mf_driver(FN0), "e1000e");
	assert_string_equal(mf_driver(FN1), "e1000e");
	assert_false(mf_has_record(FN0) || mf_has_record(FN1));
}

/* A device that had no driver goes back to none, not to what would match it. */
static void test_unbound_stays_unbound(void **state)
{
	static const char *const one[] = {IDLE};
	struct managed *m = detach_ok(one, 1);

	assert_string_equal(mf_driver(IDLE), "vfio-pci");
	assert_int_equal(managed_reattach(m), 0);
	assert_string_equal(mf_driver(IDLE), "");
	assert_false(mf_has_record(IDLE));
}

/* The second device fails half-way: both go back, both records go, one line. */
static void test_setup_error_gives_back(void **state)
{
	const struct pci_bdf b[] = {mf_bdf(IDLE), mf_bdf(NIC)};
	struct managed *m = NULL;
	char log[256], ovr[32];

	snprintf(fdc.fail_path, sizeof(fdc.fail_path), "bus/pci/drivers/e1000e/unbind");
	fdc.fail_ret = -EBUSY;
	assert_int_equal(LOG_CAPTURED(log, managed_detach(&mf.env, b, 2, &m)), -EBUSY);
	assert_null(m);
	assert_string_equal(log, "ptvm: " NIC ": unbind from e1000e failed: Device or resource "
				 "busy\n");
	assert_string_equal(mf_driver(IDLE), "");
	assert_string_equal(mf_driver(NIC), "e1000e");
	assert_string_equal(fdc_override(NIC, ovr, sizeof(ovr)), "(null)");
	assert_false(mf_has_record(IDLE) || mf_has_record(NIC));
}

static void test_setup_error_no_node(void **state)
{
	const struct pci_bdf b = mf_bdf(NIC);
	struct managed *m = NULL;
	char log[256];

	fdc.no_vfio_node = true;
	assert_int_equal(LOG_CAPTURED(log, managed_detach(&mf.env, &b, 1, &m)), -ETIMEDOUT);
	assert_non_null(strstr(log, "/dev/vfio/2 did not appear within 50 ms"));
	assert_string_equal(mf_driver(NIC), "e1000e");
	assert_false(mf_has_record(NIC));
}

/* No record, no change: managed mode will not move what it could not give back. */
static void test_record_unwritable(void **state)
{
	const struct pci_bdf b = mf_bdf(NIC);
	struct managed *m = NULL;
	char log[512], run[128];

	snprintf(run, sizeof(run), "%s/nowhere/ptvm", fdc.fs.root);
	mf.env.run = run;
	assert_int_equal(LOG_CAPTURED(log, managed_detach(&mf.env, &b, 1, &m)), -ENOENT);
	assert_non_null(strstr(log, "ptvm: " NIC ": cannot record it in "));
	assert_non_null(strstr(log,
			       "/nowhere/ptvm: No such file or directory (managed mode needs "
			       "it; or bind it with scripts/bind-vfio and use --unmanaged)\n"));
	assert_int_equal(fdc.nr_writes, 0);
	assert_string_equal(mf_driver(NIC), "e1000e");
}

/* A refusal comes before the first change. */
static void test_refused_changes_nothing(void **state)
{
	const struct pci_bdf b[] = {mf_bdf(NIC), mf_bdf(FN0)};
	struct managed *m = NULL;
	char log[512];

	assert_int_equal(LOG_CAPTURED(log, managed_detach(&mf.env, b, 2, &m)), -EBUSY);
	assert_non_null(strstr(log, FN1 " (bound to e1000e)"));
	assert_int_equal(fdc.nr_writes, 0);
	assert_false(mf_has_record(NIC));
	assert_string_equal(mf_driver(NIC), "e1000e");
}

/* A device that does not go back keeps its record, for `ptvm cleanup`. */
static void test_reattach_fails_keeps_record(void **state)
{
	static const char *const one[] = {NIC};
	struct managed *m = detach_ok(one, 1);
	char log[256];

	snprintf(fdc.refuse, sizeof(fdc.refuse), "e1000e");
	assert_int_equal(LOG_CAPTURED(log, managed_reattach(m)), -EIO);
	assert_string_equal(log, "ptvm: " NIC ": e1000e did not bind again (driver now: no driver; "
				 "see dmesg)\n");
	assert_true(mf_has_record(NIC));
}

static void test_reattach_gone(void **state)
{
	static const char *const one[] = {NIC};
	struct managed *m = detach_ok(one, 1);
	char path[PATH_MAX];

	/* Hot-removed while the guest ran. */
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s", fdc.fs.root, NIC);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(managed_reattach(m), 0);
	assert_false(mf_has_record(NIC));
}

/* A fake /dev/ptguard: QUERY says RESET_PENDING @pending times, then @final. */
static struct {
	unsigned pending, nr_query, writes_at_free;
	uint32_t final;
	bool open;
} fg;

static int fg_open(const char *path, int flags)
{
	fg.open = true;
	return 7;
}

static int fg_close(int fd)
{
	fg.open = false;
	return 0;
}

static int fg_ioctl(int fd, unsigned long req, void *arg)
{
	struct ptguard_query *q = arg;

	assert_int_equal(req, PTGUARD_QUERY);
	q->related[0].state = fg.nr_query++ < fg.pending ? PTGUARD_STATE_RESET_PENDING : fg.final;
	q->related[0].owner_pid = 4321;
	snprintf(q->related[0].owner, sizeof(q->related[0].owner), "ptvm");
	if (q->related[0].state == PTGUARD_STATE_FREE)
		fg.writes_at_free = fdc.nr_writes;
	return 0;
}

static const struct sys_ops fg_sys = {.open = fg_open, .close = fg_close, .ioctl = fg_ioctl};

/* Back to the host driver only once ptguard has reset the device. */
static void test_reattach_waits_for_ptguard(void **state)
{
	static const char *const one[] = {NIC};
	struct managed *m = detach_ok(one, 1);
	unsigned writes = fdc.nr_writes;

	mf.env.sys = &fg_sys;
	fg = (typeof(fg)){.pending = 2, .final = PTGUARD_STATE_FREE};
	assert_int_equal(managed_reattach(m), 0);
	assert_int_equal(fg.nr_query, 3);
	assert_int_equal(fg.writes_at_free, writes);
	assert_false(fg.open);
	assert_string_equal(mf_driver(NIC), "e1000e");
}

static void test_reattach_held_elsewhere(void **state)
{
	static const char *const one[] = {NIC};
	struct managed *m = detach_ok(one, 1);
	unsigned writes = fdc.nr_writes;
	char log[256];

	mf.env.sys = &fg_sys;
	fg = (typeof(fg)){.final = PTGUARD_STATE_HELD};
	assert_int_equal(LOG_CAPTURED(log, managed_reattach(m)), -EBUSY);
	assert_string_equal(log, "ptvm: ptguard: " NIC " is held by ptvm (pid 4321); left as it "
				 "is\n");
	assert_int_equal(fdc.nr_writes, writes);
	assert_string_equal(mf_driver(NIC), "vfio-pci");
	assert_true(mf_has_record(NIC));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_detach_reattach, setup, teardown),
		cmocka_unit_test_setup_teardown(test_already_on_vfio, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_moves_together, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unbound_stays_unbound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_setup_error_gives_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_setup_error_no_node, setup, teardown),
		cmocka_unit_test_setup_teardown(test_record_unwritable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_changes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reattach_fails_keeps_record, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reattach_gone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reattach_waits_for_ptguard, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reattach_held_elsewhere, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
