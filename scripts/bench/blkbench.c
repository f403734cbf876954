// SPDX-License-Identifier: GPL-2.0
/*
 * blkbench: sequential-read MB/s and 4 KiB random-read IOPS of a block
 * device at queue depth 1 and 32, with their latency percentiles, with
 * O_DIRECT so the page cache is out of the way. Built static, it runs the
 * same way in L1 (native) and in L2 (through passthrough), so the numbers
 * of one rig run make ratios. Random reads go through Linux AIO
 * (io_submit(2), raw syscalls: no libaio in the initramfs), which keeps
 * QD I/Os in flight from one thread; a read's latency runs from its
 * io_submit to the io_getevents that returns it.
 *
 *   blkbench DEVICE SECONDS  ->  "seq_mbps=N qd1_iops=N qd1_p50_us=N qd1_p99_us=N
 *                                 qd1_max_us=N qd32_iops=N qd32_p50_us=N qd32_p99_us=N
 *                                 qd32_max_us=N"
 * (max: the slowest read, where a stall of the whole rig shows.)
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
#include <sys/syscall.h>
#include <linux/aio_abi.h>
#include <linux/fs.h>
#include <time.h>
#include <unistd.h>

#define SEQ_BS	    (1u << 20)
#define RAND_BS	    4096u
#define MAX_QD	    32
#define MAX_SAMPLES (1u << 20)

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

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

struct rand_run {
	int fd;
	uint64_t size, seed;
	double *lat;
	unsigned nr_lat;
};

static void rand_submit(struct rand_run *r, aio_context_t ctx, struct iocb *cb, void *buf,
			double *start)
{
	struct iocb *one = cb;

	memset(cb, 0, sizeof(*cb));
	cb->aio_fildes = r->fd;
	cb->aio_lio_opcode = IOCB_CMD_PREAD;
	cb->aio_buf = (uintptr_t)buf;
	cb->aio_nbytes = RAND_BS;
	cb->aio_offset = next_rand(&r->seed) % (r->size / RAND_BS) * RAND_BS;
	cb->aio_data = (uintptr_t)start;
	*start = now();
	if (syscall(SYS_io_submit, ctx, 1, &one) != 1) {
		perror("blkbench: io_submit");
		exit(1);
	}
}

/* Random 4 KiB reads, @qd in flight, for @secs: prints the IOPS and latencies. */
static void rand_read(struct rand_run *r, unsigned qd, double secs, uint8_t *bufs)
{
	struct iocb cbs[MAX_QD];
	struct io_event ev[MAX_QD];
	double start[MAX_QD], t0, t;
	aio_context_t ctx = 0;
	unsigned inflight = 0;
	uint64_t ios = 0;

	if (syscall(SYS_io_setup, qd, &ctx)) {
		perror("blkbench: io_setup");
		exit(1);
	}
	r->nr_lat = 0;
	t0 = now();
	for (unsigned i = 0; i < qd; i++, inflight++)
		rand_submit(r, ctx, &cbs[i], bufs + (size_t)i * RAND_BS, &start[i]);
	do {
		long n = syscall(SYS_io_getevents, ctx, 1, MAX_QD, ev, NULL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("blkbench: io_getevents");
			exit(1);
		}
		t = now();
		for (long i = 0; i < n; i++) {
			struct iocb *cb = (struct iocb *)(uintptr_t)ev[i].obj;
			double *s = (double *)(uintptr_t)ev[i].data;
			unsigned slot = cb - cbs;

			if (ev[i].res != RAND_BS) {
				fprintf(stderr, "blkbench: random read: %s\n",
					strerror(ev[i].res < 0 ? -ev[i].res : EIO));
				exit(1);
			}
			if (r->nr_lat < MAX_SAMPLES)
				r->lat[r->nr_lat++] = t - *s;
			ios++;
			inflight--;
			/* Past the deadline: let the ones in flight finish, submit no more. */
			if (t - t0 < secs) {
				rand_submit(r, ctx, cb, bufs + (size_t)slot * RAND_BS,
					    &start[slot]);
				inflight++;
			}
		}
	} while (inflight);
	syscall(SYS_io_destroy, ctx);
	qsort(r->lat, r->nr_lat, sizeof(*r->lat), cmp_double);
	printf(" qd%u_iops=%.0f qd%u_p50_us=%.0f qd%u_p99_us=%.0f qd%u_max_us=%.0f", qd,
	       ios / (t - t0), qd, r->lat[r->nr_lat / 2] * 1e6, qd,
	       r->lat[(uint64_t)r->nr_lat * 99 / 100] * 1e6, qd, r->lat[r->nr_lat - 1] * 1e6);
}

int main(int argc, char **argv)
{
	struct rand_run r = {.seed = 0x9e3779b97f4a7c15ULL};
	uint64_t off = 0, bytes = 0;
	double secs, t0, t;
	void *buf;

	if (argc != 3 || (secs = atof(argv[2])) <= 0) {
		fprintf(stderr, "usage: blkbench DEVICE SECONDS\n");
		return 2;
	}
	r.fd = open(argv[1], O_RDONLY | O_DIRECT);
	/* A regular file (for trying it out on a host without the rig) has no BLKGETSIZE64. */
	if (r.fd >= 0 && ioctl(r.fd, BLKGETSIZE64, &r.size)) {
		struct stat st;

		r.size = fstat(r.fd, &st) ? 0 : (uint64_t)st.st_size;
	}
	if (r.fd < 0 || r.size < SEQ_BS) {
		fprintf(stderr, "blkbench: %s: %s\n", argv[1], strerror(errno ? errno : EINVAL));
		return 1;
	}
	r.lat = malloc(MAX_SAMPLES * sizeof(*r.lat));
	if (!r.lat || posix_memalign(&buf, 4096, SEQ_BS))
		return 1;

	t0 = now();
	do {
		if (off + SEQ_BS > r.size)
			off = 0;
		if (pread(r.fd, buf, SEQ_BS, off) != SEQ_BS) {
			perror("blkbench: sequential read");
			return 1;
		}
		off += SEQ_BS;
		bytes += SEQ_BS;
	} while ((t = now()) - t0 < secs);
	printf("seq_mbps=%.1f", bytes / (t - t0) / 1e6);
	rand_read(&r, 1, secs, buf);
	rand_read(&r, MAX_QD, secs, buf);
	printf("\n");
	free(r.lat);
	free(buf);
	close(r.fd);
	return 0;
}
