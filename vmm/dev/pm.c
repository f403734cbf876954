// SPDX-License-Identifier: GPL-2.0
/*
 * ACPI hardware-reduced power registers and the i8042 reset line.
 *
 * ACPI 6.4 4.8.3.7 Sleep Control Register: bit 5 SLP_EN, bits 4:2 SLP_TYPx;
 * writing SLP_EN with the \_S5_ value enters soft-off. 4.8.3.8 Sleep Status
 * Register: bit 7 WAK_STS (write 1 to clear), never set here since the guest
 * does not wake. 4.8.3.6 Reset Register: writing the FADT RESET_VALUE resets.
 */
#include <errno.h>
#include <stdlib.h>

#include "dev/pm.h"
#include "layout.h"

#define SLP_EN	       (1u << 5)
#define SLP_TYP(v)     (((v) >> 2) & 0x7)
#define I8042_CMD_PORT (0x64 - PORT_I8042)
/*
 * i8042 commands 0xf0..0xff pulse output-port bits 3:0 low for those bits
 * that are 0 in the command; output-port bit 0 is the CPU reset line. Linux
 * (and every BIOS) uses 0xfe.
 */
#define I8042_PULSE(v)	(((v)&0xf0) == 0xf0)
#define I8042_RESET_BIT 0x01

struct pm {
	void (*event)(void *opaque, enum pm_event ev);
	void *opaque;
	unsigned bad_log; /* log_guest() key */
};

static void pm_emit(struct pm *pm, enum pm_event ev)
{
	if (pm->event)
		pm->event(pm->opaque, ev);
}

static void pm_acpi_write_byte(struct pm *pm, unsigned port, uint8_t v)
{
	switch (port + PORT_ACPI_SLEEP_CTL) {
	case PORT_ACPI_SLEEP_CTL:
		if (!(v & SLP_EN))
			return;
		if (SLP_TYP(v) == ACPI_S5_SLP_TYP) {
			pm_emit(pm, PM_POWEROFF);
			return;
		}
		log_guest(&pm->bad_log, "pm: sleep type %u not supported", SLP_TYP(v));
		return;
	case PORT_ACPI_SLEEP_STS:
		return; /* WAK_STS is never set; clearing it is a no-op */
	case PORT_ACPI_RESET:
		if (v == ACPI_RESET_VALUE) {
			pm_emit(pm, PM_RESET);
			return;
		}
		log_guest(&pm->bad_log, "pm: reset register write 0x%02x ignored", v);
		return;
	}
}

/* All three registers read as 0: SLP_EN is write-only, WAK_STS clear. */
static uint64_t pm_acpi_read(void *opaque, uint64_t offset, unsigned size)
{
	return 0;
}

/* Byte registers; a wider access is byte cycles at consecutive ports. */
static void pm_acpi_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	unsigned i;

	for (i = 0; i < size && offset + i < PM_ACPI_PORTS; i++)
		pm_acpi_write_byte(opaque, offset + i, value >> (8 * i));
}

const struct bus_ops pm_acpi_ops = {
	.read = pm_acpi_read,
	.write = pm_acpi_write,
};

/*
 * Everything reads 0: in particular status port 0x64 says output buffer
 * empty (bit 0) and input buffer empty (bit 1), so a guest's "wait until
 * the controller accepts a command" loop before 0xfe ends at once.
 */
static uint64_t pm_i8042_read(void *opaque, uint64_t offset, unsigned size)
{
	return 0;
}

static void pm_i8042_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct pm *pm = opaque;
	uint8_t cmd = value;

	if (offset != I8042_CMD_PORT || size != 1)
		return;
	if (I8042_PULSE(cmd) && !(cmd & I8042_RESET_BIT))
		pm_emit(pm, PM_RESET);
}

const struct bus_ops pm_i8042_ops = {
	.read = pm_i8042_read,
	.write = pm_i8042_write,
};

int pm_create(struct pm **out, void (*event)(void *opaque, enum pm_event ev), void *opaque)
{
	struct pm *pm;

	pm = calloc(1, sizeof(*pm));
	if (!pm)
		return -ENOMEM;
	pm->event = event;
	pm->opaque = opaque;
	*out = pm;
	return 0;
}

void pm_destroy(struct pm *pm)
{
	free(pm);
}
