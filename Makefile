# ptvm: userspace VMM (vmm/), helper kernel module (kmod/), tests (tests/).
# Userspace objects go to build/: kbuild's clean removes every *.o under M=.

CC	?= cc
BUILD	?= build
CFLAGS	?= -O2 -g
WARN	:= -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter
CPPFLAGS := -std=gnu11 -D_GNU_SOURCE -Iinclude -Ivmm -MMD -MP
LDLIBS	:= -lpthread -lcap-ng
# pci.ids names for `ptvm devices` (vmm/hostdev/names_pci.c). Debian has no
# static libpci: the static build links vmm/hostdev/names_hex.c instead.
PCI_LIBS := -lpci

# ptguard's pure policy is built from kmod/ into ptvm too (vmm/hostdev/).
VMM_SRCS := $(sort $(shell find vmm -name '*.c' ! -name main.c ! -name names_hex.c)) \
	kmod/ptguard_policy.c
VMM_OBJS := $(VMM_SRCS:%.c=$(BUILD)/%.o)
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
UNIT_HELPERS := $(filter-out $(UNIT_SRCS),$(wildcard tests/unit/*.c))

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

.PHONY: all ptvm static kmod rig-kmod unit smoke e2e test demo bench deps clean format \
	install uninstall
all: ptvm

ptvm: $(BUILD)/ptvm

# V=1 shows the commands.
Q := $(if $(V),,@)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -c -o $@ $<

$(BUILD)/libptvm.a: $(VMM_OBJS)
	@rm -f $@
	$(Q)ar rcs $@ $^

$(BUILD)/ptvm: $(BUILD)/vmm/main.o $(BUILD)/libptvm.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS) $(PCI_LIBS)

# Static build for the nested rig's L1 initramfs (no shared libraries there).
static: $(BUILD)/ptvm-static $(BUILD)/blkbench $(BUILD)/ptpoke $(BUILD)/nvmeadm
# libcap-ng.a mentions getpwuid/initgroups, which ptvm never calls: the
# linker's warning about them in static binaries is filtered. names_hex.o
# comes before the library, so its names_*() win and names_pci.o is not pulled.
$(BUILD)/ptvm-static: $(BUILD)/vmm/main.o $(BUILD)/vmm/hostdev/names_hex.o $(BUILD)/libptvm.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) -static -o $@ $^ $(LDLIBS) 2>&1 | \
		grep -v "statically linked applications requires at runtime\|in function .capng_" >&2 || true
	@test -x $@

$(BUILD)/tests/%: tests/unit/%.c $(UNIT_HELPERS) $(BUILD)/libptvm.a
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -Itests/unit -o $@ $< $(UNIT_HELPERS) \
		$(BUILD)/libptvm.a -lcmocka -lutil $(LDLIBS) $(PCI_LIBS)

# Block benchmark run in both rig levels (scripts/bench/nvme.sh); static for the initramfs.
$(BUILD)/blkbench: scripts/bench/blkbench.c
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

unit: $(UNIT_BINS)
	@scripts/run-unit $(UNIT_BINS)

$(BUILD)/smoke: tests/smoke/smoke.c $(BUILD)/libptvm.a
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -o $@ $< $(BUILD)/libptvm.a -lcmocka $(LDLIBS)

# tests/smoke/host.sh: ptvm devices and ptvm check on this host itself.
smoke: $(BUILD)/smoke $(BUILD)/ptvm
	RUN_UNIT_LABEL=smoke scripts/run-unit $(BUILD)/smoke
	tests/smoke/host.sh $(BUILD)/ptvm

kmod:
	@test -d $(KDIR) || { echo "kmod: no kernel headers in $(KDIR) (install" \
		"linux-headers-$$(uname -r), or pass KDIR=)" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

# kmod/ptguard.ko for the rig's L1 (it overwrites a host build: one tree, one .ko).
rig-kmod:
	$(MAKE) kmod KDIR=$(RIG_KDIR)

# CASES="boot pt_nvme" runs a subset.
e2e: static rig-kmod
	PTVM_KVER=$(RIG_KVER) scripts/rig/e2e $(CASES)

# Everything CI runs: unit tests, the host KVM smoke test, the kmod build, the nested rig.
test:
	scripts/deps
	$(MAKE) all unit smoke
	$(MAKE) rig-kmod
	$(MAKE) e2e

demo:
	scripts/deps
	$(MAKE) static rig-kmod
	PTVM_KVER=$(RIG_KVER) scripts/rig/demo

bench: static rig-kmod
	PTVM_KVER=$(RIG_KVER) scripts/bench/boot.sh
	PTVM_KVER=$(RIG_KVER) scripts/bench/nvme.sh

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
