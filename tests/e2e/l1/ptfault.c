// SPDX-License-Identifier: GPL-2.0
/*
 * ptfault: the L1 side of the rig's fault cases (tests/e2e/fault_*.sh).
 * Static, in the L1 initramfs. It watches the files a running ptvm writes
 * (its stdout, where L2's console goes, and its stderr, where --verbose
 * says each setup step) and kills it at a chosen moment, and asks ptguard
 * what it thinks of a device:
 *
 *   ptfault kill vm|monitor DELAY_MS SECS OUT ERR MARKER...
 *       Wait (at most SECS) for the first MARKER in OUT or ERR, then
 *       DELAY_MS later SIGKILL the running ptvm's VM process (its monitor
 *       survives and gives the devices back) or its monitor (the VM
 *       process dies with it, PR_SET_PDEATHSIG). The other MARKERs end the
 *       phase that the first starts: the line says the last one seen
 *       before the kill, so a case knows where the kill landed.
 *   ptfault stamps SECS OUT ERR MARKER...
 *       When each MARKER first showed, until all have (or no ptvm runs
 *       any more, or SECS pass): the phases' lengths.
 *   ptfault query BDF
 *       PTGUARD_QUERY of BDF (include/ptvm/ptguard.h): its state, owner
 *       and whether it could be claimed now.
 *
 * Times are CLOCK_BOOTTIME, L1's /proc/uptime, in seconds with ms. Lines:
 *
 *   stamp 2 12.345 reset by
 *   kill vm pid=812 monitor=805 at=12.401 start=12.251 delay_ms=150 last=1
 *   query 0000:00:03.0 state=free pid=0 owner='' claimable=1 reason=''
 *
 * (last: index of the last MARKER seen at the kill, 1 being the first).
 * Errors go to stderr as one line "ptfault: ..." with exit status 1; bad
 * usage exits 2.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <ptvm/ptguard.h>

#define TOOL_NAME "ptfault"
#include "../tool.h"

#define MAX_MARKERS  8
#define LINE_MAX_LEN 4096
/* How often the files are looked at: the kill lands within this of its moment. */
#define POLL_NS 1000000L

static void __attribute__((noreturn)) usage(void)
{
	fputs("usage: ptfault kill vm|monitor DELAY_MS SECS OUT ERR MARKER... |\n"
	      "       ptfault stamps SECS OUT ERR MARKER... | ptfault query BDF\n",
	      stderr);
	exit(2);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void nap(void)
{
	const struct timespec ts = {0, POLL_NS};

	nanosleep(&ts, NULL);
}

/* A file ptvm appends to, read from where the last look stopped. */
struct watch {
	const char *path;
	off_t off;
	char line[LINE_MAX_LEN];
	size_t len;
};

struct markers {
	unsigned n;
	char *const *text;
	double seen[MAX_MARKERS]; /* 0: not yet */
	struct watch files[2];
};

/* Marks every marker the line being assembled holds (a partial line too). */
static void markers_match(struct markers *m, const char *line, double t)
{
	for (unsigned i = 0; i < m->n; i++)
		if (!m->seen[i] && strstr(line, m->text[i]))
			m->seen[i] = t;
}

static void watch_poll(struct markers *m, struct watch *w, double t)
{
	char buf[8192];
	ssize_t n;
	int fd = open(w->path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return; /* not created yet */
	while ((n = pread(fd, buf, sizeof(buf), w->off)) > 0) {
		w->off += n;
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == '\n' || w->len == sizeof(w->line) - 1) {
				w->line[w->len] = '\0';
				markers_match(m, w->line, t);
				w->len = 0;
				continue;
			}
			w->line[w->len++] = buf[i] ? buf[i] : ' ';
		}
		w->line[w->len] = '\0';
		markers_match(m, w->line, t);
	}
	close(fd);
}

static void markers_poll(struct markers *m)
{
	double t = now_s();

	watch_poll(m, &m->files[0], t);
	watch_poll(m, &m->files[1], t);
}

static void markers_init(struct markers *m, char **a, int nr)
{
	if (nr < 3 || nr - 2 > MAX_MARKERS)
		usage();
	memset(m, 0, sizeof(*m));
	m->files[0].path = a[0];
	m->files[1].path = a[1];
	m->text = a + 2;
	m->n = nr - 2;
}

static void markers_print(const struct markers *m)
{
	for (unsigned i = 0; i < m->n; i++)
		if (m->seen[i])
			printf("stamp %u %.3f %s\n", i + 1, m->seen[i], m->text[i]);
}

/* The process's parent and whether its comm is "ptvm"; false if it is gone. */
static bool proc_ptvm(int pid, int *ppid)
{
	char path[64], buf[256], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	/* "pid (comm) state ppid ...": comm may hold spaces, the last ')' ends it. */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %d", ppid) != 1)
		return false;
	return !strncmp(strchr(buf, '(') ?: "", "(ptvm)", 6);
}

/* The running ptvm: its monitor (a ptvm whose parent is not one) and VM process. */
static void ptvm_find(int *monitor, int *vmproc)
{
	struct dirent *e;
	DIR *d = opendir("/proc");
	int pid, ppid, pp;

	*monitor = *vmproc = 0;
	if (!d)
		die("/proc: %s", strerror(errno));
	while ((e = readdir(d))) {
		pid = atoi(e->d_name);
		if (pid <= 0 || !proc_ptvm(pid, &ppid))
			continue;
		if (proc_ptvm(ppid, &pp))
			*vmproc = pid;
		else
			*monitor = pid;
	}
	closedir(d);
}

static int cmd_kill(char **a, int nr)
{
	bool vm;
	long delay_ms;
	double limit, start, at;
	int monitor, vmproc, target;
	unsigned last = 0;
	struct markers m;

	if (nr < 5)
		usage();
	if (!strcmp(a[0], "vm"))
		vm = true;
	else if (!strcmp(a[0], "monitor"))
		vm = false;
	else
		usage();
	delay_ms = num(a[1], 600000);
	limit = now_s() + num(a[2], 3600);
	markers_init(&m, a + 3, nr - 3);
	for (;;) {
		markers_poll(&m);
		if (m.seen[0])
			break;
		if (now_s() > limit) {
			markers_print(&m);
			die("'%s' not seen in %s s", m.text[0], a[2]);
		}
		nap();
	}
	start = m.seen[0];
	while (now_s() < start + delay_ms / 1000.0) {
		nap();
		markers_poll(&m);
	}
	ptvm_find(&monitor, &vmproc);
	markers_poll(&m);
	target = vm ? vmproc : monitor;
	if (!target) {
		markers_print(&m);
		die("no %s to kill (ptvm ended)", vm ? "VM process" : "ptvm monitor");
	}
	at = now_s();
	if (kill(target, SIGKILL))
		die("kill %d: %s", target, strerror(errno));
	for (unsigned i = 0; i < m.n; i++)
		if (m.seen[i])
			last = i + 1;
	markers_print(&m);
	printf("kill %s pid=%d monitor=%d vmproc=%d at=%.3f start=%.3f delay_ms=%ld last=%u\n",
	       a[0], target, monitor, vmproc, at, start, delay_ms, last);
	return 0;
}

static int cmd_stamps(char **a, int nr)
{
	double begin = now_s(), limit, seen_ptvm = 0;
	unsigned all;
	int monitor, vmproc;
	struct markers m;

	if (nr < 4)
		usage();
	limit = begin + num(a[0], 3600);
	markers_init(&m, a + 1, nr - 1);
	for (;;) {
		markers_poll(&m);
		all = 0;
		for (unsigned i = 0; i < m.n; i++)
			all += m.seen[i] != 0;
		if (all == m.n || now_s() > limit)
			break;
		ptvm_find(&monitor, &vmproc);
		if (monitor)
			seen_ptvm = now_s();
		/* Started by the case just before: give it a second to appear. */
		else if (seen_ptvm || now_s() > begin + 1)
			break;
		nap();
	}
	markers_print(&m);
	printf("stamps %u of %u\n", all, m.n);
	return all == m.n ? 0 : 1;
}

static const char *state_name(unsigned s)
{
	static const char *const names[] = {"free", "held", "reset-pending", "reset-failed"};

	return s < sizeof(names) / sizeof(names[0]) ? names[s] : "unknown";
}

static int cmd_query(char **a, int nr)
{
	unsigned seg, bus, dev, fn;
	struct ptguard_query q;
	int fd;

	if (nr != 1 || sscanf(a[0], "%x:%x:%x.%x", &seg, &bus, &dev, &fn) != 4)
		usage();
	fd = open("/dev/ptguard", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die("/dev/ptguard: %s", strerror(errno));
	memset(&q, 0, sizeof(q));
	q.addr = PTGUARD_ADDR(seg, bus, dev, fn);
	if (ioctl(fd, PTGUARD_QUERY, &q))
		die("%s: PTGUARD_QUERY: %s", a[0], strerror(errno));
	close(fd);
	q.related[0].owner[sizeof(q.related[0].owner) - 1] = '\0';
	q.reason[sizeof(q.reason) - 1] = '\0';
	printf("query %s state=%s pid=%u owner='%s' claimable=%u reason='%s'\n", a[0],
	       state_name(q.related[0].state), q.related[0].owner_pid, q.related[0].owner,
	       q.claimable, q.reason);
	return 0;
}

int main(int argc, char **argv)
{
	int ret;

	if (argc < 3)
		usage();
	/* Unbuffered order with the case's own lines in the log. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(argv[1], "kill"))
		ret = cmd_kill(argv + 2, argc - 2);
	else if (!strcmp(argv[1], "stamps"))
		ret = cmd_stamps(argv + 2, argc - 2);
	else if (!strcmp(argv[1], "query"))
		ret = cmd_query(argv + 2, argc - 2);
	else
		usage();
	return ret;
}
