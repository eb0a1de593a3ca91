/* virtdeck - storage volume XML from a plain plan, and size parsing
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <libvirt/libvirt.h>
#include <libxml/xmlwriter.h>

#include "i18n.h"
#include "vol-xml.h"

const char *
vd_vol_format_name(enum vd_vol_format f)
{
    return f == VD_VOL_RAW ? "raw" : "qcow2";
}

bool
vd_vol_format_parse(const char *s, enum vd_vol_format *out)
{
    if (!s)
        return false;
    if (g_ascii_strcasecmp(s, "qcow2") == 0)
        *out = VD_VOL_QCOW2;
    else if (g_ascii_strcasecmp(s, "raw") == 0)
        *out = VD_VOL_RAW;
    else
        return false;
    return true;
}

static const char *const prealloc_names[] = { "off", "metadata", "falloc", "full" };

const char *
vd_vol_prealloc_name(enum vd_vol_prealloc p)
{
    return (unsigned)p < G_N_ELEMENTS(prealloc_names) ? prealloc_names[p] : "off";
}

bool
vd_vol_prealloc_parse(const char *s, enum vd_vol_prealloc *out)
{
    for (unsigned i = 0; s && i < G_N_ELEMENTS(prealloc_names); i++)
        if (g_ascii_strcasecmp(s, prealloc_names[i]) == 0) {
            *out = (enum vd_vol_prealloc)i;
            return true;
        }
    return false;
}

/* A file name inside a pool: what libvirt accepts for dir pools and what
 * stays sane on a terminal. */
static char *
check_name(const char *name)
{
    if (!name || !*name)
        return g_strdup(_("The volume needs a name."));
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || strchr(name, '/'))
        return g_strdup(_("A volume name cannot contain '/' or be '.' or '..'."));
    if (strlen(name) > 255)
        return g_strdup(_("The volume name is longer than 255 bytes."));
    if (!g_utf8_validate(name, -1, NULL))
        return g_strdup(_("The volume name is not valid UTF-8."));
    for (const unsigned char *c = (const unsigned char *)name; *c; c++)
        if (*c < 0x20 || *c == 0x7f)
            return g_strdup(_("The volume name contains control characters."));
    return NULL;
}

char *
vd_vol_plan_check(const struct vd_vol_plan *p)
{
    char *e = check_name(p->name);
    if (e)
        return e;
    if (p->format != VD_VOL_QCOW2 && p->format != VD_VOL_RAW)
        return g_strdup(_("Unknown volume format."));
    if ((unsigned)p->prealloc >= G_N_ELEMENTS(prealloc_names))
        return g_strdup(_("Unknown preallocation mode."));
    if (p->capacity == 0)
        return g_strdup(_("The volume size must be greater than zero."));
    if (p->capacity > (guint64)G_MAXINT64)
        return g_strdup(_("The volume size is too large."));
    if (p->format == VD_VOL_RAW && p->prealloc == VD_PREALLOC_METADATA)
        return g_strdup(_("Metadata preallocation needs the qcow2 format."));
    if (p->format == VD_VOL_QCOW2 && p->prealloc == VD_PREALLOC_FULL)
        return g_strdup(_("Full preallocation is offered for raw volumes; use falloc for qcow2."));
    bool backing = p->backing_path && *p->backing_path;
    if (backing) {
        if (p->format != VD_VOL_QCOW2)
            return g_strdup(_("Only a qcow2 volume can have a backing volume."));
        if (p->backing_path[0] != '/')
            return g_strdup(_("The backing volume must be given by its absolute path."));
        if (p->prealloc != VD_PREALLOC_OFF)
            return g_strdup(_("A volume with a backing volume cannot be preallocated."));
        enum vd_vol_format bf;
        if (p->backing_format && !vd_vol_format_parse(p->backing_format, &bf))
            return g_strdup(_("The backing volume format must be qcow2 or raw."));
    }
    return NULL;
}

unsigned int
vd_vol_plan_create_flags(const struct vd_vol_plan *p)
{
    if (p->format == VD_VOL_QCOW2 &&
        (p->prealloc == VD_PREALLOC_METADATA || p->prealloc == VD_PREALLOC_FALLOC))
        return VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA;
    return 0;
}

bool
vd_vol_plan_needs_zero_fill(const struct vd_vol_plan *p)
{
    return p->format == VD_VOL_RAW && p->prealloc == VD_PREALLOC_FULL;
}

char *
vd_vol_xml(const struct vd_vol_plan *p, char **error)
{
    char *e = vd_vol_plan_check(p);
    if (e) {
        if (error)
            *error = e;
        else
            g_free(e);
        return NULL;
    }
    /* libvirt's qemu-img backend: PREALLOC_METADATA with allocation <
     * capacity gives preallocation=metadata, with allocation == capacity
     * preallocation=falloc; raw files get `allocation` bytes fallocated. */
    guint64 alloc = (p->prealloc == VD_PREALLOC_FALLOC || p->prealloc == VD_PREALLOC_FULL)
                        ? p->capacity : 0;
    xmlBufferPtr buf = xmlBufferCreate();
    xmlTextWriterPtr w = xmlNewTextWriterMemory(buf, 0);
    int rc = 0;
    xmlTextWriterSetIndent(w, 1);
    xmlTextWriterSetIndentString(w, BAD_CAST "  ");
    rc |= xmlTextWriterStartElement(w, BAD_CAST "volume") < 0;
    rc |= xmlTextWriterWriteElement(w, BAD_CAST "name", BAD_CAST p->name) < 0;
    rc |= xmlTextWriterStartElement(w, BAD_CAST "capacity") < 0;
    rc |= xmlTextWriterWriteAttribute(w, BAD_CAST "unit", BAD_CAST "bytes") < 0;
    rc |= xmlTextWriterWriteFormatString(w, "%" G_GUINT64_FORMAT, p->capacity) < 0;
    rc |= xmlTextWriterEndElement(w) < 0;
    rc |= xmlTextWriterStartElement(w, BAD_CAST "allocation") < 0;
    rc |= xmlTextWriterWriteAttribute(w, BAD_CAST "unit", BAD_CAST "bytes") < 0;
    rc |= xmlTextWriterWriteFormatString(w, "%" G_GUINT64_FORMAT, alloc) < 0;
    rc |= xmlTextWriterEndElement(w) < 0;
    rc |= xmlTextWriterStartElement(w, BAD_CAST "target") < 0;
    rc |= xmlTextWriterStartElement(w, BAD_CAST "format") < 0;
    rc |= xmlTextWriterWriteAttribute(w, BAD_CAST "type", BAD_CAST vd_vol_format_name(p->format)) < 0;
    rc |= xmlTextWriterEndElement(w) < 0;
    rc |= xmlTextWriterEndElement(w) < 0; /* target */
    if (p->backing_path && *p->backing_path) {
        rc |= xmlTextWriterStartElement(w, BAD_CAST "backingStore") < 0;
        rc |= xmlTextWriterWriteElement(w, BAD_CAST "path", BAD_CAST p->backing_path) < 0;
        rc |= xmlTextWriterStartElement(w, BAD_CAST "format") < 0;
        rc |= xmlTextWriterWriteAttribute(w, BAD_CAST "type",
                                          BAD_CAST(p->backing_format ? p->backing_format : "qcow2")) < 0;
        rc |= xmlTextWriterEndElement(w) < 0;
        rc |= xmlTextWriterEndElement(w) < 0;
    }
    rc |= xmlTextWriterEndElement(w) < 0; /* volume */
    rc |= xmlTextWriterEndDocument(w) < 0;
    xmlFreeTextWriter(w);
    char *out = NULL;
    if (rc) {
        if (error)
            *error = g_strdup(_("Could not write the volume XML."));
    } else {
        out = g_strdup((const char *)xmlBufferContent(buf));
    }
    xmlBufferFree(buf);
    return out;
}

bool
vd_parse_size(const char *text, guint64 *bytes, char **error)
{
    const char *s = text ? text : "";
    g_autofree char *numtxt = NULL;
    while (g_ascii_isspace(*s))
        s++;
    if (!*s) {
        if (error)
            *error = g_strdup(_("Enter a size, e.g. 20G or 512M."));
        return false;
    }
    if (*s == '-' || *s == '+' || !(g_ascii_isdigit(*s) || *s == '.'))
        goto bad;
    /* digits [. digits] */
    const char *num = s;
    while (g_ascii_isdigit(*s))
        s++;
    if (*s == '.') {
        s++;
        while (g_ascii_isdigit(*s))
            s++;
    }
    numtxt = g_strndup(num, s - num);
    if (strcmp(numtxt, ".") == 0)
        goto bad;
    while (g_ascii_isspace(*s))
        s++;
    int shift = 0;
    switch (g_ascii_toupper(*s)) {
    case 0: break;
    case 'B': shift = 0; s++; break;
    case 'K': shift = 10; s++; break;
    case 'M': shift = 20; s++; break;
    case 'G': shift = 30; s++; break;
    case 'T': shift = 40; s++; break;
    case 'P': shift = 50; s++; break;
    default: goto bad;
    }
    if (shift) {
        if (*s == 'i' || *s == 'I')
            s++;
        if (*s == 'b' || *s == 'B')
            s++;
    } else if (g_ascii_strncasecmp(s, "ytes", 4) == 0 && s[-1] && g_ascii_toupper(s[-1]) == 'B') {
        s += 4;
    }
    while (g_ascii_isspace(*s))
        s++;
    if (*s)
        goto bad;
    if (strchr(numtxt, '.')) {
        errno = 0;
        double v = g_ascii_strtod(numtxt, NULL);
        if (shift == 0 && floor(v) != v)
            goto bad;
        double b = ldexp(v, shift);
        if (errno || !isfinite(b) || b >= 9.2e18)
            goto big;
        *bytes = (guint64)llround(b);
    } else {
        errno = 0;
        guint64 v = g_ascii_strtoull(numtxt, NULL, 10);
        if (errno || v > ((guint64)G_MAXINT64 >> shift))
            goto big;
        *bytes = v << shift;
    }
    return true;
big:
    if (error)
        *error = g_strdup_printf(_("The size \"%s\" is too large."), text);
    return false;
bad:
    if (error)
        *error = g_strdup_printf(_("\"%s\" is not a size: use a number with K, M, G or T, e.g. 20G."),
                                 text ? text : "");
    return false;
}

char *
vd_format_bytes(guint64 bytes)
{
    static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
    if (bytes < 1024)
        return g_strdup_printf("%" G_GUINT64_FORMAT " B", bytes);
    double v = (double)bytes;
    unsigned u = 0;
    while (v >= 1024.0 && u + 1 < G_N_ELEMENTS(units)) {
        v /= 1024.0;
        u++;
    }
    if (v >= 100.0 || v == floor(v))
        return g_strdup_printf("%.0f %s", v, units[u]);
    return g_strdup_printf("%.1f %s", v, units[u]);
}
