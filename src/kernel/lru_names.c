// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lrutop.h"
#include "ksyms.h"
#include "lru_names.h"

struct lru_namer {
	char path[256];
	const struct ksyms *data;	/* kallsyms' data symbols, once read */
	struct ksyms *own;	/* data, when this namer read them */
	const char *why;	/* why they name nothing, or NULL */
	int read;
	pthread_t reader;	/* lru_namer_prefetch's, until joined */
	bool reading;
};

/* The list_lrus the kernel keeps in a global of its own, by symbol (Debian's kernels). */
static const struct {
	const char *symbol;
	unsigned int kind;
} known_globals[] = {
	{ "shadow_nodes", LRUTOP_LRU_SHADOW },		/* mm/workingset.c, 5.18+ memcg-aware */
	{ "zswap_list_lru", LRUTOP_LRU_ZSWAP },		/* mm/zswap.c, 6.9+ (a pool's in 6.8) */
	{ "deferred_split_lru", LRUTOP_LRU_THP_SPLIT },	/* mm/huge_memory.c, 7.2+ */
};

/* The slab caches whose objects only one list_lru holds. */
static const struct {
	const char *cache;
	unsigned int kind;
} known_objects[] = {
	{ "radix_tree_node", LRUTOP_LRU_SHADOW },	/* xarray nodes of the page cache */
	{ "xa_node", LRUTOP_LRU_SHADOW },	/* the same, told by structure (kernel.bpf.h) */
	{ "zswap_entry", LRUTOP_LRU_ZSWAP },
};

struct lru_namer *lru_namer_new(const char *kallsyms)
{
	struct lru_namer *n = calloc(1, sizeof(*n));

	if (n)
		snprintf(n->path, sizeof(n->path), "%s", kallsyms);
	return n;
}

static void symbols_ready(struct lru_namer *n);
static void check_symbols(struct lru_namer *n);

struct lru_namer *lru_namer_of(const struct ksyms *read)
{
	struct lru_namer *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->read = 1;
	n->data = read;
	check_symbols(n);
	return n;
}

void lru_namer_free(struct lru_namer *n)
{
	if (!n)
		return;
	symbols_ready(n);
	ksyms__free(n->own);
	free(n);
}

static void check_symbols(struct lru_namer *n)
{
	if (!n->data)
		n->why = "kallsyms could not be read";
	else if (ksyms__hidden(n->data))
		n->why = "kallsyms hides its addresses (kptr_restrict)";
	else if (!ksyms__count_data(n->data))
		n->why = "kallsyms lists no data symbol (a kernel without CONFIG_KALLSYMS_ALL)";
}

static void read_symbols(struct lru_namer *n)
{
	n->data = n->own = ksyms__load_data(n->path);
	check_symbols(n);
}

static void *read_symbols_thread(void *n)
{
	read_symbols(n);
	return NULL;
}

/*
 * The kernel writes out /proc/kallsyms for 60 ms: a walk that names list_lrus soon, read
 * beside what the process does until then (the first interval) rather than in its first pass.
 */
void lru_namer_prefetch(struct lru_namer *n)
{
	if (!n || n->read)
		return;
	n->read = 1;
	n->reading = !pthread_create(&n->reader, NULL, read_symbols_thread, n);
	if (!n->reading)
		n->read = 0;	/* read on the first name, as without it */
}

/* The symbols read, by a prefetch's thread or here. */
static void symbols_ready(struct lru_namer *n)
{
	if (n->reading) {
		pthread_join(n->reader, NULL);
		n->reading = false;
	}
}

/* By the global at addr: 0 and out filled, or -ENOENT. */
static int name_by_symbol(struct lru_namer *n, uint64_t addr, struct lru_name *out)
{
	const char *sym;
	uint64_t off = 0;

	symbols_ready(n);
	if (!n->read) {
		n->read = 1;
		read_symbols(n);
	}
	if (n->why || !(sym = ksyms__symbol_at(n->data, addr, &off)))
		return -ENOENT;
	out->kind = LRUTOP_LRU_GLOBAL;
	if (off) {
		snprintf(out->where, sizeof(out->where), "%s+0x%llx", sym, (unsigned long long)off);
		return 0;
	}
	snprintf(out->where, sizeof(out->where), "%s", sym);
	for (size_t i = 0; i < sizeof(known_globals) / sizeof(known_globals[0]); i++) {
		if (!strcmp(sym, known_globals[i].symbol))
			out->kind = known_globals[i].kind;
	}
	return 0;
}

void lru_namer_name(struct lru_namer *n, uint64_t addr, const char *obj_cache,
		    struct lru_name *out)
{
	memset(out, 0, sizeof(*out));
	if (!n) {
		out->why = "no memory to read kallsyms";
		return;
	}
	if (!name_by_symbol(n, addr, out))
		return;
	if (obj_cache && obj_cache[0]) {
		snprintf(out->where, sizeof(out->where), "objects: %s", obj_cache);
		for (size_t i = 0; i < sizeof(known_objects) / sizeof(known_objects[0]); i++) {
			if (!strcmp(obj_cache, known_objects[i].cache)) {
				out->kind = known_objects[i].kind;
				return;
			}
		}
		out->why = n->why ? n->why : "not a kernel global, and its objects' cache is not one lrutop knows";
		return;
	}
	out->why = n->why ? n->why : "not a kernel global (a pool's or a driver's), and its lists held no object to tell it by";
}
