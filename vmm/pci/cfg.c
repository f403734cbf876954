// SPDX-License-Identifier: GPL-2.0
/* PCI configuration space as data + masks; see cfg.h. */
#include <errno.h>
#include <string.h>

#include "pci/cfg.h"

#define PCI_CAP_START	 0x40 /* PCI 3.0 6.7: capabilities follow the header */
#define PCI_BAR_IO_MASK	 0xfffffffcu
#define PCI_BAR_MEM_MASK 0xfffffff0u
#define PCI_ROM_MASK	 0xfffff800u
#define PCI_BAR_TYPE_64	 0x4
/* At most 48 dword-aligned capabilities fit in 0x40..0xff: bounds list walks. */
#define PCI_CAP_MAX 48

uint32_t pci_cfg_get(const struct pci_cfg *cfg, unsigned off, unsigned size)
{
	uint32_t v = 0;
	unsigned i;

	for (i = 0; i < size; i++)
		v |= (uint32_t)cfg->data[off + i] << (8 * i);
	return v;
}

void pci_cfg_set(struct pci_cfg *cfg, unsigned off, unsigned size, uint32_t val)
{
	unsigned i;

	for (i = 0; i < size; i++)
		cfg->data[off + i] = val >> (8 * i);
}

static void pci_cfg_set_mask(uint8_t *mask, unsigned off, unsigned size, uint32_t val)
{
	unsigned i;

	for (i = 0; i < size; i++)
		mask[off + i] = val >> (8 * i);
}

static uint32_t pci_cfg_get_mask(const uint8_t *mask, unsigned off)
{
	return mask[off] | mask[off + 1] << 8 | mask[off + 2] << 16 | (uint32_t)mask[off + 3] << 24;
}

static bool pci_cfg_access_ok(unsigned off, unsigned size)
{
	return (size == 1 || size == 2 || size == 4) && off < PCI_CFG_SIZE &&
	       size <= PCI_CFG_SIZE - off;
}

void pci_cfg_init_type0(struct pci_cfg *cfg, const struct pci_cfg_id *id)
{
	memset(cfg, 0, sizeof(*cfg));
	pci_cfg_set(cfg, PCI_VENDOR_ID, 2, id->vendor);
	pci_cfg_set(cfg, PCI_DEVICE_ID, 2, id->device);
	pci_cfg_set(cfg, PCI_REVISION_ID, 1, id->revision);
	pci_cfg_set(cfg, PCI_CLASS_PROG, 3, id->class_code);
	pci_cfg_set(cfg, PCI_SUBSYS_VENDOR, 2, id->subsys_vendor);
	pci_cfg_set(cfg, PCI_SUBSYS_ID, 2, id->subsys);
	/* Header type 0, single function; BIST not supported (0). */
	pci_cfg_set_mask(cfg->wmask, PCI_COMMAND, 2,
			 PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
				 PCI_COMMAND_PARITY | PCI_COMMAND_SERR | PCI_COMMAND_INTX_OFF);
	pci_cfg_set_mask(cfg->w1cmask, PCI_STATUS, 2, PCI_STATUS_W1C);
	/* PCI 3.0 6.2.4: cache line size and latency timer are read/write. */
	cfg->wmask[PCI_CACHE_LINE] = 0xff;
	cfg->wmask[PCI_LATENCY_TIMER] = 0xff;
	/* PCI 3.0 6.2.4: interrupt line is a scratch byte for the OS. */
	cfg->wmask[PCI_INTERRUPT_LINE] = 0xff;
	cfg->cap_end = PCI_CAP_START;
}

void pci_cfg_init_type1(struct pci_cfg *cfg, const struct pci_cfg_id *id)
{
	pci_cfg_init_type0(cfg, id);
	pci_cfg_set(cfg, PCI_SUBSYS_VENDOR, 4, 0); /* 0x2c is Prefetchable Limit Upper here */
	cfg->data[PCI_HEADER_TYPE] = 0x01;
	/* PCIe 4.0 7.5.1.1.6: the Latency Timer does not apply: RO 0. */
	cfg->wmask[PCI_LATENCY_TIMER] = 0;
	/* 3.2.5.3-5: primary, secondary, subordinate bus; secondary latency RO 0. */
	pci_cfg_set_mask(cfg->wmask, PCI_PRIMARY_BUS, 3, 0xffffff);
	/* 3.2.5.6: I/O Base/Limit bits 7:4 are address 15:12; 0h in 3:0 says 16-bit. */
	pci_cfg_set_mask(cfg->wmask, PCI_IO_BASE, 2, 0xf0f0);
	/* 3.2.5.7: Secondary Status error bits are RW1C like STATUS's. */
	pci_cfg_set_mask(cfg->w1cmask, PCI_SEC_STATUS, 2, PCI_STATUS_W1C);
	/* 3.2.5.8: Memory Base/Limit bits 15:4 are address 31:20. */
	pci_cfg_set_mask(cfg->wmask, PCI_MEMORY_BASE, 4, 0xfff0fff0);
	/* 3.2.5.9-10: the same for prefetchable memory, 1h in 3:0 says 64-bit. */
	pci_cfg_set_mask(cfg->wmask, PCI_PREF_BASE, 4, 0xfff0fff0);
	pci_cfg_set_mask(cfg->wmask, PCI_PREF_BASE_UPPER, 4, 0xffffffff);
	pci_cfg_set_mask(cfg->wmask, PCI_PREF_LIMIT_UPPER, 4, 0xffffffff);
	/*
	 * 3.2.5.18 Bridge Control: parity error response, SERR#, ISA, VGA,
	 * VGA 16-bit decode, Secondary Bus Reset; Master Abort Mode and the
	 * discard timers are RO 0 in PCIe (7.5.1.3.13).
	 */
	pci_cfg_set_mask(cfg->wmask, PCI_BRIDGE_CONTROL, 2, 0x005f);
	/*
	 * Closed windows, as firmware leaves unused ones: base above limit
	 * forwards nothing (3.2.5.6, 3.2.5.8, 3.2.5.9). All zeroes would be an
	 * open window at 0 that the guest would first have to take apart.
	 */
	pci_cfg_set(cfg, PCI_IO_BASE, 2, 0x00f0);
	pci_cfg_set(cfg, PCI_MEMORY_BASE, 4, 0x0000fff0);
	pci_cfg_set(cfg, PCI_PREF_BASE, 4, 0x0001fff1);
	pci_cfg_set(cfg, PCI_PREF_BASE_UPPER, 4, 0xffffffff);
}

uint32_t pci_cfg_read(const struct pci_cfg *cfg, unsigned off, unsigned size)
{
	if (!pci_cfg_access_ok(off, size))
		return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
	return pci_cfg_get(cfg, off, size);
}

void pci_cfg_write(struct pci_cfg *cfg, unsigned off, unsigned size, uint32_t val)
{
	unsigned i;

	if (!pci_cfg_access_ok(off, size))
		return;
	for (i = 0; i < size; i++) {
		uint8_t v = val >> (8 * i), w = cfg->wmask[off + i], c = cfg->w1cmask[off + i];
		uint8_t *d = &cfg->data[off + i];

		*d = (*d & ~w) | (v & w);
		*d &= ~(v & c);
	}
}

int pci_cfg_add_cap(struct pci_cfg *cfg, uint8_t id, unsigned len)
{
	unsigned off = ALIGN_UP(MAX(cfg->cap_end, (unsigned)PCI_CAP_START), 4u);
	unsigned last = PCI_CAP_PTR, next, n;

	if (len < 2 || len > PCI_CFG_STD_SIZE - PCI_CAP_START)
		return -EINVAL;
	if (len > PCI_CFG_STD_SIZE - off)
		return -ENOSPC;
	/* PCI 3.0 6.7: link it behind the last capability (or the pointer). */
	next = cfg->data[PCI_CAP_PTR];
	for (n = 0; next && n < PCI_CAP_MAX; n++) {
		last = next + 1;
		next = cfg->data[last];
	}
	cfg->data[off] = id;
	cfg->data[off + 1] = 0;
	cfg->data[last] = off;
	cfg->data[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
	cfg->cap_end = off + len;
	return off;
}

unsigned pci_cfg_find_cap(const struct pci_cfg *cfg, uint8_t id)
{
	unsigned off, n;

	if (!(cfg->data[PCI_STATUS] & PCI_STATUS_CAP_LIST))
		return 0;
	off = cfg->data[PCI_CAP_PTR] & ~3u;
	for (n = 0; off >= PCI_CAP_START && n < PCI_CAP_MAX; n++) {
		if (cfg->data[off] == id)
			return off;
		off = cfg->data[off + 1] & ~3u;
	}
	return 0;
}

static bool pci_is_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

int pci_cfg_set_bar(struct pci_cfg *cfg, unsigned idx, uint64_t size, unsigned flags)
{
	unsigned off = PCI_BAR0 + 4 * idx;
	uint64_t mask;

	if (idx >= PCI_NUM_BARS || !pci_is_pow2(size))
		return -EINVAL;
	if (flags == PCI_BAR_IO) {
		/* PCI 3.0 6.2.5.1: at most 256 bytes of I/O per BAR. */
		if (size < 4 || size > 256)
			return -EINVAL;
		pci_cfg_set(cfg, off, 4, PCI_BAR_IO);
		pci_cfg_set_mask(cfg->wmask, off, 4, ~(uint32_t)(size - 1) & PCI_BAR_IO_MASK);
		return 0;
	}
	if (flags & ~(PCI_BAR_MEM64 | PCI_BAR_PREFETCH) || size < 16)
		return -EINVAL;
	mask = ~(size - 1);
	if (flags & PCI_BAR_MEM64) {
		if (idx + 1 >= PCI_NUM_BARS)
			return -EINVAL;
		pci_cfg_set(cfg, off + 4, 4, 0);
		pci_cfg_set_mask(cfg->wmask, off + 4, 4, mask >> 32);
	} else if (size > (1ULL << 31)) {
		return -EINVAL;
	}
	pci_cfg_set(cfg, off, 4, flags);
	pci_cfg_set_mask(cfg->wmask, off, 4, (uint32_t)mask & PCI_BAR_MEM_MASK);
	return 0;
}

int pci_cfg_set_rom(struct pci_cfg *cfg, uint64_t size)
{
	/* PCI 3.0 6.2.5.2: bits 31:11 address, bit 0 enable; at most 16 MiB. */
	if (!pci_is_pow2(size) || size < 2048 || size > (16ULL << 20))
		return -EINVAL;
	pci_cfg_set(cfg, PCI_ROM_ADDRESS, 4, 0);
	pci_cfg_set_mask(cfg->wmask, PCI_ROM_ADDRESS, 4,
			 (~(uint32_t)(size - 1) & PCI_ROM_MASK) | PCI_ROM_ENABLE);
	return 0;
}

static unsigned pci_bar_off(unsigned idx)
{
	return idx == PCI_ROM_BAR ? PCI_ROM_ADDRESS : PCI_BAR0 + 4 * idx;
}

static bool pci_cfg_bar_is_64(const struct pci_cfg *cfg, unsigned idx)
{
	uint32_t lo = pci_cfg_get(cfg, pci_bar_off(idx), 4);

	/* Bits 2:1 are read-only (wmask), so the guest cannot change the type. */
	return idx < PCI_NUM_BARS - 1 && !(lo & PCI_BAR_IO) && (lo & 0x6) == PCI_BAR_TYPE_64;
}

/* Whether BAR @idx is the upper dword of a 64-bit BAR below it. */
static bool pci_cfg_bar_is_upper(const struct pci_cfg *cfg, unsigned idx)
{
	unsigned i = 0;

	while (i < idx)
		i += pci_cfg_bar_is_64(cfg, i) ? 2 : 1;
	return i != idx;
}

bool pci_cfg_bar_is_io(const struct pci_cfg *cfg, unsigned idx)
{
	if (idx >= PCI_NUM_BARS || pci_cfg_bar_is_upper(cfg, idx))
		return false;
	return pci_cfg_get(cfg, pci_bar_off(idx), 4) & PCI_BAR_IO;
}

/* The BAR's address bits as a 64-bit mask; 0 if @idx is no (lower) BAR. */
static uint64_t pci_cfg_bar_mask(const struct pci_cfg *cfg, unsigned idx)
{
	unsigned off;
	uint64_t m;

	if (idx > PCI_ROM_BAR)
		return 0;
	off = pci_bar_off(idx);
	m = pci_cfg_get_mask(cfg->wmask, off);
	if (idx == PCI_ROM_BAR)
		return m & PCI_ROM_MASK;
	if (pci_cfg_bar_is_upper(cfg, idx))
		return 0;
	if (pci_cfg_bar_is_io(cfg, idx))
		return m & PCI_BAR_IO_MASK;
	m &= PCI_BAR_MEM_MASK;
	if (pci_cfg_bar_is_64(cfg, idx))
		m |= (uint64_t)pci_cfg_get_mask(cfg->wmask, off + 4) << 32;
	return m;
}

uint64_t pci_cfg_bar_size(const struct pci_cfg *cfg, unsigned idx)
{
	uint64_t m = pci_cfg_bar_mask(cfg, idx);

	if (!m)
		return 0;
	/* A 32-bit decoder: the bits above 31 count as address bits. */
	if (idx == PCI_ROM_BAR || !pci_cfg_bar_is_64(cfg, idx))
		m |= 0xffffffff00000000ULL;
	return ~m + 1;
}

uint64_t pci_cfg_bar_addr(const struct pci_cfg *cfg, unsigned idx)
{
	uint64_t m = pci_cfg_bar_mask(cfg, idx);
	unsigned off;
	uint64_t v;

	if (!m)
		return 0;
	off = pci_bar_off(idx);
	v = pci_cfg_get(cfg, off, 4);
	if (idx != PCI_ROM_BAR && pci_cfg_bar_is_64(cfg, idx))
		v |= (uint64_t)pci_cfg_get(cfg, off + 4, 4) << 32;
	return v & m;
}

bool pci_cfg_decode_enabled(const struct pci_cfg *cfg, bool is_io)
{
	uint16_t cmd = pci_cfg_get(cfg, PCI_COMMAND, 2);

	return cmd & (is_io ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY);
}

bool pci_cfg_in_d0(const struct pci_cfg *cfg)
{
	unsigned pm = pci_cfg_find_cap(cfg, PCI_CAP_ID_PM);

	/* PCI PM 1.2 §3.2.4: PMCSR (capability + 4), PowerState in bits 1:0. */
	return !pm || !(pci_cfg_get(cfg, pm + 4, 1) & PCI_PM_STATE_MASK);
}

bool pci_cfg_bar_enabled(const struct pci_cfg *cfg, unsigned idx)
{
	if (!pci_cfg_bar_size(cfg, idx))
		return false;
	/*
	 * PCI PM 1.2 §5.3 (and PCIe 4.0 §5.3.1): in D1, D2 and D3hot a
	 * function answers configuration requests only; its memory and I/O
	 * decoders are off whatever COMMAND says.
	 */
	if (!pci_cfg_in_d0(cfg))
		return false;
	if (idx == PCI_ROM_BAR)
		return (pci_cfg_get(cfg, PCI_ROM_ADDRESS, 4) & PCI_ROM_ENABLE) &&
		       pci_cfg_decode_enabled(cfg, false);
	return pci_cfg_decode_enabled(cfg, pci_cfg_bar_is_io(cfg, idx));
}
