/* virtdeck - entry point: options, config, connections, then the UI
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <signal.h>
#include <glib-unix.h>

#include "i18n.h"
#include "auth.h"
#include "conf.h"
#include "conn.h"
#include "create-vm.h"
#include "dump.h"
#include "util.h"
#include "ui/app.h"
#include "ui/console.h"

struct options {
    char **connect;
    gboolean demo;
    gboolean dump;
    gboolean stats;
    gboolean version;
    char *config;
    char *theme;
    gboolean ascii;
    char *create;
    char *name;
    char *console;
    gboolean serial;
    gboolean vnc;
};

#ifdef VD_BUILDLOCALEDIR
/* Does DIR hold our catalog for one of the user's languages? */
static bool
has_catalog(const char *dir)
{
    for (const char *const *l = g_get_language_names(); *l; l++) {
        g_autofree char *mo = NULL;

        if (strcmp(*l, "C") == 0 || strcmp(*l, "POSIX") == 0)
            break;
        mo = g_strdup_printf("%s/%s/LC_MESSAGES/%s.mo", dir, *l, PACKAGE);
        if (g_file_test(mo, G_FILE_TEST_IS_REGULAR))
            return true;
    }
    return false;
}
#endif

/* Where the message catalogs are: $VIRTDECK_LOCALEDIR, else the installed
 * ones, else (./virtdeck run before `make install`) the build tree's
 * locale/ that `make` fills from po/. */
static const char *
locale_dir(void)
{
    const char *env = g_getenv("VIRTDECK_LOCALEDIR");

    if (env && *env)
        return env;
#ifdef VD_BUILDLOCALEDIR
    if (!has_catalog(LOCALEDIR) && has_catalog(VD_BUILDLOCALEDIR))
        return VD_BUILDLOCALEDIR;
#endif
    return LOCALEDIR;
}

static char *
demo_uri(void)
{
    static const char *const paths[] = { VD_DATADIR "/demo.xml", VD_SRCDATADIR "/demo.xml" };

    for (size_t i = 0; i < G_N_ELEMENTS(paths); i++) {
        if (g_file_test(paths[i], G_FILE_TEST_IS_REGULAR)) {
            g_autofree char *abs = g_canonicalize_filename(paths[i], NULL);
            return g_strconcat("test://", abs, NULL);
        }
    }
    return g_strdup("test:///default");
}

/* Whether a local libvirtd (monolithic or modular virtqemud) accepts a
 * connection on its socket. connect() on a unix socket answers at once: a
 * stale socket file gives ECONNREFUSED. */
static bool
local_libvirtd_answers(void)
{
    static const char *const socks[] = {
        "/run/libvirt/libvirt-sock", "/run/libvirt/virtqemud-sock",
    };

    for (guint i = 0; i < G_N_ELEMENTS(socks); i++) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        bool ok;

        if (fd < 0)
            return false;
        g_strlcpy(sa.sun_path, socks[i], sizeof sa.sun_path);
        ok = connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
        close(fd);
        if (ok)
            return true;
    }
    return false;
}

/* The URIs to open and their saved names (NULL when given on the command
 * line); *note gets a translated remark for the status line. */
static void
choose_uris(const struct options *o, const struct vd_config *cfg, GPtrArray *uris,
            GPtrArray *names, char **note)
{
    const char *env = g_getenv("LIBVIRT_DEFAULT_URI");

    for (guint i = 0; o->connect && o->connect[i]; i++) {
        g_ptr_array_add(uris, g_strdup(o->connect[i]));
        g_ptr_array_add(names, NULL);
    }
    if (o->demo) {
        g_ptr_array_add(uris, demo_uri());
        g_ptr_array_add(names, NULL);
    }
    if (uris->len)
        return;
    for (guint i = 0; cfg && i < cfg->conns->len; i++) {
        const struct vd_saved_conn *sc = g_ptr_array_index(cfg->conns, i);
        if (!sc->autoconnect)
            continue;
        g_ptr_array_add(uris, g_strdup(sc->uri));
        g_ptr_array_add(names, g_strdup(sc->name));
    }
    if (uris->len)
        return;
    if (env && *env) {
        g_ptr_array_add(uris, g_strdup(env));
    } else if (local_libvirtd_answers()) {
        g_ptr_array_add(uris, g_strdup("qemu:///system"));
    } else {
        g_ptr_array_add(uris, demo_uri());
        *note = g_strdup(_("No local libvirtd found: showing the demo host. "
                           "Add a connection with F2 or start with -c URI."));
    }
    g_ptr_array_add(names, NULL);
}

/* One part of a host's dump, printed into memory on a thread of its own. */
enum dump_part { DUMP_HOST, DUMP_NETWORKS, DUMP_STORAGE, DUMP_PARTS };

struct dump_job {
    const char *uri;
    enum dump_part part;
    bool stats;
    bool ok;
    char *out, *err;
    size_t out_len, err_len;
    GThread *thread;
};

static gpointer
dump_thread(gpointer data)
{
    struct dump_job *j = data;
    FILE *out = open_memstream(&j->out, &j->out_len);
    FILE *err = open_memstream(&j->err, &j->err_len);

    if (!out || !err) {
        j->ok = false;
    } else if (j->part == DUMP_HOST) {
        g_autofree char *error = NULL;
        struct vd_host_snap *s = vd_conn_fetch_once(j->uri, &error);

        j->ok = s != NULL;
        if (s) {
            vd_dump_host(out, s, j->stats);
            vd_host_snap_unref(s);
        } else {
            fprintf(err, _("virtdeck: cannot connect to %1$s: %2$s\n"), j->uri, error ? error : _("unknown error"));
        }
    } else if (j->part == DUMP_NETWORKS) {
        j->ok = vd_dump_networks(out, err, j->uri, j->stats);
    } else {
        j->ok = vd_dump_storage(out, err, j->uri, j->stats);
    }
    if (out)
        fclose(out);
    if (err)
        fclose(err);
    return NULL;
}

/* Every host at once, and per host its domains, networks and storage at
 * once on one shared connection; printed in order when all are done, so
 * the output does not depend on which answers first. */
static int
run_dump(GPtrArray *uris, bool stats)
{
    guint n = uris->len * DUMP_PARTS;
    g_autofree struct dump_job *jobs = g_new0(struct dump_job, n);
    int rc = 0;

    vd_conn_share_begin();
    for (guint i = 0; i < n; i++) {
        jobs[i].uri = g_ptr_array_index(uris, i / DUMP_PARTS);
        jobs[i].part = (enum dump_part)(i % DUMP_PARTS);
        jobs[i].stats = stats;
        jobs[i].thread = g_thread_new("dump", dump_thread, &jobs[i]);
    }
    for (guint i = 0; i < n; i++)
        g_thread_join(jobs[i].thread);
    vd_conn_share_end();
    for (guint i = 0; i < n; i += DUMP_PARTS) {
        /* a host that cannot be reached: only why (its parts failed too) */
        guint last = jobs[i].ok ? i + DUMP_PARTS : i + 1;
        for (guint k = i; k < last; k++) {
            if (jobs[k].out_len)
                fwrite(jobs[k].out, 1, jobs[k].out_len, stdout);
            if (jobs[k].err_len)
                fwrite(jobs[k].err, 1, jobs[k].err_len, stderr);
            if (!jobs[k].ok)
                rc = 1;
        }
    }
    for (guint i = 0; i < n; i++) {
        free(jobs[i].out);
        free(jobs[i].err);
    }
    fflush(stdout);
    return rc;
}

/* --create TEMPLATE [--name NAME] on the first URI: the wizard's checks and
 * transaction without the UI. */
static int
run_create(const struct options *o, GPtrArray *uris)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(vd_plan_vm) p = vd_plan_vm_load(o->create, &err);
    g_autofree char *msg = NULL;
    g_autofree char *mem = NULL;
    const char *uri = g_ptr_array_index(uris, 0);

    if (!p) {
        fprintf(stderr, _("virtdeck: cannot read the template %1$s: %2$s\n"), o->create, err->message);
        return 1;
    }
    if (o->name) {
        g_free(p->name);
        p->name = g_strdup(o->name);
    }
    if (!vd_create_vm_sync(uri, p, NULL, &msg, NULL)) {
        fprintf(stderr, "virtdeck: %s\n", msg ? msg : _("unknown error"));
        return 1;
    }
    mem = vd_format_kib(p->memory_mib * 1024);
    /* TRANSLATORS: "Created and started vm1 on qemu:///system: 2 vCPUs, 1.0 GiB" */
    printf(ngettext("%1$s on %2$s: %3$u vCPU, %4$s\n", "%1$s on %2$s: %3$u vCPUs, %4$s\n", p->vcpus),
           msg, uri, p->vcpus, mem);
    return 0;
}

static gboolean
on_hangup(gpointer user)
{
    struct ui_app *app = user;

    g_main_loop_quit(app->loop);
    return G_SOURCE_CONTINUE;
}

static bool
parse_options(int *argc, char ***argv, struct options *o)
{
    GOptionEntry entries[] = {
        { "connect", 'c', 0, G_OPTION_ARG_STRING_ARRAY, &o->connect,
          N_("Connect to a libvirt URI (repeatable)"), N_("URI") },
        { "demo", 0, 0, G_OPTION_ARG_NONE, &o->demo,
          N_("Show the demo host (libvirt's test driver)"), NULL },
        { "dump", 0, 0, G_OPTION_ARG_NONE, &o->dump,
          N_("Print hosts and domains as text and exit"), NULL },
        { "stats", 0, 0, G_OPTION_ARG_NONE, &o->stats,
          N_("With --dump: also print RPC counters"), NULL },
        { "config", 0, 0, G_OPTION_ARG_FILENAME, &o->config,
          N_("Use this configuration file"), N_("FILE") },
        { "theme", 0, 0, G_OPTION_ARG_STRING, &o->theme,
          N_("Colour theme (file name without .theme)"), N_("NAME") },
        { "ascii", 0, 0, G_OPTION_ARG_NONE, &o->ascii,
          N_("Draw with ASCII characters only"), NULL },
        { "create", 0, 0, G_OPTION_ARG_FILENAME, &o->create,
          N_("Create a VM from a template (see the wizard) and exit"), N_("TEMPLATE") },
        { "name", 0, 0, G_OPTION_ARG_STRING, &o->name,
          N_("With --create: the new VM's name"), N_("NAME") },
        { "console", 0, 0, G_OPTION_ARG_STRING, &o->console,
          N_("Open the console of this domain (name or UUID) at once; leaving it exits"), N_("NAME") },
        { "serial", 0, 0, G_OPTION_ARG_NONE, &o->serial,
          N_("With --console: the serial (text) console"), NULL },
        { "vnc", 0, 0, G_OPTION_ARG_NONE, &o->vnc,
          N_("With --console: the VNC (graphical) console"), NULL },
        { "version", 0, 0, G_OPTION_ARG_NONE, &o->version,
          N_("Print the version and exit"), NULL },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new(NULL);
    g_autoptr(GError) err = NULL;

    g_option_context_set_summary(ctx, _("Manage libvirt hosts, virtual machines and containers."));
    g_option_context_add_main_entries(ctx, entries, PACKAGE);
    if (!g_option_context_parse(ctx, argc, argv, &err)) {
        fprintf(stderr, "virtdeck: %s\n", err->message);
        return false;
    }
    if ((o->serial || o->vnc) && !o->console) {
        fprintf(stderr, "virtdeck: %s\n", _("--serial and --vnc go with --console NAME"));
        return false;
    }
    if (o->serial && o->vnc) {
        fprintf(stderr, "virtdeck: %s\n", _("--serial and --vnc exclude each other"));
        return false;
    }
    if (o->console && (!o->connect || !o->connect[0] || o->connect[1])) {
        fprintf(stderr, "virtdeck: %s\n", _("--console needs exactly one -c URI"));
        return false;
    }
    if (o->vnc && !ui_console_find_backend("vnc")) {
        fprintf(stderr, "virtdeck: %s\n", _("this build of virtdeck has no VNC console"));
        return false;
    }
    return true;
}

int
main(int argc, char **argv)
{
    struct options o = { 0 };
    g_autofree char *config_path = NULL;
    g_autofree char *warning = NULL;
    g_autofree char *note = NULL;
    g_autoptr(GPtrArray) uris = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    struct vd_config *cfg;
    struct ui_app *app;
    int rc;

    setlocale(LC_ALL, "");
    bindtextdomain(PACKAGE, locale_dir());
    bind_textdomain_codeset(PACKAGE, "UTF-8");
    textdomain(PACKAGE);
    /* ssh runs us as its SSH_ASKPASS helper (src/auth.c): before anything
     * else, no terminal, no libvirt */
    if (argc >= 2 && strcmp(argv[1], "--askpass") == 0)
        return vd_askpass_client(argc >= 3 ? argv[2] : "");

    if (!parse_options(&argc, &argv, &o))
        return 2;
    if (o.version) {
        printf("virtdeck %s\n", PACKAGE_VERSION);
        return 0;
    }
    config_path = o.config ? g_strdup(o.config) : vd_config_default_path();
    cfg = vd_config_load(config_path, &warning);
    choose_uris(&o, cfg, uris, names, &note);
    vd_conn_global_init();

    if (o.create) {
        rc = run_create(&o, uris);
        vd_config_free(cfg);
        return rc;
    }
    if (o.dump) {
        if (warning)
            fprintf(stderr, "virtdeck: %s\n", warning);
        rc = run_dump(uris, o.stats);
        vd_config_free(cfg);
        return rc;
    }
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fprintf(stderr, "virtdeck: %s\n", _("the terminal UI needs a terminal (use --dump for text)"));
        vd_config_free(cfg);
        return 2;
    }

    app = ui_app_new(cfg);
    if (!ui_app_start_terminal(app, o.theme ? o.theme : cfg ? cfg->theme : NULL, o.ascii)) {
        ui_app_free(app);
        vd_config_free(cfg);
        return 1;
    }
    /* passwords and host keys are asked in the UI; ssh asks through our
     * askpass helper (without it ssh runs in BatchMode) */
    ui_auth_init(app);
    /* the terminal went away (tmux killed, ssh dropped): leave the normal
     * way, so the askpass directory is removed */
    {
        GSource *hup = g_unix_signal_source_new(SIGHUP);
        g_source_set_callback(hup, on_hangup, app, NULL);
        g_source_attach(hup, app->ctx);
        g_source_unref(hup);
    }
    {
        g_autofree char *aerr = NULL;
        if (!vd_askpass_start(&aerr) && !warning)
            warning = g_strdup_printf(_("ssh passwords cannot be asked: %s"), aerr);
    }
    for (guint i = 0; i < uris->len; i++)
        ui_app_add_host(app, g_ptr_array_index(uris, i), g_ptr_array_index(names, i));
    ui_app_select_host(app, 0);
    if (warning)
        ui_app_set_status(app, VD_C_STATUS_ERROR, "%s", warning);
    else if (note)
        ui_app_set_status(app, VD_C_STATUS_INFO, "%s", note);
    else if (!app->status)
        ui_app_set_status(app, VD_C_STATUS_INFO, "%s", _("Press ? or F1 for help, q to quit."));
    if (o.console)
        ui_console_start_direct(app, o.console, o.serial ? "serial" : o.vnc ? "vnc" : NULL);
    rc = ui_app_run(app);
    if (o.console && ui_console_direct_message())
        fprintf(stderr, "virtdeck: %s\n", ui_console_direct_message());
    ui_auth_shutdown(app);
    ui_app_free(app);
    vd_askpass_stop();
    vd_config_free(cfg);
    g_strfreev(o.connect);
    g_free(o.config);
    g_free(o.theme);
    g_free(o.console);
    return rc;
}
