// SPDX-License-Identifier: GPL-2.0
/* `ptvm run` option parsing. Hand-written: getopt_long keeps global state. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

const char opts_usage[] =
	"usage: ptvm run --kernel BZIMAGE|VMLINUX [--initrd FILE] [--cmdline STR]\n"
	"                [--memory SIZE] [--cpus N] [--passthrough BDF]... [--unmanaged]\n"
	"                [--allow-unsafe-interrupts] [--no-guard] [--hugepages[=2M|1G]]\n"
	"                [--numa-node N] [--on-reboot restart|exit] [--api-socket PATH]\n"
	"                [--user USER] [--no-sandbox] [--hotplug-slots N] [--stats]\n"
	"                [--no-kernel-cache] [--no-pvh] [--verbose]\n"
	"       ptvm devices [--json] [BDF...]\n"
	"       ptvm check [--json] [--memory SIZE] [BDF...]\n"
	"       ptvm cleanup\n"
	"       ptvm ctl PATH VERB [BDF] | ptvm ctl PATH --raw\n"
	"       ptvm --help | --version\n"
	"\n"
	"  --kernel FILE     Linux to boot: a bzImage (64-bit boot protocol, >= 2.12;\n"
	"                    its kernel is decompressed on the host, cached, and\n"
	"                    booted through PVH when it has the PVH entry), or an\n"
	"                    uncompressed ELF vmlinux with the PVH entry note\n"
	"  --initrd FILE     initial ramdisk\n"
	"  --cmdline STR     kernel command line (default \"" OPTS_DEFAULT_CMDLINE "\")\n"
	"  --memory SIZE     guest RAM, e.g. 512M or 2G; a bare number is MiB (default 512M)\n"
	"  --cpus N          number of vCPUs (default 1)\n"
	"  --passthrough BDF give the guest this host PCI device (DDDD:BB:DD.F or\n"
	"                    BB:DD.F); repeatable. ptvm moves it to vfio-pci for\n"
	"                    the run and back to its driver afterwards\n"
	"  --unmanaged       leave drivers alone: each --passthrough device must be\n"
	"                    on vfio-pci already (scripts/bind-vfio)\n"
	"  --allow-unsafe-interrupts\n"
	"                    pass devices through on a host without interrupt\n"
	"                    remapping (a device can then inject any interrupt)\n"
	"  --no-guard        pass devices through without ptguard.ko: no check of\n"
	"                    their reset domains, no reset guaranteed if ptvm dies\n"
	"  --hugepages[=2M|1G]\n"
	"                    back guest RAM with hugetlbfs pages of that size\n"
	"                    (default 2M), reserved from the host's pool at start\n"
	"  --numa-node N     put guest RAM and vCPU threads on host NUMA node N\n"
	"                    (default: the node of the --passthrough devices, if\n"
	"                    they agree)\n"
	"  --on-reboot restart|exit\n"
	"                    when the guest reboots (or triple faults): boot it\n"
	"                    again with its devices reset and RAM cleared\n"
	"                    (restart, the default), or end ptvm (exit)\n"
	"  --hotplug-slots N empty PCIe root ports for devices added while the guest\n"
	"                    runs (default 1); every --passthrough device has a port\n"
	"                    of its own too, at most 16 ports in all\n"
	"  --api-socket PATH control socket (mode 0600): JSON requests, one a line\n"
	"  --user USER       the user the VM process (vCPUs, device models) runs as,\n"
	"                    with no capabilities and a seccomp allowlist (default:\n"
	"                    ptvm if there is such a user, else nobody)\n"
	"  --no-sandbox      run the vCPUs and device models in ptvm's own process,\n"
	"                    as root, with every capability and no syscall filter\n"
	"  --no-kernel-cache decompress a bzImage's kernel without reading or writing\n"
	"                    the kernel cache ($PTVM_CACHE_DIR, else /var/cache/ptvm)\n"
	"  --no-pvh          boot a bzImage through its own 64-bit entry: its\n"
	"                    decompressor runs in the guest (slower; it is what\n"
	"                    randomizes the kernel's base, KASLR)\n"
	"  --stats           print exit counters when the guest stops\n"
	"  --verbose         log what ptvm sets up\n"
	"\n"
	"The guest's serial console is this terminal; type Ctrl-A x to stop the guest.\n"
	"\n"
	"ptvm devices lists the host's PCI functions (all, or those given): IDs and\n"
	"names, driver, NUMA node, IOMMU group, reset methods and the reset domain,\n"
	"SR-IOV, and whether the function can be passed through. --json: one JSON\n"
	"object per line.\n"
	"ptvm check says, one PASS/WARN/FAIL line each, whether this host can pass\n"
	"devices through (KVM, IOMMU, interrupt remapping, VFIO, ptguard, locked\n"
	"memory for --memory SIZE, huge pages) and whether each BDF given can go to\n"
	"one guest now; it exits 1 on any FAIL.\n"
	"ptvm cleanup gives back the devices that a ptvm killed by SIGKILL, or\n"
	"crashed, left on vfio-pci (from its records in /run/ptvm).\n"
	"ptvm ctl sends one request to a running ptvm's --api-socket and prints the\n"
	"reply: VERB is status, stats, pause, resume or poweroff (device-del BDF and\n"
	"device-add BDF are not implemented yet). --raw sends stdin as it is and\n"
	"prints every reply line.\n";

/*
 * Numbers start with a digit. strtoull() and strtoul() would first skip
 * blanks and take a sign, and they negate a '-' number instead of failing:
 * " -18446744073709551615" parses as 1.
 */
static bool opts_digit(char c)
{
	return c >= '0' && c <= '9';
}

int opts_parse_size(const char *s, uint64_t *out)
{
	unsigned long long v, shift = 20;
	char *end;

	if (!opts_digit(*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	switch (*end) {
	case 'k':
	case 'K':
		shift = 10;
		end++;
		break;
	case 'm':
	case 'M':
		shift = 20;
		end++;
		break;
	case 'g':
	case 'G':
		shift = 30;
		end++;
		break;
	case 't':
	case 'T':
		shift = 40;
		end++;
		break;
	case '\0':
		break;
	default:
		return -EINVAL;
	}
	if (*end == 'i' && end[1] == 'B')
		end += 2;
	else if (*end == 'B')
		end++;
	if (*end || v == 0 || v > (~0ULL >> shift))
		return -EINVAL;
	*out = v << shift;
	return 0;
}

static int opts_uint(const char *s, unsigned *out)
{
	unsigned long v;
	char *end;

	if (!opts_digit(*s))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > 0xffffffffUL)
		return -EINVAL;
	*out = v;
	return 0;
}

/* "--hugepages" (2M) or "--hugepages=SIZE" with SIZE a huge page size x86-64 has. */
static int opts_hugepages(const char *opt, uint64_t *out)
{
	const char *val = opt[strlen("--hugepages")] == '=' ? opt + strlen("--hugepages=") : NULL;
	uint64_t size = SZ_2M;

	if (val && (opts_parse_size(val, &size) || (size != SZ_2M && size != SZ_1G)))
		return -EINVAL;
	*out = size;
	return 0;
}

#define OPTS_FAIL(...)                              \
	do {                                        \
		snprintf(err, errlen, __VA_ARGS__); \
		return -EINVAL;                     \
	} while (0)

int opts_parse(int argc, char *const argv[], enum opts_cmd *cmd, struct vm_config *cfg, char *err,
	       size_t errlen)
{
	int i;

	memset(cfg, 0, sizeof(*cfg));
	cfg->cmdline = OPTS_DEFAULT_CMDLINE;
	cfg->memory = OPTS_DEFAULT_MEMORY;
	cfg->cpus = 1;
	cfg->kvm_path = "/dev/kvm";
	cfg->numa_node = -1;
	cfg->hotplug_slots = OPTS_DEFAULT_HOTPLUG_SLOTS;
	*cmd = OPTS_CMD_RUN;
	err[0] = '\0';

	if (argc < 2)
		OPTS_FAIL("no command given (try: ptvm run --kernel BZIMAGE, or ptvm --help)");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		*cmd = OPTS_CMD_HELP;
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		*cmd = OPTS_CMD_VERSION;
		return 0;
	}
	if (!strcmp(argv[1], "devices") || !strcmp(argv[1], "check")) {
		/* Their options are parsed by hostdev_parse(). */
		*cmd = argv[1][0] == 'd' ? OPTS_CMD_DEVICES : OPTS_CMD_CHECK;
		return 0;
	}
	if (!strcmp(argv[1], "ctl")) {
		/* Its arguments are parsed by api_ctl(). */
		*cmd = OPTS_CMD_CTL;
		return 0;
	}
	if (!strcmp(argv[1], "cleanup")) {
		*cmd = OPTS_CMD_CLEANUP;
		if (argc == 3 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h")))
			*cmd = OPTS_CMD_HELP;
		else if (argc > 2)
			OPTS_FAIL("ptvm cleanup takes no arguments ('%s' given)", argv[2]);
		return 0;
	}
	if (strcmp(argv[1], "run"))
		OPTS_FAIL("unknown command '%s' (the commands are run, devices, check, cleanup and "
			  "ctl; see ptvm --help)",
			  argv[1]);

	for (i = 2; i < argc; i++) {
		const char *opt = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		bool takes_value = true;
		uint64_t size;

		if (!strcmp(opt, "--verbose") || !strcmp(opt, "-v")) {
			cfg->verbose = true;
			takes_value = false;
		} else if (!strcmp(opt, "--stats")) {
			cfg->stats = true;
			takes_value = false;
		} else if (!strcmp(opt, "--unmanaged")) {
			cfg->unmanaged = true;
			takes_value = false;
		} else if (!strcmp(opt, "--allow-unsafe-interrupts")) {
			cfg->allow_unsafe_interrupts = true;
			takes_value = false;
		} else if (!strcmp(opt, "--no-guard")) {
			cfg->no_guard = true;
			takes_value = false;
		} else if (!strcmp(opt, "--no-sandbox")) {
			cfg->no_sandbox = true;
			takes_value = false;
		} else if (!strcmp(opt, "--no-kernel-cache")) {
			cfg->no_kernel_cache = true;
			takes_value = false;
		} else if (!strcmp(opt, "--no-pvh")) {
			cfg->no_pvh = true;
			takes_value = false;
		} else if (!strcmp(opt, "--hugepages") || !strncmp(opt, "--hugepages=", 12)) {
			if (opts_hugepages(opt, &cfg->hugepages))
				OPTS_FAIL("%s is not a huge page size (use --hugepages=2M or "
					  "--hugepages=1G)",
					  opt);
			takes_value = false;
		} else if (!strcmp(opt, "--help") || !strcmp(opt, "-h")) {
			*cmd = OPTS_CMD_HELP;
			return 0;
		} else if (!strcmp(argv[i - 1], "--hugepages") && !opts_parse_size(opt, &size)) {
			/* The size is optional, so it cannot be the next argument. */
			OPTS_FAIL("'%s' after --hugepages: give the size as --hugepages=%s", opt,
				  opt);
		} else if (strcmp(opt, "--kernel") && strcmp(opt, "--initrd") &&
			   strcmp(opt, "--cmdline") && strcmp(opt, "--memory") &&
			   strcmp(opt, "--cpus") && strcmp(opt, "--kvm") &&
			   strcmp(opt, "--passthrough") && strcmp(opt, "--numa-node") &&
			   strcmp(opt, "--on-reboot") && strcmp(opt, "--api-socket") &&
			   strcmp(opt, "--user") && strcmp(opt, "--hotplug-slots")) {
			OPTS_FAIL("unknown option '%s' (see ptvm --help)", opt);
		}
		if (!takes_value)
			continue;
		if (!val)
			OPTS_FAIL("option '%s' needs a value (see ptvm --help)", opt);
		i++;
		if (!strcmp(opt, "--kernel")) {
			cfg->kernel = val;
		} else if (!strcmp(opt, "--initrd")) {
			cfg->initrd = val;
		} else if (!strcmp(opt, "--cmdline")) {
			cfg->cmdline = val;
		} else if (!strcmp(opt, "--kvm")) {
			cfg->kvm_path = val;
		} else if (!strcmp(opt, "--api-socket")) {
			if (!val[0])
				OPTS_FAIL("--api-socket needs a path (e.g. /run/ptvm-vm1.sock)");
			cfg->api_socket = val;
		} else if (!strcmp(opt, "--user")) {
			cfg->user = val;
		} else if (!strcmp(opt, "--passthrough")) {
			if (cfg->nr_passthrough == OPTS_MAX_PASSTHROUGH)
				OPTS_FAIL("too many --passthrough devices (at most %u)",
					  OPTS_MAX_PASSTHROUGH);
			cfg->passthrough[cfg->nr_passthrough++] = val;
		} else if (!strcmp(opt, "--memory")) {
			if (opts_parse_size(val, &cfg->memory))
				OPTS_FAIL("--memory '%s' is not a size (use e.g. 512M or 2G)", val);
		} else if (!strcmp(opt, "--on-reboot")) {
			if (!strcmp(val, "restart"))
				cfg->on_reboot = OPTS_ON_REBOOT_RESTART;
			else if (!strcmp(val, "exit"))
				cfg->on_reboot = OPTS_ON_REBOOT_EXIT;
			else
				OPTS_FAIL("--on-reboot '%s' is neither restart nor exit", val);
		} else if (!strcmp(opt, "--numa-node")) {
			unsigned node;

			if (opts_uint(val, &node) || node > INT_MAX)
				OPTS_FAIL("--numa-node '%s' is not a node number (see "
					  "/sys/devices/system/node/online)",
					  val);
			cfg->numa_node = (int)node;
		} else if (!strcmp(opt, "--hotplug-slots")) {
			if (opts_uint(val, &cfg->hotplug_slots) ||
			    cfg->hotplug_slots > OPTS_MAX_PASSTHROUGH)
				OPTS_FAIL("--hotplug-slots '%s' is out of range (use 0 to %u)", val,
					  OPTS_MAX_PASSTHROUGH);
		} else if (opts_uint(val, &cfg->cpus) || cfg->cpus == 0 ||
			   cfg->cpus > OPTS_MAX_CPUS) {
			OPTS_FAIL("--cpus '%s' is out of range (use 1 to %u)", val, OPTS_MAX_CPUS);
		}
	}
	if (!cfg->kernel)
		OPTS_FAIL("no kernel given (add --kernel BZIMAGE)");
	if (cfg->user && cfg->no_sandbox)
		OPTS_FAIL(
			"--user %s and --no-sandbox: without the sandbox there is no VM process to "
			"run as another user (drop one)",
			cfg->user);
	if (cfg->nr_passthrough + cfg->hotplug_slots > OPTS_MAX_PASSTHROUGH)
		OPTS_FAIL(
			"%u --passthrough devices and --hotplug-slots %u need %u root ports, more "
			"than %u (use --hotplug-slots %u)",
			cfg->nr_passthrough, cfg->hotplug_slots,
			cfg->nr_passthrough + cfg->hotplug_slots, OPTS_MAX_PASSTHROUGH,
			OPTS_MAX_PASSTHROUGH - cfg->nr_passthrough);
	return 0;
}
