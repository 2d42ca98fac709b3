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
 *	  Waking a parked thread takes the kernel several microseconds, and so
 *	  does waking the main thread that sleeps until a job stops: a caller
 *	  that knows a job is coming wakes the thread early (ComputeThreadWake),
 *	  which then spins a short while for the job instead of parking, and the
 *	  main thread taking a running job back spins a short while for it to
 *	  stop before it sleeps.  Neither spins on a single-CPU machine.
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
#include <time.h>
#include <unistd.h>
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
static bool spin = false;		/* more than one CPU: waiting by spinning pays */

/*
 * How long a woken thread spins for its job (the caller's work before it
 * posts the job, a few microseconds), and how long the main thread taking
 * a running job back spins for it to stop (the rest of one window)
 */
#define WAKE_SPIN_NS	20000
#define STOP_SPIN_NS	50000

/* under mutex */
static void (*job_fn) (void *) = NULL;
static void *job_arg = NULL;
static bool wake_posted = false;	/* a job is coming: spin for it */

static pg_atomic_uint32 cancel_flag;
/* written under mutex, atomics so that a spinning thread may read them */
static pg_atomic_uint32 job_posted;	/* a job waits for the thread */
static pg_atomic_uint32 job_done;	/* the job the thread took ended */

static void *ThreadMain(void *unused);
static bool CreateThread(void);
static void AtExit(int code, Datum arg);
static void AtXactAbort(XactEvent event, void *arg);

/* spin until *flag is set or limit_ns have passed */
static void
SpinFor(pg_atomic_uint32 *flag, long limit_ns)
{
	struct timespec start;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (int spins = 1; pg_atomic_read_u32(flag) == 0; spins++)
	{
		pg_spin_delay();
		if (spins % 64 == 0)
		{
			clock_gettime(CLOCK_MONOTONIC, &now);
			if ((now.tv_sec - start.tv_sec) * 1000000000L + (now.tv_nsec - start.tv_nsec) > limit_ns)
				return;
		}
	}
}

static void *
ThreadMain(void *unused)
{
	for (;;)
	{
		void		(*fn) (void *);
		void	   *arg;

		pthread_mutex_lock(&mutex);
		while (pg_atomic_read_u32(&job_posted) == 0)
		{
			if (wake_posted)
			{
				wake_posted = false;
				pthread_mutex_unlock(&mutex);
				SpinFor(&job_posted, WAKE_SPIN_NS);
				pthread_mutex_lock(&mutex);
				continue;
			}
			pthread_cond_wait(&job_cv, &mutex);
		}
		pg_atomic_write_u32(&job_posted, 0);
		wake_posted = false;
		fn = job_fn;
		arg = job_arg;
		pthread_mutex_unlock(&mutex);

		fn(arg);

		pthread_mutex_lock(&mutex);
		pg_atomic_write_u32(&job_done, 1);
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
	pg_atomic_init_u32(&job_posted, 0);
	pg_atomic_init_u32(&job_done, 0);
	spin = sysconf(_SC_NPROCESSORS_ONLN) > 1;
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
	pg_atomic_write_u32(&job_done, 0);
	pg_atomic_write_u32(&job_posted, 1);
	pthread_cond_signal(&job_cv);
	pthread_mutex_unlock(&mutex);
	job_active = true;
	return true;
}

/*
 * Wake the thread for a job the caller is about to start, so that it is
 * running, not parked, when the job comes (it spins for it a short while).
 * Nothing on a single-CPU machine, while a job is active, or without a
 * thread.
 */
void
ComputeThreadWake(void)
{
	if (job_active || !CreateThread() || !spin)
		return;
	pthread_mutex_lock(&mutex);
	wake_posted = true;
	pthread_cond_signal(&job_cv);
	pthread_mutex_unlock(&mutex);
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
	/* a job the thread runs: have it stop, and spin a while for that */
	if (spin && pg_atomic_read_u32(&job_posted) == 0)
	{
		pg_atomic_write_u32(&cancel_flag, 1);
		SpinFor(&job_done, STOP_SPIN_NS);
	}
	pthread_mutex_lock(&mutex);
	withdrawn = pg_atomic_read_u32(&job_posted) != 0;
	pg_atomic_write_u32(&job_posted, 0);
	wake_posted = false;
	if (!withdrawn)
	{
		pg_atomic_write_u32(&cancel_flag, 1);
		while (pg_atomic_read_u32(&job_done) == 0)
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
ComputeThreadWake(void)
{
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
