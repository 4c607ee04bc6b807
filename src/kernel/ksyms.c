// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>
#include "lrutop.h"
#include "ksyms.h"
#include "iters.h"
#include "iters.skel.h"

/* A symbol kept: its address and the next higher address of any symbol (0: none). */
struct ksym {
	uint64_t addr, end;
	size_t name;		/* offset in ksyms->names */
	char type;		/* kallsyms' letter */
	bool module;		/* a module's (or a BPF program's): it ends in the module space */
};

/* Addresses of symbols, sorted once all are read. */
struct addr_set {
	uint64_t *v;
	size_t n, cap;
};

/*
 * The symbols asked for, and every address: a range ends at the next symbol, whatever its
 * name; the kernel's own symbols' at the kernel's own next, the modules' at the modules' (a
 * BPF program, loaded any time, is one of those). Names in one block: 120,000 strdup()s were
 * a third of lrutop's start-up.
 */
struct ksyms {
	struct ksym *syms;
	size_t nr, cap;
	char *names;
	size_t names_len, names_cap;
	struct addr_set own, mods;
	int hidden;
};

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static int grow(void **p, size_t *cap, size_t want, size_t size)
{
	void *n;

	if (want <= *cap)
		return 0;
	n = realloc(*p, (want * 2) * size);
	if (!n)
		return -ENOMEM;
	*p = n;
	*cap = want * 2;
	return 0;
}

static int ksyms__add(struct ksyms *ksyms, uint64_t addr, char type, bool module, const char *name,
		      size_t len)
{
	if (grow((void **)&ksyms->syms, &ksyms->cap, ksyms->nr + 1, sizeof(*ksyms->syms)) ||
	    grow((void **)&ksyms->names, &ksyms->names_cap, ksyms->names_len + len + 1, 1))
		return -ENOMEM;
	memcpy(ksyms->names + ksyms->names_len, name, len);
	ksyms->names[ksyms->names_len + len] = '\0';
	ksyms->syms[ksyms->nr++] = (struct ksym){ .addr = addr, .name = ksyms->names_len, .type = type,
						  .module = module };
	ksyms->names_len += len + 1;
	return 0;
}

#define MAX_WANTED	64

/* What a read keeps: the names asked for (with their lengths: a line's name is compared by
 * length first), and the data symbols. */
struct wanted {
	const char *const *names;	/* the kernel's own symbols of these names; NULL: all */
	size_t len[MAX_WANTED];
	size_t n;
	bool data;		/* every data symbol (d, D, b, B), the modules' too ("name [module]") */
	bool data_only;		/* and no other */
};

static bool is_data(char type)
{
	return type == 'd' || type == 'D' || type == 'b' || type == 'B';
}

/* Keep names (NULL-terminated, at most MAX_WANTED; NULL: all), with their lengths. */
static void want_names(struct wanted *w, const char *const *names)
{
	w->names = names;
	for (w->n = 0; names && names[w->n] && w->n < MAX_WANTED; w->n++)
		w->len[w->n] = strlen(names[w->n]);
}

/* Is name (len bytes), or the function it is a clone of (name.part.0), asked for? */
static bool is_wanted(const struct wanted *w, const char *name, size_t len)
{
	const char *dot = memchr(name, '.', len);
	size_t base = dot ? (size_t)(dot - name) : len;

	if (!w->names)
		return true;
	for (size_t i = 0; i < w->n; i++) {
		if (w->len[i] == base && !memcmp(w->names[i], name, base))
			return true;
	}
	return false;
}

static uint64_t hex(const char *s, const char **end)
{
	uint64_t v = 0;
	int d;

	for (;; s++) {
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else
			break;
		v = v << 4 | d;
	}
	*end = s;
	return v;
}

/*
 * One symbol, from either reader: its address counted (a range ends at the next symbol of any
 * name), the symbol kept if w asks for it. mod: a module's name ("name [mod]"), or NULL. An
 * empty name: the iterator passed over the symbol, its address alone.
 */
static int keep_symbol(struct ksyms *ksyms, const struct wanted *w, uint64_t addr, char type,
		       const char *name, size_t len, const char *mod, size_t mod_len, int *nonzero)
{
	struct addr_set *set = mod ? &ksyms->mods : &ksyms->own;
	char full[256];

	if (mod && !w->data)
		return 0;
	if (addr)
		*nonzero = 1;
	if (grow((void **)&set->v, &set->cap, set->n + 1, sizeof(addr)))
		return -ENOMEM;
	set->v[set->n++] = addr;
	if (!len || (!(w->data && is_data(type)) && (mod || w->data_only || !is_wanted(w, name, len))))
		return 0;
	if (mod) {
		len = snprintf(full, sizeof(full), "%.*s [%.*s]", (int)len, name, (int)mod_len, mod);
		name = full;
		if (len >= sizeof(full))
			len = sizeof(full) - 1;
	}
	return ksyms__add(ksyms, addr, type, mod != NULL, name, len);
}

/*
 * One line: "addr type name\n", or "addr type name\t[module]\n" for a module's symbol (skipped
 * unless w->data). Parsed by hand: sscanf() per line cost more than reading the file.
 */
static int ksyms__parse_line(struct ksyms *ksyms, const char *line, const struct wanted *w,
			     int *nonzero)
{
	const char *name, *end, *p, *mod = NULL;
	size_t mod_len = 0;
	uint64_t addr;

	addr = hex(line, &p);
	if (p == line || p[0] != ' ' || !p[1] || p[2] != ' ')
		return 0;
	name = p + 3;
	end = name + strcspn(name, " \t\n");
	if (end == name)
		return 0;
	if (*end == '\t') {
		mod = end + 1 + (end[1] == '[');
		mod_len = strcspn(mod, "]\n");
	}
	return keep_symbol(ksyms, w, addr, p[1], name, end - name, mod, mod_len, nonzero);
}

static int ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return u64_cmp(&x->addr, &y->addr);
}

/* The kernel lists its own symbols in address order: sorted only if not. */
static void sort_addrs(struct addr_set *set)
{
	for (size_t i = 1; i < set->n; i++) {
		if (set->v[i - 1] > set->v[i]) {
			qsort(set->v, set->n, sizeof(*set->v), u64_cmp);
			return;
		}
	}
}

/* The first address of set above addr (aliases share one), 0 if none. */
static uint64_t next_above(const struct addr_set *set, uint64_t addr)
{
	size_t lo = 0, hi = set->n, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (set->v[mid] <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < set->n ? set->v[lo] : 0;
}

/* A read done: hidden when every address was 0, and each symbol's end. */
static void ksyms__finish(struct ksyms *ksyms, int nonzero)
{
	ksyms->hidden = ksyms->own.n + ksyms->mods.n && !nonzero;
	if (ksyms->nr)	/* qsort() takes no NULL, even for nothing */
		qsort(ksyms->syms, ksyms->nr, sizeof(*ksyms->syms), ksym_cmp);
	sort_addrs(&ksyms->own);
	sort_addrs(&ksyms->mods);
	for (size_t i = 0; i < ksyms->nr; i++)
		ksyms->syms[i].end = next_above(ksyms->syms[i].module ? &ksyms->mods : &ksyms->own,
						ksyms->syms[i].addr);
	free(ksyms->own.v);
	free(ksyms->mods.v);
	memset(&ksyms->own, 0, sizeof(ksyms->own));
	memset(&ksyms->mods, 0, sizeof(ksyms->mods));
}

static struct ksyms *ksyms__read(const char *path, struct wanted *w)
{
	struct ksyms *ksyms;
	char line[512];
	int nonzero = 0;
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		return NULL;
	/* Bigger reads: each read of /proc/kallsyms costs its own setup in the kernel. */
	setvbuf(f, NULL, _IOFBF, 1 << 16);
	ksyms = calloc(1, sizeof(*ksyms));
	if (!ksyms)
		goto err;
	while (fgets(line, sizeof(line), f)) {
		if (ksyms__parse_line(ksyms, line, w, &nonzero))
			goto err;
	}
	fclose(f);
	ksyms__finish(ksyms, nonzero);
	return ksyms;
err:
	fclose(f);
	ksyms__free(ksyms);
	errno = ENOMEM;
	return NULL;
}

struct ksyms *ksyms__load(const char *path, const char *const *names)
{
	struct wanted w = {};

	want_names(&w, names);
	return ksyms__read(path, &w);
}

struct ksyms *ksyms__load_data(const char *path)
{
	struct wanted w = { .data = true, .data_only = true };

	return ksyms__read(path, &w);
}

/*
 * The records of dump_ksyms (struct lrutop_ksym, then a name and a module's name) in buf;
 * the bytes used, the rest being a record not yet whole; or negative errno.
 */
static ssize_t parse_records(struct ksyms *ksyms, const struct wanted *w, const char *buf,
			     size_t len, int *nonzero)
{
	struct lrutop_ksym r;
	size_t off = 0;
	int err;

	while (off + sizeof(r) <= len) {
		memcpy(&r, buf + off, sizeof(r));
		if (off + sizeof(r) + r.name_len + r.mod_len > len)
			break;
		off += sizeof(r);
		err = keep_symbol(ksyms, w, r.addr, r.type, buf + off, r.name_len,
				  r.module ? buf + off + r.name_len : NULL, r.mod_len, nonzero);
		if (err)
			return err;
		off += r.name_len + r.mod_len;
	}
	return off;
}

/* What the ksym iterator is to keep, set in the kernel's iterators before their load. */
struct ksyms_iter {
	struct kernel_iters *iters;
	struct wanted w;
};

struct ksyms_iter *ksyms__iter_prepare(struct kernel_iters *iters, const char *const *names)
{
	struct ksyms_iter *it;

	if (!iters || !iters->skel || iters->ksyms)
		return NULL;
	it = calloc(1, sizeof(*it));
	if (!it)
		return NULL;
	it->iters = iters;
	it->w = (struct wanted){ .data = true };
	want_names(&it->w, names);
	for (size_t i = 0; i < it->w.n; i++) {
		if (it->w.len[i] < LRUTOP_KSYM_PREFIX)
			goto fail;	/* shorter than the iterator's filter */
	}
	iters->skel->rodata->keep_data = it->w.data;
	for (size_t i = 0; i < it->w.n; i++) {
		__u32 bit = ksym_prefix_bit(names[i]);

		iters->skel->bss->prefixes[bit / 8] |= 1 << (bit % 8);
	}
	return it;
fail:
	free(it);
	return NULL;
}

/* Read in chunks, parsed as they come: the whole output is a record per kernel symbol. */
#define ITER_CHUNK	(256 << 10)

struct ksyms *ksyms__iter_read(struct ksyms_iter *it)
{
	struct bpf_link *link = it->iters->ksyms ?
				bpf_program__attach_iter(it->iters->skel->progs.dump_ksyms, NULL) : NULL;
	int fd = link ? bpf_iter_create(bpf_link__fd(link)) : -1, nonzero = 0;
	struct ksyms *ksyms = fd >= 0 ? calloc(1, sizeof(*ksyms)) : NULL;
	char *buf = malloc(ITER_CHUNK);
	size_t len = 0;
	ssize_t n = -1, used;

	while (ksyms && buf && (n = read(fd, buf + len, ITER_CHUNK - len)) > 0) {
		len += n;
		used = parse_records(ksyms, &it->w, buf, len, &nonzero);
		if (used < 0)
			break;
		memmove(buf, buf + used, len - used);
		len -= used;
	}
	if (ksyms && (n || len)) {	/* a failed read, or a record cut short */
		ksyms__free(ksyms);
		ksyms = NULL;
	}
	if (ksyms)
		ksyms__finish(ksyms, nonzero);
	free(buf);
	if (fd >= 0)
		close(fd);
	bpf_link__destroy(link);
	free(it);
	return ksyms;
}

struct ksyms *ksyms__load_with_data(const char *path, const char *const *names)
{
	struct wanted w = { .data = true };

	want_names(&w, names);
	return ksyms__read(path, &w);
}

void ksyms__free(struct ksyms *ksyms)
{
	if (!ksyms)
		return;
	free(ksyms->names);
	free(ksyms->syms);
	free(ksyms->own.v);
	free(ksyms->mods.v);
	free(ksyms);
}

static const struct ksym *ksyms__find(const struct ksyms *ksyms, const char *name)
{
	for (size_t i = 0; ksyms && i < ksyms->nr; i++) {
		if (!strcmp(ksyms->names + ksyms->syms[i].name, name))
			return &ksyms->syms[i];
	}
	return NULL;
}

uint64_t ksyms__addr(const struct ksyms *ksyms, const char *name)
{
	const struct ksym *sym = ksyms__find(ksyms, name);

	return sym ? sym->addr : 0;
}

static int ksyms__range_of(const struct ksym *sym, uint64_t *lo, uint64_t *hi)
{
	if (!sym->addr || !sym->end)
		return -ENOENT;
	*lo = sym->addr;
	*hi = sym->end;
	return 0;
}

int ksyms__func_range(const struct ksyms *ksyms, const char *name, uint64_t *lo, uint64_t *hi)
{
	const struct ksym *sym = ksyms__find(ksyms, name);

	return sym ? ksyms__range_of(sym, lo, hi) : -ENOENT;
}

int ksyms__func_ranges(const struct ksyms *ksyms, const char *name, uint64_t *lo, uint64_t *hi,
		       int max)
{
	size_t len = strlen(name);
	const char *s;
	int n = 0;

	for (size_t i = 0; ksyms && i < ksyms->nr && n < max; i++) {
		s = ksyms->names + ksyms->syms[i].name;
		if (strncmp(s, name, len) || (s[len] && s[len] != '.'))
			continue;
		if (!ksyms__range_of(&ksyms->syms[i], &lo[n], &hi[n]))
			n++;
	}
	return n;
}

int ksyms__hidden(const struct ksyms *ksyms)
{
	return ksyms->hidden;
}

size_t ksyms__count(const struct ksyms *ksyms)
{
	return ksyms->nr;
}

const char *ksyms__nth(const struct ksyms *ksyms, size_t i, uint64_t *addr, uint64_t *end)
{
	if (i >= ksyms->nr)
		return NULL;
	*addr = ksyms->syms[i].addr;
	*end = ksyms->syms[i].end;
	return ksyms->names + ksyms->syms[i].name;
}

size_t ksyms__count_data(const struct ksyms *ksyms)
{
	size_t n = 0;

	for (size_t i = 0; i < ksyms->nr; i++)
		n += is_data(ksyms->syms[i].type);
	return n;
}

const char *ksyms__symbol_at(const struct ksyms *ksyms, uint64_t addr, uint64_t *off)
{
	size_t lo = 0, hi = ksyms->nr, mid;
	const struct ksym *sym;

	/* The last symbol at or below addr. */
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (ksyms->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	sym = &ksyms->syms[lo - 1];
	/* Kept functions (ksyms__load_with_data) hold code, no global. */
	if (!sym->addr || !sym->end || addr >= sym->end || !is_data(sym->type))
		return NULL;
	*off = addr - sym->addr;
	return ksyms->names + sym->name;
}
