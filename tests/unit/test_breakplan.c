// SPDX-License-Identifier: GPL-2.0
/*
 * The breakpoint planner (ctl/gobin/breakplan.c, breakargs.c) on the real
 * test program tests/progs/go/breakplan, built by every Go of the matrix
 * (1.19, 1.21, 1.22, 1.23, 1.26, 1.27) static, PIE and stripped
 * (build/progs/breakplan-go1.XX{,-pie,-stripped}: make -C tests/progs
 * go-all). A missing build is a failure.
 *
 * The expected argument locations below were checked by hand against
 * the compiled code (objdump -d -M intel build/progs/breakplan-go1.26);
 * Go's register ABI has not changed from 1.19 to 1.27, and the same
 * tables hold for every version. Independently of the planner, the test
 * also compares every register and stack slot it plans with the
 * location list Go's DWARF gives each parameter at the function's entry,
 * and the inlined copies with DWARF's DW_TAG_inlined_subroutine ranges.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include <dwarf.h>
#include <elfutils/libdw.h>

#include "gobin/breakplan.h"
#include "gobin/gobin_impl.h"
#include "test.h"
#include "test_files.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static char repo[PATH_MAX - 128];
static const int minors[] = { 19, 21, 22, 23, 26, 27 };
static const char *const variants[] = { "", "-pie", "-stripped" };

static void prog_path(char *buf, size_t len, const char *name)
{
	const char *dir = getenv("GODIAG_PROGS");

	if (dir && *dir)
		snprintf(buf, len, "%s/%s", dir, name);
	else
		snprintf(buf, len, "%s/build/progs/%s", repo, name);
}

/* The number of the first line of the Go source containing text, or 0. */
static uint32_t source_line(const char *text)
{
	return test_source_line(repo, "tests/progs/go/breakplan/main.go", text);
}

/* ---- the expected arguments ------------------------------------------ */

/* Where a word is, written as the test expects it: "rax", "x0", "[rsp+8]", "[r9+8]". */
static void word_text(const struct gobin_loc *l, char *buf, size_t len)
{
	static const char *const regs[16] = {
		"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
		"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
	};
	char base[32];
	int i;

	if (l->reg == GOBIN_NO_REG)
		snprintf(base, sizeof(base), "[rsp+%d]", l->sp_off);
	else if (l->reg >= GOBIN_XREG(0))
		snprintf(base, sizeof(base), "x%d", l->reg - GOBIN_XREG(0));
	else
		snprintf(base, sizeof(base), "%s", l->reg < 16 ? regs[l->reg] : "?");
	/* "[" per pointer hop, the base, then "+off]" per hop. */
	buf[0] = '\0';
	for (i = 0; i < l->nderef && i < GOBIN_BREAK_DEREF_MAX; i++)
		strncat(buf, "[", len - strlen(buf) - 1);
	strncat(buf, base, len - strlen(buf) - 1);
	for (i = 0; i < l->nderef && i < GOBIN_BREAK_DEREF_MAX; i++) {
		char hop[24];

		snprintf(hop, sizeof(hop), "+%d]", l->deref_off[i]);
		strncat(buf, hop, len - strlen(buf) - 1);
	}
}

static void arg_where(const struct gobin_arg *a, char *buf, size_t len)
{
	size_t used = 0;
	int w;

	buf[0] = '\0';
	for (w = 0; w < a->nwords && w < 3; w++) {
		char one[128];

		word_text(&a->word[w], one, sizeof(one));
		used += (size_t)snprintf(buf + used, len - used, "%s%s", w ? "," : "", one);
		if (used >= len)
			break;
	}
}

struct want_arg {
	const char *name;
	const char *type;	/* NULL: not checked (stripped) */
	enum gobin_arg_kind kind;
	uint8_t size;
	const char *where;
};

static void check_args(const struct gobin_break *bp, const struct want_arg *want, size_t n)
{
	size_t i;

	CHECK_U64(bp->nargs, n);
	for (i = 0; i < n && i < bp->nargs; i++) {
		const struct gobin_arg *a = &bp->args[i];
		char where[256];

		arg_where(a, where, sizeof(where));
		CHECK_STR(a->name, want[i].name);
		if (want[i].type)
			CHECK_STR(a->type, want[i].type);
		CHECK_U64(a->kind, want[i].kind);
		CHECK_U64(a->size, want[i].size);
		CHECK_STR(where, want[i].where);
	}
}

/* Whether the plan's arguments are want's (no failure recorded). */
static bool args_equal(const struct gobin_break *bp, const struct want_arg *want, size_t n)
{
	size_t i;

	if (bp->nargs != n)
		return false;
	for (i = 0; i < n; i++) {
		char where[256];

		arg_where(&bp->args[i], where, sizeof(where));
		if (strcmp(bp->args[i].name, want[i].name) || bp->args[i].kind != want[i].kind ||
		    strcmp(where, want[i].where))
			return false;
	}
	return true;
}

/*
 * main.mixed(n int, name string, data []byte, req *Request, v Shape,
 * ratio float64, ok bool): n..v take all nine integer registers; ratio
 * X0; ok no longer fits and is at RSP+8. In the code (go1.26):
 *	add rcx,rax; add rcx,rsi	n + len(name) + len(data): rax, rcx, rsi
 *	mov rcx,[r10+0x18]; mov rax,r11; call rcx	v.Area(): itab r10, data r11
 *	add rcx,[rdx] (rdx = r9 spilled)	req.ID through r9
 *	movsd [rsp+0x70],xmm0 ... mulsd	ratio in xmm0
 *	movzx edx,BYTE PTR [rsp+0x20]	ok: 0x20 - 0x18 of frame = entry RSP+8
 * and morestack's spill of rax..r11, xmm0 starts at entry RSP+0x10,
 * after the one byte of stack arguments rounded up to a word.
 */
static const struct want_arg mixed_args[] = {
	{ "n", "int", GOBIN_ARG_INT, 8, "rax" },
	{ "name", "string", GOBIN_ARG_STRING, 8, "rbx,rcx" },
	{ "data", "[]uint8", GOBIN_ARG_SLICE, 8, "rdi,rsi,r8" },
	{ "req", "*main.Request", GOBIN_ARG_PTR, 8, "r9" },
	/* a non-empty interface: its itab's type (itab+8), then the data */
	{ "v", "main.Shape", GOBIN_ARG_IFACE, 8, "[r10+8],r11" },
	{ "ratio", "float64", GOBIN_ARG_FLOAT, 8, "x0" },
	{ "ok", "bool", GOBIN_ARG_BOOL, 1, "[rsp+8]" },
	/* Request{ID int; Method string; Path string; Body []byte} */
	{ "req.Method", "string", GOBIN_ARG_STRING, 8, "[r9+8],[r9+16]" },
	{ "req.Body", "[]uint8", GOBIN_ARG_SLICE, 8, "[r9+40],[r9+48],[r9+56]" },
};

/* The same by position on the stripped build, typed with --arg. */
static const struct want_arg mixed_typed[] = {
	{ "arg1", NULL, GOBIN_ARG_INT, 8, "rax" },
	{ "arg2", NULL, GOBIN_ARG_STRING, 8, "rbx,rcx" },
	{ "arg3", NULL, GOBIN_ARG_SLICE, 8, "rdi,rsi,r8" },
	{ "arg4", NULL, GOBIN_ARG_PTR, 8, "r9" },
	{ "arg5", NULL, GOBIN_ARG_IFACE, 8, "[r10+8],r11" },
	{ "arg6", NULL, GOBIN_ARG_FLOAT, 8, "x0" },
	{ "arg7", NULL, GOBIN_ARG_BOOL, 1, "[rsp+8]" },
};

static const char *const mixed_types[] = {
	"2:string", "3:slice", "4:ptr", "5:iface", "6:float64", "7:bool",
};

/* Untyped, on the stripped build: the nine integer registers. */
static const struct want_arg untyped[] = {
	{ "arg1", "int64", GOBIN_ARG_INT, 8, "rax" },
	{ "arg2", "int64", GOBIN_ARG_INT, 8, "rbx" },
	{ "arg3", "int64", GOBIN_ARG_INT, 8, "rcx" },
	{ "arg4", "int64", GOBIN_ARG_INT, 8, "rdi" },
	{ "arg5", "int64", GOBIN_ARG_INT, 8, "rsi" },
	{ "arg6", "int64", GOBIN_ARG_INT, 8, "r8" },
	{ "arg7", "int64", GOBIN_ARG_INT, 8, "r9" },
	{ "arg8", "int64", GOBIN_ARG_INT, 8, "r10" },
	{ "arg9", "int64", GOBIN_ARG_INT, 8, "r11" },
};

/*
 * main.(*Server).Handle(req *Request, body []byte): the receiver first.
 * A leaf without a frame, so no stack check: the probe is the entry.
 */
static const struct want_arg handle_args[] = {
	{ "s", "*main.Server", GOBIN_ARG_PTR, 8, "rax" },
	{ "req", "*main.Request", GOBIN_ARG_PTR, 8, "rbx" },
	{ "body", "[]uint8", GOBIN_ARG_SLICE, 8, "rcx,rdi,rsi" },
};

/*
 * main.many(a .. k int): nine in registers, j and k on the stack:
 *	lea rcx,[rcx+r10*8]	h*8 (r10)
 *	lea rdx,[r11+r11*8]	i*9 (r11)
 *	mov rdx,[rsp+0x8]; add rdx,rdx; lea rdx,[rdx+rdx*4]	j*10
 *	mov rdx,[rsp+0x10]; lea rbx,[rdx+rdx*4]; lea rdx,[rdx+rbx*2]	k*11
 */
static const struct want_arg many_args[] = {
	{ "a", "int", GOBIN_ARG_INT, 8, "rax" },
	{ "b", "int", GOBIN_ARG_INT, 8, "rbx" },
	{ "c", "int", GOBIN_ARG_INT, 8, "rcx" },
	{ "d", "int", GOBIN_ARG_INT, 8, "rdi" },
	{ "e", "int", GOBIN_ARG_INT, 8, "rsi" },
	{ "f", "int", GOBIN_ARG_INT, 8, "r8" },
	{ "g", "int", GOBIN_ARG_INT, 8, "r9" },
	{ "h", "int", GOBIN_ARG_INT, 8, "r10" },
	{ "i", "int", GOBIN_ARG_INT, 8, "r11" },
	{ "j", "int", GOBIN_ARG_INT, 8, "[rsp+8]" },
	{ "k", "int", GOBIN_ARG_INT, 8, "[rsp+16]" },
};

/*
 * main.spill(a .. h int, s string, x int): s needs two registers with one
 * left, goes on the stack, and x still takes R11:
 *	mov rdx,[rsp+0x10]; add rcx,rdx	len(s): the second word of s at RSP+16
 *	lea rax,[r11+rcx*1]	+ x
 */
static const struct want_arg spill_args[] = {
	{ "a", "int", GOBIN_ARG_INT, 8, "rax" },
	{ "b", "int", GOBIN_ARG_INT, 8, "rbx" },
	{ "c", "int", GOBIN_ARG_INT, 8, "rcx" },
	{ "d", "int", GOBIN_ARG_INT, 8, "rdi" },
	{ "e", "int", GOBIN_ARG_INT, 8, "rsi" },
	{ "f", "int", GOBIN_ARG_INT, 8, "r8" },
	{ "g", "int", GOBIN_ARG_INT, 8, "r9" },
	{ "h", "int", GOBIN_ARG_INT, 8, "r10" },
	{ "s", "string", GOBIN_ARG_STRING, 8, "[rsp+8],[rsp+16]" },
	{ "x", "int", GOBIN_ARG_INT, 8, "r11" },
};

/*
 * main.byValue(p Point, pair [2]int, small int8, flag uint16, f float32):
 *	lea rdx,[rbx+rax*1]	p.X + p.Y: rax, rbx
 *	add rdx,[rsp+0x8]; add rdx,[rsp+0x10]	pair: an array of two, on the stack
 *	movsx rcx,cl	small: rcx, sign-extended from one byte
 *	movzx edx,di	flag: rdi, two bytes
 *	cvttss2si rdx,xmm0	f: float32 in X0
 */
static const struct want_arg byvalue_args[] = {
	{ "p.X", "int", GOBIN_ARG_INT, 8, "rax" },
	{ "p.Y", "int", GOBIN_ARG_INT, 8, "rbx" },
	{ "pair[0]", "int", GOBIN_ARG_INT, 8, "[rsp+8]" },
	{ "pair[1]", "int", GOBIN_ARG_INT, 8, "[rsp+16]" },
	{ "small", "int8", GOBIN_ARG_INT, 1, "rcx" },
	{ "flag", "uint16", GOBIN_ARG_UINT, 2, "rdi" },
	{ "f", "float32", GOBIN_ARG_FLOAT, 4, "x0" },
};

/*
 * main.larger[go.shape.int](a, b T): the dictionary comes first in RAX
 * (the caller: lea rax,main..dict.larger[int]), DWARF does not list it:
 *	cmp rbx,rcx	a, b
 */
static const struct want_arg larger_int_args[] = {
	{ "a", NULL, GOBIN_ARG_INT, 8, "rbx" },
	{ "b", NULL, GOBIN_ARG_INT, 8, "rcx" },
};

/* The float64 instantiation: the dictionary in RAX, a and b in X0, X1. */
static const struct want_arg larger_float_args[] = {
	{ "a", NULL, GOBIN_ARG_FLOAT, 8, "x0" },
	{ "b", NULL, GOBIN_ARG_FLOAT, 8, "x1" },
};

/* main.main.func1(x int), the closure: x in RAX, its context in RDX (not an argument). */
static const struct want_arg closure_args[] = {
	{ "x", "int", GOBIN_ARG_INT, 8, "rax" },
};

/* ---- DWARF, independently of the planner --------------------------- */

/* DWARF register numbers (x86-64 psABI) as the planner writes them. */
static int dwarf_reg(unsigned int r)
{
	static const int gp[16] = {
		GODIAG_REG_RAX, GODIAG_REG_RDX, GODIAG_REG_RCX, GODIAG_REG_RBX,
		GODIAG_REG_RSI, GODIAG_REG_RDI, GODIAG_REG_RBP, GODIAG_REG_RSP,
		GODIAG_REG_R8, GODIAG_REG_R9, GODIAG_REG_R10, GODIAG_REG_R11,
		GODIAG_REG_R12, GODIAG_REG_R13, GODIAG_REG_R14, GODIAG_REG_R15,
	};

	if (r < 16)
		return gp[r];
	if (r >= 17 && r <= 32)
		return GOBIN_XREG(r - 17);
	return -1;
}

/* One piece of a parameter's location at entry: a register or entry RSP + sp_off. */
struct piece {
	int reg;		/* -1: the stack */
	int32_t sp_off;
	bool empty;		/* optimized out */
};

static Dwarf *open_dwarf(const char *path, int *fd)
{
	Dwarf *dw;

	*fd = open(path, O_RDONLY);
	if (*fd < 0)
		return NULL;
	dw = dwarf_begin(*fd, DWARF_C_READ);
	if (!dw)
		close(*fd);
	return dw;
}

static void close_dwarf(Dwarf *dw, int fd)
{
	dwarf_end(dw);
	close(fd);
}

static bool subprogram_at(Dwarf *dw, uint64_t entry, Dwarf_Die *out)
{
	Dwarf_Off off = 0, next;
	size_t hsize;

	while (dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu, d;

		if (dwarf_offdie(dw, off + hsize, &cu) && dwarf_child(&cu, &d) == 0) {
			do {
				Dwarf_Addr lo;

				if (dwarf_tag(&d) == DW_TAG_subprogram && dwarf_lowpc(&d, &lo) == 0 &&
				    lo == entry) {
					*out = d;
					return true;
				}
			} while (dwarf_siblingof(&d, &d) == 0);
		}
		off = next;
	}
	return false;
}

/* The pieces of parameter p's location at pc; -1 when DWARF has none there. */
static int param_pieces(Dwarf_Die *p, uint64_t pc, struct piece *pieces, int max)
{
	Dwarf_Attribute a;
	Dwarf_Op *expr;
	size_t len, i;
	int n = 0;
	struct piece cur = { .reg = -1, .empty = true };

	if (!dwarf_attr(p, DW_AT_location, &a) ||
	    dwarf_getlocation_addr(&a, pc, &expr, &len, 1) != 1 || !len)
		return -1;
	for (i = 0; i < len; i++) {
		uint8_t op = expr[i].atom;

		if (op >= DW_OP_reg0 && op <= DW_OP_reg31) {
			cur.reg = dwarf_reg(op - DW_OP_reg0);
			cur.empty = false;
		} else if (op == DW_OP_regx) {
			cur.reg = dwarf_reg((unsigned int)expr[i].number);
			cur.empty = false;
		} else if (op == DW_OP_call_frame_cfa) {
			/* The CFA is the entry RSP + 8 (above the return address). */
			cur.reg = -1;
			cur.sp_off = 8;
			cur.empty = false;
		} else if (op == DW_OP_fbreg) {
			cur.reg = -1;
			cur.sp_off = 8 + (int32_t)(int64_t)expr[i].number;
			cur.empty = false;
		} else if (op == DW_OP_consts || op == DW_OP_plus) {
			if (op == DW_OP_consts && i + 1 < len && expr[i + 1].atom == DW_OP_plus) {
				cur.sp_off += (int32_t)(int64_t)expr[i].number;
				i++;
			}
		} else if (op == DW_OP_piece) {
			if (n < max)
				pieces[n] = cur;
			n++;
			cur = (struct piece){ .reg = -1, .empty = true };
		} else {
			return -1;	/* not a place at entry (a value, a computation) */
		}
	}
	if (!cur.empty) {
		if (n < max)
			pieces[n] = cur;
		n++;
	}
	return n;
}

/*
 * Every register or stack word the plan gives a parameter against the
 * parameter's DWARF location list at the function's entry. Returns how
 * many words were compared.
 */
static int check_dwarf_locs(const char *path, const struct gobin_break *bp, uint64_t entry,
			    int *dwarf_wrong)
{
	Dwarf_Die sp, p;
	int fd, compared = 0;
	Dwarf *dw = open_dwarf(path, &fd);

	if (!dw) {
		test_fail_at(__FILE__, __LINE__, "no DWARF in %s", path);
		return 0;
	}
	if (!subprogram_at(dw, entry, &sp) || dwarf_child(&sp, &p) != 0) {
		test_fail_at(__FILE__, __LINE__, "no subprogram at 0x%" PRIx64, entry);
		close_dwarf(dw, fd);
		return 0;
	}
	do {
		const struct gobin_loc *words[16];
		struct piece pieces[16];
		const char *name = dwarf_diename(&p);
		size_t nw = 0, i, len;
		int np, k, w;

		if (dwarf_tag(&p) != DW_TAG_formal_parameter || !name || name[0] == '~')
			continue;
		/* The planned words of the parameter: its leaves in order. */
		len = strlen(name);
		for (i = 0; i < bp->nargs; i++) {
			const struct gobin_arg *a = &bp->args[i];

			if (strncmp(a->name, name, len) ||
			    (a->name[len] && a->name[len] != '.' && a->name[len] != '['))
				continue;
			/* A field path, not the parameter (an interface's type hop is one). */
			if (a->word[a->nwords - 1].nderef)
				continue;
			for (w = 0; w < a->nwords && nw < ARRAY_SIZE(words); w++)
				words[nw++] = &a->word[w];
		}
		np = param_pieces(&p, entry, pieces, (int)ARRAY_SIZE(pieces));
		if (np < 0)
			continue;	/* no location at entry */
		if (np == 1 && !pieces[0].empty && pieces[0].reg < 0) {
			/*
			 * The whole parameter in memory. One known error of Go's
			 * DWARF: spill's s, the one stack parameter between
			 * register ones, is said to be at CFA+8 (entry RSP+16),
			 * but the caller stores it at [rsp] and [rsp+8] before
			 * the call (RSP+8 at the entry) and spill reads its
			 * length at [rsp+0x10]: the code is right.
			 */
			if (!strcmp(bp->function, "main.spill") && !strcmp(name, "s") && nw &&
			    words[0]->sp_off + 8 == pieces[0].sp_off) {
				(*dwarf_wrong)++;
				continue;
			}
			if (!nw || words[0]->reg != GOBIN_NO_REG ||
			    words[0]->sp_off != pieces[0].sp_off)
				test_fail_at(__FILE__, __LINE__, "%s: %s: DWARF at entry RSP+%d, "
					     "planned elsewhere", bp->spec, name, pieces[0].sp_off);
			compared++;
			continue;
		}
		if ((size_t)np != nw) {
			test_fail_at(__FILE__, __LINE__, "%s: %s: DWARF has %d pieces, the plan "
				     "%zu words", bp->spec, name, np, nw);
			continue;
		}
		for (k = 0; k < np; k++) {
			if (pieces[k].empty)
				continue;
			if (pieces[k].reg >= 0 ? words[k]->reg != pieces[k].reg :
			    words[k]->reg != GOBIN_NO_REG || words[k]->sp_off != pieces[k].sp_off)
				test_fail_at(__FILE__, __LINE__, "%s: %s word %d: DWARF says reg "
					     "%d/rsp+%d, the plan reg %u/rsp+%d", bp->spec, name, k,
					     pieces[k].reg, pieces[k].sp_off, words[k]->reg,
					     words[k]->sp_off);
			compared++;
		}
	} while (dwarf_siblingof(&p, &p) == 0);
	close_dwarf(dw, fd);
	return compared;
}

/* The first PCs of DWARF's inlined copies of the function named name. */
static void inlined_pcs(Dwarf_Die *die, const char *name, uint64_t *pcs, size_t *n,
			size_t max)
{
	Dwarf_Die c;

	if (dwarf_child(die, &c) != 0)
		return;
	do {
		if (dwarf_tag(&c) == DW_TAG_inlined_subroutine) {
			Dwarf_Attribute a;
			Dwarf_Die origin;
			const char *on = NULL;

			if (dwarf_attr(&c, DW_AT_abstract_origin, &a) &&
			    dwarf_formref_die(&a, &origin))
				on = dwarf_diename(&origin);
			if (on && !strcmp(on, name)) {
				Dwarf_Addr base, start, end, low = UINT64_MAX;
				ptrdiff_t off = 0;

				while ((off = dwarf_ranges(&c, off, &base, &start, &end)) > 0)
					if (start < low)
						low = start;
				if (low != UINT64_MAX && *n < max)
					pcs[(*n)++] = low;
			}
		}
		if (dwarf_tag(&c) == DW_TAG_subprogram || dwarf_tag(&c) == DW_TAG_inlined_subroutine ||
		    dwarf_tag(&c) == DW_TAG_lexical_block)
			inlined_pcs(&c, name, pcs, n, max);
	} while (dwarf_siblingof(&c, &c) == 0);
}

static size_t dwarf_inlined(const char *path, const char *name, uint64_t *pcs, size_t max)
{
	Dwarf_Off off = 0, next;
	size_t hsize, n = 0;
	int fd;
	Dwarf *dw = open_dwarf(path, &fd);

	if (!dw)
		return 0;
	while (dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu;

		if (dwarf_offdie(dw, off + hsize, &cu))
			inlined_pcs(&cu, name, pcs, &n, max);
		off = next;
	}
	close_dwarf(dw, fd);
	return n;
}

/* ---- the cases ------------------------------------------------------ */

struct prog {
	char name[64];
	char path[PATH_MAX + 64];
	bool stripped;
	int minor;
	struct gobin b;
};

static int plan(struct prog *pg, const char *spec, const char *const *types, size_t ntypes,
		const char *const *fields, size_t nfields, struct gobin_break *bp,
		char *err, size_t errlen)
{
	struct gobin_break_opts o = {
		.argtypes = types, .nargtypes = ntypes, .fields = fields, .nfields = nfields,
	};

	err[0] = '\0';
	return gobin_break_plan(&pg->b, spec, &o, bp, err, errlen);
}

/*
 * The entry site of a function: where inspect --func puts its probe
 * (gobin_entry_probe), at its file offset; with a stack check, the jbe
 * right after "cmp rsp,[r14+0x10]" (49 3b 66 10, then 76 or 0f 86: jcc
 * 6), read from the file itself.
 */
static void check_entry_site(struct prog *pg, const struct gobin_break *bp, const char *func,
			     int want_jcc)
{
	const struct gobin_site *s = &bp->sites[0];
	uint64_t entry = 0, end = 0, probe, off = 0, foff = 0;
	uint8_t code[6];
	int jcc;

	CHECK(bp->nsites >= 1);
	CHECK(!gobin_func_range(&pg->b, func, &entry, &end));
	probe = gobin_entry_probe(&pg->b, entry, end, &jcc);
	gobin_file_offset(&pg->b, probe, &off);
	gobin_file_offset(&pg->b, entry, &foff);
	CHECK_U64(s->vaddr, probe);
	CHECK_U64(s->offset, off);
	CHECK_U64(s->func_offset, foff);
	CHECK_U64((uint64_t)(int64_t)s->jcc, (uint64_t)(int64_t)want_jcc);
	CHECK(!s->inlined && s->args_valid);
	CHECK_STR(s->func, func);
	if (want_jcc < 0) {
		CHECK_U64(s->vaddr, entry);
	} else if (!test_file_bytes(pg->path, s->offset - 4, code, sizeof(code))) {
		CHECK(code[0] == 0x49 && code[1] == 0x3b && code[2] == 0x66 && code[3] == 0x10);
		/* jbe rel8 (76), or rel32 (0f 86: go1.19 where the code after it is long) */
		if (code[4] == 0x0f)
			CHECK_U64(code[5], 0x80 + (unsigned int)want_jcc);
		else
			CHECK_U64(code[4], 0x70 + (unsigned int)want_jcc);
	} else {
		CHECK(!"file readable at the site");
	}
}

/* Every RET offset holds a ret (c3) in the file. */
static void check_rets(struct prog *pg, const struct gobin_break *bp, size_t want)
{
	size_t i;

	CHECK_U64(bp->nrets, want);
	for (i = 0; i < bp->nrets; i++) {
		uint8_t c = 0;

		CHECK(!test_file_bytes(pg->path, bp->rets[i], &c, 1));
		CHECK_U64(c, 0xc3);
	}
}

/* A function's plan: its entry site, RETs and arguments; with DWARF, the locations too. */
static void check_func(struct prog *pg, const char *func, int jcc, size_t nrets,
		       const struct want_arg *want, size_t nwant, const char *const *fields,
		       size_t nfields, int min_dwarf)
{
	struct gobin_break *bp = calloc(1, sizeof(*bp));
	uint64_t entry = 0, end = 0;
	char err[512];

	test_begin("%s: break %s", pg->name, func);
	if (plan(pg, func, NULL, 0, fields, nfields, bp, err, sizeof(err))) {
		test_fail_at(__FILE__, __LINE__, "plan: %s", err);
	} else {
		check_entry_site(pg, bp, func, jcc);
		if (nrets)
			check_rets(pg, bp, nrets);
		if (want)
			check_args(bp, want, nwant);
		CHECK_STR(bp->function, func);
		if (!pg->stripped && min_dwarf && !gobin_func_range(&pg->b, func, &entry, &end)) {
			int wrong = 0, n = check_dwarf_locs(pg->path, bp, entry, &wrong);

			if (wrong)
				printf("# %s: %s: Go's DWARF misplaces %d stack argument%s "
				       "(the code agrees with the plan)\n", pg->name, func, wrong,
				       wrong == 1 ? "" : "s");

			if (n < min_dwarf)
				test_fail_at(__FILE__, __LINE__, "only %d words compared with "
					     "DWARF, want %d", n, min_dwarf);
		}
	}
	test_end();
	free(bp);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/*
 * main.add exists only inlined: go build -gcflags=-m says "inlining call
 * to add" three times (twice: two branches; main: once) with every Go of
 * the matrix, so three sites, none with arguments, at the calls' lines.
 */
static void check_inlined(struct prog *pg)
{
	struct gobin_break *bp = calloc(1, sizeof(*bp));
	uint32_t l1 = source_line("return add(x, x)"), l2 = source_line("return add(x, 1)"),
		 l3 = source_line("total += add(total, i)");
	uint64_t got[8], dw[8];
	const char *t = "main.Rect.Area";
	char err[512];
	size_t i, n;

	test_begin("%s: main.add, inlined only, at 3 sites", pg->name);
	if (plan(pg, "main.add", NULL, 0, NULL, 0, bp, err, sizeof(err))) {
		test_fail_at(__FILE__, __LINE__, "plan: %s", err);
	} else {
		CHECK_U64(bp->nsites, 3);
		CHECK_U64(bp->inlined_unprobed, 0);
		CHECK_U64(bp->nrets, 0);
		CHECK_U64(bp->nargs, 0);
		CHECK(strstr(bp->note, "inlined at 3 sites") != NULL);
		for (i = 0; i < bp->nsites && i < 3; i++) {
			const struct gobin_site *s = &bp->sites[i];
			uint64_t foff = 0, entry = 0, end = 0;

			CHECK(s->inlined && !s->args_valid && s->jcc == -1);
			CHECK_STR(s->func, i < 2 ? "main.twice" : "main.main");
			CHECK_U64(s->line, i == 0 ? l1 : i == 1 ? l2 : l3);
			gobin_func_range(&pg->b, s->func, &entry, &end);
			gobin_file_offset(&pg->b, entry, &foff);
			CHECK_U64(s->func_offset, foff);
			CHECK(s->vaddr > entry && s->vaddr < end);
			got[i] = s->vaddr;
		}
		/* DWARF's inlined copies start at the same instructions. */
		if (!pg->stripped && bp->nsites == 3) {
			n = dwarf_inlined(pg->path, "main.add", dw, ARRAY_SIZE(dw));
			CHECK_U64(n, 3);
			qsort(got, 3, sizeof(got[0]), cmp_u64);
			qsort(dw, n, sizeof(dw[0]), cmp_u64);
			for (i = 0; i < n && i < 3; i++)
				CHECK_U64(got[i], dw[i]);
		}
	}
	test_end();

	test_begin("%s: main.add with --arg: no code of its own", pg->name);
	{
		static const char *const ty[] = { "1:int" };

		CHECK(plan(pg, "main.add", ty, 1, NULL, 0, bp, err, sizeof(err)) == -1);
		CHECK_STR(err, "main.add has no code of its own (inlined at 3 sites): its "
			  "arguments cannot be read");
	}
	test_end();

	/* Rect.Area: its own code, and one copy inlined into the (*Rect).Area wrapper. */
	test_begin("%s: %s, and its inlined copy", pg->name, t);
	if (plan(pg, t, NULL, 0, NULL, 0, bp, err, sizeof(err))) {
		test_fail_at(__FILE__, __LINE__, "plan: %s", err);
	} else {
		CHECK_U64(bp->nsites, 2);
		CHECK(bp->nsites == 2 && !bp->sites[0].inlined && bp->sites[0].args_valid);
		CHECK(bp->nsites == 2 && bp->sites[1].inlined && !bp->sites[1].args_valid);
		if (bp->nsites == 2)
			CHECK_STR(bp->sites[1].func, "main.(*Rect).Area");
		if (!pg->stripped) {
			n = dwarf_inlined(pg->path, t, dw, ARRAY_SIZE(dw));
			CHECK_U64(n, 1);
			if (n == 1 && bp->nsites == 2)
				CHECK_U64(bp->sites[1].vaddr, dw[0]);
		}
	}
	test_end();
	free(bp);
}

static void check_lines(struct prog *pg)
{
	struct gobin_break *bp = calloc(1, sizeof(*bp)), *fn = calloc(1, sizeof(*fn));
	uint32_t body = source_line("r := n + len(name)"), decl = source_line("func mixed("),
		 adds = source_line("adds++"), comment = source_line("// Request is what");
	const char *file;
	char spec[PATH_MAX + 128], err[PATH_MAX + 128];
	uint32_t line;
	size_t i;

	test_begin("%s: main.go:%u (in main.mixed)", pg->name, body);
	snprintf(spec, sizeof(spec), "main.go:%u", body);
	if (plan(pg, spec, NULL, 0, NULL, 0, bp, err, sizeof(err))) {
		test_fail_at(__FILE__, __LINE__, "plan: %s", err);
	} else {
		CHECK_U64(bp->nsites, 1);
		CHECK_STR(bp->sites[0].func, "main.mixed");
		CHECK_STR(bp->function, "main.mixed");
		CHECK(!bp->sites[0].inlined && !bp->sites[0].args_valid);
		CHECK(!gobin_line(&pg->b, bp->sites[0].vaddr, &file, &line));
		CHECK_U64(line, body);
		CHECK_U64(bp->nrets, 0);
	}
	test_end();

	/* The line of "func mixed(": its entry, moved past the stack check. */
	test_begin("%s: main.go:%u (func mixed) is the entry probe point", pg->name, decl);
	snprintf(spec, sizeof(spec), "breakplan/main.go:%u", decl);
	if (plan(pg, spec, NULL, 0, NULL, 0, bp, err, sizeof(err)) ||
	    plan(pg, "main.mixed", NULL, 0, NULL, 0, fn, err, sizeof(err))) {
		test_fail_at(__FILE__, __LINE__, "plan: %s", err);
	} else {
		CHECK_U64(bp->nsites, 1);
		CHECK_U64(bp->sites[0].vaddr, fn->sites[0].vaddr);
		CHECK_U64((uint64_t)(int64_t)bp->sites[0].jcc, 6);
	}
	test_end();

	/* The body of add: once in each copy. */
	test_begin("%s: main.go:%u (adds++) in each inlined copy", pg->name, adds);
	snprintf(spec, sizeof(spec), "main.go:%u", adds);
	if (plan(pg, spec, NULL, 0, NULL, 0, bp, err, sizeof(err))) {
		test_fail_at(__FILE__, __LINE__, "plan: %s", err);
	} else {
		CHECK_U64(bp->nsites, 3);
		CHECK_STR(bp->function, "main.add");
		for (i = 0; i < bp->nsites && i < 3; i++) {
			CHECK(bp->sites[i].inlined);
			CHECK_STR(bp->sites[i].func, i < 2 ? "main.twice" : "main.main");
			CHECK(!gobin_line(&pg->b, bp->sites[i].vaddr, &file, &line));
			CHECK_U64(line, adds);
		}
	}
	test_end();

	test_begin("%s: a line without code, a file not in the binary", pg->name);
	snprintf(spec, sizeof(spec), "main.go:%u", comment);
	CHECK(plan(pg, spec, NULL, 0, NULL, 0, bp, err, sizeof(err)) == -1);
	snprintf(spec, sizeof(spec), "main.go:%u has no code", comment);
	CHECK_STR(err, spec);
	CHECK(plan(pg, "nosuch.go:12", NULL, 0, NULL, 0, bp, err, sizeof(err)) == -1);
	snprintf(spec, sizeof(spec), "no file nosuch.go in %s", pg->path);
	CHECK_STR(err, spec);
	CHECK(plan(pg, "main.go:0", NULL, 0, NULL, 0, bp, err, sizeof(err)) == -1);
	CHECK_STR(err, "main.go:0: bad line number");
	test_end();
	free(bp);
	free(fn);
}

static void check_addrs(struct prog *pg)
{
	struct gobin_break *bp = calloc(1, sizeof(*bp));
	uint64_t entry = 0, end = 0;
	char spec[64], want[256], err[512];

	gobin_func_range(&pg->b, "main.mixed", &entry, &end);

	test_begin("%s: 0xADDR at main.mixed's entry and its stack check", pg->name);
	snprintf(spec, sizeof(spec), "0x%" PRIx64, entry);
	if (plan(pg, spec, NULL, 0, NULL, 0, bp, err, sizeof(err))) {
		test_fail_at(__FILE__, __LINE__, "plan: %s", err);
	} else {
		CHECK_U64(bp->nsites, 1);
		CHECK_U64(bp->sites[0].vaddr, entry);
		CHECK(bp->sites[0].jcc == -1 && bp->sites[0].args_valid);
		CHECK_U64(bp->nargs, pg->stripped ? 9 : 7);
		CHECK_STR(bp->function, "main.mixed");
	}
	/* cmp rsp,[r14+0x10] is 4 bytes: the jbe follows. */
	snprintf(spec, sizeof(spec), "0x%" PRIx64, entry + 4);
	if (plan(pg, spec, NULL, 0, NULL, 0, bp, err, sizeof(err))) {
		test_fail_at(__FILE__, __LINE__, "plan: %s", err);
	} else {
		CHECK(bp->sites[0].jcc == 6 && bp->sites[0].args_valid);
	}
	test_end();

	test_begin("%s: 0xADDR inside an instruction, outside any function", pg->name);
	snprintf(spec, sizeof(spec), "0x%" PRIx64, entry + 1);
	CHECK(plan(pg, spec, NULL, 0, NULL, 0, bp, err, sizeof(err)) == -1);
	snprintf(want, sizeof(want), "%s is inside an instruction of main.mixed, not at its "
		 "start", spec);
	CHECK_STR(err, want);
	CHECK(plan(pg, "0x1000", NULL, 0, NULL, 0, bp, err, sizeof(err)) == -1);
	CHECK_STR(err, "0x1000 is not an instruction of any function");
	CHECK(plan(pg, "0xzz", NULL, 0, NULL, 0, bp, err, sizeof(err)) == -1);
	CHECK_STR(err, "0xzz: bad address");
	test_end();
	free(bp);
}

static void check_names(struct prog *pg)
{
	struct gobin_break *bp = calloc(1, sizeof(*bp));
	char want[PATH_MAX + 256], err[PATH_MAX + 256];

	test_begin("%s: unknown and ambiguous names", pg->name);
	CHECK(plan(pg, "main.Handle", NULL, 0, NULL, 0, bp, err, sizeof(err)) == -1);
	snprintf(want, sizeof(want), "no function main.Handle in %s (closest: "
		 "main.(*Server).Handle)", pg->path);
	CHECK_STR(err, want);
	CHECK(plan(pg, "main.larger[...]", NULL, 0, NULL, 0, bp, err, sizeof(err)) == -1);
	CHECK(!strncmp(err, "main.larger[...] is ambiguous: 2 functions match (main.larger[", 61));
	if (strncmp(err, "main.larger[...] is ambiguous: 2 functions match (main.larger[", 61))
		CHECK_STR(err, "main.larger[...] is ambiguous: 2 functions match (...");
	CHECK(plan(pg, "", NULL, 0, NULL, 0, bp, err, sizeof(err)) == -1);
	test_end();
	free(bp);
}

/* The instantiation of main.larger whose name starts with prefix. */
static const char *instance(struct prog *pg, const char *prefix)
{
	const char *name;
	uint64_t entry, end;
	size_t i;

	for (i = 0; i < pg->b.nfuncs; i++)
		if (!gobin_func_at(&pg->b, i, &name, &entry, &end) &&
		    !strncmp(name, prefix, strlen(prefix)))
			return name;
	return "?";
}

/* The entry of the k-th function whose name starts with prefix, 0 if none. */
static uint64_t nth_entry(struct prog *pg, const char *prefix, int k)
{
	const char *name;
	uint64_t entry, end;
	size_t i;

	for (i = 0; i < pg->b.nfuncs; i++)
		if (!gobin_func_at(&pg->b, i, &name, &entry, &end) &&
		    !strncmp(name, prefix, strlen(prefix)) && k-- == 0)
			return entry;
	return 0;
}

/*
 * Go 1.19's pclntab names both instantiations "main.larger[...]": by
 * address, one must be the int one (dictionary in RAX, a RBX, b RCX),
 * the other the float64 one (a X0, b X1).
 */
static void check_generic_119(struct prog *pg)
{
	struct gobin_break *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	char spec[64], err[512];

	test_begin("%s: the two instantiations of main.larger, by address", pg->name);
	snprintf(spec, sizeof(spec), "0x%" PRIx64, nth_entry(pg, "main.larger[", 0));
	if (plan(pg, spec, NULL, 0, NULL, 0, a, err, sizeof(err)))
		test_fail_at(__FILE__, __LINE__, "plan: %s", err);
	snprintf(spec, sizeof(spec), "0x%" PRIx64, nth_entry(pg, "main.larger[", 1));
	if (plan(pg, spec, NULL, 0, NULL, 0, b, err, sizeof(err)))
		test_fail_at(__FILE__, __LINE__, "plan: %s", err);
	CHECK((args_equal(a, larger_int_args, 2) && args_equal(b, larger_float_args, 2)) ||
	      (args_equal(b, larger_int_args, 2) && args_equal(a, larger_float_args, 2)));
	test_end();
	free(a);
	free(b);
}

static void check_stripped(struct prog *pg)
{
	struct gobin_break *bp = calloc(1, sizeof(*bp));
	static const char *const fields[] = { "req.Method" };
	static const char *const badtype[] = { "2:struct" };
	char err[512], spec[64];

	test_begin("%s: by position, untyped", pg->name);
	if (plan(pg, "main.mixed", NULL, 0, NULL, 0, bp, err, sizeof(err))) {
		test_fail_at(__FILE__, __LINE__, "plan: %s", err);
	} else {
		check_args(bp, untyped, ARRAY_SIZE(untyped));
		CHECK(strstr(bp->note, "no DWARF: arguments by position") != NULL);
	}
	test_end();

	test_begin("%s: by position, typed by --arg", pg->name);
	if (plan(pg, "main.mixed", mixed_types, ARRAY_SIZE(mixed_types), NULL, 0, bp, err,
		 sizeof(err))) {
		test_fail_at(__FILE__, __LINE__, "plan: %s", err);
	} else {
		check_args(bp, mixed_typed, ARRAY_SIZE(mixed_typed));
		/* a nil itab reads as 0, no fault */
		CHECK(bp->args[4].word[0].nil_stop);
	}
	test_end();

	test_begin("%s: the dictionary of a generic function by position", pg->name);
	snprintf(spec, sizeof(spec), "0x%" PRIx64, nth_entry(pg, "main.larger[", 0));
	if (plan(pg, spec, NULL, 0, NULL, 0, bp, err, sizeof(err))) {
		test_fail_at(__FILE__, __LINE__, "plan: %s", err);
	} else {
		CHECK_U64(bp->nargs, 8);
		CHECK_STR(bp->args[0].name, "arg1");
		CHECK_U64(bp->args[0].word[0].reg, GODIAG_REG_RBX);
	}
	test_end();

	test_begin("%s: no field paths without DWARF", pg->name);
	CHECK(plan(pg, "main.mixed", NULL, 0, fields, 1, bp, err, sizeof(err)) == -1);
	CHECK(strstr(err, "--field needs DWARF") != NULL);
	test_end();

	test_begin("%s: --arg errors", pg->name);
	CHECK(plan(pg, "main.mixed", badtype, 1, NULL, 0, bp, err, sizeof(err)) == -1);
	CHECK(strstr(err, "--arg 2:struct: unknown type struct") == err);
	test_end();
	free(bp);
}

static void check_dwarf_errors(struct prog *pg)
{
	struct gobin_break *bp = calloc(1, sizeof(*bp));
	static const char *const bad[] = { "8:int" };
	static const char *const nofield[] = { "req.Nope" };
	static const char *const notptr[] = { "n.X" };
	static const char *const over[] = { "2:int" };
	char err[512];

	test_begin("%s: --arg and --field errors", pg->name);
	CHECK(plan(pg, "main.mixed", bad, 1, NULL, 0, bp, err, sizeof(err)) == -1);
	CHECK_STR(err, "--arg 8:int: main.mixed has 7 arguments");
	CHECK(plan(pg, "main.mixed", NULL, 0, nofield, 1, bp, err, sizeof(err)) == -1);
	CHECK_STR(err, "--field req.Nope: main.Request has no field Nope");
	CHECK(plan(pg, "main.mixed", NULL, 0, notptr, 1, bp, err, sizeof(err)) == -1);
	CHECK_STR(err, "--field n.X: n is not a pointer to a struct");
	test_end();

	/* --arg over DWARF: name is read as an int (its pointer word). */
	test_begin("%s: --arg overrides DWARF's type", pg->name);
	if (plan(pg, "main.mixed", over, 1, NULL, 0, bp, err, sizeof(err))) {
		test_fail_at(__FILE__, __LINE__, "plan: %s", err);
	} else {
		CHECK_STR(bp->args[1].name, "name");
		CHECK_U64(bp->args[1].kind, GOBIN_ARG_INT);
		CHECK_U64(bp->args[1].nwords, 1);
		/* data moves up by one register: it starts in RCX. */
		CHECK_U64(bp->args[2].word[0].reg, GODIAG_REG_RCX);
	}
	test_end();
	free(bp);
}

/* ---- interfaces: the type hop, and the dynamic type's name ------------ */

/*
 * DW_AT_go_runtime_type of the type DIE named name: the offset of its
 * type descriptor from runtime.types (what delve reads it as). 0: none.
 */
#define DW_AT_GO_RUNTIME_TYPE	0x2904

static uint64_t dwarf_type_off(const char *path, const char *name)
{
	Dwarf_Off off = 0, next;
	uint64_t found = 0;
	size_t hsize;
	int fd;
	Dwarf *dw = open_dwarf(path, &fd);

	while (dw && !found && dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu, d;

		if (dwarf_offdie(dw, off + hsize, &cu) && dwarf_child(&cu, &d) == 0) {
			do {
				const char *n = dwarf_diename(&d);
				Dwarf_Attribute a;
				Dwarf_Addr v = 0;

				/* an address form, relative to runtime.types */
				if (n && !strcmp(n, name) &&
				    dwarf_attr(&d, DW_AT_GO_RUNTIME_TYPE, &a) &&
				    (!dwarf_formaddr(&a, &v) || !dwarf_formudata(&a, &v)) && v) {
					found = v;
					break;
				}
			} while (dwarf_siblingof(&d, &d) == 0);
		}
		off = next;
	}
	if (dw)
		close_dwarf(dw, fd);
	return found;
}

/*
 * The types a program passes as interfaces, named by gobin_type_name() at
 * the addresses DWARF gives them in the unstripped build, and by the
 * stripped build (no symbols: runtime.firstmoduledata's types) at the
 * same addresses.
 */
static void check_type_names(const char *prog, int minor, const char *const *names,
			     size_t n)
{
	struct gobin b, s;
	char path[PATH_MAX], spath[PATH_MAX], file[64], err[512], buf[256];
	uint64_t types = 0, etypes = 0, stypes = 0, setypes = 0, addr;
	size_t i;

	snprintf(file, sizeof(file), "%s-go1.%d", prog, minor);
	prog_path(path, sizeof(path), file);
	snprintf(file, sizeof(file), "%s-go1.%d-stripped", prog, minor);
	prog_path(spath, sizeof(spath), file);
	test_begin("%s-go1.%d: interface types by name, with and without symbols", prog, minor);
	if (gobin_open(&b, path, err, sizeof(err))) {
		test_fail_at(__FILE__, __LINE__, "%s", err);
		test_end();
		return;
	}
	if (gobin_open(&s, spath, err, sizeof(err))) {
		test_fail_at(__FILE__, __LINE__, "%s", err);
		gobin_close(&b);
		test_end();
		return;
	}
	CHECK(gobin_types(&b, &types, &etypes) == 0);
	CHECK(gobin_types(&s, &stypes, &setypes) == 0);
	CHECK_U64(stypes, types);
	CHECK_U64(setypes, etypes);
	for (i = 0; i < n; i++) {
		uint64_t off = dwarf_type_off(path, names[i]);

		if (!off) {
			test_fail_at(__FILE__, __LINE__, "%s: no DWARF type %s", path, names[i]);
			continue;
		}
		addr = types + off;
		buf[0] = '\0';
		CHECK(gobin_type_name(&b, addr, buf, sizeof(buf)) == 0);
		CHECK_STR(buf, names[i]);
		buf[0] = '\0';
		CHECK(gobin_type_name(&s, addr, buf, sizeof(buf)) == 0);
		CHECK_STR(buf, names[i]);
	}
	CHECK(gobin_type_name(&s, 0, buf, sizeof(buf)) == 0);
	CHECK_STR(buf, "nil");
	/* A Go heap address: a type reflect made at run time. */
	CHECK(gobin_type_name(&s, 0xc000012345ULL, buf, sizeof(buf)) == -1);
	CHECK_STR(buf, "(type at 0xc000012345)");
	CHECK(gobin_type_name(&s, etypes, buf, sizeof(buf)) == -1);
	gobin_close(&s);
	gobin_close(&b);
	test_end();
}

static const char *const gobreak_types[] = { "int", "string", "*main.request",
					      "*strconv.NumError" };
static const char *const breakplan_types[] = { "main.Rect" };

/* gobreak's main.kind(v interface{}): an empty interface, no hop. */
static void check_empty_iface(int minor, const char *variant)
{
	static const char *const any[] = { "1:any" }, *const eface[] = { "1:eface" },
			  *const iface[] = { "1:iface" };
	struct gobin_break *bp = calloc(1, sizeof(*bp));
	struct prog *pg = calloc(1, sizeof(*pg));
	char err[512], where[256];

	snprintf(pg->name, sizeof(pg->name), "gobreak-go1.%d%s", minor, variant);
	prog_path(pg->path, sizeof(pg->path), pg->name);
	test_begin("%s: main.kind(v interface{}): the type word read as it is", pg->name);
	if (gobin_open(&pg->b, pg->path, err, sizeof(err))) {
		test_fail_at(__FILE__, __LINE__, "gobin_open: %s", err);
		goto out;
	}
	if (strcmp(variant, "-stripped")) {
		if (plan(pg, "main.kind", NULL, 0, NULL, 0, bp, err, sizeof(err))) {
			test_fail_at(__FILE__, __LINE__, "plan: %s", err);
		} else {
			CHECK_U64(bp->nargs, 1);
			CHECK_STR(bp->args[0].type, "interface {}");
			CHECK_U64(bp->args[0].kind, GOBIN_ARG_IFACE);
			arg_where(&bp->args[0], where, sizeof(where));
			CHECK_STR(where, "rax,rbx");
			CHECK(!bp->args[0].word[0].nil_stop);
		}
	} else {
		if (plan(pg, "main.kind", any, 1, NULL, 0, bp, err, sizeof(err))) {
			test_fail_at(__FILE__, __LINE__, "plan: %s", err);
		} else {
			arg_where(&bp->args[0], where, sizeof(where));
			CHECK_STR(where, "rax,rbx");
			CHECK_U64(bp->args[0].kind, GOBIN_ARG_IFACE);
		}
		if (plan(pg, "main.kind", eface, 1, NULL, 0, bp, err, sizeof(err))) {
			test_fail_at(__FILE__, __LINE__, "plan: %s", err);
		} else {
			arg_where(&bp->args[0], where, sizeof(where));
			CHECK_STR(where, "rax,rbx");
		}
		if (plan(pg, "main.kind", iface, 1, NULL, 0, bp, err, sizeof(err))) {
			test_fail_at(__FILE__, __LINE__, "plan: %s", err);
		} else {
			arg_where(&bp->args[0], where, sizeof(where));
			CHECK_STR(where, "[rax+8],rbx");
			CHECK(bp->args[0].word[0].nil_stop);
			CHECK(!bp->args[0].word[1].nil_stop);
		}
	}
	gobin_close(&pg->b);
out:
	test_end();
	free(pg);
	free(bp);
}

/* gobreak's main.settle(err error): an itab, read through to its type. */
static void check_error_iface(int minor)
{
	struct gobin_break *bp = calloc(1, sizeof(*bp));
	struct prog *pg = calloc(1, sizeof(*pg));
	char err[512], where[256];

	snprintf(pg->name, sizeof(pg->name), "gobreak-go1.%d", minor);
	prog_path(pg->path, sizeof(pg->path), pg->name);
	test_begin("%s: main.settle(err error): through the itab, nil stops", pg->name);
	if (gobin_open(&pg->b, pg->path, err, sizeof(err))) {
		test_fail_at(__FILE__, __LINE__, "gobin_open: %s", err);
		goto out;
	}
	if (plan(pg, "main.settle", NULL, 0, NULL, 0, bp, err, sizeof(err))) {
		test_fail_at(__FILE__, __LINE__, "plan: %s", err);
	} else {
		CHECK_U64(bp->nargs, 1);
		CHECK_STR(bp->args[0].type, "error");
		CHECK_U64(bp->args[0].kind, GOBIN_ARG_IFACE);
		arg_where(&bp->args[0], where, sizeof(where));
		CHECK_STR(where, "[rax+8],rbx");
		CHECK(bp->args[0].word[0].nil_stop);
		CHECK(!bp->args[0].word[1].nil_stop);
	}
	gobin_close(&pg->b);
out:
	test_end();
	free(pg);
	free(bp);
}

/*
 * gobreak's main.tally(tags []string, weights []float64, ok []bool): each
 * slice with the element a record copies (strings as 16-byte headers),
 * from DWARF, or on a stripped build from --arg N:[]T; and handle's
 * req.from.port: a field through two pointers (req, then req.from).
 */
static void check_slices_fields(int minor, const char *variant)
{
	static const char *const typed[] = { "1:[]string", "2:[]float64", "3:[]bool" };
	static const char *const bad[] = { "1:[]iface" };
	static const char *const fields[] = { "req.from.port", "req.from.name" };
	static const struct { enum gobin_arg_kind kind; uint8_t size; } want[] = {
		{ GOBIN_ARG_STRING, 16 }, { GOBIN_ARG_FLOAT, 8 }, { GOBIN_ARG_BOOL, 1 },
	};
	struct gobin_break *bp = calloc(1, sizeof(*bp));
	struct prog *pg = calloc(1, sizeof(*pg));
	bool stripped = !strcmp(variant, "-stripped");
	char err[512], where[256];
	size_t i;

	snprintf(pg->name, sizeof(pg->name), "gobreak-go1.%d%s", minor, variant);
	prog_path(pg->path, sizeof(pg->path), pg->name);
	test_begin("%s: slices' elements%s", pg->name, stripped ? " by --arg" : ", fields");
	if (gobin_open(&pg->b, pg->path, err, sizeof(err))) {
		test_fail_at(__FILE__, __LINE__, "gobin_open: %s", err);
		goto out;
	}
	if (plan(pg, "main.tally", stripped ? typed : NULL, stripped ? 3 : 0, NULL, 0, bp, err,
		 sizeof(err))) {
		test_fail_at(__FILE__, __LINE__, "plan: %s", err);
		goto close;
	}
	CHECK_U64(bp->nargs, 3);
	for (i = 0; i < 3 && i < bp->nargs; i++) {
		CHECK_U64(bp->args[i].kind, GOBIN_ARG_SLICE);
		CHECK(bp->args[i].has_elem);
		CHECK_U64(bp->args[i].elem_kind, want[i].kind);
		CHECK_U64(bp->args[i].elem_size, want[i].size);
	}
	if (stripped) {
		CHECK(plan(pg, "main.tally", bad, 1, NULL, 0, bp, err, sizeof(err)));
		goto close;
	}
	CHECK_STR(bp->args[0].type, "[]string");
	if (plan(pg, "main.(*server).handle", NULL, 0, fields, 2, bp, err, sizeof(err))) {
		test_fail_at(__FILE__, __LINE__, "plan: %s", err);
		goto close;
	}
	CHECK_U64(bp->nargs, 4);
	CHECK_STR(bp->args[2].name, "req.from.port");
	CHECK_U64(bp->args[2].kind, GOBIN_ARG_INT);
	CHECK_U64(bp->args[2].word[0].nderef, 2);
	CHECK_STR(bp->args[3].type, "string");
	arg_where(&bp->args[3], where, sizeof(where));
	/* request{method string; id int; from *client}: from at 24; client.name at 0 */
	CHECK_STR(where, "[[rbx+24]+0],[[rbx+24]+8]");
close:
	gobin_close(&pg->b);
out:
	test_end();
	free(pg);
	free(bp);
}

static void check_prog(int minor, const char *variant)
{
	static const char *const fields[] = { "req.Method", "req.Body" };
	struct prog *pg = calloc(1, sizeof(*pg));
	char err[512], larger[256];

	snprintf(pg->name, sizeof(pg->name), "breakplan-go1.%d%s", minor, variant);
	prog_path(pg->path, sizeof(pg->path), pg->name);
	pg->stripped = !strcmp(variant, "-stripped");
	pg->minor = minor;
	test_begin("%s: opens", pg->name);
	if (access(pg->path, R_OK))
		test_fail_at(__FILE__, __LINE__, "missing (make -C tests/progs go-all)");
	else if (gobin_open(&pg->b, pg->path, err, sizeof(err)))
		test_fail_at(__FILE__, __LINE__, "gobin_open: %s", err);
	else
		CHECK_U64(pg->b.has_dwarf, !pg->stripped);
	test_end();
	if (!pg->b.impl) {
		free(pg);
		return;
	}
	if (pg->stripped) {
		check_func(pg, "main.mixed", 6, 1, NULL, 0, NULL, 0, 0);
		check_func(pg, "main.(*Server).Handle", -1, 1, NULL, 0, NULL, 0, 0);
		check_stripped(pg);
	} else {
		/* min_dwarf: words that must have been compared with DWARF's location lists. */
		check_func(pg, "main.mixed", 6, 1, mixed_args, ARRAY_SIZE(mixed_args), fields, 2, 10);
		check_func(pg, "main.(*Server).Handle", -1, 1, handle_args,
			   ARRAY_SIZE(handle_args), NULL, 0, 4);
		check_func(pg, "main.many", -1, 1, many_args, ARRAY_SIZE(many_args), NULL, 0, 9);
		check_func(pg, "main.spill", -1, 1, spill_args, ARRAY_SIZE(spill_args), NULL, 0, 9);
		check_func(pg, "main.byValue", -1, 1, byvalue_args, ARRAY_SIZE(byvalue_args),
			   NULL, 0, 5);
		check_func(pg, "main.main.func1", -1, 1, closure_args, ARRAY_SIZE(closure_args),
			   NULL, 0, 1);
		if (pg->minor > 19) {
			snprintf(larger, sizeof(larger), "%s",
				 instance(pg, "main.larger[go.shape.int"));
			check_func(pg, larger, -1, 2, larger_int_args,
				   ARRAY_SIZE(larger_int_args), NULL, 0, 2);
			snprintf(larger, sizeof(larger), "%s",
				 instance(pg, "main.larger[go.shape.float64"));
			check_func(pg, larger, -1, 0, larger_float_args,
				   ARRAY_SIZE(larger_float_args), NULL, 0, 2);
		} else {
			check_generic_119(pg);
		}
		check_dwarf_errors(pg);
	}
	check_inlined(pg);
	check_lines(pg);
	check_addrs(pg);
	check_names(pg);
	gobin_close(&pg->b);
	free(pg);
}

int main(void)
{
	size_t i, k;

	test_find_repo(repo, sizeof(repo));
	for (i = 0; i < ARRAY_SIZE(minors); i++) {
		for (k = 0; k < ARRAY_SIZE(variants); k++) {
			check_prog(minors[i], variants[k]);
			check_empty_iface(minors[i], variants[k]);
			check_slices_fields(minors[i], variants[k]);
		}
		check_error_iface(minors[i]);
		check_type_names("gobreak", minors[i], gobreak_types, ARRAY_SIZE(gobreak_types));
		check_type_names("breakplan", minors[i], breakplan_types,
				 ARRAY_SIZE(breakplan_types));
	}
	return test_summary();
}
