#!/bin/sh
# usage: pvh.sh PTVM MKPVH
# The PVH entry on this host's /dev/kvm with mkpvh's tiny kernels: an ELF
# whose code checks EBX and the start_info magic ("pvh" on its console when
# both are right); a bzImage holding that ELF as its gzip payload, booted
# through PVH after decompression, stored in the kernel cache and read back
# from it, a damaged entry rebuilt, --no-kernel-cache leaving the cache
# alone, --no-pvh taking the bzImage's own entry; a bzImage whose payload lacks the note boots its own 64-bit entry
# ("64"); an ELF without the note is refused in one line. Needs root and
# /dev/kvm, else skipped. Ends with "smoke-pvh: N passed, N failed".
set -u
. "$(dirname "$0")/lib_ok.sh"
ok_need_kvm smoke-pvh
ptvm=$1 tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for k in elf elf-nonote bzimage bzimage-nonote; do
	"$2" "$k" "$tmp/$k" || exit 1
done
export PTVM_CACHE_DIR="$tmp/cache"

# boot KERNEL [OPTION...]: ptvm run, stdout in $tmp/out, stderr less the
# sandbox's and NUMA's --verbose lines in $tmp/err, exit status in rc.
boot() {
	k=$1
	shift
	timeout -s KILL 60 "$ptvm" run --memory 64M --kernel "$tmp/$k" "$@" </dev/null \
		>"$tmp/out" 2>"$tmp/err.all"
	rc=$?
	grep -v "^ptvm: sandbox: \|^ptvm: numa: " "$tmp/err.all" >"$tmp/err"
}

what="an ELF vmlinux: PVH entry, EBX = start_info with its magic, exit 0"
boot elf --verbose
ok [ "$rc" = 0 ]
ok grep -qx "pvh" "$tmp/out"
ok grep -qx "ptvm: kernel: '$tmp/elf': ELF vmlinux, booting through PVH (entry 0x100000)" \
	"$tmp/err"
ok grep -qx "ptvm: guest powered off" "$tmp/err"

what="an ELF without the PVH note: one line, exit 1"
boot elf-nonote
ok [ "$rc" = 1 ]
ok [ "$(cat "$tmp/err")" = "ptvm: kernel '$tmp/elf-nonote': ELF kernel without a PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY); build it with CONFIG_PVH=y, or boot its bzImage" ]
ok [ ! -s "$tmp/out" ]

entry="$tmp/cache/vmlinux-$(sha256sum "$tmp/bzimage" | cut -d' ' -f1)"
what="a bzImage with a PVH payload: decompressed, cached as $entry, PVH"
boot bzimage --verbose
ok [ "$rc" = 0 ]
ok grep -qx "pvh" "$tmp/out"
ok grep -qx "ptvm: kernel: '$tmp/bzimage': bzImage's gzip vmlinux (4175 bytes, decompressed, now in the kernel cache $entry), booting through PVH (entry 0x100000)" "$tmp/err"
ok [ -f "$entry" ]
ok [ "$(tail -c +65 "$entry" | cmp - "$tmp/elf" && echo same)" = same ]

what="the same bzImage again: from the cache"
boot bzimage --verbose
ok grep -qx "pvh" "$tmp/out"
ok grep -q "(4175 bytes, from the kernel cache $entry), booting through PVH" "$tmp/err"

what="a damaged entry: rebuilt, said why, booted through PVH"
printf 'X' | dd of="$entry" bs=1 seek=100 conv=notrunc 2>/dev/null
boot bzimage --verbose
ok grep -qx "pvh" "$tmp/out"
ok grep -qx "ptvm: kernel: cache: entry $entry fails its CRC-32: rebuilt" "$tmp/err"
ok [ "$(tail -c +65 "$entry" | cmp - "$tmp/elf" && echo same)" = same ]

what="--no-kernel-cache: decompressed, the cache untouched, PVH; no --verbose: no line"
rm -rf "$tmp/cache"
boot bzimage --verbose --no-kernel-cache
ok grep -qx "pvh" "$tmp/out"
ok grep -q "(4175 bytes, decompressed), booting through PVH" "$tmp/err"
ok [ ! -e "$tmp/cache" ]
boot bzimage --no-kernel-cache
ok [ "$rc" = 0 ]
ok [ ! -s "$tmp/err" ]

what="--no-pvh: the bzImage's own 64-bit entry; an ELF refused in one line"
boot bzimage --verbose --no-pvh
ok [ "$rc" = 0 ]
ok grep -qx "64" "$tmp/out"
ok grep -qx "ptvm: kernel: '$tmp/bzimage': bzImage through the 64-bit boot protocol (--no-pvh)" \
	"$tmp/err"
boot elf --no-pvh
ok [ "$rc" = 1 ]
ok [ "$(cat "$tmp/err")" = "ptvm: kernel '$tmp/elf': an ELF vmlinux boots only through PVH: drop --no-pvh, or boot its bzImage" ]

what="a bzImage whose payload lacks the PVH note: its own 64-bit entry, said why"
boot bzimage-nonote --verbose
ok [ "$rc" = 0 ]
ok grep -qx "64" "$tmp/out"
ok grep -qx "ptvm: kernel: '$tmp/bzimage-nonote': bzImage through the 64-bit boot protocol: its vmlinux has no PVH entry note" "$tmp/err"

ok_end smoke-pvh
