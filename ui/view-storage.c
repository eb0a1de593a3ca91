/* virtdeck - storage view: the pools of a host and the volumes of a pool
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A screen opened with `b` on the selected host. The pools table on top,
 * the volumes of the selected pool below, the keys of the focused table on
 * the bottom line. Everything libvirt does goes through src/storage.h (tasks
 * on the host's worker or threads of their own); long tasks show in the
 * status line (vd_conn_job) and Esc cancels them. */
#include <config.h>

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "i18n.h"
#include "util.h"
#include "storage.h"
#include "pool-xml.h"
#include "vol-xml.h"
#include "ui/app.h"
#include "ui/dialog.h"
#include "ui/draw.h"
#include "ui/term.h"
#include "ui/views.h"

enum { YES = UI_CONFIRM_YES };
enum { BTN_OK = 10, BTN_CANCEL, BTN_BACK };

struct storage_screen {
    struct ui_app *app;
    struct vd_conn *conn;
    struct vd_storage *st;
    struct vd_storage_snap *snap;
    const struct vd_pool *pool;     /* selected pool in snap, may be NULL */
    struct ui_list pools, vols;
    bool focus_vols;
    char *title_host;
};

/* ---- the tables ----------------------------------------------------------- */

enum { PCOL_NAME, PCOL_TYPE, PCOL_STATE, PCOL_AUTO, PCOL_CAP, PCOL_ALLOC, PCOL_AVAIL, PCOL_USE, PCOL_LAST };

static const struct ui_list_col pool_cols[PCOL_LAST] = {
    [PCOL_NAME] = { N_("Pool"), NULL, 8, 16, 2, 0, UI_ALIGN_LEFT, true },
    [PCOL_TYPE] = { N_("Type"), NULL, 5, 7, 0, 3, UI_ALIGN_LEFT, true },
    [PCOL_STATE] = { N_("State"), NULL, 6, 8, 0, 0, UI_ALIGN_LEFT, true },
    /* TRANSLATORS: column header: starts with the host (yes/no), 4 cells */
    [PCOL_AUTO] = { N_("Auto"), NULL, 4, 0, 0, 4, UI_ALIGN_LEFT, true },
    [PCOL_CAP] = { N_("Size"), NULL, 5, 0, 0, 1, UI_ALIGN_RIGHT, true },
    [PCOL_ALLOC] = { N_("Alloc"), NULL, 5, 0, 0, 5, UI_ALIGN_RIGHT, true },
    [PCOL_AVAIL] = { N_("Free"), NULL, 5, 0, 0, 2, UI_ALIGN_RIGHT, true },
    [PCOL_USE] = { N_("Usage"), NULL, 9, 16, 1, 6, UI_ALIGN_LEFT, true },
};

enum { VCOL_NAME, VCOL_FORMAT, VCOL_CAP, VCOL_ALLOC, VCOL_USERS, VCOL_PATH, VCOL_LAST };

static const struct ui_list_col vol_cols[VCOL_LAST] = {
    [VCOL_NAME] = { N_("Volume"), NULL, 10, 24, 2, 0, UI_ALIGN_LEFT, true },
    [VCOL_FORMAT] = { N_("Format"), NULL, 5, 6, 0, 2, UI_ALIGN_LEFT, true },
    [VCOL_CAP] = { N_("Size"), NULL, 5, 0, 0, 0, UI_ALIGN_RIGHT, true },
    [VCOL_ALLOC] = { N_("Alloc"), NULL, 5, 0, 0, 3, UI_ALIGN_RIGHT, true },
    [VCOL_USERS] = { N_("Used by"), NULL, 7, 14, 1, 1, UI_ALIGN_LEFT, true },
    [VCOL_PATH] = { N_("Path"), NULL, 10, 30, 1, 4, UI_ALIGN_LEFT, false },
};

#define CMP(a, b) ((a) < (b) ? -1 : (a) > (b))

static const struct vd_pool *
pool_at(const void *data, guint row)
{
    const struct storage_screen *s = data;
    return g_ptr_array_index(s->snap->pools, row);
}

static const struct vd_volume *
vol_at(const void *data, guint row)
{
    const struct storage_screen *s = data;
    return g_ptr_array_index(s->pool->volumes, row);
}

static guint
pool_count(const void *data)
{
    const struct storage_screen *s = data;
    return s->snap ? s->snap->pools->len : 0;
}

static guint
vol_count(const void *data)
{
    const struct storage_screen *s = data;
    return s->pool ? s->pool->volumes->len : 0;
}

static char *
size_or_dash(guint64 v, bool known)
{
    return known ? ui_short_bytes((double)v) : g_strdup("-");
}

/* "█████░░░░░ 52%": allocation of capacity */
static char *
usage_bar(guint64 used, guint64 total, int cells)
{
    if (!total)
        return g_strdup("-");
    int pct = (int)MIN(100, used * 100 / total);
    int fill = (pct * cells + 50) / 100;
    GString *s = g_string_new(NULL);
    const char *on = ui_draw_is_ascii() ? "#" : "\u2588";
    const char *off = ui_draw_is_ascii() ? "." : "\u2591";
    for (int i = 0; i < cells; i++)
        g_string_append(s, i < fill ? on : off);
    g_string_append_printf(s, " %3d%%", pct);
    return g_string_free(s, FALSE);
}

static char *
pool_cell(const void *data, guint row, int col)
{
    const struct vd_pool *p = pool_at(data, row);
    bool up = p->state == VD_POOL_RUNNING;
    switch (col) {
    case PCOL_NAME: return g_strdup(p->name);
    case PCOL_TYPE: return g_strdup(p->type);
    case PCOL_STATE: return g_strdup(vd_pool_state_label(p->state));
    case PCOL_AUTO: return g_strdup(p->autostart ? _("yes") : _("no"));
    case PCOL_CAP: return size_or_dash(p->capacity, up);
    case PCOL_ALLOC: return size_or_dash(p->allocation, up);
    case PCOL_AVAIL: return size_or_dash(p->available, up);
    case PCOL_USE: return up ? usage_bar(p->allocation, p->capacity, 10) : g_strdup("");
    }
    return g_strdup("");
}

static enum vd_color
pool_color(const void *data, guint row, int col)
{
    const struct vd_pool *p = pool_at(data, row);
    if (col == PCOL_STATE || col == PCOL_NAME)
        return p->state == VD_POOL_RUNNING ? VD_C_DOM_RUNNING : VD_C_DOM_SHUTOFF;
    if (col == PCOL_USE && p->capacity && p->allocation * 10 >= p->capacity * 9)
        return VD_C_ERROR_TEXT;
    return VD_C_NORMAL;
}

static const char *
pool_key(const void *data, guint row)
{
    return pool_at(data, row)->name;
}

static int
pool_compare(const void *data, guint ra, guint rb, int col)
{
    const struct vd_pool *a = pool_at(data, ra), *b = pool_at(data, rb);
    switch (col) {
    case PCOL_NAME: return g_utf8_collate(a->name, b->name);
    case PCOL_TYPE: return g_strcmp0(a->type, b->type);
    case PCOL_STATE: return CMP(b->state, a->state);
    case PCOL_AUTO: return CMP(b->autostart, a->autostart);
    case PCOL_CAP: return CMP(b->capacity, a->capacity);
    case PCOL_ALLOC: return CMP(b->allocation, a->allocation);
    case PCOL_AVAIL: return CMP(b->available, a->available);
    case PCOL_USE: {
        double ua = a->capacity ? (double)a->allocation / a->capacity : 0;
        double ub = b->capacity ? (double)b->allocation / b->capacity : 0;
        return CMP(ub, ua);
    }
    }
    return 0;
}

static char *
vol_cell(const void *data, guint row, int col)
{
    const struct vd_volume *v = vol_at(data, row);
    switch (col) {
    case VCOL_NAME: return g_strdup(v->name);
    case VCOL_FORMAT: return g_strdup(*v->format ? v->format : v->type);
    case VCOL_CAP: return ui_short_bytes((double)v->capacity);
    case VCOL_ALLOC: return ui_short_bytes((double)v->allocation);
    case VCOL_USERS: {
        char *u = vd_volume_users(v);
        return u ? u : g_strdup("-");
    }
    case VCOL_PATH: return g_strdup(v->path);
    }
    return g_strdup("");
}

static enum vd_color
vol_color(const void *data, guint row, int col)
{
    const struct vd_volume *v = vol_at(data, row);
    if (col == VCOL_USERS && v->users && v->users->len)
        return VD_C_DOM_RUNNING;
    return col == VCOL_PATH ? VD_C_DIM : VD_C_NORMAL;
}

static const char *
vol_key(const void *data, guint row)
{
    return vol_at(data, row)->name;
}

static int
vol_compare(const void *data, guint ra, guint rb, int col)
{
    const struct vd_volume *a = vol_at(data, ra), *b = vol_at(data, rb);
    switch (col) {
    case VCOL_NAME: return g_utf8_collate(a->name, b->name);
    case VCOL_FORMAT: return g_strcmp0(a->format, b->format);
    case VCOL_CAP: return CMP(b->capacity, a->capacity);
    case VCOL_ALLOC: return CMP(b->allocation, a->allocation);
    case VCOL_USERS: return CMP(b->users ? b->users->len : 0, a->users ? a->users->len : 0);
    }
    return 0;
}

static const struct ui_list_src pool_src = {
    .cols = pool_cols, .n_cols = PCOL_LAST, .count = pool_count, .cell = pool_cell,
    .color = pool_color, .key = pool_key, .compare = pool_compare,
};

static const struct ui_list_src vol_src = {
    .cols = vol_cols, .n_cols = VCOL_LAST, .count = vol_count, .cell = vol_cell,
    .color = vol_color, .key = vol_key, .compare = vol_compare,
};

/* ---- state ------------------------------------------------------------------ */

static void
storage_recalc_lists(struct storage_screen *s)
{
    ui_list_recalc(&s->pools, s);
    int row = ui_list_selected(&s->pools);
    const struct vd_pool *p = row >= 0 ? pool_at(s, (guint)row) : NULL;
    if (p != s->pool) {
        s->pool = p;
    }
    ui_list_recalc(&s->vols, s);
    if (!s->snap->loaded)
        s->pools.empty_text = _("Reading the pools…");
    else
        s->pools.empty_text = _("No storage pool on this host (n: new pool)");
    s->vols.empty_text = !p ? "" : p->state != VD_POOL_RUNNING ? _("The pool is not active (s: start it)")
                                                                : _("No volume in this pool (n: new volume)");
}

static void
on_storage(struct vd_storage *st, gpointer user)
{
    struct storage_screen *s = user;
    struct vd_storage_snap *old = s->snap;
    s->snap = vd_storage_snapshot(st);
    s->pool = NULL;
    storage_recalc_lists(s);
    vd_storage_snap_unref(old);
    ui_app_queue_redraw(s->app);
}

static struct ui_host *
screen_host(const struct storage_screen *s)
{
    for (guint i = 0; i < s->app->hosts->len; i++) {
        struct ui_host *h = g_ptr_array_index(s->app->hosts, i);
        if (h->conn == s->conn)
            return h;
    }
    return NULL;
}

static const struct vd_volume *
selected_vol(const struct storage_screen *s)
{
    int row = ui_list_selected(&s->vols);
    return row >= 0 && s->pool ? vol_at(s, (guint)row) : NULL;
}

/* a task finished: its message on the status line */
static void
task_done(struct vd_conn *c G_GNUC_UNUSED, bool ok, const char *message, gpointer result G_GNUC_UNUSED,
          gpointer user)
{
    struct ui_app *app = user;
    ui_app_set_status(app, ok ? VD_C_STATUS_OK : VD_C_STATUS_ERROR, "%s", message ? message : "");
    ui_app_queue_redraw(app);
}

static void
say(struct storage_screen *s, enum vd_color slot, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static void
say(struct storage_screen *s, enum vd_color slot, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    ui_app_set_status(s->app, slot, "%s", msg);
}

/* The screen may be gone when a dialog answers: find it again. */
static const struct ui_screen_ops storage_ops;

static struct storage_screen *
live_screen(struct ui_app *app)
{
    struct storage_screen *s = ui_app_find_screen(app, &storage_ops);
    return s && s->st ? s : NULL;
}

/* ---- dialogs: shared bits ---------------------------------------------- */

struct form {
    struct ui_app *app;
    char *pool;
    char *vol;
    enum vd_pool_type type;
    char *name;
    guint64 size;
    bool flag;
};

static void
form_free(gpointer p)
{
    struct form *f = p;
    g_free(f->pool);
    g_free(f->vol);
    g_free(f->name);
    g_free(f);
}

static struct form *
form_new(struct storage_screen *s, const char *pool, const char *vol)
{
    struct form *f = g_new0(struct form, 1);
    f->app = s->app;
    f->pool = g_strdup(pool);
    f->vol = g_strdup(vol);
    return f;
}

static char *
expand_path(const char *text)
{
    g_autofree char *t = g_strstrip(g_strdup(text ? text : ""));
    if (g_str_has_prefix(t, "~/"))
        return g_build_filename(g_get_home_dir(), t + 2, NULL);
    if (*t && !g_path_is_absolute(t)) {
        g_autofree char *cwd = g_get_current_dir();
        return g_build_filename(cwd, t, NULL);
    }
    return g_steal_pointer(&t);
}

/* ---- new pool: type first, then its fields ------------------------------ */

#define PREVIEW_LINES 5
static void pool_form_open(struct ui_app *app, const char *name, enum vd_pool_type type);

static const struct {
    unsigned field;
    const char *id;
    const char *label;
} pool_inputs[] = {
    { VD_PF_HOST, "host", N_("Host") },
    { VD_PF_SOURCE_DIR, "source_dir", N_("Export dir") },
    { VD_PF_SOURCE_NAME, "source_name", N_("Source name") },
    { VD_PF_IQN, "iqn", N_("Target IQN") },
    { VD_PF_INITIATOR, "initiator", N_("Initiator") },
    { VD_PF_DEVICES, "devices", N_("Devices") },
    { VD_PF_TARGET, "target", N_("Target path") },
};

static const char *
input_label(enum vd_pool_type t, unsigned field, const char *label)
{
    if (field == VD_PF_SOURCE_NAME)
        return t == VD_POOL_ZFS ? _("ZFS pool") : _("Volume group");
    if (field == VD_PF_DEVICES && (t == VD_POOL_FS || t == VD_POOL_DISK || t == VD_POOL_ZFS))
        return _("Device");
    return _(label);
}

static void
pool_plan_from(const struct ui_dialog *d, const struct form *f, struct vd_pool_plan *p)
{
    memset(p, 0, sizeof *p);
    p->type = f->type;
    p->name = f->name;
    p->target = ui_dialog_field(d, "target") ? ui_dialog_value(d, "target") : NULL;
    p->host = ui_dialog_field(d, "host") ? ui_dialog_value(d, "host") : NULL;
    p->source_dir = ui_dialog_field(d, "source_dir") ? ui_dialog_value(d, "source_dir") : NULL;
    p->source_name = ui_dialog_field(d, "source_name") ? ui_dialog_value(d, "source_name") : NULL;
    p->devices = ui_dialog_field(d, "devices") ? ui_dialog_value(d, "devices") : NULL;
    p->format = ui_dialog_field(d, "format") ? ui_dialog_value(d, "format") : NULL;
    p->iqn = ui_dialog_field(d, "iqn") ? ui_dialog_value(d, "iqn") : NULL;
    p->initiator = ui_dialog_field(d, "initiator") ? ui_dialog_value(d, "initiator") : NULL;
}

/* The XML, compacted and cut into the preview lines. */
static void
pool_preview(struct ui_dialog *d, struct form *f)
{
    struct vd_pool_plan p;
    g_autofree char *err = NULL;
    pool_plan_from(d, f, &p);
    g_autofree char *xml = vd_pool_xml(&p, &err);
    ui_dialog_set_error(d, err);
    GString *flat = g_string_new(NULL);
    for (const char *c = xml ? xml : ""; *c; c++) {
        if (*c == '\n') {
            while (c[1] == ' ')
                c++;
            continue;
        }
        g_string_append_c(flat, *c);
    }
    /* lines of at most w bytes, broken before an opening tag where possible */
    const int w = 68;
    const char *c = flat->str;
    for (int i = 0; i < PREVIEW_LINES; i++) {
        char id[16];
        g_snprintf(id, sizeof id, "xml%d", i);
        struct ui_field *fl = ui_dialog_field(d, id);
        gsize n = MIN(strlen(c), (gsize)w);
        if (n < strlen(c)) {
            gsize cut = n;
            /* before an opening tag: closing tags stay with their text */
            while (cut > 0 && !(c[cut] == '<' && c[cut + 1] != '/'))
                cut--;
            if (cut > 0)
                n = cut;
        }
        g_autofree char *line = g_strndup(c, n);
        c += n;
        if (i == PREVIEW_LINES - 1 && *c) {
            g_autofree char *l = line;
            line = g_strdup_printf("%.*s…", w - 1, l);
        }
        if (fl)
            ui_field_set_text(fl, line);
    }
    g_string_free(flat, TRUE);
}

static void
pool_form_changed(struct ui_dialog *d, struct ui_field *fl G_GNUC_UNUSED, gpointer user)
{
    pool_preview(d, user);
}

static bool
pool_form_done(struct ui_dialog *d, int result, gpointer user)
{
    struct form *f = user;
    struct storage_screen *s = live_screen(f->app);
    if (result == BTN_BACK) {
        pool_form_open(f->app, f->name, f->type);
        return true;
    }
    if (result != BTN_OK || !s)
        return true;
    struct vd_pool_plan p;
    g_autofree char *err = NULL;
    pool_plan_from(d, f, &p);
    g_autofree char *xml = vd_pool_xml(&p, &err);
    if (!xml) {
        ui_dialog_set_error(d, err);
        return false;
    }
    vd_storage_pool_create(s->st, xml, ui_dialog_checked(d, "build"), ui_dialog_checked(d, "start"),
                           ui_dialog_checked(d, "autostart"), task_done, s->app);
    g_autofree char *name = vd_sanitize(f->name);
    say(s, VD_C_STATUS_INFO, _("Creating pool %s…"), name);
    return true;
}

static void
pool_fields_open(struct ui_app *app, const char *name, enum vd_pool_type type)
{
    g_autofree char *title = g_strdup_printf(_("New pool %s: %s"), name, vd_pool_type_label(type));
    struct ui_dialog *d = ui_dialog_new(title, 74);
    struct storage_screen *s = live_screen(app);
    struct form *f = form_new(s, NULL, NULL);
    unsigned fields = vd_pool_type_fields(type);
    f->type = type;
    f->name = g_strdup(name);
    for (unsigned i = 0; i < G_N_ELEMENTS(pool_inputs); i++) {
        if (!(fields & pool_inputs[i].field))
            continue;
        g_autofree char *def = pool_inputs[i].field == VD_PF_TARGET ? vd_pool_default_target(type, name) : NULL;
        if (pool_inputs[i].field == VD_PF_SOURCE_NAME && type == VD_POOL_ZFS)
            def = g_strdup(name);
        ui_dialog_add_text(d, pool_inputs[i].id, input_label(type, pool_inputs[i].field, pool_inputs[i].label),
                           def ? def : "");
    }
    if (fields & VD_PF_FORMAT)
        ui_dialog_add_choice(d, "format", _("Format"), vd_pool_type_formats(type), 0);
    /* building a dir creates the directory; for disk, logical and zfs it
     * writes a label or creates a volume group/zpool: off unless asked */
    ui_dialog_add_check(d, "build", _("Build it (create the directory, format or label the device)"),
                        type == VD_POOL_DIR || type == VD_POOL_NETFS);
    ui_dialog_add_check(d, "start", _("Start it now"), true);
    ui_dialog_add_check(d, "autostart", _("Start with the host"), true);
    for (int i = 0; i < PREVIEW_LINES; i++) {
        char id[16];
        g_snprintf(id, sizeof id, "xml%d", i);
        struct ui_field *fl = ui_dialog_add_label(d, id, "");
        fl->slot = VD_C_DIM;
    }
    ui_dialog_add_button(d, _("Create"), BTN_OK);
    ui_dialog_add_button(d, _("Back"), BTN_BACK);
    ui_dialog_add_button(d, _("Cancel"), BTN_CANCEL);
    ui_dialog_set_callbacks(d, pool_form_changed, pool_form_done, f, form_free);
    pool_preview(d, f);
    ui_app_open_dialog(app, d);
}

static bool
pool_type_done(struct ui_dialog *d, int result, gpointer user)
{
    struct form *f = user;
    if (result != BTN_OK)
        return true;
    g_autofree char *name = g_strstrip(g_strdup(ui_dialog_value(d, "name")));
    struct vd_pool_plan probe = { .type = VD_POOL_DIR, .name = name, .target = "/" };
    g_autofree char *err = vd_pool_plan_check(&probe);
    if (err) {
        ui_dialog_set_error(d, err);
        return false;
    }
    struct storage_screen *s = live_screen(f->app);
    if (s && vd_storage_snap_pool(s->snap, name)) {
        g_autofree char *m = g_strdup_printf(_("A pool named %s exists already."), name);
        ui_dialog_set_error(d, m);
        return false;
    }
    guint type = ui_dialog_field(d, "type")->choice;
    pool_fields_open(f->app, name, (enum vd_pool_type)type);
    return true;
}

static void
pool_form_open(struct ui_app *app, const char *name, enum vd_pool_type type)
{
    struct storage_screen *s = live_screen(app);
    if (!s)
        return;
    struct ui_dialog *d = ui_dialog_new(_("New storage pool"), 60);
    struct form *f = form_new(s, NULL, NULL);
    const char *labels[VD_POOL_TYPE_LAST + 1];
    for (unsigned i = 0; i < VD_POOL_TYPE_LAST; i++)
        labels[i] = vd_pool_type_label(i);
    labels[VD_POOL_TYPE_LAST] = NULL;
    ui_dialog_set_message(d, _("The type decides the fields of the next page."));
    ui_dialog_add_text(d, "name", _("Name"), name ? name : "");
    ui_dialog_add_choice(d, "type", _("Type"), labels, type);
    ui_dialog_add_button(d, _("Next"), BTN_OK);
    ui_dialog_add_button(d, _("Cancel"), BTN_CANCEL);
    ui_dialog_set_callbacks(d, NULL, pool_type_done, f, form_free);
    ui_app_open_dialog(app, d);
}

/* ---- pool actions ------------------------------------------------------ */

static void
pool_delete_really(struct ui_dialog *d G_GNUC_UNUSED, struct form *f)
{
    struct storage_screen *s = live_screen(f->app);
    if (s)
        vd_storage_pool_op(s->st, f->pool, f->flag ? VD_POOL_DELETE_STORAGE : VD_POOL_DELETE, task_done, s->app);
}

static bool
pool_delete_confirm2(struct ui_dialog *d, int result, gpointer user)
{
    if (result == YES)
        pool_delete_really(d, user);
    else
        ui_app_set_status(((struct form *)user)->app, VD_C_STATUS_INFO, "%s", _("Cancelled"));
    return true;
}

static bool
pool_delete_confirm(struct ui_dialog *d, int result, gpointer user)
{
    struct form *f = user;
    if (result != YES) {
        ui_app_set_status(f->app, VD_C_STATUS_INFO, "%s", _("Cancelled"));
        return true;
    }
    f->flag = ui_dialog_field(d, "storage") && ui_dialog_checked(d, "storage");
    if (!f->flag) {
        pool_delete_really(d, f);
        return true;
    }
    struct storage_screen *s = live_screen(f->app);
    const struct vd_pool *p = s ? vd_storage_snap_pool(s->snap, f->pool) : NULL;
    g_autofree char *q = g_strdup_printf(
        _("Really delete directory %s and every volume in it (%u)? This cannot be undone."),
        p ? p->target : "?", p ? p->volumes->len : 0);
    struct ui_dialog *d2 = ui_yes_no_dialog(_("Delete the pool's storage"), q);
    struct form *f2 = g_new0(struct form, 1);
    f2->app = f->app;
    f2->pool = g_strdup(f->pool);
    f2->flag = true;
    ui_dialog_set_callbacks(d2, NULL, pool_delete_confirm2, f2, form_free);
    ui_app_open_dialog(f->app, d2);
    return true;
}

static unsigned
pool_delete(struct storage_screen *s, const struct vd_pool *p)
{
    g_autofree char *users = vd_pool_users(p);
    if (users) {
        say(s, VD_C_STATUS_ERROR, _("Pool %s is in use by %s: not deleted"), p->name, users);
        return UI_REDRAW;
    }
    g_autofree char *q = g_strdup_printf(_("Delete pool %s? It is stopped and its definition removed."), p->name);
    struct ui_dialog *d = ui_yes_no_dialog(_("Delete pool"), q);
    if (strcmp(p->type, "dir") == 0)
        ui_dialog_add_check(d, "storage", _("Also delete its directory and the volumes in it"), false);
    ui_dialog_set_callbacks(d, NULL, pool_delete_confirm, form_new(s, p->name, NULL), form_free);
    ui_app_open_dialog(s->app, d);
    return UI_REDRAW;
}

static bool
pool_stop_confirm(struct ui_dialog *d G_GNUC_UNUSED, int result, gpointer user)
{
    struct form *f = user;
    struct storage_screen *s = live_screen(f->app);
    if (result == YES && s)
        vd_storage_pool_op(s->st, f->pool, VD_POOL_STOP, task_done, s->app);
    return true;
}

static unsigned
pool_key_press(struct storage_screen *s, ui_key k)
{
    int row = ui_list_selected(&s->pools);
    const struct vd_pool *p = row >= 0 ? pool_at(s, (guint)row) : NULL;
    if (k == 'n') {
        pool_form_open(s->app, "", VD_POOL_DIR);
        return UI_REDRAW;
    }
    if (!p || !strchr("sxBRaD", k))
        return UI_OK;
    bool up = p->state == VD_POOL_RUNNING;
    switch (k) {
    case 's':
        if (up)
            say(s, VD_C_STATUS_INFO, _("Pool %s is already active"), p->name);
        else
            vd_storage_pool_op(s->st, p->name, VD_POOL_START, task_done, s->app);
        break;
    case 'x': {
        g_autofree char *users = vd_pool_users(p);
        if (!up) {
            say(s, VD_C_STATUS_INFO, _("Pool %s is not active"), p->name);
        } else if (users) {
            say(s, VD_C_STATUS_ERROR, _("Pool %s is in use by %s: not stopped"), p->name, users);
        } else {
            g_autofree char *q = g_strdup_printf(_("Stop pool %s? Its volumes are unavailable until it starts again."),
                                                 p->name);
            struct ui_dialog *d = ui_yes_no_dialog(_("Stop pool"), q);
            ui_dialog_set_callbacks(d, NULL, pool_stop_confirm, form_new(s, p->name, NULL), form_free);
            ui_app_open_dialog(s->app, d);
        }
        break;
    }
    case 'B':
        vd_storage_pool_op(s->st, p->name, VD_POOL_BUILD, task_done, s->app);
        break;
    case 'R':
        if (!up)
            say(s, VD_C_STATUS_INFO, _("Pool %s is not active"), p->name);
        else
            vd_storage_pool_op(s->st, p->name, VD_POOL_REFRESH, task_done, s->app);
        break;
    case 'a':
        vd_storage_pool_op(s->st, p->name, p->autostart ? VD_POOL_AUTOSTART_OFF : VD_POOL_AUTOSTART_ON, task_done,
                           s->app);
        break;
    case 'D':
        return pool_delete(s, p);
    }
    return UI_REDRAW;
}

/* ---- volume dialogs ------------------------------------------------------ */

static const char *const vol_formats[] = { "qcow2", "raw", NULL };
static const char *const prealloc_modes[] = { "off", "metadata", "falloc", "full", NULL };

static bool
vol_plan_from(struct ui_dialog *d, struct storage_screen *s, struct vd_vol_plan *p, char **err)
{
    memset(p, 0, sizeof *p);
    p->name = ui_dialog_value(d, "name");
    vd_vol_format_parse(ui_dialog_value(d, "format"), &p->format);
    vd_vol_prealloc_parse(ui_dialog_value(d, "prealloc"), &p->prealloc);
    const char *backing = ui_dialog_value(d, "backing");
    if (backing && *backing) {
        /* a volume of this pool by name, or a path */
        const struct vd_volume *bv = s && s->pool ? vd_pool_volume(s->pool, backing) : NULL;
        if (bv) {
            p->backing_path = bv->path;
            p->backing_format = *bv->format ? bv->format : "raw";
            if (!p->capacity)
                p->capacity = bv->capacity;
        } else {
            p->backing_path = backing;
            p->backing_format = g_str_has_suffix(backing, ".qcow2") ? "qcow2" : "raw";
        }
    }
    const char *size = ui_dialog_value(d, "size");
    if (p->backing_path && (!size || !*size)) {
        if (!p->capacity) {
            *err = g_strdup(_("Enter a size: the backing file is not a volume of this pool."));
            return false;
        }
    } else if (!vd_parse_size(size, &p->capacity, err)) {
        return false;
    }
    char *e = vd_vol_plan_check(p);
    if (e) {
        *err = e;
        return false;
    }
    return true;
}

static void
vol_form_changed(struct ui_dialog *d, struct ui_field *fl G_GNUC_UNUSED, gpointer user)
{
    struct form *f = user;
    struct vd_vol_plan p;
    g_autofree char *err = NULL;
    struct storage_screen *s = live_screen(f->app);
    bool ok = vol_plan_from(d, s, &p, &err);
    ui_dialog_set_error(d, ok ? NULL : err);
    struct ui_field *sum = ui_dialog_field(d, "summary");
    if (sum && ok) {
        g_autofree char *sz = vd_format_bytes(p.capacity);
        g_autofree char *t = g_strdup_printf(_("%s %s volume, %s"), sz, vd_vol_format_name(p.format),
                                             p.prealloc == VD_PREALLOC_OFF ? _("allocated as written")
                                                                          : _("preallocated"));
        ui_field_set_text(sum, t);
    } else if (sum) {
        ui_field_set_text(sum, "");
    }
}

static bool
vol_form_done(struct ui_dialog *d, int result, gpointer user)
{
    struct form *f = user;
    struct storage_screen *s = live_screen(f->app);
    if (result != BTN_OK || !s)
        return true;
    struct vd_vol_plan p;
    g_autofree char *err = NULL;
    if (!vol_plan_from(d, s, &p, &err)) {
        ui_dialog_set_error(d, err);
        return false;
    }
    if (s->pool && vd_pool_volume(s->pool, p.name)) {
        g_autofree char *m = g_strdup_printf(_("Volume %s exists already."), p.name);
        ui_dialog_set_error(d, m);
        return false;
    }
    vd_storage_vol_create(s->st, f->pool, &p, task_done, s->app);
    return true;
}

static void
vol_create_open(struct storage_screen *s)
{
    g_autofree char *title = g_strdup_printf(_("New volume in pool %s"), s->pool->name);
    struct ui_dialog *d = ui_dialog_new(title, 66);
    struct form *f = form_new(s, s->pool->name, NULL);
    ui_dialog_add_text(d, "name", _("Name"), "");
    ui_dialog_add_choice(d, "format", _("Format"), vol_formats, 0);
    ui_dialog_add_text(d, "size", _("Size (K/M/G/T)"), "10G");
    ui_dialog_add_choice(d, "prealloc", _("Preallocation"), prealloc_modes, 0);
    ui_dialog_add_text(d, "backing", _("Backing volume"), "");
    struct ui_field *sum = ui_dialog_add_label(d, "summary", "");
    sum->slot = VD_C_DIM;
    ui_dialog_set_message(d, _("Backing volume: a volume of this pool or a path, qcow2 only; "
                               "an empty size takes the backing volume's."));
    ui_dialog_add_button(d, _("Create"), BTN_OK);
    ui_dialog_add_button(d, _("Cancel"), BTN_CANCEL);
    ui_dialog_set_callbacks(d, vol_form_changed, vol_form_done, f, form_free);
    ui_app_open_dialog(s->app, d);
}

static bool
vol_delete_confirm(struct ui_dialog *d, int result, gpointer user)
{
    struct form *f = user;
    struct storage_screen *s = live_screen(f->app);
    if (result == YES && s)
        vd_storage_vol_delete(s->st, f->pool, f->vol, ui_dialog_checked(d, "wipe"), task_done, s->app);
    else
        ui_app_set_status(f->app, VD_C_STATUS_INFO, "%s", _("Cancelled"));
    return true;
}

static bool
resize_confirm(struct ui_dialog *d G_GNUC_UNUSED, int result, gpointer user)
{
    struct form *f = user;
    struct storage_screen *s = live_screen(f->app);
    if (result == YES && s)
        vd_storage_vol_resize(s->st, f->pool, f->vol, f->size, true, task_done, s->app);
    else
        ui_app_set_status(f->app, VD_C_STATUS_INFO, "%s", _("Cancelled"));
    return true;
}

static bool
resize_done(struct ui_dialog *d, int result, gpointer user)
{
    struct form *f = user;
    struct storage_screen *s = live_screen(f->app);
    if (result != BTN_OK || !s)
        return true;
    guint64 bytes;
    g_autofree char *err = NULL;
    if (!vd_parse_size(ui_dialog_value(d, "size"), &bytes, &err) || bytes == 0) {
        ui_dialog_set_error(d, err ? err : _("The volume size must be greater than zero."));
        return false;
    }
    const struct vd_volume *v = s->pool ? vd_pool_volume(s->pool, f->vol) : NULL;
    if (v && bytes < v->capacity) {
        g_autofree char *from = vd_format_bytes(v->capacity);
        g_autofree char *to = vd_format_bytes(bytes);
        g_autofree char *q = g_strdup_printf(
            _("Shrink %s from %s to %s? Data past %s is lost; shrink the guest's file system and partitions first."),
            v->name, from, to, to);
        struct ui_dialog *d2 = ui_yes_no_dialog(_("Shrink volume"), q);
        struct form *f2 = form_new(s, f->pool, f->vol);
        f2->size = bytes;
        ui_dialog_set_callbacks(d2, NULL, resize_confirm, f2, form_free);
        ui_app_open_dialog(f->app, d2);
        return true;
    }
    vd_storage_vol_resize(s->st, f->pool, f->vol, bytes, false, task_done, s->app);
    return true;
}

static bool
clone_done(struct ui_dialog *d, int result, gpointer user)
{
    struct form *f = user;
    struct storage_screen *s = live_screen(f->app);
    if (result != BTN_OK || !s)
        return true;
    const char *name = ui_dialog_value(d, "name");
    struct vd_vol_plan probe = { .name = name, .capacity = 1 };
    g_autofree char *err = vd_vol_plan_check(&probe);
    if (!err && s->pool && vd_pool_volume(s->pool, name))
        err = g_strdup_printf(_("Volume %s exists already."), name);
    if (err) {
        ui_dialog_set_error(d, err);
        return false;
    }
    vd_storage_vol_clone(s->st, f->pool, f->vol, name, task_done, s->app);
    return true;
}

static void
transfer_start(struct form *f, const char *path)
{
    struct storage_screen *s = live_screen(f->app);
    if (!s)
        return;
    if (f->flag)
        vd_storage_vol_upload(s->st, f->pool, f->vol, path, task_done, s->app);
    else
        vd_storage_vol_download(s->st, f->pool, f->vol, path, task_done, s->app);
}

static bool
overwrite_confirm(struct ui_dialog *d G_GNUC_UNUSED, int result, gpointer user)
{
    struct form *f = user;
    if (result == YES)
        transfer_start(f, f->name);
    else
        ui_app_set_status(f->app, VD_C_STATUS_INFO, "%s", _("Cancelled"));
    return true;
}

static bool
transfer_done(struct ui_dialog *d, int result, gpointer user)
{
    struct form *f = user;
    struct storage_screen *s = live_screen(f->app);
    if (result != BTN_OK || !s)
        return true;
    g_autofree char *path = expand_path(ui_dialog_value(d, "file"));
    struct stat sb;
    if (!*path) {
        ui_dialog_set_error(d, _("Enter a file path."));
        return false;
    }
    if (f->flag) {
        const struct vd_volume *v = s->pool ? vd_pool_volume(s->pool, f->vol) : NULL;
        if (stat(path, &sb) < 0 || access(path, R_OK) < 0) {
            g_autofree char *m = g_strdup_printf(_("Cannot read %s: %s"), path, g_strerror(errno));
            ui_dialog_set_error(d, m);
            return false;
        }
        if (!S_ISREG(sb.st_mode)) {
            ui_dialog_set_error(d, _("Not a regular file."));
            return false;
        }
        if (v && (guint64)sb.st_size > v->capacity) {
            g_autofree char *fs = vd_format_bytes(sb.st_size);
            g_autofree char *vs = vd_format_bytes(v->capacity);
            g_autofree char *m = g_strdup_printf(_("The file (%s) is larger than the volume (%s): resize it first."),
                                                 fs, vs);
            ui_dialog_set_error(d, m);
            return false;
        }
        transfer_start(f, path);
        return true;
    }
    g_autofree char *dir = g_path_get_dirname(path);
    if (access(dir, W_OK) < 0) {
        g_autofree char *m = g_strdup_printf(_("Cannot write in %s: %s"), dir, g_strerror(errno));
        ui_dialog_set_error(d, m);
        return false;
    }
    if (stat(path, &sb) == 0) {
        if (S_ISDIR(sb.st_mode)) {
            ui_dialog_set_error(d, _("That is a directory: enter a file name."));
            return false;
        }
        g_autofree char *q = g_strdup_printf(_("%s exists. Overwrite it?"), path);
        struct ui_dialog *d2 = ui_yes_no_dialog(_("Download volume"), q);
        struct form *f2 = form_new(s, f->pool, f->vol);
        f2->name = g_strdup(path);
        ui_dialog_set_callbacks(d2, NULL, overwrite_confirm, f2, form_free);
        ui_app_open_dialog(f->app, d2);
        return true;
    }
    transfer_start(f, path);
    return true;
}

static void
transfer_open(struct storage_screen *s, const struct vd_volume *v, bool upload)
{
    g_autofree char *title = g_strdup_printf(upload ? _("Upload a file into %s") : _("Download %s to a file"),
                                             v->name);
    struct ui_dialog *d = ui_dialog_new(title, 70);
    struct form *f = form_new(s, s->pool->name, v->name);
    f->flag = upload;
    g_autofree char *cwd = g_get_current_dir();
    g_autofree char *def = upload ? g_strdup("") : g_build_filename(cwd, v->name, NULL);
    if (upload)
        ui_dialog_set_message(d, _("The file's bytes replace the volume's content (holes are skipped). "
                                   "A running guest must not use the volume."));
    else
        ui_dialog_set_message(d, _("The volume's file is copied as it is (a qcow2 volume gives a qcow2 file)."));
    ui_dialog_add_text(d, "file", upload ? _("Local file") : _("Save as"), def);
    ui_dialog_add_button(d, upload ? _("Upload") : _("Download"), BTN_OK);
    ui_dialog_add_button(d, _("Cancel"), BTN_CANCEL);
    ui_dialog_set_callbacks(d, NULL, transfer_done, f, form_free);
    ui_app_open_dialog(s->app, d);
}

static unsigned
vol_key_press(struct storage_screen *s, ui_key k)
{
    if (!s->pool)
        return UI_OK;
    if (k == 'n') {
        if (s->pool->state != VD_POOL_RUNNING)
            say(s, VD_C_STATUS_INFO, _("Pool %s is not active"), s->pool->name);
        else
            vol_create_open(s);
        return UI_REDRAW;
    }
    const struct vd_volume *v = selected_vol(s);
    if (!v || !strchr("Drcuw", k))
        return UI_OK;
    switch (k) {
    case 'D': {
        g_autofree char *users = vd_volume_users(v);
        if (users) {
            say(s, VD_C_STATUS_ERROR, _("Volume %s is in use by %s: not deleted"), v->name, users);
            break;
        }
        g_autofree char *q = g_strdup_printf(_("Delete volume %s? Its data is lost."), v->name);
        struct ui_dialog *d = ui_yes_no_dialog(_("Delete volume"), q);
        ui_dialog_add_check(d, "wipe", _("Wipe the data first (slow)"), false);
        ui_dialog_set_callbacks(d, NULL, vol_delete_confirm, form_new(s, s->pool->name, v->name), form_free);
        ui_app_open_dialog(s->app, d);
        break;
    }
    case 'r': {
        g_autofree char *title = g_strdup_printf(_("Resize %s"), v->name);
        struct ui_dialog *d = ui_dialog_new(title, 64);
        g_autofree char *cur = vd_format_bytes(v->capacity);
        g_autofree char *msg = NULL;
        bool running = false;
        for (guint i = 0; v->users && i < v->users->len; i++)
            running |= ((struct vd_vol_user *)g_ptr_array_index(v->users, i))->active;
        msg = running ? g_strdup_printf(_("Now %s. A disk of a running domain: it grows live (block resize), "
                                          "it cannot shrink."), cur)
                      : g_strdup_printf(_("Now %s. A smaller size asks again before shrinking."), cur);
        ui_dialog_set_message(d, msg);
        /* the current size exactly, in the largest unit that divides it */
        guint64 c = v->capacity;
        g_autofree char *def = c && c % (1ULL << 30) == 0 ? g_strdup_printf("%" G_GUINT64_FORMAT "G", c >> 30)
                               : c && c % (1ULL << 20) == 0 ? g_strdup_printf("%" G_GUINT64_FORMAT "M", c >> 20)
                                                            : g_strdup_printf("%" G_GUINT64_FORMAT, c);
        ui_dialog_add_text(d, "size", _("New size"), def);
        ui_dialog_add_button(d, _("Resize"), BTN_OK);
        ui_dialog_add_button(d, _("Cancel"), BTN_CANCEL);
        ui_dialog_set_callbacks(d, NULL, resize_done, form_new(s, s->pool->name, v->name), form_free);
        ui_app_open_dialog(s->app, d);
        break;
    }
    case 'c': {
        g_autofree char *title = g_strdup_printf(_("Clone %s"), v->name);
        struct ui_dialog *d = ui_dialog_new(title, 60);
        const char *dot = strrchr(v->name, '.');
        g_autofree char *def = dot && dot != v->name
                                   ? g_strdup_printf("%.*s-clone%s", (int)(dot - v->name), v->name, dot)
                                   : g_strdup_printf("%s-clone", v->name);
        ui_dialog_add_text(d, "name", _("New name"), def);
        ui_dialog_add_button(d, _("Clone"), BTN_OK);
        ui_dialog_add_button(d, _("Cancel"), BTN_CANCEL);
        ui_dialog_set_callbacks(d, NULL, clone_done, form_new(s, s->pool->name, v->name), form_free);
        ui_app_open_dialog(s->app, d);
        break;
    }
    case 'u':
        transfer_open(s, v, true);
        break;
    case 'w':
        transfer_open(s, v, false);
        break;
    }
    return UI_REDRAW;
}

/* ---- drawing --------------------------------------------------------------- */

struct key_hint {
    const char *key;
    const char *label;
};

static const struct key_hint pool_hints[] = {
    { "n", N_("new") }, { "s", N_("start") }, { "x", N_("stop") }, { "B", N_("build") }, { "R", N_("rescan") },
    { "a", N_("autostart") }, { "D", N_("delete") }, { "Tab", N_("volumes") }, { "q", N_("back") },
};

static const struct key_hint vol_hints[] = {
    { "n", N_("new") }, { "D", N_("delete") }, { "r", N_("resize") }, { "c", N_("clone") },
    { "u", N_("upload") }, { "w", N_("download") }, { "Tab", N_("pools") }, { "q", N_("back") },
};

static void
draw_hints(int y, int w, const struct key_hint *h, size_t n)
{
    int x = 0;
    ui_draw_fill(y, 0, w, vd_attr(VD_C_FKEY_LABEL));
    for (size_t i = 0; i < n; i++) {
        const char *label = _(h[i].label);
        int need = ui_text_width(h[i].key) + ui_text_width(label) + 2;
        if (x + need > w)
            break;
        x += ui_draw_text(y, x, w - x, h[i].key, vd_attr(VD_C_FKEY_KEY), UI_ALIGN_LEFT, false);
        x += ui_draw_text(y, x, w - x, label, vd_attr(VD_C_FKEY_LABEL), UI_ALIGN_LEFT, false);
        x += ui_draw_text(y, x, w - x, "  ", vd_attr(VD_C_FKEY_LABEL), UI_ALIGN_LEFT, false);
    }
}

static void
storage_draw(const struct ui_app *app, gpointer state)
{
    struct storage_screen *s = state;
    int y = app->lay.pane_y, h = app->lay.status_y - app->lay.pane_y, w = app->lay.cols;
    struct ui_host *host = screen_host(s);
    const char *label = host ? ui_host_label(app, host) : s->title_host;
    g_autofree char *title = g_strdup_printf(
        ngettext("Storage of %s: %u pool", "Storage of %s: %u pools", s->snap->pools->len), label,
        s->snap->pools->len);

    ui_draw_rect(y, 0, h, w, vd_attr(VD_C_NORMAL));
    ui_draw_text(y, 1, w - 2, title, vd_attr(VD_C_TITLE), UI_ALIGN_LEFT, true);
    g_autofree char *job = NULL;
    int pct = -1;
    if (host && vd_conn_job(s->conn, &job, &pct)) {
        /* a transfer (or other long task) in progress: a bar, then the
         * label with speed and ETA */
        int bw = MIN(20, w / 4);
        g_autofree char *bar = pct >= 0 ? usage_bar((guint64)pct, 100, bw) : g_strdup(_("working…"));
        int x = 1 + ui_draw_text(y + 1, 1, w - 2, bar, vd_attr(VD_C_STATUS_OK), UI_ALIGN_LEFT, false);
        g_autofree char *t = g_strdup_printf("  %s  %s", job, _("(Esc cancels)"));
        ui_draw_text(y + 1, x, w - 1 - x, t, vd_attr(VD_C_NORMAL), UI_ALIGN_LEFT, true);
    } else if (s->snap->error) {
        ui_draw_text(y + 1, 1, w - 2, s->snap->error, vd_attr(VD_C_ERROR_TEXT), UI_ALIGN_LEFT, true);
    }
    /* pools: up to a third of the room, at least 3 rows */
    int avail = h - 5;      /* title, error/info line, pool detail, volumes title, hints */
    int prow = CLAMP((int)s->snap->pools->len + 1, 2, MAX(avail / 3 + 1, 3));
    ui_list_layout(&s->pools, prow - 1, w - 2);
    ui_list_draw(&s->pools, y + 2, 1, !s->focus_vols);
    int yy = y + 2 + prow;
    /* the selected pool in a line */
    if (s->pool) {
        const struct vd_pool *p = s->pool;
        g_autofree char *cap = vd_format_bytes(p->capacity);
        g_autofree char *free_ = vd_format_bytes(p->available);
        g_autofree char *line = p->state == VD_POOL_RUNNING
            ? g_strdup_printf(_("%s: %s pool at %s, %s free of %s%s%s"), p->name, p->type,
                              *p->target ? p->target : p->source, free_, cap, *p->source ? ", " : "", p->source)
            : g_strdup_printf(_("%s: %s pool at %s (inactive)"), p->name, p->type,
                              *p->target ? p->target : p->source);
        ui_draw_text(yy, 1, w - 2, p->error ? p->error : line, vd_attr(p->error ? VD_C_ERROR_TEXT : VD_C_DIM),
                     UI_ALIGN_LEFT, true);
    }
    yy++;
    int vrows = y + h - 1 - yy;
    if (vrows >= 2) {
        ui_list_layout(&s->vols, vrows - 1, w - 2);
        ui_list_draw(&s->vols, yy, 1, s->focus_vols);
    }
    if (s->focus_vols)
        draw_hints(y + h - 1, w, vol_hints, G_N_ELEMENTS(vol_hints));
    else
        draw_hints(y + h - 1, w, pool_hints, G_N_ELEMENTS(pool_hints));
}

/* ---- keys ------------------------------------------------------------------- */

static unsigned
storage_key(struct ui_app *app, gpointer state, ui_key k)
{
    struct storage_screen *s = state;
    if (!s->st && k != 'q' && k != UI_KEY_ESC) {
        ui_app_set_status(app, VD_C_STATUS_INFO, "%s", _("The host was removed: q closes the view"));
        return UI_REDRAW;
    }
    struct ui_list *l = s->focus_vols ? &s->vols : &s->pools;
    int b = ui_keymap_lookup(app->keymap, k);

    if (k == UI_KEY_ESC) {
        /* a transfer in progress: cancel it; else close */
        if (screen_host(s) && vd_conn_abort_job(s->conn)) {
            ui_app_set_status(app, VD_C_STATUS_INFO, "%s", _("Cancelling…"));
            return UI_REDRAW;
        }
        ui_app_close_screen(app, s);
        return UI_REDRAW;
    }
    if (k == 'q') {
        ui_app_close_screen(app, s);
        return UI_REDRAW;
    }
    if (k == '\t' || k == (UI_KEY_FN | KEY_BTAB) || k == (UI_KEY_FN | KEY_LEFT) ||
        k == (UI_KEY_FN | KEY_RIGHT) || k == 'h' || k == 'l') {
        bool to_vols = k == '\t' || k == (UI_KEY_FN | KEY_BTAB) ? !s->focus_vols
                                                              : (k == 'l' || k == (UI_KEY_FN | KEY_RIGHT));
        s->focus_vols = to_vols && s->pool;
        return UI_REDRAW;
    }
    if ((k == '\n' || k == '\r' || k == (UI_KEY_FN | KEY_ENTER)) && !s->focus_vols) {
        s->focus_vols = s->pool != NULL;
        return UI_REDRAW;
    }
    if (k == (UI_KEY_FN | KEY_F(5)) || k == 0x12 /* C-r */) {
        vd_storage_refresh(s->st);
        ui_app_set_status(app, VD_C_STATUS_INFO, "%s", _("Reading the pools…"));
        return UI_REDRAW;
    }
    switch (b) {
    case UI_CMD_MOVE_DOWN: ui_list_move(l, 1); break;
    case UI_CMD_MOVE_UP: ui_list_move(l, -1); break;
    case UI_CMD_PAGE_DOWN: ui_list_page(l, 1); break;
    case UI_CMD_PAGE_UP: ui_list_page(l, -1); break;
    case UI_CMD_FIRST_ROW: ui_list_first(l); break;
    case UI_CMD_LAST_ROW: ui_list_last(l); break;
    case UI_CMD_SORT_NEXT: ui_list_sort_next(l); break;
    case UI_CMD_SORT_REVERSE: ui_list_sort_reverse(l); break;
    case UI_CMD_HELP: case UI_CMD_REDRAW: case UI_CMD_SHOW_MESSAGE:
        return ui_app_command(app, b);
    default: {
        unsigned r = s->focus_vols ? vol_key_press(s, k) : pool_key_press(s, k);
        if (r == UI_OK && b == UI_CMD_QUIT)
            return ui_app_command(app, b);
        return r;
    }
    }
    if (!s->focus_vols) {
        s->pool = NULL;
        storage_recalc_lists(s);
    }
    return UI_REDRAW;
}

static void
storage_recalc(struct ui_app *app G_GNUC_UNUSED, gpointer state)
{
    struct storage_screen *s = state;
    /* the host went away (connection removed): nothing to watch */
    if (!screen_host(s) && s->st) {
        vd_storage_abandon(s->st);
        s->st = NULL;
    }
}

static void
storage_free(gpointer state)
{
    struct storage_screen *s = state;
    if (s->st)
        vd_storage_close(s->st);
    vd_storage_snap_unref(s->snap);
    ui_list_clear(&s->pools);
    ui_list_clear(&s->vols);
    g_free(s->title_host);
    g_free(s);
}

static const struct ui_fkey storage_fkeys[] = {
    { UI_CMD_HELP, NULL, NC_("fkey", "Help"), 2 },
    { UI_FKEY_LITERAL, "n", NC_("fkey", "New"), 3 },
    { UI_FKEY_LITERAL, "D", NC_("fkey", "Delete"), 3 },
    { UI_FKEY_LITERAL, "F5", NC_("fkey", "Reread"), 4 },
    { UI_CMD_SORT_NEXT, NULL, NC_("fkey", "Sort"), 5 },
    { UI_FKEY_LITERAL, "q", NC_("fkey", "Close"), 0 },
    { UI_CMD_QUIT, NULL, NC_("fkey", "Quit"), 1 },
    { 0, NULL, NULL, 0 },
};

static const struct ui_fkey *
storage_fkeys_cb(const struct ui_app *app G_GNUC_UNUSED, gpointer state G_GNUC_UNUSED)
{
    return storage_fkeys;
}

static const struct ui_screen_ops storage_ops = {
    .name = "storage",
    .fkeys = storage_fkeys_cb,
    .draw = storage_draw,
    .key = storage_key,
    .recalc = storage_recalc,
    .free = storage_free,
};

void
ui_storage_open(struct ui_app *app)
{
    struct ui_host *h = ui_app_host(app);
    if (!h)
        return;
    struct storage_screen *old = ui_app_find_screen(app, &storage_ops);
    if (old)
        ui_app_close_screen(app, old);
    struct storage_screen *s = g_new0(struct storage_screen, 1);
    s->app = app;
    s->conn = h->conn;
    s->title_host = g_strdup(ui_host_label(app, h));
    ui_list_init(&s->pools, &pool_src, true);
    ui_list_init(&s->vols, &vol_src, true);
    s->pools.sort_col = -1;
    s->vols.sort_col = -1;
    s->st = vd_storage_open(h->conn, on_storage, s);
    s->snap = vd_storage_snapshot(s->st);
    storage_recalc_lists(s);
    ui_app_push_screen(app, &storage_ops, s);
}

/* help overlay */
const struct ui_help_entry ui_storage_help[] = {
    { NULL, N_("Storage view (b): pools") },
    { "n", N_("New pool (dir, fs, NFS, LVM, iSCSI, ZFS, disk)") },
    { "s / x", N_("Start / stop the pool (stop is refused while a domain uses it)") },
    { "B", N_("Build the pool (create the directory, label the disk...)") },
    { "R", N_("Rescan the pool's volumes") },
    { "a", N_("Toggle autostart") },
    { "D", N_("Delete the pool (optionally its directory and volumes)") },
    { NULL, N_("Storage view: volumes") },
    { "n", N_("New volume (qcow2 or raw, size, preallocation, backing volume)") },
    { "D", N_("Delete the volume (optionally wiped first)") },
    { "r", N_("Resize (grow; shrinking asks again)") },
    { "c", N_("Clone the volume") },
    { "u / w", N_("Upload a local file into the volume / download it to a file") },
    { NULL, N_("Storage view: moving") },
    { "Tab Enter", N_("Switch between pools and volumes") },
    { "F5 C-r", N_("Read the pools again") },
    { "Esc", N_("Cancel a transfer in progress, else close the view") },
    { "q", N_("Close the storage view") },
    { NULL, NULL },
};
