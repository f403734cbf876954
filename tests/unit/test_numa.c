// SPDX-License-Identifier: GPL-2.0
/* NUMA placement: the list parser, device nodes, the choice and --numa-node, over a fake sysfs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "log_capture.h"
#include "numa.h"
#include "vfio_fake_sysfs.h"

/* The CPUs of @set as a list, to compare with a string. */
static const char *set_str(const cpu_set_t *set, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int c = 0; c < CPU_SETSIZE && off < len; c++)
		if (CPU_ISSET(c, set))
			off += snprintf(buf + off, len - off, "%s%d", off ? "," : "", c);
	return buf;
}

static void test_cpulist_good(void **state)
{
	static const struct {
		const char *in, *cpus;
	} good[] = {
		{"0", "0"},	  {"0-3,8-11\n", "0,1,2,3,8,9,10,11"},
		{"7,3", "3,7"},	  {"5-5", "5"},
		{"1023", "1023"}, {"", ""},
		{"\n", ""},
	};
	char buf[128];
	cpu_set_t set;

	for (unsigned i = 0; i < ARRAY_SIZE(good); i++) {
		assert_int_equal(numa_cpulist_parse(good[i].in, &set), 0);
		assert_string_equal(set_str(&set, buf, sizeof(buf)), good[i].cpus);
	}
}

static void test_cpulist_bad(void **state)
{
	static const struct {
		const char *in;
		int err;
	} bad[] = {
		{"a", -EINVAL},
		{"-1", -EINVAL},
		{" 1", -EINVAL},
		{"+1", -EINVAL},
		{"1-", -EINVAL},
		{"3-1", -EINVAL},
		{"1,,2", -EINVAL},
		{"1,", -EINVAL},
		{"1,\n", -EINVAL},
		{",1", -EINVAL},
		{"1-2-3", -EINVAL},
		{"1\n\n", -EINVAL},
		{"1 ", -EINVAL},
		{"0-3:2/4", -EINVAL},
		{"1024", -ERANGE},
		{"0-1024", -ERANGE},
		{"99999999999999999999999", -ERANGE},
	};
	cpu_set_t set;

	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		int ret = numa_cpulist_parse(bad[i].in, &set);

		if (ret != bad[i].err)
			fail_msg("'%s' gives %d, want %d", bad[i].in, ret, bad[i].err);
	}
}

/* A two-node host, CPUs 0-1 on node 0 and 2-3 on node 1, and node 2 without CPUs. */
static void fake_nodes(struct fake_sysfs *fs)
{
	fake_sysfs_add_file(fs, "devices/system/node/online", "0-2\n");
	fake_sysfs_add_file(fs, "devices/system/node/has_memory", "0-2\n");
	fake_sysfs_add_file(fs, "devices/system/node/node0/cpulist", "0-1\n");
	fake_sysfs_add_file(fs, "devices/system/node/node1/cpulist", "2-3\n");
	fake_sysfs_add_file(fs, "devices/system/node/node2/cpulist", "\n");
}

/* PCI device @bdf whose numa_node reads @node (NULL: no such attribute). */
static void fake_pci_node(struct fake_sysfs *fs, const char *bdf, const char *node)
{
	char rel[128];

	fake_sysfs_add_dev(fs, bdf, "vfio-pci", 3);
	if (!node)
		return;
	snprintf(rel, sizeof(rel), "devices/pci0000:00/%s/numa_node", bdf);
	fake_sysfs_add_file(fs, rel, node);
}

static void test_pci_node(void **state)
{
	struct fake_sysfs fs;
	struct pci_bdf b;
	int node = 7;

	fake_sysfs_init(&fs);
	fake_pci_node(&fs, "0000:00:01.0", "-1\n");
	fake_pci_node(&fs, "0000:00:02.0", "1\n");
	fake_pci_node(&fs, "0000:00:03.0", NULL);
	fake_pci_node(&fs, "0000:00:04.0", "x\n");
	fake_pci_node(&fs, "0000:00:05.0", "-2\n");
	fake_pci_node(&fs, "0000:00:06.0", "1x\n");
	fake_pci_node(&fs, "0000:00:07.0", "99999999999\n");
	fake_pci_node(&fs, "0000:00:08.0", "\n");
	assert_int_equal(pci_bdf_parse("0000:00:01.0", &b), 0);
	assert_int_equal(numa_pci_node(fs.root, &b, &node), 0);
	assert_int_equal(node, NUMA_NO_NODE);
	assert_int_equal(pci_bdf_parse("0000:00:02.0", &b), 0);
	assert_int_equal(numa_pci_node(fs.root, &b, &node), 0);
	assert_int_equal(node, 1);
	/* A kernel without NUMA has no numa_node attribute. */
	assert_int_equal(pci_bdf_parse("0000:00:03.0", &b), 0);
	node = 7;
	assert_int_equal(numa_pci_node(fs.root, &b, &node), 0);
	assert_int_equal(node, NUMA_NO_NODE);
	assert_int_equal(pci_bdf_parse("0000:00:04.0", &b), 0);
	assert_int_equal(numa_pci_node(fs.root, &b, &node), -EINVAL);
	assert_int_equal(pci_bdf_parse("0000:00:05.0", &b), 0);
	assert_int_equal(numa_pci_node(fs.root, &b, &node), -EINVAL);
	assert_int_equal(pci_bdf_parse("0000:00:06.0", &b), 0);
	assert_int_equal(numa_pci_node(fs.root, &b, &node), -EINVAL);
	assert_int_equal(pci_bdf_parse("0000:00:07.0", &b), 0);
	assert_int_equal(numa_pci_node(fs.root, &b, &node), -EINVAL);
	assert_int_equal(pci_bdf_parse("0000:00:08.0", &b), 0);
	assert_int_equal(numa_pci_node(fs.root, &b, &node), -EINVAL);
	/* A root too long for a path is an error, not a device without a node. */
	{
		char root[PATH_MAX + 16];

		memset(root, 'a', sizeof(root) - 1);
		root[0] = '/';
		root[sizeof(root) - 1] = '\0';
		assert_int_equal(numa_pci_node(root, &b, &node), -ENAMETOOLONG);
	}
	fake_sysfs_destroy(&fs);
}

/* Run numa_choose over the devices @names with --numa-node @node; returns its result. */
static int choose(struct fake_sysfs *fs, const char *const *names, unsigned nr, int node,
		  struct numa_choice *c)
{
	struct pci_bdf devs[8];
	struct numa_want w = {.devs = devs, .nr_devs = nr, .node = node};

	for (unsigned i = 0; i < nr; i++)
		assert_int_equal(pci_bdf_parse(names[i], &devs[i]), 0);
	return numa_choose(fs->root, &w, c);
}

/* All devices on one node: RAM and vCPUs go there, with that node's CPUs. */
static void test_choose_agree(void **state)
{
	static const char *const one[] = {"0000:00:03.0"};
	static const char *const five[] = {"0000:00:01.0", "0000:00:02.0", "0000:00:03.0",
					   "0000:00:04.0", "0000:00:05.0"};
	struct numa_choice c;
	struct fake_sysfs fs;
	char buf[64];

	fake_sysfs_init(&fs);
	fake_nodes(&fs);
	fake_pci_node(&fs, "0000:00:01.0", "-1\n");
	fake_pci_node(&fs, "0000:00:02.0", "1\n");
	fake_pci_node(&fs, "0000:00:03.0", "1\n");
	fake_pci_node(&fs, "0000:00:04.0", "1\n");
	fake_pci_node(&fs, "0000:00:05.0", NULL);
	assert_int_equal(choose(&fs, one, 1, NUMA_NO_NODE, &c), 0);
	assert_int_equal(c.node, 1);
	assert_string_equal(set_str(&c.cpus, buf, sizeof(buf)), "2,3");
	assert_string_equal(c.why, "RAM and vCPUs on node 1 (the node of 0000:00:03.0)");
	/* A device that reports no node does not stop the others. */
	assert_int_equal(choose(&fs, five, 3, NUMA_NO_NODE, &c), 0);
	assert_int_equal(c.node, 1);
	assert_string_equal(c.why, "RAM and vCPUs on node 1 (the node of 0000:00:02.0 and 1 other "
				   "device; 1 device reports no node)");
	assert_int_equal(choose(&fs, five, 5, NUMA_NO_NODE, &c), 0);
	assert_int_equal(c.node, 1);
	assert_string_equal(c.why, "RAM and vCPUs on node 1 (the node of 0000:00:02.0 and 2 other "
				   "devices; 2 devices report no node)");
	fake_sysfs_destroy(&fs);
}

/* No placement when devices disagree, say nothing, or are absent. */
static void test_choose_none(void **state)
{
	static const char *const split[] = {"0000:00:01.0", "0000:00:02.0", "0000:00:03.0",
					    "0000:00:04.0"};
	static const char *const silent[] = {"0000:00:05.0", "0000:00:06.0"};
	struct numa_choice c;
	struct fake_sysfs fs;

	fake_sysfs_init(&fs);
	fake_nodes(&fs);
	fake_pci_node(&fs, "0000:00:01.0", "0\n");
	fake_pci_node(&fs, "0000:00:02.0", "1\n");
	fake_pci_node(&fs, "0000:00:03.0", "0\n");
	fake_pci_node(&fs, "0000:00:04.0", "2\n");
	fake_pci_node(&fs, "0000:00:05.0", "-1\n");
	fake_pci_node(&fs, "0000:00:06.0", NULL);
	assert_int_equal(choose(&fs, split, 2, NUMA_NO_NODE, &c), 0);
	assert_int_equal(c.node, NUMA_NO_NODE);
	assert_string_equal(c.why, "no NUMA placement: devices on nodes 0 and 1");
	assert_int_equal(choose(&fs, split, 4, NUMA_NO_NODE, &c), 0);
	assert_int_equal(c.node, NUMA_NO_NODE);
	assert_string_equal(c.why, "no NUMA placement: devices on nodes 0, 1 and 2");
	assert_int_equal(choose(&fs, silent, 2, NUMA_NO_NODE, &c), 0);
	assert_int_equal(c.node, NUMA_NO_NODE);
	assert_string_equal(c.why, "no NUMA placement: no device reports a node");
	assert_int_equal(choose(&fs, NULL, 0, NUMA_NO_NODE, &c), 0);
	assert_int_equal(c.node, NUMA_NO_NODE);
	assert_string_equal(c.why, "no NUMA placement: no device passed through");
	fake_sysfs_destroy(&fs);
}

/* A device on a node the guest cannot use: no placement, and why. */
static void test_choose_unusable_node(void **state)
{
	static const char *const dev[] = {"0000:00:01.0"};
	struct numa_choice c;
	struct fake_sysfs fs;

	fake_sysfs_init(&fs);
	fake_nodes(&fs);
	fake_pci_node(&fs, "0000:00:01.0", "2\n");
	assert_int_equal(choose(&fs, dev, 1, NUMA_NO_NODE, &c), 0);
	assert_int_equal(c.node, NUMA_NO_NODE);
	assert_string_equal(c.why,
			    "no NUMA placement: 0000:00:01.0 is on node 2, but node 2 has no CPUs");
	/* Without memory (a CPU-only node): mbind could not bind there. */
	fake_sysfs_add_file(&fs, "devices/system/node/has_memory", "0\n");
	fake_sysfs_add_file(&fs, "devices/system/node/node2/cpulist", "4\n");
	assert_int_equal(choose(&fs, dev, 1, NUMA_NO_NODE, &c), 0);
	assert_int_equal(c.node, NUMA_NO_NODE);
	assert_string_equal(
		c.why, "no NUMA placement: 0000:00:01.0 is on node 2, but node 2 has no memory");
	/* Not online at all. */
	fake_sysfs_add_file(&fs, "devices/system/node/online", "0-1\n");
	assert_int_equal(choose(&fs, dev, 1, NUMA_NO_NODE, &c), 0);
	assert_int_equal(c.node, NUMA_NO_NODE);
	assert_string_equal(c.why, "no NUMA placement: 0000:00:01.0 is on node 2, but node 2 does "
				   "not exist (online nodes: 0-1)");
	fake_sysfs_destroy(&fs);
}

/* --numa-node wins over the devices, and names what is wrong with a bad node in one line. */
static void test_choose_override(void **state)
{
	static const char *const dev[] = {"0000:00:01.0"};
	struct numa_choice c;
	struct log_capture lc;
	struct fake_sysfs fs;
	char buf[64];

	fake_sysfs_init(&fs);
	fake_nodes(&fs);
	fake_pci_node(&fs, "0000:00:01.0", "1\n");
	assert_int_equal(choose(&fs, dev, 1, 0, &c), 0);
	assert_int_equal(c.node, 0);
	assert_string_equal(set_str(&c.cpus, buf, sizeof(buf)), "0,1");
	assert_string_equal(c.why, "RAM and vCPUs on node 0 (--numa-node 0)");

	log_capture_start(&lc);
	assert_int_equal(choose(&fs, dev, 1, 5, &c), -ENODEV);
	assert_string_equal(log_capture_end(&lc),
			    "ptvm: --numa-node 5: node 5 does not exist (online nodes: 0-2)\n");
	log_capture_free(&lc);
	assert_int_equal(c.node, NUMA_NO_NODE);

	log_capture_start(&lc);
	assert_int_equal(choose(&fs, dev, 1, 5000, &c), -ENODEV);
	assert_string_equal(
		log_capture_end(&lc),
		"ptvm: --numa-node 5000: node 5000 does not exist (online nodes: 0-2)\n");
	log_capture_free(&lc);

	log_capture_start(&lc);
	assert_int_equal(choose(&fs, dev, 1, 2, &c), -ENODEV);
	assert_string_equal(log_capture_end(&lc), "ptvm: --numa-node 2: node 2 has no CPUs\n");
	log_capture_free(&lc);
	fake_sysfs_destroy(&fs);

	/* A kernel without NUMA has no node directory at all. */
	fake_sysfs_init(&fs);
	log_capture_start(&lc);
	assert_int_equal(choose(&fs, NULL, 0, 0, &c), -ENODEV);
	assert_string_equal(log_capture_end(&lc), "ptvm: --numa-node 0: node 0 does not exist "
						  "(this kernel shows no NUMA nodes)\n");
	log_capture_free(&lc);
	fake_sysfs_destroy(&fs);
}

/* Pool @pool's files; no resv_hugepages file if @resv is NULL (a node's pool). */
static void fake_pool(struct fake_sysfs *fs, const char *pool, const char *nr, const char *free,
		      const char *resv)
{
	char rel[160];

	snprintf(rel, sizeof(rel), "%s/nr_hugepages", pool);
	fake_sysfs_add_file(fs, rel, nr);
	snprintf(rel, sizeof(rel), "%s/free_hugepages", pool);
	fake_sysfs_add_file(fs, rel, free);
	if (!resv)
		return;
	snprintf(rel, sizeof(rel), "%s/resv_hugepages", pool);
	fake_sysfs_add_file(fs, rel, resv);
}

#define POOL_2M	 "kernel/mm/hugepages/hugepages-2048kB"
#define POOL_1G	 "kernel/mm/hugepages/hugepages-1048576kB"
#define NODE1_2M "devices/system/node/node1/hugepages/hugepages-2048kB"

/* The system's pools: what is needed, what is free (less reserved), and the fix. */
static void test_huge_check_system(void **state)
{
	struct fake_sysfs fs;
	char msg[512], want[512];

	fake_sysfs_init(&fs);
	fake_pool(&fs, POOL_2M, "100\n", "60\n", "20\n");
	assert_int_equal(numa_huge_check(fs.root, SZ_2M, NUMA_NO_NODE, 40, msg, sizeof(msg)), 0);
	assert_int_equal(numa_huge_check(fs.root, SZ_2M, NUMA_NO_NODE, 128, msg, sizeof(msg)),
			 -ENOMEM);
	assert_string_equal(
		msg, "the guest's RAM needs 128 2M huge pages, the pool has 40 free: add them "
		     "with sysctl vm.nr_hugepages=188");
	/* No 1G pool configured: the sysfs file, or the boot parameter. */
	fake_pool(&fs, POOL_1G, "0\n", "0\n", "0\n");
	assert_int_equal(numa_huge_check(fs.root, SZ_1G, NUMA_NO_NODE, 3, msg, sizeof(msg)),
			 -ENOMEM);
	snprintf(want, sizeof(want),
		 "the guest's RAM needs 3 1G huge pages, the pool has 0 free: add them with echo 3 "
		 "> "
		 "%s/" POOL_1G "/nr_hugepages, or boot with hugepagesz=1G hugepages=3",
		 fs.root);
	assert_string_equal(msg, want);
	/* More reserved than free cannot be, but must not wrap. */
	fake_pool(&fs, POOL_2M, "10\n", "2\n", "5\n");
	assert_int_equal(numa_huge_check(fs.root, SZ_2M, NUMA_NO_NODE, 1, msg, sizeof(msg)),
			 -ENOMEM);
	assert_string_equal(msg,
			    "the guest's RAM needs 1 2M huge page, the pool has 0 free: add them "
			    "with sysctl vm.nr_hugepages=11");
	fake_pool(&fs, POOL_2M, "10\n", "x\n", "0\n");
	assert_int_equal(numa_huge_check(fs.root, SZ_2M, NUMA_NO_NODE, 1, msg, sizeof(msg)),
			 -EINVAL);
	snprintf(want, sizeof(want), "cannot read %s/" POOL_2M ": Invalid argument", fs.root);
	assert_string_equal(msg, want);
	fake_pool(&fs, POOL_2M, "10\n", "3x\n", "0\n");
	assert_int_equal(numa_huge_check(fs.root, SZ_2M, NUMA_NO_NODE, 1, msg, sizeof(msg)),
			 -EINVAL);
	/* strtoull would take "-1" as 2^64 - 1 pages. */
	fake_pool(&fs, POOL_2M, "10\n", "-1\n", "0\n");
	assert_int_equal(numa_huge_check(fs.root, SZ_2M, NUMA_NO_NODE, 1, msg, sizeof(msg)),
			 -EINVAL);
	fake_sysfs_destroy(&fs);

	/* A kernel or CPU without 1G pages has no such directory. */
	fake_sysfs_init(&fs);
	assert_int_equal(numa_huge_check(fs.root, SZ_1G, NUMA_NO_NODE, 1, msg, sizeof(msg)),
			 -ENOENT);
	snprintf(want, sizeof(want), "this kernel has no 1G huge pages (no %s/" POOL_1G ")",
		 fs.root);
	assert_string_equal(msg, want);
	fake_sysfs_destroy(&fs);
}

/* A node's pool: its own free count (no resv file), and its own nr_hugepages to raise. */
static void test_huge_check_node(void **state)
{
	struct fake_sysfs fs;
	char msg[512], want[512];

	fake_sysfs_init(&fs);
	fake_pool(&fs, NODE1_2M, "50\n", "40\n", NULL);
	assert_int_equal(numa_huge_check(fs.root, SZ_2M, 1, 40, msg, sizeof(msg)), 0);
	assert_int_equal(numa_huge_check(fs.root, SZ_2M, 1, 128, msg, sizeof(msg)), -ENOMEM);
	snprintf(
		want, sizeof(want),
		"the guest's RAM needs 128 2M huge pages, node 1's pool has 40 free: add them with "
		"echo 138 > %s/" NODE1_2M "/nr_hugepages",
		fs.root);
	assert_string_equal(msg, want);
	fake_sysfs_destroy(&fs);
}

/* --hugepages with a node: its pool decides; short, the devices' node is not used. */
static void test_choose_huge(void **state)
{
	static const char *const dev[] = {"0000:00:01.0"};
	struct numa_choice c;
	struct log_capture lc;
	struct fake_sysfs fs;
	struct pci_bdf b;
	struct numa_want w = {.devs = &b,
			      .nr_devs = 1,
			      .node = NUMA_NO_NODE,
			      .huge_page_size = SZ_2M,
			      .huge_pages = 128};
	char want[512];

	fake_sysfs_init(&fs);
	fake_nodes(&fs);
	fake_pci_node(&fs, dev[0], "1\n");
	fake_pool(&fs, NODE1_2M, "50\n", "40\n", NULL);
	assert_int_equal(pci_bdf_parse(dev[0], &b), 0);
	assert_int_equal(numa_choose(fs.root, &w, &c), 0);
	assert_int_equal(c.node, NUMA_NO_NODE);
	snprintf(want, sizeof(want),
		 "no NUMA placement: 0000:00:01.0 is on node 1, but the guest's RAM needs 128 2M "
		 "huge pages, node 1's pool has 40 free: add them with echo 138 > %s/" NODE1_2M
		 "/nr_hugepages",
		 fs.root);
	assert_string_equal(c.why, want);

	w.node = 1;
	log_capture_start(&lc);
	assert_int_equal(numa_choose(fs.root, &w, &c), -ENODEV);
	snprintf(want, sizeof(want),
		 "ptvm: --numa-node 1: the guest's RAM needs 128 2M huge pages, node 1's pool has "
		 "40 free: add them with echo 138 > %s/" NODE1_2M "/nr_hugepages\n",
		 fs.root);
	assert_string_equal(log_capture_end(&lc), want);
	log_capture_free(&lc);

	w.huge_pages = 40;
	assert_int_equal(numa_choose(fs.root, &w, &c), 0);
	assert_int_equal(c.node, 1);
	w.node = NUMA_NO_NODE;
	assert_int_equal(numa_choose(fs.root, &w, &c), 0);
	assert_int_equal(c.node, 1);
	fake_sysfs_destroy(&fs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpulist_good),	cmocka_unit_test(test_cpulist_bad),
		cmocka_unit_test(test_pci_node),	cmocka_unit_test(test_choose_agree),
		cmocka_unit_test(test_choose_none),	cmocka_unit_test(test_choose_unusable_node),
		cmocka_unit_test(test_choose_override), cmocka_unit_test(test_huge_check_system),
		cmocka_unit_test(test_huge_check_node), cmocka_unit_test(test_choose_huge),
	};

	return cmocka_run_group_tests_name("numa", tests, NULL, NULL);
}
