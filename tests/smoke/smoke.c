// SPDX-License-Identifier: GPL-2.0
/*
 * Smoke test on this machine's real /dev/kvm: a synthetic bzImage whose
 * 64-bit entry point runs a few instructions doing PIO, MMIO and HLT goes
 * through the same parser, loader, KVM setup and vCPU loop as a real boot;
 * and whole VMs (vm_create, vm_run) whose guest reboots or triple faults
 * at once, restarted until SIGTERM ends them.
 * Skipped, with a message, where there is no usable /dev/kvm.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "boot/bzimage.h"
#include "boot/loader.h"
#include "as.h"
#include "kvm.h"
#include "layout.h"
#include "memory.h"
#include "vcpu.h"
#include "vm.h"
#include "../unit/log_capture.h"
#include "tiny_bzimage.h"

#define SMOKE_MMIO 0xd0000000ULL /* inside the 32-bit PCI window: no RAM there */

/* 64-bit code at the kernel's 64-bit entry (load address + 0x200). */
static const uint8_t smoke_payload[] = {
	0xb0, 0x42,			    /* mov al, 0x42 */
	0xe6, 0x10,			    /* out 0x10, al */
	0xe4, 0x11,			    /* in al, 0x11 */
	0xe6, 0x12,			    /* out 0x12, al */
	0xbb, 0x00, 0x00, 0x00, 0xd0,	    /* mov ebx, 0xd0000000 */
	0xc7, 0x03, 0x78, 0x56, 0x34, 0x12, /* mov dword [rbx], 0x12345678 */
	0x8b, 0x43, 0x04,		    /* mov eax, [rbx + 4] */
	0xe7, 0x14,			    /* out 0x14, eax */
	0xf4,				    /* hlt */
};

struct smoke_log {
	unsigned n;
	struct {
		char kind; /* 'o' pio out, 'i' pio in, 'w' mmio write, 'r' mmio read */
		uint64_t addr;
		unsigned size;
		uint64_t val;
	} ev[16];
};

static void smoke_rec(struct smoke_log *l, char kind, uint64_t addr, unsigned size, uint64_t v)
{
	if (l->n < ARRAY_SIZE(l->ev))
		l->ev[l->n++] = (typeof(l->ev[0])){kind, addr, size, v};
}

static uint64_t pio_read(void *opaque, uint64_t off, unsigned size)
{
	smoke_rec(opaque, 'i', 0x10 + off, size, 0x5a);
	return 0x5a;
}

static void pio_write(void *opaque, uint64_t off, unsigned size, uint64_t v)
{
	smoke_rec(opaque, 'o', 0x10 + off, size, v);
}

static uint64_t mmio_read(void *opaque, uint64_t off, unsigned size)
{
	smoke_rec(opaque, 'r', SMOKE_MMIO + off, size, 0xcafebabe);
	return 0xcafebabe;
}

static void mmio_write(void *opaque, uint64_t off, unsigned size, uint64_t v)
{
	smoke_rec(opaque, 'w', SMOKE_MMIO + off, size, v);
}

static int smoke_set_memslot(void *opaque, unsigned slot, uint64_t gpa, uint64_t size, void *hva)
{
	return kvm_set_memslot(opaque, slot, gpa, size, hva);
}

static const struct bus_ops smoke_pio_ops = {.read = pio_read, .write = pio_write};
static const struct bus_ops smoke_mmio_ops = {.read = mmio_read, .write = mmio_write};

struct smoke_stop {
	enum vm_stop_reason why;
	char msg[128];
};

static void smoke_stop(void *opaque, enum vm_stop_reason why, const char *msg)
{
	struct smoke_stop *s = opaque;

	s->why = why;
	snprintf(s->msg, sizeof(s->msg), "%s", msg);
}

/*
 * A guest that reboots (i8042 pulse reset) as soon as it starts, after
 * leaving a mark in RAM; one that finds the mark, a RAM the reboot did not
 * clear, powers off (ACPI S5) instead.
 */
#define SMOKE_MARK_GPA 0x800000 /* 8 MiB: below the kernel, above the boot structures */
static const uint8_t smoke_reboot_payload[] = {
	0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x80, 0x00,		    /* mov rax, [0x800000] */
	0x48, 0xbb, 0x21, 0x4d, 0x41, 0x52, 0x4b, 0x45, 0x44, 0x21, /* mov rbx, "!MARKED!" */
	0x48, 0x39, 0xd8,					    /* cmp rax, rbx */
	0x75, 0x08,						    /* jne fresh */
	0xb0, 0x34,						    /* mov al, SLP_EN | S5 << 2 */
	0x66, 0xba, 0x00, 0x06,				/* mov dx, 0x600 (sleep control) */
	0xee,						/* out dx, al */
	0xf4,						/* hlt */
	0x48, 0x89, 0x1c, 0x25, 0x00, 0x00, 0x80, 0x00, /* fresh: mov [0x800000], rbx */
	0xb0, 0xfe,					/* mov al, 0xfe (pulse reset) */
	0xe6, 0x64,					/* out 0x64, al */
	0xf4,						/* hlt */
};

/* A guest that triple faults: #UD with an empty IDT (the boot protocol's) is a shutdown. */
static const uint8_t smoke_triple_fault_payload[] = {
	0x0f, 0x0b, /* ud2 */
};

static void test_pio_mmio_hlt(void **state)
{
	struct smoke_log log = {0};
	struct smoke_stop stop = {VM_RUNNING, ""};
	volatile int stopping = 0;
	struct guest_mem mem;
	struct boot_entry entry;
	struct bzimage bz;
	struct as *pio, *mmio;
	struct as_slot_ops slots;
	struct as_region *ram;
	struct as_map ram_map;
	struct vcpu v = {0};
	struct vcpu_env env;
	const char *why = NULL;
	struct kvm k;
	size_t len;
	uint8_t *img = tiny_bzimage(smoke_payload, sizeof(smoke_payload), &len);

	if (access("/dev/kvm", R_OK | W_OK)) {
		free(img);
		print_message("smoke: skipped: no usable /dev/kvm on this machine\n");
		skip();
	}
	if (bzimage_parse(img, len, &bz, &why))
		fail_msg("bzimage_parse: %s", why);
	assert_int_equal(mem_layout(&mem, MEM_MIN_SIZE), 0);
	assert_int_equal(mem_alloc(&mem, &(struct mem_backing){0}), 0);
	assert_int_equal(boot_load(&mem, &bz, NULL, 0, "smoke", 0, &entry, &why), 0);

	assert_int_equal(kvm_open(&k, &sys_linux, "/dev/kvm"), 0);
	/* No in-kernel irqchip: HLT then exits to us and ends the run. */
	assert_int_equal(kvm_create_vm(&k, false), 0);
	/* RAM through the guest address space, as vm.c does it: a real memslot. */
	slots = (struct as_slot_ops){
		.set = smoke_set_memslot, .opaque = &k, .nr_slots = k.nr_slots};
	ram_map = (struct as_map){0, mem.r[0].size, mem.r[0].hva};
	assert_int_equal(as_create(&pio, "pio", NULL), 0);
	assert_int_equal(as_create(&mmio, "mmio", &slots), 0);
	assert_int_equal(as_region_add(mmio, "ram", AS_PRIO_RAM, NULL, NULL, &ram), 0);
	assert_int_equal(as_region_place(ram, mem.r[0].gpa, mem.r[0].size), 0);
	assert_int_equal(as_region_set_maps(ram, &ram_map, 1), 0);
	assert_int_equal(as_commit(mmio), 0);
	assert_int_equal(as_slots_used(mmio), 1);
	assert_int_equal(as_add_fixed(pio, "test", 0x10, 8, &smoke_pio_ops, &log), 0);
	assert_int_equal(as_add_fixed(mmio, "test", SMOKE_MMIO, 0x1000, &smoke_mmio_ops, &log), 0);

	assert_int_equal(kvm_vcpu_create(&k, 0, &v.kv), 0);
	assert_int_equal(kvm_vcpu_set_cpuid(&k, &v.kv), 0);
	assert_int_equal(kvm_vcpu_set_boot_regs(&k, &v.kv, &entry), 0);
	env = (struct vcpu_env){.kvm = &k,
				.pio = pio,
				.mmio = mmio,
				.stop = smoke_stop,
				.stop_opaque = &stop,
				.stopping = &stopping};
	v.env = &env;
	vcpu_loop(&v);

	assert_int_equal(stop.why, VM_STOP_HALT);
	assert_string_equal(stop.msg, "vCPU 0 halted");
	assert_int_equal(log.n, 6);
	assert_true(log.ev[0].kind == 'o' && log.ev[0].addr == 0x10 && log.ev[0].size == 1 &&
		    log.ev[0].val == 0x42);
	assert_true(log.ev[1].kind == 'i' && log.ev[1].addr == 0x11 && log.ev[1].size == 1);
	assert_true(log.ev[2].kind == 'o' && log.ev[2].addr == 0x12 && log.ev[2].val == 0x5a);
	assert_true(log.ev[3].kind == 'w' && log.ev[3].addr == SMOKE_MMIO && log.ev[3].size == 4 &&
		    log.ev[3].val == 0x12345678);
	assert_true(log.ev[4].kind == 'r' && log.ev[4].addr == SMOKE_MMIO + 4 &&
		    log.ev[4].size == 4);
	/* The value the MMIO read returned came back out through the port. */
	assert_true(log.ev[5].kind == 'o' && log.ev[5].addr == 0x14 && log.ev[5].size == 4 &&
		    log.ev[5].val == 0xcafebabe);
	assert_int_equal(v.stats.pio, 4);
	assert_int_equal(v.stats.mmio, 2);
	assert_int_equal(v.stats.halt, 1);

	kvm_vcpu_destroy(&k, &v.kv);
	as_destroy(mmio);
	as_destroy(pio);
	kvm_close(&k);
	mem_free(&mem);
	free(img);
}

/* SIGTERM to ptvm once the guest has been restarted @reboots times. */
struct smoke_killer {
	struct vm *vm;
	unsigned reboots;
	volatile int done;
};

static void *smoke_kill_after(void *arg)
{
	struct smoke_killer *k = arg;

	while (!k->done && __atomic_load_n(&k->vm->reboots, __ATOMIC_RELAXED) < k->reboots)
		usleep(1000);
	/* Blocked in every thread: it waits in ptvm's signalfd, as a real one would. */
	if (!k->done)
		kill(getpid(), SIGTERM);
	return NULL;
}

/*
 * The whole VM on @payload with --on-reboot @on_reboot; with restart,
 * SIGTERM once it has been restarted 3 times. Returns why it stopped,
 * @msg and @log (its stderr) filled, @reboots how often it restarted.
 */
static enum vm_stop_reason smoke_vm(const uint8_t *payload, size_t payload_len,
				    enum opts_on_reboot on_reboot, char *msg, size_t msg_len,
				    char *log, size_t log_len, unsigned *reboots)
{
	char path[] = "/tmp/ptvm-smoke-XXXXXX";
	struct vm_config cfg = {
		.kernel = path,
		.cmdline = "smoke",
		.memory = MEM_MIN_SIZE,
		.cpus = 1,
		.kvm_path = "/dev/kvm",
		.numa_node = -1,
		.on_reboot = on_reboot,
	};
	struct smoke_killer k = {.reboots = 3};
	enum vm_stop_reason why;
	struct log_capture lc;
	pthread_t killer;
	const char *m;
	size_t len;
	uint8_t *img = tiny_bzimage(payload, payload_len, &len);
	int fd = mkstemp(path), null = open("/dev/null", O_RDONLY);
	struct vm *vm;

	assert_true(fd >= 0 && null >= 0);
	assert_int_equal(write(fd, img, len), (ssize_t)len);
	close(fd);
	free(img);
	/* The guest's console input: none. */
	assert_int_equal(dup2(null, STDIN_FILENO), STDIN_FILENO);
	close(null);
	log_capture_start(&lc);
	if (vm_create(&vm, &cfg, &sys_linux))
		fail_msg("vm_create: %s", log_capture_end(&lc));
	k.vm = vm;
	assert_int_equal(pthread_create(&killer, NULL, smoke_kill_after, &k), 0);
	why = vm_run(vm, &m);
	k.done = 1;
	pthread_join(killer, NULL);
	snprintf(msg, msg_len, "%s", m);
	*reboots = vm->reboots;
	vm_destroy(vm);
	snprintf(log, log_len, "%s", log_capture_end(&lc));
	log_capture_free(&lc);
	unlink(path);
	return why;
}

static bool smoke_have_kvm(void)
{
	if (!access("/dev/kvm", R_OK | W_OK))
		return true;
	print_message("smoke: skipped: no usable /dev/kvm on this machine\n");
	return false;
}

/*
 * The guest reboots at once, each time: restarted, with its RAM cleared
 * (else it would find its mark and power off), until SIGTERM; with
 * --on-reboot exit its reboot ends the run.
 */
static void test_reboot_restarts(void **state)
{
	char msg[256], log[4096];
	unsigned reboots;

	if (!smoke_have_kvm())
		skip();
	assert_int_equal(smoke_vm(smoke_reboot_payload, sizeof(smoke_reboot_payload),
				  OPTS_ON_REBOOT_RESTART, msg, sizeof(msg), log, sizeof(log),
				  &reboots),
			 VM_STOP_SIGNAL);
	assert_string_equal(msg, "stopped by SIGTERM");
	assert_true(reboots >= 3);
	assert_non_null(strstr(log, "ptvm: guest rebooted: restarting (reboot 1)\n"
				    "ptvm: guest rebooted: restarting (reboot 2)\n"
				    "ptvm: guest rebooted: restarting (reboot 3)\n"));
	assert_int_equal(smoke_vm(smoke_reboot_payload, sizeof(smoke_reboot_payload),
				  OPTS_ON_REBOOT_EXIT, msg, sizeof(msg), log, sizeof(log),
				  &reboots),
			 VM_STOP_RESET);
	assert_string_equal(msg, "guest rebooted");
	assert_int_equal(reboots, 0);
	assert_string_equal(log, "");
}

/* A triple fault restarts too, said with where it died; SIGTERM still ends the loop. */
static void test_triple_fault_restarts(void **state)
{
	const char *want = "ptvm: guest triple fault on vCPU 0 (KVM_EXIT_SHUTDOWN) at rip 0x";
	char msg[256], log[4096];
	unsigned reboots;
	const char *p;

	if (!smoke_have_kvm())
		skip();
	assert_int_equal(smoke_vm(smoke_triple_fault_payload, sizeof(smoke_triple_fault_payload),
				  OPTS_ON_REBOOT_RESTART, msg, sizeof(msg), log, sizeof(log),
				  &reboots),
			 VM_STOP_SIGNAL);
	assert_true(reboots >= 3);
	p = strstr(log, want);
	assert_non_null(p);
	assert_non_null(strstr(p, ": restarting (reboot 1)\n"));
	assert_int_equal(smoke_vm(smoke_triple_fault_payload, sizeof(smoke_triple_fault_payload),
				  OPTS_ON_REBOOT_EXIT, msg, sizeof(msg), log, sizeof(log),
				  &reboots),
			 VM_STOP_TRIPLE_FAULT);
	assert_true(!strncmp(msg, want + strlen("ptvm: "), strlen(want) - strlen("ptvm: ")));
	assert_int_equal(reboots, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pio_mmio_hlt),
		cmocka_unit_test(test_reboot_restarts),
		cmocka_unit_test(test_triple_fault_restarts),
	};

	return cmocka_run_group_tests_name("smoke", tests, NULL, NULL);
}
