// SPDX-License-Identifier: GPL-2.0
/*
 * The cgroup layouts of systemd and the container runtimes, as they write them:
 *   systemd          /system.slice/nginx.service, /user.slice/user-1000.slice/session-3.scope
 *   Docker           /system.slice/docker-<id>.scope (systemd driver), /docker/<id> (cgroupfs)
 *   Kubernetes       /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod<uid>.slice/
 *                      cri-containerd-<id>.scope | crio-<id>.scope | docker-<id>.scope
 *                    /kubepods/burstable/pod<uid>/<id> (cgroupfs driver)
 *   CRI-O            crio-<id>.scope, crio-conmon-<id>.scope (its monitor)
 *   Podman           /machine.slice/libpod-<id>.scope[/container], libpod-conmon-<id>.scope,
 *                    /libpod_parent/libpod-<id> (cgroupfs), machine-libpod_pod_<id>.slice (pods)
 * Components are matched wherever they are in the path: a nested runtime or a cgroup
 * namespace moves the root, not the names.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "cgroup_names.h"

#define CONTAINER_ID_LEN	64
#define POD_UID_LEN		36

enum layout_what { LAYOUT_CONTAINER, LAYOUT_POD };

/* A component that is a container's or a pod's: prefix, id, suffix. */
struct layout {
	const char *prefix, *suffix;
	enum layout_what what;
	unsigned char runtime;
	bool conmon;
	const char *after;	/* the previous component must be this ("pod": a pod's) */
};

/* Longest prefixes first: crio-conmon- before crio-. */
static const struct layout layouts[] = {
	{ "crio-conmon-", ".scope", LAYOUT_CONTAINER, RUNTIME_CRIO, true, NULL },
	{ "crio-", ".scope", LAYOUT_CONTAINER, RUNTIME_CRIO, false, NULL },
	{ "crio-", "", LAYOUT_CONTAINER, RUNTIME_CRIO, false, "pod" },
	{ "cri-containerd-", ".scope", LAYOUT_CONTAINER, RUNTIME_CONTAINERD, false, NULL },
	{ "docker-", ".scope", LAYOUT_CONTAINER, RUNTIME_DOCKER, false, NULL },
	{ "libpod-conmon-", ".scope", LAYOUT_CONTAINER, RUNTIME_PODMAN, true, NULL },
	{ "libpod-", ".scope", LAYOUT_CONTAINER, RUNTIME_PODMAN, false, NULL },
	{ "libpod-", "", LAYOUT_CONTAINER, RUNTIME_PODMAN, false, "libpod_parent" },
	{ "", "", LAYOUT_CONTAINER, RUNTIME_DOCKER, false, "docker" },
	{ "", "", LAYOUT_CONTAINER, RUNTIME_CRI, false, "pod" },
	{ "kubepods-besteffort-pod", ".slice", LAYOUT_POD, RUNTIME_NONE, false, NULL },
	{ "kubepods-burstable-pod", ".slice", LAYOUT_POD, RUNTIME_NONE, false, NULL },
	{ "kubepods-pod", ".slice", LAYOUT_POD, RUNTIME_NONE, false, NULL },
	{ "pod", "", LAYOUT_POD, RUNTIME_NONE, false, "kubepods" },
	{ "machine-libpod_pod_", ".slice", LAYOUT_POD, RUNTIME_PODMAN, false, NULL },
};

static const char *const unit_suffixes[] = {
	".service", ".scope", ".slice", ".socket", ".mount", ".swap", ".target",
};

static const char *const runtime_names[NR_RUNTIMES] = {
	[RUNTIME_NONE] = "", [RUNTIME_DOCKER] = "docker", [RUNTIME_CONTAINERD] = "containerd",
	[RUNTIME_CRIO] = "crio", [RUNTIME_PODMAN] = "podman", [RUNTIME_CRI] = "cri",
};

static const char *const group_names[NR_GROUP_BY] = {
	[GROUP_NONE] = "none", [GROUP_UNIT] = "unit", [GROUP_POD] = "pod",
	[GROUP_CONTAINER] = "container",
};

/* n characters of s, all of them in set. */
static bool all_in(const char *s, size_t n, const char *set)
{
	for (size_t i = 0; i < n; i++) {
		if (!s[i] || !strchr(set, tolower((unsigned char)s[i])))
			return false;
	}
	return true;
}

/* A pod's uid (dashes, or underscores in systemd's unit names), or a podman pod's id. */
static bool is_pod_id(const char *s, size_t n)
{
	return (n == POD_UID_LEN && all_in(s, n, "0123456789abcdef-_")) ||
	       (n == CONTAINER_ID_LEN && all_in(s, n, "0123456789abcdef"));
}

static bool ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && !memcmp(s + n - k, suffix, k);
}

/* Does the component before this one (prev, prev_n long) let the layout apply? */
static bool layout_after(const struct layout *l, const char *prev, size_t prev_n, bool prev_pod,
			 bool in_kubepods)
{
	if (!l->after)
		return true;
	if (!strcmp(l->after, "pod"))
		return prev_pod;
	if (!strcmp(l->after, "kubepods"))
		return in_kubepods;
	return prev && prev_n == strlen(l->after) && !memcmp(prev, l->after, prev_n);
}

/* The layout component c (n long) is, with where its id starts and how long it is. */
static const struct layout *layout_of(const char *c, size_t n, const char *prev, size_t prev_n,
				      bool prev_pod, bool in_kubepods, size_t *id_at, size_t *id_n)
{
	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
		const struct layout *l = &layouts[i];
		size_t p = strlen(l->prefix), s = strlen(l->suffix);

		if (n < p + s || memcmp(c, l->prefix, p) || !ends_with(c, n, l->suffix) ||
		    !layout_after(l, prev, prev_n, prev_pod, in_kubepods))
			continue;
		*id_at = p;
		*id_n = n - p - s;
		if (l->what == LAYOUT_CONTAINER ?
		    *id_n == CONTAINER_ID_LEN && all_in(c + p, *id_n, "0123456789abcdef") :
		    is_pod_id(c + p, *id_n))
			return l;
	}
	return NULL;
}

static bool is_unit(const char *c, size_t n)
{
	for (size_t i = 0; i < sizeof(unit_suffixes) / sizeof(unit_suffixes[0]); i++) {
		if (ends_with(c, n, unit_suffixes[i]) && n > strlen(unit_suffixes[i]))
			return true;
	}
	return false;
}

/* Note what component c (from path + at, n long) names. */
static void take_component(const char *path, size_t at, size_t n, const struct layout *l,
			   size_t id_at, size_t id_n, struct cgroup_name *out)
{
	if (is_unit(path + at, n)) {
		out->unit_at = at;
		out->unit_len = n;
	}
	if (!l)
		return;
	if (l->what == LAYOUT_POD) {
		out->pod_at = at + id_at;
		out->pod_len = id_n;
		out->pod_end = at + n;
		return;
	}
	out->ctr_at = at + id_at;
	out->ctr_end = at + n;
	out->runtime = l->runtime;
	out->conmon = l->conmon;
}

bool cgroup_name_parse(const char *path, struct cgroup_name *out)
{
	const char *prev = NULL;
	size_t at = 0, n, prev_n = 0, id_at, id_n;
	bool prev_pod = false, in_kubepods = false;

	memset(out, 0, sizeof(*out));
	if (!path || strlen(path) > 0xffff)
		return false;
	while (path[at]) {
		const struct layout *l;

		if (path[at] == '/') {
			at++;
			continue;
		}
		n = strcspn(path + at, "/");
		l = layout_of(path + at, n, prev, prev_n, prev_pod, in_kubepods, &id_at, &id_n);
		take_component(path, at, n, l, id_at, id_n, out);
		in_kubepods |= n >= 8 && !memcmp(path + at, "kubepods", 8);
		prev_pod = l && l->what == LAYOUT_POD;
		prev = path + at;
		prev_n = n;
		at += n;
	}
	return out->unit_len || out->pod_end || out->ctr_end;
}

const char *cgroup_name_unit(const char *path, const struct cgroup_name *n, char *buf, size_t len)
{
	snprintf(buf, len, "%.*s", n->unit_len, path + n->unit_at);
	return buf;
}

const char *cgroup_name_pod(const char *path, const struct cgroup_name *n, char *buf, size_t len)
{
	size_t i;

	snprintf(buf, len, "%.*s", n->pod_end ? n->pod_len : 0, path + n->pod_at);
	for (i = 0; buf[i]; i++) {
		if (buf[i] == '_')
			buf[i] = '-';
	}
	return buf;
}

const char *cgroup_name_container(const char *path, const struct cgroup_name *n, char *buf,
				  size_t len)
{
	snprintf(buf, len, "%.*s", n->ctr_end ? CONTAINER_ID_SHOWN : 0, path + n->ctr_at);
	return buf;
}

const char *cgroup_name_runtime(const struct cgroup_name *n)
{
	return n->runtime < NR_RUNTIMES ? runtime_names[n->runtime] : "";
}

const char *cgroup_name_short(const char *path, const struct cgroup_name *n, char *buf,
			      size_t len)
{
	char pod[64], ctr[16];
	int off = 0;

	buf[0] = '\0';
	if (n->pod_end)
		off = snprintf(buf, len, "pod:%.8s%s", cgroup_name_pod(path, n, pod, sizeof(pod)),
			       n->ctr_end ? "/" : "");
	if (n->ctr_end && off >= 0 && (size_t)off < len)
		snprintf(buf + off, len - off, "%s%s:%s", cgroup_name_runtime(n),
			 n->conmon ? "-conmon" : "", cgroup_name_container(path, n, ctr, sizeof(ctr)));
	else if (!n->pod_end)
		cgroup_name_unit(path, n, buf, len);
	return buf;
}

/* what (4 characters or more) begins the id at path + at, id_n long; '_' and '-' alike. */
static bool id_begins(const char *path, size_t at, size_t id_n, const char *what)
{
	size_t k = strlen(what);

	if (k < 4 || k > id_n)
		return false;
	for (size_t i = 0; i < k; i++) {
		char a = path[at + i] == '_' ? '-' : tolower((unsigned char)path[at + i]);
		char b = what[i] == '_' ? '-' : tolower((unsigned char)what[i]);

		if (a != b)
			return false;
	}
	return true;
}

bool cgroup_name_matches(const char *path, const struct cgroup_name *n, const char *what)
{
	char buf[128];

	if (!what[0])
		return false;
	if (n->unit_len && !strcmp(cgroup_name_unit(path, n, buf, sizeof(buf)), what))
		return true;
	if (!strcmp(cgroup_name_short(path, n, buf, sizeof(buf)), what) && buf[0])
		return true;
	return (n->pod_end && id_begins(path, n->pod_at, n->pod_len, what)) ||
	       (n->ctr_end && id_begins(path, n->ctr_at, CONTAINER_ID_LEN, what));
}

size_t cgroup_name_group_len(const struct cgroup_name *n, enum group_by by)
{
	switch (by) {
	case GROUP_UNIT:
		return n->unit_len ? n->unit_at + n->unit_len : 0;
	case GROUP_POD:
		return n->pod_end;
	case GROUP_CONTAINER:
		return n->ctr_end;
	default:
		return 0;
	}
}

const char *group_by_name(enum group_by by)
{
	return by < NR_GROUP_BY ? group_names[by] : "none";
}

int group_by_parse(const char *s)
{
	for (int i = GROUP_UNIT; i < NR_GROUP_BY; i++) {
		if (!strcmp(s, group_names[i]))
			return i;
	}
	return -1;
}
