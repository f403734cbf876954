/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Power management a guest can reach: the ACPI hardware-reduced sleep
 * control, sleep status and reset registers (FADT SLEEP_CONTROL_REG,
 * SLEEP_STATUS_REG, RESET_REG at PORT_ACPI_SLEEP_CTL..PORT_ACPI_RESET), and
 * the i8042 keyboard controller's "pulse reset line" command (PORT_I8042).
 * Both only turn guest writes into events; what an event does is the
 * caller's business (vm.c stops the vCPUs).
 */
#ifndef PTVM_DEV_PM_H
#define PTVM_DEV_PM_H

#include "bus.h"

enum pm_event {
	PM_POWEROFF,
	PM_RESET,
};

struct pm;

/*
 * @event is called from the vCPU thread that made the request, with no lock
 * held; it may be called again if the guest repeats the request.
 */
int pm_create(struct pm **out, void (*event)(void *opaque, enum pm_event ev),
	      void *opaque) __must_check;
void pm_destroy(struct pm *pm);

/* Bus handlers; opaque is the struct pm. */
extern const struct bus_ops pm_acpi_ops;  /* 3 ports at PORT_ACPI_SLEEP_CTL */
extern const struct bus_ops pm_i8042_ops; /* 5 ports at PORT_I8042 */

#define PM_ACPI_PORTS  3
#define PM_I8042_PORTS 5

#endif
