// SPDX-License-Identifier: GPL-2.0
/* Streaming JSON writer: separators, nesting and string escaping. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>

#include "base/json.h"

void json_init(struct json *j, FILE *out)
{
	j->out = out;
	j->depth = 0;
	j->key_pending = false;
}

/* Writes the comma that separates this value from the previous one. */
static void before_value(struct json *j)
{
	if (j->key_pending) {
		j->key_pending = false;
		return;
	}
	if (j->depth > 0 && j->count[j->depth - 1]++ > 0)
		fputc(',', j->out);
}

/* A finished top-level value ends its line. */
static void after_value(struct json *j)
{
	if (j->depth == 0)
		fputc('\n', j->out);
}

static void open_level(struct json *j, char c)
{
	before_value(j);
	/* Nesting this deep is a bug in the caller, not bad input. */
	if (j->depth == JSON_MAX_DEPTH) {
		fputs("json: nesting too deep\n", stderr);
		abort();
	}
	fputc(c, j->out);
	j->count[j->depth++] = 0;
}

static void close_level(struct json *j, char c)
{
	if (j->depth == 0) {
		fputs("json: close without open\n", stderr);
		abort();
	}
	j->depth--;
	fputc(c, j->out);
	after_value(j);
}

void json_object_begin(struct json *j)
{
	open_level(j, '{');
}

void json_object_end(struct json *j)
{
	close_level(j, '}');
}

void json_array_begin(struct json *j)
{
	open_level(j, '[');
}

void json_array_end(struct json *j)
{
	close_level(j, ']');
}

/*
 * Length of the valid UTF-8 sequence at s, or 0. Rejects overlong forms,
 * surrogates and code points above U+10FFFF. Stops at the first bad byte,
 * so it never reads past the terminating NUL.
 */
static size_t utf8_seq(const unsigned char *s)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		if (c == 0xe0)
			lo = 0xa0;
		if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		if (c == 0xf0)
			lo = 0x90;
		if (c == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

static const char *short_escape(unsigned char c)
{
	switch (c) {
	case '"':  return "\\\"";
	case '\\': return "\\\\";
	case '\b': return "\\b";
	case '\f': return "\\f";
	case '\n': return "\\n";
	case '\r': return "\\r";
	case '\t': return "\\t";
	default:   return NULL;
	}
}

static void write_escaped(FILE *out, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	while (*s) {
		const char *esc = short_escape(*s);
		size_t n;

		if (esc) {
			fputs(esc, out);
			s++;
		} else if (*s < 0x20 || *s == 0x7f) {
			/* DEL is legal JSON but would reach terminals raw. */
			fprintf(out, "\\u%04x", *s);
			s++;
		} else if ((n = utf8_seq(s)) > 0) {
			fwrite(s, 1, n, out);
			s += n;
		} else {
			fputs("\\ufffd", out);
			s++;
		}
	}
}

void json_key(struct json *j, const char *key)
{
	before_value(j);
	fputc('"', j->out);
	write_escaped(j->out, key);
	fputs("\":", j->out);
	j->key_pending = true;
}

void json_string(struct json *j, const char *s)
{
	before_value(j);
	fputc('"', j->out);
	write_escaped(j->out, s);
	fputc('"', j->out);
	after_value(j);
}

void json_u64(struct json *j, uint64_t v)
{
	before_value(j);
	fprintf(j->out, "%" PRIu64, v);
	after_value(j);
}

void json_s64(struct json *j, int64_t v)
{
	before_value(j);
	fprintf(j->out, "%" PRId64, v);
	after_value(j);
}

void json_double(struct json *j, double v)
{
	char buf[32];

	if (!isfinite(v)) {
		json_null(j);
		return;
	}
	/* Shortest form that reads back as the same double. */
	snprintf(buf, sizeof(buf), "%.15g", v);
	if (strtod(buf, NULL) != v)
		snprintf(buf, sizeof(buf), "%.17g", v);
	before_value(j);
	fputs(buf, j->out);
	after_value(j);
}

void json_bool(struct json *j, bool v)
{
	before_value(j);
	fputs(v ? "true" : "false", j->out);
	after_value(j);
}

void json_null(struct json *j)
{
	before_value(j);
	fputs("null", j->out);
	after_value(j);
}

void json_kv_string(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_string(j, s);
}

void json_kv_u64(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	json_u64(j, v);
}

void json_kv_s64(struct json *j, const char *key, int64_t v)
{
	json_key(j, key);
	json_s64(j, v);
}

void json_kv_double(struct json *j, const char *key, double v)
{
	json_key(j, key);
	json_double(j, v);
}

void json_kv_bool(struct json *j, const char *key, bool v)
{
	json_key(j, key);
	json_bool(j, v);
}

void json_kv_string_or_null(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	if (s)
		json_string(j, s);
	else
		json_null(j);
}

void json_kv_u64_or_null(struct json *j, const char *key, uint64_t v, bool present)
{
	json_key(j, key);
	if (present)
		json_u64(j, v);
	else
		json_null(j);
}
