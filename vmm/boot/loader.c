// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory set-up for the 64-bit Linux boot protocol. Rules quoted from
 * Documentation/arch/x86/boot.rst ("THE LINUX/x86 BOOT PROTOCOL"):
 *
 *   "At entry, the CPU must be in 64-bit mode with paging enabled. The range
 *   with setup_header.init_size from start address of loaded kernel and zero
 *   page and command line buffer get ident mapping; a GDT must be loaded with
 *   the descriptors for selectors __BOOT_CS(0x10) and __BOOT_DS(0x18); both
 *   descriptors must be 4G flat segment; __BOOT_CS must have execute/read
 *   permission, and __BOOT_DS must have read/write permission; CS must be
 *   __BOOT_CS and DS, ES, SS must be __BOOT_DS; interrupt must be disabled;
 *   %rsi must hold the base address of the struct boot_params."
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "boot/e820.h"
#include "boot/loader.h"
#include "layout.h"

#define DIV_ROUND_UP_ULL(x, d) (((x) + (d)-1) / (d))

/* type_of_loader 0xFF: a boot loader without an assigned ID (boot.rst). */
#define BOOT_LOADER_UNDEFINED 0xff
/*
 * heap_end_ptr: end of the setup heap minus 0x200, relative to the real-mode
 * code; boot.rst's example value. Only the 16-bit setup code reads it, which
 * the 64-bit entry skips; set for completeness together with CAN_USE_HEAP.
 */
#define BOOT_HEAP_END_PTR 0xde00

#define PT_ENTRIES	  512
#define PD_PAGES	  4 /* 4 x 1 GiB: identity map 0..4 GiB */

/* Guest placement decided before anything is written. */
struct boot_plan {
	uint64_t low_end;    /* end of the low RAM region */
	uint64_t kernel_end; /* LAYOUT_KERNEL + max(init_size, kernel_len) */
	uint64_t initrd_gpa;
	size_t cmdline_len;
};

static int boot_fail(const char **why, const char *msg, int err)
{
	*why = msg;
	return err;
}

static int boot_failf(struct boot_entry *out, const char **why, int err, const char *fmt, ...)
	__printf(4, 5);

static int boot_failf(struct boot_entry *out, const char **why, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out->why, sizeof(out->why), fmt, ap);
	va_end(ap);
	return boot_fail(why, out->why, err);
}

static int boot_plan_kernel(const struct guest_mem *m, const struct bzimage *bz,
			    struct boot_plan *p, struct boot_entry *out, const char **why)
{
	/*
	 * A relocatable kernel may load at any kernel_alignment-aligned
	 * address; a non-relocatable one only at pref_address (2.10+).
	 */
	if (!bz->relocatable && bz->pref_address != LAYOUT_KERNEL)
		return boot_failf(out, why, -ENOEXEC,
				  "kernel is not relocatable and must load at 0x%llx",
				  (unsigned long long)bz->pref_address);
	if (!bz->kernel_alignment || !IS_ALIGNED(LAYOUT_KERNEL, (uint64_t)bz->kernel_alignment))
		return boot_failf(out, why, -ENOEXEC,
				  "kernel alignment 0x%x does not divide the load address 0x%llx",
				  bz->kernel_alignment, LAYOUT_KERNEL);
	/*
	 * init_size: "the amount of linear contiguous memory starting at the
	 * kernel runtime start address that the kernel needs before it is
	 * capable of examining its memory map".
	 */
	p->kernel_end = LAYOUT_KERNEL + MAX((uint64_t)bz->init_size, (uint64_t)bz->kernel_len);
	if (p->kernel_end > p->low_end)
		return boot_failf(out, why, -ENOMEM,
				  "memory too small for the kernel (needs %llu MiB)",
				  (unsigned long long)DIV_ROUND_UP_ULL(p->kernel_end, SZ_1M));
	return 0;
}

/*
 * boot.rst: the initrd should be "located as high in memory as possible" but
 * never above initrd_addr_max (the highest byte it may occupy, 2.03+). Also
 * kept page aligned, in low RAM and clear of the kernel's init_size.
 */
static int boot_plan_initrd(const struct guest_mem *m, const struct bzimage *bz, size_t initrd_len,
			    struct boot_plan *p, struct boot_entry *out, const char **why)
{
	uint64_t top = MIN((uint64_t)bz->initrd_addr_max + 1, p->low_end);

	p->initrd_gpa = 0;
	if (!initrd_len)
		return 0;
	if (initrd_len <= top && ALIGN_DOWN(top - initrd_len, SZ_4K) >= p->kernel_end) {
		p->initrd_gpa = ALIGN_DOWN(top - initrd_len, SZ_4K);
		return 0;
	}
	return boot_failf(out, why, -ENOMEM,
			  "initrd (%llu MiB) does not fit below initrd_addr_max in %llu MiB of "
			  "RAM; raise --memory",
			  (unsigned long long)DIV_ROUND_UP_ULL((uint64_t)initrd_len, SZ_1M),
			  (unsigned long long)(m->ram_size >> 20));
}

/*
 * cmdline_size (2.06+): "The maximum size of the command line without the
 * terminating zero", so at most cmdline_size characters; the buffer at
 * LAYOUT_CMDLINE also holds the NUL.
 */
static int boot_plan_cmdline(const struct bzimage *bz, const char *cmdline, struct boot_plan *p,
			     struct boot_entry *out, const char **why)
{
	uint64_t max = MIN((uint64_t)bz->cmdline_size, LAYOUT_CMDLINE_MAX - 1);

	p->cmdline_len = strlen(cmdline);
	if (p->cmdline_len > max)
		return boot_failf(out, why, -E2BIG,
				  "kernel command line is %zu bytes; at most %llu allowed",
				  p->cmdline_len, (unsigned long long)max);
	return 0;
}

static void boot_write_zero_page(struct boot_params *bp, const struct bzimage *bz,
				 const struct boot_plan *p, size_t initrd_len, uint64_t rsdp_gpa)
{
	struct setup_header *h = &bp->hdr;

	memset(bp, 0, sizeof(*bp));
	/*
	 * boot.rst, 64-bit protocol: "the setup header at offset 0x01f1 of
	 * kernel image on should be loaded into struct boot_params", up to its
	 * end at 0x0202 + the byte at 0x0201 (bzimage_parse() kept exactly
	 * that in bz->hdr). bootparam.h: a loader "is supposed to only take
	 * setup_header and put it into a clean boot_params buffer".
	 */
	memcpy(h, &bz->hdr, bz->hdr_len);
	h->type_of_loader = BOOT_LOADER_UNDEFINED;
	/* LOADED_HIGH: kernel loaded at 0x100000 or above; CAN_USE_HEAP with heap_end_ptr. */
	h->loadflags |= LOADED_HIGH | CAN_USE_HEAP;
	h->heap_end_ptr = BOOT_HEAP_END_PTR;
	/* code32_start (2.00+): the 32-bit entry; informational for the 64-bit entry. */
	h->code32_start = (uint32_t)LAYOUT_KERNEL;
	h->cmd_line_ptr = (uint32_t)LAYOUT_CMDLINE;
	bp->ext_cmd_line_ptr = (uint32_t)(LAYOUT_CMDLINE >> 32);
	/* ramdisk_image/size; the ext_ fields (0x0C0, 0x0C4) carry bits 63:32. */
	h->ramdisk_image = (uint32_t)p->initrd_gpa;
	h->ramdisk_size = (uint32_t)initrd_len;
	bp->ext_ramdisk_image = (uint32_t)(p->initrd_gpa >> 32);
	bp->ext_ramdisk_size = (uint32_t)((uint64_t)initrd_len >> 32);
	/*
	 * acpi_rsdp_addr (2.14+). Older kernels ignore it and find the RSDP by
	 * the legacy scan, which is why acpi.c puts it at LAYOUT_ACPI.
	 */
	bp->acpi_rsdp_addr = rsdp_gpa;
}

/* 4-level paging, identity map of 0..4 GiB with 2 MiB pages (SDM vol. 3 4.5). */
static void boot_write_page_tables(uint64_t *pml4, uint64_t *pdpt, uint64_t *pd)
{
	memset(pml4, 0, SZ_4K);
	memset(pdpt, 0, SZ_4K);
	pml4[0] = LAYOUT_PDPT | BOOT_PTE_P | BOOT_PTE_RW;
	for (unsigned i = 0; i < PD_PAGES; i++)
		pdpt[i] = (LAYOUT_PD + i * SZ_4K) | BOOT_PTE_P | BOOT_PTE_RW;
	for (unsigned i = 0; i < PD_PAGES * PT_ENTRIES; i++)
		pd[i] = (i * SZ_2M) | BOOT_PTE_P | BOOT_PTE_RW | BOOT_PTE_PS;
}

int boot_check_args(const struct guest_mem *m, const void *initrd, size_t initrd_len,
		    const char **cmdline, struct boot_entry *out, const char **why)
{
	memset(out, 0, sizeof(*out));
	if (!*cmdline)
		*cmdline = "";
	if (!m->nr || m->r[0].gpa != 0 || (initrd_len && !initrd))
		return boot_fail(why, "bad guest memory layout or initrd", -EINVAL);
	return 0;
}

int boot_load(struct guest_mem *m, const struct bzimage *bz, const void *initrd, size_t initrd_len,
	      const char *cmdline, uint64_t rsdp_gpa, struct boot_entry *out, const char **why)
{
	struct boot_plan p = {0};
	struct boot_params *bp;
	uint64_t *pml4, *pdpt, *pd, *gdt;
	uint8_t *kernel, *rd = NULL;
	unsigned nr_e820;
	char *cl;
	int ret;

	ret = boot_check_args(m, initrd, initrd_len, &cmdline, out, why);
	if (ret)
		return ret;
	p.low_end = m->r[0].size;

	ret = boot_plan_kernel(m, bz, &p, out, why);
	if (!ret)
		ret = boot_plan_initrd(m, bz, initrd_len, &p, out, why);
	if (!ret)
		ret = boot_plan_cmdline(bz, cmdline, &p, out, why);
	if (ret)
		return ret;

	kernel = mem_ptr(m, LAYOUT_KERNEL, p.kernel_end - LAYOUT_KERNEL);
	bp = mem_ptr(m, LAYOUT_ZERO_PAGE, sizeof(*bp));
	cl = mem_ptr(m, LAYOUT_CMDLINE, p.cmdline_len + 1);
	pml4 = mem_ptr(m, LAYOUT_PML4, SZ_4K);
	pdpt = mem_ptr(m, LAYOUT_PDPT, SZ_4K);
	pd = mem_ptr(m, LAYOUT_PD, PD_PAGES * SZ_4K);
	gdt = mem_ptr(m, LAYOUT_GDT, BOOT_GDT_ENTRIES * sizeof(uint64_t));
	if (initrd_len)
		rd = mem_ptr(m, p.initrd_gpa, initrd_len);
	if (!kernel || !bp || !cl || !pml4 || !pdpt || !pd || !gdt || (initrd_len && !rd))
		return boot_fail(why, "boot structures are not backed by guest memory", -EFAULT);

	memcpy(kernel, bz->kernel, bz->kernel_len);
	if (initrd_len)
		memcpy(rd, initrd, initrd_len);
	memcpy(cl, cmdline, p.cmdline_len + 1);
	boot_write_zero_page(bp, bz, &p, initrd_len, rsdp_gpa);
	ret = e820_build(m, bp->e820_table, E820_MAX_ENTRIES_ZEROPAGE, &nr_e820);
	if (ret)
		return boot_fail(why, "cannot build the e820 map for this memory layout", ret);
	bp->e820_entries = (uint8_t)nr_e820;
	boot_write_page_tables(pml4, pdpt, pd);

	out->gdt[0] = 0;
	out->gdt[1] = 0;
	out->gdt[BOOT_SEL_CS / 8] = BOOT_DESC_CODE64;
	out->gdt[BOOT_SEL_DS / 8] = BOOT_DESC_DATA;
	memcpy(gdt, out->gdt, BOOT_GDT_ENTRIES * sizeof(uint64_t));
	out->gdt_base = LAYOUT_GDT;
	out->gdt_limit = BOOT_GDT_ENTRIES * sizeof(uint64_t) - 1;
	out->rip = LAYOUT_KERNEL + BOOT_ENTRY64_OFFSET;
	out->rsi = LAYOUT_ZERO_PAGE;
	out->cr3 = LAYOUT_PML4;
	return 0;
}

/* Segment descriptor fields, Intel SDM vol. 3 3.4.5 "Segment Descriptors". */
void boot_segment_from_desc(uint64_t desc, uint16_t sel, struct boot_seg *s)
{
	uint32_t limit = (uint32_t)((desc & 0xffff) | ((desc >> 32) & 0xf0000));

	s->base = ((desc >> 16) & 0xffffff) | (((desc >> 56) & 0xff) << 24);
	s->type = (desc >> 40) & 0xf;
	s->s = (desc >> 44) & 1;
	s->dpl = (desc >> 45) & 3;
	s->present = (desc >> 47) & 1;
	s->avl = (desc >> 52) & 1;
	s->l = (desc >> 53) & 1;
	s->db = (desc >> 54) & 1;
	s->g = (desc >> 55) & 1;
	/* With G set the 20-bit limit counts 4 KiB units. */
	s->limit = s->g ? (limit << 12) | 0xfff : limit;
	s->selector = sel;
}
