// SPDX-License-Identifier: GPL-2.0
/*
 * The VM process's allowlist: every syscall it makes once sandbox_enter()
 * has loaded the filter, in vm_run() and in vm_destroy(), and nothing
 * else, guest reboots included (a new KVM VM on the fds held, vm_guest.c).
 * Setup (opening /dev/kvm, VFIO, /dev/ptguard, binding the control socket,
 * mapping RAM, pinning it) is over by then: no open, no new socket, no
 * exec, no fork. A hot-plug gets its fds from the monitor (vm_host.c,
 * monitor_req.h) and works on them with the ioctls of the "hot-plug" lines.
 *
 * One line per syscall, or per allowed value of one argument (ioctl's
 * request, the low 32 bits the kernel reads: fs/ioctl.c takes an unsigned
 * int), each saying who makes it. To allow something new, add its line
 * here; the unit test (tests/unit/test_sandbox_rules.c) compiles the table
 * and checks that each line resolves and says why.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <linux/vfio.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>

#include "ptvm/ptguard.h"
#include "sandbox/sandbox.h"

#ifndef __has_feature
#define __has_feature(x) 0
#endif
#if defined(__SANITIZE_ADDRESS__) || __has_feature(address_sanitizer)
#define SANDBOX_SANITIZERS 1
#endif

/* glibc's internal signal for set*id() in every thread (nptl: SIGSETXID). */
#define GLIBC_SIGSETXID (__SIGRTMIN + 1)

#define ALLOW(sc, why_)                                      \
	{                                                    \
		.nr = SCMP_SYS(sc), .name = #sc, .why = why_ \
	}
#define EQ32(sc, a, v, what_, why_)                                                             \
	{                                                                                       \
		.nr = SCMP_SYS(sc), .name = #sc, .cmp = SANDBOX_EQ32, .arg = (a), .value = (v), \
		.what = what_, .why = why_                                                      \
	}
#define IOCTL(req, why_) EQ32(ioctl, 1, req, #req, why_)
#define MASKED(sc, a, m, v, what_, why_)                                               \
	{                                                                              \
		.nr = SCMP_SYS(sc), .name = #sc, .cmp = SANDBOX_MASKED_EQ, .arg = (a), \
		.mask = (m), .value = (v), .what = what_, .why = why_                  \
	}
#define FAIL(sc, e, why_)                                                \
	{                                                                \
		.nr = SCMP_SYS(sc), .name = #sc, .err = (e), .why = why_ \
	}

const struct sandbox_rule sandbox_rules[] = {
	/* I/O on fds setup opened. */
	ALLOW(read, "main loop: stdin, signalfd, eventfd counts, control socket requests"),
	ALLOW(write,
	      "console to stdout, log lines, eventfd wakes, the monitor pipe, control replies"),
	ALLOW(pread64, "VFIO region reads: passthrough config space and trapped BAR ranges"),
	ALLOW(pwrite64, "VFIO region writes: passthrough config space and trapped BAR ranges"),
	ALLOW(poll, "the main loop's wait, pt_eventfd_pending()'s look at an eventfd"),
	ALLOW(eventfd2, "MSI/MSI-X vectors the guest enables at run time (pt_eventfd_new())"),
	ALLOW(close, "an MSI vector's eventfd, a control client, the old VM's fds, vm_destroy()"),
	ALLOW(sendto, "console output when stdout is a socket: send(MSG_DONTWAIT) (nonblock.c)"),
	ALLOW(accept4, "api_server_accept(): a client of the control socket (bound at setup)"),
	ALLOW(getrandom, "json-c seeds its hash tables once, on the first control request"),
	ALLOW(clock_gettime, "uptime, vcpu_gate's timed wait: the vDSO falls back to it on "
			     "clocksources it cannot read"),
	ALLOW(sendmsg, "vm_host.c: a hot-plug request to the monitor (monitor_req.h)"),
	ALLOW(recvmsg, "vm_host.c: the monitor's reply, its fds by SCM_RIGHTS"),

	/* KVM: the vCPU loop, interrupts, the guest address space, teardown. */
	IOCTL(KVM_RUN, "vcpu.c: run the guest"),
	IOCTL(KVM_IRQ_LINE, "the serial port's and INTx lines on the in-kernel IOAPIC/PIC"),
	IOCTL(KVM_SIGNAL_MSI, "vm_port.c: a root port's hot-plug MSI (its Slot Control and "
			      "Status writes, pci/port.c)"),
	IOCTL(KVM_SET_USER_MEMORY_REGION, "as_commit.c: a BAR's memslot on guest BAR moves"),
	IOCTL(KVM_SET_GSI_ROUTING, "kvm_irq.c: MSI/MSI-X routes the guest programs"),
	IOCTL(KVM_IRQFD, "kvm_irq.c: vector eventfds assigned and deassigned as the guest "
			 "enables them"),
	IOCTL(KVM_GET_REGS, "kvm_vcpu_describe(): where a triple fault happened"),
	IOCTL(KVM_GET_SREGS, "kvm_vcpu_describe(), kvm_vcpu_set_boot_regs() (at reboot)"),
	IOCTL(KVM_SET_DEVICE_ATTR, "KVM-VFIO group add (each reboot's VM) and del (teardown)"),

	/* KVM: a guest reboot builds a new VM on the /dev/kvm fd held (vm_guest.c). */
	IOCTL(KVM_CREATE_VM, "vm_reboot(): the next boot's VM"),
	IOCTL(KVM_CHECK_EXTENSION, "kvm_create_vm(), kvm_irq_init(): what the new VM offers"),
	IOCTL(KVM_SET_TSS_ADDR, "kvm_create_vm(): the new VM's TSS"),
	IOCTL(KVM_SET_IDENTITY_MAP_ADDR, "kvm_create_vm(): the new VM's identity map"),
	IOCTL(KVM_CREATE_IRQCHIP, "kvm_create_vm(): the new VM's IOAPIC, PIC and LAPICs"),
	IOCTL(KVM_CREATE_PIT2, "kvm_create_vm(): the new VM's PIT"),
	IOCTL(KVM_CREATE_DEVICE, "vm_pt_register(): the new VM's KVM-VFIO device"),
	IOCTL(KVM_CREATE_VCPU, "vm_create_vcpus(): the new VM's vCPUs"),
	IOCTL(KVM_SET_CPUID2, "kvm_vcpu_set_cpuid(): each new vCPU's CPUID"),
	IOCTL(KVM_SET_SREGS, "kvm_vcpu_set_boot_regs(): the BSP's entry state"),
	IOCTL(KVM_SET_REGS, "kvm_vcpu_set_boot_regs(): the BSP's entry state"),
	IOCTL(KVM_SET_FPU, "kvm_vcpu_set_boot_regs(): the BSP's entry state"),

	/* VFIO: interrupts the guest enables, resets and DMA unmaps at teardown. */
	IOCTL(VFIO_DEVICE_SET_IRQS, "MSI/MSI-X/INTx triggers and INTx unmask as the guest "
				    "enables them"),
	IOCTL(VFIO_DEVICE_RESET, "vm_pt_close(): the reset after the guest stops"),
	IOCTL(VFIO_IOMMU_UNMAP_DMA, "container_close(): guest RAM unpinned at teardown"),

	/* Hot-plug (vm_hotplug.c): a device-add on the fds the monitor passed. */
	IOCTL(VFIO_GROUP_GET_STATUS, "hot-plug: group_attach(): the group is viable"),
	IOCTL(VFIO_GROUP_SET_CONTAINER, "hot-plug: group_attach(): the group joins the container"),
	IOCTL(VFIO_SET_IOMMU, "hot-plug: group_attach(): type1 after the container's first group"),
	IOCTL(VFIO_IOMMU_GET_INFO, "hot-plug: container_check_ranges(): the usable IOVA ranges"),
	IOCTL(VFIO_IOMMU_MAP_DMA, "hot-plug: container_map_ram() when no group had RAM pinned"),
	IOCTL(VFIO_GROUP_GET_DEVICE_FD, "hot-plug: vfio_device_open_group(): the device's fd"),
	IOCTL(VFIO_DEVICE_GET_INFO, "hot-plug: device_probe(): regions and interrupts"),
	IOCTL(VFIO_DEVICE_GET_REGION_INFO, "hot-plug: device_probe(): each region and its mmaps"),
	IOCTL(VFIO_DEVICE_GET_IRQ_INFO, "hot-plug: device_probe(): each interrupt index"),
	IOCTL(PTGUARD_CLAIM, "hot-plug: guard_claim_more() before VFIO opens the device"),
	IOCTL(PTGUARD_RELEASE, "hot-unplug: guard_release() after VFIO let go of it"),

	/* The terminal ptvm runs in. */
	IOCTL(TCGETS, "console_open(): isatty() and the terminal's mode before raw"),
	IOCTL(TCSETS, "console_open()/console_close(): raw mode on, and back"),

	/* Memory: thread stacks, malloc, teardown; never executable (issue 9: W^X). */
	MASKED(mmap, 2, PROT_EXEC, 0, "not PROT_EXEC",
	       "vCPU thread stacks, malloc arenas (never executable)"),
	MASKED(mprotect, 2, PROT_EXEC, 0, "not PROT_EXEC",
	       "thread stack guard pages, malloc arena growth (never executable)"),
	ALLOW(munmap, "free(), thread stacks, guest RAM, BAR and kvm_run maps in vm_destroy()"),
	ALLOW(madvise, "glibc gives back an exited thread's stack and freed heap (MADV_DONTNEED)"),
	ALLOW(brk, "malloc grows and trims the main heap"),

	/* Threads: the vCPUs, started in vm_run() and joined after it. */
	MASKED(clone, 0, CLONE_THREAD, CLONE_THREAD, "CLONE_THREAD",
	       "pthread_create() of the vCPU threads: threads only, never a new process"),
	/* clone3's flags are in memory, out of the filter's sight. */
	FAIL(clone3, ENOSYS, "glibc falls back to clone(2), whose flags the rule above checks"),
	ALLOW(set_robust_list, "glibc, in each new thread"),
	ALLOW(rseq, "glibc registers each new thread's restartable sequences"),
	ALLOW(futex, "mutexes (stop lock, IRQ routes, devices), pthread_join()"),
	ALLOW(sched_setaffinity, "vcpu_thread(): the vCPU on its NUMA node's CPUs"),
	EQ32(prctl, 0, PR_SET_NAME, "PR_SET_NAME", "vcpu_thread(): names itself vcpuN"),
	ALLOW(exit, "a vCPU thread ends"),
	ALLOW(exit_group, "the VM process ends"),

	/* Signals: the vCPU kick. */
	EQ32(rt_sigaction, 0, GLIBC_SIGSETXID, "SIGRTMIN+1",
	     "glibc's first pthread_create() installs its set*id() broadcast handler"),
	ALLOW(rt_sigprocmask, "vcpu_thread() lets only the kick in; glibc around clone()"),
	ALLOW(rt_sigreturn, "return from the kick's handler"),
	ALLOW(getpid, "pthread_kill() names the process to tgkill"),
	ALLOW(tgkill, "vcpu_kick(): SIGUSR1 takes a vCPU out of KVM_RUN"),
	ALLOW(clock_nanosleep, "vcpu_wait_exits() (usleep): a hot-unplug waits out a vCPU still "
			       "in the device's trap"),
	ALLOW(restart_syscall, "a wait stopped by SIGSTOP/SIGCONT goes on (only an allowed one)"),

#if SANDBOX_SANITIZERS
	/* make SAN=1: what the ASan/LSan/UBSan runtime does in a running process. */
	ALLOW(gettid, "sanitizer runtime: its per-thread state, its reports"),
	ALLOW(sigaltstack, "ASan gives each new thread (the vCPUs) an alternate signal stack"),
	ALLOW(sched_getaffinity, "sanitizer runtime: the CPUs there are, as a thread starts"),
#endif
};

const unsigned sandbox_nr_rules = ARRAY_SIZE(sandbox_rules);
