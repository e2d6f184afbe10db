/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One walk, two outputs. A command's printer calls print_*() once for
 * each value, in the order the text shows them, and the printer writes
 * the value as text, as a JSON member, or both, as iproute2's
 * print_*(PRINT_ANY, key, fmt, value) do:
 *
 *	print_label(p, "cpus");
 *	print_u64(p, PRINT_ANY, "possible", "%" PRIu64 " possible", n);
 *
 * A value the text shows in another form than JSON (a size as "1.0 MiB",
 * the bytes in JSON) is printed twice, PRINT_FP and PRINT_JSON, under
 * the same key: so the text never shows a value without a key, and the
 * unit tests check (print.audit) that each text key is a JSON member.
 */
#ifndef GODIAGCTL_PRINT_H
#define GODIAGCTL_PRINT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/json.h"

enum print_to {
	PRINT_NONE = 0,		/* neither: a row the text leaves out */
	PRINT_FP = 1,		/* the text only */
	PRINT_JSON = 2,		/* the JSON only */
	PRINT_ANY = 3,		/* both */
};

/* What of to goes to one side: for a value that side alone shows. */
static inline enum print_to print_side(enum print_to to, enum print_to side)
{
	return to & side ? side : PRINT_NONE;
}

#define PRINT_PATH_MAX	256
#define PRINT_DEPTH_MAX	JSON_MAX_DEPTH

struct printer {
	bool json;
	FILE *out;
	struct json j;
	char path[PRINT_PATH_MAX];	/* "sessions[].cpus[]": what is open */
	int depth;
	bool named[PRINT_DEPTH_MAX];	/* the level has a key in path */
	/*
	 * For the tests: called with the path of every value written, text
	 * or JSON, so they can compare what each side carries.
	 */
	void (*audit)(void *arg, bool json, const char *path);
	void *audit_arg;
};

/* Starts the output: the top-level JSON object, or nothing for text. */
void print_begin(struct printer *p, FILE *out, bool json);
void print_end(struct printer *p);

/*
 * A JSON object or array (nothing in the text): key names the member, or
 * is NULL for an element of an array. Paths name an array's elements
 * "key[]". A named one counts as a JSON value for the audit, so a text
 * value that stands for it (how many elements) can be keyed by its name.
 */
void print_object_begin(struct printer *p, const char *key);
void print_object_end(struct printer *p);
void print_array_begin(struct printer *p, const char *key);
void print_array_end(struct printer *p);

/*
 * The same for one side only, ended with the same to: a JSON member the
 * text shows elsewhere or not at all (PRINT_JSON), or the path of values
 * the text shows where the JSON does not have them (PRINT_FP: the text's
 * keys then name the JSON members that carry them).
 */
void print_object_begin_to(struct printer *p, enum print_to to, const char *key);
void print_object_end_to(struct printer *p, enum print_to to);
void print_array_begin_to(struct printer *p, enum print_to to, const char *key);
void print_array_end_to(struct printer *p, enum print_to to);

/*
 * The value, formatted by fmt in the text (one conversion; a bool's is
 * %s, "yes" or "no"). key NULL: an element of the array open. A string
 * v NULL is null in JSON and nothing in the text.
 */
void print_string(struct printer *p, enum print_to to, const char *key,
		  const char *fmt, const char *v);
void print_u64(struct printer *p, enum print_to to, const char *key,
	       const char *fmt, uint64_t v);
void print_s64(struct printer *p, enum print_to to, const char *key,
	       const char *fmt, int64_t v);
void print_bool(struct printer *p, enum print_to to, const char *key,
		const char *fmt, bool v);
/* JSON null; nothing in the text. */
void print_null(struct printer *p, enum print_to to, const char *key);
/* A duration: short in the text ("1.50 ms", fmt's %s), nanoseconds in JSON. */
void print_duration(struct printer *p, enum print_to to, const char *key,
		    const char *fmt, uint64_t ns);

/*
 * The nearest-rank percentiles and the maximum of a set of durations,
 * members "p50_ns", "p90_ns", "p99_ns" and "max_ns" (print_duration()),
 * each in the text as fmt[i] formats it.
 */
struct print_pcts {
	uint64_t p50_ns, p90_ns, p99_ns, max_ns;
};
void print_percentiles(struct printer *p, const char *const fmt[4],
		       const struct print_pcts *v);

/* "%-Ns", for a text column N wide whose width the values decide. */
#define PRINT_COLUMN_FMT	24
void print_column_fmt(char fmt[PRINT_COLUMN_FMT], size_t width);

/* Text only, and no value: a label in its column, punctuation, a newline. */
void print_label(struct printer *p, const char *label);
__attribute__((format(printf, 2, 3)))
void print_fp(struct printer *p, const char *fmt, ...);

#endif
