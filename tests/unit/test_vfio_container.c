// SPDX-License-Identifier: GPL-2.0
/*
 * vfio/container.c and vfio/info.c against a fake VFIO kernel: open checks,
 * group attach and its refusals, IOVA ranges, DMA maps, memlock verdict.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "layout.h"
#include "log_capture.h"
#include "vfio/container.h"
#include "vfio/info.h"
#include "vfio_fake.h"
#include "vfio_fake_sysfs.h"

#define UNSAFE_PARAM "module/vfio_iommu_type1/parameters/allow_unsafe_interrupts"

struct fixture {
	struct fake_sysfs fs;
	struct vfio_container_config cfg;
	struct log_capture lc;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	fv_reset();
	fake_sysfs_init(&f->fs);
	fake_sysfs_add_dev(&f->fs, "0000:00:03.0", "vfio-pci", 3);
	fake_sysfs_add_dev(&f->fs, "0000:01:00.0", NULL, 7);
	fake_sysfs_add_dev(&f->fs, "0000:02:01.0", "e1000", 7);
	fake_sysfs_add_dev(&f->fs, "0000:02:02.0", "e1000", 7);
	fake_sysfs_add_dev(&f->fs, "0000:02:03.0", "vfio-pci", 7);
	f->cfg.sys = &fv_sys;
	f->cfg.sysfs_root = f->fs.root;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	fake_sysfs_destroy(&f->fs);
	log_capture_free(&f->lc);
	free(f);
	return 0;
}

/* container_open() that must fail with @want and log exactly @log. */
static void open_fails(struct fixture *f, int want, const char *log)
{
	struct vfio_container *c = NULL;

	log_capture_free(&f->lc); /* an earlier capture's text */
	log_capture_start(&f->lc);
	assert_int_equal(container_open(&f->cfg, &c), want);
	assert_string_equal(log_capture_end(&f->lc), log);
	assert_null(c);
	assert_int_equal(fv_open_fds(), 0);
}

static void test_open_close(void **state)
{
	struct fixture *f = *state;
	struct vfio_container *c;

	assert_int_equal(container_open(&f->cfg, &c), 0);
	assert_int_equal(fv.nr_calls, 2);
	assert_int_equal(fv.calls[0], VFIO_GET_API_VERSION);
	assert_int_equal(fv.calls[1], VFIO_CHECK_EXTENSION);
	assert_int_equal(fv_open_fds(), 1);
	container_close(c);
	assert_int_equal(fv_open_fds(), 0);
	container_close(NULL);
}

static void test_open_errors(void **state)
{
	struct fixture *f = *state;

	fv.container_open_ret = -ENOENT;
	open_fails(f, -ENOENT,
		   "ptvm: vfio: cannot open /dev/vfio/vfio: No such file or directory (load the "
		   "vfio-pci module)\n");
	log_capture_free(&f->lc);
	fv.container_open_ret = 0;
	fv.api_version = 1;
	open_fails(f, -ENOTSUP, "ptvm: vfio: /dev/vfio/vfio speaks API version 1, ptvm needs 0\n");
	log_capture_free(&f->lc);
	fv.api_version = VFIO_API_VERSION;
	fv.type1v2 = 0;
	open_fails(f, -ENOTSUP,
		   "ptvm: vfio: /dev/vfio/vfio lacks VFIO_TYPE1v2_IOMMU (load vfio_iommu_type1)\n");
}

static void test_groups_attach_once(void **state)
{
	struct fixture *f = *state;
	struct vfio_group *g3, *g3b, *g7;
	struct vfio_container *c;

	fake_sysfs_add_dev(&f->fs, "0000:00:04.0", "vfio-pci", 4);
	assert_int_equal(container_open(&f->cfg, &c), 0);
	assert_int_equal(container_group_get(c, 3, &g3), 0);
	assert_string_equal(fv.last_open, "/dev/vfio/3");
	assert_int_equal(g3->id, 3);
	assert_true(g3->viable);
	assert_int_equal(g3->fd, fv.last_group_fd);
	assert_int_equal(fv.set_container_arg, fv.container_fd);
	assert_int_equal(fv.set_iommu_arg, VFIO_TYPE1v2_IOMMU);
	assert_true(c->iommu_set);

	/* The same group again: no second open, no second attach. */
	fv.nr_calls = 0;
	fv.nr_opens = 0;
	assert_int_equal(container_group_get(c, 3, &g3b), 0);
	assert_ptr_equal(g3, g3b);
	assert_int_equal(fv.nr_opens, 0);
	assert_int_equal(fv.nr_calls, 0);

	/* A second group joins the container; VFIO_SET_IOMMU is not repeated. */
	assert_int_equal(container_group_get(c, 4, &g7), 0);
	assert_string_equal(fv.last_open, "/dev/vfio/4");
	assert_int_equal(fv.nr_calls, 2);
	assert_int_equal(fv.calls[0], VFIO_GROUP_GET_STATUS);
	assert_int_equal(fv.calls[1], VFIO_GROUP_SET_CONTAINER);
	assert_int_equal(c->nr_groups, 2);
	assert_int_equal(fv_open_fds(), 3);
	container_close(c);
	assert_int_equal(fv_open_fds(), 0);
}

struct group_visit {
	unsigned n, id[4];
	int fd[4];
	int ret_at; /* 1-based visit that returns -EIO */
};

static int visit_group(void *opaque, const struct vfio_group *g)
{
	struct group_visit *v = opaque;

	v->id[v->n] = g->id;
	v->fd[v->n] = g->fd;
	return ++v->n == (unsigned)v->ret_at ? -EIO : 0;
}

/* Every attached group once, in attach order, with its fd; the first error stops the walk. */
static void test_for_each_group(void **state)
{
	struct fixture *f = *state;
	struct group_visit v = {0};
	struct vfio_group *g3, *g4;
	struct vfio_container *c;

	fake_sysfs_add_dev(&f->fs, "0000:00:04.0", "vfio-pci", 4);
	assert_int_equal(container_open(&f->cfg, &c), 0);
	assert_int_equal(container_for_each_group(c, visit_group, &v), 0);
	assert_int_equal(v.n, 0);
	assert_int_equal(container_group_get(c, 4, &g4), 0);
	assert_int_equal(container_group_get(c, 3, &g3), 0);
	assert_int_equal(container_group_get(c, 4, &g4), 0);
	assert_int_equal(container_for_each_group(c, visit_group, &v), 0);
	assert_int_equal(v.n, 2);
	assert_int_equal(v.id[0], 4);
	assert_int_equal(v.fd[0], g4->fd);
	assert_int_equal(v.id[1], 3);
	assert_int_equal(v.fd[1], g3->fd);
	v = (struct group_visit){.ret_at = 1};
	assert_int_equal(container_for_each_group(c, visit_group, &v), -EIO);
	assert_int_equal(v.n, 1);
	container_close(c);
}

static void test_group_not_viable(void **state)
{
	struct fixture *f = *state;
	struct vfio_container *c;
	struct vfio_group *g;

	fv.group_flags = 0;
	assert_int_equal(container_open(&f->cfg, &c), 0);
	log_capture_start(&f->lc);
	assert_int_equal(container_group_get(c, 7, &g), -EBUSY);
	assert_string_equal(log_capture_end(&f->lc),
			    "ptvm: vfio: /dev/vfio/7: group not viable: 0000:02:01.0 is bound to "
			    "e1000, 0000:02:02.0 is bound to e1000 (every device in IOMMU group 7 "
			    "must be bound to vfio-pci: scripts/bind-vfio 0000:02:01.0 "
			    "0000:02:02.0)\n");
	assert_false(fv_called(VFIO_GROUP_SET_CONTAINER));
	assert_int_equal(c->nr_groups, 0);
	assert_int_equal(fv_open_fds(), 1);
	container_close(c);
	assert_int_equal(fv_open_fds(), 0);
}

#define NO_IR_MSG(n)                                                                       \
	"ptvm: vfio: /dev/vfio/" #n ": the host has no interrupt remapping; refusing (to " \
	"accept that a device can inject arbitrary interrupts, an administrator turns on " \
	"vfio_iommu_type1's allow_unsafe_interrupts and you pass --allow-unsafe-interrupts)\n"

static void test_set_iommu_eperm(void **state)
{
	struct fixture *f = *state;
	struct vfio_container *c;
	struct vfio_group *g;

	fv.set_iommu_ret = -EPERM;
	assert_int_equal(container_open(&f->cfg, &c), 0);
	log_capture_start(&f->lc);
	assert_int_equal(container_group_get(c, 3, &g), -EPERM);
	assert_string_equal(log_capture_end(&f->lc), NO_IR_MSG(3));
	assert_false(c->iommu_set);
	assert_int_equal(c->nr_groups, 0);
	assert_int_equal(fv_open_fds(), 1);
	container_close(c);
	assert_int_equal(fv_open_fds(), 0);
}

/* A later group is attached by VFIO_GROUP_SET_CONTAINER itself: same refusal, same line. */
static void test_second_group_eperm(void **state)
{
	struct fixture *f = *state;
	struct vfio_container *c;
	struct vfio_group *g;

	fv.set_container_ret = -EPERM;
	fv.set_container_ret_after = 2;
	assert_int_equal(container_open(&f->cfg, &c), 0);
	assert_int_equal(container_group_get(c, 3, &g), 0);
	log_capture_start(&f->lc);
	assert_int_equal(container_group_get(c, 9, &g), -EPERM);
	assert_string_equal(log_capture_end(&f->lc), NO_IR_MSG(9));
	assert_int_equal(c->nr_groups, 1);
	container_close(c);
	assert_int_equal(fv_open_fds(), 0);
}

static void test_group_open_errors(void **state)
{
	struct fixture *f = *state;
	struct vfio_container *c;
	struct vfio_group *g;

	fv.set_container_ret = -EBUSY;
	assert_int_equal(container_open(&f->cfg, &c), 0);
	log_capture_start(&f->lc);
	assert_int_equal(container_group_get(c, 3, &g), -EBUSY);
	assert_string_equal(log_capture_end(&f->lc), "ptvm: vfio: /dev/vfio/3: "
						     "VFIO_GROUP_SET_CONTAINER: Device or resource "
						     "busy\n");
	log_capture_free(&f->lc);
	fv.group_open_ret = -ENOENT;
	log_capture_start(&f->lc);
	assert_int_equal(container_group_get(c, 3, &g), -ENOENT);
	assert_string_equal(log_capture_end(&f->lc),
			    "ptvm: vfio: cannot open /dev/vfio/3: No such file or directory (bind "
			    "the group's devices to vfio-pci: scripts/bind-vfio)\n");
	container_close(c);
	assert_int_equal(fv_open_fds(), 0);
}

#define UNSAFE_RISK                                                                            \
	"ptvm: vfio: --allow-unsafe-interrupts: without interrupt remapping a passed-through " \
	"device can forge MSIs to any host interrupt vector\n"

/* The administrator turned the switch on: the option accepts the risk, said once. */
static void test_allow_unsafe_interrupts(void **state)
{
	struct fixture *f = *state;
	struct vfio_container *c;
	char buf[8];

	fake_sysfs_add_file(&f->fs, UNSAFE_PARAM, "Y\n");
	f->cfg.allow_unsafe_interrupts = true;
	log_capture_start(&f->lc);
	assert_int_equal(container_open(&f->cfg, &c), 0);
	assert_string_equal(log_capture_end(&f->lc), UNSAFE_RISK);
	fake_sysfs_read(&f->fs, UNSAFE_PARAM, buf, sizeof(buf));
	assert_string_equal(buf, "Y\n");
	container_close(c);
}

/* Off: ptvm refuses and says how to turn it on; it never writes the host's policy. */
static void test_allow_unsafe_off(void **state)
{
	struct fixture *f = *state;
	char want[512], buf[8];

	fake_sysfs_add_file(&f->fs, UNSAFE_PARAM, "N\n");
	f->cfg.allow_unsafe_interrupts = true;
	snprintf(want, sizeof(want),
		 "ptvm: vfio: --allow-unsafe-interrupts: vfio_iommu_type1's "
		 "allow_unsafe_interrupts is off and ptvm leaves that host policy to the "
		 "administrator: echo 1 > %s/%s (or 'options vfio_iommu_type1 "
		 "allow_unsafe_interrupts=1' in /etc/modprobe.d/)\n",
		 f->fs.root, UNSAFE_PARAM);
	open_fails(f, -EPERM, want);
	fake_sysfs_read(&f->fs, UNSAFE_PARAM, buf, sizeof(buf));
	assert_string_equal(buf, "N\n");
}

/* Without the option the switch does not matter here (the attach tells). */
static void test_unsafe_not_asked(void **state)
{
	struct fixture *f = *state;
	struct vfio_container *c;

	fake_sysfs_add_file(&f->fs, UNSAFE_PARAM, "N\n");
	log_capture_start(&f->lc);
	assert_int_equal(container_open(&f->cfg, &c), 0);
	assert_string_equal(log_capture_end(&f->lc), "");
	container_close(c);
}

static void test_allow_unsafe_iommufd(void **state)
{
	struct fixture *f = *state;
	struct vfio_container *c;
	char want[512];

	fake_sysfs_add_file(&f->fs, "module/iommufd/parameters/allow_unsafe_interrupts", "N\n");
	f->cfg.allow_unsafe_interrupts = true;
	snprintf(want, sizeof(want),
		 "ptvm: vfio: --allow-unsafe-interrupts: iommufd's allow_unsafe_interrupts is "
		 "off and ptvm leaves that host policy to the administrator: echo 1 > "
		 "%s/module/iommufd/parameters/allow_unsafe_interrupts (or 'options iommufd "
		 "allow_unsafe_interrupts=1' in /etc/modprobe.d/)\n",
		 f->fs.root);
	open_fails(f, -EPERM, want);
	fake_sysfs_add_file(&f->fs, "module/iommufd/parameters/allow_unsafe_interrupts", "Y\n");
	log_capture_free(&f->lc);
	log_capture_start(&f->lc);
	assert_int_equal(container_open(&f->cfg, &c), 0);
	assert_string_equal(log_capture_end(&f->lc), UNSAFE_RISK);
	container_close(c);
}

static void test_allow_unsafe_missing_param(void **state)
{
	struct fixture *f = *state;
	char want[512];

	f->cfg.allow_unsafe_interrupts = true;
	snprintf(want, sizeof(want),
		 "ptvm: vfio: --allow-unsafe-interrupts: cannot read %s/%s: No such file or "
		 "directory\n",
		 f->fs.root, UNSAFE_PARAM);
	open_fails(f, -ENOENT, want);
}

static const struct vfio_iova_range x86_ranges[] = {
	{0xfef00000ULL, 0xffffffffffULL}, /* out of order on purpose */
	{0, 0xfedfffffULL},
};

static void test_iova_ranges_chain(void **state)
{
	struct fixture *f = *state;
	struct vfio_container *c;
	struct vfio_group *g;

	memcpy(fv.ranges, x86_ranges, sizeof(x86_ranges));
	fv.nr_ranges = 2;
	assert_int_equal(container_open(&f->cfg, &c), 0);
	assert_int_equal(container_group_get(c, 3, &g), 0);
	assert_int_equal(container_get_iova_ranges(c), 0);
	/* First call too small for the chain, second one sized as the kernel asked. */
	assert_int_equal(fv.nr_iommu_info, 2);
	assert_true(c->have_ranges);
	assert_int_equal(c->nr_ranges, 2);
	assert_int_equal(c->ranges[0].start, 0);
	assert_int_equal(c->ranges[0].end, 0xfedfffffULL);
	assert_int_equal(c->ranges[1].start, 0xfef00000ULL);
	assert_int_equal(c->ranges[1].end, 0xffffffffffULL);
	container_close(c);
	assert_int_equal(fv_open_fds(), 0);
}

static struct vfio_container *open_with_ranges(struct fixture *f, const struct vfio_iova_range *r,
					       unsigned nr)
{
	struct vfio_container *c;
	struct vfio_group *g;

	if (nr)
		memcpy(fv.ranges, r, nr * sizeof(*r));
	fv.nr_ranges = nr;
	assert_int_equal(container_open(&f->cfg, &c), 0);
	assert_int_equal(container_group_get(c, 3, &g), 0);
	return c;
}

static void test_check_ranges_ptvm_layout(void **state)
{
	struct fixture *f = *state;
	struct vfio_container *c = open_with_ranges(f, x86_ranges, 2);
	struct guest_mem m;

	/* ptvm's layout keeps RAM below the PCI hole and above 4 GiB: clear of 0xfee00000. */
	assert_int_equal(mem_layout(&m, 8ULL << 30), 0);
	assert_int_equal(container_check_ranges(c, &m), 0);
	container_close(c);
}

static void test_check_ranges_msi_window(void **state)
{
	struct fixture *f = *state;
	struct vfio_container *c = open_with_ranges(f, x86_ranges, 2);
	struct guest_mem m = {
		.nr = 2,
		.r = {{.gpa = 0, .size = 0x80000000ULL},
		      {.gpa = 0xf0000000ULL, .size = 0x10000000ULL}},
	};

	log_capture_start(&f->lc);
	assert_int_equal(container_check_ranges(c, &m), -ERANGE);
	assert_string_equal(log_capture_end(&f->lc),
			    "ptvm: vfio: guest RAM region 1 (0xf0000000-0xffffffff) overlaps "
			    "0xfee00000-0xfeefffff, which the host IOMMU reserves\n");
	container_close(c);
}

static void test_check_ranges_above_top(void **state)
{
	static const struct vfio_iova_range narrow[] = {
		{0, 0xfedfffffULL}, {0xfef00000ULL, 0x7fffffffffULL}, /* 39-bit IOMMU */
	};
	struct fixture *f = *state;
	struct vfio_container *c = open_with_ranges(f, narrow, 2);
	struct guest_mem m = {
		.nr = 2,
		.r = {{.gpa = 0, .size = 0x80000000ULL},
		      {.gpa = 0x8000000000ULL, .size = 0x100000000ULL}},
	};

	log_capture_start(&f->lc);
	assert_int_equal(container_check_ranges(c, &m), -ERANGE);
	assert_string_equal(log_capture_end(&f->lc),
			    "ptvm: vfio: guest RAM region 1 (0x8000000000-0x80ffffffff) lies above "
			    "the host IOMMU's last usable IOVA 0x7fffffffff\n");
	container_close(c);
}

static void test_check_ranges_without_cap(void **state)
{
	struct fixture *f = *state;
	struct vfio_container *c;
	struct guest_mem m;

	fv.iommu_no_caps = true;
	c = open_with_ranges(f, NULL, 0);
	assert_int_equal(mem_layout(&m, 1ULL << 30), 0);
	assert_int_equal(container_check_ranges(c, &m), 0);
	assert_false(c->have_ranges);
	assert_int_equal(fv.nr_iommu_info, 1);
	container_close(c);
}

static struct guest_mem two_regions(void)
{
	struct guest_mem m;

	assert_int_equal(mem_layout(&m, 4ULL << 30), 0);
	assert_int_equal(m.nr, 2);
	m.r[0].hva = (void *)0x7f1000000000ULL;
	m.r[1].hva = (void *)0x7f2000000000ULL;
	return m;
}

/* 4 GiB of guest RAM: 3 GiB below the PCI hole, 1 GiB above 4 GiB. */
static void test_map_ram(void **state)
{
	static const struct {
		uint64_t iova, hva_off;
		unsigned region;
	} want[] = {
		{0, 0, 0},
		{SZ_1G, SZ_1G, 0},
		{2 * SZ_1G, 2 * SZ_1G, 0},
		{LAYOUT_4G, 0, 1},
	};
	struct fixture *f = *state;
	struct vfio_container *c = open_with_ranges(f, x86_ranges, 2);
	struct guest_mem m = two_regions();

	assert_int_equal(container_map_ram(c, &m), 0);
	/* One mapping per GiB: setup can stop between them. */
	assert_int_equal(fv.nr_maps, ARRAY_SIZE(want));
	for (unsigned i = 0; i < ARRAY_SIZE(want); i++) {
		assert_int_equal(fv.maps[i].argsz, sizeof(struct vfio_iommu_type1_dma_map));
		assert_int_equal(fv.maps[i].flags,
				 VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE);
		assert_int_equal(fv.maps[i].vaddr,
				 (uintptr_t)m.r[want[i].region].hva + want[i].hva_off);
		assert_int_equal(fv.maps[i].iova, want[i].iova);
		assert_int_equal(fv.maps[i].size, SZ_1G);
	}
	assert_int_equal(container_map_ram(c, &m), -EBUSY);
	container_close(c);
	/* Teardown unmaps each region whole, in reverse order. */
	assert_int_equal(fv.nr_unmaps, 2);
	assert_int_equal(fv.unmaps[0].iova, m.r[1].gpa);
	assert_int_equal(fv.unmaps[0].size, m.r[1].size);
	assert_int_equal(fv.unmaps[0].argsz, sizeof(struct vfio_iommu_type1_dma_unmap));
	assert_int_equal(fv.unmaps[1].iova, 0);
	assert_int_equal(fv.unmaps[1].size, 3 * SZ_1G);
	assert_int_equal(fv_open_fds(), 0);
}

/* A region that is not a whole number of chunks ends with a short one. */
static void test_map_ram_short_chunk(void **state)
{
	struct fixture *f = *state;
	struct vfio_container *c = open_with_ranges(f, x86_ranges, 2);
	struct guest_mem m;

	assert_int_equal(mem_layout(&m, SZ_1G + 512 * SZ_1M), 0);
	m.r[0].hva = (void *)0x7f1000000000ULL;
	assert_int_equal(container_map_ram(c, &m), 0);
	assert_int_equal(fv.nr_maps, 2);
	assert_int_equal(fv.maps[1].iova, SZ_1G);
	assert_int_equal(fv.maps[1].size, 512 * SZ_1M);
	container_close(c);
	assert_int_equal(fv.nr_unmaps, 1);
	assert_int_equal(fv.unmaps[0].size, SZ_1G + 512 * SZ_1M);
}

static void test_map_ram_fails(void **state)
{
	struct fixture *f = *state;
	struct vfio_container *c = open_with_ranges(f, x86_ranges, 2);
	struct guest_mem m = two_regions();

	/* The first chunk of the second region. */
	fv.map_dma_fail_at = 4;
	fv.map_dma_ret = -ENOMEM;
	log_capture_start(&f->lc);
	assert_int_equal(container_map_ram(c, &m), -ENOMEM);
	assert_string_equal(
		log_capture_end(&f->lc),
		"ptvm: vfio: VFIO_IOMMU_MAP_DMA of guest RAM 0x100000000+0x40000000: "
		"Cannot allocate memory (locked-memory limit too low? see ulimit -l)\n");
	/* The first region was unmapped again; the second had nothing mapped. */
	assert_int_equal(fv.nr_unmaps, 1);
	assert_int_equal(fv.unmaps[0].iova, 0);
	assert_int_equal(fv.unmaps[0].size, 3 * SZ_1G);
	assert_int_equal(c->nr_dma, 0);
	container_close(c);
	assert_int_equal(fv.nr_unmaps, 1);
}

/* Failing inside a region: what of it was mapped goes again, in one unmap. */
static void test_map_ram_fails_mid_region(void **state)
{
	struct fixture *f = *state;
	struct vfio_container *c = open_with_ranges(f, x86_ranges, 2);
	struct guest_mem m = two_regions();

	fv.map_dma_fail_at = 3;
	fv.map_dma_ret = -ENOMEM;
	log_capture_start(&f->lc);
	assert_int_equal(container_map_ram(c, &m), -ENOMEM);
	assert_string_equal(
		log_capture_end(&f->lc),
		"ptvm: vfio: VFIO_IOMMU_MAP_DMA of guest RAM 0x80000000+0x40000000: "
		"Cannot allocate memory (locked-memory limit too low? see ulimit -l)\n");
	assert_int_equal(fv.nr_unmaps, 1);
	assert_int_equal(fv.unmaps[0].iova, 0);
	assert_int_equal(fv.unmaps[0].size, 2 * SZ_1G);
	container_close(c);
	assert_int_equal(fv.nr_unmaps, 1);
}

static unsigned checks, checks_fail_at;

static int check_counting(void)
{
	return ++checks == checks_fail_at ? -EINTR : 0;
}

/*
 * The check before each chunk (a pending SIGINT, in ptvm) stops the
 * mapping before its next chunk: what was mapped is unmapped, nothing is
 * logged (the caller names the signal), and its error is returned.
 */
static void test_map_ram_check_stops(void **state)
{
	struct fixture *f = *state;
	struct vfio_container *c;
	struct guest_mem m = two_regions();

	f->cfg.check = check_counting;
	checks = 0;
	checks_fail_at = 3;
	c = open_with_ranges(f, x86_ranges, 2);
	log_capture_start(&f->lc);
	assert_int_equal(container_map_ram(c, &m), -EINTR);
	assert_string_equal(log_capture_end(&f->lc), "");
	assert_int_equal(checks, 3);
	assert_int_equal(fv.nr_maps, 2);
	assert_int_equal(fv.nr_unmaps, 1);
	assert_int_equal(fv.unmaps[0].iova, 0);
	assert_int_equal(fv.unmaps[0].size, 2 * SZ_1G);
	assert_int_equal(c->nr_dma, 0);
	/* Asked again from the start: one check per chunk, all four mapped. */
	checks = 0;
	checks_fail_at = 0;
	assert_int_equal(container_map_ram(c, &m), 0);
	assert_int_equal(checks, 4);
	container_close(c);
	assert_int_equal(fv_open_fds(), 0);
}

static void test_map_ram_needs_backing(void **state)
{
	struct fixture *f = *state;
	struct vfio_container *c = open_with_ranges(f, x86_ranges, 2);
	struct guest_mem m;

	assert_int_equal(mem_layout(&m, 1ULL << 30), 0);
	assert_int_equal(container_map_ram(c, &m), -EINVAL);
	assert_int_equal(fv.nr_maps, 0);
	container_close(c);
}

static void test_memlock_verdict(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(container_memlock_verdict(4ULL << 30, 8ULL << 20, true), 0);
	assert_int_equal(container_memlock_verdict(4ULL << 30, UINT64_MAX, false), 0);
	assert_int_equal(container_memlock_verdict(4ULL << 30, 4ULL << 30, false), 0);
	log_capture_start(&f->lc);
	assert_int_equal(container_memlock_verdict(4ULL << 30, 8ULL << 20, false), -ENOMEM);
	assert_string_equal(
		log_capture_end(&f->lc),
		"ptvm: locked-memory limit is 8 MiB but the guest needs 4096 MiB pinned "
		"for DMA (raise it: ulimit -l, or LimitMEMLOCK=)\n");
}

/* vfio_info_cap_find() must stop at chains that leave the buffer, misalign or loop. */
static void test_info_cap_find_malformed(void **state)
{
	uint64_t buf[8] = {0};
	struct vfio_info_cap_header *h = (void *)&buf[2]; /* offset 16 */

	h->id = 5;
	h->next = 0;
	assert_ptr_equal(vfio_info_cap_find(buf, sizeof(buf), 16, 5, 0), h);
	assert_null(vfio_info_cap_find(buf, sizeof(buf), 16, 6, 0));
	assert_null(vfio_info_cap_find(buf, sizeof(buf), 16, 5, 56)); /* too short */
	assert_null(vfio_info_cap_find(buf, sizeof(buf), 64, 5, 0));  /* past the end */
	assert_null(vfio_info_cap_find(buf, sizeof(buf), 18, 5, 0));  /* misaligned */
	assert_null(vfio_info_cap_find(buf, sizeof(buf), 0, 5, 0));   /* no chain */
	h->id = 1;
	h->next = 16; /* loops onto itself */
	assert_null(vfio_info_cap_find(buf, sizeof(buf), 16, 5, 0));
}

/* The chain Linux 6.1 returns for VFIO_IOMMU_GET_INFO: migration, DMA avail, IOVA ranges at 68. */
static void test_info_cap_find_kernel_layout(void **state)
{
	uint32_t buf[32] = {0};
	struct vfio_info_cap_header *mig = (void *)((char *)buf + 24);
	struct vfio_info_cap_header *avail = (void *)((char *)buf + 56);
	struct vfio_info_cap_header *iova = (void *)((char *)buf + 68);

	*mig = (struct vfio_info_cap_header){.id = 2, .version = 1, .next = 56};
	*avail = (struct vfio_info_cap_header){.id = 3, .version = 1, .next = 68};
	*iova = (struct vfio_info_cap_header){.id = 1, .version = 1, .next = 0};
	assert_ptr_equal(vfio_info_cap_find(buf, 116, 24, 1, 16), iova);
	assert_ptr_equal(vfio_info_cap_find(buf, 116, 24, 3, 12), avail);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_open_close),
		T(test_info_cap_find_kernel_layout),
		T(test_open_errors),
		T(test_groups_attach_once),
		T(test_for_each_group),
		T(test_group_not_viable),
		T(test_set_iommu_eperm),
		T(test_second_group_eperm),
		T(test_group_open_errors),
		T(test_allow_unsafe_interrupts),
		T(test_allow_unsafe_off),
		T(test_unsafe_not_asked),
		T(test_allow_unsafe_iommufd),
		T(test_allow_unsafe_missing_param),
		T(test_iova_ranges_chain),
		T(test_check_ranges_ptvm_layout),
		T(test_check_ranges_msi_window),
		T(test_check_ranges_above_top),
		T(test_check_ranges_without_cap),
		T(test_map_ram),
		T(test_map_ram_short_chunk),
		T(test_map_ram_fails),
		T(test_map_ram_fails_mid_region),
		T(test_map_ram_check_stops),
		T(test_map_ram_needs_backing),
		T(test_memlock_verdict),
		T(test_info_cap_find_malformed),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
