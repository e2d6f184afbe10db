// SPDX-License-Identifier: GPL-2.0
/*
 * TEMPORARY stand-in for breakplan.c (branch bpplan), which replaces this
 * file whole: function-name specs only, arguments by position as --arg
 * types them (64-bit ints otherwise), in Go's integer argument registers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gobin/breakplan.h"

static const uint8_t int_regs[] = {
	GODIAG_REG_RAX, GODIAG_REG_RBX, GODIAG_REG_RCX, GODIAG_REG_RDI, GODIAG_REG_RSI,
	GODIAG_REG_R8, GODIAG_REG_R9, GODIAG_REG_R10, GODIAG_REG_R11,
};

static const struct {
	const char *name;
	enum gobin_arg_kind kind;
	uint8_t size, nwords;
} types[] = {
	{ "int", GOBIN_ARG_INT, 8, 1 }, { "int64", GOBIN_ARG_INT, 8, 1 },
	{ "int32", GOBIN_ARG_INT, 4, 1 }, { "int16", GOBIN_ARG_INT, 2, 1 },
	{ "int8", GOBIN_ARG_INT, 1, 1 }, { "uint", GOBIN_ARG_UINT, 8, 1 },
	{ "uint64", GOBIN_ARG_UINT, 8, 1 }, { "uint32", GOBIN_ARG_UINT, 4, 1 },
	{ "uint16", GOBIN_ARG_UINT, 2, 1 }, { "uint8", GOBIN_ARG_UINT, 1, 1 },
	{ "bool", GOBIN_ARG_BOOL, 1, 1 }, { "ptr", GOBIN_ARG_PTR, 8, 1 },
	{ "string", GOBIN_ARG_STRING, 8, 2 }, { "slice", GOBIN_ARG_SLICE, 8, 3 },
	{ "iface", GOBIN_ARG_IFACE, 8, 2 },
};

static int type_of(const char *t)
{
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(types[i].name, t))
			return (int)i;
	return -1;
}

/* The --arg type of position pos (1-based): index into types[]. */
static int arg_type(const struct gobin_break_opts *o, size_t pos, char *err, size_t errlen)
{
	size_t i;
	int t = 0;

	for (i = 0; o && i < o->nargtypes; i++) {
		const char *colon = strchr(o->argtypes[i], ':');

		if (!colon || strtoul(o->argtypes[i], NULL, 10) != pos)
			continue;
		t = type_of(colon + 1);
		if (t < 0)
			snprintf(err, errlen, "--arg %s: unknown type", o->argtypes[i]);
	}
	return t;
}

static size_t max_pos(const struct gobin_break_opts *o)
{
	size_t i, n = 0, p;

	for (i = 0; o && i < o->nargtypes; i++) {
		p = strtoul(o->argtypes[i], NULL, 10);
		if (p > n)
			n = p;
	}
	return n;
}

static int plan_args(const struct gobin_break_opts *o, struct gobin_break *out,
		     char *err, size_t errlen)
{
	size_t pos, reg = 0, w, n = max_pos(o);
	struct gobin_arg *a;
	int t;

	for (pos = 1; pos <= n && pos <= GOBIN_BREAK_ARGS_MAX; pos++) {
		t = arg_type(o, pos, err, errlen);
		if (t < 0)
			return -1;
		if (reg + types[t].nwords > sizeof(int_regs)) {
			snprintf(err, errlen, "argument %zu is not in a register", pos);
			return -1;
		}
		a = &out->args[out->nargs++];
		memset(a, 0, sizeof(*a));
		snprintf(a->name, sizeof(a->name), "arg%zu", pos);
		snprintf(a->type, sizeof(a->type), "%s", types[t].name);
		a->kind = types[t].kind;
		a->size = types[t].size;
		a->nwords = types[t].nwords;
		for (w = 0; w < a->nwords; w++)
			a->word[w].reg = int_regs[reg++];
	}
	return 0;
}

int gobin_break_plan(const struct gobin *b, const char *spec,
		     const struct gobin_break_opts *opts,
		     struct gobin_break *out, char *err, size_t errlen)
{
	uint64_t entry, end, at, rets[GOBIN_BREAK_RETS_MAX];
	struct gobin_site *s;
	int jcc, n, i;

	memset(out, 0, sizeof(*out));
	snprintf(out->spec, sizeof(out->spec), "%s", spec);
	snprintf(out->function, sizeof(out->function), "%s", spec);
	if (gobin_func_range(b, spec, &entry, &end)) {
		snprintf(err, errlen, "no function %s in %s", spec, b->path);
		return -1;
	}
	at = gobin_entry_probe(b, entry, end, &jcc);
	s = &out->sites[out->nsites++];
	s->vaddr = at;
	s->jcc = (int8_t)jcc;
	s->args_valid = true;
	s->func = gobin_func_name(b, entry);
	if (gobin_file_offset(b, at, &s->offset) ||
	    gobin_file_offset(b, entry, &s->func_offset)) {
		snprintf(err, errlen, "%s: not in the file", spec);
		return -1;
	}
	n = gobin_rets(b, entry, end, rets, GOBIN_BREAK_RETS_MAX);
	for (i = 0; i < n && i < GOBIN_BREAK_RETS_MAX; i++)
		if (!gobin_file_offset(b, rets[i], &out->rets[out->nrets]))
			out->nrets++;
	return plan_args(opts, out, err, errlen);
}
