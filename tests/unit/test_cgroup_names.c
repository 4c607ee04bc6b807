// SPDX-License-Identifier: GPL-2.0
/* Unit tests of container names: one test a runtime, with paths as each writes them. */
#include "unit.h"
#include "lib/cgroup_names.h"

#define ID_A "3f2a1b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a"
#define ID_B "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define UID_DASH "1b2c3d4e-5f60-4718-8a9b-0c1d2e3f4a5b"
#define UID_UNDER "1b2c3d4e_5f60_4718_8a9b_0c1d2e3f4a5b"

/* path's names: unit, pod, container, short name, and the group prefixes' ends. */
static void expect(const char *path, const char *unit, const char *pod, const char *ctr,
		   const char *shown)
{
	struct cgroup_name n;
	char buf[128];
	bool any = unit[0] || pod[0] || ctr[0];

	assert_int_equal(cgroup_name_parse(path, &n), any);
	assert_string_equal(cgroup_name_unit(path, &n, buf, sizeof(buf)), unit);
	assert_string_equal(cgroup_name_pod(path, &n, buf, sizeof(buf)), pod);
	assert_string_equal(cgroup_name_container(path, &n, buf, sizeof(buf)), ctr);
	assert_string_equal(cgroup_name_short(path, &n, buf, sizeof(buf)), shown);
}

/* The group prefix of path by by. */
static void group(const char *path, enum group_by by, const char *prefix)
{
	struct cgroup_name n;

	cgroup_name_parse(path, &n);
	assert_int_equal(cgroup_name_group_len(&n, by), strlen(prefix));
	assert_memory_equal(path, prefix, strlen(prefix));
}

static void test_names_systemd(void **state)
{
	expect("/system.slice/nginx.service", "nginx.service", "", "", "nginx.service");
	expect("/user.slice/user-1000.slice/session-3.scope", "session-3.scope", "", "",
	       "session-3.scope");
	/* Below a unit: the unit is still the innermost one. */
	expect("/system.slice/nginx.service/workers", "nginx.service", "", "", "nginx.service");
	expect("/user.slice/user-1000.slice/user@1000.service/app.slice/app-foo.scope",
	       "app-foo.scope", "", "", "app-foo.scope");
	group("/system.slice/nginx.service/workers", GROUP_UNIT, "/system.slice/nginx.service");
	group("/system.slice/nginx.service", GROUP_POD, "");
}

static void test_names_docker(void **state)
{
	expect("/system.slice/docker-" ID_A ".scope", "docker-" ID_A ".scope", "", "3f2a1b9c8d7e",
	       "docker:3f2a1b9c8d7e");
	expect("/docker/" ID_A, "", "", "3f2a1b9c8d7e", "docker:3f2a1b9c8d7e");
	/* A container in a container: the innermost. */
	expect("/docker/" ID_A "/docker/" ID_B, "", "", "0123456789ab", "docker:0123456789ab");
	group("/docker/" ID_A "/sub", GROUP_CONTAINER, "/docker/" ID_A);
}

static void test_names_containerd(void **state)
{
	const char *sd = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"
			 UID_UNDER ".slice/cri-containerd-" ID_A ".scope";

	expect(sd, "cri-containerd-" ID_A ".scope", UID_DASH, "3f2a1b9c8d7e",
	       "pod:1b2c3d4e/containerd:3f2a1b9c8d7e");
	/* The pod's own cgroup, guaranteed and best-effort pods. */
	expect("/kubepods.slice/kubepods-pod" UID_UNDER ".slice", "kubepods-pod" UID_UNDER ".slice",
	       UID_DASH, "", "pod:1b2c3d4e");
	expect("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_UNDER
	       ".slice", "kubepods-besteffort-pod" UID_UNDER ".slice", UID_DASH, "", "pod:1b2c3d4e");
	/* The cgroupfs driver: the path does not say which runtime. */
	expect("/kubepods/burstable/pod" UID_DASH "/" ID_A, "", UID_DASH, "3f2a1b9c8d7e",
	       "pod:1b2c3d4e/cri:3f2a1b9c8d7e");
	expect("/kubepods/pod" UID_DASH, "", UID_DASH, "", "pod:1b2c3d4e");
	group(sd, GROUP_POD, "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"
	      UID_UNDER ".slice");
	group(sd, GROUP_CONTAINER, sd);
	group(sd, GROUP_UNIT, sd);
}

static void test_names_crio(void **state)
{
	const char *pod = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"
			  UID_UNDER ".slice";
	char path[512];

	snprintf(path, sizeof(path), "%s/crio-%s.scope", pod, ID_A);
	expect(path, "crio-" ID_A ".scope", UID_DASH, "3f2a1b9c8d7e",
	       "pod:1b2c3d4e/crio:3f2a1b9c8d7e");
	snprintf(path, sizeof(path), "%s/crio-conmon-%s.scope", pod, ID_A);
	expect(path, "crio-conmon-" ID_A ".scope", UID_DASH, "3f2a1b9c8d7e",
	       "pod:1b2c3d4e/crio-conmon:3f2a1b9c8d7e");
	expect("/kubepods/besteffort/pod" UID_DASH "/crio-" ID_A, "", UID_DASH, "3f2a1b9c8d7e",
	       "pod:1b2c3d4e/crio:3f2a1b9c8d7e");
}

static void test_names_podman(void **state)
{
	/* cgroup v2 puts the container's processes in a leaf of its own. */
	expect("/machine.slice/libpod-" ID_A ".scope/container", "libpod-" ID_A ".scope", "",
	       "3f2a1b9c8d7e", "podman:3f2a1b9c8d7e");
	expect("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID_A ".scope",
	       "libpod-" ID_A ".scope", "", "3f2a1b9c8d7e", "podman:3f2a1b9c8d7e");
	expect("/machine.slice/libpod-conmon-" ID_A ".scope", "libpod-conmon-" ID_A ".scope", "",
	       "3f2a1b9c8d7e", "podman-conmon:3f2a1b9c8d7e");
	expect("/libpod_parent/libpod-" ID_A, "", "", "3f2a1b9c8d7e", "podman:3f2a1b9c8d7e");
	expect("/machine.slice/machine-libpod_pod_" ID_B ".slice/libpod-" ID_A ".scope",
	       "libpod-" ID_A ".scope", ID_B, "3f2a1b9c8d7e", "pod:01234567/podman:3f2a1b9c8d7e");
}

/* A path no layout matches keeps its path: no names, no group. */
static void test_names_none(void **state)
{
	expect("/", "", "", "", "");
	expect("/lrutop-test/a/b", "", "", "", "");
	/* Near misses: an id too short, a pod outside kubepods, a bare id under no runtime. */
	expect("/system.slice/docker-3f2a1b9c.scope", "docker-3f2a1b9c.scope", "", "",
	       "docker-3f2a1b9c.scope");
	expect("/pod" UID_DASH, "", "", "", "");
	expect("/" ID_A, "", "", "", "");
	expect("/.service", "", "", "", "");
	group("/lrutop-test/a", GROUP_UNIT, "");
}

static void test_names_match(void **state)
{
	const char *path = "/kubepods/burstable/pod" UID_DASH "/" ID_A;
	const char *sd = "/kubepods.slice/kubepods-pod" UID_UNDER ".slice/cri-containerd-" ID_A
			 ".scope";
	struct cgroup_name n;

	cgroup_name_parse(path, &n);
	assert_true(cgroup_name_matches(path, &n, "3f2a1b9c8d7e"));
	assert_true(cgroup_name_matches(path, &n, "3f2a"));
	assert_false(cgroup_name_matches(path, &n, "3f2"));	/* too short to mean one */
	assert_true(cgroup_name_matches(path, &n, "1b2c3d4e-5f60"));
	assert_true(cgroup_name_matches(path, &n, "pod:1b2c3d4e/cri:3f2a1b9c8d7e"));
	assert_false(cgroup_name_matches(path, &n, "0123"));
	assert_false(cgroup_name_matches(path, &n, ""));
	cgroup_name_parse(sd, &n);
	/* Written with dashes, as kubectl shows it, or underscores, as the slice does. */
	assert_true(cgroup_name_matches(sd, &n, UID_DASH));
	assert_true(cgroup_name_matches(sd, &n, UID_UNDER));
	assert_true(cgroup_name_matches(sd, &n, "cri-containerd-" ID_A ".scope"));
	assert_int_equal(group_by_parse("pod"), GROUP_POD);
	assert_int_equal(group_by_parse("none"), -1);
	assert_string_equal(group_by_name(GROUP_CONTAINER), "container");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_systemd),
		cmocka_unit_test(test_names_docker),
		cmocka_unit_test(test_names_containerd),
		cmocka_unit_test(test_names_crio),
		cmocka_unit_test(test_names_podman),
		cmocka_unit_test(test_names_none),
		cmocka_unit_test(test_names_match),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
