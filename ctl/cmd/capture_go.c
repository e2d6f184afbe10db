// SPDX-License-Identifier: GPL-2.0
/*
 * capture --goroutines, a capture source (capture.h): read each target's
 * Go binary, have the module probe it, note the PCs goroutine records
 * carry, and at the end write what the report needs to name them (GOINFO
 * and SYMS sections), so the report works without the binary.
 *
 * The binary is read through /proc/PID/exe, which is also the path the
 * module probes: it is the file the process runs even when the name in
 * the file system now points elsewhere (an upgrade in place), and it
 * works for processes in other mount namespaces.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/proc.h"
#include "base/util.h"
#include "cmd/capture.h"
#include "gobin/gobin.h"
#include "gobin/goruntime.h"

#define PCS_COMPACT	(1U << 20)

/* One Go target. */
struct go_target {
	uint32_t pid;
	char exe[64];		/* "/proc/PID/exe" */
	struct gobin bin;
	uint64_t bias;
	uint64_t *pcs;		/* runtime PCs seen in GO_CREATE records */
	size_t npcs, cap;
	size_t compacted;	/* npcs after the last compaction */
};

/* The source's data (capture_source.data_size). */
struct capture_go {
	struct go_target *v;
	size_t n;
};

static struct go_target *go_find(struct capture_go *go, uint32_t pid)
{
	size_t i;

	for (i = 0; i < go->n; i++)
		if (go->v[i].pid == pid)
			return &go->v[i];
	return NULL;
}

static bool go_wanted(const struct capture_opts *o)
{
	return o->goroutines;
}

/*
 * Checks that PID runs a Go binary godiag can trace. Returns 0, or with
 * one line in err CAPTURE_SOURCE_OTHER_PROGRAM (no Go program at all) or
 * -1. Called before anything is set up for -p PIDs, and once the command
 * has exec'd for -- COMMAND.
 */
static int go_inspect(struct capture *c, void *data, uint32_t pid, char *err,
		      size_t errlen)
{
	struct capture_go *go = data;
	struct go_target *g;
	char msg[512];
	int r;

	(void)c;
	go->v = xreallocarray(go->v, go->n + 1, sizeof(*go->v));
	g = &go->v[go->n];
	memset(g, 0, sizeof(*g));
	g->pid = pid;
	snprintf(g->exe, sizeof(g->exe), "/proc/%u/exe", pid);
	r = gobin_open(&g->bin, g->exe, msg, sizeof(msg));
	if (r) {
		snprintf(err, errlen, "PID %u: %s", pid, msg);
		return r == GOBIN_NOT_GO ? CAPTURE_SOURCE_OTHER_PROGRAM : r;
	}
	if (gobin_goroutine_setup(&g->bin, msg, sizeof(msg))) {
		snprintf(err, errlen, "PID %u: %s", pid, msg);
		gobin_close(&g->bin);
		return -1;
	}
	go->n++;
	return 0;
}

static int load_bias(struct go_target *g, char *err, size_t errlen)
{
	int r = gobin_process_bias(&g->bin, g->pid, g->exe, &g->bias);

	if (r == GOBIN_NOT_MAPPED)
		snprintf(err, errlen, "PID %u: %s is not mapped in the process",
			 g->pid, g->bin.path);
	else if (r)
		snprintf(err, errlen, "PID %u: cannot read /proc/%u/maps: %s", g->pid,
			 g->pid, strerror(errno));
	return r;
}

/* mem: /proc/PID/mem (capture_mem_open()), or -1 with mem_err. */
static void add_probe(struct capture *c, struct go_target *g,
		      const struct gobin_probe *p, int mem, int mem_err)
{
	struct nl_msg *msg = gdnl_msg(c->nl, GODIAG_CMD_PROBE_ADD, 0);
	int err;

	gdnl_put_u32(msg, GODIAG_A_SESSION_ID, c->session);
	gdnl_put_u32(msg, GODIAG_A_PID, g->pid);
	gdnl_put_u32(msg, GODIAG_A_PROBE_KIND, p->kind);
	gdnl_put_data(msg, GODIAG_A_PROBE_PATH, g->exe, strlen(g->exe) + 1);
	gdnl_put_u64(msg, GODIAG_A_PROBE_OFFSET, p->offset);
	gdnl_put_u64(msg, GODIAG_A_PROBE_FUNC_OFFSET, p->func_offset);
	capture_put_mem_fd(msg, mem);
	if (p->arg_reg != GOBIN_NO_REG)
		gdnl_put_u8(msg, GODIAG_A_PROBE_ARG_REG, p->arg_reg);
	if (p->g_reg != GOBIN_NO_REG)
		gdnl_put_u8(msg, GODIAG_A_PROBE_G_REG, p->g_reg);
	if (p->jcc >= 0)
		gdnl_put_u8(msg, GODIAG_A_PROBE_JCC, (uint8_t)p->jcc);
	gdnl_put_data(msg, GODIAG_A_GO_LAYOUT, &g->bin.layout, sizeof(g->bin.layout));
	err = gdnl_exec(c->nl, msg, NULL, NULL);
	if (err)
		capture_pid_failed(c, g->pid, mem_err, err);
}

/* Places the probes of every inspected target (already a module target). */
static void go_attach(struct capture *c, void *data, uint32_t pid)
{
	struct go_target *g = go_find(data, pid);
	int mem, mem_err;
	char err[512];
	size_t i;

	if (!g)
		return;
	if (load_bias(g, err, sizeof(err)))
		capture_die(c, EXIT_OPFAIL, "%s", err);
	/* The probes arm in the program PID runs now: open its mem now. */
	mem = capture_mem_open(pid, &mem_err);
	for (i = 0; i < g->bin.nprobes; i++)
		add_probe(c, g, &g->bin.probes[i], mem, mem_err);
	if (mem >= 0)
		close(mem);
}

/* A flight recorder's target: the load bias names its PCs; no probe. */
static void go_observe(struct capture *c, void *data, uint32_t pid)
{
	struct go_target *g = go_find(data, pid);
	char err[512];

	(void)c;
	if (g && load_bias(g, err, sizeof(err)))
		note("%s; its goroutines' functions stay unnamed", err);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void compact(struct go_target *g)
{
	size_t i, n = 0;

	qsort(g->pcs, g->npcs, sizeof(*g->pcs), cmp_u64);
	for (i = 0; i < g->npcs; i++)
		if (!n || g->pcs[n - 1] != g->pcs[i])
			g->pcs[n++] = g->pcs[i];
	g->npcs = n;
	g->compacted = n;
}

static void note_pc(struct go_target *g, uint64_t pc)
{
	if (!pc)
		return;
	if (g->npcs == g->cap) {
		if (g->npcs - g->compacted >= PCS_COMPACT / 2) {
			compact(g);
			if (g->npcs < g->cap)
				goto add;
		}
		g->cap = g->cap ? g->cap * 2 : 1024;
		g->pcs = xreallocarray(g->pcs, g->cap, sizeof(*g->pcs));
	}
add:
	g->pcs[g->npcs++] = pc;
}

/* Every record read goes through here: remember the PCs to name. */
static void go_record(void *data, const struct godiag_rec *rec, size_t len)
{
	const struct godiag_rec_go *r = (const void *)rec;
	struct go_target *g;

	if (rec->type != GODIAG_REC_GO_CREATE || len < sizeof(*r))
		return;
	g = go_find(data, rec->tgid);
	if (!g)
		return;
	note_pc(g, r->pc);
	note_pc(g, r->start_pc);
}

/* One bisection per PC; a go statement's wrapper also names what it calls. */
static void name_pc(const struct go_target *g, uint64_t pc, struct capw_sym *s)
{
	s->pc = pc;
	gobin_pc_source(&g->bin, pc - g->bias, &s->func, &s->file, &s->line);
	s->start = gobin_go_start(&g->bin, pc - g->bias);
}

static void write_syms(struct capture *c, struct go_target *g)
{
	struct capw_sym *syms;
	size_t i, n = 0;

	compact(g);
	syms = xcalloc(g->npcs ? g->npcs : 1, sizeof(*syms));
	for (i = 0; i < g->npcs; i++) {
		name_pc(g, g->pcs[i], &syms[n]);
		if (syms[n].func)
			n++;
	}
	capw_syms(&c->w, g->pid, syms, n);
	free(syms);
}

static void write_goinfo(struct capture *c, const struct go_target *g)
{
	struct capfile_goinfo head;

	memset(&head, 0, sizeof(head));
	head.pid = g->pid;
	head.nreasons = (uint32_t)g->bin.nreasons;
	head.load_bias = g->bias;
	snprintf(head.go_version, sizeof(head.go_version), "%s", g->bin.go_version);
	capw_goinfo(&c->w, &head, g->bin.reasons, g->bin.nreasons);
}

/* GOINFO and SYMS of every Go target. */
static void go_write(struct capture *c, void *data)
{
	struct capture_go *go = data;
	size_t i;

	for (i = 0; i < go->n; i++) {
		write_goinfo(c, &go->v[i]);
		write_syms(c, &go->v[i]);
	}
}

const char *capture_go_start_name(void *data, uint32_t pid, uint64_t pc, bool *system)
{
	const struct go_target *g = go_find(data, pid);
	const char *func = NULL, *file;
	uint32_t line;

	*system = false;
	if (!g || !pc || pc < g->bias)
		return NULL;
	*system = gobin_is_system_start(&g->bin, pc - g->bias);
	func = gobin_go_start(&g->bin, pc - g->bias);
	if (!func)
		gobin_pc_source(&g->bin, pc - g->bias, &func, &file, &line);
	return func;
}

const char *capture_go_reason_name(void *data, uint32_t pid, uint32_t reason)
{
	const struct go_target *g = go_find(data, pid);

	return g && reason < g->bin.nreasons ? g->bin.reasons[reason] : NULL;
}

static void go_free(void *data)
{
	struct capture_go *go = data;
	size_t i;

	for (i = 0; i < go->n; i++) {
		gobin_close(&go->v[i].bin);
		free(go->v[i].pcs);
	}
	free(go->v);
}

const struct capture_source capture_go_source = {
	.name = "goroutines",
	.data_size = sizeof(struct capture_go),
	.wanted = go_wanted,
	.inspect = go_inspect,
	.attach = go_attach,
	.observe = go_observe,
	.record = go_record,
	.write = go_write,
	.free = go_free,
};
