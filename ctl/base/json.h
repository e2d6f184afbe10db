/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small streaming JSON writer for every --json output. Output is compact
 * (no spaces) and each top-level value ends with a newline, so streams of
 * records read as JSON Lines.
 *
 *	struct json j;
 *	json_init(&j, stdout);
 *	json_object_begin(&j);
 *	json_kv_u64(&j, "count", 3);
 *	json_key(&j, "cpus");
 *	json_array_begin(&j);
 *	json_u64(&j, 0);
 *	json_array_end(&j);
 *	json_object_end(&j);		-> {"count":3,"cpus":[0]}
 */
#ifndef GODIAGCTL_JSON_H
#define GODIAGCTL_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 32

struct json {
	FILE *out;
	int depth;
	bool key_pending;		/* a key was written; its value is next */
	unsigned count[JSON_MAX_DEPTH];	/* members written per open level */
};

void json_init(struct json *j, FILE *out);

void json_object_begin(struct json *j);
void json_object_end(struct json *j);
void json_array_begin(struct json *j);
void json_array_end(struct json *j);

/* Inside an object, before each member's value. */
void json_key(struct json *j, const char *key);

/* Strings are escaped; bytes that are not valid UTF-8 become U+FFFD. */
void json_string(struct json *j, const char *s);
void json_u64(struct json *j, uint64_t v);
void json_s64(struct json *j, int64_t v);
void json_double(struct json *j, double v);	/* NaN and inf become null */
void json_bool(struct json *j, bool v);
void json_null(struct json *j);

/* Key and value in one call. */
void json_kv_string(struct json *j, const char *key, const char *s);
void json_kv_u64(struct json *j, const char *key, uint64_t v);
void json_kv_s64(struct json *j, const char *key, int64_t v);
void json_kv_double(struct json *j, const char *key, double v);
void json_kv_bool(struct json *j, const char *key, bool v);

/* A string, or null when s is NULL. */
void json_kv_string_or_null(struct json *j, const char *key, const char *s);
/* A number, or null when not present. */
void json_kv_u64_or_null(struct json *j, const char *key, uint64_t v, bool present);

#endif
