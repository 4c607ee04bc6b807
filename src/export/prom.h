/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_PROM_H
#define __LRUTOP_PROM_H

#include <stddef.h>
#include "state/state.h"
#include "state/view.h"

/*
 * The state as Prometheus text exposition (format 0.0.4): counters since lrutop started,
 * per memcg of v's subtree for the top_n memcgs with the most bytes plus one cgroup="other" series for the
 * rest, so cardinality stays bounded. Metrics this kernel and backend cannot measure are
 * left out, never written as 0. *text is malloc'd. Negative errno on failure.
 */
int prom_render(const struct lrutop_state *s, const struct view *v, int top_n, char **text,
		size_t *len);

/* A label value with \, " and newline escaped, into buf. */
const char *prom_escape(char *buf, size_t len, const char *value);

#endif
