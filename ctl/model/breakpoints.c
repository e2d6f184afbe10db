// SPDX-License-Identifier: GPL-2.0
/* Breakpoints in a capture file: counts, values, stacks, latency (breakpoints.h). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/percentile.h"
#include "base/util.h"
#include "model/breakpoints.h"

#define FIELDS_MAX	12

/* ---- counting distinct texts ------------------------------------------ */

static uint64_t hash_text(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void count_text(struct bp_counts *c, const char *text)
{
	uint64_t h = hash_text(text), len = strlen(text);
	uint32_t *slot = hmap_find(&c->map, h, len);
	bool added;
	size_t i;

	if (slot && !strcmp(c->v[*slot - 1].text, text)) {
		c->v[*slot - 1].count++;
		return;
	}
	/* A hash collision: the texts sharing it are few, look them all up. */
	for (i = 0; slot && i < c->n; i++) {
		if (!strcmp(c->v[i].text, text)) {
			c->v[i].count++;
			return;
		}
	}
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		c->v = xreallocarray(c->v, c->cap, sizeof(*c->v));
	}
	c->v[c->n].text = xstrdup(text);
	c->v[c->n].count = 1;
	c->n++;
	if (!slot)
		hmap_get(&c->map, h, len, (uint32_t)c->n, &added);
}

static int cmp_value(const void *a, const void *b)
{
	const struct bp_value *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->text, y->text);
}

static void counts_finish(struct bp_counts *c)
{
	if (c->n > 1)
		qsort(c->v, c->n, sizeof(*c->v), cmp_value);
	hmap_free(&c->map);
}

static void counts_free(struct bp_counts *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->v[i].text);
	free(c->v);
	hmap_free(&c->map);
}

/* ---- BREAKS lines ------------------------------------------------------ */

static size_t split(char *line, char **f)
{
	size_t n = 0;

	f[n++] = line;
	while (n < FIELDS_MAX && (line = strchr(line, '\t'))) {
		*line++ = '\0';
		f[n++] = line;
	}
	return n;
}

static uint64_t num(const char *s, int base)
{
	return strtoull(s, NULL, base);
}

static struct bp_row *row_of(struct breakpoints *b, uint64_t index)
{
	size_t i;

	for (i = 0; i < b->nrows; i++)
		if (b->rows[i].index == index)
			return &b->rows[i];
	return NULL;
}

/* B index pid sites rets inlined_unprobed spec function */
static void line_break(struct breakpoints *b, char **f, size_t n)
{
	struct bp_row *r;

	if (n < 8 || row_of(b, num(f[1], 10)) || b->nrows >= UINT32_MAX)
		return;
	b->rows = xreallocarray(b->rows, b->nrows + 1, sizeof(*b->rows));
	r = &b->rows[b->nrows++];
	memset(r, 0, sizeof(*r));
	r->index = (uint32_t)num(f[1], 10);
	r->sites = num(f[3], 10);
	r->rets = num(f[4], 10);
	r->inlined_unprobed = num(f[5], 10);
	r->spec = xstrdup(f[6]);
	r->function = xstrdup(f[7]);
	r->gc = !strcmp(r->spec, GC_SPEC_STOP) || !strcmp(r->spec, GC_SPEC_START);
}

/*
 * A index pid word kind size name type [elem_kind elem_size]: the first
 * target's plan names them; a slice whose elements are copied has the
 * last two.
 */
static void line_arg(struct breakpoints *b, char **f, size_t n)
{
	struct bp_row *r = n >= 8 ? row_of(b, num(f[1], 10)) : NULL;
	struct bp_arg *a;
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->nargs; i++)
		if (!strcmp(r->args[i].name, f[6]))
			return;
	r->args = xreallocarray(r->args, r->nargs + 1, sizeof(*r->args));
	a = &r->args[r->nargs++];
	memset(a, 0, sizeof(*a));
	a->word = (uint32_t)num(f[3], 10);
	snprintf(a->kind, sizeof(a->kind), "%s", f[4]);
	a->size = (uint8_t)num(f[5], 10);
	a->name = xstrdup(f[6]);
	a->type = xstrdup(f[7]);
	if (n < 10 || strcmp(a->kind, "slice"))
		return;
	snprintf(a->elem_kind, sizeof(a->elem_kind), "%s", f[8]);
	a->elem_size = (uint8_t)num(f[9], 10);
}

/* S pid pc(hex) func file line */
static void line_sym(struct breakpoints *b, char **f, size_t n)
{
	struct bp_sym *s;

	if (n < 4)
		return;
	b->syms = xreallocarray(b->syms, b->nsyms + 1, sizeof(*b->syms));
	s = &b->syms[b->nsyms++];
	s->pid = (uint32_t)num(f[1], 10);
	s->pc = num(f[2], 16);
	s->func = xstrdup(f[3]);
}

/* T pid word(hex) name: an interface's dynamic type */
static void line_type(struct breakpoints *b, char **f, size_t n)
{
	struct bp_sym *s;

	if (n < 4)
		return;
	b->types = xreallocarray(b->types, b->ntypes + 1, sizeof(*b->types));
	s = &b->types[b->ntypes++];
	s->pid = (uint32_t)num(f[1], 10);
	s->pc = num(f[2], 16);
	s->func = xstrdup(f[3]);
}

/* P index pid id entry|ret passes filtered sampled limited hits faults */
static void line_probe(struct breakpoints *b, char **f, size_t n)
{
	struct bp_row *r = n >= 11 ? row_of(b, num(f[1], 10)) : NULL;
	struct bp_probe_map *p;

	if (!r)
		return;
	b->probes = xreallocarray(b->probes, b->nprobes + 1, sizeof(*b->probes));
	p = &b->probes[b->nprobes++];
	p->id = (uint32_t)num(f[3], 10);
	p->row = (uint32_t)(r - b->rows);
	p->is_ret = !strcmp(f[4], "ret");
	r->faults += num(f[10], 10);
	if (p->is_ret) {
		r->latency = true;
		return;
	}
	r->hits += num(f[5], 10);
	r->filtered += num(f[6], 10);
	r->sampled_out += num(f[7], 10);
	r->rate_limited += num(f[8], 10);
}

void bp_line(struct breakpoints *b, const char *line)
{
	char *copy = xstrdup(line), *f[FIELDS_MAX];
	size_t n = split(copy, f);

	if (!strcmp(f[0], "B"))
		line_break(b, f, n);
	else if (!strcmp(f[0], "A"))
		line_arg(b, f, n);
	else if (!strcmp(f[0], "S"))
		line_sym(b, f, n);
	else if (!strcmp(f[0], "T"))
		line_type(b, f, n);
	else if (!strcmp(f[0], "P"))
		line_probe(b, f, n);
	free(copy);
}

/* ---- records ----------------------------------------------------------- */

void bp_record(struct breakpoints *b, const struct godiag_rec *rec, size_t len)
{
	struct godiag_rec *copy;

	if (rec->type != GODIAG_REC_BREAKPOINT || len < sizeof(struct godiag_rec_break))
		return;
	copy = xmalloc(len);
	memcpy(copy, rec, len);
	if (b->nrecs == b->caprecs) {
		b->caprecs = b->caprecs ? b->caprecs * 2 : 256;
		b->recs = xreallocarray(b->recs, b->caprecs, sizeof(*b->recs));
	}
	b->recs[b->nrecs++] = copy;
}

bool bp_present(const struct breakpoints *b)
{
	return b->nrows > 0;
}

static const struct bp_probe_map *probe_of(const struct breakpoints *b, uint32_t id)
{
	size_t i;

	for (i = 0; i < b->nprobes; i++)
		if (b->probes[i].id == id)
			return &b->probes[i];
	return NULL;
}

/* A record's strings: the one of word w, or NULL. */
struct rec_parts {
	const uint64_t *words;
	const uint64_t *stack;
	const struct godiag_rec_str *str[GODIAG_BREAK_STRINGS_MAX];
	size_t nstr;
};

static bool rec_split(const struct godiag_rec_break *r, size_t len, struct rec_parts *p)
{
	size_t off = sizeof(*r) + 8 * ((size_t)r->nwords + r->nstack), i;
	const uint8_t *base = (const uint8_t *)r;

	if (off > len || r->nstr > GODIAG_BREAK_STRINGS_MAX)
		return false;
	p->words = (const uint64_t *)(r + 1);
	p->stack = p->words + r->nwords;
	p->nstr = r->nstr;
	for (i = 0; i < r->nstr; i++) {
		const struct godiag_rec_str *s = (const void *)(base + off);

		if (off + sizeof(*s) > len)
			return false;
		off += sizeof(*s) + ((s->copied + 7u) & ~7u);
		if (off > len)
			return false;
		p->str[i] = s;
	}
	return true;
}

static const struct godiag_rec_str *str_of(const struct rec_parts *p, uint32_t word)
{
	size_t i;

	for (i = 0; i < p->nstr; i++)
		if (p->str[i]->word == word)
			return p->str[i];
	return NULL;
}

static uint64_t extend(uint64_t v, unsigned int size, bool sign)
{
	unsigned int shift;

	if (!size || size >= 8)
		return v;
	shift = 64 - 8 * size;
	v <<= shift;
	return sign ? (uint64_t)((int64_t)v >> shift) : v >> shift;
}

/*
 * A float32 (size 4: the word's low 4 bytes) or float64 in the fewest
 * digits that read back as the same value, as Go prints it ("0.1", not
 * 0.10000000000000001).
 */
static void format_float(uint64_t v, unsigned int size, char *buf, size_t buflen)
{
	double g;
	int prec;

	if (size == 4) {
		uint32_t u32 = (uint32_t)v;
		float f32;

		memcpy(&f32, &u32, sizeof(f32));
		g = f32;
	} else {
		memcpy(&g, &v, sizeof(g));
	}
	if (isnan(g) || isinf(g)) {
		snprintf(buf, buflen, "%s", isnan(g) ? "NaN" : g > 0 ? "+Inf" : "-Inf");
		return;
	}
	if (size == 4) {
		uint32_t u = (uint32_t)v;
		float f;

		memcpy(&f, &u, sizeof(f));
		for (prec = 6; prec < 9; prec++) {
			snprintf(buf, buflen, "%.*g", prec, (double)f);
			if (strtof(buf, NULL) == f)
				return;
		}
		snprintf(buf, buflen, "%.9g", (double)f);
		return;
	}
	{
		double d;

		memcpy(&d, &v, sizeof(d));
		for (prec = 15; prec < 17; prec++) {
			snprintf(buf, buflen, "%.*g", prec, d);
			if (strtod(buf, NULL) == d)
				return;
		}
		snprintf(buf, buflen, "%.17g", d);
	}
}

static void format_string(const char *s, size_t copied, uint64_t len, char *buf,
			  size_t buflen)
{
	size_t i, o = 0;

	/* the string may have changed between the reads of a slice's element */
	if (copied > len)
		copied = (size_t)len;
	for (i = 0; i < copied && o + 4 < buflen; i++)
		buf[o++] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	if (copied < len && o + 4 < buflen) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
}

/* A scalar of kind and size bytes (int, uint, bool, float); false for others. */
static bool format_scalar(const char *kind, unsigned int size, uint64_t v, char *buf,
			  size_t buflen)
{
	if (!strcmp(kind, "int"))
		snprintf(buf, buflen, "%" PRId64, (int64_t)extend(v, size, true));
	else if (!strcmp(kind, "uint"))
		snprintf(buf, buflen, "%" PRIu64, extend(v, size, false));
	else if (!strcmp(kind, "bool"))
		snprintf(buf, buflen, "%s", v & 0xff ? "true" : "false");
	else if (!strcmp(kind, "float") && (size == 4 || size == 8))
		format_float(v, size, buf, buflen);
	else
		return false;
	return true;
}

/* One element of a slice at p: a scalar of its size, a pointer in hex. */
static void format_elem(const struct bp_arg *a, const char *p, char *buf, size_t buflen)
{
	uint64_t v = 0;

	memcpy(&v, p, a->elem_size);	/* little-endian, as the x86 process wrote it */
	if (!format_scalar(a->elem_kind, a->elem_size, v, buf, buflen))
		snprintf(buf, buflen, "0x%" PRIx64, v);
}

/*
 * The n-th string element of a slice's copy at *off (godiag_rec_str and
 * its bytes); false when the copy has no more.
 */
static bool next_str_elem(const char *p, size_t copied, size_t *off, char *buf,
			  size_t buflen)
{
	struct godiag_rec_str s;

	if (*off + sizeof(s) > copied)
		return false;
	memcpy(&s, p + *off, sizeof(s));
	*off += sizeof(s);
	if (*off + s.copied > copied)
		return false;
	if (s.flags & GODIAG_RS_FAULT)
		snprintf(buf, buflen, "(fault)");
	else
		format_string(p + *off, s.copied, s.len, buf, buflen);
	*off += (s.copied + 7u) & ~7u;
	return true;
}

/* " [e0 e1 ...]": the elements a slice's copy holds, "..." when it has more. */
static void format_elems(const struct bp_arg *a, const char *p, size_t copied, uint64_t len,
			 bool fault, char *buf, size_t buflen)
{
	size_t o = strlen(buf), off = 0, n = 0;
	char one[GODIAG_BREAK_STRLEN_MAX * 2];
	bool str = !strcmp(a->elem_kind, "string");

	if (fault) {
		snprintf(buf + o, buflen - o, " [(fault)]");
		return;
	}
	o += (size_t)snprintf(buf + o, buflen - o, " [");
	while (o < buflen && n < len) {
		if (str ? !next_str_elem(p, copied, &off, one, sizeof(one)) :
		    off + a->elem_size > copied)
			break;
		if (!str) {
			format_elem(a, p + off, one, sizeof(one));
			off += a->elem_size;
		}
		o += (size_t)snprintf(buf + o, buflen - o, "%s%s", n ? " " : "", one);
		n++;
	}
	if (o < buflen)
		snprintf(buf + o, buflen - o, "%s]", n < len ? (n ? " ..." : "...") : "");
}

static bool elem_known(const struct bp_arg *a)
{
	if (!strcmp(a->elem_kind, "string"))
		return true;
	return a->elem_kind[0] && (a->elem_size == 1 || a->elem_size == 2 ||
				   a->elem_size == 4 || a->elem_size == 8);
}

void bp_format_value(const struct bp_arg *a, const uint64_t *words, size_t nwords,
		     uint32_t fault_mask, const char *str, size_t copied, uint64_t len,
		     bool str_fault, const char *type_name, char *buf, size_t buflen)
{
	uint32_t w = a->word;
	uint64_t v;

	if (w >= nwords || w >= 32 || (fault_mask >> w) & 1) {
		snprintf(buf, buflen, "(fault)");
		return;
	}
	v = words[w];
	if (format_scalar(a->kind, a->size, v, buf, buflen))
		return;
	if (!strcmp(a->kind, "string") && (str_fault || !str))
		snprintf(buf, buflen, str_fault ? "(fault)" : "(not copied)");
	else if (!strcmp(a->kind, "string"))
		format_string(str, copied, len, buf, buflen);
	else if (!strcmp(a->kind, "slice") && w + 2 < nwords) {
		snprintf(buf, buflen, "len=%" PRIu64 " cap=%" PRIu64, words[w + 1], words[w + 2]);
		if (str && elem_known(a) && !((fault_mask >> (w + 1)) & 1))
			format_elems(a, str, copied, words[w + 1], str_fault, buf, buflen);
	} else if (!strcmp(a->kind, "iface") && !v)
		snprintf(buf, buflen, "nil");
	else if (!strcmp(a->kind, "iface") && type_name)
		snprintf(buf, buflen, "%s", type_name);
	else
		snprintf(buf, buflen, "0x%" PRIx64, v);
}

static int cmp_sym(const void *a, const void *b);

/* The name of an interface argument's type word, or NULL. */
static const char *type_of(const struct breakpoints *b, const struct bp_arg *a,
			   const struct godiag_rec_break *r, const struct rec_parts *p)
{
	struct bp_sym key = { .pid = r->hdr.tgid };
	const struct bp_sym *s;

	if (strcmp(a->kind, "iface") || a->word >= r->nwords || !b->ntypes)
		return NULL;
	key.pc = p->words[a->word];
	s = bsearch(&key, b->types, b->ntypes, sizeof(*b->types), cmp_sym);
	return s ? s->func : NULL;
}

/* Each argument of an entry hit, its value as bp_format_value() writes it. */
static void walk_args(const struct breakpoints *b, const struct bp_row *row,
		      const struct godiag_rec_break *r, const struct rec_parts *p,
		      bp_arg_fn *fn, void *arg)
{
	char buf[BP_VALUE_MAX];
	size_t i;

	for (i = 0; i < row->nargs; i++) {
		const struct bp_arg *a = &row->args[i];
		const struct godiag_rec_str *s = str_of(p, a->word);

		bp_format_value(a, p->words, r->nwords, r->fault_mask,
				s ? (const char *)(s + 1) : NULL, s ? s->copied : 0,
				s ? s->len : 0, s && (s->flags & GODIAG_RS_FAULT),
				type_of(b, a, r, p),
				buf, sizeof(buf));
		fn(a, i, buf, arg);
	}
}

static void count_arg(const struct bp_arg *a, size_t i, const char *value, void *arg)
{
	struct bp_row *row = arg;

	(void)a;
	count_text(&row->args[i].values, value);
}

static int cmp_sym(const void *a, const void *b)
{
	const struct bp_sym *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->pc < y->pc ? -1 : x->pc > y->pc;
}

static const char *sym_of(const struct breakpoints *b, uint32_t pid, uint64_t pc)
{
	struct bp_sym key = { .pid = pid, .pc = pc };
	const struct bp_sym *s = bsearch(&key, b->syms, b->nsyms, sizeof(*b->syms), cmp_sym);

	return s ? s->func : NULL;
}

/* Each frame of a hit's stack, innermost first: its function, or 0x%llx. */
static void walk_stack(const struct breakpoints *b, const struct godiag_rec_break *r,
		       const struct rec_parts *p, bp_frame_fn *fn, void *arg)
{
	char pc[24];
	const char *name;
	size_t i;

	for (i = 0; i < r->nstack; i++) {
		name = sym_of(b, r->hdr.tgid, p->stack[i]);
		if (!name) {
			snprintf(pc, sizeof(pc), "0x%" PRIx64, p->stack[i]);
			name = pc;
		}
		fn(name, i, arg);
	}
}

struct stack_text {
	char text[GODIAG_BREAK_STACK_MAX * 128];
	size_t o;
};

static void add_frame(const char *frame, size_t i, void *arg)
{
	struct stack_text *t = arg;

	if (t->o < sizeof(t->text))
		t->o += (size_t)snprintf(t->text + t->o, sizeof(t->text) - t->o, "%s%s",
					 i ? "\n" : "", frame);
}

/* A stack counts as one text, its frames separated by '\n'. */
static void count_stack(const struct breakpoints *b, struct bp_row *row,
			const struct godiag_rec_break *r, const struct rec_parts *p)
{
	struct stack_text t;

	if (!r->nstack)
		return;
	t.text[0] = '\0';
	t.o = 0;
	walk_stack(b, r, p, add_frame, &t);
	count_text(&row->stacks, t.text);
}

static void count_goid(struct bp_row *row, uint64_t goid)
{
	bool added;
	uint32_t *slot = hmap_get(&row->goid_map, goid, 0, (uint32_t)row->ngoids, &added);

	if (added) {
		row->goids = xreallocarray(row->goids, row->ngoids + 1, sizeof(*row->goids));
		row->goids[row->ngoids].goid = goid;
		row->goids[row->ngoids].count = 0;
		row->ngoids++;
	}
	row->goids[*slot].count++;
}

static void add_event(struct breakpoints *b, const struct godiag_rec *h, uint32_t row,
		      bool is_ret)
{
	struct bp_event *e;

	if (b->nevents == b->capevents) {
		b->capevents = b->capevents ? b->capevents * 2 : 256;
		b->events = xreallocarray(b->events, b->capevents, sizeof(*b->events));
	}
	e = &b->events[b->nevents++];
	e->ts = h->ts_ns;
	e->goid = h->goid;
	e->row = row;
	e->pid = h->tgid;
	e->is_ret = is_ret;
}

/* An argument of a --gc hit: the figure it names, when it was read. */
static void gc_arg(const struct bp_arg *a, size_t i, const char *value, void *arg)
{
	struct gc_point *pt = arg;
	int f = gc_fig_of(a->name);
	char *end;
	long long v;

	(void)i;
	if (f < 0 || !*value)
		return;
	v = strtoll(value, &end, 10);
	if (*end)
		return;		/* "(fault)" */
	pt->v[f] = v;
	pt->known |= 1U << f;
}

static void take_gc(struct breakpoints *b, const struct bp_row *row,
		    const struct godiag_rec_break *r, const struct rec_parts *p)
{
	struct gc_point pt = {
		.ts = r->hdr.ts_ns, .pid = r->hdr.tgid,
		.stop = !strcmp(row->spec, GC_SPEC_STOP),
	};

	walk_args(b, row, r, p, gc_arg, &pt);
	gc_add_point(&b->gc, &pt);
}

static void take_record(struct breakpoints *b, const struct godiag_rec *h)
{
	const struct godiag_rec_break *r = (const void *)h;
	const struct bp_probe_map *pm = probe_of(b, r->probe_id);
	struct rec_parts p;
	struct bp_row *row;

	if (!pm)
		return;
	row = &b->rows[pm->row];
	if (!rec_split(r, h->size, &p)) {
		b->bad_records++;
		return;
	}
	add_event(b, h, pm->row, pm->is_ret);
	if (pm->is_ret) {
		row->returns++;
		return;
	}
	row->recorded++;
	if (r->fault_mask || (h->flags & GODIAG_RF_FAULT))
		row->fault_records++;
	if (row->gc)
		take_gc(b, row, r, &p);
	walk_args(b, row, r, &p, count_arg, row);
	count_stack(b, row, r, &p);
	count_goid(row, h->goid);
}

/* ---- latency: entries and RETs per goroutine, in time order ------------- */

struct pending {
	uint64_t *ts;
	size_t n, cap;
};

static int cmp_event(const void *a, const void *b)
{
	const struct bp_event *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	/* The same nanosecond: an entry before a RET. */
	return (int)x->is_ret - (int)y->is_ret;
}

static void add_dur(struct bp_row *row, uint64_t d)
{
	if (row->ndurs == row->cap) {
		row->cap = row->cap ? row->cap * 2 : 256;
		row->durs = xreallocarray(row->durs, row->cap, sizeof(*row->durs));
	}
	row->durs[row->ndurs++] = d;
}

static void pair_one(struct breakpoints *b, const struct bp_event *e, struct hmap *map,
		     struct pending **pend, size_t *npend)
{
	uint64_t key = ((uint64_t)e->row << 32) | e->pid;
	struct bp_row *row = &b->rows[e->row];
	struct pending *p;
	bool added;
	uint32_t *slot = hmap_get(map, key, e->goid, (uint32_t)*npend, &added);

	if (added) {
		*pend = xreallocarray(*pend, *npend + 1, sizeof(**pend));
		memset(&(*pend)[*npend], 0, sizeof(**pend));
		(*npend)++;
	}
	p = &(*pend)[*slot];
	if (!e->is_ret) {
		if (p->n == p->cap) {
			p->cap = p->cap ? p->cap * 2 : 4;
			p->ts = xreallocarray(p->ts, p->cap, sizeof(*p->ts));
		}
		p->ts[p->n++] = e->ts;
	} else if (p->n) {
		add_dur(row, e->ts - p->ts[--p->n]);
	} else {
		row->unpaired++;
	}
}

static void pair_all(struct breakpoints *b)
{
	struct hmap map = HMAP_INIT;
	struct pending *pend = NULL;
	size_t npend = 0, i;
	uint64_t key;

	if (b->nevents > 1)
		qsort(b->events, b->nevents, sizeof(*b->events), cmp_event);
	for (i = 0; i < b->nevents; i++) {
		/* Goroutine ids of entries without RET probes are not paired. */
		if (!b->rows[b->events[i].row].latency || !b->events[i].goid)
			continue;
		pair_one(b, &b->events[i], &map, &pend, &npend);
	}
	for (i = 0; i < map.cap; i++) {
		if (!map.slots[i].used)
			continue;
		key = map.slots[i].a;
		b->rows[key >> 32].unmatched += pend[map.slots[i].val].n;
	}
	for (i = 0; i < npend; i++)
		free(pend[i].ts);
	free(pend);
	hmap_free(&map);
}

static int cmp_goid(const void *a, const void *b)
{
	const struct bp_goid *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return x->goid < y->goid ? -1 : x->goid > y->goid;
}

static void row_finish(struct bp_row *row)
{
	size_t i;

	for (i = 0; i < row->nargs; i++)
		counts_finish(&row->args[i].values);
	counts_finish(&row->stacks);
	if (row->ngoids > 1)
		qsort(row->goids, row->ngoids, sizeof(*row->goids), cmp_goid);
	hmap_free(&row->goid_map);
	if (!row->ndurs)
		return;
	pct_sort(row->durs, row->ndurs);
	row->p50_ns = pct_nearest_rank(row->durs, row->ndurs, 50);
	row->p90_ns = pct_nearest_rank(row->durs, row->ndurs, 90);
	row->p99_ns = pct_nearest_rank(row->durs, row->ndurs, 99);
	row->max_ns = row->durs[row->ndurs - 1];
}

const struct bp_row *bp_hit(const struct breakpoints *b, const struct godiag_rec *rec,
			    size_t len, bool *is_ret, bp_arg_fn *fn, bp_frame_fn *frame_fn,
			    void *arg)
{
	const struct godiag_rec_break *r = (const void *)rec;
	const struct bp_probe_map *pm;
	struct rec_parts p;

	if (rec->type != GODIAG_REC_BREAKPOINT || len < sizeof(*r))
		return NULL;
	pm = probe_of(b, r->probe_id);
	if (!pm || !rec_split(r, len, &p))
		return NULL;
	*is_ret = pm->is_ret;
	if (!pm->is_ret && fn)
		walk_args(b, &b->rows[pm->row], r, &p, fn, arg);
	if (frame_fn)
		walk_stack(b, r, &p, frame_fn, arg);
	return &b->rows[pm->row];
}

void bp_finish(struct breakpoints *b)
{
	size_t i;

	if (b->nsyms > 1)
		qsort(b->syms, b->nsyms, sizeof(*b->syms), cmp_sym);
	if (b->ntypes > 1)
		qsort(b->types, b->ntypes, sizeof(*b->types), cmp_sym);
	for (i = 0; i < b->nrecs; i++) {
		take_record(b, b->recs[i]);
		free(b->recs[i]);
	}
	free(b->recs);
	b->recs = NULL;
	b->nrecs = 0;
	pair_all(b);
	for (i = 0; i < b->nrows; i++)
		row_finish(&b->rows[i]);
}

void bp_free(struct breakpoints *b)
{
	size_t i, j;

	for (i = 0; i < b->nrows; i++) {
		struct bp_row *r = &b->rows[i];

		for (j = 0; j < r->nargs; j++) {
			free(r->args[j].name);
			free(r->args[j].type);
			counts_free(&r->args[j].values);
		}
		free(r->args);
		counts_free(&r->stacks);
		free(r->goids);
		hmap_free(&r->goid_map);
		free(r->durs);
		free(r->spec);
		free(r->function);
	}
	free(b->rows);
	free(b->probes);
	for (i = 0; i < b->nsyms; i++)
		free(b->syms[i].func);
	free(b->syms);
	for (i = 0; i < b->ntypes; i++)
		free(b->types[i].func);
	free(b->types);
	for (i = 0; i < b->nrecs; i++)
		free(b->recs[i]);
	free(b->recs);
	free(b->events);
	gc_free(&b->gc);
	memset(b, 0, sizeof(*b));
}
