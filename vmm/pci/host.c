// SPDX-License-Identifier: GPL-2.0
/*
 * PCI host bridge and bus 0 configuration access.
 *
 * Configuration mechanism #1 (PCI 3.0 3.2.2.3.2): CONFIG_ADDRESS at 0xcf8 is
 * a dword register, bit 31 enable, bits 23:16 bus, 15:11 device, 10:8
 * function, 7:2 register; bits 30:24 and 1:0 read as 0. Only a dword access
 * at 0xcf8 is CONFIG_ADDRESS; byte/word accesses there go elsewhere on a
 * real chipset and go nowhere here. CONFIG_DATA at 0xcfc..0xcff carries the
 * dword selected, byte lanes by port offset.
 *
 * ECAM (PCIe 4.0 7.2.2): address = bus << 20 | device << 15 | function << 12
 * | register. Accesses must not cross a dword; a naturally aligned 8-byte
 * access is split into two dword accesses, low dword first.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "pci/host.h"

#define CF8_ENABLE   0x80000000u
#define CF8_WRITABLE 0x80fffffcu

/*
 * Identity of the bridge at 00:00.0. ptvm has no PCI-SIG vendor ID of its
 * own. Red Hat's 1b36:0008 is the ID allocated for a generic virtual PCIe
 * host bridge that has no chipset registers; no guest driver binds to it or
 * applies quirks, so a guest treats it by its class (0x0600, host bridge)
 * alone. A real chipset's ID (e.g. Intel Q35 8086:29c0) would invite guest
 * drivers (EDAC, TCO, AGP) to program registers this model does not have.
 */
#define PCI_HOST_VENDOR 0x1b36
#define PCI_HOST_DEVICE 0x0008
#define PCI_CLASS_HOST	0x060000

struct pci_host {
	pthread_mutex_t lock; /* config accesses and the CONFIG_ADDRESS latch */
	uint32_t cf8;
	struct pci_dev *slot[PCI_HOST_SLOTS];
	unsigned log_key;
	struct pci_dev bridge;
};

static const struct pci_cfg_id pci_host_id = {
	.vendor = PCI_HOST_VENDOR,
	.device = PCI_HOST_DEVICE,
	.class_code = PCI_CLASS_HOST,
};

int pci_host_create(struct pci_host **out)
{
	struct pci_host *h;
	int ret;

	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	ret = pthread_mutex_init(&h->lock, NULL);
	if (ret)
		goto err_free;
	pci_cfg_init_type0(&h->bridge.cfg, &pci_host_id);
	h->bridge.name = "host-bridge";
	h->slot[0] = &h->bridge;
	*out = h;
	return 0;

err_free:
	free(h);
	return -ret;
}

void pci_host_destroy(struct pci_host *h)
{
	if (!h)
		return;
	pthread_mutex_destroy(&h->lock);
	free(h);
}

int pci_host_attach(struct pci_host *h, unsigned slot, struct pci_dev *dev)
{
	int ret = 0;

	if (slot == 0 || slot >= PCI_HOST_SLOTS || !dev)
		return -EINVAL;
	pthread_mutex_lock(&h->lock);
	if (h->slot[slot]) {
		ret = -EBUSY;
	} else {
		h->slot[slot] = dev;
		/*
		 * What it decodes already is its from now on, as detach takes
		 * it away: without the report, a device attached with decoding
		 * on would never be told where it decodes (the next config
		 * write sees no change).
		 */
		pci_dev_map_all(dev);
	}
	pthread_mutex_unlock(&h->lock);
	return ret;
}

int pci_host_detach(struct pci_host *h, unsigned slot)
{
	int ret = 0;

	if (slot == 0 || slot >= PCI_HOST_SLOTS)
		return -EINVAL;
	pthread_mutex_lock(&h->lock);
	if (h->slot[slot]) {
		pci_dev_unmap_all(h->slot[slot]);
		h->slot[slot] = NULL;
	} else {
		ret = -ENOENT;
	}
	pthread_mutex_unlock(&h->lock);
	return ret;
}

void pci_host_lock(struct pci_host *h)
{
	pthread_mutex_lock(&h->lock);
}

void pci_host_unlock(struct pci_host *h)
{
	pthread_mutex_unlock(&h->lock);
}

/*
 * The device at bus/device/function, or NULL. Bus 0 holds function 0 of
 * each slot; another bus is whatever a bridge on bus 0 routes it to (no
 * bridge claims bus 0: PCI-to-PCI Bridge 1.2 3.2.5.3, its secondary bus
 * is above its primary).
 */
static struct pci_dev *pci_host_find(struct pci_host *h, unsigned bus, unsigned dev, unsigned fn)
{
	struct pci_dev *d;

	if (bus != 0) {
		for (unsigned i = 1; i < PCI_HOST_SLOTS; i++) {
			d = h->slot[i];
			if (d && d->ops && d->ops->route) {
				d = d->ops->route(d, bus, dev << 3 | fn);
				if (d)
					return d;
			}
		}
		return NULL;
	}
	if (fn != 0 || dev >= PCI_HOST_SLOTS)
		return NULL;
	return h->slot[dev];
}

static uint32_t pci_host_read(struct pci_host *h, unsigned bus, unsigned dev, unsigned fn,
			      unsigned reg, unsigned size)
{
	struct pci_dev *d = pci_host_find(h, bus, dev, fn);

	/* PCI 3.0 6.1: reads of an absent function return all-ones. */
	return d ? pci_dev_cfg_read(d, reg, size) : 0xffffffffu;
}

static void pci_host_write(struct pci_host *h, unsigned bus, unsigned dev, unsigned fn,
			   unsigned reg, unsigned size, uint32_t val)
{
	struct pci_dev *d = pci_host_find(h, bus, dev, fn);

	if (d)
		pci_dev_cfg_write(d, reg, size, val);
}

/* Decode CONFIG_ADDRESS; false if it is disabled. */
static bool pci_host_cf8_decode(uint32_t cf8, unsigned *bus, unsigned *dev, unsigned *fn,
				unsigned *reg)
{
	if (!(cf8 & CF8_ENABLE))
		return false;
	*bus = (cf8 >> 16) & 0xff;
	*dev = (cf8 >> 11) & 0x1f;
	*fn = (cf8 >> 8) & 0x7;
	*reg = cf8 & 0xfc;
	return true;
}

static uint64_t pci_host_cf8_read(void *opaque, uint64_t offset, unsigned size)
{
	struct pci_host *h = opaque;
	unsigned bus, dev, fn, reg;
	uint64_t v = ~0ULL;

	if (offset < 4 && (offset != 0 || size != 4))
		return v;
	pthread_mutex_lock(&h->lock);
	if (offset == 0)
		v = h->cf8;
	else if (pci_host_cf8_decode(h->cf8, &bus, &dev, &fn, &reg))
		v = pci_host_read(h, bus, dev, fn, reg + (offset - 4), size);
	pthread_mutex_unlock(&h->lock);
	return v;
}

static void pci_host_cf8_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct pci_host *h = opaque;
	unsigned bus, dev, fn, reg;

	if (offset < 4 && (offset != 0 || size != 4))
		return;
	pthread_mutex_lock(&h->lock);
	if (offset == 0)
		h->cf8 = value & CF8_WRITABLE;
	else if (pci_host_cf8_decode(h->cf8, &bus, &dev, &fn, &reg))
		pci_host_write(h, bus, dev, fn, reg + (offset - 4), size, value);
	pthread_mutex_unlock(&h->lock);
}

const struct bus_ops pci_host_cf8_ops = {
	.read = pci_host_cf8_read,
	.write = pci_host_cf8_write,
};

/* A dword-or-smaller ECAM access that does not cross a dword boundary. */
static bool pci_host_ecam_ok(uint64_t offset, unsigned size)
{
	return size <= 4 && IS_ALIGNED(offset, size);
}

static uint32_t pci_host_ecam_read32(struct pci_host *h, uint64_t offset, unsigned size)
{
	return pci_host_read(h, offset >> 20 & 0xff, offset >> 15 & 0x1f, offset >> 12 & 0x7,
			     offset & 0xfff, size);
}

static void pci_host_ecam_write32(struct pci_host *h, uint64_t offset, unsigned size, uint32_t val)
{
	pci_host_write(h, offset >> 20 & 0xff, offset >> 15 & 0x1f, offset >> 12 & 0x7,
		       offset & 0xfff, size, val);
}

static uint64_t pci_host_ecam_read(void *opaque, uint64_t offset, unsigned size)
{
	struct pci_host *h = opaque;
	uint64_t v = ~0ULL;

	if (size == 8 && IS_ALIGNED(offset, 8)) {
		pthread_mutex_lock(&h->lock);
		v = pci_host_ecam_read32(h, offset, 4);
		v |= (uint64_t)pci_host_ecam_read32(h, offset + 4, 4) << 32;
		pthread_mutex_unlock(&h->lock);
		return v;
	}
	if (!pci_host_ecam_ok(offset, size)) {
		log_guest(&h->log_key, "pci: ECAM read of %u bytes at 0x%llx crosses a dword", size,
			  (unsigned long long)offset);
		return v;
	}
	pthread_mutex_lock(&h->lock);
	v = pci_host_ecam_read32(h, offset, size);
	pthread_mutex_unlock(&h->lock);
	return v;
}

static void pci_host_ecam_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct pci_host *h = opaque;

	if (size == 8 && IS_ALIGNED(offset, 8)) {
		pthread_mutex_lock(&h->lock);
		pci_host_ecam_write32(h, offset, 4, value);
		pci_host_ecam_write32(h, offset + 4, 4, value >> 32);
		pthread_mutex_unlock(&h->lock);
		return;
	}
	if (!pci_host_ecam_ok(offset, size)) {
		log_guest(&h->log_key, "pci: ECAM write of %u bytes at 0x%llx crosses a dword",
			  size, (unsigned long long)offset);
		return;
	}
	pthread_mutex_lock(&h->lock);
	pci_host_ecam_write32(h, offset, size, value);
	pthread_mutex_unlock(&h->lock);
}

const struct bus_ops pci_host_ecam_ops = {
	.read = pci_host_ecam_read,
	.write = pci_host_ecam_write,
};
