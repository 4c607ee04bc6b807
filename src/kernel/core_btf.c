// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE	/* memfd_create */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>
#include "lrutop.h"
#include "core_btf.h"
#include "lrutop.skel.h"
#include "inventory.skel.h"

/* The names of the objects' types, without a flavour ("page___pre517": "page"), sorted. */
struct names {
	char **v;
	size_t n, cap;
};

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_named_kind(const struct btf_type *t)
{
	return btf_is_composite(t) || btf_is_enum(t) || btf_is_enum64(t) || btf_is_typedef(t) ||
	       btf_is_fwd(t);
}

static int names_add(struct names *s, const char *name)
{
	const char *flavour = strstr(name, "___");
	size_t len = flavour ? (size_t)(flavour - name) : strlen(name);
	char **v;

	if (!len)
		return 0;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 256;
		v = realloc(s->v, s->cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		s->v = v;
	}
	s->v[s->n] = strndup(name, len);
	return s->v[s->n++] ? 0 : -ENOMEM;
}

/* The named types of the BPF object in elf. */
static int object_names(const void *elf, size_t size, struct names *s)
{
	struct bpf_object *obj = bpf_object__open_mem(elf, size, NULL);
	const struct btf *btf;
	const struct btf_type *t;
	int err = 0;

	if (!obj)
		return -errno;
	btf = bpf_object__btf(obj);
	for (__u32 id = 1; btf && !err && id < btf__type_cnt(btf); id++) {
		t = btf__type_by_id(btf, id);
		if (is_named_kind(t) && t->name_off)
			err = names_add(s, btf__name_by_offset(btf, t->name_off));
	}
	bpf_object__close(obj);
	return err;
}

static bool names_has(const struct names *s, const char *name)
{
	return bsearch(&name, s->v, s->n, sizeof(*s->v), by_name) != NULL;
}

/* Mark id, to be read later from the stack (each type once: the stack holds them all). */
static void push(__u32 *keep, __u32 *stack, size_t *top, __u32 id)
{
	if (!id || keep[id])
		return;
	keep[id] = 1;
	stack[(*top)++] = id;
}

/*
 * Mark id and what a relocation may read through it: a composite's members' types, an
 * array's element, a typedef's or modifier's target, a prototype's; a pointer alone (its
 * target is cut). A stack, not recursion: the embedding runs deep.
 */
static void mark(const struct btf *btf, __u32 *keep, __u32 *stack, __u32 id)
{
	const struct btf_type *t;
	size_t top = 0;

	push(keep, stack, &top, id);
	while (top) {
		t = btf__type_by_id(btf, stack[--top]);
		if (btf_is_composite(t)) {
			for (int i = 0; i < btf_vlen(t); i++)
				push(keep, stack, &top, btf_members(t)[i].type);
		} else if (btf_is_func_proto(t)) {
			for (int i = 0; i < btf_vlen(t); i++)
				push(keep, stack, &top, btf_params(t)[i].type);
			push(keep, stack, &top, t->type);
		} else if (btf_is_array(t)) {
			push(keep, stack, &top, btf_array(t)->type);
			push(keep, stack, &top, btf_array(t)->index_type);
		} else if (btf_is_mod(t) || btf_is_typedef(t)) {
			push(keep, stack, &top, t->type);
		}
	}
}

/* Point the copied type t's references at the cut's ids (keep: old id to new). */
static void remap(struct btf_type *t, const __u32 *keep)
{
	if (btf_is_ptr(t)) {
		t->type = 0;
	} else if (btf_is_composite(t)) {
		for (int i = 0; i < btf_vlen(t); i++)
			btf_members(t)[i].type = keep[btf_members(t)[i].type];
	} else if (btf_is_func_proto(t)) {
		t->type = keep[t->type];
		for (int i = 0; i < btf_vlen(t); i++)
			btf_params(t)[i].type = keep[btf_params(t)[i].type];
	} else if (btf_is_array(t)) {
		btf_array(t)->type = keep[btf_array(t)->type];
		btf_array(t)->index_type = keep[btf_array(t)->index_type];
	} else if (btf_is_mod(t) || btf_is_typedef(t)) {
		t->type = keep[t->type];
	}
}

static int write_memfd(const struct btf *btf, char *path, size_t len)
{
	__u32 size;
	const void *raw = btf__raw_data(btf, &size);
	int fd;

	if (!raw)
		return -ENOMEM;
	fd = memfd_create("lrutop-core-btf", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, raw, size) != (ssize_t)size) {
		close(fd);
		return -EIO;
	}
	snprintf(path, len, "/proc/self/fd/%d", fd);
	return fd;
}

int core_btf_cut(const struct btf *vmlinux, char *path, size_t len)
{
	__u32 n = btf__type_cnt(vmlinux), *keep, *stack, next = 0;
	struct names names = {};
	const struct btf_type *t;
	struct btf *cut = NULL;
	const void *elf;
	size_t size;
	int err;

	keep = calloc(n, sizeof(*keep));
	stack = calloc(n, sizeof(*stack));
	if (!keep || !stack) {
		err = -ENOMEM;
		goto cleanup;
	}
	elf = lrutop_bpf__elf_bytes(&size);
	err = object_names(elf, size, &names);
	elf = inventory_bpf__elf_bytes(&size);
	if (!err)
		err = object_names(elf, size, &names);
	if (err)
		goto cleanup;
	qsort(names.v, names.n, sizeof(*names.v), by_name);
	/* The roots: the kernel's types of those names, all of them (as libbpf's candidates). */
	for (__u32 id = 1; id < n; id++) {
		t = btf__type_by_id(vmlinux, id);
		if (is_named_kind(t) && t->name_off &&
		    names_has(&names, btf__name_by_offset(vmlinux, t->name_off)))
			mark(vmlinux, keep, stack, id);
	}
	cut = btf__new_empty();
	if (!cut) {
		err = -ENOMEM;
		goto cleanup;
	}
	/* New ids in the old order; then each copy's references moved to them. */
	for (__u32 id = 1; id < n; id++)
		keep[id] = keep[id] ? ++next : 0;
	for (__u32 id = 1; id < n && !err; id++) {
		if (!keep[id])
			continue;
		err = btf__add_type(cut, vmlinux, btf__type_by_id(vmlinux, id));
		if (err > 0)
			err = (__u32)err == keep[id] ? 0 : -EINVAL;
		if (!err)
			remap((struct btf_type *)btf__type_by_id(cut, keep[id]), keep);
	}
	if (!err)
		err = write_memfd(cut, path, len);
cleanup:
	for (size_t i = 0; i < names.n; i++)
		free(names.v[i]);
	free(names.v);
	btf__free(cut);
	free(keep);
	free(stack);
	return err;
}
