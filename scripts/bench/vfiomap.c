// SPDX-License-Identifier: GPL-2.0
/*
 * vfiomap: the floor under a VMM's DMA setup: one VFIO_IOMMU_MAP_DMA of
 * MIB MiB of fresh anonymous memory, as a VMM would map guest RAM, timed,
 * and its VFIO_IOMMU_UNMAP_DMA. The memory is not touched first, so the
 * map faults it in and pins it, as it does for a VMM's untouched guest RAM.
 *
 *   vfiomap GROUP MIB 4k|thp|huge   ->  "map_s=S unmap_s=S"
 *
 * GROUP is the number of an IOMMU group bound to vfio-pci (/dev/vfio/N).
 * 4k: MADV_NOHUGEPAGE; thp: 2 MiB-aligned with MADV_HUGEPAGE; huge:
 * MAP_HUGETLB (2 MiB pages from the pool, vm.nr_hugepages). Type1 IOMMU,
 * v2 if the kernel has it (include/uapi/linux/vfio.h).
 */
#define _GNU_SOURCE
#define TOOL_NAME "vfiomap"
#include "../../tests/e2e/tool.h"

#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/vfio.h>

#define SZ_2M (2ULL << 20)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* @len bytes of anonymous memory backed as @kind says, 2 MiB-aligned. */
static void *map_backing(uint64_t len, const char *kind)
{
	uint8_t *p, *a;

	if (!strcmp(kind, "huge")) {
		p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_NORESERVE, -1, 0);
		if (p == MAP_FAILED)
			die("mmap %llu MiB of 2 MiB hugetlb pages: %s (vm.nr_hugepages?)",
			    (unsigned long long)(len >> 20), strerror(errno));
		return p;
	}
	if (strcmp(kind, "4k") && strcmp(kind, "thp"))
		die("backing '%s': want 4k, thp or huge", kind);
	p = mmap(NULL, len + SZ_2M, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		die("mmap %llu MiB: %s", (unsigned long long)(len >> 20), strerror(errno));
	/* THP backs only 2 MiB-aligned stretches: align, and give back the slack. */
	a = (uint8_t *)(((uintptr_t)p + SZ_2M - 1) & ~(SZ_2M - 1));
	if (a > p)
		munmap(p, a - p);
	if (a + len < p + len + SZ_2M)
		munmap(a + len, p + len + SZ_2M - (a + len));
	if (madvise(a, len, strcmp(kind, "thp") ? MADV_NOHUGEPAGE : MADV_HUGEPAGE))
		die("madvise: %s", strerror(errno));
	return a;
}

static int vfio_open(const char *group)
{
	struct vfio_group_status st = {.argsz = sizeof(st)};
	char path[64];
	int c, g, type;

	c = open("/dev/vfio/vfio", O_RDWR);
	if (c < 0)
		die("/dev/vfio/vfio: %s", strerror(errno));
	snprintf(path, sizeof(path), "/dev/vfio/%s", group);
	g = open(path, O_RDWR);
	if (g < 0)
		die("%s: %s (is the group's device on vfio-pci?)", path, strerror(errno));
	if (ioctl(g, VFIO_GROUP_GET_STATUS, &st) || !(st.flags & VFIO_GROUP_FLAGS_VIABLE))
		die("%s: not viable (every device of the group on vfio-pci?)", path);
	if (ioctl(g, VFIO_GROUP_SET_CONTAINER, &c))
		die("%s: VFIO_GROUP_SET_CONTAINER: %s", path, strerror(errno));
	type = ioctl(c, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) > 0 ? VFIO_TYPE1v2_IOMMU
								      : VFIO_TYPE1_IOMMU;
	if (ioctl(c, VFIO_SET_IOMMU, type))
		die("VFIO_SET_IOMMU: %s", strerror(errno));
	return c;
}

int main(int argc, char **argv)
{
	struct vfio_iommu_type1_dma_map map = {.argsz = sizeof(map)};
	struct vfio_iommu_type1_dma_unmap unmap = {.argsz = sizeof(unmap)};
	double t0, t1, t2;
	uint64_t len;
	void *p;
	int c;

	if (argc != 4) {
		fprintf(stderr, "usage: vfiomap GROUP MIB 4k|thp|huge\n");
		return 2;
	}
	len = num(argv[2], 1 << 20) << 20;
	if (!len)
		die("MIB must be at least 1");
	c = vfio_open(argv[1]);
	p = map_backing(len, argv[3]);

	map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	map.vaddr = (uintptr_t)p;
	/*
	 * At 4 GiB: below it the IOMMU reserves its interrupt window
	 * (0xfee00000, x86 MSIs), which a 4 GiB map at 0 would overlap
	 * (EINVAL, type1's reserved-region check).
	 */
	map.iova = 1ULL << 32;
	map.size = len;
	unmap.iova = map.iova;
	unmap.size = len;
	t0 = now();
	if (ioctl(c, VFIO_IOMMU_MAP_DMA, &map))
		die("VFIO_IOMMU_MAP_DMA of %llu MiB: %s", (unsigned long long)(len >> 20),
		    strerror(errno));
	t1 = now();
	if (ioctl(c, VFIO_IOMMU_UNMAP_DMA, &unmap))
		die("VFIO_IOMMU_UNMAP_DMA: %s", strerror(errno));
	t2 = now();
	printf("map_s=%.3f unmap_s=%.3f\n", t1 - t0, t2 - t1);
	return 0;
}
