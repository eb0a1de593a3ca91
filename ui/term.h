/* virtdeck - the one place that includes curses, with wide-char support
 * SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <ncursesw/curses.h>
