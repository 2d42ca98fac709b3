/*
 * src/core/compute_thread.h
 *	  One helper thread per backend for pure computation that overlaps work
 *	  the backend does meanwhile (hybrid_search runs its BM25 top-k loop on
 *	  it while the vector query runs through SPI).
 *
 *	  A job run on the thread must call nothing of PostgreSQL: no palloc,
 *	  elog, CHECK_FOR_INTERRUPTS, catalog or buffer access.  It reads memory
 *	  the backend prepared and must leave alone until ComputeThreadStop
 *	  returns, and polls ComputeThreadCancelled() often (at least every
 *	  millisecond or so of work), stopping where the caller can finish it.
 *
 *	  Main thread:
 *		ComputeThreadWake();					optional: a job comes in a few µs
 *		... the work that prepares the job ...
 *		started = ComputeThreadStart(fn, arg);	the job may run on the thread
 *		... other work; when started, inside PG_TRY whose PG_CATCH calls
 *			ComputeThreadStop() before PG_RE_THROW() ...
 *		ComputeThreadStop();					take the job back
 *		finish the job here					what the thread left undone: all of
 *											it when it never picked the job up
 */
#ifndef VECRAG_COMPUTE_THREAD_H
#define VECRAG_COMPUTE_THREAD_H

extern bool ComputeThreadStart(void (*fn) (void *), void *arg);
extern void ComputeThreadWake(void);
extern void ComputeThreadStop(void);
extern bool ComputeThreadCancelled(void);
extern bool ComputeThreadActive(void);

#endif							/* VECRAG_COMPUTE_THREAD_H */
