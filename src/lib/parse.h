/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_PARSE_H
#define __LRUTOP_PARSE_H

/* The one reading of a number from text, for every option and subcommand. */

/* A base-10 integer that is all of s, in [min, max]: 0, or -EINVAL (not an integer) or
 * -ERANGE (out of range). */
int parse_int(const char *s, long long min, long long max, long long *out);
/* A finite decimal number that is all of s (not nan, not inf), in [min, max]: 0, -EINVAL
 * or -ERANGE. */
int parse_real(const char *s, double min, double max, double *out);

#endif
