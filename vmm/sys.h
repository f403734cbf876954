/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The syscall seam: every open/ioctl/mmap on /dev/kvm, VFIO and /dev/ptguard,
 * and every program or module ptvm loads, goes through one ops table, so
 * unit tests can substitute a fake and script the kernel's answers. Each op
 * returns >= 0 (or a pointer) on success and -errno on failure, never sets
 * errno for the caller to read.
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
	/* readlink(2): the length of the target, not NUL-terminated. */
	ssize_t (*readlink)(const char *path, char *buf, size_t len);
	/*
	 * Run the program @argv[0] from the system directories (never the
	 * caller's PATH: ptvm runs as root), stdio on /dev/null, and wait:
	 * its exit status, 128 + the signal that ended it, or -errno when it
	 * could not be started (-ENOENT: no such program).
	 */
	int (*run)(const char *const argv[]);
	/* finit_module(2) of the open module file @fd. */
	int (*finit_module)(int fd, const char *params, int flags);
};

/* The real kernel. */
extern const struct sys_ops sys_linux;

#endif
