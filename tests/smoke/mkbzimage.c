// SPDX-License-Identifier: GPL-2.0
/*
 * usage: mkbzimage poweroff|spin|reboot FILE
 * A tiny bzImage for `ptvm run` on this host (tests/smoke/sandbox.sh): its
 * 64-bit code writes a line to the serial port (COM1, 0x3f8), then powers
 * off through the ACPI sleep control register (0x600: SLP_EN with \_S5_'s
 * SLP_TYP, vmm/dev/pm.c), spins until ptvm is stopped, or resets through
 * the i8042 (0xfe to 0x64: pulse reset), so that ptvm boots it again.
 */
#include <stdio.h>

#include "tiny_bzimage.h"
#include "util.h"

/* mov dx, 0x3f8; then "ok\n" or "up\n", one out dx, al each. */
#define SERIAL_LINE(a, b) 0x66, 0xba, 0xf8, 0x03, 0xb0, (a), 0xee, 0xb0, (b), 0xee, 0xb0, '\n', 0xee

static const uint8_t mk_poweroff[] = {
	SERIAL_LINE('o', 'k'),
	0x66,
	0xba,
	0x00,
	0x06, /* mov dx, 0x600 */
	0xb0,
	0x34, /* mov al, SLP_EN | 5 << 2 */
	0xee, /* out dx, al */
	0xeb,
	0xfe, /* jmp $ */
};

static const uint8_t mk_reboot[] = {
	SERIAL_LINE('r', 'b'),
	0xb0,
	0xfe, /* mov al, 0xfe (pulse reset) */
	0xe6,
	0x64, /* out 0x64, al */
	0xeb,
	0xfe, /* jmp $ */
};

static const uint8_t mk_spin[] = {
	SERIAL_LINE('u', 'p'), 0xeb, 0xfe, /* jmp $ */
};

static const struct {
	const char *name;
	const uint8_t *code;
	size_t len;
} mk_payloads[] = {
	{"poweroff", mk_poweroff, sizeof(mk_poweroff)},
	{"spin", mk_spin, sizeof(mk_spin)},
	{"reboot", mk_reboot, sizeof(mk_reboot)},
};

int main(int argc, char **argv)
{
	size_t len = 0;
	uint8_t *img = NULL;
	FILE *f;

	for (unsigned i = 0; argc == 3 && i < ARRAY_SIZE(mk_payloads); i++)
		if (!strcmp(argv[1], mk_payloads[i].name))
			img = tiny_bzimage(mk_payloads[i].code, mk_payloads[i].len, &len);
	if (!img) {
		fprintf(stderr, "usage: mkbzimage poweroff|spin|reboot FILE\n");
		return 2;
	}
	f = fopen(argv[2], "wb");
	if (!f || fwrite(img, 1, len, f) != len || fclose(f)) {
		perror(argv[2]);
		free(img);
		return 1;
	}
	free(img);
	return 0;
}
