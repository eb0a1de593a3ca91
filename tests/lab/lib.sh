# virtdeck - SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# Sourced by lab and UI test scripts:   . "$(dirname "$0")/../lab/lib.sh"
#
# Lab:
#   lab_up                 bring the lab up (tests/lab/lab.sh up), log in $LAB/up.log;
#                          on failure prints the log tail as TAP diagnostics, returns 1;
#                          holds $LAB/.tests.lock until the script exits (one lab
#                          script at a time)
#   lab_libvirtd_pid       print libvirtd's PID (returns 1 if not running)
#   lab_stop_libvirtd      stop libvirtd by PID and wait (for reconnect tests)
#   lab_start_libvirtd     start it again the way `up` does and wait until it answers
#   LAB LAB_URI LAB_SSH_URI LAB_LXC_URI LAB_SSH_PORT LAB_IMAGES LAB_ISO LAB_VMS
#   LAB_LIBSSH2_URI LAB_LINUX_VM LAB_LXC_CT LAB_H2_URI LAB_H2_VMS LAB_H2_LINUX_VM
#   LAB_DELAY_URI LAB_DELAY_PORT
#                          see `tests/lab/lab.sh env` and docs/lab.md
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
    # names with a prefix: the checked command sees the caller's variables
    local _tc_desc=$1 _tc_out _tc_rc=0; shift
    _tc_out=$("$@" 2>&1) || _tc_rc=$?
    tap_ok "$_tc_rc" "$_tc_desc" || true
    if [ "$_tc_rc" -ne 0 ]; then
        tap_diag "command: $*"
        tap_diag "exit status $_tc_rc"
        [ -z "$_tc_out" ] || tap_diag "$_tc_out"
    fi
    return "$_tc_rc"
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

# Lab scripts share the lab VMs and one of them stops libvirtd: lab_up first
# takes $LAB/.tests.lock (fd 8) for the rest of the script, so they run one
# at a time even under make -j. Daemons and tmux must not inherit fd 8.
lab_up() {
    mkdir -p "$LAB"
    if [ -z "${LAB_TESTS_LOCKED:-}" ]; then
        exec 8> "$LAB/.tests.lock"
        if ! flock -w 1800 8; then
            tap_diag "another lab test held $LAB/.tests.lock for 30 minutes"
            return 1
        fi
        LAB_TESTS_LOCKED=1
    fi
    if ! "$LAB_CTL" up > "$LAB/up.log" 2>&1 8>&-; then
        tap_diag "tests/lab/lab.sh up failed; end of $LAB/up.log:"
        tap_diag "$(tail -n 20 "$LAB/up.log")"
        return 1
    fi
}

lab_libvirtd_pid() {
    "$LAB_CTL" pid libvirtd
}

lab_stop_libvirtd() {
    "$LAB_CTL" stop-libvirtd >> "$LAB/up.log" 2>&1 8>&-
}

lab_start_libvirtd() {
    "$LAB_CTL" start-libvirtd >> "$LAB/up.log" 2>&1 8>&-
}

# ---- clean-up on exit ------------------------------------------------------------
#   lab_on_exit CMD...     run CMD when the script exits (last registered runs
#                          first); one EXIT trap for the lab and the UI helpers

LAB_EXIT_CMDS=()
lab_on_exit() {
    local q
    printf -v q '%q ' "$@"
    LAB_EXIT_CMDS=("$q" ${LAB_EXIT_CMDS[@]+"${LAB_EXIT_CMDS[@]}"})
}
_lab_run_exit() {
    local rc=$? c
    trap - EXIT
    for c in ${LAB_EXIT_CMDS[@]+"${LAB_EXIT_CMDS[@]}"}; do
        eval "$c" > /dev/null 2>&1 || true
    done
    exit "$rc"
}
trap _lab_run_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# ---- libvirt state (virsh) ---------------------------------------------------------
#   lab_virsh URI ARGS...          virsh -q -c URI ARGS, 30 s timeout, no terminal
#   lab_domstate URI NAME          "running", "shut off", ... (empty if undefined)
#   lab_wait_domstate URI NAME STATE [SECONDS]
#                                  poll every 0.1 s (default 20 s); diagnostics on timeout
#   lab_dominfo URI NAME FIELD     a field of virsh dominfo ("Autostart", "Managed save")
#   lab_domains_off URI NAME...    destroy those running, remove managed saves,
#                                  autostart off (resets the lab VMs between runs)

lab_virsh() {
    local uri=$1; shift
    timeout 30 setsid -w virsh -q -c "$uri" "$@" < /dev/null
}

lab_domstate() {
    lab_virsh "$1" domstate "$2" 2> /dev/null | sed '/^$/d'
}

lab_wait_domstate() {
    local uri=$1 name=$2 want=$3 secs=${4:-20} s="" t0
    t0=$(lab_ms)
    while :; do
        s=$(lab_domstate "$uri" "$name")
        [ "$s" = "$want" ] && return 0
        if [ $(($(lab_ms) - t0)) -ge $((secs * 1000)) ]; then
            tap_diag "virsh: $name is '$s' on $uri, expected '$want' within ${secs}s"
            return 1
        fi
        sleep 0.1
    done
}

# lab_grub_menu URI NAME: the domain's serial console shows the lab GRUB
# menu (a key redraws it); needs expect; the session is in $VD_TMP/console.log
lab_grub_menu() {
    expect -c "
        set timeout 20
        spawn virsh -c $1 console --force $2
        after 1500
        send \"\033\[B\"
        expect {
            \"Lab entry\" { exit 0 }
            timeout { exit 1 }
        }" > "$VD_TMP/console.log" 2>&1
}

lab_dominfo() {
    lab_virsh "$1" dominfo "$2" 2> /dev/null | sed -n "s/^$3: *//p"
}

lab_domains_off() {
    local uri=$1 d; shift
    for d in "$@"; do
        lab_virsh "$uri" dominfo "$d" > /dev/null 2>&1 || continue
        case $(lab_domstate "$uri" "$d") in
            "shut off") ;;
            *) lab_virsh "$uri" destroy "$d" > /dev/null 2>&1 || true ;;
        esac
        [ "$(lab_dominfo "$uri" "$d" "Managed save")" != yes ] ||
            lab_virsh "$uri" managedsave-remove "$d" > /dev/null 2>&1 || true
        [ "$(lab_dominfo "$uri" "$d" Autostart)" != enable ] ||
            lab_virsh "$uri" autostart --disable "$d" > /dev/null 2>&1 || true
    done
}

# milliseconds since the epoch
lab_ms() {
    echo $(($(date +%s%N) / 1000000))
}

# ---- virtdeck in tmux ----------------------------------------------------------------
# The real binary in a detached tmux session on a private socket, with private
# XDG_CONFIG_HOME and XDG_STATE_HOME (the user's configuration is never read
# or written). Screen checks poll the pane every 20 ms up to a timeout.
#
#   vd_init                    check tmux and the binary (else skip all), make
#                              VD_TMP; call before tap_plan
#   vd_config TEXT             write TEXT as virtdeck's config file
#   vd_start W H ARGS...       start virtdeck (ending any previous session)
#   vd_screen [-e]             the screen as text (-e: with colour escapes)
#   vd_has TEXT                TEXT is on the screen now
#   vd_wait_for TEXT [SECS]    until TEXT shows (default VD_TIMEOUT, 15 s)
#   vd_wait_gone TEXT [SECS]   until TEXT is gone
#   vd_wait CMD...             until CMD succeeds (VD_WAIT_SECS, default VD_TIMEOUT)
#                              every vd_wait* sets VD_WAITED_MS (how long it took)
#   vd_keys KEY...             tmux send-keys names: j Enter Escape Tab Space BSpace
#   vd_type TEXT               literal text
#   vd_right                   the right pane (domain list) lines
#   vd_row NAME                the domain list row of NAME (first match)
#   vd_row_has NAME TEXT       that row contains TEXT
#   vd_wait_row NAME TEXT [SECS]
#   vd_host_state N            the Connection column of host N in the host tree
#   vd_wait_host N STATE [SECS]
#   vd_cursor                  the name in the highlighted domain list row
#   vd_status                  the status line(s) above the F-key bar, joined,
#                              whitespace removed
#   vd_squeeze TEXT            TEXT with all whitespace removed
#   vd_filter TEXT             set the domain filter to TEXT (/ ... Enter)
#   vd_alive                   the virtdeck process is still running
#   vd_check "desc" CMD...     a TAP check run in this shell; on failure prints
#                              the command and the screen as diagnostics
#   vd_show_screen             the screen as diagnostics

vd_init() {
    command -v tmux > /dev/null || tap_skip_all "tmux is not installed"
    if [ -z "${VD_BIN:-}" ]; then
        if [ -n "${VD_BUILDDIR:-}" ]; then
            VD_BIN=$VD_BUILDDIR/virtdeck
        else
            VD_BIN=$(cd "$LAB_LIB_DIR/../.." && pwd)/virtdeck
        fi
    fi
    [ -x "$VD_BIN" ] || tap_skip_all "$VD_BIN is not built"
    : "${VD_SRCDIR:=$(cd "$LAB_LIB_DIR/../.." && pwd)}"
    export LC_ALL=C.UTF-8 LANG=C.UTF-8   # sed and grep on UTF-8 screen text
    VD_TIMEOUT=${VD_TIMEOUT:-15}
    VD_TMP=$(mktemp -d "${TMPDIR:-/tmp}/vdlab.XXXXXX")
    VD_SOCKET="vdlab-$$"
    VD_SESSION=vd
    export XDG_CONFIG_HOME=$VD_TMP/config XDG_STATE_HOME=$VD_TMP/state
    mkdir -p "$XDG_CONFIG_HOME/virtdeck" "$XDG_STATE_HOME"
    lab_on_exit _vd_cleanup
}

_vd_cleanup() {
    [ -n "${VD_KEEP:-}" ] && return 0
    _vd_tmux kill-server 2> /dev/null
    rm -rf "$VD_TMP"
}

_vd_tmux() {
    tmux -L "$VD_SOCKET" -f /dev/null "$@" 8>&-
}

vd_config() {
    printf '%s\n' "$1" > "$XDG_CONFIG_HOME/virtdeck/config"
}

vd_start() {
    local w=$1 h=$2 args='' a; shift 2
    for a in "$@"; do args="$args $(printf '%q' "$a")"; done
    _vd_tmux kill-session -t "$VD_SESSION" 2> /dev/null
    _vd_tmux new-session -d -s "$VD_SESSION" -x "$w" -y "$h" \
        "env TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 XDG_CONFIG_HOME=$(printf '%q' "$XDG_CONFIG_HOME") XDG_STATE_HOME=$(printf '%q' "$XDG_STATE_HOME") $(printf '%q' "$VD_BIN")$args; echo VIRTDECK-EXITED \$?; sleep 3600"
    _vd_tmux set-option -t "$VD_SESSION" status off > /dev/null
    _vd_tmux set-option -t "$VD_SESSION" window-size manual > /dev/null 2>&1
    _vd_tmux resize-window -t "$VD_SESSION" -x "$w" -y "$h" > /dev/null 2>&1
}

vd_screen() {
    _vd_tmux capture-pane -p "$@" -t "$VD_SESSION"
}

vd_has() {
    vd_screen | grep -qF -- "$1"
}

# vd_wait_secs SECS CMD...: poll CMD every 20 ms for SECS seconds
# shellcheck disable=SC2034  # read by the test scripts
VD_WAITED_MS=0
# shellcheck disable=SC2034  # VD_WAITED_MS is read by the test scripts
_vd_poll() {
    local secs=$1 t0 now; shift
    t0=$(lab_ms)
    while :; do
        if "$@"; then
            VD_WAITED_MS=$(($(lab_ms) - t0))
            return 0
        fi
        now=$(lab_ms)
        if [ $((now - t0)) -ge $((secs * 1000)) ]; then
            VD_WAITED_MS=$((now - t0))
            return 1
        fi
        sleep 0.02
    done
}

vd_wait() {
    _vd_poll "${VD_WAIT_SECS:-$VD_TIMEOUT}" "$@"
}

vd_wait_for() {
    _vd_poll "${2:-$VD_TIMEOUT}" vd_has "$1"
}

_vd_hasnt() { ! vd_has "$1"; }
vd_wait_gone() {
    _vd_poll "${2:-$VD_TIMEOUT}" _vd_hasnt "$1"
}

vd_keys() {
    _vd_tmux send-keys -t "$VD_SESSION" "$@"
}

vd_type() {
    _vd_tmux send-keys -t "$VD_SESSION" -l -- "$1"
}

# everything right of the first vertical bar, from the second line on
vd_right() {
    vd_screen | sed -n '2,$s/^[^│|]*[│|]//p'
}

vd_row() {
    vd_right | grep -E -- "^[^ ]? *$1( |$)" | head -n1
}

vd_row_has() {
    vd_row "$1" | grep -qF -- "$2"
}

vd_wait_row() {
    _vd_poll "${3:-$VD_TIMEOUT}" vd_row_has "$1" "$2"
}

# The host tree: the left pane up to the first vertical bar; host N's row is
# "<glyph> N name<spaces>state".
vd_host_state() {
    vd_screen | sed -n '3,$p' | sed 's/[│|].*//' | grep -E "^[^ ]+ $1 " | head -n1 |
        sed -nE 's/.* (not responding|disconnected|connecting|connected) *$/\1/p'
}

_vd_host_is() { [ "$(vd_host_state "$1")" = "$2" ]; }
vd_wait_host() {
    _vd_poll "${3:-$VD_TIMEOUT}" _vd_host_is "$1" "$2"
}

# The highlighted row of the domain list: its name cell has a background
# colour (ESC[4Xm) right after the pane's vertical bar. The column header has
# one too (and moves down when a message line shows above it): skipped.
vd_cursor() {
    vd_screen -e | sed -n '3,$p' | sed -n 's/^[^│]*│//p' | grep -v 'Name.*State' |
        sed -n 's/^\(\x1b\[[0-9;]*m\)*\x1b\[4[0-7]m *\([^ \x1b]*\).*/\2/p' | head -n1
}

_vd_cursor_is() { [ "$(vd_cursor)" = "$1" ]; }
vd_wait_cursor() {
    _vd_poll "${2:-$VD_TIMEOUT}" _vd_cursor_is "$1"
}

# The status line: the lines between the last empty-looking line of the
# panes and the F-key bar; it may wrap over several lines.
vd_status() {
    vd_screen | awk '
        { line[NR] = $0 }
        END {
            # the F-key bar is the last non-empty line
            n = NR; while (n > 0 && line[n] ~ /^ *$/) n--
            s = ""
            # index(), not /[│|]/: mawk reads bytes, and "…" shares the first byte of "│"
            for (i = n - 1; i > 0 && !index(line[i], "│") && !index(line[i], "|"); i--) s = line[i] s
            print s
        }' | tr -d ' \t'
}

vd_squeeze() {
    printf '%s' "$1" | tr -d ' \t\n'
}

# vd_filter TEXT: open the filter prompt, erase what it holds, type TEXT, Enter
vd_filter() {
    local _ bs=()
    for _ in $(seq 40); do bs+=(BSpace); done
    vd_keys /
    vd_keys "${bs[@]}"
    vd_type "$1"
    vd_keys Enter
    _vd_poll "$VD_TIMEOUT" _vd_filter_is "$1"
}

# the title bar ends with "│ Filter: TEXT"
_vd_filter_is() {
    vd_screen | head -n1 | sed 's/ *$//' | grep -qF -- "│ Filter: $1" &&
        [ "$(vd_screen | head -n1 | sed 's/ *$//; s/.*│ Filter: //')" = "$1" ]
}

vd_pid() {
    local shell
    shell=$(_vd_tmux display-message -p -t "$VD_SESSION" '#{pane_pid}' 2> /dev/null) || return 1
    pgrep -P "$shell" -x virtdeck | head -n1
}

vd_alive() {
    [ -n "$(vd_pid)" ] && ! vd_has VIRTDECK-EXITED
}

vd_show_screen() {
    tap_diag "screen (virtdeck $(vd_alive && echo running || echo 'NOT running')):"
    vd_screen | sed 's/^/| /; s/ *$//' | sed 's/^/# /'
}

vd_check() {
    local desc=$1; shift
    if "$@"; then
        tap_ok 0 "$desc"
    else
        tap_ok 1 "$desc" || true
        tap_diag "failed: $*"
        vd_show_screen
        return 1
    fi
}
