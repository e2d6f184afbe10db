/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * godiag ABI shared by godiag.ko and godiagctl: the generic netlink family,
 * the /dev/godiag ioctls and mmap layout, and the event record layout.
 *
 * This header is the single source of these facts. Grow it by adding
 * commands, attributes and record types at the end of each enum; never
 * renumber or change the layout of what is already here.
 */
#ifndef GODIAG_ABI_H
#define GODIAG_ABI_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/ioctl.h>
#else
#include <linux/types.h>
#include <sys/ioctl.h>
#endif

/*
 * 2: PROBE_ADD needs GODIAG_A_PROBE_FUNC_OFFSET; callers without
 * CAP_SYS_ADMIN prove ptrace access with GODIAG_A_PROC_MEM_FD.
 * 3: sessions have a maximum lifetime (GODIAG_A_SESSION_MAX_LIFETIME_MS,
 * SESSION_EXPIRED); breakpoints: GODIAG_EV_BREAKPOINT, probe kinds BREAK
 * and BREAK_RET, the GODIAG_A_BREAK_* attributes, struct godiag_rec_break.
 * 4: PROBE_ADD of a BREAK or BREAK_RET probe takes GODIAG_A_BREAK_SPEC,
 * the breakpoint as the user wrote it, for the audit trail.
 * 5: a breakpoint word may start at a static address: reg
 * GODIAG_BREAK_PCREL, the probed instruction's address plus sp_off
 * (a runtime global, wherever the binary is loaded).
 * 6: flight recorders: SESSION_NEW takes GODIAG_A_SESSION_NAME and
 * GODIAG_A_SESSION_WINDOW_MS, SESSION_DEL/START/STOP take the name in
 * place of the id; GODIAG_IOC_SNAPSHOT (struct godiag_snapshot).
 * 7: a breakpoint word's flags may hold GODIAG_BW_NIL (a nil interface's
 * itab reads as 0, no fault); a word may be an XMM register
 * (GODIAG_BREAK_XREG(n), float arguments); a module of 6 refuses both.
 * 8: flight recorder triggers: TRIGGERS_SET, TRIGGER_FIRE, the TRIGGER
 * notification, the GODIAG_A_TRIGGER* attributes, struct godiag_trigger.
 * 9: a breakpoint word may be a slice's pointer (GODIAG_BW_SLICE, its
 * element in godiag_break_word.elem, once reserved): the first
 * GODIAG_A_BREAK_SLICE_ELEMS elements are copied; struct godiag_rec_str's
 * reserved byte is now flags (GODIAG_RS_FAULT, the value 1 it had); a
 * condition may compare floats (GODIAG_CF_FLOAT); PROBE_ADD refuses a
 * breakpoint whose largest record exceeds GODIAG_REC_SIZE_MAX.
 * 10: SESSION_NEW of a recorder takes GODIAG_A_SESSION_PERSISTENT: it
 * records on when its last target exits, for the targets added later.
 */
#define GODIAG_ABI_VERSION	10

/* ------------------------------------------------------------------ */
/* Generic netlink family                                              */
/* ------------------------------------------------------------------ */

#define GODIAG_GENL_NAME	"godiag"
#define GODIAG_GENL_VERSION	1
#define GODIAG_MCGRP_NOTIFY	"notify"
#define GODIAG_DEVICE_NAME	"godiag"

/*
 * Who may do what, as perf decides it: every command needs CAP_PERFMON or
 * CAP_SYS_ADMIN in the initial user namespace, held by the process that
 * opened the socket and by the one sending. With CAP_SYS_ADMIN a caller
 * sees and changes every session. With CAP_PERFMON alone it sees only
 * the sessions that callers of its effective UID without CAP_SYS_ADMIN
 * created (the others answer ENOENT, "no session N", as if they did not
 * exist; dumps leave them out), at most GODIAG_SESSIONS_USER_MAX of them,
 * and TARGET_ADD and PROBE_ADD need GODIAG_A_PROC_MEM_FD: a file
 * descriptor of /proc/PID/mem of the process, opened by the caller,
 * which the kernel opens only for those who may ptrace-attach to it
 * (uid and capabilities, Yama, LSMs), for the address space the process
 * has now. A traced process of such a session that execs a set-user-ID
 * or otherwise privileged program (not dumpable afterwards, perf's rule)
 * is no longer recorded, nor are the children it starts then.
 * /dev/godiag follows the same rules: opening it needs CAP_PERFMON or
 * CAP_SYS_ADMIN, binding and mapping a session the caller may see. The
 * notify group is for CAP_SYS_ADMIN only.
 */

enum godiag_cmd {
	GODIAG_CMD_UNSPEC,
	GODIAG_CMD_STATUS_GET,		/* module, kernel and buffer facts */
	GODIAG_CMD_SESSION_NEW,		/* -> SESSION_ID */
	GODIAG_CMD_SESSION_DEL,
	GODIAG_CMD_SESSION_START,
	GODIAG_CMD_SESSION_STOP,
	GODIAG_CMD_SESSION_GET,		/* dump: one message per session */
	GODIAG_CMD_TARGET_ADD,
	GODIAG_CMD_TARGET_DEL,
	GODIAG_CMD_TARGET_GET,		/* dump: one message per target */
	GODIAG_CMD_SYSCALLS_SET,	/* syscall filter and minimum duration */
	GODIAG_CMD_STATS_GET,		/* dump: per session, CPUs may span messages */
	GODIAG_CMD_HIST_GET,		/* dump: one message per target+syscall */
	GODIAG_CMD_TARGET_EXIT,		/* notification on GODIAG_MCGRP_NOTIFY */
	GODIAG_CMD_PROBE_ADD,		/* a uprobe on a target's binary -> PROBE_ID */
	GODIAG_CMD_PROBE_DEL,
	GODIAG_CMD_PROBE_GET,		/* dump: one message per probe */
	GODIAG_CMD_SESSION_EXPIRED,	/* notification: a session passed its lifetime */
	GODIAG_CMD_TRIGGERS_SET,	/* a recorder's trigger table (see "Triggers") */
	GODIAG_CMD_TRIGGER_FIRE,	/* a trigger the tool evaluated holds */
	GODIAG_CMD_TRIGGER,		/* notification: a trigger fired */
	__GODIAG_CMD_MAX
};
#define GODIAG_CMD_MAX (__GODIAG_CMD_MAX - 1)

enum godiag_attr {
	GODIAG_A_UNSPEC,
	GODIAG_A_PAD,			/* alignment for u64 attributes */
	GODIAG_A_VERSION,		/* string: module version */
	GODIAG_A_ABI_VERSION,		/* u32 */
	GODIAG_A_KERNEL_RELEASE,	/* string */
	GODIAG_A_NR_CPUS,		/* u32: possible CPUs (one buffer each) */
	GODIAG_A_NR_CPUS_ONLINE,	/* u32 */
	GODIAG_A_BUFFER_DEFAULT,	/* u32: default bytes per CPU */
	GODIAG_A_BUFFER_MIN,		/* u32 */
	GODIAG_A_BUFFER_MAX,		/* u32 */
	GODIAG_A_SESSIONS,		/* u32: sessions alive */
	GODIAG_A_SESSIONS_MAX,		/* u32 */
	GODIAG_A_SESSION_ID,		/* u32, >= 1 */
	GODIAG_A_BUFFER_SIZE,		/* u32: bytes per CPU, power of two */
	GODIAG_A_MODE,			/* u8: enum godiag_mode */
	GODIAG_A_EVENTS,		/* u32: GODIAG_EV_* mask */
	GODIAG_A_STATE,			/* u8: enum godiag_state */
	GODIAG_A_OWNED,			/* flag: destroy when creator's socket closes */
	GODIAG_A_PID,			/* u32: tgid */
	GODIAG_A_TARGET_FLAGS,		/* u32: GODIAG_TF_* */
	GODIAG_A_SYSCALL_MASK,		/* binary: GODIAG_SYSCALL_MASK_BYTES bitmap */
	GODIAG_A_SYSCALL_MIN_NS,	/* u64 */
	GODIAG_A_CPU,			/* nest of GODIAG_A_CPU_* (repeated) */
	GODIAG_A_CPU_ID,		/* u32 */
	GODIAG_A_CPU_WRITTEN,		/* u64: records produced */
	GODIAG_A_CPU_LOST,		/* u64: records dropped or overwritten */
	GODIAG_A_CPU_BYTES,		/* u64: bytes committed */
	GODIAG_A_CPU_READ,		/* u64: records consumed through read() */
	GODIAG_A_SYSCALL_NR,		/* u32 */
	GODIAG_A_HIST_COUNT,		/* u64 */
	GODIAG_A_HIST_TOTAL_NS,		/* u64 */
	GODIAG_A_HIST_MAX_NS,		/* u64 */
	GODIAG_A_HIST_ERRORS,		/* u64: returns in [-4095, -1] */
	GODIAG_A_HIST_BUCKETS,		/* binary: __u64[GODIAG_HIST_BUCKETS] */
	GODIAG_A_EXIT_CODE,		/* u32: wait status of an exited target */
	GODIAG_A_GENERATION,		/* u32: changes when lists change */
	GODIAG_A_THREADS_DROPPED,	/* u64: events lost to a full thread table */
	GODIAG_A_READERS,		/* u32 */
	GODIAG_A_PROBE_ID,		/* u32, >= 1, unique in its session */
	GODIAG_A_PROBE_KIND,		/* u32: enum godiag_probe_kind */
	GODIAG_A_PROBE_PATH,		/* string: the file to probe, e.g. /proc/PID/exe */
	GODIAG_A_PROBE_OFFSET,		/* u64: file offset of the instruction */
	GODIAG_A_PROBE_ARG_REG,		/* u8: enum godiag_reg of the probe's argument */
	GODIAG_A_PROBE_G_REG,		/* u8: enum godiag_reg holding the current g */
	GODIAG_A_GO_LAYOUT,		/* binary: struct godiag_go_layout */
	GODIAG_A_PROBE_HITS,		/* u64: events recorded (not passes a PROBE_JCC skipped) */
	GODIAG_A_PROBE_FAULTS,		/* u64: user memory reads that failed */
	GODIAG_A_PROCS_MISSED,		/* u64: children not followed (no memory) */
	GODIAG_A_PROBE_JCC,		/* u8: see GODIAG_JCC_MAX */
	GODIAG_A_PROC_MEM_FD,		/* u32: fd of /proc/PID/mem (see above) */
	GODIAG_A_PROBE_FUNC_OFFSET,	/* u64: file offset of the probed function's entry */
	GODIAG_A_BREAK_WORDS,		/* binary: struct godiag_break_word[] */
	GODIAG_A_BREAK_STRLEN,		/* u32: bytes of a string word copied */
	GODIAG_A_BREAK_STACK,		/* u8: frames of the caller chain */
	GODIAG_A_BREAK_COND,		/* binary: struct godiag_break_cond */
	GODIAG_A_BREAK_EVERY,		/* u32: record one hit in N */
	GODIAG_A_BREAK_MAX_RATE,	/* u32: records per second, at most */
	GODIAG_A_BREAK_AT_ENTRY,	/* flag: the return address is at [RSP] */
	GODIAG_A_PROBE_PASSES,		/* u64: hits, before conditions */
	GODIAG_A_PROBE_FILTERED,	/* u64: hits the condition refused */
	GODIAG_A_PROBE_SAMPLED_OUT,	/* u64: hits --every skipped */
	GODIAG_A_PROBE_RATE_LIMITED,	/* u64: hits over the maximum rate */
	GODIAG_A_SESSION_MAX_LIFETIME_MS, /* u32: see "Lifetime" below; 0: none */
	GODIAG_A_SESSION_EXPIRED,	/* flag (dumps): stopped at its maximum lifetime */
	GODIAG_A_BREAK_SPEC,		/* string: see GODIAG_BREAK_SPEC_MAX */
	GODIAG_A_SESSION_NAME,		/* string: a flight recorder's name (below) */
	GODIAG_A_SESSION_WINDOW_MS,	/* u32: the window a snapshot keeps; 0: all */
	GODIAG_A_TRIGGERS,		/* binary: struct godiag_trigger[] */
	GODIAG_A_TRIGGER_COOLDOWN_MS,	/* u32: at most one notification per this */
	GODIAG_A_TRIGGER_TEXTS,		/* binary: the tool's trigger texts, NUL-ended */
	GODIAG_A_TRIGGER_INDEX,		/* u32: godiag_trigger.index that fired */
	GODIAG_A_TRIGGER_TS,		/* u64: CLOCK_MONOTONIC ns when it fired */
	GODIAG_A_TRIGGER_RECORD,	/* binary: the record that matched */
	GODIAG_A_TRIGGERS_FIRED,	/* u64: notifications queued */
	GODIAG_A_TRIGGERS_SUPPRESSED,	/* u64: matches within a cooldown */
	GODIAG_A_TRIGGER_WATCHER,	/* u32: pid of the tool's watcher, 0: none */
	GODIAG_A_BREAK_SLICE_ELEMS,	/* u32: elements of a slice word copied */
	GODIAG_A_SESSION_PERSISTENT,	/* flag: a recorder that outlives its targets */
	__GODIAG_A_MAX
};
#define GODIAG_A_MAX (__GODIAG_A_MAX - 1)

enum godiag_mode {
	GODIAG_MODE_DISCARD,		/* full buffer: drop new records, count */
	GODIAG_MODE_OVERWRITE,		/* full buffer: drop oldest (flight recorder) */
	__GODIAG_MODE_MAX
};
#define GODIAG_MODE_MAX (__GODIAG_MODE_MAX - 1)

enum godiag_state {
	GODIAG_STATE_READY,		/* created, not started */
	GODIAG_STATE_RUNNING,
	GODIAG_STATE_STOPPED,
};

#define GODIAG_EV_SYSCALL	(1U << 0)
#define GODIAG_EV_GOROUTINE	(1U << 1)
#define GODIAG_EV_BREAKPOINT	(1U << 2)
#define GODIAG_EV_ALL		(GODIAG_EV_SYSCALL | GODIAG_EV_GOROUTINE | \
				 GODIAG_EV_BREAKPOINT)

#define GODIAG_TF_FOLLOW_CHILDREN	(1U << 0)
#define GODIAG_TF_ALL			(GODIAG_TF_FOLLOW_CHILDREN)

#define GODIAG_SYSCALL_MAX		512	/* syscall numbers 0..511 */
#define GODIAG_SYSCALL_MASK_BYTES	(GODIAG_SYSCALL_MAX / 8)
#define GODIAG_HIST_BUCKETS		40	/* bucket b: [2^b, 2^(b+1)) ns */

#define GODIAG_BUFFER_MIN	(16U << 10)
#define GODIAG_BUFFER_MAX	(256U << 20)
#define GODIAG_BUFFER_DEFAULT	(1U << 20)
#define GODIAG_SESSIONS_MAX	16
#define GODIAG_SESSIONS_USER_MAX 4	/* per UID without CAP_SYS_ADMIN */
#define GODIAG_TARGETS_MAX	1024	/* per session */
#define GODIAG_PROBES_MAX	4096	/* per session */

/*
 * Lifetime. SESSION_NEW may give GODIAG_A_SESSION_MAX_LIFETIME_MS; the
 * module then stops the session that long after its creation, removes
 * its probes, marks it expired (GODIAG_A_SESSION_EXPIRED in dumps),
 * refuses to start it again or to add targets and probes to it, and
 * sends SESSION_EXPIRED (SESSION_ID, SESSION_MAX_LIFETIME_MS) on the
 * notify group. The module parameter max_lifetime_ms caps it for the
 * host: a session asked without a lifetime or with more gets the cap.
 * SESSION_NEW's reply and the dumps carry the lifetime a session got.
 *
 * Every session, target and probe operation is written to the audit
 * trail (kernel audit records of type GODIAG_AUDIT_TYPE when audit is
 * enabled, else "godiag: audit:" kernel log lines); see README.md.
 */
/*
 * Flight recorders. SESSION_NEW with GODIAG_A_SESSION_NAME creates a
 * named session: it must be in GODIAG_MODE_OVERWRITE and not
 * GODIAG_A_OWNED (it outlives the command that made it), its name is
 * 1 to GODIAG_NAME_MAX - 1 bytes of [A-Za-z0-9_.-] not starting with
 * '.' or '-', unique on the host (EEXIST). GODIAG_A_SESSION_WINDOW_MS is
 * kept for the tools (the window a snapshot holds) and reported in dumps.
 * SESSION_DEL, SESSION_START and SESSION_STOP take the name in place of
 * GODIAG_A_SESSION_ID ("no session named X": ENOENT). Dumps carry the
 * name. When the last target of a recorder exits, the module stops it
 * (its probes and tracepoints go) and keeps its records until
 * SESSION_DEL, so a snapshot after a crash still has the window before
 * it. Nothing reads a recorder until GODIAG_IOC_SNAPSHOT is asked.
 * A recorder created with GODIAG_A_SESSION_PERSISTENT (a flag for named
 * sessions only) is not stopped then: it keeps running with no target,
 * and the processes TARGET_ADD and PROBE_ADD give it later (a service
 * restarted; the same checks as for its first targets) are recorded
 * into the same buffers, after the old process's records. Dumps carry
 * the flag.
 */
#define GODIAG_NAME_MAX		32

/*
 * Triggers. TRIGGERS_SET (a recorder by id or name) with GODIAG_A_TRIGGERS
 * replaces its table (at most GODIAG_TRIGGERS_MAX entries; an empty one
 * clears it), with GODIAG_A_TRIGGER_COOLDOWN_MS (GODIAG_COOLDOWN_MIN_MS to
 * _MAX_MS, default 60 s) and GODIAG_A_TRIGGER_TEXTS (at most
 * GODIAG_TRIGGER_TEXTS_MAX bytes, kept for the tools and reported in
 * dumps); with GODIAG_A_TRIGGER_WATCHER only, it notes the pid of the
 * tool's watcher (dumps report it; the module does nothing else with it).
 * The module checks SYSCALL and BREAK entries where it writes the record
 * (sys_exit, a breakpoint's hit), on records written only, the first
 * entry that matches; USER entries are the tool's, which says one holds
 * with TRIGGER_FIRE (GODIAG_A_TRIGGER_INDEX of a USER entry). A match
 * sends TRIGGER on the notify group (SESSION_ID, SESSION_NAME,
 * TRIGGER_INDEX, TRIGGER_TS, the TRIGGER_RECORD for SYSCALL and BREAK:
 * struct godiag_rec_syscall, or the fixed part of struct
 * godiag_rec_break; TRIGGERS_FIRED, TRIGGERS_SUPPRESSED) unless one
 * fired less than the cooldown before: then it only counts it as
 * suppressed. Dumps of a recorder with triggers carry the table, the
 * cooldown, the texts, the counters, the watcher, and the last
 * TRIGGER_INDEX and TRIGGER_TS sent.
 */
#define GODIAG_TRIGGERS_MAX		64
#define GODIAG_TRIGGER_TEXTS_MAX	2048
#define GODIAG_COOLDOWN_MIN_MS		100
#define GODIAG_COOLDOWN_MAX_MS		(7U * 24 * 3600 * 1000)
#define GODIAG_COOLDOWN_DEFAULT_MS	60000
#define GODIAG_TRIG_ANY_SYSCALL		0xffffffffU

enum godiag_trig_kind {
	GODIAG_TRIG_UNSPEC,
	GODIAG_TRIG_USER,	/* evaluated by the tool: TRIGGER_FIRE */
	GODIAG_TRIG_SYSCALL,	/* a syscall record: nr arg (or ANY), duration > min_ns */
	GODIAG_TRIG_BREAK,	/* a record of breakpoint probe arg (not a RET) */
	__GODIAG_TRIG_MAX
};
#define GODIAG_TRIG_MAX (__GODIAG_TRIG_MAX - 1)

struct godiag_trigger {
	__u8 kind;		/* enum godiag_trig_kind */
	__u8 reserved;		/* zero */
	__u16 index;		/* the tool's trigger: < GODIAG_TRIGGERS_MAX */
	__u32 arg;		/* SYSCALL: number or ANY; BREAK: probe id; USER: 0 */
	__u64 min_ns;		/* SYSCALL: the duration to pass; else 0 */
};
#define GODIAG_LIFETIME_MAX_MS	0xffffffffU	/* about 49.7 days */
#define GODIAG_AUDIT_TYPE	2091		/* in 2001-2099, "unused (kernel)" */

/*
 * What a probe records. A probe is an ordinary uprobe (never a
 * uretprobe: those break Go's stack handling), armed only in the address
 * space the target had when the probe was added. Go kinds read the
 * runtime's own structures through struct godiag_go_layout.
 */
enum godiag_probe_kind {
	GODIAG_PROBE_UNSPEC,
	GODIAG_PROBE_GO_CREATE,		/* a RET of runtime.newproc1: new g in ARG_REG */
	GODIAG_PROBE_GO_START,		/* runtime.execute: g in ARG_REG */
	GODIAG_PROBE_GO_PARK,		/* runtime.gopark: g in G_REG, reason in ARG_REG */
	GODIAG_PROBE_GO_READY,		/* runtime.ready: g in ARG_REG */
	GODIAG_PROBE_GO_EXIT,		/* runtime.goexit1: g in G_REG */
	GODIAG_PROBE_BREAK,		/* a breakpoint: reads GODIAG_A_BREAK_* */
	GODIAG_PROBE_BREAK_RET,		/* a RET of a breakpoint's function */
	__GODIAG_PROBE_MAX
};
#define GODIAG_PROBE_MAX (__GODIAG_PROBE_MAX - 1)

/*
 * GODIAG_A_PROBE_JCC: the probe records only when this x86 condition
 * code (the low 4 bits of a Jcc opcode, 0x7N or 0x0f 0x8N) is false. The
 * probed instruction must be a conditional jump on it or on its negation
 * (code ^ 1): with the jump's own code the probe records when the jump
 * falls through, with the negation when it is taken.
 * A Go function opens with "cmp rsp, [r14+16]; jbe morestack"; when the
 * stack must grow, morestack restarts the function from its entry. A
 * probe on that jbe fires on every pass but records once, and the kernel
 * emulates a jump where most instructions after it must be single-stepped.
 */
#define GODIAG_JCC_MAX		15

/*
 * GODIAG_A_PROBE_FUNC_OFFSET: PROBE_ADD decodes the instructions of the
 * file from this offset (the entry of the function the probe is in, at
 * most GODIAG_PROBE_FUNC_SPAN_MAX bytes before the probe) and refuses a
 * probe offset that is not where an instruction starts (a breakpoint in
 * the middle of an instruction corrupts the process), or, with
 * GODIAG_A_PROBE_JCC, that is not a conditional jump on that condition
 * or its negation. The decode is exact for code without data between
 * its instructions, which is all Go's compiler emits; it guards against
 * a tool's mistake, not a lie about where the function starts.
 */
#define GODIAG_PROBE_FUNC_SPAN_MAX	(1U << 20)

/* x86-64 general purpose registers, in the order of their encoding. */
enum godiag_reg {
	GODIAG_REG_RAX, GODIAG_REG_RCX, GODIAG_REG_RDX, GODIAG_REG_RBX,
	GODIAG_REG_RSP, GODIAG_REG_RBP, GODIAG_REG_RSI, GODIAG_REG_RDI,
	GODIAG_REG_R8, GODIAG_REG_R9, GODIAG_REG_R10, GODIAG_REG_R11,
	GODIAG_REG_R12, GODIAG_REG_R13, GODIAG_REG_R14, GODIAG_REG_R15,
	__GODIAG_REG_MAX
};
#define GODIAG_REG_MAX (__GODIAG_REG_MAX - 1)

/*
 * Breakpoints (GODIAG_PROBE_BREAK): what a hit reads, in this order,
 * before anything is written.
 * 1. The words of GODIAG_A_BREAK_WORDS (at most GODIAG_BREAK_WORDS_MAX):
 *    each from a register, the low 8 bytes of XMMn (reg
 *    GODIAG_BREAK_XREG(n): Go passes float arguments in X0-X14, a
 *    float64 is those 8 bytes, a float32 their low 4; no hops, no
 *    flags), or from the stack at RSP + sp_off (reg
 *    GODIAG_BREAK_STACK), or from memory at the probed instruction's
 *    address + sp_off (reg GODIAG_BREAK_PCREL, any s32: a variable of
 *    the binary, as RIP-relative code reaches it, PIE or not), then
 *    through nderef pointer hops, each adding
 *    deref_off[i] to the word and loading 8 bytes there; with
 *    GODIAG_BW_NIL the last hop is not made from a zero word: the word
 *    stays zero, no fault (a nil interface's itab; a zero word before an
 *    earlier hop still faults). A word flagged
 *    GODIAG_BW_STRING is a string's pointer, the next word its length:
 *    up to GODIAG_A_BREAK_STRLEN bytes there are copied (default
 *    GODIAG_BREAK_STRLEN_DEFAULT, at most GODIAG_BREAK_STRLEN_MAX).
 *    A word flagged GODIAG_BW_SLICE is a slice's pointer, the next word
 *    its length: its first GODIAG_A_BREAK_SLICE_ELEMS elements (default
 *    GODIAG_BREAK_SLICE_ELEMS_DEFAULT, at most _MAX, never more than the
 *    length) are copied, each elem bytes (1, 2, 4 or 8: integers, bools,
 *    floats, pointers), or, with elem GODIAG_BREAK_ELEM_STRING, each a
 *    string header whose bytes are copied as a string word's are.
 *    String and slice words together are at most GODIAG_BREAK_STRINGS_MAX.
 * 2. GODIAG_A_BREAK_COND, if given: a hit that fails it is counted as
 *    filtered and goes no further.
 * 3. GODIAG_A_BREAK_EVERY N: one hit in N that passed the condition
 *    (the 1st, N+1th, ...) goes on; the others are counted as sampled out.
 * 4. GODIAG_A_BREAK_MAX_RATE N: at most N records per second of the
 *    probe; the excess is counted as rate limited.
 * 5. The record: the words, GODIAG_A_BREAK_STACK return addresses found
 *    by walking frame pointers (the first is the probed PC; with
 *    GODIAG_A_BREAK_AT_ENTRY the next is the word at RSP, the probe being
 *    before the function's frame is set up), the strings and slices'
 *    elements, and the goid of the g in GODIAG_A_PROBE_G_REG
 *    (GODIAG_A_GO_LAYOUT's g_goid).
 * PROBE_ADD refuses a breakpoint whose largest record (every string
 * and element copied in full) would exceed GODIAG_REC_SIZE_MAX.
 * A user memory read that fails leaves its word zero and flags it; it is
 * counted as a fault, never more. When a breakpoint's target goes (exit,
 * detach), its probe goes too, but PROBE_GET goes on listing its final
 * counters (no offset) until the session is destroyed.
 * GODIAG_PROBE_BREAK_RET probes record a
 * bare struct godiag_rec_break (is_ret 1, no words) with the goid: the
 * reader pairs entries and returns per goroutine.
 */
/*
 * GODIAG_A_BREAK_SPEC (optional, BREAK and BREAK_RET probes only): the
 * breakpoint as the user wrote it ("main.(*Server).handle",
 * "server.go:88"), at most GODIAG_BREAK_SPEC_MAX bytes with its NUL. The
 * module only writes it into the probe-add line of the audit trail.
 */
#define GODIAG_BREAK_SPEC_MAX		256
#define GODIAG_BREAK_WORDS_MAX		32
#define GODIAG_BREAK_DEREF_MAX		4
#define GODIAG_BREAK_STACK		0xff	/* godiag_break_word.reg: the stack */
#define GODIAG_BREAK_PCREL		0xfe	/* godiag_break_word.reg: PC + sp_off */
#define GODIAG_BREAK_XREG0		0x40	/* godiag_break_word.reg: XMM0 */
#define GODIAG_BREAK_XREGS		16	/* XMM0-XMM15 */
#define GODIAG_BREAK_XREG(n)		(GODIAG_BREAK_XREG0 + (n))
#define GODIAG_BREAK_STACK_MAX		32
#define GODIAG_BREAK_STRLEN_DEFAULT	64
#define GODIAG_BREAK_STRLEN_MAX		256
#define GODIAG_BREAK_STRINGS_MAX	8	/* string and slice words of one probe */
#define GODIAG_BREAK_SLICE_ELEMS_DEFAULT 4
#define GODIAG_BREAK_SLICE_ELEMS_MAX	16
#define GODIAG_BREAK_ELEM_STRING	16	/* godiag_break_word.elem: a string */
#define GODIAG_BREAK_SP_OFF_MAX		(1 << 20)	/* |sp_off| and |deref_off| */

#define GODIAG_BW_STRING	(1U << 0)
#define GODIAG_BW_NIL		(1U << 1)	/* zero before the last hop: 0, no fault */
#define GODIAG_BW_SLICE		(1U << 2)	/* a slice's pointer: elements copied */

struct godiag_break_word {
	__u8 reg;		/* GODIAG_REG_*, _XREG(n), GODIAG_BREAK_STACK or _PCREL */
	__u8 nderef;		/* 0..GODIAG_BREAK_DEREF_MAX */
	__u8 flags;		/* GODIAG_BW_* */
	__u8 elem;		/* GODIAG_BW_SLICE: 1, 2, 4, 8 or _ELEM_STRING; else 0 */
	__s32 sp_off;		/* STACK: RSP + sp_off; PCREL: PC + sp_off */
	__s32 deref_off[GODIAG_BREAK_DEREF_MAX];
};

enum godiag_cond_op {
	GODIAG_COND_EQ,
	GODIAG_COND_NE,
	GODIAG_COND_LT,
	GODIAG_COND_LE,
	GODIAG_COND_GT,
	GODIAG_COND_GE,
	GODIAG_COND_PREFIX,	/* strings only */
	__GODIAG_COND_MAX
};
#define GODIAG_COND_MAX (__GODIAG_COND_MAX - 1)

#define GODIAG_CF_SIGNED	(1U << 0)	/* compare as a signed integer */
#define GODIAG_CF_STRING	(1U << 1)	/* word is a GODIAG_BW_STRING word */
#define GODIAG_CF_FLOAT		(1U << 2)	/* compare as an IEEE 754 float */
#define GODIAG_COND_STR_MAX	64

/*
 * An integer condition compares the low size bytes of a word (sign-
 * or zero-extended) with value; a float condition (size 4: float32, 8:
 * float64; no PREFIX) the low size bytes of a word with the float whose
 * bits are value's low size bytes, as IEEE 754 orders them (-0 == +0; a
 * NaN word meets only NE; value must be no NaN); a string condition
 * (EQ, NE, PREFIX) compares the string at a GODIAG_BW_STRING word with
 * str[0..len).
 */
struct godiag_break_cond {
	__u8 word;		/* index into GODIAG_A_BREAK_WORDS */
	__u8 op;		/* enum godiag_cond_op */
	__u8 size;		/* integer: 1, 2, 4 or 8; string: 0 */
	__u8 flags;		/* GODIAG_CF_* */
	__u32 len;		/* string: bytes of str used */
	__u64 value;
	char str[GODIAG_COND_STR_MAX];
};

/*
 * Byte offsets of runtime.g fields, from the binary's DWARF or from
 * godiagctl's per-Go-version table. Each field is 8 bytes; 0 means the
 * field does not exist in that version (parentGoid before Go 1.21).
 */
struct godiag_go_layout {
	__u16 g_goid;
	__u16 g_parent_goid;
	__u16 g_gopc;
	__u16 g_startpc;
	__u16 reserved[4];	/* zero */
};

#define GODIAG_GO_FIELD_MAX	4088	/* largest offset a layout may name */

/* ------------------------------------------------------------------ */
/* /dev/godiag                                                         */
/* ------------------------------------------------------------------ */

/*
 * A reader binds its fd to one session, then read()s whole records from
 * all CPUs (EOF once the session is stopped and drained), or mmaps one
 * CPU's buffer: page 0 is struct godiag_mmap_page (data_tail writable),
 * the following buffer_size bytes are the records, read-only.
 * The mmap offset of CPU c is c * GODIAG_MMAP_STRIDE(buffer_size).
 */
#define GODIAG_IOC_MAGIC	0xd1
#define GODIAG_IOC_BIND		_IOW(GODIAG_IOC_MAGIC, 1, __u32)

/*
 * GODIAG_IOC_SNAPSHOT, on a bound fd: copy one CPU's buffer without
 * consuming it (the writers go on). The kernel copies the bytes from
 * data_tail to data_head (at most len, which must be at least the
 * session's buffer size) to buf, then loads data_tail again: the bytes
 * from (new tail - first) on are whole records as the writer left them;
 * those before it may have been overwritten during the copy and must be
 * dropped. first: position of buf[0]; valid_from: the new tail (>=
 * first; past head when the writer lapped the copy: nothing valid);
 * head: the position after the last byte. written and lost are the
 * CPU's counters read after the second tail load.
 */
struct godiag_snapshot {
	__u32 cpu;		/* in: a possible CPU */
	__u32 reserved;		/* in: zero */
	__u64 buf;		/* in: user address */
	__u64 len;		/* in: bytes at buf */
	__u64 first;		/* out */
	__u64 valid_from;	/* out */
	__u64 head;		/* out */
	__u64 written;		/* out */
	__u64 lost;		/* out */
};

#define GODIAG_IOC_SNAPSHOT	_IOWR(GODIAG_IOC_MAGIC, 2, struct godiag_snapshot)

struct godiag_mmap_page {
	__u64 data_head;	/* bytes committed; read with acquire */
	__u64 data_tail;	/* bytes consumed; reader writes with release */
	__u64 data_size;	/* bytes in the record area (power of two) */
	__u64 lost;		/* records lost on this CPU */
	__u32 version;		/* GODIAG_ABI_VERSION */
	__u32 cpu;
};

#define GODIAG_MMAP_STRIDE(bufsz, pagesz)	((__u64)(bufsz) + (pagesz))

/* ------------------------------------------------------------------ */
/* Records                                                             */
/* ------------------------------------------------------------------ */

/*
 * Every record starts with this header. size covers header and payload
 * and is a multiple of 8; records never wrap around the end of a buffer
 * (a PAD record fills the tail instead). ts_ns is CLOCK_MONOTONIC.
 */
struct godiag_rec {
	__u16 type;		/* enum godiag_rec_type */
	__u16 size;
	__u16 flags;		/* GODIAG_RF_* */
	__u16 cpu;
	__u32 tgid;
	__u32 tid;
	__u64 ts_ns;
	__u64 goid;		/* 0 when unknown */
};

enum godiag_rec_type {
	GODIAG_REC_PAD,		/* filler: skip */
	GODIAG_REC_LOST,	/* struct godiag_rec_lost */
	GODIAG_REC_SYSCALL,	/* struct godiag_rec_syscall */
	GODIAG_REC_GO_CREATE,	/* reserved for goroutine events */
	GODIAG_REC_GO_START,
	GODIAG_REC_GO_PARK,
	GODIAG_REC_GO_READY,
	GODIAG_REC_GO_EXIT,
	GODIAG_REC_BREAKPOINT,
	GODIAG_REC_TARGET_EXIT,	/* struct godiag_rec_target_exit */
	__GODIAG_REC_MAX
};

#define GODIAG_RF_FAULT		(1U << 0)	/* a user memory read failed */
#define GODIAG_RF_TRUNCATED	(1U << 1)	/* payload cut to fit */

/* "count records were lost on cpu between first_ns and last_ns" */
struct godiag_rec_lost {
	struct godiag_rec hdr;
	__u64 count;
	__u64 first_ns;
	__u64 last_ns;
};

/* hdr.ts_ns is the exit time; duration_ns = exit - enter. */
struct godiag_rec_syscall {
	struct godiag_rec hdr;
	__u64 enter_ns;
	__u64 duration_ns;
	__s64 ret;
	__u32 nr;
	__u32 reserved;
};

/*
 * Goroutine events (GO_CREATE .. GO_EXIT). hdr.goid is the goroutine the
 * thread was running when the event fired (for GO_START: the one it ran
 * before, 0 when it came from the scheduler); goid is the goroutine the
 * event is about. Fields an event does not use are zero. A failed user
 * memory read sets GODIAG_RF_FAULT and leaves the field zero.
 */
struct godiag_rec_go {
	struct godiag_rec hdr;
	__u64 goid;
	__u64 other_goid;	/* CREATE: parent; READY: readier (0: runtime) */
	__u64 pc;		/* CREATE: PC of the go statement (g.gopc) */
	__u64 start_pc;		/* CREATE: entry of its function (g.startpc) */
	__u32 reason;		/* PARK: the runtime's waitReason value */
	__u32 reserved;
};

/*
 * GODIAG_REC_BREAKPOINT: hdr.goid is the goroutine that hit the probe.
 * After the fixed part: __u64 words[nwords], __u64 stack[nstack], then
 * nstr copies, one per string or slice word in word order, each struct
 * godiag_rec_str followed by copied bytes and padding to 8. Bit i of
 * fault_mask: words[i] could not be read. A string's copy is its first
 * bytes, len its length. A slice's is its first elements, len its length:
 * copied / elem of them, or, for string elements, one struct
 * godiag_rec_str per element (word: the element's index; len, copied,
 * flags: the element string's) followed by its bytes and padding to 8,
 * copied covering them all.
 */
struct godiag_rec_break {
	struct godiag_rec hdr;
	__u32 probe_id;
	__u32 fault_mask;
	__u8 nwords;
	__u8 nstack;
	__u8 nstr;
	__u8 is_ret;		/* a GODIAG_PROBE_BREAK_RET hit */
	__u32 reserved;
};

#define GODIAG_RS_FAULT		(1U << 0)	/* the bytes could not be read: zeros */

struct godiag_rec_str {
	__u8 word;		/* index of the pointer word (an element: its index) */
	__u8 flags;		/* GODIAG_RS_* */
	__u16 copied;		/* bytes that follow, padding not counted */
	__u32 len;		/* the string's or slice's length (its length word) */
};

struct godiag_rec_target_exit {
	struct godiag_rec hdr;
	__u32 exit_code;
	__u32 reserved;
};

#define GODIAG_REC_SIZE_MAX	4096

#endif /* GODIAG_ABI_H */
