// SPDX-License-Identifier: GPL-2.0
/*
 * Owners and the reset after release.
 *
 * When an owner's file closes (exit, crash, SIGKILL) or it RELEASEs devices,
 * they must be reset before anyone else may claim them. The VMM's VFIO file
 * descriptors close in the same exit, in no order we control, so the reset
 * is deferred to a work item that waits until VFIO has let go.
 *
 * The signal that VFIO has let go: iommu_group_dma_owner_claimed(). Since
 * Linux 5.19 VFIO claims the DMA ownership of an IOMMU group when the group
 * is attached to a container (or iommufd) and releases it when the group is
 * detached, which 6.1 does only when the group file is released; every
 * device file holds a reference on its group file, and vfio-pci's own close
 * (vfio_pci_core_close_device(), with its best-effort reset) runs before
 * that. So "not DMA-owned" means no VFIO user is left on the group and
 * vfio-pci has finished with the device. The alternatives were weaker:
 * vfio_device's open_count is private to VFIO, and pci_reset_function() does
 * not fail while VFIO has the device open, it resets under its user.
 *
 * The work item polls that signal (20 ms, doubling to 1 s) for every device
 * its reset reaches, then checks with the policy that the reset touches only
 * this owner's or idle devices (a host driver may have bound to an idle
 * sibling meanwhile), resets once per reset domain, and drops the devices.
 * A device whose reset failed stays in its owner's list, unclaimable, and is
 * reported by QUERY and in the kernel log; the owner then outlives its file
 * as a record of it. There is no timeout: a device some other VFIO user keeps
 * open stays pending (QUERY says so) rather than being reset under it.
 */
#include <linux/jiffies.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "ptguard.h"

#define PTG_POLL_FIRST_MS 20
#define PTG_POLL_MAX_MS	  1000
#define PTG_WARN_AFTER	  (10 * HZ)

static struct workqueue_struct *ptg_wq;
static bool ptg_exiting;
static u32 ptg_next_id;

static void ptg_owner_work(struct work_struct *work);

struct ptg_owner *ptg_owner_new(void)
{
	struct ptg_owner *o = kzalloc(sizeof(*o), GFP_KERNEL);

	if (!o)
		return NULL;
	INIT_DELAYED_WORK(&o->work, ptg_owner_work);
	o->pid = task_tgid_nr(current);
	mutex_lock(&ptg_lock);
	o->id = ++ptg_next_id ?: ++ptg_next_id;
	list_add_tail(&o->node, &ptg_owners);
	mutex_unlock(&ptg_lock);
	return o;
}

/* Mark in @s who holds what. */
void ptg_owner_fill(struct ptg_snap *s)
{
	struct ptg_owner *o;
	unsigned int k;

	lockdep_assert_held(&ptg_lock);
	list_for_each_entry(o, &ptg_owners, node)
	{
		for (k = 0; k < o->nr; k++) {
			int i = ptg_snap_index(s, o->held[k].pdev);
			struct ptg_dev *d;

			if (i < 0)
				continue;
			d = &s->topo.devs[i];
			d->owner = o->id;
			d->state = o->held[k].state;
			d->owner_pid = o->pid;
			strscpy(d->owner_name, o->name, sizeof(d->owner_name));
		}
	}
}

int ptg_owner_find(const struct ptg_owner *o, const struct pci_dev *pdev)
{
	unsigned int k;

	for (k = 0; k < o->nr; k++)
		if (o->held[k].pdev == pdev)
			return k;
	return -ENOENT;
}

/* Hold @pdev (a new reference); the caller checked room and the policy. */
int ptg_owner_add(struct ptg_owner *o, struct pci_dev *pdev)
{
	lockdep_assert_held(&ptg_lock);
	if (ptg_owner_find(o, pdev) >= 0)
		return 0;
	if (o->nr == PTG_OWNER_MAX)
		return -ENOSPC;
	o->held[o->nr].pdev = pci_dev_get(pdev);
	o->held[o->nr].state = PTGUARD_STATE_HELD;
	o->nr++;
	return 0;
}

/* Start the reset of held[@which[0..@n)] (all HELD ones if @which is NULL). */
void ptg_owner_release(struct ptg_owner *o, const int *which, unsigned int n)
{
	unsigned int k;

	lockdep_assert_held(&ptg_lock);
	for (k = 0; k < (which ? n : o->nr); k++) {
		struct ptg_held *h = &o->held[which ? which[k] : k];

		if (h->state == PTGUARD_STATE_HELD)
			h->state = PTGUARD_STATE_RESET_PENDING;
	}
	o->since = jiffies;
	o->delay_ms = PTG_POLL_FIRST_MS;
	o->warned = false;
	mod_delayed_work(ptg_wq, &o->work, 0);
}

/* The owner's file is gone: release everything; the work item frees @o. */
void ptg_owner_close(struct ptg_owner *o)
{
	mutex_lock(&ptg_lock);
	o->closed = true;
	ptg_owner_release(o, NULL, 0);
	mutex_unlock(&ptg_lock);
}

/* Drop held[] entries whose state was set to FREE (done). */
static void ptg_owner_compact(struct ptg_owner *o)
{
	unsigned int k, n = 0;

	for (k = 0; k < o->nr; k++) {
		if (o->held[k].state == PTGUARD_STATE_FREE)
			pci_dev_put(o->held[k].pdev);
		else
			o->held[n++] = o->held[k];
	}
	o->nr = n;
}

/* Is any device the reset of @i reaches still open through VFIO? */
static int ptg_vfio_busy(const struct ptg_topo *t, unsigned int i)
{
	unsigned int x;

	for (x = 0; x < t->nr; x++)
		if (t->devs[x].vfio_open &&
		    (x == i || (ptg_relation(t, i, x) & PTGUARD_REL_RESET_DOMAIN)))
			return x;
	return -1;
}

/* Reset the pending device held[@k]: 0 done (or failed, recorded), -EAGAIN later. */
static int ptg_release_one(struct ptg_owner *o, struct ptg_snap *s, unsigned int k)
{
	struct pci_dev *pdev = o->held[k].pdev;
	int i = ptg_snap_index(s, pdev), busy, ret;
	struct ptg_verdict v;
	unsigned int method, j;
	struct ptg_dev *d;

	if (i < 0) {
		pr_info("%s: removed before its reset after release by %s (pid %d)\n",
			pci_name(pdev), o->name, o->pid);
		goto done;
	}
	d = &s->topo.devs[i];
	if (d->driver[0] && !ptg_driver_is_vfio(d->driver)) {
		pr_warn("%s: bound to %s before its reset after release by %s (pid %d); left to "
			"it\n",
			pci_name(pdev), d->driver, o->name, o->pid);
		goto done;
	}
	method = ptg_reset_method(d);
	if (method == PTGUARD_RESET_NONE) {
		pr_info("%s: released by %s (pid %d) without reset: it has no reset method\n",
			pci_name(pdev), o->name, o->pid);
		goto done;
	}
	busy = ptg_vfio_busy(&s->topo, i);
	if (busy >= 0) {
		if (!o->warned && time_after(jiffies, o->since + PTG_WARN_AFTER)) {
			pr_info("%s: reset after release by %s (pid %d) waits: %s is still in use "
				"through VFIO\n",
				pci_name(pdev), o->name, o->pid, pci_name(s->pdevs[busy]));
			o->warned = true;
		}
		return -EAGAIN;
	}
	ret = ptg_check_reset(&s->topo, o->id, i, &v);
	if (!ret)
		ret = ptg_pci_reset(pdev, method);
	if (ret == -EAGAIN)
		return ret;
	if (ret) {
		pr_err("%s: %s reset after release by %s (pid %d) failed (%d%s%s); it stays "
		       "unclaimable\n",
		       pci_name(pdev), ptg_method_name(method), o->name, o->pid, ret,
		       v.reason[0] ? ": " : "", v.reason);
		o->held[k].state = PTGUARD_STATE_RESET_FAILED;
		return 0;
	}
	pr_info("%s: %s reset after release by %s (pid %d)\n", pci_name(pdev),
		ptg_method_name(method), o->name, o->pid);
	/* One reset covers the domain: the other pending devices in it are done. */
	for (j = 0; j < o->nr; j++) {
		int x = ptg_snap_index(s, o->held[j].pdev);

		if (j == k || o->held[j].state != PTGUARD_STATE_RESET_PENDING || x < 0 ||
		    !(ptg_relation(&s->topo, i, x) & PTGUARD_REL_RESET_DOMAIN))
			continue;
		pr_info("%s: reset with %s\n", pci_name(o->held[j].pdev), pci_name(pdev));
		o->held[j].state = PTGUARD_STATE_FREE;
	}
done:
	o->held[k].state = PTGUARD_STATE_FREE;
	return 0;
}

static void ptg_owner_work(struct work_struct *work)
{
	struct ptg_owner *o = container_of(to_delayed_work(work), struct ptg_owner, work);
	bool again = false;
	struct ptg_snap s;
	unsigned int k;

	mutex_lock(&ptg_lock);
	if (ptg_exiting)
		goto unlock;
	if (ptg_snap_build(&s)) {
		again = true;
		goto requeue;
	}
	for (k = 0; k < o->nr; k++)
		if (o->held[k].state == PTGUARD_STATE_RESET_PENDING &&
		    ptg_release_one(o, &s, k) == -EAGAIN)
			again = true;
	ptg_snap_free(&s);
	ptg_owner_compact(o);
requeue:
	if (again) {
		queue_delayed_work(ptg_wq, &o->work, msecs_to_jiffies(o->delay_ms));
		o->delay_ms = min(o->delay_ms * 2, PTG_POLL_MAX_MS);
	} else if (o->closed && !o->nr) {
		list_del(&o->node);
		mutex_unlock(&ptg_lock);
		kfree(o);
		return;
	}
unlock:
	mutex_unlock(&ptg_lock);
}

int ptg_owners_init(void)
{
	ptg_wq = alloc_workqueue("ptguard", WQ_UNBOUND, 0);
	return ptg_wq ? 0 : -ENOMEM;
}

/*
 * Module exit: no file is open any more (each holds a module reference).
 * Devices still pending or failed are named and dropped.
 */
void ptg_owners_exit(void)
{
	struct ptg_owner *o;
	unsigned int k;

	mutex_lock(&ptg_lock);
	ptg_exiting = true;
	mutex_unlock(&ptg_lock);
	for (;;) {
		mutex_lock(&ptg_lock);
		o = list_first_entry_or_null(&ptg_owners, struct ptg_owner, node);
		if (o)
			list_del(&o->node);
		mutex_unlock(&ptg_lock);
		if (!o)
			break;
		cancel_delayed_work_sync(&o->work);
		for (k = 0; k < o->nr; k++) {
			pr_warn("%s: module unloaded %s after release by %s (pid %d)\n",
				pci_name(o->held[k].pdev),
				o->held[k].state == PTGUARD_STATE_RESET_FAILED
					? "with the device's reset failed"
					: "before the device's reset",
				o->name, o->pid);
			pci_dev_put(o->held[k].pdev);
		}
		kfree(o);
	}
	destroy_workqueue(ptg_wq);
}
