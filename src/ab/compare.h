/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_COMPARE_H
#define __LRUTOP_COMPARE_H

#include <stdio.h>
#include "snap.h"

/* A pair --check must refuse, whatever the model says: a command that failed or whose status
 * is not recorded, nothing measured, or both from the same side of the patch (no model links
 * them). 0, or -EINVAL with the reason in why. */
int compare_pair_usable(const struct snap *a, const struct snap *b, char *why, size_t len);
/* Markdown tables for a before/after pair; the worst model error (percent) in *worst. */
void compare_pair(FILE *out, const struct snap *before, const struct snap *after, double *worst);

/*
 * Two kernels on the same side of the patch (a baseline and a build, two releases):
 * measured against measured, each kernel's bytes beside what its own slab shows, and the
 * differences beyond threshold (percent) called out. No model links them: --check refuses
 * such a pair (compare_pair_usable).
 */
void compare_measured_pair(FILE *out, const struct snap *a, const struct snap *b, double threshold);

#endif
