#!/bin/bash
# virtdeck - SPDX-License-Identifier: GPL-2.0-or-later
# Lab UI scenario (TAP): authentication in the TUI over qemu+ssh://.
# A private sshd (127.0.0.1:2231, password login for the user vdcuser only)
# and a temporary known_hosts (VIRTDECK_SSH_KNOWN_HOSTS): the unknown host
# key is asked with its fingerprint, the password is asked in a hidden
# field (a wrong one is asked again), a reconnect does not ask again, the
# password never reaches the disk, and a changed host key is refused.
# Needs root, the lab (libvirtd), openssh-server and tmux.
# shellcheck source=tests/lab/lib.sh disable=SC2016,SC2034
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || tap_skip_all "lab tests need root"
[ -x /usr/sbin/sshd ] || tap_skip_all "openssh-server is not installed"
vd_init

PORT=2231
USER_NAME=vdcuser
PASS="vdc-$RANDOM-Pw-$$"
SSHD_DIR=$VD_TMP/sshd
KH=$VD_TMP/known_hosts
URI="qemu+ssh://$USER_NAME@127.0.0.1:$PORT/session"

tap_plan 15
lab_up || tap_bail "lab up failed"

# the user: created once, a new password every run
id "$USER_NAME" > /dev/null 2>&1 || useradd -m -s /bin/bash "$USER_NAME" || tap_bail "useradd failed"
echo "$USER_NAME:$PASS" | chpasswd || tap_bail "chpasswd failed"

SSHD_PID=
start_sshd() {   # start_sshd HOSTKEY
    cat > "$SSHD_DIR/config" <<EOF
Port $PORT
ListenAddress 127.0.0.1
HostKey $1
PidFile $SSHD_DIR/pid
PasswordAuthentication yes
KbdInteractiveAuthentication no
PubkeyAuthentication no
UsePAM no
AllowUsers $USER_NAME
EOF
    /usr/sbin/sshd -f "$SSHD_DIR/config" 8>&- || return 1
    for _ in $(seq 50); do [ -s "$SSHD_DIR/pid" ] && break; sleep 0.1; done
    SSHD_PID=$(cat "$SSHD_DIR/pid")
}
stop_sshd() {
    [ -n "$SSHD_PID" ] && kill "$SSHD_PID" 2> /dev/null
    # the session children of this sshd (the connection virtdeck holds)
    for p in $(pgrep -u "$USER_NAME" -f 'sshd: vdcuser' 2> /dev/null); do kill "$p" 2> /dev/null; done
    rm -f "$SSHD_DIR/pid"
    SSHD_PID=
}
cleanup() {
    stop_sshd
    # the session libvirtd the test started for vdcuser
    pkill -u "$USER_NAME" -x libvirtd 2> /dev/null
    return 0
}
lab_on_exit cleanup
mkdir -p "$SSHD_DIR"
ssh-keygen -q -t ed25519 -N '' -f "$SSHD_DIR/key1" && ssh-keygen -q -t ed25519 -N '' -f "$SSHD_DIR/key2" ||
    tap_bail "ssh-keygen failed"
start_sshd "$SSHD_DIR/key1" || tap_bail "sshd on 127.0.0.1:$PORT did not start"
: > "$KH"
FP1=$(ssh-keygen -lf "$SSHD_DIR/key1.pub" | awk '{print $2}')

# like vd_start, with the test's known_hosts
_vd_tmux kill-session -t "$VD_SESSION" 2> /dev/null
_vd_tmux new-session -d -s "$VD_SESSION" -x 110 -y 30 \
    "env TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 XDG_CONFIG_HOME=$(printf '%q' "$XDG_CONFIG_HOME") XDG_STATE_HOME=$(printf '%q' "$XDG_STATE_HOME") VIRTDECK_SSH_KNOWN_HOSTS=$(printf '%q' "$KH") $(printf '%q' "$VD_BIN") -c $(printf '%q' "$URI"); echo VIRTDECK-EXITED \$?; sleep 3600"

vd_check "unknown host key: asked in a dialog with its fingerprint" \
    eval 'vd_wait_for "Unknown host key" && vd_wait_for "${FP1:0:30}"'
vd_keys n
vd_check "No: not connected, said plainly" \
    eval 'vd_wait_host 1 disconnected && vd_wait_for "was not accepted"'
[ ! -s "$KH" ]; tap_ok $? "the refused key was not saved" || true
vd_keys x
vd_wait_for "Unknown host key" > /dev/null
vd_keys y
vd_check "Yes: the password is asked next, in the TUI" vd_wait_for "password:"
grep -q "ssh-ed25519" "$KH"; tap_ok $? "the accepted key is in known_hosts" || true
vd_type "wrong-$PASS"
vd_check "the password field shows stars only" eval 'vd_has "*****" && ! vd_has "wrong-"'
vd_keys Enter
vd_check "a wrong password: asked again" eval 'vd_wait_gone "*****" 5; vd_wait_for "password:" 10'
vd_type "$PASS"
vd_keys Enter
vd_check "the right password: connected" vd_wait_host 1 connected 30
vd_keys x
vd_check "reconnect (x): connected again without a question" \
    eval 'sleep 0.5; vd_wait_host 1 connected 30 && ! vd_has "password:"'
leak=$(grep -rlF -- "$PASS" "$VD_TMP" "$XDG_RUNTIME_DIR" /tmp/virtdeck-* 2> /dev/null | grep -v "^$VD_TMP/sshd" | head -n3)
[ -z "$leak" ]; tap_ok $? "the password is in no file (config, state, runtime dir)" || tap_diag "found in: $leak"

# ---- changed host key ---------------------------------------------------------
stop_sshd
start_sshd "$SSHD_DIR/key2" || tap_bail "sshd did not restart"
vd_keys x
vd_check "changed host key: refused with a clear message" \
    eval 'vd_wait_host 1 disconnected 20 && vd_wait_for "has CHANGED" && vd_has "refusing"'
vd_check "and nothing was asked" eval '! vd_has "password:" && ! vd_has "Unknown host key"'

# ---- the libssh2 transport: libvirt's auth callbacks ----------------------------
L2URI="qemu+libssh2://$USER_NAME@127.0.0.1:$PORT/session?known_hosts=$VD_TMP/l2_known_hosts&sshauth=password"
VD_SESSION=vd2   # a new session first: killing the last one would stop the tmux server
vd_start 110 30 -c "$L2URI"
vd_check "libssh2: the unknown host key is asked" eval 'vd_wait_for "Unknown host key" && vd_wait_for "Accept SSH host key"'
vd_keys y
vd_check "libssh2: then the password, hidden" vd_wait_for "password for 127.0.0.1"
vd_type "$PASS"
vd_keys Enter
vd_check "libssh2: connected" vd_wait_host 1 connected 30

tap_done
