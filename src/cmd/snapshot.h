/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_SNAPSHOT_H
#define __LRUTOP_SNAPSHOT_H

#include <signal.h>

/*
 * lrutop snapshot -o FILE [--duration S] [--label KEY=VALUE]... [-- COMMAND [ARGS]]
 * Measure from attach until COMMAND exits (or for S seconds), then write one self-describing
 * JSON record: the kernel, backend, nodes, the report of the whole run, the list_lrus, ids and
 * memcgs at start and end, and the model's estimate of the other side of the patch.
 */
int snapshot_main(int argc, char **argv, volatile sig_atomic_t *exiting);

#endif
