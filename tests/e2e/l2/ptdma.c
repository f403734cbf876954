// SPDX-License-Identifier: GPL-2.0
/*
 * ptdma: a hostile guest that makes its passed-through NVMe DMA where it
 * has no business to (tests/e2e/fault_dma.sh). Runs in L2 (static, in the
 * L2 initramfs) on a controller no driver has: it drives the admin queue
 * itself through BAR0 (resource0) and config space in sysfs, with queues
 * and a data page in its own locked memory, whose guest-physical
 * addresses it reads from /proc/self/pagemap (ptvm maps guest RAM for DMA
 * at IOVA = guest physical, so the device may reach them; nothing else).
 *
 *   ptdma BDF BAD SQBAD MSI
 *
 * in this order, one line each:
 *   enable      the controller brought up on an 8-entry admin queue
 *   id-good     Identify Controller into the data page: status and PCI vendor
 *   id-bad      Identify Controller with PRP1 = BAD (above guest RAM):
 *               a DMA write the IOMMU must block
 *   log-msi     Get Log Page (Error Information), one dword, with PRP1 = MSI
 *               (in the interrupt window): an interrupt request the IOMMU's
 *               remapping must refuse
 *   id-again    Identify into the data page again: the controller still works
 *   sq-bad      the controller re-enabled with its admin submission queue at
 *               SQBAD and the doorbell rung: it fetches the command from
 *               there, a DMA read the IOMMU must block; CSTS and the
 *               completion queue's first entry after 1 s
 *
 * e.g. "id-bad 0000:01:00.0 prp=0x40000000 status=0x0000" (the status is
 * whatever the controller makes of the transfer that failed). The
 * controller is left disabled with its queues at BAD and SQBAD, so whatever
 * a later guest write enables makes it DMA only there. Registers, commands
 * and fields are the NVM Express Base Specification 1.4's (3.1 controller
 * registers, 4.6 completion queue entry, 5.15 Identify, 7.6.1
 * initialization). Errors go to stderr as one line "ptdma: ..." with exit
 * status 1; bad usage exits 2.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define TOOL_NAME "ptdma"
#include "../tool.h"

/* Controller registers (NVMe 1.4, 3.1). */
#define REG_CAP		   0x00
#define REG_INTMS	   0x0c
#define REG_CC		   0x14
#define REG_CSTS	   0x1c
#define REG_AQA		   0x24
#define REG_ASQ		   0x28
#define REG_ACQ		   0x30
#define REG_SQ0TDBL	   0x1000

#define CC_EN		   (1u << 0)
#define CC_IOSQES	   (6u << 16) /* 64-byte submission entries */
#define CC_IOCQES	   (4u << 20) /* 16-byte completion entries */
#define CSTS_RDY	   (1u << 0)
#define CSTS_CFS	   (1u << 1)
#define QUEUE_DEPTH	   8
#define OPC_GET_LOG	   0x02
#define OPC_IDENTIFY	   0x06
#define LID_ERROR	   0x01
#define CNS_CTRL	   0x01

#define PCI_COMMAND	   0x04
#define PCI_COMMAND_MEMORY 0x02
#define PCI_COMMAND_MASTER 0x04
#define PAGE		   4096

static const char *bdf;
static volatile uint8_t *bar;
static uint32_t doorbell_stride;

struct page {
	void *va;
	uint64_t pa;
};

static struct page sq, cq, data;
static unsigned sq_tail, cq_head, cq_phase = 1;
static uint16_t cid;

static uint32_t rd32(unsigned off)
{
	return *(volatile uint32_t *)(bar + off);
}

static void wr32(unsigned off, uint32_t v)
{
	*(volatile uint32_t *)(bar + off) = v;
}

static void wr64(unsigned off, uint64_t v)
{
	wr32(off, (uint32_t)v);
	wr32(off + 4, (uint32_t)(v >> 32));
}

static uint64_t rd64(unsigned off)
{
	return rd32(off) | (uint64_t)rd32(off + 4) << 32;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void nap_ms(unsigned ms)
{
	const struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* Memory Space and Bus Master on: no driver has the device, so nobody else set them. */
static void pci_enable(void)
{
	int fd = tool_sysfs_open(bdf, "config", O_RDWR);
	uint16_t cmd;

	if (pread(fd, &cmd, 2, PCI_COMMAND) != 2)
		die("%s: config read: %s", bdf, strerror(errno));
	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	if (pwrite(fd, &cmd, 2, PCI_COMMAND) != 2)
		die("%s: config write: %s", bdf, strerror(errno));
	close(fd);
}

static void bar_map(void)
{
	int fd = tool_sysfs_open(bdf, "resource0", O_RDWR);
	void *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED)
		die("%s: mmap of resource0: %s", bdf, strerror(errno));
	close(fd);
	bar = p;
}

/* One locked, zeroed page and its guest-physical address (pagemap: PFN in bits 0-54). */
static void page_alloc(struct page *pg)
{
	uint64_t ent;
	int fd;

	pg->va = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED,
		      -1, 0);
	if (pg->va == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	memset(pg->va, 0, PAGE);
	fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0)
		die("/proc/self/pagemap: %s", strerror(errno));
	if (pread(fd, &ent, sizeof(ent), (uintptr_t)pg->va / PAGE * sizeof(ent)) != sizeof(ent))
		die("/proc/self/pagemap: %s", strerror(errno));
	close(fd);
	if (!(ent >> 63) || !(ent & ((1ULL << 55) - 1)))
		die("/proc/self/pagemap: no frame for %p (not root?)", pg->va);
	pg->pa = (ent & ((1ULL << 55) - 1)) * PAGE;
}

/* CSTS.RDY to @rdy within CAP.TO (units of 500 ms); false on timeout. */
static bool wait_ready(bool rdy)
{
	double end = now_s() + ((rd64(REG_CAP) >> 24) & 0xff) * 0.5 + 1;

	while (now_s() < end) {
		uint32_t csts = rd32(REG_CSTS);

		if (csts != 0xffffffff && !!(csts & CSTS_RDY) == rdy)
			return true;
		nap_ms(1);
	}
	return false;
}

/* Disable, queues at @asq/@acq, every interrupt masked (nobody handles them), enable. */
static bool ctrl_start(uint64_t asq, uint64_t acq)
{
	wr32(REG_CC, 0);
	if (!wait_ready(false))
		return false;
	wr32(REG_AQA, (QUEUE_DEPTH - 1) << 16 | (QUEUE_DEPTH - 1));
	wr64(REG_ASQ, asq);
	wr64(REG_ACQ, acq);
	wr32(REG_INTMS, 0xffffffff);
	sq_tail = cq_head = 0;
	cq_phase = 1;
	memset(cq.va, 0, PAGE);
	wr32(REG_CC, CC_EN | CC_IOSQES | CC_IOCQES);
	return wait_ready(true);
}

/* One admin command with PRP1 @prp; the completion's status field, or -1 after 5 s. */
static int admin(uint8_t opc, uint32_t cdw10, uint64_t prp)
{
	uint32_t *cmd = (uint32_t *)sq.va + sq_tail * 16;
	volatile uint32_t *cqe = (volatile uint32_t *)cq.va + cq_head * 4;
	double end = now_s() + 5;
	int status = -1;

	memset(cmd, 0, 64);
	cmd[0] = opc | (uint32_t)++cid << 16;
	cmd[6] = (uint32_t)prp;
	cmd[7] = (uint32_t)(prp >> 32);
	cmd[10] = cdw10;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	sq_tail = (sq_tail + 1) % QUEUE_DEPTH;
	wr32(REG_SQ0TDBL, sq_tail);
	while (now_s() < end) {
		uint32_t dw3 = cqe[3];

		if ((dw3 >> 16 & 1) == cq_phase) {
			status = dw3 >> 17 & 0x7fff;
			break;
		}
		nap_ms(1);
	}
	if (status < 0)
		return status;
	if (++cq_head == QUEUE_DEPTH) {
		cq_head = 0;
		cq_phase ^= 1;
	}
	wr32(REG_SQ0TDBL + doorbell_stride, cq_head);
	return status;
}

static int identify(uint64_t prp)
{
	return admin(OPC_IDENTIFY, CNS_CTRL, prp);
}

static void id_step(const char *label, uint64_t prp)
{
	uint16_t vid = 0;
	int st;

	memset(data.va, 0, PAGE);
	st = identify(prp);
	/* Identify Controller: PCI Vendor ID in bytes 0-1 (5.15, figure 247). */
	if (prp == data.pa)
		memcpy(&vid, data.va, sizeof(vid));
	if (st < 0)
		printf("%s %s prp=0x%" PRIx64 " status=none\n", label, bdf, prp);
	else if (prp == data.pa)
		printf("%s %s prp=data status=0x%04x vid=0x%04x\n", label, bdf, st, vid);
	else
		printf("%s %s prp=0x%" PRIx64 " status=0x%04x\n", label, bdf, prp, st);
}

int main(int argc, char **argv)
{
	uint64_t bad, sqbad, msi;
	uint32_t dw3;
	int st;

	if (argc != 5) {
		fputs("usage: ptdma BDF BAD SQBAD MSI\n", stderr);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	bdf = argv[1];
	bad = num(argv[2], UINT64_MAX);
	sqbad = num(argv[3], UINT64_MAX);
	msi = num(argv[4], UINT64_MAX);
	pci_enable();
	bar_map();
	doorbell_stride = 4u << ((rd64(REG_CAP) >> 32) & 0xf);
	page_alloc(&sq);
	page_alloc(&cq);
	page_alloc(&data);
	if (!ctrl_start(sq.pa, cq.pa))
		die("%s: the controller did not come up (CSTS 0x%08x)", bdf, rd32(REG_CSTS));
	printf("enable %s csts=0x%08x\n", bdf, rd32(REG_CSTS));
	id_step("id-good", data.pa);
	id_step("id-bad", bad);
	/* Get Log Page: NUMDL 0 (one dword, 0's based) in bits 31:16 of CDW10 (5.14). */
	st = admin(OPC_GET_LOG, LID_ERROR, msi);
	if (st < 0)
		printf("log-msi %s prp=0x%" PRIx64 " status=none\n", bdf, msi);
	else
		printf("log-msi %s prp=0x%" PRIx64 " status=0x%04x\n", bdf, msi, st);
	id_step("id-again", data.pa);
	/* The command is in guest RAM; the controller looks for it at SQBAD. */
	if (!ctrl_start(sqbad, cq.pa))
		die("%s: the controller did not come up again (CSTS 0x%08x)", bdf, rd32(REG_CSTS));
	memset(sq.va, 0, PAGE);
	wr32(REG_SQ0TDBL, 1);
	nap_ms(1000);
	dw3 = ((volatile uint32_t *)cq.va)[3];
	printf("sq-bad %s asq=0x%" PRIx64 " csts=0x%08x cfs=%u cqe=%s0x%04x\n", bdf, sqbad,
	       rd32(REG_CSTS), !!(rd32(REG_CSTS) & CSTS_CFS), dw3 >> 16 & 1 ? "" : "none/",
	       dw3 >> 17 & 0x7fff);
	/* Left off, pointing away from guest RAM. */
	wr32(REG_CC, 0);
	(void)wait_ready(false);
	wr64(REG_ASQ, bad);
	wr64(REG_ACQ, bad);
	return 0;
}
