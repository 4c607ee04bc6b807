/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_VERSION_H
#define __LRUTOP_VERSION_H

/* lrutop's release: --version, Prometheus' lrutop_info, debian/changelog. */
#define LRUTOP_VERSION "0.2"

#endif
