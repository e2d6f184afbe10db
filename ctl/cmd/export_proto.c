// SPDX-License-Identifier: GPL-2.0
/*
 * godiagctl export --format perfetto-proto: the events of pftrace.c, the
 * same as the JSON of export.c, in Perfetto's own protobuf trace format
 * (field numbers: perfetto_proto.h), a stream of TracePackets:
 *
 *   - a TrackDescriptor per process (pid and name), per goroutine (a child
 *     of its process, named "G<id> <start function>", ranked by id), per
 *     thread (pid and tid), and one global track for the losses;
 *   - a TrackEvent per slice begin and end, and per instant: breakpoint
 *     hits, the two ends of each flow (the arrow goes from an instant on
 *     the creator's or readier's track, by flow_ids, to one on the other
 *     goroutine's, by terminating_flow_ids), losses;
 *   - event names, categories, argument names and the short-list argument
 *     strings (states, wait reasons) are interned: sent once, in the
 *     InternedData of the first packet that uses them, and named by a
 *     small number after. All packets are of one sequence, whose first
 *     packet clears the incremental state.
 *
 * Times are nanoseconds since the capture started, as in the JSON.
 * Perfetto's slices of one track must nest; the events come sorted by
 * track, so a stack of the open slices' ends says when to end them. A
 * slice that would cross its parent's end (the records disagreed) is cut
 * at that end, where the JSON shows it as it is.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hmap.h"
#include "base/pbuf.h"
#include "base/util.h"
#include "cmd/export.h"
#include "cmd/perfetto_proto.h"
#include "cmd/pftrace.h"

/* The trace's one packet sequence. */
#define SEQUENCE_ID	1
/* Packets are written to the file in batches of about this size. */
#define FLUSH_BYTES	(256 * 1024)

/* The kinds of interned strings, and where InternedData holds each. */
enum { TAB_NAME, TAB_CAT, TAB_ANNOT, TAB_STRING, NTABS };
static const uint32_t tab_field[NTABS] = {
	[TAB_NAME] = PF_INTERNED_EVENT_NAMES,
	[TAB_CAT] = PF_INTERNED_EVENT_CATEGORIES,
	[TAB_ANNOT] = PF_INTERNED_ANNOTATION_NAMES,
	[TAB_STRING] = PF_INTERNED_ANNOTATION_STRINGS,
};

/* The strings of one kind that were sent: their iids are index + 1. */
struct strtab {
	struct hmap map;	/* (hash, probe) -> index */
	char **strs;
	size_t n;
};

struct pw {
	struct perfetto *pf;
	FILE *out;
	struct pbuf buf;	/* packets not yet written */
	struct pbuf interned;	/* the InternedData of the packet being made */
	struct strtab tabs[NTABS];
	char **gnames;		/* goroutine track t's name */
	uint64_t *ends;		/* the open slices of the current track: their ends */
	size_t depth, cap;
	uint64_t track;		/* the current track's uuid */
	uint64_t next_uuid;	/* for processes, threads and losses */
	uint64_t proc_uuid, lost_uuid;
	uint32_t pid;		/* proc_uuid's process */
	uint32_t track_pid;	/* the current track's (pid, tid) */
	uint64_t track_tid;
	bool has_pid, has_track, started;
	int err;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a */

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 0x100000001b3ULL;
	return h;
}

/* The iid of s in table tab; a string met first goes into the packet's InternedData. */
static uint64_t intern(struct pw *w, int tab, const char *s)
{
	struct strtab *t = &w->tabs[tab];
	uint64_t h = hash_str(s), probe;
	size_t at;

	/* Strings of one hash follow each other at probes 0, 1, ... */
	for (probe = 0;; probe++) {
		bool added;
		uint32_t *i = hmap_get(&t->map, h, probe, (uint32_t)t->n, &added);

		if (!added && !strcmp(t->strs[*i], s))
			return *i + 1ULL;
		if (added)
			break;
	}
	t->strs = xreallocarray(t->strs, t->n + 1, sizeof(*t->strs));
	t->strs[t->n++] = xstrdup(s);
	at = pbuf_open(&w->interned, tab_field[tab]);
	pbuf_varint_field(&w->interned, PF_INTERNED_IID, t->n);
	pbuf_string_field(&w->interned, PF_INTERNED_NAME, s);
	pbuf_close(&w->interned, at);
	return t->n;
}

static void flush(struct pw *w)
{
	if (w->buf.len && fwrite(w->buf.p, 1, w->buf.len, w->out) != w->buf.len)
		w->err = -1;
	w->buf.len = 0;
}

/* A packet: open it, write its data, close it. */
static size_t packet_open(struct pw *w)
{
	return pbuf_open(&w->buf, PF_TRACE_PACKET);
}

/* interned: the packet names interned strings (its own or earlier ones). */
static void packet_close(struct pw *w, size_t at, bool interned)
{
	uint32_t flags = interned ? PF_SEQ_NEEDS_INCREMENTAL_STATE : 0;

	if (w->interned.len)
		pbuf_bytes_field(&w->buf, PF_PACKET_INTERNED_DATA, w->interned.p, w->interned.len);
	w->interned.len = 0;
	pbuf_varint_field(&w->buf, PF_PACKET_SEQUENCE_ID, SEQUENCE_ID);
	if (!w->started)
		flags |= PF_SEQ_INCREMENTAL_STATE_CLEARED;
	w->started = true;
	if (flags)
		pbuf_varint_field(&w->buf, PF_PACKET_SEQUENCE_FLAGS, flags);
	pbuf_close(&w->buf, at);
	if (w->buf.len >= FLUSH_BYTES)
		flush(w);
}

/* ------------------------------------------------------------------ */
/* Tracks                                                              */
/* ------------------------------------------------------------------ */

static void describe_process(struct pw *w, uint32_t pid)
{
	size_t at = packet_open(w), d, p;
	char name[64];

	w->proc_uuid = w->next_uuid++;
	w->pid = pid;
	w->has_pid = true;
	d = pbuf_open(&w->buf, PF_PACKET_TRACK_DESCRIPTOR);
	pbuf_varint_field(&w->buf, PF_TRACK_UUID, w->proc_uuid);
	p = pbuf_open(&w->buf, PF_TRACK_PROCESS);
	pbuf_varint_field(&w->buf, PF_PROCESS_PID, pid);
	pbuf_string_field(&w->buf, PF_PROCESS_NAME,
			  pf_process_name(w->pf, pid, name, sizeof(name)));
	pbuf_close(&w->buf, p);
	/* Its goroutines by id (their sibling_order_rank). */
	pbuf_varint_field(&w->buf, PF_TRACK_CHILD_ORDERING, PF_CHILD_ORDERING_EXPLICIT);
	pbuf_close(&w->buf, d);
	packet_close(w, at, false);
}

static void describe_goroutine(struct pw *w, size_t t)
{
	const struct gtrack *g = &w->pf->tracks[t];
	size_t at = packet_open(w), d;
	char name[32];

	d = pbuf_open(&w->buf, PF_PACKET_TRACK_DESCRIPTOR);
	pbuf_varint_field(&w->buf, PF_TRACK_UUID, t + 1);
	pbuf_varint_field(&w->buf, PF_TRACK_PARENT_UUID, w->proc_uuid);
	if (!w->gnames[t])
		snprintf(name, sizeof(name), "G%" PRIu64, g->goid);
	pbuf_string_field(&w->buf, PF_TRACK_NAME, w->gnames[t] ? w->gnames[t] : name);
	pbuf_varint_field(&w->buf, PF_TRACK_SIBLING_ORDER_RANK,
			  g->goid > INT32_MAX ? INT32_MAX : g->goid);
	pbuf_close(&w->buf, d);
	packet_close(w, at, false);
}

static uint64_t describe_thread(struct pw *w, uint32_t pid, uint64_t tid)
{
	size_t at = packet_open(w), d, th;
	uint64_t uuid = w->next_uuid++;

	d = pbuf_open(&w->buf, PF_PACKET_TRACK_DESCRIPTOR);
	pbuf_varint_field(&w->buf, PF_TRACK_UUID, uuid);
	th = pbuf_open(&w->buf, PF_TRACK_THREAD);
	pbuf_varint_field(&w->buf, PF_THREAD_PID, pid);
	pbuf_varint_field(&w->buf, PF_THREAD_TID, tid);
	pbuf_close(&w->buf, th);
	pbuf_close(&w->buf, d);
	packet_close(w, at, false);
	return uuid;
}

/* The global track of the losses (the JSON's global instants). */
static uint64_t lost_track(struct pw *w)
{
	size_t at, d;

	if (w->lost_uuid)
		return w->lost_uuid;
	w->lost_uuid = w->next_uuid++;
	at = packet_open(w);
	d = pbuf_open(&w->buf, PF_PACKET_TRACK_DESCRIPTOR);
	pbuf_varint_field(&w->buf, PF_TRACK_UUID, w->lost_uuid);
	pbuf_string_field(&w->buf, PF_TRACK_NAME, "lost records");
	pbuf_close(&w->buf, d);
	packet_close(w, at, false);
	return w->lost_uuid;
}

static void goroutine_name(void *arg, size_t t, const struct go_row *row, const char *name)
{
	struct pw *w = arg;

	(void)row;
	if (!w->gnames[t])
		w->gnames[t] = xstrdup(name);
}

/* ------------------------------------------------------------------ */
/* Events                                                              */
/* ------------------------------------------------------------------ */

static void annot_u64(void *arg, const char *key, uint64_t v)
{
	struct pw *w = arg;
	size_t at = pbuf_open(&w->buf, PF_EVENT_DEBUG_ANNOTATIONS);

	pbuf_varint_field(&w->buf, PF_ANNOT_NAME_IID, intern(w, TAB_ANNOT, key));
	pbuf_varint_field(&w->buf, PF_ANNOT_UINT_VALUE, v);
	pbuf_close(&w->buf, at);
}

static void annot_s64(void *arg, const char *key, int64_t v)
{
	struct pw *w = arg;
	size_t at = pbuf_open(&w->buf, PF_EVENT_DEBUG_ANNOTATIONS);

	pbuf_varint_field(&w->buf, PF_ANNOT_NAME_IID, intern(w, TAB_ANNOT, key));
	/* int64 is a varint of the two's complement (ten bytes when negative). */
	pbuf_varint_field(&w->buf, PF_ANNOT_INT_VALUE, (uint64_t)v);
	pbuf_close(&w->buf, at);
}

static void annot_str(void *arg, const char *key, const char *v, bool few)
{
	struct pw *w = arg;
	size_t at = pbuf_open(&w->buf, PF_EVENT_DEBUG_ANNOTATIONS);

	pbuf_varint_field(&w->buf, PF_ANNOT_NAME_IID, intern(w, TAB_ANNOT, key));
	if (few)
		pbuf_varint_field(&w->buf, PF_ANNOT_STRING_VALUE_IID, intern(w, TAB_STRING, v));
	else
		pbuf_string_field(&w->buf, PF_ANNOT_STRING_VALUE, v);
	pbuf_close(&w->buf, at);
}

static const struct pf_args proto_args = { annot_u64, annot_s64, annot_str };

static void put_end(struct pw *w, uint64_t ts)
{
	size_t at = packet_open(w), te;

	pbuf_varint_field(&w->buf, PF_PACKET_TIMESTAMP, ts - w->pf->base);
	te = pbuf_open(&w->buf, PF_PACKET_TRACK_EVENT);
	pbuf_varint_field(&w->buf, PF_EVENT_TYPE, PF_TYPE_SLICE_END);
	pbuf_varint_field(&w->buf, PF_EVENT_TRACK_UUID, w->track);
	pbuf_close(&w->buf, te);
	packet_close(w, at, false);
}

/* A slice's begin or an instant, with its name, category and arguments. */
static void put_event(struct pw *w, const struct ev *e, uint64_t uuid, uint32_t type)
{
	size_t at = packet_open(w), te;
	char name[64];
	const char *s = pf_event_name(w->pf, e, name, sizeof(name));

	pbuf_varint_field(&w->buf, PF_PACKET_TIMESTAMP, e->ts - w->pf->base);
	te = pbuf_open(&w->buf, PF_PACKET_TRACK_EVENT);
	pbuf_varint_field(&w->buf, PF_EVENT_TYPE, type);
	pbuf_varint_field(&w->buf, PF_EVENT_TRACK_UUID, uuid);
	/* A loss's name has its count: not worth interning. */
	if (e->kind == EV_LOST)
		pbuf_string_field(&w->buf, PF_EVENT_NAME, s);
	else
		pbuf_varint_field(&w->buf, PF_EVENT_NAME_IID, intern(w, TAB_NAME, s));
	pbuf_varint_field(&w->buf, PF_EVENT_CATEGORY_IIDS, intern(w, TAB_CAT, pf_event_cat(e)));
	if (e->kind == EV_FLOW_OUT)
		pbuf_fixed64_field(&w->buf, PF_EVENT_FLOW_IDS, e->ref);
	else if (e->kind == EV_FLOW_IN)
		pbuf_fixed64_field(&w->buf, PF_EVENT_TERMINATING_FLOW_IDS, e->ref);
	pf_event_args(w->pf, e, &proto_args, w);
	pbuf_close(&w->buf, te);
	packet_close(w, at, true);
}

/* The current track's open slices that end by ts end. */
static void end_slices(struct pw *w, uint64_t ts)
{
	while (w->depth && w->ends[w->depth - 1] <= ts)
		put_end(w, w->ends[--w->depth]);
}

static void put_slice(struct pw *w, const struct ev *e)
{
	uint64_t end = e->ts + e->dur;

	if (w->depth && end > w->ends[w->depth - 1])
		end = w->ends[w->depth - 1];
	put_event(w, e, w->track, PF_TYPE_SLICE_BEGIN);
	if (w->depth == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 8;
		w->ends = xreallocarray(w->ends, w->cap, sizeof(*w->ends));
	}
	w->ends[w->depth++] = end;
}

/* The first event of a track (pid, tid): its descriptors. */
static void new_track(struct pw *w, const struct ev *e)
{
	end_slices(w, UINT64_MAX);
	w->has_track = true;
	w->track_pid = e->pid;
	w->track_tid = e->tid;
	if (!w->has_pid || w->pid != e->pid)
		describe_process(w, e->pid);
	if (e->tid >= GO_TID_BASE) {
		w->track = e->tid - GO_TID_BASE + 1;
		describe_goroutine(w, (size_t)(e->tid - GO_TID_BASE));
	} else {
		w->track = describe_thread(w, e->pid, e->tid);
	}
}

int perfetto_write_proto(struct perfetto *pf, FILE *out)
{
	struct pw w = { .pf = pf, .out = out, .next_uuid = pf->ntracks + 1 };
	size_t i;
	int k;

	w.gnames = xcalloc(pf->ntracks ? pf->ntracks : 1, sizeof(*w.gnames));
	pf_each_track(pf, goroutine_name, &w);
	for (i = 0; i < pf->nevs; i++) {
		const struct ev *e = &pf->evs[i];

		if (e->kind == EV_LOST) {
			put_event(&w, e, lost_track(&w), PF_TYPE_INSTANT);
			continue;
		}
		if (!w.has_track || w.track_pid != e->pid || w.track_tid != e->tid)
			new_track(&w, e);
		end_slices(&w, e->ts);
		if (pf_is_slice(e))
			put_slice(&w, e);
		else
			put_event(&w, e, w.track, PF_TYPE_INSTANT);
	}
	end_slices(&w, UINT64_MAX);
	flush(&w);
	for (k = 0; k < NTABS; k++) {
		for (i = 0; i < w.tabs[k].n; i++)
			free(w.tabs[k].strs[i]);
		free(w.tabs[k].strs);
		hmap_free(&w.tabs[k].map);
	}
	for (i = 0; i < pf->ntracks; i++)
		free(w.gnames[i]);
	free(w.gnames);
	free(w.ends);
	pbuf_free(&w.buf);
	pbuf_free(&w.interned);
	return w.err || fflush(out) || ferror(out) ? -1 : 0;
}
