// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/guard.c against a fake /dev/ptguard behind struct sys_ops: the claim
 * it sends, the kernel's refusal as one log line, the module loaded when
 * the node is missing (modprobe, then the ptguard.ko beside the binary,
 * then the build tree's), the refusal when nothing loads, and --no-guard.
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
#define KO_FD	78

static struct {
	/* Script. */
	int open_ret;	/* /dev/ptguard before a load: < 0 fails so, else FAKE_FD */
	int reopen_ret; /* /dev/ptguard after a load: the same */
	int ioctl_ret;	/* < 0: CLAIM fails so */
	const char *reason;
	bool unterminated; /* fill reason[] to the last byte, no NUL */
	int run_ret;	   /* modprobe's exit status, or -errno */
	const char *exe;   /* /proc/self/exe; NULL: readlink fails */
	const char *ko[2]; /* module files that exist */
	int finit_ret;
	/* Record. */
	char path[64];
	int flags;
	unsigned nr_open, nr_ioctl, nr_close, nr_run, nr_finit;
	char run_argv[64];
	char tried[4][128]; /* module files opened, in order */
	unsigned nr_tried;
	bool loaded;
	unsigned long req;
	struct ptguard_claim claim;
	bool fd_open, ko_open;
} fk;

static int fake_open(const char *path, int flags)
{
	fk.nr_open++;
	if (strcmp(path, GUARD_PATH)) {
		assert_int_equal(flags & O_ACCMODE, O_RDONLY);
		assert_true(fk.nr_tried < ARRAY_SIZE(fk.tried));
		snprintf(fk.tried[fk.nr_tried++], sizeof(fk.tried[0]), "%s", path);
		for (unsigned i = 0; i < ARRAY_SIZE(fk.ko); i++) {
			if (fk.ko[i] && !strcmp(path, fk.ko[i])) {
				fk.ko_open = true;
				return KO_FD;
			}
		}
		return -ENOENT;
	}
	snprintf(fk.path, sizeof(fk.path), "%s", path);
	fk.flags = flags;
	if ((fk.loaded ? fk.reopen_ret : fk.open_ret) < 0)
		return fk.loaded ? fk.reopen_ret : fk.open_ret;
	fk.fd_open = true;
	return FAKE_FD;
}

static int fake_close(int fd)
{
	if (fd == KO_FD) {
		assert_true(fk.ko_open);
		fk.ko_open = false;
		return 0;
	}
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

static ssize_t fake_readlink(const char *path, char *buf, size_t len)
{
	size_t n;

	assert_string_equal(path, "/proc/self/exe");
	if (!fk.exe)
		return -ENOENT;
	n = MIN(strlen(fk.exe), len);
	memcpy(buf, fk.exe, n);
	return n;
}

static int fake_run(const char *const argv[])
{
	size_t used = 0;

	fk.nr_run++;
	for (unsigned i = 0; argv[i]; i++)
		used += snprintf(fk.run_argv + used, sizeof(fk.run_argv) - used, "%s%s",
				 i ? " " : "", argv[i]);
	if (!fk.run_ret)
		fk.loaded = true;
	return fk.run_ret;
}

static int fake_finit_module(int fd, const char *params, int flags)
{
	assert_int_equal(fd, KO_FD);
	assert_string_equal(params, "");
	assert_int_equal(flags, 0);
	fk.nr_finit++;
	if (!fk.finit_ret || fk.finit_ret == -EEXIST)
		fk.loaded = true;
	return fk.finit_ret;
}

static const struct sys_ops fake_sys = {
	.open = fake_open,
	.close = fake_close,
	.ioctl = fake_ioctl,
	.readlink = fake_readlink,
	.run = fake_run,
	.finit_module = fake_finit_module,
};

static const struct pci_bdf e1000s[] = {{0, 2, 1, 0}, {0, 2, 2, 0}};

static int setup(void **state)
{
	memset(&fk, 0, sizeof(fk));
	fk.run_ret = 1;
	fk.exe = "/opt/ptvm/build/ptvm";
	*state = calloc(1, sizeof(struct log_capture));
	return 0;
}

static int teardown(void **state)
{
	/* Whatever happened, no module file is left open. */
	assert_false(fk.ko_open);
	log_capture_free(*state);
	free(*state);
	return 0;
}

static void test_granted(void **state)
{
	struct log_capture *lc = *state;
	int fd = -5;

	log_capture_start(lc);
	assert_int_equal(guard_claim(&fake_sys, "ptvm", e1000s, 2, 0, &fd), 0);
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
	/* The file stays open: it is the claim. Nothing was loaded. */
	assert_true(fk.fd_open);
	assert_int_equal(fk.nr_close, 0);
	assert_int_equal(fk.nr_run, 0);
}

static void test_allow_no_reset(void **state)
{
	const struct pci_bdf dev = {0x12, 0xab, 0x1f, 7};
	int fd;

	assert_int_equal(guard_claim(&fake_sys, "vm-a", &dev, 1, GUARD_ALLOW_NO_RESET, &fd), 0);
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
	assert_int_equal(guard_claim(&fake_sys, "ptvm", &e1000s[1], 1, 0, &fd), -EBUSY);
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
	assert_int_equal(guard_claim(&fake_sys, "ptvm", e1000s, 1, 0, &fd), -EPERM);
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
	assert_int_equal(guard_claim(&fake_sys, "ptvm", e1000s, 1, 0, &fd), -ENODEV);
	assert_string_equal(log_capture_end(lc), "ptvm: ptguard: refused: No such device\n");
}

static void test_reason_unterminated(void **state)
{
	struct log_capture *lc = *state;
	int fd;

	fk.ioctl_ret = -EBUSY;
	fk.unterminated = true;
	log_capture_start(lc);
	assert_int_equal(guard_claim(&fake_sys, "ptvm", e1000s, 1, 0, &fd), -EBUSY);
	log_capture_end(lc);
	assert_int_equal(strlen(lc->text),
			 strlen("ptvm: ptguard: refused: \n") + PTGUARD_REASON_MAX - 1);
}

/* No /dev/ptguard: modprobe loads it, the claim goes on. */
static void test_absent_modprobe(void **state)
{
	struct log_capture *lc = *state;
	int fd = 9;

	fk.open_ret = -ENOENT;
	fk.run_ret = 0;
	log_capture_start(lc);
	assert_int_equal(guard_claim(&fake_sys, "ptvm", e1000s, 2, 0, &fd), 0);
	assert_string_equal(log_capture_end(lc), "ptvm: ptguard: /dev/ptguard was missing: loaded "
						 "the module with modprobe\n");
	assert_string_equal(fk.run_argv, "modprobe ptguard");
	assert_int_equal(fk.nr_finit, 0);
	assert_int_equal(fk.nr_ioctl, 1);
	assert_int_equal(fd, FAKE_FD);
}

/* modprobe knows no ptguard: the module beside the binary comes first. */
static void test_absent_beside_binary(void **state)
{
	struct log_capture *lc = *state;
	int fd;

	fk.open_ret = -ENOENT;
	fk.exe = "/bin/ptvm";
	fk.ko[0] = "/bin/ptguard.ko";
	fk.ko[1] = "/kmod/ptguard.ko";
	log_capture_start(lc);
	assert_int_equal(guard_claim(&fake_sys, "ptvm", e1000s, 1, 0, &fd), 0);
	assert_string_equal(log_capture_end(lc),
			    "ptvm: ptguard: /dev/ptguard was missing: loaded /bin/ptguard.ko\n");
	assert_int_equal(fk.nr_run, 1);
	assert_int_equal(fk.nr_tried, 1);
	assert_int_equal(fk.nr_finit, 1);
	assert_int_equal(fd, FAKE_FD);
}

/* Then the source tree's make kmod output, for build/ptvm. */
static void test_absent_build_tree(void **state)
{
	struct log_capture *lc = *state;
	int fd;

	fk.open_ret = -ENOENT;
	fk.ko[1] = "/opt/ptvm/kmod/ptguard.ko";
	log_capture_start(lc);
	assert_int_equal(guard_claim(&fake_sys, "ptvm", e1000s, 1, 0, &fd), 0);
	assert_string_equal(log_capture_end(lc), "ptvm: ptguard: /dev/ptguard was missing: loaded "
						 "/opt/ptvm/kmod/ptguard.ko\n");
	assert_int_equal(fk.nr_tried, 2);
	assert_string_equal(fk.tried[0], "/opt/ptvm/build/ptguard.ko");
	assert_string_equal(fk.tried[1], "/opt/ptvm/kmod/ptguard.ko");
	assert_int_equal(fd, FAKE_FD);
}

/* Another ptvm loaded it meanwhile: as good as loading it. */
static void test_absent_already_loaded(void **state)
{
	int fd;

	fk.open_ret = -ENOENT;
	fk.ko[0] = "/opt/ptvm/build/ptguard.ko";
	fk.finit_ret = -EEXIST;
	assert_int_equal(guard_claim(&fake_sys, "ptvm", e1000s, 1, 0, &fd), 0);
	assert_int_equal(fd, FAKE_FD);
}

/* Nothing loads: one line with what was tried and the fix; nothing claimed. */
static void test_absent_refused(void **state)
{
	struct log_capture *lc = *state;
	int fd = 9;

	fk.open_ret = -ENOENT;
	fk.ko[1] = "/opt/ptvm/kmod/ptguard.ko";
	fk.finit_ret = -ENOEXEC;
	log_capture_start(lc);
	assert_int_equal(guard_claim(&fake_sys, "ptvm", e1000s, 2, 0, &fd), -ENOENT);
	assert_string_equal(log_capture_end(lc),
			    "ptvm: ptguard: /dev/ptguard is missing and the module did not load "
			    "(modprobe ptguard exited 1; /opt/ptvm/build/ptguard.ko: not found; "
			    "/opt/ptvm/kmod/ptguard.ko: Exec format error (built for another "
			    "kernel?)): load it (modprobe ptguard, or insmod the kmod/ptguard.ko "
			    "that make kmod built for this kernel) or pass --no-guard\n");
	assert_int_equal(fd, -1);
	assert_int_equal(fk.nr_ioctl, 0);
	assert_false(fk.fd_open);
}

/* No modprobe, no /proc: still one line. */
static void test_absent_nothing_to_try(void **state)
{
	struct log_capture *lc = *state;
	int fd;

	fk.open_ret = -ENOENT;
	fk.run_ret = -ENOENT;
	fk.exe = NULL;
	log_capture_start(lc);
	assert_int_equal(guard_claim(&fake_sys, "ptvm", e1000s, 1, 0, &fd), -ENOENT);
	assert_string_equal(log_capture_end(lc),
			    "ptvm: ptguard: /dev/ptguard is missing and the module did not load "
			    "(modprobe: No such file or directory): load it (modprobe ptguard, or "
			    "insmod the kmod/ptguard.ko that make kmod built for this kernel) or "
			    "pass --no-guard\n");
	assert_int_equal(fk.nr_tried, 0);
}

/* A stale node whose module is gone counts as missing too. */
static void test_absent_nxio(void **state)
{
	int fd;

	fk.open_ret = -ENXIO;
	fk.run_ret = 0;
	assert_int_equal(guard_claim(&fake_sys, "ptvm", e1000s, 1, 0, &fd), 0);
	assert_int_equal(fk.nr_run, 1);
	assert_int_equal(fd, FAKE_FD);
}

static void test_loaded_without_node(void **state)
{
	struct log_capture *lc = *state;
	int fd;

	fk.open_ret = fk.reopen_ret = -ENOENT;
	fk.run_ret = 0;
	log_capture_start(lc);
	assert_int_equal(guard_claim(&fake_sys, "ptvm", e1000s, 1, 0, &fd), -ENOENT);
	log_capture_end(lc);
	assert_non_null(strstr(lc->text, "ptvm: ptguard: the module is loaded but /dev/ptguard did "
					 "not appear: No such file or directory"));
	assert_int_equal(fk.nr_ioctl, 0);
}

/* --no-guard: nothing opened or loaded; two lines say what is given up. */
static void test_off(void **state)
{
	struct log_capture *lc = *state;
	int fd = 9;

	log_capture_start(lc);
	assert_int_equal(guard_claim(&fake_sys, "ptvm", e1000s, 2, GUARD_OFF, &fd), 0);
	assert_string_equal(
		log_capture_end(lc),
		"ptvm: --no-guard: no check that a reset of these devices spares every "
		"device of another VM or a host driver (shared bus or slot; VFIO checks "
		"IOMMU groups only)\n"
		"ptvm: --no-guard: no reset guaranteed when ptvm dies: VFIO resets at "
		"close only what it can, so the next user may get a device as this guest "
		"left it\n");
	assert_int_equal(fd, -1);
	assert_int_equal(fk.nr_open, 0);
	assert_int_equal(fk.nr_run, 0);
}

/* The skeleton module answers every ioctl -ENOTTY: refused, not ignored. */
static void test_enotty_refused(void **state)
{
	struct log_capture *lc = *state;
	int fd;

	fk.ioctl_ret = -ENOTTY;
	log_capture_start(lc);
	assert_int_equal(guard_claim(&fake_sys, "ptvm", e1000s, 1, 0, &fd), -ENOTTY);
	assert_string_equal(
		log_capture_end(lc),
		"ptvm: ptguard: /dev/ptguard does not answer CLAIM (a module older than "
		"this ptvm?): load this build's ptguard.ko (rmmod ptguard first) or pass "
		"--no-guard\n");
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
	assert_int_equal(guard_claim(&fake_sys, "ptvm", e1000s, 1, 0, &fd), -EACCES);
	assert_string_equal(log_capture_end(lc),
			    "ptvm: ptguard: cannot open /dev/ptguard: Permission denied\n");
	assert_int_equal(fd, -1);
	assert_int_equal(fk.nr_run, 0);
}

static void test_nothing_to_claim(void **state)
{
	struct log_capture *lc = *state;
	int fd = 4;

	log_capture_start(lc);
	assert_int_equal(guard_claim(&fake_sys, "ptvm", NULL, 0, 0, &fd), 0);
	assert_int_equal(guard_claim(&fake_sys, "ptvm", NULL, 0, GUARD_OFF, &fd), 0);
	assert_string_equal(log_capture_end(lc), "");
	assert_int_equal(fd, -1);
	assert_int_equal(fk.nr_open, 0);
}

static void test_bad_arguments(void **state)
{
	struct log_capture *lc = *state;
	struct pci_bdf many[PTGUARD_CLAIM_MAX + 1] = {0};
	int fd;

	log_capture_start(lc);
	assert_int_equal(guard_claim(&fake_sys, "ptvm", many, PTGUARD_CLAIM_MAX + 1, 0, &fd),
			 -EINVAL);
	assert_int_equal(
		guard_claim(&fake_sys, "a-name-far-too-long-for-the-abi-field", many, 1, 0, &fd),
		-EINVAL);
	log_capture_end(lc);
	assert_non_null(strstr(lc->text, "cannot claim 17 devices"));
	assert_int_equal(fk.nr_open, 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_granted),
		T(test_allow_no_reset),
		T(test_refused),
		T(test_refused_no_reset),
		T(test_refused_without_reason),
		T(test_reason_unterminated),
		T(test_absent_modprobe),
		T(test_absent_beside_binary),
		T(test_absent_build_tree),
		T(test_absent_already_loaded),
		T(test_absent_refused),
		T(test_absent_nothing_to_try),
		T(test_absent_nxio),
		T(test_loaded_without_node),
		T(test_off),
		T(test_enotty_refused),
		T(test_open_denied),
		T(test_nothing_to_claim),
		T(test_bad_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
