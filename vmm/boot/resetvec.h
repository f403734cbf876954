/* SPDX-License-Identifier: GPL-2.0 */
/* A reset vector for guests that reboot through "the BIOS". */
#ifndef PTVM_BOOT_RESETVEC_H
#define PTVM_BOOT_RESETVEC_H

#include "memory.h"

/* Real-mode reset vector F000:FFF0 (physical 0xffff0). */
#define RESETVEC_GPA 0xffff0ULL

/* Write the reset-vector stub; -EFAULT if that address is not RAM. */
int boot_reset_vector(struct guest_mem *m) __must_check;

#endif
