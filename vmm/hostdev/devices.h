/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `ptvm devices`: one line per host PCI function with what passing it
 * through involves: its IOMMU group, the reset domain ptguard's policy
 * derives, who holds each of them, and whether it can go to a guest at all.
 */
#ifndef PTVM_HOSTDEV_DEVICES_H
#define PTVM_HOSTDEV_DEVICES_H

#include <stdio.h>

#include "hostdev/names.h"
#include "hostdev/topo.h"

/*
 * Print the functions @sel[0..@n) of @t (every function when @n is 0) to
 * @out: aligned columns under a header line, or with @json one JSON object
 * per line. -ENOMEM (logged), else 0.
 */
int devices_print(FILE *out, const struct topo *t, struct names *names, const unsigned *sel,
		  unsigned n, bool json) __must_check;

#endif
