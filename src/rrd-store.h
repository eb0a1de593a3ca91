/* virtdeck - persistent statistics history in RRD files (librrd)
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * One RRD file per host and per domain:
 *   $XDG_STATE_HOME/virtdeck/rrd/<host-dir>/<uuid>.rrd   (domains)
 *   $XDG_STATE_HOME/virtdeck/rrd/<host-dir>/host.rrd     (the host itself)
 *
 * Data sources, all GAUGE (rates are computed by the caller), NAN = unknown:
 *   cpu      percent; a domain: of its own vCPUs (0..100); the host: of all host CPUs
 *   mem      bytes used
 *   disk_rd, disk_wr, net_rx, net_tx   bytes per second
 * Minimum 0, no maximum: a negative value is stored as unknown.
 *
 * Archives for a base step s (the collection tick, 2 s by default), xff 0.5:
 *   range   resolution           span      AVERAGE  MAX
 *   hour    s (1 PDP)            1 hour    yes      no: with one PDP per row MAX equals AVERAGE,
 *                                                       and librrd serves a MAX fetch from it
 *   day     1 min  (60/s PDPs)   1 day     yes      yes
 *   week    30 min               7 days    yes      yes
 *   month   2 h                  31 days   yes      yes
 *   year    1 day                366 days  yes      yes
 * Resolutions are rounded to a whole number of base steps; row counts are rounded up so
 * that each archive covers at least its span. For s = 2: 1800, 1440, 336, 372 and 366
 * rows, 6,828 rows of 6 doubles in all: 334,752 bytes per file.
 * The heartbeat is max(5 s, 30) seconds: a gap shorter than that is filled with the
 * next sample (the caller's rate over the gap), a longer gap stays unknown.
 *
 * Thread safety: every function may be called from any thread. Only librrd's reentrant
 * calls are used (rrd_create_r, rrd_updatex_r, rrd_fetch_r), and calls on the same file
 * are serialised inside the process, because librrd's fcntl() locks do not exclude
 * threads of one process. Do not call from the UI thread except vd_rrd_fetch() on a
 * small range if it must; files are a few hundred KB.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <time.h>

enum vd_rrd_range { VD_RRD_HOUR, VD_RRD_DAY, VD_RRD_WEEK, VD_RRD_MONTH, VD_RRD_YEAR, VD_RRD_RANGE_LAST };
enum vd_rrd_cf { VD_RRD_AVERAGE, VD_RRD_MAX, VD_RRD_CF_LAST };
enum vd_rrd_ds { VD_DS_CPU, VD_DS_MEM, VD_DS_DISK_RD, VD_DS_DISK_WR, VD_DS_NET_RX, VD_DS_NET_TX, VD_DS_LAST };

#define VD_RRD_ERROR (vd_rrd_error_quark())
GQuark vd_rrd_error_quark(void);
enum vd_rrd_error_code { VD_RRD_ERROR_FAILED, VD_RRD_ERROR_INVALID };

/* One sample; each field NAN when unknown. */
struct vd_rrd_sample {
    double cpu, mem, disk_rd, disk_wr, net_rx, net_tx;
};

/* Stable data source name in the file ("cpu", "mem", "disk_rd", ...). */
const char *vd_rrd_ds_name(enum vd_rrd_ds ds);

/* Safe, stable, human-readable directory name for a libvirt URI, e.g.
 * "qemu+ssh://root@127.0.0.1:2222/system" -> "qemu+ssh_root@127.0.0.1_2222_system".
 * Only [A-Za-z0-9.+@-_] remain, runs of other characters become one '_'; never starts
 * with '.', never contains "..", at most ~80 bytes. When the URI has any character
 * outside [A-Za-z0-9.+@:/-] (including '_'), or had to be shortened, "-" and 8 hex
 * digits of its SHA-256 are appended so different URIs keep different directories. */
char *vd_rrd_host_dir(const char *uri);

/* The host's directory: <g_get_user_state_dir()>/virtdeck/rrd/<host-dir>. */
char *vd_rrd_dir(const char *uri);

/* The file for a domain (uuid, normalised to lower case) or for the host (uuid NULL).
 * NULL when uuid is not a valid UUID string. */
char *vd_rrd_path(const char *uri, const char *uuid);

/* Append one sample for time t (seconds since the epoch, ideally a multiple of step).
 * Creates the file on first use (directories 0700) with the given step; the step of
 * an existing file is kept. A sample not later than the file's last update is skipped
 * silently (a restart within one step). Returns false with error on a real failure. */
bool vd_rrd_update(const char *path, time_t t, unsigned long step, const struct vd_rrd_sample *s,
                   GError **error);

/* Rows of one archive. v[ds][i] is the consolidated value over
 * (start + i*step, start + (i+1)*step]; end == start + n*step. NAN where unknown. */
struct vd_rrd_series {
    time_t start, end;
    unsigned long step;
    guint n;
    double *v[VD_DS_LAST];
};

/* Read the archive for range r and cf over (now - span, now] (librrd rounds both
 * ends to the archive's step, so one more row than span/step may come back).
 * out is overwritten (clear it first if it held data). */
bool vd_rrd_fetch(const char *path, enum vd_rrd_range r, enum vd_rrd_cf cf, time_t now,
                  struct vd_rrd_series *out, GError **error);
void vd_rrd_series_clear(struct vd_rrd_series *s);

/* Domain files under the host's directory whose uuid is not a key of live_uuids
 * (lower-case uuid strings). Returns their paths, sorted (free with g_ptr_array_unref);
 * empty when there is none or no directory. host.rrd is never an orphan. */
GPtrArray *vd_rrd_orphans(const char *uri, GHashTable *live_uuids);

/* Delete the given .rrd files (a missing file is not an error). Stops at nothing:
 * deletes what it can and returns false with the first error. Refuses names not
 * ending in ".rrd". */
bool vd_rrd_prune(GPtrArray *paths, GError **error);
