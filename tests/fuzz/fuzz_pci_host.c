// SPDX-License-Identifier: GPL-2.0
/*
 * The PCI host bridge: guest accesses to CONFIG_ADDRESS/CONFIG_DATA
 * (0xcf8..0xcff, any size, through the PIO address space) and to ECAM (any
 * offset of its 256 MiB, sizes 1 to 8), reaching the bridge, an emulated
 * device with BARs at 00:05.0 and the passthrough fixture at 00:03.0
 * (pt_harness.h), with devices detached and attached again. Checked: absent
 * functions read all-ones; CONFIG_ADDRESS keeps only its writable bits; the
 * BAR moves the emulated device is told of chain (each starts where the
 * last one ended) and match its registers; the passthrough invariants; after
 * detach nothing of either device decodes.
 */
#include "layout.h"
#include "pci/host.h"
#include "pt_harness.h"

#define EMU_SLOT 5

static struct pci_host *host;
static struct as *pio;

/* The emulated device and where it was last told each BAR decodes. */
static struct pci_dev emu;
static uint64_t emu_win[PCI_ROM_BAR + 1];

static int emu_bar_map(struct pci_dev *dev, unsigned bar, uint64_t old_addr, uint64_t new_addr,
		       bool enable)
{
	FUZZ_CHECK(bar <= PCI_ROM_BAR && old_addr == emu_win[bar] &&
			   enable == (new_addr != PCI_BAR_UNMAPPED) && old_addr != new_addr,
		   "BAR%u moved 0x%llx -> 0x%llx, it was at 0x%llx", bar,
		   (unsigned long long)old_addr, (unsigned long long)new_addr,
		   (unsigned long long)emu_win[bar]);
	emu_win[bar] = new_addr;
	return 0;
}

static const struct pci_dev_ops emu_ops = {.bar_map = emu_bar_map};

static void emu_init(void)
{
	static const struct pci_cfg_id id = {0x1234, 0x5678, 0x020000, 1, 0x1234, 1};
	int ret = 0;

	memset(&emu, 0, sizeof(emu));
	pci_cfg_init_type0(&emu.cfg, &id);
	ret |= pci_cfg_set_bar(&emu.cfg, 0, 0x1000, PCI_BAR_MEM32);
	ret |= pci_cfg_set_bar(&emu.cfg, 1, 0x20, PCI_BAR_IO);
	ret |= pci_cfg_set_bar(&emu.cfg, 2, 1ULL << 33, PCI_BAR_MEM64 | PCI_BAR_PREFETCH);
	ret |= pci_cfg_set_rom(&emu.cfg, 0x8000);
	FUZZ_CHECK(!ret, "emulated device BARs");
	emu.ops = &emu_ops;
	emu.name = "emu";
	for (unsigned i = 0; i <= PCI_ROM_BAR; i++)
		emu_win[i] = PCI_BAR_UNMAPPED;
}

static void emu_check(bool attached)
{
	for (unsigned i = 0; i <= PCI_ROM_BAR; i++) {
		uint64_t want = PCI_BAR_UNMAPPED;

		if (attached && pci_cfg_bar_enabled(&emu.cfg, i))
			want = pci_cfg_bar_addr(&emu.cfg, i);
		FUZZ_CHECK(emu_win[i] == want, "BAR%u told 0x%llx, decodes at 0x%llx", i,
			   (unsigned long long)emu_win[i], (unsigned long long)want);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned sizes[] = {1, 2, 4, 8, 3};
	struct fz in = {data, size};
	bool emu_on = true, pt_on = true;
	struct fx *f = pth_create();
	unsigned steps = 0;

	emu_init();
	FUZZ_CHECK(!pci_host_create(&host), "pci_host_create");
	FUZZ_CHECK(!pci_host_attach(host, FX_SLOT, f->dev) &&
			   !pci_host_attach(host, EMU_SLOT, &emu),
		   "attach");
	FUZZ_CHECK(!as_create(&pio, "pio", NULL) &&
			   !as_add_fixed(pio, "pci", PORT_PCI_CONF_ADDR, PCI_HOST_CF8_PORTS,
					 &pci_host_cf8_ops, host),
		   "ports");
	while (in.n && steps++ < 2048) {
		uint8_t op = fz_u8(&in);
		unsigned sz = sizes[fz_below(&in, ARRAY_SIZE(sizes))], slot;
		uint64_t off, v = 0;

		switch (op & 3) {
		case 0: /* CONFIG_ADDRESS: enable, bus 0, a slot of ours or any */
			v = op & 4 ? fz_u32(&in)
				   : 0x80000000u | (uint32_t)(op & 8 ? FX_SLOT : EMU_SLOT) << 11 |
					     (fz_u8(&in) & 0xfc);
			as_write(pio, PORT_PCI_CONF_ADDR, &v, 4);
			v = 0;
			as_read(pio, PORT_PCI_CONF_ADDR, &v, 4);
			FUZZ_CHECK(!(v & ~0x80fffffcULL), "CONFIG_ADDRESS reads 0x%llx",
				   (unsigned long long)v);
			break;
		case 1: /* CONFIG_DATA and around */
			off = fz_below(&in, PCI_HOST_CF8_PORTS);
			v = fz_u32(&in);
			if (op & 4)
				as_write(pio, PORT_PCI_CONF_ADDR + off, &v, sz);
			else
				as_read(pio, PORT_PCI_CONF_ADDR + off, &v, sz);
			break;
		case 2: /* ECAM */
			off = op & 4 ? fz_u32(&in) % LAYOUT_ECAM_SIZE
				     : (uint64_t)(op & 8 ? FX_SLOT : EMU_SLOT) << 15 |
					       (fz_u16(&in) & 0xfff);
			if (sz == 3)
				sz = 8;
			v = fz_u64(&in);
			if (op & 16) {
				pci_host_ecam_ops.write(host, off, sz, v);
			} else {
				v = pci_host_ecam_ops.read(host, off, sz);
				/* Function 0 of bus 0 slots 0 and those attached exist. */
				slot = off >> 15 & 0x1f;
				if ((off >> 20) || (off >> 12 & 7) ||
				    !(slot == 0 || (slot == FX_SLOT && pt_on) ||
				      (slot == EMU_SLOT && emu_on)))
					/* The address space keeps the low @sz bytes. */
					FUZZ_CHECK(sz == 8 ? v == ~0ULL
							   : (v & ((1ULL << (8 * sz)) - 1)) ==
								     (1ULL << (8 * sz)) - 1,
						   "absent function at 0x%llx reads 0x%llx",
						   (unsigned long long)off, (unsigned long long)v);
			}
			break;
		case 3: /* hot-unplug and replug */
			slot = op & 4 ? FX_SLOT : EMU_SLOT;
			if ((slot == FX_SLOT ? pt_on : emu_on)) {
				FUZZ_CHECK(!pci_host_detach(host, slot), "detach");
			} else {
				FUZZ_CHECK(!pci_host_attach(host, slot,
							    slot == FX_SLOT ? f->dev : &emu),
					   "attach");
			}
			if (slot == FX_SLOT)
				pt_on = !pt_on;
			else
				emu_on = !emu_on;
			break;
		}
		emu_check(emu_on);
		pth_check(f);
		pth_forget(f);
	}
	if (emu_on)
		FUZZ_CHECK(!pci_host_detach(host, EMU_SLOT), "detach");
	if (pt_on)
		FUZZ_CHECK(!pci_host_detach(host, FX_SLOT), "detach");
	emu_check(false);
	as_destroy(pio);
	pci_host_destroy(host);
	pth_destroy(f);
	return 0;
}
