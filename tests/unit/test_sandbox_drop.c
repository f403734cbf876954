// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/sandbox/sandbox_drop.c against fake steps: the drop runs in its
 * order (bounding set, groups, gid, uid, caps, PDEATHSIG after the uid
 * change, the parent check, dumpable, no_new_privs, SIGSYS handler,
 * filter); each step that fails stops it there with one line naming the
 * step, nothing after it done. And who the VM process runs as.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sys/prctl.h>

#include "log_capture.h"
#include "sandbox/sandbox.h"

#define FAKE_MONITOR 4242
#define FAKE_REPORT  77

static struct {
	/* Script. */
	const char *fail;  /* the step that fails, by its name in the log */
	int err;	   /* with this */
	pid_t ppid;	   /* what getppid() says */
	uid_t euid;	   /* what geteuid() says */
	const char *users; /* "name:uid:gid " ... the fake passwd */
	/* Record. */
	char log[512];
	bool loaded_ctx;
	int report_fd;
} fk;

static int fake_step(const char *what)
{
	size_t n = strlen(fk.log);

	snprintf(fk.log + n, sizeof(fk.log) - n, "%s%s", n ? " " : "", what);
	return fk.fail && !strcmp(fk.fail, what) ? fk.err : 0;
}

static int fake_lookup(const char *name, uid_t *uid, gid_t *gid)
{
	char key[80];
	const char *p;
	unsigned u, g;

	snprintf(key, sizeof(key), " %s:", name);
	p = strstr(fk.users, key);
	if (!p || sscanf(p + strlen(key), "%u:%u", &u, &g) != 2)
		return -ENOENT;
	*uid = u;
	*gid = g;
	return 0;
}

static uid_t fake_geteuid(void)
{
	return fk.euid;
}

static int fake_drop_bounding(void)
{
	return fake_step("bounding");
}

static int fake_setgroups(void)
{
	return fake_step("groups");
}

static int fake_setresgid(gid_t gid)
{
	char s[32];

	snprintf(s, sizeof(s), "gid=%u", (unsigned)gid);
	return fake_step(s);
}

static int fake_setresuid(uid_t uid)
{
	char s[32];

	snprintf(s, sizeof(s), "uid=%u", (unsigned)uid);
	return fake_step(s);
}

static int fake_drop_caps(void)
{
	return fake_step("caps");
}

static int fake_prctl(int option, unsigned long arg)
{
	char s[32];

	if (option == PR_SET_PDEATHSIG)
		snprintf(s, sizeof(s), "pdeathsig=%lu", arg);
	else if (option == PR_SET_DUMPABLE)
		snprintf(s, sizeof(s), "dumpable=%lu", arg);
	else if (option == PR_SET_NO_NEW_PRIVS)
		snprintf(s, sizeof(s), "nnp=%lu", arg);
	else
		snprintf(s, sizeof(s), "prctl%d", option);
	return fake_step(s);
}

static pid_t fake_getppid(void)
{
	(void)fake_step("ppid");
	return fk.ppid;
}

static int fake_trap_install(int fd)
{
	fk.report_fd = fd;
	return fake_step("trap");
}

static int fake_filter_load(scmp_filter_ctx ctx)
{
	fk.loaded_ctx = ctx != NULL;
	return fake_step("filter");
}

static const struct sandbox_ops fake_ops = {
	.lookup = fake_lookup,
	.geteuid = fake_geteuid,
	.drop_bounding = fake_drop_bounding,
	.setgroups = fake_setgroups,
	.setresgid = fake_setresgid,
	.setresuid = fake_setresuid,
	.drop_caps = fake_drop_caps,
	.prctl = fake_prctl,
	.getppid = fake_getppid,
	.trap_install = fake_trap_install,
	.filter_load = fake_filter_load,
};

static const struct sandbox_user nobody = {
	.name = "nobody", .uid = 65534, .gid = 65534, .change = true, .why = "the default"};

static int setup(void **state)
{
	memset(&fk, 0, sizeof(fk));
	fk.ppid = FAKE_MONITOR;
	fk.users = " root:0:0 nobody:65534:65534 ";
	return 0;
}

#define ALL_STEPS \
	"bounding groups gid=65534 uid=65534 caps pdeathsig=9 ppid dumpable=0 nnp=1 trap filter"

static void test_order(void **state)
{
	char log[256];

	assert_int_equal(
		LOG_CAPTURED(log, sandbox_enter(&fake_ops, &nobody, FAKE_MONITOR, FAKE_REPORT)), 0);
	assert_string_equal(fk.log, ALL_STEPS);
	assert_string_equal(log, "");
	assert_true(fk.loaded_ctx);
	assert_int_equal(fk.report_fd, FAKE_REPORT);
}

/* Each step in turn fails: its line, its error, and not one step after it. */
static void test_each_step_fails(void **state)
{
	static const struct {
		const char *step, *line;
	} steps[] = {
		{"bounding", "cannot empty the capability bounding set"},
		{"groups", "setgroups (no supplementary groups)"},
		{"gid=65534", "setresgid(65534) for --user nobody"},
		{"uid=65534", "setresuid(65534) for --user nobody"},
		{"caps", "cannot drop every capability"},
		{"pdeathsig=9", "PR_SET_PDEATHSIG"},
		{"dumpable=0", "PR_SET_DUMPABLE"},
		{"nnp=1", "PR_SET_NO_NEW_PRIVS"},
		{"trap", "cannot install the SIGSYS handler"},
		{"filter", "cannot load the seccomp filter"},
	};

	for (unsigned i = 0; i < ARRAY_SIZE(steps); i++) {
		char log[256], want[256];
		const char *end;

		setup(NULL);
		fk.fail = steps[i].step;
		fk.err = -EPERM;
		assert_int_equal(LOG_CAPTURED(log, sandbox_enter(&fake_ops, &nobody, FAKE_MONITOR,
								 FAKE_REPORT)),
				 -EPERM);
		snprintf(want, sizeof(want), "ptvm: sandbox: %s: Operation not permitted\n",
			 steps[i].line);
		assert_string_equal(log, want);
		/* The steps done are ALL_STEPS up to this one, and no further. */
		end = strstr(ALL_STEPS, steps[i].step);
		assert_non_null(end);
		assert_int_equal(strlen(fk.log), (size_t)(end - ALL_STEPS) + strlen(steps[i].step));
		assert_memory_equal(fk.log, ALL_STEPS, strlen(fk.log));
	}
}

/* The monitor died before PDEATHSIG was set again: nobody would give the devices back. */
static void test_monitor_gone(void **state)
{
	char log[256];

	fk.ppid = 1;
	assert_int_equal(
		LOG_CAPTURED(log, sandbox_enter(&fake_ops, &nobody, FAKE_MONITOR, FAKE_REPORT)),
		-ESRCH);
	assert_string_equal(log, "ptvm: sandbox: the monitor process is gone: No such process\n");
	assert_string_equal(fk.log, "bounding groups gid=65534 uid=65534 caps pdeathsig=9 ppid");
}

/* Not started as root: the ids stay, everything else is done. */
static void test_not_root_keeps_ids(void **state)
{
	struct sandbox_user u;
	char log[256];

	fk.euid = 1000;
	assert_int_equal(LOG_CAPTURED(log, sandbox_user_choose(&fake_ops, NULL, &u)), 0);
	assert_false(u.change);
	assert_string_equal(u.name, "uid 1000");
	assert_int_equal(sandbox_enter(&fake_ops, &u, FAKE_MONITOR, FAKE_REPORT), 0);
	assert_string_equal(fk.log, "caps pdeathsig=9 ppid dumpable=0 nnp=1 trap filter");
	assert_int_equal(LOG_CAPTURED(log, sandbox_user_choose(&fake_ops, "nobody", &u)), -EPERM);
	assert_string_equal(log, "ptvm: --user nobody: ptvm can change the VM process's user only "
				 "when it starts as root\n");
}

static void test_user_default(void **state)
{
	struct sandbox_user u;
	char log[256];

	fk.users = " root:0:0 ptvm:990:980 nobody:65534:65534 ";
	assert_int_equal(LOG_CAPTURED(log, sandbox_user_choose(&fake_ops, NULL, &u)), 0);
	assert_string_equal(u.name, "ptvm");
	assert_int_equal(u.uid, 990);
	assert_int_equal(u.gid, 980);
	assert_true(u.change);
	assert_string_equal(u.why, "the default");

	fk.users = " root:0:0 nobody:65534:65534 ";
	assert_int_equal(LOG_CAPTURED(log, sandbox_user_choose(&fake_ops, NULL, &u)), 0);
	assert_string_equal(u.name, "nobody");
	assert_int_equal(u.uid, 65534);
	assert_string_equal(u.why, "the default: no user ptvm");
	assert_string_equal(log, "");

	fk.users = " root:0:0 ";
	assert_int_equal(LOG_CAPTURED(log, sandbox_user_choose(&fake_ops, NULL, &u)), -ENOENT);
	assert_string_equal(log, "ptvm: no user ptvm or nobody for the VM process to run as (add "
				 "one: useradd --system --no-create-home --shell "
				 "/usr/sbin/nologin ptvm; or give --user USER)\n");
}

static void test_user_given(void **state)
{
	struct sandbox_user u;
	char log[256];

	fk.users = " root:0:0 ptvm:990:980 alice:1000:1000 toor:0:5 ";
	assert_int_equal(LOG_CAPTURED(log, sandbox_user_choose(&fake_ops, "alice", &u)), 0);
	assert_string_equal(u.name, "alice");
	assert_int_equal(u.uid, 1000);
	assert_string_equal(u.why, "--user");
	assert_int_equal(LOG_CAPTURED(log, sandbox_user_choose(&fake_ops, "bob", &u)), -ENOENT);
	assert_string_equal(log, "ptvm: --user bob: no such user (see /etc/passwd)\n");
	assert_int_equal(LOG_CAPTURED(log, sandbox_user_choose(&fake_ops, "toor", &u)), -EINVAL);
	assert_string_equal(log, "ptvm: --user toor has uid 0: the VM process must not run as root "
				 "(give another user)\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_order, setup),
		cmocka_unit_test_setup(test_each_step_fails, setup),
		cmocka_unit_test_setup(test_monitor_gone, setup),
		cmocka_unit_test_setup(test_not_root_keeps_ids, setup),
		cmocka_unit_test_setup(test_user_default, setup),
		cmocka_unit_test_setup(test_user_given, setup),
	};

	return cmocka_run_group_tests_name("sandbox_drop", tests, NULL, NULL);
}
