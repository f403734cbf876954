#!/bin/sh
# usage: hardening.sh BINARY...
# The hardened build (Makefile, HARDEN_*): each binary is a position-
# independent executable (ELF type DYN with the PIE flag), fully RELRO
# (a GNU_RELRO segment and BIND_NOW: the GOT is read-only once started), its
# stack not executable, and it calls the stack protector's __stack_chk_fail
# and _FORTIFY_SOURCE's checked functions (__*_chk). Ends with
# "smoke-hardening: N passed, N failed".
set -u
. "$(dirname "$0")/lib_ok.sh"

# has WHAT TEXT ERE: a line of TEXT matches ERE (grep -E).
has() {
	what="$bin: $1"
	ok sh -c 'printf "%s\n" "$1" | grep -Eq -e "$2"' - "$2" "$3"
}

for bin in "$@"; do
	what="$bin: no such binary"
	ok [ -x "$bin" ]
	[ -x "$bin" ] || continue
	hdr=$(readelf -hW "$bin")
	dyn=$(readelf -dW "$bin")
	seg=$(readelf -lW "$bin")
	# A static binary has no dynamic symbols: its own table names what it calls.
	syms=$(readelf -sW --dyn-syms "$bin" | awk '{ print $8 }' | sed 's/@.*//' | sort -u)
	has "ELF type DYN (PIE)" "$hdr" "^ *Type: *DYN "
	has "FLAGS_1 has PIE" "$dyn" "\(FLAGS_1\).*PIE"
	has "BIND_NOW (full RELRO, -z now)" "$dyn" "\(FLAGS\).*BIND_NOW|\(FLAGS_1\).*NOW"
	has "a GNU_RELRO segment (-z relro)" "$seg" "^ *GNU_RELRO "
	has "a GNU_STACK segment without E (no executable stack)" "$seg" "^ *GNU_STACK .* RW +0x"
	has "__stack_chk_fail (-fstack-protector-strong)" "$syms" "^__stack_chk_fail$"
	has "glibc's checked functions __*_chk (_FORTIFY_SOURCE)" "$syms" \
		"^__(snprintf|vsnprintf|fprintf|memcpy|read)_chk$"
done
ok_end smoke-hardening
