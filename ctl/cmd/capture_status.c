// SPDX-License-Identifier: GPL-2.0
/*
 * What a capture tells while it runs. On a terminal (stderr is one): what
 * it attached to, then one status line rewritten in place every half
 * second (elapsed, records/s, bytes, lost so far, goroutines seen; not
 * when a command started with -- shares the terminal, nor on a terminal
 * that cannot rewrite a line: TERM unset or "dumb", such as a serial
 * console or an editor's shell buffer), and a second
 * summary line at the end. Not on a terminal it says nothing
 * of this, so logs and scripts see only the one-line summary of
 * capture_end.c. --json prints the end's figures as one JSON object on
 * stdout, terminal or not.
 *
 * It is called by the loop and the end and calls no other part of
 * capture (capture.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/json.h"
#include "base/util.h"
#include "cmd/capture.h"
#include "module/names.h"

#define STATUS_MS	500

static uint64_t mono_ms(void)
{
	return capture_now_ns(CLOCK_MONOTONIC) / 1000000;
}

/* Whether the terminal on stderr understands "\r" and erase-line. */
static bool term_rewrites(void)
{
	const char *term = getenv("TERM");

	return term && *term && strcmp(term, "dumb");
}

void capture_status_init(struct capture *c)
{
	struct capture_status *st = &c->status;

	memset(st, 0, sizeof(*st));
	st->tty = isatty(STDERR_FILENO) == 1;
}

/* The targets as "PID 12 (gobusy), PID 13 (sh)", cut to fit. */
static void targets_text(const struct capture *c, char *buf, size_t len)
{
	size_t i, n = 0;

	buf[0] = 0;
	for (i = 0; i < c->ntargets && n + 1 < len; i++) {
		const struct capture_target *t = &c->targets[i];

		if (i == 3) {
			snprintf(buf + n, len - n, " and %zu more", c->ntargets - i);
			return;
		}
		n += (size_t)snprintf(buf + n, len - n, "%sPID %u%s%s%s", i ? ", " : "",
				      t->pid, t->comm[0] ? " (" : "", t->comm,
				      t->comm[0] ? ")" : "");
		if (n >= len)
			return;
	}
}

void capture_status_attached(struct capture *c)
{
	char targets[256], events[64], size[32];

	c->status.next_ms = mono_ms() + STATUS_MS;
	c->status.last_ms = mono_ms();
	/* A command started with -- writes to the same terminal: no rewriting it. */
	c->status.live = c->status.tty && !c->o->command && term_rewrites();
	if (!c->status.tty)
		return;
	targets_text(c, targets, sizeof(targets));
	events_format(capture_events(c->o), events, sizeof(events));
	format_size(c->o->buffer, size, sizeof(size));
	fprintf(stderr, "capturing %s events of %s%s, %s per CPU x %zu -> %s%s\n", events,
		targets, c->o->follow ? " and its children" : "", size, c->nrings,
		c->o->output, c->o->duration_ns ? "" : " (Ctrl-C ends it)");
}

/* The goroutines report counts as seen: each (tgid, goid) in a record. */
static void goroutine_seen(struct capture_status *st, uint32_t tgid, uint64_t goid)
{
	bool added;

	if (goid)
		hmap_get(&st->goids, goid, tgid, 0, &added);
}

void capture_status_record(struct capture *c, const struct godiag_rec *rec,
			   size_t len)
{
	struct capture_status *st = &c->status;
	const struct godiag_rec_go *g = (const struct godiag_rec_go *)rec;

	if (rec->type == GODIAG_REC_LOST)
		return;
	st->bytes += len;
	switch (rec->type) {
	case GODIAG_REC_SYSCALL:
		if (len >= sizeof(struct godiag_rec_syscall))
			goroutine_seen(st, rec->tgid, rec->goid);
		break;
	case GODIAG_REC_GO_START:
		if (len >= sizeof(*g) && rec->goid != g->goid)
			goroutine_seen(st, rec->tgid, rec->goid);
		/* fall through */
	case GODIAG_REC_GO_CREATE:
	case GODIAG_REC_GO_PARK:
	case GODIAG_REC_GO_READY:
	case GODIAG_REC_GO_EXIT:
		if (len >= sizeof(*g))
			goroutine_seen(st, rec->tgid, g->goid);
		break;
	}
}

int capture_status_timeout(const struct capture *c, int timeout)
{
	uint64_t now = mono_ms();
	int t;

	if (!c->status.live)
		return timeout;
	t = c->status.next_ms > now ? (int)(c->status.next_ms - now) : 0;
	return timeout < 0 || t < timeout ? t : timeout;
}

/* Lost so far: the module's counters in the shared pages, live. */
static uint64_t lost_now(const struct capture *c)
{
	uint64_t lost = 0;
	size_t i;

	for (i = 0; i < c->nrings; i++)
		lost += __atomic_load_n(&c->rings[i].page->lost, __ATOMIC_RELAXED);
	return lost;
}

/* Records read so far, LOST markers excluded (as the summary counts them). */
static uint64_t records_now(const struct capture *c)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < c->nrings; i++)
		n += c->rings[i].records;
	return n;
}

void capture_status_tick(struct capture *c)
{
	struct capture_status *st = &c->status;
	uint64_t now = mono_ms(), records, rate = 0;
	char size[32];

	if (!st->live || now < st->next_ms)
		return;
	records = records_now(c);
	if (now > st->last_ms)
		rate = (records - st->last_records) * 1000 / (now - st->last_ms);
	st->last_ms = now;
	st->last_records = records;
	st->next_ms = now + STATUS_MS;
	format_size(st->bytes, size, sizeof(size));
	fprintf(stderr, "\r\033[K%6.1f s  %llu records (%llu/s)  %s  %llu lost",
		(double)(capture_now_ns(CLOCK_MONOTONIC) - c->start_mono) / 1e9,
		(unsigned long long)records, (unsigned long long)rate, size,
		(unsigned long long)lost_now(c));
	if (c->o->goroutines)
		fprintf(stderr, "  %zu goroutines", st->goids.len);
	fflush(stderr);
	st->shown = true;
}

void capture_status_clear(struct capture *c)
{
	if (!c->status.shown)
		return;
	fprintf(stderr, "\r\033[K");
	fflush(stderr);
	c->status.shown = false;
}

void capture_status_summary(const struct capture *c, const struct capture_totals *t)
{
	uint64_t ns = c->end_mono - c->start_mono;
	char size[32];

	if (!c->status.tty)
		return;
	format_size(c->status.bytes, size, sizeof(size));
	fprintf(stderr, "  %s of records, %llu records/s", size,
		(unsigned long long)(ns ? (uint64_t)((double)t->records * 1e9 / (double)ns) : 0));
	if (c->o->goroutines)
		fprintf(stderr, ", %zu goroutines seen", c->status.goids.len);
	fprintf(stderr, ", %llu written by the module\n", (unsigned long long)t->written);
}

void capture_status_json(const struct capture *c, const struct capture_totals *t,
			 const char *reason)
{
	struct json j;

	json_init(&j, stdout);
	json_object_begin(&j);
	json_kv_string(&j, "output", c->o->output);
	json_kv_u64(&j, "records", t->records);
	json_kv_u64(&j, "lost", t->lost);
	json_kv_u64(&j, "written", t->written);
	json_kv_bool(&j, "written_estimated", !t->kernel);
	json_kv_u64(&j, "bytes", c->status.bytes);
	json_kv_u64(&j, "processes", c->procs.len);
	json_kv_u64_or_null(&j, "goroutines", c->status.goids.len, c->o->goroutines);
	json_kv_u64(&j, "duration_ns", c->end_mono - c->start_mono);
	json_kv_string(&j, "reason", reason);
	json_kv_string(&j, "mode", mode_name(c->o->mode));
	json_kv_u64(&j, "buffer_size", c->o->buffer);
	json_kv_u64(&j, "cpus", c->nrings);
	json_object_end(&j);
	fflush(stdout);
}

void capture_status_free(struct capture *c)
{
	hmap_free(&c->status.goids);
}
