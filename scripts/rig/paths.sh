# Sourced by the rig scripts (not run): where things live. Every path can be
# overridden from the environment so CI can put the cache somewhere persistent.
# Needs $RIG set to this directory by the caller.

TOP=$(cd "$RIG/../.." && pwd)
BUILD=${BUILD:-$TOP/build}
case $BUILD in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
RIGBUILD=$BUILD/rig
CACHE=${PTVM_CACHE:-$TOP/.cache/rig}
# kernel-version asks apt (~1 s): resolve once and hand it to child scripts.
PTVM_KVER=${PTVM_KVER:-$("$RIG/kernel-version")}
export PTVM_KVER
KTREE=$CACHE/$PTVM_KVER/root
BZIMAGE=$KTREE/boot/vmlinuz-$PTVM_KVER
MODDIR=$KTREE/lib/modules/$PTVM_KVER
PTVM_BIN=${PTVM_BIN:-$BUILD/ptvm-static}
# A second ptvm for A/B benches (mk-l1-initramfs: /bin/ptvm-b); none by default.
PTVM_BIN_B=${PTVM_BIN_B:-}
BLKBENCH_BIN=$BUILD/blkbench
PTPOKE_BIN=$BUILD/ptpoke
NVMEADM_BIN=$BUILD/nvmeadm
PTDMA_BIN=$BUILD/ptdma
PTFAULT_BIN=$BUILD/ptfault
L2_INITRD=$RIGBUILD/l2.cpio
L1_INITRD=$RIGBUILD/l1.cpio
# The bench's (scripts/bench/mk-bench-initramfs): the rig's plus what only it needs.
BENCH_L1_INITRD=$RIGBUILD/l1-bench.cpio
BENCH_L2_EXTRA=$RIGBUILD/bench-l2-extra.cpio

# rig_lock: called by the entry points (e2e, demo, bench) so that every
# nested run on this machine takes its turn, whichever checkout it comes
# from: two TCG guests on a small host would each run at half speed into
# their timeouts. Machine-wide (PTVM_RIG_LOCK overrides the path).
rig_lock() {
	mkdir -p "$RIGBUILD"
	lock=${PTVM_RIG_LOCK:-/run/lock/ptvm-rig.lock}
	mkdir -p "$(dirname "$lock")"
	exec 9>"$lock"
	flock -n 9 && return 0
	echo "rig: another nested run holds $lock; waiting" >&2
	flock -w 3600 9 || { echo "rig: gave up waiting for $lock" >&2; exit 1; }
}
