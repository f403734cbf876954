#!/bin/sh
# usage: sandbox.sh PTVM MKBZIMAGE
# The VM process's sandbox on this host's /dev/kvm, with tiny guests from
# mkbzimage (a line on the serial port, then poweroff or a spin): the
# monitor stays root, the VM process runs as the default user with no
# capabilities under the seccomp filter; SIGTERM of the monitor reaches it;
# the test knob's forbidden syscall kills it, named by the monitor; a guest
# that reboots is built again and again under the filter; the control
# socket is served by the VM process and removed by the monitor; bad
# --user values are refused in one line. Needs root and /dev/kvm, else
# skipped. Ends with "smoke-sandbox: N passed, N failed".
set -u
ptvm=$1
. "$(dirname "$0")/lib_ok.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ "$(id -u)" != 0 ] || [ ! -w /dev/kvm ]; then
	echo "  skipped: needs root and /dev/kvm"
	ok_end smoke-sandbox
	exit
fi
"$2" poweroff "$tmp/poweroff" && "$2" spin "$tmp/spin" && "$2" reboot "$tmp/reboot" || exit 1
if id ptvm >/dev/null 2>&1; then
	user=ptvm why="the default"
else
	user=nobody why="the default: no user ptvm"
fi
uid=$(id -u "$user")
gid=$(id -g "$user")
run="$ptvm run --memory 64M --kernel"

# status_field PID NAME: the value of NAME: in /proc/PID/status, blanks as one.
status_field() { awk -v n="$2:" '$1 == n { $1 = ""; print substr($0, 2) }' "/proc/$1/status"; }

# guest_start IMAGE LINE [ENV=VALUE...] [-- PTVM-OPTION...]: IMAGE in the
# background, stdin a FIFO on fd 3; waits for LINE on its console and the
# VM process's --verbose line (sets mon and vm).
guest_start() {
	img=$1 line=$2
	shift 2
	rm -f "$tmp/in"
	mkfifo "$tmp/in"
	env_args=
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		env_args="$env_args $1"
		shift
	done
	[ $# -gt 0 ] && shift
	env $env_args $run "$img" --verbose "$@" <"$tmp/in" >"$tmp/out" 2>"$tmp/err" &
	mon=$!
	exec 3>"$tmp/in"
	i=0
	while [ $i -lt 100 ] && ! { grep -q "$line" "$tmp/out" &&
		grep -q "^ptvm: sandbox: VM process" "$tmp/err"; }; do
		sleep 0.1
		i=$((i + 1))
	done
	vm=$(sed -n 's/^ptvm: sandbox: VM process \([0-9]*\) .*/\1/p' "$tmp/err")
}

spin_start() { guest_start "$tmp/spin" up "$@"; }

# end_within SECS: wait for the monitor $mon, its exit status in rc; a ptvm
# still running after SECS is killed (rc 137), so that a failure cannot hang.
end_within() {
	(
		sleep "$1"
		kill -KILL "$mon" "$vm" 2>/dev/null
	) &
	killer=$!
	wait "$mon"
	rc=$?
	kill "$killer" 2>/dev/null
}

what="a guest that powers off: exit 0, its output, the sandbox's --verbose line"
$run "$tmp/poweroff" --verbose </dev/null >"$tmp/out" 2>"$tmp/err"
ok [ $? = 0 ]
ok grep -qx "ok" "$tmp/out"
ok grep -Eqx "ptvm: sandbox: VM process [0-9]+ runs as $user \(uid $uid gid $gid, $why\), no capabilities, seccomp allowlist of [0-9]+ syscalls \([0-9]+ ioctl requests\)" "$tmp/err"
ok grep -qx "ptvm: guest powered off" "$tmp/err"

what="while the guest runs: the VM process has no capabilities, seccomp mode 2, uid $uid"
spin_start
ok [ -n "$vm" ]
ok [ "$(status_field "$vm" PPid)" = "$mon" ]
ok [ "$(status_field "$vm" CapEff)" = 0000000000000000 ]
ok [ "$(status_field "$vm" CapPrm)" = 0000000000000000 ]
ok [ "$(status_field "$vm" CapBnd)" = 0000000000000000 ]
ok [ "$(status_field "$vm" Seccomp)" = 2 ]
ok [ "$(status_field "$vm" NoNewPrivs)" = 1 ]
ok [ "$(status_field "$vm" Uid)" = "$uid $uid $uid $uid" ]
ok [ "$(status_field "$vm" Gid)" = "$gid $gid $gid $gid" ]
ok [ -z "$(status_field "$vm" Groups)" ]
what="while the guest runs: the monitor is root"
ok [ "$(status_field "$mon" Uid)" = "0 0 0 0" ]
what="SIGTERM of the monitor stops the guest: exit 130"
kill -TERM "$mon"
end_within 10
ok [ "$rc" = 130 ]
exec 3>&-
ok grep -qx "ptvm: stopped by SIGTERM" "$tmp/err"
ok [ ! -d "/proc/$vm" ]

what="PTVM_TEST_SYSCALL=ptrace: killed on console input, the monitor names it, exit 1"
spin_start PTVM_TEST_SYSCALL=ptrace
echo x >&3
end_within 10
ok [ "$rc" = 1 ]
exec 3>&-
ok grep -qx "ptvm: VM process killed: forbidden syscall ptrace (101)" "$tmp/err"
ok [ "$(grep -vc "^ptvm: numa: \|^ptvm: sandbox: \|^ptvm: kernel: " "$tmp/err")" = 1 ]

what="a guest that reboots: restarted in the VM process, a new KVM VM each time, under the filter"
guest_start "$tmp/reboot" rb
i=0
while [ $i -lt 100 ] && ! grep -q "restarting (reboot 3)" "$tmp/err"; do
	sleep 0.1
	i=$((i + 1))
done
ok grep -qx "ptvm: guest rebooted: restarting (reboot 3)" "$tmp/err"
ok [ "$(status_field "$vm" Seccomp)" = 2 ]
kill -TERM "$mon"
end_within 10
exec 3>&-
ok [ "$rc" = 130 ]
ok [ "$(grep -c "VM process killed" "$tmp/err")" = 0 ]

what="the control socket: the VM process serves it, the monitor removes it"
spin_start -- --api-socket "$tmp/api.sock"
ok [ "$(stat -c %U:%a "$tmp/api.sock" 2>/dev/null)" = root:600 ]
"$ptvm" ctl "$tmp/api.sock" status >"$tmp/ctl" 2>&1
ok grep -q '"state":"running"' "$tmp/ctl"
"$ptvm" ctl "$tmp/api.sock" pause >/dev/null 2>&1
"$ptvm" ctl "$tmp/api.sock" status >"$tmp/ctl" 2>&1
ok grep -q '"state":"paused"' "$tmp/ctl"
"$ptvm" ctl "$tmp/api.sock" resume >/dev/null 2>&1
"$ptvm" ctl "$tmp/api.sock" poweroff >/dev/null 2>&1
end_within 10
exec 3>&-
ok [ "$rc" = 0 ]
ok grep -qx "ptvm: stopped by the control socket (poweroff)" "$tmp/err"
ok [ ! -e "$tmp/api.sock" ]
what="the control socket with --user $user: the user owns it"
spin_start -- --api-socket "$tmp/api.sock" --user "$user"
ok [ "$(stat -c %U:%a "$tmp/api.sock" 2>/dev/null)" = "$user:600" ]
kill -TERM "$mon"
end_within 10
exec 3>&-
ok [ "$rc" = 130 ]
ok [ ! -e "$tmp/api.sock" ]

what="PTVM_TEST_SYSCALL=read is refused: the sandbox allows it"
PTVM_TEST_SYSCALL=read $run "$tmp/poweroff" </dev/null >"$tmp/out" 2>"$tmp/err"
ok [ $? = 1 ]
ok grep -qx "ptvm: PTVM_TEST_SYSCALL=read: the sandbox allows it (a test knob: name a syscall outside the allowlist, e.g. ptrace)" "$tmp/err"

what="--user with no such user: one line, exit 1"
$run "$tmp/poweroff" --user ptvm-no-such-user </dev/null >"$tmp/out" 2>"$tmp/err"
ok [ $? = 1 ]
ok [ "$(cat "$tmp/err")" = "ptvm: --user ptvm-no-such-user: no such user (see /etc/passwd)" ]
what="--user root: refused, exit 1"
$run "$tmp/poweroff" --user root </dev/null >"$tmp/out" 2>"$tmp/err"
ok [ $? = 1 ]
ok [ "$(cat "$tmp/err")" = "ptvm: --user root has uid 0: the VM process must not run as root (give another user)" ]

what="--no-sandbox: one process, it says what is not confined, exit 0"
$run "$tmp/poweroff" --no-sandbox </dev/null >"$tmp/out" 2>"$tmp/err"
ok [ $? = 0 ]
ok grep -q "^ptvm: --no-sandbox: the vCPUs and device models run in ptvm's own process, as root with every capability and no syscall filter" "$tmp/err"

ok_end smoke-sandbox
