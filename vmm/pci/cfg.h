/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A PCI configuration space as data: the register bytes plus, per byte, the
 * bits the guest may write (wmask) and the bits a written 1 clears
 * (w1cmask). Behaviour lives in the masks, as in Linux's vfio_pci_config.c;
 * a BAR is a register whose wmask lacks the size-alignment bits, which is
 * all the BAR sizing protocol needs (PCI 3.0 6.2.5.1).
 *
 * Not locked: the owner (the host bridge) serialises accesses.
 */
#ifndef PTVM_PCI_CFG_H
#define PTVM_PCI_CFG_H

#include "util.h"

#define PCI_CFG_SIZE	 4096 /* PCIe extended space */
#define PCI_CFG_STD_SIZE 256

/* Type-0 header offsets (PCI 3.0 6.1). */
#define PCI_VENDOR_ID	   0x00
#define PCI_DEVICE_ID	   0x02
#define PCI_COMMAND	   0x04
#define PCI_STATUS	   0x06
#define PCI_REVISION_ID	   0x08
#define PCI_CLASS_PROG	   0x09
#define PCI_CACHE_LINE	   0x0c
#define PCI_LATENCY_TIMER  0x0d
#define PCI_HEADER_TYPE	   0x0e
#define PCI_BAR0	   0x10
#define PCI_SUBSYS_VENDOR  0x2c
#define PCI_SUBSYS_ID	   0x2e
#define PCI_ROM_ADDRESS	   0x30
#define PCI_CAP_PTR	   0x34
#define PCI_INTERRUPT_LINE 0x3c
#define PCI_INTERRUPT_PIN  0x3d

/* Type-1 (PCI-to-PCI bridge) header offsets (PCI-to-PCI Bridge 1.2 3.2). */
#define PCI_PRIMARY_BUS	     0x18
#define PCI_SECONDARY_BUS    0x19
#define PCI_SUBORDINATE_BUS  0x1a
#define PCI_IO_BASE	     0x1c
#define PCI_IO_LIMIT	     0x1d
#define PCI_SEC_STATUS	     0x1e
#define PCI_MEMORY_BASE	     0x20
#define PCI_MEMORY_LIMIT     0x22
#define PCI_PREF_BASE	     0x24
#define PCI_PREF_LIMIT	     0x26
#define PCI_PREF_BASE_UPPER  0x28
#define PCI_PREF_LIMIT_UPPER 0x2c
#define PCI_BRIDGE_ROM	     0x38
#define PCI_BRIDGE_CONTROL   0x3e
#define PCI_BRIDGE_CTL_SBR   0x0040 /* Secondary Bus Reset, 3.2.5.18 */

#define PCI_COMMAND_IO	     0x0001
#define PCI_COMMAND_MEMORY   0x0002
#define PCI_COMMAND_MASTER   0x0004
#define PCI_COMMAND_PARITY   0x0040
#define PCI_COMMAND_SERR     0x0100
#define PCI_COMMAND_INTX_OFF 0x0400
#define PCI_STATUS_INTX	     0x0008
#define PCI_STATUS_CAP_LIST  0x0010
#define PCI_STATUS_W1C	     0xf900 /* PCI 3.0 6.2.3: error bits are RW1C */
#define PCI_ROM_ENABLE	     0x1

#define PCI_CAP_ID_PM	     0x01
#define PCI_PM_CTRL	     4	 /* PMCSR, from the PM capability */
#define PCI_PM_STATE_MASK    0x3 /* PowerState: 0 = D0 .. 3 = D3hot */

#define PCI_NUM_BARS	     6
#define PCI_ROM_BAR	     6 /* index of the expansion ROM in BAR queries */

/* pci_cfg_set_bar() @flags; these are also the BAR's low bits (PCI 3.0 6.2.5.1). */
#define PCI_BAR_MEM32	 0x0
#define PCI_BAR_IO	 0x1
#define PCI_BAR_MEM64	 0x4
#define PCI_BAR_PREFETCH 0x8

struct pci_cfg {
	uint8_t data[PCI_CFG_SIZE];
	uint8_t wmask[PCI_CFG_SIZE];
	uint8_t w1cmask[PCI_CFG_SIZE];
	unsigned cap_end; /* first free byte for the next capability */
};

struct pci_cfg_id {
	uint16_t vendor;
	uint16_t device;
	uint32_t class_code; /* 24 bits: base class, sub-class, prog-if */
	uint8_t revision;
	uint16_t subsys_vendor;
	uint16_t subsys;
};

/*
 * Reset @cfg to a type-0 header with @id: everything read-only except
 * COMMAND (I/O, memory, bus master, parity, SERR, INTx disable), the RW1C
 * STATUS error bits, cache line size, latency timer and interrupt line.
 */
void pci_cfg_init_type0(struct pci_cfg *cfg, const struct pci_cfg_id *id);

/*
 * Reset @cfg to a type-1 header (PCI-to-PCI Bridge 1.2 3.2, as PCIe 4.0
 * 7.5.1.3 trims it) with @id: no BARs or ROM; writable COMMAND (as type
 * 0), bus numbers, the I/O window (16-bit), the memory window, the 64-bit
 * prefetchable window and Bridge Control; RW1C STATUS and Secondary
 * Status error bits. The windows start closed (base above limit).
 */
void pci_cfg_init_type1(struct pci_cfg *cfg, const struct pci_cfg_id *id);

/* Little-endian field helpers for the model's own use (no masks applied). */
uint32_t pci_cfg_get(const struct pci_cfg *cfg, unsigned off, unsigned size);
void pci_cfg_set(struct pci_cfg *cfg, unsigned off, unsigned size, uint32_t val);

/*
 * Guest access of @size 1, 2 or 4 at @off; off + size must not exceed
 * PCI_CFG_SIZE. Bad reads return all-ones (of @size bytes); bad writes are
 * dropped. A write changes only wmask bits and clears w1cmask bits written 1.
 */
uint32_t pci_cfg_read(const struct pci_cfg *cfg, unsigned off, unsigned size);
void pci_cfg_write(struct pci_cfg *cfg, unsigned off, unsigned size, uint32_t val);

/*
 * Append a capability of @len bytes (incl. its 2-byte header) with ID @id to
 * the list in the standard 256 bytes; it is linked last and STATUS.CAP_LIST
 * is set. Returns its offset (dword aligned, >= 0x40) or -ENOSPC/-EINVAL.
 * The body is zero and read-only; the caller fills data and masks.
 */
int pci_cfg_add_cap(struct pci_cfg *cfg, uint8_t id, unsigned len) __must_check;
/* Offset of the first capability with @id, or 0 if there is none. */
unsigned pci_cfg_find_cap(const struct pci_cfg *cfg, uint8_t id);

/*
 * Declare BAR @idx (0..5) of @size bytes, a power of two, with @flags
 * PCI_BAR_IO, or PCI_BAR_MEM32/PCI_BAR_MEM64 optionally | PCI_BAR_PREFETCH.
 * A 64-bit BAR also takes @idx + 1 as its upper half. Sizes: I/O 4..256,
 * memory >= 16 (32-bit: <= 2 GiB). -EINVAL otherwise.
 */
int pci_cfg_set_bar(struct pci_cfg *cfg, unsigned idx, uint64_t size, unsigned flags) __must_check;
/* Declare an expansion ROM of @size bytes (power of two, >= 2 KiB). */
int pci_cfg_set_rom(struct pci_cfg *cfg, uint64_t size) __must_check;

/*
 * BAR queries, for @idx 0..5 or PCI_ROM_BAR, derived from the registers and
 * masks. Size 0 means unimplemented (or the upper half of a 64-bit BAR).
 */
uint64_t pci_cfg_bar_size(const struct pci_cfg *cfg, unsigned idx);
uint64_t pci_cfg_bar_addr(const struct pci_cfg *cfg, unsigned idx);
bool pci_cfg_bar_is_io(const struct pci_cfg *cfg, unsigned idx);
/* Whether the BAR decodes now: D0, COMMAND enable (and for the ROM, its bit 0). */
bool pci_cfg_bar_enabled(const struct pci_cfg *cfg, unsigned idx);

/* Whether the function is in D0 (no PM capability: always). */
bool pci_cfg_in_d0(const struct pci_cfg *cfg);

/* COMMAND.IO (@is_io) or COMMAND.MEMORY is set (PCI 3.0 6.2.2). */
bool pci_cfg_decode_enabled(const struct pci_cfg *cfg, bool is_io);

#endif
