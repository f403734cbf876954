/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How a device raises an interrupt without knowing about KVM: vm.c builds
 * the line (GSI + KVM_IRQ_LINE) or the MSI sink (KVM_SIGNAL_MSI) and hands
 * the device only this.
 */
#ifndef PTVM_IRQ_H
#define PTVM_IRQ_H

#include <stdint.h>

struct irq_line {
	/* Drive the line to @level (0 or 1). Edge-triggered consumers see 0->1. */
	void (*set)(void *opaque, int level);
	void *opaque;
};

static inline void irq_line_set(const struct irq_line *l, int level)
{
	if (l && l->set)
		l->set(l->opaque, level);
}

/* An emulated device's message-signalled interrupts (PCI 3.0 6.8). */
struct msi_sink {
	/* Deliver the MSI (@addr, @data) the guest programmed. */
	void (*send)(void *opaque, uint64_t addr, uint32_t data);
	void *opaque;
};

static inline void msi_sink_send(const struct msi_sink *m, uint64_t addr, uint32_t data)
{
	if (m && m->send)
		m->send(m->opaque, addr, data);
}

#endif
