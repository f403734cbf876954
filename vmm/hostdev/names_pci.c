// SPDX-License-Identifier: GPL-2.0
/*
 * Names from pci.ids through libpci (pciutils lib/names.c). Only the ID
 * database is used: no pci_init() (no config-space access method is
 * needed), no udev hwdb and no DNS or cache lookups (PCI_LOOKUP_NO_HWDB,
 * id_lookup_mode 0), so the names are those of the one file, whatever the
 * host's udev or network.
 *
 * libpci reports fatal errors through pci_access.error, which must not
 * return (its default calls exit()). While it loads the file, that can
 * happen for a malformed pci.ids: the handler here jumps back into
 * names_open(), which goes on with hex names. The file is closed by then
 * (lib/names-parse.c, pci_load_name_list()).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <pci/pci.h>

#include "hostdev/names.h"

struct names {
	struct pci_access *pacc;
	bool loaded;
};

/* The landing pad of the pci_load_name_list() in progress, and what libpci said. */
static jmp_buf *names_pad;
static char names_why[256];

static void __printf(1, 2) __attribute__((noreturn)) names_error(char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(names_why, sizeof(names_why), fmt, ap);
	va_end(ap);
	names_why[strcspn(names_why, "\n")] = '\0';
	/* Only pci_load_name_list() can get here: lookups of a loaded list do not fail. */
	if (!names_pad)
		abort();
	longjmp(*names_pad, 1);
}

static void __printf(1, 2) names_quiet(char *fmt, ...)
{
}

/* pci_load_name_list() with libpci's error() caught. 1 loaded, 0 not. */
static int names_load(struct pci_access *pacc)
{
	jmp_buf pad;
	int ret;

	if (setjmp(pad)) {
		names_pad = NULL;
		log_err("pci.ids: %s; showing hex IDs", names_why);
		return 0;
	}
	names_pad = &pad;
	ret = pci_load_name_list(pacc);
	names_pad = NULL;
	return ret;
}

int names_open(const char *ids, struct names **out)
{
	struct names *n = calloc(1, sizeof(*n));
	char *path = NULL;

	if (!n)
		return -ENOMEM;
	n->pacc = pci_alloc();
	if (ids)
		path = strdup(ids);
	if (!n->pacc || (ids && !path)) {
		free(path);
		names_close(n);
		return -ENOMEM;
	}
	n->pacc->error = names_error;
	n->pacc->warning = names_quiet;
	n->pacc->debug = names_quiet;
	n->pacc->id_lookup_mode = 0;
	if (path)
		pci_set_name_list_path(n->pacc, path, 1);
	/* A file that cannot be opened is simply "no names" (0, silently). */
	n->loaded = names_load(n->pacc);
	*out = n;
	return 0;
}

void names_close(struct names *n)
{
	if (!n)
		return;
	if (n->pacc)
		pci_cleanup(n->pacc);
	free(n);
}

bool names_loaded(const struct names *n)
{
	return n->loaded;
}

#define NAMES_FLAGS (PCI_LOOKUP_NO_NUMBERS | PCI_LOOKUP_NO_HWDB)

const char *names_vendor(struct names *n, uint16_t vendor, char buf[NAMES_MAX])
{
	if (n->loaded &&
	    pci_lookup_name(n->pacc, buf, NAMES_MAX, PCI_LOOKUP_VENDOR | NAMES_FLAGS, vendor))
		return buf;
	return names_hex16(vendor, buf);
}

const char *names_device(struct names *n, uint16_t vendor, uint16_t device, char buf[NAMES_MAX])
{
	if (n->loaded && pci_lookup_name(n->pacc, buf, NAMES_MAX, PCI_LOOKUP_DEVICE | NAMES_FLAGS,
					 vendor, device))
		return buf;
	return names_hex16(device, buf);
}

const char *names_class(struct names *n, uint32_t class, char buf[NAMES_MAX])
{
	if (n->loaded &&
	    pci_lookup_name(n->pacc, buf, NAMES_MAX, PCI_LOOKUP_CLASS | NAMES_FLAGS, class >> 8))
		return buf;
	return names_hex16(class >> 8, buf);
}
