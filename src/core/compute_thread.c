/*
 * src/core/compute_thread.c
 *	  A helper thread per backend that runs one pure-computation job at a
 *	  time beside the main thread (see compute_thread.h for the contract).
 *
 *	  The thread is created on first use with every signal blocked, so
 *	  PostgreSQL's signal handlers only ever run on the main thread, and
 *	  then parks on a condition variable between jobs.  It touches nothing
 *	  of PostgreSQL: it calls the job's function and reports its end.
 *
 *	  Memory a job reads belongs to the main thread and must stay put until
 *	  the job is waited for.  ComputeThreadWait therefore never lets an
 *	  interrupt's error escape while the job runs: it waits in short timed
 *	  waits and, when an interrupt is pending and can be processed, tells
 *	  the job to stop, waits for it, and only then processes the interrupt.
 *	  Callers that run other code meanwhile (which may throw) cancel in
 *	  their PG_CATCH; as a safety net, aborting the transaction and
 *	  leaving the process (FATAL errors do not unwind) also cancel a job
 *	  still running.
 *
 *	  Only on platforms with POSIX threads (not WIN32): elsewhere
 *	  ComputeThreadStart returns false and callers run the job themselves.
 */
#include "postgres.h"

#ifndef WIN32
#include <pthread.h>
#include <signal.h>
#include <time.h>
#endif

#include "access/xact.h"
#include "miscadmin.h"
#include "port/atomics.h"
#include "storage/ipc.h"

#include "core/compat.h"
#include "core/compute_thread.h"

/* how long the main thread sleeps at most between interrupt checks */
#define COMPUTE_WAIT_NS		200000

static bool job_active = false; /* main thread: started and not yet waited for */

#ifndef WIN32

static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t job_cv;	/* a job was posted */
static pthread_cond_t done_cv;	/* the job ended */
static pthread_t thread;
static bool thread_started = false;
static bool thread_failed = false;

/* under mutex */
static void (*job_fn) (void *) = NULL;
static void *job_arg = NULL;
static bool job_posted = false;
static bool job_done = false;

static pg_atomic_uint32 cancel_flag;

static void *ThreadMain(void *unused);
static bool CreateThread(void);
static void WaitUninterruptibly(void);
static void AtExit(int code, Datum arg);
static void AtXactAbort(XactEvent event, void *arg);

static void *
ThreadMain(void *unused)
{
	for (;;)
	{
		void		(*fn) (void *);
		void	   *arg;

		pthread_mutex_lock(&mutex);
		while (!job_posted)
			pthread_cond_wait(&job_cv, &mutex);
		job_posted = false;
		fn = job_fn;
		arg = job_arg;
		pthread_mutex_unlock(&mutex);

		fn(arg);

		pthread_mutex_lock(&mutex);
		job_done = true;
		pthread_cond_signal(&done_cv);
		pthread_mutex_unlock(&mutex);
	}
	return NULL;
}

/* the thread, with every signal blocked; false when it cannot be made */
static bool
CreateThread(void)
{
	pthread_condattr_t attr;
	sigset_t	all;
	sigset_t	old;
	int			rc;

	if (thread_started)
		return true;
	if (thread_failed)
		return false;
	pg_atomic_init_u32(&cancel_flag, 0);
	if (pthread_condattr_init(&attr) != 0 ||
		pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) != 0 ||
		pthread_cond_init(&done_cv, &attr) != 0 ||
		pthread_cond_init(&job_cv, NULL) != 0)
	{
		thread_failed = true;
		return false;
	}
	pthread_condattr_destroy(&attr);

	/* it inherits the creator's mask: all blocked while creating it */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&thread, NULL, ThreadMain, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
	{
		thread_failed = true;
		elog(DEBUG1, "vecrag: could not create a compute thread: %s", strerror(rc));
		return false;
	}
	thread_started = true;
	before_shmem_exit(AtExit, (Datum) 0);
	RegisterXactCallback(AtXactAbort, NULL);
	return true;
}

/*
 * Run fn(arg) on the helper thread.  False when no thread is available (a
 * job is already running, or there is none on this platform or it could
 * not be created): the caller then runs fn itself.
 */
bool
ComputeThreadStart(void (*fn) (void *), void *arg)
{
	if (job_active || !CreateThread())
		return false;
	pg_atomic_write_u32(&cancel_flag, 0);
	pthread_mutex_lock(&mutex);
	job_fn = fn;
	job_arg = arg;
	job_done = false;
	job_posted = true;
	pthread_cond_signal(&job_cv);
	pthread_mutex_unlock(&mutex);
	job_active = true;
	return true;
}

/* wait for the job's end, ignoring interrupts; the job is no longer active */
static void
WaitUninterruptibly(void)
{
	pthread_mutex_lock(&mutex);
	while (!job_done)
		pthread_cond_wait(&done_cv, &mutex);
	pthread_mutex_unlock(&mutex);
	job_active = false;
}

/*
 * Wait for the job started by ComputeThreadStart.  Interrupts are served
 * meanwhile: one that can be processed first stops the job (which returns
 * early, leaving its state for the caller to finish) and then is processed,
 * so an error it raises escapes only once the thread is idle.
 */
void
ComputeThreadWait(void)
{
	while (job_active)
	{
		struct timespec deadline;
		bool		done;

		clock_gettime(CLOCK_MONOTONIC, &deadline);
		deadline.tv_nsec += COMPUTE_WAIT_NS;
		if (deadline.tv_nsec >= 1000000000L)
		{
			deadline.tv_sec++;
			deadline.tv_nsec -= 1000000000L;
		}
		pthread_mutex_lock(&mutex);
		if (!job_done)
			pthread_cond_timedwait(&done_cv, &mutex, &deadline);
		done = job_done;
		pthread_mutex_unlock(&mutex);
		if (done)
			job_active = false;
		else if (INTERRUPTS_PENDING_CONDITION() && INTERRUPTS_CAN_BE_PROCESSED())
		{
			ComputeThreadCancel();
			CHECK_FOR_INTERRUPTS();
			return;
		}
	}
}

/*
 * Tell the running job to stop and wait until it has; nothing when no job
 * is active.  Safe in error cleanup: it neither allocates nor throws.
 */
void
ComputeThreadCancel(void)
{
	if (!job_active)
		return;
	pg_atomic_write_u32(&cancel_flag, 1);
	WaitUninterruptibly();
}

/* on the thread: whether the job must stop now */
bool
ComputeThreadCancelled(void)
{
	return pg_atomic_read_u32(&cancel_flag) != 0;
}

static void
AtExit(int code, Datum arg)
{
	ComputeThreadCancel();
}

static void
AtXactAbort(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT)
		ComputeThreadCancel();
}

#else							/* WIN32: no helper thread */

bool
ComputeThreadStart(void (*fn) (void *), void *arg)
{
	return false;
}

void
ComputeThreadWait(void)
{
}

void
ComputeThreadCancel(void)
{
}

bool
ComputeThreadCancelled(void)
{
	return false;
}

#endif							/* WIN32 */

/* whether a job started on the thread has not been waited for yet */
bool
ComputeThreadActive(void)
{
	return job_active;
}
