#!/bin/bash
# virtdeck - SPDX-License-Identifier: GPL-2.0-or-later
# Lab UI scenario (TAP): domain names with terminal escape sequences, as a
# real libvirtd stores them. XML cannot carry ESC or BEL (libxml2 refuses
# them even as character references), but virDomainRename accepts them, so
# the name is set with `virsh domrename`. virtdeck must draw it harmlessly:
# no screen clear, no window title change, no colour leak; --dump prints no
# control bytes.
# shellcheck source=tests/lab/lib.sh disable=SC2016
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || tap_skip_all "lab tests need root"
vd_init
U=$LAB_URI
EVIL=$(printf 'vdesc-\033[2J\033]0;pwned\007-\033[31mred\033[0m-\302\233H')
SHOWN='vdesc--red-'   # the C1 CSI takes its final byte H with it

tap_plan 7
lab_up || tap_bail "lab up failed"

cleanup() {
    virsh -c "$U" undefine "$EVIL" > /dev/null 2>&1
    virsh -c "$U" undefine vdesc-tmp > /dev/null 2>&1
    return 0
}
lab_on_exit cleanup
cleanup
virsh -c "$U" dumpxml vdlab2 --inactive |
    sed -e '/<uuid>/d' -e '/<mac /d' -e 's|<name>vdlab2</name>|<name>vdesc-tmp</name>|' \
        -e '/<disk type=.volume/,/<\/disk>/d' > "$VD_TMP/esc.xml"
virsh -c "$U" define "$VD_TMP/esc.xml" > /dev/null && virsh -c "$U" domrename vdesc-tmp "$EVIL" > /dev/null
tap_check "libvirt stores the name with ESC and BEL in it" \
    eval 'virsh -c "$U" list --all --name | grep -q "$(printf "\033\\[2J")"'

vd_start 100 30 -c "$U"
tap_check "the name is drawn with the escape sequences removed" vd_wait_for "$SHOWN"
tap_check "the screen was not cleared: title bar and host pane still there" \
    eval 'vd_screen | head -n1 | grep -q "virtdeck" && vd_has "vdlab1"'
tap_check "the window title was not changed" \
    eval '! _vd_tmux display-message -p -t "$VD_SESSION" "#{pane_title}" | grep -q pwned'
# colours: the attributes of the row must be the list's own, not red (31)
tap_check "no colour from the name leaks onto the screen" \
    eval 'vd_screen -e | grep -q vdesc && ! vd_screen -e | grep vdesc | grep -q "\[31m"'
dump=$("$VD_BIN" --dump -c "$U")
dump_has_name() {  # the third field of a domain record is exactly the shown name
    printf '%s\n' "$dump" | awk -F'\t' -v n="$SHOWN" '$1 == "domain" && $3 == n {f = 1} END {exit !f}'
}
tap_check "--dump prints the sanitized name" dump_has_name
tap_check "--dump output: valid UTF-8, no C0 (but TAB, newline) or C1 controls" \
    eval 'printf "%s" "$dump" | iconv -f UTF-8 -t UTF-8 > /dev/null &&
          ! printf "%s" "$dump" | tr -d "\t\n" | LC_ALL=C grep -q "[[:cntrl:]]" &&
          ! printf "%s" "$dump" | LC_ALL=C.UTF-8 grep -qP "[\x{80}-\x{9f}]"'
tap_done
