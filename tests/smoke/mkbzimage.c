// SPDX-License-Identifier: GPL-2.0
/*
 * usage: mkbzimage poweroff|spin FILE
 * A tiny bzImage for `ptvm run` on this host (tests/smoke/sandbox.sh): its
 * 64-bit code writes a line to the serial port (COM1, 0x3f8), then either
 * powers off through the ACPI sleep control register (0x600: SLP_EN with
 * \_S5_'s SLP_TYP, vmm/dev/pm.c) or spins until ptvm is stopped.
 */
#include <stdio.h>

#include "tiny_bzimage.h"

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

static const uint8_t mk_spin[] = {
	SERIAL_LINE('u', 'p'), 0xeb, 0xfe, /* jmp $ */
};

int main(int argc, char **argv)
{
	const uint8_t *payload;
	size_t plen, len;
	uint8_t *img;
	FILE *f;

	if (argc != 3 || (strcmp(argv[1], "poweroff") && strcmp(argv[1], "spin"))) {
		fprintf(stderr, "usage: mkbzimage poweroff|spin FILE\n");
		return 2;
	}
	payload = argv[1][0] == 'p' ? mk_poweroff : mk_spin;
	plen = argv[1][0] == 'p' ? sizeof(mk_poweroff) : sizeof(mk_spin);
	img = tiny_bzimage(payload, plen, &len);
	f = img ? fopen(argv[2], "wb") : NULL;
	if (!f || fwrite(img, 1, len, f) != len || fclose(f)) {
		perror(argv[2]);
		free(img);
		return 1;
	}
	free(img);
	return 0;
}
