// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include "nodes.h"

void node_list_read(const char *path, struct node_list *nl)
{
	char buf[256], *p = buf;
	int lo, hi;
	FILE *f;

	nl->count = 0;
	nl->end = 0;
	f = fopen(path, "r");
	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
	} else {
		buf[0] = '\0';
	}
	while (*p) {
		if (sscanf(p, "%d-%d", &lo, &hi) != 2) {
			if (sscanf(p, "%d", &lo) != 1)
				break;
			hi = lo;
		}
		nl->count += hi - lo + 1;
		if (hi + 1 > nl->end)
			nl->end = hi + 1;
		p = strchr(p, ',');
		if (!p)
			break;
		p++;
	}
	if (!nl->count)
		nl->count = nl->end = 1;
}

int nr_node_ids(void)
{
	struct node_list nl;

	node_list_read("/sys/devices/system/node/possible", &nl);
	return nl.end;
}
