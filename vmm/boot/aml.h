/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny AML byte-code writer (ACPI 6.x chapter 20 "ACPI Machine Language
 * Specification") and resource-descriptor writer (ACPI 6.x 6.4 "Resource
 * Data Types for ACPI"), enough for ptvm's DSDT.
 *
 * Usage: every call appends to a growable buffer. Objects with a PkgLength
 * (Scope, Device, Method, Package, Buffer) are opened by a call that returns
 * a mark and closed by aml_end(a, mark), which inserts the PkgLength in its
 * smallest encoding. Failures (allocation, bad names, oversized objects) set
 * a sticky error and make later calls no-ops; check aml_error() once at the
 * end.
 */
#ifndef PTVM_BOOT_AML_H
#define PTVM_BOOT_AML_H

#include "util.h"

struct aml {
	uint8_t *buf;
	size_t len;
	size_t cap;
	int err; /* first failure: -ENOMEM or -EINVAL; 0 while all is well */
};

/* 20.2.4 PkgLength: the 4-byte form holds 28 bits. */
#define AML_PKGLEN_MAX 0x0fffffffu

/* Resource type specific flags (6.4.3.5, Tables 6.50/6.51). */
#define AML_MEM_NONCACHEABLE 0
#define AML_MEM_CACHEABLE    1

void aml_init(struct aml *a);
void aml_free(struct aml *a);
/* 0, or the first error any call on @a hit. */
int aml_error(const struct aml *a) __must_check;

void aml_byte(struct aml *a, uint8_t b);
void aml_bytes(struct aml *a, const void *p, size_t n);

/*
 * 20.2.4: encode the PkgLength of an object whose body (after the PkgLength)
 * is @body_len bytes; the value counts the PkgLength bytes too. Writes 1..4
 * bytes to @out and returns how many, or 0 if too large.
 */
unsigned aml_pkglen_encode(size_t body_len, uint8_t out[4]);
/* Close the object opened at @mark: insert its PkgLength there. */
void aml_end(struct aml *a, size_t mark);

/* 20.2.2 NameString: "\\_SB.PCI0", "^FOO", "_HID"; segments padded with '_'. */
void aml_namestring(struct aml *a, const char *path);
/* Name(@name, ...): the value object is the next thing appended. */
void aml_name(struct aml *a, const char *name);
/* Scope(@path) { ... }, Device(@path) { ... }: close with aml_end(). */
size_t aml_scope(struct aml *a, const char *path);
size_t aml_device(struct aml *a, const char *path);
/* Method(@path, @nargs (0..7), Serialized/NotSerialized) { ... }. */
size_t aml_method(struct aml *a, const char *path, unsigned nargs, bool serialized);
/* Return(...): the operand is the next thing appended. */
void aml_return(struct aml *a);

/* Integer in its smallest encoding: Zero, One, Ones, Byte/Word/DWord/QWordConst. */
void aml_int(struct aml *a, uint64_t v);
/* String "..." (ASCII 0x01..0x7f). */
void aml_string(struct aml *a, const char *s);
/* Compressed EISA id ("PNP0A03" -> 0x030ad041) or 0 if @id is malformed. */
uint32_t aml_eisaid_value(const char *id);
/* EISAID(@id), always as a DWordConst like ASL compilers emit it. */
void aml_eisaid(struct aml *a, const char *id);
/* Buffer() { @data }. */
void aml_buffer(struct aml *a, const void *data, size_t len);
/* Package(@nelem) { ... } (at most 255 elements): close with aml_end(). */
size_t aml_package(struct aml *a, unsigned nelem);

/*
 * aml_expr.c: method bodies. Each writes one opcode; its operands follow.
 * If (@pred) { ... } [Else { ... }]: aml_if(), the predicate, the body,
 * aml_end(mark); an Else right after it likewise. CreateDWordField
 * (@buf, @index, @name), And/Or (@a, @b, @target), Store (@value,
 * @target), LEqual (@a, @b); LNot before LEqual is LNotEqual.
 */
size_t aml_if(struct aml *a);
size_t aml_else(struct aml *a);
void aml_create_dword_field(struct aml *a);
void aml_and(struct aml *a);
void aml_or(struct aml *a);
void aml_store(struct aml *a);
void aml_lequal(struct aml *a);
void aml_lnot(struct aml *a);
/* Arg0..Arg6, Local0..Local7. */
void aml_arg(struct aml *a, unsigned n);
void aml_local(struct aml *a, unsigned n);
/* ToUUID("xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"): a 16-byte Buffer. */
void aml_uuid(struct aml *a, const char *uuid);
/* Set @a's sticky error (the first one stays). */
void aml_set_error(struct aml *a, int err);

/*
 * Resource descriptors, appended to a separate struct aml used as a plain
 * byte buffer, ended with aml_res_end() and wrapped by aml_restemplate().
 * Address-space windows are ResourceProducer, PosDecode, MinFixed, MaxFixed,
 * granularity 0, translation 0, length max - min + 1.
 */
void aml_res_word_bus(struct aml *r, uint16_t min, uint16_t max);
void aml_res_word_io(struct aml *r, uint16_t min, uint16_t max);
void aml_res_dword_mem(struct aml *r, unsigned cache, uint32_t min, uint32_t max);
void aml_res_qword_mem(struct aml *r, unsigned cache, uint64_t min, uint64_t max);
/* IO(Decode16, @min, @max, @align, @len): 6.4.2.5 I/O Port Descriptor. */
void aml_res_io(struct aml *r, uint16_t min, uint16_t max, uint8_t align, uint8_t len);
/* Memory32Fixed(ReadWrite, @base, @len): 6.4.3.4. */
void aml_res_mem32_fixed(struct aml *r, uint32_t base, uint32_t len);
/* IRQNoFlags() { bits of @mask }: edge, active high, exclusive (6.4.2.1). */
void aml_res_irq(struct aml *r, uint16_t mask);
/* End Tag with checksum 0 ("treated as if the checksum operation succeeded"). */
void aml_res_end(struct aml *r);
/* ResourceTemplate(): Buffer holding @r's bytes; inherits @r's error. */
void aml_restemplate(struct aml *a, const struct aml *r);

#endif
