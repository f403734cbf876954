// SPDX-License-Identifier: GPL-2.0
/*
 * Records of managed devices: MANAGED_RUN_DIR/<BDF>, a few "key=value"
 * lines. Each is written and fsync'd before ptvm changes the device and
 * removed once the device is back, so a record on disk always covers a
 * device ptvm may have changed. /run is a tmpfs (FHS 3.0, 3.15): records go
 * with a reboot, as do the bindings they describe.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "managed/managed_internal.h"

#define MANAGED_RECORD_MAX 512

/* proc(5): /proc/PID/stat field 22, starttime, in clock ticks since boot. */
static int managed_record_start_of(int pid, unsigned long long *start)
{
	char rel[32], buf[1024], *p, *tok, *save;
	int field, ret;

	snprintf(rel, sizeof(rel), "%d/stat", pid);
	ret = sysfs_read("/proc", rel, buf, sizeof(buf));
	if (ret)
		return ret;
	/* "pid (comm) state ...": comm may hold blanks and ')', the last ')' ends it. */
	p = strrchr(buf, ')');
	if (!p)
		return -EINVAL;
	for (field = 3, tok = strtok_r(p + 1, " ", &save); tok;
	     field++, tok = strtok_r(NULL, " ", &save)) {
		if (field == 22) {
			*start = strtoull(tok, NULL, 10);
			return 0;
		}
	}
	return -EINVAL;
}

int managed_record_self(struct managed_record *r)
{
	r->pid = getpid();
	r->time = (long long)time(NULL);
	return managed_record_start_of(r->pid, &r->start);
}

bool managed_record_alive(const struct managed_record *r)
{
	unsigned long long start;

	return !managed_record_start_of(r->pid, &start) && start == r->start;
}

static int managed_record_sync_dir(const char *dir)
{
	int ret = 0, fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (fsync(fd))
		ret = -errno;
	close(fd);
	return ret;
}

static int managed_record_write_file(const char *path, const struct managed_record *r)
{
	char buf[MANAGED_RECORD_MAX];
	int len, fd, ret = 0;
	ssize_t n;

	len = snprintf(buf, sizeof(buf), "bdf=%s\ndriver=%s\npid=%d\nstart=%llu\ntime=%lld\n",
		       r->bdf, r->driver, r->pid, r->start, r->time);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	n = write(fd, buf, (size_t)len);
	if (n < 0)
		ret = -errno;
	else if (n != len)
		ret = -EIO;
	else if (fsync(fd))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	return ret;
}

int managed_record_create(const char *dir, const struct managed_record *r)
{
	char tmp[PATH_MAX], path[PATH_MAX];
	int ret;

	if (mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	if (snprintf(tmp, sizeof(tmp), "%s/.%s.%d", dir, r->bdf, r->pid) >= (int)sizeof(tmp) ||
	    snprintf(path, sizeof(path), "%s/%s", dir, r->bdf) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	ret = managed_record_write_file(tmp, r);
	/* link(2), not rename(2): it fails if a record exists; one ptvm per device. */
	if (!ret && link(tmp, path))
		ret = -errno;
	unlink(tmp);
	return ret ? ret : managed_record_sync_dir(dir);
}

/* One "key=value" line of a record into @r. */
static void managed_record_field(struct managed_record *r, const char *key, const char *val,
				 unsigned *seen)
{
	if (!strcmp(key, "bdf")) {
		snprintf(r->bdf, sizeof(r->bdf), "%s", val);
		*seen |= 1;
	} else if (!strcmp(key, "driver")) {
		snprintf(r->driver, sizeof(r->driver), "%s", val);
		*seen |= 2;
	} else if (!strcmp(key, "pid")) {
		r->pid = atoi(val);
		*seen |= 4;
	} else if (!strcmp(key, "start")) {
		r->start = strtoull(val, NULL, 10);
		*seen |= 8;
	} else if (!strcmp(key, "time")) {
		r->time = strtoll(val, NULL, 10);
	}
}

int managed_record_read(const char *dir, const char *bdf, struct managed_record *r)
{
	char buf[MANAGED_RECORD_MAX], *line, *save;
	unsigned seen = 0;
	int ret = sysfs_read(dir, bdf, buf, sizeof(buf));

	if (ret)
		return ret;
	memset(r, 0, sizeof(*r));
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');

		if (!eq)
			return -EINVAL;
		*eq = '\0';
		managed_record_field(r, line, eq + 1, &seen);
	}
	/* Every field that restoring needs, and the file named after its device. */
	if (seen != 15 || strcmp(r->bdf, bdf) || r->pid <= 0)
		return -EINVAL;
	return 0;
}

int managed_record_remove(const char *dir, const char *bdf)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%s", dir, bdf) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	if (unlink(path) && errno != ENOENT)
		return -errno;
	return managed_record_sync_dir(dir);
}
