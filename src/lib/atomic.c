// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "atomic.h"

int write_file_atomic(const char *path, const char *text, size_t len)
{
	char tmp[4200];
	size_t done = 0;
	ssize_t w;
	int fd, err = 0;

	/* FILE.XXXXXX: not *.prom or *.json, so collectors skip it while it is written. */
	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	while (done < len) {
		w = write(fd, text + done, len - done);
		if (w < 0) {
			err = -errno;
			goto cleanup;
		}
		done += w;
	}
	/* On disk before the rename: after a crash, FILE is the old or the new, whole. */
	if (fchmod(fd, 0644) || fsync(fd)) {
		err = -errno;
		goto cleanup;
	}
	err = close(fd) ? -errno : 0;
	fd = -1;
	if (err)
		goto cleanup;
	if (rename(tmp, path))
		err = -errno;
cleanup:
	if (fd >= 0)
		close(fd);
	if (err)
		unlink(tmp);
	return err;
}
