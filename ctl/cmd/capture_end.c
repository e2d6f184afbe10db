// SPDX-License-Identifier: GPL-2.0
/*
 * The end of a capture: STOP (the module returns once no writer is in
 * flight), a drain of every CPU until nothing is left, the module's
 * counters, the notes, STATS and END, the session destroyed; then the
 * checks and the one-line summary on stderr.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "cmd/capture.h"
#include "module/names.h"
#include "module/sessinfo.h"

static void stop_session(struct capture *c)
{
	struct nl_msg *msg = gdnl_msg(c->nl, GODIAG_CMD_SESSION_STOP, 0);
	int err;

	gdnl_put_u32(msg, GODIAG_A_SESSION_ID, c->session);
	err = gdnl_exec(c->nl, msg, NULL, NULL);
	/* Not running: stopped by someone else; ENOENT: destroyed. */
	if (err == -ENOENT)
		c->session_gone = true;
	else if (err && err != -EALREADY)
		warn("%s: cannot stop session %u: %s", c->c->name, c->session,
		     gdnl_strerror(c->nl, err));
}

static const struct cpu_stats *kernel_cpu(const struct session_list *l,
					  unsigned int cpu)
{
	size_t i;

	for (i = 0; l->n && i < l->v[0].nr_cpus; i++)
		if (l->v[0].cpus[i].cpu == cpu)
			return &l->v[0].cpus[i];
	return NULL;
}

/* The module's counters and the tool's, per CPU; *flags says whose. */
static struct capfile_cpu_stats *collect_stats(struct capture *c, uint32_t *flags,
					       bool *expired)
{
	struct capfile_cpu_stats *s = xcalloc(c->nrings, sizeof(*s));
	struct session_list l = { NULL, 0 };
	size_t i;
	int err;

	*flags = 0;
	if (!c->session_gone) {
		err = sessinfo_dump(c->nl, GODIAG_CMD_STATS_GET, c->session, &l);
		if (err)
			warn("%s: cannot read the session's counters: %s", c->c->name,
			     gdnl_strerror(c->nl, err));
		else if (l.n == 1)
			*flags = CAPFILE_STATS_KERNEL;
		*expired = l.n == 1 && l.v[0].expired;
	}
	for (i = 0; i < c->nrings; i++) {
		const struct cpu_stats *k = *flags ? kernel_cpu(&l, c->rings[i].cpu) : NULL;

		s[i].cpu = c->rings[i].cpu;
		s[i].read = c->rings[i].records;
		s[i].lost_marked = c->rings[i].lost;
		if (k) {
			s[i].written = k->written;
			s[i].lost = k->lost;
			s[i].bytes = k->bytes;
			s[i].kernel_read = k->read;
		}
	}
	session_list_free(&l);
	return s;
}

static void note_reason(struct capture *c)
{
	char dur[32];

	switch (c->reason) {
	case STOP_TARGETS:
		capw_note(&c->w, "capture ended: every target exited");
		break;
	case STOP_COMMAND:
		capw_note(&c->w, "capture ended: the command exited");
		break;
	case STOP_DURATION:
		format_duration(c->o->duration_ns, dur, sizeof(dur));
		capw_note(&c->w, "capture ended: --duration %s passed", dur);
		break;
	case STOP_SIGNAL:
		capw_note(&c->w, "capture ended: interrupted by SIG%s",
			  sigabbrev_np(c->signo) ? sigabbrev_np(c->signo) : "?");
		break;
	case STOP_SESSION:
		capw_note(&c->w, "capture ended: session %u was stopped or destroyed "
			  "by someone else", c->session);
		break;
	case STOP_EXPIRED:
		capture_format_ms(c->o->max_lifetime_ms, dur, sizeof(dur));
		capw_note(&c->w, "capture ended: the module stopped session %u at its "
			  "maximum lifetime (--max-duration %s)", c->session, dur);
		warn("%s: the module stopped the session at its maximum lifetime "
		     "(--max-duration %s)", c->c->name, dur);
		break;
	case STOP_NONE:
	case STOP_WRITE:
		break;
	}
}

/*
 * In discard mode every record the module wrote was either read here or
 * counted lost, exactly: STOP waited for the writers and the drain was
 * complete. A difference means records went missing on the way. Returns
 * whether they add up.
 */
static bool check_counts(struct capture *c, const struct capfile_cpu_stats *s,
			 uint32_t flags)
{
	bool exact = true;
	size_t i;

	if (!(flags & CAPFILE_STATS_KERNEL) || c->o->mode != GODIAG_MODE_DISCARD)
		return true;
	for (i = 0; i < c->nrings; i++) {
		if (s[i].written == s[i].read + s[i].lost)
			continue;
		exact = false;
		warn("%s: CPU %u: the module wrote %llu records and lost %llu, "
		     "but %llu were read", c->c->name, s[i].cpu,
		     (unsigned long long)s[i].written, (unsigned long long)s[i].lost,
		     (unsigned long long)s[i].read);
		capw_note(&c->w, "CPU %u: the module wrote %llu records and lost %llu, "
			  "but %llu were read", s[i].cpu, (unsigned long long)s[i].written,
			  (unsigned long long)s[i].lost, (unsigned long long)s[i].read);
	}
	return exact;
}

/* Trouble the consumer met in the shared buffers, if any. */
static void note_ring_trouble(struct capture *c)
{
	size_t i;

	for (i = 0; i < c->nrings; i++) {
		const struct ring *r = &c->rings[i];

		if (r->skipped)
			capw_note(&c->w, "CPU %u: invalid record sizes in the buffer; "
				  "its rest was skipped %llu times", r->cpu,
				  (unsigned long long)r->skipped);
		if (r->raced)
			capw_note(&c->w, "CPU %u: another reader consumed records of "
				  "this session %llu times", r->cpu,
				  (unsigned long long)r->raced);
		if (r->skipped || r->raced)
			warn("%s: CPU %u: %llu invalid buffer contents skipped, %llu "
			     "races with another reader", c->c->name, r->cpu,
			     (unsigned long long)r->skipped, (unsigned long long)r->raced);
	}
}

static void destroy_session(struct capture *c)
{
	struct nl_msg *msg;
	size_t i;

	for (i = 0; i < c->nrings; i++)
		ring_unmap(&c->rings[i]);
	close(c->dev);
	if (c->session_gone)
		return;
	msg = gdnl_msg(c->nl, GODIAG_CMD_SESSION_DEL, 0);
	gdnl_put_u32(msg, GODIAG_A_SESSION_ID, c->session);
	/* Failure is harmless: the session is owned and dies with the socket. */
	gdnl_exec(c->nl, msg, NULL, NULL);
}

/* As report sums them up from the file's STATS (report_written()). */
static struct capture_totals totals_of(const struct capture *c,
				       const struct capfile_cpu_stats *s, uint32_t flags)
{
	struct capture_totals t = { 0, 0, 0, (flags & CAPFILE_STATS_KERNEL) != 0 };
	size_t i;

	for (i = 0; i < c->nrings; i++) {
		t.records += s[i].read;
		t.lost += t.kernel ? s[i].lost : s[i].lost_marked;
		t.written += s[i].written;
	}
	if (!t.kernel)
		t.written = t.records + t.lost;
	return t;
}

/* Why it ended, for the audit log. */
static const char *reason_name(enum stop_reason r)
{
	switch (r) {
	case STOP_TARGETS: return "targets-exited";
	case STOP_COMMAND: return "command-exited";
	case STOP_DURATION: return "duration";
	case STOP_SIGNAL: return "signal";
	case STOP_SESSION: return "session-stopped";
	case STOP_EXPIRED: return "max-duration";
	case STOP_WRITE: return "write-error";
	case STOP_NONE: break;
	}
	return "unknown";
}

/* The command started with -- exited by itself, and not with status 0. */
static bool command_failed(const struct capture *c)
{
	return c->command_status_known && c->command_status != 0;
}

static void summary(const struct capture *c, const struct capture_totals *t)
{
	char dur[32], size[32];
	size_t n = c->procs.len;

	format_duration(c->end_mono - c->start_mono, dur, sizeof(dur));
	fprintf(stderr, "captured %llu record%s (%llu lost) from %zu process%s in %s -> %s\n",
		(unsigned long long)t->records, t->records == 1 ? "" : "s",
		(unsigned long long)t->lost, n, n == 1 ? "" : "es", dur, c->o->output);
	capture_status_summary(c, t);
	if (command_failed(c)) {
		char how[64];

		wait_status_format(c->command_status, how, sizeof(how));
		note("the command %s", how);
	}
	if (!t->lost)
		return;
	format_size(c->o->buffer, size, sizeof(size));
	/* The capture drains all along: what was overwritten is a gap, not the start. */
	if (c->o->mode == GODIAG_MODE_OVERWRITE)
		warn("%llu records were overwritten before they were read (overwrite "
		     "mode: the capture has gaps where the buffers were full); a "
		     "larger --buffer than %s leaves fewer", (unsigned long long)t->lost,
		     size);
	else
		warn("%llu records lost (%.1f%%): the buffers were full; capture "
		     "again with a larger --buffer than %s",
		     (unsigned long long)t->lost,
		     100.0 * (double)t->lost / (double)(t->records + t->lost), size);
}

/* Drains until a pass finds nothing: after STOP no writer adds more. */
static void drain_fully(struct capture *c)
{
	uint64_t before;

	do {
		before = c->w.records;
		capture_drain(c);
	} while (c->w.records != before && !capw_error(&c->w));
}

int capture_finish(struct capture *c)
{
	struct capfile_cpu_stats *s;
	struct capture_totals t;
	uint32_t flags;
	bool exact, expired = false;
	int err, ret;
	size_t i;

	capture_status_clear(c);
	if (!c->session_gone)
		stop_session(c);
	drain_fully(c);
	c->end_real = capture_now_ns(CLOCK_REALTIME);
	c->end_mono = capture_now_ns(CLOCK_MONOTONIC);
	s = collect_stats(c, &flags, &expired);
	/* Without the notify group, the session's mark says why it stopped. */
	if (c->reason == STOP_SESSION && expired)
		c->reason = STOP_EXPIRED;
	note_reason(c);
	note_ring_trouble(c);
	exact = check_counts(c, s, flags);
	for (i = 0; i < c->nsrcs; i++)
		c->srcs[i].ops->write(c, c->srcs[i].data);
	capw_stats(&c->w, flags, s, (uint32_t)c->nrings);
	capw_end(&c->w, c->end_real, c->end_mono);
	err = capw_close(&c->w);
	destroy_session(c);
	t = totals_of(c, s, flags);
	free(s);
	ret = capture_output_done(c, err);
	auditlog_capture(c, "capture-stop", ret == EXIT_OK ? reason_name(c->reason) :
			 "write-error", t.records, t.lost);
	if (ret != EXIT_OK)
		return ret;
	summary(c, &t);
	if (c->o->json)
		capture_status_json(c, &t, reason_name(c->reason));
	/* --strict: a complete file of an incomplete or failed run. */
	if (c->o->strict && (t.lost || !exact || command_failed(c)))
		return EXIT_UNCLEAN;
	return EXIT_OK;
}
