/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_ARGS_H
#define __LRUTOP_ARGS_H

#include <argp.h>

/*
 * An option's number in [min, max] (lib/parse.h), for every parser of every subcommand. A
 * bad one is one argp_error that names the option, the argument and the range (unit after
 * it: "seconds"), and EINVAL is returned: argp_error returns under ARGP_NO_EXIT, and the
 * parser must stop there too. 0 when *out is set.
 */
int arg_int(struct argp_state *state, const char *what, const char *arg, long long min,
	    long long max, const char *unit, long long *out);
int arg_real(struct argp_state *state, const char *what, const char *arg, double min,
	     double max, const char *unit, double *out);

#endif
