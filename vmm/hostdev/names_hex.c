// SPDX-License-Identifier: GPL-2.0
/*
 * Names without a database: hex IDs only. The static ptvm (for the nested
 * rig's L1, which has no pci.ids either) links this instead of names_pci.c,
 * as Debian's libpci-dev has no static library.
 */
#include <errno.h>
#include <stdlib.h>

#include "hostdev/names.h"

struct names {
	int unused;
};

int names_open(const char *ids, struct names **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

void names_close(struct names *n)
{
	free(n);
}

bool names_loaded(const struct names *n)
{
	return false;
}

const char *names_vendor(struct names *n, uint16_t vendor, char buf[NAMES_MAX])
{
	return names_hex16(vendor, buf);
}

const char *names_device(struct names *n, uint16_t vendor, uint16_t device, char buf[NAMES_MAX])
{
	return names_hex16(device, buf);
}

const char *names_class(struct names *n, uint32_t class, char buf[NAMES_MAX])
{
	return names_hex16(class >> 8, buf);
}
