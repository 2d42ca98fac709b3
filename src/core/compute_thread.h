/*
 * src/core/compute_thread.h
 *	  One helper thread per backend for pure computation that overlaps work
 *	  the backend does meanwhile (hybrid_search runs its BM25 top-k loop on
 *	  it while the vector query runs through SPI).
 *
 *	  A job run on the thread must call nothing of PostgreSQL: no palloc,
 *	  elog, CHECK_FOR_INTERRUPTS, catalog or buffer access.  It reads memory
 *	  the backend prepared and must leave alone until the job is waited for,
 *	  and polls ComputeThreadCancelled() often (at least every millisecond
 *	  or so of work) so an interrupt or error on the main thread can stop it.
 *
 *	  Main thread:
 *		if (ComputeThreadStart(fn, arg))	job runs on the thread
 *			... other work, inside PG_TRY: PG_CATCH calls
 *				ComputeThreadCancel() before PG_RE_THROW() ...
 *			ComputeThreadWait();				the job may have stopped early
 *		else
 *			fn(arg)								no thread (busy, platform, error)
 */
#ifndef VECRAG_COMPUTE_THREAD_H
#define VECRAG_COMPUTE_THREAD_H

extern bool ComputeThreadStart(void (*fn) (void *), void *arg);
extern void ComputeThreadWait(void);
extern void ComputeThreadCancel(void);
extern bool ComputeThreadCancelled(void);
extern bool ComputeThreadActive(void);

#endif							/* VECRAG_COMPUTE_THREAD_H */
