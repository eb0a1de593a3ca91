#!/bin/bash
# virtdeck - the form engine through the VM wizard, on libvirt's test driver (TAP)
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Step N of M, Tab/arrows, PgDn/PgUp and n/p, a number's MiB/GiB unit, a
# choice list in a popup, inline errors that keep a page from being left,
# back and forth keeping the input, Esc asking before discarding, 80x24, and
# a creation on the in-process test driver. Real VMs: tests/lab/wizard.sh.
. "$(dirname "$0")/lib.sh"

ui_require
XDG="$UI_TMPDIR/xdg"
mkdir -p "$XDG"
export XDG_CONFIG_HOME="$XDG"

plan 29

k() { ui_keys "$@"; sleep 0.1; }
t() { ui_type "$1"; sleep 0.1; }

ui_start 80 24 -- -c test:///default
ui_wait_for " test " || { echo "Bail out! the test host did not show"; exit 1; }
k n
check "n opens the wizard on step 1 of 7" ui_wait_for "New virtual machine — Step 1 of 7: host and name"
check "an empty name is marked next to the field" ui_has "A name is needed"
check "the F-key bar names the wizard's keys, not the list's" \
    eval 'ui_screen | tail -n1 | grep -q "^TabNext .*PgDnStep+ .*EscCancel" && ! ui_screen | tail -n1 | grep -q "F5Start"'
k Enter
check "Enter with errors stays on the page and says why" \
    eval 'ui_wait_for "Correct the answers marked" && ui_has "Step 1 of 7"'
t "bad name"
check "a bad character is reported inline" ui_wait_for "Only letters, digits"
k C-u; t test
check "a name in use is reported inline" ui_wait_for "A domain named test already exists"
k C-u; t vdwui
k PageDown
check "PgDn turns to step 2" ui_wait_for "Step 2 of 7: install source and OS"
k Enter
check "Enter on a choice opens its list" eval 'ui_wait_for "PXE network boot" && ui_has "import an existing disk"'
t pxe
check "typing in the list selects the first item starting with it" ui_wait_for " pxe "
k Enter
check "the list sets the choice" eval 'ui_wait_for "◂ PXE network boot ▸"'
# the OS search: typing in the open list keeps the matching OSes, with names
k Down Enter
check "Enter on the OS opens the OS list with full names" ui_wait_for "  Fedora Linux"
t "deb 1"
check "typing filters the OS list: Debian 11 and 10 only" \
    eval 'ui_wait_for "debian11  Debian 11" && ui_has "debian10  Debian 10" && ! ui_has "Fedora" && ! ui_has "debian9 "'
k Enter
check "choosing sets the id and shows the OS's minimums" \
    eval 'ui_wait_for "Operating system debian11" && ui_has "Debian 11: RAM"'
k Up
k PageDown
check "step 3 shows the host's CPUs next to vCPUs" eval 'ui_wait_for "Step 3 of 7" && ui_has "host: 16 CPUs"'
k Tab Tab C-u; t 99
check "too many vCPUs: inline error" ui_wait_for "The host has 16 CPUs"
k C-u; t 2; k Tab Tab
k C-u; t 1.5g
check "a number takes a unit: 1.5 GiB" ui_wait_for "1.5          GiB"
k m
check "m switches it to MiB" ui_wait_for "1.5          MiB"
k C-u; t 512
k p
check "p in a number field is not a page key" ui_has "Step 3 of 7"
k BTab p
check "p goes back (outside a text field) and keeps the answers" \
    eval 'ui_wait_for "Step 2 of 7" && ui_has "◂ PXE network boot ▸"'
k PageUp
check "back on step 1 the name is still there" eval 'ui_wait_for "Step 1 of 7" && ui_has "vdwui"'
k PageDown PageDown PageDown PageDown PageDown PageDown
check "the review shows summary and XML with the answers" \
    eval 'ui_wait_for "Step 7 of 7: review" && ui_has "CPU: 2 vCPUs" && ui_has "Memory: 512 MiB" && ui_has "OS: Debian 11 (debian11)"'
check "the review fits 80x24 with its buttons" \
    eval 'ui_has "[ Create and start ]" && ui_has "[ Save template ]" && [ "$(ui_screen | wc -l)" -le 24 ]'
k Escape
check "Esc asks before discarding" ui_wait_for "Discard everything entered here?"
k Tab
k Tab Enter
check "create and start on the test driver" ui_wait_for "Created and started vdwui"

# ---- templates: saved from the review, chosen from the list on page 1 ----
k n; ui_wait_for "Step 1 of 7"
t vdwtpl; k PageDown PageDown; ui_wait_for "Step 3 of 7"
k Tab Tab C-u; t 3
k PageDown
check "an empty volume name says which name it gets" eval 'ui_wait_for "Step 4 of 7" && ui_has "empty: vdwtpl.qcow2"'
k PageDown PageDown PageDown
ui_wait_for "Step 7 of 7"
k Tab Tab Tab Tab Enter
check "Save template writes it under the config directory" \
    eval 'ui_wait_for "Template saved as" && [ -s "$XDG/virtdeck/templates/vdwtpl.vm" ]'
k Escape y
k n; ui_wait_for "Step 1 of 7"
k Tab Enter
check "Enter on the template field lists the saved ones" ui_wait_for "│vdwtpl"
k Enter
check "choosing one fills the answers (its name)" ui_wait_for "Name          vdwtpl"
k PageDown PageDown PageDown PageDown PageDown PageDown
check "and the rest (3 vCPUs on the review)" ui_wait_for "CPU: 3 vCPUs"
k Escape y

tap_done
