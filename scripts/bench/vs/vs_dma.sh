# vs_dma: the time to pin and map guest RAM for VFIO. Per size (MiB,
# ptvm.bench_dma_mib, default 1024,2048,4096), backing and round: ptvm and
# QEMU q35 start with the NVMe passed and are stopped (SIGTERM) as soon as
# the pages VFIO pinned for them (VmLck, which type1 accounts them in)
# reach the guest RAM, less 1 MiB (QEMU leaves the 640K-1M hole out);
# vmmrun samples every 10 ms: lock0_s is the first pinned page, lock_s
# all of it, call0_s the first sample with the VMM inside a VFIO type1
# ioctl (hugetlbfs pages pin in runs so long that VmLck jumps only at the
# end); the pin time is lock_s less the earlier of the two. raw: vfiomap's one VFIO_IOMMU_MAP_DMA of the same size and
# backing, the floor. Backings: 4k (THP off in L1), thp (THP always, L1's
# default; both VMMs madvise their RAM), huge (2 MiB hugetlbfs pages,
# reserved once at the start). ptvm.bench_dma_n rounds (default N).
# microvm is left out: its DMA setup is QEMU's, the same code as q35's.

. /cases/vs_lib.sh

THP=/sys/kernel/mm/transparent_hugepage/enabled

l2() {
	:
}

# dma_one raw|ptvm|q35 MIB BACKING ROUND: one measurement, one line.
dma_one() {
	local o rc bk=thp
	if [ "$1" = raw ]; then
		o=$(vfiomap "$group" "$2" "$3" 2>&1) && rc=0 || rc=$?
		echo "$o"
		vs_emit "dma_${3}_${2}M" raw "$4" "rc=$rc $o"
		return
	fi
	[ "$3" != huge ] || bk=huge
	vs_run "$1" "$2" vs_dma "$bk" "$nvme" -i 10 -t 600 -l $(($2 * 1024 - 1024)) \
		-w vfio_iommu_type1_ioctl
	vs_emit "dma_${3}_${2}M" "$1" "$4" "$res"
}

l1() {
	need_ptvm
	vs_prepare
	sizes=$(vs_arg bench_dma_mib 1024,2048,4096 | tr , ' ')
	n=$(vs_arg bench_dma_n "$N")
	nvme=$(pci_find_class 0x010802) || fail "no NVMe (class 0x010802) in L1"
	group=$(vfio_bind "$nvme") || fail "vfio-pci did not bind $nvme"
	max=0
	for mib in $sizes; do [ "$mib" -le "$max" ] || max=$mib; done
	mkdir -p /dev/hugepages
	mount -t hugetlbfs hugetlbfs /dev/hugepages || fail "cannot mount hugetlbfs"
	want=$((max / 2 + 16))
	echo "$want" >/proc/sys/vm/nr_hugepages
	got=$(cat /proc/sys/vm/nr_hugepages)
	[ "$got" -ge "$want" ] || fail "L1 gave $got of $want 2 MiB hugetlb pages (more L1 memory?)"
	for mib in $sizes; do
		for b in 4k thp huge; do
			if [ "$b" = 4k ]; then echo never >$THP; else echo always >$THP; fi
			# In a trial run raw, always first, took 2.5-3.5 s for 1 GiB
			# against the VMMs' 0.7-1.3 s; L1 RAM the host's TCG QEMU has
			# not backed yet is the likely cost. So one unmeasured map
			# of the size and backing first, and the order rotates.
			vfiomap "$group" "$mib" "$b" >/dev/null 2>&1
			r=1
			while [ "$r" -le "$n" ]; do
				for v in $(vs_order "$r" raw ptvm q35); do
					dma_one "$v" "$mib" "$b" "$r"
				done
				r=$((r + 1))
			done
		done
	done
	echo always >$THP
	echo 0 >/proc/sys/vm/nr_hugepages
	pass
}
