// SPDX-License-Identifier: GPL-2.0
/*
 * From a capture file to the numbers 'report' prints: per-syscall counts,
 * totals and exact percentiles, per-process counts, losses, and the
 * goroutine figures (goreport.c). Record types
 * this tool does not know are counted as events and otherwise skipped,
 * so newer modules' captures still read.
 */
#include <stdlib.h>
#include <string.h>

#include "base/percentile.h"
#include "base/util.h"
#include "capfile/capfile.h"
#include "model/analyze.h"

#define ERRNO_MAX 4095

static void copy_str(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src);
}

/* "PID_build_id" or "PID_go_version" (a META after TARGETS). */
static void target_meta(struct report *r, const char *key, const char *value)
{
	char *end;
	unsigned long pid = strtoul(key, &end, 10);
	size_t i;

	for (i = 0; i < r->ntargets; i++) {
		struct target_row *t = &r->targets[i];

		if (t->pid != pid || end == key)
			continue;
		if (!strcmp(end, "_build_id")) {
			free(t->build_id);
			t->build_id = xstrdup(value);
		} else if (!strcmp(end, "_go_version")) {
			free(t->go_version);
			t->go_version = xstrdup(value);
		}
	}
}

static int on_meta(const char *key, const char *value, void *arg)
{
	struct report *r = arg;
	uint64_t v;

	if (!strncmp(key, "target_", 7))
		target_meta(r, key + 7, value);
	else if (!strcmp(key, "mode"))
		copy_str(r->mode, sizeof(r->mode), value);
	else if (!strcmp(key, "hostname"))
		copy_str(r->hostname, sizeof(r->hostname), value);
	else if (!strcmp(key, "kernel_release"))
		copy_str(r->kernel, sizeof(r->kernel), value);
	else if (!strcmp(key, "command"))
		copy_str(r->command, sizeof(r->command), value);
	else if (!strcmp(key, "buffer_size") && !parse_size(value, &v))
		r->buffer_size = v;
	else if (!strcmp(key, "start_monotonic_ns") && !parse_size(value, &v))
		r->start_mono = v;
	else if (!strcmp(key, "start_realtime_ns") && !parse_size(value, &v))
		r->start_real = v;
	return 0;
}

static int on_target(const struct capfile_target *t, void *arg)
{
	struct report *r = arg;
	struct target_row *row;

	r->targets = xreallocarray(r->targets, r->ntargets + 1, sizeof(*r->targets));
	row = &r->targets[r->ntargets++];
	row->pid = t->pid;
	row->flags = t->flags;
	row->comm = xstrdup(t->comm);
	row->exe = xstrdup(t->exe);
	row->build_id = NULL;
	row->go_version = NULL;
	return 0;
}

static struct sc_row *sc_row_of(struct report *r, uint32_t nr)
{
	bool added;
	uint32_t *i = hmap_get(&r->sc_map, nr, 0, (uint32_t)r->nsc, &added);

	if (added) {
		r->sc = xreallocarray(r->sc, r->nsc + 1, sizeof(*r->sc));
		memset(&r->sc[r->nsc], 0, sizeof(*r->sc));
		r->sc[r->nsc++].nr = nr;
	}
	return &r->sc[*i];
}

/* Every record of a process counts it, whatever its type. */
static void count_process(struct report *r, const struct godiag_rec *rec)
{
	bool added;
	uint32_t *i = hmap_get(&r->proc_map, rec->tgid, 0, (uint32_t)r->nprocs, &added);

	if (added) {
		r->procs = xreallocarray(r->procs, r->nprocs + 1, sizeof(*r->procs));
		memset(&r->procs[r->nprocs], 0, sizeof(*r->procs));
		r->procs[r->nprocs++].pid = rec->tgid;
	}
	r->procs[*i].events++;
	if (rec->type == GODIAG_REC_SYSCALL)
		r->procs[*i].syscalls++;
}

static void add_syscall(struct report *r, const struct godiag_rec_syscall *s)
{
	struct sc_row *row = sc_row_of(r, s->nr);
	uint64_t d = s->duration_ns;

	if (row->count == row->cap) {
		row->cap = row->cap ? row->cap * 2 : 16;
		row->durs = xreallocarray(row->durs, row->cap, sizeof(*row->durs));
	}
	row->durs[row->count++] = d;
	if (__builtin_add_overflow(row->total_ns, d, &row->total_ns))
		row->total_ns = UINT64_MAX;
	if (d > row->max_ns)
		row->max_ns = d;
	if (s->ret >= -ERRNO_MAX && s->ret <= -1)
		row->errors++;
}

/* The reader checked that known types are at least their struct's size. */
static int on_record(const struct godiag_rec *rec, size_t len, void *arg)
{
	struct report *r = arg;

	if (r->keep_records)
		recseq_add(&r->recs, rec, len);
	if (rec->type == GODIAG_REC_LOST) {
		r->lost_marked += ((const struct godiag_rec_lost *)rec)->count;
		return 0;
	}
	r->recorded++;
	if (rec->ts_ns > r->last_ts)
		r->last_ts = rec->ts_ns;
	count_process(r, rec);
	if (rec->type == GODIAG_REC_SYSCALL)
		add_syscall(r, (const struct godiag_rec_syscall *)rec);
	goreport_record(&r->go, rec, len);
	bp_record(&r->bp, rec, len);
	return 0;
}

static int on_breaks(const char *line, void *arg)
{
	bp_line(&((struct report *)arg)->bp, line);
	return 0;
}

static int on_goinfo(const struct capfile_goinfo *head, const char *const *reasons,
		     void *arg)
{
	goreport_goinfo(&((struct report *)arg)->go, head, reasons);
	return 0;
}

static int on_syms(const struct capfile_syms_head *head, const struct capfile_sym *syms,
		   const char *strings, void *arg)
{
	goreport_syms(&((struct report *)arg)->go, head, syms, strings);
	return 0;
}

void report_add_note(struct report *r, const char *text)
{
	r->notes = xreallocarray(r->notes, r->nnotes + 1, sizeof(*r->notes));
	r->notes[r->nnotes++] = xstrdup(text);
}

static int on_note(const char *text, void *arg)
{
	report_add_note(arg, text);
	return 0;
}

static int on_stats(const struct capfile_stats_head *head, uint32_t index,
		    const struct capfile_cpu_stats *c, void *arg)
{
	struct report *r = arg;

	/* A second STATS section would count twice: the last one wins. */
	if (index == 0)
		r->written = r->lost = r->tool_read = 0;
	r->has_stats = true;
	r->kernel_stats = head->flags & CAPFILE_STATS_KERNEL;
	r->written += c->written;
	r->lost += c->lost;
	r->tool_read += c->read;
	return 0;
}

static int on_end(const struct capfile_end *e, void *arg)
{
	struct report *r = arg;

	r->end_mono = e->monotonic_ns;
	return 0;
}

static int cmp_sc(const void *a, const void *b)
{
	const struct sc_row *x = a, *y = b;

	if (x->total_ns != y->total_ns)
		return x->total_ns > y->total_ns ? -1 : 1;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return (x->nr > y->nr) - (x->nr < y->nr);
}

static int cmp_proc(const void *a, const void *b)
{
	const struct proc_row *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* Percentiles, then the orders the output uses (the maps are stale after). */
static void finish(struct report *r)
{
	size_t i;

	for (i = 0; i < r->nsc; i++) {
		struct sc_row *row = &r->sc[i];

		pct_sort(row->durs, row->count);
		row->p50_ns = pct_nearest_rank(row->durs, row->count, 50);
		row->p90_ns = pct_nearest_rank(row->durs, row->count, 90);
		row->p99_ns = pct_nearest_rank(row->durs, row->count, 99);
	}
	if (r->nsc > 1)
		qsort(r->sc, r->nsc, sizeof(*r->sc), cmp_sc);
	if (r->nprocs > 1)
		qsort(r->procs, r->nprocs, sizeof(*r->procs), cmp_proc);
	hmap_free(&r->sc_map);
	hmap_free(&r->proc_map);
	goreport_finish(&r->go, r->complete ? r->end_mono : r->last_ts, report_lost(r));
	bp_finish(&r->bp);
	recseq_sort(&r->recs);
}

int report_load(struct report *r, const void *buf, size_t len, char *err,
		size_t errlen)
{
	static const struct report_opts none;

	return report_load_opts(r, buf, len, &none, err, errlen);
}

int report_load_opts(struct report *r, const void *buf, size_t len,
		     const struct report_opts *o, char *err, size_t errlen)
{
	static const struct capfile_visitor v = {
		.meta = on_meta,
		.target = on_target,
		.record = on_record,
		.note = on_note,
		.stats = on_stats,
		.end = on_end,
		.goinfo = on_goinfo,
		.syms = on_syms,
		.breaks = on_breaks,
	};
	int rc;

	memset(r, 0, sizeof(*r));
	r->keep_records = o->keep_records;
	r->go.on_interval = o->go_interval;
	r->go.interval_arg = o->arg;
	rc = capfile_parse(buf, len, &v, r, &r->file, err, errlen);
	r->version = r->file.version;
	r->complete = r->file.complete;
	finish(r);
	return rc ? -1 : 0;
}

void report_free(struct report *r)
{
	size_t i;

	for (i = 0; i < r->nsc; i++)
		free(r->sc[i].durs);
	free(r->sc);
	free(r->procs);
	for (i = 0; i < r->ntargets; i++) {
		free(r->targets[i].comm);
		free(r->targets[i].exe);
		free(r->targets[i].build_id);
		free(r->targets[i].go_version);
	}
	free(r->targets);
	for (i = 0; i < r->nnotes; i++)
		free(r->notes[i]);
	free(r->notes);
	hmap_free(&r->sc_map);
	hmap_free(&r->proc_map);
	goreport_free(&r->go);
	bp_free(&r->bp);
	recseq_free(&r->recs);
	memset(r, 0, sizeof(*r));
}

uint64_t report_lost(const struct report *r)
{
	return r->kernel_stats ? r->lost : r->lost_marked;
}

uint64_t report_duration(const struct report *r)
{
	uint64_t end = r->complete ? r->end_mono : r->last_ts;

	return r->start_mono && end > r->start_mono ? end - r->start_mono : 0;
}

uint64_t report_written(const struct report *r)
{
	return r->kernel_stats ? r->written : r->recorded + report_lost(r);
}

bool report_written_estimated(const struct report *r)
{
	return !r->kernel_stats;
}

uint64_t report_read(const struct report *r)
{
	return r->has_stats ? r->tool_read : r->recorded;
}
