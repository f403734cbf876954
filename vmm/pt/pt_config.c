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
 * capability can be hidden by unlinking it from the guest's list.
 */
#include <errno.h>
#include <string.h>

#include "pt/pt_internal.h"

#define ALL8		  0xffu
#define ALL16		  0xffffu
#define ALL32		  0xffffffffu

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

/* PCIe 4.0 §7.5.3: bytes of a version 2 PCI Express Capability structure. */
#define EXP_V2_SIZE 0x3c
/* A version 1 structure of a function with a Link ends after Link Status. */
#define EXP_V1_LINK_SIZE 0x14

/* PCIe 4.0 §7.5.3.2 PCI Express Capabilities register. */
#define EXP_FLAGS_VERS	  0x000f /* Capability Version */
#define EXP_FLAGS_TYPE	  0x00f0 /* Device/Port Type */
#define EXP_FLAGS_SLOT	  0x0100 /* Slot Implemented */
#define EXP_TYPE_ENDPOINT 0x0
#define EXP_TYPE_LEGACY	  0x1
#define EXP_TYPE_RCIEP	  0x9 /* Root Complex Integrated Endpoint */

/* PCIe 4.0 §7.5.3.4 Device Control bits. */
#define EXP_DEVCTL_MPS	   0x00e0 /* Max_Payload_Size */
#define EXP_DEVCTL_PHANTOM 0x0200 /* Phantom Functions Enable */

struct pt_field {
	uint16_t off; /* from the start of the header or capability */
	uint8_t size; /* 1, 2 or 4 */
	uint32_t virt, write, hw;
};

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

static void pt_config_fields(struct pt *pt, unsigned base, unsigned limit, const struct pt_field *f,
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
static void pt_config_fields_zero(struct pt *pt, unsigned base, const struct pt_field *f,
				  unsigned n)
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

/*
 * PCIe 4.0 §7.5.3, every version. PCI Express Capabilities (§7.5.3.2):
 * Device/Port Type and Slot Implemented are ptvm's (pt_exp_init), the rest
 * is the device's; read-only. Device Control (§7.5.3.4): error reporting
 * enables, relaxed ordering, extended tag, aux power, no snoop,
 * Max_Read_Request_Size and Initiate FLR (VFIO turns it into a function
 * reset) reach the device. Max_Payload_Size must match the rest of the
 * fabric the host configured, so the guest gets a private copy; phantom
 * functions would use requester IDs the IOMMU does not know: dropped.
 * Device Status (§7.5.3.5) error bits are RW1C.
 */
static const struct pt_field pt_exp_fields[] = {
	{0x02, 2, EXP_FLAGS_TYPE | EXP_FLAGS_SLOT, 0, 0},
	{0x08, 2, EXP_DEVCTL_MPS, EXP_DEVCTL_MPS, ALL16 & ~(EXP_DEVCTL_MPS | EXP_DEVCTL_PHANTOM)},
	{0x0a, 2, 0, 0, 0x000f},
};

/*
 * The Link registers, which an RCiEP does not have (§1.3.2.3): virtual,
 * reading 0, guest writes dropped. The device's real link is the host's.
 */
static const struct pt_field pt_exp_link_fields[] = {
	{0x0c, 4, ALL32, 0, 0}, /* Link Capabilities, §7.5.3.6 */
	{0x10, 2, ALL16, 0, 0}, /* Link Control, §7.5.3.7 (ASPM, retrain, ...) */
	{0x12, 2, ALL16, 0, 0}, /* Link Status, §7.5.3.8 */
};

/*
 * Version 2 only. Slot and Root registers belong to Root and Downstream
 * Ports, the Link 2 registers to functions with a Link: virtual, reading 0,
 * writes dropped, as above. Device Control 2 (§7.5.3.16): completion
 * timeout value and disable reach the device. Device Capabilities 2 and
 * Device Status 2 are read from the device.
 */
static const struct pt_field pt_exp2_fields[] = {
	{0x14, 4, ALL32, 0, 0},	 /* Slot Capabilities, §7.5.3.9 */
	{0x18, 2, ALL16, 0, 0},	 /* Slot Control, §7.5.3.10 */
	{0x1a, 2, ALL16, 0, 0},	 /* Slot Status, §7.5.3.11 */
	{0x1c, 2, ALL16, 0, 0},	 /* Root Control, §7.5.3.12 */
	{0x1e, 2, ALL16, 0, 0},	 /* Root Capabilities, §7.5.3.13 */
	{0x20, 4, ALL32, 0, 0},	 /* Root Status, §7.5.3.14 */
	{0x28, 2, 0, 0, 0x001f}, /* Device Control 2, §7.5.3.16 */
	{0x2c, 4, ALL32, 0, 0},	 /* Link Capabilities 2, §7.5.3.18 */
	{0x30, 2, ALL16, 0, 0},	 /* Link Control 2, §7.5.3.19 */
	{0x32, 2, ALL16, 0, 0},	 /* Link Status 2, §7.5.3.20 */
	{0x34, 4, ALL32, 0, 0},	 /* Slot Capabilities 2, §7.5.3.21 */
	{0x38, 2, ALL16, 0, 0},	 /* Slot Control 2, §7.5.3.22 */
	{0x3a, 2, ALL16, 0, 0},	 /* Slot Status 2, §7.5.3.23 */
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

/*
 * The guest finds the function on bus 0 of ptvm's root complex with no Root
 * Port above it: where PCIe 4.0 §1.3.2.3 puts a Root Complex Integrated
 * Endpoint, which has no Link and none of the Link registers. So that is
 * what the guest is shown, Device/Port Type 1001b (§7.5.3.2), whatever the
 * device says; it usually says Endpoint (0000b) or Legacy Endpoint (0001b),
 * the lower end of a Link that would have no upper end here. Slot
 * Implemented reads 0: it applies to Root and Downstream Ports only.
 *
 * That is also what keeps Linux (6.1) off the link: pcie_capability_*()
 * reads the Link registers of an RCiEP as 0 and drops writes to them
 * without a config access (pcie_cap_has_lnkctl() is false for the type),
 * and ASPM (drivers/pci/pcie/aspm.c) only manages a Link that has a Root or
 * Downstream Port at its upper end. A write that comes anyway reaches
 * nothing (the tables above). Linux programs an RCiEP's Max_Payload_Size
 * to its maximum; that field is the guest's private copy.
 *
 * Version 1 structures (PCIe 1.x) end after the last register the function
 * type has: a (Legacy) Endpoint's after Link Status, an RCiEP's or event
 * collector's after Device Status, so only the former has Link registers
 * to hide. A structure that does not fit below 0x100 hides the capability.
 */
static int pt_exp_init(struct pt *pt, unsigned off)
{
	struct pci_cfg *c = &pt->dev.cfg;
	uint16_t flags = pci_cfg_get(c, off + 2, 2);
	unsigned type = (flags & EXP_FLAGS_TYPE) >> 4;
	bool v2 = (flags & EXP_FLAGS_VERS) >= 2;
	bool link = v2 || type == EXP_TYPE_ENDPOINT || type == EXP_TYPE_LEGACY;

	if (off + (v2 ? EXP_V2_SIZE : link ? EXP_V1_LINK_SIZE : 0) > PCI_CFG_STD_SIZE)
		return -EOPNOTSUPP;
	flags &= ~(EXP_FLAGS_TYPE | EXP_FLAGS_SLOT);
	pci_cfg_set(c, off + 2, 2, flags | EXP_TYPE_RCIEP << 4);
	if (link) {
		pt_config_fields(pt, off, PCI_CFG_STD_SIZE, pt_exp_link_fields,
				 ARRAY_SIZE(pt_exp_link_fields));
		pt_config_fields_zero(pt, off, pt_exp_link_fields, ARRAY_SIZE(pt_exp_link_fields));
	}
	if (v2) {
		pt_config_fields(pt, off, PCI_CFG_STD_SIZE, pt_exp2_fields,
				 ARRAY_SIZE(pt_exp2_fields));
		pt_config_fields_zero(pt, off, pt_exp2_fields, ARRAY_SIZE(pt_exp2_fields));
	}
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
