// SPDX-License-Identifier: GPL-2.0
/*
 * The PCI Express Capability of a passed-through function as the guest
 * sees it (PCIe 4.0 §7.5.3): its mask tables, and its presentation as an
 * Endpoint below ptvm's emulated Root Port (pci/port.h): its Link
 * registers are a private copy that says what the port says (a trained
 * link, no ASPM) and never reach the device; the Slot and Root registers
 * of version 2 read 0. pt_config.c's capability walk applies
 * pt_exp_fields and calls pt_exp_init() as it does any capability's table
 * and init.
 */
#include <errno.h>

#include "pt/pt_internal.h"

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

/* §7.5.3.6-8 Link Capabilities / Status fields the guest is shown. */
#define EXP_LNKCAP_SPEED_WIDTH 0x000003ff /* Max Link Speed, Max Link Width */
#define EXP_LNKCAP_ASPM_OPT    0x00400000 /* ASPM Optionality Compliance */
#define EXP_LNKSTA_SPEED_WIDTH 0x03ff	  /* Current Link Speed, Negotiated Width */
#define EXP_LNKSTA_SCC	       0x1000	  /* Slot Clock Configuration */
#define EXP_LINK_X1_GEN1       0x0011	  /* x1 at 2.5 GT/s */
/*
 * §7.5.3.7 Link Control bits an Endpoint has: ASPM Control, RCB, Common
 * Clock, Extended Synch, Clock PM, HW Autonomous Width Disable.
 */
#define EXP_LNKCTL_EP_BITS 0x03cb

/* PCIe 4.0 §7.5.3.4 Device Control bits. */
#define EXP_DEVCTL_MPS	   0x00e0 /* Max_Payload_Size */
#define EXP_DEVCTL_PHANTOM 0x0200 /* Phantom Functions Enable */

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
const struct pt_field pt_exp_fields[PT_EXP_NR_FIELDS] = {
	{0x02, 2, EXP_FLAGS_TYPE | EXP_FLAGS_SLOT, 0, 0},
	{0x08, 2, EXP_DEVCTL_MPS, EXP_DEVCTL_MPS, ALL16 & ~(EXP_DEVCTL_MPS | EXP_DEVCTL_PHANTOM)},
	{0x0a, 2, 0, 0, 0x000f},
};

/*
 * The Link registers: virtual. The device's real link is the host's, and
 * the guest's ASPM or retraining must not reach it; Link Control is a
 * private copy. Values: pt_exp_init().
 */
static const struct pt_field pt_exp_link_fields[] = {
	{0x0c, 4, ALL32, 0, 0},			 /* Link Capabilities, §7.5.3.6 */
	{0x10, 2, ALL16, EXP_LNKCTL_EP_BITS, 0}, /* Link Control, §7.5.3.7 */
	{0x12, 2, ALL16, 0, 0},			 /* Link Status, §7.5.3.8 */
};

/*
 * Version 2 only. Slot and Root registers belong to Root and Downstream
 * Ports: virtual, reading 0, writes dropped. The Link 2 registers are
 * virtual as above: Capabilities 2 the device's, Control 2 a private copy,
 * Status 2 reading 0. Device Control 2 (§7.5.3.16): completion timeout
 * value and disable reach the device. Device Capabilities 2 and Device
 * Status 2 are read from the device.
 */
static const struct pt_field pt_exp2_fields[] = {
	{0x14, 4, ALL32, 0, 0},	    /* Slot Capabilities, §7.5.3.9 */
	{0x18, 2, ALL16, 0, 0},	    /* Slot Control, §7.5.3.10 */
	{0x1a, 2, ALL16, 0, 0},	    /* Slot Status, §7.5.3.11 */
	{0x1c, 2, ALL16, 0, 0},	    /* Root Control, §7.5.3.12 */
	{0x1e, 2, ALL16, 0, 0},	    /* Root Capabilities, §7.5.3.13 */
	{0x20, 4, ALL32, 0, 0},	    /* Root Status, §7.5.3.14 */
	{0x28, 2, 0, 0, 0x001f},    /* Device Control 2, §7.5.3.16 */
	{0x2c, 4, ALL32, 0, 0},	    /* Link Capabilities 2, §7.5.3.18 */
	{0x30, 2, ALL16, ALL16, 0}, /* Link Control 2, §7.5.3.19 */
	{0x32, 2, ALL16, 0, 0},	    /* Link Status 2, §7.5.3.20 */
	{0x34, 4, ALL32, 0, 0},	    /* Slot Capabilities 2, §7.5.3.21 */
	{0x38, 2, ALL16, 0, 0},	    /* Slot Control 2, §7.5.3.22 */
	{0x3a, 2, ALL16, 0, 0},	    /* Slot Status 2, §7.5.3.23 */
};

/*
 * The guest finds the function at device 0 below a Root Port of ptvm's
 * (pci/port.h), the lower end of the port's Link: an Endpoint, Device/Port
 * Type 0000b (§7.5.3.2), or a Legacy Endpoint (0001b) if the device says
 * so. A function the host shows as a Root Complex Integrated Endpoint
 * (1001b) becomes an Endpoint too; Slot Implemented reads 0 (Root and
 * Downstream Ports only).
 *
 * Its Link registers say what the port says: Link Capabilities the
 * device's speed and width and nothing else (no ASPM, no Clock PM, no
 * link reporting an Endpoint does not do), Link Status the speed and
 * width the host's link trained to (x1 at 2.5 GT/s if the device shows
 * none), the port taking the lower of its own and these. With no ASPM
 * support at either end, Linux's ASPM code leaves the link alone
 * (pcie_aspm_cap_init()).
 *
 * Version 1 structures (PCIe 1.x) end after the last register the function
 * type has: a (Legacy) Endpoint's after Link Status, an RCiEP's or event
 * collector's after Device Status. The latter have no room for Link
 * registers and keep their type. A structure that does not fit below
 * 0x100 hides the capability.
 */
int pt_exp_init(struct pt *pt, unsigned off)
{
	struct pci_cfg *c = &pt->dev.cfg;
	uint16_t flags = pci_cfg_get(c, off + 2, 2);
	unsigned type = (flags & EXP_FLAGS_TYPE) >> 4;
	bool v2 = (flags & EXP_FLAGS_VERS) >= 2;
	bool link = v2 || type == EXP_TYPE_ENDPOINT || type == EXP_TYPE_LEGACY;
	uint32_t lnkcap;
	uint16_t lnksta, lnkctl2;

	if (off + (v2 ? EXP_V2_SIZE : link ? EXP_V1_LINK_SIZE : 0) > PCI_CFG_STD_SIZE)
		return -EOPNOTSUPP;
	flags &= ~EXP_FLAGS_SLOT;
	if (link && type != EXP_TYPE_LEGACY)
		flags = (flags & ~EXP_FLAGS_TYPE) | EXP_TYPE_ENDPOINT << 4;
	pci_cfg_set(c, off + 2, 2, flags);
	if (!link)
		return 0;
	/* The device's values, read before the virtual copies are cleared. */
	lnkcap = pci_cfg_get(c, off + 0x0c, 4) & (EXP_LNKCAP_SPEED_WIDTH | EXP_LNKCAP_ASPM_OPT);
	lnksta = pci_cfg_get(c, off + 0x12, 2) & (EXP_LNKSTA_SPEED_WIDTH | EXP_LNKSTA_SCC);
	lnkctl2 = v2 ? pci_cfg_get(c, off + 0x30, 2) : 0;
	if (!(lnkcap & 0xf) || !(lnkcap & 0x3f0))
		lnkcap = (lnkcap & ~EXP_LNKCAP_SPEED_WIDTH) | EXP_LINK_X1_GEN1;
	if (!(lnksta & 0xf) || !(lnksta & 0x3f0))
		lnksta = (lnksta & EXP_LNKSTA_SCC) | (lnkcap & EXP_LNKSTA_SPEED_WIDTH);
	pt_config_fields(pt, off, PCI_CFG_STD_SIZE, pt_exp_link_fields,
			 ARRAY_SIZE(pt_exp_link_fields));
	pt_config_fields_zero(pt, off, pt_exp_link_fields, ARRAY_SIZE(pt_exp_link_fields));
	pci_cfg_set(c, off + 0x0c, 4, lnkcap);
	pci_cfg_set(c, off + 0x12, 2, lnksta);
	if (v2) {
		uint32_t lnkcap2 = pci_cfg_get(c, off + 0x2c, 4);

		pt_config_fields(pt, off, PCI_CFG_STD_SIZE, pt_exp2_fields,
				 ARRAY_SIZE(pt_exp2_fields));
		pt_config_fields_zero(pt, off, pt_exp2_fields, ARRAY_SIZE(pt_exp2_fields));
		pci_cfg_set(c, off + 0x2c, 4, lnkcap2);
		pci_cfg_set(c, off + 0x30, 2, lnkctl2);
	}
	return 0;
}
