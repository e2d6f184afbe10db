// SPDX-License-Identifier: GPL-2.0
/* capture --if 'ARG OP VALUE' into the module's condition (breakcond.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "cmd/breakcond.h"

static const struct {
	const char *op;
	uint8_t code;
} cond_ops[] = {
	{ "==", GODIAG_COND_EQ }, { "!=", GODIAG_COND_NE }, { "<=", GODIAG_COND_LE },
	{ ">=", GODIAG_COND_GE }, { "<", GODIAG_COND_LT }, { ">", GODIAG_COND_GT },
	{ "prefix", GODIAG_COND_PREFIX },
};

/* The argument an --if names: its name, "argN" or N (1-based). */
static const struct gobin_arg *cond_arg(const struct gobin_break *plan, const char *name,
					size_t *word)
{
	uint32_t pos = 0;
	size_t i, w = 0;

	if (parse_u32(name, 1, GOBIN_BREAK_ARGS_MAX, &pos) &&
	    (strncmp(name, "arg", 3) || parse_u32(name + 3, 1, GOBIN_BREAK_ARGS_MAX, &pos)))
		pos = 0;
	for (i = 0; i < plan->nargs; i++) {
		if (!strcmp(plan->args[i].name, name) || pos == i + 1) {
			*word = w;
			return &plan->args[i];
		}
		w += plan->args[i].nwords;
	}
	return NULL;
}

/*
 * A float condition: VALUE as the argument's type holds it (a float32
 * argument compares with the float32 nearest the decimal, as Go's
 * float32(2.5) is), its bits in value; the kernel compares bit patterns.
 */
static int cond_float(const struct gobin_arg *a, const char *v, struct godiag_break_cond *k)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(v, &end);
	if (!*v || *end || isnan(d) || (a->size != 4 && a->size != 8) ||
	    k->op == GODIAG_COND_PREFIX)
		return -1;
	k->flags = GODIAG_CF_FLOAT;
	k->size = a->size;
	if (a->size == 4) {
		float f = (float)d;
		uint32_t u;

		memcpy(&u, &f, sizeof(u));
		k->value = u;
	} else {
		memcpy(&k->value, &d, sizeof(k->value));
	}
	return 0;
}

static int cond_value(const struct gobin_arg *a, const char *v, struct godiag_break_cond *k,
		      char *err, size_t errlen)
{
	size_t n = strlen(v);

	if (a->kind == GOBIN_ARG_STRING) {
		if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
			v++;
			n -= 2;
		}
		if (n > GODIAG_COND_STR_MAX ||
		    (k->op > GODIAG_COND_NE && k->op != GODIAG_COND_PREFIX)) {
			snprintf(err, errlen, "--if: a string compares with ==, != or prefix, "
				 "up to %d bytes", GODIAG_COND_STR_MAX);
			return -1;
		}
		k->flags = GODIAG_CF_STRING;
		k->len = (uint32_t)n;
		memcpy(k->str, v, n);
		return 0;
	}
	if (a->kind == GOBIN_ARG_FLOAT) {
		if (cond_float(a, v, k))
			goto bad;
		return 0;
	}
	k->size = a->size ? a->size : 8;
	if (a->kind == GOBIN_ARG_BOOL && (!strcmp(v, "true") || !strcmp(v, "false"))) {
		k->value = !strcmp(v, "true");
	} else if (a->kind == GOBIN_ARG_INT) {
		char *end;

		errno = 0;
		k->value = (uint64_t)strtoll(v, &end, 0);
		k->flags = GODIAG_CF_SIGNED;
		if (errno || !*v || *end)
			goto bad;
	} else if (a->kind == GOBIN_ARG_UINT || a->kind == GOBIN_ARG_PTR ||
		   a->kind == GOBIN_ARG_BOOL) {
		char *end;

		errno = 0;
		k->value = strtoull(v, &end, 0);
		if (errno || !*v || *end || *v == '-')
			goto bad;
	} else {
		snprintf(err, errlen, "--if: %s is a %s: conditions take integers, "
			 "booleans, floats and strings", a->name, a->type);
		return -1;
	}
	if (k->op == GODIAG_COND_PREFIX)
		goto bad;
	return 0;
bad:
	snprintf(err, errlen, "--if: '%s' is not a value for %s (%s)", v, a->name, a->type);
	return -1;
}

int break_cond_parse(const char *s, const struct gobin_break *plan,
		      struct godiag_break_cond *k, char *err, size_t errlen)
{
	const struct gobin_arg *a;
	char name[64];
	size_t i, n, w;

	memset(k, 0, sizeof(*k));
	s += strspn(s, " ");
	n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.");
	if (!n || n >= sizeof(name))
		goto syntax;
	memcpy(name, s, n);
	name[n] = '\0';
	s += n;
	s += strspn(s, " ");
	for (i = 0; i < ARRAY_SIZE(cond_ops); i++)
		if (!strncmp(s, cond_ops[i].op, strlen(cond_ops[i].op)))
			break;
	if (i == ARRAY_SIZE(cond_ops))
		goto syntax;
	k->op = cond_ops[i].code;
	s += strlen(cond_ops[i].op);
	s += strspn(s, " ");
	a = cond_arg(plan, name, &w);
	if (!a) {
		snprintf(err, errlen, "--if: %s has no argument %s", plan->function, name);
		return -1;
	}
	k->word = (uint8_t)w;
	return cond_value(a, s, k, err, errlen);
syntax:
	snprintf(err, errlen, "--if: expected 'ARG OP VALUE' (OP: == != < <= > >= prefix)");
	return -1;
}
