// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include "lib/parse.h"
#include "args.h"

int arg_int(struct argp_state *state, const char *what, const char *arg, long long min,
	    long long max, const char *unit, long long *out)
{
	if (!parse_int(arg, min, max, out))
		return 0;
	if (max == LLONG_MAX)
		argp_error(state, "invalid %s '%s' (at least %lld%s%s)", what, arg, min,
			   *unit ? " " : "", unit);
	else
		argp_error(state, "invalid %s '%s' (%lld to %lld%s%s)", what, arg, min, max,
			   *unit ? " " : "", unit);
	return EINVAL;
}

int arg_real(struct argp_state *state, const char *what, const char *arg, double min,
	     double max, const char *unit, double *out)
{
	if (!parse_real(arg, min, max, out))
		return 0;
	argp_error(state, "invalid %s '%s' (%g to %g%s%s)", what, arg, min, max, *unit ? " " : "",
		   unit);
	return EINVAL;
}
