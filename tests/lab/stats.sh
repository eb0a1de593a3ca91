#!/bin/bash
# virtdeck - SPDX-License-Identifier: GPL-2.0-or-later
# Lab UI scenario (TAP): live statistics and RRD history of a real guest,
# locally and over qemu+ssh. The GRUB lab guest spins a CPU in its menu, so
# its CPU% is well above 0 within two ticks, and the history view has a CPU
# graph after the first 10 s samples. The RRD files are read back with
# rrdtool, as a user would.
# shellcheck source=tests/lab/lib.sh disable=SC2016
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || tap_skip_all "lab tests need root"
command -v rrdtool > /dev/null || tap_bail "rrdtool is not installed (tests/deps.sh installs it)"
vd_init

tap_plan 11
lab_up || tap_bail "lab up failed"
cleanup() { lab_domains_off "$LAB_URI" vdlab1; }
lab_on_exit cleanup
cleanup
virsh -c "$LAB_URI" start vdlab1 > /dev/null

# a CPU% in the row: "running  97.5"
cpu_of() { vd_row vdlab1 | sed -n 's/.*running *\([0-9][0-9.]*\) .*/\1/p'; }
cpu_busy() { local c; c=$(cpu_of); [ -n "$c" ] && awk -v c="$c" 'BEGIN {exit !(c > 10)}'; }
rrd_exists() { ls "$XDG_STATE_HOME"/virtdeck/rrd/*/*.rrd 2> /dev/null | grep -qv host.rrd; }
braille_in_cpu_panel() {  # a braille dot cell between the CPU title and the Memory title
    vd_screen | sed -n '/^ CPU /,/^ Memory used/p' | grep -qP '[\x{2801}-\x{28ff}]'
}

for where in local remote; do
    if [ $where = local ]; then uri=$LAB_URI; else uri=$LAB_SSH_URI; fi
    export XDG_STATE_HOME=$VD_TMP/state-$where
    vd_start 100 30 -c "$uri"
    vd_check "$where: vdlab1 running with a CPU% above 10 within two ticks" \
        eval 'vd_wait_row vdlab1 running 30 && VD_WAIT_SECS=10 vd_wait cpu_busy'
    tap_diag "$where: CPU% of vdlab1: $(cpu_of)"
    vd_check "$where: the host row shows the host's CPU%" \
        eval 'vd_screen | sed -n 3p | grep -qE "^■ 1 [^ ]+ +[0-9]+\.[0-9]"'
    # the first history sample is written 10-20 s after start
    vd_keys l
    vd_filter vdlab1
    vd_check "$where: an RRD file for vdlab1 appears" \
        eval 'VD_WAIT_SECS=40 vd_wait rrd_exists'
    sleep 11   # a second sample, so the graph has a column
    vd_keys v
    vd_check "$where: the history view has a CPU graph" \
        eval 'vd_wait_for "History of vdlab1" && VD_WAIT_SECS=5 vd_wait braille_in_cpu_panel'
    vd_keys Escape
done

f=$(ls "$VD_TMP"/state-local/virtdeck/rrd/*/*.rrd | grep -v host.rrd | head -n1)

# a domain that no longer exists: its file stays until the user prunes it
orphan=$(dirname "$f")/00000000-0000-4000-8000-00000000dead.rrd
cp "$f" "$orphan"
export XDG_STATE_HOME=$VD_TMP/state-local
vd_start 100 30 -c "$LAB_URI"
vd_wait_row vdlab1 running 30 > /dev/null
vd_keys P
vd_check "P asks before deleting the history of 1 vanished domain" \
    vd_wait_for "Delete the history of 1 domain that no longer exists"
vd_keys y
vd_check "y: the orphan file is gone, vdlab1's history stays" \
    eval 'vd_wait_for "Deleted the history of 1 domain" && [ ! -e "$orphan" ] && [ -e "$f" ]'
tap_check "rrdtool fetch reads the file: a CPU value above 10 in the last minute" \
    eval 'rrdtool fetch "$f" AVERAGE -s -60 | awk "NR > 2 && \$2 != \"-nan\" && \$2 + 0 > 10 {f = 1} END {exit !f}"'
tap_done
