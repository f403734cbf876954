# ptvm: userspace VMM (vmm/), helper kernel module (kmod/), tests (tests/).
# Userspace objects go to build/: kbuild's clean removes every *.o under M=.

CC	?= cc
BUILD	?= build
CFLAGS	?= -O2 -g

# SAN=1: everything built with clang under AddressSanitizer and
# UndefinedBehaviorSanitizer, any finding fatal, in build/san (make unit
# SAN=1, make e2e SAN=1). FUZZ=1 (make fuzz sets it) adds libFuzzer's
# coverage instrumentation, in build/fuzz.
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
ifeq ($(FUZZ),1)
CC	:= clang
BUILD	:= build/fuzz
CFLAGS	:= -O1 -g $(SAN_FLAGS) -fsanitize=fuzzer-no-link
else ifeq ($(SAN),1)
CC	:= clang
BUILD	:= build/san
CFLAGS	:= -O1 -g $(SAN_FLAGS)
endif
WARN	:= -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter
CPPFLAGS := -std=gnu11 -D_GNU_SOURCE -Iinclude -Ivmm -MMD -MP
# Hardened build (issue 9), whatever the compiler's defaults: position-
# independent code and executables (ASLR for ptvm itself), full RELRO (the
# GOT read-only after start-up), stack canaries, and glibc's checked
# variants of the string and I/O functions (_FORTIFY_SOURCE needs -O).
# tests/smoke/hardening.sh checks the binaries for each of them.
HARDEN_CFLAGS := -fPIE -fstack-protector-strong -U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=2
HARDEN_LDFLAGS := -Wl,-z,relro,-z,now
# libseccomp for the VM process's syscall allowlist (vmm/sandbox/).
# A bzImage's kernel decompressed on the host (vmm/boot/unpack.c) with
# Debian's zlib, liblzma and libzstd, and the kernel cache's names by
# SHA-256 from nettle (vmm/boot/kcache.c): each ships a static library
# too, for make static.
LDLIBS	:= -lpthread -lcap-ng -lseccomp -lzstd -llzma -lz -lnettle
# pci.ids names for `ptvm devices` (vmm/hostdev/names_pci.c). Debian has no
# static libpci: the static build links vmm/hostdev/names_hex.c instead.
PCI_LIBS := -lpci
# The control socket's JSON (vmm/api/): Debian's libjson-c, strict and
# UTF-8-checking, parses what a client sends, rather than a parser of our
# own facing hostile input. Debian ships its static library too (make static).
JSON_CFLAGS := $(shell pkg-config --cflags json-c)
JSON_LIBS := $(shell pkg-config --libs json-c)
JSON_STATIC_LIBS := $(shell pkg-config --static --libs json-c)

# ptguard's pure policy is built from kmod/ into ptvm too (vmm/hostdev/).
VMM_SRCS := $(sort $(shell find vmm -name '*.c' ! -name main.c ! -name names_hex.c)) \
	kmod/ptguard_policy.c
VMM_OBJS := $(VMM_SRCS:%.c=$(BUILD)/%.o)
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
UNIT_HELPERS := $(filter-out $(UNIT_SRCS),$(wildcard tests/unit/*.c))
# libFuzzer targets, one per tests/fuzz/fuzz_*.c, with the unit tests' fakes.
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/%)
FUZZ_HELPERS := $(filter-out $(FUZZ_SRCS),$(wildcard tests/fuzz/*.c))
# The harness tracks the eventfds the models create and close (tests/fuzz/harness.c).
FUZZ_WRAP := -Wl,--wrap=eventfd -Wl,--wrap=close -Wl,--wrap=poll
# Seconds per target for fuzz-smoke.
FUZZ_TIME ?= 60

# ptguard.ko is built for the running kernel, as any out-of-tree module;
# KDIR=/path/to/headers builds it for another.
KDIR	?= /lib/modules/$(shell uname -r)/build
# The nested rig's kernel (scripts/rig/kernel-version asks apt; PTVM_KVER
# overrides) and its headers, which scripts/deps installs: e2e, demo and
# bench build ptguard.ko for it (rig-kmod), whatever the host runs. CI's
# host kernel has neither headers nor modules.
RIG_KVER ?= $(or $(PTVM_KVER),$(shell scripts/rig/kernel-version))
RIG_KDIR ?= /usr/src/linux-headers-$(RIG_KVER)

# make install: ptvm into BINDIR, ptguard's sources where dkms(8) takes
# them (/usr/src/NAME-VERSION, whatever PREFIX is), then dkms builds and
# installs the module for the running kernel (scripts/install-kmod).
PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
PTGUARD_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' dkms.conf)
DKMS_SRC := /usr/src/ptguard-$(PTGUARD_VERSION)
# The module's sources, not what kbuild generates beside them (ptguard.mod.c).
KMOD_SRCS = $(filter-out %.mod.c,$(wildcard kmod/*.c kmod/*.h))

.PHONY: all ptvm static kmod rig-kmod unit smoke e2e test demo bench bench-fastboot deps clean \
	format \
	install uninstall fuzz fuzz-bins fuzz-smoke valgrind
all: ptvm

ptvm: $(BUILD)/ptvm

# V=1 shows the commands.
Q := $(if $(V),,@)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(JSON_CFLAGS) $(CFLAGS) $(HARDEN_CFLAGS) $(WARN) -c -o $@ $<

$(BUILD)/libptvm.a: $(VMM_OBJS)
	@rm -f $@
	$(Q)ar rcs $@ $^

$(BUILD)/ptvm: $(BUILD)/vmm/main.o $(BUILD)/libptvm.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) -pie $(HARDEN_LDFLAGS) -o $@ $^ $(LDLIBS) $(JSON_LIBS) $(PCI_LIBS)

# Static build for the nested rig's L1 initramfs (no shared libraries there).
static: $(BUILD)/ptvm-static $(BUILD)/blkbench $(BUILD)/ptpoke $(BUILD)/nvmeadm $(BUILD)/ptdma \
	$(BUILD)/ptfault
# libcap-ng.a mentions getpwuid/initgroups, which ptvm never calls: the
# linker's warning about them in static binaries is filtered, and so is the
# one about getpwnam, which --user calls (with no /etc/nsswitch.conf, or
# "files" first, static glibc reads /etc/passwd itself). names_hex.o comes
# before the library, so its names_*() win and names_pci.o is not pulled.
# -static-pie: a static binary that is still position-independent.
$(BUILD)/ptvm-static: $(BUILD)/vmm/main.o $(BUILD)/vmm/hostdev/names_hex.o $(BUILD)/libptvm.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) -static-pie $(HARDEN_LDFLAGS) -o $@ $^ $(LDLIBS) $(JSON_STATIC_LIBS) 2>&1 | \
		grep -v "statically linked applications requires at runtime\|in function .capng_\|in function .sandbox_" >&2 || true
	@test -x $@

$(BUILD)/tests/%: tests/unit/%.c $(UNIT_HELPERS) $(BUILD)/libptvm.a
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(JSON_CFLAGS) $(CFLAGS) $(HARDEN_CFLAGS) $(WARN) -Itests/unit -o $@ $< \
		$(UNIT_HELPERS) $(BUILD)/libptvm.a -lcmocka -lutil $(LDLIBS) $(JSON_LIBS) $(PCI_LIBS)

# Block benchmark run in both rig levels (scripts/bench/vs/vs_nvme.sh); static for the initramfs.
$(BUILD)/blkbench: scripts/bench/blkbench.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) $(WARN) -static -o $@ $<

# What the bench runs in L1 only (scripts/bench/run.sh): the outside
# measure of each VMM run, and one raw VFIO_IOMMU_MAP_DMA.
$(BUILD)/vmmrun $(BUILD)/vfiomap: $(BUILD)/%: scripts/bench/%.c tests/e2e/tool.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) $(WARN) -static -o $@ $<

# The hostile guest of the e2e cases (pt_hostile, pt_bigbar), static for both rig levels.
$(BUILD)/ptpoke: tests/e2e/l2/ptpoke.c tests/e2e/tool.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) $(WARN) -static -o $@ $<

# The NVMe admin commands L1 sends to bring up the SR-IOV VF of pt_sriov (L1 has no nvme-cli).
$(BUILD)/nvmeadm: tests/e2e/l1/nvmeadm.c tests/e2e/tool.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) $(WARN) -static -o $@ $<

# The hostile DMA guest of fault_dma (L2) and the killer of the fault cases (L1), static.
$(BUILD)/ptdma: tests/e2e/l2/ptdma.c tests/e2e/tool.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) $(WARN) -static -o $@ $<

$(BUILD)/ptfault: tests/e2e/l1/ptfault.c tests/e2e/tool.h include/ptvm/ptguard.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) $(WARN) -Iinclude -static -o $@ $<

# VALGRIND=1 runs each test binary under memcheck (make valgrind).
VALGRIND_CMD := valgrind -q --error-exitcode=99 --leak-check=full \
	--errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect
unit: $(UNIT_BINS)
	@RUN_UNIT_WRAP="$(if $(VALGRIND),$(VALGRIND_CMD))" \
		UBSAN_OPTIONS=print_stacktrace=1 scripts/run-unit $(UNIT_BINS)

valgrind:
	$(MAKE) unit VALGRIND=1

# libFuzzer targets (build/fuzz/fuzz_*), instrumented objects of their own.
fuzz:
	$(MAKE) FUZZ=1 fuzz-bins

fuzz-bins: $(FUZZ_BINS)

$(BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_HELPERS) $(BUILD)/libptvm.a
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -Itests/unit -Itests/fuzz -fsanitize=fuzzer \
		-o $@ $< $(FUZZ_HELPERS) $(BUILD)/libptvm.a $(FUZZ_WRAP) $(LDLIBS) $(JSON_LIBS) $(PCI_LIBS)

# Every target for FUZZ_TIME seconds from its seed corpus (tests/fuzz/corpus/NAME).
fuzz-smoke: fuzz
	scripts/fuzz-smoke $(FUZZ_TIME) $(FUZZ_SRCS:tests/fuzz/%.c=build/fuzz/%)

$(BUILD)/smoke: tests/smoke/smoke.c $(BUILD)/libptvm.a
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(JSON_CFLAGS) $(CFLAGS) $(WARN) -o $@ $< $(BUILD)/libptvm.a -lcmocka \
		$(LDLIBS) $(JSON_LIBS)

# A tiny bzImage for `ptvm run` on this host (tests/smoke/sandbox.sh).
$(BUILD)/mkbzimage: tests/smoke/mkbzimage.c tests/smoke/tiny_bzimage.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -o $@ $<

# Tiny PVH kernels, an ELF and a bzImage around one (tests/smoke/pvh.sh).
$(BUILD)/mkpvh: tests/smoke/mkpvh.c tests/smoke/tiny_bzimage.h tests/unit/elf_fixture.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -Itests/unit -o $@ $< -lz

# tests/smoke/host.sh: ptvm devices and ptvm check on this host itself;
# hardening.sh: the binaries are built hardened (HARDEN_*); sandbox.sh: the
# VM process's sandbox, with the host's /dev/kvm and a tiny guest; pvh.sh:
# the PVH entry, of an ELF and of a bzImage's decompressed, cached payload;
# bench.sh: the bench's host-side tools and report (scripts/bench/).
smoke: $(BUILD)/smoke $(BUILD)/ptvm $(BUILD)/ptvm-static $(BUILD)/mkbzimage $(BUILD)/mkpvh \
		$(BUILD)/vmmrun $(BUILD)/blkbench
	RUN_UNIT_LABEL=smoke scripts/run-unit $(BUILD)/smoke
	tests/smoke/host.sh $(BUILD)/ptvm
	tests/smoke/hardening.sh $(BUILD)/ptvm $(BUILD)/ptvm-static
	tests/smoke/sandbox.sh $(BUILD)/ptvm $(BUILD)/mkbzimage
	tests/smoke/pvh.sh $(BUILD)/ptvm $(BUILD)/mkpvh
	tests/smoke/bench.sh $(BUILD)/vmmrun $(BUILD)/blkbench scripts/bench/report.awk

kmod:
	@test -d $(KDIR) || { echo "kmod: no kernel headers in $(KDIR) (install" \
		"linux-headers-$$(uname -r), or pass KDIR=)" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

# kmod/ptguard.ko for the rig's L1 (it overwrites a host build: one tree, one .ko).
rig-kmod:
	$(MAKE) kmod KDIR=$(RIG_KDIR)

# CASES="boot pt_nvme" runs a subset. SAN=1: L1 runs build/san/ptvm, linked
# dynamically (ASan has no static runtime), with its shared libraries
# (scripts/rig/mk-l1-initramfs); the static helpers come from the plain build.
ifeq ($(SAN),1)
e2e: $(BUILD)/ptvm rig-kmod
	$(MAKE) SAN= static
	PTVM_BIN=$(CURDIR)/$(BUILD)/ptvm PTVM_KVER=$(RIG_KVER) scripts/rig/e2e $(CASES)
else
e2e: static rig-kmod
	PTVM_KVER=$(RIG_KVER) scripts/rig/e2e $(CASES)
endif

# Everything CI runs: unit tests (plain and under ASan+UBSan), the fuzz
# targets for 30 s each, the host KVM smoke test, the kmod build, the nested rig.
test:
	scripts/deps
	$(MAKE) all unit smoke
	$(MAKE) unit SAN=1
	$(MAKE) fuzz-smoke FUZZ_TIME=30
	$(MAKE) rig-kmod
	$(MAKE) e2e

demo:
	scripts/deps
	$(MAKE) static rig-kmod
	PTVM_KVER=$(RIG_KVER) scripts/rig/demo

bench: static rig-kmod $(BUILD)/vmmrun $(BUILD)/vfiomap
	PTVM_KVER=$(RIG_KVER) scripts/bench/run.sh all

# The fast-boot levers (scripts/bench/fastboot.sh) against a build of
# FASTBOOT_BASE (a commit; default: main before PVH boot), in one L1 boot.
FASTBOOT_BASE ?= 6cce7d2
bench-fastboot: static rig-kmod
	rm -rf $(BUILD)/fastboot-base
	mkdir -p $(BUILD)/fastboot-base
	git archive $(FASTBOOT_BASE) | tar -x -C $(BUILD)/fastboot-base
	$(MAKE) -C $(BUILD)/fastboot-base static
	PTVM_BIN_B=$(CURDIR)/$(BUILD)/fastboot-base/build/ptvm-static PTVM_KVER=$(RIG_KVER) \
		scripts/bench/fastboot.sh

install: ptvm
	install -D -m 0755 $(BUILD)/ptvm $(DESTDIR)$(BINDIR)/ptvm
	install -D -m 0644 -t $(DESTDIR)$(DKMS_SRC) dkms.conf Kbuild
	install -D -m 0644 -t $(DESTDIR)$(DKMS_SRC)/kmod kmod/Kbuild $(KMOD_SRCS)
	install -D -m 0644 -t $(DESTDIR)$(DKMS_SRC)/include/ptvm include/ptvm/ptguard.h
	scripts/install-kmod add "$(DESTDIR)" $(PTGUARD_VERSION)

uninstall:
	scripts/install-kmod remove "$(DESTDIR)" $(PTGUARD_VERSION)
	rm -f $(DESTDIR)$(BINDIR)/ptvm
	rm -rf $(DESTDIR)$(DKMS_SRC)

format:
	clang-format -i $$(find vmm kmod include tests -name '*.[ch]')

# kbuild's outputs by name: clean must work without any kernel headers.
clean:
	rm -rf $(BUILD)
	rm -f Module.symvers modules.order .Module.symvers.cmd .modules.order.cmd
	rm -f kmod/*.o kmod/*.ko kmod/*.mod kmod/*.mod.c kmod/modules.order kmod/.*.cmd

-include $(VMM_OBJS:.o=.d) $(BUILD)/vmm/main.d $(BUILD)/vmm/hostdev/names_hex.d
# Test and fuzz binaries depend on the fakes they include.
-include $(UNIT_BINS:=.d) $(FUZZ_BINS:=.d)
