/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the `ptvm check` tests share: a fake kernel behind the syscall seam
 * (/dev/kvm, /dev/vfio/vfio, /dev/ptguard), a fake memlock limit, and a host
 * ready for passthrough (the rig's L1 of hostdev_fixture.h with a DMAR
 * table, VFIO modules, huge pages and remapped interrupts), plus helpers
 * that run `ptvm check ARGS...` and pick lines of its output.
 */
#ifndef PTVM_TEST_HOSTDEV_CHECK_FIXTURE_H
#define PTVM_TEST_HOSTDEV_CHECK_FIXTURE_H

#include <fcntl.h>
#include <linux/kvm.h>
#include <linux/vfio.h>

#include <ptvm/ptguard.h>

#include "hostdev/hostdev.h"
#include "hostdev_fixture.h"
#include "log_capture.h"

#define FD_KVM	   10
#define FD_VFIO	   20
#define FD_PTGUARD 30

/* The fake kernel; reset before every test. */
static struct fake {
	int kvm_open, vfio_open, ptguard_open; /* < 0: open() fails so */
	long kvm_missing_cap;
	int vfio_api, type1v2;
	int query_ret;
	unsigned query_addr; /* what QUERY was asked */
	int open_fds;
	uint64_t memlock;
	bool cap_ipc_lock;
} fake;

static inline int fake_open(const char *path, int flags)
{
	int ret = !strcmp(path, "/dev/kvm")	    ? (fake.kvm_open ? fake.kvm_open : FD_KVM)
		  : !strcmp(path, "/dev/vfio/vfio") ? (fake.vfio_open ? fake.vfio_open : FD_VFIO)
		  : !strcmp(path, "/dev/ptguard")
			  ? (fake.ptguard_open ? fake.ptguard_open : FD_PTGUARD)
			  : -ENOENT;

	fake.open_fds += ret >= 0;
	return ret;
}

static inline int fake_close(int fd)
{
	fake.open_fds--;
	return 0;
}

static inline int fake_kvm_ioctl(unsigned long req, void *arg)
{
	switch (req) {
	case KVM_GET_API_VERSION:
		return KVM_API_VERSION;
	case KVM_CHECK_EXTENSION:
		if ((long)arg == fake.kvm_missing_cap)
			return 0;
		if ((long)arg == KVM_CAP_MAX_VCPUS)
			return 710;
		if ((long)arg == KVM_CAP_NR_MEMSLOTS)
			return 32764;
		return 1;
	case KVM_GET_VCPU_MMAP_SIZE:
		return sizeof(struct kvm_run);
	case KVM_GET_SUPPORTED_CPUID:
		((struct kvm_cpuid2 *)arg)->nent = 0;
		return 0;
	default:
		return -ENOTTY;
	}
}

static inline int fake_ioctl(int fd, unsigned long req, void *arg)
{
	if (fd == FD_KVM)
		return fake_kvm_ioctl(req, arg);
	if (fd == FD_VFIO && req == VFIO_GET_API_VERSION)
		return fake.vfio_api;
	if (fd == FD_VFIO && req == VFIO_CHECK_EXTENSION)
		return (long)arg == VFIO_TYPE1v2_IOMMU ? fake.type1v2 : 0;
	if (fd == FD_PTGUARD && req == PTGUARD_QUERY) {
		fake.query_addr = ((struct ptguard_query *)arg)->addr;
		return fake.query_ret;
	}
	return -ENOTTY;
}

static const struct sys_ops fake_sys = {
	.open = fake_open,
	.close = fake_close,
	.ioctl = fake_ioctl,
};

static inline int fake_memlock(uint64_t *limit, bool *cap)
{
	*limit = fake.memlock;
	*cap = fake.cap_ipc_lock;
	return 0;
}

struct fx {
	struct fake_sysfs fs;
	char proc[PATH_MAX];
	struct check_env env;
};

static inline void fx_file(struct fx *fx, const char *rel, const char *text)
{
	fake_sysfs_add_file(&fx->fs, rel, text);
}

/* The rig's L1 as it runs the e2e cases: everything there. */
static inline int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	memset(&fake, 0, sizeof(fake));
	fake.kvm_missing_cap = -1;
	fake.type1v2 = 1;
	fake.query_ret = -ENODEV;
	fake.memlock = 8 << 20;
	fake.cap_ipc_lock = true;
	hf_build(&fx->fs, NULL);
	fx_file(fx, "firmware/acpi/tables/DMAR", "DMAR");
	fx_file(fx, "module/vfio_iommu_type1/parameters/allow_unsafe_interrupts", "N\n");
	fx_file(fx, "module/vfio_pci/refcnt", "0\n");
	fx_file(fx, "kernel/mm/transparent_hugepage/enabled", "[always] madvise never\n");
	fx_file(fx, "kernel/mm/hugepages/hugepages-2048kB/free_hugepages", "0\n");
	fx_file(fx, "kernel/mm/hugepages/hugepages-2048kB/nr_hugepages", "0\n");
	fx_file(fx, "kernel/mm/hugepages/hugepages-1048576kB/free_hugepages", "1\n");
	fx_file(fx, "kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages", "2\n");
	fx_file(fx, "proc/interrupts",
		"           CPU0\n"
		"  0:         41  IR-IO-APIC    2-edge      timer\n"
		" 24:          0  IR-PCI-MSI-0000:00:03.0    0-edge      nvme0q0\n");
	snprintf(fx->proc, sizeof(fx->proc), "%s/proc", fx->fs.root);
	fx->env = (struct check_env){
		.sys = &fake_sys,
		.sysfs = fx->fs.root,
		.procfs = fx->proc,
		.memlock = fake_memlock,
	};
	*state = fx;
	return 0;
}

static inline int teardown(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(fake.open_fds, 0);
	fake_sysfs_destroy(&fx->fs);
	free(fx);
	return 0;
}

struct run {
	int ret;
	unsigned fails;
	char *out;
	char *log;
};

static inline struct run run_argv(struct fx *fx, int argc, char **argv)
{
	struct hostdev_config cfg;
	struct log_capture lc;
	struct run r = {0};
	char err[256];
	size_t len;
	FILE *f;

	assert_int_equal(hostdev_parse(argc, argv, &cfg, err, sizeof(err)), 0);
	f = open_memstream(&r.out, &len);
	assert_non_null(f);
	log_capture_start(&lc);
	r.ret = hostdev_run(&cfg, &fx->env, NULL, f, &r.fails);
	r.log = strdup(log_capture_end(&lc));
	log_capture_free(&lc);
	fclose(f);
	return r;
}

#define RUN(fx, ...)                                                         \
	run_argv(fx, ARRAY_SIZE(((char *[]){"ptvm", "check", __VA_ARGS__})), \
		 (char *[]){"ptvm", "check", __VA_ARGS__})

static inline void run_free(struct run *r)
{
	free(r->out);
	free(r->log);
}

/* Line @n (1-based) of @out into @buf. */
static inline const char *line_of(const char *out, unsigned n, char *buf, size_t len)
{
	const char *p = out;

	for (unsigned i = 1; i < n && p; i++) {
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	if (!p || !*p)
		fail_msg("no line %u in:\n%s", n, out);
	snprintf(buf, len, "%.*s", (int)strcspn(p, "\n"), p);
	return buf;
}

#define ASSERT_LINE(out, n, want)                                             \
	do {                                                                  \
		char __b[4096];                                               \
		assert_string_equal(line_of(out, n, __b, sizeof(__b)), want); \
	} while (0)

static inline unsigned nr_lines(const char *out)
{
	unsigned n = 0;

	for (const char *p = out; (p = strchr(p, '\n')); p++)
		n++;
	return n;
}

#endif
