#!/bin/bash
# virtdeck - SPDX-License-Identifier: GPL-2.0-or-later
# Lab UI scenario (TAP): network install from an install tree URL, like
# virt-install --location. python3 -m http.server serves a tree with a
# .treeinfo and images/pxeboot/vmlinuz + initrd.img made from the lab Linux
# guest's kernel and busybox initrd (tests/lab/lab.sh). The wizard is walked
# by keys with only the name and the URL typed; then: the running guest
# booted that kernel (its serial console shows the busybox shell and the
# install command line), the inactive XML has no <kernel>, the kernel and
# initrd volumes are gone; a 404 URL and a start failure after the upload
# leave no domain and no volume; --create with a template of url= alone;
# the same walk over qemu+ssh to host 2, whose tree is served on the veth
# address host 2 can reach, and whose kernel virtdeck fetched (the server's
# log shows only host 1's address). Objects are named vdn*.
# shellcheck source=tests/lab/lib.sh disable=SC2016,SC2034
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || tap_skip_all "lab tests need root"
command -v virsh > /dev/null || tap_skip_all "virsh is not installed"
command -v expect > /dev/null || tap_skip_all "expect is not installed (tests/deps.sh)"
command -v python3 > /dev/null || tap_skip_all "python3 is not installed (tests/deps.sh)"
vd_init

U=$LAB_URI
H2=$LAB_H2_URI
H2_ADDR=10.254.0.1      # host 1's end of the veth to host 2 (lab.sh)
VMS="vdnu1 vdnu404 vdnufail vdnucli vdnu2 vdnu2404"

tap_plan 30

lab_up || tap_bail "lab up failed"

HTTP_PIDS=()
cleanup() {
    local d uri v
    for uri in "$U" "$H2"; do
        for d in $VMS; do
            lab_virsh "$uri" destroy "$d" > /dev/null 2>&1
            lab_virsh "$uri" undefine "$d" > /dev/null 2>&1
            for v in "$d.qcow2" "$d-kernel" "$d-initrd"; do
                lab_virsh "$uri" vol-delete --pool default "$v" > /dev/null 2>&1
            done
        done
    done
    for d in "${HTTP_PIDS[@]}"; do kill "$d" 2> /dev/null; done
    return 0
}
lab_on_exit cleanup
cleanup

# ---- the install tree: the lab Linux guest's kernel and initrd -------------------
TREE=$VD_TMP/tree
mkdir -p "$TREE/images/pxeboot"
# lab.sh keeps the guest's files in the default pool (lab-vmlinux: the
# uncompressed kernel that boots fast under TCG)
cp "$LAB_IMAGES/lab-vmlinux" "$TREE/images/pxeboot/vmlinuz" || tap_bail "no $LAB_IMAGES/lab-vmlinux (lab.sh up)"
cp "$LAB_IMAGES/lab-initrd.gz" "$TREE/images/pxeboot/initrd.img" || tap_bail "no $LAB_IMAGES/lab-initrd.gz"
cat > "$TREE/.treeinfo" << 'EOF'
[general]
family = Fedora
version = 39
arch = x86_64
name = Fedora 39
platforms = x86_64

[images-x86_64]
kernel = images/pxeboot/vmlinuz
initrd = images/pxeboot/initrd.img
EOF
KSIZE=$(stat -c %s "$TREE/images/pxeboot/vmlinuz")

# serve DIR ADDR LOG: python3 -m http.server on a free port; prints the port
serve() {
    local port
    for port in $(shuf -i 20000-40000 -n 20); do
        python3 -m http.server -b "$2" -d "$1" "$port" > "$3" 2>&1 &
        local pid=$!
        sleep 0.5
        if kill -0 "$pid" 2> /dev/null; then
            HTTP_PIDS+=("$pid")
            echo "$port"
            return 0
        fi
    done
    return 1
}
serve "$TREE" 127.0.0.1 "$VD_TMP/http1.log" > "$VD_TMP/port1" || tap_bail "cannot start python3 -m http.server"
P1=$(cat "$VD_TMP/port1")
URL=http://127.0.0.1:$P1/

k() { vd_keys "$@"; sleep 0.1; }
t() { vd_type "$1"; sleep 0.1; }
page() { vd_wait_for "Step $1 of 7" 10; }

# walk NAME URL [TEXT]: the name, "network install" and the URL (then
# TEXT, the wizard's look at the tree, is awaited on page 2); every other
# answer as the wizard offers it; ends on the review page
walk() {
    k n; page 1 || return 1
    vd_wait_gone "Reading what the host offers" 30 || return 1
    t "$1"; k NPage; page 2 || return 1
    k Enter; k Down Down Down Enter; k Tab; t "$2"
    if [ -n "$3" ]; then
        vd_check "page 2 shows the look at the tree: $3" vd_wait_for "$3" 20
    fi
    k NPage; page 3 || return 1
    k NPage; page 4 || return 1
    k NPage; page 5 || return 1
    k NPage; page 6 || return 1
    k NPage; page 7
}
# the review page's summary names the OS the tree gave
vd_wait_page_os() { vd_wait_for "OS: Fedora" 10; }
button() { local i; for ((i = 0; i < $1; i++)); do k Tab; done; k Enter; }

no_trace() {   # no_trace URI NAME: no domain, no disk, kernel or initrd volume
    local v
    lab_virsh "$1" dominfo "$2" > /dev/null 2>&1 && { echo "domain $2 exists"; return 1; }
    lab_virsh "$1" pool-refresh default > /dev/null 2>&1
    for v in "$2.qcow2" "$2-kernel" "$2-initrd"; do
        lab_virsh "$1" vol-info --pool default "$v" > /dev/null 2>&1 && { echo "volume $v exists"; return 1; }
    done
    return 0
}
boot_vols_gone() {
    lab_virsh "$1" pool-refresh default > /dev/null 2>&1
    ! lab_virsh "$1" vol-info --pool default "$2-kernel" > /dev/null 2>&1 &&
        ! lab_virsh "$1" vol-info --pool default "$2-initrd" > /dev/null 2>&1
}
# guest_shell URI NAME: the serial console shows the lab guest's busybox
# shell; its /proc/cmdline has inst.repo (the install boot's command line)
guest_shell() {
    expect -c "
        set timeout 60
        spawn virsh -c $1 console --force $2
        expect \"Escape character\"
        after 1000
        send \"\r\"
        expect {
            -re {[a-z0-9-]+# } { }
            timeout { exit 1 }
        }
        send \"cat /proc/cmdline\r\"
        expect {
            -re {inst.repo=http[^\r]*} { exit 0 }
            timeout { exit 2 }
        }" > "$VD_TMP/console-$2.log" 2>&1
    local rc=$?
    [ $rc = 0 ] || cat "$VD_TMP/console-$2.log"
    return $rc
}

# "Edit XML" adds a CD-ROM whose image is missing: defining works, starting fails
cat > "$VD_TMP/editor.sh" << EOF
#!/bin/sh
sed -i 's#<devices>#<devices><disk type="file" device="cdrom"><source file="$LAB_IMAGES/vdn-missing.iso"/><target dev="hdc" bus="ide"/><readonly/></disk>#' "\$1"
EOF
chmod +x "$VD_TMP/editor.sh"
export EDITOR="$VD_TMP/editor.sh" VISUAL=

vd_config '[general]
refresh = 3600'
vd_start 100 30 -c "$U"
vd_wait_host 1 connected 20

# ---- the walk with only the URL typed, create and start --------------------------
walk vdnu1 "$URL" "Install tree: images/pxeboot/vmlinuz (.treeinfo), Fedora"
vd_check "the OS field was filled from the tree (fedora)" eval 'vd_wait_page_os'
vd_check "review: the summary names the tree, nothing else was typed" \
    eval 'vd_has "Install: network tree $URL"'
T0=$(lab_ms)
button 1
vd_check "create and start: the status line says it came from the tree" \
    vd_wait_for "Created and started vdnu1 from the install tree" 120
T1=$(lab_ms)
STATUS=$(vd_screen | grep -o "Created and started vdnu1.*" | head -n1)
vd_wait_for "leaves" 20 && k C-]; vd_wait_gone "leaves" 10
tap_check "vdnu1 is running" lab_wait_domstate "$U" vdnu1 running 30
tap_check "vdnu1 booted the tree's kernel: busybox shell and inst.repo on its serial console" guest_shell "$U" vdnu1
T2=$(lab_ms)
tap_diag "create (find, download, upload, define, start): $((T1 - T0)) ms; then the guest's shell: $((T2 - T1)) ms"
tap_diag "status: $STATUS"
X=$(lab_virsh "$U" dumpxml --inactive vdnu1)
tap_check "inactive XML: no kernel, initrd or cmdline; boots from disk; on_reboot restart" \
    eval '! grep -q "<kernel>\|<initrd>\|<cmdline>" <<< "$X" && grep -q "<boot dev=.hd./>" <<< "$X" && grep -q "<on_reboot>restart<" <<< "$X"'
tap_check "inactive XML: libosinfo named the OS from .treeinfo" eval 'grep -q "libosinfo:os id=.http://fedoraproject.org/fedora" <<< "$X"'
L=$(lab_virsh "$U" dumpxml vdnu1)
tap_check "live XML: the install boot used the kernel and initrd volumes of pool default" \
    eval 'grep -q "<kernel>$LAB_IMAGES/vdnu1-kernel</kernel>" <<< "$L" && grep -q "<initrd>$LAB_IMAGES/vdnu1-initrd</initrd>" <<< "$L" && grep -q "<on_reboot>destroy<" <<< "$L"'
tap_check "the kernel and initrd volumes are gone after the start" boot_vols_gone "$U" vdnu1
tap_check "the disk volume vdnu1.qcow2 is there" lab_virsh "$U" vol-info --pool default vdnu1.qcow2
tap_check "virtdeck fetched vmlinuz and initrd.img from the server" \
    eval 'grep -q "GET /images/pxeboot/vmlinuz" "$VD_TMP/http1.log" && grep -q "GET /images/pxeboot/initrd.img" "$VD_TMP/http1.log"'
lab_virsh "$U" destroy vdnu1 > /dev/null 2>&1

# ---- a 404 URL: the wizard comes back with the reason, nothing is left ------------
walk vdnu404 "${URL}missing/" "Install tree: No kernel and initrd found"
button 1
vd_check "404: the wizard comes back with the status and the URL" \
    eval 'vd_wait_for "No kernel and initrd found" 60 && vd_has "HTTP 404"'
tap_check "404: no domain, no volume" no_trace "$U" vdnu404
k Escape y

# ---- start failure after the upload (edited XML): everything undone ---------------
walk vdnufail "$URL"
button 3
vd_check "edit XML: the review shows the edited XML" eval 'vd_wait_for "Domain XML (edited" 10'
k BTab BTab BTab; k Tab; k Enter   # Create and start
vd_check "start failure after the upload: the wizard says why" eval 'vd_wait_for "Could not start vdnufail" 120'
tap_check "start failure: no domain, no disk, kernel or initrd volume" no_trace "$U" vdnufail
tap_check "start failure: the kernel had been uploaded (the server served it)" \
    eval '[ "$(grep -c "GET /images/pxeboot/vmlinuz" "$VD_TMP/http1.log")" -ge 2 ]'
k Escape y

# ---- --create with a template of url= alone -------------------------------------
printf '[vm]\ninstall=url\nurl=%s\nmemory-mib=128\ndisk-size-mib=64\n' "$URL" > "$VD_TMP/url.vm"
out=$("$VD_BIN" -c "$U" --create "$VD_TMP/url.vm" --name vdnucli 2>&1); rc=$?
tap_check "--create url= alone: exit 0, progress lines, created and started" \
    eval '[ $rc = 0 ] && grep -q "virtdeck: downloading vmlinuz" <<< "$out" && grep -q "virtdeck: starting the installer" <<< "$out" && grep -q "Created and started vdnucli from the install tree" <<< "$out"'
tap_diag "$(grep -E "downloaded in|install tree:" <<< "$out")"
tap_check "--create: running, no kernel in the inactive XML, boot volumes gone" \
    eval 'lab_wait_domstate "$U" vdnucli running 30 && ! lab_virsh "$U" dumpxml --inactive vdnucli | grep -q "<kernel>" && boot_vols_gone "$U" vdnucli'
lab_virsh "$U" destroy vdnucli > /dev/null 2>&1
printf '[vm]\ninstall=url\nurl=%s\n' "${URL}missing/" > "$VD_TMP/url404.vm"
out=$("$VD_BIN" -c "$U" --create "$VD_TMP/url404.vm" --name vdnucli2 2>&1); rc=$?
tap_check "--create with a 404 URL: exit 1 with the status and URL, nothing made" \
    eval '[ $rc = 1 ] && grep -q "HTTP 404 .*${URL}missing/.treeinfo" <<< "$out" && no_trace "$U" vdnucli2'

# ---- host 2 over qemu+ssh: the tree on the veth address host 2 can reach ----------
if ! ip addr show 2> /dev/null | grep -q "inet $H2_ADDR/"; then
    for i in $(seq 8); do tap_skip "host 2 is not up (no $H2_ADDR)"; done
    tap_done
fi
serve "$TREE" "$H2_ADDR" "$VD_TMP/http2.log" > "$VD_TMP/port2" || tap_bail "cannot serve on $H2_ADDR"
P2=$(cat "$VD_TMP/port2")
URL2=http://$H2_ADDR:$P2/
tap_check "host 2 can reach the tree (curl inside netns labhost2)" \
    ip netns exec labhost2 python3 -c "import urllib.request,sys; urllib.request.urlopen('${URL2}.treeinfo', timeout=5)"
: > "$VD_TMP/http2.log.before"; cp "$VD_TMP/http2.log" "$VD_TMP/http2.log.before"
vd_start 100 30 -c "$H2"
vd_wait_host 1 connected 30
walk vdnu2 "$URL2"
T0=$(lab_ms)
button 1
vd_check "qemu+ssh: created and started from the install tree" \
    vd_wait_for "Created and started vdnu2 from the install tree" 180
T1=$(lab_ms)
STATUS=$(vd_screen | grep -o "Created and started vdnu2.*" | head -n1)
vd_wait_for "leaves" 20 && k C-]; vd_wait_gone "leaves" 10
tap_check "qemu+ssh: vdnu2 booted the tree's kernel (serial console)" guest_shell "$H2" vdnu2
T2=$(lab_ms)
tap_diag "qemu+ssh create: $((T1 - T0)) ms; then the guest's shell: $((T2 - T1)) ms"
tap_diag "status: $STATUS"
tap_check "qemu+ssh: no kernel in the inactive XML, the boot volumes are gone" \
    eval '! lab_virsh "$H2" dumpxml --inactive vdnu2 | grep -q "<kernel>" && boot_vols_gone "$H2" vdnu2'
tap_check "qemu+ssh: the live XML's kernel was a volume of host 2's pool" \
    eval 'lab_virsh "$H2" dumpxml vdnu2 | grep -q "<kernel>.*/vdnu2-kernel</kernel>"'
tap_check "qemu+ssh: virtdeck (host 1, $H2_ADDR) fetched the kernel, host 2 never did" \
    eval 'grep -q "^$H2_ADDR .*GET /images/pxeboot/vmlinuz" "$VD_TMP/http2.log" && ! grep -q "^10.254.0.2 .*GET /images" "$VD_TMP/http2.log"'
lab_virsh "$H2" destroy vdnu2 > /dev/null 2>&1
walk vdnu2404 "${URL2}missing/"
button 1
vd_check "qemu+ssh, 404: the wizard says why" eval 'vd_wait_for "No kernel and initrd found" 60'
tap_check "qemu+ssh, 404: no domain, no volume on host 2" no_trace "$H2" vdnu2404
k Escape y

tap_done
