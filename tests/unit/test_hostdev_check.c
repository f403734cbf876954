// SPDX-License-Identifier: GPL-2.0
/*
 * `ptvm check`: the host verdicts against a fake kernel (device nodes
 * through a fake syscall seam, sysfs and /proc/interrupts as a fake tree;
 * hostdev_check_fixture.h), each check in its PASS, WARN and FAIL forms.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "hostdev_check_fixture.h"

static void test_ready(void **state)
{
	struct run r = RUN(*state, "--memory", "2G");

	assert_int_equal(r.ret, 0);
	assert_int_equal(r.fails, 0);
	assert_int_equal(nr_lines(r.out), CHECK_HOST_NR);
	// clang-format off
	ASSERT_LINE(r.out, 1, "PASS kvm: /dev/kvm, API 12, with the capabilities ptvm uses; up to 710 vCPUs, 512 memslots");
	ASSERT_LINE(r.out, 2, "PASS iommu: DMAR ACPI table, 12 IOMMU groups");
	ASSERT_LINE(r.out, 3, "PASS interrupt remapping: on (IR- interrupt chips in /proc/interrupts)");
	ASSERT_LINE(r.out, 4, "PASS vfio: /dev/vfio/vfio (API 0, type1v2 IOMMU), vfio-pci loaded");
	ASSERT_LINE(r.out, 5, "PASS ptguard: /dev/ptguard answers QUERY in this ptvm's layout (the ABI has no version number to compare)");
	ASSERT_LINE(r.out, 6, "PASS memlock: CAP_IPC_LOCK: pinning the guest's 2048 MiB for DMA is not limited");
	ASSERT_LINE(r.out, 7, "PASS hugepages: transparent huge pages [always] back guest RAM (MADV_HUGEPAGE); hugetlbfs pools (unused by ptvm): 2048kB 0 of 0 free, 1048576kB 1 of 2 free");
	// clang-format on
	assert_int_equal(fake.query_addr, PTGUARD_ADDR_NONE);
	assert_string_equal(r.log, "");
	run_free(&r);
}

/* This build host's kind: KVM but no IOMMU, VFIO or ptguard. */
static void test_bare(void **state)
{
	struct fake_sysfs bare;
	struct fx *fx = *state;
	struct run r;

	fake.vfio_open = -ENOENT;
	fake.ptguard_open = -ENOENT;
	fake.cap_ipc_lock = false;
	fake_sysfs_init(&bare);
	hf_add(&bare, &(struct hf_dev)HF("0000:00:03.0", 0x1af4, 0x1041, 0x020000, "virtio-pci", -1,
					 NULL));
	fake_sysfs_add_file(&bare, "kernel/mm/transparent_hugepage/enabled",
			    "always madvise [never]\n");
	fake_sysfs_add_file(&bare, "proc/interrupts", " 24: 1 IO-APIC 5-edge ACPI:Ged\n");
	fx->env.sysfs = bare.root;
	snprintf(fx->proc, sizeof(fx->proc), "%s/proc", bare.root);
	r = RUN(fx, "00:03.0");
	assert_int_equal(r.ret, 0);
	assert_int_equal(r.fails, 5);
	// clang-format off
	ASSERT_LINE(r.out, 1, "PASS kvm: /dev/kvm, API 12, with the capabilities ptvm uses; up to 710 vCPUs, 512 memslots");
	ASSERT_LINE(r.out, 2, "FAIL iommu: no DMAR or IVRS ACPI table and no IOMMU groups; enable VT-d or AMD-Vi in the firmware, boot with intel_iommu=on or amd_iommu=on");
	ASSERT_LINE(r.out, 3, "FAIL interrupt remapping: off (no IR- interrupt chips in /proc/interrupts): VFIO refuses devices without it; enable interrupt remapping in the firmware, or accept the risk with ptvm run --allow-unsafe-interrupts");
	ASSERT_LINE(r.out, 4, "FAIL vfio: /dev/vfio/vfio: No such file or directory; modprobe vfio-pci vfio_iommu_type1");
	ASSERT_LINE(r.out, 5, "WARN ptguard: /dev/ptguard not present: ptvm run loads the module (modprobe ptguard, or the ptguard.ko beside ptvm) or refuses without --no-guard; make kmod && insmod kmod/ptguard.ko, or make install");
	ASSERT_LINE(r.out, 6, "FAIL memlock: RLIMIT_MEMLOCK is 8192 KiB, but a guest of 512 MiB with a device passed through pins all its RAM; raise it (ulimit -l, LimitMEMLOCK=), run with CAP_IPC_LOCK, or give a smaller --memory");
	ASSERT_LINE(r.out, 7, "WARN hugepages: transparent huge pages [never]: guest RAM is on 4 KiB pages; hugetlbfs pools (unused by ptvm): none; echo madvise > /sys/kernel/mm/transparent_hugepage/enabled");
	ASSERT_LINE(r.out, 8, "FAIL device 0000:00:03.0: not assignable: no IOMMU group; turn the IOMMU on: VT-d or AMD-Vi in the firmware, intel_iommu=on or amd_iommu=on");
	// clang-format on
	assert_int_equal(nr_lines(r.out), 8);
	run_free(&r);
	fake_sysfs_destroy(&bare);
}

/* Line @n of `ptvm check` is @want, and @fails lines are FAIL. */
static void expect_host(struct fx *fx, unsigned n, const char *want, unsigned fails)
{
	struct run r = RUN(fx);

	ASSERT_LINE(r.out, n, want);
	assert_int_equal(r.fails, fails);
	run_free(&r);
}

static void test_kvm(void **state)
{
	struct run r;

	fake.kvm_open = -EACCES;
	expect_host(*state, 1,
		    "FAIL kvm: /dev/kvm: Permission denied; run as root or join the kvm group", 1);
	fake.kvm_open = -ENOENT;
	expect_host(*state, 1,
		    "FAIL kvm: /dev/kvm: No such file or directory; enable virtualization in the "
		    "firmware and load kvm_intel or kvm_amd",
		    1);
	fake.kvm_open = 0;
	fake.kvm_missing_cap = KVM_CAP_IMMEDIATE_EXIT;
	/* kvm_open() itself names the capability, on stderr, once. */
	r = RUN(*state);
	ASSERT_LINE(r.out, 1,
		    "FAIL kvm: /dev/kvm: Operation not supported; use a kernel whose KVM has them "
		    "(the capability is named above)");
	assert_string_equal(r.log, "ptvm: kvm: /dev/kvm lacks KVM_CAP_IMMEDIATE_EXIT\n");
	run_free(&r);
}

static void test_iommu(void **state)
{
	struct fx *fx = *state;
	char path[PATH_MAX];
	struct fake_sysfs nogroups;

	/* Groups without an ACPI table (another kind of IOMMU): still fine. */
	snprintf(path, sizeof(path), "%s/firmware/acpi/tables/DMAR", fx->fs.root);
	assert_int_equal(unlink(path), 0);
	expect_host(fx, 2, "PASS iommu: no DMAR/IVRS ACPI table, 12 IOMMU groups", 0);
	fx_file(fx, "firmware/acpi/tables/IVRS", "IVRS");
	expect_host(fx, 2, "PASS iommu: IVRS ACPI table, 12 IOMMU groups", 0);
	/* A table but no groups: the IOMMU is off. */
	fake_sysfs_init(&nogroups);
	hf_add(&nogroups,
	       &(struct hf_dev)HF("0000:00:03.0", 0x1b36, 0x10, 0x010802, "nvme", -1, "flr"));
	fake_sysfs_add_file(&nogroups, "firmware/acpi/tables/DMAR", "DMAR");
	fake_sysfs_add_file(&nogroups, "module/vfio_pci/refcnt", "0\n");
	fake_sysfs_add_file(&nogroups, "kernel/mm/transparent_hugepage/enabled", "[madvise]\n");
	fx->env.sysfs = nogroups.root;
	expect_host(fx, 2,
		    "FAIL iommu: DMAR ACPI table present but no IOMMU groups: the IOMMU is off; "
		    "boot with intel_iommu=on",
		    1);
	fake_sysfs_destroy(&nogroups);
}

static void test_irq_remap(void **state)
{
	struct fx *fx = *state;
	char path[PATH_MAX];

	fx_file(fx, "proc/interrupts", " 24: 1 IO-APIC 5-edge ACPI:Ged\n");
	expect_host(fx, 3,
		    "FAIL interrupt remapping: off (no IR- interrupt chips in /proc/interrupts): "
		    "VFIO refuses devices without it; enable interrupt remapping in the firmware, "
		    "or accept the risk with ptvm run --allow-unsafe-interrupts",
		    1);
	fx_file(fx, "module/vfio_iommu_type1/parameters/allow_unsafe_interrupts", "Y\n");
	expect_host(fx, 3,
		    "WARN interrupt remapping: off, and allow_unsafe_interrupts is on: a "
		    "passed-through device can inject any host interrupt; enable interrupt "
		    "remapping (VT-d/AMD-Vi with it in the firmware)",
		    0);
	/* iommufd's switch when type1 is not there (CONFIG_IOMMUFD_VFIO_CONTAINER). */
	snprintf(path, sizeof(path),
		 "%s/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts", fx->fs.root);
	assert_int_equal(unlink(path), 0);
	expect_host(fx, 3,
		    "FAIL interrupt remapping: off (no IR- interrupt chips in /proc/interrupts): "
		    "VFIO refuses devices without it; enable interrupt remapping in the firmware, "
		    "or accept the risk with ptvm run --allow-unsafe-interrupts",
		    1);
	fx_file(fx, "module/iommufd/parameters/allow_unsafe_interrupts", "Y\n");
	expect_host(fx, 3,
		    "WARN interrupt remapping: off, and allow_unsafe_interrupts is on: a "
		    "passed-through device can inject any host interrupt; enable interrupt "
		    "remapping (VT-d/AMD-Vi with it in the firmware)",
		    0);
}

static void test_vfio(void **state)
{
	struct fx *fx = *state;
	char path[PATH_MAX];

	fake.type1v2 = 0;
	expect_host(
		fx, 4,
		"FAIL vfio: /dev/vfio/vfio has no type1v2 IOMMU backend; modprobe vfio_iommu_type1",
		1);
	fake.type1v2 = 1;
	fake.vfio_api = 1;
	expect_host(fx, 4,
		    "FAIL vfio: /dev/vfio/vfio speaks API 1, ptvm needs 0; use a kernel with VFIO "
		    "API 0",
		    1);
	fake.vfio_api = 0;
	snprintf(path, sizeof(path), "%s/module/vfio_pci/refcnt", fx->fs.root);
	assert_int_equal(unlink(path), 0);
	snprintf(path, sizeof(path), "%s/module/vfio_pci", fx->fs.root);
	assert_int_equal(rmdir(path), 0);
	expect_host(
		fx, 4,
		"FAIL vfio: /dev/vfio/vfio is there, but vfio-pci is not loaded; modprobe vfio-pci",
		1);
}

static void test_ptguard(void **state)
{
	fake.query_ret = -ENOTTY;
	expect_host(*state, 5,
		    "FAIL ptguard: /dev/ptguard does not know this ptvm's QUERY ioctl: another "
		    "ABI; load the ptguard.ko built from the same tree as this ptvm",
		    1);
	fake.query_ret = -EIO;
	expect_host(*state, 5, "FAIL ptguard: /dev/ptguard: QUERY: Input/output error; see dmesg",
		    1);
	fake.ptguard_open = -EACCES;
	expect_host(*state, 5,
		    "FAIL ptguard: /dev/ptguard: Permission denied; run as root (the node is 0600)",
		    1);
	/* A node whose module is gone. */
	fake.ptguard_open = -ENXIO;
	expect_host(*state, 5,
		    "WARN ptguard: /dev/ptguard not present: ptvm run loads the module (modprobe "
		    "ptguard, or the ptguard.ko beside ptvm) or refuses without --no-guard; make "
		    "kmod && insmod kmod/ptguard.ko, or make install",
		    0);
}

static void test_memlock(void **state)
{
	fake.cap_ipc_lock = false;
	fake.memlock = UINT64_MAX;
	expect_host(
		*state, 6,
		"PASS memlock: RLIMIT_MEMLOCK unlimited: the guest's 512 MiB can be pinned for DMA",
		0);
	fake.memlock = 512 << 20;
	expect_host(
		*state, 6,
		"PASS memlock: RLIMIT_MEMLOCK 524288 KiB covers the guest's 512 MiB pinned for DMA",
		0);
	fake.memlock = (512 << 20) - 4096;
	expect_host(*state, 6,
		    "FAIL memlock: RLIMIT_MEMLOCK is 524284 KiB, but a guest of 512 MiB with a "
		    "device passed through pins all its RAM; raise it (ulimit -l, LimitMEMLOCK=), "
		    "run with CAP_IPC_LOCK, or give a smaller --memory",
		    1);
}

static void test_hugepages(void **state)
{
	struct fx *fx = *state;
	char path[PATH_MAX];

	fx_file(fx, "kernel/mm/transparent_hugepage/enabled", "always [madvise] never\n");
	expect_host(
		fx, 7,
		"PASS hugepages: transparent huge pages [madvise] back guest RAM (MADV_HUGEPAGE); "
		"hugetlbfs pools (unused by ptvm): 2048kB 0 of 0 free, 1048576kB 1 of 2 free",
		0);
	snprintf(path, sizeof(path), "%s/kernel/mm/transparent_hugepage/enabled", fx->fs.root);
	assert_int_equal(unlink(path), 0);
	expect_host(fx, 7,
		    "WARN hugepages: no transparent huge pages: guest RAM is on 4 KiB pages; "
		    "hugetlbfs pools (unused by ptvm): 2048kB 0 of 0 free, 1048576kB 1 of 2 free; "
		    "use a kernel with CONFIG_TRANSPARENT_HUGEPAGE",
		    0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ready, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bare, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kvm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_iommu, setup, teardown),
		cmocka_unit_test_setup_teardown(test_irq_remap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vfio, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ptguard, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memlock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hugepages, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
