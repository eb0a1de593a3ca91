# virtdeck - helpers for tmux-driven UI scenarios (TAP output)
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Source from a test script:
#   . "$(dirname "$0")/lib.sh"
#   plan 3
#   ui_start 80 24 --demo
#   ui_wait_for "web-frontend" && ok "main screen" || not_ok "main screen"
#
# Environment: VD_BIN (default ./virtdeck), VD_SRCDIR (default .),
# UI_TIMEOUT (seconds, default 10), UI_KEEP=1 keeps the tmux server.

VD_BIN=${VD_BIN:-./virtdeck}
VD_SRCDIR=${VD_SRCDIR:-.}
UI_TIMEOUT=${UI_TIMEOUT:-10}
UI_SOCKET="vdui-$$"
UI_SESSION=""
_ui_n=0
UI_TMPDIR=$(mktemp -d "${TMPDIR:-/tmp}/vdui.XXXXXX")
# history (RRD files) of test runs never lands in the user's state directory
export XDG_STATE_HOME="$UI_TMPDIR/state"
_tap_n=0
_tap_failed=0

_tmux() {
    tmux -L "$UI_SOCKET" -f /dev/null "$@"
}

ui_cleanup() {
    if [ -z "$UI_KEEP" ]; then
        _tmux kill-server 2>/dev/null
        rm -rf "$UI_TMPDIR"
    fi
}
trap ui_cleanup EXIT
trap 'exit 1' INT TERM HUP

# ---- TAP -----------------------------------------------------------------
plan() { echo "1..$1"; }
ok() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $*"; }
not_ok() {
    _tap_n=$((_tap_n + 1)); _tap_failed=$((_tap_failed + 1))
    echo "not ok $_tap_n - $*"
    ui_screen 2>/dev/null | sed 's/^/# | /'
}
skip() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - # SKIP $*"; }
diag() { echo "# $*"; }
# check "description" command...: ok when the command succeeds
check() {
    _desc=$1; shift
    if "$@"; then ok "$_desc"; else not_ok "$_desc"; fi
}
tap_done() { [ "$_tap_failed" -eq 0 ]; }

# ui_require: tmux and the binary must be there; a missing one is an error
# of the test run (TAP "Bail out!"), never a silent skip.
ui_require() {
    command -v tmux >/dev/null || { echo "Bail out! tmux is not installed (tests/deps.sh installs it)"; exit 1; }
    [ -x "$VD_BIN" ] || { echo "Bail out! $VD_BIN is not built"; exit 1; }
}

# ---- driving the binary --------------------------------------------------
# ui_start W H [ENV=VALUE ...] [--] ARGS...: start virtdeck in a new session
# (killing any previous one). Environment assignments come first.
ui_start() {
    _w=$1 _h=$2; shift 2
    _env=""
    while [ $# -gt 0 ]; do
        case $1 in
        --) shift; break ;;
        *=*) _env="$_env $(printf '%q' "$1")"; shift ;;
        *) break ;;
        esac
    done
    _args=""
    for _a in "$@"; do _args="$_args $(printf '%q' "$_a")"; done
    # a new session first, then the old one goes: killing the last session
    # would stop the server while the new one is being created
    _ui_old=$UI_SESSION
    _ui_n=$((_ui_n + 1))
    UI_SESSION="vd$_ui_n"
    _tmux new-session -d -s "$UI_SESSION" -x "$_w" -y "$_h" \
        "env TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 $_env $(printf '%q' "$VD_BIN") $_args; echo VIRTDECK-EXITED \$?; sleep 600"
    [ -n "$_ui_old" ] && _tmux kill-session -t "$_ui_old" 2>/dev/null
    _tmux set-option -t "$UI_SESSION" status off >/dev/null
    _tmux set-option -t "$UI_SESSION" window-size manual >/dev/null 2>&1
    _tmux resize-window -t "$UI_SESSION" -x "$_w" -y "$_h" >/dev/null 2>&1
}

ui_screen() {
    _tmux capture-pane -p -t "$UI_SESSION" 2>/dev/null
}

# ui_wait_for TEXT [TIMEOUT]: poll the screen every 50 ms until TEXT shows.
ui_wait_for() {
    _deadline=$(( $(date +%s%N) / 1000000 + ${2:-$UI_TIMEOUT} * 1000 ))
    while :; do
        if ui_screen | grep -qF -- "$1"; then return 0; fi
        [ $(( $(date +%s%N) / 1000000 )) -ge "$_deadline" ] && return 1
        sleep 0.05
    done
}

# ui_wait_gone TEXT [TIMEOUT]: until TEXT is no longer on the screen.
ui_wait_gone() {
    _deadline=$(( $(date +%s%N) / 1000000 + ${2:-$UI_TIMEOUT} * 1000 ))
    while :; do
        if ! ui_screen | grep -qF -- "$1"; then return 0; fi
        [ $(( $(date +%s%N) / 1000000 )) -ge "$_deadline" ] && return 1
        sleep 0.05
    done
}

# ui_has TEXT: TEXT is on the screen now.
ui_has() { ui_screen | grep -qF -- "$1"; }

# ui_keys KEY...: tmux send-keys names (Down, Tab, BTab, F5, Escape, C-l, ...)
ui_keys() {
    _tmux send-keys -t "$UI_SESSION" "$@"
}

# ui_type TEXT: literal text
ui_type() {
    _tmux send-keys -t "$UI_SESSION" -l -- "$1"
}

ui_resize() {
    _tmux resize-window -t "$UI_SESSION" -x "$1" -y "$2"
}

# Line number (1-based) of the first line containing TEXT, empty if none.
ui_line_of() {
    ui_screen | grep -nF -- "$1" | head -n1 | cut -d: -f1
}

# The right pane (domain list) only: what follows the first vertical bar.
ui_right() {
    ui_screen | sed -n '2,$s/^[^│|]*[│|]//p'
}

# The right pane row of a domain (first match), empty if not shown.
ui_row() {
    ui_right | grep -F -- "$1" | head -n1
}

# ui_wait_row NAME TEXT [TIMEOUT]: until the domain's row contains TEXT.
ui_wait_row() {
    _deadline=$(( $(date +%s%N) / 1000000 + ${3:-$UI_TIMEOUT} * 1000 ))
    while :; do
        if ui_row "$1" | grep -qF -- "$2"; then return 0; fi
        [ $(( $(date +%s%N) / 1000000 )) -ge "$_deadline" ] && return 1
        sleep 0.05
    done
}

# ui_wait_for_row_re NAME REGEX [TIMEOUT]: until the domain's row matches REGEX.
ui_wait_for_row_re() {
    _deadline=$(( $(date +%s%N) / 1000000 + ${3:-$UI_TIMEOUT} * 1000 ))
    while :; do
        if ui_row "$1" | grep -qE -- "$2"; then return 0; fi
        [ $(( $(date +%s%N) / 1000000 )) -ge "$_deadline" ] && return 1
        sleep 0.05
    done
}

# PID of the virtdeck process in the pane.
ui_pid() {
    _shell=$(_tmux display-message -p -t "$UI_SESSION" '#{pane_pid}')
    pgrep -P "$_shell" | head -n1
}

# CPU ticks (user + system) the process used so far.
ui_cpu_ticks() {
    awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# ui_click X Y: a left click at 0-based cell (X, Y), as an SGR (1006) mouse
# report, which is what terminfo's xterm-256color announces (kmous=\E[<).
ui_click() {
    _tmux send-keys -t "$UI_SESSION" -l -- "$(printf '\033[<0;%d;%dM' $(($1 + 1)) $(($2 + 1)))"
    _tmux send-keys -t "$UI_SESSION" -l -- "$(printf '\033[<0;%d;%dm' $(($1 + 1)) $(($2 + 1)))"
}
