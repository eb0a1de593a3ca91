#!/bin/bash
# virtdeck - SPDX-License-Identifier: GPL-2.0-or-later
# Lab UI scenario (TAP): the serial console, locally, over qemu+ssh and for
# an LXC container. A copy of the GRUB lab VM (vds1) is started paused, its
# console opened, then resumed: the whole GRUB menu must come through as
# text. Keys move GRUB's selection; Ctrl+] leaves; a second client is asked
# whether to take the console over and does; --console NAME --serial opens
# straight into it and Ctrl+] exits 0. Needs root, the lab and tmux.
# shellcheck source=tests/lab/lib.sh disable=SC2016  # checks are eval'd in single quotes
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || tap_skip_all "lab tests need root"
command -v virsh > /dev/null || tap_skip_all "virsh is not installed"
vd_init

U=$LAB_URI
VM=vds1
CT=vdsct
CT_DIR=$LAB/vdsct



lab_up || tap_bail "lab up failed"

cleanup() {
    lab_virsh "$U" destroy "$VM" > /dev/null 2>&1
    lab_virsh "$U" undefine "$VM" > /dev/null 2>&1
    lab_virsh "$LAB_LXC_URI" destroy "$CT" > /dev/null 2>&1
    lab_virsh "$LAB_LXC_URI" undefine "$CT" > /dev/null 2>&1
    rm -rf "$CT_DIR"
    return 0
}
lab_on_exit cleanup
cleanup

# vds1: vdlab1 without its uuid, title, disk (GRUB boots from the ISO) and MAC
lab_virsh "$U" dumpxml --inactive vdlab1 | python3 -c '
import re, sys
x = sys.stdin.read()
x = re.sub(r"<name>.*?</name>", "<name>'"$VM"'</name>", x)
for pat in (r"\s*<uuid>.*?</uuid>", r"\s*<title>.*?</title>", r"\s*<mac address=.*?/>",
            r"\s*<disk type=.volume.*?</disk>"):
    x = re.sub(pat, "", x, flags=re.S)
sys.stdout.write(x)' > "$VD_TMP/$VM.xml"
lab_virsh "$U" define "$VD_TMP/$VM.xml" > /dev/null || tap_bail "cannot define $VM"

# keys to virtdeck's session S (the helpers use $VD_SESSION)
in_session() { local VD_SESSION=$1; shift; "$@"; }

# GRUB's selected entry is drawn "*Lab entry ..." (reverse video)
selected() { vd_screen | grep -q -- "\*Lab entry $1"; }

# ---- open before the guest runs: the whole menu comes through ----------------------
lab_virsh "$U" start --paused "$VM" > /dev/null || tap_bail "cannot start $VM"
vd_config '[general]
refresh = 3600'
vd_start 120 36 -c "$U"
vd_check "$VM is listed paused" vd_wait_row "$VM" paused
vd_filter "$VM"
# (Enter would open the VNC console: vds1 has VNC graphics)
vd_keys l t
vd_check "t opens the serial console: 'vds1 on ... · serial · connected' and the escape hint" \
    eval 'vd_wait_for "serial · connected" && vd_has "Ctrl+] leaves"'
lab_virsh "$U" resume "$VM" > /dev/null
vd_check "the capture shows the GRUB menu as text" \
    eval 'vd_wait_for "GNU GRUB" && vd_wait_for "Lab entry one" && vd_has "Lab entry two" && vd_has "Use the ^ and v keys"'
vd_check "entry one is selected" vd_wait selected one
vd_keys Down
vd_check "Down moves the selection to entry two" vd_wait selected two
tap_diag "local key echo (Down -> redrawn selection on the screen): ${VD_WAITED_MS} ms"
vd_keys Up
vd_check "Up moves it back" vd_wait selected one
vd_check "the status line tells the pane size and that the guest is not told" \
    vd_has "the guest is not told the size"

# ---- leave, reopen with t -----------------------------------------------------------
vd_keys 'C-]'
vd_check "Ctrl+] returns to the domain list" \
    eval 'vd_wait_gone "serial · connected" && vd_wait_row "$VM" running'
vd_keys t
vd_check "t opens the serial console again" vd_wait_for "serial · connected"
vd_check "the console lock was released: the reopened console answers keys" \
    eval 'vd_keys Down && vd_wait selected two'

# ---- full screen through the menu ------------------------------------------------------
vd_keys 'C-^'
vd_check "Ctrl+^ opens the console menu" vd_wait_for "Full screen"
vd_keys 1
vd_check "1: full screen (no host tree, the title line is the console's)" \
    eval 'vd_wait_gone "Hosts " && vd_screen | head -n1 | grep -q "vds1 on"'

vd_check "full screen: the pane size goes to libvterm (120x34)" vd_wait_for "120×34: the guest is not told"
_vd_tmux resize-window -t "$VD_SESSION" -x 100 -y 30
vd_check "a terminal resize reaches libvterm (100x28)" vd_wait_for "100×28: the guest is not told"

# ---- a second client: asked, takes over with force ---------------------------------------
in_session v2 vd_start 100 30 -c "$U" --console "$VM" --serial
vd_check "a second virtdeck is asked whether to take the console over" \
    in_session v2 vd_wait_for "is in use by another client"
in_session v2 vd_keys y
vd_check "y: the second client is connected" in_session v2 vd_wait_for "serial · connected"
vd_check "the first client is told its console ended" vd_wait_for "another client may have taken"
in_session v2 vd_keys Up
vd_check "keys from the second client reach GRUB" in_session v2 vd_wait selected one
in_session v2 vd_keys 'C-]'
vd_check "--console: Ctrl+] exits with status 0" in_session v2 vd_wait_for "VIRTDECK-EXITED 0"
vd_keys 'C-]'

# ---- virsh console as the other client ----------------------------------------------------
if command -v expect > /dev/null; then
    in_session v3 vd_start 100 30 -c "$U" --console "$VM" --serial
    in_session v3 vd_wait_for "serial · connected" > /dev/null
    out=$(expect -c "set timeout 10; spawn virsh -c $U console $VM; expect -ex {Active console session} { puts VIRSH-REFUSED } timeout { puts VIRSH-TIMEOUT } eof { puts VIRSH-EOF }" 2>&1)
    echo "$out" | grep -q VIRSH-REFUSED
    tap_ok $? "virsh console is refused while virtdeck holds the console" || tap_diag "$out"
    in_session v3 vd_keys 'C-]'
    in_session v3 vd_wait_for "VIRTDECK-EXITED 0" > /dev/null

    # virsh holds it; virtdeck asks and takes it over; virsh is disconnected
    # (virsh says "error: stream had I/O failure" and lingers a while)
    (expect -c "set timeout 60; spawn virsh -c $U console $VM; expect -ex {Escape character}; puts VIRSH-HOLDS; expect -ex {I/O failure} { puts VIRSH-ENDED } eof { puts VIRSH-ENDED } timeout { puts VIRSH-TIMEOUT }" \
        > "$VD_TMP/virsh.out" 2>&1 8>&- &)
    _virsh_holds() { grep -q VIRSH-HOLDS "$VD_TMP/virsh.out"; }
    vd_wait _virsh_holds
    in_session v3 vd_start 100 30 -c "$U" --console "$VM" --serial
    vd_check "virtdeck asks to take the console over from virsh console" \
        in_session v3 vd_wait_for "is in use by another client"
    in_session v3 vd_keys y
    _virsh_ended() { grep -q VIRSH-ENDED "$VD_TMP/virsh.out"; }
    vd_check "y: virtdeck is connected and virsh console was disconnected" \
        eval 'in_session v3 vd_wait_for "serial · connected" && vd_wait _virsh_ended'
    in_session v3 vd_keys 'C-]'
else
    tap_skip "expect is not installed"
    tap_skip "expect is not installed"
    tap_skip "expect is not installed"
fi

# ---- over qemu+ssh ---------------------------------------------------------------------------
in_session v4 vd_start 120 36 -c "$LAB_SSH_URI" --console "$VM" --serial
vd_check "qemu+ssh: --console opens straight into the console" in_session v4 vd_wait_for "serial · connected" 30
# GRUB redraws its whole menu when its command line is left
in_session v4 vd_keys c
in_session v4 vd_wait_for "grub>" > /dev/null
in_session v4 vd_keys Escape
vd_check "qemu+ssh: the GRUB menu shows as text" in_session v4 vd_wait_for "Use the ^ and v keys"
lat=""
ok=0
for i in 1 2 3 4 5 6; do
    if in_session v4 selected one; then k=Down; want=two; else k=Up; want=one; fi
    in_session v4 vd_keys $k
    if in_session v4 vd_wait selected $want; then ok=$((ok + 1)); lat="$lat $VD_WAITED_MS"; fi
done
[ "$ok" = 6 ]
tap_ok $? "qemu+ssh: six keys move the selection six times" || in_session v4 vd_show_screen
tap_diag "qemu+ssh key echo latencies (ms, send-keys to screen, 20 ms polling):$lat"
in_session v4 vd_keys 'C-]'
vd_check "qemu+ssh: Ctrl+] exits with status 0" in_session v4 vd_wait_for "VIRTDECK-EXITED 0"

# ---- errors of --console ---------------------------------------------------------------------
in_session v5 vd_start 100 30 -c "$U" --console vds-no-such-domain --serial
vd_check "--console with an unknown name exits 1 with a message" \
    eval 'in_session v5 vd_wait_for "VIRTDECK-EXITED 1" && in_session v5 vd_has "No domain named vds-no-such-domain"'
in_session v5 vd_start 100 30 -c "$U" --console vdlab2 --serial
vd_check "--console of a shut off domain exits 1: not running" \
    eval 'in_session v5 vd_wait_for "VIRTDECK-EXITED 1" && in_session v5 vd_has "vdlab2 is not running"'

# ---- the guest goes away under an open console --------------------------------------------
in_session v8 vd_start 120 36 -c "$U" --console "$VM" --serial
in_session v8 vd_wait_for "serial · connected" > /dev/null
lab_virsh "$U" destroy "$VM" > /dev/null 2>&1
vd_check "the guest destroyed: --console ends with status 0 and says the console closed" \
    eval 'in_session v8 vd_wait_for "VIRTDECK-EXITED 0" && in_session v8 vd_has "virtdeck: The console"'

# ---- an LXC container --------------------------------------------------------------------------
mkdir -p "$CT_DIR/bin" && cp /bin/busybox "$CT_DIR/bin/" && ln -sf busybox "$CT_DIR/bin/sh"
cat > "$VD_TMP/$CT.xml" <<EOF
<domain type='lxc'><name>$CT</name><memory unit='MiB'>32</memory><os><type>exe</type><init>/bin/sh</init></os>
 <devices><filesystem type='mount'><source dir='$CT_DIR'/><target dir='/'/></filesystem><console type='pty'/></devices></domain>
EOF
if ! err=$(lab_virsh "$LAB_LXC_URI" define "$VD_TMP/$CT.xml" 2>&1 && lab_virsh "$LAB_LXC_URI" start "$CT" 2>&1); then
    for _ in $(seq 13); do tap_skip "LXC container cannot start here: $err"; done
else
    in_session v6 vd_start 100 30 -c "$LAB_LXC_URI" --console "$CT"
    in_session v6 vd_wait_for "serial · connected" > /dev/null
    in_session v6 vd_keys Enter
    vd_check "LXC: the container's console shows its shell prompt" in_session v6 vd_wait_for "/ #"
    r=$RANDOM
    in_session v6 vd_type "echo vd-\$(($r+1))"
    in_session v6 vd_keys Enter
    vd_check "LXC: echo vd-\$((R+1)) prints vd-$((r + 1))" in_session v6 vd_wait_for "vd-$((r + 1))"

    # colours reach the screen through libvterm and the colour pairs
    in_session v6 vd_type "printf '\\033[31mvd-%s\\033[0m\\n' red"
    in_session v6 vd_keys Enter
    _red() { in_session v6 vd_screen -e | grep -q $'\e\\[31mvd-red'; }
    vd_check "LXC: red text from the guest is drawn red" vd_wait _red
    # the guest's title and clear-screen sequences stay inside libvterm
    in_session v6 vd_type "printf '\\033]2;vd-%s\\007' pwned"
    in_session v6 vd_keys Enter
    sleep 0.5
    title=$(_vd_tmux display-message -p -t v6 '#{pane_title}')
    [ "$title" != vd-pwned ]
    tap_ok $? "LXC: a title sequence from the guest does not reach the terminal (pane title '$title')" || true
    # alternate screen: shown, then the shell's screen comes back
    in_session v6 vd_type "printf '\\033[?1049h\\033[Hvd-alt%s' -screen; sleep 2; printf '\\033[?1049l'"
    in_session v6 vd_keys Enter
    vd_check "LXC: the alternate screen replaces the shell's screen" \
        eval 'in_session v6 vd_wait_for vd-alt-screen && ! in_session v6 vd_has BusyBox'
    vd_check "LXC: leaving it brings the shell's screen back" \
        eval 'in_session v6 vd_wait_gone vd-alt-screen && in_session v6 vd_has BusyBox'
    # scrollback: Shift+PgUp shows older lines and says so
    in_session v6 vd_type "seq 1 200"
    in_session v6 vd_keys Enter
    _line() { in_session v6 vd_screen | grep -qx -- "$1"; }
    in_session v6 vd_wait _line 200 > /dev/null
    in_session v6 vd_keys S-PPage
    vd_check "LXC: Shift+PgUp scrolls back a page and says so" \
        eval 'in_session v6 vd_wait_for "Scrolled back" && ! _line 200 && _line 160'
    in_session v6 vd_keys S-NPage
    vd_check "LXC: Shift+PgDn returns to the live screen" \
        eval 'in_session v6 vd_wait_gone "Scrolled back" && _line 200'
    # 3 MB of random bytes from the guest: libvterm eats them, the terminal
    # and virtdeck are unharmed, and the console still works afterwards
    # libvterm answers the queries that random bytes contain (DA, DSR...)
    # into the shell's input, as any terminal would; a ^D or ^C among them
    # would end or interrupt the container's shell: the tty is raw while the
    # flood runs, and the answers are read away until 2 s of quiet
    in_session v6 vd_type "stty raw -echo; head -c 3000000 /dev/urandom; printf '\\033c'; stty min 0 time 20; cat > /dev/null; stty sane; echo vd-\$((7*6))-flood"
    in_session v6 vd_keys Enter
    vd_check "LXC: after 3 MB of random bytes the console shows the next command's output" \
        in_session v6 vd_wait_for "vd-42-flood" 60
    tap_diag "3 MB of random guest output through the console in ${VD_WAITED_MS} ms"
    title=$(_vd_tmux display-message -p -t v6 '#{pane_title}')
    vd_check "LXC: ... virtdeck still runs and the pane title is untouched ('$title')" \
        eval 'in_session v6 vd_alive && [ "$title" != vd-pwned ]'
    in_session v6 vd_keys C-u
    in_session v6 vd_type "echo vd-\$((5+5))-after"
    in_session v6 vd_keys Enter
    vd_check "LXC: ... and answers keys" in_session v6 vd_wait_for "vd-10-after"

    # UTF-8 and line drawing; with --ascii the same as ASCII
    box="printf 'vd-%s:\\342\\224\\214\\342\\224\\200\\342\\224\\220\\321\\217\\n' box"
    in_session v6 vd_type "$box"
    in_session v6 vd_keys Enter
    vd_check "LXC: UTF-8 and line drawing from the guest: vd-box:┌─┐я" in_session v6 vd_wait_for "vd-box:┌─┐я"
    in_session v6 vd_keys 'C-]'
    # LXC has no console lock: two clients would share the output
    in_session v6 vd_wait_for "VIRTDECK-EXITED 0" > /dev/null
    in_session v7 vd_start 100 30 --ascii -c "$LAB_LXC_URI" --console "$CT"
    in_session v7 vd_wait_for "serial | connected" > /dev/null
    in_session v7 vd_keys Enter
    in_session v7 vd_wait_for "/ #" > /dev/null
    in_session v7 vd_type "$box"
    in_session v7 vd_keys Enter
    vd_check "LXC with --ascii: the same line as vd-box:+-+?" in_session v7 vd_wait_for "vd-box:+-+?"
    in_session v7 vd_keys 'C-]'
fi

tap_done
