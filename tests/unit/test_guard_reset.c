// SPDX-License-Identifier: GPL-2.0
/*
 * guard_log_reset(): the one line per device that says which resets it
 * really gets, from its sysfs reset_method, whether VFIO can reset it, and
 * ptguard's QUERY answer (a fake /dev/ptguard behind struct sys_ops).
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ptvm/ptguard.h>

#include "guard.h"
#include "log_capture.h"
#include "vfio_fake_sysfs.h"

#define GUARD_FD 77

static struct {
	int ioctl_ret;
	struct ptguard_query answer;
	unsigned nr_ioctl;
	__u32 asked;
} fq;

static int fake_ioctl(int fd, unsigned long req, void *arg)
{
	struct ptguard_query *q = arg;

	assert_int_equal(fd, GUARD_FD);
	assert_int_equal(req, PTGUARD_QUERY);
	fq.nr_ioctl++;
	fq.asked = q->addr;
	if (fq.ioctl_ret < 0)
		return fq.ioctl_ret;
	fq.answer.addr = q->addr;
	*q = fq.answer;
	return 0;
}

static const struct sys_ops fake_sys = {
	.ioctl = fake_ioctl,
};

struct fixture {
	struct fake_sysfs fs;
	struct log_capture lc;
};

static void add_dev(struct fixture *f, const char *bdf, const char *methods)
{
	char rel[96];

	fake_sysfs_add_dev(&f->fs, bdf, "vfio-pci", 7);
	if (!methods)
		return;
	snprintf(rel, sizeof(rel), "devices/pci0000:00/%s/reset_method", bdf);
	fake_sysfs_add_file(&f->fs, rel, methods);
}

static void related(unsigned i, __u32 addr, __u32 flags)
{
	fq.answer.related[i].addr = addr;
	fq.answer.related[i].flags = flags;
	fq.answer.nr_related = MAX(fq.answer.nr_related, i + 1);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	memset(&fq, 0, sizeof(fq));
	fake_sysfs_init(&f->fs);
	log_set_verbose(true);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	log_set_verbose(false);
	fake_sysfs_destroy(&f->fs);
	log_capture_free(&f->lc);
	free(f);
	return 0;
}

static const char *say(struct fixture *f, int guard_fd, const struct pci_bdf *bdf, bool vfio_reset)
{
	log_capture_free(&f->lc); /* the last say()'s text */
	log_capture_start(&f->lc);
	guard_log_reset(&fake_sys, guard_fd, f->fs.root, bdf, vfio_reset);
	return log_capture_end(&f->lc);
}

static const struct pci_bdf nvme = {0, 0, 3, 0}, e1 = {0, 2, 1, 0}, nic = {0, 0, 2, 0};

/* The NVMe: FLR through VFIO, FLR by ptguard after exit. */
static void test_flr(void **state)
{
	struct fixture *f = *state;

	add_dev(f, "0000:00:03.0", "flr\n");
	fq.answer.reset_method = PTGUARD_RESET_FUNCTION;
	fq.answer.reset_caps = PTGUARD_CAP_FLR;
	assert_string_equal(say(f, GUARD_FD, &nvme, true),
			    "ptvm: 0000:00:03.0: reset by FLR before the guest starts and after it "
			    "stops; ptguard resets it by FLR after ptvm exits\n");
	assert_int_equal(fq.asked, PTGUARD_ADDR(0, 0, 3, 0));
}

/* The order of reset_method is the order the kernel tries: an admin's "pm flr" means PM. */
static void test_method_order(void **state)
{
	struct fixture *f = *state;

	add_dev(f, "0000:00:02.0", "pm flr\n");
	fq.answer.reset_method = PTGUARD_RESET_FUNCTION;
	assert_string_equal(
		say(f, GUARD_FD, &nic, true),
		"ptvm: 0000:00:02.0: reset by a PM reset (D3hot to D0) before the guest "
		"starts and after it stops; ptguard resets it by a PM reset (D3hot to D0) "
		"after ptvm exits\n");
}

/*
 * An admin's "bus flr": the kernel tries the bus reset first, and skips it
 * for a function that no longer is alone on its bus.
 */
static void test_bus_first(void **state)
{
	struct fixture *f = *state;
	const struct pci_bdf alone = {0, 3, 0, 0};

	add_dev(f, "0000:02:01.0", "bus flr\n");
	add_dev(f, "0000:02:02.0", "");
	add_dev(f, "0000:03:00.0", "bus flr\n");
	fq.answer.reset_method = PTGUARD_RESET_FUNCTION;
	assert_string_equal(say(f, GUARD_FD, &e1, true),
			    "ptvm: 0000:02:01.0: reset by FLR before the guest starts and after it "
			    "stops; ptguard resets it by FLR after ptvm exits\n");
	assert_string_equal(
		say(f, GUARD_FD, &alone, true),
		"ptvm: 0000:03:00.0: reset by a bus reset (alone on its bus) before the "
		"guest starts and after it stops; ptguard resets it by a bus reset (alone "
		"on its bus) after ptvm exits\n");
}

/* A function reset is only said with --verbose. */
static void test_flr_quiet(void **state)
{
	struct fixture *f = *state;

	add_dev(f, "0000:00:03.0", "flr\n");
	fq.answer.reset_method = PTGUARD_RESET_FUNCTION;
	log_set_verbose(false);
	assert_string_equal(say(f, GUARD_FD, &nvme, true), "");
}

/*
 * The first e1000 behind the pcie-pci-bridge: reset_method still says "bus"
 * from when it was alone, VFIO cannot reset it, ptguard resets the bus.
 * Never "has no reset": said always, with what the bus reset reaches.
 */
static void test_bus_by_ptguard(void **state)
{
	struct fixture *f = *state;

	add_dev(f, "0000:02:01.0", "bus\n");
	fq.answer.reset_method = PTGUARD_RESET_BUS;
	fq.answer.reset_caps = PTGUARD_CAP_BUS;
	related(0, PTGUARD_ADDR(0, 2, 1, 0), PTGUARD_REL_SELF | PTGUARD_REL_IOMMU_GROUP);
	related(1, PTGUARD_ADDR(0, 1, 0, 0), PTGUARD_REL_IOMMU_GROUP | PTGUARD_REL_BRIDGE);
	related(2, PTGUARD_ADDR(0, 2, 2, 0), PTGUARD_REL_RESET_DOMAIN | PTGUARD_REL_IOMMU_GROUP);
	log_set_verbose(false);
	assert_string_equal(say(f, GUARD_FD, &e1, false),
			    "ptvm: 0000:02:01.0: no reset of its own through VFIO (reset_method: "
			    "bus): only its virtual state is reset before the guest starts and "
			    "after it stops; after ptvm exits ptguard resets it by a secondary bus "
			    "reset, with 0000:02:02.0\n");
}

static void test_slot_many(void **state)
{
	struct fixture *f = *state;

	add_dev(f, "0000:02:01.0", "");
	fq.answer.reset_method = PTGUARD_RESET_SLOT;
	related(0, PTGUARD_ADDR(0, 2, 1, 0), PTGUARD_REL_SELF);
	for (unsigned i = 1; i <= 5; i++)
		related(i, PTGUARD_ADDR(0, 2, 1, i), PTGUARD_REL_RESET_DOMAIN);
	assert_string_equal(say(f, GUARD_FD, &e1, false),
			    "ptvm: 0000:02:01.0: no reset of its own through VFIO (reset_method: "
			    "none): only its virtual state is reset before the guest starts and "
			    "after it stops; after ptvm exits ptguard resets it by a slot reset, "
			    "with 0000:02:01.1, 0000:02:01.2, 0000:02:01.3 and 2 more\n");
}

/* --no-guard: no ptguard to ask, and no promise made for it. */
static void test_no_guard(void **state)
{
	struct fixture *f = *state;

	add_dev(f, "0000:02:01.0", "bus\n");
	add_dev(f, "0000:00:03.0", "flr\n");
	assert_string_equal(say(f, -1, &e1, false),
			    "ptvm: 0000:02:01.0: no reset of its own through VFIO (reset_method: "
			    "bus): only its virtual state is reset before the guest starts and "
			    "after it stops; with --no-guard, only VFIO's best-effort reset at "
			    "close may reset it after ptvm exits\n");
	assert_string_equal(say(f, -1, &nvme, true),
			    "ptvm: 0000:00:03.0: reset by FLR before the guest starts and after it "
			    "stops; VFIO resets it again when ptvm closes it\n");
	assert_int_equal(fq.nr_ioctl, 0);
}

/* A kernel before 5.15 has no reset_method, a module may lack QUERY: say less, not wrong. */
static void test_unknown(void **state)
{
	struct fixture *f = *state;

	add_dev(f, "0000:02:01.0", NULL);
	fq.ioctl_ret = -ENOTTY;
	assert_string_equal(
		say(f, GUARD_FD, &e1, false),
		"ptvm: 0000:02:01.0: no reset of its own through VFIO: only its virtual "
		"state is reset before the guest starts and after it stops; ptguard "
		"resets it after ptvm exits\n");
	assert_string_equal(say(f, GUARD_FD, &e1, true),
			    "ptvm: 0000:02:01.0: reset by a function reset before the guest starts "
			    "and after it stops; ptguard resets it after ptvm exits\n");
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_flr),	   T(test_method_order),   T(test_bus_first),
		T(test_flr_quiet), T(test_bus_by_ptguard), T(test_slot_many),
		T(test_no_guard),  T(test_unknown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
