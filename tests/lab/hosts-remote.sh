#!/bin/bash
# virtdeck - SPDX-License-Identifier: GPL-2.0-or-later
# Lab UI scenario (TAP): two hosts that really differ. Host 2 (a libvirtd of
# its own in the netns labhost2, qemu+ssh://root@10.254.0.2/system) is added
# through the connection manager's form by keys, connected, switched to and
# from (Tab, 1-9, the finder); its sshd and then its libvirtd are killed and
# brought back: it shows disconnected, reconnects by itself with events
# registered again, while host 1 keeps working; a changed host key of host 2
# is refused. Needs root, the lab with host 2 (tests/lab/lab.sh up) and tmux.
# shellcheck source=tests/lab/lib.sh disable=SC2016,SC2034
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || tap_skip_all "lab tests need root"
command -v virsh > /dev/null || tap_skip_all "virsh is not installed"
vd_init

H2_DIR=$LAB/host2
H2_NS=labhost2
KEY_MS=300
TMPDOM=vdcres1

tap_plan 26
lab_up || tap_bail "lab up failed"
eval "$("$LAB_CTL" env)"
[ -n "${LAB_H2_URI:-}" ] && [ -r "$H2_DIR/pids" ] || tap_bail "host 2 is not up (tests/lab/lab.sh up-host2)"

h2pid() { awk -v n="$1" '$1 == n {print $2}' "$H2_DIR/pids"; }
# set_h2pid NAME PID: keep the lab's record of host 2's daemons right
set_h2pid() { sed -i "s/^$1 .*/$1 $2/" "$H2_DIR/pids"; }
h2_enter() { nsenter -t "$1" -m -n -u "${@:2}" 8>&-; }
h2_sshd_pids() {
    local p
    for p in $(ip netns pids "$H2_NS" 2> /dev/null); do
        [ "$(cat "/proc/$p/comm" 2> /dev/null)" = sshd ] && echo "$p"
    done
}
kill_h2_sshd() {
    # the listener and the per-connection sshd processes: the link is cut
    # shellcheck disable=SC2046
    kill $(h2_sshd_pids) 2> /dev/null
    for _ in $(seq 50); do [ -z "$(h2_sshd_pids)" ] && return 0; sleep 0.1; done
    return 1
}
start_h2_sshd() {
    local via
    via=$(h2pid libvirtd)
    h2_enter "$via" /usr/sbin/sshd -o ListenAddress=10.254.0.2 -o PidFile=/run/sshd.pid \
        -o PermitRootLogin=prohibit-password -o PubkeyAuthentication=yes \
        -o PasswordAuthentication=no -o KbdInteractiveAuthentication=no -o MaxStartups=100:30:200 || return 1
    sleep 0.3
    set_h2pid sshd "$(h2_enter "$via" cat /run/sshd.pid)"
}
kill_h2_libvirtd() {
    local p
    p=$(h2pid libvirtd)
    kill "$p" 2> /dev/null
    for _ in $(seq 100); do [ -d "/proc/$p" ] || return 0; sleep 0.1; done
    return 1
}
start_h2_libvirtd() {
    local via
    via=$(h2pid sshd)
    h2_enter "$via" sh -c 'rm -f /run/libvirtd.pid; libvirtd -d' || return 1
    for _ in $(seq 100); do
        h2_enter "$via" virsh -q -c qemu:///system version > /dev/null 2>&1 && break
        sleep 0.1
    done
    set_h2pid libvirtd "$(h2_enter "$via" cat /run/libvirtd.pid)"
}
cleanup() {
    [ -n "$(h2_sshd_pids)" ] || start_h2_sshd
    [ -d "/proc/$(h2pid libvirtd)" ] || start_h2_libvirtd
    lab_virsh "$LAB_H2_URI" destroy vdh2a > /dev/null 2>&1
    lab_virsh "$LAB_URI" undefine "$TMPDOM" > /dev/null 2>&1
    return 0
}
lab_on_exit cleanup
lab_virsh "$LAB_H2_URI" destroy vdh2a > /dev/null 2>&1

vd_config "[connection:local]
uri=$LAB_URI
autoconnect=true"
vd_start 110 32
vd_check "host 1 (local) connected" eval 'vd_wait_host 1 connected && vd_wait_row vdlab1 ""'

# ---- add host 2 through the form, by keys ------------------------------------------
vd_keys H
vd_check "H opens the connection manager" vd_wait_for "Connections: 1"
vd_keys F2
vd_wait_for "Add connection" > /dev/null
vd_type lab2; vd_keys Tab; vd_type lab; vd_keys Tab Tab Right Tab; vd_type root; vd_keys Tab; vd_type 10.254.0.2
vd_check "the form shows the URI it builds" vd_wait_for "URI: qemu+ssh://root@10.254.0.2/system"
vd_keys Enter
vd_check "OK saves it" eval 'vd_wait_for "Added connection lab2" && grep -q "^uri=qemu+ssh://root@10.254.0.2/system" "$XDG_CONFIG_HOME/virtdeck/config" && grep -q "^group=lab" "$XDG_CONFIG_HOME/virtdeck/config"'
vd_keys Escape
vd_check "host 2 connected, its own VMs listed" \
    eval 'vd_wait_host 2 connected 30 && vd_wait_row vdh2a "shut off" && vd_wait_row vdh2b "" && [ -z "$(vd_row vdlab1)" ]'

# ---- switching -------------------------------------------------------------------
key_ms() {   # key_ms DESC CHECK...: keys just sent; true within KEY_MS
    local desc=$1 rc; shift
    VD_WAIT_SECS=3 vd_wait "$@"; rc=$?
    tap_diag "$desc: ${VD_WAITED_MS} ms"
    [ "$rc" = 0 ] && [ "$VD_WAITED_MS" -le "$KEY_MS" ]
}
on_host1() { [ -n "$(vd_row vdlab1)" ] && [ -z "$(vd_row vdh2a)" ]; }
on_host2() { [ -n "$(vd_row vdh2a)" ] && [ -z "$(vd_row vdlab1)" ]; }
vd_keys 1;   vd_check "1: host 1" key_ms "key 1" on_host1
vd_keys 2;   vd_check "2: host 2" key_ms "key 2" on_host2
vd_keys Tab; vd_check "Tab: back to host 1" key_ms "Tab" on_host1
vd_keys H; vd_wait_for "Connections:" > /dev/null; vd_type lb2; vd_keys Enter
vd_check "finder: H, type lb2, Enter: host 2" key_ms "finder" on_host2
vd_keys H; vd_wait_for "Connections:" > /dev/null; vd_type loc; vd_keys Enter
vd_check "finder: loc: host 1" key_ms "finder" on_host1

# ---- host 2's sshd killed -----------------------------------------------------------
kill_h2_sshd || tap_diag "sshd of host 2 still running"
vd_check "sshd of host 2 killed: it shows disconnected" vd_wait_host 2 disconnected 15
vd_keys 1
cat > "$VD_TMP/$TMPDOM.xml" <<EOF
<domain type='qemu'><name>$TMPDOM</name><memory unit='MiB'>32</memory><os><type arch='x86_64'>hvm</type></os></domain>
EOF
lab_virsh "$LAB_URI" define "$VD_TMP/$TMPDOM.xml" > /dev/null || tap_diag "define $TMPDOM failed"
vd_check "meanwhile host 1 works: a domain defined there shows within 2 s" vd_wait_row "$TMPDOM" "shut off" 2
vd_check "and host 1 stays connected" _vd_host_is 1 connected
lab_virsh "$LAB_URI" undefine "$TMPDOM" > /dev/null
start_h2_sshd || tap_diag "sshd of host 2 did not start"
vd_check "sshd back: host 2 reconnects by itself" vd_wait_host 2 connected 40
tap_diag "reconnected after $VD_WAITED_MS ms"

# ---- host 2's libvirtd killed --------------------------------------------------------
kill_h2_libvirtd || tap_diag "libvirtd of host 2 still running"
vd_check "libvirtd of host 2 killed: disconnected" vd_wait_host 2 disconnected 15
vd_check "the error says why" eval 'vd_keys 2; vd_wait_for "Not connected" 5'
start_h2_libvirtd || tap_diag "libvirtd of host 2 did not start"
vd_check "libvirtd back: host 2 reconnects" vd_wait_host 2 connected 40
vd_check "its VMs listed again" vd_wait_row vdh2a "shut off" 10
lab_virsh "$LAB_H2_URI" start vdh2a > /dev/null || tap_diag "virsh start vdh2a failed"
vd_check "events registered again: vdh2a started with virsh shows running within 2 s" vd_wait_row vdh2a running 2
lab_virsh "$LAB_H2_URI" destroy vdh2a > /dev/null 2>&1
vd_check "and stopped" vd_wait_row vdh2a "shut off" 5
vd_check "host 1 never dropped" _vd_host_is 1 connected
vd_alive; tap_ok $? "virtdeck still running (one process throughout)" || true

# ---- disconnect and connect from the manager ------------------------------------------
vd_keys H; vd_wait_for "Connections:" > /dev/null; vd_type lab2; vd_keys F8
vd_check "F8: host 2 disconnected, kept in the list" eval 'vd_wait_for "Disconnected from lab2" && vd_wait_for "disconnected"'
ssh_conns() { ss -Htn state established "dst 10.254.0.2" | wc -l; }
vd_check "and its SSH connection is closed" eval 'for _ in $(seq 30); do [ "$(ssh_conns)" = 0 ] && break; sleep 0.1; done; [ "$(ssh_conns)" = 0 ]'
vd_keys F5; sleep 0.2; vd_keys Escape; sleep 0.2; vd_keys Escape   # the first Esc clears the search
vd_check "F5: connected again" vd_wait_host 2 connected 30

# ---- changed host key -----------------------------------------------------------------
KH=$VD_TMP/known_hosts
ssh-keygen -q -t ed25519 -N '' -f "$VD_TMP/otherkey"
echo "10.254.0.2 $(cut -d' ' -f1,2 "$VD_TMP/otherkey.pub")" > "$KH"
VD_SESSION=vd2
_vd_tmux new-session -d -s "$VD_SESSION" -x 110 -y 32 \
    "env TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 XDG_CONFIG_HOME=$(printf '%q' "$VD_TMP/cfg2") XDG_STATE_HOME=$(printf '%q' "$XDG_STATE_HOME") VIRTDECK_SSH_KNOWN_HOSTS=$(printf '%q' "$KH") $(printf '%q' "$VD_BIN") -c $(printf '%q' "$LAB_H2_URI"); sleep 3600"
vd_check "a changed host key of host 2 is refused, said plainly" \
    eval 'vd_wait_host 1 disconnected 20 && vd_wait_for "has CHANGED" && vd_has "refusing" && ! vd_has "password"'

tap_done
