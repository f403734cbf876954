// SPDX-License-Identifier: GPL-2.0
/*
 * vfio/device.c against a fake VFIO kernel and a fake sysfs: region and IRQ
 * discovery, mmap of sparse areas, the pt_backend_ops it implements, errors.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "log_capture.h"
#include "vfio/device.h"
#include "vfio_fake.h"
#include "vfio_fake_sysfs.h"

#define RW   (VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE)
#define RWM  (RW | VFIO_REGION_INFO_FLAG_MMAP)
#define PAGE 0x1000ULL

struct fixture {
	struct fake_sysfs fs;
	struct vfio_container *c;
	struct vfio_device *d;
	struct pci_bdf bdf;
	struct log_capture lc;
};

/* An NVMe-like function: MSI-X table in BAR0 (sparse mmap around it), a few more BARs. */
static void script_device(void)
{
	fv.dev_flags = VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET;
	fv.num_regions = VFIO_PCI_NUM_REGIONS;
	fv.num_irqs = VFIO_PCI_NUM_IRQS;
	fv.regions[0] = (struct fv_region){.flags = RWM,
					   .size = 0x4000,
					   .nr_sparse = 2,
					   .sparse = {{0, 0x2000}, {0x3000, 0x1000}},
					   .msix_mappable = true};
	/* An unaligned area shrinks to the page inside it; an empty one is skipped. */
	fv.regions[1] = (struct fv_region){.flags = RWM,
					   .size = 0x4000,
					   .nr_sparse = 2,
					   .sparse = {{0x800, 0x2000}, {0x3000, 0}}};
	fv.regions[2] = (struct fv_region){.flags = RWM, .size = 0x1000};
	fv.regions[3] = (struct fv_region){.flags = RW, .size = 0x100};
	fv.regions[VFIO_PCI_ROM_REGION_INDEX] =
		(struct fv_region){.flags = VFIO_REGION_INFO_FLAG_READ, .size = 0x10000};
	fv.regions[VFIO_PCI_CONFIG_REGION_INDEX] = (struct fv_region){.flags = RW, .size = 0x100};
	fv.irq_count[VFIO_PCI_INTX_IRQ_INDEX] = 1;
	fv.irq_count[VFIO_PCI_MSI_IRQ_INDEX] = 1;
	fv.irq_count[VFIO_PCI_MSIX_IRQ_INDEX] = 16;
	fv.irq_count[VFIO_PCI_ERR_IRQ_INDEX] = 1;
	fv.irq_count[VFIO_PCI_REQ_IRQ_INDEX] = 1;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct vfio_container_config cfg = {.sys = &fv_sys};

	fv_reset();
	script_device();
	fake_sysfs_init(&f->fs);
	fake_sysfs_add_dev(&f->fs, "0000:00:02.0", "e1000e", 2);
	fake_sysfs_add_dev(&f->fs, "0000:00:03.0", "vfio-pci", 3);
	cfg.sysfs_root = f->fs.root;
	assert_int_equal(container_open(&cfg, &f->c), 0);
	assert_int_equal(pci_bdf_parse("00:03.0", &f->bdf), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	vfio_device_close(f->d);
	container_close(f->c);
	/* Every fd the fake handed out is closed, every mapping unmapped. */
	assert_int_equal(fv_open_fds(), 0);
	assert_int_equal(fv.nr_munmaps, fv.nr_mmaps);
	fake_sysfs_destroy(&f->fs);
	log_capture_free(&f->lc);
	free(f);
	return 0;
}

static void open_dev(struct fixture *f)
{
	assert_int_equal(vfio_device_open(f->c, &f->bdf, &f->d), 0);
}

static void assert_area(const struct pt_region_desc *r, unsigned i, uint64_t off, uint64_t size,
			unsigned region, unsigned mmap_idx)
{
	assert_int_equal(r->areas[i].offset, off);
	assert_int_equal(r->areas[i].size, size);
	assert_int_equal((uintptr_t)r->areas[i].map, fv.mmaps[mmap_idx].addr);
	assert_int_equal(fv.mmaps[mmap_idx].off, FV_REGION_OFF(region) + off);
	assert_int_equal(fv.mmaps[mmap_idx].len, size);
	assert_int_equal(fv.mmaps[mmap_idx].prot, PROT_READ | PROT_WRITE);
	assert_int_equal(fv.mmaps[mmap_idx].flags, MAP_SHARED);
	assert_int_equal(fv.mmaps[mmap_idx].fd, fv.device_fd);
}

static void test_open_describes_device(void **state)
{
	struct fixture *f = *state;
	const struct pt_device_desc *desc;

	open_dev(f);
	desc = vfio_device_desc(f->d);
	assert_string_equal(fv.device_name, "0000:00:03.0");
	assert_string_equal(desc->name, "0000:00:03.0");
	assert_int_equal(vfio_device_group(f->d), 3);
	assert_true(vfio_device_group_viable(f->d));
	assert_true(desc->can_reset);

	/* BAR0: two sparse areas, each mmapped at the region offset plus its own. */
	assert_int_equal(desc->regions[0].size, 0x4000);
	assert_true(desc->regions[0].readable && desc->regions[0].writable);
	assert_int_equal(desc->regions[0].nr_areas, 2);
	assert_area(&desc->regions[0], 0, 0, 0x2000, 0, 0);
	assert_area(&desc->regions[0], 1, 0x3000, 0x1000, 0, 1);
	assert_true(f->d->msix_mappable[0]);
	/* BAR1: [0x800, 0x2800) keeps only its whole page; the empty area is gone. */
	assert_int_equal(desc->regions[1].nr_areas, 1);
	assert_area(&desc->regions[1], 0, 0x1000, 0x1000, 1, 2);
	assert_false(f->d->msix_mappable[1]);
	/* BAR2: mmappable without a sparse cap: the whole region. */
	assert_int_equal(desc->regions[2].nr_areas, 1);
	assert_area(&desc->regions[2], 0, 0, 0x1000, 2, 3);
	/* BAR3 trapped, BAR4 absent, ROM read-only, config not mmapped. */
	assert_int_equal(desc->regions[3].size, 0x100);
	assert_int_equal(desc->regions[3].nr_areas, 0);
	assert_int_equal(desc->regions[4].size, 0);
	assert_true(desc->regions[VFIO_PCI_ROM_REGION_INDEX].readable);
	assert_false(desc->regions[VFIO_PCI_ROM_REGION_INDEX].writable);
	assert_int_equal(desc->regions[VFIO_PCI_CONFIG_REGION_INDEX].size, 0x100);
	assert_int_equal(desc->regions[VFIO_PCI_CONFIG_REGION_INDEX].nr_areas, 0);
	assert_int_equal(fv.nr_mmaps, 4);

	assert_int_equal(desc->irq_count[VFIO_PCI_INTX_IRQ_INDEX], 1);
	assert_int_equal(desc->irq_count[VFIO_PCI_MSI_IRQ_INDEX], 1);
	assert_int_equal(desc->irq_count[VFIO_PCI_MSIX_IRQ_INDEX], 16);
	/* The flags too: the model reads NORESIZE from them. */
	assert_int_equal(desc->irq_flags[VFIO_PCI_MSIX_IRQ_INDEX], VFIO_IRQ_INFO_EVENTFD);

	/* Regions with caps took the argsz grow-and-retry round; plain ones one call. */
	assert_int_equal(fv.nr_region_info[0], 2);
	assert_int_equal(fv.nr_region_info[1], 2);
	assert_int_equal(fv.nr_region_info[2], 1);
	assert_int_equal(fv.nr_region_info[VFIO_PCI_CONFIG_REGION_INDEX], 1);
}

static void test_close_unmaps_everything(void **state)
{
	struct fixture *f = *state;

	open_dev(f);
	vfio_device_close(f->d);
	f->d = NULL;
	assert_int_equal(fv.nr_munmaps, 4);
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(fv.munmaps[i].addr, fv.mmaps[i].addr);
		assert_int_equal(fv.munmaps[i].len, fv.mmaps[i].len);
	}
	/* Only the container and its group stay open. */
	assert_int_equal(fv_open_fds(), 2);
}

static void test_mmap_failure_traps(void **state)
{
	struct fixture *f = *state;

	fv.mmap_fail_at = 2;
	log_capture_start(&f->lc);
	open_dev(f);
	assert_string_equal(log_capture_end(&f->lc),
			    "ptvm: vfio: 0000:00:03.0: mmap of BAR0 0x3000+0x1000: Invalid "
			    "argument; trapping it instead\n");
	assert_int_equal(f->d->desc.regions[0].nr_areas, 1);
	assert_int_equal(f->d->desc.regions[0].areas[0].size, 0x2000);
}

static void test_get_device_fd_busy(void **state)
{
	struct fixture *f = *state;

	fv.get_device_fd_ret = -EBUSY;
	log_capture_start(&f->lc);
	assert_int_equal(vfio_device_open(f->c, &f->bdf, &f->d), -EBUSY);
	assert_string_equal(
		log_capture_end(&f->lc),
		"ptvm: vfio: 0000:00:03.0: VFIO_GROUP_GET_DEVICE_FD: Device or resource "
		"busy\n");
	assert_null(f->d);
}

static void test_not_pci(void **state)
{
	struct fixture *f = *state;

	fv.dev_flags = VFIO_DEVICE_FLAGS_PLATFORM;
	log_capture_start(&f->lc);
	assert_int_equal(vfio_device_open(f->c, &f->bdf, &f->d), -ENODEV);
	assert_string_equal(log_capture_end(&f->lc),
			    "ptvm: vfio: 0000:00:03.0: VFIO_DEVICE_GET_INFO: not a vfio-pci device "
			    "(flags 0x4, 9 regions)\n");
	assert_int_equal(fv_open_fds(), 2);
}

static void test_not_bound_to_vfio(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(pci_bdf_parse("0000:00:02.0", &f->bdf), 0);
	log_capture_start(&f->lc);
	assert_int_equal(vfio_device_open(f->c, &f->bdf, &f->d), -EBUSY);
	assert_string_equal(log_capture_end(&f->lc),
			    "ptvm: 0000:00:02.0 is bound to e1000e, not vfio-pci (run "
			    "scripts/bind-vfio 0000:00:02.0)\n");
	assert_int_equal(fv.nr_opens, 1); /* only the container: no group was opened */
}

/* A failure after BAR0-2 were mmapped: everything is undone, one line names the ioctl. */
static void test_region_info_error_unwinds(void **state)
{
	struct fixture *f = *state;

	fv.region_info_fail = VFIO_PCI_ROM_REGION_INDEX + 1;
	fv.region_info_ret = -EIO;
	log_capture_start(&f->lc);
	assert_int_equal(vfio_device_open(f->c, &f->bdf, &f->d), -EIO);
	assert_string_equal(log_capture_end(&f->lc),
			    "ptvm: vfio: 0000:00:03.0: VFIO_DEVICE_GET_REGION_INFO(ROM): "
			    "Input/output error\n");
	assert_null(f->d);
	assert_int_equal(fv.nr_mmaps, 4);
	assert_int_equal(fv.nr_munmaps, 4);
	assert_int_equal(fv_open_fds(), 2);
}

/* A malformed sparse cap (more areas than the reply holds) is refused. */
static void test_sparse_cap_overrun(void **state)
{
	struct fixture *f = *state;

	fv.sparse_overrun = true;
	log_capture_start(&f->lc);
	assert_int_equal(vfio_device_open(f->c, &f->bdf, &f->d), -EPROTO);
	assert_string_equal(log_capture_end(&f->lc),
			    "ptvm: vfio: 0000:00:03.0: VFIO_DEVICE_GET_REGION_INFO(BAR0): sparse "
			    "mmap capability overruns the reply\n");
	assert_int_equal(fv_open_fds(), 2);
}

/*
 * However many indexes the device reports, each of the five vfio-pci
 * defines is asked about once and none beyond: INTx, MSI and MSI-X by the
 * probe, ERR and REQ by the notifier binding.
 */
static void test_extra_irq_indexes(void **state)
{
	struct fixture *f = *state;

	fv.num_irqs = 9;
	fv.num_regions = 12;
	open_dev(f);
	for (unsigned i = 0; i < VFIO_PCI_NUM_IRQS; i++)
		assert_int_equal(fv.nr_irq_info[i], 1);
	for (unsigned i = VFIO_PCI_NUM_IRQS; i < ARRAY_SIZE(fv.nr_irq_info); i++)
		assert_int_equal(fv.nr_irq_info[i], 0);
	assert_int_equal(fv.nr_region_info[VFIO_PCI_VGA_REGION_INDEX], 1);
}

static void assert_notifier_set(unsigned i, unsigned index, int fd)
{
	assert_int_equal(fv.sets[i].hdr.argsz, sizeof(struct vfio_irq_set) + sizeof(int32_t));
	assert_int_equal(fv.sets[i].hdr.flags,
			 VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER);
	assert_int_equal(fv.sets[i].hdr.index, index);
	assert_int_equal(fv.sets[i].hdr.start, 0);
	assert_int_equal(fv.sets[i].hdr.count, 1);
	assert_int_equal(fv.sets[i].fd, fd);
}

/* A PCIe device: an eventfd each for ERR and REQ, bound at open, closed with the device. */
static void test_notifiers_bound(void **state)
{
	struct fixture *f = *state;
	int err_fd, req_fd;

	open_dev(f);
	err_fd = vfio_device_notify_fd(f->d, VFIO_PCI_ERR_IRQ_INDEX);
	req_fd = vfio_device_notify_fd(f->d, VFIO_PCI_REQ_IRQ_INDEX);
	assert_true(err_fd >= FV_FIRST_FD);
	assert_true(req_fd >= FV_FIRST_FD);
	assert_int_not_equal(err_fd, req_fd);
	assert_int_equal(fv.nr_eventfds, 2);
	assert_true(fv.eventfd_flags & EFD_NONBLOCK);
	assert_int_equal(fv.nr_set_irqs, 2);
	assert_notifier_set(0, VFIO_PCI_ERR_IRQ_INDEX, err_fd);
	assert_notifier_set(1, VFIO_PCI_REQ_IRQ_INDEX, req_fd);
	assert_int_equal(vfio_device_notify_fd(f->d, VFIO_PCI_MSIX_IRQ_INDEX), -1);
	assert_int_equal(f->d->desc.irq_flags[VFIO_PCI_ERR_IRQ_INDEX], VFIO_IRQ_INFO_EVENTFD);
	assert_int_equal(f->d->desc.irq_count[VFIO_PCI_REQ_IRQ_INDEX], 1);
	vfio_device_close(f->d);
	f->d = NULL;
	assert_int_equal(fv_open_fds(), 2); /* the container and the group */
}

/*
 * A conventional PCI device (the rig's e1000): vfio-pci answers EINVAL for
 * ERR. The device opens, silently, with REQ only.
 */
static void test_err_einval_conventional_pci(void **state)
{
	struct fixture *f = *state;

	fv.irq_info_ret[VFIO_PCI_ERR_IRQ_INDEX] = -EINVAL;
	log_capture_start(&f->lc);
	open_dev(f);
	assert_string_equal(log_capture_end(&f->lc), "");
	assert_int_equal(vfio_device_notify_fd(f->d, VFIO_PCI_ERR_IRQ_INDEX), -1);
	assert_int_equal(fv.nr_set_irqs, 1);
	assert_notifier_set(0, VFIO_PCI_REQ_IRQ_INDEX,
			    vfio_device_notify_fd(f->d, VFIO_PCI_REQ_IRQ_INDEX));
}

/* A count of 0, or an index past num_irqs, is "not offered": not bound, not logged. */
static void test_notifiers_absent(void **state)
{
	struct fixture *f = *state;

	fv.irq_count[VFIO_PCI_ERR_IRQ_INDEX] = 0;
	fv.num_irqs = VFIO_PCI_REQ_IRQ_INDEX;
	log_capture_start(&f->lc);
	open_dev(f);
	assert_string_equal(log_capture_end(&f->lc), "");
	assert_int_equal(fv.nr_irq_info[VFIO_PCI_ERR_IRQ_INDEX], 1);
	assert_int_equal(fv.nr_irq_info[VFIO_PCI_REQ_IRQ_INDEX], 0);
	assert_int_equal(fv.nr_set_irqs, 0);
	assert_int_equal(fv.nr_eventfds, 0);
	assert_int_equal(vfio_device_notify_fd(f->d, VFIO_PCI_ERR_IRQ_INDEX), -1);
	assert_int_equal(vfio_device_notify_fd(f->d, VFIO_PCI_REQ_IRQ_INDEX), -1);
}

/* Binding refused: one line, the open fails and leaves nothing open or mapped. */
static void test_notifier_set_irqs_fails(void **state)
{
	struct fixture *f = *state;

	fv.set_irqs_ret = -EBUSY;
	log_capture_start(&f->lc);
	assert_int_equal(vfio_device_open(f->c, &f->bdf, &f->d), -EBUSY);
	assert_string_equal(log_capture_end(&f->lc),
			    "ptvm: vfio: 0000:00:03.0: VFIO_DEVICE_SET_IRQS(ERR 0+1): Device or "
			    "resource busy\n");
	assert_null(f->d);
	assert_int_equal(fv_open_fds(), 2);
	assert_int_equal(fv.nr_munmaps, fv.nr_mmaps);
}

/* Any other GET_IRQ_INFO error is one line too; ERR's eventfd, already bound, is closed. */
static void test_notifier_info_fails(void **state)
{
	struct fixture *f = *state;

	fv.irq_info_ret[VFIO_PCI_REQ_IRQ_INDEX] = -EIO;
	log_capture_start(&f->lc);
	assert_int_equal(vfio_device_open(f->c, &f->bdf, &f->d), -EIO);
	assert_string_equal(log_capture_end(&f->lc),
			    "ptvm: vfio: 0000:00:03.0: VFIO_DEVICE_GET_IRQ_INFO(REQ): Input/output "
			    "error\n");
	assert_null(f->d);
	assert_int_equal(fv.nr_eventfds, 1);
	assert_int_equal(fv_open_fds(), 2);
}

static const struct pt_backend_ops *be = &vfio_pt_backend_ops;

static void test_bar_read_split(void **state)
{
	struct fixture *f = *state;
	unsigned char buf[15];
	static const struct {
		size_t len;
		uint64_t off;
	} want[] = {{1, 1}, {2, 2}, {4, 4}, {8, 8}};

	open_dev(f);
	assert_int_equal(be->region_read(f->d, 3, buf, sizeof(buf), 1), 15);
	assert_int_equal(fv.nr_rw, ARRAY_SIZE(want));
	for (unsigned i = 0; i < ARRAY_SIZE(want); i++) {
		assert_false(fv.rw[i].write);
		assert_int_equal(fv.rw[i].len, want[i].len);
		assert_int_equal(fv.rw[i].off, FV_REGION_OFF(3) + want[i].off);
	}
	for (unsigned i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], i + 1);
}

static void test_bar_write_aligned_and_config_unsplit(void **state)
{
	struct fixture *f = *state;
	uint64_t v = 0x1122334455667788ULL;
	uint32_t w = 0xaabbcc;

	open_dev(f);
	assert_int_equal(be->region_write(f->d, 0, &v, 8, 0x2008), 8);
	assert_int_equal(fv.nr_rw, 1);
	assert_true(fv.rw[0].write);
	assert_int_equal(fv.rw[0].len, 8);
	assert_int_equal(fv.rw[0].off, FV_REGION_OFF(0) + 0x2008);
	assert_int_equal(fv.rw[0].val, v);
	/* 6 bytes at 0x2002: 2 + 4. */
	assert_int_equal(be->region_write(f->d, 0, &v, 6, 0x2002), 6);
	assert_int_equal(fv.nr_rw, 3);
	assert_int_equal(fv.rw[1].len, 2);
	assert_int_equal(fv.rw[2].len, 4);
	assert_int_equal(fv.rw[2].off, FV_REGION_OFF(0) + 0x2004);
	/* Config space goes to the kernel in one piece, whatever its alignment. */
	assert_int_equal(be->region_write(f->d, VFIO_PCI_CONFIG_REGION_INDEX, &w, 3, 1), 3);
	assert_int_equal(fv.nr_rw, 4);
	assert_int_equal(fv.rw[3].len, 3);
	assert_int_equal(fv.rw[3].off, FV_REGION_OFF(VFIO_PCI_CONFIG_REGION_INDEX) + 1);
	assert_int_equal(fv.rw[3].val, 0xaabbcc);
}

static void test_region_access_checks(void **state)
{
	struct fixture *f = *state;
	uint32_t v = 0;

	open_dev(f);
	assert_int_equal(be->region_read(f->d, 3, &v, 4, 0xfe), -EINVAL);
	assert_int_equal(be->region_read(f->d, 3, &v, 4, UINT64_MAX - 1), -EINVAL);
	assert_int_equal(be->region_read(f->d, 4, &v, 4, 0), -EINVAL);
	assert_int_equal(be->region_write(f->d, VFIO_PCI_ROM_REGION_INDEX, &v, 4, 0), -EINVAL);
	assert_int_equal(be->region_read(f->d, VFIO_PCI_NUM_REGIONS, &v, 4, 0), -EINVAL);
	assert_int_equal(fv.nr_rw, 0);
	assert_int_equal(be->region_read(f->d, 3, &v, 4, 0xfc), 4);
}

/* The header of the last VFIO_DEVICE_SET_IRQS argument. */
static void last_set(struct vfio_irq_set *s)
{
	memcpy(s, fv.irq_set, sizeof(*s));
}

static int32_t last_set_fd(unsigned i)
{
	int32_t fd;

	memcpy(&fd, fv.irq_set + sizeof(struct vfio_irq_set) + i * sizeof(fd), sizeof(fd));
	return fd;
}

static void test_set_irqs_layout(void **state)
{
	struct fixture *f = *state;
	const int fds[] = {40, -1, 42};
	struct vfio_irq_set s;

	open_dev(f);
	assert_int_equal(be->set_irqs(f->d, VFIO_PCI_MSIX_IRQ_INDEX, 2, 3, fds), 0);
	last_set(&s);
	assert_int_equal(sizeof(s), 20);
	assert_int_equal(s.argsz, 20 + 3 * 4);
	assert_int_equal(s.flags, VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER);
	assert_int_equal(s.index, VFIO_PCI_MSIX_IRQ_INDEX);
	assert_int_equal(s.start, 2);
	assert_int_equal(s.count, 3);
	assert_int_equal(last_set_fd(0), 40);
	assert_int_equal(last_set_fd(1), -1);
	assert_int_equal(last_set_fd(2), 42);
	/* Nothing after the fds. */
	assert_int_equal(fv.irq_set[32], 0);
}

static void test_set_irqs_disable(void **state)
{
	struct fixture *f = *state;
	struct vfio_irq_set s;

	open_dev(f);
	assert_int_equal(be->set_irqs(f->d, VFIO_PCI_MSI_IRQ_INDEX, 0, 0, NULL), 0);
	last_set(&s);
	assert_int_equal(s.argsz, 20);
	assert_int_equal(s.flags, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER);
	assert_int_equal(s.index, VFIO_PCI_MSI_IRQ_INDEX);
	assert_int_equal(s.start, 0);
	assert_int_equal(s.count, 0);
}

static void test_set_irqs_errors(void **state)
{
	struct fixture *f = *state;
	const int fds[2] = {7, 8};
	unsigned n;

	open_dev(f);
	n = fv.nr_set_irqs; /* the notifiers' */
	assert_int_equal(be->set_irqs(f->d, VFIO_PCI_MSIX_IRQ_INDEX, 15, 2, fds), -EINVAL);
	assert_int_equal(be->set_irqs(f->d, VFIO_PCI_NUM_IRQS, 0, 1, fds), -EINVAL);
	assert_int_equal(fv.nr_set_irqs, n);
	fv.set_irqs_ret = -EINVAL;
	log_capture_start(&f->lc);
	assert_int_equal(be->set_irqs(f->d, VFIO_PCI_MSI_IRQ_INDEX, 0, 1, fds), -EINVAL);
	assert_string_equal(log_capture_end(&f->lc),
			    "ptvm: vfio: 0000:00:03.0: VFIO_DEVICE_SET_IRQS(MSI 0+1): Invalid "
			    "argument\n");
}

static void test_intx_unmask_fd(void **state)
{
	struct fixture *f = *state;
	struct vfio_irq_set s;

	open_dev(f);
	assert_int_equal(be->intx_unmask_fd(f->d, 33), 0);
	last_set(&s);
	assert_int_equal(s.argsz, 24);
	assert_int_equal(s.flags, VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_UNMASK);
	assert_int_equal(s.index, VFIO_PCI_INTX_IRQ_INDEX);
	assert_int_equal(s.start, 0);
	assert_int_equal(s.count, 1);
	assert_int_equal(last_set_fd(0), 33);
	assert_int_equal(be->intx_unmask_fd(f->d, -1), 0);
	assert_int_equal(last_set_fd(0), -1);
}

static void test_reset(void **state)
{
	struct fixture *f = *state;

	open_dev(f);
	assert_int_equal(be->reset(f->d), 0);
	assert_int_equal(fv.nr_reset, 1);
	vfio_device_close(f->d);
	f->d = NULL;

	fv.dev_flags = VFIO_DEVICE_FLAGS_PCI;
	open_dev(f);
	assert_false(f->d->desc.can_reset);
	log_capture_start(&f->lc);
	assert_int_equal(vfio_device_reset(f->d), -ENOTTY);
	assert_string_equal(log_capture_end(&f->lc),
			    "ptvm: vfio: 0000:00:03.0: VFIO_DEVICE_RESET: the device offers no "
			    "reset method\n");
	assert_int_equal(fv.nr_reset, 1);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_open_describes_device),
		T(test_close_unmaps_everything),
		T(test_mmap_failure_traps),
		T(test_get_device_fd_busy),
		T(test_not_pci),
		T(test_not_bound_to_vfio),
		T(test_region_info_error_unwinds),
		T(test_sparse_cap_overrun),
		T(test_extra_irq_indexes),
		T(test_notifiers_bound),
		T(test_err_einval_conventional_pci),
		T(test_notifiers_absent),
		T(test_notifier_set_irqs_fails),
		T(test_notifier_info_fails),
		T(test_bar_read_split),
		T(test_bar_write_aligned_and_config_unsplit),
		T(test_region_access_checks),
		T(test_set_irqs_layout),
		T(test_set_irqs_disable),
		T(test_set_irqs_errors),
		T(test_intx_unmask_fd),
		T(test_reset),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
