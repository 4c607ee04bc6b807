/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_COLUMNS_H
#define __LRUTOP_COLUMNS_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

struct lrutop_state;
struct memcg_row;
struct view;

/* Batch text is this wide, as the bcc tools are; the screen is as wide as the terminal. */
#define TEXT_WIDTH	80
#define PATH_MIN_WIDTH	12

/* "12345", "12.3K", "4.5M": at most 5 characters, for columns. */
const char *fmt_size(char *buf, size_t len, __u64 v);
struct lru_owner;
/* Where a list_lru of kind is: its superblock's mount point (or s_id); another's symbol or
 * "objects: CACHE" (where); NULL if neither is known. */
const char *lru_where(unsigned int kind, const struct lru_owner *o, const char *mnt,
		      const char *where);
/* What a row's path names, as labels: "" for each it does not. */
struct row_labels {
	char name[96];		/* the NAME column's short name */
	char unit[128];
	char pod[40];
	char container[16];
	const char *runtime;
};
void row_labels(const struct memcg_row *r, struct row_labels *l);
/* The NAME column's width for these rows in a line of width characters: 0 (no column)
 * when none of them has a name. Batch text widens its lines by it. */
int columns_name_width(struct memcg_row *const *rows, size_t n, int width);
#define NAME_WIDTH	36	/* "pod:1b2c3d4e/containerd:3f2a1b9c8d7e" */

/* s in a cell w columns wide: its end after "..." when it is wider (a path's end names it). */
void cell_end(char *buf, size_t len, const char *s, int w);
/* Rows of n shown with a limit of rows (0: all). */
size_t rows_shown(size_t n, unsigned long rows);
/* The MEMCG column's width in a line of width characters with the view's columns and a NAME
 * column namew wide (0: none). */
int columns_path_width(const struct view *v, int width, int namew);
/* The header, and one memcg's row: NAME namew wide (0: none), MEMCG pathw wide (no newline).
 * A long name or path keeps its end, which names the memcg. indent -1: the path; else the
 * screen's tree, the last component after indent spaces. */
size_t columns_header(char *buf, size_t len, const struct view *v, int pathw, int namew);
size_t columns_row(char *buf, size_t len, const struct lrutop_state *s, const struct view *v,
		   const struct memcg_row *r, int pathw, int namew, int indent);

#endif
