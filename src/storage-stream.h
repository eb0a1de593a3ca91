/* virtdeck - volume uploads for other core modules (src/ only: libvirt)
 * SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <libvirt/libvirt.h>
#include "conn-task.h"

/* Upload size bytes of fd (from offset 0) into volume v on a stream with
 * 1 MiB packets, the storage view's upload: progress through t (percent
 * of size, detail "WHAT: speed, time left" when what is given), cancel
 * with the task. Fails t (libvirt's message) and returns false on error or
 * cancel; the stream is aborted. */
bool vd_storage_upload_fd(virConnectPtr vc, struct vd_task *t, virStorageVolPtr v, int fd, guint64 size,
                          const char *what);
