/* SPDX-License-Identifier: GPL-2.0 */
/* test_reliability's tests, one file of tests/reliability/ a feature (tests/test_reliability.c
 * registers them), and what they share (reports.c). */
#ifndef __LRUTOP_RELIABILITY_H
#define __LRUTOP_RELIABILITY_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>
#include <jansson.h>
#include "host_util.h"

/* What test_churn leaves to clean whether it passes or fails: lrutop, memcgs, mounts. */
struct churn_left {
	pid_t lrutop;
	char cgroot[4096];
	char mntdir[64];
	char reports[64];
};
extern struct churn_left churn_left;

const char *workload_bin(void);
long rss_kb(pid_t pid);
double now_s(void);
/* The lists a workload's summary line says it made. */
json_int_t summary_lists(const char *out);
/* A counter summed over a report's rows. */
json_int_t sum_rows(json_t *report, const char *key);
/* totals = the rows + what aged out, for lists and bytes; why says which does not. */
bool totals_add_up(json_t *r, char *why, size_t len);
int churn_teardown(void **state);
/* lrutop with opts, its reports going to a new file (reports, a mkstemp template), from its
 * second report on; recorded in churn_left for the teardown. */
FILE *spawn_reports(const char *opts, char *reports, pid_t *pid);

void test_churn(void **state);
void test_pressure_aging(void **state);
void test_inventory_churn(void **state);
void test_overflow(void **state);
void test_map_sizes(void **state);
void test_signals_every_phase(void **state);
void test_signals_restore_terminal(void **state);
void test_bad_input_table(void **state);
void test_snapshot_atomic(void **state);
void test_http_abuse(void **state);
void test_valgrind_batch(void **state);

#endif
