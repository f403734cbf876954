// SPDX-License-Identifier: GPL-2.0
/*
 * _OSC of the PCI root bridge (ACPI 6.x 6.2.11; PCI Firmware Specification
 * 3.x 4.5): the operating system asks for control of PCIe features, and
 * the platform grants those it leaves to it. Without _OSC, Linux keeps its
 * hands off native PCIe hot-plug (acpi_pci_root_add() clears
 * native_pcie_hotplug), and the root ports' slots (pci/port.h) would have
 * no driver.
 *
 *	Method (_OSC, 4) {
 *		CreateDWordField (Arg3, 0, CDW1)
 *		If (Arg0 == ToUUID ("33db4d5b-1ff7-401c-9657-7441c03dd766")) {
 *			CreateDWordField (Arg3, 8, CDW3)
 *			Local0 = CDW3 & GRANTED
 *			If (Arg1 != 1) { CDW1 |= UNKNOWN_REVISION }
 *			If (Local0 != CDW3) { CDW1 |= CAPS_MASKED }
 *			CDW3 = Local0
 *		} Else {
 *			CDW1 |= UNKNOWN_UUID
 *		}
 *		Return (Arg3)
 *	}
 */
#include "boot/acpi.h"
#include "boot/aml.h"

/* PCI Firmware Spec 3.x Table 4-5, the PCI Express host bridge interface. */
#define OSC_PCI_UUID "33db4d5b-1ff7-401c-9657-7441c03dd766"
/*
 * Table 4-7 control field: native PCIe hot-plug (bit 0) and the PCI
 * Express Capability structure (bit 4; Linux asks for nothing without
 * it). Not SHPC, PME, AER, LTR, DPC: the ports have none of them.
 */
#define OSC_CTRL_GRANTED 0x11
/* Table 4-3 Capabilities Buffer, first dword: the errors the platform reports. */
#define OSC_UNKNOWN_UUID     0x04
#define OSC_UNKNOWN_REVISION 0x08
#define OSC_CAPS_MASKED	     0x10

/* CDW1 |= @bit. */
static void acpi_osc_flag(struct aml *a, unsigned bit)
{
	aml_or(a);
	aml_namestring(a, "CDW1");
	aml_int(a, bit);
	aml_namestring(a, "CDW1");
}

void acpi_pci_osc(struct aml *a)
{
	size_t m = aml_method(a, "_OSC", 4, false), i, j;

	aml_create_dword_field(a);
	aml_arg(a, 3);
	aml_int(a, 0);
	aml_namestring(a, "CDW1");

	i = aml_if(a);
	aml_lequal(a);
	aml_arg(a, 0);
	aml_uuid(a, OSC_PCI_UUID);
	aml_create_dword_field(a);
	aml_arg(a, 3);
	aml_int(a, 8);
	aml_namestring(a, "CDW3");
	aml_and(a);
	aml_namestring(a, "CDW3");
	aml_int(a, OSC_CTRL_GRANTED);
	aml_local(a, 0);
	j = aml_if(a);
	aml_lnot(a);
	aml_lequal(a);
	aml_arg(a, 1);
	aml_int(a, 1);
	acpi_osc_flag(a, OSC_UNKNOWN_REVISION);
	aml_end(a, j);
	j = aml_if(a);
	aml_lnot(a);
	aml_lequal(a);
	aml_local(a, 0);
	aml_namestring(a, "CDW3");
	acpi_osc_flag(a, OSC_CAPS_MASKED);
	aml_end(a, j);
	aml_store(a);
	aml_local(a, 0);
	aml_namestring(a, "CDW3");
	aml_end(a, i);

	i = aml_else(a);
	acpi_osc_flag(a, OSC_UNKNOWN_UUID);
	aml_end(a, i);

	aml_return(a);
	aml_arg(a, 3);
	aml_end(a, m);
}
