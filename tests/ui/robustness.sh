#!/bin/bash
# virtdeck - UI robustness: ASCII/mono, themes, key config, hostile names,
# disconnected hosts, signals, --dump errors (TAP)
# SPDX-License-Identifier: GPL-2.0-or-later
. "$(dirname "$0")/lib.sh"

ui_require
SRC=$(cd "$VD_SRCDIR" && pwd)
DEMO_URI="test://$SRC/data/demo.xml"
HOSTILE_URI="test://$SRC/data/hostile.xml"
XDG="$UI_TMPDIR/xdg"
mkdir -p "$XDG/virtdeck/themes"
export XDG_CONFIG_HOME="$XDG"

plan 32

# ---- ASCII and monochrome --------------------------------------------------
ui_start 80 24 NO_COLOR=1 -- -c "$DEMO_URI" --ascii
check "ascii: main screen" ui_wait_for "win2022-rdp"
check "ascii: nothing but ASCII on the screen" eval '! ui_screen | LC_ALL=C grep -q "[^ -~]"'
check "ascii: box drawing with | and -" eval 'ui_screen | sed -n 2p | grep -q "^Hosts .*|  Name"'
ui_keys '?'
check "ascii: help overlay drawn in ASCII" eval 'ui_wait_for "virtdeck help" && ! ui_screen | LC_ALL=C grep -q "[^ -~]"'
ui_keys Escape

ui_start 80 24 LANG=C LC_ALL=C -- -c "$DEMO_URI"
check "C locale: ASCII drawing without --ascii" eval 'ui_wait_for "win2022-rdp" && ! ui_screen | LC_ALL=C grep -q "[^ -~]"'
ui_start 170 30 -- -c "$DEMO_URI"
check "170 columns: every column, ID and a short UUID" eval 'ui_wait_for "win2022-rdp" && ui_has "UUID" && ui_has "Disk R/W" && ui_row win2022-rdp | grep -q " 4 45937604"'

# ---- hostile names ------------------------------------------------------------
if [ -f "$SRC/data/hostile.xml" ]; then
    ui_start 80 24 -- -c "$HOSTILE_URI" --ascii
    ui_wait_for "domains" >/dev/null
    check "hostile: the list is drawn" ui_wait_for "c1-csi-red"
    check "hostile: the pane separator stays in column 27" \
        eval '[ -z "$(ui_screen | sed -n "2,21p" | cut -c27 | grep -v "^|$")" ]'
    check "hostile: the F-key bar is intact" eval 'ui_screen | tail -n1 | grep -q "^F1Help .*F10Quit"'
    ui_start 100 30 -- -c "$HOSTILE_URI"
    # the raw bytes virtdeck writes in UTF-8 mode, before tmux interprets them
    _tmux pipe-pane -o -t "$UI_SESSION" "cat > $UI_TMPDIR/raw.out"
    ui_wait_for "plain-nam" >/dev/null
    ui_keys C-l
    sleep 0.5
    raw_has() { LC_ALL=C grep -qaP "$1" "$UI_TMPDIR/raw.out"; }
    check "hostile (UTF-8): raw output captured, names in it" eval 'raw_has "c1-csi-red" && raw_has "\xd0\xb2"'
    check "hostile (UTF-8): no OSC, no BEL, no 8-bit C1 in the raw output" \
        eval '! raw_has "\x1b\]" && ! raw_has "\x07" && ! raw_has "\xc2[\x80-\x9f]"'
    if command -v python3 >/dev/null; then
        check "hostile (UTF-8): separator aligned with wide and combining chars" python3 -c '
import sys, unicodedata
def width(s):
    w = 0
    for ch in s:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        w += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return w
cols = set()
for line in sys.stdin.read().splitlines()[1:27]:
    if "\u2502" in line:
        cols.add(width(line[:line.index("\u2502")]))
sys.exit(0 if len(cols) == 1 else 1)' < <(ui_screen)
    else
        skip "python3 not installed"
    fi
    check "hostile (UTF-8): window title untouched, screen intact" \
        eval '! _tmux display-message -p -t "$UI_SESSION" "#{pane_title}" | grep -q pwned && ui_has "F10Quit" && ui_has "Name"'
else
    for i in 1 2 3 4 5 6 7; do skip "no data/hostile.xml"; done
fi

# ---- themes -------------------------------------------------------------------
ui_start 80 24 -- -c "$DEMO_URI" --theme no-such-theme
check "unknown theme: status line says so" ui_wait_for 'Theme "no-such-theme" not found'
printf '[theme]\nname=Broken\n[colors]\nnormal=chartreuse,default\n' > "$XDG/virtdeck/themes/broken.theme"
ui_start 80 24 -- -c "$DEMO_URI" --theme broken
check "broken theme: status line says so, UI works" eval 'ui_wait_for "is broken" && ui_wait_for "win2022-rdp"'
printf '[theme]\nname=Mine\n[colors]\nnormal=default,default\ndom_running=46,default,bold\ndom_running.16=green,default\n' > "$XDG/virtdeck/themes/mine.theme"
ui_start 80 24 -- -c "$DEMO_URI" --theme mine
check "a user theme from XDG_CONFIG_HOME loads silently" eval 'ui_wait_for "win2022-rdp" && ui_has "Press ? or F1 for help"'

# ---- keys are configuration ------------------------------------------------------
CONF="$UI_TMPDIR/keys.conf"
printf '[keys]\nforce-off = K\nstart = F99\n' > "$CONF"
ui_start 80 24 -- -c "$DEMO_URI" --config "$CONF"
check "a bad key in [keys] is reported with its line" eval 'ui_wait_for "config line 3:" && ui_has "unknown key \"F99\""'
ui_keys '?' PageDown
check "help shows the user's key for force-off" eval 'ui_wait_for "Force off" && ui_screen | grep -F "Force off" | grep -q " K "'
ui_keys Escape
ui_keys j D
check "D no longer forces off" eval 'sleep 0.3; ! ui_has "Force off build"'
ui_keys K
check "K asks to force off" ui_wait_for "Force off"
ui_keys n

# ---- navigation, marks, messages --------------------------------------------------
ui_start 80 24 -- -c "$DEMO_URI"
ui_wait_for "win2022-rdp" >/dev/null
ui_keys '*'
check "* marks all visible domains" ui_wait_for "14 marked"
ui_keys '*'
check "* again clears the marks" ui_wait_gone "marked"
ui_keys h j j s
check "tree: moving onto a domain selects it in the list" ui_wait_for "Started build-runner"
ui_keys e
check "e shows the last message in a dialog" eval 'ui_wait_for "Last message" && ui_has "Started build-runner"'
ui_keys Enter
ui_wait_gone "Last message" >/dev/null
ui_click 40 5
ui_keys s
check "mouse: a click selects a domain row" ui_wait_for "Start: ct-nginx: already running"

# ---- a host that cannot connect --------------------------------------------------
ui_start 80 24 -- -c "test:///nonexistent/virtdeck.xml" -c "$DEMO_URI"
check "unreachable host: the domain pane says why" ui_wait_for "Not connected:"
check "libxml2's stderr noise does not reach the screen" eval '! ui_has "I/O warning" && ui_screen | head -n1 | grep -q "^ virtdeck"'
check "the other host still works" eval 'ui_keys 2; ui_wait_for "win2022-rdp"'

# ---- what opens without -c ------------------------------------------------------
CONF2="$UI_TMPDIR/auto.conf"
printf '[connection:saved-one]\nuri=%s\nautoconnect=true\n[connection:not-me]\nuri=test:///default\nautoconnect=false\n' "$DEMO_URI" > "$CONF2"
ui_start 80 24 -- --config "$CONF2"
check "saved autoconnect connections open by name" eval 'ui_wait_for "1 saved-one" && ui_wait_for "win2022-rdp" && ! ui_has "not-me"'
# Hide any local libvirtd: a private mount namespace with an empty
# /run/libvirt (root only; CI runs as root).
hide="$UI_TMPDIR/no-libvirtd.sh"
printf '#!/bin/sh\nexec unshare -m --propagation private sh -c '"'"'mount -t tmpfs tmpfs /run/libvirt && exec "$0" "$@"'"'"' %q "$@"\n' "$VD_BIN" > "$hide"
chmod +x "$hide"
if [ "$(id -u)" != 0 ] || ! unshare -m true 2>/dev/null; then
    skip "not root: cannot hide the local libvirtd to check the demo fallback"
else
    real_bin=$VD_BIN; VD_BIN=$hide
    ui_start 80 24 LIBVIRT_DEFAULT_URI= -- --config "$UI_TMPDIR/none.conf"
    VD_BIN=$real_bin
    check "no libvirtd answering: the demo host, with a note" \
        eval 'ui_wait_for "No local libvirtd found" && ui_wait_for "win2022-rdp"'
fi

# ---- signals ---------------------------------------------------------------------
pid=$(ui_pid)
kill -TERM "$pid"
check "SIGTERM exits cleanly" ui_wait_for "VIRTDECK-EXITED 0"

# ---- --dump errors ---------------------------------------------------------------
out=$("$VD_BIN" --dump -c "$DEMO_URI" -c "test:///nonexistent/virtdeck.xml" 2>"$UI_TMPDIR/err"); rc=$?
check "--dump: exit 1 when a host fails, the others printed" \
    eval '[ $rc = 1 ] && printf "%s\n" "$out" | grep -q "win2022-rdp" && grep -q "virtdeck: cannot connect to test:///nonexistent/virtdeck.xml: " "$UI_TMPDIR/err"'

tap_done
