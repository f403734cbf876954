// SPDX-License-Identifier: GPL-2.0
/*
 * What a user hands ptvm as --kernel VMLINUX (or what a bzImage's payload
 * decompresses to): any bytes as the ELF file, elf_parse(), then
 * pvh_load() with an initrd and a command line of the sizes the input asks
 * for, into guest RAM of 32..160 MiB. Checked: a refusal says why; a parse
 * describes only bytes inside the file, segments that fit their file bytes
 * and do not overlap, an entry inside a segment's file bytes; a load puts
 * every segment at its address inside low RAM above 1 MiB (file bytes
 * copied, the rest zero), the start_info (magic, version, command line,
 * module, memory map) where %ebx points, and the initrd above the kernel.
 *
 * Input: RAM (1 byte, MiB above 32), initrd length (4), command line
 * length (2), then the image.
 */
#include <errno.h>
#include <string.h>

#include "boot/e820.h"
#include "boot/pvh.h"
#include "harness.h"
#include "layout.h"

#define RAM_MAX (160ULL << 20)

static uint8_t *ram;
static const uint8_t *initrd;
static char cmdline[PVH_CMDLINE_MAX + 0x80];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_map_boot(&ram, &initrd, RAM_MAX + SZ_4K);
	return 0;
}

static bool zero(const uint8_t *p, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static void check_parse(const struct elf_kernel *k, const uint8_t *img, size_t len)
{
	bool entry_in = false;

	FUZZ_CHECK(k->nr_seg && k->nr_seg <= ELF_MAX_SEGS, "%u segments", k->nr_seg);
	for (unsigned i = 0; i < k->nr_seg; i++) {
		const struct elf_seg *s = &k->seg[i];

		FUZZ_CHECK(s->data >= img && s->filesz <= len - (size_t)(s->data - img) &&
				   s->filesz <= s->memsz && s->memsz &&
				   s->paddr + s->memsz > s->paddr,
			   "segment %u: offset %td, filesz 0x%llx, memsz 0x%llx of %zu bytes", i,
			   s->data - img, (unsigned long long)s->filesz,
			   (unsigned long long)s->memsz, len);
		for (unsigned j = 0; j < i; j++)
			FUZZ_CHECK(s->paddr >= k->seg[j].paddr + k->seg[j].memsz ||
					   k->seg[j].paddr >= s->paddr + s->memsz,
				   "segments %u and %u overlap", j, i);
		FUZZ_CHECK(s->paddr >= k->lo && s->paddr + s->memsz <= k->hi, "lo/hi");
		if (k->entry32 >= s->paddr && k->entry32 - s->paddr < s->filesz)
			entry_in = true;
	}
	FUZZ_CHECK(!k->has_pvh || entry_in, "entry 0x%x outside the file bytes", k->entry32);
}

static void check_load(const struct guest_mem *m, const struct elf_kernel *k, size_t initrd_len,
		       size_t cmdline_len, const struct boot_entry *e)
{
	const struct pvh_start_info *si = (const void *)(ram + LAYOUT_PVH_INFO);
	const struct pvh_modlist_entry *mod =
		(const void *)(ram + LAYOUT_PVH_INFO + PVH_MODLIST_OFFSET);
	uint64_t low_end = m->r[0].size;

	FUZZ_CHECK(e->mode == BOOT_MODE_PVH && e->rip == k->entry32 && e->rbx == LAYOUT_PVH_INFO,
		   "entry rip 0x%llx rbx 0x%llx", (unsigned long long)e->rip,
		   (unsigned long long)e->rbx);
	for (unsigned i = 0; i < k->nr_seg; i++) {
		const struct elf_seg *s = &k->seg[i];

		FUZZ_CHECK(s->paddr >= LAYOUT_HIGH_MEM && s->paddr + s->memsz <= low_end,
			   "segment 0x%llx+0x%llx in %llu bytes of low RAM",
			   (unsigned long long)s->paddr, (unsigned long long)s->memsz,
			   (unsigned long long)low_end);
		FUZZ_CHECK(!memcmp(ram + s->paddr, s->data, s->filesz) &&
				   zero(ram + s->paddr + s->filesz, s->memsz - s->filesz),
			   "segment %u not loaded", i);
	}
	FUZZ_CHECK(si->magic == PVH_START_MAGIC && si->version == PVH_START_VERSION &&
			   si->cmdline_paddr == LAYOUT_CMDLINE && si->memmap_entries &&
			   si->memmap_entries <= E820_MAX_BUILD,
		   "start_info magic 0x%x version %u memmap %u", si->magic, si->version,
		   si->memmap_entries);
	FUZZ_CHECK(cmdline_len < PVH_CMDLINE_MAX &&
			   !memcmp(ram + LAYOUT_CMDLINE, cmdline, cmdline_len + 1),
		   "command line of %zu", cmdline_len);
	FUZZ_CHECK(si->nr_modules == (initrd_len ? 1 : 0), "%u modules", si->nr_modules);
	if (initrd_len)
		FUZZ_CHECK(mod->size == initrd_len && IS_ALIGNED(mod->paddr, SZ_4K) &&
				   mod->paddr >= k->hi && mod->paddr + initrd_len <= low_end,
			   "initrd at 0x%llx+0x%zx, kernel to 0x%llx",
			   (unsigned long long)mod->paddr, initrd_len, (unsigned long long)k->hi);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz in = {data, size};
	uint64_t ram_size = (32ULL + fz_u8(&in) % 129) << 20;
	size_t initrd_len = fz_u32(&in) % (ram_size + SZ_4K);
	size_t cmdline_len = fz_u16(&in) % (PVH_CMDLINE_MAX + 0x80);
	struct boot_entry e;
	struct guest_mem m;
	struct elf_kernel k;
	const char *why = NULL;
	int ret;

	ret = elf_parse(in.p, in.n, &k, &why);
	if (ret) {
		FUZZ_CHECK(ret == -ENOEXEC && why && why[0], "elf_parse %d without a reason", ret);
		return 0;
	}
	check_parse(&k, in.p, in.n);
	FUZZ_CHECK(!mem_layout(&m, ram_size) && m.nr == 1, "layout of %llu MiB",
		   (unsigned long long)(ram_size >> 20));
	m.r[0].hva = ram;
	memset(cmdline, 'c', cmdline_len);
	cmdline[cmdline_len] = '\0';
	memset(ram + LAYOUT_PVH_INFO, 0, SZ_4K);
	why = NULL;
	ret = pvh_load(&m, &k, initrd, initrd_len, cmdline, 0, &e, &why);
	if (ret)
		FUZZ_CHECK(why && why[0], "pvh_load %d without a reason", ret);
	else
		check_load(&m, &k, initrd_len, cmdline_len, &e);
	return 0;
}
