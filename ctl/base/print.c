// SPDX-License-Identifier: GPL-2.0
/* Text or JSON from one walk (print.h). */
#include <stdarg.h>
#include <string.h>

#include "base/print.h"

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

/* key NULL: an element of an array, which leaves the path as it is. */
static void open_level(struct printer *p, const char *key, bool array)
{
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

static void close_level(struct printer *p, bool array)
{
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

void print_object_begin(struct printer *p, const char *key)
{
	open_level(p, key, false);
}

void print_object_end(struct printer *p)
{
	close_level(p, false);
}

void print_array_begin(struct printer *p, const char *key)
{
	open_level(p, key, true);
}

void print_array_end(struct printer *p)
{
	close_level(p, true);
}

/* A member's key, or none for an element of an array. */
static void json_member(struct printer *p, const char *key)
{
	if (key)
		json_key(&p->j, key);
}

void print_string(struct printer *p, enum print_to to, const char *key,
		  const char *fmt, const char *v)
{
	if (p->json && (to & PRINT_JSON)) {
		json_member(p, key);
		json_string(&p->j, v);
		audit(p, true, key);
	} else if (!p->json && (to & PRINT_FP)) {
		fprintf(p->out, fmt, v);
		audit(p, false, key);
	}
}

void print_u64(struct printer *p, enum print_to to, const char *key,
	       const char *fmt, uint64_t v)
{
	if (p->json && (to & PRINT_JSON)) {
		json_member(p, key);
		json_u64(&p->j, v);
		audit(p, true, key);
	} else if (!p->json && (to & PRINT_FP)) {
		fprintf(p->out, fmt, v);
		audit(p, false, key);
	}
}

void print_bool(struct printer *p, enum print_to to, const char *key,
		const char *fmt, bool v)
{
	if (p->json && (to & PRINT_JSON)) {
		json_member(p, key);
		json_bool(&p->j, v);
		audit(p, true, key);
	} else if (!p->json && (to & PRINT_FP)) {
		fprintf(p->out, fmt, v ? "yes" : "no");
		audit(p, false, key);
	}
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
