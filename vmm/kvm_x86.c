// SPDX-License-Identifier: GPL-2.0
/* x86 vCPU state: CPUID per vCPU and the entry registers (64-bit boot protocol or PVH). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/loader.h"
#include "boot/pvh.h"
#include "kvm.h"

/* Intel SDM vol. 2A, CPUID: bits ptvm sets or rewrites. */
#define CPUID_1_ECX_TSC_DEADLINE (1u << 24)
#define CPUID_1_ECX_HYPERVISOR	 (1u << 31)
#define CPUID_1_EBX_APIC_ID	 24 /* initial APIC ID in EBX[31:24] */

int kvm_vcpu_set_cpuid(struct kvm *k, struct kvm_vcpu *v)
{
	size_t sz = sizeof(*k->cpuid) + k->cpuid->nent * sizeof(k->cpuid->entries[0]);
	struct kvm_cpuid2 *c = malloc(sz);
	int ret;

	if (!c)
		return -ENOMEM;
	memcpy(c, k->cpuid, sz);
	for (unsigned i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		switch (e->function) {
		case 1:
			e->ebx = (e->ebx & 0x00ffffffu) | (v->id << CPUID_1_EBX_APIC_ID);
			e->ecx |= CPUID_1_ECX_HYPERVISOR;
			if (k->tsc_deadline)
				e->ecx |= CPUID_1_ECX_TSC_DEADLINE;
			break;
		case 0xb:
		case 0x1f:
			/* Extended topology: EDX is this CPU's x2APIC ID at every level. */
			e->edx = v->id;
			break;
		}
	}
	ret = k->sys->ioctl(v->fd, KVM_SET_CPUID2, c);
	if (ret < 0)
		log_err("kvm: vCPU %u: KVM_SET_CPUID2: %s", v->id, strerror(-ret));
	free(c);
	return ret < 0 ? ret : 0;
}

static void kvm_seg_from_desc(uint64_t desc, uint16_t sel, struct kvm_segment *s)
{
	struct boot_seg b;

	boot_segment_from_desc(desc, sel, &b);
	*s = (struct kvm_segment){
		.base = b.base,
		.limit = b.limit,
		.selector = b.selector,
		.type = b.type,
		.present = b.present,
		.dpl = b.dpl,
		.db = b.db,
		.s = b.s,
		.l = b.l,
		.g = b.g,
	};
}

/*
 * Linux boot protocol, "64-bit BOOT PROTOCOL": long mode with paging, the
 * ranges it needs identity-mapped, a GDT with __BOOT_CS (0x10) and __BOOT_DS
 * (0x18), interrupts off, %rsi = zero page.
 */
static void kvm_sregs_linux64(struct kvm_sregs *sregs, const struct boot_entry *e)
{
	struct kvm_segment data;

	kvm_seg_from_desc(e->gdt[BOOT_SEL_CS >> 3], BOOT_SEL_CS, &sregs->cs);
	kvm_seg_from_desc(e->gdt[BOOT_SEL_DS >> 3], BOOT_SEL_DS, &data);
	sregs->ds = sregs->es = sregs->fs = sregs->gs = sregs->ss = data;
	sregs->cr0 = BOOT_CR0;
	sregs->cr3 = e->cr3;
	sregs->cr4 = BOOT_CR4;
	sregs->efer = BOOT_EFER;
}

/*
 * PVH (docs/misc/pvh.pandoc): 32-bit protected mode, paging off, CR4 and
 * EFER clear, flat 32-bit CS and DS/ES/SS, TR a 32-bit TSS (base 0, limit
 * 0x67), %ebx = start_info. FS and GS are unspecified: flat data too.
 */
static void kvm_sregs_pvh(struct kvm_sregs *sregs, const struct boot_entry *e)
{
	struct kvm_segment data;

	kvm_seg_from_desc(e->gdt[PVH_SEL_CS >> 3], PVH_SEL_CS, &sregs->cs);
	kvm_seg_from_desc(e->gdt[PVH_SEL_DS >> 3], PVH_SEL_DS, &data);
	sregs->ds = sregs->es = sregs->fs = sregs->gs = sregs->ss = data;
	kvm_seg_from_desc(e->gdt[PVH_SEL_TSS >> 3], PVH_SEL_TSS, &sregs->tr);
	sregs->cr0 = PVH_CR0;
	sregs->cr3 = 0;
	sregs->cr4 = 0;
	sregs->efer = 0;
}

int kvm_vcpu_set_boot_regs(struct kvm *k, struct kvm_vcpu *v, const struct boot_entry *e)
{
	struct kvm_sregs sregs;
	/* RFLAGS bit 1 is reserved as 1; IF, TF and VM clear, as both entries want. */
	struct kvm_regs regs = {.rip = e->rip, .rsi = e->rsi, .rbx = e->rbx, .rflags = 0x2};
	struct kvm_fpu fpu = {.fcw = 0x37f, .mxcsr = 0x1f80};
	int ret;

	ret = k->sys->ioctl(v->fd, KVM_GET_SREGS, &sregs);
	if (ret < 0)
		goto err_sregs;
	if (e->mode == BOOT_MODE_PVH)
		kvm_sregs_pvh(&sregs, e);
	else
		kvm_sregs_linux64(&sregs, e);
	sregs.gdt.base = e->gdt_base;
	sregs.gdt.limit = e->gdt_limit;
	sregs.idt.base = 0;
	sregs.idt.limit = 0;
	ret = k->sys->ioctl(v->fd, KVM_SET_SREGS, &sregs);
	if (ret < 0)
		goto err_sregs;
	ret = k->sys->ioctl(v->fd, KVM_SET_REGS, &regs);
	if (ret < 0) {
		log_err("kvm: vCPU %u: KVM_SET_REGS: %s", v->id, strerror(-ret));
		return ret;
	}
	ret = k->sys->ioctl(v->fd, KVM_SET_FPU, &fpu);
	if (ret < 0) {
		log_err("kvm: vCPU %u: KVM_SET_FPU: %s", v->id, strerror(-ret));
		return ret;
	}
	return 0;

err_sregs:
	log_err("kvm: vCPU %u: KVM_GET/SET_SREGS: %s", v->id, strerror(-ret));
	return ret;
}

int kvm_vcpu_describe(struct kvm *k, struct kvm_vcpu *v, char *buf, size_t len)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	int ret;

	ret = k->sys->ioctl(v->fd, KVM_GET_REGS, &regs);
	if (ret >= 0)
		ret = k->sys->ioctl(v->fd, KVM_GET_SREGS, &sregs);
	if (ret < 0)
		return ret;
	snprintf(buf, len, "rip 0x%llx rsp 0x%llx cr0 0x%llx cr3 0x%llx cr4 0x%llx efer 0x%llx",
		 (unsigned long long)regs.rip, (unsigned long long)regs.rsp,
		 (unsigned long long)sregs.cr0, (unsigned long long)sregs.cr3,
		 (unsigned long long)sregs.cr4, (unsigned long long)sregs.efer);
	return 0;
}

unsigned kvm_phys_bits(const struct kvm *k)
{
	/*
	 * CPUID 0x80000008 EAX: bits 7:0 physical address bits; bits 23:16,
	 * where set, the guest's own (smaller) limit (AMD APM vol. 3, E.4.7).
	 * Without the leaf, 36 bits (Intel SDM vol. 2A, CPUID: the
	 * MAXPHYADDR of processors that do not report it).
	 */
	for (unsigned i = 0; k->cpuid && i < k->cpuid->nent; i++) {
		const struct kvm_cpuid_entry2 *e = &k->cpuid->entries[i];

		if (e->function != 0x80000008)
			continue;
		if (e->eax >> 16 & 0xff)
			return e->eax >> 16 & 0xff;
		return e->eax & 0xff ? e->eax & 0xff : 36;
	}
	return 36;
}
