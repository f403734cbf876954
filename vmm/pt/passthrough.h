/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A passed-through PCI function as a device on ptvm's PCI bus: the config
 * space the guest sees (virtualised with per-byte masks over the device's
 * real one), its BARs (mmapped straight into the guest where possible,
 * trapped elsewhere), MSI-X/MSI emulation on top of eventfds the device
 * signals through VFIO and KVM delivers, and INTx.
 *
 * The model talks to the device only through struct pt_backend_ops (VFIO
 * device.c, or a fake in tests) and to the VM only through struct pt_host
 * (vm.c): it never sees KVM or a VFIO fd.
 *
 * Life cycle, as vm.c drives it:
 *	pt_create()                         before the vCPUs run, or to hot-plug
 *	pci_port_plug(port, pt_pci_dev(pt)) in its root port's slot (pci/port.h)
 *	... guest runs; pt_reset() between a stop and the next start ...
 *	the slot's power goes off, or pci_port_take(): unmaps the decoding BARs
 *	pt_unplug()                         to hot-unplug while the vCPUs run
 *	pt_destroy()                        after the vCPUs stopped, or once no
 *	                                    trapped access started before
 *	                                    pt_unplug() can still be running
 */
#ifndef PTVM_PT_PASSTHROUGH_H
#define PTVM_PT_PASSTHROUGH_H

#include "pci/dev.h"
#include "pt/pt_backend.h"
#include "pt/pt_host.h"

struct pt;

struct pt_stats {
	/* Guest accesses to BAR ranges that are trapped (incl. MSI-X table/PBA). */
	uint64_t trapped_reads;
	uint64_t trapped_writes;
};

/*
 * Read the device's config space through @be (region
 * VFIO_PCI_CONFIG_REGION_INDEX), build the guest's view of it and, when the
 * device has an interrupt pin and VFIO INTx, bind INTx of PCI slot @slot
 * through @host: the bus-0 slot whose _PRT entries route it (for device 0
 * below a root port, the port's slot: the bridge swizzle of device 0 keeps
 * the pin). @desc and @host are copied; @be and @be_opaque must outlive
 * the device. Returns -EINVAL for a bad descriptor or a device that is not a
 * type-0 function, -ENODEV if its config space reads as absent, or the
 * error of the backend or host call that failed.
 */
int pt_create(struct pt **out, const struct pt_backend_ops *be, void *be_opaque,
	      const struct pt_device_desc *desc, const struct pt_host *host,
	      unsigned slot) __must_check;

/* The device for pci_host_attach(); owned by @pt. */
struct pci_dev *pt_pci_dev(struct pt *pt);

/*
 * Put the device in its reset state: MSI/MSI-X off (INTx back on), BARs
 * unmapped, the device reset through the backend when desc->can_reset, and
 * the virtual config space back to the values pt_create() built. Only while
 * the vCPUs are stopped. A device without reset still gets its virtual state
 * reset, silently: what really resets it is the caller's to say, who knows
 * about ptguard (guard_log_reset()). The backend's error is returned otherwise.
 */
int pt_reset(struct pt *pt) __must_check;

/*
 * Disable the device's interrupts in VFIO, remove every route, unmap and
 * untrap every BAR range, close every eventfd the model created and free it.
 * Detach it from the PCI host first. NULL is a no-op.
 */
void pt_destroy(struct pt *pt);

/*
 * Hot-unplug, while the vCPUs run: interrupts off in VFIO and their routes
 * gone (committed), every BAR out of the guest address spaces. A vCPU may
 * still be inside a trapped access that began before: the caller waits
 * for those to end before pt_destroy().
 */
void pt_unplug(struct pt *pt);

void pt_get_stats(const struct pt *pt, struct pt_stats *out);

/*
 * The 64-bit memory BARs' needs: @sum of their sizes and the @largest (both
 * 0 if there are none), for sizing the guest's 64-bit PCI window.
 */
void pt_mem64_bars(const struct pt *pt, uint64_t *sum, uint64_t *largest);

#endif
