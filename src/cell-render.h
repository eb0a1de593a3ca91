/* virtdeck - a guest's framebuffer turned into terminal cells
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Pure core module: no libvirt, no curses, no VNC library. The VNC thread
 * (or whoever owns the framebuffer) feeds changed rectangles in with
 * vd_cr_damage(); the UI takes the cells that changed with
 * vd_cr_take_changes() and draws only those. A renderer is not thread-safe:
 * one owner at a time (guard it with the framebuffer's lock).
 *
 * Modes:
 *   VD_CR_TEXT   VGA / fbcon text screens (8 or 9 px by 16 px cells at any
 *                offset) read back as characters with their colours, one text
 *                cell per terminal cell (cropped and panned when larger than
 *                the grid, centred when smaller). A frame that is not a text
 *                screen is drawn as VD_CR_HALF (VD_CR_ASCII with VD_CR_MONO).
 *   VD_CR_HALF   U+2580 '▀' per cell, fg = upper pixel, bg = lower pixel.
 *   VD_CR_QUAD   2x2 pixels per cell: the best two-colour split, drawn with
 *                ' ', '▀', '▄', '▌', '▐', '█' and U+2596..U+259F.
 *   VD_CR_ASCII  one of " .:-=+*#%@" by luminance (plain ASCII); with colours
 *                the fg is the cell's average colour and bg is black.
 *
 * Colours in struct vd_cell (fg, bg):
 *   VD_CR_TRUE   0xRRGGBB
 *   VD_CR_256    xterm palette index 16..255 (6x6x6 cube and greys, nearest)
 *   VD_CR_16     palette index 0..15 in ANSI order (0 black, 1 red, 2 green,
 *                3 yellow/brown, 4 blue, 5 magenta, 6 cyan, 7 white, 8..15
 *                bright), nearest to the VGA palette (VGA text colours map
 *                exactly)
 *   VD_CR_MONO   fg 7, bg 0 (the terminal's default colours); the picture
 *                is carried by the characters alone (thresholded blocks, or
 *                ASCII density). Text mode only: fg 0, bg 7 marks a cell on a
 *                light background (draw it in reverse video, e.g. a menu's
 *                highlighted entry).
 *
 * Scaling (not for text mode, which is always one text cell per cell):
 *   VD_CR_FIT    the whole frame fits the grid, aspect kept (a cell is taken
 *                as twice as tall as wide), centred; area-average sampling.
 *   VD_CR_1TO1   one framebuffer pixel per sub-cell pixel (HALF: 1x2 pixels
 *                per cell, QUAD: 2x2, ASCII: 1x2 averaged), panned by
 *                pan_x/pan_y cells (clamped).
 * Cells outside the picture are ' ' on black (bg 0 / 0x000000 / 16).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 32-bit framebuffer as libvncclient delivers it: little-endian 0x00RRGGBB
 * per pixel (the top byte is ignored) */
struct vd_fb {
    const uint32_t *px;
    int width, height, stride_px;
};

enum vd_cr_mode { VD_CR_TEXT, VD_CR_HALF, VD_CR_QUAD, VD_CR_ASCII };
enum vd_cr_colors { VD_CR_MONO, VD_CR_16, VD_CR_256, VD_CR_TRUE };
enum vd_cr_scale { VD_CR_FIT, VD_CR_1TO1 };

/* ch: a Unicode code point (always printable, one column wide);
 * fg/bg: see "Colours" above */
struct vd_cell {
    uint32_t ch;
    uint32_t fg, bg;
};

/* renderer state: configuration, output grid, text-grid cache, damage */
struct vd_cr;

struct vd_cr *vd_cr_new(void);
void vd_cr_free(struct vd_cr *r);

/* Output grid size (cells; clamped to at least 1x1), mode, colours, scaling,
 * pan (in cells; used by VD_CR_1TO1 and by text mode when the text grid is
 * larger than the output grid). Marks everything dirty: the next
 * vd_cr_damage() (even with an empty rectangle) recomputes every cell, and
 * the next vd_cr_take_changes() reports every cell. */
void vd_cr_configure(struct vd_cr *r, int cols, int rows, enum vd_cr_mode mode,
                     enum vd_cr_colors colors, enum vd_cr_scale scale,
                     int pan_x, int pan_y);

/* Recompute the cells under a changed framebuffer rectangle (pixels; clipped
 * to the frame, may be empty). A new framebuffer size (or a configure since
 * the last call) recomputes everything, text-grid detection included. fb->px
 * is only read during the call. NULL fb or a frame of size 0: blank grid. */
void vd_cr_damage(struct vd_cr *r, const struct vd_fb *fb, int x, int y, int w, int h);

/* The output grid: rows*cols cells, row-major. */
const struct vd_cell *vd_cr_cells(const struct vd_cr *r);
void vd_cr_size(const struct vd_cr *r, int *cols, int *rows);

/* Cells changed since the last call (compared with what that call saw), as
 * runs of consecutive changed cells in one row: fn(row, col, n, cells, u),
 * cells pointing at the n current cells. Returns the number of changed cells
 * and makes the current grid the new reference. After vd_cr_configure() or
 * vd_cr_invalidate() every cell is reported. fn may be NULL (just count and
 * reset). */
size_t vd_cr_take_changes(struct vd_cr *r,
                          void (*fn)(int row, int col, int n,
                                     const struct vd_cell *cells, void *u),
                          void *u);
/* The next vd_cr_take_changes() reports every cell (e.g. after the terminal
 * was cleared). */
void vd_cr_invalidate(struct vd_cr *r);

/* Text mode: true when the current frame was recognised as a text screen
 * (grid found, glyphs matched); *matched / *total (either may be NULL): cells
 * holding a glyph (not of a single colour) and how many of them matched a
 * font glyph (exactly, or within the Hamming threshold). False (and 0/0) in
 * the other modes or when the frame is drawn as the fallback. */
bool vd_cr_text_stats(const struct vd_cr *r, unsigned *matched, unsigned *total);

/* What the grid currently shows: the configured mode, or the fallback mode
 * when text mode did not recognise the frame. */
enum vd_cr_mode vd_cr_effective_mode(const struct vd_cr *r);

/* Where the picture is and how it maps to the framebuffer, for mouse input
 * and scroll bars. */
struct vd_cr_geom {
    int col, row, cols, rows;   /* the cells showing the picture */
    int content_cols, content_rows; /* the whole picture in cells (> cols/rows
                                     * when cropped) */
    int pan_x, pan_y;           /* the pan actually used (clamped) */
    int text_cw, text_ch;       /* text mode recognised: cell size in pixels, */
    int text_ox, text_oy;       /* and the grid offset in the frame; else 0 */
};
void vd_cr_geometry(const struct vd_cr *r, struct vd_cr_geom *g);

/* The framebuffer pixel at the centre of a cell (for mouse events); false
 * when the cell does not show the picture. */
bool vd_cr_cell_to_fb(const struct vd_cr *r, int col, int row, int *x, int *y);

/* The mode to start with: VD_CR_TEXT on a UTF-8 terminal (it falls back to
 * half blocks by itself), VD_CR_ASCII otherwise. */
enum vd_cr_mode vd_cr_auto_mode(enum vd_cr_colors colors, bool utf8);

/* Colour depth from $COLORTERM (may be NULL) and the terminal's colour count
 * (curses COLORS): "truecolor"/"24bit" -> VD_CR_TRUE, >= 256 -> VD_CR_256,
 * >= 8 -> VD_CR_16, else VD_CR_MONO. */
enum vd_cr_colors vd_cr_colors_from_env(const char *colorterm, int ncolors);

/* Names for the status line ("text", "half", "quad", "ascii"; "mono", "16",
 * "256", "true"; "fit", "1:1"), untranslated identifiers. */
const char *vd_cr_mode_name(enum vd_cr_mode m);
const char *vd_cr_colors_name(enum vd_cr_colors c);
const char *vd_cr_scale_name(enum vd_cr_scale s);

/* The glyph table (IBM VGA 8x16, code page 437), for tests and benchmarks:
 * 16 bytes per glyph, top row first, bit 7 = leftmost pixel. */
extern const uint8_t vd_vga_font_8x16[256][16];
/* CP437 code -> Unicode code point (0x00 and 0xFF -> ' '). */
extern const uint32_t vd_cp437_unicode[256];
