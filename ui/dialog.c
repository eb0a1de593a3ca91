/* virtdeck - a small form engine for dialogs and (later) wizard pages
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <config.h>

#include <string.h>

#include "i18n.h"
#include "ui/dialog.h"
#include "ui/draw.h"
#include "ui/term.h"

struct ui_dialog {
    char *title;
    char *message;
    char *error;
    int width;
    GPtrArray *fields;          /* struct ui_field * */
    guint focus;
    int default_result;
    GArray *hotkeys;            /* struct hotkey */
    ui_dialog_changed_fn changed;
    ui_dialog_done_fn done;
    gpointer user;
    GDestroyNotify destroy;
};

struct hotkey {
    ui_key key;
    int result;
};

static void
field_free(gpointer p)
{
    struct ui_field *f = p;

    g_free(f->id);
    g_free(f->label);
    if (f->text && f->secret)
        explicit_bzero(f->text->str, f->text->allocated_len);
    if (f->text)
        g_string_free(f->text, TRUE);
    if (f->choices)
        g_ptr_array_unref(f->choices);
    g_free(f);
}

struct ui_dialog *
ui_dialog_new(const char *title, int width)
{
    struct ui_dialog *d = g_new0(struct ui_dialog, 1);

    d->title = g_strdup(title);
    d->width = width;
    d->fields = g_ptr_array_new_with_free_func(field_free);
    d->hotkeys = g_array_new(FALSE, FALSE, sizeof(struct hotkey));
    d->default_result = G_MININT;
    return d;
}

void
ui_dialog_free(struct ui_dialog *d)
{
    if (!d)
        return;
    if (d->destroy)
        d->destroy(d->user);
    g_ptr_array_unref(d->fields);
    g_array_free(d->hotkeys, TRUE);
    g_free(d->title);
    g_free(d->message);
    g_free(d->error);
    g_free(d);
}

void
ui_dialog_set_callbacks(struct ui_dialog *d, ui_dialog_changed_fn changed,
                        ui_dialog_done_fn done, gpointer user, GDestroyNotify destroy)
{
    d->changed = changed;
    d->done = done;
    d->user = user;
    d->destroy = destroy;
}

void
ui_dialog_set_message(struct ui_dialog *d, const char *text)
{
    g_free(d->message);
    d->message = g_strdup(text);
}

void
ui_dialog_set_error(struct ui_dialog *d, const char *text)
{
    g_free(d->error);
    d->error = text && *text ? g_strdup(text) : NULL;
}

static bool
focusable(const struct ui_field *f)
{
    return f->type != UI_FIELD_LABEL;
}

static struct ui_field *
add_field(struct ui_dialog *d, enum ui_field_type type, const char *id, const char *label)
{
    struct ui_field *f = g_new0(struct ui_field, 1);

    f->type = type;
    f->id = g_strdup(id);
    f->label = g_strdup(label);
    f->slot = VD_C_DIALOG;
    g_ptr_array_add(d->fields, f);
    /* focus starts on the first focusable field */
    if (focusable(f) && !focusable(g_ptr_array_index(d->fields, d->focus)))
        d->focus = d->fields->len - 1;
    return f;
}

struct ui_field *
ui_dialog_add_label(struct ui_dialog *d, const char *id, const char *text)
{
    struct ui_field *f = add_field(d, UI_FIELD_LABEL, id, NULL);
    f->text = g_string_new(text);
    return f;
}

struct ui_field *
ui_dialog_add_text(struct ui_dialog *d, const char *id, const char *label, const char *value)
{
    struct ui_field *f = add_field(d, UI_FIELD_TEXT, id, label);
    f->text = g_string_new(value);
    f->cursor = f->text->len;
    return f;
}

struct ui_field *
ui_dialog_add_choice(struct ui_dialog *d, const char *id, const char *label,
                     const char *const *choices, guint selected)
{
    struct ui_field *f = add_field(d, UI_FIELD_CHOICE, id, label);

    f->choices = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; choices[i]; i++)
        g_ptr_array_add(f->choices, g_strdup(choices[i]));
    f->choice = selected < f->choices->len ? selected : 0;
    return f;
}

struct ui_field *
ui_dialog_add_check(struct ui_dialog *d, const char *id, const char *label, bool checked)
{
    struct ui_field *f = add_field(d, UI_FIELD_CHECK, id, label);
    f->checked = checked;
    return f;
}

struct ui_field *
ui_dialog_add_button(struct ui_dialog *d, const char *label, int result)
{
    struct ui_field *f = add_field(d, UI_FIELD_BUTTON, NULL, label);

    f->result = result;
    if (d->default_result == G_MININT)
        d->default_result = result;
    return f;
}

void
ui_dialog_set_default(struct ui_dialog *d, int result)
{
    d->default_result = result;
}

void
ui_dialog_add_hotkey(struct ui_dialog *d, ui_key k, int result)
{
    struct hotkey h = { k, result };
    g_array_append_val(d->hotkeys, h);
}

void
ui_dialog_focus_button(struct ui_dialog *d, int result)
{
    for (guint i = 0; i < d->fields->len; i++) {
        struct ui_field *f = g_ptr_array_index(d->fields, i);
        if (f->type == UI_FIELD_BUTTON && f->result == result)
            d->focus = i;
    }
}

struct ui_field *
ui_dialog_field(const struct ui_dialog *d, const char *id)
{
    for (guint i = 0; i < d->fields->len; i++) {
        struct ui_field *f = g_ptr_array_index(d->fields, i);
        if (f->id && strcmp(f->id, id) == 0)
            return f;
    }
    return NULL;
}

const char *
ui_dialog_value(const struct ui_dialog *d, const char *id)
{
    struct ui_field *f = ui_dialog_field(d, id);

    if (!f)
        return NULL;
    if (f->type == UI_FIELD_CHOICE)
        return g_ptr_array_index(f->choices, f->choice);
    return f->text ? f->text->str : NULL;
}

bool
ui_dialog_checked(const struct ui_dialog *d, const char *id)
{
    struct ui_field *f = ui_dialog_field(d, id);
    return f && f->checked;
}

void
ui_field_set_text(struct ui_field *f, const char *text)
{
    g_string_assign(f->text, text ? text : "");
    if (f->cursor > f->text->len)
        f->cursor = f->text->len;
}

/* ---- keys ----------------------------------------------------------- */

static void
move_focus(struct ui_dialog *d, int dir)
{
    guint n = d->fields->len;

    for (guint step = 0; step < n; step++) {
        d->focus = (d->focus + n + dir) % n;
        if (focusable(g_ptr_array_index(d->fields, d->focus)))
            return;
    }
}

static bool
finish(struct ui_dialog *d, int result)
{
    if (!d->done)
        return true;
    return d->done(d, result, d->user);
}

static bool
text_key(struct ui_field *f, ui_key k)
{
    GString *t = f->text;
    const char *s = t->str;

    switch (k) {
    case UI_KEY_FN | KEY_LEFT:
        if (f->cursor > 0)
            f->cursor = g_utf8_find_prev_char(s, s + f->cursor) - s;
        return false;
    case UI_KEY_FN | KEY_RIGHT:
        if (f->cursor < t->len)
            f->cursor = g_utf8_next_char(s + f->cursor) - s;
        return false;
    case UI_KEY_FN | KEY_HOME:
    case 1:     /* C-a */
        f->cursor = 0;
        return false;
    case UI_KEY_FN | KEY_END:
    case 5:     /* C-e */
        f->cursor = t->len;
        return false;
    case UI_KEY_FN | KEY_BACKSPACE:
        if (f->cursor > 0) {
            gsize prev = g_utf8_find_prev_char(s, s + f->cursor) - s;
            g_string_erase(t, prev, f->cursor - prev);
            f->cursor = prev;
            return true;
        }
        return false;
    case UI_KEY_FN | KEY_DC:
        if (f->cursor < t->len) {
            gsize next = g_utf8_next_char(s + f->cursor) - s;
            g_string_erase(t, f->cursor, next - f->cursor);
            return true;
        }
        return false;
    case 21:    /* C-u */
        g_string_truncate(t, 0);
        f->cursor = 0;
        return true;
    default:
        break;
    }
    if (!(k & UI_KEY_FN) && k >= 32 && k != 127 && g_unichar_isprint((gunichar)k)) {
        char buf[8];
        int len = g_unichar_to_utf8((gunichar)k, buf);
        g_string_insert_len(t, f->cursor, buf, len);
        f->cursor += len;
        return true;
    }
    return false;
}

bool
ui_dialog_key(struct ui_dialog *d, ui_key k)
{
    struct ui_field *f = d->fields->len ? g_ptr_array_index(d->fields, d->focus) : NULL;
    bool changed = false;

    if (k == UI_KEY_ESC)
        return finish(d, UI_DIALOG_CANCEL);
    if (k == '\t' || k == (UI_KEY_FN | KEY_DOWN)) {
        move_focus(d, 1);
        return false;
    }
    if (k == (UI_KEY_FN | KEY_BTAB) || k == (UI_KEY_FN | KEY_UP)) {
        move_focus(d, -1);
        return false;
    }
    if (k == '\n') {
        if (f && f->type == UI_FIELD_BUTTON)
            return finish(d, f->result);
        return finish(d, d->default_result);
    }
    if (!f)
        return false;
    if (f->type != UI_FIELD_TEXT) {
        for (guint i = 0; i < d->hotkeys->len; i++)
            if (g_array_index(d->hotkeys, struct hotkey, i).key == k)
                return finish(d, g_array_index(d->hotkeys, struct hotkey, i).result);
    }
    switch (f->type) {
    case UI_FIELD_TEXT:
        changed = text_key(f, k);
        break;
    case UI_FIELD_CHOICE:
        if (k == (UI_KEY_FN | KEY_LEFT) || k == 'h') {
            f->choice = (f->choice + f->choices->len - 1) % f->choices->len;
            changed = true;
        } else if (k == (UI_KEY_FN | KEY_RIGHT) || k == 'l' || k == ' ') {
            f->choice = (f->choice + 1) % f->choices->len;
            changed = true;
        }
        break;
    case UI_FIELD_CHECK:
        if (k == ' ') {
            f->checked = !f->checked;
            changed = true;
        }
        break;
    case UI_FIELD_BUTTON:
        if (k == ' ')
            return finish(d, f->result);
        if (k == (UI_KEY_FN | KEY_LEFT))
            move_focus(d, -1);
        else if (k == (UI_KEY_FN | KEY_RIGHT))
            move_focus(d, 1);
        break;
    case UI_FIELD_LABEL:
        break;
    }
    if (changed && d->changed)
        d->changed(d, f, d->user);
    return false;
}

/* ---- drawing -------------------------------------------------------- */

static int
label_width(const struct ui_dialog *d)
{
    int w = 0;

    for (guint i = 0; i < d->fields->len; i++) {
        const struct ui_field *f = g_ptr_array_index(d->fields, i);
        if ((f->type == UI_FIELD_TEXT || f->type == UI_FIELD_CHOICE) && f->label)
            w = MAX(w, ui_text_width(f->label));
    }
    return w;
}

struct ui_field *
ui_dialog_add_secret(struct ui_dialog *d, const char *id, const char *label)
{
    struct ui_field *f = ui_dialog_add_text(d, id, label, "");

    /* room enough that typing never moves (and leaves behind) the secret */
    g_string_free(f->text, TRUE);
    f->text = g_string_sized_new(1024);
    f->cursor = 0;
    f->secret = true;
    return f;
}

static int
span_width(const char *from, const char *to)
{
    g_autofree char *t = g_strndup(from, to - from);
    return ui_text_width(t);
}

static void
draw_text_field(const struct ui_field *f, int y, int x, int w, bool focused)
{
    attr_t attr = vd_attr(focused ? VD_C_DIALOG_FOCUS : VD_C_DIALOG_FIELD);
    const char *s = f->text->str, *cur = s + f->cursor, *start = s;
    g_autofree char *at = NULL;
    g_autofree char *stars = NULL;
    int cx;

    if (f->secret) {
        glong n = g_utf8_strlen(s, -1), before = g_utf8_pointer_to_offset(s, cur);
        stars = g_strnfill(n, '*');
        s = start = stars;
        cur = stars + before;
    }

    /* scroll so that the cursor stays visible */
    while (start < cur && span_width(start, cur) > w - 1)
        start = g_utf8_next_char(start);
    ui_draw_text(y, x, w, start, attr, UI_ALIGN_LEFT, true);
    if (!focused)
        return;
    cx = x + span_width(start, cur);
    at = *cur ? g_strndup(cur, g_utf8_next_char(cur) - cur) : g_strdup(" ");
    if (cx < x + w)
        ui_draw_text(y, cx, 2, at, attr | A_REVERSE, UI_ALIGN_LEFT, false);
}

static int
dialog_width(const struct ui_dialog *d, int cols)
{
    return MIN(d->width, cols - 2);
}

static void
draw_buttons(const struct ui_dialog *d, int y, int x, int w)
{
    int total = 0, bx;

    for (guint i = 0; i < d->fields->len; i++) {
        const struct ui_field *f = g_ptr_array_index(d->fields, i);
        if (f->type == UI_FIELD_BUTTON)
            total += ui_text_width(f->label) + 4 + 2;
    }
    bx = x + MAX((w - total) / 2, 0);
    for (guint i = 0; i < d->fields->len; i++) {
        const struct ui_field *f = g_ptr_array_index(d->fields, i);
        g_autofree char *text = NULL;
        if (f->type != UI_FIELD_BUTTON)
            continue;
        text = g_strdup_printf("[ %s ]", f->label);
        bx += ui_draw_text(y, bx, x + w - bx, text,
                           vd_attr(i == d->focus ? VD_C_DIALOG_FOCUS : VD_C_DIALOG),
                           UI_ALIGN_LEFT, false) + 2;
    }
}

void
ui_dialog_draw(const struct ui_dialog *d, int rows, int cols)
{
    int w = dialog_width(d, cols), inner = w - 4, lw = label_width(d);
    g_auto(GStrv) msg = NULL;
    g_auto(GStrv) err = ui_wrap(d->error, inner, 3);
    int h = 2, y, x, n_fields = 0, room;
    attr_t attr = vd_attr(VD_C_DIALOG);

    for (guint i = 0; i < d->fields->len; i++)
        if (((struct ui_field *)g_ptr_array_index(d->fields, i))->type != UI_FIELD_BUTTON)
            n_fields++;
    /* the message gets what the screen has left (long ones end with an ellipsis) */
    room = rows - 2 - 1 - n_fields - (n_fields ? 1 : 0) - 1
           - (err[0] ? (int)g_strv_length(err) + 1 : 0);
    msg = ui_wrap(d->message, inner, MAX(room, 1));
    h += g_strv_length(msg) + (msg[0] ? 1 : 0) + n_fields + (n_fields ? 1 : 0) + 1;
    h += g_strv_length(err) ? g_strv_length(err) + 1 : 0;
    h = MIN(h, rows);
    y = MAX((rows - h) / 2, 0);
    x = MAX((cols - w) / 2, 0);
    lw = MIN(lw, inner / 3);

    ui_draw_rect(y, x, h, w, attr);
    ui_draw_box(y, x, h, w, attr);
    if (d->title) {
        g_autofree char *t = g_strdup_printf(" %s ", d->title);
        ui_draw_text(y, x + 2, w - 4, t, vd_attr(VD_C_DIALOG_TITLE), UI_ALIGN_CENTER, false);
    }
    y++;
    for (int i = 0; msg[i]; i++)
        ui_draw_text(y++, x + 2, inner, msg[i], attr, UI_ALIGN_LEFT, false);
    if (msg[0])
        y++;
    for (guint i = 0; i < d->fields->len; i++) {
        const struct ui_field *f = g_ptr_array_index(d->fields, i);
        bool focused = i == d->focus;
        int fx = x + 2 + lw + 1, fw = inner - lw - 1;

        switch (f->type) {
        case UI_FIELD_LABEL:
            ui_draw_text(y, x + 2, inner, f->text->str, vd_attr(f->slot), UI_ALIGN_LEFT, false);
            break;
        case UI_FIELD_TEXT:
            ui_draw_text(y, x + 2, lw, f->label, attr, UI_ALIGN_LEFT, false);
            draw_text_field(f, y, fx, fw, focused);
            break;
        case UI_FIELD_CHOICE: {
            g_autofree char *v = g_strdup_printf("%s %s %s", ui_glyph(UI_G_ARROW_L),
                                                 (char *)g_ptr_array_index(f->choices, f->choice),
                                                 ui_glyph(UI_G_ARROW_R));
            ui_draw_text(y, x + 2, lw, f->label, attr, UI_ALIGN_LEFT, false);
            ui_draw_text(y, fx, fw, v, vd_attr(focused ? VD_C_DIALOG_FOCUS : VD_C_DIALOG_FIELD),
                         UI_ALIGN_LEFT, false);
            break;
        }
        case UI_FIELD_CHECK: {
            g_autofree char *v = g_strdup_printf("%s %s",
                                                 ui_glyph(f->checked ? UI_G_CHECK_ON : UI_G_CHECK_OFF),
                                                 f->label);
            ui_draw_text(y, x + 2, inner, v, vd_attr(focused ? VD_C_DIALOG_FOCUS : VD_C_DIALOG),
                         UI_ALIGN_LEFT, false);
            break;
        }
        case UI_FIELD_BUTTON:
            continue;
        }
        y++;
    }
    if (n_fields)
        y++;
    for (int i = 0; err[i]; i++)
        ui_draw_text(y++, x + 2, inner, err[i], vd_attr(VD_C_DIALOG_ERROR), UI_ALIGN_LEFT, false);
    if (err[0])
        y++;
    draw_buttons(d, y, x + 2, inner);
}
