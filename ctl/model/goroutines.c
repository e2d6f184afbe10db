// SPDX-License-Identifier: GPL-2.0
/*
 * Reading the goroutines of a live Go process (goroutines.h): the list,
 * each g, its stack along the frame pointers, and the groups of
 * goroutines with the same state and stack.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/proc.h"
#include "base/util.h"
#include "gobin/goruntime.h"
#include "model/goroutines.h"

#define MAPS_MAX	(64U << 20)
#define MAPPINGS_MAX	65536
/* A goroutine's stack: Go's maximum is 1 GB on 64-bit systems. */
#define STACK_MAX	(1ULL << 30)
/* goids come from a counter; more than this is not one. */
#define GOID_MAX	(1ULL << 48)
/*
 * A g is read again this many times when it changed under the reader. A
 * goroutine that sleeps a millisecond at a time changes that often, and
 * on a loaded host a read with its stack walk can take longer: 2 left
 * such a goroutine skipped in about one dump in ten at load 9 on 2 CPUs.
 */
#define REREAD_MAX	8
#define INLINE_MAX	16

/* ---- memory --------------------------------------------------------- */

static bool mapped(const struct gr_mem *pr, uint64_t addr, uint64_t len, bool exec)
{
	size_t lo = 0, hi = pr->nmaps;

	if (!len || addr + len < addr)
		return false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (pr->maps[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* Adjacent mappings (a stack in two of them) are one range here. */
	while (lo < pr->nmaps && pr->maps[lo].start <= addr) {
		if (exec && !pr->maps[lo].exec)
			return false;
		if (addr + len <= pr->maps[lo].end)
			return true;
		if (lo + 1 == pr->nmaps || pr->maps[lo + 1].start != pr->maps[lo].end)
			return false;
		lo++;
	}
	return false;
}

static bool peek(const struct gr_mem *pr, uint64_t addr, void *buf, size_t len)
{
	ssize_t n;

	if (addr > INT64_MAX || !mapped(pr, addr, len, false))
		return false;
	n = pread(pr->fd, buf, len, (off_t)addr);
	return n == (ssize_t)len;
}

static bool peek64(const struct gr_mem *pr, uint64_t addr, uint64_t *v)
{
	return peek(pr, addr, v, sizeof(*v));
}

/* The readable mappings of /proc/PID/maps, in address order. */
static int read_maps(pid_t pid, struct gr_mem *pr)
{
	char path[64], *text, *line, *save = NULL;
	size_t len;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	text = proc_read(path, MAPS_MAX, &len);
	if (!text)
		return -1;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long s, e;
		char perms[8];

		if (sscanf(line, "%llx-%llx %7s", &s, &e, perms) != 3 || perms[0] != 'r' ||
		    e <= s)
			continue;
		if (pr->nmaps == MAPPINGS_MAX)
			break;
		pr->maps = xreallocarray(pr->maps, pr->nmaps + 1, sizeof(*pr->maps));
		pr->maps[pr->nmaps].start = s;
		pr->maps[pr->nmaps].end = e;
		pr->maps[pr->nmaps].exec = perms[2] == 'x';
		pr->nmaps++;
	}
	free(text);
	return 0;
}

/* ---- one g ---------------------------------------------------------- */

/* The fields of a g that a dump shows, from one copy of it. */
struct graw {
	uint64_t goid, parent, gopc, startpc, waitsince;
	uint64_t lo, hi, sp, pc, bp, syscallsp, syscallpc, syscallbp;
	uint32_t status;
	uint8_t waitreason;
};

static uint64_t u64_at(const uint8_t *g, uint32_t off)
{
	uint64_t v;

	memcpy(&v, g + off, sizeof(v));
	return v;
}

static bool read_g(const struct gr_mem *pr, const struct gort *rt, uint64_t gp,
		   struct graw *r)
{
	uint8_t buf[4096];

	if (rt->g_read > sizeof(buf) || !peek(pr, gp, buf, rt->g_read))
		return false;
	memset(r, 0, sizeof(*r));
	r->goid = u64_at(buf, rt->off_goid);
	r->parent = rt->has_parent_goid ? u64_at(buf, rt->off_parent_goid) : 0;
	r->gopc = u64_at(buf, rt->off_gopc);
	r->startpc = u64_at(buf, rt->off_startpc);
	r->waitsince = u64_at(buf, rt->off_waitsince);
	r->lo = u64_at(buf, rt->off_stack_lo);
	r->hi = u64_at(buf, rt->off_stack_hi);
	r->sp = u64_at(buf, rt->off_sched_sp);
	r->pc = u64_at(buf, rt->off_sched_pc);
	r->bp = u64_at(buf, rt->off_sched_bp);
	r->syscallsp = u64_at(buf, rt->off_syscallsp);
	r->syscallpc = u64_at(buf, rt->off_syscallpc);
	r->syscallbp = rt->has_syscallbp ? u64_at(buf, rt->off_syscallbp) : 0;
	memcpy(&r->status, buf + rt->off_status, sizeof(r->status));
	r->waitreason = buf[rt->off_waitreason];
	return true;
}

static bool is_dead(uint32_t status)
{
	status &= ~(uint32_t)GORT_G_SCAN;
	return status == GORT_G_DEAD || status == GORT_G_DEADEXTRA || status == GORT_G_IDLE;
}

/* A live g worth believing: state, goid, stack bounds. */
static bool valid_g(const struct gr_mem *pr, const struct graw *r)
{
	uint32_t st = r->status & ~(uint32_t)GORT_G_SCAN;

	if ((r->status & ~(uint32_t)(GORT_G_SCAN | 0xff)) || st >= GORT_G_STATES)
		return false;
	if (!r->goid || r->goid > GOID_MAX)
		return false;
	if (r->lo >= r->hi || r->hi - r->lo > STACK_MAX || (r->lo | r->hi) & 7)
		return false;
	return mapped(pr, r->lo, r->hi - r->lo, false);
}

/* What makes a g the same one, in the same place: read before and after its stack. */
static bool same_g(const struct graw *a, const struct graw *b)
{
	return a->goid == b->goid && a->status == b->status && a->sp == b->sp &&
	       a->pc == b->pc && a->bp == b->bp && a->lo == b->lo && a->hi == b->hi &&
	       a->syscallsp == b->syscallsp && a->syscallpc == b->syscallpc;
}

/* ---- its stack ------------------------------------------------------ */

struct walker {
	const struct gr_mem *pr;
	const struct gobin *b;
	uint64_t bias;
	uint64_t goexit;	/* link-time entry of runtime.goexit, 0: unknown */
	uint64_t goexit_end;
	bool stacks;		/* walk them (else only states are read) */
};

/* Adds the frames of one PC (inlined calls first) to g. */
static bool add_pc(const struct walker *w, struct gr_goroutine *g, uint64_t pc, bool ret)
{
	struct gobin_frame fr[INLINE_MAX];
	size_t i, n;

	n = pc >= w->bias ? gobin_pc_frames(w->b, pc - w->bias, ret, fr, INLINE_MAX) : 0;
	/* None for a wrapper (left out); a frame of its own where no Go function is (cgo). */
	if (!n && (pc < w->bias || !gobin_func_name(w->b, pc - w->bias))) {
		memset(fr, 0, sizeof(fr[0]));
		fr[0].entry = pc - w->bias;
		n = 1;
	}
	for (i = 0; i < n; i++) {
		struct gr_frame *f;

		if (g->nframes == GR_DEPTH_MAX) {
			g->truncated = true;
			return false;
		}
		g->frames = xreallocarray(g->frames, g->nframes + 1, sizeof(*g->frames));
		f = &g->frames[g->nframes++];
		f->func = fr[i].func;
		f->file = fr[i].file;
		f->line = fr[i].line;
		f->pc = pc;
		f->off = pc - w->bias - fr[i].entry;
		f->inlined = fr[i].inlined;
	}
	return true;
}

static bool in_goexit(const struct walker *w, uint64_t pc)
{
	return w->goexit && pc >= w->bias && pc - w->bias >= w->goexit &&
	       pc - w->bias < w->goexit_end;
}

/*
 * From a PC and the frame pointer of its function, up the chain of saved
 * frame pointers: each inside [lo, hi), above the one before, 8-aligned.
 */
static void walk_stack(const struct walker *w, struct gr_goroutine *g, const struct graw *r,
		       uint64_t pc, uint64_t sp, uint64_t bp)
{
	size_t depth;

	if (!mapped(w->pr, pc, 1, true) || sp < r->lo || sp > r->hi) {
		g->why_no_stack = "its saved registers are not in its stack";
		return;
	}
	if (!add_pc(w, g, pc, true))
		return;
	for (depth = 1; depth < GR_DEPTH_MAX; depth++) {
		uint64_t frame[2];

		if (!bp)
			return;
		if (bp < sp || bp < r->lo || bp + 16 > r->hi || bp & 7 ||
		    !peek(w->pr, bp, frame, sizeof(frame))) {
			g->truncated = true;
			return;
		}
		pc = frame[1];
		if (in_goexit(w, pc))
			return;
		if (!mapped(w->pr, pc, 1, true)) {
			g->truncated = true;
			return;
		}
		if (!add_pc(w, g, pc, true))
			return;
		if (frame[0] && frame[0] <= bp) {
			g->truncated = true;
			return;
		}
		sp = bp + 16;
		bp = frame[0];
	}
	if (bp)
		g->truncated = true;
}

static void stack_of(const struct walker *w, const struct gort *rt, struct gr_goroutine *g,
		     const struct graw *r)
{
	switch (g->status) {
	case GORT_G_RUNNING:
		g->why_no_stack = "running on a thread: its registers are not saved";
		return;
	case GORT_G_COPYSTACK:
		g->why_no_stack = "its stack is being moved";
		return;
	case GORT_G_SYSCALL:
		if (!r->syscallpc) {
			g->why_no_stack = "in a system call, registers not saved";
			return;
		}
		if (rt->has_syscallbp) {
			walk_stack(w, g, r, r->syscallpc, r->syscallsp, r->syscallbp);
			return;
		}
		/* Before go1.23 the runtime keeps no frame pointer here. */
		walk_stack(w, g, r, r->syscallpc, r->syscallsp, 0);
		g->truncated = true;
		return;
	default:
		if (!r->pc) {
			g->why_no_stack = "no saved registers";
			return;
		}
		walk_stack(w, g, r, r->pc, r->sp, r->bp);
	}
}

/* ---- the goroutine -------------------------------------------------- */

static uint64_t now_ns(void)
{
	struct timespec ts;

	/* runtime.nanotime is CLOCK_MONOTONIC, the same clock on the host. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* The name of a start PC (creator: 0) or of a go statement's PC (1), once per PC. */
static const struct gr_pcname *pc_name(struct gr_dump *d, uint64_t pc, int creator)
{
	const struct gobin *b = &d->bin;
	struct gr_pcname *n;
	uint64_t entry, end;
	bool added;
	uint32_t i = *hmap_get(&d->name_idx, pc, (uint64_t)creator, (uint32_t)d->nnames, &added);

	if (!added)
		return &d->names[i];
	d->names = xreallocarray(d->names, d->nnames + 1, sizeof(*d->names));
	n = &d->names[d->nnames++];
	memset(n, 0, sizeof(*n));
	if (creator) {
		gobin_pc_source(b, pc, &n->func, &n->file, &n->line);
		if (n->func && !gobin_func_range(b, n->func, &entry, &end))
			n->off = pc - entry;
		return n;
	}
	n->func = gobin_go_start(b, pc);
	if (!n->func)
		n->func = gobin_func_name(b, pc);
	n->system = gobin_is_system_start(b, pc);
	return n;
}

static void describe(struct gr_dump *d, const struct graw *r, struct gr_goroutine *g)
{
	const struct gobin *b = &d->bin;
	const struct gr_pcname *n;
	uint64_t now;

	g->id = r->goid;
	g->parent_id = r->parent;
	g->status = r->status & ~(uint32_t)GORT_G_SCAN;
	if (g->status == GORT_G_WAITING && r->waitreason < b->nreasons &&
	    b->reasons[r->waitreason][0])
		g->reason = b->reasons[r->waitreason];
	now = now_ns();
	if ((g->status == GORT_G_WAITING || g->status == GORT_G_SYSCALL) && r->waitsince &&
	    r->waitsince <= now) {
		g->wait_known = true;
		g->wait_ns = now - r->waitsince;
	}
	if (r->startpc >= d->bias) {
		n = pc_name(d, r->startpc - d->bias, 0);
		g->start = n->func;
		g->system = n->system;
	}
	if (r->gopc >= d->bias && g->id != 1) {
		n = pc_name(d, r->gopc - d->bias, 1);
		g->creator = n->func;
		g->creator_file = n->file;
		g->creator_line = n->line;
		g->creator_off = n->off;
	}
}

/*
 * One g of the list: 1 shown (in *g), 0 dead or left out, -1 skipped.
 * It is read, its stack walked, and read again; a g that changed in
 * between is read over, at most REREAD_MAX times.
 */
static int one_g(struct gr_dump *d, const struct gr_mem *pr, const struct walker *w,
		 uint64_t gp, struct gr_goroutine *g)
{
	struct graw r, again;
	int tries;

	for (tries = 0; tries <= REREAD_MAX; tries++) {
		memset(g, 0, sizeof(*g));
		if (!read_g(pr, &d->rt, gp, &r))
			return -1;
		if (is_dead(r.status)) {
			d->dead++;
			return 0;
		}
		if (!valid_g(pr, &r))
			return -1;
		describe(d, &r, g);
		if (w->stacks)
			stack_of(w, &d->rt, g, &r);
		if (read_g(pr, &d->rt, gp, &again) && same_g(&r, &again))
			return 1;
		free(g->frames);
		g->frames = NULL;
	}
	return -1;
}

static bool wanted(const struct gr_filter *f, const struct gr_goroutine *g)
{
	if (f->state >= 0 && (uint32_t)f->state != g->status)
		return false;
	if (f->reason && (!g->reason || strcmp(f->reason, g->reason)))
		return false;
	if (f->min_wait_ns && (!g->wait_known || g->wait_ns < f->min_wait_ns))
		return false;
	return true;
}

/* ---- groups --------------------------------------------------------- */

bool gr_same_group(const struct gr_goroutine *a, const struct gr_goroutine *b)
{
	size_t i;

	if (a->status != b->status || a->nframes != b->nframes ||
	    (a->reason != b->reason && (!a->reason || !b->reason || strcmp(a->reason, b->reason))) ||
	    a->why_no_stack != b->why_no_stack || a->truncated != b->truncated)
		return false;
	for (i = 0; i < a->nframes; i++)
		if (a->frames[i].pc != b->frames[i].pc || a->frames[i].func != b->frames[i].func)
			return false;
	return true;
}

static int cmp_id(const void *x, const void *y)
{
	const struct gr_goroutine *a = x, *b = y;

	return (a->id > b->id) - (a->id < b->id);
}

static const struct gr_dump *sort_dump;

static int cmp_group(const void *x, const void *y)
{
	const struct gr_group *a = x, *b = y;

	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return cmp_id(&sort_dump->g[a->first], &sort_dump->g[b->first]);
}

/* Groups in O(n * groups): a dump has few distinct stacks. */
static void group(struct gr_dump *d)
{
	size_t i, k;

	for (i = 0; i < d->n; i++) {
		for (k = 0; k < d->ngroups; k++)
			if (gr_same_group(&d->g[d->groups[k].first], &d->g[i]))
				break;
		if (k == d->ngroups) {
			d->groups = xreallocarray(d->groups, d->ngroups + 1, sizeof(*d->groups));
			d->groups[k].count = 0;
			d->groups[k].status = d->g[i].status;
			d->groups[k].reason = d->g[i].reason;
			d->groups[k].first = i;
			d->ngroups++;
		}
		d->groups[k].count++;
	}
	sort_dump = d;
	if (d->ngroups > 1)
		qsort(d->groups, d->ngroups, sizeof(*d->groups), cmp_group);
	sort_dump = NULL;
	for (k = 0; k < d->ngroups; k++)
		for (i = 0; i < d->n; i++)
			if (gr_same_group(&d->g[d->groups[k].first], &d->g[i]))
				d->g[i].group = k;
}

/* ---- the list ------------------------------------------------------- */

static enum gr_error fail(enum gr_error e, char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static enum gr_error fail(enum gr_error e, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return e;
}

/* The list: allglen, then allgptr (the runtime stores them the other way round). */
static bool read_list(const struct gr_dump *d, const struct gr_mem *pr, uint64_t *n,
		      uint64_t *ptr)
{
	return peek64(pr, d->rt.allglen + d->bias, n) &&
	       peek64(pr, d->rt.allgptr + d->bias, ptr);
}

static enum gr_error open_process(pid_t pid, struct gr_dump *d, struct gr_mem *pr,
				  char *err, size_t errlen)
{
	char path[64], why[512];
	int r;

	struct stat st;

	/* stat, not kill(pid, 0): a dump sends nothing to the process. */
	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	if (stat(path, &st))
		return fail(GR_ENOPROC, err, errlen, "no process %d", (int)pid);
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	pr->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (pr->fd < 0 && (errno == EACCES || errno == EPERM))
		return fail(GR_EPERM, err, errlen, "cannot read the memory of process %d: "
			    "%s (reading another process's memory needs ptrace access to it: "
			    "the same user with kernel.yama.ptrace_scope allowing it, or "
			    "CAP_SYS_PTRACE)", (int)pid, strerror(errno));
	if (pr->fd < 0)
		return fail(errno == ENOENT ? GR_ENOPROC : GR_EFAIL, err, errlen,
			    "process %d: %s: %s", (int)pid, path, strerror(errno));
	snprintf(d->exe, sizeof(d->exe), "/proc/%d/exe", (int)pid);
	proc_exe(pid, d->path, sizeof(d->path));
	r = gobin_open(&d->bin, d->exe, why, sizeof(why));
	if (r == GOBIN_NOT_GO)
		return fail(GR_ENOTGO, err, errlen, "process %d is not a Go program", (int)pid);
	if (r)
		return fail(GR_EFAIL, err, errlen, "process %d: %s", (int)pid, why);
	snprintf(d->go_version, sizeof(d->go_version), "%s", d->bin.go_version);
	if (gobin_goroutine_setup(&d->bin, why, sizeof(why)) ||
	    gobin_runtime_setup(&d->bin, &d->rt, why, sizeof(why)))
		return fail(GR_EUNSUPPORTED, err, errlen, "process %d (%s): %s", (int)pid,
			    d->go_version[0] ? d->go_version : "Go", why);
	r = gobin_process_bias(&d->bin, (uint32_t)pid, d->exe, &d->bias);
	if (r)
		return fail(r == GOBIN_NOT_MAPPED ? GR_EFAIL : GR_EFAIL, err, errlen,
			    "process %d: cannot find where its binary is mapped", (int)pid);
	return GR_OK;
}

static enum gr_error walk_list(struct gr_dump *d, const struct gr_mem *pr,
			       const struct gr_filter *f, char *err, size_t errlen)
{
	struct walker w = { .pr = pr, .b = &d->bin, .bias = d->bias, .stacks = !f->no_stacks };
	uint64_t n, ptr, n2, ptr2, i, *gps;

	if (gobin_func_range(&d->bin, "runtime.goexit", &w.goexit, &w.goexit_end))
		w.goexit = 0;
	if (!read_list(d, pr, &n, &ptr))
		return fail(GR_EFAIL, err, errlen, "process %d: cannot read runtime.allglen "
			    "and runtime.allgptr", (int)d->pid);
	if (!n || n > GR_ALLGLEN_MAX || !ptr)
		return fail(GR_EFAIL, err, errlen, "process %d: runtime.allglen is %" PRIu64
			    ": not a list of goroutines (is the runtime started?)",
			    (int)d->pid, n);
	gps = xcalloc((size_t)n, sizeof(*gps));
	if (!peek(pr, ptr, gps, (size_t)n * sizeof(*gps))) {
		free(gps);
		return fail(GR_EFAIL, err, errlen, "process %d: cannot read the %" PRIu64
			    " entries of runtime.allgs", (int)d->pid, n);
	}
	d->listed = n;
	d->g = xcalloc((size_t)n, sizeof(*d->g));
	for (i = 0; i < n; i++) {
		struct gr_goroutine *g = &d->g[d->n];
		int r = one_g(d, pr, &w, gps[i], g);

		if (r < 0)
			d->skipped++;
		if (r <= 0)
			continue;
		d->total++;
		if (g->system && !f->system) {
			d->hidden_system++;
			free(g->frames);
		} else if (!wanted(f, g)) {
			d->filtered++;
			free(g->frames);
		} else {
			d->n++;
		}
	}
	free(gps);
	d->listed_after = n;
	if (read_list(d, pr, &n2, &ptr2)) {
		d->listed_after = n2;
		d->changed = n2 != n || ptr2 != ptr;
	} else {
		d->changed = true;
	}
	return GR_OK;
}

enum gr_error gr_attach(pid_t pid, struct gr_dump *d, char *err, size_t errlen)
{
	memset(d, 0, sizeof(*d));
	d->pid = pid;
	d->mem.fd = -1;
	return open_process(pid, d, &d->mem, err, errlen);
}

/* Forgets the goroutines of the last walk. */
static void clear_walk(struct gr_dump *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		free(d->g[i].frames);
	free(d->g);
	free(d->groups);
	free(d->mem.maps);
	d->g = NULL;
	d->groups = NULL;
	d->mem.maps = NULL;
	d->mem.nmaps = 0;
	d->n = d->ngroups = 0;
	d->listed = d->listed_after = 0;
	d->changed = false;
	d->dead = d->skipped = d->hidden_system = d->filtered = d->total = 0;
}

enum gr_error gr_walk(struct gr_dump *d, const struct gr_filter *f, char *err, size_t errlen)
{
	enum gr_error e;

	clear_walk(d);
	/* Mappings come and go (goroutine stacks): read them each time. */
	if (read_maps(d->pid, &d->mem))
		return fail(errno == ENOENT || errno == ESRCH ? GR_ENOPROC : GR_EFAIL, err, errlen,
			    "process %d: cannot read its maps: %s", (int)d->pid, strerror(errno));
	e = walk_list(d, &d->mem, f, err, errlen);
	if (e != GR_OK)
		return e;
	if (d->n > 1)
		qsort(d->g, d->n, sizeof(*d->g), cmp_id);
	group(d);
	return GR_OK;
}

int gr_exit_code(enum gr_error e)
{
	switch (e) {
	case GR_OK:
		return EXIT_OK;
	case GR_ENOPROC:
	case GR_ENOTGO:
		return EXIT_USAGE;
	case GR_EPERM:
		return EXIT_PERM;
	default:
		return EXIT_OPFAIL;
	}
}

enum gr_error gr_read(pid_t pid, const struct gr_filter *f, struct gr_dump *d,
		      char *err, size_t errlen)
{
	enum gr_error e;

	e = gr_attach(pid, d, err, errlen);
	if (e == GR_OK)
		e = gr_walk(d, f, err, errlen);
	if (d->mem.fd >= 0)
		close(d->mem.fd);
	d->mem.fd = -1;
	return e;
}

bool gr_peek(const struct gr_dump *d, uint64_t addr, void *buf, size_t len)
{
	return d->mem.fd >= 0 && peek(&d->mem, addr, buf, len);
}

bool gr_gone(pid_t pid)
{
	char path[64], *text;
	const char *p;
	size_t len;
	bool gone;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	text = proc_read(path, 4096, &len);
	if (!text)
		return errno == ENOENT || errno == ESRCH;
	/* "PID (comm) S ...": the state follows the last ')'. */
	p = strrchr(text, ')');
	gone = p && (p[1] == ' ') && (p[2] == 'Z' || p[2] == 'X');
	free(text);
	return gone;
}

void gr_free(struct gr_dump *d)
{
	clear_walk(d);
	hmap_free(&d->name_idx);
	free(d->names);
	d->names = NULL;
	d->nnames = 0;
	if (d->mem.fd >= 0)
		close(d->mem.fd);
	d->mem.fd = -1;
	gobin_close(&d->bin);
}
