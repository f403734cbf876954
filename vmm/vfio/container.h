/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VFIO container and its groups (Documentation/driver-api/vfio.rst,
 * "Groups, Devices, and IOMMUs"): one container (/dev/vfio/vfio) with the
 * type1v2 IOMMU backend shared by every passed-through device, each IOMMU
 * group attached to it once, guest RAM mapped for DMA at IOVA == guest
 * physical address. Setup only: nothing here runs once the guest is running.
 */
#ifndef PTVM_VFIO_CONTAINER_H
#define PTVM_VFIO_CONTAINER_H

#include <linux/vfio.h>

#include "memory.h"
#include "sys.h"
#include "util.h"

#define VFIO_MAX_GROUPS 16

struct vfio_group {
	unsigned id; /* IOMMU group number: /dev/vfio/<id> */
	int fd;	     /* -1: a free slot (container_group_put()) */
	bool viable; /* VFIO_GROUP_FLAGS_VIABLE when it was attached */
};

struct vfio_container_config {
	const struct sys_ops *sys;
	const char *sysfs_root; /* NULL: "/sys" */
	/*
	 * --allow-unsafe-interrupts: accept hosts without interrupt remapping
	 * (a device can then forge MSIs to any host vector) once the
	 * administrator turned on vfio_iommu_type1's allow_unsafe_interrupts;
	 * ptvm checks that switch, it never sets it.
	 */
	bool allow_unsafe_interrupts;
	/*
	 * Optional: asked before each CONTAINER_DMA_CHUNK piece of
	 * container_map_ram(), since pinning takes time in proportion to guest
	 * RAM; a non-zero -errno stops the mapping, undoes it and is returned.
	 */
	int (*check)(void);
};

/* Members are private to vmm/vfio/; tests may read them. */
struct vfio_container {
	const struct sys_ops *sys;
	const char *sysfs_root;
	int (*check)(void);
	int fd;
	bool iommu_set; /* VFIO_SET_IOMMU done (after the first group) */
	bool no_sysfs;	/* set by a sandboxed user: its filter forbids open, so no sysfs */
	/* Slots stay put while the container lives: devices point into it. */
	struct vfio_group groups[VFIO_MAX_GROUPS];
	unsigned nr_groups; /* slots ever used; free ones have fd -1 */
	/* Usable IOVA ranges (inclusive ends), sorted; from VFIO_IOMMU_GET_INFO. */
	struct vfio_iova_range *ranges;
	unsigned nr_ranges;
	bool have_ranges; /* false: kernel without the IOVA-range capability */
	/*
	 * Guest RAM mapped with VFIO_IOMMU_MAP_DMA, for teardown: per region,
	 * its start and how much of it is mapped (in chunks, each one mapping).
	 */
	struct {
		uint64_t iova;
		uint64_t size;
	} dma[MEM_MAX_REGIONS];
	unsigned nr_dma;
};

/*
 * Open /dev/vfio/vfio, check VFIO_API_VERSION and VFIO_TYPE1v2_IOMMU and, if
 * asked to allow unsafe interrupts, that the host allows them: -EPERM with a
 * line saying how the administrator turns them on, else one line on the risk.
 */
int container_open(const struct vfio_container_config *cfg,
		   struct vfio_container **out) __must_check;

/*
 * The monitor's part for a sandboxed VM process (monitor_host.h): open
 * and check as container_open() does, and hand back only the fd.
 */
int container_open_fd(const struct vfio_container_config *cfg, int *fd) __must_check;
/* The VM process's: a container around @fd, which container_open_fd() checked; takes @fd. */
int container_adopt(const struct vfio_container_config *cfg, int fd,
		    struct vfio_container **out) __must_check;

/* Unmap guest RAM, close every group (which detaches it) and the container. NULL is fine. */
void container_close(struct vfio_container *c);

/*
 * The group @id, opened and attached on first use: /dev/vfio/<id>,
 * VFIO_GROUP_GET_STATUS (a non-viable group is refused with a line naming
 * every member that blocks it), VFIO_GROUP_SET_CONTAINER, and after the
 * first group VFIO_SET_IOMMU(VFIO_TYPE1v2_IOMMU). The group belongs to the
 * container and lives until container_close().
 */
int container_group_get(struct vfio_container *c, unsigned id,
			struct vfio_group **out) __must_check;

/*
 * As container_group_get(), with /dev/vfio/<id> open already in @fd (the
 * monitor opened it): attached, or closed on error. Takes @fd.
 */
int container_group_adopt(struct vfio_container *c, unsigned id, int fd,
			  struct vfio_group **out) __must_check;

/*
 * Hot-unplug: detach group @id (its last device closed) and close it; the
 * slot is free for a later container_group_get(). When the last group
 * goes, VFIO releases the IOMMU and with it every DMA mapping (vfio.rst):
 * the next group sets the IOMMU again and needs container_map_ram().
 */
void container_group_put(struct vfio_container *c, unsigned id);
/* Whether guest RAM is mapped for DMA now. */
static inline bool container_ram_mapped(const struct vfio_container *c)
{
	return c->nr_dma > 0;
}
/*
 * Call @fn for every group attached so far, in the order they were attached;
 * stops at the first error and returns it. For what else must know the
 * groups (the KVM-VFIO device).
 */
int container_for_each_group(struct vfio_container *c,
			     int (*fn)(void *opaque, const struct vfio_group *g),
			     void *opaque) __must_check;

/*
 * Refresh the usable IOVA ranges (VFIO_IOMMU_GET_INFO with
 * VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE). Needs an attached group. Each group
 * can narrow the ranges, so call it after the last device is opened.
 */
int container_get_iova_ranges(struct vfio_container *c) __must_check;

/*
 * Every RAM region of @m (IOVA == gpa) lies inside one usable IOVA range.
 * Refreshes the ranges first. Logs the region and the reserved range it
 * hits; -ERANGE. 0 without a check if the kernel does not report ranges.
 */
int container_check_ranges(struct vfio_container *c, const struct guest_mem *m) __must_check;

/* The piece of guest RAM one VFIO_IOMMU_MAP_DMA pins; the config's check runs before each. */
#define CONTAINER_DMA_CHUNK SZ_1G

/*
 * VFIO_IOMMU_MAP_DMA (read+write, vaddr = hva, iova = gpa) for every region
 * of @m, in pieces of at most CONTAINER_DMA_CHUNK, before the guest starts.
 * Undone on error (a failed check included) and by container_unmap_ram().
 */
int container_map_ram(struct vfio_container *c, const struct guest_mem *m) __must_check;
void container_unmap_ram(struct vfio_container *c);

/*
 * Can this process pin @bytes for DMA? type1 charges pinned pages to
 * RLIMIT_MEMLOCK unless the caller has CAP_IPC_LOCK (vfio_dma_do_map():
 * lock_cap = capable(CAP_IPC_LOCK)). Logs the limit and the need; -ENOMEM.
 * In memlock.c: the one function that needs libcap-ng (link -lcap-ng).
 */
int container_check_memlock(uint64_t bytes) __must_check;
/* The decision behind it, for tests: @limit is RLIMIT_MEMLOCK's soft limit. */
int container_memlock_verdict(uint64_t bytes, uint64_t limit, bool cap_ipc_lock) __must_check;

#endif
