// SPDX-License-Identifier: GPL-2.0
/*
 * ptpoke: a hostile guest's hands on a PCI function, through sysfs only.
 * Runs in L2 (static, in the L2 initramfs) on a device ptvm passed through:
 * what it does to config space and BARs is what any guest may do, and ptvm
 * must survive all of it.
 *
 *   ptpoke cfg-read BDF OFF SIZE            config space, SIZE 1, 2 or 4
 *   ptpoke cfg-write BDF OFF SIZE VAL
 *   ptpoke cap BDF ID                       offset of capability ID (0x0: none)
 *   ptpoke bar-read BDF BAR OFF             dword at OFF of BAR (mmap of resourceBAR)
 *   ptpoke bar-write BDF BAR OFF VAL
 *   ptpoke msix BDF                         where the MSI-X table and PBA are
 *   ptpoke garbage-config BDF SEED COUNT    COUNT pseudo-random writes, offsets 0..4095
 *   ptpoke garbage-msix BDF SEED            pseudo-random dwords over the MSI-X table and PBA
 *   ptpoke garbage-bar BDF BAR SEED         pseudo-random dwords over every dword of BAR
 *   ptpoke bar-loop BDF BAR OFF SECS        read the dword at OFF for SECS seconds, tally
 *                                           all-ones and other values (one vCPU's side of a race)
 *   ptpoke mse-toggle BDF COUNT             clear and set COMMAND.Memory Space COUNT times
 *
 * Numbers are C literals (0x.. or decimal). Each command prints one line on
 * stdout that starts with its name and repeats its arguments, normalised,
 * then the result, e.g.
 *
 *   cfg-read 0000:00:01.0 0x004 2 0x0406
 *   bar-read 0000:00:01.0 0 0x0000 0xffffffff
 *
 * so a case can grep for the exact line. Errors go to stderr as one line
 * "ptpoke: ..." with exit status 1; bad usage exits 2. The garbage commands
 * are deterministic for a seed (xorshift32), so a failure can be replayed.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define TOOL_NAME "ptpoke"
#include "../tool.h"

#define CFG_SIZE	4096
#define CAP_PTR		0x34
#define COMMAND		0x04
#define COMMAND_MEMORY	0x02
#define STATUS		0x06
#define STATUS_CAP_LIST 0x10
#define CAP_ID_MSIX	0x11

static const char *bdf;

static void __attribute__((noreturn)) usage(void)
{
	fputs("usage: ptpoke cfg-read BDF OFF SIZE | cfg-write BDF OFF SIZE VAL | cap BDF ID |\n"
	      "       bar-read BDF BAR OFF | bar-write BDF BAR OFF VAL | msix BDF |\n"
	      "       garbage-config BDF SEED COUNT | garbage-msix BDF SEED | garbage-bar BDF BAR "
	      "SEED |\n"
	      "       bar-loop BDF BAR OFF SECS | mse-toggle BDF COUNT\n",
	      stderr);
	exit(2);
}

static int open_file(const char *name, int flags)
{
	return tool_sysfs_open(bdf, name, flags);
}

/* Config space through the sysfs file: pread/pwrite of @size bytes at @off. */
static int cfg_fd(void)
{
	static int fd = -1;

	if (fd < 0)
		fd = open_file("config", O_RDWR);
	return fd;
}

static uint32_t cfg_read(unsigned off, unsigned size)
{
	uint8_t b[4] = {0};
	ssize_t n = pread(cfg_fd(), b, size, off);

	if (n != (ssize_t)size)
		die("%s: config read of %u at 0x%x: %s", bdf, size, off,
		    n < 0 ? strerror(errno) : "short");
	return b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
}

/* True when all @size bytes were written (sysfs stops at the config size). */
static bool cfg_write(unsigned off, unsigned size, uint32_t val)
{
	uint8_t b[4] = {val, val >> 8, val >> 16, val >> 24};
	ssize_t n = pwrite(cfg_fd(), b, size, off);

	if (n < 0)
		die("%s: config write of %u at 0x%x: %s", bdf, size, off, strerror(errno));
	return n == (ssize_t)size;
}

static unsigned cfg_size_arg(const char *s)
{
	unsigned size = num(s, 4);

	if (size != 1 && size != 2 && size != 4)
		usage();
	return size;
}

/* PCI 3.0 §6.7: the capability list, bounded so a looping list ends. */
static unsigned cap_find(unsigned id)
{
	unsigned off, n;

	if (!(cfg_read(STATUS, 2) & STATUS_CAP_LIST))
		return 0;
	off = cfg_read(CAP_PTR, 1) & ~3u;
	for (n = 0; off >= 0x40 && n < 48; n++) {
		if (cfg_read(off, 1) == id)
			return off;
		off = cfg_read(off + 1, 1) & ~3u;
	}
	return 0;
}

/* Bytes [@off, @off + @len) of resource@bar mapped; *@p points at @off. */
struct bar_map {
	void *base;
	size_t len;
	volatile uint32_t *p;
};

static void bar_map(struct bar_map *m, unsigned bar, uint64_t off, uint64_t len)
{
	uint64_t page = sysconf(_SC_PAGESIZE), start = off & ~(page - 1);
	char name[16];
	int fd;

	if (off & 3)
		die("%s: BAR%u offset 0x%" PRIx64 " is not dword aligned", bdf, bar, off);
	snprintf(name, sizeof(name), "resource%u", bar);
	fd = open_file(name, O_RDWR);
	m->len = (off + len - start + page - 1) & ~(page - 1);
	m->base = mmap(NULL, m->len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, start);
	if (m->base == MAP_FAILED)
		die("%s: mmap of %s at 0x%" PRIx64 ": %s", bdf, name, start, strerror(errno));
	close(fd);
	m->p = (volatile uint32_t *)((char *)m->base + (off - start));
}

static void bar_unmap(struct bar_map *m)
{
	munmap(m->base, m->len);
}

/* xorshift32 (Marsaglia 2003): small, deterministic, never 0 from a non-0 seed. */
static uint32_t rnd(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

static uint32_t seed_arg(const char *s)
{
	uint32_t seed = num(s, UINT32_MAX);

	return seed ? seed : 1;
}

/* The MSI-X capability (PCI 3.0 §6.8.2): table and PBA, each a BIR and an offset. */
struct msix {
	unsigned cap, entries, table_bir, pba_bir;
	uint32_t table, pba;
};

static void msix_find(struct msix *x)
{
	uint32_t t, p;

	x->cap = cap_find(CAP_ID_MSIX);
	if (!x->cap)
		die("%s: no MSI-X capability", bdf);
	x->entries = (cfg_read(x->cap + 2, 2) & 0x7ff) + 1;
	t = cfg_read(x->cap + 4, 4);
	p = cfg_read(x->cap + 8, 4);
	x->table_bir = t & 7;
	x->table = t & ~7u;
	x->pba_bir = p & 7;
	x->pba = p & ~7u;
}

static int cmd_cfg_read(char **a)
{
	unsigned off = num(a[1], CFG_SIZE - 1), size = cfg_size_arg(a[2]);

	printf("cfg-read %s 0x%03x %u 0x%0*x\n", bdf, off, size, 2 * size, cfg_read(off, size));
	return 0;
}

static int cmd_cfg_write(char **a)
{
	unsigned off = num(a[1], CFG_SIZE - 1), size = cfg_size_arg(a[2]);
	uint32_t val = num(a[3], size == 4 ? UINT32_MAX : (1u << (8 * size)) - 1);

	if (!cfg_write(off, size, val))
		die("%s: config write of %u at 0x%x: short", bdf, size, off);
	printf("cfg-write %s 0x%03x %u 0x%0*x ok\n", bdf, off, size, 2 * size, val);
	return 0;
}

static int cmd_cap(char **a)
{
	unsigned id = num(a[1], 0xff);

	printf("cap %s 0x%02x 0x%02x\n", bdf, id, cap_find(id));
	return 0;
}

static int cmd_bar_read(char **a)
{
	unsigned bar = num(a[1], 5);
	uint64_t off = num(a[2], UINT64_MAX);
	struct bar_map m;
	uint32_t v;

	bar_map(&m, bar, off, 4);
	v = *m.p;
	bar_unmap(&m);
	printf("bar-read %s %u 0x%04" PRIx64 " 0x%08x\n", bdf, bar, off, v);
	return 0;
}

static int cmd_bar_write(char **a)
{
	unsigned bar = num(a[1], 5);
	uint64_t off = num(a[2], UINT64_MAX);
	uint32_t val = num(a[3], UINT32_MAX);
	struct bar_map m;

	bar_map(&m, bar, off, 4);
	*m.p = val;
	bar_unmap(&m);
	printf("bar-write %s %u 0x%04" PRIx64 " 0x%08x ok\n", bdf, bar, off, val);
	return 0;
}

static int cmd_msix(char **a)
{
	struct msix x;

	msix_find(&x);
	printf("msix %s cap=0x%02x entries=%u table=%u:0x%x pba=%u:0x%x\n", bdf, x.cap, x.entries,
	       x.table_bir, x.table, x.pba_bir, x.pba);
	return 0;
}

/*
 * COUNT writes, each at a pseudo-random offset in 0..4095 with a random
 * size (1, 2 or 4, naturally aligned) and value. Nothing is skipped: the
 * header, BARs, COMMAND, PMCSR, MSI-X control, PCIe control registers
 * included. Writes the kernel cuts short (past the device's config size)
 * are counted, not fatal.
 */
static int cmd_garbage_config(char **a)
{
	static const unsigned sizes[] = {1, 2, 4};
	uint32_t s = seed_arg(a[1]), seed = s;
	unsigned count = num(a[2], 100000), i, off, size, done = 0, cut = 0;

	for (i = 0; i < count; i++) {
		size = sizes[rnd(&s) % 3];
		off = rnd(&s) % CFG_SIZE & ~(size - 1);
		if (cfg_write(off, size, rnd(&s)))
			done++;
		else
			cut++;
	}
	printf("garbage-config %s seed=%u count=%u written=%u cut=%u\n", bdf, seed, count, done,
	       cut);
	return 0;
}

/* Random dwords over every table entry (address, data, vector control) and the PBA. */
static void garbage_dwords(unsigned bar, uint64_t off, unsigned n, uint32_t *s)
{
	struct bar_map m;
	unsigned i;

	bar_map(&m, bar, off, 4 * n);
	for (i = 0; i < n; i++)
		m.p[i] = rnd(s);
	bar_unmap(&m);
}

static int cmd_garbage_msix(char **a)
{
	uint32_t s = seed_arg(a[1]), seed = s;
	unsigned pba_dwords;
	struct msix x;

	msix_find(&x);
	pba_dwords = (x.entries + 31) / 32;
	garbage_dwords(x.table_bir, x.table, 4 * x.entries, &s);
	garbage_dwords(x.pba_bir, x.pba, pba_dwords, &s);
	printf("garbage-msix %s seed=%u table=%u:0x%x dwords=%u pba=%u:0x%x dwords=%u\n", bdf, seed,
	       x.table_bir, x.table, 4 * x.entries, x.pba_bir, x.pba, pba_dwords);
	return 0;
}

/* The whole BAR, its size from the device's resource file (line BAR: start end flags). */
static int cmd_garbage_bar(char **a)
{
	unsigned bar = num(a[1], 5), i;
	uint32_t s = seed_arg(a[2]), seed = s;
	unsigned long long start = 0, end = 0;
	uint64_t size;
	FILE *f;

	f = fdopen(open_file("resource", O_RDONLY), "r");
	if (!f)
		die("%s: resource: %s", bdf, strerror(errno));
	for (i = 0; i <= bar; i++)
		if (fscanf(f, "%llx %llx %*x", &start, &end) != 2)
			die("%s: resource: no line for BAR%u", bdf, bar);
	fclose(f);
	if (!end || end <= start)
		die("%s: BAR%u is not assigned", bdf, bar);
	size = end - start + 1;
	garbage_dwords(bar, 0, size / 4, &s);
	printf("garbage-bar %s %u seed=%u dwords=%" PRIu64 "\n", bdf, bar, seed, size / 4);
	return 0;
}

static int cmd_bar_loop(char **a)
{
	unsigned bar = num(a[1], 5);
	uint64_t off = num(a[2], UINT64_MAX), secs = num(a[3], 3600);
	uint64_t reads = 0, ones = 0, other = 0;
	time_t end = time(NULL) + secs;
	struct bar_map m;

	bar_map(&m, bar, off, 4);
	do {
		for (unsigned i = 0; i < 4096; i++) {
			uint32_t v = *m.p;

			reads++;
			if (v == 0xffffffff)
				ones++;
			else
				other++;
		}
	} while (time(NULL) < end);
	bar_unmap(&m);
	printf("bar-loop %s %u 0x%04" PRIx64 " reads=%" PRIu64 " ones=%" PRIu64 " other=%" PRIu64
	       "\n",
	       bdf, bar, off, reads, ones, other);
	return 0;
}

/* PCI 3.0 §6.2.2: decode off and on again, the other COMMAND bits kept. */
static int cmd_mse_toggle(char **a)
{
	unsigned count = num(a[1], 1000000), i;
	uint32_t cmd = cfg_read(COMMAND, 2);

	for (i = 0; i < count; i++) {
		if (!cfg_write(COMMAND, 2, cmd & ~COMMAND_MEMORY) ||
		    !cfg_write(COMMAND, 2, cmd | COMMAND_MEMORY))
			die("%s: COMMAND write: short", bdf);
	}
	printf("mse-toggle %s count=%u\n", bdf, count);
	return 0;
}

static const struct {
	const char *name;
	int argc; /* after the BDF */
	int (*fn)(char **a);
} cmds[] = {
	{"cfg-read", 2, cmd_cfg_read},
	{"cfg-write", 3, cmd_cfg_write},
	{"cap", 1, cmd_cap},
	{"bar-read", 2, cmd_bar_read},
	{"bar-write", 3, cmd_bar_write},
	{"msix", 0, cmd_msix},
	{"garbage-config", 2, cmd_garbage_config},
	{"garbage-msix", 1, cmd_garbage_msix},
	{"garbage-bar", 2, cmd_garbage_bar},
	{"bar-loop", 3, cmd_bar_loop},
	{"mse-toggle", 1, cmd_mse_toggle},
};

int main(int argc, char **argv)
{
	unsigned i;

	if (argc < 3)
		usage();
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(argv[1], cmds[i].name))
			continue;
		if (argc != 3 + cmds[i].argc)
			usage();
		bdf = argv[2];
		return cmds[i].fn(&argv[2]);
	}
	usage();
}
