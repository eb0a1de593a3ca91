#!/bin/bash
# virtdeck - the Russian translation on the real screen, from the build tree (TAP)
# SPDX-License-Identifier: GPL-2.0-or-later
#
# No `make install`: virtdeck finds po/ru.gmo as locale/ru/LC_MESSAGES in the
# build tree (Makefile.am all-local, ui/main.c locale_dir()).
. "$(dirname "$0")/lib.sh"

ui_require
VD_BUILDDIR=${VD_BUILDDIR:-$(dirname "$VD_BIN")}
if [ ! -f "$VD_BUILDDIR/locale/ru/LC_MESSAGES/virtdeck.mo" ]; then
    echo "1..0 # SKIP no Russian catalog in $VD_BUILDDIR/locale (NLS disabled?)"
    exit 0
fi
DEMO="$VD_SRCDIR/data/demo.xml"
if [ ! -f "$DEMO" ]; then
    echo "1..0 # SKIP no data/demo.xml"
    exit 0
fi

# ru_RU.UTF-8 when tests/deps.sh generated it. Else C.UTF-8: gettext ignores
# LANGUAGE only when the messages locale is "C" or "POSIX", and glibc's
# C.UTF-8 is neither, so LANGUAGE=ru still selects the catalog there.
if locale -a 2>/dev/null | grep -qixE 'ru_RU\.utf-?8'; then
    RU_ENV="LANGUAGE=ru LANG=ru_RU.UTF-8 LC_ALL=ru_RU.UTF-8"
else
    RU_ENV="LANGUAGE=ru LANG=C.UTF-8 LC_ALL=C.UTF-8"
    diag "ru_RU.UTF-8 not generated: using C.UTF-8 with LANGUAGE=ru"
fi
XDG="$UI_TMPDIR/xdg"
mkdir -p "$XDG"
# never read or write the user's own configuration
export XDG_CONFIG_HOME="$XDG"

# not_english WHAT WORD...: none of the English words is on the lines that
# ui_screen | $WHAT prints (whole words, case-sensitive)
not_english() {
    _lines=$(ui_screen | eval "$1"); shift
    for _w in "$@"; do
        if printf '%s\n' "$_lines" | grep -qw -- "$_w"; then
            diag "English left: $_w"
            return 1
        fi
    done
    return 0
}
fkey_bar() { ui_screen | tail -n1; }

plan 38

# ---- --help -----------------------------------------------------------------
# shellcheck disable=SC2086
help_out=$(env $RU_ENV "$VD_BIN" --help 2>&1)
check "--help: summary in Russian" eval 'printf "%s\n" "$help_out" | grep -qF "Управление узлами libvirt, виртуальными машинами и контейнерами."'
check "--help: options in Russian" eval 'printf "%s\n" "$help_out" | grep -qF "Показать демонстрационный узел" && printf "%s\n" "$help_out" | grep -qE -- "--config=ФАЙЛ"'
check "--help: no English option text" eval '! printf "%s\n" "$help_out" | grep -qE "Show the demo host|Print the version|Manage libvirt"'
# shellcheck disable=SC2086
check "VIRTDECK_LOCALEDIR overrides the catalog directory" eval \
    'env $RU_ENV VIRTDECK_LOCALEDIR=/nonexistent "$VD_BIN" --help 2>&1 | grep -qF "Show the demo host"'

# ---- main screen at 80x24 ---------------------------------------------------
# shellcheck disable=SC2086
ui_start 80 24 $RU_ENV -- --demo
check "main screen comes up" ui_wait_for "k8s-node-1"
check "title bar: domain count in Russian plural" eval 'ui_screen | head -n1 | grep -qE "14 доменов, [0-9]+ активных"'
check "column headers in Russian" eval 'ui_screen | sed -n 2p | grep -qE "Имя +Состояние +ЦП% +Тип +vCPU +Память"'
check "no English column headers" not_english 'sed -n 2p' Hosts Name State Type Memory Auto Pers
check "state names in Russian" eval 'ui_row backup-nas | grep -qF сохранена && ui_row build-run | grep -qF выключена && ui_row db-primary | grep -qF работает && ui_row db-replica | grep -qF "на паузе"'
check "no English state names" not_english 'ui_right' running paused shut saved crashed yes no VM CT
check "domain type: VM and container" eval 'ui_row ct-nginx | grep -qF Конт && ui_row db-primary | grep -qF ВМ'
check "host pane in Russian" eval 'ui_has "подключён" && ui_has "32 процессора" && ui_has "Память: "'
check "F-key bar in Russian, in one line" eval 'fkey_bar | grep -qE "^F1Помощь F2Подкл\. F3Фильтр F5Пуск +F6Сорт\. +F8Выкл\. +F9Убить +F10Выход *$"'
check "no English F-key labels" not_english 'tail -n1' Help Conn Filter Reconn Start Sort Shutdn Kill Quit
check "status line in Russian" ui_has "Справка — ? или F1, выход — q."
check "not too small at 80x24" eval '! ui_has "Терминал слишком мал" && ! ui_has "Terminal too small"'

# ---- filter ------------------------------------------------------------------
ui_keys /
ui_type k8s
check "filter prompt in Russian" ui_wait_for "Фильтр: k8s"
ui_keys Escape
ui_wait_gone "Фильтр: k8s"
ui_keys /
ui_type zzz-nothing
check "empty filter result in Russian" ui_wait_for "не подходит ни один домен"
ui_keys Escape
ui_wait_gone "не подходит"

# ---- help overlay -------------------------------------------------------------
ui_keys '?'
check "help overlay title in Russian" ui_wait_for "Справка virtdeck"
check "help: group and entries in Russian" eval 'ui_has "Перемещение" && ui_has "Вниз" && ui_has "Фильтровать домены по имени"'
check "help: footer in Russian" ui_has "Esc или q — закрыть"
check "help: no English entries" not_english 'sed -n "3,22p"' help Moving Move down Filter Sort Reverse close scroll
ui_keys PageDown
check "help: domain actions in Russian with their keys" eval 'ui_wait_for "Принудительно выключить" && ui_screen | grep -F "Принудительно выключить" | grep -qF "F9, D"'
check "help: long entries are not cut" eval 'ui_has "Приостановить работающий, возобновить приостановленный" && ui_has "Запустить (с восстановлением сохранённого состояния)"'
ui_keys q
ui_wait_gone "Справка virtdeck"

# ---- add-connection dialog ----------------------------------------------------
ui_keys F2
check "add-connection dialog title in Russian" ui_wait_for "Добавить подключение"
check "dialog labels in Russian" eval 'ui_has "Драйвер" && ui_has "Транспорт" && ui_has "Пользователь" && ui_has "Узел" && ui_has "Порт" && ui_has "Группа"'
check "dialog check box and buttons in Russian" eval 'ui_has "Подключаться при запуске" && ui_has "[ ОК ]" && ui_has "[ Отмена ]" && ui_has "локальный"'
check "no English dialog labels" not_english 'sed -n "4,21p" | sed "s/^[^│|]*[│|]//"' Add connection Name Driver Transport User Host Port Group Cancel local
ui_keys Escape
ui_wait_gone "Добавить подключение"

# ---- actions: skip reasons, confirmation ------------------------------------
ui_keys g F9
check "skipped action explained in Russian" ui_wait_for "Принудительно выключить: backup-nas: не работает"
ui_keys Down Down Down
ui_wait_for "ct-nginx"
ui_keys F9
check "confirmation in Russian" eval 'ui_wait_for "Принудительно выключить ct-nginx?" && ui_has "[ Да ]" && ui_has "[ Нет ]"'
ui_keys Escape
check "cancelled in Russian" ui_wait_for "Отменено"
check "ct-nginx still running" ui_wait_row ct-nginx работает

# ---- wider: all F-keys, full titles ----------------------------------------------
ui_resize 120 40
check "120x40: the reconnect key shows too" eval 'ui_wait_for "F4Повтор" && fkey_bar | grep -qE "^F1Помощь .*F10Выход *$"'
check "120x40: host tree columns in Russian" eval 'ui_has "Узлы" && ui_has "Соединение"'
ui_resize 80 24
check "back at 80x24: headers present" eval 'ui_wait_for "Состояние" && ui_screen | sed -n 2p | grep -qF "Память"'

# ---- networks screen at 80x24: mode names and addresses whole ------------------
ui_keys w
check "networks at 80x24: Russian mode names, subnet and DHCP range whole" \
    eval 'ui_wait_for "Сети узла" && ui_screen | grep -E "^ default " | grep -qE "NAT +192\.168\.122\.0/24 +192\.168\.122\.2-254 " && ui_screen | grep -E "^ isolated " | grep -qE "изолир\. +10\.10\.0\.0/24 " && ui_screen | grep -qE "статич\\. +52:54:00:3a:10:01" && ! ui_screen | grep -q "…"'
check "networks: the F-key bar is the screen's, in Russian" \
    eval 'fkey_bar | grep -qE "^F1Помощь .*F2Новая .*F5Пуск .*qЗакрыть" && ! fkey_bar | grep -qE "New|Close|Stop|Delete"'
ui_keys q
ui_wait_gone "Сети узла"

ui_keys F10
check "F10 quits" ui_wait_for "VIRTDECK-EXITED 0"
tap_done
