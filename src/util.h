/* virtdeck - small helpers shared by core and UI
 * SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>

/* Return a copy of untrusted text (names from libvirt, error messages) that
 * is safe to draw on a terminal: valid UTF-8, no C0/C1 controls, no escape
 * sequences (ESC ... final byte is removed as a whole), no DEL. Newlines and
 * tabs become a single space. NULL gives "". */
char *vd_sanitize(const char *s);

/* "512 MiB", "1.5 GiB", "64 KiB": human size from KiB, binary units. */
char *vd_format_kib(unsigned long long kib);

/* libvirt version number 9000000 -> "9.0.0" */
char *vd_format_version(unsigned long v);

/* Write all of buf to fd, again after EINTR and short writes; false on
 * an error (errno set). */
bool vd_write_all(int fd, const char *buf, size_t len);

/* Monotonic milliseconds. */
gint64 vd_now_ms(void);
