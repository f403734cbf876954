/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The syscall seam: every open/ioctl/mmap on /dev/kvm and VFIO goes through
 * one ops table, so unit tests can substitute a fake and script the kernel's
 * answers. Each op returns >= 0 (or a pointer) on success and -errno on
 * failure, never sets errno for the caller to read.
 */
#ifndef PTVM_SYS_H
#define PTVM_SYS_H

#include <stddef.h>
#include <sys/types.h>

struct sys_ops {
	int (*open)(const char *path, int flags);
	int (*close)(int fd);
	int (*ioctl)(int fd, unsigned long req, void *arg);
	/* Returns the mapping, or NULL with *err = -errno. */
	void *(*mmap)(size_t len, int prot, int flags, int fd, off_t off, int *err);
	int (*munmap)(void *addr, size_t len);
	int (*eventfd)(unsigned int initval, int flags);
	ssize_t (*pread)(int fd, void *buf, size_t len, off_t off);
	ssize_t (*pwrite)(int fd, const void *buf, size_t len, off_t off);
};

/* The real kernel. */
extern const struct sys_ops sys_linux;

#endif
