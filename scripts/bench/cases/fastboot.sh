# fastboot: where boot time goes with each lever, in one L1 boot
# (scripts/bench/fastboot.sh). The ways to boot the same L2 kernel,
# initramfs, memory and vCPU (five ways), alternating round by round:
#   base   /bin/ptvm-b (PTVM_BIN_B: a build of the baseline) on the bzImage:
#          the bzImage's own decompressor runs in L2
#   cache  /bin/ptvm on the bzImage: its payload decompressed on the host
#          once, read from the kernel cache, booted through PVH
#   vmlinux /bin/ptvm on the uncompressed ELF vmlinux, through PVH
#   nocache /bin/ptvm on the bzImage with --no-kernel-cache: decompressed on
#          the host (in L1) on every boot, then PVH
#   nopvh  /bin/ptvm on the bzImage with --no-pvh: the baseline's path in
#          this build (the same binary, nothing else changed)
# Before the rounds, one cache run on an empty cache ("cold": decompress and
# store). The vmlinux is the cache entry less its 64-byte header, so the
# same bytes L1 decompressed. L2's init prints its marker and powers off.
# One line per run:
#   PTVM-FASTBOOT way=W run=I marker_s=S exit_s=S rc=R path=P
# marker_s: L1 uptime from just before starting ptvm to the marker's arrival
#   on ptvm's stdout (lib_stamp.sh's stamp()); exit_s: to ptvm's exit.
# path: pvh or linux64, from ptvm's --verbose line (the baseline has none).

. /cases/lib_stamp.sh

FASTBOOT_RUNS=${FASTBOOT_RUNS:-5}
FB_CACHE=/var/cache/ptvm
FB_VMLINUX=/tmp/vmlinux

# fb_run WAY I BIN KERNEL [OPTION...]: one boot, one PTVM-FASTBOOT line.
fb_run() {
	way=$1 i=$2 bin=$3 kernel=$4
	shift 4
	t0=$(uptime_s)
	{
		timeout -s KILL "$L2_TIMEOUT" "$bin" run --kernel "$kernel" --initrd "$L2_INITRD" \
			--memory "$L2_MEMORY" --cmdline "$L2_CMDLINE ptvm.case=fastboot" "$@" \
			</dev/null 2>/tmp/fb.err
		echo $? >/tmp/fb.rc
	} | stamp >/tmp/fb.out
	t1=$(uptime_s)
	sed 's/^/  l2| /' /tmp/fb.out | grep -v "^  l2| [0-9.]* \[" | tail -n 3
	sed 's/^/  stderr| /' /tmp/fb.err | grep -v "sandbox: \|numa: "
	tm=$(tr -d '\r' </tmp/fb.out | awk '/PTVM-L2-INIT-OK/ { print $1; exit }')
	[ -n "$tm" ] || fail "$way run $i: no PTVM-L2-INIT-OK (ptvm exit $(cat /tmp/fb.rc))"
	path=linux64
	grep -q "booting through PVH" /tmp/fb.err && path=pvh
	echo "PTVM-FASTBOOT way=$way run=$i marker_s=$(awk "BEGIN{print $tm - $t0}")" \
		"exit_s=$(awk "BEGIN{print $t1 - $t0}") rc=$(cat /tmp/fb.rc) path=$path"
}

l1() {
	need_ptvm
	[ -x /bin/ptvm-b ] || fail "no /bin/ptvm-b in L1 (PTVM_BIN_B: scripts/bench/fastboot.sh)"
	rm -rf "$FB_CACHE"
	echo "PTVM-FASTBOOT-HOST A=$(wc -c </bin/ptvm) B=$(wc -c </bin/ptvm-b)" \
		"bzImage=$(wc -c <"$L2_KERNEL")"
	fb_run cold 0 /bin/ptvm "$L2_KERNEL" --verbose
	entry=$(ls "$FB_CACHE"/vmlinux-* 2>/dev/null | head -n 1)
	[ -n "$entry" ] || fail "the cold run left no entry in $FB_CACHE"
	tail -c +65 "$entry" >"$FB_VMLINUX"
	echo "PTVM-FASTBOOT-HOST vmlinux=$(wc -c <"$FB_VMLINUX") entry=${entry##*/}"
	i=1
	while [ "$i" -le "$FASTBOOT_RUNS" ]; do
		fb_run base "$i" /bin/ptvm-b "$L2_KERNEL" --verbose
		fb_run cache "$i" /bin/ptvm "$L2_KERNEL" --verbose
		fb_run vmlinux "$i" /bin/ptvm "$FB_VMLINUX" --verbose
		fb_run nocache "$i" /bin/ptvm "$L2_KERNEL" --verbose --no-kernel-cache
		fb_run nopvh "$i" /bin/ptvm "$L2_KERNEL" --verbose --no-pvh
		i=$((i + 1))
	done
	pass
}
