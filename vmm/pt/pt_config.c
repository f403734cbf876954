// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's view of a passed-through function's config space, as data.
 *
 * Every config byte has three masks:
 *   vmask   bits read from ptvm's copy (pt->dev.cfg.data); the others are
 *           read from the device through the backend's config region;
 *   wmask   bits a guest write changes in ptvm's copy (pt->dev.cfg.wmask,
 *           always a subset of vmask);
 *   hwmask  bits of a guest write passed on to the device.
 * A byte no table mentions is read from the device and never written: the
 * default is read-through, write-drop. The tables below grant the rest,
 * field by field, citing where the spec defines the field.
 *
 * Capability headers (ID and next pointer) are always virtual so that a
 * capability can be hidden by unlinking it from the guest's list. The PCI
 * Express Capability's tables and init are pt_exp.c's.
 */
#include <errno.h>
#include <string.h>

#include "pt/pt_internal.h"

#define PCI_CAP_START	  0x40
#define PCI_EXT_CAP_START 0x100

/* Standard capability IDs (PCI 3.0 Appendix H; PCI Code and ID Assignment). */
#define CAP_ID_PM   0x01
#define CAP_ID_VPD  0x03
#define CAP_ID_MSI  0x05
#define CAP_ID_VNDR 0x09
#define CAP_ID_EXP  0x10
#define CAP_ID_MSIX 0x11
#define CAP_ID_AF   0x13
/* Extended capability IDs (PCIe 4.0 §7.6.3, §7.8, §9.3). */
#define ECAP_ID_AER   0x0001
#define ECAP_ID_ATS   0x000f
#define ECAP_ID_SRIOV 0x0010
#define ECAP_ID_PRI   0x0013
#define ECAP_ID_REBAR 0x0015
#define ECAP_ID_PASID 0x001b
#define ECAP_ID_VFBAR 0x0024

/* COMMAND bits the guest owns; they also reach the device (PCI 3.0 §6.2.2). */
#define PT_CMD_BITS                                                                      \
	(PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_PARITY | \
	 PCI_COMMAND_SERR | PCI_COMMAND_INTX_OFF)

void pt_config_perm(struct pt *pt, unsigned off, unsigned size, uint32_t virt, uint32_t write,
		    uint32_t hw)
{
	unsigned i;

	for (i = 0; i < size && off + i < PCI_CFG_SIZE; i++) {
		pt->vmask[off + i] = virt >> (8 * i);
		pt->dev.cfg.wmask[off + i] = (virt & write) >> (8 * i);
		pt->hwmask[off + i] = hw >> (8 * i);
	}
}

void pt_config_fields(struct pt *pt, unsigned base, unsigned limit, const struct pt_field *f,
		      unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (base + f[i].off + f[i].size <= limit)
			pt_config_perm(pt, base + f[i].off, f[i].size, f[i].virt, f[i].write,
				       f[i].hw);
}

/* Whether every field of @f at @base ends by @limit. */
static bool pt_config_fields_fit(unsigned base, unsigned limit, const struct pt_field *f,
				 unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (base + f[i].off + f[i].size > limit)
			return false;
	return true;
}

/* Undo pt_config_fields(): the bytes go back to read-through, write-drop. */
static void pt_config_fields_clear(struct pt *pt, unsigned base, const struct pt_field *f,
				   unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		pt_config_perm(pt, base + f[i].off, f[i].size, 0, 0, 0);
}

/* The virtual bits of the fields of @f at @base read 0 from now on. */
void pt_config_fields_zero(struct pt *pt, unsigned base, const struct pt_field *f, unsigned n)
{
	unsigned i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < f[i].size; j++)
			pt->dev.cfg.data[base + f[i].off + j] &= ~(f[i].virt >> (8 * j));
}

/* Type-0 header, PCI 3.0 §6.1 / §6.2. */
static const struct pt_field pt_header_fields[] = {
	{PCI_VENDOR_ID, 4, ALL32, 0, 0}, /* IDs: read-only copy */
	/* §6.2.2: decode, bus master, parity/SERR, INTx disable go to the device
	 * too (VFIO honours INTx disable by masking the line itself). */
	{PCI_COMMAND, 2, ALL16, PT_CMD_BITS, PT_CMD_BITS},
	/* §6.2.3: status from the device, except the capability-list bit; the
	 * RW1C error bits are cleared in the device. */
	{PCI_STATUS, 2, PCI_STATUS_CAP_LIST, 0, PCI_STATUS_W1C},
	{PCI_REVISION_ID, 4, ALL32, 0, 0},
	/* §6.2.4: cache line size and latency timer are the device's. */
	{PCI_CACHE_LINE, 1, 0, 0, ALL8},
	{PCI_LATENCY_TIMER, 1, 0, 0, ALL8},
	/* Header type (single-function view) and BIST (not offered): copies. */
	{PCI_HEADER_TYPE, 2, ALL16, 0, 0},
	/* §6.2.5: BARs are virtual; pt_bars_init() gives them their wmask. */
	{PCI_BAR0 + 0x00, 4, ALL32, 0, 0},
	{PCI_BAR0 + 0x04, 4, ALL32, 0, 0},
	{PCI_BAR0 + 0x08, 4, ALL32, 0, 0},
	{PCI_BAR0 + 0x0c, 4, ALL32, 0, 0},
	{PCI_BAR0 + 0x10, 4, ALL32, 0, 0},
	{PCI_BAR0 + 0x14, 4, ALL32, 0, 0},
	{0x28, 4, ALL32, 0, 0}, /* CardBus CIS pointer */
	{PCI_SUBSYS_VENDOR, 4, ALL32, 0, 0},
	{PCI_ROM_ADDRESS, 4, ALL32, 0, 0},
	{PCI_CAP_PTR, 4, ALL32, 0, 0}, /* pointer + reserved */
	{0x38, 4, ALL32, 0, 0},	       /* reserved */
	/* §6.2.4: interrupt line is the OS's scratch byte; pin, MIN_GNT, MAX_LAT. */
	{PCI_INTERRUPT_LINE, 4, ALL32, ALL8, 0},
};

/*
 * PCI PM 1.2 §3.2.4 PMCSR: PowerState (1:0), PME_En (8), PME_Status (15,
 * RW1C) go to the device. PowerState is also kept in ptvm's copy: the BARs
 * stop decoding outside D0 (§5.3), and pci/dev.c must see the new state
 * before the device does, to take the BARs' memslots out first.
 */
static const struct pt_field pt_pm_fields[] = {
	{4, 2, PCI_PM_STATE_MASK, PCI_PM_STATE_MASK, 0x8103},
};

/* PCI 3.0 §6.4 / Appendix I VPD: address + flag, data; VFIO emulates the protocol. */
static const struct pt_field pt_vpd_fields[] = {
	{2, 2, 0, 0, ALL16},
	{4, 4, 0, 0, ALL32},
};

/* PCI Advanced Features (ECN): Control bit 0 Initiate FLR. */
static const struct pt_field pt_af_fields[] = {
	{4, 1, 0, 0, 0x01},
};

/*
 * PCIe 4.0 §7.8.4 AER: uncorrectable status (RW1C), mask, severity,
 * correctable status (RW1C), mask, and the ECRC generation/check enables
 * of the capabilities and control register.
 */
static const struct pt_field pt_aer_fields[] = {
	{0x04, 4, 0, 0, ALL32}, {0x08, 4, 0, 0, ALL32}, {0x0c, 4, 0, 0, ALL32},
	{0x10, 4, 0, 0, ALL32}, {0x14, 4, 0, 0, ALL32}, {0x18, 4, 0, 0, 0x00000140},
};

struct pt_cap_desc {
	unsigned id;
	const char *name;
	/* Not shown to the guest (unlinked from the list). */
	bool hide;
	const struct pt_field *fields;
	unsigned nr_fields;
	/* Further setup; -EOPNOTSUPP hides the capability. */
	int (*init)(struct pt *pt, unsigned off);
};

static int pt_vndr_init(struct pt *pt, unsigned off)
{
	unsigned len = pt->dev.cfg.data[off + 2], i;

	/*
	 * PCI 3.0 §6.7: byte 2 of a vendor-specific capability is its length.
	 * Its registers are the driver's business: raw read and write, as
	 * some drivers (virtio's PCI config access window) need.
	 */
	for (i = 3; i < len && off + i < PCI_CFG_STD_SIZE; i++)
		pt->hwmask[off + i] = ALL8;
	return 0;
}

#define FIELDS(f) f, ARRAY_SIZE(f)

static const struct pt_cap_desc pt_caps[] = {
	{CAP_ID_PM, "PM", false, FIELDS(pt_pm_fields), NULL},
	{CAP_ID_VPD, "VPD", false, FIELDS(pt_vpd_fields), NULL},
	{CAP_ID_MSI, "MSI", false, NULL, 0, pt_msi_init},
	{CAP_ID_VNDR, "vendor", false, NULL, 0, pt_vndr_init},
	{CAP_ID_EXP, "PCIe", false, FIELDS(pt_exp_fields), pt_exp_init},
	{CAP_ID_MSIX, "MSI-X", false, NULL, 0, pt_msix_init},
	{CAP_ID_AF, "AF", false, FIELDS(pt_af_fields), NULL},
};

/*
 * Hidden extended capabilities: SR-IOV would create functions behind VFIO's
 * back, (VF) resizable BAR would change BAR sizes VFIO mapped; ATS, PRI and
 * PASID need an IOMMU the guest does not have.
 */
static const struct pt_cap_desc pt_ecaps[] = {
	{ECAP_ID_AER, "AER", false, FIELDS(pt_aer_fields), NULL},
	{ECAP_ID_ATS, "ATS", true, NULL, 0, NULL},
	{ECAP_ID_SRIOV, "SR-IOV", true, NULL, 0, NULL},
	{ECAP_ID_PRI, "PRI", true, NULL, 0, NULL},
	{ECAP_ID_REBAR, "resizable BAR", true, NULL, 0, NULL},
	{ECAP_ID_PASID, "PASID", true, NULL, 0, NULL},
	{ECAP_ID_VFBAR, "VF resizable BAR", true, NULL, 0, NULL},
};

static const struct pt_cap_desc *pt_cap_find(const struct pt_cap_desc *t, unsigned n, unsigned id)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (t[i].id == id)
			return &t[i];
	return NULL;
}

/* Apply @d to the capability at @off; false if it is to be hidden. */
static bool pt_cap_setup(struct pt *pt, const struct pt_cap_desc *d, unsigned off, unsigned limit)
{
	int ret;

	if (d->hide)
		return false;
	/*
	 * A hidden capability leaves nothing behind: its bytes keep the default
	 * (read-through, write-drop). One whose registers run past the end of
	 * its config space is broken and hidden whole, not half-masked; the
	 * init functions set nothing before they can fail, and a failed init
	 * takes the table's masks back.
	 */
	if (!pt_config_fields_fit(off, limit, d->fields, d->nr_fields)) {
		log_info("vfio: %s: %s capability at 0x%x runs past 0x%x: hidden", pt->desc.name,
			 d->name, off, limit);
		return false;
	}
	pt_config_fields(pt, off, limit, d->fields, d->nr_fields);
	if (!d->init)
		return true;
	ret = d->init(pt, off);
	if (!ret)
		return true;
	pt_config_fields_clear(pt, off, d->fields, d->nr_fields);
	log_info("vfio: %s: %s capability at 0x%x hidden: %s", pt->desc.name, d->name, off,
		 strerror(-ret));
	return false;
}

/*
 * PCI 3.0 §6.7: walk the list from the Capabilities Pointer; the bottom two
 * bits of each pointer are reserved. A pointer into the header or to a
 * capability seen before ends the list (a broken device must not loop us).
 */
static void pt_config_walk_std(struct pt *pt, bool has_list)
{
	uint8_t *d = pt->dev.cfg.data;
	const struct pt_cap_desc *cap;
	uint64_t seen = 0;
	unsigned link = PCI_CAP_PTR, off, next, bit;

	off = has_list ? d[PCI_CAP_PTR] & ~3u : 0;
	d[PCI_CAP_PTR] = off;
	while (off) {
		bit = (off - PCI_CAP_START) / 4;
		if (off < PCI_CAP_START || (seen >> bit & 1)) {
			log_err("vfio: %s: capability list loops or points to 0x%x: cut",
				pt->desc.name, off);
			d[link] = 0;
			break;
		}
		seen |= 1ULL << bit;
		pt_config_perm(pt, off, 2, ALL16, 0, 0);
		next = d[off + 1] & ~3u;
		d[off + 1] = next;
		cap = pt_cap_find(pt_caps, ARRAY_SIZE(pt_caps), d[off]);
		if (!cap || pt_cap_setup(pt, cap, off, PCI_CFG_STD_SIZE))
			link = off + 1;
		else
			d[link] = next;
		off = next;
	}
	/* §6.2.3: Capabilities List bit says whether the pointer is valid. */
	if (d[PCI_CAP_PTR])
		d[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
	else
		d[PCI_STATUS] &= ~PCI_STATUS_CAP_LIST;
}

/*
 * PCIe 4.0 §7.6.3: extended capabilities from 0x100, each header ID (15:0),
 * version (19:16), next offset (31:20, dword aligned, 0 ends the list). The
 * first header cannot be unlinked: hiding it leaves ID 0, version 0 and its
 * next pointer, which list walkers skip.
 */
static void pt_config_walk_ext(struct pt *pt)
{
	struct pci_cfg *c = &pt->dev.cfg;
	uint64_t seen[(PCI_CFG_SIZE - PCI_EXT_CAP_START) / 4 / 64] = {0};
	unsigned off = PCI_EXT_CAP_START, link = 0, next, bit;
	const struct pt_cap_desc *d;
	uint32_t hdr;

	if (pt->cfg_size < PCI_CFG_SIZE)
		return;
	hdr = pci_cfg_get(c, off, 4);
	if (hdr == 0 || hdr == ALL32)
		return;
	while (off) {
		bit = (off - PCI_EXT_CAP_START) / 4;
		if (off < PCI_EXT_CAP_START || off > PCI_CFG_SIZE - 4 ||
		    (seen[bit / 64] >> (bit % 64) & 1)) {
			log_err("vfio: %s: extended capability list loops or points to 0x%x: cut",
				pt->desc.name, off);
			if (link)
				pci_cfg_set(c, link, 4, pci_cfg_get(c, link, 4) & 0x000fffff);
			break;
		}
		seen[bit / 64] |= 1ULL << (bit % 64);
		hdr = pci_cfg_get(c, off, 4);
		next = hdr >> 20 & ~3u;
		pt_config_perm(pt, off, 4, ALL32, 0, 0);
		d = pt_cap_find(pt_ecaps, ARRAY_SIZE(pt_ecaps), hdr & 0xffff);
		if (!d || pt_cap_setup(pt, d, off, PCI_CFG_SIZE)) {
			link = off;
		} else if (!link) {
			log_info("vfio: %s: %s capability at 0x%x hidden", pt->desc.name, d->name,
				 off);
			pci_cfg_set(c, off, 4, hdr & 0xfff00000);
			link = off;
		} else {
			log_info("vfio: %s: %s capability at 0x%x hidden", pt->desc.name, d->name,
				 off);
			pci_cfg_set(c, link, 4,
				    (pci_cfg_get(c, link, 4) & 0x000fffff) | next << 20);
		}
		off = next;
	}
}

int pt_config_init(struct pt *pt)
{
	uint64_t len = pt->desc.regions[VFIO_PCI_CONFIG_REGION_INDEX].size;
	struct pci_cfg *c = &pt->dev.cfg;
	uint8_t hw[PCI_CFG_SIZE];
	ssize_t n;
	int ret;

	if (len < PCI_CFG_STD_SIZE) {
		log_err("vfio: %s: config region of %llu bytes", pt->desc.name,
			(unsigned long long)len);
		return -EINVAL;
	}
	pt->cfg_size = len >= PCI_CFG_SIZE ? PCI_CFG_SIZE : PCI_CFG_STD_SIZE;
	memset(hw, 0, sizeof(hw));
	n = pt->be->region_read(pt->be_opaque, VFIO_PCI_CONFIG_REGION_INDEX, hw, pt->cfg_size, 0);
	if (n != (ssize_t)pt->cfg_size) {
		ret = n < 0 ? n : -EIO;
		log_err("vfio: %s: reading config space: %s", pt->desc.name, strerror(-ret));
		return ret;
	}
	if (hw[0] == 0xff && hw[1] == 0xff) {
		log_err("vfio: %s: config space reads all-ones: device gone?", pt->desc.name);
		return -ENODEV;
	}
	/* PCI 3.0 §6.2.1: only a type-0 (endpoint) header is modelled. */
	if ((hw[PCI_HEADER_TYPE] & 0x7f) != 0) {
		log_err("vfio: %s: header type 0x%x: only endpoints can be passed through",
			pt->desc.name, hw[PCI_HEADER_TYPE] & 0x7f);
		return -EINVAL;
	}

	memset(c, 0, sizeof(*c));
	memcpy(c->data, hw, sizeof(hw));
	pt_config_fields(pt, 0, PCI_CAP_START, pt_header_fields, ARRAY_SIZE(pt_header_fields));
	/* Reset values of the virtual header fields (PCI 3.0 §6.2). */
	pci_cfg_set(c, PCI_COMMAND, 2, 0);
	c->data[PCI_HEADER_TYPE] &= 0x7f; /* one function in the guest's slot */
	c->data[0x0f] = 0;		  /* BIST not supported */
	memset(&c->data[PCI_BAR0], 0, 4 * PCI_NUM_BARS);
	pci_cfg_set(c, PCI_ROM_ADDRESS, 4, 0);
	memset(&c->data[PCI_CAP_PTR + 1], 0, 7);
	c->data[PCI_INTERRUPT_LINE] = 0;
	if (!pt->desc.irq_count[VFIO_PCI_INTX_IRQ_INDEX] || c->data[PCI_INTERRUPT_PIN] > 4)
		c->data[PCI_INTERRUPT_PIN] = 0;

	ret = pt_bars_init(pt, hw);
	if (ret)
		return ret;
	pt_config_walk_std(pt, hw[PCI_STATUS] & PCI_STATUS_CAP_LIST);
	pt_config_walk_ext(pt);
	return 0;
}
