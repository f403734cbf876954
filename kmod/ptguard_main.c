// SPDX-License-Identifier: GPL-2.0
/*
 * ptguard: the misc device /dev/ptguard. One open file is one owner (a VM).
 *
 * Every call takes ptg_lock, builds a fresh topology snapshot
 * (ptguard_pci.c), asks the policy (ptguard_policy.c) and only then changes
 * state, so a refused claim changes nothing. The ABI is in
 * include/ptvm/ptguard.h; closing the file releases everything and the
 * devices are reset once VFIO lets go of them (ptguard_owner.c).
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "ptguard.h"

DEFINE_MUTEX(ptg_lock);
LIST_HEAD(ptg_owners);

static void ptg_addr_name(u32 addr, char buf[16])
{
	snprintf(buf, 16, "%04x:%02x:%02x.%x", PTGUARD_ADDR_SEG(addr) & 0xffff,
		 PTGUARD_ADDR_BUS(addr), PTGUARD_ADDR_DEV(addr), PTGUARD_ADDR_FN(addr));
}

/* Topology indices of @addrs[0..@n) into @idx; -ENODEV naming the first unknown one. */
static int ptg_lookup(const struct ptg_snap *s, const u32 *addrs, unsigned int n, unsigned int *idx,
		      char *reason)
{
	unsigned int k;

	for (k = 0; k < n; k++) {
		int i = ptg_find(&s->topo, addrs[k]);
		char name[16];

		if (i < 0) {
			ptg_addr_name(addrs[k], name);
			snprintf(reason, PTGUARD_REASON_MAX, "no PCI device %s", name);
			return i;
		}
		idx[k] = i;
	}
	return 0;
}

static int ptg_claim_apply(struct ptg_owner *o, const struct ptg_snap *s, const unsigned int *idx,
			   unsigned int n, const char *name)
{
	unsigned int k, fresh = 0;
	int ret;

	for (k = 0; k < n; k++)
		if (ptg_owner_find(o, s->pdevs[idx[k]]) < 0)
			fresh++;
	if (o->nr + fresh > PTG_OWNER_MAX)
		return -ENOSPC;
	strscpy(o->name, name, sizeof(o->name));
	o->pid = task_tgid_nr(current);
	for (k = 0; k < n; k++) {
		ret = ptg_owner_add(o, s->pdevs[idx[k]]);
		if (WARN_ON_ONCE(ret))
			return ret;
		pr_info("%s: held by %s (pid %d), %s reset\n", pci_name(s->pdevs[idx[k]]), o->name,
			o->pid, ptg_method_name(ptg_reset_method(&s->topo.devs[idx[k]])));
	}
	return 0;
}

static int ptg_claim(struct ptg_owner *o, struct ptguard_claim *c)
{
	unsigned int idx[PTGUARD_CLAIM_MAX];
	struct ptg_verdict v = {.blocker = -1};
	struct ptg_snap s;
	size_t len;
	int ret;

	c->blocker = PTGUARD_ADDR_NONE;
	c->reason[0] = '\0';
	len = strnlen(c->owner, sizeof(c->owner));
	if (!c->nr_devs || c->nr_devs > PTGUARD_CLAIM_MAX || c->reserved ||
	    (c->flags & ~PTGUARD_CLAIM_ALLOW_NO_RESET) || !len || len == sizeof(c->owner))
		return -EINVAL;
	mutex_lock(&ptg_lock);
	if (o->name[0] && strcmp(o->name, c->owner)) {
		snprintf(c->reason, sizeof(c->reason), "this file already claims as %s", o->name);
		ret = -EINVAL;
		goto unlock;
	}
	ret = ptg_snap_build(&s);
	if (ret)
		goto unlock;
	ret = ptg_lookup(&s, c->devs, c->nr_devs, idx, c->reason);
	if (!ret)
		ret = ptg_decide_claim(&s.topo, o->id, idx, c->nr_devs, c->flags, &v);
	if (ret && v.blocker >= 0) {
		c->blocker = s.topo.devs[v.blocker].addr;
		strscpy(c->reason, v.reason, sizeof(c->reason));
	}
	if (!ret)
		ret = ptg_claim_apply(o, &s, idx, c->nr_devs, c->owner);
	ptg_snap_free(&s);
unlock:
	mutex_unlock(&ptg_lock);
	return ret;
}

static void ptg_fill_info(struct ptguard_dev_info *info, const struct ptg_dev *d, u32 rel)
{
	info->addr = d->addr;
	info->flags = rel;
	info->state = d->state;
	info->owner_pid = d->owner_pid;
	strscpy(info->owner, d->owner_name, sizeof(info->owner));
	strscpy(info->driver, d->driver, sizeof(info->driver));
}

static int ptg_query(struct ptg_owner *o, struct ptguard_query *q)
{
	struct ptg_verdict v;
	struct ptg_snap s;
	unsigned int x, i;
	int ret;

	if (q->reserved || (q->flags & ~PTGUARD_CLAIM_ALLOW_NO_RESET))
		return -EINVAL;
	mutex_lock(&ptg_lock);
	ret = ptg_snap_build(&s);
	if (ret)
		goto unlock;
	ret = ptg_lookup(&s, &q->addr, 1, &i, q->reason);
	if (ret)
		goto free;
	q->reset_method = ptg_reset_method(&s.topo.devs[i]);
	q->reset_caps = s.topo.devs[i].caps;
	q->iommu_group = s.topo.devs[i].group;
	q->nr_related = 1;
	ptg_fill_info(&q->related[0], &s.topo.devs[i], ptg_relation(&s.topo, i, i));
	for (x = 0; x < s.topo.nr; x++) {
		u32 rel = x == i ? 0 : ptg_relation(&s.topo, i, x);

		if (!rel)
			continue;
		if (q->nr_related < PTGUARD_QUERY_MAX)
			ptg_fill_info(&q->related[q->nr_related], &s.topo.devs[x], rel);
		q->nr_related++;
	}
	q->claimable = !ptg_decide_claim(&s.topo, o->id, &i, 1, q->flags, &v);
	strscpy(q->reason, v.reason, sizeof(q->reason));
free:
	ptg_snap_free(&s);
unlock:
	mutex_unlock(&ptg_lock);
	return ret;
}

static int ptg_reset(struct ptg_owner *o, struct ptguard_reset *r)
{
	struct ptg_verdict v;
	struct ptg_snap s;
	unsigned int i;
	int ret;

	r->reason[0] = '\0';
	mutex_lock(&ptg_lock);
	ret = ptg_snap_build(&s);
	if (ret)
		goto unlock;
	ret = ptg_lookup(&s, &r->addr, 1, &i, r->reason);
	if (ret)
		goto free;
	if (s.topo.devs[i].owner == o->id && s.topo.devs[i].state != PTGUARD_STATE_HELD) {
		snprintf(r->reason, sizeof(r->reason), "%s is being released",
			 pci_name(s.pdevs[i]));
		ret = -EBUSY;
		goto free;
	}
	ret = ptg_check_reset(&s.topo, o->id, i, &v);
	strscpy(r->reason, v.reason, sizeof(r->reason));
	if (ret)
		goto free;
	r->method = ptg_reset_method(&s.topo.devs[i]);
	ret = ptg_pci_reset(s.pdevs[i], r->method);
	if (ret)
		snprintf(r->reason, sizeof(r->reason), "%s: %s reset failed (%d)",
			 pci_name(s.pdevs[i]), ptg_method_name(r->method), ret);
free:
	ptg_snap_free(&s);
unlock:
	mutex_unlock(&ptg_lock);
	return ret;
}

static int ptg_release(struct ptg_owner *o, struct ptguard_release *r)
{
	unsigned int idx[PTG_OWNER_MAX], n = 0, k;
	int which[PTG_OWNER_MAX];
	struct ptg_verdict v;
	struct ptg_snap s;
	int ret;

	r->reason[0] = '\0';
	if (r->flags & ~PTGUARD_RELEASE_ALL)
		return -EINVAL;
	mutex_lock(&ptg_lock);
	ret = ptg_snap_build(&s);
	if (ret)
		goto unlock;
	for (k = 0; k < o->nr; k++) {
		int i = ptg_snap_index(&s, o->held[k].pdev);

		if (i < 0 || o->held[k].state != PTGUARD_STATE_HELD ||
		    (!(r->flags & PTGUARD_RELEASE_ALL) && s.topo.devs[i].addr != r->addr))
			continue;
		which[n] = k;
		idx[n++] = i;
	}
	if (!n && !(r->flags & PTGUARD_RELEASE_ALL)) {
		ret = -ENOENT;
		goto free;
	}
	ret = ptg_check_release(&s.topo, o->id, idx, n, &v);
	strscpy(r->reason, v.reason, sizeof(r->reason));
	if (!ret && n)
		ptg_owner_release(o, which, n);
free:
	ptg_snap_free(&s);
unlock:
	mutex_unlock(&ptg_lock);
	return ret;
}

/* Copy the argument in, run @fn, copy it back out (the reason too on refusal). */
#define PTG_CALL(type, fn, o, uarg)                                \
	({                                                         \
		type *__a = memdup_user(uarg, sizeof(type));       \
		long __ret = PTR_ERR_OR_ZERO(__a);                 \
		if (!__ret) {                                      \
			__ret = fn(o, __a);                        \
			if (copy_to_user(uarg, __a, sizeof(type))) \
				__ret = -EFAULT;                   \
			kfree(__a);                                \
		}                                                  \
		__ret;                                             \
	})

static long ptguard_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct ptg_owner *o = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case PTGUARD_CLAIM:
		return PTG_CALL(struct ptguard_claim, ptg_claim, o, uarg);
	case PTGUARD_QUERY:
		return PTG_CALL(struct ptguard_query, ptg_query, o, uarg);
	case PTGUARD_RESET:
		return PTG_CALL(struct ptguard_reset, ptg_reset, o, uarg);
	case PTGUARD_RELEASE:
		return PTG_CALL(struct ptguard_release, ptg_release, o, uarg);
	default:
		return -ENOTTY;
	}
}

static int ptguard_open(struct inode *inode, struct file *file)
{
	struct ptg_owner *o = ptg_owner_new();

	if (!o)
		return -ENOMEM;
	file->private_data = o;
	return 0;
}

/* Last close of the file, however the owner ended: release and reset. */
static int ptguard_release(struct inode *inode, struct file *file)
{
	ptg_owner_close(file->private_data);
	return 0;
}

static const struct file_operations ptguard_fops = {
	.owner = THIS_MODULE,
	.open = ptguard_open,
	.release = ptguard_release,
	.unlocked_ioctl = ptguard_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice ptguard_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "ptguard",
	.fops = &ptguard_fops,
	.mode = 0600,
};

static int __init ptguard_init(void)
{
	int ret = ptg_owners_init();

	if (ret)
		return ret;
	ret = misc_register(&ptguard_misc);
	if (ret) {
		pr_err("cannot register /dev/ptguard: %d\n", ret);
		goto err_owners;
	}
	return 0;

err_owners:
	ptg_owners_exit();
	return ret;
}

static void __exit ptguard_exit(void)
{
	misc_deregister(&ptguard_misc);
	ptg_owners_exit();
}

module_init(ptguard_init);
module_exit(ptguard_exit);
MODULE_DESCRIPTION("Reset and co-assignment guard for PCI passthrough");
MODULE_LICENSE("GPL");
