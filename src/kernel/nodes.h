/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_NODES_H
#define __LRUTOP_NODES_H

/* A sysfs node list ("0", "0-3", "0,2-3"): how many nodes it names, and the highest + 1. */
struct node_list {
	int count;
	int end;
};

/* Read path into nl; both are 1 when it cannot be read or names none. */
void node_list_read(const char *path, struct node_list *nl);
/* nr_node_ids: the highest possible node + 1 (the kernel sizes its per-node arrays so). */
int nr_node_ids(void);

#endif
