// SPDX-License-Identifier: GPL-2.0
/*
 * ptguard claims: one CLAIM ioctl on /dev/ptguard for every passed-through
 * device, the module loaded first when it is missing, and the one line per
 * device that says which resets it will really get.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <ptvm/ptguard.h>

#include "guard.h"

/* What was tried while loading, for the refusal line. */
#define GUARD_WHY_MAX 512

/* The node is missing, or left behind by a module that is gone. */
static bool guard_node_absent(int err)
{
	return err == -ENOENT || err == -ENODEV || err == -ENXIO;
}

/* Append "; " and @fmt... to the list in @buf (@len bytes). */
static __printf(3, 4) void guard_say(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	if (used + 2 >= len)
		return;
	if (used) {
		strcpy(buf + used, "; ");
		used += 2;
	}
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

/* insmod @path: 0 loaded (or already there: another ptvm won the race), or -errno. */
static int guard_insmod(const struct sys_ops *sys, const char *path)
{
	int fd = sys->open(path, O_RDONLY), ret;

	if (fd < 0)
		return fd;
	ret = sys->finit_module(fd, "", 0);
	(void)!sys->close(fd);
	return ret == -EEXIST ? 0 : ret;
}

/*
 * The build-tree candidates of guard.h's search order, from the running
 * binary's own path (/proc/self/exe: argv[0] may be relative or a symlink).
 * Fills @paths and returns how many (0 when the binary cannot be found).
 */
static unsigned guard_ko_paths(const struct sys_ops *sys, char paths[2][PATH_MAX])
{
	/* Room left in @paths for the file names appended below. */
	char exe[PATH_MAX - 32], *slash;
	ssize_t n = sys->readlink("/proc/self/exe", exe, sizeof(exe));

	if (n <= 0 || (size_t)n == sizeof(exe))
		return 0; /* unknown, or too long to be whole */
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return 0;
	*slash = '\0';
	snprintf(paths[0], PATH_MAX, "%s/" GUARD_KO, exe);
	/* The kernel resolved every link in @exe: cutting a component is "..". */
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	snprintf(paths[1], PATH_MAX, "%s/kmod/" GUARD_KO, exe);
	return 2;
}

/* Load ptguard in guard.h's order; -ENOENT with @why saying what each try gave. */
static int guard_load(const struct sys_ops *sys, char *why, size_t len)
{
	static const char *const modprobe[] = {"modprobe", GUARD_MODULE, NULL};
	char paths[2][PATH_MAX];
	unsigned nr;
	int ret;

	ret = sys->run(modprobe);
	if (!ret) {
		log_err("ptguard: " GUARD_PATH " was missing: loaded the module with modprobe");
		return 0;
	}
	if (ret < 0)
		guard_say(why, len, "modprobe: %s", strerror(-ret));
	else
		guard_say(why, len, "modprobe " GUARD_MODULE " exited %d", ret);
	nr = guard_ko_paths(sys, paths);
	for (unsigned i = 0; i < nr; i++) {
		ret = guard_insmod(sys, paths[i]);
		if (!ret) {
			log_err("ptguard: " GUARD_PATH " was missing: loaded %s", paths[i]);
			return 0;
		}
		guard_say(why, len, "%s: %s%s", paths[i],
			  ret == -ENOENT ? "not found" : strerror(-ret),
			  ret == -ENOEXEC ? " (built for another kernel?)" : "");
	}
	return -ENOENT;
}

int guard_open(const struct sys_ops *sys, int *fd_out)
{
	char why[GUARD_WHY_MAX] = "";
	int fd, ret;

	fd = sys->open(GUARD_PATH, O_RDWR);
	if (guard_node_absent(fd)) {
		ret = guard_load(sys, why, sizeof(why));
		if (ret) {
			log_err("ptguard: " GUARD_PATH " is missing and the module did not load"
				" (%s): load it (modprobe " GUARD_MODULE
				", or insmod the kmod/" GUARD_KO
				" that make kmod built for this kernel) or pass --no-guard",
				why);
			return ret;
		}
		fd = sys->open(GUARD_PATH, O_RDWR);
		if (guard_node_absent(fd)) {
			log_err("ptguard: the module is loaded but " GUARD_PATH
				" did not appear: %s (is devtmpfs mounted on /dev?)",
				strerror(-fd));
			return -ENOENT;
		}
	}
	if (fd < 0) {
		log_err("ptguard: cannot open " GUARD_PATH ": %s", strerror(-fd));
		return fd;
	}
	*fd_out = fd;
	return 0;
}

/* What --no-guard gives up: exactly ptguard's two guarantees (README). */
static void guard_log_off(void)
{
	log_err("--no-guard: no check that a reset of these devices spares every device of "
		"another VM or a host driver (shared bus or slot; VFIO checks IOMMU groups only)");
	log_err("--no-guard: no reset guaranteed when ptvm dies: VFIO resets at close only what "
		"it can, so the next user may get a device as this guest left it");
}

/* PTGUARD_CLAIM of @bdfs[0..@n) on the open guard file @fd; logs a refusal. */
static int guard_claim_fd(const struct sys_ops *sys, int fd, const char *owner,
			  const struct pci_bdf *bdfs, unsigned n, unsigned flags)
{
	struct ptguard_claim c;
	int ret;

	if (n > PTGUARD_CLAIM_MAX || strlen(owner) >= sizeof(c.owner)) {
		log_err("ptguard: cannot claim %u devices as '%s' (at most %u, name below %zu "
			"characters)",
			n, owner, PTGUARD_CLAIM_MAX, sizeof(c.owner));
		return -EINVAL;
	}
	memset(&c, 0, sizeof(c));
	c.flags = flags & GUARD_ALLOW_NO_RESET ? PTGUARD_CLAIM_ALLOW_NO_RESET : 0;
	c.nr_devs = n;
	for (unsigned i = 0; i < n; i++)
		c.devs[i] = PTGUARD_ADDR(bdfs[i].domain, bdfs[i].bus, bdfs[i].dev, bdfs[i].fn);
	strcpy(c.owner, owner);
	ret = sys->ioctl(fd, PTGUARD_CLAIM, &c);
	if (ret == -ENOTTY) {
		log_err("ptguard: " GUARD_PATH " does not answer CLAIM (a module older than this "
			"ptvm?): load this build's " GUARD_KO " (rmmod " GUARD_MODULE
			" first) or pass --no-guard");
		return ret;
	}
	if (ret < 0) {
		c.reason[sizeof(c.reason) - 1] = '\0';
		log_err("ptguard: refused: %s", c.reason[0] ? c.reason : strerror(-ret));
		return ret;
	}
	log_info("ptguard: %u device(s) claimed as %s", n, owner);
	return 0;
}

int guard_claim(const struct sys_ops *sys, const char *owner, const struct pci_bdf *bdfs,
		unsigned n, unsigned flags, int *fd_out)
{
	int fd, ret;

	*fd_out = -1;
	if (!n)
		return 0;
	if (flags & GUARD_OFF) {
		guard_log_off();
		return 0;
	}
	/* Refused by guard_claim_fd() before anything loads. */
	if (n > PTGUARD_CLAIM_MAX || strlen(owner) >= PTGUARD_NAME_MAX)
		return guard_claim_fd(sys, -1, owner, bdfs, n, flags);
	ret = guard_open(sys, &fd);
	if (ret)
		return ret;
	ret = guard_claim_fd(sys, fd, owner, bdfs, n, flags);
	if (ret) {
		(void)!sys->close(fd);
		return ret;
	}
	*fd_out = fd;
	return 0;
}

int guard_claim_more(const struct sys_ops *sys, const char *owner, const struct pci_bdf *bdf,
		     unsigned flags, int *fd)
{
	if (flags & GUARD_OFF)
		return 0;
	if (*fd < 0)
		return guard_claim(sys, owner, bdf, 1, flags, fd);
	return guard_claim_fd(sys, *fd, owner, bdf, 1, flags);
}

int guard_release(const struct sys_ops *sys, int fd, const struct pci_bdf *bdf)
{
	struct ptguard_release r;
	char name[PCI_BDF_STRLEN];
	int ret;

	if (fd < 0)
		return 0;
	memset(&r, 0, sizeof(r));
	r.addr = PTGUARD_ADDR(bdf->domain, bdf->bus, bdf->dev, bdf->fn);
	ret = sys->ioctl(fd, PTGUARD_RELEASE, &r);
	if (ret < 0) {
		r.reason[sizeof(r.reason) - 1] = '\0';
		pci_bdf_format(bdf, name);
		log_err("ptguard: %s: release refused: %s", name,
			r.reason[0] ? r.reason : strerror(-ret));
		return ret;
	}
	return 0;
}

/* sysfs reset_method names (drivers/pci/pci.c, pci_reset_fn_methods[]) as said here. */
static const struct {
	const char *sysfs;
	const char *said;
	bool alone; /* pci_parent_bus_reset(): only for a function alone on its bus */
} guard_methods[] = {
	{"device_specific", "a device-specific reset", false},
	{"acpi", "ACPI _RST", false},
	{"flr", "FLR", false},
	{"af_flr", "AF FLR", false},
	{"pm", "a PM reset (D3hot to D0)", false},
	{"bus", "a bus reset (alone on its bus)", true},
	{"cxl_bus", "a CXL bus reset (alone on its bus)", true},
};

/*
 * The method pci_reset_function() uses (VFIO_DEVICE_RESET and ptguard's
 * function reset both go through it), as said here, or NULL: the first of
 * the reset_method list @list. The kernel listed only methods it found
 * usable when the device appeared; the bus methods it re-checks at each
 * reset, and skips (-ENOTTY) when the function is no longer @alone on its
 * bus, as the first e1000 behind the rig's pcie-pci-bridge shows.
 */
static const char *guard_first_method(const char *list, bool alone)
{
	const char *p = list;

	while (*p) {
		size_t len = strcspn(p, " \n");

		for (unsigned i = 0; i < ARRAY_SIZE(guard_methods); i++)
			if (strlen(guard_methods[i].sysfs) == len &&
			    !strncmp(p, guard_methods[i].sysfs, len) &&
			    (alone || !guard_methods[i].alone))
				return guard_methods[i].said;
		p += len;
		p += strspn(p, " \n");
	}
	return NULL;
}

/* The other devices a slot or bus reset reaches, as ", with A, B and 2 more". */
static void guard_domain_names(const struct ptguard_query *q, char *buf, size_t len)
{
	unsigned shown = 0, nr = MIN(q->nr_related, PTGUARD_QUERY_MAX);
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned i = 1; i < nr; i++) {
		__u32 a = q->related[i].addr;

		if (!(q->related[i].flags & PTGUARD_REL_RESET_DOMAIN))
			continue;
		if (shown < 3 && used < len)
			used += snprintf(buf + used, len - used, "%s%04x:%02x:%02x.%x",
					 shown ? ", " : ", with ", PTGUARD_ADDR_SEG(a),
					 PTGUARD_ADDR_BUS(a), PTGUARD_ADDR_DEV(a),
					 PTGUARD_ADDR_FN(a));
		shown++;
	}
	if (shown > 3 && used < len)
		snprintf(buf + used, len - used, " and %u more", shown - 3);
}

/* The reset after ptvm exits, as a phrase, into @buf; @method: pci_reset_function()'s. */
static void guard_after_exit(const struct sys_ops *sys, int guard_fd, const struct pci_bdf *bdf,
			     const char *method, bool vfio_reset, char *buf, size_t len)
{
	struct ptguard_query q;
	char with[128];

	if (guard_fd < 0) {
		snprintf(buf, len, "%s",
			 vfio_reset ? "VFIO resets it again when ptvm closes it"
				    : "with --no-guard, only VFIO's best-effort reset at close may "
				      "reset it after ptvm exits");
		return;
	}
	memset(&q, 0, sizeof(q));
	q.addr = PTGUARD_ADDR(bdf->domain, bdf->bus, bdf->dev, bdf->fn);
	if (sys->ioctl(guard_fd, PTGUARD_QUERY, &q) < 0) {
		/* It was claimed without PTGUARD_CLAIM_ALLOW_NO_RESET: it has one. */
		snprintf(buf, len, "ptguard resets it after ptvm exits");
		return;
	}
	switch (q.reset_method) {
	case PTGUARD_RESET_FUNCTION:
		snprintf(buf, len, "ptguard resets it by %s after ptvm exits",
			 method ?: "a function reset");
		break;
	case PTGUARD_RESET_SLOT:
	case PTGUARD_RESET_BUS:
		guard_domain_names(&q, with, sizeof(with));
		snprintf(buf, len, "after ptvm exits ptguard resets it by a %s reset%s",
			 q.reset_method == PTGUARD_RESET_SLOT ? "slot" : "secondary bus", with);
		break;
	default:
		snprintf(buf, len, "nothing can reset it after ptvm exits");
		break;
	}
}

void guard_log_reset(const struct sys_ops *sys, int guard_fd, const char *sysfs_root,
		     const struct pci_bdf *bdf, bool vfio_reset)
{
	char name[PCI_BDF_STRLEN], rel[64], methods[128], after[256], shown[160] = "";
	const char *method;
	unsigned peers = 0;

	pci_bdf_format(bdf, name);
	snprintf(rel, sizeof(rel), "bus/pci/devices/%s/reset_method", name);
	/* Linux 5.15 added reset_method; before it the list cannot be told. */
	if (sysfs_read(sysfs_root, rel, methods, sizeof(methods)))
		methods[0] = '\0';
	else
		snprintf(shown, sizeof(shown), " (reset_method: %s)",
			 methods[0] ? methods : "none");
	if (sysfs_pci_bus_functions(sysfs_root, bdf, &peers))
		peers = 0; /* unknown: not alone, as far as we can tell */
	method = guard_first_method(methods, peers == 1);
	guard_after_exit(sys, guard_fd, bdf, method, vfio_reset, after, sizeof(after));
	if (vfio_reset)
		log_info("%s: reset by %s before the guest starts and after it stops; %s", name,
			 method ?: "a function reset", after);
	else
		log_err("%s: no reset of its own through VFIO%s: only its virtual state is reset "
			"before the guest starts and after it stops; %s",
			name, shown, after);
}
