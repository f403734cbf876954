// SPDX-License-Identifier: GPL-2.0
/*
 * A copy, not a mapping of the file: a guest reboot loads the kernel again
 * from it, and the guest must then get what it booted first, whatever
 * happened to the file meanwhile (a `cp` over it rewrites it in place; a
 * truncated file would SIGBUS a mapping of it).
 */
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include "boot/file.h"

int boot_file_copy(int fd, off_t off, size_t len, void **map)
{
	size_t done = 0;
	void *p;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	while (done < len) {
		ssize_t n = pread(fd, (char *)p + done, len - done, off + (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int ret = n ? -errno : -EIO;

			munmap(p, len);
			return ret;
		}
		done += n;
	}
	*map = p;
	return 0;
}
