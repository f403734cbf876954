# vs_boot: boot time and memory. Per round and VMM, two L2 boots of
# $L2_MEMORY: with no device (init marker) and with the NVMe passed (init
# marker, then /dev/nvme0n1 after L2 loads its modules). Figures from
# vmmrun: init_s / nvme_s (from the VMM's start), L1 KVM's exits up to each
# (init_exits, nvme_exits, ...), over_kb (RSS beyond guest RAM, largest
# sample, ptvm's two processes summed).

. /cases/vs_lib.sh
. /cases/pt_nvme.sh

l2() {
	if [ "$(vs_arg arg)" = nvme ]; then
		while read -r m; do insmod "/lib/modules/$m"; done </etc/modules
		nvme_wait && echo PTVM-BENCH-NVME-OK
	fi
	# The counters are per live VM: stay up while L1 reads them.
	sleep 0.3
}

l1() {
	need_ptvm
	vs_prepare
	nvme=$(pci_find_class 0x010802) || fail "no NVMe (class 0x010802) in L1"
	vfio_bind "$nvme" >/dev/null || fail "vfio-pci did not bind $nvme"
	kb=$((${L2_MEMORY%M} * 1024))
	r=1
	while [ "$r" -le "$N" ]; do
		for v in $(vs_order "$r"); do
			vs_run "$v" "${L2_MEMORY%M}" vs_boot thp "" -r "$kb" -m init=PTVM-L2-INIT-OK
			vs_emit boot "$v" "$r" "$res"
			vs_run "$v" "${L2_MEMORY%M}" vs_boot:nvme thp "$nvme" -r "$kb" \
				-m init=PTVM-L2-INIT-OK -m nvme=PTVM-BENCH-NVME-OK
			vs_emit boot_nvme "$v" "$r" "$res"
		done
		r=$((r + 1))
	done
	pass
}
