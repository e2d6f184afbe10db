// SPDX-License-Identifier: GPL-2.0
/*
 * A flight recorder's triggers: what --trigger says, the table the
 * module checks where it writes syscall and breakpoint records
 * (godiag_abi.h, "Triggers"), and the conditions on the Go runtime's
 * state that the watcher checks by reading the process once a second.
 *
 * Each trigger is one index (its place among the --trigger options); a
 * syscall trigger is one module entry, a break:SPEC one per probe its
 * breakpoint placed, a runtime one a USER entry that the watcher fires
 * with TRIGGER_FIRE, so the cooldown and the counters are the module's
 * for all of them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "cmd/flight.h"
#include "model/rtstats.h"

/* ---- flight start ------------------------------------------------------- */

/* The --break a break:SPEC trigger stands for, -1: none. */
static long break_of(const struct capture_opts *o, const char *spec)
{
	size_t i;

	for (i = 0; i < o->nbreaks; i++)
		if (!o->breaks[i].gc && !strcmp(o->breaks[i].spec, spec))
			return (long)i;
	return -1;
}

void flight_triggers_prepare(const struct cmd *c, struct capture_opts *o,
			     struct flight_trigger **out)
{
	struct flight_trigger *v = xcalloc(o->ntriggers ? o->ntriggers : 1, sizeof(*v));
	char err[512];
	size_t i;

	for (i = 0; i < o->ntriggers; i++) {
		struct capture_bspec *b;

		if (flight_trigger_parse(o->triggers[i], &v[i], err, sizeof(err)))
			cmd_usage_error(c, "--trigger %s", err);
		if (v[i].kind == FT_SYSCALL)
			o->syscalls = true;
		if (v[i].kind != FT_BREAK || break_of(o, v[i].arg) >= 0)
			continue;
		if (o->nbreaks == CAPTURE_BREAKS_MAX)
			cmd_usage_error(c, "more than %d --break with the triggers'",
					CAPTURE_BREAKS_MAX);
		o->breaks = xreallocarray(o->breaks, o->nbreaks + 1, sizeof(*o->breaks));
		b = &o->breaks[o->nbreaks++];
		memset(b, 0, sizeof(*b));
		b->spec = v[i].arg;
	}
	*out = v;
}

static void put_texts(struct nl_msg *msg, const struct capture_opts *o)
{
	size_t len = 0, i;
	char *buf;

	for (i = 0; i < o->ntriggers; i++)
		len += strlen(o->triggers[i]) + 1;
	if (len > GODIAG_TRIGGER_TEXTS_MAX)
		die(EXIT_USAGE, "flight: the --trigger texts are longer than %d bytes together",
		    GODIAG_TRIGGER_TEXTS_MAX);
	buf = xmalloc(len ? len : 1);
	len = 0;
	for (i = 0; i < o->ntriggers; i++) {
		strcpy(buf + len, o->triggers[i]);
		len += strlen(o->triggers[i]) + 1;
	}
	gdnl_put_data(msg, GODIAG_A_TRIGGER_TEXTS, buf, len);
	free(buf);
}

static void add_entry(struct godiag_trigger *tab, size_t *n, uint8_t kind, size_t index,
		      uint32_t arg, uint64_t min_ns)
{
	if (*n == GODIAG_TRIGGERS_MAX)
		die(EXIT_USAGE, "flight: the triggers need more than %d module entries "
		    "(a break:SPEC takes one per probe)", GODIAG_TRIGGERS_MAX);
	memset(&tab[*n], 0, sizeof(tab[*n]));
	tab[*n].kind = kind;
	tab[*n].index = (uint16_t)index;
	tab[*n].arg = arg;
	tab[*n].min_ns = min_ns;
	(*n)++;
}

void flight_triggers_install(struct capture *c, void *arg)
{
	const struct flight_trigger *t = arg;
	struct godiag_trigger tab[GODIAG_TRIGGERS_MAX];
	uint32_t ids[GODIAG_TRIGGERS_MAX];
	size_t n = 0, i, k, nids;
	struct nl_msg *msg;
	int err;

	for (i = 0; i < c->o->ntriggers; i++) {
		if (t[i].kind == FT_SYSCALL) {
			add_entry(tab, &n, GODIAG_TRIG_SYSCALL, i,
				  t[i].nr < 0 ? GODIAG_TRIG_ANY_SYSCALL : (uint32_t)t[i].nr,
				  t[i].ns);
		} else if (t[i].kind == FT_BREAK) {
			nids = capture_break_probes(c, (size_t)break_of(c->o, t[i].arg), ids,
						    GODIAG_TRIGGERS_MAX);
			for (k = 0; k < nids; k++)
				add_entry(tab, &n, GODIAG_TRIG_BREAK, i, ids[k], 0);
		} else {
			add_entry(tab, &n, GODIAG_TRIG_USER, i, 0, 0);
		}
	}
	msg = gdnl_msg(c->nl, GODIAG_CMD_TRIGGERS_SET, 0);
	gdnl_put_u32(msg, GODIAG_A_SESSION_ID, c->session);
	gdnl_put_data(msg, GODIAG_A_TRIGGERS, tab, n * sizeof(*tab));
	gdnl_put_u32(msg, GODIAG_A_TRIGGER_COOLDOWN_MS, c->o->cooldown_ms);
	put_texts(msg, c->o);
	err = gdnl_exec(c->nl, msg, NULL, NULL);
	if (err)
		gdnl_fail(c->nl, err);
}

/* ---- the runtime's state, for the watcher --------------------------------- */

struct flight_rt_proc {
	uint32_t pid;
	struct rs_reader *r;	/* NULL: could not be opened (said once) */
	bool numgc_known;
	uint64_t numgc;
};

struct flight_rt {
	struct flight_rt_proc *v;
	size_t n;
};

struct flight_rt *flight_rt_new(void)
{
	return xcalloc(1, sizeof(struct flight_rt));
}

static void proc_close(struct flight_rt_proc *p)
{
	if (p->r) {
		rs_close(p->r);
		free(p->r);
	}
	p->r = NULL;
}

void flight_rt_free(struct flight_rt *rt)
{
	size_t i;

	if (!rt)
		return;
	for (i = 0; i < rt->n; i++)
		proc_close(&rt->v[i]);
	free(rt->v);
	free(rt);
}

static struct flight_rt_proc *proc_get(struct flight_rt *rt, uint32_t pid,
				       void (*say)(const char *msg))
{
	char err[1024], line[1200];
	struct flight_rt_proc *p;
	size_t i;

	for (i = 0; i < rt->n; i++)
		if (rt->v[i].pid == pid)
			return &rt->v[i];
	rt->v = xreallocarray(rt->v, rt->n + 1, sizeof(*rt->v));
	p = &rt->v[rt->n++];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->r = xcalloc(1, sizeof(*p->r));
	if (rs_open((pid_t)pid, p->r, err, sizeof(err)) != GR_OK) {
		snprintf(line, sizeof(line), "PID %u: the runtime's triggers cannot read it: %s",
			 pid, err);
		say(line);
		proc_close(p);
	}
	return p;
}

/* Whether a goroutine waits for REASON for more than ns, as far as a GC saw. */
static bool blocked(const struct gr_dump *d, const struct flight_trigger *t)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct gr_goroutine *g = &d->g[i];

		if (g->status == GORT_G_WAITING && g->reason && !strcmp(g->reason, t->arg) &&
		    g->wait_known && g->wait_ns > t->ns)
			return true;
	}
	return false;
}

static bool holds(struct flight_rt_proc *p, const struct rs_sample *s, bool new_gc,
		  const struct flight_trigger *t)
{
	const struct rs_value *pause = &s->fig[RS_LAST_PAUSE];

	switch (t->kind) {
	case FT_GOROUTINES:
		return s->user > t->count;
	case FT_BLOCKED:
		return blocked(&p->r->d, t);
	case FT_GC_PAUSE:
		return new_gc && pause->known && pause->v > t->ns;
	default:
		return false;
	}
}

void flight_rt_poll(struct flight_rt *rt, const uint32_t *pids, size_t npids,
		    const struct flight_trigger *t, size_t n,
		    void (*fire)(void *arg, unsigned int index), void *arg,
		    void (*say)(const char *msg))
{
	bool fired[GODIAG_TRIGGERS_MAX] = { false };
	struct rs_sample s;
	char err[1024];
	size_t i, k;

	for (i = 0; i < npids; i++) {
		struct flight_rt_proc *p = proc_get(rt, pids[i], say);
		bool new_gc;

		if (!p->r || rs_read(p->r, &s, err, sizeof(err)) != GR_OK)
			continue;
		new_gc = s.fig[RS_NUMGC].known && p->numgc_known && s.fig[RS_NUMGC].v != p->numgc;
		p->numgc_known = s.fig[RS_NUMGC].known;
		p->numgc = s.fig[RS_NUMGC].v;
		for (k = 0; k < n && k < GODIAG_TRIGGERS_MAX; k++)
			if (!flight_trigger_in_kernel(&t[k]) && !fired[k] && holds(p, &s, new_gc, &t[k]))
				fired[k] = true;
	}
	for (k = 0; k < n && k < GODIAG_TRIGGERS_MAX; k++)
		if (fired[k])
			fire(arg, (unsigned int)k);
}
