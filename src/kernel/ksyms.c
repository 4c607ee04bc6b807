// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ksyms.h"

/* A symbol kept: its address and the next higher address of any symbol (0: none). */
struct ksym {
	uint64_t addr, end;
	size_t name;		/* offset in ksyms->names */
	char type;		/* kallsyms' letter */
};

/*
 * The symbols asked for, and every address: a range ends at the next symbol, whatever its
 * name. Names in one block: 120,000 strdup()s were a third of lrutop's start-up.
 */
struct ksyms {
	struct ksym *syms;
	size_t nr, cap;
	char *names;
	size_t names_len, names_cap;
	uint64_t *addrs;	/* of all the kernel's own symbols */
	size_t nr_addrs, addrs_cap;
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

static int ksyms__add(struct ksyms *ksyms, uint64_t addr, char type, const char *name, size_t len)
{
	if (grow((void **)&ksyms->syms, &ksyms->cap, ksyms->nr + 1, sizeof(*ksyms->syms)) ||
	    grow((void **)&ksyms->names, &ksyms->names_cap, ksyms->names_len + len + 1, 1))
		return -ENOMEM;
	memcpy(ksyms->names + ksyms->names_len, name, len);
	ksyms->names[ksyms->names_len + len] = '\0';
	ksyms->syms[ksyms->nr++] = (struct ksym){ .addr = addr, .name = ksyms->names_len, .type = type };
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
 * One line: "addr type name\n", or "addr type name\t[module]\n" for a module's symbol (skipped
 * unless w->data). Parsed by hand: sscanf() per line cost more than reading the file.
 */
static int ksyms__parse_line(struct ksyms *ksyms, const char *line, const struct wanted *w,
			     int *nonzero)
{
	const char *name, *end, *p;
	char full[256];
	uint64_t addr;
	bool module;
	size_t len;

	addr = hex(line, &p);
	if (p == line || p[0] != ' ' || !p[1] || p[2] != ' ')
		return 0;
	name = p + 3;
	end = name + strcspn(name, " \t\n");
	module = *end == '\t';
	if ((module && !w->data) || end == name)
		return 0;
	if (addr)
		*nonzero = 1;
	if (grow((void **)&ksyms->addrs, &ksyms->addrs_cap, ksyms->nr_addrs + 1, sizeof(addr)))
		return -ENOMEM;
	ksyms->addrs[ksyms->nr_addrs++] = addr;
	if (!(w->data && is_data(p[1])) && (module || w->data_only || !is_wanted(w, name, end - name)))
		return 0;
	len = end - name;
	if (*end == '\t') {
		/* "name\t[module]": kept as "name [module]" */
		len = snprintf(full, sizeof(full), "%.*s %.*s", (int)len, name,
			       (int)strcspn(end + 1, "\n"), end + 1);
		name = full;
		if (len >= sizeof(full))
			len = sizeof(full) - 1;
	}
	return ksyms__add(ksyms, addr, p[1], name, len);
}

static int ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return u64_cmp(&x->addr, &y->addr);
}

/* Each symbol's end: the first address above it (aliases share one). */
static void ksyms__ends(struct ksyms *ksyms)
{
	size_t lo, hi, mid;

	if (ksyms->nr)	/* qsort() takes no NULL, even for nothing */
		qsort(ksyms->syms, ksyms->nr, sizeof(*ksyms->syms), ksym_cmp);

	for (size_t i = 1; i < ksyms->nr_addrs; i++) {
		if (ksyms->addrs[i - 1] > ksyms->addrs[i]) {
			/* The kernel lists its own symbols in address order: sort only if not. */
			qsort(ksyms->addrs, ksyms->nr_addrs, sizeof(*ksyms->addrs), u64_cmp);
			break;
		}
	}
	for (size_t i = 0; i < ksyms->nr; i++) {
		for (lo = 0, hi = ksyms->nr_addrs; lo < hi;) {
			mid = (lo + hi) / 2;
			if (ksyms->addrs[mid] <= ksyms->syms[i].addr)
				lo = mid + 1;
			else
				hi = mid;
		}
		ksyms->syms[i].end = lo < ksyms->nr_addrs ? ksyms->addrs[lo] : 0;
	}
	free(ksyms->addrs);
	ksyms->addrs = NULL;
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
	ksyms->hidden = ksyms->nr_addrs && !nonzero;
	ksyms__ends(ksyms);
	return ksyms;
err:
	fclose(f);
	ksyms__free(ksyms);
	errno = ENOMEM;
	return NULL;
}

struct ksyms *ksyms__load(const char *path, const char *const *names)
{
	struct wanted w = { .names = names };

	for (; names && names[w.n] && w.n < MAX_WANTED; w.n++)
		w.len[w.n] = strlen(names[w.n]);
	return ksyms__read(path, &w);
}

struct ksyms *ksyms__load_data(const char *path)
{
	struct wanted w = { .data = true, .data_only = true };

	return ksyms__read(path, &w);
}

struct ksyms *ksyms__load_with_data(const char *path, const char *const *names)
{
	struct wanted w = { .names = names, .data = true };

	for (; names && names[w.n] && w.n < MAX_WANTED; w.n++)
		w.len[w.n] = strlen(names[w.n]);
	return ksyms__read(path, &w);
}

void ksyms__free(struct ksyms *ksyms)
{
	if (!ksyms)
		return;
	free(ksyms->names);
	free(ksyms->syms);
	free(ksyms->addrs);
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
