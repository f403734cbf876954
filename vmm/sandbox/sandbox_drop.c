// SPDX-License-Identifier: GPL-2.0
/*
 * Dropping privileges in the VM process: who it becomes, and the steps in
 * their order. Each step needs what the previous ones leave: the bounding
 * set goes while CAP_SETPCAP is still there (prctl(2), PR_CAPBSET_DROP),
 * groups and gid while CAP_SETGID is, the uid last of the ids; with every
 * uid non-zero the kernel clears the permitted and effective sets itself
 * (capabilities(7), "Effect of user ID changes"), and drop_caps checks it.
 */
#include <cap-ng.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "sandbox/sandbox.h"

static int sandbox_user_take(const struct sandbox_ops *ops, const char *name, const char *why,
			     struct sandbox_user *out)
{
	int ret = ops->lookup(name, &out->uid, &out->gid);

	if (ret)
		return ret;
	snprintf(out->name, sizeof(out->name), "%s", name);
	snprintf(out->why, sizeof(out->why), "%s", why);
	out->change = true;
	return 0;
}

int sandbox_user_choose(const struct sandbox_ops *ops, const char *name, struct sandbox_user *out)
{
	int ret;

	memset(out, 0, sizeof(*out));
	if (ops->geteuid()) {
		/* Not root: nothing to drop to, and no right to; the filter still goes on. */
		if (name) {
			log_err("--user %s: ptvm can change the VM process's user only when it "
				"starts as root",
				name);
			return -EPERM;
		}
		snprintf(out->name, sizeof(out->name), "uid %u", (unsigned)ops->geteuid());
		snprintf(out->why, sizeof(out->why), "ptvm's own: not started as root");
		return 0;
	}
	if (name) {
		ret = sandbox_user_take(ops, name, "--user", out);
		if (ret == -ENOENT)
			log_err("--user %s: no such user (see /etc/passwd)", name);
		else if (ret)
			log_err("--user %s: cannot look the user up: %s", name, strerror(-ret));
	} else {
		ret = sandbox_user_take(ops, SANDBOX_USER, "the default", out);
		if (ret == -ENOENT)
			ret = sandbox_user_take(ops, SANDBOX_USER_FALLBACK,
						"the default: no user " SANDBOX_USER, out);
		if (ret == -ENOENT)
			log_err("no user " SANDBOX_USER " or " SANDBOX_USER_FALLBACK
				" for the VM process to run as (add one: useradd --system "
				"--no-create-home --shell /usr/sbin/nologin " SANDBOX_USER
				"; or give --user USER)");
		else if (ret)
			log_err("cannot look up the user for the VM process: %s", strerror(-ret));
	}
	if (ret)
		return ret;
	if (out->uid == 0) {
		log_err("--user %s has uid 0: the VM process must not run as root (give another "
			"user)",
			out->name);
		return -EINVAL;
	}
	return 0;
}

/* One line naming the step that failed; the VM process then ends, before the guest runs. */
static int sandbox_step(int ret, const char *what)
{
	if (ret)
		log_err("sandbox: %s: %s", what, strerror(-ret));
	return ret;
}

static int sandbox_drop_ids(const struct sandbox_ops *ops, const struct sandbox_user *u)
{
	char what[96];
	int ret;

	ret = sandbox_step(ops->drop_bounding(), "cannot empty the capability bounding set");
	if (!ret)
		ret = sandbox_step(ops->setgroups(), "setgroups (no supplementary groups)");
	if (!ret) {
		snprintf(what, sizeof(what), "setresgid(%u) for --user %s", (unsigned)u->gid,
			 u->name);
		ret = sandbox_step(ops->setresgid(u->gid), what);
	}
	if (!ret) {
		snprintf(what, sizeof(what), "setresuid(%u) for --user %s", (unsigned)u->uid,
			 u->name);
		ret = sandbox_step(ops->setresuid(u->uid), what);
	}
	return ret;
}

/* LeakSanitizer's, in make SAN=1 builds only (weak: absent otherwise). */
void __lsan_do_leak_check(void) __attribute__((weak));

int sandbox_enter(const struct sandbox_ops *ops, const struct sandbox_user *user, pid_t monitor,
		  int report_fd)
{
	scmp_filter_ctx ctx;
	int ret;

	/*
	 * make SAN=1: LeakSanitizer's check at exit stops the world with
	 * ptrace from a cloned process, which the filter forbids. Check now,
	 * while everything is reachable (what leaked so far is reported), and
	 * not again at exit; the monitor still checks at its exit.
	 */
	if (__lsan_do_leak_check)
		__lsan_do_leak_check();

	/* First: it allocates, and an allocation failure must find everything as it was. */
	ret = sandbox_filter_build(sandbox_rules, sandbox_nr_rules, &ctx);
	if (ret)
		return ret;
	ret = user->change ? sandbox_drop_ids(ops, user) : 0;
	if (!ret)
		ret = sandbox_step(ops->drop_caps(), "cannot drop every capability");
	/* After the ids: a change of euid clears it (kernel/cred.c, commit_creds()). */
	if (!ret)
		ret = sandbox_step(ops->prctl(PR_SET_PDEATHSIG, SIGKILL), "PR_SET_PDEATHSIG");
	/* The monitor may have gone before the line above: then nobody would give the devices back.
	 */
	if (!ret && ops->getppid() != monitor)
		ret = sandbox_step(-ESRCH, "the monitor process is gone");
	/* Not dumpable: no ptrace, no /proc/PID/mem for another process of the same user. */
	if (!ret)
		ret = sandbox_step(ops->prctl(PR_SET_DUMPABLE, 0), "PR_SET_DUMPABLE");
	if (!ret)
		ret = sandbox_step(ops->prctl(PR_SET_NO_NEW_PRIVS, 1), "PR_SET_NO_NEW_PRIVS");
	if (!ret)
		ret = sandbox_step(ops->trap_install(report_fd),
				   "cannot install the SIGSYS handler");
	if (!ret)
		ret = sandbox_step(ops->filter_load(ctx), "cannot load the seccomp filter");
	seccomp_release(ctx);
	return ret;
}

static int sandbox_lookup(const char *name, uid_t *uid, gid_t *gid)
{
	struct passwd pw, *res = NULL;
	char buf[1024];
	int ret = getpwnam_r(name, &pw, buf, sizeof(buf), &res);

	if (ret)
		return -ret;
	if (!res)
		return -ENOENT;
	*uid = pw.pw_uid;
	*gid = pw.pw_gid;
	return 0;
}

static uid_t sandbox_geteuid(void)
{
	return geteuid();
}

static int sandbox_drop_bounding(void)
{
	capng_get_caps_process();
	capng_clear(CAPNG_SELECT_ALL);
	if (capng_apply(CAPNG_SELECT_BOUNDS))
		return -EPERM;
	/* Linux 4.3+: PR_CAP_AMBIENT_CLEAR_ALL (capabilities(7), ambient set). */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) && errno != EINVAL)
		return -errno;
	return 0;
}

static int sandbox_setgroups(void)
{
	return setgroups(0, NULL) ? -errno : 0;
}

static int sandbox_setresgid(gid_t gid)
{
	return setresgid(gid, gid, gid) ? -errno : 0;
}

static int sandbox_setresuid(uid_t uid)
{
	return setresuid(uid, uid, uid) ? -errno : 0;
}

static int sandbox_drop_caps(void)
{
	capng_clear(CAPNG_SELECT_CAPS);
	if (capng_apply(CAPNG_SELECT_CAPS))
		return -EPERM;
	/* What the kernel now says, not what libcap-ng was told. */
	if (capng_get_caps_process() || capng_have_capabilities(CAPNG_SELECT_CAPS) != CAPNG_NONE)
		return -EPERM;
	return 0;
}

static int sandbox_prctl(int option, unsigned long arg)
{
	return prctl(option, arg, 0, 0, 0) ? -errno : 0;
}

static int sandbox_filter_load(scmp_filter_ctx ctx)
{
	return seccomp_load(ctx);
}

const struct sandbox_ops sandbox_linux = {
	.lookup = sandbox_lookup,
	.geteuid = sandbox_geteuid,
	.drop_bounding = sandbox_drop_bounding,
	.setgroups = sandbox_setgroups,
	.setresgid = sandbox_setresgid,
	.setresuid = sandbox_setresuid,
	.drop_caps = sandbox_drop_caps,
	.prctl = sandbox_prctl,
	.getppid = getppid,
	.trap_install = sandbox_trap_install,
	.filter_load = sandbox_filter_load,
};
