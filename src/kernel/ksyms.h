/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_KSYMS_H
#define __LRUTOP_KSYMS_H

#include <stdint.h>

/* The kernel's symbols from /proc/kallsyms, by address (its modules' only for data). */
struct ksyms;

/*
 * The symbols of names (NULL-terminated; NULL: all) and their compiler clones, each with the
 * range up to the next symbol of any name. NULL with errno on failure.
 */
struct ksyms *ksyms__load(const char *path, const char *const *names);
/* The data symbols (types d, D, b, B), the modules' too, named "name [module]". */
struct ksyms *ksyms__load_data(const char *path);
/* Both in one read: the symbols of names, and every data symbol (kallsyms costs the kernel
 * 60 ms a read, whatever the reader keeps). */
struct ksyms *ksyms__load_with_data(const char *path, const char *const *names);
/*
 * The same from the kernel's ksym iterator (6.0+), which writes out the names of the symbols
 * that may be kept and the address alone of the others: a third of what the file costs the
 * kernel, which formats every line. ksyms__iter_prepare sets what to keep in the kernel's
 * iterators (iters.h), opened and not yet loaded (NULL where it cannot); once they are
 * loaded, ksyms__iter_read runs it, once, and frees it (NULL on failure, or where the
 * kernel has no ksym iterator: the file then).
 */
struct ksyms_iter;
struct kernel_iters;
struct ksyms_iter *ksyms__iter_prepare(struct kernel_iters *iters, const char *const *names);
struct ksyms *ksyms__iter_read(struct ksyms_iter *it);
void ksyms__free(struct ksyms *ksyms);
/* Symbols kept; of those, data symbols. */
size_t ksyms__count(const struct ksyms *ksyms);
size_t ksyms__count_data(const struct ksyms *ksyms);
/* The i-th symbol kept, by address: its name, address and end; NULL past the last. */
const char *ksyms__nth(const struct ksyms *ksyms, size_t i, uint64_t *addr, uint64_t *end);
/* The data symbol whose range [addr, next symbol's) holds addr, and addr's offset in it;
 * NULL. */
const char *ksyms__symbol_at(const struct ksyms *ksyms, uint64_t addr, uint64_t *off);
/* Address of name, or 0 if absent. */
uint64_t ksyms__addr(const struct ksyms *ksyms, const char *name);
/* [lo, hi) of function name: up to the next symbol at a higher address. -ENOENT if absent. */
int ksyms__func_range(const struct ksyms *ksyms, const char *name, uint64_t *lo, uint64_t *hi);
/*
 * Ranges of function name and of its compiler clones (name.part.0, name.isra.0,
 * name.constprop.0, name.cold): up to max into lo[] and hi[]. Returns how many.
 */
int ksyms__func_ranges(const struct ksyms *ksyms, const char *name, uint64_t *lo, uint64_t *hi,
		       int max);
/* True when every address read was 0: kptr_restrict hides them from this user. */
int ksyms__hidden(const struct ksyms *ksyms);

#endif
