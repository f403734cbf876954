#!/bin/sh
# usage: hardening.sh BINARY...
# The hardened build (Makefile, HARDEN_*): each binary is a position-
# independent executable (ELF type DYN with the PIE flag), fully RELRO
# (a GNU_RELRO segment and BIND_NOW: the GOT is read-only once started), its
# stack not executable, and it calls the stack protector's __stack_chk_fail
# and _FORTIFY_SOURCE's checked functions (__*_chk). Ends with
# "smoke-hardening: N passed, N failed".
set -u
passed=0
failed=0

ok() {
	if "$@"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "  FAILED: $bin: $what"
	fi
}

for bin in "$@"; do
	if [ ! -x "$bin" ]; then
		failed=$((failed + 1))
		echo "  FAILED: $bin: no such binary"
		continue
	fi
	hdr=$(readelf -hW "$bin")
	dyn=$(readelf -dW "$bin")
	seg=$(readelf -lW "$bin")
	# A static binary has no dynamic symbols: its own table names what it calls.
	syms=$(readelf -sW --dyn-syms "$bin" | awk '{ print $8 }' | sed 's/@.*//' | sort -u)
	what="ELF type DYN (PIE)"
	ok sh -c 'printf "%s\n" "$1" | grep -q "^ *Type: *DYN "' - "$hdr"
	what="FLAGS_1 has PIE"
	ok sh -c 'printf "%s\n" "$1" | grep -q "(FLAGS_1).*PIE"' - "$dyn"
	what="BIND_NOW (full RELRO, -z now)"
	ok sh -c 'printf "%s\n" "$1" | grep -Eq "\(FLAGS\).*BIND_NOW|\(FLAGS_1\).*NOW"' - "$dyn"
	what="a GNU_RELRO segment (-z relro)"
	ok sh -c 'printf "%s\n" "$1" | grep -q "^ *GNU_RELRO "' - "$seg"
	what="a GNU_STACK segment without E (no executable stack)"
	ok sh -c 'printf "%s\n" "$1" | grep -Eq "^ *GNU_STACK .* RW +0x"' - "$seg"
	what="__stack_chk_fail (-fstack-protector-strong)"
	ok sh -c 'printf "%s\n" "$1" | grep -qx "__stack_chk_fail"' - "$syms"
	what="glibc's checked functions __*_chk (_FORTIFY_SOURCE)"
	ok sh -c 'printf "%s\n" "$1" | grep -Eqx "__(snprintf|vsnprintf|fprintf|memcpy|read)_chk"' - "$syms"
done
echo "smoke-hardening: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
