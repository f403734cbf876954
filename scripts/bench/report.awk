# usage: awk -v jsonl=FILE -v md=FILE -v dat=FILE -v run=ID -f report.awk L1-CONSOLE
# The figures of scripts/bench/run.sh from the PTVM-BENCH lines of the
# bench's L1 console (scripts/bench/vs/vs_lib.sh): every key=value of every
# run as one JSON line (jsonl; plus the derived ones below), and per figure
# of the list at the end the median, min and max over the rounds of each VMM
# that ended well (rc 0, the value seen), with the ratios ptvm/q35 and
# ptvm/microvm of the medians, as a Markdown table (md) and a data file for
# the chart (dat: figure, ratio to q35, ratio to microvm; no exit counts). Plain POSIX awk
# (Debian's default is mawk: no asort).

function json(b, v, r, k, val) {
	printf "{\"run\":\"%s\",\"bench\":\"%s\",\"vmm\":\"%s\",\"round\":%d,\"metric\":\"%s\",\"value\":%s}\n",
		run, b, v, r, k, val >jsonl
}

# keep B V K VAL: one measurement, if its run ended well.
function keep(b, v, k, val) {
	if (val < 0 || !ok)
		return
	n[b SUBSEP k SUBSEP v]++
	x[b SUBSEP k SUBSEP v SUBSEP n[b SUBSEP k SUBSEP v]] = val + 0
}

/^PTVM-BENCH bench=/ {
	delete f
	for (i = 2; i <= NF; i++)
		if ((p = index($i, "=")) > 1)
			f[substr($i, 1, p - 1)] = substr($i, p + 1)
	b = f["bench"]; v = f["vmm"]; r = f["round"]
	ok = f["rc"] == "0"
	# A dma run is stopped by vmmrun once pinned: SIGTERM's 143 is its end.
	if (b ~ /^dma_/ && v != "raw")
		ok = f["lock_s"] + 0 >= 0 && f["rc"] != ""
	# Per phase: the NVMe's probe is what comes after the init marker.
	for (s = 1; s <= 3; s++) {
		st = s == 1 ? "exits" : s == 2 ? "io_exits" : "mmio_exits"
		if (("nvme_" st) in f && ("init_" st) in f && f["nvme_" st] >= 0 && f["init_" st] >= 0)
			f["probe_" st] = f["nvme_" st] - f["init_" st]
	}
	# While blkbench or iperf3 ran (scripts/bench/vs/vs_nvme.sh, vs_nic.sh).
	for (s = 1; s <= 4; s++) {
		st = s == 1 ? "exits" : s == 2 ? "io_exits" : s == 3 ? "mmio_exits" : "irq_injections"
		if (("end_" st) in f && ("start_" st) in f && f["end_" st] >= 0 && f["start_" st] >= 0)
			f["run_" st] = f["end_" st] - f["start_" st]
	}
	# From the first page pinned or the first sample inside the map ioctl,
	# whichever came first (scripts/bench/vs/vs_dma.sh), to the last page.
	if ("lock_s" in f && f["lock_s"] >= 0 && f["lock0_s"] >= 0) {
		t = f["lock0_s"]
		if ("call0_s" in f && f["call0_s"] >= 0 && f["call0_s"] < t)
			t = f["call0_s"]
		f["pin_s"] = f["lock_s"] - t
	}
	if ("map_s" in f)
		f["pin_s"] = f["map_s"]
	for (k in f) {
		if (k == "bench" || k == "vmm" || k == "round" || f[k] !~ /^-?[0-9.]+$/)
			continue
		json(b, v, r, k, f[k])
		keep(b, v, k, f[k])
	}
	if (!ok)
		failed[b SUBSEP v]++
}

# stats B K V: sets med, lo, hi, cnt over the kept values; 0 if none.
function stats(b, k, v,    key, m, i, j, t, a) {
	key = b SUBSEP k SUBSEP v
	m = n[key] + 0
	cnt = m
	if (!m)
		return 0
	for (i = 1; i <= m; i++)
		a[i] = x[key SUBSEP i]
	for (i = 2; i <= m; i++)
		for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
		}
	med = m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
	lo = a[1]; hi = a[m]
	return 1
}

function fmt(val) {
	if (val >= 100 || val == int(val))
		return sprintf("%.0f", val)
	if (val >= 10)
		return sprintf("%.1f", val)
	return sprintf("%.3g", val)
}

function cell(b, k, v) {
	if (!stats(b, k, v))
		return (b SUBSEP v) in failed ? "failed" : "-"
	return fmt(med) " (" fmt(lo) "-" fmt(hi) (cnt < rounds ? ", n=" cnt : "") ")"
}

function ratio(b, k, v,    p) {
	if (!stats(b, k, "ptvm"))
		return "-"
	p = med
	if (!stats(b, k, v) || med == 0)
		return "-"
	return sprintf("%.2f", p / med)
}

# row B K LABEL: one line of the table, one of the chart's data.
function row(b, k, label,    r1, r2) {
	if (!stats(b, k, "ptvm") && !stats(b, k, "q35") && !stats(b, k, "native") &&
	    !stats(b, k, "raw"))
		return
	r1 = ratio(b, k, "q35")
	r2 = ratio(b, k, "microvm")
	printf "| %s | %s | %s | %s | %s | %s | %s |\n", label, cell(b, k, "ptvm"), cell(b, k, "q35"),
		cell(b, k, "microvm"), cell(b, k, other[b]), r1, r2 >md
	# The chart: the figures, not the exit counts that explain them.
	if ((r1 != "-" || r2 != "-") && k !~ /exits|injections/)
		printf "\"%s\" %s %s\n", label, r1 == "-" ? "NaN" : r1, r2 == "-" ? "NaN" : r2 >dat
}

END {
	rounds = 0
	for (key in n)
		if (n[key] > rounds)
			rounds = n[key]
	print "| figure | ptvm | QEMU q35 | QEMU microvm | L1 native / raw VFIO | ptvm/q35 | ptvm/microvm |" >md
	print "|---|---|---|---|---|---|---|" >md
	row("boot", "init_s", "boot: to L2 init (s)")
	row("boot", "over_kb", "boot: RSS beyond guest RAM (KiB)")
	row("boot", "over_pss_kb", "boot: PSS beyond guest RAM (KiB)")
	row("boot", "init_exits", "boot: L1 KVM exits to init")
	row("boot", "init_io_exits", "boot: L1 KVM PIO exits to init")
	row("boot", "init_mmio_exits", "boot: L1 KVM MMIO exits to init")
	row("boot_nvme", "init_s", "boot+NVMe: to L2 init (s)")
	row("boot_nvme", "nvme_s", "boot+NVMe: to /dev/nvme0n1 (s)")
	row("boot_nvme", "over_kb", "boot+NVMe: RSS beyond guest RAM (KiB)")
	row("boot_nvme", "init_exits", "boot+NVMe: L1 KVM exits to init")
	row("boot_nvme", "probe_exits", "boot+NVMe: L1 KVM exits init to nvme0n1")
	row("boot_nvme", "probe_io_exits", "boot+NVMe: PIO exits init to nvme0n1")
	row("boot_nvme", "probe_mmio_exits", "boot+NVMe: MMIO exits init to nvme0n1")
	other["nvme"] = "native"
	row("nvme", "seq_mbps", "nvme: sequential read (MB/s)")
	row("nvme", "qd1_iops", "nvme: 4k random read QD1 (IOPS)")
	row("nvme", "qd1_p50_us", "nvme: QD1 p50 latency (us)")
	row("nvme", "qd1_p99_us", "nvme: QD1 p99 latency (us)")
	row("nvme", "qd1_max_us", "nvme: QD1 slowest read (us)")
	row("nvme", "qd32_iops", "nvme: 4k random read QD32 (IOPS)")
	row("nvme", "qd32_p50_us", "nvme: QD32 p50 latency (us)")
	row("nvme", "qd32_p99_us", "nvme: QD32 p99 latency (us)")
	row("nvme", "qd32_max_us", "nvme: QD32 slowest read (us)")
	row("nvme", "run_exits", "nvme: L1 KVM exits during blkbench")
	row("nvme", "run_io_exits", "nvme: PIO exits during blkbench")
	row("nvme", "run_irq_injections", "nvme: L1 KVM irq injections during blkbench")
	row("nic", "tcp_tx_mbps", "nic: TCP L2 to L1 (Mbit/s)")
	row("nic", "tcp_rx_mbps", "nic: TCP L1 to L2 (Mbit/s)")
	row("nic", "udp_tx_mbps", "nic: UDP L2 to L1 (Mbit/s)")
	row("nic", "udp_rx_mbps", "nic: UDP L1 to L2 (Mbit/s)")
	row("nic", "run_exits", "nic: L1 KVM exits during iperf3")
	row("nic", "run_io_exits", "nic: PIO exits during iperf3")
	row("nic", "run_irq_injections", "nic: L1 KVM irq injections during iperf3")
	split("1024 2048 4096", sz, " ")
	split("4k thp huge", bk, " ")
	for (i = 1; i <= 3; i++)
		for (j = 1; j <= 3; j++) {
			b = "dma_" bk[j] "_" sz[i] "M"
			other[b] = "raw"
			row(b, "pin_s", "dma: pin+map " sz[i] " MiB, " bk[j] " (s)")
			row(b, "lock_s", "dma: VMM start to all pinned, " sz[i] " MiB, " bk[j] " (s)")
		}
}
