// SPDX-License-Identifier: GPL-2.0
/* compare --svg: memory against memcgs, drawn by gnuplot. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "chart.h"

/* The gnuplot script: memory against memcgs for both kernels, measured and modelled. */
static void chart_script(FILE *g, const struct snap *snaps, int n)
{
	/* Two kernels on one side of the patch: measured against measured, titled by kernel. */
	bool same = n >= 2 && snaps[0].patched == snaps[1].patched;

	fprintf(g, "set terminal svg size 900,540 dynamic enhanced font 'sans,12'\n");
	if (same)
		fprintf(g, "set title 'list\\_lru memory of the same workload on %s and %s'\n",
			snaps[0].kernel, snaps[1].kernel);
	else
		fprintf(g, "set title 'list\\_lru memory of the same workload before and after \"mm: introduce kmem\\_cache\\_alloc\\_lru\"'\n");
	fprintf(g, "set xlabel 'memory cgroups'\nset ylabel 'bytes of per-memcg lists (log)'\n");
	fprintf(g, "set logscale xy\nset grid\nset key top left\nset format y '%%.0s%%cB'\n");
	fprintf(g, "$d << EOD\n");
	for (int i = 0; i + 1 < n; i += 2) {
		const struct snap *a = snaps[i].patched && !same ? &snaps[i + 1] : &snaps[i];
		const struct snap *b = snaps[i].patched && !same ? &snaps[i] : &snaps[i + 1];
		long long model_a = same ? -1 : b->pre_lists >= 0 ? PRE_PATCH_LIST_BYTES * b->pre_lists : -1;
		long long model_b = same ? (snap_btf_list_bytes(b) > 0 ? a->lists * snap_btf_list_bytes(b) : -1)
					 : a->post_bytes;

		/* A new node count starts a new line: a blank line breaks gnuplot's. */
		if (i && snaps[i].nodes != snaps[i - 2].nodes)
			fprintf(g, "\n");
		/* No model: no point (NaN), never the measurement drawn as the model. */
		fprintf(g, "%lld %lld %lld ", b->memcgs, a->bytes, b->bytes);
		if (model_a >= 0)
			fprintf(g, "%lld ", model_a);
		else
			fprintf(g, "NaN ");
		if (model_b >= 0)
			fprintf(g, "%lld\n", model_b);
		else
			fprintf(g, "NaN\n");
	}
	fprintf(g, "EOD\n");
	if (same) {
		fprintf(g, "plot $d using 1:2 with linespoints pt 7 lw 2 title '%s (measured)', "
			   "$d using 1:3 with linespoints pt 5 lw 2 title '%s (measured)', "
			   "$d using 1:5 with lines dt 2 lw 1 title '%s (model: the lists of %s, its own bytes per list)'\n",
			snaps[0].kernel, snaps[1].kernel, snaps[1].kernel, snaps[0].kernel);
		return;
	}
	fprintf(g, "plot $d using 1:2 with linespoints pt 7 lw 2 title 'before (measured)', "
		   "$d using 1:4 with lines dt 2 lw 1 title 'before (model from the after run)', "
		   "$d using 1:3 with linespoints pt 5 lw 2 title 'after (measured)', "
		   "$d using 1:5 with lines dt 2 lw 1 title 'after (model from the before run)'\n");
}

/*
 * gnuplot draws to a temporary file beside path, renamed over it when whole. The path never
 * enters gnuplot's script (no quoting to get wrong): the file is gnuplot's stdout.
 */
int chart_svg(const char *path, const struct snap *snaps, int n)
{
	char tmp[4200];
	int fds[2], out, status, err = 0;
	pid_t pid;
	FILE *g;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	out = mkstemp(tmp);
	if (out < 0)
		return -errno;
	if (pipe(fds)) {
		err = -errno;
		close(out);
		goto cleanup;
	}
	pid = fork();
	if (pid == 0) {
		dup2(fds[0], STDIN_FILENO);
		dup2(out, STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);	/* else gnuplot never sees the end of its script */
		close(out);
		close(STDERR_FILENO);	/* its complaints are not ours to print */
		execlp("gnuplot", "gnuplot", (char *)NULL);
		_exit(127);
	}
	close(fds[0]);
	close(out);
	g = pid < 0 ? NULL : fdopen(fds[1], "w");
	if (!g) {
		err = pid < 0 ? -errno : -ENOMEM;
		close(fds[1]);
		goto cleanup;
	}
	signal(SIGPIPE, SIG_IGN);
	chart_script(g, snaps, n);
	fclose(g);	/* a gnuplot that died early: EPIPE, not SIGPIPE (ignored below) */
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		err = -EIO;	/* not installed (127) or could not draw */
	if (!err && (chmod(tmp, 0644) || rename(tmp, path)))
		err = -errno;
cleanup:
	if (err)
		unlink(tmp);
	return err;
}
