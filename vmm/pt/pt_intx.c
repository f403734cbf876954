// SPDX-License-Identifier: GPL-2.0
/*
 * INTx of a passed-through function (PCI 3.0 §2.2.6, §6.2.4): a level
 * interrupt delivered entirely in the kernel. VFIO signals the trigger
 * eventfd and masks the line; KVM asserts the pin's GSI from it (the host's
 * intx_bind) and, when the guest EOIs, signals the resample eventfd, which
 * VFIO turns into an unmask. ptvm never wakes for an interrupt.
 *
 * VFIO allows one interrupt index at a time: INTx is dropped from VFIO while
 * the guest uses MSI or MSI-X and re-enabled afterwards; the KVM binding
 * stays for the device's lifetime. The Interrupt Line register is the
 * guest's scratch byte (pt_config.c); COMMAND.INTx Disable reaches VFIO,
 * which masks the line for it.
 */
#include <errno.h>
#include <string.h>

#include "pt/pt_internal.h"

int pt_intx_init(struct pt *pt)
{
	struct pt_intx *x = &pt->intx;
	int ret;

	x->trigger = x->resample = -1;
	/* pt_config_init() cleared the pin if VFIO has no INTx for the device. */
	x->pin = pt->dev.cfg.data[PCI_INTERRUPT_PIN];
	if (!x->pin)
		return 0;
	ret = pt_eventfd_new(pt, "INTx trigger");
	if (ret < 0)
		goto err;
	x->trigger = ret;
	ret = pt_eventfd_new(pt, "INTx resample");
	if (ret < 0)
		goto err_close;
	x->resample = ret;
	ret = pt->host.ops->intx_bind(pt->host.opaque, pt->slot, x->pin, x->trigger, x->resample);
	if (ret < 0) {
		log_err("vfio: %s: binding INTx pin %u: %s", pt->desc.name, x->pin, strerror(-ret));
		goto err_close;
	}
	ret = pt_intx_on(pt);
	if (ret)
		goto err_unbind;
	return 0;

err_unbind:
	pt->host.ops->intx_unbind(pt->host.opaque, pt->slot, x->pin, x->trigger);
err_close:
	pt_eventfd_close(&x->resample);
	pt_eventfd_close(&x->trigger);
err:
	x->pin = 0;
	return ret;
}

int pt_intx_on(struct pt *pt)
{
	struct pt_intx *x = &pt->intx;
	int ret;

	if (!x->pin || x->on)
		return 0;
	ret = pt->be->set_irqs(pt->be_opaque, VFIO_PCI_INTX_IRQ_INDEX, 0, 1, &x->trigger);
	if (ret) {
		log_err("vfio: %s: enabling INTx: %s", pt->desc.name, strerror(-ret));
		return ret;
	}
	ret = pt->be->intx_unmask_fd(pt->be_opaque, x->resample);
	if (ret) {
		log_err("vfio: %s: INTx unmask eventfd: %s", pt->desc.name, strerror(-ret));
		if (pt->be->set_irqs(pt->be_opaque, VFIO_PCI_INTX_IRQ_INDEX, 0, 0, NULL))
			log_err("vfio: %s: disabling INTx failed too", pt->desc.name);
		return ret;
	}
	x->on = true;
	return 0;
}

void pt_intx_off(struct pt *pt)
{
	struct pt_intx *x = &pt->intx;
	int ret;

	if (!x->on)
		return;
	/* Disabling the index also drops VFIO's unmask binding of @resample. */
	ret = pt->be->set_irqs(pt->be_opaque, VFIO_PCI_INTX_IRQ_INDEX, 0, 0, NULL);
	if (ret)
		log_err("vfio: %s: disabling INTx: %s", pt->desc.name, strerror(-ret));
	x->on = false;
}

void pt_intx_free(struct pt *pt)
{
	struct pt_intx *x = &pt->intx;

	pt_intx_off(pt);
	if (x->pin)
		pt->host.ops->intx_unbind(pt->host.opaque, pt->slot, x->pin, x->trigger);
	pt_eventfd_close(&x->resample);
	pt_eventfd_close(&x->trigger);
	x->pin = 0;
}
