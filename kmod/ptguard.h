/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptguard internals shared by the module's files (not the ABI: that is
 * include/ptvm/ptguard.h).
 *
 * Locking: ptg_lock (ptguard_main.c) protects the owner list, every owner's
 * held[] array and the topology snapshots built from them. It is taken
 * before any device lock (pci_reset_function() and pci_reset_bus() take
 * those) and never while one is held, so there is one lock order.
 */
#ifndef PTGUARD_H
#define PTGUARD_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/workqueue.h>

#include "ptguard_policy.h"

/* Devices one owner may hold in all (PTGUARD_CLAIM_MAX per call). */
#define PTG_OWNER_MAX 64

struct ptg_held {
	struct pci_dev *pdev; /* reference held while in held[] */
	u32 state;	      /* PTGUARD_STATE_HELD, _RESET_PENDING, _RESET_FAILED */
};

/*
 * One open /dev/ptguard file, and after its close the devices still to be
 * reset (or whose reset failed) in its name. Freed when it holds nothing.
 */
struct ptg_owner {
	struct list_head node;	     /* ptg_owners */
	u32 id;			     /* non-zero, unique */
	pid_t pid;		     /* tgid of the claimer */
	char name[PTGUARD_NAME_MAX]; /* "" until the first claim */
	bool closed;		     /* the file is gone */
	unsigned int nr;
	struct ptg_held held[PTG_OWNER_MAX];
	struct delayed_work work; /* resets after release */
	unsigned int delay_ms;	  /* next poll while VFIO still holds a device */
	unsigned long since;	  /* jiffies of the release */
	bool warned;		  /* "still open through VFIO" was logged */
};

/* A snapshot of every PCI function: the policy's view, and the pci_dev behind each. */
struct ptg_snap {
	struct ptg_topo topo;
	struct pci_dev **pdevs; /* one reference each */
};

extern struct mutex ptg_lock;
extern struct list_head ptg_owners;

/* ptguard_pci.c */
int ptg_snap_build(struct ptg_snap *s);
void ptg_snap_free(struct ptg_snap *s);
int ptg_snap_index(const struct ptg_snap *s, const struct pci_dev *pdev);
int ptg_pci_reset(struct pci_dev *pdev, unsigned int method);
const char *ptg_method_name(unsigned int method);

/* ptguard_owner.c */
int ptg_owners_init(void);
struct ptg_owner *ptg_owner_new(void);
void ptg_owner_fill(struct ptg_snap *s);
int ptg_owner_add(struct ptg_owner *o, struct pci_dev *pdev);
int ptg_owner_find(const struct ptg_owner *o, const struct pci_dev *pdev);
void ptg_owner_release(struct ptg_owner *o, const int *which, unsigned int n);
void ptg_owner_close(struct ptg_owner *o);
void ptg_owners_exit(void);

#endif
