/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_CHART_H
#define __LRUTOP_CHART_H

#include "snap.h"

/* Memory against memcgs for the n snapshots (in pairs), measured and modelled, as an SVG
 * drawn by gnuplot into path (replaced whole). 0, -EIO if gnuplot could not draw, or
 * negative errno. */
int chart_svg(const char *path, const struct snap *snaps, int n);

#endif
