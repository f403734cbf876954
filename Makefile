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

# Kernel headers of the rig's kernel (see scripts/rig/kernel-version).
KVER	?= $(shell scripts/rig/kernel-version 2>/dev/null)
KDIR	?= /usr/src/linux-headers-$(KVER)

.PHONY: all ptvm static kmod unit smoke e2e test demo bench deps clean format
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
static: $(BUILD)/ptvm-static $(BUILD)/blkbench $(BUILD)/ptpoke
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
$(BUILD)/ptpoke: tests/e2e/l2/ptpoke.c
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
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

# CASES="boot pt_nvme" runs a subset.
e2e: static kmod
	scripts/rig/e2e $(CASES)

# Everything CI runs: unit tests, the host KVM smoke test, the kmod build, the nested rig.
test:
	scripts/deps
	$(MAKE) all unit smoke
	$(MAKE) kmod
	$(MAKE) e2e

demo:
	scripts/deps
	$(MAKE) static
	scripts/rig/demo

bench: static kmod
	scripts/bench/boot.sh
	scripts/bench/nvme.sh

format:
	clang-format -i $$(find vmm kmod include tests -name '*.[ch]')

clean:
	rm -rf $(BUILD)
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null

-include $(VMM_OBJS:.o=.d) $(BUILD)/vmm/main.d $(BUILD)/vmm/hostdev/names_hex.d
