// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ksyms.h"

struct ksym {
	uint64_t addr;
	size_t name;		/* offset in ksyms->names */
};

/* All names in one block: 120,000 strdup()s were a third of lrutop's start-up. */
struct ksyms {
	struct ksym *syms;
	size_t nr, cap;
	char *names;
	size_t names_len, names_cap;
	int hidden;
};

static int ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return 0;
}

static int ksyms__add(struct ksyms *ksyms, uint64_t addr, const char *name, size_t len)
{
	struct ksym *syms;
	char *names;

	if (ksyms->nr == ksyms->cap) {
		ksyms->cap = ksyms->cap ? ksyms->cap * 2 : 4096;
		syms = realloc(ksyms->syms, ksyms->cap * sizeof(*syms));
		if (!syms)
			return -ENOMEM;
		ksyms->syms = syms;
	}
	if (ksyms->names_len + len + 1 > ksyms->names_cap) {
		ksyms->names_cap = (ksyms->names_cap + len + 1) * 2;
		names = realloc(ksyms->names, ksyms->names_cap);
		if (!names)
			return -ENOMEM;
		ksyms->names = names;
	}
	memcpy(ksyms->names + ksyms->names_len, name, len);
	ksyms->names[ksyms->names_len + len] = '\0';
	ksyms->syms[ksyms->nr].addr = addr;
	ksyms->syms[ksyms->nr].name = ksyms->names_len;
	ksyms->names_len += len + 1;
	ksyms->nr++;
	return 0;
}

/*
 * One line: "addr type name\n", or "addr type name\t[module]\n" for a module's symbol (skipped).
 * Parsed by hand: sscanf() per line cost more than reading the file.
 */
static int ksyms__parse_line(struct ksyms *ksyms, const char *line, int *nonzero)
{
	const char *name, *end;
	uint64_t addr;
	char *p;

	addr = strtoull(line, &p, 16);
	if (p == line || p[0] != ' ' || !p[1] || p[2] != ' ')
		return 0;
	name = p + 3;
	end = name + strcspn(name, " \t\n");
	if (*end == '\t' || end == name)
		return 0;
	if (addr)
		*nonzero = 1;
	return ksyms__add(ksyms, addr, name, end - name);
}

struct ksyms *ksyms__load(const char *path)
{
	struct ksyms *ksyms;
	char line[512];
	int nonzero = 0;
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		return NULL;
	ksyms = calloc(1, sizeof(*ksyms));
	if (!ksyms)
		goto err;
	while (fgets(line, sizeof(line), f)) {
		if (ksyms__parse_line(ksyms, line, &nonzero))
			goto err;
	}
	fclose(f);
	ksyms->hidden = ksyms->nr && !nonzero;
	/* The kernel lists its own symbols in address order: sort only if not. */
	for (size_t i = 1; i < ksyms->nr; i++) {
		if (ksyms->syms[i - 1].addr > ksyms->syms[i].addr) {
			qsort(ksyms->syms, ksyms->nr, sizeof(*ksyms->syms), ksym_cmp);
			break;
		}
	}
	return ksyms;
err:
	fclose(f);
	ksyms__free(ksyms);
	errno = ENOMEM;
	return NULL;
}

void ksyms__free(struct ksyms *ksyms)
{
	if (!ksyms)
		return;
	free(ksyms->names);
	free(ksyms->syms);
	free(ksyms);
}

static const struct ksym *ksyms__find(const struct ksyms *ksyms, const char *name, size_t *idx)
{
	for (size_t i = 0; ksyms && i < ksyms->nr; i++) {
		if (!strcmp(ksyms->names + ksyms->syms[i].name, name)) {
			*idx = i;
			return &ksyms->syms[i];
		}
	}
	return NULL;
}

uint64_t ksyms__addr(const struct ksyms *ksyms, const char *name)
{
	const struct ksym *sym;
	size_t i;

	sym = ksyms__find(ksyms, name, &i);
	return sym ? sym->addr : 0;
}

/* [lo, hi) of the symbol at index i: up to the next one at a higher address. */
static int ksyms__range_at(const struct ksyms *ksyms, size_t i, uint64_t *lo, uint64_t *hi)
{
	uint64_t addr = ksyms->syms[i].addr;

	if (!addr)
		return -ENOENT;
	/* Aliases share an address: the end is the first strictly higher one. */
	while (i < ksyms->nr && ksyms->syms[i].addr == addr)
		i++;
	if (i == ksyms->nr)
		return -ENOENT;
	*lo = addr;
	*hi = ksyms->syms[i].addr;
	return 0;
}

int ksyms__func_range(const struct ksyms *ksyms, const char *name, uint64_t *lo, uint64_t *hi)
{
	const struct ksym *sym;
	size_t i;

	sym = ksyms__find(ksyms, name, &i);
	if (!sym)
		return -ENOENT;
	return ksyms__range_at(ksyms, i, lo, hi);
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
		if (!ksyms__range_at(ksyms, i, &lo[n], &hi[n]))
			n++;
	}
	return n;
}

int ksyms__hidden(const struct ksyms *ksyms)
{
	return ksyms->hidden;
}
