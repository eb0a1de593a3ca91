#!/bin/bash
# virtdeck - SPDX-License-Identifier: GPL-2.0-or-later
# Lab UI scenario (TAP): the VNC console drawn in the terminal, locally and
# over qemu+ssh. vdv1 (a copy of the GRUB lab VM): V opens its VNC console,
# the GRUB menu reads back as text, an idle frame writes 0 bytes, Down and
# Enter boot entry two. vdv2 (a copy of the Linux lab guest): the VGA text
# console reads back as the shell's text and a typed echo shows; the same
# over qemu+ssh through one SSH session; three consoles over SSH use at most
# 2 SSH sessions; a changed host key is refused, an unknown one is asked
# for; a VNC password is asked for (wrong one refused). Needs root, the lab
# and tmux.
# shellcheck source=tests/lab/lib.sh disable=SC2016  # checks are eval'd in single quotes
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || tap_skip_all "lab tests need root"
command -v virsh > /dev/null || tap_skip_all "virsh is not installed"
vd_init

U=$LAB_URI
GRUB=vdv1
LINUX=vdv2
PWVM=vdv3
NOVNC=vdv4
PROBE=${VD_BUILDDIR:-$(cd "$LAB_LIB_DIR/../.." && pwd)}/tests/lab/vnc-consoles
[ -x "$PROBE" ] || tap_skip_all "$PROBE is not built"

lab_up || tap_bail "lab up failed"

cleanup() {
    for d in $GRUB $LINUX $PWVM $NOVNC; do
        lab_virsh "$U" destroy "$d" > /dev/null 2>&1
        lab_virsh "$U" undefine "$d" > /dev/null 2>&1
    done
    return 0
}
lab_on_exit cleanup
cleanup

# copy_xml SRC NAME [PYTHON-EXPR]: SRC's inactive XML without uuid, title,
# MAC and volume disks, renamed
copy_xml() {
    lab_virsh "$U" dumpxml --inactive "$1" | NAME=$2 EXTRA=${3:-} python3 -c '
import os, re, sys
x = sys.stdin.read()
x = re.sub(r"<name>.*?</name>", "<name>%s</name>" % os.environ["NAME"], x)
for pat in (r"\s*<uuid>.*?</uuid>", r"\s*<title>.*?</title>", r"\s*<mac address=.*?/>",
            r"\s*<disk type=.volume.*?</disk>"):
    x = re.sub(pat, "", x, flags=re.S)
x = re.sub(r"vd\.name=\S+?(?=[ <])", "vd.name=" + os.environ["NAME"], x)
if os.environ["EXTRA"]:
    exec(os.environ["EXTRA"])
sys.stdout.write(x)' > "$VD_TMP/$2.xml"
    lab_virsh "$U" define "$VD_TMP/$2.xml" > /dev/null || tap_bail "cannot define $2"
}

copy_xml vdlab1 "$GRUB"
# the lab's kernel for direct boot is lab-vmlinuz (bzImage)
copy_xml "$LAB_LINUX_VM" "$LINUX" \
    'x = re.sub(r"<kernel>[^<]*</kernel>", "<kernel>'"$LAB_IMAGES"'/lab-vmlinuz</kernel>", x)'
copy_xml vdlab1 "$PWVM" 'x = x.replace("<graphics type=\x27vnc\x27", "<graphics type=\x27vnc\x27 passwd=\x27vdsecret\x27", 1)'

lab_virsh "$U" start "$LINUX" > /dev/null || tap_bail "cannot start $LINUX"
lab_virsh "$U" start "$GRUB" > /dev/null || tap_bail "cannot start $GRUB"

# the guest area: lines between the console's title line and its status line
guest() { vd_screen | sed '1d;$d' | sed 's/ *$//'; }
selected() { vd_screen | grep -q -- "│\*Lab entry $1 "; }
# ESTABLISHED TCP connections to the lab sshd from PID and its children
ssh_sessions() {
    local pids p n=0
    pids=" $1 $(pgrep -P "$1" | tr '\n' ' ')"
    for p in $(ss -tnpH state established "( dport = :$LAB_SSH_PORT )" | grep -o 'pid=[0-9]*' | cut -d= -f2); do
        case "$pids" in *" $p "*) n=$((n + 1)) ;; esac
    done
    echo "$n"
}

vd_config '[general]
refresh = 3600'

# ---- GRUB: V opens the VNC console, the menu as text ------------------------------------
vd_start 100 32 -c "$U"
vd_check "$GRUB is listed running" vd_wait_row "$GRUB" running
vd_filter "$GRUB"
vd_keys l V
vd_check "V opens the VNC console ('vdv1 on ... · vnc · connected')" vd_wait_for "vnc · connected"
vd_check "in the pane: the GRUB menu entries as text" \
    eval 'vd_wait_for "GNU GRUB  version" 30 && vd_wait_for "│*Lab entry one" 30 && vd_wait_for "│ Lab entry two"'
vd_keys 'C-^'
vd_check "the console menu lists the render mode, scale, pan, send key and type text" \
    eval 'vd_wait_for "Render mode: text" && vd_has "Scale: fit" && vd_has "Send a key" && vd_has "Type text"'
vd_keys 1
vd_check "menu 1: full screen" eval 'vd_wait_gone "Hosts " && vd_screen | head -n1 | grep -q "vdv1 on"'
vd_check "the capture shows the GRUB menu entries as text" \
    eval 'vd_wait_for "│*Lab entry one " && vd_has "│ Lab entry two "'
vd_check "text mode recognises every glyph (status '· text ·', no 'N of M')" \
    eval 'vd_screen | tail -n1 | grep -q "^ *VNC 720×400 · text · "'
tap_diag "status: $(vd_screen | grep -o "VNC .*")"
vd_check "GRUB's help text, arrows included, reads back exactly" \
    eval 'guest | grep -qx " *Use the ↑ and ↓ keys to select which entry is highlighted\."'
vd_check "keys go as QEMU scancodes (extended key events offered by QEMU)" vd_has "keys as scancodes"

# bench: bytes written to the terminal while the frame does not change
sleep 1
: > "$VD_TMP/idle.bytes"
_vd_tmux pipe-pane -t "$VD_SESSION" -o "cat >> $VD_TMP/idle.bytes"
sleep 3
_vd_tmux pipe-pane -t "$VD_SESSION"
idle=$(wc -c < "$VD_TMP/idle.bytes")
tap_diag "bench: bytes written to the terminal for an unchanged frame (3 s idle GRUB menu): $idle"
[ "$idle" -eq 0 ]
tap_ok $? "an unchanged frame writes 0 bytes to the terminal" || true

# modes through the console menu (its items: 1 full screen, 2 mode, 3 scale,
# 4 pan, 5 send key, 6 type text)
vd_keys 'C-^' 2
vd_check "menu 2: half blocks" vd_wait_for " · half · "
vd_check "half blocks draw the picture with ▀ and ▄-free cells" eval 'guest | grep -q "▀▀▀▀"'
vd_keys 'C-^' 2
vd_check "menu 2 again: quadrants" vd_wait_for " · quad · "
vd_keys 'C-^' 2
vd_check "menu 2 again: ASCII" vd_wait_for " · ascii · "
vd_keys 'C-^' 2
vd_check "and back to text" eval 'vd_wait_for " · text " && vd_wait_for "│*Lab entry one "'
vd_keys 'C-^' 3
vd_check "menu 3: 1:1 scale" vd_wait_for " · 1:1 · "
vd_keys 'C-^' 3
vd_check "menu 3 again: fit" vd_wait_for " · fit · "

: > "$VD_TMP/down.bytes"
_vd_tmux pipe-pane -t "$VD_SESSION" -o "cat >> $VD_TMP/down.bytes"
vd_keys Down
vd_check "Down moves GRUB's selection to entry two" vd_wait selected two
tap_diag "key to redrawn selection (through QEMU and back): ${VD_WAITED_MS} ms"
sleep 0.5
_vd_tmux pipe-pane -t "$VD_SESSION"
tap_diag "bench: bytes written for the selection move (two menu lines changed): $(wc -c < "$VD_TMP/down.bytes")"
vd_keys 'C-^' 5
vd_check "menu 5: the send-key menu lists Ctrl+Alt+Del, Ctrl+Alt+F12, Alt+SysRq" \
    eval 'vd_wait_for "Ctrl+Alt+Del" && vd_has "Ctrl+Alt+F12" && vd_has "Alt+SysRq"'
vd_keys Escape
vd_check "Escape closes it" vd_wait_gone "Ctrl+Alt+F12"
sleep 0.3   # a key within 15 ms of Escape would be Alt+key
vd_keys Enter
vd_check "Enter boots entry two: its message 'two' shows on the screen" \
    eval 'vd_wait eval "guest | grep -qx \" *two\""'
vd_keys Escape
sleep 1   # under load, a Ctrl+] right after the boot was twice not taken (not reproduced by hand)
vd_keys 'C-]'
vd_check "Ctrl+] leaves the VNC console" eval 'vd_wait_gone "vnc · connected" && vd_wait_row "$GRUB" running'
vd_keys Enter
vd_check "Enter (auto) opens the VNC console of a domain with a VNC display" vd_wait_for "vnc · connected"
lab_virsh "$U" destroy "$GRUB" > /dev/null
vd_check "the guest going away ends the console with a message" \
    eval 'vd_wait_for "The VNC server closed the connection" 20 && vd_has "Enter reconnects"'
vd_keys 'C-]'

# a domain without a VNC display: Enter opens its serial console instead
copy_xml vdlab1 "$NOVNC" 'x = re.sub(r"\s*<graphics.*?</graphics>|\s*<graphics[^>]*/>", "", x, flags=re.S)'
lab_virsh "$U" start --paused "$NOVNC" > /dev/null || tap_bail "cannot start $NOVNC"
vd_filter "$NOVNC"
vd_check "$NOVNC is listed" vd_wait_row "$NOVNC" paused
vd_keys Enter
vd_check "Enter on a domain without VNC graphics opens its serial console" vd_wait_for "serial · connected"
vd_keys 'C-]'
vd_wait_gone "serial · connected" > /dev/null
vd_keys V
vd_check "V on it says there is no VNC display" vd_wait_for "no VNC display"
vd_keys 'C-]'
lab_virsh "$U" destroy "$NOVNC" > /dev/null

# ---- Linux: the VGA text console as the shell's text, typing -------------------------------
prompt() { guest | grep -qx " *$LINUX#"; }
vd_start 100 32 -c "$U" --console "$LINUX" --vnc
vd_check "--console $LINUX --vnc opens straight into the VNC console" vd_wait_for "vnc · connected"
vd_check "the Linux console's shell prompt reads back as text" vd_wait prompt 60
# bench: an idle shell (its cursor blinks in the frame)
: > "$VD_TMP/lidle.bytes"
_vd_tmux pipe-pane -t "$VD_SESSION" -o "cat >> $VD_TMP/lidle.bytes"
sleep 3
_vd_tmux pipe-pane -t "$VD_SESSION"
tap_diag "bench: bytes written for an idle Linux console (blinking cursor, 3 s): $(wc -c < "$VD_TMP/lidle.bytes")"
vd_check "the busybox banner reads back exactly" \
    eval 'guest | grep -qx " *Enter '"'"'help'"'"' for a list of built-in commands\."'
word=vd-$RANDOM
vd_type "echo $word"
vd_keys Enter
vd_check "typing 'echo $word' shows the echo on the screen" \
    eval 'vd_wait_for "# echo $word" && vd_wait eval "guest | grep -qx \" *$word\""'
vd_type 'echo "$((6*7))_A-Z:~|"'
vd_keys Enter
vd_check "shifted characters arrive right (US layout scancodes)" \
    eval 'vd_wait eval "guest | grep -qx \" *42_A-Z:~|\""'
vd_keys 'C-]'
vd_check "--console: Ctrl+] exits with status 0" vd_wait_for "VIRTDECK-EXITED 0"

# ---- the same over qemu+ssh, through the tunnel ---------------------------------------------
vd_start 100 32 -c "$LAB_SSH_URI" --console "$LINUX" --vnc
vd_check "qemu+ssh: the VNC console opens through the SSH tunnel" vd_wait_for "vnc · connected" 30
vd_check "qemu+ssh: the shell prompt reads back" vd_wait prompt 30
word=vd-$RANDOM
vd_type "echo $word"
vd_keys Enter
vd_check "qemu+ssh: the typed echo shows" eval 'vd_wait eval "guest | grep -qx \" *$word\""'
pid=$(vd_pid)
n=$(ssh_sessions "$pid")
tap_diag "SSH connections from virtdeck (and its ssh child) to the lab sshd, one console: $n"
[ "$n" -eq 2 ]
tap_ok $? "qemu+ssh with a console: 2 SSH sessions (libvirt's and the tunnel)" || true
vd_keys 'C-]'
vd_wait_for "VIRTDECK-EXITED" > /dev/null

# three consoles over SSH through virtdeck's core: one tunnel session
lab_virsh "$U" start "$GRUB" > /dev/null
"$PROBE" "$LAB_SSH_URI" 30 "$GRUB" "$LINUX" "$LINUX" > "$VD_TMP/probe.out" 2>&1 &
probe=$!
_probe_ready() { grep -q "^ready 3" "$VD_TMP/probe.out"; }
VD_WAIT_SECS=30 vd_wait _probe_ready
n=$(ssh_sessions "$probe")
tap_diag "$(cat "$VD_TMP/probe.out")"
tap_diag "three consoles over qemu+ssh: $n SSH connections to the lab sshd"
_probe_ready && [ "$n" -le 2 ] && [ "$n" -ge 1 ]
tap_ok $? "three consoles open over SSH use at most 2 SSH sessions ($n)" || true
kill "$probe" 2> /dev/null
wait "$probe" 2> /dev/null
lab_virsh "$U" destroy "$GRUB" > /dev/null

# ---- host keys: changed is refused, unknown is asked for ---------------------------------------
fakehome=$VD_TMP/home
mkdir -p "$fakehome/.ssh"
ssh-keygen -q -t ed25519 -N '' -f "$VD_TMP/otherkey"
echo "[127.0.0.1]:$LAB_SSH_PORT $(cut -d' ' -f1,2 "$VD_TMP/otherkey.pub")" > "$fakehome/.ssh/known_hosts"
cp ~/.ssh/id_ed25519 ~/.ssh/id_ed25519.pub "$fakehome/.ssh/"
printf '#!/bin/sh\nHOME=%s exec %s "$@"\n' "$fakehome" "$VD_BIN" > "$VD_TMP/vd-home"
chmod +x "$VD_TMP/vd-home"
real_bin=$VD_BIN
VD_BIN=$VD_TMP/vd-home
vd_start 120 32 -c "$LAB_SSH_URI" --console "$LINUX" --vnc
vd_check "a changed host key is refused with a clear message" \
    eval 'vd_wait_for "has CHANGED" 30 && vd_has "[127.0.0.1]:$LAB_SSH_PORT"'
vd_check "and virtdeck --console exits with status 1" vd_wait_for "VIRTDECK-EXITED 1"

: > "$fakehome/.ssh/known_hosts"
# the server's keys as ssh-keygen -l prints them
fps=$(for f in /etc/ssh/ssh_host_*_key.pub; do ssh-keygen -lf "$f" | awk '{print $2}'; done)
_shows_fp() { local f; for f in $fps; do vd_has "$f" && return 0; done; return 1; }
vd_start 120 32 -c "$LAB_SSH_URI" --console "$LINUX" --vnc
vd_check "an unknown host key is asked for, with its SHA256 fingerprint" \
    eval 'vd_wait_for "Unknown SSH host key" 30 && _shows_fp'
vd_keys y
vd_check "yes: connected through the tunnel" vd_wait_for "vnc · connected" 30
vd_check "and the key was added to known_hosts as [127.0.0.1]:$LAB_SSH_PORT" \
    grep -Eq "^\[127.0.0.1\]:$LAB_SSH_PORT (ssh-ed25519|ecdsa-sha2-nistp256|ssh-rsa) " "$fakehome/.ssh/known_hosts"
vd_keys 'C-]'
VD_BIN=$real_bin

# ---- a VNC password --------------------------------------------------------------------------
lab_virsh "$U" start "$PWVM" > /dev/null || tap_bail "cannot start $PWVM"
vd_start 100 32 -c "$U" --console "$PWVM" --vnc
vd_check "a display with a password: the password is asked for" vd_wait_for "VNC password" 20
vd_check "the password field shows no text" eval '! vd_has "vdsecret"'
vd_type "wrong"
vd_keys Enter
vd_check "a wrong password: refused, asked again" vd_wait_for "authentication failed" 20
vd_type "vdsecret"
vd_check "typed characters show as *" eval 'vd_wait_for "Password ********"'
vd_keys Enter
vd_check "the right password connects" \
    eval 'vd_wait_for "vnc · connected" 20 && vd_wait_for "Lab entry one"'
vd_keys 'C-]'
lab_virsh "$U" destroy "$PWVM" > /dev/null

tap_done
