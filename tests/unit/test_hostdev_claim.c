// SPDX-License-Identifier: GPL-2.0
/*
 * `ptvm check BDF...`: the device verdicts on the fixture host
 * (hostdev_fixture.h, the rig's L1 topology) through ptguard's policy: who
 * is in the way, what has to be bound or unbound, what goes with a device;
 * and the command lines of `ptvm devices` and `ptvm check`.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "hostdev_check_fixture.h"
#include "options.h"

/* The device lines of `ptvm check ARGS...` (after the host ones), all of them. */
#define EXPECT_DEVICES(fx, fails_want, ...)                                              \
	do {                                                                             \
		static const char *const __want[] = {__VA_ARGS__};                       \
		struct run __r = RUN(fx, DEVS);                                          \
		assert_int_equal(__r.ret, 0);                                            \
		assert_int_equal(nr_lines(__r.out), CHECK_HOST_NR + ARRAY_SIZE(__want)); \
		for (unsigned __i = 0; __i < ARRAY_SIZE(__want); __i++)                  \
			ASSERT_LINE(__r.out, CHECK_HOST_NR + 1 + __i, __want[__i]);      \
		assert_int_equal(__r.fails, fails_want);                                 \
		run_free(&__r);                                                          \
	} while (0)

static void test_device_driver(void **state)
{
	struct fx *fx = *state;

#define DEVS "00:03.0"
	/* Managed mode moves it: the claim is the one made after the move. */
	EXPECT_DEVICES(fx, 0,
		       "PASS device 0000:00:03.0: can be passed through (ptvm moves it from nvme "
		       "to vfio-pci and back); alone in IOMMU group 3; its function reset reaches "
		       "no other device");
	hf_bind(&fx->fs, "0000:00:03.0", "vfio-pci");
	EXPECT_DEVICES(fx, 0,
		       "PASS device 0000:00:03.0: can be passed through; alone in IOMMU group 3; "
		       "its function reset reaches no other device");
#undef DEVS
}

/* The e1000 pair behind the pcie-pci-bridge: one bus reset domain, one group. */
static void test_device_bus_pair(void **state)
{
	struct fx *fx = *state;

	hf_bind(&fx->fs, "0000:02:01.0", "vfio-pci");
#define DEVS "02:01.0"
	EXPECT_DEVICES(fx, 1,
		       "FAIL device 0000:02:01.0: 0000:02:01.0 shares its bus reset domain and "
		       "IOMMU group 7 with 0000:02:02.0, bound to host driver e1000; "
		       "pass them too: --passthrough 0000:02:02.0");
	/* A bridge on a driver other than pcieport is in the way too, and vfio-pci takes no
	 * bridges. */
	hf_bind(&fx->fs, "0000:01:00.0", "shpchp");
	hf_bind(&fx->fs, "0000:02:01.0", "e1000");
	EXPECT_DEVICES(fx, 1,
		       "FAIL device 0000:02:01.0: 0000:02:01.0 shares IOMMU group 7 with "
		       "0000:01:00.0, bound to host driver shpchp; pass them too: --passthrough "
		       "0000:02:02.0; unbind 0000:01:00.0 from shpchp");
	hf_bind(&fx->fs, "0000:01:00.0", NULL);
	hf_bind(&fx->fs, "0000:02:01.0", "vfio-pci");
	hf_bind(&fx->fs, "0000:02:02.0", "vfio-pci");
	EXPECT_DEVICES(fx, 0,
		       "PASS device 0000:02:01.0: can be passed through; IOMMU group 7 with "
		       "0000:01:00.0=none, 0000:02:02.0=vfio-pci; its bus reset also reaches "
		       "0000:02:02.0=vfio-pci");
#undef DEVS
	/* Both to one guest: each counts the other as the guest's. */
#define DEVS "02:01.0", "02:02.0"
	EXPECT_DEVICES(fx, 0,
		       "PASS device 0000:02:01.0: can be passed through; IOMMU group 7 with "
		       "0000:01:00.0=none, 0000:02:02.0=vfio-pci; its bus reset also reaches "
		       "0000:02:02.0=vfio-pci",
		       "PASS device 0000:02:02.0: can be passed through; IOMMU group 7 with "
		       "0000:01:00.0=none, 0000:02:01.0=vfio-pci; its bus reset also reaches "
		       "0000:02:01.0=vfio-pci");
	/*
	 * Each line answers for its device with the others given as the same
	 * guest's: a host driver on one of them is what managed mode moves it
	 * from, said once, on its line.
	 */
	hf_bind(&fx->fs, "0000:02:02.0", "e1000");
	EXPECT_DEVICES(fx, 0,
		       "PASS device 0000:02:01.0: can be passed through; IOMMU group 7 with "
		       "0000:01:00.0=none, 0000:02:02.0=e1000; its bus reset also reaches "
		       "0000:02:02.0=e1000",
		       "PASS device 0000:02:02.0: can be passed through (ptvm moves it from e1000 "
		       "to vfio-pci and back); IOMMU group 7 with 0000:01:00.0=none, "
		       "0000:02:01.0=vfio-pci; its bus reset also reaches 0000:02:01.0=vfio-pci");
#undef DEVS
}

static void test_device_multifunction(void **state)
{
	struct fx *fx = *state;

	hf_bind(&fx->fs, "0000:03:00.0", "vfio-pci");
#define DEVS "03:00.0"
	EXPECT_DEVICES(fx, 1,
		       "FAIL device 0000:03:00.0: 0000:03:00.0 shares IOMMU group 8 with "
		       "0000:03:00.1, bound to host driver e1000e; pass them too: --passthrough "
		       "0000:03:00.1");
	hf_bind(&fx->fs, "0000:03:00.1", "vfio-pci");
	EXPECT_DEVICES(fx, 0,
		       "PASS device 0000:03:00.0: can be passed through; IOMMU group 8 with "
		       "0000:03:00.1=vfio-pci; its function reset reaches no other device");
#undef DEVS
}

static void test_device_never(void **state)
{
	struct fx *fx = *state;

#define DEVS "00:1f.0", "00:1f.2", "00:04.0", "00:00.0", "0000:07:00.0"
	EXPECT_DEVICES(
		fx, 5,
		"FAIL device 0000:00:1f.0: not assignable: an ISA/LPC bridge; the host needs it "
		"for its legacy devices and firmware interfaces",
		"FAIL device 0000:00:1f.2: not assignable: no reset method; it has no FLR, PM, "
		"slot or bus reset, and ptvm resets a device before and after each guest",
		"FAIL device 0000:00:04.0: not assignable: a PCI bridge; vfio-pci takes no "
		"bridges; pass the devices behind it",
		"FAIL device 0000:00:00.0: not assignable: the host bridge; it is the root of the "
		"host's PCI hierarchy; pass a device below it",
		"FAIL device 0000:07:00.0: no such PCI device; see ptvm devices");
#undef DEVS
}

/*
 * An SR-IOV PF with VFs enabled is no candidate while they are (ptvm run
 * refuses it the same way: managed_check.c); its VF on vfio-pci is.
 */
static void test_device_sriov(void **state)
{
	struct fx *fx = *state;

#define DEVS "04:00.0", "04:10.0"
	hf_bind(&fx->fs, "0000:04:00.0", "vfio-pci");
	EXPECT_DEVICES(fx, 1,
		       "FAIL device 0000:04:00.0: not assignable: an SR-IOV PF with VFs enabled; "
		       "its VFs go away with its host driver: pass a VF, or first write 0 to its "
		       "sriov_numvfs",
		       "PASS device 0000:04:10.0: can be passed through; alone in IOMMU group 11; "
		       "its function reset reaches no other device");
	hf_attr(&fx->fs, "0000:04:00.0", "sriov_numvfs", "%d\n", 0);
	EXPECT_DEVICES(fx, 0,
		       "PASS device 0000:04:00.0: can be passed through; alone in IOMMU group 10; "
		       "its function reset reaches no other device",
		       "PASS device 0000:04:10.0: can be passed through; alone in IOMMU group 11; "
		       "its function reset reaches no other device");
#undef DEVS
}

static void test_json(void **state)
{
	struct run r = RUN(*state, "--json", "00:1f.0", "03:00.0");

	assert_int_equal(r.fails, 2);
	// clang-format off
	ASSERT_LINE(r.out, 1, "{\"status\": \"PASS\", \"what\": \"kvm\", \"detail\": \"/dev/kvm, API 12, with the capabilities ptvm uses; up to 710 vCPUs, 512 memslots\", \"fix\": null}");
	ASSERT_LINE(r.out, 8, "{\"status\": \"FAIL\", \"what\": \"device 0000:00:1f.0\", \"detail\": \"not assignable: an ISA/LPC bridge\", \"fix\": \"the host needs it for its legacy devices and firmware interfaces\"}");
	ASSERT_LINE(r.out, 9, "{\"status\": \"FAIL\", \"what\": \"device 0000:03:00.0\", \"detail\": \"0000:03:00.0 shares IOMMU group 8 with 0000:03:00.1, bound to host driver e1000e\", \"fix\": \"pass them too: --passthrough 0000:03:00.1\"}");
	// clang-format on
	run_free(&r);
}

static void test_parse_errors(void **state)
{
	static const struct {
		const char *args[4];
		const char *err;
	} cases[] = {
		{{"check", "--memory"}, "option '--memory' needs a value (see ptvm --help)"},
		{{"check", "--memory", "lots"},
		 "--memory 'lots' is not a size (use e.g. 512M or 2G)"},
		{{"devices", "--memory", "1G"},
		 "unknown option '--memory' for ptvm devices (see ptvm --help)"},
		{{"check", "--verbose"},
		 "unknown option '--verbose' for ptvm check (see ptvm --help)"},
		{{"devices", "3:00.0"},
		 "'3:00.0' is not a PCI address (use DDDD:BB:DD.F or BB:DD.F)"},
		{{"check", "03:00.0", "0000:03:00.0"}, "0000:03:00.0 is given twice"},
	};

	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		char *argv[5] = {"ptvm"}, err[256];
		struct hostdev_config cfg;
		int argc = 1;

		for (unsigned j = 0; j < 3 && cases[i].args[j]; j++)
			argv[argc++] = (char *)cases[i].args[j];
		assert_int_equal(hostdev_parse(argc, argv, &cfg, err, sizeof(err)), -EINVAL);
		assert_string_equal(err, cases[i].err);
	}
}

static void test_parse(void **state)
{
	char *argv[] = {"ptvm", "check", "--json", "--memory", "2G", "03:00.1", "0000:00:03.0"};
	struct hostdev_config cfg;
	char err[256];

	assert_int_equal(hostdev_parse(ARRAY_SIZE(argv), argv, &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.cmd, HOSTDEV_CHECK);
	assert_true(cfg.json);
	assert_false(cfg.help);
	assert_int_equal(cfg.memory, 2ULL << 30);
	assert_int_equal(cfg.nr_bdfs, 2);
	assert_int_equal(cfg.bdfs[0].bus, 3);
	assert_int_equal(cfg.bdfs[0].fn, 1);
	assert_int_equal(cfg.bdfs[1].dev, 3);
	argv[1] = "devices";
	argv[2] = "-h";
	assert_int_equal(hostdev_parse(3, argv, &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.cmd, HOSTDEV_DEVICES);
	assert_true(cfg.help);
	assert_int_equal(cfg.memory, OPTS_DEFAULT_MEMORY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_device_driver, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_bus_pair, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_multifunction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_never, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_sriov, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json, setup, teardown),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
