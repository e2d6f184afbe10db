// SPDX-License-Identifier: GPL-2.0
/*
 * Breakpoints: what a GODIAG_PROBE_BREAK or BREAK_RET uprobe reads and
 * records when it fires (godiag_abi.h says what, in which order).
 *
 * The handler runs in the task that hit the breakpoint, but reads user
 * memory only with copy_from_user_nofault(), a bounded number of times:
 * at most GODIAG_BREAK_WORDS_MAX words of up to GODIAG_BREAK_DEREF_MAX
 * hops, GODIAG_BREAK_STACK_MAX frames, GODIAG_BREAK_STRINGS_MAX strings
 * of GODIAG_BREAK_STRLEN_MAX bytes or slices of GODIAG_BREAK_SLICE_ELEMS_MAX
 * elements (a string element's bytes as a string's); a record is at most
 * GODIAG_REC_SIZE_MAX bytes (PROBE_ADD checks godiag_break_rec_max()).
 * A read that fails zeroes its word,
 * flags the record and counts a fault. Conditions are decided before
 * the ring buffer is touched, so a refused hit costs only its reads.
 * Float arguments come from the task's saved XMM registers (read_xregs()).
 */
#include <linux/ktime.h>
#include <asm/div64.h>
#include <linux/percpu.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <asm/cpufeature.h>
#include <asm/fpu/api.h>
#include <asm/fpu/types.h>

#include "breakcond.h"
#include "faults.h"
#include "godiag.h"

struct godiag_break {
	struct godiag_break_conf conf;
	struct godiag_session *session;
	struct godiag_probe_stats __percpu *stats;
	u32 id;
	bool is_ret;
	u8 g_reg;
	u16 goid_off;
	u16 xmask;			/* the XMM registers its words read */
	atomic64_t passed;		/* hits the condition let through */
	raw_spinlock_t rate_lock;
	u64 rate_start;			/* ns: start of the current second */
	u32 rate_count;			/* records in it */
};

/* What one hit read, before it is written. */
struct break_hit {
	u64 words[GODIAG_BREAK_WORDS_MAX];
	u64 stack[GODIAG_BREAK_STACK_MAX];
	u16 copied[GODIAG_BREAK_WORDS_MAX];	/* bytes of a string or slice word's copy */
	/* the bytes of each string of the n-th slice of strings */
	u16 elem_len[GODIAG_BREAK_STRINGS_MAX][GODIAG_BREAK_SLICE_ELEMS_MAX];
	u32 fault_mask;
	u16 flags;
	u8 nstack;
	u64 goid;
};

struct godiag_break *godiag_break_new(const struct godiag_probe_spec *spec,
				      struct godiag_session *s,
				      struct godiag_probe_stats __percpu *stats)
{
	struct godiag_break *b = godiag_alloc(kzalloc(sizeof(*b), GFP_KERNEL));
	unsigned int i;

	if (!b)
		return NULL;
	if (spec->brk)
		b->conf = *spec->brk;
	if (!b->conf.every)
		b->conf.every = 1;
	b->session = s;
	b->stats = stats;
	b->is_ret = spec->kind == GODIAG_PROBE_BREAK_RET;
	b->g_reg = spec->g_reg;
	b->goid_off = spec->layout.g_goid;
	for (i = 0; i < b->conf.nwords; i++) {
		u8 reg = b->conf.words[i].reg;

		if (reg >= GODIAG_BREAK_XREG0 && reg < GODIAG_BREAK_XREG(GODIAG_BREAK_XREGS))
			b->xmask |= 1U << (reg - GODIAG_BREAK_XREG0);
	}
	raw_spin_lock_init(&b->rate_lock);
	return b;
}

void godiag_break_set_id(struct godiag_break *b, u32 id)
{
	b->id = id;
}

void godiag_break_free(struct godiag_break *b)
{
	kfree(b);
}

/* ---- reading -------------------------------------------------------- */

static bool read_user_u64(unsigned long addr, u64 *v)
{
	return !copy_from_user_nofault(v, (const void __user *)addr, sizeof(*v));
}

/*
 * The low 8 bytes of the user's XMM registers in mask, into x. At a
 * uprobe the user's FPU state is live in the registers, or saved in its
 * fpstate with TIF_NEED_FPU_LOAD set (the task was switched out, or the
 * kernel used the FPU, since it trapped). kernel_fpu_begin() saves live
 * registers there first, so between it and kernel_fpu_end() the fpstate
 * holds them either way, as ptrace reads them. It disables preemption
 * (also on PREEMPT_RT): only a copy in between. XSAVEOPT and XSAVES skip
 * registers in their initial state: then the header's SSE bit is clear,
 * the area stale, and every XMM register zero.
 */
static void read_xregs(u16 mask, u64 *x)
{
	const struct fpstate *fps;
	unsigned int n;

	kernel_fpu_begin();
	fps = godiag_current_fpstate();
	if (boot_cpu_has(X86_FEATURE_XSAVE) &&
	    !(fps->regs.xsave.header.xfeatures & XFEATURE_MASK_SSE))
		mask = 0;
	for (n = 0; n < GODIAG_BREAK_XREGS; n++) {
		x[n] = 0;
		if (mask & (1U << n))
			memcpy(&x[n], &fps->regs.fxsave.xmm_space[4 * n], sizeof(x[n]));
	}
	kernel_fpu_end();
}

/*
 * One word: its register, XMM register, stack slot or static address
 * (the probed PC, which is the hit's instruction pointer, plus the
 * offset), then its pointer hops.
 */
static bool read_word(const struct godiag_break_word *w, const struct pt_regs *regs,
		      const u64 *x, u64 *v)
{
	unsigned int i;

	if (w->reg >= GODIAG_BREAK_XREG0 && w->reg < GODIAG_BREAK_XREG(GODIAG_BREAK_XREGS)) {
		*v = x[w->reg - GODIAG_BREAK_XREG0];
	} else if (w->reg == GODIAG_BREAK_STACK) {
		if (!read_user_u64(regs->sp + (long)w->sp_off, v))
			return false;
	} else if (w->reg == GODIAG_BREAK_PCREL) {
		if (!read_user_u64(regs->ip + (long)w->sp_off, v))
			return false;
	} else {
		*v = godiag_reg_value(regs, w->reg);
	}
	for (i = 0; i < w->nderef; i++) {
		/* A nil interface has no itab to read the type from. */
		if (!*v && (w->flags & GODIAG_BW_NIL) && i + 1 == w->nderef)
			break;
		if (!read_user_u64(*v + (long)w->deref_off[i], v))
			return false;
	}
	return true;
}

static void read_words(struct godiag_break *b, const struct pt_regs *regs,
		       struct break_hit *h)
{
	u64 x[GODIAG_BREAK_XREGS];
	unsigned int i;

	if (b->xmask)
		read_xregs(b->xmask, x);
	for (i = 0; i < b->conf.nwords; i++) {
		if (read_word(&b->conf.words[i], regs, x, &h->words[i]))
			continue;
		h->words[i] = 0;
		h->fault_mask |= 1U << i;
		h->flags |= GODIAG_RF_FAULT;
		this_cpu_inc(b->stats->faults);
	}
}

/*
 * The caller chain by frame pointers: the probed PC, the return address
 * at RSP when the probe is before the frame is set up, then each frame's
 * saved return address. Frames must lie higher up the stack each time,
 * so the walk ends even on a corrupt chain.
 */
static void read_stack(struct godiag_break *b, const struct pt_regs *regs,
		       struct break_hit *h)
{
	unsigned long fp = regs->bp;
	u64 frame[2];
	u8 max = b->conf.nstack;

	if (!max)
		return;
	h->stack[h->nstack++] = regs->ip;
	if (b->conf.at_entry && h->nstack < max) {
		if (!read_user_u64(regs->sp, &frame[1]))
			goto fault;
		h->stack[h->nstack++] = frame[1];
	}
	while (h->nstack < max && fp && !(fp & 7)) {
		if (copy_from_user_nofault(frame, (const void __user *)fp, sizeof(frame)))
			goto fault;
		if (!frame[1])
			break;
		h->stack[h->nstack++] = frame[1];
		if (frame[0] <= fp)
			break;
		fp = frame[0];
	}
	return;
fault:
	h->flags |= GODIAG_RF_FAULT;
	this_cpu_inc(b->stats->faults);
}

static u64 read_goid(struct godiag_break *b, const struct pt_regs *regs, u16 *flags)
{
	u64 v;

	if (!b->goid_off)
		return 0;
	if (read_user_u64(godiag_reg_value(regs, b->g_reg) + b->goid_off, &v))
		return v;
	*flags |= GODIAG_RF_FAULT;
	this_cpu_inc(b->stats->faults);
	return 0;
}

/* ---- conditions ----------------------------------------------------- */

/* Equal or prefix: the first c->len bytes of the string are c->str. */
static bool str_match(struct godiag_break *b, const struct godiag_break_cond *c,
		      const struct break_hit *h)
{
	u64 len = h->words[c->word + 1];
	char buf[GODIAG_COND_STR_MAX];

	if (c->op == GODIAG_COND_PREFIX ? len < c->len : len != c->len)
		return false;
	if (copy_from_user_nofault(buf, (const void __user *)h->words[c->word], c->len)) {
		this_cpu_inc(b->stats->faults);
		return false;
	}
	return !memcmp(buf, c->str, c->len);
}

/* A string whose words could not be read meets no condition. */
static bool str_cond(struct godiag_break *b, const struct godiag_break_cond *c,
		     const struct break_hit *h)
{
	u64 len = h->words[c->word + 1];

	if (h->fault_mask & (3U << c->word))
		return false;
	if (c->op == GODIAG_COND_NE)
		return len != c->len || !str_match(b, c, h);
	return str_match(b, c, h);
}

static bool cond_holds(struct godiag_break *b, const struct break_hit *h)
{
	const struct godiag_break_cond *c = &b->conf.cond;

	if (!b->conf.has_cond)
		return true;
	if (c->flags & GODIAG_CF_STRING)
		return str_cond(b, c, h);
	if (h->fault_mask & (1U << c->word))
		return false;
	return godiag_word_cond(c, h->words[c->word]);
}

/* --every N: the 1st, N+1th, ... hit that met the condition. */
static bool sampled_in(struct godiag_break *b)
{
	u64 n;

	if (b->conf.every <= 1)
		return true;
	n = atomic64_inc_return(&b->passed) - 1;
	return do_div(n, b->conf.every) == 0;
}

/* --max-rate N: at most N records in each second since the last window. */
static bool rate_allows(struct godiag_break *b, u64 now)
{
	unsigned long flags;
	bool ok;

	if (!b->conf.max_rate)
		return true;
	raw_spin_lock_irqsave(&b->rate_lock, flags);
	if (now - b->rate_start >= NSEC_PER_SEC) {
		b->rate_start = now;
		b->rate_count = 0;
	}
	ok = b->rate_count < b->conf.max_rate;
	if (ok)
		b->rate_count++;
	raw_spin_unlock_irqrestore(&b->rate_lock, flags);
	return ok;
}

/* ---- writing -------------------------------------------------------- */

static bool is_copy(const struct godiag_break_word *w)
{
	return w->flags & (GODIAG_BW_STRING | GODIAG_BW_SLICE);
}

/* The bytes of word w's copy, every string and element copied in full. */
static u32 copy_max(const struct godiag_break_conf *c, const struct godiag_break_word *w)
{
	u32 str = ALIGN(c->strlen, 8);

	if (w->flags & GODIAG_BW_STRING)
		return str;
	if (w->elem == GODIAG_BREAK_ELEM_STRING)
		return c->slice_elems * (sizeof(struct godiag_rec_str) + str);
	return ALIGN(c->slice_elems * w->elem, 8);
}

u32 godiag_break_rec_max(const struct godiag_break_conf *c)
{
	u32 size = sizeof(struct godiag_rec_break) + 8 * (c->nwords + c->nstack);
	unsigned int i;

	for (i = 0; i < c->nwords; i++)
		if (is_copy(&c->words[i]))
			size += sizeof(struct godiag_rec_str) + copy_max(c, &c->words[i]);
	return size;
}

/* Elements of slice word i copied: its length, at most the probe's count. */
static u32 slice_n(const struct godiag_break *b, const struct break_hit *h, unsigned int i)
{
	return min_t(u64, h->words[i + 1], b->conf.slice_elems);
}

/* The bytes of each string element of slice word i (the n-th slice of strings). */
static u32 size_str_elems(struct godiag_break *b, struct break_hit *h, unsigned int i,
			  unsigned int n)
{
	u32 size = 0, k;
	u64 len;

	for (k = 0; k < slice_n(b, h, i); k++) {
		if (!read_user_u64(h->words[i] + 16 * k + 8, &len))
			len = 0;	/* fill_str_elems() sees the fault again */
		h->elem_len[n][k] = min_t(u64, len, b->conf.strlen);
		size += sizeof(struct godiag_rec_str) + ALIGN(h->elem_len[n][k], 8);
	}
	return size;
}

/*
 * The bytes each string and slice word's copy takes, into h->copied:
 * a string's length, at most the probe's strlen; a slice's first
 * elements. A slice of strings reads each element's length here and its
 * header again when it copies the bytes: the sizes taken here are those
 * written, whatever the process changes in between.
 */
static void size_copies(struct godiag_break *b, struct break_hit *h)
{
	const struct godiag_break_word *w;
	unsigned int i, n = 0;

	for (i = 0; i < b->conf.nwords; i++) {
		w = &b->conf.words[i];
		if (!is_copy(w))
			continue;
		/* no pointer or no length: nothing to copy */
		if (h->fault_mask & (3U << i))
			h->copied[i] = 0;
		else if (w->flags & GODIAG_BW_STRING)
			h->copied[i] = min_t(u64, h->words[i + 1], b->conf.strlen);
		else if (w->elem != GODIAG_BREAK_ELEM_STRING)
			h->copied[i] = slice_n(b, h, i) * w->elem;
		else
			h->copied[i] = size_str_elems(b, h, i, n);
		n += w->elem == GODIAG_BREAK_ELEM_STRING;
	}
}

static unsigned int rec_size(const struct godiag_break *b, const struct break_hit *h,
			     u8 *ncopies)
{
	unsigned int size = sizeof(struct godiag_rec_break), i;

	size += 8 * (b->conf.nwords + h->nstack);
	*ncopies = 0;
	for (i = 0; i < b->conf.nwords; i++) {
		if (!is_copy(&b->conf.words[i]))
			continue;
		size += sizeof(struct godiag_rec_str) + ALIGN(h->copied[i], 8);
		(*ncopies)++;
	}
	return size;
}

/* n bytes at addr into p, padding to 8 zeroed; false (all zeros) on a fault. */
static bool copy_bytes(u8 *p, u64 addr, u32 n)
{
	memset(p + n, 0, ALIGN(n, 8) - n);
	if (!n || !copy_from_user_nofault(p, (const void __user *)addr, n))
		return true;
	memset(p, 0, n);
	return false;
}

/* Slice word i of strings (the n-th): each element's header and bytes. */
static bool fill_str_elems(struct godiag_break *b, const struct break_hit *h,
			   unsigned int i, unsigned int n, u8 *p)
{
	struct godiag_rec_str *rs;
	bool ok = true, read;
	u64 hdr[2];
	u32 k, len;

	for (k = 0; k < slice_n(b, h, i); k++) {
		rs = (void *)p;
		len = h->elem_len[n][k];
		p += sizeof(*rs);
		read = !copy_from_user_nofault(hdr, (const void __user *)(h->words[i] + 16 * k),
					       sizeof(hdr));
		rs->word = k;
		rs->copied = len;
		rs->len = read ? min_t(u64, hdr[1], U32_MAX) : 0;
		if (!read)
			memset(p, 0, ALIGN(len, 8));
		rs->flags = read && copy_bytes(p, hdr[0], len) ? 0 : GODIAG_RS_FAULT;
		ok &= !rs->flags;
		p += ALIGN(len, 8);
	}
	return ok;
}

/* Copies the strings and slices after words and stack; returns GODIAG_RF_FAULT or 0. */
static u16 fill_copies(struct godiag_break *b, const struct break_hit *h, u8 *p)
{
	const struct godiag_break_word *w;
	struct godiag_rec_str *rs;
	unsigned int i, n = 0;
	u16 flags = 0;
	bool ok;

	for (i = 0; i < b->conf.nwords; i++) {
		w = &b->conf.words[i];
		if (!is_copy(w))
			continue;
		rs = (void *)p;
		rs->word = i;
		rs->copied = h->copied[i];
		rs->len = min_t(u64, h->words[i + 1], U32_MAX);
		p += sizeof(*rs);
		if (w->elem == GODIAG_BREAK_ELEM_STRING)
			ok = !rs->copied || fill_str_elems(b, h, i, n, p);
		else
			ok = copy_bytes(p, h->words[i], rs->copied);
		rs->flags = ok ? 0 : GODIAG_RS_FAULT;
		if (!ok) {
			flags = GODIAG_RF_FAULT;
			this_cpu_inc(b->stats->faults);
		}
		p += ALIGN(rs->copied, 8);
		n += w->elem == GODIAG_BREAK_ELEM_STRING;
	}
	return flags;
}

/* The fixed part of the record as written, for the triggers. */
static noinline void trigger_check(struct godiag_break *b, const struct break_hit *h,
				   u8 nstr, u64 now)
{
	struct godiag_rec_break rec = {
		.hdr = {
			.type = GODIAG_REC_BREAKPOINT,
			.size = sizeof(rec),
			.flags = h->flags,
			.cpu = raw_smp_processor_id(),
			.tgid = current->tgid,
			.tid = current->pid,
			.ts_ns = now,
			.goid = h->goid,
		},
		.probe_id = b->id,
		.fault_mask = h->fault_mask,
		.nwords = b->conf.nwords,
		.nstack = h->nstack,
		.nstr = nstr,
		.is_ret = b->is_ret,
	};

	__godiag_trigger_break(b->session, &rec);
}

static void write_hit(struct godiag_break *b, const struct break_hit *h, u64 now)
{
	struct godiag_rec_break *rec;
	u8 nstr;
	unsigned int size = rec_size(b, h, &nstr);	/* at most godiag_break_rec_max() */
	bool written = false;
	u64 *p;

	preempt_disable_notrace();
	this_cpu_inc(b->stats->hits);
	rec = (void *)godiag_event_reserve(b->session, GODIAG_REC_BREAKPOINT, size, now);
	if (rec) {
		rec->hdr.goid = h->goid;
		rec->probe_id = b->id;
		rec->fault_mask = h->fault_mask;
		rec->nwords = b->conf.nwords;
		rec->nstack = h->nstack;
		rec->nstr = nstr;
		rec->is_ret = b->is_ret;
		rec->reserved = 0;
		p = (u64 *)(rec + 1);
		memcpy(p, h->words, 8 * b->conf.nwords);
		p += b->conf.nwords;
		memcpy(p, h->stack, 8 * h->nstack);
		p += h->nstack;
		rec->hdr.flags = h->flags | fill_copies(b, h, (u8 *)p);
		written = true;
	}
	godiag_event_commit(b->session);
	preempt_enable_notrace();
	if (written && godiag_has_triggers(b->session))
		trigger_check(b, h, nstr, now);
}

/*
 * Called by the probe's handler, under rcu_read_lock(), in the target's
 * address space, while the session records breakpoints.
 */
void godiag_break_hit(struct godiag_break *b, struct pt_regs *regs)
{
	struct break_hit h;
	u64 now;

	this_cpu_inc(b->stats->passes);
	h.fault_mask = 0;
	h.flags = 0;
	h.nstack = 0;
	read_words(b, regs, &h);
	if (!cond_holds(b, &h)) {
		this_cpu_inc(b->stats->filtered);
		return;
	}
	if (!sampled_in(b)) {
		this_cpu_inc(b->stats->sampled_out);
		return;
	}
	now = ktime_get_ns();
	if (!rate_allows(b, now)) {
		this_cpu_inc(b->stats->rate_limited);
		return;
	}
	h.goid = read_goid(b, regs, &h.flags);
	read_stack(b, regs, &h);
	size_copies(b, &h);
	write_hit(b, &h, now);
}
