// SPDX-License-Identifier: GPL-2.0
/* VFIO INFO ioctls: the argsz grow-and-retry protocol and capability chains. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vfio/info.h"

/* A chain longer than this is treated as a loop. */
#define VFIO_INFO_MAX_CAPS 64

int vfio_info_get(const struct sys_ops *sys, int fd, unsigned long req, const void *hdr,
		  size_t hdr_size, void **out, size_t *out_size)
{
	size_t size = hdr_size;
	void *buf = NULL;

	/* A few rounds suffice: a kernel reports the full size on the first short call. */
	for (unsigned round = 0; round < 4; round++) {
		uint32_t want;
		void *p = realloc(buf, size);
		int ret;

		if (!p) {
			free(buf);
			return -ENOMEM;
		}
		buf = p;
		memset(buf, 0, size);
		memcpy(buf, hdr, hdr_size);
		want = (uint32_t)size;
		memcpy(buf, &want, sizeof(want));
		ret = sys->ioctl(fd, req, buf);
		if (ret < 0) {
			free(buf);
			return ret;
		}
		memcpy(&want, buf, sizeof(want));
		if (want <= size) {
			*out = buf;
			*out_size = size;
			return 0;
		}
		if (want > VFIO_INFO_MAX_SIZE)
			break;
		size = want;
	}
	free(buf);
	return -EOVERFLOW;
}

const struct vfio_info_cap_header *vfio_info_cap_find(const void *buf, size_t size, uint32_t first,
						      uint16_t id, size_t min_len)
{
	const struct vfio_info_cap_header *h;
	uint32_t off = first;

	if (min_len < sizeof(*h))
		min_len = sizeof(*h);
	for (unsigned i = 0; off && i < VFIO_INFO_MAX_CAPS; i++) {
		/*
		 * Capabilities are packed as they come, 4-byte aligned: Linux 6.1's
		 * type1 puts the IOVA-range capability at 68, after the 12-byte
		 * DMA-available one (seen in the nested rig).
		 */
		if (off % 4 || off < sizeof(uint32_t) * 2 || off > size || size - off < sizeof(*h))
			return NULL;
		h = (const void *)((const char *)buf + off);
		if (h->id == id)
			return size - off >= min_len ? h : NULL;
		off = h->next;
	}
	return NULL;
}
