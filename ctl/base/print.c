// SPDX-License-Identifier: GPL-2.0
/* Text or JSON from one walk (print.h). */
#include <stdarg.h>
#include <string.h>

#include "base/print.h"
#include "base/util.h"

void print_begin(struct printer *p, FILE *out, bool json)
{
	p->json = json;
	p->out = out;
	p->path[0] = '\0';
	p->depth = 0;
	json_init(&p->j, out);
	if (json)
		json_object_begin(&p->j);
}

void print_end(struct printer *p)
{
	if (p->json)
		json_object_end(&p->j);
}

static void audit(struct printer *p, bool json, const char *key)
{
	char path[2 * PRINT_PATH_MAX];

	if (!p->audit)
		return;
	if (!key)
		snprintf(path, sizeof(path), "%s", p->path);
	else
		snprintf(path, sizeof(path), "%s%s%s", p->path, p->path[0] ? "." : "", key);
	p->audit(p->audit_arg, json, path);
}

/* The path grows by ".key" for a member, "key[]" for an array's elements. */
static void path_push(struct printer *p, const char *key, bool array)
{
	size_t n = strlen(p->path);

	snprintf(p->path + n, sizeof(p->path) - n, "%s%s%s", n ? "." : "", key,
		 array ? "[]" : "");
}

static void path_pop(struct printer *p)
{
	char *dot = strrchr(p->path, '.');

	if (dot)
		*dot = '\0';
	else
		p->path[0] = '\0';
}

/* Whether what is printed to reaches this printer's side. */
static bool shown(const struct printer *p, enum print_to to)
{
	return (to & (p->json ? PRINT_JSON : PRINT_FP)) != 0;
}

/* key NULL: an element of an array, which leaves the path as it is. */
static void open_level(struct printer *p, enum print_to to, const char *key,
		       bool array)
{
	if (!shown(p, to))
		return;
	if (key && p->json)
		audit(p, true, key);
	if (p->depth < PRINT_DEPTH_MAX)
		p->named[p->depth] = key != NULL;
	p->depth++;
	if (key)
		path_push(p, key, array);
	if (!p->json)
		return;
	if (key)
		json_key(&p->j, key);
	if (array)
		json_array_begin(&p->j);
	else
		json_object_begin(&p->j);
}

static void close_level(struct printer *p, enum print_to to, bool array)
{
	if (!shown(p, to))
		return;
	p->depth--;
	if (p->depth < PRINT_DEPTH_MAX && p->named[p->depth])
		path_pop(p);
	if (!p->json)
		return;
	if (array)
		json_array_end(&p->j);
	else
		json_object_end(&p->j);
}

void print_object_begin_to(struct printer *p, enum print_to to, const char *key)
{
	open_level(p, to, key, false);
}

void print_object_end_to(struct printer *p, enum print_to to)
{
	close_level(p, to, false);
}

void print_array_begin_to(struct printer *p, enum print_to to, const char *key)
{
	open_level(p, to, key, true);
}

void print_array_end_to(struct printer *p, enum print_to to)
{
	close_level(p, to, true);
}

void print_object_begin(struct printer *p, const char *key)
{
	open_level(p, PRINT_ANY, key, false);
}

void print_object_end(struct printer *p)
{
	close_level(p, PRINT_ANY, false);
}

void print_array_begin(struct printer *p, const char *key)
{
	open_level(p, PRINT_ANY, key, true);
}

void print_array_end(struct printer *p)
{
	close_level(p, PRINT_ANY, true);
}

/* A member's key, or none for an element of an array. */
static void json_member(struct printer *p, const char *key)
{
	if (key)
		json_key(&p->j, key);
}

/*
 * Where a value printed to goes on this printer: JSON (its key written),
 * the text, or nowhere (PRINT_NONE). After the value, printed() audits it.
 */
static enum print_to value_to(struct printer *p, enum print_to to, const char *key)
{
	if (p->json && (to & PRINT_JSON)) {
		json_member(p, key);
		return PRINT_JSON;
	}
	return !p->json && (to & PRINT_FP) ? PRINT_FP : PRINT_NONE;
}

static void printed(struct printer *p, enum print_to went, const char *key)
{
	if (went != PRINT_NONE)
		audit(p, went == PRINT_JSON, key);
}

void print_string(struct printer *p, enum print_to to, const char *key,
		  const char *fmt, const char *v)
{
	enum print_to went;

	if (!v) {
		print_null(p, to, key);
		return;
	}
	went = value_to(p, to, key);
	if (went == PRINT_JSON)
		json_string(&p->j, v);
	else if (went == PRINT_FP)
		fprintf(p->out, fmt, v);
	printed(p, went, key);
}

void print_null(struct printer *p, enum print_to to, const char *key)
{
	enum print_to went = value_to(p, print_side(to, PRINT_JSON), key);

	if (went == PRINT_JSON)
		json_null(&p->j);
	printed(p, went, key);
}

void print_u64(struct printer *p, enum print_to to, const char *key,
	       const char *fmt, uint64_t v)
{
	enum print_to went = value_to(p, to, key);

	if (went == PRINT_JSON)
		json_u64(&p->j, v);
	else if (went == PRINT_FP)
		fprintf(p->out, fmt, v);
	printed(p, went, key);
}

void print_s64(struct printer *p, enum print_to to, const char *key,
	       const char *fmt, int64_t v)
{
	enum print_to went = value_to(p, to, key);

	if (went == PRINT_JSON)
		json_s64(&p->j, v);
	else if (went == PRINT_FP)
		fprintf(p->out, fmt, v);
	printed(p, went, key);
}

void print_bool(struct printer *p, enum print_to to, const char *key,
		const char *fmt, bool v)
{
	enum print_to went = value_to(p, to, key);

	if (went == PRINT_JSON)
		json_bool(&p->j, v);
	else if (went == PRINT_FP)
		fprintf(p->out, fmt, v ? "yes" : "no");
	printed(p, went, key);
}

void print_duration(struct printer *p, enum print_to to, const char *key,
		    const char *fmt, uint64_t ns)
{
	char buf[32];

	if (p->json) {
		print_u64(p, to, key, NULL, ns);
		return;
	}
	format_duration(ns, buf, sizeof(buf));
	print_string(p, to, key, fmt, buf);
}

void print_percentiles(struct printer *p, const char *const fmt[4],
		       const struct print_pcts *v)
{
	print_duration(p, PRINT_ANY, "p50_ns", fmt[0], v->p50_ns);
	print_duration(p, PRINT_ANY, "p90_ns", fmt[1], v->p90_ns);
	print_duration(p, PRINT_ANY, "p99_ns", fmt[2], v->p99_ns);
	print_duration(p, PRINT_ANY, "max_ns", fmt[3], v->max_ns);
}

void print_column_fmt(char fmt[PRINT_COLUMN_FMT], size_t width)
{
	snprintf(fmt, PRINT_COLUMN_FMT, "%%-%zus", width);
}

/* The column of labels in every aligned text output. */
#define LABEL_WIDTH	"11"

void print_label(struct printer *p, const char *label)
{
	if (!p->json)
		fprintf(p->out, "%-" LABEL_WIDTH "s ", label);
}

void print_fp(struct printer *p, const char *fmt, ...)
{
	va_list ap;

	if (p->json)
		return;
	va_start(ap, fmt);
	vfprintf(p->out, fmt, ap);
	va_end(ap);
}
