// SPDX-License-Identifier: GPL-2.0
/*
 * nvmeadm: the few NVMe admin commands the rig's L1 needs to bring an
 * SR-IOV secondary controller (a VF of QEMU's NVMe) up, where L1 has no
 * nvme-cli (tests/e2e/pt_sriov.sh). Static, in the L1 initramfs. Each
 * command goes to the controller's character device through
 * NVME_IOCTL_ADMIN_CMD (linux/nvme_ioctl.h):
 *
 *   nvmeadm prictrl DEV                    Identify, Primary Controller Capabilities
 *   nvmeadm secctrl DEV                    Identify, Secondary Controller List: a line each
 *   nvmeadm virt-mgmt DEV CNTLID ACT RT NR Virtualization Management
 *                                          ACT: prim-flex, sec-offline, sec-assign, sec-online
 *                                          RT: vq (queues) or vi (interrupts)
 *   nvmeadm ns-attach DEV NSID CNTLID      Namespace Attachment, attach to one controller
 *   nvmeadm ns-ctrls DEV NSID              Identify, controllers attached to NSID
 *
 * Fields and offsets are the NVM Express Base Specification 1.4's: the
 * Identify command (5.15; CNS 12h, 14h, 15h and their data structures,
 * Primary Controller Capabilities and Secondary Controller List), the
 * Namespace Attachment command (5.19, with a Controller List) and the
 * Virtualization Management command (5.22). Each command
 * prints one line that starts with its name and repeats its arguments,
 * then the result, e.g.
 *
 *   virt-mgmt /dev/nvme1 cntlid=1 act=sec-assign rt=vq nr=2 result=2
 *
 * Errors go to stderr as one line "nvmeadm: ..." with exit status 1 (a
 * command the controller failed names its status field); bad usage exits 2.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/nvme_ioctl.h>

#define TOOL_NAME "nvmeadm"
#include "../tool.h"

/* Admin command opcodes (NVMe 1.4, 5: Admin Command Set). */
#define OPC_IDENTIFY  0x06
#define OPC_NS_ATTACH 0x15
#define OPC_VIRT_MGMT 0x1c

/* Identify CNS values (5.15). */
#define CNS_NS_CTRLS  0x12 /* controllers attached to the NSID */
#define CNS_PRI_CAP   0x14 /* Primary Controller Capabilities */
#define CNS_SEC_LIST  0x15 /* Secondary Controller List */
#define IDENTIFY_SIZE 4096

/* Secondary Controller List: a count in byte 0, then 32-byte entries from byte 32. */
#define SEC_LIST_FIRST 32
#define SEC_ENTRY_SIZE 32
#define SEC_ENTRY_MAX  127

static const char *dev;

static void __attribute__((noreturn)) usage(void)
{
	fputs("usage: nvmeadm prictrl DEV | secctrl DEV | virt-mgmt DEV CNTLID ACT RT NR |\n"
	      "       ns-attach DEV NSID CNTLID | ns-ctrls DEV NSID\n"
	      "  ACT: prim-flex, sec-offline, sec-assign, sec-online; RT: vq, vi\n",
	      stderr);
	exit(2);
}

static unsigned le16(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/*
 * One admin command; its completion's Dword 0 in *@result. The ioctl
 * returns the command's status field when the controller failed it
 * (drivers/nvme/host/ioctl.c), -1 with errno when it never got there.
 */
static void admin(struct nvme_admin_cmd *c, const char *what)
{
	int fd = open(dev, O_RDWR);
	int ret;

	if (fd < 0)
		die("%s: %s", dev, strerror(errno));
	ret = ioctl(fd, NVME_IOCTL_ADMIN_CMD, c);
	close(fd);
	if (ret < 0)
		die("%s: %s: %s", dev, what, strerror(errno));
	if (ret > 0)
		die("%s: %s: the controller failed it, status 0x%x", dev, what, ret);
}

/* Identify with @cns into @buf (4 KiB); @nsid and @cntid where the CNS takes them. */
static void identify(uint8_t *buf, unsigned cns, uint32_t nsid, unsigned cntid, const char *what)
{
	struct nvme_admin_cmd c = {
		.opcode = OPC_IDENTIFY,
		.nsid = nsid,
		.addr = (uintptr_t)buf,
		.data_len = IDENTIFY_SIZE,
		.cdw10 = cns | (uint32_t)cntid << 16, /* Dword 10: CNS 7:0, CNTID 31:16 */
	};

	memset(buf, 0, IDENTIFY_SIZE);
	admin(&c, what);
}

/*
 * Primary Controller Capabilities: CNTLID at 1:0, then the VQ resources
 * (VQFRT 35:32, VQRFA 39:36, VQRFAP 41:40, VQPRT 43:42, VQFRSM 45:44) and
 * the VI resources (VIFRT 67:64, VIRFA 71:68, VIRFAP 73:72, VIPRT 75:74,
 * VIFRSM 77:76).
 */
static void cmd_prictrl(void)
{
	uint8_t b[IDENTIFY_SIZE];

	identify(b, CNS_PRI_CAP, 0, 0, "identify primary controller capabilities");
	printf("prictrl %s cntlid=%u vqfrt=%" PRIu32 " vqrfa=%" PRIu32 " vqrfap=%u vqprt=%u "
	       "vqfrsm=%u vifrt=%" PRIu32 " virfa=%" PRIu32 " virfap=%u viprt=%u vifrsm=%u\n",
	       dev, le16(b), le32(b + 32), le32(b + 36), le16(b + 40), le16(b + 42), le16(b + 44),
	       le32(b + 64), le32(b + 68), le16(b + 72), le16(b + 74), le16(b + 76));
}

/*
 * Secondary Controller Entry: SCID 1:0, PCID 3:2, SCS 4 (bit 0: online),
 * VFN 9:8, NVQ 11:10, NVI 13:12.
 */
static void cmd_secctrl(void)
{
	uint8_t b[IDENTIFY_SIZE];
	unsigned n;

	identify(b, CNS_SEC_LIST, 0, 0, "identify secondary controller list");
	n = b[0] < SEC_ENTRY_MAX ? b[0] : SEC_ENTRY_MAX;
	if (!n)
		printf("secctrl %s none\n", dev);
	for (unsigned i = 0; i < n; i++) {
		const uint8_t *e = b + SEC_LIST_FIRST + i * SEC_ENTRY_SIZE;

		printf("secctrl %s scid=%u pcid=%u online=%u vfn=%u nvq=%u nvi=%u\n", dev, le16(e),
		       le16(e + 2), e[4] & 1, le16(e + 8), le16(e + 10), le16(e + 12));
	}
}

static const struct {
	const char *name;
	unsigned act; /* Dword 10 ACT */
} virt_acts[] = {
	{"prim-flex", 0x1},   /* Primary Controller Flexible Allocation */
	{"sec-offline", 0x7}, /* Secondary Controller Offline */
	{"sec-assign", 0x8},  /* Secondary Controller Assign */
	{"sec-online", 0x9},  /* Secondary Controller Online */
};

static void cmd_virt_mgmt(char **argv)
{
	unsigned cntlid = num(argv[0], 0xffff), act = 0, rt;
	uint32_t nr = num(argv[3], 0xffff);
	struct nvme_admin_cmd c = {.opcode = OPC_VIRT_MGMT};

	for (unsigned i = 0; i < sizeof(virt_acts) / sizeof(virt_acts[0]); i++)
		if (!strcmp(argv[1], virt_acts[i].name))
			act = virt_acts[i].act;
	if (!act)
		usage();
	/* Resource Type: 000b VQ resources, 001b VI resources. */
	if (!strcmp(argv[2], "vq"))
		rt = 0;
	else if (!strcmp(argv[2], "vi"))
		rt = 1;
	else
		usage();
	/* ACT 3:0, RT 10:8, CNTLID 31:16 in Dword 10; NR 15:0 in Dword 11. */
	c.cdw10 = act | rt << 8 | (uint32_t)cntlid << 16;
	c.cdw11 = nr;
	admin(&c, "virtualization management");
	printf("virt-mgmt %s cntlid=%u act=%s rt=%s nr=%" PRIu32 " result=%" PRIu32 "\n", dev,
	       cntlid, argv[1], argv[2], nr, c.result);
}

/* Controller List: the number of identifiers, then each, 16 bits apiece, little-endian. */
static void cmd_ns_attach(char **argv)
{
	uint32_t nsid = num(argv[0], 0xfffffffe);
	unsigned cntlid = num(argv[1], 0xffff);
	uint8_t list[IDENTIFY_SIZE] = {1, 0, cntlid & 0xff, cntlid >> 8};
	struct nvme_admin_cmd c = {
		.opcode = OPC_NS_ATTACH,
		.nsid = nsid,
		.addr = (uintptr_t)list,
		.data_len = sizeof(list),
		.cdw10 = 0, /* SEL (3:0) 0h: Controller Attach */
	};

	admin(&c, "namespace attachment");
	printf("ns-attach %s nsid=%" PRIu32 " cntlid=%u ok\n", dev, nsid, cntlid);
}

static void cmd_ns_ctrls(char **argv)
{
	uint32_t nsid = num(argv[0], 0xfffffffe);
	uint8_t b[IDENTIFY_SIZE];
	unsigned n;

	identify(b, CNS_NS_CTRLS, nsid, 0, "identify controllers attached to the namespace");
	n = le16(b);
	printf("ns-ctrls %s nsid=%" PRIu32 " count=%u", dev, nsid, n);
	for (unsigned i = 0; i < n && i < IDENTIFY_SIZE / 2 - 1; i++)
		printf(" %u", le16(b + 2 + 2 * i));
	printf("\n");
}

int main(int argc, char **argv)
{
	if (argc < 3)
		usage();
	dev = argv[2];
	if (!strcmp(argv[1], "prictrl") && argc == 3)
		cmd_prictrl();
	else if (!strcmp(argv[1], "secctrl") && argc == 3)
		cmd_secctrl();
	else if (!strcmp(argv[1], "virt-mgmt") && argc == 7)
		cmd_virt_mgmt(argv + 3);
	else if (!strcmp(argv[1], "ns-attach") && argc == 5)
		cmd_ns_attach(argv + 3);
	else if (!strcmp(argv[1], "ns-ctrls") && argc == 4)
		cmd_ns_ctrls(argv + 3);
	else
		usage();
	return 0;
}
