// SPDX-License-Identifier: GPL-2.0
/*
 * ptguard: the misc device /dev/ptguard. One open file is one owner (a VM).
 *
 * This file carries the module's life cycle. The claim/query/reset/release
 * calls and the reset-domain walk are the ptguard issue's work; until they
 * land every ioctl answers -ENOTTY, so ptvm treats the guard as absent.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>

static long ptguard_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	return -ENOTTY;
}

static const struct file_operations ptguard_fops = {
	.owner = THIS_MODULE,
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
	int ret = misc_register(&ptguard_misc);

	if (ret)
		pr_err("cannot register /dev/ptguard: %d\n", ret);
	return ret;
}

static void __exit ptguard_exit(void)
{
	misc_deregister(&ptguard_misc);
}

module_init(ptguard_init);
module_exit(ptguard_exit);
MODULE_DESCRIPTION("Reset and co-assignment guard for PCI passthrough");
MODULE_LICENSE("GPL");
