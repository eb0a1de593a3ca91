/* virtdeck - creating a container: build the root, define, start, or undo
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <config.h>

#include "conn-task.h"
#include "create-lxc.h"
#include "host-facts.h"
#include "i18n.h"

struct create {
    char *uri;
    struct vd_plan_lxc *plan;
};

static void
create_free(struct create *c)
{
    g_free(c->uri);
    vd_plan_lxc_free(c->plan);
    g_free(c);
}

static void
create_task(virConnectPtr vc, struct vd_task *t, gpointer data)
{
    struct create *c = data;
    struct vd_plan_lxc *p = c->plan;
    g_autofree char *err = NULL;
    g_autofree char *xml = NULL;
    g_autoptr(vd_host_facts) f = NULL;
    g_autoptr(GPtrArray) errors = vd_plan_errors_new();
    virDomainPtr dom = NULL;
    bool built = false, created_dir = false;
    char uuid[VIR_UUID_STRING_BUFLEN];

    vd_task_progress(t, 0, _("checking the host"));
    f = vd_host_facts_fetch(vc, c->uri, &err);
    if (!f) {
        vd_task_fail(t, _("Cannot read the host's facts: %s"), err ? err : _("unknown error"));
        return;
    }
    vd_plan_lxc_apply_defaults(p, f);
    if (!vd_plan_lxc_validate(p, f, errors)) {
        g_autofree char *text = vd_plan_errors_text(errors);
        vd_task_fail(t, _("Cannot create %1$s: %2$s"), p->name ? p->name : "", text);
        return;
    }
    xml = vd_plan_lxc_domain_xml(p, &err);
    if (p->rootfs == VD_ROOTFS_BUSYBOX) {
        vd_task_progress(t, 20, _("building the busybox tree"));
        if (!vd_lxc_build_busybox(p->rootfs_dir, p->name, &created_dir, &err)) {
            vd_task_fail(t, _("Could not build the root of %1$s: %2$s"), p->name, err);
            goto fail;
        }
        built = true;
    }
    vd_task_progress(t, 60, _("defining"));
    if (vd_task_cancelled(t))
        goto fail;
    dom = virDomainDefineXMLFlags(vc, xml, VIR_DOMAIN_DEFINE_VALIDATE);
    if (!dom) {
        vd_task_fail_libvirt(t, _("Could not define %s"), p->name);
        goto fail;
    }
    if (p->start) {
        vd_task_progress(t, 80, _("starting"));
        if (vd_task_cancelled(t))
            goto fail;
        if (virDomainCreate(dom) < 0) {
            vd_task_fail_libvirt(t, _("Could not start %s"), p->name);
            goto fail;
        }
    }
    virDomainGetUUIDString(dom, uuid);
    virDomainFree(dom);
    vd_task_set_result(t, g_strdup(uuid), g_free);
    vd_task_request_refresh(t);
    vd_task_set_message(t, p->start ? _("Created and started %s") : _("Created %s"), p->name);
    return;

fail:
    if (vd_task_cancelled(t) && !vd_task_failed(t))
        vd_task_fail(t, "%s", _("Cancelled"));
    if (dom) {
        if (virDomainIsActive(dom) == 1)
            virDomainDestroy(dom);
        virDomainUndefine(dom);
        virDomainFree(dom);
    }
    if (built && created_dir)
        vd_lxc_remove_tree(p->rootfs_dir);
    vd_task_request_refresh(t);
}

static struct create *
create_new(const char *uri, const struct vd_plan_lxc *plan)
{
    struct create *c = g_new0(struct create, 1);

    c->uri = g_strdup(uri);
    c->plan = vd_plan_lxc_copy(plan);
    return c;
}

void
vd_create_lxc(struct vd_conn *c, const struct vd_plan_lxc *plan, vd_task_done_fn done, gpointer user)
{
    g_autofree char *label = g_strdup_printf(_("Creating %s"), plan->name ? plan->name : "");

    vd_conn_submit(c, VD_TASK_LONG, label, create_task, create_new(vd_conn_uri(c), plan),
                   (GDestroyNotify)create_free, done, user);
}

bool
vd_create_lxc_sync(const char *uri, const struct vd_plan_lxc *plan, char **message, char **uuid)
{
    struct create *c = create_new(uri, plan);
    gpointer res = NULL;
    bool ok = vd_conn_run_sync(uri, create_task, c, message, &res);

    if (uuid)
        *uuid = res;
    else
        g_free(res);
    create_free(c);
    return ok;
}
