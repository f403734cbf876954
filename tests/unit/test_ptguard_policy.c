// SPDX-License-Identifier: GPL-2.0
/*
 * kmod/ptguard_policy.c in userspace, on fake topologies: reset domains and
 * claim decisions. The main fixture is the nested rig's L1 (see
 * /work/shared/nested-rig.md, "Topologies for reset and co-assignment
 * tests"): two e1000 behind a pcie-pci-bridge, a multi-function e1000e behind
 * a root port, the NVMe with FLR.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>

#include "../../kmod/ptguard_policy.c"

#define A(b, d, f) PTGUARD_ADDR(0, b, d, f)
#define PM	   PTGUARD_CAP_PM
#define FLR	   PTGUARD_CAP_FLR
#define SLOT	   PTGUARD_CAP_SLOT
#define BUS	   PTGUARD_CAP_BUS

/* L1 of the rig, as ptguard_pci.c would snapshot it, every endpoint on vfio-pci. */
static const struct ptg_dev rig[] = {
	/* 00:00.0 host bridge */
	{ .addr = A(0, 0, 0), .bus_last = 0xff, .group = 0 },
	/* 00:02.0 e1000e (PM reset) */
	{ .addr = A(0, 2, 0), .bus_last = 0xff, .group = 2, .caps = PM, .driver = "vfio-pci" },
	/* 00:03.0 nvme (FLR) */
	{ .addr = A(0, 3, 0), .bus_last = 0xff, .group = 3, .caps = FLR, .driver = "vfio-pci" },
	/* 00:04.0 root port rp2, to buses 01-02 */
	{ .addr = A(0, 4, 0), .bus_last = 0xff, .group = 4, .bridge = true, .sec = 1, .sub = 2,
	  .driver = "pcieport" },
	/* 00:05.0 root port rp1, to bus 03 */
	{ .addr = A(0, 5, 0), .bus_last = 0xff, .group = 5, .bridge = true, .sec = 3, .sub = 3,
	  .driver = "pcieport" },
	/* 01:00.0 pcie-pci-bridge, to bus 02; in rp2's hot-plug slot */
	{ .addr = A(1, 0, 0), .bus_last = 2, .group = 7, .bridge = true, .sec = 2, .sub = 2,
	  .caps = PM | SLOT | BUS },
	/* 02:01.0 and 02:02.0 e1000: nothing of their own, a bus reset at 01:00.0 */
	{ .addr = A(2, 1, 0), .bus_last = 2, .group = 7, .caps = BUS, .driver = "vfio-pci" },
	{ .addr = A(2, 2, 0), .bus_last = 2, .group = 7, .caps = BUS, .driver = "vfio-pci" },
	/* 03:00.0 and 03:00.1 multi-function e1000e: PM reset each, rp1's slot */
	{ .addr = A(3, 0, 0), .bus_last = 3, .group = 8, .caps = PM | SLOT | BUS,
	  .driver = "vfio-pci" },
	{ .addr = A(3, 0, 1), .bus_last = 3, .group = 8, .caps = PM | SLOT | BUS,
	  .driver = "vfio-pci" },
};

#define NR_RIG (sizeof(rig) / sizeof(rig[0]))

struct fixture {
	struct ptg_dev devs[NR_RIG];
	struct ptg_topo t;
	struct ptg_verdict v;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	memcpy(f->devs, rig, sizeof(rig));
	f->t.devs = f->devs;
	f->t.nr = NR_RIG;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

static unsigned int ix(struct fixture *f, unsigned int b, unsigned int d, unsigned int fn)
{
	int i = ptg_find(&f->t, A(b, d, fn));

	assert_true(i >= 0);
	return i;
}

static void bind(struct fixture *f, unsigned int i, const char *driver)
{
	snprintf(f->devs[i].driver, sizeof(f->devs[i].driver), "%s", driver);
}

static void hold(struct fixture *f, unsigned int i, u32 owner, const char *name, u32 pid,
		 u32 state)
{
	f->devs[i].owner = owner;
	f->devs[i].state = state;
	f->devs[i].owner_pid = pid;
	snprintf(f->devs[i].owner_name, sizeof(f->devs[i].owner_name), "%s", name);
}

/* Claim @n devices for owner @owner; returns the verdict's errno. */
static int claim(struct fixture *f, u32 owner, u32 flags, unsigned int n, ...)
{
	unsigned int idx[8];
	va_list ap;

	va_start(ap, n);
	for (unsigned int k = 0; k < n; k++)
		idx[k] = va_arg(ap, unsigned int);
	va_end(ap);
	return ptg_decide_claim(&f->t, owner, idx, n, flags, &f->v);
}

static void test_reset_methods(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(ptg_reset_method(&f->devs[ix(f, 0, 3, 0)]), PTGUARD_RESET_FUNCTION);
	assert_int_equal(ptg_reset_method(&f->devs[ix(f, 0, 2, 0)]), PTGUARD_RESET_FUNCTION);
	assert_int_equal(ptg_reset_method(&f->devs[ix(f, 2, 1, 0)]), PTGUARD_RESET_BUS);
	assert_int_equal(ptg_reset_method(&f->devs[ix(f, 2, 2, 0)]), PTGUARD_RESET_BUS);
	assert_int_equal(ptg_reset_method(&f->devs[ix(f, 3, 0, 0)]), PTGUARD_RESET_FUNCTION);
	assert_int_equal(ptg_reset_method(&f->devs[ix(f, 0, 0, 0)]), PTGUARD_RESET_NONE);
	f->devs[ix(f, 3, 0, 1)].caps = SLOT | BUS;
	assert_int_equal(ptg_reset_method(&f->devs[ix(f, 3, 0, 1)]), PTGUARD_RESET_SLOT);
}

static void test_domains(void **state)
{
	struct fixture *f = *state;
	unsigned int e1 = ix(f, 2, 1, 0), e2 = ix(f, 2, 2, 0), br = ix(f, 1, 0, 0);
	unsigned int nvme = ix(f, 0, 3, 0), m0 = ix(f, 3, 0, 0), m1 = ix(f, 3, 0, 1);

	/* Secondary bus reset at 01:00.0: both e1000, not the bridge doing it. */
	assert_int_equal(ptg_relation(&f->t, e1, e2),
			 PTGUARD_REL_RESET_DOMAIN | PTGUARD_REL_IOMMU_GROUP);
	assert_int_equal(ptg_relation(&f->t, e2, e1),
			 PTGUARD_REL_RESET_DOMAIN | PTGUARD_REL_IOMMU_GROUP);
	assert_int_equal(ptg_relation(&f->t, e1, br),
			 PTGUARD_REL_IOMMU_GROUP | PTGUARD_REL_BRIDGE);
	assert_int_equal(ptg_relation(&f->t, e1, e1), PTGUARD_REL_SELF);
	/* FLR reaches the NVMe alone; nothing shares its group. */
	for (unsigned int x = 0; x < f->t.nr; x++)
		assert_int_equal(ptg_relation(&f->t, nvme, x), x == nvme ? PTGUARD_REL_SELF : 0);
	/* PM reset per function: the other function is related by the group only. */
	assert_int_equal(ptg_relation(&f->t, m0, m1), PTGUARD_REL_IOMMU_GROUP);
	/* Without per-function reset both functions go together (slot reset). */
	f->devs[m0].caps = SLOT | BUS;
	assert_int_equal(ptg_relation(&f->t, m0, m1),
			 PTGUARD_REL_RESET_DOMAIN | PTGUARD_REL_IOMMU_GROUP);
	/* The bridge's own slot reset (at rp2) reaches the e1000 below it. */
	assert_int_equal(ptg_relation(&f->t, br, e1), PTGUARD_REL_IOMMU_GROUP);
	f->devs[br].caps = SLOT;
	assert_true(ptg_relation(&f->t, br, e1) & PTGUARD_REL_RESET_DOMAIN);
}

/* A bus reset reaches the buses below bridges on the bus, not the ones above. */
static void test_domain_below_bridge(void **state)
{
	struct fixture *f = *state;
	unsigned int e1 = ix(f, 2, 1, 0), e2 = ix(f, 2, 2, 0);
	unsigned int br2 = ix(f, 3, 0, 0), igb = ix(f, 3, 0, 1);

	/*
	 * Renumbered: 02:03.0 is a bridge to bus 03, which holds 03:00.0; the
	 * e1000e behind rp1 moves to bus 04 and is left out.
	 */
	f->devs[ix(f, 0, 4, 0)].sub = 3;
	f->devs[ix(f, 1, 0, 0)].sub = 3;
	f->devs[ix(f, 1, 0, 0)].bus_last = 3;
	f->devs[e1].bus_last = 3;
	f->devs[e2].bus_last = 3;
	f->devs[br2] = (struct ptg_dev){ .addr = A(2, 3, 0), .bus_last = 3, .bridge = true,
					 .sec = 3, .sub = 3, .group = 9, .driver = "pcieport" };
	f->devs[igb] = (struct ptg_dev){ .addr = A(3, 0, 0), .bus_last = 3, .group = 10,
					 .caps = FLR, .driver = "igb" };
	assert_int_equal(ptg_relation(&f->t, e1, br2),
			 PTGUARD_REL_RESET_DOMAIN | PTGUARD_REL_BRIDGE);
	assert_int_equal(ptg_relation(&f->t, e1, igb), PTGUARD_REL_RESET_DOMAIN);
	/* Neither the bridge doing the reset nor the port above it. */
	assert_int_equal(ptg_relation(&f->t, e1, ix(f, 0, 4, 0)), 0);
	assert_int_equal(ptg_relation(&f->t, e1, ix(f, 1, 0, 0)) & PTGUARD_REL_RESET_DOMAIN, 0);
	assert_int_equal(claim(f, 1, 0, 2, e1, e2), -EBUSY);
	assert_string_equal(f->v.reason,
			    "0000:02:01.0 shares its bus reset domain with 0000:03:00.0, bound to host driver igb");
	assert_int_equal(f->v.blocker, igb);
	/* The device below resets alone (FLR): its domain does not reach up. */
	assert_int_equal(ptg_relation(&f->t, igb, e1), 0);
	/* Handed to vfio-pci and idle, it no longer stops the claim. */
	bind(f, igb, "vfio-pci");
	assert_int_equal(claim(f, 1, 0, 2, e1, e2), 0);
}

/* e2e scenario: one e1000 alone while its sibling is on its host driver. */
static void test_sibling_host_driver(void **state)
{
	struct fixture *f = *state;
	unsigned int e1 = ix(f, 2, 1, 0), e2 = ix(f, 2, 2, 0);

	bind(f, e2, "e1000");
	assert_int_equal(claim(f, 1, 0, 1, e1), -EBUSY);
	assert_int_equal(f->v.blocker, e2);
	assert_string_equal(f->v.reason,
			    "0000:02:01.0 shares its bus reset domain and IOMMU group 7 with 0000:02:02.0, bound to host driver e1000");
	/* The allow-no-reset flag does not matter: it is about sharing. */
	assert_int_equal(claim(f, 1, PTGUARD_CLAIM_ALLOW_NO_RESET, 1, e1), -EBUSY);
}

static void test_both_e1000_one_owner(void **state)
{
	struct fixture *f = *state;
	unsigned int e1 = ix(f, 2, 1, 0), e2 = ix(f, 2, 2, 0);

	assert_int_equal(claim(f, 1, 0, 2, e1, e2), 0);
	assert_int_equal(f->v.blocker, -1);
	assert_string_equal(f->v.reason, "");
	/* The same in the other order, and with the bridge under pcieport. */
	bind(f, ix(f, 1, 0, 0), "pcieport");
	assert_int_equal(claim(f, 1, 0, 2, e2, e1), 0);
}

/* An idle sibling (vfio-pci, nobody's) does not stop a claim. */
static void test_idle_sibling(void **state)
{
	struct fixture *f = *state;
	unsigned int e1 = ix(f, 2, 1, 0), e2 = ix(f, 2, 2, 0);

	assert_int_equal(claim(f, 1, 0, 1, e1), 0);
	bind(f, e2, "");
	assert_int_equal(claim(f, 1, 0, 1, e1), 0);
}

/* e2e scenario: two VMs each asking for one e1000: the second is refused. */
static void test_second_owner_refused(void **state)
{
	struct fixture *f = *state;
	unsigned int e1 = ix(f, 2, 1, 0), e2 = ix(f, 2, 2, 0);

	assert_int_equal(claim(f, 1, 0, 1, e1), 0);
	hold(f, e1, 1, "vm-a", 42, PTGUARD_STATE_HELD);
	assert_int_equal(claim(f, 2, 0, 1, e2), -EBUSY);
	assert_int_equal(f->v.blocker, e1);
	assert_string_equal(f->v.reason,
			    "0000:02:02.0 shares its bus reset domain and IOMMU group 7 with 0000:02:01.0, held by vm-a (pid 42)");
	/* The first owner may add the sibling later; claiming again is harmless. */
	assert_int_equal(claim(f, 1, 0, 1, e2), 0);
	assert_int_equal(claim(f, 1, 0, 2, e1, e2), 0);
	/* Asking for the held device itself names its holder. */
	assert_int_equal(claim(f, 2, 0, 1, e1), -EBUSY);
	assert_string_equal(f->v.reason, "0000:02:01.0 is held by vm-a (pid 42)");
}

static void test_after_release(void **state)
{
	struct fixture *f = *state;
	unsigned int e1 = ix(f, 2, 1, 0), e2 = ix(f, 2, 2, 0);

	hold(f, e1, 1, "vm-a", 42, PTGUARD_STATE_RESET_PENDING);
	assert_int_equal(claim(f, 2, 0, 1, e2), -EBUSY);
	assert_string_equal(f->v.reason,
			    "0000:02:02.0 shares its bus reset domain and IOMMU group 7 with 0000:02:01.0, awaiting its reset after release by vm-a (pid 42)");
	assert_int_equal(claim(f, 2, 0, 1, e1), -EBUSY);
	assert_string_equal(f->v.reason,
			    "0000:02:01.0 is awaiting its reset after release by vm-a (pid 42)");
	/* Not even the owner that released it gets it back before the reset. */
	assert_int_equal(claim(f, 1, 0, 1, e1), -EBUSY);
	hold(f, e1, 1, "vm-a", 42, PTGUARD_STATE_RESET_FAILED);
	assert_int_equal(claim(f, 2, 0, 2, e1, e2), -EBUSY);
	assert_string_equal(f->v.reason,
			    "0000:02:01.0 is unclaimable: its reset after release by vm-a (pid 42) failed");
}

/* e2e scenario: the NVMe has FLR and is alone: granted. */
static void test_nvme_flr(void **state)
{
	struct fixture *f = *state;
	unsigned int nvme = ix(f, 0, 3, 0);

	assert_int_equal(claim(f, 1, 0, 1, nvme), 0);
	hold(f, ix(f, 2, 1, 0), 2, "vm-b", 7, PTGUARD_STATE_HELD);
	assert_int_equal(claim(f, 1, 0, 1, nvme), 0);
}

static void test_no_reset_method(void **state)
{
	struct fixture *f = *state;
	unsigned int nvme = ix(f, 0, 3, 0);

	/* `echo bus > reset_method` on a root-bus device: nothing can reset it. */
	f->devs[nvme].caps = 0;
	assert_int_equal(claim(f, 1, 0, 1, nvme), -EPERM);
	assert_int_equal(f->v.blocker, nvme);
	assert_string_equal(f->v.reason,
			    "0000:00:03.0 has no reset method (no FLR, PM, slot or bus reset); claim it with allow-no-reset to take it anyway");
	assert_int_equal(claim(f, 1, PTGUARD_CLAIM_ALLOW_NO_RESET, 1, nvme), 0);
}

static void test_multifunction(void **state)
{
	struct fixture *f = *state;
	unsigned int m0 = ix(f, 3, 0, 0), m1 = ix(f, 3, 0, 1);

	/* Per-function PM reset, the other function idle: fine. */
	assert_int_equal(claim(f, 1, 0, 1, m0), 0);
	/* The other function on its host driver: the shared IOMMU group refuses. */
	bind(f, m1, "e1000e");
	assert_int_equal(claim(f, 1, 0, 1, m0), -EBUSY);
	assert_string_equal(f->v.reason,
			    "0000:03:00.0 shares IOMMU group 8 with 0000:03:00.1, bound to host driver e1000e");
	/* No per-function reset: the slot reset takes both functions. */
	bind(f, m1, "vfio-pci");
	f->devs[m0].caps = SLOT | BUS;
	f->devs[m1].caps = SLOT | BUS;
	hold(f, m1, 2, "vm-b", 7, PTGUARD_STATE_HELD);
	assert_int_equal(claim(f, 1, 0, 1, m0), -EBUSY);
	assert_string_equal(f->v.reason,
			    "0000:03:00.0 shares its slot reset domain and IOMMU group 8 with 0000:03:00.1, held by vm-b (pid 7)");
}

static void test_self_checks(void **state)
{
	struct fixture *f = *state;
	unsigned int nic = ix(f, 0, 2, 0);

	bind(f, nic, "e1000e");
	assert_int_equal(claim(f, 1, 0, 1, nic), -EBUSY);
	assert_string_equal(f->v.reason, "0000:00:02.0 is bound to host driver e1000e, not vfio-pci");
	bind(f, nic, "");
	assert_int_equal(claim(f, 1, 0, 1, nic), -EBUSY);
	assert_string_equal(f->v.reason, "0000:00:02.0 is bound to no driver, not vfio-pci");
	bind(f, nic, "mlx5_vfio_pci");
	assert_int_equal(claim(f, 1, 0, 1, nic), 0);
	f->devs[nic].group = PTG_NO_GROUP;
	assert_int_equal(claim(f, 1, 0, 1, nic), -EPERM);
	assert_string_equal(f->v.reason, "0000:00:02.0 has no IOMMU group: VFIO cannot isolate it");
}

/* A group some VFIO user holds without a ptguard claim is in use. */
static void test_vfio_outside_ptguard(void **state)
{
	struct fixture *f = *state;
	unsigned int nvme = ix(f, 0, 3, 0), e1 = ix(f, 2, 1, 0), e2 = ix(f, 2, 2, 0);

	f->devs[nvme].vfio_open = true;
	assert_int_equal(claim(f, 1, 0, 1, nvme), -EBUSY);
	assert_string_equal(f->v.reason, "0000:00:03.0 is open through VFIO outside ptguard");
	/* Group 7 opened by the owner of 02:01.0: its sibling is the owner's to add. */
	for (unsigned int x = 0; x < f->t.nr; x++)
		if (f->devs[x].group == 7)
			f->devs[x].vfio_open = true;
	hold(f, e1, 1, "vm-a", 42, PTGUARD_STATE_HELD);
	assert_int_equal(claim(f, 1, 0, 1, e2), 0);
	assert_int_equal(claim(f, 2, 0, 1, e2), -EBUSY);
	assert_string_equal(f->v.reason,
			    "0000:02:02.0 shares its bus reset domain and IOMMU group 7 with 0000:02:01.0, held by vm-a (pid 42)");
}

/* A bridge in the group under a driver other than pcieport is in the way. */
static void test_bridge_driver(void **state)
{
	struct fixture *f = *state;
	unsigned int e1 = ix(f, 2, 1, 0), e2 = ix(f, 2, 2, 0);

	bind(f, ix(f, 1, 0, 0), "shpchp");
	assert_int_equal(claim(f, 1, 0, 2, e1, e2), -EBUSY);
	assert_string_equal(f->v.reason,
			    "0000:02:01.0 shares IOMMU group 7 with 0000:01:00.0, bound to host driver shpchp");
}

/* A refused claim names the first blocker and leaves the topology as it was. */
static void test_atomic(void **state)
{
	struct fixture *f = *state;
	unsigned int nvme = ix(f, 0, 3, 0), e1 = ix(f, 2, 1, 0), e2 = ix(f, 2, 2, 0);
	struct ptg_dev before[NR_RIG];

	bind(f, e2, "e1000");
	memcpy(before, f->devs, sizeof(before));
	assert_int_equal(claim(f, 1, 0, 2, nvme, e1), -EBUSY);
	assert_int_equal(f->v.blocker, e2);
	assert_memory_equal(before, f->devs, sizeof(before));
}

static void test_check_reset(void **state)
{
	struct fixture *f = *state;
	unsigned int e1 = ix(f, 2, 1, 0), e2 = ix(f, 2, 2, 0), nvme = ix(f, 0, 3, 0);

	assert_int_equal(ptg_check_reset(&f->t, 1, e1, &f->v), -EPERM);
	assert_string_equal(f->v.reason, "0000:02:01.0 is not held by this owner");
	hold(f, e1, 1, "vm-a", 42, PTGUARD_STATE_HELD);
	/* The idle sibling may be reset with it. */
	assert_int_equal(ptg_check_reset(&f->t, 1, e1, &f->v), 0);
	hold(f, e2, 1, "vm-a", 42, PTGUARD_STATE_RESET_PENDING);
	assert_int_equal(ptg_check_reset(&f->t, 1, e1, &f->v), 0);
	/* A host driver bound to the sibling since: no bus reset. */
	hold(f, e2, 0, "", 0, PTGUARD_STATE_FREE);
	bind(f, e2, "e1000");
	assert_int_equal(ptg_check_reset(&f->t, 1, e1, &f->v), -EBUSY);
	assert_string_equal(f->v.reason,
			    "0000:02:01.0 shares its bus reset domain and IOMMU group 7 with 0000:02:02.0, bound to host driver e1000");
	f->devs[nvme].caps = 0;
	hold(f, nvme, 1, "vm-a", 42, PTGUARD_STATE_HELD);
	assert_int_equal(ptg_check_reset(&f->t, 1, nvme, &f->v), -ENOTTY);
	/* A function reset does not care about the neighbours. */
	f->devs[nvme].caps = FLR;
	assert_int_equal(ptg_check_reset(&f->t, 1, nvme, &f->v), 0);
}

static void test_check_release(void **state)
{
	struct fixture *f = *state;
	unsigned int e1 = ix(f, 2, 1, 0), e2 = ix(f, 2, 2, 0), nvme = ix(f, 0, 3, 0);
	unsigned int both[] = { e1, e2 };

	hold(f, e1, 1, "vm-a", 42, PTGUARD_STATE_HELD);
	hold(f, e2, 1, "vm-a", 42, PTGUARD_STATE_HELD);
	hold(f, nvme, 1, "vm-a", 42, PTGUARD_STATE_HELD);
	assert_int_equal(ptg_check_release(&f->t, 1, &e1, 1, &f->v), -EBUSY);
	assert_int_equal(f->v.blocker, e2);
	assert_string_equal(f->v.reason,
			    "release 0000:02:01.0 together with 0000:02:02.0: its bus reset reaches both");
	assert_int_equal(ptg_check_release(&f->t, 1, both, 2, &f->v), 0);
	assert_int_equal(ptg_check_release(&f->t, 1, &nvme, 1, &f->v), 0);
}

static void test_find_and_names(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(ptg_find(&f->t, A(9, 0, 0)), -ENODEV);
	assert_int_equal(ptg_find(&f->t, PTGUARD_ADDR(1, 2, 1, 0)), -ENODEV);
	assert_true(ptg_driver_is_vfio("vfio-pci"));
	assert_true(ptg_driver_is_vfio("hisi_acc_vfio_pci"));
	assert_false(ptg_driver_is_vfio("vfio-pci-stub"));
	assert_false(ptg_driver_is_vfio(""));
	assert_int_equal(PTGUARD_ADDR(0xabcd, 0xef, 0x1f, 7), 0xabcdefffu);
	assert_int_equal(PTGUARD_ADDR_DEV(PTGUARD_ADDR(0, 6, 0x12, 5)), 0x12);
	assert_int_equal(PTGUARD_ADDR_FN(PTGUARD_ADDR(0, 6, 0x12, 5)), 5);
}

/* The ABI: fixed sizes, no padding, numbers that encode them. */
static void test_abi_layout(void **state)
{
	assert_int_equal(sizeof(struct ptguard_claim), 8 + 4 * PTGUARD_CLAIM_MAX + 32 + 8 + 256);
	assert_int_equal(offsetof(struct ptguard_claim, owner), 8 + 4 * PTGUARD_CLAIM_MAX);
	assert_int_equal(sizeof(struct ptguard_dev_info), 16 + 2 * PTGUARD_NAME_MAX);
	assert_int_equal(sizeof(struct ptguard_query), 32 + 80 * PTGUARD_QUERY_MAX + 256);
	assert_int_equal(offsetof(struct ptguard_query, related), 32);
	assert_int_equal(sizeof(struct ptguard_reset), 8 + 256);
	assert_int_equal(sizeof(struct ptguard_release), 8 + 256);
	assert_int_equal(_IOC_SIZE(PTGUARD_CLAIM), sizeof(struct ptguard_claim));
	assert_int_equal(_IOC_SIZE(PTGUARD_QUERY), sizeof(struct ptguard_query));
	assert_int_equal(_IOC_DIR(PTGUARD_RESET), _IOC_READ | _IOC_WRITE);
	assert_int_equal(_IOC_TYPE(PTGUARD_RELEASE), PTGUARD_TYPE);
	assert_int_not_equal(PTGUARD_CLAIM, PTGUARD_QUERY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reset_methods, setup, teardown),
		cmocka_unit_test_setup_teardown(test_domains, setup, teardown),
		cmocka_unit_test_setup_teardown(test_domain_below_bridge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sibling_host_driver, setup, teardown),
		cmocka_unit_test_setup_teardown(test_both_e1000_one_owner, setup, teardown),
		cmocka_unit_test_setup_teardown(test_idle_sibling, setup, teardown),
		cmocka_unit_test_setup_teardown(test_second_owner_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_after_release, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nvme_flr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_reset_method, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multifunction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_self_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vfio_outside_ptguard, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bridge_driver, setup, teardown),
		cmocka_unit_test_setup_teardown(test_atomic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_release, setup, teardown),
		cmocka_unit_test_setup_teardown(test_find_and_names, setup, teardown),
		cmocka_unit_test(test_abi_layout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
