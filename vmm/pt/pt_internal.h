/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the passthrough model: struct pt and the functions its files
 * (passthrough.c, pt_config.c, pt_exp.c, pt_config_rw.c, pt_bars.c,
 * pt_msix.c, pt_msix_table.c, pt_msi.c, pt_intx.c) call in each other. Not
 * for users of the model: see passthrough.h.
 *
 * Locking: config accesses are serialised by the PCI host lock. BAR traps
 * (incl. the MSI-X table) run on any vCPU thread at any time, so the
 * interrupt state (MSI-X table, MSI, INTx, the mode) is under pt->lock,
 * taken by the config write path and the MSI-X trap handlers. Host and
 * backend ops are called with it held and must not call back into the model.
 */
#ifndef PTVM_PT_INTERNAL_H
#define PTVM_PT_INTERNAL_H

#include <pthread.h>

#include "pt/passthrough.h"

#define PT_PAGE	   SZ_4K
#define PT_NR_BARS (PCI_ROM_BAR + 1) /* BAR0..5 and the expansion ROM */

/* Every bit of a config field of 1, 2 or 4 bytes, for the mask tables. */
#define ALL8  0xffu
#define ALL16 0xffffu
#define ALL32 0xffffffffu

struct pt;

/*
 * A BAR as one region of the guest address space: its mmap areas (minus
 * the MSI-X pages) are the region's maps, everything else exits to
 * pt_bars.c's handlers, which get this struct (stable for the device's
 * life) and offsets from the BAR's start.
 */
struct pt_bar {
	struct pt *pt;
	unsigned idx;
	uint64_t size; /* 0: not implemented (or upper half of a 64-bit BAR) */
	bool io;
	struct as_region *region;
	uint64_t gpa; /* where it decodes, PCI_BAR_UNMAPPED if it does not */
	char name[32];
};

/* PCIe 4.0 §7.7.2 Figure 7-33: 16 bytes per entry: address low/high, data, control. */
#define MSIX_ENTRY_SIZE 16
#define MSIX_VEC_MASKED 0x1 /* Vector Control bit 0, set after reset */

struct pt_msix_vec {
	uint32_t addr_lo, addr_hi, data, ctrl; /* the guest's table entry */
	int fd;				       /* eventfd bound to VFIO, or -1 */
	int route;			       /* host route while unmasked, or -1 */
	uint64_t r_addr;		       /* the message @route carries */
	uint32_t r_data;
};

struct pt_msix {
	unsigned cap;	  /* config offset of the capability, 0: none */
	unsigned nr;	  /* table size */
	unsigned nr_irqs; /* vectors VFIO has: min(table size, irq_count) */
	unsigned table_bar, pba_bar;
	uint64_t table_off, table_len;
	uint64_t pba_off, pba_len;
	bool on;	     /* the MSI-X index is enabled in VFIO */
	unsigned nr_enabled; /* vectors the index was enabled with (grows if NORESIZE) */
	struct pt_msix_vec *vec;
	int *fds; /* scratch for set_irqs calls that carry many vectors */
};

#define PT_MSI_MAX_VECS 32 /* PCI 3.0 §6.8.1.3: Multiple Message Capable 101b */

struct pt_msi_vec {
	int fd;		 /* eventfd bound to VFIO while the index is on, or -1 */
	int route;	 /* host route while unmasked, or -1 */
	uint64_t r_addr; /* the message @route carries */
	uint32_t r_data;
};

struct pt_msi {
	unsigned cap; /* 0: none */
	unsigned len; /* bytes of the capability */
	bool is64, pvm;
	unsigned data_off, mask_off, pend_off; /* absolute config offsets */
	bool on;			       /* the MSI index is enabled in VFIO */
	unsigned nr;			       /* with this many vectors (2^MME then) */
	struct pt_msi_vec vec[PT_MSI_MAX_VECS];
};

struct pt_intx {
	unsigned pin; /* 1 = INTA .. 4 = INTD; 0: no INTx */
	int trigger, resample;
	bool on; /* the INTx index is enabled in VFIO */
};

enum pt_irq_mode {
	PT_IRQ_NONE,
	PT_IRQ_INTX,
	PT_IRQ_MSI,
	PT_IRQ_MSIX,
};

struct pt {
	struct pci_dev dev; /* dev.cfg holds the virtual bytes */
	const struct pt_backend_ops *be;
	void *be_opaque;
	struct pt_device_desc desc;
	struct pt_host host;
	unsigned slot;
	pthread_mutex_t lock; /* see the top of this file */
	unsigned cfg_size;    /* 256 or 4096 */
	/* Per config byte: bits read from dev.cfg (else from the device). */
	uint8_t vmask[PCI_CFG_SIZE];
	/* Per config byte: bits of a guest write passed on to the device. */
	uint8_t hwmask[PCI_CFG_SIZE];
	struct pci_cfg reset_cfg; /* the virtual view pt_create() built */
	struct pt_bar bars[PT_NR_BARS];
	struct pt_msix msix;
	struct pt_msi msi;
	struct pt_intx intx;
	enum pt_irq_mode mode;
	struct pt_stats stats;
	unsigned log_key; /* log_guest() rate limits */
	unsigned log_key_bar;
	unsigned log_key_irq;
};

/* One field of a mask table (pt_config.c): its bits' masks, pt_config_perm()'s. */
struct pt_field {
	uint16_t off; /* from the start of the header or capability */
	uint8_t size; /* 1, 2 or 4 */
	uint32_t virt, write, hw;
};

static inline struct pt *pt_from_dev(struct pci_dev *dev)
{
	return dev->opaque;
}

/* passthrough.c: eventfds and the interrupt mode. */
int pt_eventfd_new(struct pt *pt, const char *what) __must_check;
void pt_eventfd_close(int *fd);
/* Whether @fd has a signal waiting (never blocks). */
bool pt_eventfd_pending(int fd);
/*
 * Move to the mode the virtual MSI/MSI-X enable bits ask for, bring the
 * routes in line and commit them; pt->lock held.
 */
void pt_irq_sync(struct pt *pt);
/* Have the host commit the staged route changes (pt_host.h); pt->lock held. */
void pt_irq_commit(struct pt *pt);

/* pt_config.c, pt_config_rw.c: the virtual config space. */
int pt_config_init(struct pt *pt) __must_check;
uint32_t pt_config_read(struct pci_dev *dev, unsigned off, unsigned size);
/* The two halves of a guest write (pci/dev.h): ptvm's copy, then the device. */
void pt_config_write(struct pci_dev *dev, unsigned off, unsigned size, uint32_t val);
void pt_config_commit(struct pci_dev *dev, unsigned off, unsigned size, uint32_t val);
/* Mark [off, off+size) with virtual/guest-writable/to-hardware bit masks. */
void pt_config_perm(struct pt *pt, unsigned off, unsigned size, uint32_t virt, uint32_t write,
		    uint32_t hw);
/* Write the hardware bits (hwmask) of @val to the device, keeping the rest. */
void pt_config_hw_write(struct pt *pt, unsigned off, unsigned size, uint32_t val);
/* pt_config_perm() each of the @n fields of @f at @base that ends by @limit. */
void pt_config_fields(struct pt *pt, unsigned base, unsigned limit, const struct pt_field *f,
		      unsigned n);
/* The virtual bits of the fields of @f at @base read 0 from now on. */
void pt_config_fields_zero(struct pt *pt, unsigned base, const struct pt_field *f, unsigned n);

/* pt_exp.c: the PCI Express Capability, shown as an Endpoint below a Root Port. */
#define PT_EXP_NR_FIELDS 3
/* Its mask table, applied by pt_config.c's capability walk before pt_exp_init(). */
extern const struct pt_field pt_exp_fields[PT_EXP_NR_FIELDS];
/* The capability at @off presented as an Endpoint's; -EOPNOTSUPP: hide it. */
int pt_exp_init(struct pt *pt, unsigned off) __must_check;

/* pt_bars.c: BAR registers, and their regions in the guest address spaces. */
int pt_bars_init(struct pt *pt, const uint8_t *hw) __must_check;
/* Once the MSI-X layout is known: one region per BAR with its maps. */
int pt_bars_regions(struct pt *pt) __must_check;
void pt_bars_free(struct pt *pt);
int pt_bar_map(struct pci_dev *dev, unsigned bar, uint64_t old_addr, uint64_t new_addr,
	       bool enable);
void pt_bars_unmap_all(struct pt *pt);

/* pt_msix.c: MSI-X capability, enable and vectors. -EOPNOTSUPP from init: hide it. */
int pt_msix_init(struct pt *pt, unsigned cap) __must_check;
void pt_msix_free(struct pt *pt);
void pt_msix_reset(struct pt *pt);
bool pt_msix_wanted(const struct pt *pt);
int pt_msix_on(struct pt *pt) __must_check;
void pt_msix_off(struct pt *pt);
void pt_msix_sync(struct pt *pt);
/* pt_msix_sync() for vectors [first, end) only; pt->lock held, the caller commits. */
void pt_msix_sync_range(struct pt *pt, unsigned first, unsigned end);

/* pt_msix_table.c: the MSI-X table and PBA in the guest's BARs. */
/*
 * The page-aligned ranges [start, end) of BAR @bar that hold the MSI-X table
 * or PBA and so are never mmapped into the guest: returns how many (0..2).
 */
unsigned pt_msix_pages(const struct pt *pt, unsigned bar, uint64_t *start, uint64_t *end);
/*
 * Trapped BAR access at @off: true if the MSI-X table or PBA claims it (the
 * access is then done, *val filled for reads), false to forward it.
 */
bool pt_msix_bar_access(struct pt *pt, unsigned bar, uint64_t off, unsigned size, bool write,
			uint64_t *val);

/* pt_msi.c: MSI capability. */
int pt_msi_init(struct pt *pt, unsigned cap) __must_check;
bool pt_msi_wanted(const struct pt *pt);
/* Multiple Message Enable back to at most Multiple Message Capable, after a write. */
void pt_msi_clamp_mme(struct pt *pt);
int pt_msi_on(struct pt *pt) __must_check;
void pt_msi_off(struct pt *pt);
void pt_msi_sync(struct pt *pt);
/* Refresh the virtual Pending Bits before a config read; pt->lock held. */
void pt_msi_update_pending(struct pt *pt);

/* pt_intx.c: INTx. */
int pt_intx_init(struct pt *pt) __must_check;
int pt_intx_on(struct pt *pt) __must_check;
void pt_intx_off(struct pt *pt);
void pt_intx_free(struct pt *pt);

#endif
