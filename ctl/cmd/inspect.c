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

#include "base/json.h"
#include "base/proc.h"
#include "base/util.h"
#include "cmd/cmd.h"
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
	"  -j, --json            print one JSON object\n"
	"  -h, --help            show this help\n"
	"\n"
	"Goroutine tracing supports go1.19 and later: the facts it needs come\n"
	"from DWARF, else from the program's own code and data, and inspect\n"
	"lists where each came from. When it cannot trace the program,\n"
	"inspect prints the rest, says why, and still exits 0. Exit status 1:\n"
	"a usage error, the file is missing, not a Go program for x86-64 or\n"
	"damaged, -p names no process, or NAME or FILE:LINE is not found; 4:\n"
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
	uint64_t probe, probe_offset;	/* where an entry probe goes */
	int probe_jcc;			/* its GODIAG_A_PROBE_JCC, -1: none */

	const char *line_arg;		/* --line */
	char line_file[PATH_MAX];
	uint32_t line;
	uint64_t pcs[LINE_PCS_MAX];
	int npcs;
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

static const char *yes_no(bool v)
{
	return v ? "yes" : "no";
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
	in->probe_offset = 0;
	gobin_file_offset(&in->b, in->probe, &in->probe_offset);
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

/* ---- text ----------------------------------------------------------- */

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

/* Every fact, where its value came from, and every way that found it. */
static void print_facts(const struct gobin *b)
{
	size_t i;

	printf("%-13s %zu (source: where the value comes from; agree: every way "
	       "that found it)\n", "facts", (size_t)GOBIN_FACTS);
	printf("  %-26s %-14s %-7s %s\n", "FACT", "VALUE", "SOURCE", "AGREE");
	for (i = 0; i < GOBIN_FACTS; i++) {
		const struct gobin_fact *fa = &b->facts[i];
		char v[48];

		fact_value(fa, (enum gobin_fact_id)i, v, sizeof(v));
		printf("  %-26s %-14s %-7s %s\n", fa->name, v,
		       gobin_source_name(fa->source), fa->agree[0] ? fa->agree : "-");
	}
}

static void print_text(const struct inspect *in)
{
	const struct gobin *b = &in->b;
	size_t i;
	int k;

	printf("%-13s %s\n", "path", in->exe[0] ? in->exe : b->path);
	if (in->pid) {
		printf("%-13s %u", "pid", in->pid);
		if (in->have_bias)
			printf(", load bias 0x%" PRIx64, in->bias);
		else
			printf(", load bias unknown (not mapped?)");
		putchar('\n');
	}
	printf("%-13s %s\n", "go version", b->go_version);
	printf("%-13s %s\n", "pie", yes_no(b->pie));
	printf("%-13s %s\n", "symtab", yes_no(b->has_symtab));
	printf("%-13s %s\n", "dwarf", yes_no(b->has_dwarf));
	printf("%-13s %s layout (magic 0x%08x) in %s\n", "pclntab",
	       b->pclntab_magic == 0xfffffff0 ? "go1.18-1.19" : "go1.20+",
	       b->pclntab_magic, b->pclntab_source);
	printf("%-13s %zu\n", "functions", b->nfuncs);
	if (!in->traced) {
		printf("%-13s unavailable: %s\n", "goroutines", in->why);
	} else {
		printf("%-13s goid %u, parentGoid %u, gopc %u, startpc %u\n",
		       "g layout", b->layout.g_goid, b->layout.g_parent_goid,
		       b->layout.g_gopc, b->layout.g_startpc);
		printf("%-13s %zu\n", "wait reasons", b->nreasons);
		print_facts(b);
		printf("%-13s %zu\n", "probes", b->nprobes);
		printf("  %-7s %-18s %-10s %-10s %-4s %-4s %s\n", "KIND", "FUNCTION",
		       "VADDR", "OFFSET", "ARG", "G", "AT");
		for (i = 0; i < b->nprobes; i++) {
			const struct gobin_probe *p = &b->probes[i];
			char va[24], off[24];

			snprintf(va, sizeof(va), "0x%" PRIx64, p->vaddr);
			snprintf(off, sizeof(off), "0x%" PRIx64, p->offset);
			printf("  %-7s %-18s %-10s %-10s %-4s %-4s %s\n", kind_name(p->kind),
			       p->func, va, off, gobin_reg_name(p->arg_reg),
			       gobin_reg_name(p->g_reg), probe_at(p));
		}
		if (in->list_reasons)
			for (i = 0; i < b->nreasons; i++)
				printf("  reason %2zu  %s\n", i,
				       b->reasons[i][0] ? b->reasons[i] : "(none)");
	}
	if (in->func) {
		printf("%-13s %s\n", "function", in->func_name);
		printf("  %-11s 0x%" PRIx64 " .. 0x%" PRIx64 " (%" PRIu64 " bytes)\n",
		       "range", in->entry, in->end, in->end - in->entry);
		if (in->func_file)
			printf("  %-11s %s:%u\n", "source", in->func_file, in->func_line);
		printf("  %-11s 0x%" PRIx64 "\n", "offset", in->offset);
		printf("  %-11s 0x%" PRIx64 "  offset 0x%" PRIx64 "  %s%s\n", "probe",
		       in->probe, in->probe_offset, entry_at(in->probe_jcc),
		       in->probe_jcc >= 0 ? " (records when it passes)" : "");
		printf("  %-11s %d\n", "rets", in->nrets);
		for (k = 0; k < in->nrets; k++) {
			uint64_t off = 0;

			gobin_file_offset(b, in->rets[k], &off);
			printf("    0x%" PRIx64 "  offset 0x%" PRIx64 "\n", in->rets[k], off);
		}
	}
	if (in->line_arg) {
		printf("%-13s %s:%u: %d function%s\n", "line", in->line_file, in->line,
		       in->npcs, in->npcs == 1 ? "" : "s");
		for (k = 0; k < in->npcs; k++) {
			const char *fn = gobin_func_name(b, in->pcs[k]);
			const char *file = NULL;
			uint32_t line = 0;
			uint64_t off = 0;

			gobin_file_offset(b, in->pcs[k], &off);
			gobin_line(b, in->pcs[k], &file, &line);
			printf("  0x%" PRIx64 "  offset 0x%" PRIx64 "  %s  %s:%u\n",
			       in->pcs[k], off, fn ? fn : "?", file ? file : "?", line);
		}
	}
}

/* ---- JSON ----------------------------------------------------------- */

static void json_reg(struct json *j, const char *key, uint8_t reg)
{
	json_key(j, key);
	if (reg == GOBIN_NO_REG)
		json_null(j);
	else
		json_string(j, gobin_reg_name(reg));
}

/*
 * "facts":[{"name":S,"kind":"offset"|"table"|"register","value":N|S,
 * "count":N (tables),"absent":B,"source":S,"agree":[S,...]},...]
 */
static void json_facts(struct json *j, const struct gobin *b)
{
	size_t i;

	json_key(j, "facts");
	json_array_begin(j);
	for (i = 0; i < GOBIN_FACTS; i++) {
		const struct gobin_fact *fa = &b->facts[i];
		const char *p, *q;

		json_object_begin(j);
		json_kv_string(j, "name", fa->name);
		if (i >= GOBIN_F_REG_NEWPROC1) {
			json_kv_string(j, "kind", "register");
			json_kv_string(j, "value", gobin_reg_name((uint8_t)fa->value));
		} else if (i == GOBIN_F_REASONS) {
			json_kv_string(j, "kind", "table");
			json_kv_u64(j, "value", fa->value);
			json_kv_u64(j, "count", fa->count);
		} else {
			json_kv_string(j, "kind", "offset");
			json_key(j, "value");
			if (fa->absent)
				json_null(j);
			else
				json_u64(j, fa->value);
		}
		json_kv_bool(j, "absent", fa->absent);
		json_kv_string(j, "source", gobin_source_name(fa->source));
		json_key(j, "agree");
		json_array_begin(j);
		for (p = fa->agree; *p; p = *q ? q + 2 : q) {
			char way[sizeof(fa->agree)];

			q = strstr(p, ", ");
			if (!q)
				q = p + strlen(p);
			snprintf(way, sizeof(way), "%.*s", (int)(q - p), p);
			json_string(j, way);
		}
		json_array_end(j);
		json_object_end(j);
	}
	json_array_end(j);
}

static void print_json(const struct inspect *in)
{
	const struct gobin *b = &in->b;
	struct json j;
	size_t i;
	int k;

	json_init(&j, stdout);
	json_object_begin(&j);
	json_kv_string(&j, "path", in->exe[0] ? in->exe : b->path);
	if (in->pid) {
		json_kv_u64(&j, "pid", in->pid);
		json_key(&j, "load_bias");
		if (in->have_bias)
			json_u64(&j, in->bias);
		else
			json_null(&j);
	}
	json_kv_string(&j, "go_version", b->go_version);
	json_kv_bool(&j, "pie", b->pie);
	json_kv_bool(&j, "symtab", b->has_symtab);
	json_kv_bool(&j, "dwarf", b->has_dwarf);
	json_key(&j, "pclntab");
	json_object_begin(&j);
	json_kv_u64(&j, "magic", b->pclntab_magic);
	json_kv_string(&j, "format", b->pclntab_magic == 0xfffffff0 ?
		       "go1.18-1.19" : "go1.20+");
	json_kv_string(&j, "source", b->pclntab_source);
	json_kv_u64(&j, "functions", b->nfuncs);
	json_object_end(&j);

	json_key(&j, "goroutines");
	json_object_begin(&j);
	json_kv_bool(&j, "supported", in->traced);
	if (!in->traced) {
		json_kv_string(&j, "error", in->why);
	} else {
		json_key(&j, "layout");
		json_object_begin(&j);
		json_kv_u64(&j, "goid", b->layout.g_goid);
		json_kv_u64(&j, "parent_goid", b->layout.g_parent_goid);
		json_kv_u64(&j, "gopc", b->layout.g_gopc);
		json_kv_u64(&j, "startpc", b->layout.g_startpc);
		json_object_end(&j);
		json_key(&j, "reasons");
		json_object_begin(&j);
		json_kv_u64(&j, "count", b->nreasons);
		json_kv_u64(&j, "address", b->facts[GOBIN_F_REASONS].value);
		json_key(&j, "names");
		json_array_begin(&j);
		for (i = 0; i < b->nreasons; i++)
			json_string(&j, b->reasons[i]);
		json_array_end(&j);
		json_object_end(&j);
		json_facts(&j, b);
		json_key(&j, "probes");
		json_array_begin(&j);
		for (i = 0; i < b->nprobes; i++) {
			const struct gobin_probe *p = &b->probes[i];

			json_object_begin(&j);
			json_kv_string(&j, "kind", kind_name(p->kind));
			json_kv_string(&j, "function", p->func);
			json_kv_u64(&j, "vaddr", p->vaddr);
			json_kv_u64(&j, "offset", p->offset);
			json_kv_u64(&j, "func_offset", p->func_offset);
			json_reg(&j, "arg_reg", p->arg_reg);
			json_reg(&j, "g_reg", p->g_reg);
			json_kv_string(&j, "at", probe_at(p));
			json_kv_s64(&j, "jcc", p->jcc);
			json_object_end(&j);
		}
		json_array_end(&j);
	}
	json_object_end(&j);

	if (in->func) {
		json_key(&j, "func");
		json_object_begin(&j);
		json_kv_string(&j, "name", in->func_name);
		json_kv_u64(&j, "entry", in->entry);
		json_kv_u64(&j, "end", in->end);
		json_kv_u64(&j, "offset", in->offset);
		json_kv_string_or_null(&j, "file", in->func_file);
		json_kv_u64(&j, "line", in->func_line);
		json_key(&j, "probe");
		json_object_begin(&j);
		json_kv_u64(&j, "vaddr", in->probe);
		json_kv_u64(&j, "offset", in->probe_offset);
		json_kv_string(&j, "at", entry_at(in->probe_jcc));
		json_kv_s64(&j, "jcc", in->probe_jcc);
		json_object_end(&j);
		json_key(&j, "rets");
		json_array_begin(&j);
		for (k = 0; k < in->nrets; k++) {
			uint64_t off = 0;

			gobin_file_offset(b, in->rets[k], &off);
			json_object_begin(&j);
			json_kv_u64(&j, "vaddr", in->rets[k]);
			json_kv_u64(&j, "offset", off);
			json_object_end(&j);
		}
		json_array_end(&j);
		json_object_end(&j);
	}
	if (in->line_arg) {
		json_key(&j, "line");
		json_object_begin(&j);
		json_kv_string(&j, "file", in->line_file);
		json_kv_u64(&j, "line", in->line);
		json_key(&j, "pcs");
		json_array_begin(&j);
		for (k = 0; k < in->npcs; k++) {
			const char *fn = gobin_func_name(b, in->pcs[k]);
			const char *file = NULL;
			uint32_t line = 0;
			uint64_t off = 0;

			gobin_file_offset(b, in->pcs[k], &off);
			json_object_begin(&j);
			json_kv_u64(&j, "vaddr", in->pcs[k]);
			json_kv_u64(&j, "offset", off);
			json_kv_string_or_null(&j, "function", fn);
			if (!gobin_line(b, in->pcs[k], &file, &line)) {
				json_kv_string(&j, "file", file);
				json_kv_u64(&j, "line", line);
			}
			json_object_end(&j);
		}
		json_array_end(&j);
		json_object_end(&j);
	}
	json_object_end(&j);
}

/* ---- the command ---------------------------------------------------- */

enum { OPT_FUNC = 256, OPT_LINE, OPT_REASONS };

static int run_inspect(const struct cmd *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "func", required_argument, NULL, OPT_FUNC },
		{ "line", required_argument, NULL, OPT_LINE },
		{ "reasons", no_argument, NULL, OPT_REASONS },
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
		}
	}
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
	if (in->pid)
		find_bias(in, file);
	in->traced = !gobin_goroutine_setup(&in->b, in->why, sizeof(in->why));
	if (in->func)
		look_up_func(in);
	if (in->line_arg)
		look_up_line(in);

	if (in->json)
		print_json(in);
	else
		print_text(in);
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
