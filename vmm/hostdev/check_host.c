// SPDX-License-Identifier: GPL-2.0
/*
 * The host half of `ptvm check`: what `ptvm run --passthrough` needs from
 * the kernel before any device is looked at. Device nodes go through the
 * syscall seam; sysfs and procfs are read as files under a root a test can
 * move.
 */
#include <cap-ng.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <linux/vfio.h>

#include <ptvm/ptguard.h>

#include "hostdev/check.h"
#include "kvm.h"

#define CHECK_SYSFS  "/sys"
#define CHECK_PROCFS "/proc"
#define CHECK_POOLS  8 /* hugetlb page sizes shown; x86-64 has two */

static void __printf(4, 5) check_put(struct check_result *r, enum check_status s, const char *fix,
				     const char *fmt, ...)
{
	va_list ap;

	r->status = s;
	snprintf(r->fix, sizeof(r->fix), "%s", fix);
	va_start(ap, fmt);
	vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
	va_end(ap);
}

static const char *check_root(const char *root, const char *def)
{
	return root ? root : def;
}

static bool check_exists(const char *root, const char *rel)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	return stat(path, &st) == 0;
}

/* The first line of @root/@rel into @buf, newline cut. -errno. */
static int check_read(const char *root, const char *rel, char *buf, size_t len)
{
	char path[PATH_MAX];
	FILE *f;
	int ret = 0;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f))
		ret = -EIO;
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return ret;
}

static void check_kvm(const struct check_env *env, uint64_t memory, struct check_result *r)
{
	const char *fix;
	struct kvm k;
	int ret;

	snprintf(r->what, sizeof(r->what), "kvm");
	/* kvm_open() names a missing capability on stderr itself. */
	ret = kvm_open(&k, env->sys, "/dev/kvm");
	if (!ret) {
		check_put(r, CHECK_PASS, "",
			  "/dev/kvm, API %d, with the capabilities ptvm uses; up to %d vCPUs, %d "
			  "memslots",
			  KVM_API_VERSION, k.max_vcpus, k.nr_slots);
		kvm_close(&k);
		return;
	}
	if (ret == -ENOENT || ret == -ENODEV || ret == -ENXIO)
		fix = "enable virtualization in the firmware and load kvm_intel or kvm_amd";
	else if (ret == -EACCES || ret == -EPERM)
		fix = "run as root or join the kvm group";
	else if (ret == -ENOTSUP)
		fix = "use a kernel whose KVM has them (the capability is named above)";
	else
		fix = "see the kvm line above";
	check_put(r, CHECK_FAIL, fix, "/dev/kvm: %s", strerror(-ret));
}

static unsigned check_count_dir(const char *root, const char *rel)
{
	char path[PATH_MAX];
	struct dirent *e;
	unsigned n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	d = opendir(path);
	if (!d)
		return 0;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/*
 * The firmware describes the IOMMU in an ACPI DMAR table (Intel VT-d spec,
 * sec 8.1) or IVRS table (AMD IOMMU spec, sec 5); Linux makes IOMMU groups
 * only once it uses it.
 */
static void check_iommu(const struct check_env *env, uint64_t memory, struct check_result *r)
{
	const char *sys = check_root(env->sysfs, CHECK_SYSFS);
	const char *table = check_exists(sys, "firmware/acpi/tables/DMAR")   ? "DMAR"
			    : check_exists(sys, "firmware/acpi/tables/IVRS") ? "IVRS"
									     : NULL;
	unsigned groups = check_count_dir(sys, "kernel/iommu_groups");

	snprintf(r->what, sizeof(r->what), "iommu");
	if (groups)
		check_put(r, CHECK_PASS, "", "%s%s, %u IOMMU groups",
			  table ? table : "no DMAR/IVRS", " ACPI table", groups);
	else if (table)
		check_put(r, CHECK_FAIL,
			  table[0] == 'D' ? "boot with intel_iommu=on" : "boot with amd_iommu=on",
			  "%s ACPI table present but no IOMMU groups: the IOMMU is off", table);
	else
		check_put(r, CHECK_FAIL,
			  "enable VT-d or AMD-Vi in the firmware, boot with intel_iommu=on or "
			  "amd_iommu=on",
			  "no DMAR or IVRS ACPI table and no IOMMU groups");
}

/* Does /proc/interrupts show an interrupt chip behind remapping ("IR-IO-APIC", "IR-PCI-MSI")? */
static bool check_remapped(const char *proc)
{
	char path[PATH_MAX], line[512];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/interrupts", proc);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, " IR-") != NULL;
	fclose(f);
	return found;
}

/*
 * vfio_iommu_type1 attaches a group only where MSIs are remapped, unless
 * allow_unsafe_interrupts (drivers/vfio/vfio_iommu_type1.c,
 * vfio_iommu_type1_attach_group()); iommufd has the same switch.
 */
static void check_irq_remap(const struct check_env *env, uint64_t memory, struct check_result *r)
{
	const char *sys = check_root(env->sysfs, CHECK_SYSFS);
	char unsafe[8] = "";

	snprintf(r->what, sizeof(r->what), "interrupt remapping");
	if (check_read(sys, "module/vfio_iommu_type1/parameters/allow_unsafe_interrupts", unsafe,
		       sizeof(unsafe)))
		(void)!check_read(sys, "module/iommufd/parameters/allow_unsafe_interrupts", unsafe,
				  sizeof(unsafe));
	if (check_remapped(check_root(env->procfs, CHECK_PROCFS)))
		check_put(r, CHECK_PASS, "", "on (IR- interrupt chips in /proc/interrupts)");
	else if (unsafe[0] == 'Y' || unsafe[0] == '1')
		check_put(r, CHECK_WARN,
			  "enable interrupt remapping (VT-d/AMD-Vi with it in the firmware)",
			  "off, and allow_unsafe_interrupts is on: a passed-through device can "
			  "inject any host interrupt");
	else
		check_put(
			r, CHECK_FAIL,
			"enable interrupt remapping in the firmware, or accept the risk with ptvm "
			"run --allow-unsafe-interrupts",
			"off (no IR- interrupt chips in /proc/interrupts): VFIO refuses devices "
			"without it");
}

static void check_vfio(const struct check_env *env, uint64_t memory, struct check_result *r)
{
	const char *sys = check_root(env->sysfs, CHECK_SYSFS);
	int fd, api, type1v2;

	snprintf(r->what, sizeof(r->what), "vfio");
	fd = env->sys->open("/dev/vfio/vfio", O_RDWR);
	if (fd < 0) {
		check_put(r, CHECK_FAIL, "modprobe vfio-pci vfio_iommu_type1", "/dev/vfio/vfio: %s",
			  strerror(-fd));
		return;
	}
	api = env->sys->ioctl(fd, VFIO_GET_API_VERSION, NULL);
	type1v2 = env->sys->ioctl(fd, VFIO_CHECK_EXTENSION, (void *)VFIO_TYPE1v2_IOMMU);
	(void)!env->sys->close(fd);
	if (api != VFIO_API_VERSION)
		check_put(r, CHECK_FAIL, "use a kernel with VFIO API 0",
			  "/dev/vfio/vfio speaks API %d, ptvm needs %d", api, VFIO_API_VERSION);
	else if (type1v2 <= 0)
		check_put(r, CHECK_FAIL, "modprobe vfio_iommu_type1",
			  "/dev/vfio/vfio has no type1v2 IOMMU backend");
	else if (!check_exists(sys, "module/vfio_pci"))
		check_put(r, CHECK_FAIL, "modprobe vfio-pci",
			  "/dev/vfio/vfio is there, but vfio-pci is not loaded");
	else
		check_put(r, CHECK_PASS, "",
			  "/dev/vfio/vfio (API %d, type1v2 IOMMU), vfio-pci loaded", api);
}

/*
 * include/ptvm/ptguard.h has no version query. Each ioctl number encodes its
 * struct's size (_IOWR), so a QUERY of no device answered with -ENODEV shows
 * that the module knows this ptvm's QUERY layout; -ENOTTY that it does not.
 */
static void check_ptguard(const struct check_env *env, uint64_t memory, struct check_result *r)
{
	struct ptguard_query q;
	int fd, ret;

	snprintf(r->what, sizeof(r->what), "ptguard");
	fd = env->sys->open("/dev/ptguard", O_RDWR);
	if (fd == -ENOENT || fd == -ENODEV || fd == -ENXIO) {
		check_put(r, CHECK_WARN, "make kmod && insmod kmod/ptguard.ko, or make install",
			  "/dev/ptguard not present: ptvm run loads the module (modprobe "
			  "ptguard, or the ptguard.ko beside ptvm) or refuses without --no-guard");
		return;
	}
	if (fd < 0) {
		check_put(r, CHECK_FAIL, "run as root (the node is 0600)", "/dev/ptguard: %s",
			  strerror(-fd));
		return;
	}
	memset(&q, 0, sizeof(q));
	q.addr = PTGUARD_ADDR_NONE;
	ret = env->sys->ioctl(fd, PTGUARD_QUERY, &q);
	(void)!env->sys->close(fd);
	if (ret >= 0 || ret == -ENODEV)
		check_put(r, CHECK_PASS, "",
			  "/dev/ptguard answers QUERY in this ptvm's layout (the ABI has no "
			  "version number to compare)");
	else if (ret == -ENOTTY)
		check_put(r, CHECK_FAIL,
			  "load the ptguard.ko built from the same tree as this ptvm",
			  "/dev/ptguard does not know this ptvm's QUERY ioctl: another ABI");
	else
		check_put(r, CHECK_FAIL, "see dmesg", "/dev/ptguard: QUERY: %s", strerror(-ret));
}

int check_memlock_self(uint64_t *limit, bool *cap_ipc_lock)
{
	struct rlimit rl;

	/* The same rule as vfio/memlock.c: type1 charges the soft limit unless CAP_IPC_LOCK. */
	if (getrlimit(RLIMIT_MEMLOCK, &rl))
		return -errno;
	*limit = rl.rlim_cur == RLIM_INFINITY ? UINT64_MAX : rl.rlim_cur;
	*cap_ipc_lock = capng_get_caps_process() == 0 &&
			capng_have_capability(CAPNG_EFFECTIVE, CAP_IPC_LOCK) == 1;
	return 0;
}

static void check_memlock(const struct check_env *env, uint64_t memory, struct check_result *r)
{
	unsigned long long mib = (memory + SZ_1M - 1) >> 20;
	uint64_t limit;
	bool cap;
	int ret;

	snprintf(r->what, sizeof(r->what), "memlock");
	ret = (env->memlock ? env->memlock : check_memlock_self)(&limit, &cap);
	if (ret)
		check_put(r, CHECK_FAIL, "", "cannot read RLIMIT_MEMLOCK: %s", strerror(-ret));
	else if (cap)
		check_put(r, CHECK_PASS, "",
			  "CAP_IPC_LOCK: pinning the guest's %llu MiB for DMA is "
			  "not limited",
			  mib);
	else if (limit == UINT64_MAX)
		check_put(r, CHECK_PASS, "",
			  "RLIMIT_MEMLOCK unlimited: the guest's %llu MiB can be "
			  "pinned for DMA",
			  mib);
	else if (limit >= memory)
		check_put(r, CHECK_PASS, "",
			  "RLIMIT_MEMLOCK %llu KiB covers the guest's %llu MiB "
			  "pinned for DMA",
			  (unsigned long long)(limit >> 10), mib);
	else
		check_put(
			r, CHECK_FAIL,
			"raise it (ulimit -l, LimitMEMLOCK=), run with CAP_IPC_LOCK, or give a "
			"smaller --memory",
			"RLIMIT_MEMLOCK is %llu KiB, but a guest of %llu MiB with a device passed "
			"through pins all its RAM",
			(unsigned long long)(limit >> 10), mib);
}

static int check_pool_cmp(const void *a, const void *b)
{
	unsigned long x = strtoul((const char *)a + strlen("hugepages-"), NULL, 10);
	unsigned long y = strtoul((const char *)b + strlen("hugepages-"), NULL, 10);

	return x < y ? -1 : x > y;
}

/* "2048kB 0 of 0 free, 1048576kB ..." for each hugetlb pool, smallest first. */
static void check_pools(const char *sys, char *buf, size_t len)
{
	char names[CHECK_POOLS][64], path[PATH_MAX], num[32], tot[32];
	unsigned n = 0;
	size_t used = 0;
	struct dirent *e;
	DIR *d;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "%s/kernel/mm/hugepages", sys);
	d = opendir(path);
	if (!d)
		return;
	while ((e = readdir(d)) && n < CHECK_POOLS)
		if (!strncmp(e->d_name, "hugepages-", strlen("hugepages-")))
			snprintf(names[n++], sizeof(names[0]), "%.*s", (int)sizeof(names[0]) - 1,
				 e->d_name);
	closedir(d);
	qsort(names, n, sizeof(names[0]), check_pool_cmp);
	for (unsigned i = 0; i < n && used < len; i++) {
		snprintf(path, sizeof(path), "kernel/mm/hugepages/%s/free_hugepages", names[i]);
		if (check_read(sys, path, num, sizeof(num)))
			snprintf(num, sizeof(num), "?");
		snprintf(path, sizeof(path), "kernel/mm/hugepages/%s/nr_hugepages", names[i]);
		if (check_read(sys, path, tot, sizeof(tot)))
			snprintf(tot, sizeof(tot), "?");
		used += snprintf(buf + used, len - used, "%s%s %s of %s free", i ? ", " : "",
				 names[i] + strlen("hugepages-"), num, tot);
	}
}

/*
 * ptvm backs guest RAM with anonymous memory and asks for transparent huge
 * pages (memory.c, MADV_HUGEPAGE); it does not use hugetlbfs pools, which
 * are shown for information.
 */
static void check_hugepages(const struct check_env *env, uint64_t memory, struct check_result *r)
{
	const char *sys = check_root(env->sysfs, CHECK_SYSFS);
	char thp[64], mode[16] = "", pools[256];
	char *open_br, *close_br;

	snprintf(r->what, sizeof(r->what), "hugepages");
	check_pools(sys, pools, sizeof(pools));
	if (!pools[0])
		snprintf(pools, sizeof(pools), "none");
	if (check_read(sys, "kernel/mm/transparent_hugepage/enabled", thp, sizeof(thp))) {
		check_put(r, CHECK_WARN, "use a kernel with CONFIG_TRANSPARENT_HUGEPAGE",
			  "no transparent huge pages: guest RAM is on 4 KiB pages; hugetlbfs "
			  "pools (unused by ptvm): %s",
			  pools);
		return;
	}
	/* "always [madvise] never": the bracketed word is the mode in force. */
	open_br = strchr(thp, '[');
	close_br = open_br ? strchr(open_br, ']') : NULL;
	if (close_br)
		snprintf(mode, sizeof(mode), "%.*s", (int)(close_br - open_br - 1), open_br + 1);
	if (!strcmp(mode, "always") || !strcmp(mode, "madvise"))
		check_put(r, CHECK_PASS, "",
			  "transparent huge pages [%s] back guest RAM (MADV_HUGEPAGE); hugetlbfs "
			  "pools (unused by ptvm): %s",
			  mode, pools);
	else
		check_put(r, CHECK_WARN,
			  "echo madvise > /sys/kernel/mm/transparent_hugepage/enabled",
			  "transparent huge pages [%s]: guest RAM is on 4 KiB pages; hugetlbfs "
			  "pools (unused by ptvm): %s",
			  mode, pools);
}

static void (*const check_host_fns[CHECK_HOST_NR])(const struct check_env *env, uint64_t memory,
						   struct check_result *r) = {
	check_kvm,     check_iommu,   check_irq_remap, check_vfio,
	check_ptguard, check_memlock, check_hugepages,
};

void check_host(const struct check_env *env, uint64_t memory,
		struct check_result out[CHECK_HOST_NR])
{
	memset(out, 0, CHECK_HOST_NR * sizeof(*out));
	for (unsigned i = 0; i < CHECK_HOST_NR; i++)
		check_host_fns[i](env, memory, &out[i]);
}
