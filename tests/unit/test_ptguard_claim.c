// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/guard.c against a fake /dev/ptguard behind struct sys_ops: the claim
 * it sends, the kernel's refusal as one log line, and the absent guard
 * (no node, or a module without the calls) warned about once.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>

#include <ptvm/ptguard.h>

#include "guard.h"
#include "log_capture.h"

#define FAKE_FD 77

static struct {
	/* Script. */
	int open_ret;  /* < 0: open fails so */
	int ioctl_ret; /* < 0: CLAIM fails so */
	const char *reason;
	bool unterminated; /* fill reason[] to the last byte, no NUL */
	/* Record. */
	char path[64];
	int flags;
	unsigned nr_open, nr_ioctl, nr_close;
	unsigned long req;
	struct ptguard_claim claim;
	bool fd_open;
} fk;

static int fake_open(const char *path, int flags)
{
	fk.nr_open++;
	snprintf(fk.path, sizeof(fk.path), "%s", path);
	fk.flags = flags;
	if (fk.open_ret < 0)
		return fk.open_ret;
	fk.fd_open = true;
	return FAKE_FD;
}

static int fake_close(int fd)
{
	assert_int_equal(fd, FAKE_FD);
	assert_true(fk.fd_open);
	fk.fd_open = false;
	fk.nr_close++;
	return 0;
}

static int fake_ioctl(int fd, unsigned long req, void *arg)
{
	struct ptguard_claim *c = arg;

	assert_int_equal(fd, FAKE_FD);
	fk.nr_ioctl++;
	fk.req = req;
	memcpy(&fk.claim, c, sizeof(*c));
	if (fk.unterminated)
		memset(c->reason, 'x', sizeof(c->reason));
	else if (fk.reason)
		snprintf(c->reason, sizeof(c->reason), "%s", fk.reason);
	return fk.ioctl_ret;
}

static const struct sys_ops fake_sys = {
	.open = fake_open,
	.close = fake_close,
	.ioctl = fake_ioctl,
};

static const struct pci_bdf e1000s[] = {{0, 2, 1, 0}, {0, 2, 2, 0}};
static const char absent_line[] = "ptvm: ptguard: /dev/ptguard not present; devices are not "
				  "protected against shared reset domains (load ptguard.ko)\n";

static int setup(void **state)
{
	memset(&fk, 0, sizeof(fk));
	guard_forget_warning();
	*state = calloc(1, sizeof(struct log_capture));
	return 0;
}

static int teardown(void **state)
{
	log_capture_free(*state);
	free(*state);
	return 0;
}

static void test_granted(void **state)
{
	struct log_capture *lc = *state;
	int fd = -5;

	log_capture_start(lc);
	assert_int_equal(guard_claim(&fake_sys, "ptvm", e1000s, 2, false, &fd), 0);
	assert_string_equal(log_capture_end(lc), "");
	assert_int_equal(fd, FAKE_FD);
	assert_string_equal(fk.path, "/dev/ptguard");
	assert_int_equal(fk.flags & O_ACCMODE, O_RDWR);
	assert_int_equal(fk.req, PTGUARD_CLAIM);
	assert_int_equal(fk.claim.nr_devs, 2);
	assert_int_equal(fk.claim.devs[0], PTGUARD_ADDR(0, 2, 1, 0));
	assert_int_equal(fk.claim.devs[1], PTGUARD_ADDR(0, 2, 2, 0));
	assert_int_equal(fk.claim.flags, 0);
	assert_int_equal(fk.claim.reserved, 0);
	assert_string_equal(fk.claim.owner, "ptvm");
	/* The file stays open: it is the claim. */
	assert_true(fk.fd_open);
	assert_int_equal(fk.nr_close, 0);
}

static void test_allow_no_reset(void **state)
{
	const struct pci_bdf dev = {0x12, 0xab, 0x1f, 7};
	int fd;

	assert_int_equal(guard_claim(&fake_sys, "vm-a", &dev, 1, true, &fd), 0);
	assert_int_equal(fk.claim.flags, PTGUARD_CLAIM_ALLOW_NO_RESET);
	assert_int_equal(fk.claim.devs[0], 0x12abffu);
}

static void test_refused(void **state)
{
	struct log_capture *lc = *state;
	int fd = 3;

	fk.ioctl_ret = -EBUSY;
	fk.reason = "0000:02:02.0 shares its bus reset domain and IOMMU group 7 with 0000:02:01.0, "
		    "held by ptvm (pid 42)";
	log_capture_start(lc);
	assert_int_equal(guard_claim(&fake_sys, "ptvm", &e1000s[1], 1, false, &fd), -EBUSY);
	assert_string_equal(log_capture_end(lc),
			    "ptvm: ptguard: refused: 0000:02:02.0 shares its bus reset domain and "
			    "IOMMU group 7 with 0000:02:01.0, held by ptvm (pid 42)\n");
	assert_int_equal(fd, -1);
	assert_false(fk.fd_open);
}

static void test_refused_no_reset(void **state)
{
	struct log_capture *lc = *state;
	int fd;

	fk.ioctl_ret = -EPERM;
	fk.reason = "0000:00:03.0 has no reset method";
	log_capture_start(lc);
	assert_int_equal(guard_claim(&fake_sys, "ptvm", e1000s, 1, false, &fd), -EPERM);
	assert_string_equal(log_capture_end(lc),
			    "ptvm: ptguard: refused: 0000:00:03.0 has no reset method\n");
	assert_false(fk.fd_open);
}

/* No reason from the kernel: the errno says what it can. */
static void test_refused_without_reason(void **state)
{
	struct log_capture *lc = *state;
	int fd;

	fk.ioctl_ret = -ENODEV;
	log_capture_start(lc);
	assert_int_equal(guard_claim(&fake_sys, "ptvm", e1000s, 1, false, &fd), -ENODEV);
	assert_string_equal(log_capture_end(lc), "ptvm: ptguard: refused: No such device\n");
}

static void test_reason_unterminated(void **state)
{
	struct log_capture *lc = *state;
	int fd;

	fk.ioctl_ret = -EBUSY;
	fk.unterminated = true;
	log_capture_start(lc);
	assert_int_equal(guard_claim(&fake_sys, "ptvm", e1000s, 1, false, &fd), -EBUSY);
	log_capture_end(lc);
	assert_int_equal(strlen(lc->text),
			 strlen("ptvm: ptguard: refused: \n") + PTGUARD_REASON_MAX - 1);
}

/* No /dev/ptguard: warn once per process, go on unprotected. */
static void test_absent(void **state)
{
	struct log_capture *lc = *state;
	int fd = 9;

	fk.open_ret = -ENOENT;
	log_capture_start(lc);
	assert_int_equal(guard_claim(&fake_sys, "ptvm", e1000s, 2, false, &fd), 0);
	assert_int_equal(fd, -1);
	assert_int_equal(guard_claim(&fake_sys, "ptvm", e1000s, 2, false, &fd), 0);
	assert_string_equal(log_capture_end(lc), absent_line);
	assert_int_equal(fk.nr_ioctl, 0);
}

/* A stale node whose module is gone counts as absent too. */
static void test_absent_nxio(void **state)
{
	struct log_capture *lc = *state;
	int fd;

	fk.open_ret = -ENXIO;
	log_capture_start(lc);
	assert_int_equal(guard_claim(&fake_sys, "ptvm", e1000s, 1, false, &fd), 0);
	assert_string_equal(log_capture_end(lc), absent_line);
	assert_int_equal(fd, -1);
}

/* The skeleton module answers every ioctl -ENOTTY: treated as absent. */
static void test_enotty_is_absent(void **state)
{
	struct log_capture *lc = *state;
	int fd;

	fk.ioctl_ret = -ENOTTY;
	log_capture_start(lc);
	assert_int_equal(guard_claim(&fake_sys, "ptvm", e1000s, 1, false, &fd), 0);
	assert_string_equal(log_capture_end(lc), absent_line);
	assert_int_equal(fd, -1);
	assert_false(fk.fd_open);
	assert_int_equal(fk.nr_close, 1);
}

static void test_open_denied(void **state)
{
	struct log_capture *lc = *state;
	int fd;

	fk.open_ret = -EACCES;
	log_capture_start(lc);
	assert_int_equal(guard_claim(&fake_sys, "ptvm", e1000s, 1, false, &fd), -EACCES);
	assert_string_equal(log_capture_end(lc),
			    "ptvm: ptguard: cannot open /dev/ptguard: Permission denied\n");
	assert_int_equal(fd, -1);
}

static void test_nothing_to_claim(void **state)
{
	int fd = 4;

	assert_int_equal(guard_claim(&fake_sys, "ptvm", NULL, 0, false, &fd), 0);
	assert_int_equal(fd, -1);
	assert_int_equal(fk.nr_open, 0);
}

static void test_bad_arguments(void **state)
{
	struct log_capture *lc = *state;
	struct pci_bdf many[PTGUARD_CLAIM_MAX + 1] = {0};
	int fd;

	log_capture_start(lc);
	assert_int_equal(guard_claim(&fake_sys, "ptvm", many, PTGUARD_CLAIM_MAX + 1, false, &fd),
			 -EINVAL);
	assert_int_equal(guard_claim(&fake_sys, "a-name-far-too-long-for-the-abi-field", many, 1,
				     false, &fd),
			 -EINVAL);
	log_capture_end(lc);
	assert_non_null(strstr(lc->text, "cannot claim 17 devices"));
	assert_int_equal(fk.nr_open, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_granted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_allow_no_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_no_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_without_reason, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reason_unterminated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_absent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_absent_nxio, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enotty_is_absent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_denied, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nothing_to_claim, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
