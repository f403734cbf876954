/* SPDX-License-Identifier: GPL-2.0 */
/* A fake VM behind struct api_vm_ops, for the control socket's tests: it records the calls. */
#ifndef PTVM_TEST_API_FAKE_H
#define PTVM_TEST_API_FAKE_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "vm_stats.h"

struct api_fake {
	bool paused;
	int pause_ret; /* what pause returns (and then it does not pause) */
	unsigned nr_pause, nr_resume, nr_poweroff, nr_status, nr_stats;
	int hp_ret;		 /* what device-del/add return */
	unsigned nr_del, nr_add; /* device-del/add calls */
	struct api_later *later; /* the last one under way */
	int later_err;		 /* how the test ends it (test_api_client.c) */
};

static void api_fake_status(void *opaque, struct api_status *st)
{
	struct api_fake *f = opaque;

	f->nr_status++;
	st->paused = f->paused;
	st->vcpus = 2;
	st->memory = 256ULL << 20;
	st->uptime_ms = 1234;
	st->reboots = 3;
	st->nr_devs = 1;
	snprintf(st->dev[0].bdf, sizeof(st->dev[0].bdf), "0000:01:00.0");
	st->dev[0].iommu_group = 7;
}

static void api_fake_stats(void *opaque, struct vm_stats *st)
{
	struct api_fake *f = opaque;

	f->nr_stats++;
	st->nr_vcpus = 2;
	st->vcpu[0] = (struct vcpu_stats){.pio = 1, .mmio = 2, .intr = 3, .halt = 0, .other = 4};
	st->vcpu[1] = (struct vcpu_stats){.pio = 10, .mmio = 20, .intr = 30, .halt = 5};
	st->exits = (struct vcpu_stats){.pio = 11, .mmio = 22, .intr = 33, .halt = 5, .other = 4};
	for (unsigned k = 0; k < VM_WAKE_NR; k++)
		st->wakeups[k] = 100 + k;
	st->reboots = 3;
	st->console = (struct console_out_stats){.written = 6, .dropped = 7};
	st->nr_devs = 1;
	snprintf(st->dev[0].bdf, sizeof(st->dev[0].bdf), "0000:01:00.0");
	st->dev[0].st =
		(struct pt_stats){.trapped_reads = 17, .trapped_writes = 18446744073709551615ULL};
}

static int api_fake_pause(void *opaque)
{
	struct api_fake *f = opaque;

	f->nr_pause++;
	if (f->pause_ret)
		return f->pause_ret;
	f->paused = true;
	return 0;
}

static int api_fake_resume(void *opaque)
{
	struct api_fake *f = opaque;

	f->nr_resume++;
	f->paused = false;
	return 0;
}

static void api_fake_poweroff(void *opaque)
{
	struct api_fake *f = opaque;

	f->nr_poweroff++;
}

static int api_fake_device_del(void *opaque, struct api_later *later)
{
	struct api_fake *f = opaque;

	f->nr_del++;
	f->later = f->hp_ret ? NULL : later;
	return f->hp_ret;
}

static int api_fake_device_add(void *opaque, struct api_later *later)
{
	struct api_fake *f = opaque;

	f->nr_add++;
	f->later = f->hp_ret ? NULL : later;
	return f->hp_ret;
}

/* A fresh directory in $TMPDIR (or /tmp) for a socket: @dir, and @path = @dir/s. */
struct api_fake_dir {
	char dir[64];
	char path[100];
};

static inline bool api_fake_mkdir(struct api_fake_dir *d)
{
	snprintf(d->dir, sizeof(d->dir), "%s/api-XXXXXX", getenv("TMPDIR") ?: "/tmp");
	if (!mkdtemp(d->dir))
		return false;
	snprintf(d->path, sizeof(d->path), "%s/s", d->dir);
	return true;
}

static const struct api_vm_ops api_fake_ops = {
	.status = api_fake_status,
	.stats = api_fake_stats,
	.pause = api_fake_pause,
	.resume = api_fake_resume,
	.poweroff = api_fake_poweroff,
	.device_del = api_fake_device_del,
	.device_add = api_fake_device_add,
};

#endif
