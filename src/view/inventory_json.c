// SPDX-License-Identifier: GPL-2.0
/* The inventory as JSON: `lrutop inventory -j`, and the "inventory" of each JSON Lines report. */
#include <jansson.h>
#include "columns.h"
#include "lib/lru_kinds.h"
#include "kernel/inventory.h"
#include "inventory_json.h"

json_t *inventory_summary_json(const struct inventory *inv)
{
	return json_pack("{s:b,s:i,s:o,s:I,s:s,s:s,s:I,s:{s:I,s:I,s:I,s:I,s:I,s:I,s:I},"
			 "s:{s:I,s:f,s:f,s:I,s:I,s:I,s:I}}",
		"pre_patch", inv->pre_patch, "nodes", inv->nr_nodes,
		"ids", inv->pre_patch ? json_integer(inv->ids) : json_null(),
		"list_bytes", (json_int_t)inv->list_bytes, "list_cache", inv->list_cache,
		"bytes_from", inv->bytes_from ? inv->bytes_from : "/proc/slabinfo",
		"bytes_unread", (json_int_t)inv->bytes_unread,
		"totals", "list_lrus", (json_int_t)inv->nr_lrus, "held_lists", (json_int_t)inv->lists,
		"held_bytes", (json_int_t)inv->bytes, "bookkeeping_bytes", (json_int_t)inv->book_bytes,
		"empty_lists", (json_int_t)inv->empty, "objects", (json_int_t)inv->objects,
		"xa_nodes", (json_int_t)inv->xa_nodes,
		"walk", "runs", (json_int_t)inv->runs, "cpu_ms", inv->cpu_ms,
		"max_run_ms", inv->max_run_ms, "rejected", (json_int_t)inv->rejected,
		"drops", (json_int_t)inv->drops, "paths_kernel", (json_int_t)inv->paths_kernel,
		"paths_dirs", (json_int_t)inv->paths_dirs);
}

json_t *inventory_json(const struct inventory *inv, unsigned long rows)
{
	json_t *memcgs = json_array(), *lrus = json_array(), *root;
	char dev[32];

	for (size_t i = 0; i < rows_shown(inv->nr_memcgs, rows); i++) {
		const struct inv_memcg_row *m = &inv->memcgs[i];

		json_array_append_new(memcgs, json_pack("{s:o,s:I,s:o,s:I,s:I,s:I,s:I}",
			"id", m->cgid ? json_integer(m->cgid) : json_null(),
			"kmemcg_id", (json_int_t)m->kmemcg_id,
			"path", m->path ? json_string(m->path) : json_null(),
			"held_lists", (json_int_t)m->lists, "held_bytes", (json_int_t)m->bytes,
			"empty_lists", (json_int_t)m->empty, "objects", (json_int_t)m->objects));
	}
	for (size_t i = 0; i < rows_shown(inv->nr_lrus, rows); i++) {
		const struct inv_lru_row *l = &inv->lrus[i];

		snprintf(dev, sizeof(dev), "%u:%u", l->owner.dev >> 20, l->owner.dev & 0xfffff);
		json_array_append_new(lrus, json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s?,s:s?,s:s?,s:I,s:I,s:I,s:I,s:I}",
			"addr", (json_int_t)l->addr,
			"kind", lru_kind_name(l->owner.kind), "fstype", l->owner.fstype,
			"sid", l->owner.sid, "dev", dev, "mount", l->mnt,
			"where", lru_where(l->owner.kind, &l->owner, l->mnt, l->where), "why", l->why,
			"object_cache", l->obj_cache[0] ? l->obj_cache : NULL,
			"held_lists", (json_int_t)l->lists, "held_bytes", (json_int_t)l->bytes,
			"empty_lists", (json_int_t)l->empty, "objects", (json_int_t)l->objects,
			"bookkeeping_bytes", (json_int_t)l->book_bytes));
	}
	root = inventory_summary_json(inv);
	json_object_set_new(root, "memcgs", memcgs);
	json_object_set_new(root, "lrus", lrus);
	return root;
}

