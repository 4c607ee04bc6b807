// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for what `lrutop compare` reads: any bytes given as a snapshot must be
 * refused with one line naming the file, or accepted and compared, both ways, against itself
 * and a real snapshot, without a crash, a leak or undefined behaviour (built with ASan and
 * UBSan). Seeds: tests/fuzz/corpus. Run: make fuzz [FUZZ_S=seconds].
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ab/compare.h"

static struct snap real;
static FILE *null;

/* LRUTOP_FUZZ_REAL: a real snapshot to compare against (make fuzz passes one of docs/ab). */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *file = getenv("LRUTOP_FUZZ_REAL");
	char why[512];

	null = fopen("/dev/null", "w");
	if (!null || !file || snap_load(file, &real, why, sizeof(why))) {
		fprintf(stderr, "compare_fuzz: set LRUTOP_FUZZ_REAL to a snapshot (%s)\n",
			file ? why : "unset");
		exit(1);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct snap s;
	char why[512] = "";
	double worst;
	int err;

	err = snap_parse((const char *)data, size, "fuzz.json", &s, why, sizeof(why));
	if (err) {
		/* Refused: one line that names the file. */
		if (err != -EINVAL && err != -ENOMEM)
			abort();
		if (strncmp(why, "fuzz.json", 9) || strchr(why, '\n'))
			abort();
		return 0;
	}
	compare_pair(null, &s, &s, &worst);
	compare_pair(null, &s, &real, &worst);
	compare_pair(null, &real, &s, &worst);
	/* Measured against measured (two kernels on one side), both ways; what --check refuses. */
	compare_measured_pair(null, &s, &s, 5);
	compare_pair_usable(&s, &real, why, sizeof(why));
	compare_measured_pair(null, &s, &real, 5);
	compare_measured_pair(null, &real, &s, 5);
	snap_free(&s);
	return 0;
}
