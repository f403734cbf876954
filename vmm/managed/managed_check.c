// SPDX-License-Identifier: GPL-2.0
/*
 * What managed mode refuses, before it changes anything. Each refusal is
 * one line naming the device, why, and what to do instead.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "managed/managed_internal.h"

/* Members of one IOMMU group ptvm looks at; a larger group is refused. */
#define MANAGED_GROUP_MAX 32

/* PCI Code and ID Assignment Specification 1.x, 1.7: base class 06h, bridges. */
#define MANAGED_CLASS_BRIDGE 0x06
static const struct {
	uint16_t class; /* base class and subclass */
	const char *what;
	const char *hint;
} managed_bridges[] = {
	{0x0600, "the host bridge", ""},
	{0x0601, "an ISA/LPC bridge", ""},
	{0x0604, "a PCI bridge", "; pass the devices behind it instead"},
	{0x0609, "a PCI bridge", "; pass the devices behind it instead"}, /* semi-transparent */
};

/* The host's own plumbing: vfio-pci takes no bridge, and the host needs them. */
static int managed_check_class(const struct managed_env *env, const struct managed_dev *d)
{
	uint32_t class;
	int ret = sysfs_pci_class(env->sysfs, &d->bdf, &class);

	if (ret) {
		log_err("%s: cannot read its class: %s", d->name, strerror(-ret));
		return ret;
	}
	for (unsigned i = 0; i < ARRAY_SIZE(managed_bridges); i++) {
		if (class >> 8 != managed_bridges[i].class)
			continue;
		log_err("%s is %s (class 0x%04x) and cannot be passed through%s", d->name,
			managed_bridges[i].what, class >> 8, managed_bridges[i].hint);
		return -EINVAL;
	}
	return 0;
}

/*
 * A PF's VFs live on its driver: unbinding it disables them (PF drivers
 * call pci_disable_sriov() in their remove), under whoever uses them.
 */
static int managed_check_sriov(const struct managed_env *env, const struct managed_dev *d)
{
	char buf[16];
	unsigned long vfs;

	/* Documentation/ABI/testing/sysfs-bus-pci: sriov_numvfs, on PFs only. */
	if (sysfs_pci_attr(env->sysfs, &d->bdf, "sriov_numvfs", buf, sizeof(buf)))
		return 0;
	vfs = strtoul(buf, NULL, 10);
	if (!vfs)
		return 0;
	log_err("%s is an SR-IOV PF with %lu VFs enabled and cannot be passed through (pass a VF, "
		"or first: echo 0 > /sys/bus/pci/devices/%s/sriov_numvfs)",
		d->name, vfs, d->name);
	return -EBUSY;
}

/*
 * Documentation/ABI/testing/sysfs-bus-pci: driver_override, "(null)" when
 * unset. One somebody else set (to pin the device to a driver) is theirs:
 * ptvm would have to overwrite it and could only clear it afterwards, so
 * it leaves the device alone instead.
 */
static int managed_check_override(const struct managed_env *env, const struct managed_dev *d)
{
	char buf[SYSFS_DRIVER_MAX];

	if (sysfs_pci_attr(env->sysfs, &d->bdf, "driver_override", buf, sizeof(buf)) || !buf[0] ||
	    !strcmp(buf, "(null)"))
		return 0;
	log_err("%s has driver_override set to %s by someone else; ptvm does not take it over "
		"(clear it: echo > /sys/bus/pci/devices/%s/driver_override, or bind it to "
		"vfio-pci and use --unmanaged)",
		d->name, buf, d->name);
	return -EBUSY;
}

/*
 * Best effort: a filesystem on a block device has that device's number as
 * st_dev (Documentation/ABI/testing/sysfs-dev); btrfs, overlayfs, NFS and
 * tmpfs have an anonymous one, which leads nowhere and is not refused.
 */
static int managed_check_rootfs(const struct managed_env *env, const struct managed_dev *d)
{
	char blk[64];
	struct stat st;
	bool on;

	if (stat(env->rootfs, &st) ||
	    sysfs_block_on_pci(env->sysfs, &d->bdf, major(st.st_dev), minor(st.st_dev), blk,
			       sizeof(blk), &on) ||
	    !on)
		return 0;
	log_err("%s holds the root filesystem (on %s) and cannot be passed through", d->name, blk);
	return -EBUSY;
}

/* A virtual terminal: "tty" and a number (tty0 is the current one). */
static bool managed_is_vt(const char *tty)
{
	const char *p = tty + 3;

	if (strncmp(tty, "tty", 3) || !*p)
		return false;
	while (*p >= '0' && *p <= '9')
		p++;
	return !*p;
}

static int managed_check_console(const struct managed_env *env, const struct managed_dev *d)
{
	char list[256], rel[96], vga[8], *tok, *save;
	bool vt, below;

	/* Documentation/ABI/testing/sysfs-tty: console/active lists them, "tty1 ttyS0". */
	vt = sysfs_read(env->sysfs, "class/tty/console/active", list, sizeof(list)) != 0;
	if (vt)
		list[0] = '\0'; /* unknown: take it that a VT is one */
	for (tok = strtok_r(list, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		vt |= managed_is_vt(tok);
		snprintf(rel, sizeof(rel), "class/tty/%s", tok);
		if (!sysfs_pci_below(env->sysfs, &d->bdf, rel, &below) && below) {
			log_err("%s holds the console %s and cannot be passed through", d->name,
				tok);
			return -EBUSY;
		}
	}
	/*
	 * A VT console is drawn on the boot VGA device: boot_vga reads 1 for
	 * vgaarb's default device (drivers/pci/pci-sysfs.c, boot_vga_show()).
	 */
	if (vt && !sysfs_pci_attr(env->sysfs, &d->bdf, "boot_vga", vga, sizeof(vga)) &&
	    !strcmp(vga, "1")) {
		log_err("%s is the boot VGA device, which shows the console, and cannot be passed "
			"through",
			d->name);
		return -EBUSY;
	}
	return 0;
}

/* A record of @d: a running ptvm has it, or a dead one did not give it back. */
static int managed_check_record(const struct managed_env *env, const struct managed_dev *d)
{
	struct managed_record r;
	int ret = managed_record_read(env->run, d->name, &r);

	if (ret == -ENOENT)
		return 0;
	if (ret) {
		log_err("%s: cannot read its record %s/%s: %s (remove it once the device is "
			"back on its driver)",
			d->name, env->run, d->name, strerror(-ret));
		return ret;
	}
	if (managed_record_alive(&r))
		log_err("%s is in use by ptvm pid %d", d->name, r.pid);
	else
		log_err("%s has a record of ptvm pid %d, which is gone (run ptvm cleanup first)",
			d->name, r.pid);
	return -EBUSY;
}

static bool managed_given(const struct managed_dev *devs, unsigned n, const char *name)
{
	for (unsigned i = 0; i < n; i++)
		if (!strcmp(devs[i].name, name))
			return true;
	return false;
}

static bool managed_is_bridge(const struct managed_env *env, const char *name)
{
	struct pci_bdf b;
	uint32_t class;

	return !pci_bdf_parse(name, &b) && !sysfs_pci_class(env->sysfs, &b, &class) &&
	       class >> 16 == MANAGED_CLASS_BRIDGE;
}

static void __printf(4, 5) managed_append(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
	va_list ap;

	if (*len >= size)
		return;
	va_start(ap, fmt);
	*len += (size_t)vsnprintf(buf + *len, size - *len, fmt, ap);
	va_end(ap);
}

/*
 * Documentation/driver-api/vfio.rst: a group is viable when every device in
 * it is bound to vfio-pci or to no driver; bridges may keep theirs
 * (pcieport). Anything else on a host driver would have to move too: that
 * is the user's call, so it must be given with --passthrough.
 */
static int managed_check_group(const struct managed_env *env, const struct managed_dev *devs,
			       unsigned n, const struct managed_dev *d)
{
	struct sysfs_group_member m[MANAGED_GROUP_MAX];
	char who[320] = "", add[320] = "";
	size_t wl = 0, al = 0;
	unsigned nr;
	int ret = sysfs_iommu_group_members(env->sysfs, d->group, m, ARRAY_SIZE(m), &nr);

	if (ret) {
		log_err("%s: cannot list IOMMU group %u: %s", d->name, d->group, strerror(-ret));
		return ret;
	}
	if (nr > ARRAY_SIZE(m)) {
		log_err("%s: IOMMU group %u has %u devices, more than ptvm checks (%zu)", d->name,
			d->group, nr, ARRAY_SIZE(m));
		return -E2BIG;
	}
	for (unsigned i = 0; i < nr; i++) {
		if (managed_given(devs, n, m[i].name) ||
		    sysfs_driver_vfio_compatible(m[i].driver) || managed_is_bridge(env, m[i].name))
			continue;
		managed_append(who, sizeof(who), &wl, "%s%s (bound to %s)", wl ? ", " : "",
			       m[i].name, m[i].driver);
		managed_append(add, sizeof(add), &al, " --passthrough %s", m[i].name);
	}
	if (!wl)
		return 0;
	log_err("%s: IOMMU group %u also holds %s, which would have to go too (add%s)", d->name,
		d->group, who, add);
	return -EBUSY;
}

/* Everything about one device alone; fills @d. */
static int managed_check_dev(const struct managed_env *env, const struct pci_bdf *bdf,
			     struct managed_dev *d)
{
	int ret;

	memset(d, 0, sizeof(*d));
	d->bdf = *bdf;
	pci_bdf_format(bdf, d->name);
	if (sysfs_pci_exists(env->sysfs, bdf))
		return sysfs_iommu_check(env->sysfs, bdf, &d->group); /* says "no such device" */
	ret = sysfs_pci_driver(env->sysfs, bdf, d->driver, sizeof(d->driver));
	if (ret) {
		log_err("%s: cannot read its driver link: %s", d->name, strerror(-ret));
		return ret;
	}
	/* Already on vfio-pci (or a variant driver): not ptvm's to move. */
	d->move = !strstr(d->driver, "vfio");
	/* A bridge before its group: it may have none, and that is not why it is refused. */
	if (d->move) {
		ret = managed_check_class(env, d);
		if (ret)
			return ret;
	}
	ret = sysfs_iommu_check(env->sysfs, bdf, &d->group);
	if (!ret)
		ret = managed_check_record(env, d);
	if (ret || !d->move)
		return ret;
	ret = managed_check_sriov(env, d);
	if (!ret)
		ret = managed_check_override(env, d);
	if (!ret)
		ret = managed_check_rootfs(env, d);
	if (!ret)
		ret = managed_check_console(env, d);
	return ret;
}

int managed_check_devs(const struct managed_env *env, const struct pci_bdf *bdfs, unsigned n,
		       struct managed_dev *devs)
{
	bool any = false;
	int ret;

	if (n > MANAGED_MAX) {
		log_err("cannot manage %u devices (at most %u)", n, MANAGED_MAX);
		return -E2BIG;
	}
	for (unsigned i = 0; i < n; i++) {
		ret = managed_check_dev(env, &bdfs[i], &devs[i]);
		if (ret)
			return ret;
		any |= devs[i].move;
	}
	for (unsigned i = 0; i < n; i++) {
		ret = managed_check_group(env, devs, n, &devs[i]);
		if (ret)
			return ret;
	}
	if (any && sysfs_pci_driver_loaded(env->sysfs, "vfio-pci")) {
		log_err("vfio-pci is not loaded (modprobe vfio-pci)");
		return -ENOENT;
	}
	return 0;
}
