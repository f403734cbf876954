// SPDX-License-Identifier: GPL-2.0
/*
 * `ptvm devices` on the fixture host (hostdev_fixture.h: the rig's L1, q35's
 * ICH9 functions, an SR-IOV PF with two VFs): exact lines, plain and JSON,
 * names from a small pci.ids, the hex fallback without one, JSON escaping.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "hostdev/hostdev.h"
#include "hostdev/json.h"
#include "hostdev_fixture.h"
#include "log_capture.h"

/* ptvm's output as a string, and what hostdev_run() returned. */
struct run {
	int ret;
	char *out;
	char *log;
};

/* `ptvm ARGS...` against @fs, names from @ids. */
static struct run run_argv(struct fake_sysfs *fs, const char *ids, int argc, char **argv)
{
	const struct check_env env = {.sys = &sys_linux, .sysfs = fs->root};
	struct hostdev_config cfg;
	struct log_capture lc;
	struct run r = {0};
	unsigned fails = 0;
	char err[256];
	size_t len;
	FILE *f;

	assert_int_equal(hostdev_parse(argc, argv, &cfg, err, sizeof(err)), 0);
	f = open_memstream(&r.out, &len);
	assert_non_null(f);
	log_capture_start(&lc);
	r.ret = hostdev_run(&cfg, &env, ids, f, &fails);
	r.log = strdup(log_capture_end(&lc));
	log_capture_free(&lc);
	fclose(f);
	assert_int_equal(fails, 0);
	return r;
}

#define RUN(fs, ids, ...)                                                \
	run_argv(fs, ids, ARRAY_SIZE(((char *[]){"ptvm", __VA_ARGS__})), \
		 (char *[]){"ptvm", __VA_ARGS__})

static void run_free(struct run *r)
{
	free(r->out);
	free(r->log);
}

/* @out is exactly @want[0..@n), one line each. */
static void expect_lines(const char *out, const char *const *want, unsigned n)
{
	const char *p = out;

	for (unsigned i = 0; i < n; i++) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (!nl || len != strlen(want[i]) || strncmp(p, want[i], len))
			fail_msg("line %u:\n got: %.*s\nwant: %s", i + 1, (int)len, p, want[i]);
		p = nl + 1;
	}
	if (*p)
		fail_msg("more output than expected: %s", p);
}

static const char *const no_ids = "/nonexistent/pci.ids";

static int setup(void **state)
{
	struct fake_sysfs *fs = calloc(1, sizeof(*fs));

	hf_build(fs, NULL);
	*state = fs;
	return 0;
}

static int teardown(void **state)
{
	fake_sysfs_destroy(*state);
	free(*state);
	return 0;
}

/*
 * Every function: the bus-reset pair behind the pcie-pci-bridge reach each
 * other, the multi-function e1000e's functions reset alone (each has PM)
 * but share group 8, bridges and the ISA bridge are no candidates, the
 * ICH9 functions without a reset neither.
 */
static void test_plain_all(void **state)
{
	// clang-format off
	static const char *const want[] = {
		"ADDRESS       ID         CLASS   DRIVER      NUMA  IOMMU GROUP                                           RESET METHODS  RESET DOMAIN             SR-IOV              STATUS                                         NAME",
		"0000:00:00.0  8086:29c0  060000  -           -     0                                                     -              none                     -                   not assignable: the host bridge                0600: 8086 29c0",
		"0000:00:02.0  8086:10d3  020000  e1000e      -     2                                                     pm             function                 -                   assignable                                     0200: 8086 10d3",
		"0000:00:03.0  1b36:0010  010802  nvme        -     3                                                     flr            function                 -                   assignable                                     0108: 1b36 0010",
		"0000:00:04.0  1b36:000c  060400  pcieport    -     4                                                     -              none                     -                   not assignable: a PCI bridge                   0604: 1b36 000c",
		"0000:00:05.0  1b36:000c  060400  pcieport    -     5                                                     -              none                     -                   not assignable: a PCI bridge                   0604: 1b36 000c",
		"0000:00:06.0  1b36:000c  060400  pcieport    -     9                                                     -              none                     -                   not assignable: a PCI bridge                   0604: 1b36 000c",
		"0000:00:1f.0  8086:2918  060100  lpc_ich     -     6 with 0000:00:1f.2=ahci, 0000:00:1f.3=i801_smbus     -              none                     -                   not assignable: an ISA/LPC bridge              0601: 8086 2918",
		"0000:00:1f.2  8086:2922  010601  ahci        -     6 with 0000:00:1f.0=lpc_ich, 0000:00:1f.3=i801_smbus  -              none                     -                   not assignable: no reset method                0106: 8086 2922",
		"0000:00:1f.3  8086:2930  0c0500  i801_smbus  -     6 with 0000:00:1f.0=lpc_ich, 0000:00:1f.2=ahci        -              none                     -                   not assignable: no reset method                0c05: 8086 2930",
		"0000:01:00.0  1b36:000e  060400  -           -     7 with 0000:02:01.0=e1000, 0000:02:02.0=e1000         pm,bus         function                 -                   not assignable: a PCI bridge                   0604: 1b36 000e",
		"0000:02:01.0  8086:100e  020000  e1000       -     7 with 0000:01:00.0=none, 0000:02:02.0=e1000          bus            bus: 0000:02:02.0=e1000  -                   assignable                                     0200: 8086 100e",
		"0000:02:02.0  8086:100e  020000  e1000       -     7 with 0000:01:00.0=none, 0000:02:01.0=e1000          -              bus: 0000:02:01.0=e1000  -                   assignable                                     0200: 8086 100e",
		"0000:03:00.0  8086:10d3  020000  e1000e      -     8 with 0000:03:00.1=e1000e                            pm,bus         function                 -                   assignable                                     0200: 8086 10d3",
		"0000:03:00.1  8086:10d3  020000  e1000e      -     8 with 0000:03:00.0=e1000e                            pm             function                 -                   assignable                                     0200: 8086 10d3",
		"0000:04:00.0  8086:10c9  020000  igb         0     10                                                    flr            function                 PF 2/7 VFs          not assignable: an SR-IOV PF with VFs enabled  0200: 8086 10c9",
		"0000:04:10.0  8086:10ca  020000  vfio-pci    0     11                                                    flr            function                 VF of 0000:04:00.0  assignable                                     0200: 8086 10ca",
		"0000:04:10.2  8086:10ca  020000  igbvf       0     12                                                    flr            function                 VF of 0000:04:00.0  assignable                                     0200: 8086 10ca",
	};
	// clang-format on
	struct run r = RUN(*state, no_ids, "devices");

	assert_int_equal(r.ret, 0);
	expect_lines(r.out, want, ARRAY_SIZE(want));
	assert_string_equal(r.log, "");
	run_free(&r);
}

/* The BDFs asked for, in the order given, one JSON object per line. */
static void test_json_some(void **state)
{
	// clang-format off
	static const char *const want[] = {
		"{\"address\": \"0000:02:01.0\", \"vendor_id\": \"8086\", \"device_id\": \"100e\", \"class_id\": \"020000\", \"vendor\": \"8086\", \"device\": \"100e\", \"class\": \"0200\", \"driver\": \"e1000\", \"numa_node\": null, \"iommu_group\": 7, \"iommu_group_peers\": [{\"address\": \"0000:01:00.0\", \"driver\": null}, {\"address\": \"0000:02:02.0\", \"driver\": \"e1000\"}], \"reset_methods\": [\"bus\"], \"reset\": \"bus\", \"reset_domain\": [{\"address\": \"0000:02:02.0\", \"driver\": \"e1000\"}], \"sriov\": null, \"assignable\": true, \"reason\": null}",
		"{\"address\": \"0000:00:03.0\", \"vendor_id\": \"1b36\", \"device_id\": \"0010\", \"class_id\": \"010802\", \"vendor\": \"1b36\", \"device\": \"0010\", \"class\": \"0108\", \"driver\": \"nvme\", \"numa_node\": null, \"iommu_group\": 3, \"iommu_group_peers\": [], \"reset_methods\": [\"flr\"], \"reset\": \"function\", \"reset_domain\": [], \"sriov\": null, \"assignable\": true, \"reason\": null}",
		"{\"address\": \"0000:04:00.0\", \"vendor_id\": \"8086\", \"device_id\": \"10c9\", \"class_id\": \"020000\", \"vendor\": \"8086\", \"device\": \"10c9\", \"class\": \"0200\", \"driver\": \"igb\", \"numa_node\": 0, \"iommu_group\": 10, \"iommu_group_peers\": [], \"reset_methods\": [\"flr\"], \"reset\": \"function\", \"reset_domain\": [], \"sriov\": {\"role\": \"pf\", \"num_vfs\": 2, \"total_vfs\": 7}, \"assignable\": false, \"reason\": \"an SR-IOV PF with VFs enabled\"}",
		"{\"address\": \"0000:04:10.2\", \"vendor_id\": \"8086\", \"device_id\": \"10ca\", \"class_id\": \"020000\", \"vendor\": \"8086\", \"device\": \"10ca\", \"class\": \"0200\", \"driver\": \"igbvf\", \"numa_node\": 0, \"iommu_group\": 12, \"iommu_group_peers\": [], \"reset_methods\": [\"flr\"], \"reset\": \"function\", \"reset_domain\": [], \"sriov\": {\"role\": \"vf\", \"pf\": \"0000:04:00.0\"}, \"assignable\": true, \"reason\": null}",
		"{\"address\": \"0000:00:1f.0\", \"vendor_id\": \"8086\", \"device_id\": \"2918\", \"class_id\": \"060100\", \"vendor\": \"8086\", \"device\": \"2918\", \"class\": \"0601\", \"driver\": \"lpc_ich\", \"numa_node\": null, \"iommu_group\": 6, \"iommu_group_peers\": [{\"address\": \"0000:00:1f.2\", \"driver\": \"ahci\"}, {\"address\": \"0000:00:1f.3\", \"driver\": \"i801_smbus\"}], \"reset_methods\": [], \"reset\": \"none\", \"reset_domain\": [], \"sriov\": null, \"assignable\": false, \"reason\": \"an ISA/LPC bridge\"}",
		"{\"address\": \"0000:01:00.0\", \"vendor_id\": \"1b36\", \"device_id\": \"000e\", \"class_id\": \"060400\", \"vendor\": \"1b36\", \"device\": \"000e\", \"class\": \"0604\", \"driver\": null, \"numa_node\": null, \"iommu_group\": 7, \"iommu_group_peers\": [{\"address\": \"0000:02:01.0\", \"driver\": \"e1000\"}, {\"address\": \"0000:02:02.0\", \"driver\": \"e1000\"}], \"reset_methods\": [\"pm\", \"bus\"], \"reset\": \"function\", \"reset_domain\": [], \"sriov\": null, \"assignable\": false, \"reason\": \"a PCI bridge\"}",
	};
	// clang-format on
	struct run r = RUN(*state, no_ids, "devices", "--json", "0000:02:01.0", "00:03.0",
			   "0000:04:00.0", "0000:04:10.2", "0000:00:1f.0", "0000:01:00.0");

	assert_int_equal(r.ret, 0);
	expect_lines(r.out, want, ARRAY_SIZE(want));
	run_free(&r);
}

/*
 * With its function-level methods switched off (echo > reset_method; the
 * attribute disappears when none is left), function 0 of the multi-function
 * e1000e is reset by the bus reset of its root port: that reaches function 1.
 */
static void test_multifunction_bus_reset(void **state)
{
	struct fake_sysfs *fs = *state;
	char path[PATH_MAX];
	struct run r;

	snprintf(path, sizeof(path), "%s/devices/pci0000:00/0000:03:00.0/reset_method", fs->root);
	assert_int_equal(unlink(path), 0);
	r = RUN(fs, no_ids, "devices", "--json", "03:00.0");
	assert_non_null(strstr(r.out,
			       "\"reset_methods\": [], \"reset\": \"bus\", \"reset_domain\": "
			       "[{\"address\": \"0000:03:00.1\", \"driver\": \"e1000e\"}]"));
	run_free(&r);
	r = RUN(fs, no_ids, "devices", "03:00.0");
	assert_non_null(strstr(r.out, "  -              bus: 0000:03:00.1=e1000e  -  "));
	run_free(&r);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* pci.ids format: see the header of /usr/share/misc/pci.ids. */
static const char ids_text[] = "# a few entries\n"
			       "8086  Intel Corporation\n"
			       "\t100e  82540EM Gigabit Ethernet Controller\n"
			       "\t10d3  82574L Gigabit Network Connection\n"
			       "1b36  Red Hat, Inc.\n"
			       "\t0010  QEMU NVM Express Controller\n"
			       "abcd  Quote \"Q\" \\ Back\tslash\n"
			       "C 01  Mass storage controller\n"
			       "\t08  Non-Volatile memory controller\n"
			       "C 02  Network controller\n"
			       "\t00  Ethernet controller\n";

static void test_names(void **state)
{
	struct fake_sysfs *fs = *state;
	char ids[PATH_MAX];
	struct run r;

	snprintf(ids, sizeof(ids), "%s/pci.ids", fs->root);
	write_file(ids, ids_text);
	r = RUN(fs, ids, "devices", "00:03.0", "02:01.0", "00:1f.0");
	assert_int_equal(r.ret, 0);
	assert_non_null(strstr(r.out, "  Non-Volatile memory controller: Red Hat, Inc. QEMU NVM "
				      "Express Controller\n"));
	assert_non_null(strstr(r.out, "  Ethernet controller: Intel Corporation 82540EM Gigabit "
				      "Ethernet Controller\n"));
	/* Known vendor, unknown device and class: the hex IDs there. */
	assert_non_null(strstr(r.out, "  0601: Intel Corporation 2918\n"));
	run_free(&r);
	r = RUN(fs, ids, "devices", "--json", "00:02.0");
	assert_non_null(strstr(r.out, "\"vendor\": \"Intel Corporation\", \"device\": \"82574L "
				      "Gigabit Network Connection\", \"class\": \"Ethernet "
				      "controller\""));
	run_free(&r);
}

/* A name with quotes, a backslash and a tab is one valid JSON string. */
static void test_names_escaped(void **state)
{
	struct fake_sysfs *fs = *state;
	char ids[PATH_MAX];
	struct run r;

	snprintf(ids, sizeof(ids), "%s/pci.ids", fs->root);
	write_file(ids, ids_text);
	hf_add(fs, &(struct hf_dev)HF("0000:05:00.0", 0xabcd, 0x1, 0x020000, NULL, 13, "flr"));
	r = RUN(fs, ids, "devices", "--json", "05:00.0");
	assert_non_null(strstr(r.out, "\"vendor\": \"Quote \\\"Q\\\" \\\\ Back\\u0009slash\""));
	run_free(&r);
}

/* A malformed pci.ids: one line saying so, then hex names, not an exit. */
static void test_names_malformed(void **state)
{
	struct fake_sysfs *fs = *state;
	char ids[PATH_MAX], want[PATH_MAX + 64];
	struct run r;

	snprintf(ids, sizeof(ids), "%s/pci.ids", fs->root);
	write_file(ids, "8086  Intel Corporation\nnot an entry\n");
	r = RUN(fs, ids, "devices", "00:03.0");
	assert_int_equal(r.ret, 0);
	snprintf(want, sizeof(want), "ptvm: pci.ids: Parse error at %s, line 2; showing hex IDs\n",
		 ids);
	assert_string_equal(r.log, want);
	assert_non_null(strstr(r.out, "  0108: 1b36 0010\n"));
	run_free(&r);
}

static void test_unknown_bdf(void **state)
{
	struct run r = RUN(*state, no_ids, "devices", "00:03.0", "0000:07:00.0");

	assert_int_equal(r.ret, -ENODEV);
	assert_string_equal(r.log, "ptvm: 0000:07:00.0: no such PCI device (see ptvm devices)\n");
	assert_string_equal(r.out, "");
	run_free(&r);
}

static char *json_of(const char *s)
{
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	json_str(f, s);
	fclose(f);
	return buf;
}

static void test_json_str(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		// clang-format off
		{ "plain", "\"plain\"" },
		{ "a\"b\\c", "\"a\\\"b\\\\c\"" },
		{ "\n\t\x01\x1f", "\"\\u000a\\u0009\\u0001\\u001f\"" },
		{ "\x7f", "\"\x7f\"" },
		{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"" },
		/* Latin-1, a lone continuation byte, an overlong '/', a surrogate, a cut sequence. */
		{ "caf\xe9", "\"caf\\ufffd\"" },
		{ "\x80x", "\"\\ufffdx\"" },
		{ "\xc0\xaf", "\"\\ufffd\\ufffd\"" },
		{ "\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"" },
		{ "\xe2\x82", "\"\\ufffd\\ufffd\"" },
		{ "\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },
		/* Overlong 3- and 4-byte forms of '/'. */
		{ "\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\"" },
		{ "\xf0\x80\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },
		// clang-format on
	};
	char *got;

	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		got = json_of(cases[i].in);
		if (strcmp(got, cases[i].out))
			fail_msg("case %u: got %s, want %s", i, got, cases[i].out);
		free(got);
	}
	got = json_of(NULL);
	assert_string_equal(got, "null");
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_plain_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_some, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multifunction_bus_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_names_escaped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_names_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_bdf, setup, teardown),
		cmocka_unit_test(test_json_str),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
