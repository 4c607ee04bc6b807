// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ksyms.h"

struct ksym {
	uint64_t addr;
	char *name;
};

struct ksyms {
	struct ksym *syms;
	size_t nr;
	size_t cap;
	int hidden;
};

static int ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return 0;
}

static int ksyms__add(struct ksyms *ksyms, uint64_t addr, const char *name)
{
	struct ksym *syms;

	if (ksyms->nr == ksyms->cap) {
		ksyms->cap = ksyms->cap ? ksyms->cap * 2 : 4096;
		syms = realloc(ksyms->syms, ksyms->cap * sizeof(*syms));
		if (!syms)
			return -ENOMEM;
		ksyms->syms = syms;
	}
	ksyms->syms[ksyms->nr].addr = addr;
	ksyms->syms[ksyms->nr].name = strdup(name);
	if (!ksyms->syms[ksyms->nr].name)
		return -ENOMEM;
	ksyms->nr++;
	return 0;
}

struct ksyms *ksyms__load(const char *path)
{
	char line[512], name[256], type;
	unsigned long long addr;
	struct ksyms *ksyms;
	int nonzero = 0;
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		return NULL;
	ksyms = calloc(1, sizeof(*ksyms));
	if (!ksyms)
		goto err;
	while (fgets(line, sizeof(line), f)) {
		/* "addr type name [module]": a fourth field means a module symbol. */
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3 || strchr(line, '['))
			continue;
		if (addr)
			nonzero = 1;
		if (ksyms__add(ksyms, addr, name))
			goto err;
	}
	fclose(f);
	ksyms->hidden = ksyms->nr && !nonzero;
	qsort(ksyms->syms, ksyms->nr, sizeof(*ksyms->syms), ksym_cmp);
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
	for (size_t i = 0; i < ksyms->nr; i++)
		free(ksyms->syms[i].name);
	free(ksyms->syms);
	free(ksyms);
}

static const struct ksym *ksyms__find(const struct ksyms *ksyms, const char *name, size_t *idx)
{
	for (size_t i = 0; ksyms && i < ksyms->nr; i++) {
		if (!strcmp(ksyms->syms[i].name, name)) {
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

int ksyms__func_range(const struct ksyms *ksyms, const char *name, uint64_t *lo, uint64_t *hi)
{
	const struct ksym *sym;
	size_t i;

	sym = ksyms__find(ksyms, name, &i);
	if (!sym || !sym->addr)
		return -ENOENT;
	/* Aliases share an address: the end is the first strictly higher one. */
	while (i < ksyms->nr && ksyms->syms[i].addr == sym->addr)
		i++;
	if (i == ksyms->nr)
		return -ENOENT;
	*lo = sym->addr;
	*hi = ksyms->syms[i].addr;
	return 0;
}

int ksyms__hidden(const struct ksyms *ksyms)
{
	return ksyms->hidden;
}
