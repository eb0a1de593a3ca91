/* virtdeck - the form engine: dialogs and wizard pages
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

    GPtrArray *pages;           /* char *: page titles */
    int page;                   /* shown page */
    int adding_page;            /* page of fields being added, -1 every page */
    ui_dialog_page_fn page_check;
    bool confirm_discard;
    bool asking_discard;        /* Esc was pressed: "discard?" shown */
    /* the list opened on a field (choice list or picker) */
    struct ui_field *popup_field;
    GPtrArray *popup;           /* char *: the items shown */
    GPtrArray *popup_all;       /* a picker's items before filtering, NULL for choices */
    guint popup_sel;
    char *popup_note;           /* nothing to choose: why */
    GString *popup_prefix;      /* typed so far: a choice list selects the first item
                                   starting with it, a picker shows only the items
                                   containing every typed word */
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
    g_free(f->hint);
    g_free(f->error);
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
    d->pages = g_ptr_array_new_with_free_func(g_free);
    d->adding_page = -1;
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
    g_ptr_array_unref(d->pages);
    if (d->popup)
        g_ptr_array_unref(d->popup);
    if (d->popup_all)
        g_ptr_array_unref(d->popup_all);
    g_free(d->popup_note);
    if (d->popup_prefix)
        g_string_free(d->popup_prefix, TRUE);
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
on_page(const struct ui_dialog *d, const struct ui_field *f)
{
    return !f->hidden && (f->page < 0 || f->page == d->page);
}

static bool
focusable_on(const struct ui_dialog *d, const struct ui_field *f)
{
    return f->type != UI_FIELD_LABEL && on_page(d, f);
}
#define focusable(f) focusable_on(d, f)

static struct ui_field *
add_field(struct ui_dialog *d, enum ui_field_type type, const char *id, const char *label)
{
    struct ui_field *f = g_new0(struct ui_field, 1);

    f->type = type;
    f->id = g_strdup(id);
    f->label = g_strdup(label);
    f->slot = VD_C_DIALOG;
    f->page = d->adding_page;
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


/* ---- pages and richer fields ---------------------------------------- */

int
ui_dialog_add_page(struct ui_dialog *d, const char *title)
{
    g_ptr_array_add(d->pages, g_strdup(title));
    d->adding_page = (int)d->pages->len - 1;
    return d->adding_page;
}

int
ui_dialog_page(const struct ui_dialog *d)
{
    return d->page;
}

int
ui_dialog_n_pages(const struct ui_dialog *d)
{
    return (int)d->pages->len;
}

void
ui_dialog_set_page_check(struct ui_dialog *d, ui_dialog_page_fn fn)
{
    d->page_check = fn;
}

void
ui_dialog_set_confirm_discard(struct ui_dialog *d, bool on)
{
    d->confirm_discard = on;
}

void
ui_dialog_set_title(struct ui_dialog *d, const char *title)
{
    g_free(d->title);
    d->title = g_strdup(title);
}

gpointer
ui_dialog_user(const struct ui_dialog *d)
{
    return d->user;
}

static void
focus_first(struct ui_dialog *d)
{
    for (guint i = 0; i < d->fields->len; i++) {
        struct ui_field *f = g_ptr_array_index(d->fields, i);
        /* fields of the page before the buttons shared by every page */
        if (focusable(f) && f->page >= 0) {
            d->focus = i;
            return;
        }
    }
    for (guint i = 0; i < d->fields->len; i++) {
        if (focusable((struct ui_field *)g_ptr_array_index(d->fields, i))) {
            d->focus = i;
            return;
        }
    }
}

bool
ui_dialog_go_page(struct ui_dialog *d, int page)
{
    if (page < 0 || page >= (int)d->pages->len || page == d->page)
        return false;
    if (d->page_check && !d->page_check(d, d->page, page, d->user))
        return false;
    d->page = page;
    focus_first(d);
    return true;
}

static void
number_text(struct ui_field *f, guint64 v)
{
    char buf[32];

    f->gib = f->has_unit && v >= 1024 && v % 1024 == 0;
    g_snprintf(buf, sizeof buf, "%" G_GUINT64_FORMAT, f->gib ? v / 1024 : v);
    g_string_assign(f->text, buf);
    f->cursor = f->text->len;
}

struct ui_field *
ui_dialog_add_number(struct ui_dialog *d, const char *id, const char *label, guint64 value,
                     bool has_unit)
{
    struct ui_field *f = add_field(d, UI_FIELD_NUMBER, id, label);

    f->has_unit = has_unit;
    f->text = g_string_new(NULL);
    number_text(f, value);
    return f;
}

void
ui_field_set_number(struct ui_field *f, guint64 value)
{
    number_text(f, value);
}

bool
ui_dialog_number(const struct ui_dialog *d, const char *id, guint64 *value)
{
    struct ui_field *f = ui_dialog_field(d, id);
    char *end = NULL;
    double v;

    if (!f || !f->text || !f->text->len)
        return false;
    v = g_ascii_strtod(f->text->str, &end);
    if (!end || *end || v < 0 || v > 1e15)
        return false;
    if (f->gib)
        v *= 1024;
    if (!f->has_unit && v != (double)(guint64)v)
        return false;
    *value = (guint64)(v + 0.5);
    return true;
}

struct ui_field *
ui_dialog_add_view(struct ui_dialog *d, const char *id, const char *label, const char *text,
                   int height)
{
    struct ui_field *f = add_field(d, UI_FIELD_VIEW, id, label);

    f->text = g_string_new(text);
    f->height = height;
    return f;
}

void
ui_field_set_choices(struct ui_field *f, const char *const *choices, guint selected)
{
    g_ptr_array_set_size(f->choices, 0);
    for (guint i = 0; choices && choices[i]; i++)
        g_ptr_array_add(f->choices, g_strdup(choices[i]));
    if (!f->choices->len)
        g_ptr_array_add(f->choices, g_strdup(""));
    f->choice = selected < f->choices->len ? selected : 0;
}

bool
ui_field_select(struct ui_field *f, const char *s)
{
    for (guint i = 0; s && f->choices && i < f->choices->len; i++) {
        if (g_str_equal(f->choices->pdata[i], s)) {
            f->choice = i;
            return true;
        }
    }
    return false;
}

void
ui_field_set_hint(struct ui_field *f, const char *hint)
{
    g_free(f->hint);
    f->hint = hint && *hint ? g_strdup(hint) : NULL;
}

void
ui_field_set_error(struct ui_field *f, const char *error, bool warning)
{
    g_free(f->error);
    f->error = error && *error ? g_strdup(error) : NULL;
    f->warning = warning;
}

void
ui_dialog_clear_errors(struct ui_dialog *d)
{
    for (guint i = 0; i < d->fields->len; i++)
        ui_field_set_error(g_ptr_array_index(d->fields, i), NULL, false);
}

void
ui_dialog_set_picker(struct ui_dialog *d, const char *id, ui_field_picker_fn fn)
{
    struct ui_field *f = ui_dialog_field(d, id);
    if (f)
        f->picker = fn;
}

void
ui_dialog_focus_field(struct ui_dialog *d, const char *id)
{
    for (guint i = 0; i < d->fields->len; i++) {
        struct ui_field *f = g_ptr_array_index(d->fields, i);
        if (f->id && strcmp(f->id, id) == 0) {
            if (f->page >= 0 && f->page != d->page) {
                d->page = f->page;
            }
            d->focus = i;
            return;
        }
    }
}

struct ui_field *
ui_dialog_focused(const struct ui_dialog *d)
{
    return d->fields->len ? g_ptr_array_index(d->fields, d->focus) : NULL;
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

static void
popup_close(struct ui_dialog *d)
{
    g_clear_pointer(&d->popup, g_ptr_array_unref);
    g_clear_pointer(&d->popup_all, g_ptr_array_unref);
    g_clear_pointer(&d->popup_note, g_free);
    if (d->popup_prefix)
        g_string_truncate(d->popup_prefix, 0);
    d->popup_field = NULL;
}

/* The first item that starts with the typed prefix (case-insensitive). */
static void
popup_seek(struct ui_dialog *d)
{
    g_autofree char *want = g_utf8_casefold(d->popup_prefix->str, -1);

    for (guint i = 0; i < d->popup->len; i++) {
        g_autofree char *it = g_utf8_casefold(d->popup->pdata[i], -1);
        if (g_str_has_prefix(it, want)) {
            d->popup_sel = i;
            return;
        }
    }
}

/* A picker's list: only the items containing every typed word. */
static void
popup_filter(struct ui_dialog *d)
{
    g_autofree char *want = g_utf8_casefold(d->popup_prefix ? d->popup_prefix->str : "", -1);
    g_auto(GStrv) words = g_strsplit_set(want, " \t", -1);

    g_ptr_array_set_size(d->popup, 0);
    for (guint i = 0; i < d->popup_all->len; i++) {
        g_autofree char *it = g_utf8_casefold(d->popup_all->pdata[i], -1);
        bool all = true;
        for (guint j = 0; words[j] && all; j++)
            all = !*words[j] || strstr(it, words[j]);
        if (all)
            g_ptr_array_add(d->popup, d->popup_all->pdata[i]);
    }
    d->popup_sel = 0;
}

static void
popup_open(struct ui_dialog *d, struct ui_field *f)
{
    popup_close(d);
    d->popup_field = f;
    d->popup_sel = 0;
    if (f->type == UI_FIELD_CHOICE) {
        d->popup = g_ptr_array_new_with_free_func(g_free);
        for (guint i = 0; i < f->choices->len; i++)
            g_ptr_array_add(d->popup, g_strdup(f->choices->pdata[i]));
        d->popup_sel = f->choice;
    } else {
        d->popup_all = f->picker(d, f, d->user);
        if (!d->popup_all || !d->popup_all->len) {
            g_clear_pointer(&d->popup_all, g_ptr_array_unref);
            d->popup_note = g_strdup(_("Nothing to choose from here"));
        } else {
            d->popup = g_ptr_array_new();   /* borrows popup_all's strings */
            popup_filter(d);
        }
    }
}

static void
popup_key(struct ui_dialog *d, ui_key k)
{
    struct ui_field *f = d->popup_field;
    guint n = d->popup ? d->popup->len : 0;

    if (!d->popup || (!n && k == UI_KEY_ESC)) {
        popup_close(d);
        return;
    }
    switch (k) {
    case UI_KEY_FN | KEY_DOWN:
        d->popup_sel = n ? MIN(d->popup_sel + 1, n - 1) : 0;
        return;
    case UI_KEY_FN | KEY_UP:
        d->popup_sel = d->popup_sel ? d->popup_sel - 1 : 0;
        return;
    case UI_KEY_FN | KEY_NPAGE:
        d->popup_sel = n ? MIN(d->popup_sel + 10, n - 1) : 0;
        return;
    case UI_KEY_FN | KEY_PPAGE:
        d->popup_sel = d->popup_sel > 10 ? d->popup_sel - 10 : 0;
        return;
    case UI_KEY_FN | KEY_HOME:
        d->popup_sel = 0;
        return;
    case UI_KEY_FN | KEY_END:
        d->popup_sel = n ? n - 1 : 0;
        return;
    case UI_KEY_ESC:
        popup_close(d);
        return;
    case '\n':
        if (!n)
            return;
        if (f->type == UI_FIELD_CHOICE) {
            f->choice = d->popup_sel;
        } else {
            /* "value\tdescription": the value goes into the field */
            const char *it = d->popup->pdata[d->popup_sel];
            const char *tab = strchr(it, '\t');
            g_autofree char *v = tab ? g_strndup(it, (gsize)(tab - it)) : g_strdup(it);
            ui_field_set_text(f, v);
            f->cursor = f->text->len;
        }
        popup_close(d);
        if (d->changed)
            d->changed(d, f, d->user);
        return;
    default:
        break;
    }
    /* typing selects the first item that starts with what was typed */
    if (!d->popup_prefix)
        d->popup_prefix = g_string_new(NULL);
    if (k == (UI_KEY_FN | KEY_BACKSPACE) && d->popup_prefix->len) {
        const char *s = d->popup_prefix->str;
        g_string_truncate(d->popup_prefix, g_utf8_find_prev_char(s, s + d->popup_prefix->len) - s);
    } else if (!(k & UI_KEY_FN) && k >= 32 && k != 127 && g_unichar_isprint((gunichar)k)) {
        g_string_append_unichar(d->popup_prefix, (gunichar)k);
    } else {
        return;
    }
    if (d->popup_all)
        popup_filter(d);
    else
        popup_seek(d);
}

static bool
number_key(struct ui_dialog *d, struct ui_field *f, ui_key k)
{
    if (f->has_unit && (k == 'g' || k == 'G' || k == 'm' || k == 'M' || k == ' ')) {
        bool gib = k == ' ' ? !f->gib : (k == 'g' || k == 'G');
        if (gib == f->gib)
            return false;
        f->gib = gib;
        return true;
    }
    if (!(k & UI_KEY_FN) && k >= 32 && !(g_ascii_isdigit(k) || (k == '.' && f->has_unit)))
        return false;
    return text_key(f, k);
}

static bool
view_key(struct ui_field *f, ui_key k)
{
    switch (k) {
    case UI_KEY_FN | KEY_DOWN:
    case 'j':
        f->scroll++;
        return true;
    case UI_KEY_FN | KEY_UP:
    case 'k':
        f->scroll = MAX(f->scroll - 1, 0);
        return true;
    case ' ':
        f->scroll += 10;
        return true;
    case UI_KEY_FN | KEY_HOME:
    case 'g':
        f->scroll = 0;
        return true;
    case UI_KEY_FN | KEY_END:
    case 'G':
        f->scroll = G_MAXINT / 2;
        return true;
    default:
        return false;
    }
}

static bool
is_entry(const struct ui_field *f)
{
    return f && (f->type == UI_FIELD_TEXT || f->type == UI_FIELD_NUMBER);
}

/* Enter and the NEXT/BACK buttons. */
static bool
press(struct ui_dialog *d, int result)
{
    if (result == UI_DIALOG_NEXT) {
        ui_dialog_go_page(d, d->page + 1);
        return false;
    }
    if (result == UI_DIALOG_BACK) {
        ui_dialog_go_page(d, d->page - 1);
        return false;
    }
    return finish(d, result);
}

bool
ui_dialog_key(struct ui_dialog *d, ui_key k)
{
    struct ui_field *f = d->fields->len ? g_ptr_array_index(d->fields, d->focus) : NULL;
    bool changed = false;

    if (d->asking_discard) {
        d->asking_discard = false;
        if (k == 'y' || k == 'Y' || k == 0x434 || k == 0x414)   /* д Д */
            return finish(d, UI_DIALOG_CANCEL);
        return false;
    }
    if (d->popup_field) {
        popup_key(d, k);
        return false;
    }
    if (k == UI_KEY_ESC) {
        if (d->confirm_discard) {
            d->asking_discard = true;
            return false;
        }
        return finish(d, UI_DIALOG_CANCEL);
    }
    if (f && f->type == UI_FIELD_VIEW && view_key(f, k))
        return false;
    if (k == '\t' || k == (UI_KEY_FN | KEY_DOWN)) {
        move_focus(d, 1);
        return false;
    }
    if (k == (UI_KEY_FN | KEY_BTAB) || k == (UI_KEY_FN | KEY_UP)) {
        move_focus(d, -1);
        return false;
    }
    if (d->pages->len && (k == (UI_KEY_FN | KEY_NPAGE) || (k == 'n' && !is_entry(f)))) {
        ui_dialog_go_page(d, d->page + 1);
        return false;
    }
    if (d->pages->len && (k == (UI_KEY_FN | KEY_PPAGE) || (k == 'p' && !is_entry(f)))) {
        ui_dialog_go_page(d, d->page - 1);
        return false;
    }
    if (k == '\n') {
        if (f && f->type == UI_FIELD_BUTTON)
            return press(d, f->result);
        if (f && ((f->type == UI_FIELD_CHOICE && f->list) || (f->type == UI_FIELD_TEXT && f->picker))) {
            popup_open(d, f);
            return false;
        }
        return press(d, d->default_result);
    }
    if (!f)
        return false;
    if (!is_entry(f)) {
        for (guint i = 0; i < d->hotkeys->len; i++)
            if (g_array_index(d->hotkeys, struct hotkey, i).key == k)
                return finish(d, g_array_index(d->hotkeys, struct hotkey, i).result);
    }
    switch (f->type) {
    case UI_FIELD_TEXT:
        changed = text_key(f, k);
        break;
    case UI_FIELD_NUMBER:
        changed = number_key(d, f, k);
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
            return press(d, f->result);
        if (k == (UI_KEY_FN | KEY_LEFT))
            move_focus(d, -1);
        else if (k == (UI_KEY_FN | KEY_RIGHT))
            move_focus(d, 1);
        break;
    case UI_FIELD_LABEL:
    case UI_FIELD_VIEW:
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
        if ((f->type == UI_FIELD_TEXT || f->type == UI_FIELD_CHOICE || f->type == UI_FIELD_NUMBER)
            && f->label && on_page(d, f))
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
        if (f->type == UI_FIELD_BUTTON && on_page(d, f))
            total += ui_text_width(f->label) + 4 + 2;
    }
    bx = x + MAX((w - total) / 2, 0);
    for (guint i = 0; i < d->fields->len; i++) {
        const struct ui_field *f = g_ptr_array_index(d->fields, i);
        g_autofree char *text = NULL;
        if (f->type != UI_FIELD_BUTTON || !on_page(d, f))
            continue;
        text = g_strdup_printf("[ %s ]", f->label);
        bx += ui_draw_text(y, bx, x + w - bx, text,
                           vd_attr(i == d->focus ? VD_C_DIALOG_FOCUS : VD_C_DIALOG),
                           UI_ALIGN_LEFT, false) + 2;
    }
}

/* Rows a field takes (a VIEW with height 0 counts 0 here: it gets the rest). */
static int
field_rows(const struct ui_field *f)
{
    if (f->type == UI_FIELD_BUTTON)
        return 0;
    if (f->type == UI_FIELD_VIEW)
        return f->height + (f->label ? 1 : 0);
    return 1 + (f->error ? 1 : 0);
}

static void
draw_value_hint(const struct ui_field *f, int y, int fx, int fw, bool focused)
{
    attr_t fattr = vd_attr(focused ? VD_C_DIALOG_FOCUS : VD_C_DIALOG_FIELD);
    int hw = f->hint ? ui_text_width(f->hint) + 1 : 0;
    int vw = fw;

    if (f->type == UI_FIELD_NUMBER)
        vw = MIN(fw, 12);
    else if (hw)
        vw = MAX(fw - hw, fw / 2);
    switch (f->type) {
    case UI_FIELD_TEXT:
        draw_text_field(f, y, fx, vw, focused);
        break;
    case UI_FIELD_NUMBER:
        draw_text_field(f, y, fx, vw, focused);
        if (f->has_unit) {
            ui_draw_text(y, fx + vw + 1, 4, f->gib ? _("GiB") : _("MiB"), vd_attr(VD_C_DIALOG),
                         UI_ALIGN_LEFT, false);
            vw += 5;
        }
        break;
    case UI_FIELD_CHOICE: {
        g_autofree char *v = g_strdup_printf("%s %s %s", ui_glyph(UI_G_ARROW_L),
                                             (char *)g_ptr_array_index(f->choices, f->choice),
                                             ui_glyph(UI_G_ARROW_R));
        vw = MIN(vw, ui_text_width(v) + (f->list ? 2 : 0));
        ui_draw_text(y, fx, vw, v, fattr, UI_ALIGN_LEFT, true);
        break;
    }
    default:
        break;
    }
    if (f->hint && vw + 1 < fw)
        ui_draw_text(y, fx + vw + 1, fw - vw - 1, f->hint, vd_attr(VD_C_DIM), UI_ALIGN_LEFT, false);
}

static void
draw_view(const struct ui_field *f, int y, int x, int w, int h, bool focused)
{
    g_auto(GStrv) lines = g_strsplit(f->text->str, "\n", -1);
    int n = (int)g_strv_length(lines), top = CLAMP(f->scroll, 0, MAX(n - h, 0));

    ui_draw_rect(y, x, h, w, vd_attr(VD_C_DIALOG_FIELD));
    for (int i = 0; i < h && top + i < n; i++)
        ui_draw_text(y + i, x, w, lines[top + i], vd_attr(VD_C_DIALOG_FIELD), UI_ALIGN_LEFT, false);
    if (n > h) {
        g_autofree char *pos = g_strdup_printf(" %d-%d/%d ", top + 1, MIN(top + h, n), n);
        ui_draw_text(y + h - 1, x + w - ui_text_width(pos), ui_text_width(pos), pos,
                     vd_attr(focused ? VD_C_DIALOG_FOCUS : VD_C_DIM), UI_ALIGN_LEFT, false);
    }
}

static void
draw_popup(const struct ui_dialog *d, int fy, int fx, int fw, int rows)
{
    int n = d->popup ? (int)d->popup->len : 0;
    int h = MIN(MAX(n, 1), 10) + 2, y = fy + 1, top;
    attr_t attr = vd_attr(VD_C_DIALOG);

    if (y + h > rows)
        y = MAX(fy - h, 0);
    h = MIN(h, rows - y);
    ui_draw_rect(y, fx, h, fw, attr);
    ui_draw_box(y, fx, h, fw, attr);
    if (!d->popup) {
        ui_draw_text(y + 1, fx + 1, fw - 2, d->popup_note, vd_attr(VD_C_DIALOG_ERROR), UI_ALIGN_LEFT, false);
        return;
    }
    if (d->popup_prefix && d->popup_prefix->len) {
        g_autofree char *p = g_strdup_printf(" %s ", d->popup_prefix->str);
        ui_draw_text(y + h - 1, fx + 2, fw - 4, p, vd_attr(VD_C_DIALOG_FOCUS), UI_ALIGN_LEFT, false);
    }
    if (!n) {
        ui_draw_text(y + 1, fx + 1, fw - 2, _("No match: Backspace widens the search"), vd_attr(VD_C_DIM),
                     UI_ALIGN_LEFT, false);
        return;
    }
    top = CLAMP((int)d->popup_sel - (h - 2) / 2, 0, MAX(n - (h - 2), 0));
    for (int i = 0; i < h - 2 && top + i < n; i++) {
        const char *it = d->popup->pdata[top + i];
        const char *tab = strchr(it, '\t');
        attr_t a = vd_attr(top + i == (int)d->popup_sel ? VD_C_DIALOG_FOCUS : VD_C_DIALOG);
        g_autofree char *v = tab ? g_strndup(it, (gsize)(tab - it)) : NULL;
        int vw;

        if (!tab) {
            ui_draw_text(y + 1 + i, fx + 1, fw - 2, it, a, UI_ALIGN_LEFT, true);
            continue;
        }
        /* value, then its description after two cells */
        ui_draw_fill(y + 1 + i, fx + 1, fw - 2, a);
        vw = ui_draw_text(y + 1 + i, fx + 1, fw - 2, v, a, UI_ALIGN_LEFT, false);
        if (vw + 2 < fw - 2)
            ui_draw_text(y + 1 + i, fx + 1 + vw + 2, fw - 2 - vw - 2, tab + 1,
                         top + i == (int)d->popup_sel ? a : vd_attr(VD_C_DIM), UI_ALIGN_LEFT, false);
    }
}

static char *
full_title(const struct ui_dialog *d)
{
    if (!d->pages->len)
        return d->title ? g_strdup_printf(" %s ", d->title) : NULL;
    /* TRANSLATORS: dialog title, step number, number of steps, step title */
    return g_strdup_printf(_(" %1$s \u2014 Step %2$d of %3$d: %4$s "), d->title ? d->title : "",
                           d->page + 1, (int)d->pages->len, (char *)d->pages->pdata[d->page]);
}

void
ui_dialog_draw(const struct ui_dialog *d, int rows, int cols)
{
    int w = dialog_width(d, cols), inner = w - 4, lw = label_width(d);
    g_auto(GStrv) msg = NULL;
    g_auto(GStrv) err = NULL;
    g_autofree char *title = full_title(d);
    int h = 2, y, x, n_rows = 0, room, flex = 0, flex_h = 0, popup_y = -1, bottom;
    attr_t attr = vd_attr(VD_C_DIALOG);
    bool has_buttons = false;

    if (d->asking_discard)
        err = g_strsplit(_("Discard everything entered here? y: yes, any other key: no"), "\n", -1);
    else
        err = ui_wrap(d->error, inner, 3);
    for (guint i = 0; i < d->fields->len; i++) {
        const struct ui_field *f = g_ptr_array_index(d->fields, i);
        if (!on_page(d, f))
            continue;
        has_buttons |= f->type == UI_FIELD_BUTTON;
        n_rows += field_rows(f);
        if (f->type == UI_FIELD_VIEW && f->height == 0)
            flex++;
    }
    /* the message gets what the screen has left (long ones end with an ellipsis) */
    room = rows - 2 - 1 - n_rows - (n_rows ? 1 : 0) - (has_buttons ? 1 : 0)
           - (err[0] ? (int)g_strv_length(err) + 1 : 0) - flex * 4;
    msg = ui_wrap(d->message, inner, MAX(room, 1));
    h += g_strv_length(msg) + (msg[0] ? 1 : 0) + n_rows + (n_rows || flex ? 1 : 0) + (has_buttons ? 1 : 0);
    h += g_strv_length(err) ? g_strv_length(err) + 1 : 0;
    if (flex) {
        flex_h = MAX((rows - h) / flex, 3);
        h += flex * flex_h;
    }
    h = MIN(h, rows);
    y = MAX((rows - h) / 2, 0);
    x = MAX((cols - w) / 2, 0);
    /* from the bottom: border, buttons, blank, error lines, blank */
    bottom = y + h - 1 - (has_buttons ? 1 : 0) - (err[0] ? (int)g_strv_length(err) + 1 : 0) - 1;
    lw = MIN(lw, inner / 3);

    ui_draw_rect(y, x, h, w, attr);
    ui_draw_box(y, x, h, w, attr);
    if (title)
        ui_draw_text(y, x + 2, w - 4, title, vd_attr(VD_C_DIALOG_TITLE), UI_ALIGN_CENTER, false);
    y++;
    for (int i = 0; msg[i]; i++)
        ui_draw_text(y++, x + 2, inner, msg[i], attr, UI_ALIGN_LEFT, false);
    if (msg[0])
        y++;
    for (guint i = 0; i < d->fields->len && y < bottom; i++) {
        const struct ui_field *f = g_ptr_array_index(d->fields, i);
        bool focused = i == d->focus;
        int fx = x + 2 + lw + 1, fw = inner - lw - 1;

        if (!on_page(d, f))
            continue;
        switch (f->type) {
        case UI_FIELD_LABEL:
            ui_draw_text(y, x + 2, inner, f->text->str, vd_attr(f->slot), UI_ALIGN_LEFT, false);
            break;
        case UI_FIELD_TEXT:
        case UI_FIELD_NUMBER:
        case UI_FIELD_CHOICE:
            ui_draw_text(y, x + 2, lw, f->label, attr, UI_ALIGN_LEFT, false);
            draw_value_hint(f, y, fx, fw, focused);
            if (f == d->popup_field)
                popup_y = y;
            break;
        case UI_FIELD_CHECK: {
            g_autofree char *v = g_strdup_printf("%s %s",
                                                 ui_glyph(f->checked ? UI_G_CHECK_ON : UI_G_CHECK_OFF),
                                                 f->label);
            int cw = MIN(ui_text_width(v), inner);
            ui_draw_text(y, x + 2, cw, v, vd_attr(focused ? VD_C_DIALOG_FOCUS : VD_C_DIALOG),
                         UI_ALIGN_LEFT, false);
            if (f->hint && cw + 2 < inner)
                ui_draw_text(y, x + 2 + cw + 2, inner - cw - 2, f->hint, vd_attr(VD_C_DIM),
                             UI_ALIGN_LEFT, false);
            break;
        }
        case UI_FIELD_VIEW: {
            int vh = f->height ? f->height : flex_h;
            if (f->label)
                ui_draw_text(y++, x + 2, inner, f->label, vd_attr(focused ? VD_C_DIALOG_FOCUS : VD_C_DIALOG),
                             UI_ALIGN_LEFT, false);
            vh = MIN(vh, bottom - y);
            draw_view(f, y, x + 2, inner, vh, focused);
            y += vh;
            continue;
        }
        case UI_FIELD_BUTTON:
            continue;
        }
        y++;
        if (f->error && y < bottom) {
            g_autofree char *e = f->warning ? g_strdup_printf(_("Note: %s"), f->error) : g_strdup(f->error);
            ui_draw_text(y++, f->type == UI_FIELD_CHECK ? x + 6 : fx, f->type == UI_FIELD_CHECK ? inner - 4 : fw, e,
                         vd_attr(f->warning ? VD_C_DIM : VD_C_DIALOG_ERROR), UI_ALIGN_LEFT, false);
        }
    }
    y = bottom + 1;
    for (int i = 0; err[i]; i++)
        ui_draw_text(y++, x + 2, inner, err[i], vd_attr(VD_C_DIALOG_ERROR), UI_ALIGN_LEFT, false);
    if (err[0])
        y++;
    if (has_buttons)
        draw_buttons(d, y, x + 2, inner);
    if (d->popup_field && popup_y >= 0)
        draw_popup(d, popup_y, x + 2 + lw + 1, MIN(inner - lw - 1, 50), rows);
}
