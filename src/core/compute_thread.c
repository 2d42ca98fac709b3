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
 *	  the job is stopped.  The main thread never waits for a job to finish:
 *	  when it is done with its own work (or an error or interrupt cuts that
 *	  short) it takes the job back with ComputeThreadStop.  A job the thread
 *	  has not picked up yet is withdrawn; one it is running stops at its next
 *	  check, which the main thread waits for (a short, bounded wait).  The
 *	  caller then finishes what is left itself, so a thread that starts late
 *	  (a busy core, a slow wake-up) costs no more than running the job on the
 *	  main thread alone.  As a safety net, aborting the transaction and
 *	  leaving the process (FATAL errors do not unwind) also stop a job.
 *
 *	  Only on platforms with POSIX threads (not WIN32): elsewhere
 *	  ComputeThreadStart returns false and callers run the job themselves.
 */
#include "postgres.h"

#ifndef WIN32
#include <pthread.h>
#include <signal.h>
#endif

#include "access/xact.h"
#include "port/atomics.h"
#include "storage/ipc.h"

#include "core/compute_thread.h"

static bool job_active = false; /* main thread: started and not yet taken back */

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
	sigset_t	all;
	sigset_t	old;
	int			rc;

	if (thread_started)
		return true;
	if (thread_failed)
		return false;
	pg_atomic_init_u32(&cancel_flag, 0);
	if (pthread_cond_init(&done_cv, NULL) != 0 ||
		pthread_cond_init(&job_cv, NULL) != 0)
	{
		thread_failed = true;
		return false;
	}

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

/*
 * Take back the job started by ComputeThreadStart: withdraw it if the
 * thread has not picked it up, else make it stop at its next check and
 * wait for that (or for its end).  Afterwards no job is active and the
 * caller finishes whatever the job left undone.  Nothing when no job is
 * active.  Safe in error cleanup: it neither allocates nor throws.
 */
void
ComputeThreadStop(void)
{
	bool		withdrawn;

	if (!job_active)
		return;
	pthread_mutex_lock(&mutex);
	withdrawn = job_posted;
	job_posted = false;
	if (!withdrawn)
	{
		pg_atomic_write_u32(&cancel_flag, 1);
		while (!job_done)
			pthread_cond_wait(&done_cv, &mutex);
	}
	pthread_mutex_unlock(&mutex);
	job_active = false;
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
	ComputeThreadStop();
}

static void
AtXactAbort(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT)
		ComputeThreadStop();
}

#else							/* WIN32: no helper thread */

bool
ComputeThreadStart(void (*fn) (void *), void *arg)
{
	return false;
}

void
ComputeThreadStop(void)
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
