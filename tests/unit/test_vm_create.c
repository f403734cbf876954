// SPDX-License-Identifier: GPL-2.0
/*
 * vm_create() (vm.c) on a fake KVM behind the syscall seam, with a
 * synthetic bzImage on disk: a termination signal that arrives during
 * setup stops it at the next check with -EINTR, everything undone (every
 * fake KVM fd and every real fd closed) and the signal still pending for
 * main() to name; without one, setup completes.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "boot_fixture.h"
#include "log_capture.h"
#include "signals.h"
#include "vm.h"

#define FK_FD_BASE 100
#define FK_MAX_FDS 16

/* The fake KVM: hands out fds, answers what setup asks, raises a signal on cue. */
static struct {
	bool open[FK_MAX_FDS];
	unsigned nr_opens;
	unsigned long raise_on; /* raise SIGTERM when this ioctl is first seen; 0: never */
	bool raised;
	struct kvm_run run[4];
	unsigned nr_runs;
} fk;

static int fk_new_fd(void)
{
	for (int i = 0; i < FK_MAX_FDS; i++) {
		if (!fk.open[i]) {
			fk.open[i] = true;
			return FK_FD_BASE + i;
		}
	}
	fail_msg("fake KVM: out of fds");
	return -EMFILE;
}

static unsigned fk_open_fds(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < FK_MAX_FDS; i++)
		n += fk.open[i];
	return n;
}

static int fk_open(const char *path, int flags)
{
	assert_string_equal(path, "/dev/kvm");
	fk.nr_opens++;
	return fk_new_fd();
}

static int fk_close(int fd)
{
	assert_true(fd >= FK_FD_BASE && fd < FK_FD_BASE + FK_MAX_FDS);
	assert_true(fk.open[fd - FK_FD_BASE]);
	fk.open[fd - FK_FD_BASE] = false;
	return 0;
}

static int fk_cpuid(struct kvm_cpuid2 *c)
{
	static const struct kvm_cpuid_entry2 e[] = {
		{.function = 0, .eax = 0xd},
		{.function = 1, .ebx = 0x00010800},
		{.function = 0x80000008, .eax = 0x30}, /* 48 physical address bits */
	};

	assert_true(c->nent >= ARRAY_SIZE(e));
	c->nent = ARRAY_SIZE(e);
	memcpy(c->entries, e, sizeof(e));
	return 0;
}

static int fk_ioctl(int fd, unsigned long req, void *arg)
{
	if (req == fk.raise_on && !fk.raised) {
		/* Blocked (setup() and main()): it only becomes pending. */
		assert_int_equal(raise(SIGTERM), 0);
		fk.raised = true;
	}
	switch (req) {
	case KVM_GET_API_VERSION:
		return KVM_API_VERSION;
	case KVM_CHECK_EXTENSION:
		switch ((long)arg) {
		case KVM_CAP_MAX_VCPUS:
			return 8;
		case KVM_CAP_NR_MEMSLOTS:
			return 32;
		case KVM_CAP_IRQ_ROUTING:
			return 1024;
		default:
			return 1;
		}
	case KVM_GET_VCPU_MMAP_SIZE:
		return sizeof(struct kvm_run);
	case KVM_GET_SUPPORTED_CPUID:
		return fk_cpuid(arg);
	case KVM_CREATE_VM:
	case KVM_CREATE_VCPU:
		return fk_new_fd();
	default:
		return 0;
	}
}

static void *fk_mmap(size_t len, int prot, int flags, int fd, off_t off, int *err)
{
	assert_true(fk.nr_runs < ARRAY_SIZE(fk.run));
	return &fk.run[fk.nr_runs++];
}

static int fk_munmap(void *addr, size_t len)
{
	return 0;
}

static const struct sys_ops fk_sys = {
	.open = fk_open,
	.close = fk_close,
	.ioctl = fk_ioctl,
	.mmap = fk_mmap,
	.munmap = fk_munmap,
};

struct fixture {
	char dir[64], kernel[96];
	struct vm_config cfg;
	struct log_capture lc;
	unsigned fds_before;
};

/* Real fds this process has open, from /proc/self/fd (less the DIR's own). */
static unsigned real_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	unsigned n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n - 3; /* ".", ".." and the directory's fd */
}

static int setup(void **state)
{
	struct fixture_bz o = fixture_bz_default();
	struct fixture *f = calloc(1, sizeof(*f));
	static uint8_t img[64 * 1024];
	const char *tmp = getenv("TMPDIR");
	sigset_t set;
	FILE *fp;

	memset(&fk, 0, sizeof(fk));
	/* As main() does: the termination signals are held from the start. */
	signals_term_set(&set);
	assert_int_equal(sigprocmask(SIG_BLOCK, &set, NULL), 0);
	snprintf(f->dir, sizeof(f->dir), "%s/vmcreate.XXXXXX", tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->kernel, sizeof(f->kernel), "%s/bzImage", f->dir);
	fixture_bz_build(img, sizeof(img), &o);
	fp = fopen(f->kernel, "w");
	assert_non_null(fp);
	assert_int_equal(fwrite(img, 1, sizeof(img), fp), sizeof(img));
	fclose(fp);
	f->cfg = (struct vm_config){
		.kernel = f->kernel,
		.cmdline = "console=ttyS0",
		.memory = 64ULL << 20,
		.cpus = 2,
		.kvm_path = "/dev/kvm",
		.unmanaged = true,
		.numa_node = -1,
	};
	f->fds_before = real_fds();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	const struct timespec zero = {0};
	sigset_t set;

	/* Take what a test left pending, so the next one starts clean. */
	signals_term_set(&set);
	while (sigtimedwait(&set, NULL, &zero) > 0)
		;
	unlink(f->kernel);
	rmdir(f->dir);
	log_capture_free(&f->lc);
	free(f);
	return 0;
}

/* Setup with SIGTERM raised at KVM ioctl @raise_on (0: before vm_create). */
static void stops_with_everything_closed(struct fixture *f, unsigned long raise_on)
{
	struct vm *vm = NULL;

	if (raise_on)
		fk.raise_on = raise_on;
	else
		assert_int_equal(raise(SIGTERM), 0);
	log_capture_start(&f->lc);
	assert_int_equal(vm_create(&vm, &f->cfg, &fk_sys), -EINTR);
	/* Not an error of setup's: main() says it, once. */
	assert_string_equal(log_capture_end(&f->lc), "");
	assert_null(vm);
	assert_true(!raise_on || fk.raised);
	assert_int_equal(fk_open_fds(), 0);
	assert_int_equal(real_fds(), f->fds_before);
	/* Still pending: main() names it, and it goes with the process. */
	assert_int_equal(signals_term_pending(), SIGTERM);
}

/* Pending before setup: nothing is opened at all. */
static void test_signal_before_setup(void **state)
{
	struct fixture *f = *state;

	stops_with_everything_closed(f, 0);
	assert_int_equal(fk.nr_opens, 0);
}

/* During the VM's creation: KVM was opened, and is closed again. */
static void test_signal_during_kvm_setup(void **state)
{
	struct fixture *f = *state;

	stops_with_everything_closed(f, KVM_CREATE_VM);
	assert_int_equal(fk.nr_opens, 1);
	/* Stopped before the vCPUs. */
	assert_int_equal(fk.nr_runs, 0);
}

/* While guest RAM gets its memslots: stopped before any device. */
static void test_signal_during_memory_setup(void **state)
{
	struct fixture *f = *state;

	stops_with_everything_closed(f, KVM_SET_USER_MEMORY_REGION);
	assert_int_equal(fk.nr_runs, 0);
}

/* While the vCPUs are made: the last check, after the loop's own fds exist. */
static void test_signal_during_vcpu_setup(void **state)
{
	struct fixture *f = *state;

	stops_with_everything_closed(f, KVM_CREATE_VCPU);
	assert_int_equal(fk.nr_runs, 2);
}

/* Without a signal the same setup completes, and vm_destroy closes it all. */
static void test_no_signal_completes(void **state)
{
	struct fixture *f = *state;
	struct vm *vm = NULL;

	assert_int_equal(vm_create(&vm, &f->cfg, &fk_sys), 0);
	assert_non_null(vm);
	assert_int_equal(vm->nr_vcpus, 2);
	assert_true(fk_open_fds() > 0);
	vm_destroy(vm);
	assert_int_equal(fk_open_fds(), 0);
	assert_int_equal(real_fds(), f->fds_before);
	assert_int_equal(signals_term_pending(), 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_signal_before_setup),	    T(test_signal_during_kvm_setup),
		T(test_signal_during_memory_setup), T(test_signal_during_vcpu_setup),
		T(test_no_signal_completes),
	};
#undef T

	return cmocka_run_group_tests_name("vm_create", tests, NULL, NULL);
}
