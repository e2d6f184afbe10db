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

#include "capfile.h"
#include "util.h"

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

/* Fills in the open RECORDS section's length; records are 8-byte multiples. */
static void close_records(struct capw *w)
{
	struct capfile_section s = { .type = CAPFILE_SEC_RECORDS };

	if (w->rec_sec == NO_SECTION)
		return;
	s.length = w->len - w->rec_sec - sizeof(s);
	memcpy(w->buf + w->rec_sec, &s, sizeof(s));
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

void capw_section(struct capw *w, uint32_t type, uint32_t flags,
		  const void *payload, size_t len)
{
	struct capfile_section s = { .type = type, .flags = flags, .length = len };

	close_records(w);
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
	return w->err;
}
