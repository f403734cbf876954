# Helpers for the cases with managed devices (pt_managed, sandbox), loaded
# with lib.sh into every case.

RUN_DIR=/run/ptvm

pci_driver() {
	basename "$(readlink "/sys/bus/pci/devices/$1/driver" 2>/dev/null)" 2>/dev/null
}

# bail REASON: stop any ptvm still running (it holds devices), then fail.
bail() {
	kill -9 $(pidof ptvm) 2>/dev/null
	fail "$*"
}

# back_on BDF DRIVER WHEN: BDF is on DRIVER again, without override or record.
back_on() {
	[ "$(pci_driver "$1")" = "$2" ] || bail "$3: $1 is on '$(pci_driver "$1")', not back on $2"
	o=$(cat "/sys/bus/pci/devices/$1/driver_override")
	[ "$o" = "(null)" ] || bail "$3: the driver_override of $1 is still '$o'"
	[ ! -e "$RUN_DIR/$1" ] || bail "$3: its record $RUN_DIR/$1 is left: $(tr '\n' ' ' <"$RUN_DIR/$1")"
}
