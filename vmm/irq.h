/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How a device raises an interrupt without knowing about KVM: vm.c builds
 * the line (GSI + KVM_IRQ_LINE) and hands the device only this.
 */
#ifndef PTVM_IRQ_H
#define PTVM_IRQ_H

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

#endif
