// SPDX-License-Identifier: GPL-2.0
/*
 * The device side: a fake VFIO device (tests/unit/vfio_fake.h) presents
 * whatever config space, regions (sizes of every shape, flags, sparse mmap
 * areas) and interrupt counts the input says, and ptvm opens it as vm_pt.c
 * does: vfio_device_open(), pt_create() over vfio_pt_backend_ops, the reset
 * before start; then a guest driver sizes and places every BAR, enables
 * MSI-X with every vector unmasked, then MSI; the device signals; reset,
 * destroy, close. After each stage the routes and memslots are checked
 * (pt_harness.h), and at the end every fd of the fake is closed, every mmap
 * unmapped, every eventfd closed and nothing is left in the address spaces.
 *
 * Input: a header of fixed layout (struct-free, see dev_script()), then
 * the config space bytes (up to 4096; the rest reads 0).
 */
#include <sys/mman.h>

#include "pt_harness.h"
#include "vfio/device.h"
#include "vfio_fake.h"
#include "vfio_fake_sysfs.h"

#define DEV_BDF	 "0000:00:03.0"
#define DEV_SLOT 3

static struct fake_sysfs dev_sysfs;
static uint8_t dev_cfg[PCI_CFG_SIZE];

/* The eventfds VFIO gets are open: the model's, or the fake's own (ERR, REQ). */
static int dev_ioctl(int fd, unsigned long req, void *arg)
{
	const struct vfio_irq_set *set = arg;

	if (req == VFIO_DEVICE_SET_IRQS && (set->flags & VFIO_IRQ_SET_DATA_EVENTFD)) {
		for (unsigned i = 0; i < set->count; i++) {
			int32_t efd;

			memcpy(&efd, set->data + i * sizeof(efd), sizeof(efd));
			FUZZ_CHECK(efd == -1 || fuzz_fd_live(efd) ||
					   (efd >= FV_FIRST_FD && efd < FV_FIRST_FD + FV_MAX_FDS &&
					    fv.fd_open[efd - FV_FIRST_FD]),
				   "SET_IRQS index %u vector %u: fd %d is not open", set->index,
				   set->start + i, efd);
		}
	}
	return fv_ioctl(fd, req, arg);
}

static const struct sys_ops dev_sys = {
	.open = fv_open,
	.close = fv_close,
	.ioctl = dev_ioctl,
	.mmap = fv_mmap,
	.munmap = fv_munmap,
	.eventfd = fv_eventfd,
	.pread = fv_pread,
	.pwrite = fv_pwrite,
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fake_sysfs_init(&dev_sysfs);
	fake_sysfs_add_dev(&dev_sysfs, DEV_BDF, "vfio-pci", 3);
	return 0;
}

/* A region size of any shape: a power of two, one off it, or any number. */
static uint64_t dev_size(uint8_t kind, uint64_t raw)
{
	uint64_t p = 1ULL << (kind % 64);

	switch (kind >> 6) {
	case 0:
	case 1:
		return p;
	case 2:
		return kind & 1 ? p + 1 : p - 1;
	default:
		return raw;
	}
}

/*
 * The header: device flags (1 byte), per region (9): flags (1), size kind
 * (1), raw size (8), 4 sparse areas (offset, size: 4 + 4 each); per IRQ
 * index (5): count (2).
 */
static void dev_script(struct fz *in)
{
	uint8_t dev = fz_u8(in);

	fv_reset();
	fv.dev_flags = VFIO_DEVICE_FLAGS_PCI | (dev & 1 ? VFIO_DEVICE_FLAGS_RESET : 0);
	if (dev & 2)
		fv.dev_flags &= ~VFIO_DEVICE_FLAGS_PCI;
	fv.num_regions = VFIO_PCI_NUM_REGIONS - (dev >> 2 & 3);
	fv.num_irqs = VFIO_PCI_NUM_IRQS - (dev >> 4 & 3);
	for (unsigned i = 0; i < VFIO_PCI_NUM_REGIONS; i++) {
		struct fv_region *r = &fv.regions[i];
		uint8_t flags = fz_u8(in), kind = fz_u8(in);
		uint64_t raw = fz_u64(in);

		r->flags = (flags & 1 ? VFIO_REGION_INFO_FLAG_READ : 0) |
			   (flags & 2 ? VFIO_REGION_INFO_FLAG_WRITE : 0) |
			   (flags & 4 ? VFIO_REGION_INFO_FLAG_MMAP : 0);
		r->msix_mappable = flags & 8;
		r->nr_sparse = (flags >> 4) % (ARRAY_SIZE(r->sparse) + 1);
		r->size = dev_size(kind, raw);
		for (unsigned j = 0; j < ARRAY_SIZE(r->sparse); j++) {
			r->sparse[j].offset = fz_u32(in);
			r->sparse[j].size = fz_u32(in);
		}
	}
	for (unsigned i = 0; i < VFIO_PCI_NUM_IRQS; i++)
		fv.irq_count[i] = fz_u16(in);
	memset(dev_cfg, 0, sizeof(dev_cfg));
	memcpy(dev_cfg, in->p, MIN(in->n, sizeof(dev_cfg)));
	fv.region_data[VFIO_PCI_CONFIG_REGION_INDEX] = dev_cfg;
	fv.region_data_len[VFIO_PCI_CONFIG_REGION_INDEX] =
		MIN(fv.regions[VFIO_PCI_CONFIG_REGION_INDEX].size, sizeof(dev_cfg));
}

static uint32_t dev_rd(struct pci_dev *d, unsigned off, unsigned size)
{
	return pci_dev_cfg_read(d, off, size);
}

/* What Linux's BAR sizing does, then placing each BAR naturally aligned. */
static void dev_place_bars(struct pci_dev *d)
{
	uint64_t mem32 = 0x80000000ULL, mem64 = 1ULL << 36, io = 0x1000;

	for (unsigned i = 0; i < PCI_NUM_BARS; i++) {
		unsigned reg = PCI_BAR0 + 4 * i;
		uint32_t orig = dev_rd(d, reg, 4), lo;
		bool is64 = !(orig & PCI_BAR_IO) && (orig & 6) == PCI_BAR_MEM64 && i < 5;
		uint64_t mask, size, *cur;

		pci_dev_cfg_write(d, reg, 4, 0xffffffff);
		lo = dev_rd(d, reg, 4);
		mask = orig & PCI_BAR_IO ? lo & ~3u : lo & ~15u;
		if (is64) {
			pci_dev_cfg_write(d, reg + 4, 4, 0xffffffff);
			mask |= (uint64_t)dev_rd(d, reg + 4, 4) << 32;
		} else {
			mask |= 0xffffffff00000000ULL;
		}
		size = ~mask + 1;
		if (!mask || !size)
			continue;
		cur = orig & PCI_BAR_IO ? &io : is64 ? &mem64 : &mem32;
		*cur = ALIGN_UP(*cur, size);
		pci_dev_cfg_write(d, reg, 4, (uint32_t)*cur);
		if (is64)
			pci_dev_cfg_write(d, reg + 4, 4, (uint32_t)(*cur >> 32));
		*cur += size;
		i += is64;
	}
	pci_dev_cfg_write(d, PCI_COMMAND, 2,
			  PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

/* The guest's capability walk (PCI 3.0 §6.7), at most 48 entries. */
static unsigned dev_find_cap(struct pci_dev *d, uint8_t id)
{
	unsigned off = dev_rd(d, PCI_CAP_PTR, 1) & ~3u;

	if (!(dev_rd(d, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST))
		return 0;
	for (unsigned n = 0; off >= 0x40 && n < 48; n++) {
		if (dev_rd(d, off, 1) == id)
			return off;
		off = dev_rd(d, off + 1, 1) & ~3u;
	}
	return 0;
}

/* MSI-X on, function masked; every entry programmed and unmasked through the BAR; function
 * unmasked. */
static void dev_msix(struct pt *pt, struct fake_host *h)
{
	struct pci_dev *d = pt_pci_dev(pt);
	unsigned cap = dev_find_cap(d, 0x11), nr, bir;
	uint32_t table;
	uint64_t base;

	if (!cap)
		return;
	nr = (dev_rd(d, cap + 2, 2) & 0x7ff) + 1;
	table = dev_rd(d, cap + 4, 4);
	bir = table & 7;
	pci_dev_cfg_write(d, cap + 2, 2, 0xc000);
	if (bir >= PCI_NUM_BARS || pt->bars[bir].gpa == PCI_BAR_UNMAPPED)
		return;
	base = pt->bars[bir].gpa + (table & ~7u);
	for (unsigned v = 0; v < nr; v++) {
		uint32_t e[4] = {0xfee00000, 0, 0x40 + v, 0};

		for (unsigned r = 0; r < 4; r++)
			as_write(h->mmio, base + 16 * v + 4 * r, &e[r], 4);
	}
	pci_dev_cfg_write(d, cap + 2, 2, 0x8000);
}

static void dev_msi(struct pt *pt)
{
	struct pci_dev *d = pt_pci_dev(pt);
	unsigned cap = dev_find_cap(d, 0x05);

	if (!cap)
		return;
	pci_dev_cfg_write(d, cap + 4, 4, 0xfee00000);
	pci_dev_cfg_write(d, cap + 2, 2, 0x0071); /* 32 vectors asked, clamped to MMC */
}

static void dev_check(struct pt *pt, struct fake_host *h)
{
	pth_check_routes(pt, h, NULL);
	pth_check_slots(pt, h);
}

static void dev_guest(struct pt *pt, struct fake_host *h)
{
	struct pci_dev *d = pt_pci_dev(pt);
	uint64_t one = 1;

	dev_place_bars(d);
	dev_check(pt, h);
	dev_msix(pt, h);
	dev_check(pt, h);
	for (unsigned v = 0; v < pt->msix.nr; v++)
		if (pt->msix.vec[v].fd >= 0)
			FUZZ_CHECK(write(pt->msix.vec[v].fd, &one, 8) == 8, "eventfd write");
	/* MSI-X off, MSI on. */
	if (pt->msix.cap)
		pci_dev_cfg_write(d, pt->msix.cap + 2, 2, 0);
	dev_msi(pt);
	dev_check(pt, h);
	/* Power state D3hot and back, as a guest's suspend does. */
	if (dev_find_cap(d, 0x01)) {
		pci_dev_cfg_write(d, dev_find_cap(d, 0x01) + 4, 2, 3);
		dev_check(pt, h);
		pci_dev_cfg_write(d, dev_find_cap(d, 0x01) + 4, 2, 0);
		dev_check(pt, h);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vfio_container_config cfg = {.sys = &dev_sys, .sysfs_root = dev_sysfs.root};
	const struct pt_host host_tmpl = {&pth_host_ops, NULL, NULL, NULL};
	struct fz in = {data, size};
	struct vfio_container *c;
	struct vfio_device *vd;
	struct fake_host *h;
	struct pci_bdf bdf;
	struct pt_host host;
	struct pt *pt;

	dev_script(&in);
	FUZZ_CHECK(!pci_bdf_parse(DEV_BDF, &bdf), "bdf");
	FUZZ_CHECK(!container_open(&cfg, &c), "container_open");
	if (vfio_device_open(c, &bdf, &vd))
		goto out;
	h = calloc(1, sizeof(*h));
	FUZZ_CHECK(h && !fake_host_init(h), "fake host");
	host = host_tmpl;
	host.opaque = h;
	host.mmio = h->mmio;
	host.pio = h->pio;
	if (!pt_create(&pt, &vfio_pt_backend_ops, vd, vfio_device_desc(vd), &host, DEV_SLOT)) {
		/* Before start, as vm_pt_open(); a device without reset gets -ENOTTY's log only. */
		(void)!pt_reset(pt);
		pth_check_reset(pt, h);
		dev_guest(pt, h);
		pci_dev_unmap_all(pt_pci_dev(pt));
		(void)!pt_reset(pt);
		pth_check_reset(pt, h);
		pth_destroy_pt(pt, h);
	}
	FUZZ_CHECK(pth_as_empty(h->mmio) && pth_as_empty(h->pio), "address spaces not empty");
	fake_host_free(h);
	free(h);
	vfio_device_close(vd);
out:
	container_close(c);
	FUZZ_CHECK(fv_open_fds() == 0, "%u fds of the fake left open", fv_open_fds());
	FUZZ_CHECK(fv.nr_munmaps == fv.nr_mmaps, "%u mmaps, %u munmaps", fv.nr_mmaps,
		   fv.nr_munmaps);
	FUZZ_CHECK(fuzz_fds_live() == 0, "%u eventfds left open", fuzz_fds_live());
	return 0;
}
