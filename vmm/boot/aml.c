// SPDX-License-Identifier: GPL-2.0
/*
 * AML writer. Section numbers refer to ACPI 6.x: chapter 20 for the byte
 * code grammar, 6.4 for resource descriptors.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "boot/aml.h"

/* 20.3 AML Byte Stream Byte Values. */
#define AML_ZERO_OP	      0x00
#define AML_ONE_OP	      0x01
#define AML_NAME_OP	      0x08
#define AML_BYTE_PREFIX	      0x0a
#define AML_WORD_PREFIX	      0x0b
#define AML_DWORD_PREFIX      0x0c
#define AML_STRING_PREFIX     0x0d
#define AML_QWORD_PREFIX      0x0e
#define AML_SCOPE_OP	      0x10
#define AML_BUFFER_OP	      0x11
#define AML_PACKAGE_OP	      0x12
#define AML_METHOD_OP	      0x14
#define AML_DUAL_NAME_PREFIX  0x2e
#define AML_MULTI_NAME_PREFIX 0x2f
#define AML_EXT_OP_PREFIX     0x5b
#define AML_DEVICE_OP	      0x82 /* after AML_EXT_OP_PREFIX */
#define AML_ROOT_CHAR	      '\\'
#define AML_PARENT_CHAR	      '^'
#define AML_RETURN_OP	      0xa4
#define AML_ONES_OP	      0xff

/* 6.4 resource descriptor tags. */
#define RES_IRQ_NOFLAGS 0x22 /* small, type 0x04, length 2 */
#define RES_IO		0x47 /* small, type 0x08, length 7 */
#define RES_END_TAG	0x79 /* small, type 0x0f, length 1 */
#define RES_MEM32_FIXED 0x86
#define RES_DWORD_ADDR	0x87
#define RES_WORD_ADDR	0x88
#define RES_QWORD_ADDR	0x8a

/* 6.4.3.5 Address Space Descriptors: Resource Type and General Flags. */
#define RES_TYPE_MEM  0
#define RES_TYPE_IO   1
#define RES_TYPE_BUS  2
#define RES_GFLAG_MIF (1 << 2) /* min address fixed */
#define RES_GFLAG_MAF (1 << 3) /* max address fixed */
/* Bit 0 clear: producer; bit 1 clear: positive decode. */
#define RES_GFLAGS_WINDOW    (RES_GFLAG_MIF | RES_GFLAG_MAF)
#define RES_IO_RNG_ENTIRE    0x3 /* Table 6.51: _RNG "memory window covers the entire range" */
#define RES_MEM_RW	     0x1 /* Table 6.50: _RW read/write */

#define AML_MAX_PKG_ELEMENTS 255
#define AML_MAX_METHOD_ARGS  7

void aml_init(struct aml *a)
{
	memset(a, 0, sizeof(*a));
}

void aml_free(struct aml *a)
{
	free(a->buf);
	aml_init(a);
}

int aml_error(const struct aml *a)
{
	return a->err;
}

void aml_set_error(struct aml *a, int err)
{
	if (!a->err)
		a->err = err;
}

static bool aml_reserve(struct aml *a, size_t n)
{
	size_t cap;
	uint8_t *p;

	if (a->err)
		return false;
	if (n > SIZE_MAX - a->len) {
		aml_set_error(a, -ENOMEM);
		return false;
	}
	if (a->len + n <= a->cap)
		return true;
	cap = MAX(a->cap ? a->cap : 256, a->len + n);
	if (cap < SIZE_MAX / 2)
		cap = MAX(cap, a->cap * 2);
	p = realloc(a->buf, cap);
	if (!p) {
		aml_set_error(a, -ENOMEM);
		return false;
	}
	a->buf = p;
	a->cap = cap;
	return true;
}

void aml_bytes(struct aml *a, const void *p, size_t n)
{
	if (!n || !aml_reserve(a, n))
		return;
	memcpy(a->buf + a->len, p, n);
	a->len += n;
}

void aml_byte(struct aml *a, uint8_t b)
{
	aml_bytes(a, &b, 1);
}

static void aml_le(struct aml *a, uint64_t v, unsigned n)
{
	uint8_t b[8];

	for (unsigned i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	aml_bytes(a, b, n);
}

/*
 * 20.2.4: the lead byte's bits 7:6 count the bytes that follow. A one-byte
 * PkgLength holds 0..63 in bits 5:0; otherwise bits 3:0 are the low nibble
 * and each following byte the next 8 bits (bits 5:4 reserved, zero).
 */
unsigned aml_pkglen_encode(size_t body_len, uint8_t out[4])
{
	uint64_t v;
	unsigned n;

	if (body_len + 1 <= 0x3f) {
		out[0] = (uint8_t)(body_len + 1);
		return 1;
	}
	for (n = 2; n <= 4; n++) {
		v = (uint64_t)body_len + n;
		if (v < (1ULL << (4 + 8 * (n - 1))))
			break;
	}
	if (n > 4)
		return 0;
	out[0] = (uint8_t)(((n - 1) << 6) | (v & 0xf));
	for (unsigned i = 1; i < n; i++)
		out[i] = (uint8_t)(v >> (4 + 8 * (i - 1)));
	return n;
}

void aml_end(struct aml *a, size_t mark)
{
	uint8_t pl[4];
	unsigned n;

	if (a->err)
		return;
	if (mark > a->len) {
		aml_set_error(a, -EINVAL);
		return;
	}
	n = aml_pkglen_encode(a->len - mark, pl);
	if (!n) {
		aml_set_error(a, -EINVAL);
		return;
	}
	if (!aml_reserve(a, n))
		return;
	memmove(a->buf + mark + n, a->buf + mark, a->len - mark);
	memcpy(a->buf + mark, pl, n);
	a->len += n;
}

/* 20.2.2: LeadNameChar is A-Z or '_', NameChar also 0-9. */
static bool aml_name_char(char c, bool lead)
{
	return (c >= 'A' && c <= 'Z') || c == '_' || (!lead && c >= '0' && c <= '9');
}

void aml_namestring(struct aml *a, const char *path)
{
	const char *p = path, *seg;
	unsigned nseg = 0;

	if (*p == AML_ROOT_CHAR) {
		aml_byte(a, AML_ROOT_CHAR);
		p++;
	} else {
		while (*p == AML_PARENT_CHAR)
			aml_byte(a, *p++);
	}
	if (!*p) {
		aml_byte(a, AML_ZERO_OP); /* NullName */
		return;
	}
	for (seg = p; *seg; seg++)
		nseg += *seg == '.';
	nseg++;
	if (nseg > 255) {
		aml_set_error(a, -EINVAL);
		return;
	}
	if (nseg == 2) {
		aml_byte(a, AML_DUAL_NAME_PREFIX);
	} else if (nseg > 2) {
		aml_byte(a, AML_MULTI_NAME_PREFIX);
		aml_byte(a, (uint8_t)nseg);
	}
	while (*p) {
		char s[4] = {'_', '_', '_', '_'};
		unsigned i;

		for (i = 0; p[i] && p[i] != '.'; i++) {
			if (i >= 4 || !aml_name_char(p[i], i == 0)) {
				aml_set_error(a, -EINVAL);
				return;
			}
			s[i] = p[i];
		}
		if (!i) {
			aml_set_error(a, -EINVAL);
			return;
		}
		aml_bytes(a, s, 4);
		p += i;
		if (*p == '.' && !*++p) {
			aml_set_error(a, -EINVAL); /* trailing dot */
			return;
		}
	}
}

/* 19.6.90 / 20.2.5.1: DefName := NameOp NameString DataRefObject. */
void aml_name(struct aml *a, const char *name)
{
	aml_byte(a, AML_NAME_OP);
	aml_namestring(a, name);
}

/* DefScope := ScopeOp PkgLength NameString TermList. */
size_t aml_scope(struct aml *a, const char *path)
{
	size_t mark;

	aml_byte(a, AML_SCOPE_OP);
	mark = a->len;
	aml_namestring(a, path);
	return mark;
}

/* DefDevice := DeviceOp (0x5B 0x82) PkgLength NameString TermList. */
size_t aml_device(struct aml *a, const char *path)
{
	size_t mark;

	aml_byte(a, AML_EXT_OP_PREFIX);
	aml_byte(a, AML_DEVICE_OP);
	mark = a->len;
	aml_namestring(a, path);
	return mark;
}

/*
 * DefMethod := MethodOp PkgLength NameString MethodFlags TermList;
 * MethodFlags bits 2:0 ArgCount, bit 3 SerializeFlag, bits 7:4 SyncLevel (0).
 */
size_t aml_method(struct aml *a, const char *path, unsigned nargs, bool serialized)
{
	size_t mark;

	if (nargs > AML_MAX_METHOD_ARGS)
		aml_set_error(a, -EINVAL);
	aml_byte(a, AML_METHOD_OP);
	mark = a->len;
	aml_namestring(a, path);
	aml_byte(a, (uint8_t)((nargs & 7) | (serialized ? 1 << 3 : 0)));
	return mark;
}

void aml_return(struct aml *a)
{
	aml_byte(a, AML_RETURN_OP);
}

/* 20.2.3 Data Objects Encoding: ComputationalData and ConstObj. */
void aml_int(struct aml *a, uint64_t v)
{
	if (v == 0) {
		aml_byte(a, AML_ZERO_OP);
	} else if (v == 1) {
		aml_byte(a, AML_ONE_OP);
	} else if (v == ~0ULL) {
		aml_byte(a, AML_ONES_OP); /* all ones in a revision 2+ (64-bit) table */
	} else if (v <= 0xff) {
		aml_byte(a, AML_BYTE_PREFIX);
		aml_le(a, v, 1);
	} else if (v <= 0xffff) {
		aml_byte(a, AML_WORD_PREFIX);
		aml_le(a, v, 2);
	} else if (v <= 0xffffffff) {
		aml_byte(a, AML_DWORD_PREFIX);
		aml_le(a, v, 4);
	} else {
		aml_byte(a, AML_QWORD_PREFIX);
		aml_le(a, v, 8);
	}
}

/* String := StringPrefix AsciiCharList NullChar; AsciiChar is 0x01-0x7F. */
void aml_string(struct aml *a, const char *s)
{
	for (const char *p = s; *p; p++) {
		if ((unsigned char)*p > 0x7f) {
			aml_set_error(a, -EINVAL);
			return;
		}
	}
	aml_byte(a, AML_STRING_PREFIX);
	aml_bytes(a, s, strlen(s) + 1);
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * 19.6.35 EISAID: three upper-case letters of 5 bits each ('A' = 1) and four
 * hex digits form a big-endian 32-bit id; the AML integer is its byte-swap.
 */
uint32_t aml_eisaid_value(const char *id)
{
	uint32_t v = 0;

	if (!id || strlen(id) != 7)
		return 0;
	for (unsigned i = 0; i < 3; i++) {
		if (id[i] < 'A' || id[i] > 'Z')
			return 0;
		v = (v << 5) | (uint32_t)(id[i] - 0x40);
	}
	for (unsigned i = 3; i < 7; i++) {
		int d = hex_digit(id[i]);

		if (d < 0)
			return 0;
		v = (v << 4) | (uint32_t)d;
	}
	return __builtin_bswap32(v);
}

void aml_eisaid(struct aml *a, const char *id)
{
	uint32_t v = aml_eisaid_value(id);

	if (!v) {
		aml_set_error(a, -EINVAL);
		return;
	}
	aml_byte(a, AML_DWORD_PREFIX);
	aml_le(a, v, 4);
}

/* DefBuffer := BufferOp PkgLength BufferSize ByteList. */
void aml_buffer(struct aml *a, const void *data, size_t len)
{
	size_t mark;

	aml_byte(a, AML_BUFFER_OP);
	mark = a->len;
	aml_int(a, len);
	aml_bytes(a, data, len);
	aml_end(a, mark);
}

/* DefPackage := PackageOp PkgLength NumElements PackageElementList. */
size_t aml_package(struct aml *a, unsigned nelem)
{
	size_t mark;

	if (nelem > AML_MAX_PKG_ELEMENTS)
		aml_set_error(a, -EINVAL);
	aml_byte(a, AML_PACKAGE_OP);
	mark = a->len;
	aml_byte(a, (uint8_t)nelem);
	return mark;
}

/*
 * 6.4.3.5.1-3 QWord/DWord/Word Address Space Descriptors share one shape:
 * tag, 16-bit length of what follows, resource type, general flags, type
 * specific flags, then granularity, min, max, translation offset and length
 * in @size-byte fields.
 */
static void aml_res_addr(struct aml *r, uint8_t tag, unsigned size, uint8_t type, uint8_t tflags,
			 uint64_t min, uint64_t max)
{
	aml_byte(r, tag);
	aml_le(r, 3 + 5 * size, 2);
	aml_byte(r, type);
	aml_byte(r, RES_GFLAGS_WINDOW);
	aml_byte(r, tflags);
	aml_le(r, 0, size);		/* _GRA */
	aml_le(r, min, size);		/* _MIN */
	aml_le(r, max, size);		/* _MAX */
	aml_le(r, 0, size);		/* _TRA */
	aml_le(r, max - min + 1, size); /* _LEN */
	if (max < min)
		aml_set_error(r, -EINVAL);
}

void aml_res_word_bus(struct aml *r, uint16_t min, uint16_t max)
{
	aml_res_addr(r, RES_WORD_ADDR, 2, RES_TYPE_BUS, 0, min, max);
}

void aml_res_word_io(struct aml *r, uint16_t min, uint16_t max)
{
	aml_res_addr(r, RES_WORD_ADDR, 2, RES_TYPE_IO, RES_IO_RNG_ENTIRE, min, max);
}

/* Memory type specific flags: bits 2:1 _MEM, bit 0 _RW. */
void aml_res_dword_mem(struct aml *r, unsigned cache, uint32_t min, uint32_t max)
{
	aml_res_addr(r, RES_DWORD_ADDR, 4, RES_TYPE_MEM, (uint8_t)((cache & 3) << 1 | RES_MEM_RW),
		     min, max);
}

void aml_res_qword_mem(struct aml *r, unsigned cache, uint64_t min, uint64_t max)
{
	aml_res_addr(r, RES_QWORD_ADDR, 8, RES_TYPE_MEM, (uint8_t)((cache & 3) << 1 | RES_MEM_RW),
		     min, max);
}

/* 6.4.2.5: information byte bit 0 set = 16-bit decode. */
void aml_res_io(struct aml *r, uint16_t min, uint16_t max, uint8_t align, uint8_t len)
{
	aml_byte(r, RES_IO);
	aml_byte(r, 1);
	aml_le(r, min, 2);
	aml_le(r, max, 2);
	aml_byte(r, align);
	aml_byte(r, len);
}

/* 6.4.3.4: length 9, information bit 0 set = read/write. */
void aml_res_mem32_fixed(struct aml *r, uint32_t base, uint32_t len)
{
	aml_byte(r, RES_MEM32_FIXED);
	aml_le(r, 9, 2);
	aml_byte(r, RES_MEM_RW);
	aml_le(r, base, 4);
	aml_le(r, len, 4);
}

void aml_res_irq(struct aml *r, uint16_t mask)
{
	aml_byte(r, RES_IRQ_NOFLAGS);
	aml_le(r, mask, 2);
}

/* 6.4.2.9: "If the checksum field is zero, the resource data is treated as
 * if the checksum operation succeeded." */
void aml_res_end(struct aml *r)
{
	aml_byte(r, RES_END_TAG);
	aml_byte(r, 0);
}

void aml_restemplate(struct aml *a, const struct aml *r)
{
	if (r->err) {
		aml_set_error(a, r->err);
		return;
	}
	aml_buffer(a, r->buf, r->len);
}
