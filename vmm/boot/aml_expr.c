// SPDX-License-Identifier: GPL-2.0
/*
 * AML writer, the part for method bodies (ACPI 6.x 20.2.5 Term Objects
 * Encoding): If/Else, buffer fields, arithmetic, logic, Store, the Arg and
 * Local objects, ToUUID. Each call writes one opcode; its operands are the
 * next things appended, as aml.h's Name and Return.
 */
#include <errno.h>
#include <string.h>

#include "boot/aml.h"

/* 20.3 AML Byte Stream Byte Values. */
#define AML_BUFFER_OP		  0x11
#define AML_LOCAL0_OP		  0x60
#define AML_ARG0_OP		  0x68
#define AML_STORE_OP		  0x70
#define AML_AND_OP		  0x7b
#define AML_OR_OP		  0x7d
#define AML_CREATE_DWORD_FIELD_OP 0x8a
#define AML_LNOT_OP		  0x92
#define AML_LEQUAL_OP		  0x93
#define AML_IF_OP		  0xa0
#define AML_ELSE_OP		  0xa1

/* DefIfElse := IfOp PkgLength Predicate TermList DefElse. */
size_t aml_if(struct aml *a)
{
	aml_byte(a, AML_IF_OP);
	return a->len;
}

/* DefElse := ElseOp PkgLength TermList, right after the If it belongs to. */
size_t aml_else(struct aml *a)
{
	aml_byte(a, AML_ELSE_OP);
	return a->len;
}

void aml_create_dword_field(struct aml *a)
{
	aml_byte(a, AML_CREATE_DWORD_FIELD_OP);
}

void aml_and(struct aml *a)
{
	aml_byte(a, AML_AND_OP);
}

void aml_or(struct aml *a)
{
	aml_byte(a, AML_OR_OP);
}

void aml_store(struct aml *a)
{
	aml_byte(a, AML_STORE_OP);
}

void aml_lequal(struct aml *a)
{
	aml_byte(a, AML_LEQUAL_OP);
}

/* LNotEqual is LNotOp LEqualOp (20.2.5.4). */
void aml_lnot(struct aml *a)
{
	aml_byte(a, AML_LNOT_OP);
}

void aml_arg(struct aml *a, unsigned n)
{
	if (n > 6)
		aml_set_error(a, -EINVAL);
	aml_byte(a, AML_ARG0_OP + (n & 7));
}

void aml_local(struct aml *a, unsigned n)
{
	if (n > 7)
		aml_set_error(a, -EINVAL);
	aml_byte(a, AML_LOCAL0_OP + (n & 7));
}

/*
 * 19.6.142 ToUUID: "aabbccdd-eeff-gghh-iijj-kkllmmnnoopp" becomes the 16
 * bytes dd cc bb aa ff ee hh gg ii jj kk ll mm nn oo pp: the first three
 * groups little-endian, the last two in order.
 */
void aml_uuid(struct aml *a, const char *s)
{
	static const unsigned char order[16] = {3, 2, 1,  0,  5,  4,  7,  6,
						8, 9, 10, 11, 12, 13, 14, 15};
	uint8_t in[16], out[16];
	unsigned n = 0;

	if (strlen(s) != 36) {
		aml_set_error(a, -EINVAL);
		return;
	}
	for (const char *p = s; *p && n < 16; p++) {
		int hi, lo;

		if (*p == '-' && (p - s == 8 || p - s == 13 || p - s == 18 || p - s == 23))
			continue;
		hi = hex_value(p[0]);
		lo = hi < 0 ? -1 : hex_value(p[1]);
		if (lo < 0)
			break;
		in[n++] = (uint8_t)(hi << 4 | lo);
		p++;
	}
	if (n != 16) {
		aml_set_error(a, -EINVAL);
		return;
	}
	for (unsigned i = 0; i < 16; i++)
		out[i] = in[order[i]];
	aml_buffer(a, out, sizeof(out));
}
