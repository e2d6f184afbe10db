// SPDX-License-Identifier: GPL-2.0
/*
 * The module's ring buffer, kmod/ringbuf.c itself (compiled against
 * kshim/, not copied), under contention. Threads play the CPUs: one
 * writer per buffer, interrupted now and then by a signal whose handler
 * writes a record into the same buffer (a nested writer, as an interrupt
 * on that CPU would be), and one reader draining every buffer with
 * godiag_rb_read(), as read() on /dev/godiag does. Every load of a shared
 * position may yield (kshim_race()), the reader's far more often than the
 * writers', so interleavings a real machine hits once in a while happen
 * here all the time: a reader descheduled between two loads while a
 * writer laps it, a writer reclaiming the record a reader is copying.
 *
 * After the writers stop (and godiag_rb_flush_lost(), as SESSION_STOP
 * does) and the reader has drained every buffer, per buffer:
 *   - every record written was read once or counted lost:
 *     written == read + lost, and the reader got exactly `read` records;
 *   - every record read is whole (its payload repeats its sequence
 *     number) and the records of one writer come in the order written;
 *   - the LOST markers in the stream add up to the lost counter;
 *   - the buffer is empty: data_tail == data_head.
 *
 * Then the flight recorder's snapshot (godiag_rb_snapshot()): overwrite
 * mode, no reader, a thread taking snapshots while the writers lap the
 * buffer. Every record of a snapshot's valid part is whole, and each
 * writer's records in it are consecutive but for those the buffer
 * refused (nothing lost or doubled inside the window by the snapshot; in
 * a buffer this small a writer finds no room now and then when its
 * interrupt took it, and counts the record lost); once the writers are done, a snapshot holds exactly the
 * newest records, and its records plus the lost counter are the records
 * written.
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <time.h>

#include "ringbuf.h"
#include "test.h"

#define NCPU		3
#define AREA		4096
#define RECORDS		40000		/* per writer, nested ones not counted */
#define BIG_EVERY	97		/* one record in so many is 1 KiB */

/* ---- the race points ------------------------------------------------- */

static __thread uint64_t rng_state;
static __thread unsigned int race_odds;	/* yield at 1 in odds; 0: never */

static uint64_t rnd(void)
{
	uint64_t x = rng_state ? rng_state : 0x9e3779b97f4a7c15ULL;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	rng_state = x;
	return x;
}

void kshim_race(void)
{
	if (!race_odds || rnd() % race_odds)
		return;
	if (rnd() % 16) {
		sched_yield();
	} else {
		struct timespec ts = { 0, 20000 };

		nanosleep(&ts, NULL);
	}
}

/* ---- writers ----------------------------------------------------------- */

struct cpu {
	struct godiag_rb *rb;
	unsigned int id;
	pthread_t thread;
	uint64_t clock;			/* timestamps on this CPU */
	uint64_t attempts[2];		/* records written, per stream */
	uint64_t nested_seq;
	int done;
};

static struct cpu cpus[NCPU];
static __thread struct cpu *this_cpu;
/* Sequence numbers the buffer refused (counted lost), per CPU and stream. */
static uint8_t dropped[NCPU][2][RECORDS + 1];
static int writers_done;

static uint64_t word(uint64_t seq, int stream, unsigned int i)
{
	return (seq * 0x100000001b3ULL) ^ ((uint64_t)stream << 62) ^ i;
}

static unsigned int rec_len(uint64_t seq)
{
	return seq % BIG_EVERY ? 32 + 8 * (unsigned int)(seq % 12) : 1024;
}

/* Stream 0 is the writer thread, stream 1 its "interrupt". */
static void write_one(struct cpu *c, int stream, uint64_t seq)
{
	unsigned int len = rec_len(seq), i;
	uint64_t ts = __atomic_add_fetch(&c->clock, 1, __ATOMIC_RELAXED);
	struct godiag_rec *r = godiag_rb_reserve_rec(c->rb, len, ts);

	if (r) {
		uint64_t *w = (uint64_t *)r;

		r->type = stream ? GODIAG_REC_GO_START : GODIAG_REC_SYSCALL;
		r->size = (uint16_t)len;
		r->flags = 0;
		r->cpu = (uint16_t)c->id;
		r->tgid = (uint32_t)stream;
		r->tid = 0;
		r->ts_ns = ts;
		r->goid = seq;
		for (i = sizeof(*r) / 8; i < len / 8; i++)
			w[i] = word(seq, stream, i);
	} else if (seq <= RECORDS) {
		/* Before the commit that publishes any later record. */
		__atomic_store_n(&dropped[c->id][stream][seq], 1, __ATOMIC_RELEASE);
	}
	godiag_rb_commit(c->rb);
	c->attempts[stream]++;
}

static void on_interrupt(int sig)
{
	(void)sig;
	if (this_cpu)
		write_one(this_cpu, 1, ++this_cpu->nested_seq);
}

/* A little work per event, so the reader keeps up part of the time. */
static void some_work(void)
{
	volatile unsigned int spin;

	for (spin = 0; spin < 20000; spin++)
		;
}

static void *writer(void *arg)
{
	struct cpu *c = arg;
	sigset_t set;
	uint64_t seq;

	this_cpu = c;
	rng_state = 0x1234567ULL * (c->id + 1);
	race_odds = 50;
	for (seq = 1; seq <= RECORDS; seq++) {
		write_one(c, 0, seq);
		some_work();
	}
	/* No interrupt after this: the buffer is the stopped session's. */
	sigemptyset(&set);
	sigaddset(&set, SIGURG);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	__atomic_store_n(&c->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void *interrupter(void *arg)
{
	struct timespec ts = { 0, 30000 };
	unsigned int i;

	(void)arg;
	while (!__atomic_load_n(&writers_done, __ATOMIC_ACQUIRE)) {
		for (i = 0; i < NCPU; i++)
			if (!__atomic_load_n(&cpus[i].done, __ATOMIC_ACQUIRE))
				pthread_kill(cpus[i].thread, SIGURG);
		nanosleep(&ts, NULL);
	}
	return NULL;
}

/* ---- the reader --------------------------------------------------------- */

struct seen {
	uint64_t records, lost_marked, markers;
	uint64_t last_seq[2];
	uint64_t torn, disorder, bad, errors;
};

static struct seen seen[NCPU];

static void check_rec(unsigned int cpu, const struct godiag_rec *r)
{
	const uint64_t *w = (const uint64_t *)r;
	struct seen *s = &seen[cpu];
	int stream = r->type == GODIAG_REC_GO_START;
	unsigned int i;

	if (r->type == GODIAG_REC_LOST) {
		const struct godiag_rec_lost *l = (const void *)r;

		s->markers++;
		s->lost_marked += l->count;
		if (r->size != sizeof(*l) || !l->count || l->first_ns > l->last_ns ||
		    r->cpu != cpu)
			s->bad++;
		return;
	}
	if ((r->type != GODIAG_REC_SYSCALL && !stream) || r->cpu != cpu ||
	    r->tgid != (uint32_t)stream || r->size != rec_len(r->goid)) {
		s->bad++;
		return;
	}
	for (i = sizeof(*r) / 8; i < r->size / 8u; i++)
		if (w[i] != word(r->goid, stream, i)) {
			s->torn++;
			break;
		}
	if (r->goid <= s->last_seq[stream])
		s->disorder++;
	s->last_seq[stream] = r->goid;
	s->records++;
}

/* One read() of a random size from CPU @cpu's buffer; bytes returned. */
static ssize_t read_some(unsigned int cpu)
{
	static uint64_t buf[8192 / 8];
	size_t len = 128 + (size_t)(rnd() % 64) * 128;
	ssize_t n = godiag_rb_read(cpus[cpu].rb, (char *)buf, len);
	size_t off = 0;

	if (n < 0) {
		seen[cpu].errors++;
		return 0;
	}
	while (off < (size_t)n) {
		const struct godiag_rec *r = (const void *)((char *)buf + off);

		if (off + sizeof(*r) > (size_t)n || r->size < sizeof(*r) || r->size % 8 ||
		    off + r->size > (size_t)n) {
			seen[cpu].bad++;
			break;
		}
		check_rec(cpu, r);
		off += r->size;
	}
	return n;
}

static void *reader(void *arg)
{
	unsigned int i;

	(void)arg;
	rng_state = 0xfeedfaceULL;
	race_odds = 8;
	while (!__atomic_load_n(&writers_done, __ATOMIC_ACQUIRE))
		for (i = 0; i < NCPU; i++)
			read_some(i);
	return NULL;
}

/* ---- one run -------------------------------------------------------------- */

static bool alloc_cpus(bool overwrite)
{
	unsigned int i;

	for (i = 0; i < NCPU; i++) {
		cpus[i].id = i;
		cpus[i].rb = godiag_rb_alloc(AREA, (int)i, overwrite);
		CHECK(cpus[i].rb != NULL);
		if (!cpus[i].rb)
			return false;
	}
	return true;
}

/*
 * The writers and their interrupter run until every writer is done; then
 * the consumer (a reader or a snapshotter, already started) sees
 * writers_done and ends.
 */
static void run_writers(pthread_t consumer)
{
	unsigned int i, left;
	pthread_t intr;

	for (i = 0; i < NCPU; i++)
		pthread_create(&cpus[i].thread, NULL, writer, &cpus[i]);
	pthread_create(&intr, NULL, interrupter, NULL);
	do {
		sched_yield();
		for (i = 0, left = 0; i < NCPU; i++)
			left += !__atomic_load_n(&cpus[i].done, __ATOMIC_ACQUIRE);
	} while (left);
	__atomic_store_n(&writers_done, 1, __ATOMIC_RELEASE);
	pthread_join(intr, NULL);
	pthread_join(consumer, NULL);
	for (i = 0; i < NCPU; i++)
		pthread_join(cpus[i].thread, NULL);
}

static void run(bool overwrite)
{
	struct sigaction sa = { .sa_handler = on_interrupt, .sa_flags = SA_RESTART };
	const char *mode = overwrite ? "overwrite" : "discard";
	pthread_t rd;
	unsigned int i;

	test_begin("ringbuf.c %s: %d writers + their interrupts against read()",
		   mode, NCPU);
	memset(cpus, 0, sizeof(cpus));
	memset(seen, 0, sizeof(seen));
	writers_done = 0;
	sigaction(SIGURG, &sa, NULL);
	if (!alloc_cpus(overwrite))
		return;
	pthread_create(&rd, NULL, reader, NULL);
	run_writers(rd);

	/* SESSION_STOP: no writer runs any more; then a reader drains. */
	for (i = 0; i < NCPU; i++)
		godiag_rb_flush_lost(cpus[i].rb, ++cpus[i].clock);
	race_odds = 0;
	for (i = 0; i < NCPU; i++)
		while (read_some(i) > 0)
			;

	for (i = 0; i < NCPU; i++) {
		struct godiag_rb *rb = cpus[i].rb;
		struct seen *s = &seen[i];
		uint64_t written = (uint64_t)local_read(&rb->written);
		uint64_t lost = (uint64_t)local_read(&rb->lost);
		uint64_t read = (uint64_t)atomic64_read(&rb->read);

		CHECK_U64(written, cpus[i].attempts[0] + cpus[i].attempts[1]);
		CHECK_U64(read + lost, written);
		CHECK_U64(s->records, read);
		CHECK_U64(s->lost_marked, lost);
		CHECK_U64(s->torn, 0);
		CHECK_U64(s->disorder, 0);
		CHECK_U64(s->bad, 0);
		CHECK_U64(s->errors, 0);
		CHECK_U64(rb->page->data_tail, rb->page->data_head);
		printf("# %s CPU %u: written %llu (%llu nested), read %llu, lost %llu "
		       "in %llu markers\n", mode, i, (unsigned long long)written,
		       (unsigned long long)cpus[i].attempts[1], (unsigned long long)read,
		       (unsigned long long)lost, (unsigned long long)s->markers);
		godiag_rb_free(rb);
	}
	test_end();
}

/* ---- the reader's wakeup ------------------------------------------------- */

/* Commit one 64-byte record on buffer @rb; whether a wakeup was due after it. */
static bool put64(struct godiag_rb *rb)
{
	struct godiag_rec *r = godiag_rb_reserve_rec(rb, 64, 1);

	if (r) {
		memset(r, 0, 64);
		r->type = GODIAG_REC_SYSCALL;
		r->size = 64;
	}
	godiag_rb_commit(rb);
	return godiag_rb_wake_due(rb);
}

/*
 * godiag_rb_wake_due(): once when what is unread passes half the buffer,
 * then once per eighth of the buffer committed while it stays past half;
 * never while the reader keeps the buffer below half.
 */
static void wake_levels(void)
{
	static uint64_t buf[AREA / 8];
	struct godiag_rb *rb = godiag_rb_alloc(AREA, 0, false);
	unsigned int i, wakes = 0, first = 0;

	test_begin("ringbuf.c: the reader is woken at half full, once per eighth after");
	CHECK(rb != NULL);
	if (!rb) {
		test_end();
		return;
	}
	for (i = 1; i <= AREA / 64 / 2 + AREA / 64 / 8 * 2; i++)
		if (put64(rb)) {
			wakes++;
			if (!first)
				first = i;
		}
	/* 32 records of 64 bytes are half of 4 KiB; 8 are an eighth. */
	CHECK_U64(first, AREA / 64 / 2);
	CHECK_U64(wakes, 3);
	/* Drained after every record: never past half, never woken. */
	while (godiag_rb_read(rb, (char *)buf, sizeof(buf)) > 0)
		;
	wakes = 0;
	for (i = 0; i < 10 * AREA / 64; i++) {
		wakes += put64(rb);
		godiag_rb_read(rb, (char *)buf, sizeof(buf));
	}
	CHECK_U64(wakes, 0);
	godiag_rb_free(rb);
	test_end();
}

/* ---- snapshots (flight recorder) --------------------------------------- */

struct snapcheck {
	uint64_t snaps, records, torn, gaps, bad, empty;
	uint64_t dropped;		/* missing, refused by the buffer (counted lost) */
};

/* Records missing between two of a stream must be ones the writer was refused. */
static void gap_check(struct snapcheck *k, unsigned int cpu, int stream, uint64_t from,
		      uint64_t to)
{
	uint64_t seq;

	for (seq = from + 1; seq < to; seq++) {
		if (seq > RECORDS ||
		    !__atomic_load_n(&dropped[cpu][stream][seq], __ATOMIC_ACQUIRE)) {
			k->gaps++;
			return;
		}
		k->dropped++;
	}
}

/* One snapshot of @cpu's buffer checked; returns its data records. */
static uint64_t snap_one(unsigned int cpu, struct snapcheck *k, uint64_t *last)
{
	static uint64_t buf[AREA / 8];
	struct godiag_snapshot sn = { .cpu = cpu };
	uint64_t off, end, prev[2] = { 0, 0 }, n = 0;

	if (godiag_rb_snapshot(cpus[cpu].rb, (char *)buf, sizeof(buf), &sn)) {
		k->bad++;
		return 0;
	}
	k->snaps++;
	if (sn.valid_from >= sn.head) {
		k->empty++;
		return 0;
	}
	off = sn.valid_from - sn.first;
	end = sn.head - sn.first;
	while (off < end) {
		const struct godiag_rec *r = (const void *)((char *)buf + off);
		const uint64_t *w = (const uint64_t *)r;
		int stream = r->type == GODIAG_REC_GO_START;
		unsigned int i;

		if (r->size < 8 || r->size % 8 || off + r->size > end) {
			k->bad++;
			break;
		}
		off += r->size;
		if (r->type == GODIAG_REC_PAD || r->type == GODIAG_REC_LOST)
			continue;
		for (i = sizeof(*r) / 8; i < r->size / 8u; i++)
			if (w[i] != word(r->goid, stream, i)) {
				k->torn++;
				break;
			}
		if (prev[stream] && r->goid <= prev[stream])
			k->gaps++;	/* doubled or out of order */
		else if (prev[stream])
			gap_check(k, cpu, stream, prev[stream], r->goid);
		prev[stream] = r->goid;
		n++;
	}
	if (last)
		*last = prev[0];
	k->records += n;
	return n;
}

static void *snapshotter(void *arg)
{
	struct snapcheck *k = arg;
	unsigned int i;

	rng_state = 0xabcdefULL;
	race_odds = 4;
	while (!__atomic_load_n(&writers_done, __ATOMIC_ACQUIRE))
		for (i = 0; i < NCPU; i++)
			snap_one(i, k, NULL);
	return NULL;
}

static void run_snapshots(void)
{
	struct sigaction sa = { .sa_handler = on_interrupt, .sa_flags = SA_RESTART };
	struct snapcheck k = { 0 }, idle = { 0 };
	pthread_t sn;
	unsigned int i, left;
	uint64_t seq;

	test_begin("ringbuf.c snapshots: %d writers + their interrupts, no reader", NCPU);
	memset(cpus, 0, sizeof(cpus));
	memset(dropped, 0, sizeof(dropped));
	writers_done = 0;
	sigaction(SIGURG, &sa, NULL);
	if (!alloc_cpus(true))
		return;
	pthread_create(&sn, NULL, snapshotter, &k);
	run_writers(sn);
	CHECK(k.snaps > 0);
	CHECK_U64(k.torn, 0);
	CHECK_U64(k.gaps, 0);
	CHECK_U64(k.bad, 0);
	/*
	 * The writer itself is never refused: its interrupt can take room
	 * from under it, but a stale tail makes it look again, not drop.
	 */
	for (i = 0, left = 0; i < NCPU; i++)
		for (seq = 1; seq <= RECORDS; seq++)
			left += dropped[i][0][seq];
	CHECK_U64(left, 0);
	printf("# %llu snapshots while writing: %llu records, %llu empty, %llu missing "
	       "that the buffer refused\n", (unsigned long long)k.snaps,
	       (unsigned long long)k.records, (unsigned long long)k.empty,
	       (unsigned long long)k.dropped);

	/* Idle: the newest records, and records + lost == written. */
	race_odds = 0;
	for (i = 0; i < NCPU; i++) {
		struct godiag_rb *rb = cpus[i].rb;
		uint64_t last = 0, n = snap_one(i, &idle, &last);
		uint64_t again = snap_one(i, &idle, NULL);

		CHECK_U64(last, RECORDS);
		CHECK_U64(again, n);
		CHECK_U64(n + (uint64_t)local_read(&rb->lost),
			  (uint64_t)local_read(&rb->written));
		/* Nothing was consumed. */
		CHECK_U64(atomic64_read(&rb->read), 0);
		godiag_rb_free(rb);
	}
	CHECK_U64(idle.torn + idle.gaps + idle.bad, 0);
	test_end();
}

int main(void)
{
	wake_levels();
	run(false);
	run(true);
	run_snapshots();
	return test_summary();
}
