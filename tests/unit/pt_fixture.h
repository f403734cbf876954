/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The passthrough tests' device, shaped like an NVMe controller, over the
 * fakes of pt_fake.h:
 *   BAR0   64-bit memory, 16 KiB, one mmap area over all of it;
 *          MSI-X table (16 vectors) at 0x2000, PBA at 0x2800
 *   BAR2   32-bit prefetchable memory, 4 KiB, not mmappable
 *   BAR3   32-bit memory, 256 bytes (sub-page), "mmappable"
 *   BAR4   I/O, 32 bytes
 *   ROM    64 KiB, byte i reads (i & 0xff) ^ 0x5a
 *   caps   0x40 PM -> 0x50 MSI (64-bit, per-vector mask, 4 vectors capable)
 *          -> 0x70 PCIe v2 -> 0xb0 MSI-X -> 0xc0 vendor (8 bytes)
 *   ext    0x100 AER -> 0x140 SR-IOV -> 0x180 DSN
 *   INTA, 1 INTx, 1 MSI and 16 MSI-X vectors in VFIO (MSI and MSI-X
 *   NORESIZE, as before Linux 6.5), reset supported.
 */
#ifndef PTVM_TEST_PT_FIXTURE_H
#define PTVM_TEST_PT_FIXTURE_H

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>

#include "pt_fake.h"

#define FX_SLOT	     3
#define FX_BAR0_SIZE 0x4000
#define FX_ROM_SIZE  0x10000
#define FX_MSI	     0x50
#define FX_EXP	     0x70
#define FX_MSIX	     0xb0
#define FX_MSIX_NR   16
#define FX_TABLE     0x2000
#define FX_PBA	     0x2800
#define FX_MMIO	     0xc0000000ULL

/* Everything a test needs: the fakes, the device, the mmap area of BAR0. */
struct fx {
	struct fake_be be;
	struct fake_host host;
	struct pt_device_desc desc;
	struct pt *pt;
	struct pci_dev *dev;
	uint8_t bar0_map[FX_BAR0_SIZE] __attribute__((aligned(4096)));
	uint8_t bar3_map[0x1000] __attribute__((aligned(4096)));
};

static inline void fx_region(struct fx *f, unsigned idx, uint64_t size)
{
	f->desc.regions[idx].size = size;
	f->desc.regions[idx].readable = true;
	f->desc.regions[idx].writable = idx != VFIO_PCI_ROM_REGION_INDEX;
	f->be.mem[idx] = calloc(1, size);
	f->be.mem_size[idx] = size;
}

/* Build the fixture's hardware (not yet the model). */
static inline struct fx *fx_new(void)
{
	/* Page aligned: the BAR mmaps it holds become memslots. */
	struct fx *f = aligned_alloc(4096, ALIGN_UP(sizeof(*f), 4096));
	uint8_t *c;
	unsigned i;

	if (!f)
		return NULL;
	memset(f, 0, sizeof(*f));
	if (fake_host_init(&f->host)) {
		free(f);
		return NULL;
	}
	f->be.host = &f->host;
	c = f->be.cfg;
	fake_put(c, PCI_VENDOR_ID, 2, 0x8086);
	fake_put(c, PCI_DEVICE_ID, 2, 0x0a54);
	fake_put(c, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER); /* host left it on */
	fake_put(c, PCI_STATUS, 2, PCI_STATUS_CAP_LIST);
	fake_put(c, PCI_CLASS_PROG, 3, 0x010802);
	c[PCI_HEADER_TYPE] = 0x80;	      /* multi-function on the host */
	fake_put(c, PCI_BAR0, 4, 0xfe000004); /* 64-bit, host address */
	fake_put(c, PCI_BAR0 + 4, 4, 0x00000000);
	fake_put(c, PCI_BAR0 + 8, 4, 0xfd000008); /* 32-bit prefetchable */
	fake_put(c, PCI_BAR0 + 12, 4, 0xfc000000);
	fake_put(c, PCI_BAR0 + 16, 4, 0x0000e001); /* I/O */
	c[PCI_CAP_PTR] = 0x40;
	c[PCI_INTERRUPT_LINE] = 11;
	c[PCI_INTERRUPT_PIN] = 1;
	/* PM: PMC, PMCSR D0. */
	c[0x40] = 0x01, c[0x41] = FX_MSI;
	fake_put(c, 0x42, 2, 0x0003);
	/* MSI: 64-bit, per-vector masking, Multiple Message Capable = 4. */
	c[FX_MSI] = 0x05, c[FX_MSI + 1] = FX_EXP;
	fake_put(c, FX_MSI + 2, 2, 0x0180 | 2 << 1);
	/* PCIe v2 endpoint: DevCtl with MPS 256 (1 << 5), MRRS 512 (2 << 12). */
	c[FX_EXP] = 0x10, c[FX_EXP + 1] = FX_MSIX;
	fake_put(c, FX_EXP + 2, 2, 0x0002);
	fake_put(c, FX_EXP + 4, 4, 0x10008fc1); /* DevCap */
	fake_put(c, FX_EXP + 8, 2, 0x2020);
	/* MSI-X: 16 vectors, table BAR0 + 0x2000, PBA BAR0 + 0x2800. */
	c[FX_MSIX] = 0x11, c[FX_MSIX + 1] = 0xc0;
	fake_put(c, FX_MSIX + 2, 2, FX_MSIX_NR - 1);
	fake_put(c, FX_MSIX + 4, 4, FX_TABLE | 0);
	fake_put(c, FX_MSIX + 8, 4, FX_PBA | 0);
	/* Vendor-specific, 8 bytes. */
	c[0xc0] = 0x09, c[0xc1] = 0x00, c[0xc2] = 8;
	/* Extended: AER v2 -> SR-IOV -> DSN. */
	fake_put(c, 0x100, 4, 0x0001 | 2 << 16 | 0x140 << 20);
	fake_put(c, 0x140, 4, 0x0010 | 1 << 16 | 0x180 << 20);
	fake_put(c, 0x180, 4, 0x0003 | 1 << 16);

	fx_region(f, VFIO_PCI_BAR0_REGION_INDEX, FX_BAR0_SIZE);
	f->desc.regions[0].nr_areas = 1;
	f->desc.regions[0].areas[0].offset = 0;
	f->desc.regions[0].areas[0].size = FX_BAR0_SIZE;
	f->desc.regions[0].areas[0].map = f->bar0_map;
	fx_region(f, VFIO_PCI_BAR2_REGION_INDEX, 0x1000);
	fx_region(f, VFIO_PCI_BAR3_REGION_INDEX, 0x100);
	f->desc.regions[3].nr_areas = 1;
	f->desc.regions[3].areas[0].size = 0x1000;
	f->desc.regions[3].areas[0].map = f->bar3_map;
	fx_region(f, VFIO_PCI_BAR4_REGION_INDEX, 32);
	fx_region(f, VFIO_PCI_ROM_REGION_INDEX, FX_ROM_SIZE);
	for (i = 0; i < FX_ROM_SIZE; i++)
		f->be.mem[VFIO_PCI_ROM_REGION_INDEX][i] = (i & 0xff) ^ 0x5a;
	f->desc.regions[VFIO_PCI_CONFIG_REGION_INDEX].size = 4096;
	f->desc.regions[VFIO_PCI_CONFIG_REGION_INDEX].readable = true;
	f->desc.regions[VFIO_PCI_CONFIG_REGION_INDEX].writable = true;
	f->desc.irq_count[VFIO_PCI_INTX_IRQ_INDEX] = 1;
	f->desc.irq_count[VFIO_PCI_MSI_IRQ_INDEX] = 1;
	f->desc.irq_count[VFIO_PCI_MSIX_IRQ_INDEX] = FX_MSIX_NR;
	/* What VFIO says before Linux 6.5: MSI and MSI-X cannot grow once enabled. */
	f->desc.irq_flags[VFIO_PCI_INTX_IRQ_INDEX] =
		VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED;
	f->desc.irq_flags[VFIO_PCI_MSI_IRQ_INDEX] = VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE;
	f->desc.irq_flags[VFIO_PCI_MSIX_IRQ_INDEX] = VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE;
	f->desc.can_reset = true;
	snprintf(f->desc.name, sizeof(f->desc.name), "0000:06:00.0");
	return f;
}

/* Create the model over the fixture's hardware, through @be_ops and @host_ops. */
static inline int fx_create_with(struct fx *f, const struct pt_backend_ops *be_ops,
				 const struct pt_host_ops *host_ops)
{
	struct pt_host host = {host_ops, &f->host, f->host.mmio, f->host.pio};
	unsigned i;
	int ret;

	for (i = 0; i < VFIO_PCI_NUM_IRQS; i++)
		f->be.noresize[i] = f->desc.irq_flags[i] & VFIO_IRQ_INFO_NORESIZE;
	ret = pt_create(&f->pt, be_ops, &f->be, &f->desc, &host, FX_SLOT);
	if (!ret)
		f->dev = pt_pci_dev(f->pt);
	return ret;
}

static inline int fx_create(struct fx *f)
{
	return fx_create_with(f, &fake_be_ops, &fake_host_ops);
}

static inline void fx_free(struct fx *f)
{
	unsigned i;

	if (!f)
		return;
	pt_destroy(f->pt);
	fake_host_free(&f->host);
	for (i = 0; i < VFIO_PCI_NUM_REGIONS; i++)
		free(f->be.mem[i]);
	free(f);
}

static inline int fx_setup(void **state)
{
	struct fx *f = fx_new();

	if (!f || fx_create(f)) {
		fx_free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static inline int fx_teardown(void **state)
{
	fx_free(*state);
	return 0;
}

static inline uint32_t fx_rd(struct fx *f, unsigned off, unsigned size)
{
	return pci_dev_cfg_read(f->dev, off, size);
}

static inline void fx_wr(struct fx *f, unsigned off, unsigned size, uint32_t val)
{
	pci_dev_cfg_write(f->dev, off, size, val);
}

/* Forget the recorded calls (not the state). */
static inline void fx_clear(struct fx *f)
{
	f->be.nr_writes = 0;
	f->be.nr_irqs = 0;
	f->be.nr_unmask = 0;
	memset(f->be.nr_reads, 0, sizeof(f->be.nr_reads));
	f->host.nr_order = 0;
	memset(f->host.order, 0, sizeof(f->host.order));
}

static inline unsigned fx_open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	unsigned n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static inline bool fx_fd_open(int fd)
{
	return fd >= 0 && fcntl(fd, F_GETFD) != -1;
}

#endif
