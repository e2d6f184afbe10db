// SPDX-License-Identifier: GPL-2.0
/*
 * Go's pclntab, the table the runtime itself uses for tracebacks: function
 * names and entries, and pc -> file and pc -> line tables. It survives
 * 'go build -ldflags=-s -w', so stripped binaries still name functions and
 * lines. Handles the Go 1.18/1.19 (magic 0xfffffff0) and 1.20+
 * (0xfffffff1) layouts, which differ only in the size of _func.
 *
 * Layout (all little-endian, ptrsize 8):
 *	header: magic u32, 0 u8, 0 u8, minLC u8, ptrsize u8, then ptrsize
 *	words nfunc, nfiles, textStart, and the offsets (from the header) of
 *	funcnametab, cutab, filetab, pctab and functab;
 *	functab: nfunc+1 pairs {entryoff u32, funcoff u32} (the last pair's
 *	entryoff is the end of the last function), funcoff pointing into
 *	functab at a _func record;
 *	_func: entryOff u32, nameOff i32, args, deferreturn, pcsp, pcfile,
 *	pcln, npcdata, cuOffset (u32 each), [startLine i32 in 1.20+], funcID,
 *	flag, pad, nfuncdata (u8 each), then pcdata and funcdata offsets.
 *	pc-value tables: pairs of (zigzag value delta, pc delta / minLC)
 *	varints starting from value -1 at the entry; a 0 value delta after
 *	the first pair ends the table.
 *
 * Nothing here trusts the bytes: every read is checked against its table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gobin/gobin_impl.h"

/* _func field offsets common to both layouts. */
#define FUNC_ENTRYOFF	0
#define FUNC_NAMEOFF	4
#define FUNC_PCFILE	20
#define FUNC_PCLN	24
#define FUNC_NPCDATA	28
#define FUNC_CUOFFSET	32
/* From the end of _func in both layouts: funcID, flag, pad, nfuncdata (u8). */
#define FUNC_ID_FROM_END	4
#define FUNC_NFUNCDATA_FROM_END	1

#define HDR_WORDS	8	/* nfunc .. pclnOffset */

/* A Go binary with more functions than this is not one we can believe. */
#define NFUNC_MAX	(1U << 24)

const char *gopcln_format_name(uint32_t magic)
{
	switch (magic) {
	case GOPCLN_MAGIC_12:
		return "go1.2-1.15";
	case GOPCLN_MAGIC_116:
		return "go1.16-1.17";
	case GOPCLN_MAGIC_118:
		return "go1.18-1.19";
	case GOPCLN_MAGIC_120:
		return "go1.20+";
	}
	return "unknown";
}

/*
 * Longest name or file name taken. The bound keeps lookups linear in a
 * crafted table whose entries share one huge unterminated name; real
 * names, generic instantiations included, are far shorter.
 */
#define STR_MAX	8192

/* The NUL-terminated string at off in span, or NULL. */
static const char *span_str(const struct gospan *s, uint64_t off)
{
	size_t n;

	if (off >= s->len)
		return NULL;
	n = s->len - off < STR_MAX ? (size_t)(s->len - off) : STR_MAX;
	if (!memchr(s->p + off, '\0', n))
		return NULL;
	return (const char *)s->p + off;
}

int gopcln_init(struct gopcln *p, const uint8_t *data, size_t size,
		uint64_t text_hint, char *err, size_t errlen)
{
	uint64_t w[HDR_WORDS];
	struct gospan *spans[5];
	uint64_t nfunc, functab_bytes;
	size_t i, hdr;

	memset(p, 0, sizeof(*p));
	if (size < 8) {
		snprintf(err, errlen, "pclntab too small (%zu bytes)", size);
		return -1;
	}
	p->magic = gobin_le32(data);
	switch (p->magic) {
	case GOPCLN_MAGIC_118:
		p->func_size = 40;
		break;
	case GOPCLN_MAGIC_120:
		p->func_size = 44;
		break;
	case GOPCLN_MAGIC_12:
	case GOPCLN_MAGIC_116:
		snprintf(err, errlen, "pclntab has the %s layout (magic 0x%08x); "
			 "only Go 1.18 and later are supported",
			 gopcln_format_name(p->magic), p->magic);
		return -1;
	default:
		snprintf(err, errlen, "unknown pclntab magic 0x%08x", p->magic);
		return -1;
	}
	p->quantum = data[6];
	p->ptrsize = data[7];
	if (data[4] || data[5] || p->quantum != 1 || p->ptrsize != 8) {
		snprintf(err, errlen, "pclntab header is not for amd64 "
			 "(pc quantum %u, pointer size %u)", p->quantum, p->ptrsize);
		return -1;
	}
	hdr = 8 + HDR_WORDS * 8;
	if (size < hdr) {
		snprintf(err, errlen, "pclntab truncated (%zu bytes)", size);
		return -1;
	}
	for (i = 0; i < HDR_WORDS; i++)
		w[i] = gobin_le64(data + 8 + i * 8);
	nfunc = w[0];
	p->nfiles = w[1] > SIZE_MAX ? SIZE_MAX : (size_t)w[1];
	p->text_start = w[2] ? w[2] : text_hint;
	if (!p->text_start) {
		snprintf(err, errlen, "pclntab has no text start address");
		return -1;
	}
	if (nfunc == 0 || nfunc > NFUNC_MAX) {
		snprintf(err, errlen, "pclntab claims %llu functions",
			 (unsigned long long)nfunc);
		return -1;
	}
	p->nfunc = (size_t)nfunc;
	spans[0] = &p->funcname;
	spans[1] = &p->cu;
	spans[2] = &p->file;
	spans[3] = &p->pc;
	spans[4] = &p->func;
	/*
	 * The tables follow the header (in the order funcname, cu, file, pc,
	 * func); each ends where the next one starts, the last at the end.
	 */
	for (i = 0; i < 5; i++) {
		uint64_t off = w[3 + i], end = size;
		size_t k;

		if (off < hdr || off > size) {
			snprintf(err, errlen, "pclntab table %zu out of bounds "
				 "(offset %llu of %zu bytes)", i,
				 (unsigned long long)off, size);
			return -1;
		}
		for (k = 0; k < 5; k++)
			if (w[3 + k] > off && w[3 + k] < end)
				end = w[3 + k];
		spans[i]->p = data + off;
		spans[i]->len = (size_t)(end - off);
	}
	functab_bytes = (nfunc * 2 + 1) * 4;
	if (functab_bytes > p->func.len) {
		snprintf(err, errlen, "pclntab function table truncated "
			 "(%llu functions, %zu bytes)",
			 (unsigned long long)nfunc, p->func.len);
		return -1;
	}
	/* Entries ascend; gopcln_find_pc() searches them by bisection. */
	for (i = 1; i <= p->nfunc; i++) {
		if (gobin_le32(p->func.p + i * 8) < gobin_le32(p->func.p + (i - 1) * 8)) {
			snprintf(err, errlen, "pclntab function table is not "
				 "sorted (entry %zu)", i);
			return -1;
		}
	}
	p->data = data;
	p->size = size;
	return 0;
}

int gopcln_func(const struct gopcln *p, size_t i, struct gofunc *f)
{
	const uint8_t *e;
	uint32_t funcoff, nameoff;

	if (i >= p->nfunc)
		return -1;
	e = p->func.p + i * 8;
	f->entry = p->text_start + gobin_le32(e);
	f->end = p->text_start + gobin_le32(e + 8);
	funcoff = gobin_le32(e + 4);
	if (funcoff > p->func.len || p->func.len - funcoff < p->func_size)
		return -1;
	f->rec = p->func.p + funcoff;
	nameoff = gobin_le32(f->rec + FUNC_NAMEOFF);
	f->name = span_str(&p->funcname, nameoff);
	if (!f->name)
		return -1;
	return 0;
}

long gopcln_find_pc(const struct gopcln *p, uint64_t pc)
{
	size_t lo = 0, hi = p->nfunc;
	uint64_t off;

	if (pc < p->text_start)
		return -1;
	off = pc - p->text_start;
	if (off >= gobin_le32(p->func.p + p->nfunc * 8))
		return -1;
	/* The last function whose entry is <= pc. */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (gobin_le32(p->func.p + mid * 8) <= off)
			lo = mid;
		else
			hi = mid;
	}
	if (gobin_le32(p->func.p + lo * 8) > off)
		return -1;
	return (long)lo;
}

/*
 * Whether a function name matches a name as Go prints it, with type
 * arguments elided: "main.Map[...]" for "main.Map[go.shape.int]".
 */
bool gopcln_name_matches(const char *fn, const char *want)
{
	while (*want) {
		if (!strncmp(want, "[...]", 5) && *fn == '[') {
			int depth = 0;

			for (; *fn; fn++) {
				if (*fn == '[')
					depth++;
				else if (*fn == ']' && --depth == 0)
					break;
			}
			if (!*fn)
				return false;
			fn++;
			want += 5;
			continue;
		}
		if (*fn != *want)
			return false;
		fn++;
		want++;
	}
	return !*fn;
}

/* The name of function i, "" when its record is damaged. */
static const char *func_name(const struct gopcln *p, size_t i)
{
	struct gofunc f;

	return gopcln_func(p, i, &f) ? "" : f.name;
}

static int cmp_by_name(const void *a, const void *b, void *arg)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	int c = strcmp(func_name(arg, x), func_name(arg, y));

	/* The first of equal names first, as a linear search finds it. */
	return c ? c : (x > y) - (x < y);
}

int gopcln_index_names(struct gopcln *p)
{
	size_t i;

	if (p->by_name)
		return 0;
	p->by_name = malloc(p->nfunc * sizeof(*p->by_name));
	if (!p->by_name)
		return -1;
	for (i = 0; i < p->nfunc; i++)
		p->by_name[i] = (uint32_t)i;
	qsort_r(p->by_name, p->nfunc, sizeof(*p->by_name), cmp_by_name, p);
	p->nby_name = p->nfunc;
	return 0;
}

void gopcln_free(struct gopcln *p)
{
	free(p->by_name);
	p->by_name = NULL;
	p->nby_name = 0;
}

/* The first position in by_name whose name is not below name (or, with
 * prefix, whose first n bytes are not below it). */
static size_t lower_bound(const struct gopcln *p, const char *name, size_t n)
{
	size_t lo = 0, hi = p->nby_name;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strncmp(func_name(p, p->by_name[mid]), name, n) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int gopcln_name_range(const struct gopcln *p, const char *prefix, size_t *lo,
		      size_t *hi)
{
	size_t n = strlen(prefix), i;

	if (!p->by_name)
		return -1;
	*lo = lower_bound(p, prefix, n);
	for (i = *lo; i < p->nby_name &&
	     !strncmp(func_name(p, p->by_name[i]), prefix, n); i++)
		;
	*hi = i;
	return 0;
}

long gopcln_find_name(const struct gopcln *p, const char *name)
{
	struct gofunc f;
	size_t i;

	if (p->by_name) {
		i = lower_bound(p, name, SIZE_MAX);
		if (i < p->nby_name && !strcmp(func_name(p, p->by_name[i]), name))
			return (long)p->by_name[i];
	} else {
		for (i = 0; i < p->nfunc; i++)
			if (!gopcln_func(p, i, &f) && !strcmp(f.name, name))
				return (long)i;
	}
	if (!strstr(name, "[...]"))
		return -1;
	for (i = 0; i < p->nfunc; i++)
		if (!gopcln_func(p, i, &f) && gopcln_name_matches(f.name, name))
			return (long)i;
	return -1;
}

/* A pc-value table being walked: [pc, next_pc) has value val. */
struct pcval {
	const uint8_t *p, *end;
	uint64_t pc, next_pc;
	int32_t val;
	bool first;
	uint8_t quantum;
};

static bool read_uvarint(const uint8_t **pp, const uint8_t *end, uint32_t *v)
{
	const uint8_t *p = *pp;
	uint32_t x = 0;
	unsigned int shift = 0;

	while (p < end) {
		uint8_t b = *p++;

		if (shift < 32)
			x |= (uint32_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*pp = p;
			*v = x;
			return true;
		}
		shift += 7;
		if (shift > 35)
			return false;
	}
	return false;
}

static bool pcval_start(struct pcval *s, const struct gopcln *p,
			uint32_t tab, uint64_t entry)
{
	if (!tab || tab >= p->pc.len)
		return false;
	s->p = p->pc.p + tab;
	s->end = p->pc.p + p->pc.len;
	s->pc = s->next_pc = entry;
	s->val = -1;
	s->first = true;
	s->quantum = p->quantum;
	return true;
}

/* Moves to the next range; false at the end of the table (or garbage). */
static bool pcval_step(struct pcval *s)
{
	uint32_t uvdelta, pcdelta;

	if (s->p >= s->end)
		return false;
	if (*s->p == 0 && !s->first)
		return false;
	if (!read_uvarint(&s->p, s->end, &uvdelta) ||
	    !read_uvarint(&s->p, s->end, &pcdelta))
		return false;
	s->first = false;
	/* Zigzag, in unsigned arithmetic: wrapping is the format's, not UB. */
	s->val = (int32_t)((uint32_t)s->val + ((uint32_t)-(uvdelta & 1) ^ (uvdelta >> 1)));
	s->pc = s->next_pc;
	s->next_pc += (uint64_t)pcdelta * s->quantum;
	return true;
}

/* The value of table tab at pc in the function starting at entry. */
static int pcvalue(const struct gopcln *p, uint32_t tab, uint64_t entry,
		   uint64_t pc, int32_t *val)
{
	struct pcval s;

	if (!pcval_start(&s, p, tab, entry))
		return -1;
	while (pcval_step(&s)) {
		if (pc < s.next_pc) {
			*val = s.val;
			return pc >= s.pc ? 0 : -1;
		}
	}
	return -1;
}

/* File number fileno of the function record rec. */
static const char *func_file(const struct gopcln *p, const uint8_t *rec,
			     int32_t fileno)
{
	uint64_t idx;
	uint32_t off;

	if (fileno < 0)
		return NULL;
	idx = (uint64_t)gobin_le32(rec + FUNC_CUOFFSET) + (uint64_t)fileno;
	if (idx >= p->cu.len / 4)
		return NULL;
	off = gobin_le32(p->cu.p + idx * 4);
	if (off == UINT32_MAX)
		return NULL;
	return span_str(&p->file, off);
}

int gopcln_line(const struct gopcln *p, const struct gofunc *f, uint64_t pc,
		const char **file, uint32_t *line)
{
	int32_t fileno, ln;

	if (pc < f->entry || pc >= f->end)
		return -1;
	if (pcvalue(p, gobin_le32(f->rec + FUNC_PCFILE), f->entry, pc, &fileno) ||
	    pcvalue(p, gobin_le32(f->rec + FUNC_PCLN), f->entry, pc, &ln) || ln < 0)
		return -1;
	*file = func_file(p, f->rec, fileno);
	if (!*file)
		return -1;
	*line = (uint32_t)ln;
	return 0;
}

bool gopcln_file_matches(const char *path, const char *file)
{
	size_t lp = strlen(path), lf = strlen(file);

	if (!lf || lf > lp)
		return false;
	if (lf == lp)
		return !strcmp(path, file);
	return !strcmp(path + lp - lf, file) &&
	       (file[0] == '/' || path[lp - lf - 1] == '/');
}

int gopcln_line_pcs(const struct gopcln *p, const char *file, uint32_t line,
		    uint64_t *pcs, size_t max)
{
	size_t i, n = 0;

	if (!file || !*file || line == 0 || line > INT32_MAX)
		return -1;
	for (i = 0; i < p->nfunc; i++) {
		struct gofunc f;
		struct pcval s;

		if (gopcln_func(p, i, &f) ||
		    !pcval_start(&s, p, gobin_le32(f.rec + FUNC_PCLN), f.entry))
			continue;
		while (pcval_step(&s)) {
			const char *path;
			int32_t fileno;

			if (s.pc >= f.end)
				break;
			if (s.val != (int32_t)line || s.next_pc <= s.pc)
				continue;
			if (pcvalue(p, gobin_le32(f.rec + FUNC_PCFILE), f.entry, s.pc,
				    &fileno))
				continue;
			path = func_file(p, f.rec, fileno);
			if (!path || !gopcln_file_matches(path, file))
				continue;
			if (n < max)
				pcs[n] = s.pc;
			n++;
			break;
		}
	}
	return (int)n;
}

static bool func_word(const struct gopcln *p, const struct gofunc *f, uint64_t i,
		      uint32_t *v);

int gopcln_line_walk(const struct gopcln *p, const char *file, uint32_t line,
		     gopcln_range_fn fn, void *arg)
{
	size_t i;
	int n = 0, r;

	if (!file || !*file || line == 0 || line > INT32_MAX)
		return -1;
	for (i = 0; i < p->nfunc; i++) {
		struct gofunc f;
		struct pcval s;

		if (gopcln_func(p, i, &f) ||
		    !pcval_start(&s, p, gobin_le32(f.rec + FUNC_PCLN), f.entry))
			continue;
		while (pcval_step(&s)) {
			const char *path;
			int32_t fileno;

			if (s.pc >= f.end)
				break;
			if (s.val != (int32_t)line || s.next_pc <= s.pc)
				continue;
			if (pcvalue(p, gobin_le32(f.rec + FUNC_PCFILE), f.entry, s.pc,
				    &fileno))
				continue;
			path = func_file(p, f.rec, fileno);
			if (!path || !gopcln_file_matches(path, file))
				continue;
			n++;
			r = fn(arg, &f, s.pc, s.next_pc < f.end ? s.next_pc : f.end, line);
			if (r)
				return r < 0 ? r : n;
		}
	}
	return n;
}

bool gopcln_has_file(const struct gopcln *p, const char *file)
{
	size_t off = 0;

	while (off < p->file.len) {
		const char *path = span_str(&p->file, off);

		if (!path)
			return false;
		if (*path && gopcln_file_matches(path, file))
			return true;
		off += strlen(path) + 1;
	}
	return false;
}

int gopcln_pcdata_walk(const struct gopcln *p, const struct gofunc *f, uint32_t table,
		       gopcln_range_fn fn, void *arg)
{
	uint32_t npcdata = gobin_le32(f->rec + FUNC_NPCDATA), off;
	struct pcval s;
	int r;

	if (table >= npcdata || !func_word(p, f, table, &off) || !off ||
	    !pcval_start(&s, p, off, f->entry))
		return 0;
	while (pcval_step(&s)) {
		if (s.pc >= f->end)
			break;
		if (s.next_pc <= s.pc)
			continue;
		r = fn(arg, f, s.pc, s.next_pc < f->end ? s.next_pc : f->end, s.val);
		if (r)
			return r;
	}
	return 0;
}

uint8_t gopcln_func_id(const struct gopcln *p, const struct gofunc *f)
{
	return f->rec[p->func_size - FUNC_ID_FROM_END];
}

/* The u32 at index i of the tables after _func, or false past the function table. */
static bool func_word(const struct gopcln *p, const struct gofunc *f, uint64_t i,
		      uint32_t *v)
{
	uint64_t off = (uint64_t)(f->rec - p->func.p) + p->func_size + i * 4;

	if (off + 4 > p->func.len)
		return false;
	*v = gobin_le32(p->func.p + off);
	return true;
}

int gopcln_pcdata(const struct gopcln *p, const struct gofunc *f, uint32_t table,
		  uint64_t pc, int32_t *val)
{
	uint32_t npcdata = gobin_le32(f->rec + FUNC_NPCDATA), off;

	if (pc < f->entry || pc >= f->end)
		return -1;
	if (table >= npcdata) {
		*val = -1;
		return 0;
	}
	if (!func_word(p, f, table, &off))
		return -1;
	if (!off) {
		*val = -1;
		return 0;
	}
	return pcvalue(p, off, f->entry, pc, val);
}

int gopcln_funcdata(const struct gopcln *p, const struct gofunc *f, uint32_t index,
		    uint32_t *off)
{
	uint32_t npcdata = gobin_le32(f->rec + FUNC_NPCDATA);
	uint8_t nfuncdata = f->rec[p->func_size - FUNC_NFUNCDATA_FROM_END];

	if (index >= nfuncdata ||
	    !func_word(p, f, (uint64_t)npcdata + index, off) || *off == UINT32_MAX)
		return -1;
	return 0;
}

const char *gopcln_name_at(const struct gopcln *p, uint64_t off)
{
	return span_str(&p->funcname, off);
}
