// SPDX-License-Identifier: GPL-2.0
/*
 * godiagctl inspect: what godiagctl reads from a Go program, and the
 * uprobe points goroutine tracing would place in it. Needs no module.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/print.h"
#include "base/proc.h"
#include "base/util.h"
#include "cmd/cmd.h"
#include "cmd/inspect_break.h"
#include "gobin/gobin.h"

#define RETS_MAX	256
#define LINE_PCS_MAX	256

static const char *const inspect_usage =
	"Usage: " PROG " inspect [OPTIONS] BINARY\n"
	"       " PROG " inspect [OPTIONS] -p PID\n"
	"\n"
	"Show what " PROG " reads from a Go program: its Go version, how it was\n"
	"built (PIE, symbol table, DWARF), its pclntab, the runtime.g layout and\n"
	"the wait reasons goroutine tracing uses, and the uprobe points it would\n"
	"place (function, address, file offset, registers). Stripped programs\n"
	"work too. Needs neither the module nor root, except to read another\n"
	"user's /proc/PID/exe.\n"
	"\n"
	"Options:\n"
	"  -p, --pid PID         the program of a running process (/proc/PID/exe),\n"
	"                        with its load bias\n"
	"      --func NAME       a function by its exact Go name, such as\n"
	"                        main.(*Server).handle or main.main.func1: range,\n"
	"                        file:line, file offset and RET instructions\n"
	"      --line FILE:LINE  the first PC of each function with code for that\n"
	"                        line; FILE is a path or its last elements (main.go)\n"
	"      --reasons         list the wait reasons\n"
	"      --break SPEC      instead of the above, what a breakpoint on SPEC\n"
	"                        would probe: a function (main.handle,\n"
	"                        main.(*Server).ServeHTTP), FILE:LINE or 0xADDR;\n"
	"                        its sites (entry probe point, inlined copies),\n"
	"                        RETs and where each argument is (repeatable)\n"
	"      --arg N:TYPE      with --break: argument N (from 1) has TYPE (int,\n"
	"                        int8..int64, uint.., uintptr, bool, float32,\n"
	"                        float64, ptr, string, slice, iface, any); without\n"
	"                        DWARF, arguments are known only this way\n"
	"      --field PATH      with --break: also read a field through pointers,\n"
	"                        such as req.Method (needs DWARF)\n"
	"  -j, --json            print one JSON object\n"
	"  -h, --help            show this help\n"
	"\n"
	"Goroutine tracing supports go1.19 and later: the facts it needs come\n"
	"from DWARF, else from the program's own code and data, and inspect\n"
	"lists where each came from. When it cannot trace the program,\n"
	"inspect prints the rest, says why, and still exits 0. Exit status 1:\n"
	"a usage error, the file is missing, not a Go program for x86-64 or\n"
	"damaged, -p names no process, NAME or FILE:LINE is not found, or a\n"
	"--break SPEC cannot be planned; 4:\n"
	"the file may not be read.\n";

static const char *const kind_names[] = {
	[GODIAG_PROBE_GO_CREATE] = "create",
	[GODIAG_PROBE_GO_START] = "start",
	[GODIAG_PROBE_GO_PARK] = "park",
	[GODIAG_PROBE_GO_READY] = "ready",
	[GODIAG_PROBE_GO_EXIT] = "exit",
};

struct inspect {
	const struct cmd *c;
	struct gobin b;
	bool json, list_reasons;
	uint32_t pid;
	char exe[PATH_MAX];		/* what /proc/PID/exe points at */
	bool have_bias;
	uint64_t bias;
	bool traced;			/* gobin_goroutine_setup() succeeded */
	char why[512];			/* else why not */

	const char *func;		/* --func */
	const char *func_name;		/* as the pclntab has it */
	uint64_t entry, end, offset;
	const char *func_file;
	uint32_t func_line;
	uint64_t rets[RETS_MAX];
	int nrets;
	uint64_t probe;			/* where an entry probe goes */
	int probe_jcc;			/* its GODIAG_A_PROBE_JCC, -1: none */

	const char *line_arg;		/* --line */
	char line_file[PATH_MAX];
	uint32_t line;
	uint64_t pcs[LINE_PCS_MAX];
	int npcs;

	struct inspect_breaks breaks;	/* --break, --arg, --field */
};

static const char *kind_name(uint32_t kind)
{
	if (kind < ARRAY_SIZE(kind_names) && kind_names[kind])
		return kind_names[kind];
	return "?";
}

/* Where an entry probe with this jump condition sits, in words. */
static const char *entry_at(int jcc)
{
	return jcc >= 0 ? "stack check" : "entry";
}

/* What instruction a probe sits on, in words. */
static const char *probe_at(const struct gobin_probe *p)
{
	return p->kind == GODIAG_PROBE_GO_CREATE ? "ret" : entry_at(p->jcc);
}

static void find_bias(struct inspect *in, const char *path)
{
	proc_exe((pid_t)in->pid, in->exe, sizeof(in->exe));
	in->have_bias = !gobin_process_bias(&in->b, in->pid, path, &in->bias);
}

static void suggest(struct inspect *in, char *buf, size_t len)
{
	const char *names[4];
	size_t n, i, used;

	buf[0] = '\0';
	n = gobin_func_suggest(&in->b, in->func, names, ARRAY_SIZE(names));
	if (!n)
		return;
	used = (size_t)snprintf(buf, len, "; did you mean ");
	for (i = 0; i < n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
					 i ? (i + 1 == n ? " or " : ", ") : "", names[i]);
}

static void look_up_func(struct inspect *in)
{
	char hint[512];

	if (gobin_func_range(&in->b, in->func, &in->entry, &in->end)) {
		suggest(in, hint, sizeof(hint));
		die(EXIT_USAGE, "%s: no function '%s' in %s%s", in->c->name, in->func,
		    in->b.path, hint);
	}
	in->func_name = gobin_func_name(&in->b, in->entry);
	if (!in->func_name)
		in->func_name = in->func;
	if (gobin_line(&in->b, in->entry, &in->func_file, &in->func_line))
		in->func_file = NULL;
	if (gobin_file_offset(&in->b, in->entry, &in->offset))
		die(EXIT_USAGE, "%s: %s: function %s is not in the file",
		    in->c->name, in->b.path, in->func);
	in->nrets = gobin_rets(&in->b, in->entry, in->end, in->rets, RETS_MAX);
	if (in->nrets < 0)
		die(EXIT_USAGE, "%s: %s: cannot disassemble %s", in->c->name,
		    in->b.path, in->func);
	if (in->nrets > RETS_MAX)
		in->nrets = RETS_MAX;
	in->probe = gobin_entry_probe(&in->b, in->entry, in->end, &in->probe_jcc);
}

static void look_up_line(struct inspect *in)
{
	const char *colon = strrchr(in->line_arg, ':');
	const char *reason;
	size_t flen;

	if (!colon || colon == in->line_arg)
		cmd_usage_error(in->c, "--line needs FILE:LINE, not '%s'", in->line_arg);
	reason = parse_u32(colon + 1, 1, INT32_MAX, &in->line);
	if (reason)
		cmd_usage_error(in->c, "--line '%s': %s line number", in->line_arg,
				reason);
	flen = (size_t)(colon - in->line_arg);
	if (flen >= sizeof(in->line_file))
		cmd_usage_error(in->c, "--line: file name too long");
	memcpy(in->line_file, in->line_arg, flen);
	in->line_file[flen] = '\0';
	in->npcs = gobin_line_pcs(&in->b, in->line_file, in->line, in->pcs,
				  LINE_PCS_MAX);
	if (in->npcs <= 0)
		die(EXIT_USAGE, "%s: no code for %s:%u in %s", in->c->name,
		    in->line_file, in->line, in->b.path);
	if (in->npcs > LINE_PCS_MAX)
		in->npcs = LINE_PCS_MAX;
}

/* ---- text and JSON, from one walk (base/print.h) ------------------ */

#define LABEL "%-13s "

/* A fact's value as text: "152", "0x69ec40 (47)", "rax", "absent". */
static void fact_value(const struct gobin_fact *fa, enum gobin_fact_id id,
		       char *buf, size_t len)
{
	if (fa->absent)
		snprintf(buf, len, "absent");
	else if (id == GOBIN_F_REASONS)
		snprintf(buf, len, "0x%" PRIx64 " (%" PRIu64 ")", fa->value, fa->count);
	else if (id >= GOBIN_F_REG_NEWPROC1)
		snprintf(buf, len, "%s", gobin_reg_name((uint8_t)fa->value));
	else
		snprintf(buf, len, "%" PRIu64, fa->value);
}

/* JSON: "agree":[S,...], the ways of the text's "a, b". */
static void json_agree(struct printer *p, const char *agree)
{
	const char *s, *q;

	print_array_begin_to(p, PRINT_JSON, "agree");
	for (s = agree; *s; s = *q ? q + 2 : q) {
		char way[256];

		q = strstr(s, ", ");
		if (!q)
			q = s + strlen(s);
		snprintf(way, sizeof(way), "%.*s", (int)(q - s), s);
		print_string(p, PRINT_JSON, NULL, NULL, way);
	}
	print_array_end_to(p, PRINT_JSON);
}

/*
 * A fact: "name","kind":"offset"|"table"|"register","value":N|S,
 * "count":N (tables),"absent":B,"source":S,"agree":[S,...]; the text
 * shows the value as fact_value() words it.
 */
static void walk_fact(struct printer *p, const struct gobin_fact *fa, size_t i)
{
	char v[48];

	fact_value(fa, (enum gobin_fact_id)i, v, sizeof(v));
	print_object_begin(p, NULL);
	print_string(p, PRINT_ANY, "name", "  %-26s", fa->name);
	print_string(p, PRINT_FP, "value", " %-14s", v);
	if (i >= GOBIN_F_REG_NEWPROC1) {
		print_string(p, PRINT_JSON, "kind", NULL, "register");
		print_string(p, PRINT_JSON, "value", NULL,
			     gobin_reg_name((uint8_t)fa->value));
	} else if (i == GOBIN_F_REASONS) {
		print_string(p, PRINT_JSON, "kind", NULL, "table");
		print_u64(p, PRINT_JSON, "value", NULL, fa->value);
		print_u64(p, PRINT_JSON, "count", NULL, fa->count);
	} else {
		print_string(p, PRINT_JSON, "kind", NULL, "offset");
		if (fa->absent)
			print_null(p, PRINT_JSON, "value");
		else
			print_u64(p, PRINT_JSON, "value", NULL, fa->value);
	}
	print_bool(p, PRINT_JSON, "absent", NULL, fa->absent);
	print_string(p, PRINT_ANY, "source", " %-7s", gobin_source_name(fa->source));
	print_string(p, PRINT_FP, "agree", " %s\n", fa->agree[0] ? fa->agree : "-");
	json_agree(p, fa->agree);
	print_object_end(p);
}

/* Every fact, where its value came from, and every way that found it. */
static void walk_facts(struct printer *p, const struct gobin *b)
{
	size_t i;

	print_fp(p, LABEL, "facts");
	print_u64(p, PRINT_FP, "facts", "%" PRIu64, GOBIN_FACTS);
	print_fp(p, " (source: where the value comes from; agree: every way "
		 "that found it)\n");
	print_fp(p, "  %-26s %-14s %-7s %s\n", "FACT", "VALUE", "SOURCE", "AGREE");
	print_array_begin(p, "facts");
	for (i = 0; i < GOBIN_FACTS; i++)
		walk_fact(p, &b->facts[i], i);
	print_array_end(p);
}

/* A register: its name in the text ("-" for none), JSON's null for none. */
static void walk_reg(struct printer *p, const char *key, const char *fmt, uint8_t reg)
{
	print_string(p, PRINT_FP, key, fmt, gobin_reg_name(reg));
	print_string(p, PRINT_JSON, key, NULL,
		     reg == GOBIN_NO_REG ? NULL : gobin_reg_name(reg));
}

static void walk_probe(struct printer *p, const struct gobin_probe *pr)
{
	print_object_begin(p, NULL);
	print_string(p, PRINT_ANY, "kind", "  %-7s", kind_name(pr->kind));
	print_string(p, PRINT_ANY, "function", " %-18s", pr->func);
	print_u64(p, PRINT_ANY, "vaddr", " 0x%-8" PRIx64, pr->vaddr);
	print_u64(p, PRINT_ANY, "offset", " 0x%-8" PRIx64, pr->offset);
	print_u64(p, PRINT_JSON, "func_offset", NULL, pr->func_offset);
	walk_reg(p, "arg_reg", " %-4s", pr->arg_reg);
	walk_reg(p, "g_reg", " %-4s", pr->g_reg);
	print_string(p, PRINT_ANY, "at", " %s\n", probe_at(pr));
	print_s64(p, PRINT_JSON, "jcc", NULL, pr->jcc);
	print_object_end(p);
}

/* The wait reasons: JSON always, the text with --reasons, after the probes. */
static void walk_reason_names(struct printer *p, const struct gobin *b,
			      enum print_to to)
{
	size_t i;

	print_array_begin_to(p, to, "names");
	for (i = 0; i < b->nreasons; i++) {
		if (to & PRINT_FP)
			print_fp(p, "  reason %2zu  ", i);
		print_string(p, print_side(to, PRINT_JSON), NULL, NULL, b->reasons[i]);
		print_string(p, print_side(to, PRINT_FP), NULL, "%s\n",
			     b->reasons[i][0] ? b->reasons[i] : "(none)");
	}
	print_array_end_to(p, to);
}

static void walk_goroutines(struct printer *p, const struct inspect *in)
{
	const struct gobin *b = &in->b;
	size_t i;

	print_object_begin(p, "goroutines");
	print_bool(p, PRINT_JSON, "supported", NULL, in->traced);
	print_fp(p, LABEL, in->traced ? "g layout" : "goroutines");
	if (!in->traced) {
		print_string(p, PRINT_ANY, "error", "unavailable: %s\n", in->why);
		print_object_end(p);
		return;
	}
	print_object_begin(p, "layout");
	print_u64(p, PRINT_ANY, "goid", "goid %" PRIu64, b->layout.g_goid);
	print_u64(p, PRINT_ANY, "parent_goid", ", parentGoid %" PRIu64,
		  b->layout.g_parent_goid);
	print_u64(p, PRINT_ANY, "gopc", ", gopc %" PRIu64, b->layout.g_gopc);
	print_u64(p, PRINT_ANY, "startpc", ", startpc %" PRIu64 "\n", b->layout.g_startpc);
	print_object_end(p);
	print_object_begin(p, "reasons");
	print_fp(p, LABEL, "wait reasons");
	print_u64(p, PRINT_ANY, "count", "%" PRIu64 "\n", b->nreasons);
	print_u64(p, PRINT_JSON, "address", NULL, b->facts[GOBIN_F_REASONS].value);
	walk_reason_names(p, b, PRINT_JSON);
	print_object_end(p);
	walk_facts(p, b);
	print_fp(p, LABEL, "probes");
	print_u64(p, PRINT_FP, "probes", "%" PRIu64 "\n", b->nprobes);
	print_fp(p, "  %-7s %-18s %-10s %-10s %-4s %-4s %s\n", "KIND", "FUNCTION",
		 "VADDR", "OFFSET", "ARG", "G", "AT");
	print_array_begin(p, "probes");
	for (i = 0; i < b->nprobes; i++)
		walk_probe(p, &b->probes[i]);
	print_array_end(p);
	if (in->list_reasons) {
		print_object_begin_to(p, PRINT_FP, "reasons");
		walk_reason_names(p, b, PRINT_FP);
		print_object_end_to(p, PRINT_FP);
	}
	print_object_end(p);
}

/*
 * An address in the program and where it is in the file: {"vaddr":N,
 * "offset":N}'s members, "0x..  offset 0x.." in the text.
 */
static void walk_address(struct printer *p, const struct gobin *b, uint64_t vaddr)
{
	uint64_t off = 0;

	gobin_file_offset(b, vaddr, &off);
	print_u64(p, PRINT_ANY, "vaddr", "0x%" PRIx64, vaddr);
	print_u64(p, PRINT_ANY, "offset", "  offset 0x%" PRIx64, off);
}

static void walk_func(struct printer *p, const struct inspect *in)
{
	int k;

	print_object_begin(p, "func");
	print_fp(p, LABEL, "function");
	print_string(p, PRINT_ANY, "name", "%s\n", in->func_name);
	print_fp(p, "  %-11s ", "range");
	print_u64(p, PRINT_ANY, "entry", "0x%" PRIx64, in->entry);
	print_u64(p, PRINT_ANY, "end", " .. 0x%" PRIx64, in->end);
	print_fp(p, " (%" PRIu64 " bytes)\n", in->end - in->entry);
	print_u64(p, PRINT_JSON, "offset", NULL, in->offset);
	if (in->func_file) {
		print_fp(p, "  %-11s ", "source");
		print_string(p, PRINT_ANY, "file", "%s", in->func_file);
		print_u64(p, PRINT_ANY, "line", ":%" PRIu64 "\n", in->func_line);
	} else {
		print_null(p, PRINT_JSON, "file");
		print_u64(p, PRINT_JSON, "line", NULL, in->func_line);
	}
	print_fp(p, "  %-11s ", "offset");
	print_u64(p, PRINT_FP, "offset", "0x%" PRIx64 "\n", in->offset);
	print_object_begin(p, "probe");
	print_fp(p, "  %-11s ", "probe");
	walk_address(p, &in->b, in->probe);
	print_string(p, PRINT_ANY, "at", "  %s", entry_at(in->probe_jcc));
	print_s64(p, PRINT_JSON, "jcc", NULL, in->probe_jcc);
	if (in->probe_jcc >= 0)
		print_string(p, PRINT_FP, "jcc", "%s", " (records when it passes)");
	print_fp(p, "\n");
	print_object_end(p);
	print_fp(p, "  %-11s ", "rets");
	print_u64(p, PRINT_FP, "rets", "%" PRIu64 "\n", (uint64_t)in->nrets);
	print_array_begin(p, "rets");
	for (k = 0; k < in->nrets; k++) {
		print_object_begin(p, NULL);
		print_fp(p, "    ");
		walk_address(p, &in->b, in->rets[k]);
		print_fp(p, "\n");
		print_object_end(p);
	}
	print_array_end(p);
	print_object_end(p);
}

static void walk_line(struct printer *p, const struct inspect *in)
{
	const struct gobin *b = &in->b;
	int k;

	print_object_begin(p, "line");
	print_fp(p, LABEL, "line");
	print_string(p, PRINT_ANY, "file", "%s", in->line_file);
	print_u64(p, PRINT_ANY, "line", ":%" PRIu64, in->line);
	print_u64(p, PRINT_FP, "pcs", ": %" PRIu64, (uint64_t)in->npcs);
	print_fp(p, " function%s\n", in->npcs == 1 ? "" : "s");
	print_array_begin(p, "pcs");
	for (k = 0; k < in->npcs; k++) {
		const char *fn = gobin_func_name(b, in->pcs[k]);
		const char *file = NULL;
		uint32_t line = 0;
		bool found = !gobin_line(b, in->pcs[k], &file, &line);

		print_object_begin(p, NULL);
		print_fp(p, "  ");
		walk_address(p, b, in->pcs[k]);
		print_string(p, PRINT_JSON, "function", NULL, fn);
		print_string(p, PRINT_FP, "function", "  %s", fn ? fn : "?");
		print_string(p, found ? PRINT_ANY : PRINT_FP, "file", "  %s",
			     file ? file : "?");
		print_u64(p, found ? PRINT_ANY : PRINT_FP, "line", ":%" PRIu64 "\n", line);
		print_object_end(p);
	}
	print_array_end(p);
	print_object_end(p);
}

static void inspect_walk(struct printer *p, const struct inspect *in)
{
	const struct gobin *b = &in->b;

	print_fp(p, LABEL, "path");
	print_string(p, PRINT_ANY, "path", "%s\n", in->exe[0] ? in->exe : b->path);
	if (in->pid) {
		print_fp(p, LABEL, "pid");
		print_u64(p, PRINT_ANY, "pid", "%" PRIu64, in->pid);
		if (in->have_bias) {
			print_u64(p, PRINT_ANY, "load_bias", ", load bias 0x%" PRIx64 "\n",
				  in->bias);
		} else {
			print_null(p, PRINT_JSON, "load_bias");
			print_string(p, PRINT_FP, "load_bias", ", load bias %s\n",
				     "unknown (not mapped?)");
		}
	}
	print_fp(p, LABEL, "go version");
	print_string(p, PRINT_ANY, "go_version", "%s\n", b->go_version);
	print_fp(p, LABEL, "pie");
	print_bool(p, PRINT_ANY, "pie", "%s\n", b->pie);
	print_fp(p, LABEL, "symtab");
	print_bool(p, PRINT_ANY, "symtab", "%s\n", b->has_symtab);
	print_fp(p, LABEL, "dwarf");
	print_bool(p, PRINT_ANY, "dwarf", "%s\n", b->has_dwarf);
	print_object_begin(p, "pclntab");
	print_fp(p, LABEL, "pclntab");
	print_u64(p, PRINT_JSON, "magic", NULL, b->pclntab_magic);
	print_string(p, PRINT_ANY, "format", "%s layout", b->pclntab_magic == 0xfffffff0 ?
		     "go1.18-1.19" : "go1.20+");
	print_u64(p, PRINT_FP, "magic", " (magic 0x%08" PRIx64 ")", b->pclntab_magic);
	print_string(p, PRINT_ANY, "source", " in %s\n", b->pclntab_source);
	print_fp(p, LABEL, "functions");
	print_u64(p, PRINT_ANY, "functions", "%" PRIu64 "\n", b->nfuncs);
	print_object_end(p);
	walk_goroutines(p, in);
	if (in->func)
		walk_func(p, in);
	if (in->line_arg)
		walk_line(p, in);
}

static void inspect_show(const struct inspect *in)
{
	struct printer p = { 0 };

	print_begin(&p, stdout, in->json);
	inspect_walk(&p, in);
	print_end(&p);
}

/* ---- the command ---------------------------------------------------- */

enum { OPT_FUNC = 256, OPT_LINE, OPT_REASONS, OPT_BREAK, OPT_ARG, OPT_FIELD };

static int run_inspect(const struct cmd *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "func", required_argument, NULL, OPT_FUNC },
		{ "line", required_argument, NULL, OPT_LINE },
		{ "reasons", no_argument, NULL, OPT_REASONS },
		{ "break", required_argument, NULL, OPT_BREAK },
		{ "arg", required_argument, NULL, OPT_ARG },
		{ "field", required_argument, NULL, OPT_FIELD },
		{ "json", no_argument, NULL, 'j' },
		CMD_HELP_OPTION,
		{ NULL, 0, NULL, 0 },
	};
	struct inspect *in = xcalloc(1, sizeof(*in));
	char path[64], err[1024];
	const char *file;
	int opt, e;

	in->c = c;
	while ((opt = cmd_getopt(c, argc, argv, "p:jh", longopts)) != -1) {
		switch (opt) {
		case 'p':
			if (parse_u32(optarg, 1, INT32_MAX, &in->pid))
				cmd_usage_error(c, "invalid PID '%s'", optarg);
			break;
		case 'j':
			in->json = true;
			break;
		case OPT_FUNC:
			in->func = optarg;
			break;
		case OPT_LINE:
			in->line_arg = optarg;
			break;
		case OPT_REASONS:
			in->list_reasons = true;
			break;
		case OPT_BREAK:
			inspect_breaks_add(&in->breaks.specs, &in->breaks.nspecs, optarg);
			break;
		case OPT_ARG:
			inspect_breaks_add(&in->breaks.argtypes, &in->breaks.nargtypes, optarg);
			break;
		case OPT_FIELD:
			inspect_breaks_add(&in->breaks.fields, &in->breaks.nfields, optarg);
			break;
		}
	}
	if (!in->breaks.nspecs && (in->breaks.nargtypes || in->breaks.nfields))
		cmd_usage_error(c, "--arg and --field go with --break");
	if (in->breaks.nspecs && (in->func || in->line_arg || in->list_reasons))
		cmd_usage_error(c, "--break goes without --func, --line and --reasons");
	if (in->pid) {
		if (optind < argc)
			cmd_usage_error(c, "give -p PID or BINARY, not both");
		if (!proc_exists((pid_t)in->pid))
			die(EXIT_USAGE, "%s: no process %u", c->name, in->pid);
		snprintf(path, sizeof(path), "/proc/%u/exe", in->pid);
		file = path;
	} else {
		if (optind == argc)
			cmd_usage_error(c, "missing BINARY (or -p PID)");
		file = argv[optind++];
		cmd_no_operands(c, argc, argv);
	}

	/* What cannot be opened says why in its exit code (permission: 4). */
	e = open_errno(file);
	if (e)
		die(exit_code_of_errno(e), "%s: cannot open %s: %s", c->name, file,
		    strerror(e));
	if (gobin_open(&in->b, file, err, sizeof(err)))
		die(EXIT_USAGE, "%s: %s", c->name, err);
	if (in->breaks.nspecs) {
		inspect_breaks_print(c->name, &in->b, in->pid, &in->breaks, in->json);
		inspect_breaks_free(&in->breaks);
		gobin_close(&in->b);
		free(in);
		return EXIT_OK;
	}
	if (in->pid)
		find_bias(in, file);
	in->traced = !gobin_goroutine_setup(&in->b, in->why, sizeof(in->why));
	if (in->func)
		look_up_func(in);
	if (in->line_arg)
		look_up_line(in);

	inspect_show(in);
	gobin_close(&in->b);
	free(in);
	return EXIT_OK;
}

const struct cmd cmd_inspect = {
	.name = "inspect",
	.summary = "show a Go program's version, tables and probe points",
	.usage = inspect_usage,
	.run = run_inspect,
};
