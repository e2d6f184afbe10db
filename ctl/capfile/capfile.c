// SPDX-License-Identifier: GPL-2.0
/*
 * The capture file reader. It parses a file held in memory and trusts
 * nothing in it: every length is checked against the bytes left before it
 * is used, structures are copied out with memcpy (the buffer may have any
 * alignment), and text must be printable, so a corrupt, truncated or
 * hostile file ends in a one-line error. It is the libFuzzer entry point.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "capfile/capfile.h"

struct parser {
	const uint8_t *buf;
	size_t len;
	const struct capfile_visitor *v;
	void *arg;
	char *err;
	size_t errlen;
	uint64_t records;
	bool ended;
	bool cut;		/* the data ended inside a section or the header */
	uint32_t cut_section;	/* the type of that section, 0: header or between */
};

__attribute__((format(printf, 2, 3)))
static int fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * The data ends inside the section of this type (0: inside the header,
 * or a section's header): what came before it stands, the parse stops.
 */
static int cut(struct parser *p, uint32_t type)
{
	p->cut = true;
	p->cut_section = type;
	return 0;
}

static uint32_t get_u32(const uint8_t *b)
{
	uint32_t v;

	memcpy(&v, b, sizeof(v));
	return v;
}

static size_t pad8(size_t n)
{
	return (n + CAPFILE_ALIGN - 1) & ~(size_t)(CAPFILE_ALIGN - 1);
}

/* Tab and printable bytes; UTF-8 sequences are bytes >= 0x80. */
static bool text_ok(const uint8_t *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7f)
			return false;
	return true;
}

static bool key_ok(const uint8_t *s, size_t n)
{
	size_t i;

	if (n == 0 || n > CAPFILE_META_KEY_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '_'))
			return false;
	return true;
}

/* One "key=value" line at s (n bytes, newline excluded). */
static int meta_line(struct parser *p, const uint8_t *s, size_t n, size_t at)
{
	char key[CAPFILE_META_KEY_MAX + 1], value[CAPFILE_META_VALUE_MAX + 1];
	const uint8_t *eq = memchr(s, '=', n);
	size_t klen, vlen;

	if (!eq)
		return fail(p, "corrupt META section at byte %zu", at);
	klen = (size_t)(eq - s);
	vlen = n - klen - 1;
	if (!key_ok(s, klen) || vlen > CAPFILE_META_VALUE_MAX || !text_ok(eq + 1, vlen))
		return fail(p, "corrupt META section at byte %zu", at);
	memcpy(key, s, klen);
	key[klen] = '\0';
	memcpy(value, eq + 1, vlen);
	value[vlen] = '\0';
	return p->v->meta ? p->v->meta(key, value, p->arg) : 0;
}

static int parse_meta(struct parser *p, size_t off, size_t len)
{
	size_t end = off + len;
	int rc;

	while (off < end) {
		const uint8_t *nl = memchr(p->buf + off, '\n', end - off);
		size_t n = nl ? (size_t)(nl - (p->buf + off)) : end - off;

		if (n) {
			rc = meta_line(p, p->buf + off, n, off);
			if (rc)
				return rc;
		}
		off += n + 1;
	}
	return 0;
}

/* A string of n bytes at s into dst (size dstlen), or false if unfit. */
static bool copy_text(char *dst, size_t dstlen, const uint8_t *s, size_t n)
{
	if (n >= dstlen || !text_ok(s, n))
		return false;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return true;
}

static int parse_targets(struct parser *p, size_t off, size_t len)
{
	struct capfile_target t;
	struct capfile_target_head h;
	size_t end = off + len, size;

	while (off < end) {
		if (end - off < sizeof(h))
			return fail(p, "corrupt TARGETS section at byte %zu", off);
		memcpy(&h, p->buf + off, sizeof(h));
		/* Bounded by the string buffers, so the sum cannot overflow. */
		if (h.comm_len >= sizeof(t.comm) || h.exe_len >= sizeof(t.exe))
			return fail(p, "corrupt TARGETS section at byte %zu", off);
		size = pad8(sizeof(h) + h.comm_len + h.exe_len);
		if (size > end - off ||
		    !copy_text(t.comm, sizeof(t.comm), p->buf + off + sizeof(h), h.comm_len) ||
		    !copy_text(t.exe, sizeof(t.exe),
			       p->buf + off + sizeof(h) + h.comm_len, h.exe_len))
			return fail(p, "corrupt TARGETS section at byte %zu", off);
		t.pid = h.pid;
		t.flags = h.flags;
		if (p->v->target) {
			int rc = p->v->target(&t, p->arg);

			if (rc)
				return rc;
		}
		off += size;
	}
	return 0;
}

/* The smallest size of the record types this reader knows. */
static size_t min_record_size(uint16_t type)
{
	switch (type) {
	case GODIAG_REC_LOST:
		return sizeof(struct godiag_rec_lost);
	case GODIAG_REC_SYSCALL:
		return sizeof(struct godiag_rec_syscall);
	case GODIAG_REC_TARGET_EXIT:
		return sizeof(struct godiag_rec_target_exit);
	case GODIAG_REC_GO_CREATE:
	case GODIAG_REC_GO_START:
	case GODIAG_REC_GO_PARK:
	case GODIAG_REC_GO_READY:
	case GODIAG_REC_GO_EXIT:
		return sizeof(struct godiag_rec_go);
	case GODIAG_REC_BREAKPOINT:
		return sizeof(struct godiag_rec_break);
	default:
		return sizeof(struct godiag_rec);
	}
}

static bool record_ok(const struct godiag_rec *h)
{
	return h->type != GODIAG_REC_PAD && h->size % CAPFILE_ALIGN == 0 &&
	       h->size <= GODIAG_REC_SIZE_MAX && h->size >= min_record_size(h->type);
}

/*
 * The records in [off, off + len). In a section the data ends inside
 * (is_cut), a record that does not fit is where the file was cut: the
 * records before it are delivered. Elsewhere it is corruption.
 */
static int parse_records(struct parser *p, size_t off, size_t len, bool is_cut)
{
	/* Aligned home for each record: callbacks may read it as any struct. */
	uint64_t copy[GODIAG_REC_SIZE_MAX / sizeof(uint64_t)];
	struct godiag_rec *rec = (struct godiag_rec *)copy;
	size_t end = off + len;

	while (off < end) {
		if (end - off < sizeof(*rec) && is_cut)
			return cut(p, CAPFILE_SEC_RECORDS);
		if (end - off < sizeof(*rec))
			return fail(p, "corrupt record at byte %zu", off);
		memcpy(rec, p->buf + off, sizeof(*rec));
		if (!record_ok(rec))
			return fail(p, "corrupt record at byte %zu", off);
		if (rec->size > end - off && is_cut)
			return cut(p, CAPFILE_SEC_RECORDS);
		if (rec->size > end - off)
			return fail(p, "corrupt record at byte %zu", off);
		memcpy(rec, p->buf + off, rec->size);
		p->records++;
		if (p->v->record) {
			int rc = p->v->record(rec, rec->size, p->arg);

			if (rc)
				return rc;
		}
		off += rec->size;
	}
	return 0;
}

static int parse_note(struct parser *p, size_t off, size_t len)
{
	char text[4096];

	if (!copy_text(text, sizeof(text), p->buf + off, len))
		return fail(p, "corrupt NOTE section at byte %zu", off);
	return p->v->note ? p->v->note(text, p->arg) : 0;
}

static int parse_stats(struct parser *p, size_t off, size_t len)
{
	struct capfile_stats_head h;
	struct capfile_cpu_stats c;
	uint32_t i;

	if (len < sizeof(h))
		return fail(p, "corrupt STATS section at byte %zu", off);
	memcpy(&h, p->buf + off, sizeof(h));
	if (h.entry_size < sizeof(c) || h.entry_size % CAPFILE_ALIGN ||
	    h.nr_cpus != (len - sizeof(h)) / h.entry_size ||
	    (len - sizeof(h)) % h.entry_size)
		return fail(p, "corrupt STATS section at byte %zu", off);
	off += sizeof(h);
	for (i = 0; i < h.nr_cpus; i++, off += h.entry_size) {
		memcpy(&c, p->buf + off, sizeof(c));
		if (p->v->stats) {
			int rc = p->v->stats(&h, i, &c, p->arg);

			if (rc)
				return rc;
		}
	}
	return 0;
}

static int parse_end(struct parser *p, size_t off, size_t len)
{
	struct capfile_end e;

	if (len < sizeof(e))
		return fail(p, "corrupt END section at byte %zu", off);
	memcpy(&e, p->buf + off, sizeof(e));
	/* A lost or doubled RECORDS section would otherwise go unnoticed. */
	if (e.records != p->records)
		return fail(p, "corrupt: the end section counts %llu records, "
			    "the file holds %llu", (unsigned long long)e.records,
			    (unsigned long long)p->records);
	p->ended = true;
	return p->v->end ? p->v->end(&e, p->arg) : 0;
}

static int parse_goinfo(struct parser *p, size_t off, size_t len)
{
	const char *reasons[CAPFILE_REASONS_MAX];
	struct capfile_goinfo h;
	const uint8_t *s = p->buf + off + sizeof(h), *nul;
	size_t pos = 0;
	uint32_t i;

	if (len < sizeof(h))
		return fail(p, "corrupt GOINFO section at byte %zu", off);
	memcpy(&h, p->buf + off, sizeof(h));
	nul = memchr(h.go_version, '\0', sizeof(h.go_version));
	if (h.nreasons > CAPFILE_REASONS_MAX || h.strings_len != len - sizeof(h) || !nul ||
	    !text_ok((const uint8_t *)h.go_version, (size_t)(nul - (const uint8_t *)h.go_version)))
		return fail(p, "corrupt GOINFO section at byte %zu", off);
	/* Exactly nreasons NUL-terminated strings fill the string bytes. */
	for (i = 0; i < h.nreasons; i++) {
		nul = memchr(s + pos, '\0', h.strings_len - pos);
		if (!nul || !text_ok(s + pos, (size_t)(nul - (s + pos))))
			return fail(p, "corrupt GOINFO section at byte %zu", off);
		reasons[i] = (const char *)(s + pos);
		pos = (size_t)(nul - s) + 1;
	}
	if (pos != h.strings_len)
		return fail(p, "corrupt GOINFO section at byte %zu", off);
	return p->v->goinfo ? p->v->goinfo(&h, reasons, p->arg) : 0;
}

/* String bytes: text and NULs, the last one a NUL (or no bytes at all). */
static bool strings_ok(const uint8_t *s, size_t n)
{
	size_t i;

	if (n && s[n - 1] != '\0')
		return false;
	for (i = 0; i < n; i++)
		if (s[i] && !text_ok(s + i, 1))
			return false;
	return true;
}

static int parse_syms(struct parser *p, size_t off, size_t len)
{
	struct capfile_syms_head h;
	struct capfile_sym e;
	const uint8_t *ents = p->buf + off + sizeof(h), *strs;
	struct capfile_sym *copy = NULL;
	uint64_t prev = 0;
	size_t left;
	uint32_t i;
	int rc;

	if (len < sizeof(h))
		return fail(p, "corrupt SYMS section at byte %zu", off);
	memcpy(&h, p->buf + off, sizeof(h));
	left = len - sizeof(h);
	if (h.count > left / sizeof(e) || h.strings_len != left - h.count * sizeof(e))
		return fail(p, "corrupt SYMS section at byte %zu", off);
	strs = ents + h.count * sizeof(e);
	if (!strings_ok(strs, h.strings_len))
		return fail(p, "corrupt SYMS section at byte %zu", off);
	for (i = 0; i < h.count; i++) {
		memcpy(&e, ents + i * sizeof(e), sizeof(e));
		if (e.func_off >= h.strings_len || e.file_off >= h.strings_len ||
		    e.start_off > h.strings_len || (i && e.pc <= prev))
			return fail(p, "corrupt SYMS section at byte %zu", off);
		prev = e.pc;
	}
	if (!p->v->syms)
		return 0;
	/* Callbacks index the entries: an aligned copy when the buffer is not. */
	if (h.count && (uintptr_t)ents % _Alignof(struct capfile_sym)) {
		copy = malloc(h.count * sizeof(e));
		if (!copy)
			return fail(p, "out of memory for the SYMS section at byte %zu", off);
		memcpy(copy, ents, h.count * sizeof(e));
	}
	rc = p->v->syms(&h, copy ? copy : (const struct capfile_sym *)(const void *)ents,
			(const char *)strs, p->arg);
	free(copy);
	return rc;
}
/* BREAKS: lines of text, each handed out on its own. */
static int parse_breaks(struct parser *p, size_t off, size_t len)
{
	const char *s = (const char *)p->buf + off, *end = s + len, *nl;
	char line[8192];
	int rc;

	while (s < end) {
		nl = memchr(s, '\n', (size_t)(end - s));
		if (!nl)
			nl = end;
		if (memchr(s, '\0', (size_t)(nl - s)) || (size_t)(nl - s) >= sizeof(line))
			return fail(p, "corrupt BREAKS section at byte %zu", off);
		memcpy(line, s, (size_t)(nl - s));
		line[nl - s] = '\0';
		rc = p->v->breaks ? p->v->breaks(line, p->arg) : 0;
		if (rc)
			return rc;
		s = nl + 1;
	}
	return 0;
}

static int parse_payload(struct parser *p, const struct capfile_section *s,
			 size_t off, size_t body);

/*
 * A ZSTD section at off (payload at body, len bytes): the inner section
 * decompressed and parsed as if it stood there. What the inner parse
 * reports as a byte offset is one in the decompressed payload.
 */
static int parse_zstd(struct parser *p, size_t off, size_t body, size_t len)
{
	const uint8_t *frame = p->buf + body + sizeof(struct capfile_section);
	struct capfile_section in;
	unsigned long long size;
	struct parser q;
	size_t flen, got;
	uint8_t *out;
	int rc;

	if (len < sizeof(in))
		return fail(p, "corrupt compressed section at byte %zu (%zu bytes)", off, len);
	memcpy(&in, p->buf + body, sizeof(in));
	flen = len - sizeof(in);
	if (in.type == CAPFILE_SEC_ZSTD || in.type == CAPFILE_SEC_END)
		return fail(p, "corrupt compressed section at byte %zu (it holds a %s section)",
			    off, capfile_section_name(in.type));
	if (in.length > CAPFILE_ZSTD_MAX)
		return fail(p, "corrupt compressed section at byte %zu (%llu bytes "
			    "uncompressed, more than %u)", off, (unsigned long long)in.length,
			    CAPFILE_ZSTD_MAX);
	size = ZSTD_getFrameContentSize(frame, flen);
	if (size != in.length || ZSTD_findFrameCompressedSize(frame, flen) != flen)
		return fail(p, "corrupt compressed section at byte %zu (not one zstd frame "
			    "of %llu bytes)", off, (unsigned long long)in.length);
	out = malloc(in.length ? (size_t)in.length : 1);
	if (!out)
		return fail(p, "out of memory for the compressed section at byte %zu", off);
	got = ZSTD_decompress(out, (size_t)in.length, frame, flen);
	if (ZSTD_isError(got) || got != in.length) {
		free(out);
		return fail(p, "corrupt compressed section at byte %zu: %s", off,
			    ZSTD_isError(got) ? ZSTD_getErrorName(got) : "short");
	}
	q = *p;
	q.buf = out;
	q.len = (size_t)in.length;
	rc = parse_payload(&q, &in, off, 0);
	p->records = q.records;
	p->ended = q.ended;
	free(out);
	return rc;
}

/* The payload of a whole section s at body. */
static int parse_payload(struct parser *p, const struct capfile_section *s,
			 size_t off, size_t body)
{
	size_t len = (size_t)s->length;

	switch (s->type) {
	case CAPFILE_SEC_META:
		return parse_meta(p, body, len);
	case CAPFILE_SEC_TARGETS:
		return parse_targets(p, body, len);
	case CAPFILE_SEC_RECORDS:
		return parse_records(p, body, len, false);
	case CAPFILE_SEC_NOTE:
		return parse_note(p, body, len);
	case CAPFILE_SEC_STATS:
		return parse_stats(p, body, len);
	case CAPFILE_SEC_END:
		return parse_end(p, body, len);
	case CAPFILE_SEC_GOINFO:
		return parse_goinfo(p, body, len);
	case CAPFILE_SEC_SYMS:
		return parse_syms(p, body, len);
	case CAPFILE_SEC_BREAKS:
		return parse_breaks(p, body, len);
	case CAPFILE_SEC_ZSTD:
		return parse_zstd(p, off, body, len);
	}
	if (s->flags & CAPFILE_SF_REQUIRED)
		return fail(p, "unsupported section type %u at byte %zu "
			    "(written by a newer godiagctl?)", s->type, off);
	return 0;
}

/*
 * The section whose header is at off; *next is where the one after
 * starts. Where the data ends inside it, what is whole before that point
 * is delivered (the whole records of a RECORDS section) and the parse
 * stops there (cut()).
 */
static int parse_section(struct parser *p, size_t off, size_t *next)
{
	struct capfile_section s;
	size_t body = off + sizeof(s), left;
	int rc;

	*next = p->len;
	if (p->ended)
		return fail(p, "data after the end section at byte %zu", off);
	if (p->len - off < sizeof(s))
		return cut(p, 0);
	memcpy(&s, p->buf + off, sizeof(s));
	left = p->len - body;
	if (s.length > left) {
		rc = s.type == CAPFILE_SEC_RECORDS ? parse_records(p, body, left, true) : 0;
		return rc ? rc : cut(p, s.type);
	}
	*next = body + pad8((size_t)s.length);
	rc = parse_payload(p, &s, off, body);
	/* Cut in the padding (a writer always adds it): the payload stands. */
	if (!rc && !p->ended && pad8((size_t)s.length) > left)
		return cut(p, s.type);
	return rc;
}

static int parse_header(struct parser *p, struct capfile_info *info,
			     size_t *off)
{
	struct capfile_header h;

	if (p->len < CAPFILE_MAGIC_LEN || memcmp(p->buf, CAPFILE_MAGIC, CAPFILE_MAGIC_LEN))
		return fail(p, "not a godiag capture file");
	if (p->len < CAPFILE_MAGIC_LEN + sizeof(uint32_t))
		return cut(p, 0);
	info->version = get_u32(p->buf + CAPFILE_MAGIC_LEN);
	if (info->version != CAPFILE_VERSION)
		return fail(p, "unsupported format version %u", info->version);
	if (p->len < sizeof(h))
		return cut(p, 0);
	memcpy(&h, p->buf, sizeof(h));
	if (h.header_size < sizeof(h) || h.header_size % CAPFILE_ALIGN)
		return fail(p, "corrupt header (header size %u)", h.header_size);
	if (h.header_size > p->len)
		return cut(p, 0);
	info->abi_version = h.abi_version;
	*off = h.header_size;
	return 0;
}

int capfile_parse(const void *buf, size_t len, const struct capfile_visitor *v,
		  void *arg, struct capfile_info *info, char *err, size_t errlen)
{
	struct parser p = {
		.buf = buf, .len = len, .v = v, .arg = arg,
		.err = err, .errlen = errlen,
	};
	struct capfile_info local;
	size_t off = 0, next = len;
	int rc;

	if (!info)
		info = &local;
	memset(info, 0, sizeof(*info));
	if (errlen)
		err[0] = '\0';
	rc = parse_header(&p, info, &off);
	if (!rc && p.cut)
		off = len;
	while (!rc && off < len && !p.cut) {
		rc = parse_section(&p, off, &next);
		info->sections++;
		off = next;
	}
	info->records = p.records;
	info->complete = p.ended;
	if (!rc && !p.ended) {
		info->cut_at = len;
		info->cut_section = p.cut_section;
		info->cut_inside = p.cut;
	}
	return rc;
}

const char *capfile_section_name(uint32_t type)
{
	static const char *const names[] = {
		[CAPFILE_SEC_META] = "META",
		[CAPFILE_SEC_TARGETS] = "TARGETS",
		[CAPFILE_SEC_RECORDS] = "RECORDS",
		[CAPFILE_SEC_NOTE] = "NOTE",
		[CAPFILE_SEC_STATS] = "STATS",
		[CAPFILE_SEC_END] = "END",
		[CAPFILE_SEC_GOINFO] = "GOINFO",
		[CAPFILE_SEC_SYMS] = "SYMS",
		[CAPFILE_SEC_BREAKS] = "BREAKS",
		[CAPFILE_SEC_ZSTD] = "ZSTD",
	};

	if (type < sizeof(names) / sizeof(names[0]) && names[type])
		return names[type];
	return NULL;
}

void capfile_cut_text(const struct capfile_info *info, char *buf, size_t len)
{
	const char *name = capfile_section_name(info->cut_section);

	if (!info->cut_inside)
		snprintf(buf, len, "file ends at byte %llu without its end section",
			 (unsigned long long)info->cut_at);
	else if (!info->cut_section)
		snprintf(buf, len, "file cut at byte %llu in %s",
			 (unsigned long long)info->cut_at,
			 info->sections ? "a section header" : "the file header");
	else if (name)
		snprintf(buf, len, "file cut at byte %llu in section %s",
			 (unsigned long long)info->cut_at, name);
	else
		snprintf(buf, len, "file cut at byte %llu in a section of type %u",
			 (unsigned long long)info->cut_at, info->cut_section);
}

bool capfile_stream_done(struct capfile_stream *st, const void *data, size_t len)
{
	const uint8_t *buf = data;
	struct capfile_section s;
	struct capfile_header h;
	size_t body;

	if (len < CAPFILE_MAGIC_LEN)
		return false;
	if (memcmp(buf, CAPFILE_MAGIC, CAPFILE_MAGIC_LEN))
		return true;
	if (!st->next) {
		if (len < sizeof(h))
			return false;
		memcpy(&h, buf, sizeof(h));
		if (h.header_size < sizeof(h))
			return true;
		st->next = h.header_size;
	}
	while (st->next <= len && len - st->next >= sizeof(s)) {
		memcpy(&s, buf + st->next, sizeof(s));
		body = st->next + sizeof(s);
		if (s.type == CAPFILE_SEC_END)
			return s.length <= len - body;
		/* No stream holds a section this long: the reader will say why. */
		if (s.length > SIZE_MAX - CAPFILE_ALIGN - body)
			return true;
		st->next = body + pad8((size_t)s.length);
	}
	return false;
}
