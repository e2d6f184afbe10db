// SPDX-License-Identifier: GPL-2.0
/* The JSON writer from ctl/base/json.c: separators, nesting, escaping, numbers. */
#include <math.h>
#include <stdlib.h>

#include "base/json.h"
#include "test.h"

/* Output of one writer, captured in memory. */
struct capture {
	struct json j;
	FILE *f;
	char *buf;
	size_t len;
};

static struct json *capture_start(struct capture *c)
{
	c->buf = NULL;
	c->f = open_memstream(&c->buf, &c->len);
	json_init(&c->j, c->f);
	return &c->j;
}

static void capture_check(struct capture *c, const char *want)
{
	fclose(c->f);
	CHECK_STR(c->buf, want);
	free(c->buf);
}

static void test_string(const char *name, const char *in, const char *want)
{
	struct capture c;

	test_begin("string %s", name);
	json_string(capture_start(&c), in);
	capture_check(&c, want);
	test_end();
}

static void test_empty_containers(void)
{
	struct capture c;
	struct json *j;

	test_begin("empty object");
	j = capture_start(&c);
	json_object_begin(j);
	json_object_end(j);
	capture_check(&c, "{}\n");
	test_end();

	test_begin("empty array");
	j = capture_start(&c);
	json_array_begin(j);
	json_array_end(j);
	capture_check(&c, "[]\n");
	test_end();
}

static void test_nesting(void)
{
	struct capture c;
	struct json *j = capture_start(&c);

	test_begin("nesting and commas");
	json_object_begin(j);
	json_kv_u64(j, "a", 1);
	json_key(j, "b");
	json_array_begin(j);
	json_u64(j, 1);
	json_u64(j, 2);
	json_object_begin(j);
	json_key(j, "c");
	json_null(j);
	json_object_end(j);
	json_array_begin(j);
	json_array_end(j);
	json_array_end(j);
	json_key(j, "d");
	json_object_begin(j);
	json_kv_bool(j, "e", true);
	json_kv_bool(j, "f", false);
	json_object_end(j);
	json_kv_string(j, "g", "h");
	json_object_end(j);
	capture_check(&c, "{\"a\":1,\"b\":[1,2,{\"c\":null},[]],"
			  "\"d\":{\"e\":true,\"f\":false},\"g\":\"h\"}\n");
	test_end();
}

static void test_arrays_of_arrays(void)
{
	struct capture c;
	struct json *j = capture_start(&c);

	test_begin("arrays of arrays");
	json_array_begin(j);
	json_array_begin(j);
	json_array_end(j);
	json_array_begin(j);
	json_s64(j, -1);
	json_array_end(j);
	json_array_begin(j);
	json_array_end(j);
	json_array_end(j);
	capture_check(&c, "[[],[-1],[]]\n");
	test_end();
}

static void test_lines(void)
{
	struct capture c;
	struct json *j = capture_start(&c);

	test_begin("each top-level value ends a line");
	json_object_begin(j);
	json_kv_u64(j, "n", 1);
	json_object_end(j);
	json_object_begin(j);
	json_kv_u64(j, "n", 2);
	json_object_end(j);
	json_u64(j, 3);
	capture_check(&c, "{\"n\":1}\n{\"n\":2}\n3\n");
	test_end();
}

static void test_escaped_key(void)
{
	struct capture c;
	struct json *j = capture_start(&c);

	test_begin("keys are escaped");
	json_object_begin(j);
	json_kv_string(j, "a\"b\\c\n", "v");
	json_object_end(j);
	capture_check(&c, "{\"a\\\"b\\\\c\\n\":\"v\"}\n");
	test_end();
}

static void test_numbers(void)
{
	struct capture c;
	struct json *j = capture_start(&c);

	test_begin("integers at their limits");
	json_array_begin(j);
	json_u64(j, 0);
	json_u64(j, UINT64_MAX);
	json_s64(j, INT64_MIN);
	json_s64(j, INT64_MAX);
	json_array_end(j);
	capture_check(&c, "[0,18446744073709551615,-9223372036854775808,"
			  "9223372036854775807]\n");
	test_end();

	j = capture_start(&c);
	test_begin("doubles, shortest exact form; NaN and inf are null");
	json_array_begin(j);
	json_double(j, 1.5);
	json_double(j, 0.1);
	json_double(j, 2);
	json_double(j, 1e300);
	json_double(j, 1.0 / 3);
	json_double(j, NAN);
	json_double(j, INFINITY);
	json_array_end(j);
	capture_check(&c, "[1.5,0.1,2,1e+300,0.33333333333333331,null,null]\n");
	test_end();
}

int main(void)
{
	test_empty_containers();
	test_nesting();
	test_arrays_of_arrays();
	test_lines();
	test_escaped_key();
	test_numbers();

	test_string("plain", "hello", "\"hello\"\n");
	test_string("empty", "", "\"\"\n");
	test_string("quotes", "say \"hi\"", "\"say \\\"hi\\\"\"\n");
	test_string("backslash", "C:\\dir\\", "\"C:\\\\dir\\\\\"\n");
	test_string("short escapes", "\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\"\n");
	test_string("other control chars", "\x01\x1f\x7f",
		    "\"\\u0001\\u001f\\u007f\"\n");
	test_string("slash is left alone", "a/b", "\"a/b\"\n");
	test_string("valid UTF-8", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
		    "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"\n");
	test_string("invalid byte", "a\xff" "b", "\"a\\ufffdb\"\n");
	test_string("truncated sequence", "a\xc3", "\"a\\ufffd\"\n");
	test_string("overlong form", "\xc0\xaf", "\"\\ufffd\\ufffd\"\n");
	test_string("surrogate", "\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"\n");
	test_string("above U+10FFFF", "\xf4\x90\x80\x80",
		    "\"\\ufffd\\ufffd\\ufffd\\ufffd\"\n");
	return test_summary();
}
