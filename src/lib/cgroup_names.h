/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_CGROUP_NAMES_H
#define __LRUTOP_CGROUP_NAMES_H

#include <stdbool.h>
#include <stddef.h>

/*
 * What a cgroup's path says of who made it: the systemd unit, the Kubernetes pod and the
 * container of the runtimes that write these layouts (cgroup v1 and v2 alike: the memory
 * hierarchy's paths are the same). The layouts are in cgroup_names.c, one table.
 */
enum container_runtime {
	RUNTIME_NONE,
	RUNTIME_DOCKER,
	RUNTIME_CONTAINERD,	/* cri-containerd-<id>.scope */
	RUNTIME_CRIO,
	RUNTIME_PODMAN,
	RUNTIME_CRI,		/* cgroupfs driver under a pod: the path does not say which */
	NR_RUNTIMES,
};

/* Where each name is in the path: offsets and lengths, so a row keeps no copies (16 bytes in
 * each of 100,000 rows). Each *_end is the length of the path up to the end of that
 * component (the group's cgroup; a unit's is unit_at + unit_len), 0: none. */
struct cgroup_name {
	unsigned short unit_at, unit_len;	/* the innermost systemd unit (0 long: none) */
	unsigned short pod_at, pod_len;		/* the pod's id as the path writes it */
	unsigned short ctr_at;			/* the container's id: 64 hex digits */
	unsigned short pod_end, ctr_end;
	unsigned char runtime;			/* enum container_runtime */
	unsigned char conmon;			/* the runtime's monitor, not the container */
};

/* Roll-ups: memcgs in one unit, pod or container are one row (--group-by). */
enum group_by {
	GROUP_NONE,
	GROUP_UNIT,
	GROUP_POD,
	GROUP_CONTAINER,
	NR_GROUP_BY,
};

#define CONTAINER_ID_SHOWN	12	/* as docker ps and crictl show them */

/* Read path's components. true if a layout matched (n is then filled), false if none did. */
bool cgroup_name_parse(const char *path, struct cgroup_name *n);
/* The names as labels and columns: "" when the path has none. The pod's id with dashes
 * (kubectl's metadata.uid), the container id's first CONTAINER_ID_SHOWN hex digits. */
const char *cgroup_name_unit(const char *path, const struct cgroup_name *n, char *buf, size_t len);
const char *cgroup_name_pod(const char *path, const struct cgroup_name *n, char *buf, size_t len);
const char *cgroup_name_container(const char *path, const struct cgroup_name *n, char *buf,
				  size_t len);
const char *cgroup_name_runtime(const struct cgroup_name *n);
/* The short name of the NAME column: "pod:1b2c3d4e/containerd:3f2a1b9c8d7e",
 * "docker:3f2a1b9c8d7e", "nginx.service"; "" when the path has none. */
const char *cgroup_name_short(const char *path, const struct cgroup_name *n, char *buf,
			      size_t len);
/* Does what name a unit, pod or container of this path: the unit or short name exactly, a
 * pod's or a container's id from its first 4 characters on. */
bool cgroup_name_matches(const char *path, const struct cgroup_name *n, const char *what);
/* The length of path's prefix that is its group's cgroup, 0 if it is in no such group. */
size_t cgroup_name_group_len(const struct cgroup_name *n, enum group_by by);
/* "unit", "pod", "container" (or "none"), and back: -1 for another word. */
const char *group_by_name(enum group_by by);
int group_by_parse(const char *s);

#endif
