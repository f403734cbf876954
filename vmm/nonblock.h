/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Writing to an inherited fd (stdout, stderr) without ever waiting, and
 * without changing what the fd's other holders see.
 *
 * O_NONBLOCK is a flag of the open file description, which a shell shares
 * with every process it starts on the same terminal or pipe: set on fd 1,
 * it would make the shell's own reads fail with EAGAIN after ptvm exits, and
 * a SIGKILL would leave it set for good. So each kind of file gets what
 * leaves the shared description alone:
 * - a terminal, pipe or FIFO is opened again through /proc/self/fd/N: a
 *   description of ptvm's own, O_NONBLOCK on it only, closed at the end;
 * - a socket is written with send(MSG_DONTWAIT), a per-call flag;
 * - a regular file or block device is written as it is: its writes never
 *   wait for a reader (O_NONBLOCK has no effect on them, open(2));
 * - only when reopening fails (no /proc) is O_NONBLOCK set on the shared
 *   description, and its flags restored by nonblock_close() (not after a
 *   SIGKILL).
 */
#ifndef PTVM_NONBLOCK_H
#define PTVM_NONBLOCK_H

#include <sys/types.h>

#include "util.h"

enum nonblock_kind {
	NONBLOCK_NONE,	 /* not open */
	NONBLOCK_PLAIN,	 /* regular file or block device: @fd as given */
	NONBLOCK_SOCKET, /* @fd as given, send(MSG_DONTWAIT) */
	NONBLOCK_OWN,	 /* @fd is ptvm's own description, O_NONBLOCK */
	NONBLOCK_SHARED, /* @fd as given, O_NONBLOCK set on it; @saved_flags restored */
};

struct nonblock_fd {
	int fd;
	enum nonblock_kind kind;
	int saved_flags;
};

/* Prepare @fd for nonblock_write(). Fails only if @fd is not open. */
int nonblock_open(struct nonblock_fd *n, int fd) __must_check;
/* Bytes written (> 0), -EAGAIN when the reader is behind, or another -errno. */
ssize_t nonblock_write(const struct nonblock_fd *n, const void *buf, size_t len) __must_check;
/* Close ptvm's own description or restore the shared one's flags; safe twice. */
void nonblock_close(struct nonblock_fd *n);

#endif
