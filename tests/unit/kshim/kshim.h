/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Just enough of the kernel's API, on C11 atomics and libc, to compile
 * kmod/ringbuf.c unchanged in a user-space test (test_rbmodel.c), where
 * threads play the CPUs and a signal handler an interrupt. The headers
 * beside this one (in linux/ and asm/) stand in for the kernel's.
 *
 * Every load of a shared position may be a point where the thread is
 * descheduled (kshim_race(), defined by the test): that is how the test
 * makes the interleavings that a real machine produces only rarely.
 */
#ifndef KSHIM_H
#define KSHIM_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

#define __user
#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)

#define PAGE_SHIFT	12
#define PAGE_SIZE	(1UL << PAGE_SHIFT)

void kshim_race(void);

#define READ_ONCE(x) ({ kshim_race(); __atomic_load_n(&(x), __ATOMIC_RELAXED); })
#define WRITE_ONCE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#define smp_load_acquire(p) ({ kshim_race(); __atomic_load_n((p), __ATOMIC_ACQUIRE); })
#define smp_store_release(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define barrier() __asm__ __volatile__("" ::: "memory")
#define smp_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)

/* Returns the old value, with a full barrier, like the kernel's. */
#define cmpxchg(p, o, n) ({						\
	__typeof__(*(p)) __old = (o);					\
	kshim_race();							\
	__atomic_compare_exchange_n((p), &__old, (n), false,		\
				    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); \
	__old;								\
})

#define min(a, b)	((a) < (b) ? (a) : (b))
#define max(a, b)	((a) > (b) ? (a) : (b))

/* local_t: only its CPU (thread) and that CPU's interrupts write it. */
typedef struct {
	long a;
} local_t;

#define local_read(l)		__atomic_load_n(&(l)->a, __ATOMIC_RELAXED)
#define local_set(l, i)		__atomic_store_n(&(l)->a, (i), __ATOMIC_RELAXED)
#define local_inc(l)		((void)__atomic_fetch_add(&(l)->a, 1, __ATOMIC_RELAXED))
#define local_dec(l)		((void)__atomic_fetch_sub(&(l)->a, 1, __ATOMIC_RELAXED))
#define local_add(i, l)		((void)__atomic_fetch_add(&(l)->a, (i), __ATOMIC_RELAXED))
#define local_sub(i, l)		((void)__atomic_fetch_sub(&(l)->a, (i), __ATOMIC_RELAXED))
#define local_inc_return(l)	__atomic_add_fetch(&(l)->a, 1, __ATOMIC_RELAXED)
#define local_add_return(i, l)	__atomic_add_fetch(&(l)->a, (i), __ATOMIC_RELAXED)
#define local_xchg(l, n)	__atomic_exchange_n(&(l)->a, (n), __ATOMIC_RELAXED)
#define local_cmpxchg(l, o, n) ({					\
	long __lold = (o);						\
	__atomic_compare_exchange_n(&(l)->a, &__lold, (n), false,	\
				    __ATOMIC_RELAXED, __ATOMIC_RELAXED); \
	__lold;								\
})

typedef struct {
	long long counter;
} atomic64_t;

#define atomic64_set(v, i)	__atomic_store_n(&(v)->counter, (i), __ATOMIC_RELAXED)
#define atomic64_read(v)	__atomic_load_n(&(v)->counter, __ATOMIC_RELAXED)
#define atomic64_inc(v)		((void)__atomic_fetch_add(&(v)->counter, 1, __ATOMIC_RELAXED))

/* Memory */
#define GFP_KERNEL	0
#define __GFP_ZERO	0
#define __GFP_NOWARN	0

struct page;

#define cpu_to_node(cpu)		((void)(cpu), 0)
#define kzalloc_node(size, gfp, node)	calloc(1, (size))
#define kfree(p)			free(p)
#define vfree(p)			free(p)

static inline void *__vmalloc(unsigned long size, int gfp)
{
	void *p = aligned_alloc(PAGE_SIZE, size);

	(void)gfp;
	if (p)
		memset(p, 0, size);
	return p;
}

static inline struct page *vmalloc_to_page(const void *addr)
{
	(void)addr;
	return NULL;
}

/* In two halves with a race point between: a writer may lap the copy. */
static inline unsigned long copy_to_user(void *to, const void *from, unsigned long n)
{
	memcpy(to, from, n / 2);
	kshim_race();
	memcpy((char *)to + n / 2, (const char *)from + n / 2, n - n / 2);
	return 0;
}

#endif /* KSHIM_H */
