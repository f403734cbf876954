// SPDX-License-Identifier: GPL-2.0
/*
 * What a user hands ptvm as --kernel, --initrd and --cmdline: any bytes as
 * the bzImage (setup header and all), bzimage_parse(), then boot_load() with
 * an initrd and a command line of the sizes the input asks for, into guest
 * RAM of 32..160 MiB. Checked: a refusal says why; a load puts the kernel,
 * initrd and command line where the zero page says, inside RAM, the initrd
 * below initrd_addr_max and clear of the kernel's init_size, the command
 * line within cmdline_size, and the e820 map in its table.
 *
 * Input: RAM (1 byte, MiB above 32), initrd length (4), command line
 * length (2), then the image.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "boot/loader.h"
#include "harness.h"
#include "layout.h"

#define RAM_MAX (160ULL << 20)

/* Guest RAM and the initrd's source, mapped once: pages are only touched as used. */
static uint8_t *ram, *initrd;
static char *cmdline;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	ram = mmap(NULL, RAM_MAX, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	initrd = mmap(NULL, RAM_MAX + SZ_4K, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		      -1, 0);
	cmdline = malloc(0x10000 + 1);
	FUZZ_CHECK(ram != MAP_FAILED && initrd != MAP_FAILED && cmdline, "mmap");
	return 0;
}

static void check_load(const struct guest_mem *m, const struct bzimage *bz, size_t initrd_len,
		       size_t cmdline_len, const struct boot_entry *e)
{
	const struct boot_params *bp = (const void *)(ram + LAYOUT_ZERO_PAGE);
	uint64_t kernel_end = LAYOUT_KERNEL + MAX((uint64_t)bz->init_size, bz->kernel_len);
	uint64_t rd = bp->hdr.ramdisk_image | (uint64_t)bp->ext_ramdisk_image << 32;
	uint64_t low_end = m->r[0].size;

	FUZZ_CHECK(e->rip == LAYOUT_KERNEL + BOOT_ENTRY64_OFFSET && e->rsi == LAYOUT_ZERO_PAGE,
		   "entry rip 0x%llx rsi 0x%llx", (unsigned long long)e->rip,
		   (unsigned long long)e->rsi);
	FUZZ_CHECK(kernel_end <= low_end, "kernel ends at 0x%llx, RAM at 0x%llx",
		   (unsigned long long)kernel_end, (unsigned long long)low_end);
	FUZZ_CHECK(!memcmp(ram + LAYOUT_KERNEL, bz->kernel, bz->kernel_len), "kernel not copied");
	FUZZ_CHECK(bp->hdr.cmd_line_ptr == LAYOUT_CMDLINE && !bp->ext_cmd_line_ptr,
		   "cmd_line_ptr 0x%x", bp->hdr.cmd_line_ptr);
	FUZZ_CHECK(cmdline_len <= bz->cmdline_size && cmdline_len < LAYOUT_CMDLINE_MAX,
		   "command line of %zu, cmdline_size %u", cmdline_len, bz->cmdline_size);
	FUZZ_CHECK(!memcmp(ram + LAYOUT_CMDLINE, cmdline, cmdline_len + 1),
		   "command line not copied");
	FUZZ_CHECK(bp->hdr.ramdisk_size == (uint32_t)initrd_len, "ramdisk_size %u, initrd %zu",
		   bp->hdr.ramdisk_size, initrd_len);
	if (initrd_len) {
		FUZZ_CHECK(IS_ALIGNED(rd, SZ_4K) && rd >= kernel_end &&
				   rd + initrd_len <= low_end &&
				   rd + initrd_len - 1 <= bz->initrd_addr_max,
			   "initrd at 0x%llx+0x%zx: kernel to 0x%llx, initrd_addr_max 0x%x",
			   (unsigned long long)rd, initrd_len, (unsigned long long)kernel_end,
			   bz->initrd_addr_max);
	}
	FUZZ_CHECK(bp->e820_entries && bp->e820_entries <= E820_MAX_ENTRIES_ZEROPAGE, "%u e820",
		   bp->e820_entries);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz in = {data, size};
	uint64_t ram_size = (32ULL + fz_u8(&in) % 129) << 20;
	size_t initrd_len = fz_u32(&in) % (ram_size + SZ_4K);
	size_t cmdline_len = fz_u16(&in);
	struct boot_entry e;
	struct guest_mem m;
	struct bzimage bz;
	const char *why = NULL;
	int ret;

	ret = bzimage_parse(in.p, in.n, &bz, &why);
	if (ret) {
		FUZZ_CHECK(ret == -ENOEXEC && why && why[0], "bzimage_parse %d without a reason",
			   ret);
		return 0;
	}
	FUZZ_CHECK(bz.setup_len + bz.kernel_len == in.n && bz.kernel == in.p + bz.setup_len &&
			   bz.hdr_len <= sizeof(bz.hdr) && bz.version >= BZIMAGE_MIN_VERSION,
		   "bzimage_parse described %zu + %zu of %zu bytes", bz.setup_len, bz.kernel_len,
		   in.n);
	FUZZ_CHECK(!mem_layout(&m, ram_size) && m.nr == 1, "layout of %llu MiB",
		   (unsigned long long)(ram_size >> 20));
	m.r[0].hva = ram;
	memset(cmdline, 'c', cmdline_len);
	cmdline[cmdline_len] = '\0';
	why = NULL;
	ret = boot_load(&m, &bz, initrd, initrd_len, cmdline, 0, &e, &why);
	if (ret)
		FUZZ_CHECK(why && why[0], "boot_load %d without a reason", ret);
	else
		check_load(&m, &bz, initrd_len, cmdline_len, &e);
	return 0;
}
