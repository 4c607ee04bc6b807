/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_JSON_H
#define __LRUTOP_JSON_H

#include <stdio.h>
#include <jansson.h>

struct lrutop_state;
struct view;

/* The object json_report prints (a new reference), NULL if out of memory. */
json_t *json_report_object(const struct lrutop_state *s, const struct view *v);
/* One line of JSON Lines. Negative on failure. */
int json_report(FILE *out, const struct lrutop_state *s, const struct view *v);

#endif
