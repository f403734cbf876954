/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the files of vmm/managed/: the devices, the checks, the records. */
#ifndef PTVM_MANAGED_INTERNAL_H
#define PTVM_MANAGED_INTERNAL_H

#include "managed/managed.h"

struct managed_dev {
	struct pci_bdf bdf;
	char name[PCI_BDF_STRLEN];
	char driver[SYSFS_DRIVER_MAX]; /* before ptvm; "" for none */
	unsigned group;
	bool move;  /* not on vfio-pci: ptvm moves it */
	bool moved; /* ptvm may have changed it: give it back at exit */
};

struct managed {
	const struct managed_env *env;
	struct managed_dev devs[MANAGED_MAX];
	unsigned nr;
};

/*
 * managed_check.c: fill @devs[0..@n) from @bdfs (driver, group, whether it
 * moves) and refuse what must not move, before anything changes. Logs.
 */
int managed_check_devs(const struct managed_env *env, const struct pci_bdf *bdfs, unsigned n,
		       struct managed_dev *devs) __must_check;

/* managed.c: give @bdf back to @driver once ptguard is done with it; remove its record. */
int managed_give_back(const struct managed_env *env, const struct pci_bdf *bdf,
		      const char *driver) __must_check;

/*
 * managed_record.c: what ptvm changed, one file per device in the run
 * directory, named by the BDF. The owner is a pid and that process's start
 * time, so that a pid used again by another process is not taken for ptvm.
 */
struct managed_record {
	char bdf[PCI_BDF_STRLEN];
	char driver[SYSFS_DRIVER_MAX]; /* the driver to give the device back to; "" none */
	int pid;
	unsigned long long start; /* the owner's start time: proc(5), /proc/PID/stat field 22 */
	long long time;		  /* when written, seconds since the epoch (for people) */
};

/* This process as the owner of @r: pid, start time, now. */
int managed_record_self(struct managed_record *r) __must_check;
/*
 * Write @r into @dir (made if missing, mode 0700) and fsync it and @dir.
 * -EEXIST if a record of that device is there already. Silent.
 */
int managed_record_create(const char *dir, const struct managed_record *r) __must_check;
/* Read the record of device @bdf; -ENOENT: none; -EINVAL: not a record. Silent. */
int managed_record_read(const char *dir, const char *bdf, struct managed_record *r) __must_check;
/* Remove the record of @bdf (gone already is fine) and fsync @dir. Silent. */
int managed_record_remove(const char *dir, const char *bdf) __must_check;
/* Whether the ptvm that wrote @r still runs: same pid, same start time. */
bool managed_record_alive(const struct managed_record *r);

#endif
