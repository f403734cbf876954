/* SPDX-License-Identifier: GPL-2.0 */
/* A struct irq_line that records every level it is driven to, for tests. */
#ifndef PTVM_TEST_FAKE_IRQ_H
#define PTVM_TEST_FAKE_IRQ_H

#include <string.h>

#include "irq.h"

#define FAKE_IRQ_MAX 64

struct fake_irq {
	struct irq_line line;
	int level;   /* current level, -1 before the first set */
	unsigned nr; /* number of set() calls */
	int history[FAKE_IRQ_MAX];
};

static inline void fake_irq_set(void *opaque, int level)
{
	struct fake_irq *f = opaque;

	if (f->nr < FAKE_IRQ_MAX)
		f->history[f->nr] = level;
	f->nr++;
	f->level = level;
}

static inline void fake_irq_init(struct fake_irq *f)
{
	memset(f, 0, sizeof(*f));
	f->level = -1;
	f->line.set = fake_irq_set;
	f->line.opaque = f;
}

/* Forget the history, keep the level. */
static inline void fake_irq_clear(struct fake_irq *f)
{
	f->nr = 0;
}

#endif
