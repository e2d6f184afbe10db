// SPDX-License-Identifier: GPL-2.0
/*
 * Where a Go function's arguments are at its entry probe point, under
 * Go's register ABI (ABIInternal, amd64; cmd/compile/internal/abi):
 *
 *   - The parameters (receiver first, results left out) are assigned in
 *     order. One whose every part fits in the registers still free takes
 *     them: each integer-like word the next of RAX RBX RCX RDI RSI R8 R9
 *     R10 R11, each float the next of X0-X14, a struct field by field, an
 *     array only when it has one element. A string is two words (pointer,
 *     length), a slice three (pointer, length, capacity), an interface
 *     two (type or itab, data); maps, chans, funcs and pointers one.
 *   - One that does not fit (or is an array of several elements, or has
 *     size 0) goes on the stack whole, at the next offset aligned for its
 *     type, and uses no register: a later, smaller parameter can still
 *     take the registers left.
 *   - The stack arguments start above the return address: RSP + 8 at the
 *     entry, and at the stack check's jump, which moves no RSP.
 *
 * The parameters and their types come from DWARF (a struct argument is
 * listed field by field: "p.X", "p.Y"). Without DWARF, by position, typed
 * as the user says ("2:string"), else the integer registers as int64.
 * Field paths ("req.Method") follow pointers with DWARF's member offsets.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dwarf.h>
#include <elfutils/libdw.h>

#include "gobin/breakplan.h"
#include "gobin/gobin_impl.h"

#define DW_AT_GO_KIND	0x2900	/* Go's reflect.Kind of a type */
#define LEAVES_MAX	32
#define PARAMS_MAX	64
#define TYPE_DEPTH_MAX	8
#define TYPEDEF_MAX	16
#define INT_REGS	9
#define FLOAT_REGS	15

/* reflect.Kind */
enum {
	GK_BOOL = 1, GK_INT, GK_INT8, GK_INT16, GK_INT32, GK_INT64, GK_UINT, GK_UINT8,
	GK_UINT16, GK_UINT32, GK_UINT64, GK_UINTPTR, GK_FLOAT32, GK_FLOAT64,
	GK_COMPLEX64, GK_COMPLEX128, GK_ARRAY, GK_CHAN, GK_FUNC, GK_IFACE, GK_MAP,
	GK_PTR, GK_SLICE, GK_STRING, GK_STRUCT, GK_UNSAFEPTR,
};

static const uint8_t int_regs[INT_REGS] = {
	GODIAG_REG_RAX, GODIAG_REG_RBX, GODIAG_REG_RCX, GODIAG_REG_RDI, GODIAG_REG_RSI,
	GODIAG_REG_R8, GODIAG_REG_R9, GODIAG_REG_R10, GODIAG_REG_R11,
};

/* One value of a parameter the hit records: a scalar, string, slice, iface or pointer. */
struct leaf {
	char path[64];		/* after the parameter's name: "", ".X", "[1]" */
	char type[64];
	enum gobin_arg_kind kind;
	uint8_t size;		/* of a scalar; 8 for the words of the others */
	uint8_t nwords;
	bool fl;		/* a float: in an X register */
	bool itab;		/* an interface with methods: its first word is an itab */
	uint64_t off;		/* in the parameter */
	bool have_die;
	Dwarf_Die die;		/* its type (field paths start from pointers) */
	struct gobin_loc loc[3];
	bool has_elem;		/* a slice of elements a record can copy */
	enum gobin_arg_kind elem_kind;
	uint8_t elem_size;
};

struct param {
	char name[64];
	struct leaf leaves[LEAVES_MAX];
	size_t nleaves;
	uint64_t size, align;
	bool mem_only;		/* an array of several elements: never in registers */
	bool too_many;		/* more leaves than LEAVES_MAX */
	bool hidden;		/* the dictionary of a generic function: not listed */
};

struct plan_args {
	struct param *params;
	size_t nparams;
	size_t nhidden;		/* the dictionary, before the others */
	Dwarf *dw;
};

/* ---- DWARF types ---------------------------------------------------- */

static bool type_of(Dwarf_Die *d, Dwarf_Die *t)
{
	Dwarf_Attribute a;

	return dwarf_attr_integrate(d, DW_AT_type, &a) && dwarf_formref_die(&a, t);
}

static bool udata(Dwarf_Die *d, unsigned int at, Dwarf_Word *v)
{
	Dwarf_Attribute a;

	return dwarf_attr_integrate(d, at, &a) && !dwarf_formudata(&a, v);
}

/* The Go kind of a type DIE without DW_AT_go_kind, from its tag. */
static int kind_from_tag(Dwarf_Die *t)
{
	const char *name = dwarf_diename(t);
	Dwarf_Word enc = 0, size = 0;

	udata(t, DW_AT_byte_size, &size);
	switch (dwarf_tag(t)) {
	case DW_TAG_base_type:
		udata(t, DW_AT_encoding, &enc);
		if (enc == DW_ATE_boolean)
			return GK_BOOL;
		if (enc == DW_ATE_float)
			return size == 4 ? GK_FLOAT32 : GK_FLOAT64;
		if (enc == DW_ATE_complex_float)
			return size == 8 ? GK_COMPLEX64 : GK_COMPLEX128;
		if (enc == DW_ATE_unsigned)
			return size == 1 ? GK_UINT8 : size == 2 ? GK_UINT16 :
			       size == 4 ? GK_UINT32 : GK_UINT64;
		return size == 1 ? GK_INT8 : size == 2 ? GK_INT16 : size == 4 ? GK_INT32 :
		       GK_INT64;
	case DW_TAG_pointer_type:
		return GK_PTR;
	case DW_TAG_subroutine_type:
		return GK_FUNC;
	case DW_TAG_array_type:
		return GK_ARRAY;
	case DW_TAG_structure_type:
		if (name && !strcmp(name, "string"))
			return GK_STRING;
		if (name && !strncmp(name, "[]", 2))
			return GK_SLICE;
		return GK_STRUCT;
	}
	return 0;
}

/*
 * Through typedefs (a named interface is two of them): the name the type
 * is written with, its Go kind, and the DIE with its layout in *out.
 */
static int resolve(Dwarf_Die *t, Dwarf_Die *out, const char **name, int *kind)
{
	Dwarf_Word k = 0;
	int depth;

	*name = dwarf_diename(t);
	*out = *t;
	for (depth = 0; depth < TYPEDEF_MAX; depth++) {
		Dwarf_Die next;

		if (!k)
			udata(out, DW_AT_GO_KIND, &k);
		if (dwarf_tag(out) != DW_TAG_typedef)
			break;
		if (!type_of(out, &next))
			return -1;
		/* A generic function's type parameter (".param0"): its shape's name. */
		if (*name && (*name)[0] == '.' && dwarf_diename(&next))
			*name = dwarf_diename(&next);
		*out = next;
	}
	*kind = k && k <= GK_UNSAFEPTR ? (int)k : kind_from_tag(out);
	if (!*name)
		*name = "?";
	return *kind ? 0 : -1;
}

/*
 * Go's DWARF writes an interface type as a typedef of runtime.eface
 * (interface{}, any: the first word is the *_type) or of runtime.iface
 * (error, io.Reader: the first word is an *itab); r is the struct.
 */
static bool iface_has_itab(Dwarf_Die *r)
{
	const char *name = dwarf_diename(r);

	return !name || strcmp(name, "runtime.eface");
}

static uint64_t die_size(Dwarf_Die *t, int kind)
{
	Dwarf_Word size;

	if (udata(t, DW_AT_byte_size, &size))
		return size;
	if (dwarf_aggregate_size(t, &size) == 0)
		return size;
	return kind == GK_STRUCT || kind == GK_ARRAY ? 0 : 8;
}

static struct leaf *new_leaf(struct param *pm, const char *path, const char *type,
			     uint64_t off)
{
	struct leaf *l;

	if (pm->nleaves == LEAVES_MAX) {
		pm->too_many = true;
		return NULL;
	}
	l = &pm->leaves[pm->nleaves++];
	memset(l, 0, sizeof(*l));
	snprintf(l->path, sizeof(l->path), "%s", path);
	snprintf(l->type, sizeof(l->type), "%s", type);
	l->off = off;
	return l;
}

/* A leaf of kind, size bytes and nwords words (fl: a float). */
static struct leaf *put_leaf(struct param *pm, const char *path, const char *type,
			     uint64_t off, enum gobin_arg_kind kind, unsigned int size,
			     unsigned int nwords, bool fl)
{
	struct leaf *l = new_leaf(pm, path, type, off);
	uint64_t align = nwords > 1 ? 8 : size;

	if (!l)
		return NULL;
	l->kind = kind;
	l->size = (uint8_t)size;
	l->nwords = (uint8_t)nwords;
	l->fl = fl;
	if (align > pm->align)
		pm->align = align;
	return l;
}

/* The leaves of a value of the Go kind, for a type that has no parts. */
static struct leaf *scalar_leaf(struct param *pm, const char *path, const char *type,
				uint64_t off, int kind, uint64_t size)
{
	switch (kind) {
	case GK_BOOL:
		return put_leaf(pm, path, type, off, GOBIN_ARG_BOOL, 1, 1, false);
	case GK_INT: case GK_INT8: case GK_INT16: case GK_INT32: case GK_INT64:
		return put_leaf(pm, path, type, off, GOBIN_ARG_INT, (unsigned int)size, 1, false);
	case GK_UINT: case GK_UINT8: case GK_UINT16: case GK_UINT32: case GK_UINT64:
	case GK_UINTPTR:
		return put_leaf(pm, path, type, off, GOBIN_ARG_UINT, (unsigned int)size, 1, false);
	case GK_FLOAT32: case GK_FLOAT64:
		return put_leaf(pm, path, type, off, GOBIN_ARG_FLOAT, (unsigned int)size, 1, true);
	case GK_CHAN: case GK_FUNC: case GK_MAP: case GK_PTR: case GK_UNSAFEPTR:
		return put_leaf(pm, path, type, off, GOBIN_ARG_PTR, 8, 1, false);
	case GK_STRING:
		return put_leaf(pm, path, type, off, GOBIN_ARG_STRING, 8, 2, false);
	case GK_SLICE:
		return put_leaf(pm, path, type, off, GOBIN_ARG_SLICE, 8, 3, false);
	case GK_IFACE:
		return put_leaf(pm, path, type, off, GOBIN_ARG_IFACE, 8, 2, false);
	}
	return NULL;
}

static void describe(Dwarf_Die *t, struct param *pm, const char *path, uint64_t off,
		     int depth);
static bool find_member(Dwarf_Die *st, const char *name, size_t len, Dwarf_Word *off,
			Dwarf_Die *type);

/*
 * A slice's element, for a record to copy the first ones: integers,
 * bools, floats and pointers by their size, strings as 16-byte headers
 * (the module copies their bytes). Anything else (structs, slices,
 * interfaces) is not copied.
 */
static void elem_of_kind(struct leaf *l, int kind, uint64_t size)
{
	struct param one = { .align = 1 };
	struct leaf *e = scalar_leaf(&one, "", "", 0, kind, size);

	if (!e || e->kind == GOBIN_ARG_SLICE || e->kind == GOBIN_ARG_IFACE ||
	    (e->kind != GOBIN_ARG_STRING && e->size != 1 && e->size != 2 && e->size != 4 &&
	     e->size != 8))
		return;
	l->has_elem = true;
	l->elem_kind = e->kind;
	l->elem_size = e->kind == GOBIN_ARG_STRING ? 16 : e->size;
}

/* Go's DWARF writes a slice as a struct whose member array points at its elements. */
static void slice_elem(Dwarf_Die *slice, struct leaf *l)
{
	Dwarf_Die pt, et, er;
	Dwarf_Word off;
	const char *name;
	int kind;

	if (find_member(slice, "array", 5, &off, &pt) && type_of(&pt, &et) &&
	    !resolve(&et, &er, &name, &kind))
		elem_of_kind(l, kind, die_size(&er, kind));
}

static void describe_struct(Dwarf_Die *st, struct param *pm, const char *path,
			    uint64_t off, int depth)
{
	Dwarf_Die m;

	if (dwarf_child(st, &m) != 0)
		return;
	do {
		const char *name = dwarf_diename(&m);
		Dwarf_Word moff = 0;
		Dwarf_Die mt;
		char sub[64];

		if (dwarf_tag(&m) != DW_TAG_member || !type_of(&m, &mt))
			continue;
		udata(&m, DW_AT_data_member_location, &moff);
		snprintf(sub, sizeof(sub), "%s.%s", path, name ? name : "?");
		describe(&mt, pm, sub, off + moff, depth + 1);
	} while (dwarf_siblingof(&m, &m) == 0);
}

static void describe_array(Dwarf_Die *arr, struct param *pm, const char *path,
			   uint64_t off, int depth)
{
	Dwarf_Word count = 0, ub, esize = 0;
	Dwarf_Die sub, elem;
	uint64_t i;

	if (!type_of(arr, &elem))
		return;
	if (dwarf_child(arr, &sub) == 0 && dwarf_tag(&sub) == DW_TAG_subrange_type) {
		if (!udata(&sub, DW_AT_count, &count) && udata(&sub, DW_AT_upper_bound, &ub))
			count = ub + 1;
	}
	if (count != 1)
		pm->mem_only = true;
	dwarf_aggregate_size(&elem, &esize);
	for (i = 0; i < count && !pm->too_many; i++) {
		char name[64];

		snprintf(name, sizeof(name), "%s[%" PRIu64 "]", path, i);
		describe(&elem, pm, name, off + i * esize, depth + 1);
	}
}

/* The leaves of a value of type t at off in the parameter. */
static void describe(Dwarf_Die *t, struct param *pm, const char *path, uint64_t off,
		     int depth)
{
	const char *name;
	struct leaf *l;
	Dwarf_Die r;
	uint64_t size;
	int kind;
	char sub[64];

	if (depth > TYPE_DEPTH_MAX || resolve(t, &r, &name, &kind)) {
		pm->too_many = true;
		return;
	}
	size = die_size(&r, kind);
	switch (kind) {
	case GK_STRUCT:
		describe_struct(&r, pm, path, off, depth);
		return;
	case GK_ARRAY:
		describe_array(&r, pm, path, off, depth);
		return;
	case GK_COMPLEX64: case GK_COMPLEX128:
		snprintf(sub, sizeof(sub), "%s.real", path);
		put_leaf(pm, sub, kind == GK_COMPLEX64 ? "float32" : "float64", off,
			 GOBIN_ARG_FLOAT, (unsigned int)size / 2, 1, true);
		snprintf(sub, sizeof(sub), "%s.imag", path);
		put_leaf(pm, sub, kind == GK_COMPLEX64 ? "float32" : "float64", off + size / 2,
			 GOBIN_ARG_FLOAT, (unsigned int)size / 2, 1, true);
		return;
	}
	l = scalar_leaf(pm, path, name, off, kind, size);
	if (l) {
		l->have_die = true;
		l->die = *t;
		l->itab = kind == GK_IFACE && iface_has_itab(&r);
		if (kind == GK_SLICE)
			slice_elem(&r, l);
	}
}

/* ---- types by name (--arg N:TYPE) ----------------------------------- */

static const struct {
	const char *name;
	int kind;
	unsigned int size;
} named_types[] = {
	{ "int", GK_INT, 8 }, { "int8", GK_INT8, 1 }, { "int16", GK_INT16, 2 },
	{ "int32", GK_INT32, 4 }, { "rune", GK_INT32, 4 }, { "int64", GK_INT64, 8 },
	{ "uint", GK_UINT, 8 }, { "uint8", GK_UINT8, 1 }, { "byte", GK_UINT8, 1 },
	{ "uint16", GK_UINT16, 2 }, { "uint32", GK_UINT32, 4 }, { "uint64", GK_UINT64, 8 },
	{ "uintptr", GK_UINTPTR, 8 }, { "bool", GK_BOOL, 1 }, { "float32", GK_FLOAT32, 4 },
	{ "float64", GK_FLOAT64, 8 }, { "ptr", GK_PTR, 8 }, { "pointer", GK_PTR, 8 },
	{ "string", GK_STRING, 16 }, { "slice", GK_SLICE, 24 },
	/* with methods (error, io.Reader): an itab first; empty: a *_type */
	{ "iface", GK_IFACE, 16 }, { "interface", GK_IFACE, 16 },
	{ "any", GK_IFACE, 16 }, { "eface", GK_IFACE, 16 },
};

/* The named_types entry of name, or -1. */
static int named_type(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(named_types) / sizeof(named_types[0]); i++)
		if (!strcmp(name, named_types[i].name))
			return (int)i;
	return -1;
}

/* "[]T": a slice of T, whose first elements a record copies. */
static bool typed_slice(struct param *pm, const char *type)
{
	int e = named_type(type + 2);
	struct leaf *l;

	if (e < 0)
		return false;
	pm->size = 24;
	l = scalar_leaf(pm, "", type, 0, GK_SLICE, 24);
	elem_of_kind(l, named_types[e].kind, named_types[e].size);
	if (l->has_elem)
		return true;
	pm->nleaves = 0;
	return false;
}

/* A parameter of a type named by the user; false for an unknown name. */
static bool typed_param(struct param *pm, const char *type)
{
	size_t i;

	pm->nleaves = 0;
	pm->align = 1;
	pm->mem_only = pm->too_many = false;
	if (!strncmp(type, "[]", 2))
		return typed_slice(pm, type);
	for (i = 0; i < sizeof(named_types) / sizeof(named_types[0]); i++) {
		struct leaf *l;

		if (strcmp(type, named_types[i].name))
			continue;
		pm->size = named_types[i].size;
		l = scalar_leaf(pm, "", type, 0, named_types[i].kind, named_types[i].size);
		if (l && l->kind == GOBIN_ARG_IFACE)
			l->itab = strcmp(type, "any") && strcmp(type, "eface");
		return l;
	}
	return false;
}

/* "N:TYPE" into n and type; an error in err. */
static int parse_argtype(const char *s, unsigned long *n, const char **type,
			 char *err, size_t errlen)
{
	char *end;

	*n = strtoul(s, &end, 10);
	if (end == s || *end != ':' || *n == 0 || *n > PARAMS_MAX || !end[1])
		return gobin_fail(err, errlen, "--arg '%s': want N:TYPE, N from 1 to %d", s,
				  PARAMS_MAX);
	*type = end + 1;
	return 0;
}

/* ---- the parameters --------------------------------------------------- */

/* The subprogram DIE of the function at entry, from its compilation unit. */
static bool find_subprogram(Dwarf *dw, uint64_t entry, Dwarf_Die *out)
{
	Dwarf_Off off = 0, next;
	Dwarf_Die cu, die;
	size_t hsize;
	bool direct;

	direct = dwarf_addrdie(dw, entry, &cu) != NULL;
	while (direct || dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		if (!direct && !dwarf_offdie(dw, off + hsize, &cu)) {
			off = next;
			continue;
		}
		if (dwarf_child(&cu, &die) == 0) {
			do {
				Dwarf_Addr lo;

				if (dwarf_tag(&die) == DW_TAG_subprogram &&
				    dwarf_lowpc(&die, &lo) == 0 && lo == entry) {
					*out = die;
					return true;
				}
			} while (dwarf_siblingof(&die, &die) == 0);
		}
		if (direct) {
			direct = false;	/* not there after all: look everywhere */
			continue;
		}
		off = next;
	}
	return false;
}

static bool is_result(Dwarf_Die *p, const char *name)
{
	Dwarf_Attribute a;
	bool var = false;

	if (dwarf_attr_integrate(p, DW_AT_variable_parameter, &a))
		dwarf_formflag(&a, &var);
	return var || (name && !strncmp(name, "~r", 2));
}

/* The parameters of the subprogram sp, from DWARF. */
/*
 * A generic function's code is shared by the type arguments of one shape
 * ("main.Map[go.shape.int]") and gets their dictionary first, in RAX,
 * before the receiver; DWARF does not list it.
 */
static void dictionary_param(struct plan_args *pa)
{
	struct param *pm = &pa->params[pa->nparams++];

	memset(pm, 0, sizeof(*pm));
	snprintf(pm->name, sizeof(pm->name), ".dict");
	typed_param(pm, "ptr");
	pm->hidden = true;
}

/*
 * Go 1.20 and later name a shaped instantiation "main.Map[go.shape.int]";
 * 1.18 and 1.19 write "main.Map[...]" in the pclntab and the full name in
 * DWARF only, so without DWARF every "[...]" is taken for one.
 */
static bool is_shaped(const struct gofunc *f, Dwarf_Die *sp)
{
	const char *dn = sp ? dwarf_diename(sp) : NULL;

	if (strstr(f->name, "go.shape.") || (dn && strstr(dn, "go.shape.")))
		return true;
	return !sp && strstr(f->name, "[...]");
}

static int dwarf_params(Dwarf_Die *sp, struct plan_args *pa, char *err, size_t errlen)
{
	Dwarf_Die p, t;

	if (dwarf_child(sp, &p) != 0)
		return 0;
	do {
		const char *name;
		struct param *pm;

		if (dwarf_tag(&p) != DW_TAG_formal_parameter)
			continue;
		name = dwarf_diename(&p);
		if (is_result(&p, name))
			continue;
		/* Go 1.27 lists the dictionary: it is the one planned already. */
		if (name && !strcmp(name, ".dict") && pa->nhidden)
			continue;
		if (pa->nparams == PARAMS_MAX)
			return gobin_fail(err, errlen, "more than %d parameters", PARAMS_MAX);
		pm = &pa->params[pa->nparams++];
		memset(pm, 0, sizeof(*pm));
		pm->align = 1;
		if (!name || !*name || name[0] == '~' || !strcmp(name, "_"))
			snprintf(pm->name, sizeof(pm->name), "arg%zu", pa->nparams - pa->nhidden);
		else
			snprintf(pm->name, sizeof(pm->name), "%s", name);
		if (!type_of(&p, &t))
			return gobin_fail(err, errlen, "parameter %s has no type in DWARF",
					  pm->name);
		describe(&t, pm, "", 0, 0);
		if (dwarf_aggregate_size(&t, &pm->size) != 0) {
			const char *tn;
			Dwarf_Die r;
			int kind;

			pm->size = resolve(&t, &r, &tn, &kind) ? 0 : die_size(&r, kind);
		}
		if (pm->size == 0)
			pm->mem_only = true;
		if (pm->too_many)
			return gobin_fail(err, errlen, "parameter %s has a type too large to "
					  "describe", pm->name);
	} while (dwarf_siblingof(&p, &p) == 0);
	return 0;
}

/* Parameters by position: the typed ones as told, the others int64. */
static int positional_params(const struct gobin_break_opts *opts, struct plan_args *pa,
			     struct gobin_break *out, char *err, size_t errlen)
{
	size_t i, n = opts ? opts->nargtypes : 0;
	unsigned long pos, max = 0;
	const char *type;

	for (i = 0; i < n; i++) {
		if (parse_argtype(opts->argtypes[i], &pos, &type, err, errlen))
			return -1;
		if (pos > max)
			max = pos;
	}
	if (!n)
		max = INT_REGS - pa->nhidden;
	for (i = 0; i < max; i++) {
		struct param *pm = &pa->params[pa->nparams++];

		memset(pm, 0, sizeof(*pm));
		snprintf(pm->name, sizeof(pm->name), "arg%zu", i + 1);
		typed_param(pm, "int64");
	}
	snprintf(out->note, sizeof(out->note), n ?
		 "no DWARF: arguments by position, typed by --arg (the others int64)" :
		 "no DWARF: arguments by position, the integer registers as int64 "
		 "(--arg N:TYPE types them)");
	return 0;
}

/* --arg N:TYPE over the parameters. */
static int apply_argtypes(const struct gobin_break_opts *opts, struct plan_args *pa,
			  const char *func, char *err, size_t errlen)
{
	unsigned long pos;
	const char *type;
	size_t i;

	for (i = 0; opts && i < opts->nargtypes; i++) {
		if (parse_argtype(opts->argtypes[i], &pos, &type, err, errlen))
			return -1;
		if (pos > pa->nparams - pa->nhidden)
			return gobin_fail(err, errlen, "--arg %s: %s has %zu argument%s",
					  opts->argtypes[i], func, pa->nparams - pa->nhidden,
					  pa->nparams - pa->nhidden == 1 ? "" : "s");
		if (!typed_param(&pa->params[pa->nhidden + pos - 1], type))
			return gobin_fail(err, errlen, "--arg %s: unknown type %s (int, "
					  "int8..int64, uint, uint8..uint64, uintptr, bool, "
					  "float32, float64, ptr, string, slice, iface, any, "
					  "[]T of a scalar or string)",
					  opts->argtypes[i], type);
	}
	return 0;
}

/* ---- the register ABI ------------------------------------------------ */

struct abi_state {
	unsigned int ints, floats;	/* registers taken */
	uint64_t stack;			/* bytes of stack arguments so far */
};

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return a > 1 ? (v + a - 1) / a * a : v;
}

static void assign(struct abi_state *st, struct param *pm)
{
	unsigned int ints = 0, floats = 0, w;
	uint64_t off;
	size_t i;

	for (i = 0; i < pm->nleaves; i++) {
		if (pm->leaves[i].fl)
			floats++;
		else
			ints += pm->leaves[i].nwords;
	}
	if (!pm->mem_only && ints <= INT_REGS - st->ints &&
	    floats <= FLOAT_REGS - st->floats) {
		for (i = 0; i < pm->nleaves; i++) {
			struct leaf *l = &pm->leaves[i];

			for (w = 0; w < l->nwords; w++)
				l->loc[w].reg = l->fl ? GOBIN_XREG(st->floats++) :
					       int_regs[st->ints++];
		}
		return;
	}
	off = align_up(st->stack, pm->align);
	st->stack = off + pm->size;
	for (i = 0; i < pm->nleaves; i++) {
		struct leaf *l = &pm->leaves[i];

		for (w = 0; w < l->nwords; w++) {
			l->loc[w].reg = GOBIN_NO_REG;
			/* Above the return address. */
			l->loc[w].sp_off = (int32_t)(8 + off + l->off + 8 * w);
		}
	}
}

/* ---- field paths ---------------------------------------------------- */

/*
 * The first word of a non-empty interface is its itab: one more hop
 * reads the itab's type, so that every interface records a *_type (a nil
 * itab, read as 0, is a nil interface, no fault).
 */
static void type_hop(struct gobin_loc *l)
{
	l->deref_off[l->nderef++] = GOBIN_ITAB_TYPE;
	l->nil_stop = true;
}

/* The leaf of the parameters whose full name is the longest prefix of path. */
static const struct leaf *path_root(const struct plan_args *pa, const char *path,
				    size_t *used)
{
	const struct leaf *best = NULL;
	size_t i, k, n, bestn = 0;

	for (i = 0; i < pa->nparams; i++) {
		const struct param *pm = &pa->params[i];

		for (k = 0; k < pm->nleaves; k++) {
			char full[128];

			n = (size_t)snprintf(full, sizeof(full), "%s%s", pm->name,
					     pm->leaves[k].path);
			if (n > bestn && !strncmp(path, full, n) &&
			    (path[n] == '.' || !path[n])) {
				best = &pm->leaves[k];
				bestn = n;
			}
		}
	}
	*used = bestn;
	return best;
}

/* The member name of struct st, with its offset and type. */
static bool find_member(Dwarf_Die *st, const char *name, size_t len, Dwarf_Word *off,
			Dwarf_Die *type)
{
	Dwarf_Die m;

	if (dwarf_child(st, &m) != 0)
		return false;
	do {
		const char *mn = dwarf_diename(&m);

		if (dwarf_tag(&m) == DW_TAG_member && mn && strlen(mn) == len &&
		    !strncmp(mn, name, len)) {
			*off = 0;
			udata(&m, DW_AT_data_member_location, off);
			return type_of(&m, type);
		}
	} while (dwarf_siblingof(&m, &m) == 0);
	return false;
}

static int plan_field(const struct plan_args *pa, const char *path,
		      struct gobin_break *out, char *err, size_t errlen)
{
	int32_t hops[GOBIN_BREAK_DEREF_MAX];
	const struct leaf *root;
	struct param one = { .align = 1 };
	const char *p, *name;
	struct gobin_arg *a;
	uint64_t cur = 0;
	size_t used, nhops = 0, w;
	Dwarf_Die t, r;
	bool itab;
	int kind;

	root = path_root(pa, path, &used);
	if (!root)
		return gobin_fail(err, errlen, "--field %s: no argument %.*s", path,
				  (int)strcspn(path, "."), path);
	if (!path[used])
		return gobin_fail(err, errlen, "--field %s: that is an argument already", path);
	if (root->kind != GOBIN_ARG_PTR || !root->have_die ||
	    resolve((Dwarf_Die *)&root->die, &r, &name, &kind) || kind != GK_PTR ||
	    !type_of(&r, &t))
		return gobin_fail(err, errlen, "--field %s: %.*s is not a pointer to a struct",
				  path, (int)used, path);
	for (p = path + used; *p == '.'; ) {
		size_t len = strcspn(p + 1, ".");
		Dwarf_Word moff;

		if (resolve(&t, &r, &name, &kind))
			return gobin_fail(err, errlen, "--field %s: unreadable type", path);
		if (kind == GK_PTR) {
			if (nhops + 1 == GOBIN_BREAK_DEREF_MAX || cur > INT32_MAX)
				return gobin_fail(err, errlen, "--field %s: more than %d pointers",
						  path, GOBIN_BREAK_DEREF_MAX);
			hops[nhops++] = (int32_t)cur;
			cur = 0;
			if (!type_of(&r, &t) || resolve(&t, &r, &name, &kind))
				return gobin_fail(err, errlen, "--field %s: unreadable type", path);
		}
		if (kind != GK_STRUCT)
			return gobin_fail(err, errlen, "--field %s: %.*s is a %s, not a struct",
					  path, (int)(p - path), path, name);
		if (!find_member(&r, p + 1, len, &moff, &t))
			return gobin_fail(err, errlen, "--field %s: %s has no field %.*s", path,
					  name, (int)len, p + 1);
		cur += moff;
		p += 1 + len;
	}
	if (*p || resolve(&t, &r, &name, &kind) ||
	    !scalar_leaf(&one, "", name, 0, kind, die_size(&r, kind)))
		return gobin_fail(err, errlen, "--field %s: a struct, array or complex value; "
				  "name one of its fields", path);
	if (kind == GK_SLICE)
		slice_elem(&r, &one.leaves[0]);
	itab = kind == GK_IFACE && iface_has_itab(&r);
	if (itab && nhops + 2 > GOBIN_BREAK_DEREF_MAX)
		return gobin_fail(err, errlen, "--field %s: more than %d pointers", path,
				  GOBIN_BREAK_DEREF_MAX - 1);
	if (cur + 16 > INT32_MAX)
		return gobin_fail(err, errlen, "--field %s: offset too large", path);
	if (out->nargs == GOBIN_BREAK_ARGS_MAX)
		return gobin_fail(err, errlen, "--field %s: more than %d arguments and fields",
				  path, GOBIN_BREAK_ARGS_MAX);
	a = &out->args[out->nargs++];
	memset(a, 0, sizeof(*a));
	snprintf(a->name, sizeof(a->name), "%s", path);
	snprintf(a->type, sizeof(a->type), "%s", name);
	a->kind = one.leaves[0].kind;
	a->size = one.leaves[0].size;
	a->nwords = one.leaves[0].nwords;
	a->has_elem = one.leaves[0].has_elem;
	a->elem_kind = one.leaves[0].elem_kind;
	a->elem_size = one.leaves[0].elem_size;
	for (w = 0; w < a->nwords; w++) {
		a->word[w] = root->loc[0];
		memcpy(a->word[w].deref_off, hops, nhops * sizeof(hops[0]));
		a->word[w].deref_off[nhops] = (int32_t)(cur + 8 * w);
		a->word[w].nderef = (uint8_t)(nhops + 1);
	}
	if (itab)
		type_hop(&a->word[0]);
	return 0;
}

/* ---- into the plan ---------------------------------------------------- */

static void emit(const struct plan_args *pa, struct gobin_break *out)
{
	size_t i, k, left = 0, used;

	for (i = pa->nhidden; i < pa->nparams; i++) {
		const struct param *pm = &pa->params[i];

		for (k = 0; k < pm->nleaves; k++) {
			const struct leaf *l = &pm->leaves[k];
			struct gobin_arg *a;

			if (out->nargs == GOBIN_BREAK_ARGS_MAX) {
				left++;
				continue;
			}
			a = &out->args[out->nargs++];
			memset(a, 0, sizeof(*a));
			snprintf(a->name, sizeof(a->name), "%s%s", pm->name, l->path);
			snprintf(a->type, sizeof(a->type), "%s", l->type);
			a->kind = l->kind;
			a->size = l->size;
			a->nwords = l->nwords;
			memcpy(a->word, l->loc, sizeof(a->word));
			a->has_elem = l->has_elem;
			a->elem_kind = l->elem_kind;
			a->elem_size = l->elem_size;
			if (l->kind == GOBIN_ARG_IFACE && l->itab)
				type_hop(&a->word[0]);
		}
	}
	if (!left)
		return;
	used = strlen(out->note);
	snprintf(out->note + used, sizeof(out->note) - used, "%s%zu more argument "
		 "values not listed", used ? "; " : "", left);
}

int gobin_break_args(const struct gobin *b, const struct gofunc *f,
		     const struct gobin_break_opts *opts, struct gobin_break *out,
		     char *err, size_t errlen)
{
	struct plan_args pa = { 0 };
	struct abi_state st = { 0 };
	bool have_sp;
	Dwarf_Die sp;
	size_t i;
	int ret = -1;

	pa.params = calloc(PARAMS_MAX, sizeof(*pa.params));
	if (!pa.params)
		return gobin_fail(err, errlen, "out of memory");
	if (b->has_dwarf)
		pa.dw = dwarf_begin_elf(gobin_elf(b), DWARF_C_READ, NULL);
	have_sp = pa.dw && find_subprogram(pa.dw, f->entry, &sp);
	if (is_shaped(f, have_sp ? &sp : NULL)) {
		dictionary_param(&pa);
		pa.nhidden = 1;
	}
	if (have_sp) {
		if (dwarf_params(&sp, &pa, err, errlen))
			goto out;
	} else {
		if (opts && opts->nfields) {
			gobin_fail(err, errlen, "--field needs DWARF, and %s has none for %s",
				   b->path, f->name);
			goto out;
		}
		if (positional_params(opts, &pa, out, err, errlen))
			goto out;
	}
	if (apply_argtypes(opts, &pa, f->name, err, errlen))
		goto out;
	for (i = 0; i < pa.nparams; i++)
		assign(&st, &pa.params[i]);
	emit(&pa, out);
	for (i = 0; opts && i < opts->nfields; i++)
		if (plan_field(&pa, opts->fields[i], out, err, errlen))
			goto out;
	ret = 0;
out:
	if (pa.dw)
		dwarf_end(pa.dw);
	free(pa.params);
	return ret;
}
