// SPDX-License-Identifier: GPL-2.0
/*
 * vmmrun: run one VMM (ptvm or QEMU) for the bench in L1 and measure it
 * from outside, the same way for every VMM, with no fork per sample (a
 * shell loop of awk and cat under TCG costs more than what it measures).
 *
 *   vmmrun [-t SECS] [-r RAM_KB] [-l LOCK_KB] [-i MS] [-w KERNEL_FN] [-m NAME=TEXT]...
 *          -- CMD [ARG]...
 *
 * CMD gets a pipe as stdin that stays open until it exits (some VMMs spin
 * on the EOF of /dev/null) and a pipe as stdout and stderr; each line it
 * writes is copied to our stderr as "  l2| SECS LINE", SECS counted from
 * just before the fork (CLOCK_MONOTONIC). At the first line holding TEXT,
 * marker NAME gets that time and L1 KVM's counters (debugfs: each is a sum
 * over the VMs that exist, so with one VM they are its counts so far).
 * Every MS (default 100) milliseconds CMD and its descendants are sampled:
 * -r: the Rss of their mappings but the guest RAM one (Size RAM_KB), read in
 *     one pass over smaps, so guest pages faulting in between do not count;
 *     the largest sum is over_kb, and over_pss_kb their Pss then (pages
 *     two of the processes share, e.g. after a fork, counted once).
 *     guest_kb: the guest mapping's Rss then.
 * -l: their VmLck (VFIO type1 accounts the pages it pins there); lock0_s is
 *     the first sample above 0, lock_s the first at LOCK_KB or more, and
 *     then CMD gets SIGTERM (the pinning is all that was wanted of it).
 * -w: whether one of their threads has kernel function KERNEL_FN on its
 *     stack (/proc/PID/task/TID/stack, root only): call0_s is the first
 *     sample seeing it, call1_s the last. For the VFIO type1 ioctls
 *     (vfio_iommu_type1_ioctl): VmLck grows only as each contiguous run of
 *     pages is pinned, and hugetlbfs pages come in runs so long that it
 *     jumps once, at the end of the map.
 * -t: CMD's process group is killed after SECS (default 120).
 * Prints one line on stdout: rc=N exit_s=S [NAME_s=S NAME_exits=N ...]
 * [over_kb=K over_pss_kb=K guest_kb=K] [lock0_s=S lock_s=S]
 * [call0_s=S call1_s=S]; a value never seen is -1.
 */
#define _GNU_SOURCE
#define TOOL_NAME "vmmrun"
#include "../../tests/e2e/tool.h"

#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_MARKS    8
#define MAX_PROCS    16
#define LINE_MAX_LEN 4096

/* The L1 KVM counters of each marker (/sys/kernel/debug/kvm/, x86 names). */
static const char *const kvm_stats[] = {"exits", "io_exits", "mmio_exits", "halt_exits",
					"irq_injections"};
#define NR_STATS (sizeof(kvm_stats) / sizeof(kvm_stats[0]))

struct mark {
	const char *name, *text;
	double t;
	long long stat[NR_STATS];
};

struct run {
	struct mark mark[MAX_MARKS];
	unsigned nr_marks;
	uint64_t ram_kb, lock_kb, over_kb, over_pss_kb, guest_kb;
	double t0, lock0, lock, term_at, call0, call1;
	const char *call_fn;
	bool rss, lock_kill;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long long kvm_stat(const char *name)
{
	char path[128];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/debug/kvm/%s", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* CMD and its descendants (ptvm's monitor forks the VM process), breadth first. */
static unsigned procs_of(pid_t root, pid_t *pids)
{
	unsigned n = 1, i;

	pids[0] = root;
	for (i = 0; i < n && n < MAX_PROCS; i++) {
		char path[64];
		FILE *f;
		int c;

		snprintf(path, sizeof(path), "/proc/%d/task/%d/children", pids[i], pids[i]);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (n < MAX_PROCS && fscanf(f, "%d", &c) == 1)
			pids[n++] = c;
		fclose(f);
	}
	return n;
}

/*
 * The Rss and Pss of @pid's mappings but those of Size @ram_kb, and the Rss
 * of those; 0 when gone.
 */
static int rss_of(pid_t pid, uint64_t ram_kb, uint64_t *other, uint64_t *other_pss, uint64_t *guest)
{
	char path[64], line[512];
	unsigned long long v;
	bool is_guest = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Size: %llu kB", &v) == 1)
			is_guest = v == ram_kb;
		else if (sscanf(line, "Rss: %llu kB", &v) == 1)
			*(is_guest ? guest : other) += v;
		else if (sscanf(line, "Pss: %llu kB", &v) == 1 && !is_guest)
			*other_pss += v;
	}
	fclose(f);
	return 0;
}

static uint64_t vmlck_of(pid_t pid)
{
	char path[64], line[256];
	unsigned long long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %llu kB", &v) == 1)
			break;
	fclose(f);
	return v;
}

/* Whether a thread of @pid has kernel function @fn on its stack. */
static bool in_kernel_fn(pid_t pid, const char *fn)
{
	char path[64], line[256];
	size_t len = strlen(fn);
	struct dirent *e;
	bool found = false;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	if (!d)
		return false;
	while (!found && (e = readdir(d))) {
		long tid = atol(e->d_name);
		FILE *f;

		if (tid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%ld/stack", pid, tid);
		f = fopen(path, "r");
		if (!f)
			continue;
		/* "[<0>] name+0xoff/0xlen" per frame. */
		while (!found && fgets(line, sizeof(line), f)) {
			char *p = strchr(line, ' ');

			found = p && !strncmp(p + 1, fn, len) && p[1 + len] == '+';
		}
		fclose(f);
	}
	closedir(d);
	return found;
}

static void run_sample(struct run *r, pid_t child, double t)
{
	pid_t pids[MAX_PROCS];
	unsigned n = procs_of(child, pids);
	uint64_t other = 0, other_pss = 0, guest = 0, lck = 0;
	bool seen = false, call = false;

	for (unsigned i = 0; i < n; i++) {
		if (r->rss && !rss_of(pids[i], r->ram_kb, &other, &other_pss, &guest))
			seen = true;
		if (r->lock_kb)
			lck += vmlck_of(pids[i]);
		if (r->call_fn && !call)
			call = in_kernel_fn(pids[i], r->call_fn);
	}
	if (call) {
		if (r->call0 < 0)
			r->call0 = t;
		r->call1 = t;
	}
	/* An exiting VMM has its guest mapping gone first: keep the samples with it. */
	if (seen && guest && other > r->over_kb) {
		r->over_kb = other;
		r->over_pss_kb = other_pss;
		r->guest_kb = guest;
	}
	if (!r->lock_kb)
		return;
	if (lck && r->lock0 < 0)
		r->lock0 = t;
	if (lck >= r->lock_kb && r->lock < 0) {
		r->lock = t;
		if (r->lock_kill && !r->term_at) {
			kill(-child, SIGTERM);
			r->term_at = t;
		}
	}
}

static void run_line(struct run *r, char *line, double t)
{
	size_t len = strlen(line);

	if (len && line[len - 1] == '\r')
		line[len - 1] = 0;
	fprintf(stderr, "  l2| %.3f %s\n", t, line);
	for (unsigned i = 0; i < r->nr_marks; i++) {
		struct mark *m = &r->mark[i];

		if (m->t >= 0 || !strstr(line, m->text))
			continue;
		m->t = t;
		for (unsigned s = 0; s < NR_STATS; s++)
			m->stat[s] = kvm_stat(kvm_stats[s]);
	}
}

static pid_t run_spawn(char **argv, int *out)
{
	int in[2], o[2];
	pid_t pid;

	if (pipe(in) || pipe(o))
		die("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (!pid) {
		setpgid(0, 0);
		dup2(in[0], 0);
		dup2(o[1], 1);
		dup2(o[1], 2);
		close(in[0]);
		close(in[1]);
		close(o[0]);
		close(o[1]);
		execvp(argv[0], argv);
		fprintf(stderr, "vmmrun: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);
	close(in[0]);
	close(o[1]);
	/* in[1] stays open, unwritten, until we exit: the VMM's stdin never ends. */
	*out = o[0];
	return pid;
}

static void run_print(const struct run *r, int rc, double t_exit)
{
	printf("rc=%d exit_s=%.3f", rc, t_exit);
	for (unsigned i = 0; i < r->nr_marks; i++) {
		const struct mark *m = &r->mark[i];

		printf(" %s_s=%.3f", m->name, m->t);
		for (unsigned s = 0; s < NR_STATS; s++)
			printf(" %s_%s=%lld", m->name, kvm_stats[s], m->stat[s]);
	}
	if (r->rss)
		printf(" over_kb=%llu over_pss_kb=%llu guest_kb=%llu",
		       (unsigned long long)r->over_kb, (unsigned long long)r->over_pss_kb,
		       (unsigned long long)r->guest_kb);
	if (r->lock_kb)
		printf(" lock0_s=%.3f lock_s=%.3f", r->lock0, r->lock);
	if (r->call_fn)
		printf(" call0_s=%.3f call1_s=%.3f", r->call0, r->call1);
	printf("\n");
}

int main(int argc, char **argv)
{
	struct run r = {.lock0 = -1, .lock = -1, .call0 = -1, .call1 = -1};
	unsigned interval = 100, timeout = 120;
	char buf[LINE_MAX_LEN];
	size_t have = 0;
	int opt, fd, status = 0, rc;
	bool is_open = true, killed = false;
	pid_t child;

	while ((opt = getopt(argc, argv, "t:r:l:i:m:w:")) != -1) {
		char *eq;

		switch (opt) {
		case 't':
			timeout = num(optarg, 86400);
			break;
		case 'r':
			r.ram_kb = num(optarg, UINT64_MAX);
			r.rss = true;
			break;
		case 'l':
			r.lock_kb = num(optarg, UINT64_MAX);
			r.lock_kill = true;
			break;
		case 'i':
			interval = num(optarg, 10000);
			break;
		case 'w':
			r.call_fn = optarg;
			break;
		case 'm':
			eq = strchr(optarg, '=');
			if (!eq || eq == optarg || !eq[1] || r.nr_marks == MAX_MARKS)
				die("-m wants NAME=TEXT, at most %d", MAX_MARKS);
			*eq = 0;
			r.mark[r.nr_marks++] =
				(struct mark){.name = optarg, .text = eq + 1, .t = -1};
			break;
		default:
			fprintf(stderr, "usage: vmmrun [-t SECS] [-r RAM_KB] [-l LOCK_KB] [-i MS] "
					"[-w KERNEL_FN] [-m NAME=TEXT]... -- CMD [ARG]...\n");
			return 2;
		}
	}
	if (optind >= argc)
		die("no command (usage: vmmrun [options] -- CMD [ARG]...)");
	for (unsigned i = 0; i < r.nr_marks; i++)
		for (unsigned s = 0; s < NR_STATS; s++)
			r.mark[i].stat[s] = -1;

	r.t0 = now();
	child = run_spawn(argv + optind, &fd);
	while (is_open) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		double t = now() - r.t0;
		ssize_t n;

		if (!killed && t > timeout) {
			kill(-child, SIGKILL);
			killed = true;
		}
		if (r.term_at && !killed && t > r.term_at + 30) {
			kill(-child, SIGKILL);
			killed = true;
		}
		run_sample(&r, child, t);
		if (poll(&p, 1, interval) <= 0)
			continue;
		n = read(fd, buf + have, sizeof(buf) - 1 - have);
		if (n <= 0) {
			is_open = false;
			n = 0;
		}
		have += n;
		buf[have] = 0;
		t = now() - r.t0;
		for (char *nl; (nl = memchr(buf, '\n', have));) {
			*nl = 0;
			run_line(&r, buf, t);
			have -= nl + 1 - buf;
			memmove(buf, nl + 1, have);
		}
		/* A line longer than the buffer is cut, not lost. */
		if (have == sizeof(buf) - 1 || (!is_open && have)) {
			buf[have] = 0;
			run_line(&r, buf, t);
			have = 0;
		}
	}
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	run_print(&r, rc, now() - r.t0);
	return 0;
}
