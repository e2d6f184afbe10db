// SPDX-License-Identifier: GPL-2.0
/*
 * x86-64 instruction lengths, from the opcode maps of the Intel SDM
 * (Vol. 2, appendix A: one-byte map A-2, two-byte maps A-3, three-byte
 * maps, and the VEX and EVEX prefix chapters), 64-bit mode
 * only. An instruction is: legacy prefixes, an optional REX, the opcode
 * (one byte, 0x0f + one, 0x0f 0x38/0x3a + one, or a VEX/EVEX prefix + one),
 * a ModRM byte with the SIB and displacement it selects, an immediate.
 *
 * What the tables below cannot vouch for is refused (GODIAG_INSN_BAD)
 * rather than guessed: opcodes invalid in 64-bit mode, 3DNow!, XOP,
 * AMD's SSE4a forms with two immediates, APX (REX2, extended EVEX),
 * near branches with an operand-size prefix (their length differs
 * between Intel and AMD), and group encodings the maps leave undefined.
 * Go compilers emit none of them.
 */
#include "insn.h"

/*
 * Per opcode, the bytes that follow it:
 *   .  nothing              i  imm8 (rel8 too)        j  Jcc rel8
 *   M  ModRM                b  ModRM + imm8           z  ModRM + imm16/32
 *   Z  imm16/32             V  imm16/32/64 (mov r, imm)
 *   w  imm16                e  imm16 + imm8 (enter)   o  moffs: 8 bytes, 4 with 0x67
 *   J  rel32: near call/jmp (map 0), Jcc (map 1)
 *   R  ModRM whose mod is ignored: register operands only (mov cr/dr)
 *   g  group 3 on bytes: ModRM, imm8 for /0     G  group 3: ModRM, imm16/32 for /0
 *   x  an escape, handled apart (0x0f, VEX, EVEX)
 *   p  a prefix (consumed before the opcode)     -  invalid in 64-bit mode
 * imm16/32 is 16 bits with an operand-size prefix and no REX.W.
 */
static const char map_one[256 + 1] =
	/* 0123456789abcdef */
	"MMMMiZ--MMMMiZ-x"	/* 0x */
	"MMMMiZ--MMMMiZ--"	/* 1x */
	"MMMMiZp-MMMMiZp-"	/* 2x */
	"MMMMiZp-MMMMiZp-"	/* 3x */
	"pppppppppppppppp"	/* 4x: REX */
	"................"	/* 5x */
	"--xMppppZzib...."	/* 6x: 0x62 EVEX */
	"jjjjjjjjjjjjjjjj"	/* 7x */
	"bz-bMMMMMMMMMMMM"	/* 8x */
	"..........-....."	/* 9x */
	"oooo....iZ......"	/* ax */
	"iiiiiiiiVVVVVVVV"	/* bx */
	"bbw.xxbze.w..i-."	/* cx: 0xc4, 0xc5 VEX */
	"MMMM---.MMMMMMMM"	/* dx: 0xd5 is REX2 (APX) */
	"iiiiiiiiJJ-i...."	/* ex */
	"p.pp..gG......MM";	/* fx */

/* 0x0f xx */
static const char map_0f[256 + 1] =
	/* 0123456789abcdef */
	"MMMM-.....-.-M--"	/* 0x: 0x0f 0x0f is 3DNow! */
	"MMMMMMMMMMMMMMMM"	/* 1x */
	"RRRR----MMMMMMMM"	/* 2x */
	"......-.x-x-----"	/* 3x: 0x38, 0x3a three-byte maps */
	"MMMMMMMMMMMMMMMM"	/* 4x */
	"MMMMMMMMMMMMMMMM"	/* 5x */
	"MMMMMMMMMMMMMMMM"	/* 6x */
	"bbbbMMM.MM--MMMM"	/* 7x */
	"JJJJJJJJJJJJJJJJ"	/* 8x */
	"MMMMMMMMMMMMMMMM"	/* 9x */
	"...MbM--...MbMMM"	/* ax */
	"MMMMMMMMMMbMMMMM"	/* bx */
	"MMbMbbbM........"	/* cx */
	"MMMMMMMMMMMMMMMM"	/* dx */
	"MMMMMMMMMMMMMMMM"	/* ex */
	"MMMMMMMMMMMMMMMM";	/* fx */

struct dec {
	const unsigned char *p;
	size_t avail;
	unsigned int n;		/* bytes consumed or accounted for */
	bool opsize;		/* 0x66 */
	bool adsize;		/* 0x67 */
	bool lock;		/* 0xf0 */
	unsigned char rep;	/* the last of 0xf2 and 0xf3, or 0 */
	unsigned char rex;	/* 0x40-0x4f right before the opcode, or 0 */
};

/* Consumes the next byte into *b. */
static enum godiag_insn_result next(struct dec *d, unsigned char *b)
{
	if (d->n >= GODIAG_INSN_MAX)
		return GODIAG_INSN_BAD;
	if (d->n >= d->avail)
		return GODIAG_INSN_SHORT;
	*b = d->p[d->n++];
	return GODIAG_INSN_OK;
}

static bool legacy_prefix(unsigned char b)
{
	switch (b) {
	case 0x26:
	case 0x2e:
	case 0x36:
	case 0x3e:
	case 0x64:
	case 0x65:
	case 0x66:
	case 0x67:
	case 0xf0:
	case 0xf2:
	case 0xf3:
		return true;
	default:
		return false;
	}
}

/*
 * Legacy prefixes in any order, then REX; returns with the opcode's first
 * byte in *op. A REX followed by another prefix has no effect (the SDM:
 * it must come right before the opcode), so it is forgotten.
 */
static enum godiag_insn_result prefixes(struct dec *d, unsigned char *op)
{
	enum godiag_insn_result r;

	for (;;) {
		r = next(d, op);
		if (r)
			return r;
		if ((*op & 0xf0) == 0x40) {
			d->rex = *op;
			continue;
		}
		if (!legacy_prefix(*op))
			return GODIAG_INSN_OK;
		d->rex = 0;
		if (*op == 0x66)
			d->opsize = true;
		else if (*op == 0x67)
			d->adsize = true;
		else if (*op == 0xf0)
			d->lock = true;
		else if (*op == 0xf2 || *op == 0xf3)
			d->rep = *op;
	}
}

/*
 * A ModRM byte (into *m) and the SIB byte and displacement it selects.
 * 64-bit mode has no 16-bit addressing: 0x67 selects 32-bit registers in
 * the same encoding. mod 00 with r/m 101 is RIP-relative (disp32).
 */
static enum godiag_insn_result modrm(struct dec *d, unsigned char *m)
{
	enum godiag_insn_result r;
	unsigned char mod, sib;

	r = next(d, m);
	if (r)
		return r;
	mod = *m >> 6;
	if (mod == 3)
		return GODIAG_INSN_OK;
	if ((*m & 7) == 4) {
		r = next(d, &sib);
		if (r)
			return r;
		if (mod == 0 && (sib & 7) == 5)
			d->n += 4;
	} else if (mod == 0 && (*m & 7) == 5) {
		d->n += 4;
	}
	if (mod == 1)
		d->n += 1;
	else if (mod == 2)
		d->n += 4;
	return GODIAG_INSN_OK;
}

static unsigned int imm_z(const struct dec *d)
{
	return d->opsize && !(d->rex & 8) ? 2 : 4;
}

static unsigned int imm_v(const struct dec *d)
{
	if (d->rex & 8)
		return 8;
	return d->opsize ? 2 : 4;
}

/* Everything is accounted for: the length, if the bytes hold it. */
static enum godiag_insn_result finish(struct dec *d, struct godiag_insn *insn)
{
	if (d->n > GODIAG_INSN_MAX)
		return GODIAG_INSN_BAD;
	if (d->n > d->avail)
		return GODIAG_INSN_SHORT;
	insn->len = d->n;
	return GODIAG_INSN_OK;
}

/* VEX and EVEX map 1 (0x0f) opcodes with an imm8. */
static bool vex_map1_imm(unsigned char op)
{
	return (op >= 0x70 && op <= 0x73) || op == 0xc2 ||
	       (op >= 0xc4 && op <= 0xc6);
}

/*
 * VEX (0xc5: one payload byte, map 0x0f; 0xc4: two, map in the first)
 * and EVEX (0x62: three payload bytes). In 64-bit mode these bytes are
 * always these prefixes. A legacy 0x66/0xf2/0xf3/0xf0 or REX before
 * them makes the instruction invalid. Every opcode has a ModRM except
 * VEX map 1's 0x77 (vzeroupper, vzeroall); map 3 (0x0f 0x3a) always has
 * an imm8, map 1 for a few opcodes, the others (0x0f 0x38, EVEX maps 5
 * and 6 of AVX512-FP16) never.
 */
static enum godiag_insn_result vex(struct dec *d, unsigned char esc,
				   struct godiag_insn *insn)
{
	enum godiag_insn_result r;
	unsigned char b[3], op, m;
	unsigned int map = 1, i, nb;

	if (d->opsize || d->rep || d->lock || d->rex)
		return GODIAG_INSN_BAD;
	nb = esc == 0xc5 ? 1 : esc == 0xc4 ? 2 : 3;
	for (i = 0; i < nb; i++) {
		r = next(d, &b[i]);
		if (r)
			return r;
	}
	if (esc == 0xc4) {
		map = b[0] & 0x1f;
		if (map < 1 || map > 3)
			return GODIAG_INSN_BAD;
	} else if (esc == 0x62) {
		/* P0 bit 3 and P1 bit 2 differ from 0 and 1 under APX only. */
		map = b[0] & 7;
		if ((b[0] & 0x08) || !(b[1] & 0x04) ||
		    !(map == 1 || map == 2 || map == 3 || map == 5 || map == 6))
			return GODIAG_INSN_BAD;
	}
	r = next(d, &op);
	if (r)
		return r;
	if (esc != 0x62 && map == 1 && op == 0x77)
		return finish(d, insn);
	r = modrm(d, &m);
	if (r)
		return r;
	if (map == 3 || (map == 1 && vex_map1_imm(op)))
		d->n += 1;
	return finish(d, insn);
}

/* The bytes after the opcode, by its letter in map_one or map_0f. */
static enum godiag_insn_result operands(struct dec *d, char kind,
					unsigned char *m)
{
	enum godiag_insn_result r = GODIAG_INSN_OK;

	switch (kind) {
	case '.':
		break;
	case 'i':
	case 'j':
		d->n += 1;
		break;
	case 'w':
		d->n += 2;
		break;
	case 'e':
		d->n += 3;
		break;
	case 'Z':
		d->n += imm_z(d);
		break;
	case 'V':
		d->n += imm_v(d);
		break;
	case 'o':
		d->n += d->adsize ? 4 : 8;
		break;
	case 'J':
		/* Intel ignores 0x66 on these, AMD makes them rel16. */
		if (d->opsize)
			return GODIAG_INSN_BAD;
		d->n += 4;
		break;
	case 'R':
		r = next(d, m);
		break;
	case 'M':
	case 'g':
	case 'G':
		r = modrm(d, m);
		break;
	case 'b':
		r = modrm(d, m);
		d->n += 1;
		break;
	case 'z':
		r = modrm(d, m);
		d->n += imm_z(d);
		break;
	default:
		return GODIAG_INSN_BAD;
	}
	return r;
}

/*
 * One-byte map encodings the groups (SDM table A-6) leave undefined, or
 * that are register forms of memory-only instructions.
 */
static bool one_byte_undefined(unsigned char op, unsigned char m)
{
	unsigned char reg = (m >> 3) & 7;
	bool regform = (m >> 6) == 3;

	switch (op) {
	case 0x8d:		/* lea needs a memory operand */
		return regform;
	case 0x8f:		/* group 1A: pop only; else XOP */
		return reg != 0;
	case 0xc6:		/* group 11: mov, or xabort/xbegin */
	case 0xc7:
		return reg != 0 && m != 0xf8;
	case 0xf6:		/* group 3: /1 is not defined */
	case 0xf7:
		return reg == 1;
	case 0xfe:		/* group 4: inc, dec */
		return reg > 1;
	case 0xff:		/* group 5: far call/jmp need memory, /7 undefined */
		return reg == 7 || ((reg == 3 || reg == 5) && regform);
	default:
		return false;
	}
}

static enum godiag_insn_result one_byte(struct dec *d, unsigned char op,
					struct godiag_insn *insn)
{
	char kind = map_one[op];
	enum godiag_insn_result r;
	unsigned char m = 0;

	r = operands(d, kind, &m);
	if (r)
		return r;
	if (kind == 'j') {
		insn->jcc = true;
		insn->cc = op & 0x0f;
	}
	if (one_byte_undefined(op, m))
		return GODIAG_INSN_BAD;
	/* Group 3's test has an immediate, its other members none. */
	if ((kind == 'g' || kind == 'G') && !((m >> 3) & 7))
		d->n += kind == 'g' ? 1 : imm_z(d);
	return finish(d, insn);
}

static enum godiag_insn_result two_byte(struct dec *d, struct godiag_insn *insn)
{
	enum godiag_insn_result r;
	unsigned char op, m;
	char kind;

	r = next(d, &op);
	if (r)
		return r;
	if (op == 0x38 || op == 0x3a) {
		/* Three-byte maps: ModRM always, imm8 always in 0x3a, never in 0x38. */
		kind = op == 0x3a ? 'b' : 'M';
		r = next(d, &op);
		if (!r)
			r = operands(d, kind, &m);
		return r ? r : finish(d, insn);
	}
	kind = map_0f[op];
	/* 0xb8 is popcnt with 0xf3 only; 0x66/0xf2 0x78/0x79 are SSE4a. */
	if ((op == 0xb8 && d->rep != 0xf3) ||
	    ((op == 0x78 || op == 0x79) && (d->opsize || d->rep == 0xf2)))
		return GODIAG_INSN_BAD;
	r = operands(d, kind, &m);
	if (r)
		return r;
	if (kind == 'J') {
		insn->jcc = true;
		insn->cc = op & 0x0f;
	}
	return finish(d, insn);
}

enum godiag_insn_result godiag_insn_decode(const unsigned char *p, size_t avail,
					   struct godiag_insn *insn)
{
	struct dec d = { .p = p, .avail = avail };
	enum godiag_insn_result r;
	unsigned char op;

	insn->len = 0;
	insn->jcc = false;
	insn->cc = 0;
	r = prefixes(&d, &op);
	if (r)
		return r;
	if (op == 0x0f)
		return two_byte(&d, insn);
	if (op == 0xc4 || op == 0xc5 || op == 0x62)
		return vex(&d, op, insn);
	return one_byte(&d, op, insn);
}

int godiag_insn_walk(struct godiag_walk *w, godiag_read_fn read, void *arg,
		     unsigned char *buf, size_t size)
{
	unsigned long long base = w->func;	/* file offset of buf[0] */
	size_t have = 0;			/* bytes in buf */
	bool eof = false;
	long n;

	w->at = w->func;
	for (;;) {
		size_t off = w->at - base;
		enum godiag_insn_result r;

		/* Keep a whole instruction's worth ahead, unless the file ends. */
		if (have - off < GODIAG_INSN_MAX && !eof) {
			base = w->at;
			off = 0;
			n = read(arg, base, buf, size);
			if (n < 0)
				return n;
			have = n;
			eof = have < size;
		}
		r = godiag_insn_decode(buf + off, have - off, &w->insn);
		if (r == GODIAG_INSN_SHORT)
			return GODIAG_WALK_EOF;
		if (r != GODIAG_INSN_OK)
			return GODIAG_WALK_BAD;
		if (w->at == w->target)
			return GODIAG_WALK_START;
		if (w->at + w->insn.len > w->target)
			return GODIAG_WALK_INSIDE;
		w->at += w->insn.len;
	}
}
