// SPDX-License-Identifier: GPL-2.0
/*
 * What a user types: `ptvm ARGS...` through opts_parse(), and every
 * argument through the size and PCI address parsers. Input: the arguments,
 * separated by NUL bytes. Checked: a refusal is -EINVAL with one line of
 * text, an accepted run has every field in range, a size is a whole number
 * of KiB, and a PCI address prints back to one that parses to itself.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "options.h"
#include "vfio/sysfs.h"

#define MAX_ARGS 64

static void check_arg(const char *s)
{
	struct pci_bdf bdf, again;
	char buf[PCI_BDF_STRLEN];
	uint64_t size;

	if (!opts_parse_size(s, &size))
		FUZZ_CHECK(size && !(size & 0x3ff), "size '%s' parsed as %llu", s,
			   (unsigned long long)size);
	if (pci_bdf_parse(s, &bdf))
		return;
	FUZZ_CHECK(bdf.dev < 32 && bdf.fn < 8, "'%s' parsed as device %u function %u", s, bdf.dev,
		   bdf.fn);
	pci_bdf_format(&bdf, buf);
	FUZZ_CHECK(strlen(buf) == PCI_BDF_STRLEN - 1, "'%s' formats as '%s'", s, buf);
	FUZZ_CHECK(!pci_bdf_parse(buf, &again) && bdf.domain == again.domain &&
			   bdf.bus == again.bus && bdf.dev == again.dev && bdf.fn == again.fn,
		   "'%s' formats as '%s', which parses to another address", s, buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1), *argv[MAX_ARGS + 2], err[256];
	struct vm_config cfg;
	enum opts_cmd cmd;
	int argc = 1, ret;
	size_t start = 0;

	FUZZ_CHECK(copy, "malloc");
	memcpy(copy, data, size);
	copy[size] = '\0';
	argv[0] = "ptvm";
	for (size_t i = 0; i <= size && argc <= MAX_ARGS; i++) {
		if (copy[i])
			continue;
		argv[argc++] = copy + start;
		start = i + 1;
	}
	argv[argc] = NULL;
	for (int i = 1; i < argc; i++)
		check_arg(argv[i]);
	memset(err, 0x5a, sizeof(err));
	ret = opts_parse(argc, argv, &cmd, &cfg, err, sizeof(err));
	FUZZ_CHECK(ret == 0 || ret == -EINVAL, "opts_parse returned %d", ret);
	FUZZ_CHECK(memchr(err, '\0', sizeof(err)), "error text not terminated");
	if (ret) {
		/* One line, unless it quotes an argument that has a newline itself. */
		FUZZ_CHECK(err[0] && (!strchr(err, '\n') || memchr(data, '\n', size)),
			   "refusal without one line: '%s'", err);
	} else if (cmd == OPTS_CMD_RUN) {
		FUZZ_CHECK(cfg.kernel && cfg.cmdline && cfg.kvm_path, "run without kernel/cmdline");
		FUZZ_CHECK(cfg.cpus >= 1 && cfg.cpus <= OPTS_MAX_CPUS, "cpus %u", cfg.cpus);
		FUZZ_CHECK(cfg.memory && !(cfg.memory & 0x3ff), "memory %llu",
			   (unsigned long long)cfg.memory);
		FUZZ_CHECK(cfg.nr_passthrough <= OPTS_MAX_PASSTHROUGH, "%u devices",
			   cfg.nr_passthrough);
		FUZZ_CHECK(!cfg.hugepages || cfg.hugepages == SZ_2M || cfg.hugepages == SZ_1G,
			   "hugepages %llu", (unsigned long long)cfg.hugepages);
		FUZZ_CHECK(cfg.numa_node >= -1, "numa node %d", cfg.numa_node);
	}
	free(copy);
	return 0;
}
