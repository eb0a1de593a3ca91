#!/bin/bash
# virtdeck - SPDX-License-Identifier: GPL-2.0-or-later
# Lab UI scenario (TAP): cancelling a VM creation from the status line.
# 1. The volume step: a 3 GiB raw volume with full preallocation is filled
#    with zeros through a stream for seconds; the status line names the step
#    and says Esc cancels; Esc stops it at once, and then no domain and no
#    volume remain (virsh), the wizard says it was cancelled and the pool's
#    free space is back.
# 2. The start step: libvirt cannot interrupt a start. The guest (its XML
#    customized in "Edit XML") has a serial port that connects to a unix
#    socket whose listener does not accept until the test lets it, so the
#    start lasts as long as the test wants. The status line says Esc cancels
#    when the step ends; Esc then, and when the start returns the guest is
#    stopped and the domain and its volume are removed.
# 3. Over qemu+ssh the daemon writes the zeros (virStorageVolWipePattern,
#    no abort): the status line says Esc cancels when that step ends; Esc,
#    and once the fill is done everything is removed.
# Objects are named vdic*.
# shellcheck source=tests/lab/lib.sh disable=SC2016,SC2034
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || tap_skip_all "lab tests need root"
command -v virsh > /dev/null || tap_skip_all "virsh is not installed"
command -v python3 > /dev/null || tap_skip_all "python3 is not installed"
vd_init

U=$LAB_URI
R=$LAB_SSH_URI
VMS="vdic1 vdic2 vdic3"
SIZE_GIB=3
HOLD=/tmp/vdic-hold.$$   # the socket qemu connects to (not under the private $VD_TMP)
HOLD_PID=

tap_plan 19

lab_up || tap_bail "lab up failed"
T0=$(lab_ms)

cleanup() {
    local d
    [ -n "$HOLD_PID" ] && kill "$HOLD_PID" 2> /dev/null
    for d in $VMS; do
        lab_virsh "$U" destroy "$d" > /dev/null 2>&1
        lab_virsh "$U" undefine "$d" > /dev/null 2>&1
        lab_virsh "$U" vol-delete --pool default "$d.qcow2" > /dev/null 2>&1
        lab_virsh "$U" vol-delete --pool default "$d.img" > /dev/null 2>&1
    done
    rm -rf "$HOLD"
    return 0
}
lab_on_exit cleanup
cleanup

pool_avail() {   # bytes available in pool default, after a refresh
    lab_virsh "$U" pool-refresh default > /dev/null 2>&1
    lab_virsh "$U" pool-info --bytes default | awk '/^Available:/ { print $2 }'
}
fs_avail() { df -B1 --output=avail "$LAB_IMAGES" | tail -n1 | tr -d ' '; }
GIB=$((1024 * 1024 * 1024))
AV0=$(pool_avail)
[ -n "$AV0" ] && [ "$AV0" -gt $(((SIZE_GIB + 4) * GIB)) ] ||
    tap_bail "pool default has $((${AV0:-0} / GIB)) GiB free; this test needs $((SIZE_GIB + 4))"
FS0=$(fs_avail)

# the editor of "Edit XML": applies $VD_TMP/edit.sed to the file
cat > "$VD_TMP/editor.sh" << 'EOF'
#!/bin/sh
sed -i -f "$(dirname "$0")/edit.sed" "$1"
EOF
chmod +x "$VD_TMP/editor.sh"
export EDITOR="$VD_TMP/editor.sh" VISUAL=

k() { vd_keys "$@"; sleep 0.1; }
t() { vd_type "$1"; sleep 0.1; }
page() { vd_wait_for "Step $1 of 7" 10; }
status_has() { vd_status | grep -qiF -- "$(vd_squeeze "$1")"; }
wait_status() { _vd_poll "${2:-$VD_TIMEOUT}" status_has "$1"; }
no_trace() {   # no domain, no volume NAME.qcow2 or NAME.img
    ! lab_virsh "$U" dominfo "$1" > /dev/null 2>&1 &&
        ! lab_virsh "$U" vol-info --pool default "$1.qcow2" > /dev/null 2>&1 &&
        ! lab_virsh "$U" vol-info --pool default "$1.img" > /dev/null 2>&1
}

# walk NAME SIZE [rawfull]: pages 1-6 (lab ISO by path, 1 vCPU, 64 MiB), ends on the review
walk() {
    k n; page 1 || return 1
    vd_wait_gone "Reading what the host offers" 20 || return 1
    t "$1"; k NPage; page 2 || return 1
    k Enter; k Down Down Enter; k Tab; t "$LAB_ISO"; k NPage; page 3 || return 1
    k Tab Tab C-u; t 1; k Tab Tab C-u; t 64m; k Tab C-u; t 64m
    k NPage; page 4 || return 1
    k Tab Tab Tab C-u; t "$2"; k Tab
    [ -n "$3" ] && { k Right; k Tab Right Right Right; }
    k NPage; page 5 || return 1
    k NPage; page 6 || return 1
    k NPage; page 7
}

vd_config '[general]
refresh = 3600'
vd_start 80 24 -c "$U"
vd_wait_host 1 connected 20

# ---- 1. cancel while the volume is filled with zeros ---------------------------------
walk vdic1 "${SIZE_GIB}g" rawfull
vd_check "review: a ${SIZE_GIB} GiB raw volume, full preallocation" \
    eval 'vd_has "default/vdic1.img, $SIZE_GIB GiB" && vd_has "preallocation full"'
k Tab Enter   # Create and start
vd_check "the status line names the step and says Esc cancels" \
    eval 'wait_status "filling vdic1.img with zeros" 30 && wait_status "(Esc cancels)" 5'
# well into the fill: a GiB written
wait_status "GiB of $SIZE_GIB GiB" 20
tap_check "while filling: virsh sees volume vdic1.img, ${SIZE_GIB} GiB allocated on the disk" \
    eval 'lab_virsh "$U" vol-info --pool default vdic1.img > /dev/null && [ $((FS0 - $(fs_avail))) -gt $(((SIZE_GIB - 1) * GIB)) ]'
BEFORE=$(vd_status)
k Escape
T_ESC=$(lab_ms)
vd_check "Esc: the wizard comes back and says the creation was cancelled" \
    vd_wait_for "Creation of vdic1 cancelled; what it had made was removed." 20
CANCEL_MS=$(($(lab_ms) - T_ESC))
_vd_poll 10 no_trace vdic1
CLEAN_MS=$(($(lab_ms) - T_ESC))
tap_diag "progress when Esc was pressed: $BEFORE"
tap_diag "cancel at the volume step: message ${CANCEL_MS} ms after Esc, no trace in virsh ${CLEAN_MS} ms after Esc"
tap_check "volume step: no domain vdic1 and no volume vdic1.img remain (virsh)" no_trace vdic1
tap_check "volume step: it was cancelled, not finished (it had not reached 60 %)" \
    eval 'grep -qE "GiB\):(2[0-9]|[3-5][0-9])%" <<< "$BEFORE"'
AV1=$(pool_avail)
tap_diag "pool default available: $AV0 bytes before, $AV1 after"
tap_check "the pool's free space is back (within 1 GiB of before; other tests share the pool)" \
    eval '[ "$AV1" -ge $((AV0 - GIB)) ]'
k Escape y; vd_wait_gone "Step 7 of 7" 5

# ---- 2. cancel during the start: done when libvirt's start returns ---------------------
mkdir -m 755 "$HOLD"
cat > "$HOLD/hold.py" << 'EOF'
import os, socket, sys, time
path = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
os.chmod(path, 0o777)
s.listen(0)
# one connection fills the backlog: the next connect() waits
f = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
f.setblocking(False)
try:
    f.connect(path)
except BlockingIOError:
    pass
while not os.path.exists(path + ".go"):
    time.sleep(0.05)
s.settimeout(0.2)
conns = []
end = time.time() + 60
while time.time() < end:
    try:
        conns.append(s.accept()[0])
    except socket.timeout:
        pass
EOF
python3 "$HOLD/hold.py" "$HOLD/sock" 8>&- &
HOLD_PID=$!
echo "s#</devices>#<serial type=\"unix\"><source mode=\"connect\" path=\"$HOLD/sock\"/></serial></devices>#" > "$VD_TMP/edit.sed"
walk vdic2 32m
k Tab Tab Tab Enter   # Edit XML
vd_check "edit XML: the review shows the edited XML" vd_wait_for "Domain XML (edited" 10
k BTab BTab BTab; k Tab; k Enter   # Create and start
vd_check "start: the status line names the step and says Esc cancels when it ends" \
    eval 'wait_status "Creating vdic2 (starting)" 30 && wait_status "(Esc cancels when this step ends)" 5'
tap_check "start in progress: vdic2 is defined, its volume made" \
    eval 'lab_virsh "$U" dominfo vdic2 > /dev/null && lab_virsh "$U" vol-info --pool default vdic2.qcow2 > /dev/null'
k Escape
vd_check "Esc during the start: the status line says it cancels when the step ends" \
    eval 'wait_status "cancelling when" 5'
sleep 1
tap_check "the start is still waiting (libvirt cannot interrupt it), vdic2 still there" \
    eval 'lab_virsh "$U" dominfo vdic2 > /dev/null && ! vd_has "Step 7 of 7"'
touch "$HOLD/sock.go"
T_GO=$(lab_ms)
vd_check "when the start returns: the wizard says the creation was cancelled" \
    vd_wait_for "Creation of vdic2 cancelled; what it had made was removed." 30
CANCEL2_MS=$(($(lab_ms) - T_GO))
tap_diag "cancel at the start step: the message ${CANCEL2_MS} ms after the start could return"
tap_check "start step: no domain vdic2 and no volume vdic2.qcow2 remain (virsh)" no_trace vdic2
k Escape y; vd_wait_gone "Step 7 of 7" 5

# ---- 3. over qemu+ssh: the daemon fills the volume, Esc takes effect after ------------
vd_start 80 24 -c "$R"
vd_wait_host 1 connected 30
walk vdic3 "${SIZE_GIB}g" rawfull
k Tab Enter   # Create and start
vd_check "qemu+ssh: the fill is libvirt's, the status line says Esc cancels when it ends" \
    eval 'wait_status "Creating vdic3 (filling vdic3.img with zeros)" 30 && wait_status "(Esc cancels when this step ends)" 5'
k Escape
T_ESC=$(lab_ms)
vd_check "qemu+ssh: Esc says it cancels when the step ends" eval 'wait_status "cancelling when" 5'
vd_check "qemu+ssh: after the fill the wizard says the creation was cancelled" \
    vd_wait_for "Creation of vdic3 cancelled; what it had made was removed." 60
CANCEL3_MS=$(($(lab_ms) - T_ESC))
tap_diag "cancel during the daemon's fill (qemu+ssh): the message ${CANCEL3_MS} ms after Esc"
tap_check "qemu+ssh: no domain vdic3 and no volume vdic3.img remain (virsh)" no_trace vdic3
k Escape y
vd_check "virtdeck still runs" vd_alive
tap_diag "run time after the lab lock: $((($(lab_ms) - T0) / 1000)) s"

tap_done
