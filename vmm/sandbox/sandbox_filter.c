// SPDX-License-Identifier: GPL-2.0
/* The allowlist table as a libseccomp filter, and syscalls by name for the messages. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox/sandbox.h"

static int sandbox_rule_add(scmp_filter_ctx ctx, const struct sandbox_rule *r)
{
	uint32_t action = r->err ? SCMP_ACT_ERRNO((uint32_t)r->err) : SCMP_ACT_ALLOW;

	switch (r->cmp) {
	case SANDBOX_ANY:
		return seccomp_rule_add_exact(ctx, action, r->nr, 0);
	case SANDBOX_EQ32:
		/*
		 * Masked, not SCMP_CMP32: libseccomp 2.5's 32-bit compare still
		 * wants the high half 0, and the kernel ignores it (ioctl's cmd
		 * is an unsigned int).
		 */
		return seccomp_rule_add_exact(
			ctx, action, r->nr, 1,
			SCMP_CMP64(r->arg, SCMP_CMP_MASKED_EQ, 0xffffffffULL, r->value));
	case SANDBOX_MASKED_EQ:
		return seccomp_rule_add_exact(
			ctx, action, r->nr, 1,
			SCMP_CMP64(r->arg, SCMP_CMP_MASKED_EQ, r->mask, r->value));
	}
	return -EINVAL;
}

int sandbox_filter_build(const struct sandbox_rule *rules, unsigned n, scmp_filter_ctx *out)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRAP);
	int ret;

	if (!ctx) {
		log_err("sandbox: seccomp_init: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	/* An i386 or x32 syscall is another syscall under the same number: never allowed. */
	ret = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_TRAP);
	/* sandbox_enter() sets no_new_privs itself, as one of its steps. */
	if (!ret)
		ret = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	/* Every thread, should one exist (none does before vm_run()). */
	if (!ret)
		ret = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	if (ret) {
		log_err("sandbox: seccomp_attr_set: %s", strerror(-ret));
		goto err;
	}
	for (unsigned i = 0; i < n; i++) {
		const struct sandbox_rule *r = &rules[i];

		ret = sandbox_rule_add(ctx, r);
		if (ret) {
			log_err("sandbox: allowlist line %s%s%s: %s", r->name, r->what ? " " : "",
				r->what ? r->what : "", strerror(-ret));
			goto err;
		}
	}
	*out = ctx;
	return 0;

err:
	seccomp_release(ctx);
	return ret;
}

void sandbox_rules_count(const struct sandbox_rule *rules, unsigned n, unsigned *syscalls,
			 unsigned *ioctls)
{
	*syscalls = *ioctls = 0;
	for (unsigned i = 0; i < n; i++) {
		bool seen = false;

		for (unsigned j = 0; j < i && !seen; j++)
			seen = rules[j].nr == rules[i].nr;
		*syscalls += !seen;
		*ioctls += rules[i].nr == SCMP_SYS(ioctl);
	}
}

bool sandbox_rules_name(const struct sandbox_rule *rules, unsigned n, int nr)
{
	for (unsigned i = 0; i < n; i++)
		if (rules[i].nr == nr)
			return true;
	return false;
}

void sandbox_describe_syscall(uint32_t arch, int nr, uint64_t arg1, char *buf, size_t len)
{
	/* libseccomp's arch tokens are the AUDIT_ARCH_* values the kernel reports. */
	char *name = seccomp_syscall_resolve_num_arch(arch, nr);
	/* x32 shares x86-64's audit arch, its numbers have bit 30 set (asm/unistd.h). */
	bool x32 = arch == SCMP_ARCH_X86_64 && (nr & 0x40000000);
	const char *abi = x32			     ? ", x32 ABI"
			  : arch == SCMP_ARCH_X86_64 ? ""
			  : arch == SCMP_ARCH_X86    ? ", i386 ABI"
						     : ", another ABI";

	if (arch == SCMP_ARCH_X86_64 && nr == SCMP_SYS(ioctl))
		snprintf(buf, len, "ioctl (%d) request 0x%llx", nr,
			 (unsigned long long)(arg1 & 0xffffffffULL));
	else
		snprintf(buf, len, "%s (%d%s)", name ? name : "unknown", nr, abi);
	free(name);
}
