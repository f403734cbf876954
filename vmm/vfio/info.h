/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VFIO's INFO ioctls and their capability chains, shared by the container
 * (VFIO_IOMMU_GET_INFO) and the device (VFIO_DEVICE_GET_REGION_INFO). See
 * include/uapi/linux/vfio.h above struct vfio_info_cap_header: a caller whose
 * buffer is too small gets argsz raised to the size needed and must retry;
 * caps sit after the fixed struct, linked by offsets from the buffer start.
 */
#ifndef PTVM_VFIO_INFO_H
#define PTVM_VFIO_INFO_H

#include <linux/vfio.h>

#include "sys.h"
#include "util.h"

/* Largest INFO reply ptvm accepts: far above any real capability chain. */
#define VFIO_INFO_MAX_SIZE (64u * 1024)

/*
 * Issue INFO ioctl @req on @fd. @hdr (@hdr_size bytes, starting with __u32
 * argsz) holds the input fields (index, ...); argsz is filled in here. Grows
 * the buffer while the kernel asks for more and retries. On success *@out is
 * a malloc'd buffer of *@out_size valid bytes (>= @hdr_size) that the caller
 * frees. Returns 0 or the ioctl's -errno; silent.
 */
int vfio_info_get(const struct sys_ops *sys, int fd, unsigned long req, const void *hdr,
		  size_t hdr_size, void **out, size_t *out_size) __must_check;

/*
 * The capability with @id in the chain starting at offset @first of @buf
 * (@size bytes), if it lies wholly inside the buffer and is at least
 * @min_len bytes long; NULL otherwise. Malformed chains (out of bounds,
 * misaligned, looping) end the walk.
 */
const struct vfio_info_cap_header *vfio_info_cap_find(const void *buf, size_t size, uint32_t first,
						      uint16_t id, size_t min_len);

#endif
