// SPDX-License-Identifier: GPL-2.0
/*
 * The audit trail: one line for every session create, start, stop and
 * destroy, target add and remove, and probe add and remove, saying who
 * did it (uid, euid, login uid and audit session, pid, command), to
 * which process (pid, command, executable, build id), why (cause: a
 * request, or the module itself: the target exited, the session's
 * lifetime passed, its owner's socket closed, the module was unloaded)
 * and when. README.md lists the fields.
 *
 * When the kernel's audit is enabled (audit=1, or auditd enabled it) a
 * line is an audit record of type GODIAG_AUDIT_TYPE, which auditd or
 * journald collect with the rest; otherwise it is a rate-limited
 * "godiag: audit:" line in the kernel log.
 *
 * Every caller holds godiag_mutex (configuration is serialised by it),
 * so the line and the buffers below are static: nothing is allocated
 * here, and the only sleeps are kernel_read() of the executable and the
 * audit backlog wait, both fine under a mutex.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/audit.h>
#include <linux/cred.h>
#include <linux/elf.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/path.h>
#include <linux/ratelimit.h>
#include <linux/sched/mm.h>
#include <linux/string.h>
#include <linux/time.h>
#include <linux/timekeeping.h>

#include "godiag.h"

#define LINE_BYTES	2048
#define PATH_SHOWN	512	/* bytes of a path written (hex doubles them) */
#define PHDRS_MAX	64	/* program headers looked at */
#define NOTE_SEGS_MAX	4	/* PT_NOTE segments read */
#define NOTES_BYTES	4096	/* bytes of each read */
#define GNU_ID_MAX	64
#define GO_ID_MAX	128
#define NOTE_GNU_BUILD_ID 3
#define NOTE_GO_BUILD_ID  4

static const char *cause = "request";
static char line[LINE_BYTES];
static size_t len;
static char path_buf[PATH_MAX];
static Elf64_Phdr phdrs[PHDRS_MAX];
static u8 notes[NOTES_BYTES];
/* Without audit: bursts of 200 lines every 5 s at most. */
static DEFINE_RATELIMIT_STATE(log_rs, 5 * HZ, 200);

/* What the module does on its own says why; returns the cause before. */
const char *godiag_audit_cause(const char *c)
{
	const char *old = cause;

	lockdep_assert_held(&godiag_mutex);
	cause = c;
	return old;
}

static __printf(1, 2) void add(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	len += vscnprintf(line + len, sizeof(line) - len, fmt, ap);
	va_end(ap);
}

/* As audit writes untrusted strings: quoted when plain, else in hex. */
static void add_str(const char *key, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char ch = s[i];

		if (ch == '"' || ch < 0x21 || ch > 0x7e)
			break;
	}
	if (i == n) {
		add(" %s=\"%.*s\"", key, (int)n, s);
		return;
	}
	add(" %s=", key);
	for (i = 0; i < n; i++)
		add("%02X", (unsigned char)s[i]);
}

static void add_comm(const char *key, const char *comm)
{
	add_str(key, comm, strnlen(comm, TASK_COMM_LEN));
}

static void add_path(const char *key, const struct path *path)
{
	char *p = d_path(path, path_buf, sizeof(path_buf));

	if (IS_ERR(p))
		add(" %s=?", key);
	else
		add_str(key, p, min_t(size_t, strlen(p), PATH_SHOWN));
}

static void begin(const char *op, struct godiag_session *s)
{
	const struct cred *cred = current_cred();
	char comm[TASK_COMM_LEN];

	lockdep_assert_held(&godiag_mutex);
	len = 0;
	line[0] = '\0';
	get_task_comm(comm, current);
	add("op=%s cause=%s sid=%u events=0x%x", op, cause, s->id, s->events);
	add(" uid=%u euid=%u auid=%u ses=%u pid=%d",
	    from_kuid(&init_user_ns, cred->uid), from_kuid(&init_user_ns, cred->euid),
	    from_kuid(&init_user_ns, audit_get_loginuid(current)),
	    audit_get_sessionid(current), task_tgid_nr(current));
	add_comm("comm", comm);
}

static void emit(void)
{
	struct audit_buffer *ab;
	struct timespec64 ts;
	struct tm tm;

	ktime_get_real_ts64(&ts);
	time64_to_tm(ts.tv_sec, 0, &tm);
	add(" time=%04ld-%02d-%02dT%02d:%02d:%02d.%06luZ", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
	    (unsigned long)ts.tv_nsec / 1000);
	if (audit_enabled != AUDIT_OFF) {
		/* NULL: filtered out by the administrator's rules, or lost (counted by audit). */
		ab = audit_log_start(audit_context(), GFP_KERNEL, GODIAG_AUDIT_TYPE);
		if (ab) {
			audit_log_format(ab, "%s", line);
			audit_log_end(ab);
		}
		return;
	}
	if (__ratelimit(&log_rs))
		pr_info("audit: %s\n", line);
}

/* ---- build ids ------------------------------------------------------ */

static int read_at(struct file *f, loff_t pos, void *buf, size_t n)
{
	ssize_t r = kernel_read(f, buf, n, &pos);

	return r == n ? 0 : -EIO;
}

struct build_id {
	bool gnu;
	u32 len;			/* 0: none found */
	u8 id[GO_ID_MAX];
};

/* The GNU build id or Go's in the notes at @p; the GNU one wins. */
static void scan_notes(const u8 *p, size_t n, size_t align, struct build_id *b)
{
	size_t off = 0;

	while (off + sizeof(Elf64_Nhdr) <= n) {
		const Elf64_Nhdr *nh = (const void *)(p + off);
		size_t name = off + sizeof(*nh), desc, next;

		if (nh->n_namesz > n || nh->n_descsz > n)
			return;
		desc = name + ALIGN((size_t)nh->n_namesz, align);
		next = desc + ALIGN((size_t)nh->n_descsz, align);
		if (desc + nh->n_descsz > n)
			return;
		if (nh->n_type == NOTE_GNU_BUILD_ID && nh->n_namesz == 4 &&
		    !memcmp(p + name, "GNU", 4) && nh->n_descsz &&
		    nh->n_descsz <= GNU_ID_MAX && !b->gnu) {
			b->gnu = true;
			b->len = nh->n_descsz;
			memcpy(b->id, p + desc, b->len);
		} else if (nh->n_type == NOTE_GO_BUILD_ID && nh->n_namesz == 4 &&
			   !memcmp(p + name, "Go\0\0", 4) && nh->n_descsz &&
			   nh->n_descsz <= GO_ID_MAX && !b->len) {
			b->len = nh->n_descsz;
			memcpy(b->id, p + desc, b->len);
		}
		off = next;
	}
}

/*
 * The build id of an ELF file: a few bounded reads (the ELF header, at
 * most PHDRS_MAX program headers, the first 4 KiB of at most
 * NOTE_SEGS_MAX PT_NOTE segments), mostly from the page cache of a
 * running binary.
 */
static void find_build_id(struct file *f, struct build_id *b)
{
	Elf64_Ehdr eh;
	int i, segs = 0;

	if (read_at(f, 0, &eh, sizeof(eh)) || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh.e_phentsize != sizeof(Elf64_Phdr) || !eh.e_phnum ||
	    eh.e_phnum > PHDRS_MAX ||
	    read_at(f, eh.e_phoff, phdrs, eh.e_phnum * sizeof(Elf64_Phdr)))
		return;
	for (i = 0; i < eh.e_phnum && segs < NOTE_SEGS_MAX && !b->gnu; i++) {
		const Elf64_Phdr *ph = &phdrs[i];
		size_t n = min_t(u64, ph->p_filesz, sizeof(notes));

		if (ph->p_type != PT_NOTE)
			continue;
		segs++;
		if (!read_at(f, ph->p_offset, notes, n))
			scan_notes(notes, n, ph->p_align == 8 ? 8 : 4, b);
	}
}

static void add_build_id(struct file *f)
{
	struct build_id b = {};
	u32 i;

	find_build_id(f, &b);
	if (!b.len) {
		add(" build_id=?");
		return;
	}
	add(" build_id=%s:", b.gnu ? "gnu" : "go");
	for (i = 0; i < b.len; i++) {
		if (b.gnu)
			add("%02x", b.id[i]);
		else if (b.id[i] > 0x20 && b.id[i] < 0x7f && b.id[i] != '"')
			add("%c", b.id[i]);
		else
			add("?");
	}
}

/* ---- the operations ------------------------------------------------- */

void godiag_audit_session(const char *op, struct godiag_session *s)
{
	begin(op, s);
	if (!strcmp(op, "session-create"))
		add(" mode=%u buffer=%u owned=%d max_lifetime_ms=%u", s->mode,
		    s->bufsize, !!s->owner_portid, s->max_lifetime_ms);
	/* Names are [A-Za-z0-9_.-] (netlink.c): nothing to quote. */
	if (!strcmp(op, "session-create") && s->name[0])
		add(" name=%s%s", s->name, s->persistent ? " persistent=1" : "");
	emit();
}

void godiag_audit_target_add(struct godiag_target *t, struct task_struct *task)
{
	struct mm_struct *mm = get_task_mm(task);
	struct file *exe = mm ? godiag_mm_exe_file(mm) : NULL;

	if (mm)
		mmput(mm);
	get_task_comm(t->comm, task);
	begin("target-add", t->session);
	add(" target_pid=%d", t->tgid);
	add_comm("target_comm", t->comm);
	add(" flags=0x%x", t->flags);
	if (exe) {
		add_path("target_exe", &exe->f_path);
		add_build_id(exe);
		fput(exe);
	} else {
		add(" target_exe=? build_id=?");
	}
	emit();
}

void godiag_audit_target_remove(struct godiag_target *t)
{
	begin("target-remove", t->session);
	add(" target_pid=%d", t->tgid);
	add_comm("target_comm", t->comm);
	if (!atomic_read(&t->nr_procs))
		add(" exit_code=%u", READ_ONCE(t->exit_code));
	emit();
}

static const char *const kind_names[] = {
	[GODIAG_PROBE_GO_CREATE] = "go-create",
	[GODIAG_PROBE_GO_START] = "go-start",
	[GODIAG_PROBE_GO_PARK] = "go-park",
	[GODIAG_PROBE_GO_READY] = "go-ready",
	[GODIAG_PROBE_GO_EXIT] = "go-exit",
	[GODIAG_PROBE_BREAK] = "break",
	[GODIAG_PROBE_BREAK_RET] = "break-ret",
};

static const char *kind_name(u32 kind)
{
	return kind < ARRAY_SIZE(kind_names) && kind_names[kind] ? kind_names[kind] : "?";
}

/* A probe placed: @path is the file it is in, as the module opened it. */
void godiag_audit_probe_add(struct godiag_session *s, u32 id, pid_t tgid,
			    const struct path *path, const struct godiag_probe_spec *spec)
{
	begin("probe-add", s);
	add(" probe_id=%u target_pid=%d kind=%s", id, tgid, kind_name(spec->kind));
	add_path("path", path);
	add(" offset=0x%llx func_offset=0x%llx jcc=%d", spec->offset, spec->func_offset,
	    spec->jcc);
	if (spec->break_spec)
		add_str("spec", spec->break_spec, strlen(spec->break_spec));
	emit();
}

/* A probe removed: named by its id, kind and offset. */
void godiag_audit_probe_remove(struct godiag_session *s, u32 id, pid_t tgid, u32 kind,
			       u64 offset)
{
	begin("probe-remove", s);
	add(" probe_id=%u target_pid=%d kind=%s offset=0x%llx", id, tgid, kind_name(kind),
	    offset);
	emit();
}
