// SPDX-License-Identifier: GPL-2.0
/*
 * The PCI Express Capability of a passed-through function as the guest
 * sees it (PCIe 4.0 §7.5.3): its mask tables, and its presentation as a
 * Root Complex Integrated Endpoint (§1.3.2.3), whose Link registers (and
 * the Slot and Root registers of version 2) read 0 and never reach the
 * device. pt_config.c's capability walk applies pt_exp_fields and calls
 * pt_exp_init() as it does any capability's table and init.
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
#define EXP_TYPE_RCIEP	  0x9 /* Root Complex Integrated Endpoint */

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
int pt_exp_init(struct pt *pt, unsigned off)
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
