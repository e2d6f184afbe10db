// SPDX-License-Identifier: GPL-2.0
/*
 * godiagctl inspect BINARY --break SPEC [--arg N:TYPE] [--field PATH]:
 * what a breakpoint on SPEC would probe (ctl/gobin/breakplan.h): the
 * sites, the RETs latency uses and where each argument is, printed as
 * text or JSON from one walk (base/print.h).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/print.h"
#include "base/util.h"
#include "cmd/inspect_break.h"
#include "gobin/buildid.h"

void inspect_breaks_add(const char ***list, size_t *n, const char *value)
{
	*list = xreallocarray(*list, *n + 1, sizeof(**list));
	(*list)[(*n)++] = value;
}

void inspect_breaks_free(struct inspect_breaks *ib)
{
	free(ib->specs);
	free(ib->argtypes);
	free(ib->fields);
	memset(ib, 0, sizeof(*ib));
}

static const char *const kind_names[] = {
	[GOBIN_ARG_INT] = "int",
	[GOBIN_ARG_UINT] = "uint",
	[GOBIN_ARG_BOOL] = "bool",
	[GOBIN_ARG_FLOAT] = "float",
	[GOBIN_ARG_PTR] = "ptr",
	[GOBIN_ARG_STRING] = "string",
	[GOBIN_ARG_SLICE] = "slice",
	[GOBIN_ARG_IFACE] = "iface",
};

static const char *kind_name(enum gobin_arg_kind k)
{
	return (size_t)k < sizeof(kind_names) / sizeof(kind_names[0]) ? kind_names[k] : "?";
}

/* "rax", "x3", or "" for the stack. */
static void reg_text(uint8_t reg, char *buf, size_t len)
{
	if (reg == GOBIN_NO_REG)
		buf[0] = '\0';
	else if (reg >= GOBIN_XREG(0))
		snprintf(buf, len, "x%u", reg - GOBIN_XREG(0));
	else
		snprintf(buf, len, "%s", gobin_reg_name(reg));
}

/* Appends to buf (of len bytes, used so far in *used), cutting at the end. */
__attribute__((format(printf, 4, 5)))
static void append(char *buf, size_t len, size_t *used, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*used >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *used, len - *used, fmt, ap);
	va_end(ap);
	if (n > 0)
		*used += (size_t)n;
}

/* A word's place as text: "rbx", "[rsp+8]", "[[rbx+16]+8]". */
static void loc_text(const struct gobin_loc *l, char *buf, size_t len)
{
	int i, n = l->nderef < GOBIN_BREAK_DEREF_MAX ? l->nderef : GOBIN_BREAK_DEREF_MAX;
	size_t used = 0;
	char reg[16];

	buf[0] = '\0';
	for (i = 0; i < n; i++)
		append(buf, len, &used, "[");
	reg_text(l->reg, reg, sizeof(reg));
	if (l->reg == GOBIN_NO_REG)
		append(buf, len, &used, "[rsp+%d]", l->sp_off);
	else
		append(buf, len, &used, "%s", reg);
	for (i = 0; i < n; i++)
		append(buf, len, &used, "+%d]", l->deref_off[i]);
}

static void print_loc(struct printer *p, const struct gobin_loc *l)
{
	char reg[16];
	int i;

	print_object_begin(p, NULL);
	reg_text(l->reg, reg, sizeof(reg));
	if (l->reg != GOBIN_NO_REG)
		print_string(p, PRINT_JSON, "reg", "%s", reg);
	else
		print_u64(p, PRINT_JSON, "sp_off", "%" PRIu64, (uint64_t)l->sp_off);
	print_array_begin(p, "deref");
	for (i = 0; i < l->nderef && i < GOBIN_BREAK_DEREF_MAX; i++)
		print_u64(p, PRINT_JSON, NULL, "%" PRIu64, (uint64_t)(uint32_t)l->deref_off[i]);
	print_array_end(p);
	print_object_end(p);
}

static void print_arg(struct printer *p, const struct gobin_arg *a)
{
	char where[512] = "", one[160];
	int w;

	print_object_begin(p, NULL);
	print_fp(p, "  ");
	print_string(p, PRINT_ANY, "name", "%-20s ", a->name);
	print_string(p, PRINT_ANY, "type", "%-18s ", a->type);
	print_string(p, PRINT_ANY, "kind", "%-7s ", kind_name(a->kind));
	print_u64(p, PRINT_ANY, "size", "%-3" PRIu64 " ", a->size);
	for (w = 0; w < a->nwords && w < 3; w++) {
		size_t used = strlen(where);

		loc_text(&a->word[w], one, sizeof(one));
		append(where, sizeof(where), &used, "%s%s", w ? ", " : "", one);
	}
	/* a slice whose first elements capture copies (--slice-elems): of what */
	if (a->kind == GOBIN_ARG_SLICE && a->has_elem) {
		size_t used = strlen(where);

		append(where, sizeof(where), &used, "; elements %s (%u B)",
		       kind_name(a->elem_kind), a->elem_size);
	}
	print_string(p, PRINT_FP, "words", "%s\n", where);
	print_array_begin(p, "words");
	for (w = 0; w < a->nwords && w < 3; w++)
		print_loc(p, &a->word[w]);
	print_array_end(p);
	if (a->kind == GOBIN_ARG_SLICE && a->has_elem) {
		print_string(p, PRINT_JSON, "elem_kind", NULL, kind_name(a->elem_kind));
		print_u64(p, PRINT_JSON, "elem_size", NULL, a->elem_size);
	}
	print_object_end(p);
}

/* "file" and "line", FILE (as fmt formats it) and ":LINE"; nothing without a file. */
static void print_where(struct printer *p, const char *fmt, const char *file, uint64_t line)
{
	if (!file)
		return;
	print_string(p, PRINT_ANY, "file", fmt, file);
	print_u64(p, PRINT_ANY, "line", ":%" PRIu64, line);
}

static void print_site(struct printer *p, const struct gobin_site *s)
{
	print_object_begin(p, NULL);
	print_fp(p, "  ");
	print_u64(p, PRINT_ANY, "vaddr", "0x%-9" PRIx64 " ", s->vaddr);
	print_u64(p, PRINT_ANY, "offset", "0x%-8" PRIx64 " ", s->offset);
	print_u64(p, PRINT_ANY, "func_offset", "0x%-8" PRIx64 " ", s->func_offset);
	print_string(p, PRINT_ANY, "at", "%-12s ", s->inlined ? "inlined" :
		     s->jcc >= 0 ? "stack check" : s->args_valid ? "entry" : "instruction");
	if (s->jcc >= 0)
		print_u64(p, PRINT_JSON, "jcc", "%" PRIu64, (uint64_t)s->jcc);
	print_bool(p, PRINT_JSON, "inlined", "%s", s->inlined);
	print_bool(p, PRINT_JSON, "args_valid", "%s", s->args_valid);
	print_string(p, PRINT_ANY, "function", "%s", s->func);
	print_where(p, "  %s", s->file, s->line);
	print_fp(p, "\n");
	print_object_end(p);
}

static void print_plan(struct printer *p, const struct gobin_break *bp)
{
	size_t i;

	print_object_begin(p, NULL);
	print_label(p, "break");
	print_string(p, PRINT_ANY, "spec", "%s", bp->spec);
	print_string(p, PRINT_ANY, "function", ": %s", bp->function);
	print_where(p, " at %s", bp->file, bp->line);
	print_fp(p, "\n");
	if (bp->note[0]) {
		print_label(p, "  note");
		print_string(p, PRINT_ANY, "note", "%s\n", bp->note);
	}
	print_label(p, "  sites");
	print_u64(p, PRINT_FP, "sites", "%" PRIu64, bp->nsites);
	print_u64(p, PRINT_ANY, "inlined_unprobed", ", inlined copies not probed: %" PRIu64 "\n",
		  bp->inlined_unprobed);
	print_array_begin(p, "sites");
	for (i = 0; i < bp->nsites; i++)
		print_site(p, &bp->sites[i]);
	print_array_end(p);
	print_label(p, "  rets");
	print_u64(p, PRINT_FP, "rets", "%" PRIu64 ":", bp->nrets);
	print_array_begin(p, "rets");
	for (i = 0; i < bp->nrets; i++)
		print_u64(p, PRINT_ANY, NULL, " 0x%" PRIx64, bp->rets[i]);
	print_array_end(p);
	print_fp(p, " (file offsets)\n");
	print_label(p, "  args");
	print_u64(p, PRINT_FP, "args", "%" PRIu64 "\n", bp->nargs);
	print_array_begin(p, "args");
	for (i = 0; i < bp->nargs; i++)
		print_arg(p, &bp->args[i]);
	print_array_end(p);
	print_object_end(p);
}

int inspect_breaks_print(const char *cmd, const struct gobin *b, unsigned int pid,
			 const struct inspect_breaks *ib, bool json)
{
	struct gobin_break_opts opts = {
		.argtypes = ib->argtypes, .nargtypes = ib->nargtypes,
		.fields = ib->fields, .nfields = ib->nfields,
	};
	struct gobin_break *plans = xcalloc(ib->nspecs, sizeof(*plans));
	struct printer p = { 0 };
	char err[1024];
	size_t i;

	/* Every spec first: a bad one prints nothing but its line. */
	for (i = 0; i < ib->nspecs; i++) {
		char why[1024];

		if (!gobin_break_plan(b, ib->specs[i], &opts, &plans[i], err, sizeof(err)))
			continue;
		/* a name the running build lacks: was it redeployed? */
		if (pid && buildid_exe_replaced(pid, why, sizeof(why)))
			die(EXIT_USAGE, "%s: %s; %s", cmd, err, why);
		die(EXIT_USAGE, "%s: %s", cmd, err);
	}
	print_begin(&p, stdout, json);
	print_label(&p, "path");
	print_string(&p, PRINT_ANY, "path", "%s\n", b->path);
	print_label(&p, "go version");
	print_string(&p, PRINT_ANY, "go_version", "%s\n", b->go_version);
	print_label(&p, "dwarf");
	print_bool(&p, PRINT_ANY, "dwarf", "%s\n", b->has_dwarf);
	print_array_begin(&p, "breakpoints");
	for (i = 0; i < ib->nspecs; i++)
		print_plan(&p, &plans[i]);
	print_array_end(&p);
	print_end(&p);
	free(plans);
	return EXIT_OK;
}
