// SPDX-License-Identifier: GPL-2.0
/*
 * The passthrough device: life cycle, the pci_dev hooks, eventfds and the
 * interrupt mode (INTx, MSI or MSI-X: VFIO runs one index at a time, and a
 * PCI function uses one of them, PCI 3.0 §6.8 / PCIe 4.0 §7.7). See
 * passthrough.h for the contract and pt_internal.h for the locking.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "pt/pt_internal.h"

static const struct pci_dev_ops pt_dev_ops = {
	.cfg_read = pt_config_read,
	.cfg_write = pt_config_write,
	.cfg_commit = pt_config_commit,
	.bar_map = pt_bar_map,
};

int pt_eventfd_new(struct pt *pt, const char *what)
{
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	if (fd < 0) {
		fd = -errno;
		log_err("vfio: %s: %s eventfd: %s", pt->desc.name, what, strerror(-fd));
	}
	return fd;
}

void pt_eventfd_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

bool pt_eventfd_pending(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	return poll(&p, 1, 0) > 0 && (p.revents & POLLIN);
}

static void pt_irq_mode_off(struct pt *pt)
{
	switch (pt->mode) {
	case PT_IRQ_MSIX:
		pt_msix_off(pt);
		break;
	case PT_IRQ_MSI:
		pt_msi_off(pt);
		break;
	case PT_IRQ_INTX:
		pt_intx_off(pt);
		break;
	case PT_IRQ_NONE:
		break;
	}
	pt->mode = PT_IRQ_NONE;
}

static int pt_irq_mode_on(struct pt *pt, enum pt_irq_mode mode)
{
	switch (mode) {
	case PT_IRQ_MSIX:
		return pt_msix_on(pt);
	case PT_IRQ_MSI:
		return pt_msi_on(pt);
	case PT_IRQ_INTX:
		return pt_intx_on(pt);
	case PT_IRQ_NONE:
		break;
	}
	return 0;
}

void pt_irq_commit(struct pt *pt)
{
	/* A failure is the host's to log; what it staged waits for its next commit. */
	(void)!pt->host.ops->msi_commit(pt->host.opaque);
}

void pt_irq_sync(struct pt *pt)
{
	enum pt_irq_mode want = PT_IRQ_NONE;
	int ret;

	pt_msi_clamp_mme(pt);
	/* PCIe 4.0 §7.7.2.2: with MSI-X enabled, MSI and INTx are not used. */
	if (pt_msix_wanted(pt))
		want = PT_IRQ_MSIX;
	else if (pt_msi_wanted(pt))
		want = PT_IRQ_MSI;
	else if (pt->intx.pin)
		want = PT_IRQ_INTX;
	if (want != pt->mode) {
		pt_irq_mode_off(pt);
		ret = pt_irq_mode_on(pt, want);
		if (ret)
			log_guest(&pt->log_key_irq, "vfio: %s: no interrupts in mode %d: %s",
				  pt->desc.name, want, strerror(-ret));
		else
			pt->mode = want;
	}
	if (pt->mode == PT_IRQ_MSIX)
		pt_msix_sync(pt);
	else if (pt->mode == PT_IRQ_MSI)
		pt_msi_sync(pt);
	pt_irq_commit(pt);
}

static bool pt_host_ok(const struct pt_host *h)
{
	const struct pt_host_ops *o = h ? h->ops : NULL;

	return o && h->mmio && h->pio && o->msi_add && o->msi_update && o->msi_remove &&
	       o->msi_commit && o->intx_bind && o->intx_unbind;
}

static bool pt_backend_ok(const struct pt_backend_ops *be, const struct pt_device_desc *desc)
{
	return be && be->region_read && be->region_write && be->set_irqs && be->intx_unmask_fd &&
	       (be->reset || !desc->can_reset);
}

int pt_create(struct pt **out, const struct pt_backend_ops *be, void *be_opaque,
	      const struct pt_device_desc *desc, const struct pt_host *host, unsigned slot)
{
	struct pt *pt;
	unsigned i;
	int ret;

	if (!out || !desc || !pt_backend_ok(be, desc) || !pt_host_ok(host))
		return -EINVAL;
	pt = calloc(1, sizeof(*pt));
	if (!pt)
		return -ENOMEM;
	pt->be = be;
	pt->be_opaque = be_opaque;
	pt->desc = *desc;
	pt->desc.name[sizeof(pt->desc.name) - 1] = '\0';
	pt->host = *host;
	pt->slot = slot;
	for (i = 0; i < PT_MSI_MAX_VECS; i++)
		pt->msi.vec[i].fd = pt->msi.vec[i].route = -1;
	pt->intx.trigger = pt->intx.resample = -1;
	pt->dev.ops = &pt_dev_ops;
	pt->dev.opaque = pt;
	pt->dev.name = pt->desc.name;
	ret = pthread_mutex_init(&pt->lock, NULL);
	if (ret) {
		ret = -ret;
		goto err_free;
	}
	ret = pt_config_init(pt);
	if (ret)
		goto err_msix;
	ret = pt_bars_regions(pt);
	if (ret)
		goto err_msix;
	pt->reset_cfg = pt->dev.cfg;
	/* The guest finds the function with decoding and bus mastering off. */
	pt_config_hw_write(pt, PCI_COMMAND, 2, 0);
	ret = pt_intx_init(pt);
	if (ret)
		goto err_msix;
	pt->mode = pt->intx.pin ? PT_IRQ_INTX : PT_IRQ_NONE;
	*out = pt;
	return 0;

err_msix:
	pt_bars_free(pt);
	pt_msix_free(pt);
	pthread_mutex_destroy(&pt->lock);
err_free:
	free(pt);
	return ret;
}

struct pci_dev *pt_pci_dev(struct pt *pt)
{
	return &pt->dev;
}

int pt_reset(struct pt *pt)
{
	int ret = 0;

	pthread_mutex_lock(&pt->lock);
	pt_irq_mode_off(pt);
	pthread_mutex_unlock(&pt->lock);
	pt_bars_unmap_all(pt);
	/* Without a reset of its own the caller said which reset it gets (guard.h). */
	if (pt->desc.can_reset) {
		ret = pt->be->reset(pt->be_opaque);
		if (ret)
			log_err("vfio: %s: reset: %s", pt->desc.name, strerror(-ret));
	}
	pt->dev.cfg = pt->reset_cfg;
	pt_config_hw_write(pt, PCI_COMMAND, 2, 0);
	pthread_mutex_lock(&pt->lock);
	pt_msix_reset(pt);
	pt_irq_sync(pt);
	pthread_mutex_unlock(&pt->lock);
	return ret;
}

void pt_unplug(struct pt *pt)
{
	pthread_mutex_lock(&pt->lock);
	pt_irq_mode_off(pt);
	pt_irq_commit(pt);
	pthread_mutex_unlock(&pt->lock);
	pt_bars_unmap_all(pt);
}

void pt_destroy(struct pt *pt)
{
	if (!pt)
		return;
	pthread_mutex_lock(&pt->lock);
	pt_irq_mode_off(pt);
	pt_irq_commit(pt);
	pthread_mutex_unlock(&pt->lock);
	pt_bars_unmap_all(pt);
	pt_bars_free(pt);
	pt_intx_free(pt);
	pt_msix_free(pt);
	pthread_mutex_destroy(&pt->lock);
	free(pt);
}

void pt_get_stats(const struct pt *pt, struct pt_stats *out)
{
	out->trapped_reads = __atomic_load_n(&pt->stats.trapped_reads, __ATOMIC_RELAXED);
	out->trapped_writes = __atomic_load_n(&pt->stats.trapped_writes, __ATOMIC_RELAXED);
}
