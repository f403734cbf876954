// SPDX-License-Identifier: GPL-2.0
/* `ptvm run` option parsing: values, defaults and the exact error lines. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <string.h>
#include <cmocka.h>

#include "options.h"

struct parsed {
	int ret;
	enum opts_cmd cmd;
	struct vm_config cfg;
	char err[256];
};

static struct parsed parse(int argc, char *const argv[])
{
	struct parsed p;

	p.ret = opts_parse(argc, argv, &p.cmd, &p.cfg, p.err, sizeof(p.err));
	return p;
}

#define PARSE(...)                                        \
	({                                                \
		char *const a_[] = {"ptvm", __VA_ARGS__}; \
		parse(ARRAY_SIZE(a_), a_);                \
	})

static void test_full_run(void **state)
{
	struct parsed p = PARSE("run", "--kernel", "bz", "--initrd", "rd", "--cmdline", "quiet",
				"--memory", "2G", "--cpus", "4", "--stats");

	assert_int_equal(p.ret, 0);
	assert_int_equal(p.cmd, OPTS_CMD_RUN);
	assert_string_equal(p.cfg.kernel, "bz");
	assert_string_equal(p.cfg.initrd, "rd");
	assert_string_equal(p.cfg.cmdline, "quiet");
	assert_int_equal(p.cfg.memory, 2ULL << 30);
	assert_int_equal(p.cfg.cpus, 4);
	assert_true(p.cfg.stats);
	assert_false(p.cfg.verbose);
}

static void test_passthrough(void **state)
{
	struct parsed p = PARSE("run", "--kernel", "bz", "--passthrough", "0000:06:12.5",
				"--passthrough", "03:00.0", "--allow-unsafe-interrupts");

	assert_int_equal(p.ret, 0);
	assert_int_equal(p.cfg.nr_passthrough, 2);
	assert_string_equal(p.cfg.passthrough[0], "0000:06:12.5");
	assert_string_equal(p.cfg.passthrough[1], "03:00.0");
	assert_true(p.cfg.allow_unsafe_interrupts);
	assert_false(PARSE("run", "--kernel", "bz").cfg.allow_unsafe_interrupts);
	/* ptguard is on unless turned off. */
	assert_false(p.cfg.no_guard);
	assert_true(PARSE("run", "--kernel", "bz", "--no-guard").cfg.no_guard);
}

/* Managed is the default; --unmanaged takes no value. */
static void test_unmanaged(void **state)
{
	struct parsed p = PARSE("run", "--unmanaged", "--kernel", "bz", "--passthrough", "03:00.0");

	assert_int_equal(p.ret, 0);
	assert_true(p.cfg.unmanaged);
	assert_string_equal(p.cfg.kernel, "bz");
	assert_false(PARSE("run", "--kernel", "bz", "--passthrough", "03:00.0").cfg.unmanaged);
}

/* The sandbox is on unless turned off; --user names its user; not both. */
static void test_sandbox(void **state)
{
	struct parsed p = PARSE("run", "--kernel", "bz", "--user", "ptvm");

	assert_int_equal(p.ret, 0);
	assert_string_equal(p.cfg.user, "ptvm");
	assert_false(p.cfg.no_sandbox);
	assert_false(p.cfg.test_knob);
	assert_null(PARSE("run", "--kernel", "bz").cfg.user);
	assert_true(PARSE("run", "--kernel", "bz", "--no-sandbox").cfg.no_sandbox);
	p = PARSE("run", "--kernel", "bz", "--user");
	assert_int_equal(p.ret, -EINVAL);
	assert_string_equal(p.err, "option '--user' needs a value (see ptvm --help)");
	p = PARSE("run", "--kernel", "bz", "--no-sandbox", "--user", "alice");
	assert_int_equal(p.ret, -EINVAL);
	assert_string_equal(p.err, "--user alice and --no-sandbox: without the sandbox there is "
				   "no VM process to run as another user (drop one)");
}

/* The kernel's path: the cache and PVH are on unless turned off. */
static void test_kernel_path(void **state)
{
	struct parsed p = PARSE("run", "--kernel", "bz");

	assert_false(p.cfg.no_kernel_cache);
	assert_false(p.cfg.no_pvh);
	p = PARSE("run", "--kernel", "bz", "--no-kernel-cache", "--no-pvh");
	assert_int_equal(p.ret, 0);
	assert_true(p.cfg.no_kernel_cache);
	assert_true(p.cfg.no_pvh);
	p = PARSE("run", "--kernel", "bz", "--no-pvh=1");
	assert_int_equal(p.ret, -EINVAL);
	assert_string_equal(p.err, "unknown option '--no-pvh=1' (see ptvm --help)");
}

static void test_cleanup(void **state)
{
	struct parsed p = PARSE("cleanup");

	assert_int_equal(p.ret, 0);
	assert_int_equal(p.cmd, OPTS_CMD_CLEANUP);
	assert_int_equal(PARSE("cleanup", "--help").cmd, OPTS_CMD_HELP);
	p = PARSE("cleanup", "0000:00:02.0");
	assert_int_equal(p.ret, -EINVAL);
	assert_string_equal(p.err, "ptvm cleanup takes no arguments ('0000:00:02.0' given)");
}

static void test_too_many_passthrough(void **state)
{
	char *argv[4 + 2 * (OPTS_MAX_PASSTHROUGH + 1)];
	struct parsed p;
	int argc = 0;

	argv[argc++] = "ptvm";
	argv[argc++] = "run";
	argv[argc++] = "--kernel";
	argv[argc++] = "bz";
	for (unsigned i = 0; i <= OPTS_MAX_PASSTHROUGH; i++) {
		argv[argc++] = "--passthrough";
		argv[argc++] = "00:03.0";
	}
	p = parse(argc, argv);
	assert_int_equal(p.ret, -EINVAL);
	assert_string_equal(p.err, "too many --passthrough devices (at most 16)");
}

static void test_defaults(void **state)
{
	struct parsed p = PARSE("run", "--kernel", "bz");

	assert_int_equal(p.ret, 0);
	assert_null(p.cfg.initrd);
	assert_string_equal(p.cfg.cmdline, OPTS_DEFAULT_CMDLINE);
	assert_int_equal(p.cfg.memory, 512ULL << 20);
	assert_int_equal(p.cfg.cpus, 1);
	assert_string_equal(p.cfg.kvm_path, "/dev/kvm");
	assert_int_equal(p.cfg.hugepages, 0);
	assert_int_equal(p.cfg.numa_node, -1);
	/* A guest reboot boots it again, as QEMU and libvirt do by default. */
	assert_int_equal(p.cfg.on_reboot, OPTS_ON_REBOOT_RESTART);
	assert_int_equal(p.cfg.hotplug_slots, 1);
}

static void test_on_reboot(void **state)
{
	struct parsed p = PARSE("run", "--kernel", "bz", "--on-reboot", "exit");

	assert_int_equal(p.ret, 0);
	assert_int_equal(p.cfg.on_reboot, OPTS_ON_REBOOT_EXIT);
	p = PARSE("run", "--on-reboot", "exit", "--on-reboot", "restart", "--kernel", "bz");
	assert_int_equal(p.ret, 0);
	assert_int_equal(p.cfg.on_reboot, OPTS_ON_REBOOT_RESTART);
}

/* --hotplug-slots: 0 to 16, and with the --passthrough devices at most 16 root ports. */
static void test_hotplug_slots(void **state)
{
	struct parsed p = PARSE("run", "--kernel", "bz", "--hotplug-slots", "0");

	assert_int_equal(p.ret, 0);
	assert_int_equal(p.cfg.hotplug_slots, 0);
	p = PARSE("run", "--hotplug-slots", "15", "--kernel", "bz", "--passthrough", "03:00.0");
	assert_int_equal(p.ret, 0);
	assert_int_equal(p.cfg.hotplug_slots, 15);
	p = PARSE("run", "--hotplug-slots", "16", "--kernel", "bz", "--passthrough", "03:00.0",
		  "--passthrough", "04:00.0");
	assert_int_equal(p.ret, -EINVAL);
	assert_string_equal(p.err, "2 --passthrough devices and --hotplug-slots 16 need 18 root "
				   "ports, more than 16 (use --hotplug-slots 14)");
	p = PARSE("run", "--kernel", "bz", "--hotplug-slots", "17");
	assert_int_equal(p.ret, -EINVAL);
	assert_string_equal(p.err, "--hotplug-slots '17' is out of range (use 0 to 16)");
	p = PARSE("run", "--kernel", "bz", "--hotplug-slots", "-1");
	assert_int_equal(p.ret, -EINVAL);
	assert_string_equal(p.err, "--hotplug-slots '-1' is out of range (use 0 to 16)");
}

/* --hugepages alone is 2M; =SIZE takes the sizes x86-64 has; --numa-node takes a number. */
static void test_placement(void **state)
{
	struct parsed p = PARSE("run", "--kernel", "bz", "--hugepages");

	assert_int_equal(p.ret, 0);
	assert_int_equal(p.cfg.hugepages, SZ_2M);
	p = PARSE("run", "--hugepages=1G", "--kernel", "bz");
	assert_int_equal(p.ret, 0);
	assert_int_equal(p.cfg.hugepages, SZ_1G);
	p = PARSE("run", "--hugepages=2M", "--kernel", "bz");
	assert_int_equal(p.ret, 0);
	assert_int_equal(p.cfg.hugepages, SZ_2M);
	p = PARSE("run", "--hugepages=1024M", "--kernel", "bz");
	assert_int_equal(p.ret, 0);
	assert_int_equal(p.cfg.hugepages, SZ_1G);
	p = PARSE("run", "--kernel", "bz", "--numa-node", "1");
	assert_int_equal(p.ret, 0);
	assert_int_equal(p.cfg.numa_node, 1);
	p = PARSE("run", "--numa-node", "0", "--kernel", "bz");
	assert_int_equal(p.ret, 0);
	assert_int_equal(p.cfg.numa_node, 0);
}

static void test_errors(void **state)
{
	static const struct {
		const char *args[4];
		const char *err;
	} cases[] = {
		{{"run", "--kernel", "bz", "--frob"}, "unknown option '--frob' (see ptvm --help)"},
		{{"run", "--kernel", "bz", "--cpus"},
		 "option '--cpus' needs a value (see ptvm --help)"},
		{{"run", "--cpus", "0", "--kernel"}, "--cpus '0' is out of range (use 1 to 254)"},
		{{"run", "--cpus", "255", "--kernel"},
		 "--cpus '255' is out of range (use 1 to 254)"},
		{{"run", "--cpus", "two", "--kernel"},
		 "--cpus 'two' is out of range (use 1 to 254)"},
		{{"run", "--memory", "lots", "--kernel"},
		 "--memory 'lots' is not a size (use e.g. 512M or 2G)"},
		/* strtoull() skips blanks and negates: numbers must start with a digit. */
		{{"run", "--memory", " -1", "--kernel"},
		 "--memory ' -1' is not a size (use e.g. 512M or 2G)"},
		{{"run", "--memory", " -18446744073709551615", "--kernel"},
		 "--memory ' -18446744073709551615' is not a size (use e.g. 512M or 2G)"},
		{{"run", "--memory", " 512M", "--kernel"},
		 "--memory ' 512M' is not a size (use e.g. 512M or 2G)"},
		{{"run", "--cpus", " -1", "--kernel"},
		 "--cpus ' -1' is out of range (use 1 to 254)"},
		{{"run", "--cpus", " -18446744073709551614", "--kernel"},
		 "--cpus ' -18446744073709551614' is out of range (use 1 to 254)"},
		{{"run", "--cpus", "+2", "--kernel"}, "--cpus '+2' is out of range (use 1 to 254)"},
		{{"run", "--cpus", "\t2", "--kernel"},
		 "--cpus '\t2' is out of range (use 1 to 254)"},
		{{"run", "--initrd", "x"}, "no kernel given (add --kernel BZIMAGE)"},
		{{"run", "--kernel", "bz", "--hugepages=4M"},
		 "--hugepages=4M is not a huge page size (use --hugepages=2M or --hugepages=1G)"},
		{{"run", "--kernel", "bz", "--hugepages="},
		 "--hugepages= is not a huge page size (use --hugepages=2M or --hugepages=1G)"},
		{{"run", "--kernel", "bz", "--hugepages=big"},
		 "--hugepages=big is not a huge page size (use --hugepages=2M or --hugepages=1G)"},
		{{"run", "--kernel", "bz", "--hugepagesize"},
		 "unknown option '--hugepagesize' (see ptvm --help)"},
		{{"run", "--hugepages", "1G", "--kernel"},
		 "'1G' after --hugepages: give the size as --hugepages=1G"},
		{{"run", "--hugepages", "bz", "--kernel"}, "unknown option 'bz' (see ptvm --help)"},
		{{"run", "--kernel", "bz", "--numa-node"},
		 "option '--numa-node' needs a value (see ptvm --help)"},
		{{"run", "--numa-node", "one", "--kernel"},
		 "--numa-node 'one' is not a node number (see /sys/devices/system/node/online)"},
		{{"run", "--numa-node", "-1", "--kernel"},
		 "--numa-node '-1' is not a node number (see /sys/devices/system/node/online)"},
		{{"run", "--numa-node", "2147483648", "--kernel"},
		 "--numa-node '2147483648' is not a node number (see "
		 "/sys/devices/system/node/online)"},
		{{"run", "--kernel", "bz", "--on-reboot"},
		 "option '--on-reboot' needs a value (see ptvm --help)"},
		{{"run", "--on-reboot", "reset", "--kernel"},
		 "--on-reboot 'reset' is neither restart nor exit"},
		{{"boot"},
		 "unknown command 'boot' (the commands are run, devices, check, cleanup and ctl; "
		 "see "
		 "ptvm --help)"},
		{{"run", "--kernel", "bz", "--api-socket"},
		 "option '--api-socket' needs a value (see ptvm --help)"},
		{{"run", "--api-socket", "", "--kernel"},
		 "--api-socket needs a path (e.g. /run/ptvm-vm1.sock)"},
	};

	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		char *argv[5] = {"ptvm"};
		int argc = 1;
		struct parsed p;

		for (unsigned j = 0; j < 4 && cases[i].args[j]; j++)
			argv[argc++] = (char *)cases[i].args[j];
		p = parse(argc, argv);
		assert_int_equal(p.ret, -EINVAL);
		assert_string_equal(p.err, cases[i].err);
	}
}

static void test_no_command(void **state)
{
	struct parsed p = PARSE();

	assert_int_equal(p.ret, -EINVAL);
	assert_string_equal(p.err,
			    "no command given (try: ptvm run --kernel BZIMAGE, or ptvm --help)");
}

static void test_help_version(void **state)
{
	assert_int_equal(PARSE("--help").cmd, OPTS_CMD_HELP);
	assert_int_equal(PARSE("run", "--kernel", "x", "-h").cmd, OPTS_CMD_HELP);
	assert_int_equal(PARSE("--version").cmd, OPTS_CMD_VERSION);
}

/* devices and check take their own options (hostdev_parse(), test_hostdev_claim.c). */
static void test_host_commands(void **state)
{
	struct parsed p = PARSE("devices", "--json");

	assert_int_equal(p.ret, 0);
	assert_int_equal(p.cmd, OPTS_CMD_DEVICES);
	p = PARSE("check", "--memory", "1G", "0000:00:03.0");
	assert_int_equal(p.ret, 0);
	assert_int_equal(p.cmd, OPTS_CMD_CHECK);
	/* ctl's arguments are api_ctl()'s (test_api_client.c). */
	p = PARSE("ctl", "/run/x.sock", "status");
	assert_int_equal(p.ret, 0);
	assert_int_equal(p.cmd, OPTS_CMD_CTL);
}

static void test_api_socket(void **state)
{
	struct parsed p = PARSE("run", "--api-socket", "/run/vm1.sock", "--kernel", "bz");

	assert_int_equal(p.ret, 0);
	assert_string_equal(p.cfg.api_socket, "/run/vm1.sock");
	assert_null(PARSE("run", "--kernel", "bz").cfg.api_socket);
}

static void test_sizes(void **state)
{
	static const struct {
		const char *s;
		int ret;
		uint64_t v;
	} cases[] = {
		{"512M", 0, 512ULL << 20},
		{"2G", 0, 2ULL << 30},
		{"1024", 0, 1ULL << 30},
		{"64MiB", 0, 64ULL << 20},
		{"1GB", 0, 1ULL << 30},
		{"4096k", 0, 4ULL << 20},
		{"1T", 0, 1ULL << 40},
		{"", -EINVAL, 0},
		{"-1G", -EINVAL, 0},
		{"0", -EINVAL, 0},
		{"12X", -EINVAL, 0},
		{"1Gx", -EINVAL, 0},
		{"99999999999999999999", -EINVAL, 0},
		{"20000000T", -EINVAL, 0},
		{" -1", -EINVAL, 0},
		{" 1G", -EINVAL, 0},
		{"+1G", -EINVAL, 0},
		{" -18446744073709551615", -EINVAL, 0},
	};

	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		uint64_t v = 0;

		assert_int_equal(opts_parse_size(cases[i].s, &v), cases[i].ret);
		if (!cases[i].ret)
			assert_int_equal(v, cases[i].v);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_run),      cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_passthrough),   cmocka_unit_test(test_too_many_passthrough),
		cmocka_unit_test(test_errors),	      cmocka_unit_test(test_no_command),
		cmocka_unit_test(test_help_version),  cmocka_unit_test(test_host_commands),
		cmocka_unit_test(test_sizes),	      cmocka_unit_test(test_placement),
		cmocka_unit_test(test_unmanaged),     cmocka_unit_test(test_sandbox),
		cmocka_unit_test(test_kernel_path),   cmocka_unit_test(test_cleanup),
		cmocka_unit_test(test_on_reboot),     cmocka_unit_test(test_api_socket),
		cmocka_unit_test(test_hotplug_slots),
	};

	return cmocka_run_group_tests_name("options", tests, NULL, NULL);
}
