// SPDX-License-Identifier: GPL-2.0
/*
 * blkbench: sequential-read MB/s and 4 KiB random-read IOPS of a block
 * device, with O_DIRECT so the page cache is out of the way. Built static,
 * it runs the same way in L1 (native) and in L2 (through passthrough), so
 * the two numbers of one rig run make a ratio. One queue, one I/O in
 * flight: it measures latency-bound throughput, which is what passthrough
 * overhead shows up in.
 *
 *   blkbench DEVICE SECONDS   ->  "seq_mbps=N rand_iops=N"
 */
#define _GNU_SOURCE /* O_DIRECT */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <linux/fs.h>
#include <time.h>
#include <unistd.h>

#define SEQ_BS	(1u << 20)
#define RAND_BS 4096u

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* xorshift64: a fixed sequence, so L1 and L2 read the same offsets. */
static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

int main(int argc, char **argv)
{
	uint64_t size, seed = 0x9e3779b97f4a7c15ULL, off = 0, bytes = 0, ios = 0;
	double secs, t0, t;
	void *buf;
	int fd;

	if (argc != 3 || (secs = atof(argv[2])) <= 0) {
		fprintf(stderr, "usage: blkbench DEVICE SECONDS\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY | O_DIRECT);
	/* A regular file (for trying it out on a host without the rig) has no BLKGETSIZE64. */
	if (fd >= 0 && ioctl(fd, BLKGETSIZE64, &size)) {
		struct stat st;

		size = fstat(fd, &st) ? 0 : (uint64_t)st.st_size;
	}
	if (fd < 0 || size < SEQ_BS) {
		fprintf(stderr, "blkbench: %s: %s\n", argv[1], strerror(errno ? errno : EINVAL));
		return 1;
	}
	if (posix_memalign(&buf, 4096, SEQ_BS))
		return 1;

	t0 = now();
	do {
		if (off + SEQ_BS > size)
			off = 0;
		if (pread(fd, buf, SEQ_BS, off) != SEQ_BS) {
			perror("blkbench: sequential read");
			return 1;
		}
		off += SEQ_BS;
		bytes += SEQ_BS;
	} while ((t = now()) - t0 < secs);
	printf("seq_mbps=%.1f ", bytes / (t - t0) / 1e6);

	t0 = now();
	do {
		off = next_rand(&seed) % (size / RAND_BS) * RAND_BS;
		if (pread(fd, buf, RAND_BS, off) != RAND_BS) {
			perror("blkbench: random read");
			return 1;
		}
		ios++;
	} while ((t = now()) - t0 < secs);
	printf("rand_iops=%.0f\n", ios / (t - t0));
	free(buf);
	close(fd);
	return 0;
}
