/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_PROBE_REPORT_H
#define __LRUTOP_PROBE_REPORT_H

#include <stdio.h>

struct lrutop_state;

/* The plan for --probe: functions found, backend and why, metrics and why not. */
void probe_report(FILE *out, const struct lrutop_state *s, const char *backend_why);

#endif
