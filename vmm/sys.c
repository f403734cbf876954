// SPDX-License-Identifier: GPL-2.0
/* The real syscall seam: thin wrappers that turn errno into -errno. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sys.h"
#include "util.h"

static int sys_open(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static int sys_close(int fd)
{
	return close(fd) ? -errno : 0;
}

static int sys_ioctl(int fd, unsigned long req, void *arg)
{
	/* No EINTR retry: KVM_RUN returns -EINTR on purpose when a vCPU is kicked. */
	int ret = ioctl(fd, req, arg);

	return ret < 0 ? -errno : ret;
}

static void *sys_mmap(size_t len, int prot, int flags, int fd, off_t off, int *err)
{
	void *p = mmap(NULL, len, prot, flags, fd, off);

	if (p == MAP_FAILED) {
		*err = -errno;
		return NULL;
	}
	return p;
}

static int sys_munmap(void *addr, size_t len)
{
	return munmap(addr, len) ? -errno : 0;
}

static int sys_eventfd(unsigned int initval, int flags)
{
	int fd = eventfd(initval, flags | EFD_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static ssize_t sys_pread(int fd, void *buf, size_t len, off_t off)
{
	ssize_t n = pread(fd, buf, len, off);

	return n < 0 ? -errno : n;
}

static ssize_t sys_pwrite(int fd, const void *buf, size_t len, off_t off)
{
	ssize_t n = pwrite(fd, buf, len, off);

	return n < 0 ? -errno : n;
}

static ssize_t sys_readlink(const char *path, char *buf, size_t len)
{
	ssize_t n = readlink(path, buf, len);

	return n < 0 ? -errno : n;
}

/*
 * The directories and environment a program ptvm runs gets: the kernel's own
 * choice for its usermode helpers (call_usermodehelper), so a PATH or
 * LD_PRELOAD of whoever started ptvm as root picks nothing.
 */
static const char *const sys_run_dirs[] = {"/sbin", "/usr/sbin", "/bin", "/usr/bin"};
static char *const sys_run_env[] = {"PATH=/sbin:/usr/sbin:/bin:/usr/bin", NULL};

static int sys_spawn(pid_t *pid, const char *const argv[])
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, dfl;
	int ret = -ENOENT;

	if (posix_spawn_file_actions_init(&fa))
		return -ENOMEM;
	if (posix_spawnattr_init(&attr)) {
		posix_spawn_file_actions_destroy(&fa);
		return -ENOMEM;
	}
	for (int fd = 0; fd < 3; fd++)
		posix_spawn_file_actions_addopen(&fa, fd, "/dev/null", fd ? O_WRONLY : O_RDONLY, 0);
	/* main.c ignores SIGPIPE, and vm.c blocks the stop signals: not for the child. */
	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dfl);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	for (unsigned i = 0; i < ARRAY_SIZE(sys_run_dirs); i++) {
		char path[64];

		snprintf(path, sizeof(path), "%s/%s", sys_run_dirs[i], argv[0]);
		ret = -posix_spawn(pid, path, &fa, &attr, (char *const *)argv, sys_run_env);
		if (ret != -ENOENT)
			break;
	}
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	return ret;
}

static int sys_run(const char *const argv[])
{
	int status, ret;
	pid_t pid;

	if (strchr(argv[0], '/'))
		return -EINVAL;
	ret = sys_spawn(&pid, argv);
	if (ret)
		return ret;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int sys_finit_module(int fd, const char *params, int flags)
{
	return syscall(SYS_finit_module, fd, params, flags) ? -errno : 0;
}

const struct sys_ops sys_linux = {
	.open = sys_open,
	.close = sys_close,
	.ioctl = sys_ioctl,
	.mmap = sys_mmap,
	.munmap = sys_munmap,
	.eventfd = sys_eventfd,
	.pread = sys_pread,
	.pwrite = sys_pwrite,
	.readlink = sys_readlink,
	.run = sys_run,
	.finit_module = sys_finit_module,
};
