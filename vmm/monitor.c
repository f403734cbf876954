// SPDX-License-Identifier: GPL-2.0
/* The monitor's side of the split (monitor.h): fork, wait, and say how the VM process ended. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "monitor.h"

/* What the monitor passes on; SIGCHLD is its own. */
static void monitor_sigset(sigset_t *set, bool chld)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGQUIT);
	if (chld)
		sigaddset(set, SIGCHLD);
}

int monitor_fork(struct monitor *m)
{
	sigset_t set;
	int ret;

	memset(m, 0, sizeof(*m));
	m->signal_fd = m->report[0] = m->report[1] = m->chan[0] = m->chan[1] = -1;
	m->self = getpid();
	m->tty = isatty(STDIN_FILENO) && !tcgetattr(STDIN_FILENO, &m->saved);
	if (pipe2(m->report, O_CLOEXEC)) {
		ret = -errno;
		log_err("monitor: pipe: %s", strerror(-ret));
		return ret;
	}
	ret = monitor_req_pair(m->chan);
	if (ret) {
		log_err("monitor: socketpair: %s", strerror(-ret));
		goto err;
	}
	/* Blocked before the fork: a VM process that ends at once is still seen. */
	monitor_sigset(&set, true);
	sigprocmask(SIG_BLOCK, &set, NULL);
	m->child = fork();
	if (m->child < 0) {
		ret = -errno;
		log_err("monitor: cannot fork the VM process: %s", strerror(-ret));
		goto err;
	}
	if (m->child == 0)
		return 0;
	close(m->report[1]);
	close(m->chan[1]);
	m->report[1] = m->chan[1] = -1;
	/* The VM process may write anything, or nothing: never sleep in read(). */
	fcntl(m->report[0], F_SETFL, O_NONBLOCK);
	fcntl(m->chan[0], F_SETFL, O_NONBLOCK);
	m->signal_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (m->signal_fd < 0)
		log_err("monitor: signalfd: %s (stop signals will not reach the VM process)",
			strerror(errno));
	return 1;

err:
	close(m->report[0]);
	close(m->report[1]);
	if (m->chan[0] >= 0) {
		close(m->chan[0]);
		close(m->chan[1]);
	}
	m->report[0] = m->report[1] = m->chan[0] = m->chan[1] = -1;
	return ret;
}

int monitor_child_init(struct monitor *m)
{
	sigset_t set;

	close(m->report[0]);
	close(m->chan[0]);
	m->report[0] = m->chan[0] = -1;
	/* The monitor killed: so is this; its fds close, ptguard resets the devices. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0)) {
		log_err("monitor: PR_SET_PDEATHSIG: %s", strerror(errno));
		return -errno;
	}
	if (getppid() != m->self) {
		log_err("monitor: the monitor process is gone");
		return -ESRCH;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	return 0;
}

void monitor_take(struct monitor_result *r, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		size_t n = MIN(len, sizeof(r->partial) - r->partial_len);
		struct sandbox_msg msg;

		memcpy(r->partial + r->partial_len, p, n);
		r->partial_len += n;
		p += n;
		len -= n;
		if (r->partial_len < sizeof(r->partial))
			break;
		r->partial_len = 0;
		memcpy(&msg, r->partial, sizeof(msg));
		if (msg.magic != SANDBOX_MSG_MAGIC)
			continue;
		if (msg.kind == SANDBOX_MSG_STOP && !r->stopped) {
			r->stopped = true;
			r->reason = msg.reason;
			memcpy(r->msg, msg.msg, sizeof(r->msg));
			r->msg[sizeof(r->msg) - 1] = '\0';
		} else if (msg.kind == SANDBOX_MSG_SYSCALL && !r->trapped) {
			r->trapped = true;
			r->nr = msg.nr;
			r->arch = msg.arch;
			r->arg1 = msg.arg1;
		}
	}
}

/* Read what the pipe holds now; at its end, stop polling it. */
static void monitor_drain(struct monitor *m, struct monitor_result *r)
{
	uint8_t buf[sizeof(struct sandbox_msg)];
	ssize_t n;

	while (m->report[0] >= 0) {
		n = read(m->report[0], buf, sizeof(buf));
		if (n > 0) {
			monitor_take(r, buf, n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0 || errno != EAGAIN) {
			close(m->report[0]);
			m->report[0] = -1;
		}
		break;
	}
}

static bool monitor_reap(struct monitor *m, struct monitor_result *r, int flags)
{
	int status;
	pid_t pid;

	do {
		pid = waitpid(m->child, &status, flags);
	} while (pid < 0 && errno == EINTR);
	if (pid != m->child)
		return false;
	r->exited = WIFEXITED(status);
	r->status = r->exited ? WEXITSTATUS(status) : WTERMSIG(status);
	return true;
}

/* Signals for the VM process go to it; SIGCHLD may mean it is gone. */
static bool monitor_on_signals(struct monitor *m, struct monitor_result *r)
{
	struct signalfd_siginfo si;

	while (read(m->signal_fd, &si, sizeof(si)) == sizeof(si))
		if (si.ssi_signo != SIGCHLD)
			kill(m->child, (int)si.ssi_signo);
	return monitor_reap(m, r, WNOHANG);
}

int monitor_wait(struct monitor *m, struct monitor_result *r)
{
	bool gone = false;
	int ret = 0;

	memset(r, 0, sizeof(*r));
	while (!gone && m->signal_fd >= 0) {
		struct pollfd p[3] = {
			{.fd = m->signal_fd, .events = POLLIN},
			{.fd = m->report[0], .events = POLLIN},
			{.fd = m->host ? m->chan[0] : -1, .events = POLLIN},
		};

		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			log_err("monitor: poll: %s (waiting for the VM process without it)",
				strerror(-ret));
			break;
		}
		if (p[1].revents)
			monitor_drain(m, r);
		/* The VM process gone (or its end closed): no more requests. */
		if (p[2].revents && monitor_host_serve(m->host, m->chan[0])) {
			close(m->chan[0]);
			m->chan[0] = -1;
		}
		if (p[0].revents)
			gone = monitor_on_signals(m, r);
	}
	if (!gone)
		gone = monitor_reap(m, r, 0);
	/* Dead, it writes no more: whatever it wrote is in the pipe. */
	monitor_drain(m, r);
	if (m->signal_fd >= 0)
		close(m->signal_fd);
	if (m->chan[0] >= 0)
		close(m->chan[0]);
	m->signal_fd = m->chan[0] = -1;
	/* Killed, it could not put the terminal back in the mode it found. */
	if (gone && !r->exited && m->tty)
		tcsetattr(STDIN_FILENO, TCSANOW, &m->saved);
	return gone ? ret : -ECHILD;
}

int monitor_verdict(const struct monitor_result *r, char *line, size_t len)
{
	char sc[96];

	line[0] = '\0';
	if (!r->exited && r->status == SIGSYS && r->trapped) {
		sandbox_describe_syscall(r->arch, r->nr, r->arg1, sc, sizeof(sc));
		snprintf(line, len, "VM process killed: forbidden syscall %s", sc);
		return 1;
	}
	if (!r->exited) {
		snprintf(line, len, "VM process killed by signal SIG%s",
			 sigabbrev_np(r->status) ?: "?");
		return 1;
	}
	if (r->status)
		return r->status; /* a setup error, which it logged */
	if (r->stopped)
		return -1;
	snprintf(line, len, "VM process ended without saying why");
	return 1;
}
