# virtdeck - SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# Sourced by lab and UI test scripts:   . "$(dirname "$0")/../lab/lib.sh"
#
# Lab:
#   lab_up                 bring the lab up (tests/lab/lab.sh up), log in $LAB/up.log;
#                          on failure prints the log tail as TAP diagnostics, returns 1
#   lab_libvirtd_pid       print libvirtd's PID (returns 1 if not running)
#   lab_stop_libvirtd      stop libvirtd by PID and wait (for reconnect tests)
#   lab_start_libvirtd     start it again the way `up` does and wait until it answers
#   LAB LAB_URI LAB_SSH_URI LAB_LXC_URI LAB_SSH_PORT LAB_IMAGES LAB_ISO LAB_VMS
#   LAB_LIBSSH2_URI        see `tests/lab/lab.sh env`
# TAP (the automake TAP driver reads stdout):
#   tap_plan N             "1..N" (or call tap_done at the end instead)
#   tap_ok RC "desc"       "ok"/"not ok" by exit status RC; returns RC, so under
#                          set -e write: tap_ok $? "desc" || true
#   tap_check "desc" CMD.. run CMD, ok if it succeeds; on failure its output
#                          becomes diagnostics. Returns CMD's status.
#   tap_skip "reason"      one skipped test
#   tap_skip_all "reason"  "1..0 # SKIP reason", exit 0 (use before any test)
#   tap_diag "text"        diagnostics, each line prefixed with "# "
#   tap_bail "reason"      "Bail out! reason", exit 1
#   tap_done               print a late plan if none was given; exit 1 if any failed

LAB_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_CTL=$LAB_LIB_DIR/lab.sh
: "${LAB:=/var/tmp/virtdeck-lab}"
export LAB
eval "$("$LAB_CTL" env)"

# ---- TAP ----------------------------------------------------------------------

TAP_N=0
TAP_FAILED=0
TAP_PLANNED=

tap_plan() {
    TAP_PLANNED=$1
    echo "1..$1"
}

tap_diag() {
    printf '%s\n' "$*" | sed 's/^/# /'
}

# TAP descriptions must not contain '#' (directive) or newlines; map them.
_tap_desc() {
    printf '%s' "$*" | tr '#\n\r' '_  '
}

tap_ok() {
    local rc=$1; shift
    TAP_N=$((TAP_N + 1))
    if [ "$rc" -eq 0 ]; then
        echo "ok $TAP_N - $(_tap_desc "$*")"
    else
        echo "not ok $TAP_N - $(_tap_desc "$*")"
        TAP_FAILED=$((TAP_FAILED + 1))
    fi
    return "$rc"
}

tap_check() {
    local desc=$1 out rc=0; shift
    out=$("$@" 2>&1) || rc=$?
    tap_ok "$rc" "$desc" || true
    if [ "$rc" -ne 0 ]; then
        tap_diag "command: $*"
        tap_diag "exit status $rc"
        [ -z "$out" ] || tap_diag "$out"
    fi
    return "$rc"
}

tap_skip() {
    TAP_N=$((TAP_N + 1))
    echo "ok $TAP_N # SKIP $(_tap_desc "$*")"
}

tap_skip_all() {
    echo "1..0 # SKIP $(_tap_desc "$*")"
    exit 0
}

tap_bail() {
    echo "Bail out! $(_tap_desc "$*")"
    exit 1
}

tap_done() {
    [ -n "$TAP_PLANNED" ] || echo "1..$TAP_N"
    [ "$TAP_FAILED" -eq 0 ]
}

# ---- lab -------------------------------------------------------------------------

lab_up() {
    mkdir -p "$LAB"
    if ! "$LAB_CTL" up > "$LAB/up.log" 2>&1; then
        tap_diag "tests/lab/lab.sh up failed; end of $LAB/up.log:"
        tap_diag "$(tail -n 20 "$LAB/up.log")"
        return 1
    fi
}

lab_libvirtd_pid() {
    "$LAB_CTL" pid libvirtd
}

lab_stop_libvirtd() {
    "$LAB_CTL" stop-libvirtd >> "$LAB/up.log" 2>&1
}

lab_start_libvirtd() {
    "$LAB_CTL" start-libvirtd >> "$LAB/up.log" 2>&1
}
