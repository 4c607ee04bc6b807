/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_PROBE_H
#define __LRUTOP_PROBE_H

#include <stdbool.h>
#include <stdint.h>

struct btf;
struct ksyms;

/* The kernel functions lrutop knows; which exist differs per kernel (see docs/kernels). */
enum lru_func {
	FN_ALLOC_LRU_NOPROF,	/* kmem_cache_alloc_lru_noprof(s, lru, gfp): 6.10+ */
	FN_ALLOC_LRU,		/* kmem_cache_alloc_lru(s, lru, gfp): 5.18-6.9, v2 patch */
	FN_MEMCG_LIST_LRU_ALLOC_CORE,	/* __memcg_list_lru_alloc(memcg, lru, gfp): 7.2+, static */
	FN_MEMCG_LIST_LRU_ALLOC,	/* memcg_list_lru_alloc(memcg, lru, gfp): 5.18+ */
	FN_FOLIO_MEMCG_LIST_LRU_ALLOC,	/* folio_memcg_list_lru_alloc(folio, lru, gfp): 7.2+ */
	FN_INIT_LIST_LRU_ONE,	/* memcg_init_list_lru_one(lru, gfp): the kmalloc, mostly inlined */
	FN_LIST_LRU_MEMCG_ALLOC,	/* list_lru_memcg_alloc(lru, memcg, gfp): v2 patch */
	FN_UPDATE_LIST_LRU,	/* memcg_update_list_lru(lru, old, new): pre-5.18, often inlined */
	FN_UPDATE_ALL_LIST_LRUS,	/* memcg_update_all_list_lrus(new_size): pre-5.18 */
	FN_INIT_LIST_LRU_NODE,	/* __memcg_init_list_lru_node(lrus, begin, end): pre-5.18 */
	FN_LIST_LRU_INIT,	/* __list_lru_init */
	FN_LIST_LRU_DESTROY,	/* list_lru_destroy */
	FN_REPARENT_LIST_LRUS,	/* memcg_reparent_list_lrus: 5.18+ */
	FN_DRAIN_ALL_LIST_LRUS,	/* memcg_drain_all_list_lrus: pre-5.18 */
	FN_D_ALLOC,		/* __d_alloc(sb, name): a dentry of sb */
	FN_ALLOC_INODE,		/* alloc_inode(sb): an inode of sb */
	NR_LRU_FUNCS,
};

struct func_info {
	const char *name;
	bool in_btf;		/* a FUNC in BTF: fentry can target it */
	uint32_t btf_id;	/* its id in vmlinux BTF, 0 if none */
	bool in_kallsyms;	/* has an address: its kmalloc call sites can be told apart */
	uint64_t lo, hi;	/* [lo, hi) from kallsyms */
};

/* Code whose kmallocs are lists: [lo, hi) from kallsyms. */
struct addr_range {
	uint64_t lo, hi;
	const char *name;	/* the function's base name (clones share it) */
};

enum backend {
	BACKEND_AUTO,
	BACKEND_FENTRY,
	BACKEND_TRACEPOINT,
};

/* What a kernel and a backend may measure, each once: its id (M_ID), its short name and
 * what it is. avail.c says where each is measured. */
#define LRUTOP_METRICS(X)							\
	X(ALLOCS, "allocs", "list allocations and bytes")			\
	X(FREED, "freed", "bytes freed")					\
	X(FAILS, "fails", "allocation failures")				\
	X(OBJS, "objs", "kmem_cache_alloc_lru objects")				\
	X(CALLS, "calls", "allocator calls")					\
	X(LATENCY, "lat", "allocator latency")					\
	X(PER_LRU, "lrus", "per-list_lru owner")				\
	X(EAGER, "eager", "eager allocations (pre-5.18)")			\
	X(GROWTH, "growths", "id-space growth events (pre-5.18)")		\
	X(ID_SPACE, "id-space", "memcg id-space size (pre-5.18)")		\
	X(WOULD_PAIRS, "would-pairs", "pairs a 5.18+ kernel would populate")	\
	X(TRANSIENT, "transient", "lists freed inside the allocator")

enum metric {
#define METRIC_ID(id, short_name, name) M_##id,
	LRUTOP_METRICS(METRIC_ID)
#undef METRIC_ID
	NR_METRICS,
};

struct probe_plan {
	struct func_info funcs[NR_LRU_FUNCS];
	/* Resolved variants; -1 where the kernel has none. */
	int lazy_fn;		/* the allocator fentry brackets: where the lists are made */
	/* Every function of the lazy allocation path and its compiler clones, from kallsyms. */
	struct addr_range lazy_ranges[8];
	int nr_lazy_ranges;
	/* Every function that kfrees lists, the lazy path's included (free_path in probe.c). */
	struct addr_range free_ranges[16];
	int nr_free_ranges;
	int obj_fn;		/* FN_ALLOC_LRU_NOPROF or FN_ALLOC_LRU */
	bool lru_first;		/* lazy_fn takes (lru, memcg, gfp) */
	bool pre_patch;		/* the kernel allocates eagerly: lists for every memcg id */
	bool post_patch;	/* list_lru has an xarray of lazily made lists */
	bool has_kmalloc_node_tp;	/* a kmalloc_node tracepoint of its own (before 6.1) */
	bool has_kmalloc_tp;
	/* A tracing program may use a hash map that allocates as it goes (the BPF memory
	 * allocator, 6.1): before, the verifier warns in the kernel's log (WARN_ONCE). */
	bool tracing_map_alloc;
	uint64_t nr_cache_ids_addr;	/* &memcg_nr_cache_ids, 0 if unknown */
	/* x86-64's page_offset_base and vmemmap_base (0 if unknown): where a list's struct
	 * page, and so its slab and kmem_cache, are found from its address. Without them
	 * (kallsyms hidden or without data symbols) a list counted from the slots costs the
	 * objsize /proc/slabinfo gives the kmalloc cache of its size. */
	uint64_t page_offset_base_addr, vmemmap_base_addr;
	/* fentry counts lists in the list_lru functions, no program on kmalloc or kfree: the
	 * kernel has every function where lists are made and freed. Else why not. */
	bool lists_from_slots;
	const char *slots_missing;
	unsigned int list_lru_one_size;	/* sizeof(struct list_lru_one): 24, 32 from 6.13 */
	unsigned int xa_node_size;	/* sizeof(struct xa_node): the xarray's bookkeeping */
	/* kallsyms as the session read it (its data symbols name list_lrus), kept by the
	 * session while the plan lives; NULL: whoever names one reads kallsyms again. */
	const struct ksyms *kallsyms;
	/* The kernel's BTF cut to what the BPF objects relocate against (core_btf.h), for
	 * libbpf's btf_custom_path; NULL: libbpf reads the kernel's whole BTF itself. */
	const char *core_btf;
	/* How the session read kallsyms: "the ksym iterator" (6.0+) or "/proc/kallsyms". */
	const char *kallsyms_from;
};

const char *lru_func_name(enum lru_func fn);
const char *metric_name(enum metric m);
/* The column or field it shows as: "fails", "lat"... */
const char *metric_short_name(enum metric m);
const char *backend_name(enum backend b);
/* "auto", "fentry" or "tracepoint"; -EINVAL for anything else. */
int backend_parse(const char *name);

/* Does struct type have a member named field? (layouts tell kernels apart) */
bool probe_btf_has_field(const struct btf *btf, const char *type, const char *field);
/* The kallsyms names a plan reads (NULL-terminated): ksyms__load keeps only those. */
const char *const *probe_ksym_names(void);
/* Fill plan from a kernel's BTF and (may be NULL) its kallsyms. */
int probe_plan_build(struct probe_plan *plan, const struct btf *btf, const struct ksyms *ksyms);
/* Can this backend run on this kernel at all? 0, or -ENOENT with why filled. */
int probe_backend_usable(const struct probe_plan *plan, enum backend b, char *why, size_t len);
/* Can a list's slab be found from its address (page_offset_base, vmemmap_base known)? */
bool probe_slab_readable(const struct probe_plan *plan);
/* Is metric m measured with backend b? Returns true, or false with why filled. */
bool probe_metric_available(const struct probe_plan *plan, enum backend b, enum metric m,
			    char *why, size_t len);

#endif
