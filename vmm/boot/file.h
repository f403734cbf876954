/* SPDX-License-Identifier: GPL-2.0 */
/* Files copied into private memory: what a boot keeps of its kernel and initrd. */
#ifndef PTVM_BOOT_FILE_H
#define PTVM_BOOT_FILE_H

#include <sys/types.h>

#include "util.h"

/*
 * Copy @len bytes of @fd from offset @off into new private anonymous
 * memory (*@map, munmap(*@map, @len) frees it). -errno, or -EIO when the
 * file ends early (it shrank while being read); nothing is logged.
 */
int boot_file_copy(int fd, off_t off, size_t len, void **map) __must_check;

#endif
