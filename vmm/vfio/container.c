// SPDX-License-Identifier: GPL-2.0
/*
 * VFIO container and groups (Documentation/driver-api/vfio.rst; ioctls and
 * structs from include/uapi/linux/vfio.h); guest RAM's type1 DMA mappings
 * are container_dma.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vfio/container.h"
#include "vfio/sysfs.h"

#define VFIO_CONTAINER_PATH    "/dev/vfio/vfio"
#define VFIO_GROUP_MEMBERS_MAX 32

/*
 * Where the kernel keeps the switch that lets groups attach without
 * interrupt remapping: type1 (drivers/vfio/vfio_iommu_type1.c), or iommufd
 * when it provides /dev/vfio/vfio (CONFIG_IOMMUFD_VFIO_CONTAINER).
 */
static const struct {
	const char *module;
	const char *param;
} unsafe_irq_params[] = {
	{"vfio_iommu_type1", "module/vfio_iommu_type1/parameters/allow_unsafe_interrupts"},
	{"iommufd", "module/iommufd/parameters/allow_unsafe_interrupts"},
};

/*
 * --allow-unsafe-interrupts checks the host's policy and never changes it.
 * Setting the switch for the run and restoring it on the way out cannot be
 * made to hold: SIGKILL, a crash or a power cut skip any restore; two ptvm
 * runs overlapping save each other's temporary "1" and one restores it for
 * good; and while it is on, it is on for every VFIO user of the host, QEMU
 * too. Recording it for a later cleanup only moves the same hole. So the
 * decision stays the administrator's: with the switch off ptvm refuses and
 * says how to turn it on; with it on, the option is the user's acceptance
 * of the risk, said once.
 */
static int container_check_unsafe_interrupts(struct vfio_container *c)
{
	const char *root = c->sysfs_root ? c->sysfs_root : "/sys";
	int ret = -ENOENT;
	unsigned i;
	char val[8];

	for (i = 0; i < ARRAY_SIZE(unsafe_irq_params); i++) {
		ret = sysfs_read(c->sysfs_root, unsafe_irq_params[i].param, val, sizeof(val));
		if (ret != -ENOENT)
			break;
	}
	if (ret) {
		log_err("vfio: --allow-unsafe-interrupts: cannot read %s/%s: %s", root,
			unsafe_irq_params[0].param, strerror(-ret));
		return ret;
	}
	/* A bool module parameter reads Y or N. */
	if (val[0] != 'Y' && val[0] != '1') {
		log_err("vfio: --allow-unsafe-interrupts: %s's allow_unsafe_interrupts is off and "
			"ptvm leaves that host policy to the administrator: echo 1 > %s/%s (or "
			"'options %s allow_unsafe_interrupts=1' in /etc/modprobe.d/)",
			unsafe_irq_params[i].module, root, unsafe_irq_params[i].param,
			unsafe_irq_params[i].module);
		return -EPERM;
	}
	log_err("vfio: --allow-unsafe-interrupts: without interrupt remapping a passed-through "
		"device can forge MSIs to any host interrupt vector");
	return 0;
}

static struct vfio_container *container_alloc(const struct vfio_container_config *cfg)
{
	struct vfio_container *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->sys = cfg->sys;
	c->sysfs_root = cfg->sysfs_root;
	c->check = cfg->check;
	return c;
}

int container_adopt(const struct vfio_container_config *cfg, int fd, struct vfio_container **out)
{
	struct vfio_container *c = container_alloc(cfg);

	if (!c) {
		cfg->sys->close(fd);
		return -ENOMEM;
	}
	c->fd = fd;
	*out = c;
	return 0;
}

int container_open_fd(const struct vfio_container_config *cfg, int *fd)
{
	struct vfio_container *c;
	int ret = container_open(cfg, &c);

	if (ret)
		return ret;
	*fd = c->fd;
	free(c);
	return 0;
}

int container_open(const struct vfio_container_config *cfg, struct vfio_container **out)
{
	const struct sys_ops *sys = cfg->sys;
	struct vfio_container *c;
	int ret;

	c = container_alloc(cfg);
	if (!c)
		return -ENOMEM;
	c->fd = sys->open(VFIO_CONTAINER_PATH, O_RDWR);
	if (c->fd < 0) {
		ret = c->fd;
		log_err("vfio: cannot open %s: %s%s", VFIO_CONTAINER_PATH, strerror(-ret),
			ret == -ENOENT	 ? " (load the vfio-pci module)"
			: ret == -EACCES ? " (run ptvm as root)"
					 : "");
		goto err_free;
	}
	ret = sys->ioctl(c->fd, VFIO_GET_API_VERSION, NULL);
	if (ret != VFIO_API_VERSION) {
		log_err("vfio: %s speaks API version %d, ptvm needs %d", VFIO_CONTAINER_PATH, ret,
			VFIO_API_VERSION);
		ret = -ENOTSUP;
		goto err_close;
	}
	/* vfio.rst: "Doesn't support the IOMMU driver we want." */
	if (sys->ioctl(c->fd, VFIO_CHECK_EXTENSION, (void *)VFIO_TYPE1v2_IOMMU) <= 0) {
		log_err("vfio: %s lacks VFIO_TYPE1v2_IOMMU (load vfio_iommu_type1)",
			VFIO_CONTAINER_PATH);
		ret = -ENOTSUP;
		goto err_close;
	}
	if (cfg->allow_unsafe_interrupts) {
		ret = container_check_unsafe_interrupts(c);
		if (ret)
			goto err_close;
	}
	*out = c;
	return 0;

err_close:
	sys->close(c->fd);
err_free:
	free(c);
	return ret;
}

void container_close(struct vfio_container *c)
{
	if (!c)
		return;
	container_unmap_ram(c);
	/* Closing a group fd detaches it; the last one disables the IOMMU (vfio.h). */
	for (unsigned i = c->nr_groups; i-- > 0;)
		if (c->groups[i].fd >= 0)
			c->sys->close(c->groups[i].fd);
	c->sys->close(c->fd);
	free(c->ranges);
	free(c);
}

/* One line naming each member of @id that keeps the group from being viable. */
static void group_log_not_viable(struct vfio_container *c, unsigned id)
{
	struct sysfs_group_member m[VFIO_GROUP_MEMBERS_MAX];
	char who[256] = "", names[200] = "";
	size_t wl = 0, nl = 0;
	unsigned nr;
	int ret;

	/* The monitor judged the group's members (monitor_host.h); the filter forbids open. */
	ret = c->no_sysfs ? -EPERM
			  : sysfs_iommu_group_members(c->sysfs_root, id, m, ARRAY_SIZE(m), &nr);
	if (ret) {
		log_err("vfio: /dev/vfio/%u: group not viable (cannot list its devices: %s)", id,
			strerror(-ret));
		return;
	}
	for (unsigned i = 0; i < MIN(nr, ARRAY_SIZE(m)); i++) {
		if (sysfs_driver_vfio_compatible(m[i].driver))
			continue;
		if (wl < sizeof(who))
			wl += snprintf(who + wl, sizeof(who) - wl, "%s%s is bound to %s",
				       wl ? ", " : "", m[i].name, m[i].driver);
		if (nl < sizeof(names))
			nl += snprintf(names + nl, sizeof(names) - nl, " %s", m[i].name);
	}
	if (!wl) {
		log_err("vfio: /dev/vfio/%u: group not viable (see "
			"%s/kernel/iommu_groups/%u/devices)",
			id, c->sysfs_root ? c->sysfs_root : "/sys", id);
		return;
	}
	log_err("vfio: /dev/vfio/%u: group not viable: %s (every device in IOMMU group %u must "
		"be bound to vfio-pci: scripts/bind-vfio%s)",
		id, who, id, names);
}

static void group_log_attach(unsigned id, const char *what, int err)
{
	/*
	 * type1's attach refuses with -EPERM when the IOMMU cannot remap
	 * interrupts and allow_unsafe_interrupts is off: without remapping a
	 * device's DMA to the MSI window reaches any vector.
	 */
	if (err == -EPERM)
		log_err("vfio: /dev/vfio/%u: the host has no interrupt remapping; refusing (to "
			"accept that a device can inject arbitrary interrupts, an administrator "
			"turns on vfio_iommu_type1's allow_unsafe_interrupts and you pass "
			"--allow-unsafe-interrupts)",
			id);
	else
		log_err("vfio: /dev/vfio/%u: %s: %s", id, what, strerror(-err));
}

static int group_attach(struct vfio_container *c, struct vfio_group *g)
{
	struct vfio_group_status st = {.argsz = sizeof(st)};
	int ret;

	ret = c->sys->ioctl(g->fd, VFIO_GROUP_GET_STATUS, &st);
	if (ret < 0) {
		log_err("vfio: /dev/vfio/%u: VFIO_GROUP_GET_STATUS: %s", g->id, strerror(-ret));
		return ret;
	}
	g->viable = st.flags & VFIO_GROUP_FLAGS_VIABLE;
	if (!g->viable) {
		group_log_not_viable(c, g->id);
		return -EBUSY;
	}
	ret = c->sys->ioctl(g->fd, VFIO_GROUP_SET_CONTAINER, &c->fd);
	if (ret < 0) {
		group_log_attach(g->id, "VFIO_GROUP_SET_CONTAINER", ret);
		return ret;
	}
	if (c->iommu_set)
		return 0;
	/* vfio.rst: the IOMMU model is set once, after the first group joins. */
	ret = c->sys->ioctl(c->fd, VFIO_SET_IOMMU, (void *)VFIO_TYPE1v2_IOMMU);
	if (ret < 0) {
		group_log_attach(g->id, "VFIO_SET_IOMMU", ret);
		return ret;
	}
	c->iommu_set = true;
	return 0;
}

/* The group @id in @c, or else a free slot in *@slot (NULL: none left). */
static struct vfio_group *container_group_find(struct vfio_container *c, unsigned id,
					       struct vfio_group **slot)
{
	*slot = NULL;
	for (unsigned i = 0; i < c->nr_groups; i++) {
		if (c->groups[i].fd >= 0 && c->groups[i].id == id)
			return &c->groups[i];
		if (c->groups[i].fd < 0 && !*slot)
			*slot = &c->groups[i];
	}
	if (!*slot && c->nr_groups < VFIO_MAX_GROUPS)
		*slot = &c->groups[c->nr_groups];
	return NULL;
}

/* Group @id, open in @fd, into free slot @g: attached, or @fd closed. */
static int container_group_attach(struct vfio_container *c, struct vfio_group *g, unsigned id,
				  int fd, struct vfio_group **out)
{
	int ret;

	g->id = id;
	g->fd = fd;
	ret = group_attach(c, g);
	if (ret) {
		c->sys->close(g->fd);
		g->fd = -1;
		return ret;
	}
	if (g == &c->groups[c->nr_groups])
		c->nr_groups++;
	*out = g;
	return 0;
}

int container_group_get(struct vfio_container *c, unsigned id, struct vfio_group **out)
{
	struct vfio_group *g, *slot;
	char path[32];
	int fd;

	g = container_group_find(c, id, &slot);
	if (g) {
		*out = g;
		return 0;
	}
	if (!slot) {
		log_err("vfio: /dev/vfio/%u: more than %u IOMMU groups", id, VFIO_MAX_GROUPS);
		return -ENOSPC;
	}
	snprintf(path, sizeof(path), "/dev/vfio/%u", id);
	fd = c->sys->open(path, O_RDWR);
	if (fd < 0) {
		log_err("vfio: cannot open %s: %s%s", path, strerror(-fd),
			fd == -ENOENT ? " (bind the group's devices to vfio-pci: scripts/bind-vfio)"
			: fd == -EBUSY ? " (another process holds the group)"
				       : "");
		return fd;
	}
	return container_group_attach(c, slot, id, fd, out);
}

int container_group_adopt(struct vfio_container *c, unsigned id, int fd, struct vfio_group **out)
{
	struct vfio_group *g, *slot;

	g = container_group_find(c, id, &slot);
	if (g || !slot) {
		/* Held already, or no room: the one the monitor opened is not needed. */
		c->sys->close(fd);
		if (g)
			*out = g;
		if (!g)
			log_err("vfio: /dev/vfio/%u: more than %u IOMMU groups", id,
				VFIO_MAX_GROUPS);
		return g ? 0 : -ENOSPC;
	}
	return container_group_attach(c, slot, id, fd, out);
}

void container_group_put(struct vfio_container *c, unsigned id)
{
	bool left = false;

	for (unsigned i = 0; i < c->nr_groups; i++) {
		struct vfio_group *g = &c->groups[i];

		if (g->fd >= 0 && g->id == id) {
			/* Closing the fd detaches the group (vfio.rst). */
			c->sys->close(g->fd);
			g->fd = -1;
		} else if (g->fd >= 0) {
			left = true;
		}
	}
	if (left)
		return;
	/* The last group's detach released the IOMMU and its mappings. */
	c->iommu_set = false;
	c->nr_dma = 0;
}

int container_for_each_group(struct vfio_container *c,
			     int (*fn)(void *opaque, const struct vfio_group *g), void *opaque)
{
	for (unsigned i = 0; i < c->nr_groups; i++) {
		int ret = c->groups[i].fd >= 0 ? fn(opaque, &c->groups[i]) : 0;

		if (ret)
			return ret;
	}
	return 0;
}
