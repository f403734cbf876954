// SPDX-License-Identifier: GPL-2.0
/*
 * Why a VMM without firmware needs a reset vector: on a hardware-reduced
 * ACPI machine with no DMI quirk, Linux's x86 reboot code prefers an EFI
 * reset (arch/x86/kernel/reboot.c, reboot_init: efi_reboot_required() is
 * true when ACPI is hardware-reduced). With no EFI it falls through to
 * BOOT_BIOS: back to real mode and a far jump to F000:FFF0, where a BIOS
 * would reset the machine. ptvm puts eight bytes there that do what the
 * guest asked for: write the FADT reset register, then halt.
 */
#include <errno.h>
#include <string.h>

#include "boot/resetvec.h"
#include "layout.h"

int boot_reset_vector(struct guest_mem *m)
{
	/* 16-bit code: out PORT_ACPI_RESET, ACPI_RESET_VALUE; then hlt forever. */
	const uint8_t stub[] = {
		0xba, PORT_ACPI_RESET & 0xff, PORT_ACPI_RESET >> 8, /* mov dx, PORT_ACPI_RESET */
		0xb0, ACPI_RESET_VALUE,				    /* mov al, ACPI_RESET_VALUE */
		0xee,						    /* out dx, al */
		0xf4,						    /* hlt */
		0xeb, 0xfd,					    /* jmp short hlt */
	};
	uint8_t *p = mem_ptr(m, RESETVEC_GPA, sizeof(stub));

	if (!p)
		return -EFAULT;
	memcpy(p, stub, sizeof(stub));
	return 0;
}
