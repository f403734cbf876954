/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Vendor, device and class names for `ptvm devices`, from the PCI ID
 * database (pci.ids) through libpci's pci_lookup_name(). Where there is no
 * pci.ids, or an ID is not in it, the name is the hex ID, as `lspci -n`
 * prints it. Two implementations with this one interface: names_pci.c
 * (libpci, linked into build/ptvm) and names_hex.c (hex only, for the static
 * build: Debian ships no static libpci).
 */
#ifndef PTVM_HOSTDEV_NAMES_H
#define PTVM_HOSTDEV_NAMES_H

#include <stdio.h>

#include "util.h"

#define NAMES_MAX 128 /* longest name kept; libpci ends a cut one with "..." */

struct names;

/*
 * Load the database at @ids (NULL: libpci's default, /usr/share/misc/
 * pci.ids.gz or pci.ids). A missing or malformed file is no error: every
 * name is then the hex ID (a malformed one is logged once). -ENOMEM only.
 */
int names_open(const char *ids, struct names **out) __must_check;
void names_close(struct names *n);

/* True when names come from a database, false when they are all hex. */
bool names_loaded(const struct names *n);

/* Each returns @buf (NAMES_MAX bytes) holding the name or the hex ID. */
const char *names_vendor(struct names *n, uint16_t vendor, char buf[NAMES_MAX]);
const char *names_device(struct names *n, uint16_t vendor, uint16_t device, char buf[NAMES_MAX]);
/* @class is the 24-bit class code; the name is that of its base and sub-class. */
const char *names_class(struct names *n, uint32_t class, char buf[NAMES_MAX]);

/* The hex forms, shared by both implementations. */
static inline const char *names_hex16(unsigned id, char buf[NAMES_MAX])
{
	snprintf(buf, NAMES_MAX, "%04x", id & 0xffff);
	return buf;
}

#endif
