// SPDX-License-Identifier: GPL-2.0
/* Unit tests of snapshot and compare: parsing, hostile input, the A/B tables. */
#include "unit.h"

static const char snap_before[] =
	"{\"kind\":\"lrutop-snapshot\",\"snapshot_version\":1,\"kernel\":\"5.10.0-32-amd64\","
	"\"patched\":false,\"nodes\":1,\"labels\":{\"memcgs\":\"20\"},"
	"\"command_status\":0,\"measured\":{\"lists\":1518,\"bytes\":48576},"
	"\"end\":{\"memcg_lrus\":69,\"memcgs\":21,\"ids\":22},"
	"\"model\":{\"pre_patch\":{\"lists\":1518,\"bytes\":61824},"
	"\"post_patch\":{\"lists\":184,\"bytes\":11776}}}";
static const char snap_after[] =
	"{\"kind\":\"lrutop-snapshot\",\"snapshot_version\":1,\"kernel\":\"6.1.0-50-amd64\","
	"\"patched\":true,\"nodes\":1,\"labels\":{\"memcgs\":\"20\"},"
	"\"command_status\":0,\"measured\":{\"lists\":184,\"bytes\":11776},"
	"\"end\":{\"memcg_lrus\":69,\"memcgs\":21,\"ids\":22},"
	"\"model\":{\"pre_patch\":{\"lists\":1500,\"bytes\":61000},"
	"\"post_patch\":{\"lists\":184,\"bytes\":11776}},"
	"\"lrus\":[{\"kind\":\"dentry\",\"allocs\":92},{\"kind\":\"inode\",\"allocs\":92}],"
	"\"memcgs\":[{\"path\":\"/ab/m0\",\"allocs\":16}]}";

/* Two patched kernels, 2 nodes: 6.12 (list_lru_one 24 B) and 6.18 (32 B), the same host. */
static const char snap_612[] =
	"{\"kind\":\"lrutop-snapshot\",\"snapshot_version\":1,\"kernel\":\"6.12\",\"list_lru_one\":24,"
	"\"patched\":true,\"nodes\":2,\"command_status\":0,\"measured\":{\"lists\":184,\"bytes\":11776},"
	"\"slab\":{\"cache\":\"kmalloc-64\",\"objsize\":64,\"start\":{\"active_objs\":900,\"num_objs\":1024},"
	"\"end\":{\"active_objs\":1100,\"num_objs\":1216}},"
	"\"end\":{\"memcg_lrus\":73,\"memcgs\":21,\"ids\":46},\"model\":null,"
	"\"totals\":{\"freed_bytes\":640},"
	"\"inventory\":{\"start\":null,\"end\":{\"totals\":{\"held_bytes\":11776,\"bookkeeping_bytes\":576}}},"
	"\"lrus\":[{\"kind\":\"dentry\",\"allocs\":92},{\"kind\":\"inode\",\"allocs\":92}],"
	"\"memcgs\":[{\"path\":\"/ab\",\"allocs\":24},{\"path\":\"/ab/m0\",\"allocs\":8}]}";
static const char snap_618[] =
	"{\"kind\":\"lrutop-snapshot\",\"snapshot_version\":1,\"kernel\":\"6.18\",\"list_lru_one\":32,"
	"\"patched\":true,\"nodes\":2,\"command_status\":0,\"measured\":{\"lists\":184,\"bytes\":35328},"
	"\"slab\":{\"cache\":\"kmalloc-96\",\"objsize\":192,\"start\":{\"active_objs\":400,\"num_objs\":420},"
	"\"end\":{\"active_objs\":590,\"num_objs\":609}},"
	"\"end\":{\"memcg_lrus\":73,\"memcgs\":21,\"ids\":46},\"model\":null,"
	"\"totals\":{\"freed_bytes\":0},"
	"\"inventory\":{\"start\":null,\"end\":{\"totals\":{\"held_bytes\":35328,\"bookkeeping_bytes\":576}}},"
	"\"lrus\":[{\"kind\":\"dentry\",\"allocs\":92},{\"kind\":\"inode\",\"allocs\":92}],"
	"\"memcgs\":[{\"path\":\"/ab/m0\",\"allocs\":8},{\"path\":\"/ab\",\"allocs\":24}]}";

static void test_snapshot_parse(void **state)
{
	struct snap s;
	char why[512];

	assert_int_equal(snap_parse(snap_before, strlen(snap_before), "a.json", &s, why, sizeof(why)), 0);
	assert_false(s.patched);
	assert_string_equal(s.kernel, "5.10.0-32-amd64");
	assert_int_equal(s.memcgs, 20);
	assert_int_equal(s.lists, 1518);
	assert_int_equal(s.post_lists, 184);
	snap_free(&s);
}

/* Truncated, malformed, mistyped and hostile documents: one clear reason, never a crash. */
static void test_snapshot_hostile(void **state)
{
	static const char *const bad[] = {
		"", "{", "[]", "null", "{\"kind\":\"lrutop-snapshot\"}",
		"{\"kind\":\"other\",\"snapshot_version\":1,\"kernel\":\"x\",\"patched\":true,"
		"\"nodes\":1,\"measured\":{\"lists\":1,\"bytes\":1},\"end\":{\"memcg_lrus\":1,"
		"\"memcgs\":1,\"ids\":1},\"model\":null}",
		"{\"kind\":\"lrutop-snapshot\",\"snapshot_version\":2,\"kernel\":\"x\",\"patched\":true,"
		"\"nodes\":1,\"measured\":{\"lists\":1,\"bytes\":1},\"end\":{\"memcg_lrus\":1,"
		"\"memcgs\":1,\"ids\":1},\"model\":null}",
		"{\"kind\":\"lrutop-snapshot\",\"snapshot_version\":1,\"kernel\":7,\"patched\":true,"
		"\"nodes\":1,\"measured\":{\"lists\":1,\"bytes\":1},\"end\":{\"memcg_lrus\":1,"
		"\"memcgs\":1,\"ids\":1},\"model\":null}",
		"{\"kind\":\"lrutop-snapshot\",\"snapshot_version\":1,\"kernel\":\"x\",\"patched\":true,"
		"\"nodes\":0,\"measured\":{\"lists\":-5,\"bytes\":1},\"end\":{\"memcg_lrus\":1,"
		"\"memcgs\":1,\"ids\":1},\"model\":null}",
		/* Counts no kernel has, which would overflow what compare multiplies (make fuzz). */
		"{\"kind\":\"lrutop-snapshot\",\"snapshot_version\":1,\"kernel\":\"x\",\"patched\":true,"
		"\"nodes\":149,\"measured\":{\"lists\":1,\"bytes\":1},\"end\":{\"memcg_lrus\":"
		"9223372036854775807,\"memcgs\":1,\"ids\":1},\"model\":null}",
		"{\"kind\":\"lrutop-snapshot\",\"snapshot_version\":1,\"kernel\":\"x\",\"patched\":true,"
		"\"nodes\":100000,\"measured\":{\"lists\":1,\"bytes\":1},\"end\":{\"memcg_lrus\":1,"
		"\"memcgs\":1,\"ids\":1},\"model\":null}",
		"{\"kind\":\"lrutop-snapshot\",\"snapshot_version\":1,\"kernel\":\"x\",\"patched\":true,"
		"\"nodes\":1,\"measured\":{\"lists\":1,\"bytes\":1},\"end\":{\"memcg_lrus\":1,"
		"\"memcgs\":1,\"ids\":-7},\"model\":{\"pre_patch\":{\"lists\":9223372036854775807}}}",
		"{\"kind\":\"lrutop-snapshot\",\"snapshot_version\":1,\"kernel\":\"x\",\"patched\":true,"
		"\"nodes\":1,\"labels\":{\"memcgs\":\"99999999999999999999\"},\"measured\":{\"lists\":1,"
		"\"bytes\":1},\"end\":{\"memcg_lrus\":1,\"memcgs\":1,\"ids\":1},\"model\":null}",
		"{\"kind\":\"lrutop-snapshot\",\"kind\":\"lrutop-snapshot\"}",
		"{\"kind\":\"lrutop-snapshot\",\"snapshot_version\":1e999}",
		"\xff\xfe{}",
		/* jansson's error quotes the bytes it stopped at, a newline among them (make fuzz). */
		"{\"kind\":\"i\\\\\\\n\"}",
	};
	struct snap s;
	char why[512];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		if (snap_parse(bad[i], strlen(bad[i]), "bad.json", &s, why, sizeof(why)) != -EINVAL)
			fail_msg("accepted: %s", bad[i]);
		if (strncmp(why, "bad.json", 8) || strchr(why, '\n'))
			fail_msg("reason not one line naming the file: '%s'", why);
	}
	assert_int_equal(snap_load("/nonexistent/x.json", &s, why, sizeof(why)), -ENOENT);
}

static void test_compare_tables(void **state)
{
	struct snap a, b;
	char why[512], *buf = NULL;
	size_t len = 0;
	double worst;
	FILE *f;

	assert_true(isnan(snap_model_error(0, 5)));
	assert_true(snap_model_error(200, 190) < -4.99 && snap_model_error(200, 190) > -5.01);
	assert_int_equal(snap_parse(snap_before, strlen(snap_before), "a", &a, why, sizeof(why)), 0);
	assert_int_equal(snap_parse(snap_after, strlen(snap_after), "b", &b, why, sizeof(why)), 0);
	f = open_memstream(&buf, &len);
	compare_pair(f, &a, &b, &worst);
	fclose(f);
	/* 1500 modelled against 1518 measured before; 184 exactly after. */
	assert_true(worst > 1.18 && worst < 1.19);
	assert_non_null(strstr(buf, "| list_lru lists allocated, measured | 1518 | 184 |"));
	assert_non_null(strstr(buf, "| model vs measured (lists) | -1.2% | +0.0% |"));
	assert_non_null(strstr(buf, "After the patch: 24.24% of the bytes before it (4.1x less)."));
	assert_non_null(strstr(buf, "| dentry (sb->s_dentry_lru) | 92 |"));
	assert_non_null(strstr(buf, "| /ab/m0 | 16 | 69 |"));
	/* Bytes too: 1500 x 32 against 48576, and 11776 exactly. */
	assert_non_null(strstr(buf, "| model vs measured (bytes) | -1.2% | +0.0% |"));
	assert_int_equal(compare_pair_usable(&a, &b, why, sizeof(why)), 0);
	free(buf);
	snap_free(&a);
	snap_free(&b);
}

/* What --check refuses before any model: a failed command or none recorded, nothing
 * measured, one side twice. */
static void test_compare_unusable(void **state)
{
	struct snap a, b;
	char why[512];

	assert_int_equal(snap_parse(snap_before, strlen(snap_before), "a", &a, why, sizeof(why)), 0);
	assert_int_equal(snap_parse(snap_after, strlen(snap_after), "b", &b, why, sizeof(why)), 0);
	assert_int_equal(compare_pair_usable(&b, &b, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "both after the patch"));
	assert_int_equal(compare_pair_usable(&a, &a, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "both before the patch"));
	b.command_status = 1;
	assert_int_equal(compare_pair_usable(&a, &b, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "command failed"));
	b.command_status = -3;
	assert_int_equal(compare_pair_usable(&a, &b, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "command failed"));
	b.command_status = 0;
	a.lists = 0;
	assert_int_equal(compare_pair_usable(&a, &b, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "no list was measured"));
	a.lists = 1518;
	assert_int_equal(compare_pair_usable(&a, &b, why, sizeof(why)), 0);
	/* A snapshot whose self-check failed: refused. */
	json_object_set_new(b.json, "self_check", json_pack("{s:b,s:s}", "ok", 0, "result", "FAILED"));
	assert_int_equal(compare_pair_usable(&a, &b, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "self-check failed"));
	json_object_del(b.json, "self_check");
	/* A snapshot of no command (or an older lrutop's, which wrote none): refused. */
	json_object_del(b.json, "command_status");
	b.command_status = -1;
	assert_int_equal(compare_pair_usable(&a, &b, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "no command's exit status"));
	snap_free(&a);
	snap_free(&b);
}

/* Measured against measured: the tables, each kernel's slab beside its bytes, the call-outs. */
static void test_compare_measured(void **state)
{
	struct snap a, b;
	char why[512], *buf = NULL;
	size_t len = 0;
	FILE *f;

	assert_int_equal(snap_parse(snap_612, strlen(snap_612), "a", &a, why, sizeof(why)), 0);
	assert_int_equal(snap_parse(snap_618, strlen(snap_618), "b", &b, why, sizeof(why)), 0);
	assert_int_equal(snap_btf_list_bytes(&a), 64);
	assert_int_equal(snap_btf_list_bytes(&b), 96);
	/* What the kernel's slabinfo showed: the slot, and 192 and 189 slots gained. */
	assert_int_equal(a.slab_objsize, 64);
	assert_int_equal(b.slab_objsize, 192);
	assert_int_equal(a.slab_bytes, 192 * 64);
	assert_int_equal(b.slab_bytes, 189 * 192);
	f = open_memstream(&buf, &len);
	compare_measured_pair(f, &a, &b, 5);
	fclose(f);
	/* B's model: A's lists at B's BTF bytes per list (a slab-debugging 6.18 spends 192). */
	assert_non_null(strstr(buf, "| their bytes, measured (each list's slab slot) | 11776 | 35328 | 17664 | +200.0% |"));
	assert_non_null(strstr(buf, "| slots the list cache's slabs gained, /proc/slabinfo | 12288 | 36288 | - | +195.3% |"));
	assert_non_null(strstr(buf, "| a slot of the list cache (kmalloc-64 / kmalloc-96), /proc/slabinfo | 64 | 192 | | |"));
	assert_non_null(strstr(buf, "| 64 | 96 | | |"));
	assert_non_null(strstr(buf, "| /ab | 24 | 24 |"));
	/* What each kernel held at the end, from the inventory in the snapshot. */
	assert_non_null(strstr(buf, "| list bytes held at the end, the inventory | 11776 | 35328 | - | +200.0% |"));
	assert_non_null(strstr(buf, "**More bytes per list**: 6.18 spends 192.0 bytes a list where 6.12 spent 64.0 (+200.0%); its list_lru_one is 32 bytes (24 on 6.12)"));
	assert_non_null(strstr(buf, "**Lists no longer freed**"));
	assert_null(strstr(buf, "for the same workload"));
	free(buf);
	/* More lists for the same workload: called out. */
	b.lists = 200;
	b.bytes = 200 * 192;
	f = open_memstream(&buf, &len);
	compare_measured_pair(f, &a, &b, 5);
	fclose(f);
	assert_non_null(strstr(buf, "**More lists for the same workload**: 6.18 made 200 where 6.12 made 184 (+8.7%)"));
	free(buf);
	snap_free(&a);
	snap_free(&b);
}

static void write_tmp(char *path, const char *text)
{
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* lrutop compare --check: two kernels on one side have no model between them, so it fails;
 * without --check they are compared measured against measured. */
static void test_compare_check_one_side(void **state)
{
	char a[] = "/tmp/lrutop-cmp-a-XXXXXX", b[] = "/tmp/lrutop-cmp-b-XXXXXX";
	char check[] = "--check", five[] = "5";
	char name[] = "lrutop compare";
	char *same[] = { name, check, five, a, b, NULL }, *plain[] = { name, a, b, NULL };
	int out = dup(STDOUT_FILENO), null = open("/dev/null", O_WRONLY);

	write_tmp(a, snap_612);
	write_tmp(b, snap_618);
	/* The tables to /dev/null: only the exit statuses matter here. */
	fflush(stdout);
	dup2(null, STDOUT_FILENO);
	int rc_same = compare_main(5, same), rc_plain = compare_main(3, plain);
	fflush(stdout);
	dup2(out, STDOUT_FILENO);
	close(out);
	close(null);
	unlink(a);
	unlink(b);
	assert_int_equal(rc_same, 1);
	assert_int_equal(rc_plain, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_snapshot_parse),
		cmocka_unit_test(test_snapshot_hostile),
		cmocka_unit_test(test_compare_tables),
		cmocka_unit_test(test_compare_unusable),
		cmocka_unit_test(test_compare_measured),
		cmocka_unit_test(test_compare_check_one_side),
	};

	return cmocka_run_group_tests_name("compare", tests, NULL, NULL);
}
