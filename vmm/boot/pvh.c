// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory set-up for the PVH entry. The rules, from docs/misc/
 * pvh.pandoc (Xen) and xen/include/public/arch-x86/hvm/start_info.h:
 * the kernel's ELF segments at their physical addresses; %ebx holds the
 * physical address of the start_info; "nothing will be loaded at physical
 * address 0, so a 0 value in any of the address fields should be treated
 * as not present"; CR0.PE set, paging off, CR4 clear; CS a flat 32-bit
 * read/execute segment, DS/ES/SS flat 32-bit read/write ones, TR a 32-bit
 * TSS with base 0 and limit 0x67; EFLAGS VM, IF and TF clear.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "boot/e820.h"
#include "boot/pvh.h"
#include "layout.h"

static int pvh_fail(const char **why, const char *msg, int err)
{
	*why = msg;
	return err;
}

/* A formatted reason, kept in @out. */
#define pvh_failf(out, why, err, ...) \
	why_printf((out)->why, sizeof((out)->why), why, err, __VA_ARGS__)

/*
 * Segments go into the low RAM region above 1 MiB: below it are ptvm's
 * own tables (GDT, start_info, command line, EBDA, ACPI, reset vector).
 */
static int pvh_check_segments(const struct elf_kernel *k, uint64_t low_end, struct boot_entry *out,
			      const char **why)
{
	for (unsigned i = 0; i < k->nr_seg; i++) {
		uint64_t start = k->seg[i].paddr, end = start + k->seg[i].memsz;
		const char *where = NULL;

		if (start < LAYOUT_HIGH_MEM)
			where = "overlaps ptvm's boot tables below 1 MiB";
		else if (end > LAYOUT_LOW_RAM_MAX)
			where = "lies above the low RAM (below 3 GiB) where ptvm loads kernels";
		if (where)
			return pvh_failf(out, why, -ENOMEM, "kernel segment at 0x%llx-0x%llx %s",
					 (unsigned long long)start, (unsigned long long)end, where);
		if (end > low_end)
			return pvh_failf(out, why, -ENOMEM,
					 "memory too small for the kernel (needs %llu MiB): its "
					 "segment at 0x%llx-0x%llx is outside guest RAM",
					 (unsigned long long)((k->hi + SZ_1M - 1) >> 20),
					 (unsigned long long)start, (unsigned long long)end);
	}
	return 0;
}

/* As high as possible in low RAM, page aligned, above the kernel's last segment. */
static int pvh_place_initrd(const struct elf_kernel *k, uint64_t low_end, size_t initrd_len,
			    uint64_t *gpa, struct boot_entry *out, const char **why)
{
	uint64_t kernel_end = ALIGN_UP(k->hi, SZ_4K);

	*gpa = 0;
	if (!initrd_len)
		return 0;
	if (initrd_len <= low_end && ALIGN_DOWN(low_end - initrd_len, SZ_4K) >= kernel_end) {
		*gpa = ALIGN_DOWN(low_end - initrd_len, SZ_4K);
		return 0;
	}
	return pvh_failf(out, why, -ENOMEM,
			 "initrd (%llu MiB) does not fit above the kernel in %llu MiB of low RAM; "
			 "raise --memory",
			 (unsigned long long)((initrd_len + SZ_1M - 1) >> 20),
			 (unsigned long long)(low_end >> 20));
}

/* The memory map is e820_build()'s, in start_info's entry format. */
static int pvh_write_memmap(const struct guest_mem *m, struct pvh_memmap_entry *mm, unsigned *nr)
{
	struct boot_e820_entry tab[E820_MAX_BUILD];
	int ret = e820_build(m, tab, E820_MAX_BUILD, nr);

	if (ret)
		return ret;
	for (unsigned i = 0; i < *nr; i++)
		mm[i] = (struct pvh_memmap_entry){
			.addr = tab[i].addr,
			.size = tab[i].size,
			.type = tab[i].type,
		};
	return 0;
}

static void pvh_load_segments(struct guest_mem *m, const struct elf_kernel *k)
{
	for (unsigned i = 0; i < k->nr_seg; i++) {
		const struct elf_seg *s = &k->seg[i];
		uint8_t *dst = mem_ptr(m, s->paddr, s->memsz);

		memcpy(dst, s->data, s->filesz);
		/* Past the file bytes (.bss): zero, whatever a previous boot left. */
		memset(dst + s->filesz, 0, s->memsz - s->filesz);
	}
}

int pvh_load(struct guest_mem *m, const struct elf_kernel *k, const void *initrd, size_t initrd_len,
	     const char *cmdline, uint64_t rsdp_gpa, struct boot_entry *out, const char **why)
{
	struct pvh_start_info *si;
	struct pvh_modlist_entry *mod;
	struct pvh_memmap_entry *mm;
	uint64_t low_end, rd_gpa, *gdt;
	size_t cmdline_len;
	unsigned nr_mm;
	uint8_t *page, *rd = NULL;
	char *cl;
	int ret;

	ret = boot_check_args(m, initrd, initrd_len, &cmdline, out, why);
	if (ret)
		return ret;
	if (!k->has_pvh)
		return pvh_fail(why, "kernel has no PVH entry (XEN_ELFNOTE_PHYS32_ENTRY note)",
				-ENOEXEC);
	low_end = m->r[0].size;
	ret = pvh_check_segments(k, low_end, out, why);
	if (!ret)
		ret = pvh_place_initrd(k, low_end, initrd_len, &rd_gpa, out, why);
	if (ret)
		return ret;
	cmdline_len = strlen(cmdline);
	if (cmdline_len > PVH_CMDLINE_MAX - 1)
		return pvh_failf(out, why, -E2BIG,
				 "kernel command line is %zu bytes; at most %u allowed",
				 cmdline_len, PVH_CMDLINE_MAX - 1);

	page = mem_ptr(m, LAYOUT_PVH_INFO, SZ_4K);
	cl = mem_ptr(m, LAYOUT_CMDLINE, cmdline_len + 1);
	gdt = mem_ptr(m, LAYOUT_GDT, BOOT_GDT_MAX * sizeof(uint64_t));
	if (initrd_len)
		rd = mem_ptr(m, rd_gpa, initrd_len);
	for (unsigned i = 0; i < k->nr_seg; i++)
		if (!mem_ptr(m, k->seg[i].paddr, k->seg[i].memsz))
			page = NULL;
	if (!page || !cl || !gdt || (initrd_len && !rd))
		return pvh_fail(why, "boot structures are not backed by guest memory", -EFAULT);

	memset(page, 0, SZ_4K);
	si = (struct pvh_start_info *)page;
	mod = (struct pvh_modlist_entry *)(page + PVH_MODLIST_OFFSET);
	mm = (struct pvh_memmap_entry *)(page + PVH_MEMMAP_OFFSET);
	_Static_assert(PVH_MEMMAP_OFFSET + E820_MAX_BUILD * sizeof(*mm) <= SZ_4K,
		       "the memory map fits the start_info page");
	_Static_assert(sizeof(*si) <= PVH_MODLIST_OFFSET &&
			       PVH_MODLIST_OFFSET + sizeof(*mod) <= PVH_MEMMAP_OFFSET,
		       "start_info and the module list fit before the memory map");
	ret = pvh_write_memmap(m, mm, &nr_mm);
	if (ret)
		return pvh_fail(why, "cannot build the memory map for this memory layout", ret);

	pvh_load_segments(m, k);
	if (initrd_len)
		memcpy(rd, initrd, initrd_len);
	memcpy(cl, cmdline, cmdline_len + 1);
	si->magic = PVH_START_MAGIC;
	si->version = PVH_START_VERSION;
	si->cmdline_paddr = LAYOUT_CMDLINE;
	si->rsdp_paddr = rsdp_gpa;
	si->memmap_paddr = LAYOUT_PVH_INFO + PVH_MEMMAP_OFFSET;
	si->memmap_entries = nr_mm;
	if (initrd_len) {
		si->nr_modules = 1;
		si->modlist_paddr = LAYOUT_PVH_INFO + PVH_MODLIST_OFFSET;
		mod->paddr = rd_gpa;
		mod->size = initrd_len;
	}

	out->mode = BOOT_MODE_PVH;
	out->gdt[PVH_SEL_CS / 8] = PVH_DESC_CODE32;
	out->gdt[PVH_SEL_DS / 8] = PVH_DESC_DATA32;
	out->gdt[PVH_SEL_TSS / 8] = PVH_DESC_TSS32;
	memcpy(gdt, out->gdt, BOOT_GDT_MAX * sizeof(uint64_t));
	out->gdt_base = LAYOUT_GDT;
	out->gdt_limit = BOOT_GDT_MAX * sizeof(uint64_t) - 1;
	out->rip = k->entry32;
	out->rbx = LAYOUT_PVH_INFO;
	return 0;
}
