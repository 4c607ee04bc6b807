/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_COLUMNS_H
#define __LRUTOP_COLUMNS_H

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
/* Rows of n shown with a limit of rows (0: all). */
size_t rows_shown(size_t n, unsigned long rows);
/* The MEMCG column's width in a line of width characters with the view's columns. */
int columns_path_width(const struct view *v, int width);
/* The header, and one memcg's row, the MEMCG column pathw wide (no newline). A long path
 * keeps its end, which names the memcg. */
size_t columns_header(char *buf, size_t len, const struct view *v, int pathw);
size_t columns_row(char *buf, size_t len, const struct lrutop_state *s, const struct view *v,
		   const struct memcg_row *r, int pathw);

#endif
