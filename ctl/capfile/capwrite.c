// SPDX-License-Identifier: GPL-2.0
/*
 * The capture file writer. Everything goes through one buffer; records
 * are appended into an open RECORDS section in place, and its length is
 * filled in when the section closes (before any flush), so the file
 * never holds a section header whose length is wrong.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "base/util.h"
#include "capfile/capfile.h"

#define CAPW_BUF_SIZE	(1U << 20)
#define NO_SECTION	SIZE_MAX

static const uint8_t zeros[CAPFILE_ALIGN];

static size_t pad_len(size_t n)
{
	return (CAPFILE_ALIGN - n % CAPFILE_ALIGN) % CAPFILE_ALIGN;
}

static void write_all(struct capw *w, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n && !w->err) {
		ssize_t done = write(w->fd, b, n);

		if (done < 0 && errno == EINTR)
			continue;
		if (done < 0) {
			w->err = errno;
			return;
		}
		b += done;
		n -= (size_t)done;
	}
}

/*
 * Compresses the payload of section s into w->zbuf. Returns the size of
 * the ZSTD section's payload (the inner header and the frame), or 0 when
 * compression is off, fails or does not save at least CAPFILE_ALIGN bytes
 * over the plain section (so the compressed one, padded, never takes more
 * room than the plain one).
 */
static size_t zstd_payload(struct capw *w, const struct capfile_section *s,
			   const void *payload)
{
	size_t bound, n;

	if (!w->zlevel || s->type == CAPFILE_SEC_END || s->length > CAPFILE_ZSTD_MAX ||
	    (s->type != CAPFILE_SEC_RECORDS && s->length < CAPW_ZSTD_MIN))
		return 0;
	bound = ZSTD_compressBound((size_t)s->length) + sizeof(*s);
	if (bound > w->zcap) {
		free(w->zbuf);
		w->zbuf = xmalloc(bound);
		w->zcap = bound;
	}
	memcpy(w->zbuf, s, sizeof(*s));
	n = ZSTD_compress2(w->zctx, w->zbuf + sizeof(*s), w->zcap - sizeof(*s), payload,
			   (size_t)s->length);
	if (ZSTD_isError(n) || sizeof(*s) + n + CAPFILE_ALIGN > s->length)
		return 0;
	w->zin += s->length;
	w->zout += sizeof(*s) + n;
	return sizeof(*s) + n;
}

/* Fills in the open RECORDS section's length; records are 8-byte multiples. */
static void close_records(struct capw *w)
{
	struct capfile_section s = { .type = CAPFILE_SEC_RECORDS };
	size_t z;

	if (w->rec_sec == NO_SECTION)
		return;
	s.length = w->len - w->rec_sec - sizeof(s);
	z = zstd_payload(w, &s, w->buf + w->rec_sec + sizeof(s));
	if (z) {
		/* In place: the ZSTD section is shorter than the plain one. */
		struct capfile_section zs = {
			.type = CAPFILE_SEC_ZSTD, .flags = CAPFILE_SF_REQUIRED, .length = z,
		};

		memcpy(w->buf + w->rec_sec, &zs, sizeof(zs));
		memcpy(w->buf + w->rec_sec + sizeof(zs), w->zbuf, z);
		memset(w->buf + w->rec_sec + sizeof(zs) + z, 0, pad_len(z));
		w->len = w->rec_sec + sizeof(zs) + z + pad_len(z);
	} else {
		memcpy(w->buf + w->rec_sec, &s, sizeof(s));
	}
	w->rec_sec = NO_SECTION;
}

void capw_flush(struct capw *w)
{
	close_records(w);
	write_all(w, w->buf, w->len);
	w->len = 0;
}

/* Appends n bytes; what does not fit in the buffer goes straight out. */
static void put(struct capw *w, const void *p, size_t n)
{
	if (w->len + n > w->cap)
		capw_flush(w);
	if (n > w->cap) {
		write_all(w, p, n);
		return;
	}
	memcpy(w->buf + w->len, p, n);
	w->len += n;
}

void capw_init(struct capw *w, int fd)
{
	struct capfile_header h = {
		.version = CAPFILE_VERSION,
		.header_size = sizeof(h),
		.abi_version = GODIAG_ABI_VERSION,
	};

	memset(w, 0, sizeof(*w));
	w->fd = fd;
	w->cap = CAPW_BUF_SIZE;
	w->buf = xmalloc(w->cap);
	w->rec_sec = NO_SECTION;
	memcpy(h.magic, CAPFILE_MAGIC, CAPFILE_MAGIC_LEN);
	put(w, &h, sizeof(h));
}

void capw_compress(struct capw *w, int level)
{
	if (!w->zctx)
		w->zctx = ZSTD_createCCtx();
	if (!w->zctx)
		die(EXIT_OPFAIL, "out of memory");
	/* A checksum of the content: damage is an error, not other records. */
	if (ZSTD_isError(ZSTD_CCtx_setParameter(w->zctx, ZSTD_c_compressionLevel, level)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(w->zctx, ZSTD_c_checksumFlag, 1)))
		die(EXIT_OPFAIL, "zstd refuses level %d", level);
	w->zlevel = level;
}

void capw_section(struct capw *w, uint32_t type, uint32_t flags,
		  const void *payload, size_t len)
{
	struct capfile_section s = { .type = type, .flags = flags, .length = len };
	size_t z;

	close_records(w);
	z = zstd_payload(w, &s, payload);
	if (z) {
		s.type = CAPFILE_SEC_ZSTD;
		s.flags = CAPFILE_SF_REQUIRED;
		s.length = z;
		payload = w->zbuf;
		len = z;
	}
	put(w, &s, sizeof(s));
	put(w, payload, len);
	put(w, zeros, pad_len(len));
}

void capw_record(struct capw *w, const void *rec, size_t len)
{
	if (w->rec_sec != NO_SECTION && w->len + len > w->cap)
		capw_flush(w);
	if (w->rec_sec == NO_SECTION) {
		if (w->len + sizeof(struct capfile_section) + len > w->cap)
			capw_flush(w);
		w->rec_sec = w->len;
		w->len += sizeof(struct capfile_section);
	}
	memcpy(w->buf + w->len, rec, len);
	w->len += len;
	w->records++;
	w->record_bytes += len;
}

/* The reader refuses control characters in text: replace them. */
static void sanitize(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = (*s == '\t') ? '\t' : '?';
}

void capw_meta_add(char **text, size_t *len, const char *key, const char *fmt, ...)
{
	char value[CAPFILE_META_VALUE_MAX + 1];
	size_t need;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	sanitize(value);
	need = strlen(key) + 1 + strlen(value) + 1;
	*text = xreallocarray(*text, *len + need + 1, 1);
	snprintf(*text + *len, need + 1, "%s=%s\n", key, value);
	*len += need;
}

void capw_target(struct capw *w, const struct capfile_target *t)
{
	struct capfile_target_head h = { .pid = t->pid, .flags = t->flags };
	char comm[sizeof(t->comm)], exe[sizeof(t->exe)];
	uint8_t *payload;
	size_t len;

	snprintf(comm, sizeof(comm), "%s", t->comm);
	snprintf(exe, sizeof(exe), "%s", t->exe);
	sanitize(comm);
	sanitize(exe);
	h.comm_len = (uint32_t)strlen(comm);
	h.exe_len = (uint32_t)strlen(exe);
	len = sizeof(h) + h.comm_len + h.exe_len;
	len += pad_len(len);
	payload = xcalloc(1, len);
	memcpy(payload, &h, sizeof(h));
	memcpy(payload + sizeof(h), comm, h.comm_len);
	memcpy(payload + sizeof(h) + h.comm_len, exe, h.exe_len);
	capw_section(w, CAPFILE_SEC_TARGETS, 0, payload, len);
	free(payload);
}

void capw_note(struct capw *w, const char *fmt, ...)
{
	char text[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	sanitize(text);
	capw_section(w, CAPFILE_SEC_NOTE, 0, text, strlen(text));
}

void capw_stats(struct capw *w, uint32_t flags,
		const struct capfile_cpu_stats *cpus, uint32_t n)
{
	struct capfile_stats_head h = {
		.nr_cpus = n,
		.entry_size = sizeof(*cpus),
		.flags = flags,
	};
	size_t len = sizeof(h) + (size_t)n * sizeof(*cpus);
	uint8_t *payload = xmalloc(len);

	memcpy(payload, &h, sizeof(h));
	if (n)
		memcpy(payload + sizeof(h), cpus, (size_t)n * sizeof(*cpus));
	capw_section(w, CAPFILE_SEC_STATS, 0, payload, len);
	free(payload);
}

void capw_goinfo(struct capw *w, const struct capfile_goinfo *head,
		 char *const *reasons, size_t n)
{
	struct capfile_goinfo h;
	size_t i, len = 0, at;
	uint8_t *payload;

	memset(&h, 0, sizeof(h));
	h.pid = head->pid;
	h.load_bias = head->load_bias;
	/* Up to its NUL only: nothing else of the caller's array goes out. */
	memcpy(h.go_version, head->go_version,
	       strnlen(head->go_version, sizeof(h.go_version) - 1));
	sanitize(h.go_version);
	if (n > CAPFILE_REASONS_MAX)
		n = CAPFILE_REASONS_MAX;
	for (i = 0; i < n; i++)
		len += strlen(reasons[i] ? reasons[i] : "") + 1;
	if (len > UINT32_MAX) {
		if (!w->err)
			w->err = EOVERFLOW;
		return;
	}
	h.nreasons = (uint32_t)n;
	h.strings_len = (uint32_t)len;
	payload = xmalloc(sizeof(h) + len);
	memcpy(payload, &h, sizeof(h));
	for (i = 0, at = sizeof(h); i < n; i++) {
		const char *r = reasons[i] ? reasons[i] : "";
		size_t rlen = strlen(r) + 1;

		memcpy(payload + at, r, rlen);
		sanitize((char *)payload + at);
		at += rlen;
	}
	capw_section(w, CAPFILE_SEC_GOINFO, 0, payload, sizeof(h) + len);
	free(payload);
}

/* The SYMS string bytes, each distinct string once (open addressing). */
struct strtab {
	char *buf;
	size_t len, cap;
	uint32_t *slots;	/* offset + 1 of a string in buf, 0: empty */
	size_t nslots, used;
};

static uint64_t str_hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL;	/* FNV-1a */

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ULL;
	return h;
}

static void strtab_grow(struct strtab *t)
{
	uint32_t *old = t->slots;
	size_t n = t->nslots, i, j;

	t->nslots = n ? n * 2 : 256;
	t->slots = xcalloc(t->nslots, sizeof(*t->slots));
	for (i = 0; i < n; i++) {
		if (!old[i])
			continue;
		j = str_hash(t->buf + old[i] - 1) & (t->nslots - 1);
		while (t->slots[j])
			j = (j + 1) & (t->nslots - 1);
		t->slots[j] = old[i];
	}
	free(old);
}

/* The offset of s (sanitized) in the string bytes, added when new; -1 past 4 GiB. */
static int64_t strtab_add(struct strtab *t, const char *raw)
{
	char *s = xstrdup(raw);
	size_t n = strlen(s) + 1, j;
	int64_t off = -1;

	sanitize(s);

	if ((t->used + 1) * 2 > t->nslots)
		strtab_grow(t);
	j = str_hash(s) & (t->nslots - 1);
	while (t->slots[j]) {
		if (!strcmp(t->buf + t->slots[j] - 1, s)) {
			off = t->slots[j] - 1;
			goto out;
		}
		j = (j + 1) & (t->nslots - 1);
	}
	if (t->len + n >= UINT32_MAX)
		goto out;
	if (t->len + n > t->cap) {
		t->cap = (t->len + n) * 2;
		t->buf = xreallocarray(t->buf, t->cap, 1);
	}
	memcpy(t->buf + t->len, s, n);
	t->slots[j] = (uint32_t)t->len + 1;
	t->used++;
	off = (int64_t)t->len;
	t->len += n;
out:
	free(s);
	return off;
}

/* By pc, then by position in the caller's array: the first of a pc wins. */
static int cmp_sym_order(const void *a, const void *b)
{
	const struct capw_sym *const *x = a, *const *y = b;

	if ((*x)->pc != (*y)->pc)
		return (*x)->pc < (*y)->pc ? -1 : 1;
	return (*x > *y) - (*x < *y);
}

void capw_syms(struct capw *w, uint32_t pid, const struct capw_sym *syms, size_t n)
{
	struct capfile_syms_head h = { .pid = pid };
	const struct capw_sym **order = xcalloc(n ? n : 1, sizeof(*order));
	struct capfile_sym *ents = xcalloc(n ? n : 1, sizeof(*ents));
	struct strtab t = { 0 };
	size_t i, count = 0, len;
	uint8_t *payload;

	for (i = 0; i < n; i++)
		order[i] = &syms[i];
	if (n > 1)
		qsort(order, n, sizeof(*order), cmp_sym_order);
	for (i = 0; i < n; i++) {
		const struct capw_sym *s = order[i];
		int64_t func, file, start = -1;

		if (count && ents[count - 1].pc == s->pc)
			continue;
		func = strtab_add(&t, s->func ? s->func : "");
		file = strtab_add(&t, s->file ? s->file : "");
		if (s->start)
			start = strtab_add(&t, s->start);
		if (func < 0 || file < 0 || (s->start && start < 0) || count >= UINT32_MAX) {
			if (!w->err)
				w->err = EOVERFLOW;
			goto out;
		}
		ents[count].pc = s->pc;
		ents[count].func_off = (uint32_t)func;
		ents[count].file_off = (uint32_t)file;
		ents[count].line = s->line;
		ents[count].start_off = s->start ? (uint32_t)start + 1 : 0;
		count++;
	}
	h.count = (uint32_t)count;
	h.strings_len = (uint32_t)t.len;
	len = sizeof(h) + count * sizeof(*ents) + t.len;
	payload = xmalloc(len);
	memcpy(payload, &h, sizeof(h));
	if (count)
		memcpy(payload + sizeof(h), ents, count * sizeof(*ents));
	if (t.len)
		memcpy(payload + sizeof(h) + count * sizeof(*ents), t.buf, t.len);
	capw_section(w, CAPFILE_SEC_SYMS, 0, payload, len);
	free(payload);
out:
	free(order);
	free(ents);
	free(t.buf);
	free(t.slots);
}

void capw_end(struct capw *w, uint64_t realtime_ns, uint64_t monotonic_ns)
{
	struct capfile_end e = {
		.realtime_ns = realtime_ns,
		.monotonic_ns = monotonic_ns,
		.records = w->records,
		.record_bytes = w->record_bytes,
	};

	capw_section(w, CAPFILE_SEC_END, 0, &e, sizeof(e));
	capw_flush(w);
}

int capw_error(const struct capw *w)
{
	return w->err;
}

int capw_close(struct capw *w)
{
	capw_flush(w);
	if (close(w->fd) && !w->err)
		w->err = errno;
	w->fd = -1;
	free(w->buf);
	w->buf = NULL;
	free(w->zbuf);
	w->zbuf = NULL;
	ZSTD_freeCCtx(w->zctx);
	w->zctx = NULL;
	return w->err;
}
