/* virtdeck - guests' IP addresses for the domain list (connection worker only)
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * For src/ only (libvirt types). The worker keeps one cache per host and
 * refreshes it on full refreshes (lifecycle events) and on a slow timer,
 * never on the stats tick:
 *   1 virConnectListAllNetworks (active) + 1 virNetworkGetDHCPLeases per
 *   active network, matched to the domains' MACs;
 *   the MACs come from each running domain's XML, read once per boot (id);
 *   a running domain without a lease is asked on its own with
 *   virDomainInterfaceAddresses: the lease source where the driver has no
 *   network lease call (test), the guest agent when the XML has its
 *   channel, ARP for NICs outside libvirt's networks (bridge, direct); at
 *   most 32 domains per refresh, and one that never answers backs off from
 *   30 s to 5 min. A guest on a libvirt network with neither agent nor a
 *   lease costs nothing. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <libvirt/libvirt.h>

struct vd_addr_cache;

struct vd_addr_cache *vd_addr_cache_new(void);
void vd_addr_cache_free(struct vd_addr_cache *ac);

/* Due when a domain started (a running one the cache does not know), on a
 * full refresh (at most every 2 s), every 30 s, and every 3 s while a
 * domain that started less than 90 s ago has no address yet. */
bool vd_addr_due(const struct vd_addr_cache *ac, GPtrArray *doms, bool full, gint64 now_ms);
/* doms: struct vd_domain *, the refresh's list. Returns the calls made. */
guint vd_addr_refresh(struct vd_addr_cache *ac, virConnectPtr vc, GPtrArray *doms, gint64 now_ms);
/* Copy the cached addresses into doms[0..n_fresh) (the rest are shared
 * with the last snapshot: shut off, no address). */
void vd_addr_apply(const struct vd_addr_cache *ac, GPtrArray *doms, guint n_fresh);
/* Same addresses (both NULL counts as the same). */
bool vd_addr_same(char *const *a, char *const *b);
