/*
 * src/ivf/build_parallel.c
 *	  Parallel IVF build.  The leader samples alone and trains the
 *	  quantizer, then launches up to plan_create_index_workers() workers
 *	  (which follows max_parallel_maintenance_workers and the table's
 *	  parallel_workers), with the sample and the quantizer's parameters in
 *	  shared memory.  Two steps are shared:
 *
 *	  - k-means: the leader runs it (seeding, centroid updates), and the
 *	    assignment step of each Lloyd iteration is split into chunks of
 *	    samples that every participant takes from a shared counter; the
 *	    leader publishes the centroids and a new generation, workers wake
 *	    on a condition variable, and the leader waits until every sample is
 *	    assigned.  The result is the serial one: each sample gets the same
 *	    nearest centroid, and the leader sums them in the same order.
 *	  - the assignment scan (every row against every centroid), as btree
 *	    does it: every participant, the leader included, scans its share of
 *	    the heap through a parallel table scan into its own sorted run of a
 *	    shared tuplesort; the leader then merges the runs and writes the
 *	    pages as in a serial build.
 *
 *	  So the index holds the same lists as a serial build's.
 *
 *	  Progress: the leader's scan reports heap blocks (the shared scan's
 *	  position), and each participant adds its assigned rows to a shared
 *	  counter that the leader reports as tuples done.  Cancelling the
 *	  statement cancels the workers (the parallel context is destroyed on
 *	  error); waits go through condition variables, which check for
 *	  interrupts.  Launch, teardown, the shared heap scan and the workers'
 *	  statement text and buffer/WAL accounting are core/parallel_build.c's.
 */
#include "postgres.h"

#include "access/parallel.h"
#include "access/tableam.h"
#include "commands/progress.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "port/atomics.h"
#include "storage/condition_variable.h"
#include "storage/spin.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "core/parallel_build.h"
#include "ivf/ivf.h"

/*
 * keys of the parallel context's table of contents (the relations, the
 * heap scan, the query text and the usage slots are core/parallel_build.c's)
 */
#define IVF_KEY_SHARED			UINT64CONST(0xA000000000000001)
#define IVF_KEY_TUPLESORT		UINT64CONST(0xA000000000000002)
#define IVF_KEY_CENTROIDS		UINT64CONST(0xA000000000000003)
#define IVF_KEY_PARAMS			UINT64CONST(0xA000000000000004)
#define IVF_KEY_SAMPLES			UINT64CONST(0xA000000000000005)
#define IVF_KEY_ASSIGNMENT		UINT64CONST(0xA000000000000006)

/* samples per chunk of a k-means assignment step */
#define IVF_KMEANS_CHUNK		64

/* shared state */
typedef struct IvfShared
{
	/* set by the leader before launch, read-only after */
	int			scanTupleSortStates;	/* participants planned */
	int			dimensions;
	int			lists;
	int			quantizerKind;
	int			metric;
	int			paramBytes;
	int			nsamples;
	int			kmMetric;		/* k-means' metric (IP when spherical) */

	/* k-means: the current generation's chunks */
	pg_atomic_uint32 kmNext;	/* first sample of the next chunk */
	pg_atomic_uint32 kmDone;	/* samples assigned */
	pg_atomic_uint32 kmChanged; /* of which changed their centroid */
	ConditionVariable kmCv;		/* workers wait here for a generation */
	ConditionVariable kmDoneCv; /* the leader waits here for kmDone */
	int			kmGeneration;	/* under mutex */
	bool		kmFinished;		/* under mutex: go on to the scan */

	/* rows assigned so far by all participants, for progress */
	pg_atomic_uint64 assigned;

	/* participants done: mutex protects the fields below */
	ConditionVariable doneCv;
	slock_t		mutex;
	int			participantsDone;
	double		heapTuples;
	int64		indexTuples;
} IvfShared;

typedef struct IvfLeader
{
	VecParallelBuild pb;
	int			participants;	/* workers launched, plus the leader */
	IvfShared  *shared;
	Sharedsort *sharedSort;
	float	   *centroids;		/* shared copies */
	float	   *samples;
	int		   *assignment;
} IvfLeader;

static void ScanAndSort(IvfBuildState *bs, Sharedsort *sharedSort, Relation heap,
						IndexInfo *indexInfo, ParallelTableScanDesc pscan,
						bool progress);
static void KmeansChunks(IvfShared *shared, const float *samples, const float *centroids,
						 int *assignment);
static void KmeansParticipate(IvfShared *shared, shm_toc *toc);

/*
 * Count n more assigned rows: the shared total in a parallel build (the
 * leader reports it), the participant's own count otherwise.
 */
void
IvfReportAssigned(IvfBuildState *bs, int n)
{
	if (bs->shared == NULL)
		pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE, bs->indexTuples);
	else
	{
		uint64		total = pg_atomic_add_fetch_u64(&bs->shared->assigned, n);

		if (bs->leader != NULL)
			pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE, (int64) total);
	}
}

/*
 * Set up shared memory and launch up to request workers for k-means and
 * the assignment scan; bs must hold the sample and the quantizer.  Returns
 * false, with nothing left behind, when no worker could be launched: the
 * caller then builds serially.  On true, bs->leader and bs->shared are set
 * and the workers wait for k-means (IvfParallelKmeansAssign), then for
 * IvfParallelKmeansDone to start scanning.
 */
bool
IvfBeginParallel(IvfBuildState *bs, Relation heap, IndexInfo *indexInfo, int request)
{
	IvfLeader  *leader = palloc0(sizeof(IvfLeader));
	ParallelContext *pcxt;
	Size		centroidBytes = sizeof(float) * (Size) bs->lists * bs->dimensions;
	Size		sampleBytes = sizeof(float) * (Size) Max(bs->nsamples, 1) * bs->dimensions;
	Size		assignmentBytes = sizeof(int) * (Size) Max(bs->nsamples, 1);
	Size		estSort;
	char	   *params;
	char	   *sharedParams;
	int			paramBytes;
	int			participants = request + 1;
	int			launched;
	IvfShared  *shared;

	params = IvfQuantizerParams(bs->quantizer, &paramBytes);

	VecParallelBuildBegin(&leader->pb, "IvfParallelBuildMain", request, heap, bs->index,
						  indexInfo);
	pcxt = leader->pb.pcxt;
	shm_toc_estimate_chunk(&pcxt->estimator, sizeof(IvfShared));
	estSort = tuplesort_estimate_shared(participants);
	shm_toc_estimate_chunk(&pcxt->estimator, estSort);
	shm_toc_estimate_chunk(&pcxt->estimator, centroidBytes);
	shm_toc_estimate_chunk(&pcxt->estimator, sampleBytes);
	shm_toc_estimate_chunk(&pcxt->estimator, assignmentBytes);
	shm_toc_estimate_chunk(&pcxt->estimator, Max(paramBytes, 1));
	shm_toc_estimate_keys(&pcxt->estimator, 6);
	if (!VecParallelBuildInitialize(&leader->pb))
	{
		/* no shared memory to be had: build serially */
		pfree(leader);
		return false;
	}

	shared = shm_toc_allocate(pcxt->toc, sizeof(IvfShared));
	shared->scanTupleSortStates = participants;
	shared->dimensions = bs->dimensions;
	shared->lists = bs->lists;
	shared->quantizerKind = bs->quantizerKind;
	shared->metric = bs->type.metric;
	shared->paramBytes = paramBytes;
	shared->nsamples = bs->nsamples;
	shared->kmMetric = bs->type.metric;
	pg_atomic_init_u32(&shared->kmNext, (uint32) bs->nsamples);
	pg_atomic_init_u32(&shared->kmDone, 0);
	pg_atomic_init_u32(&shared->kmChanged, 0);
	ConditionVariableInit(&shared->kmCv);
	ConditionVariableInit(&shared->kmDoneCv);
	shared->kmGeneration = 0;
	shared->kmFinished = false;
	pg_atomic_init_u64(&shared->assigned, 0);
	ConditionVariableInit(&shared->doneCv);
	SpinLockInit(&shared->mutex);
	shared->participantsDone = 0;
	shared->heapTuples = 0;
	shared->indexTuples = 0;
	shm_toc_insert(pcxt->toc, IVF_KEY_SHARED, shared);
	leader->shared = shared;

	leader->sharedSort = shm_toc_allocate(pcxt->toc, estSort);
	tuplesort_initialize_shared(leader->sharedSort, participants, pcxt->seg);
	shm_toc_insert(pcxt->toc, IVF_KEY_TUPLESORT, leader->sharedSort);

	leader->centroids = shm_toc_allocate(pcxt->toc, centroidBytes);
	shm_toc_insert(pcxt->toc, IVF_KEY_CENTROIDS, leader->centroids);
	leader->samples = shm_toc_allocate(pcxt->toc, sampleBytes);
	memcpy(leader->samples, bs->samples, sizeof(float) * (Size) bs->nsamples * bs->dimensions);
	shm_toc_insert(pcxt->toc, IVF_KEY_SAMPLES, leader->samples);
	leader->assignment = shm_toc_allocate(pcxt->toc, assignmentBytes);
	for (int i = 0; i < bs->nsamples; i++)
		leader->assignment[i] = -1;
	shm_toc_insert(pcxt->toc, IVF_KEY_ASSIGNMENT, leader->assignment);
	sharedParams = shm_toc_allocate(pcxt->toc, Max(paramBytes, 1));
	if (paramBytes > 0)
		memcpy(sharedParams, params, paramBytes);
	shm_toc_insert(pcxt->toc, IVF_KEY_PARAMS, sharedParams);

	launched = VecParallelBuildLaunch(&leader->pb);
	if (launched == 0)
	{
		pfree(leader);
		return false;
	}

	leader->participants = launched + 1;
	bs->leader = leader;
	bs->shared = shared;
	ereport(DEBUG1,
			(errmsg_internal("ivf build of \"%s\": %d parallel workers run k-means and assign rows",
							 RelationGetRelationName(bs->index), launched)));
	return true;
}

/*
 * The assignment step of one Lloyd iteration (an IvfKmeansAssign, arg the
 * build state), shared with the workers: publish the centroids and a new
 * generation, take chunks like everyone else, wait until every sample is
 * assigned, and copy the assignment back.  Returns how many changed.
 */
int
IvfParallelKmeansAssign(void *arg, const float *samples, int nsamples,
						const float *centroids, int k, int dim, int metric,
						int *assignment)
{
	IvfBuildState *bs = (IvfBuildState *) arg;
	IvfLeader  *leader = bs->leader;
	IvfShared  *shared = leader->shared;

	Assert(nsamples == shared->nsamples && k == shared->lists && dim == shared->dimensions);
	memcpy(leader->centroids, centroids, sizeof(float) * (Size) k * dim);
	shared->kmMetric = metric;

	/* no chunk is in flight: every sample of the last generation is done */
	pg_atomic_write_u32(&shared->kmDone, 0);
	pg_atomic_write_u32(&shared->kmChanged, 0);
	pg_memory_barrier();
	pg_atomic_write_u32(&shared->kmNext, 0);
	SpinLockAcquire(&shared->mutex);
	shared->kmGeneration++;
	SpinLockRelease(&shared->mutex);
	ConditionVariableBroadcast(&shared->kmCv);

	KmeansChunks(shared, leader->samples, leader->centroids, leader->assignment);
	ConditionVariablePrepareToSleep(&shared->kmDoneCv);
	while (pg_atomic_read_u32(&shared->kmDone) < (uint32) nsamples)
		ConditionVariableSleep(&shared->kmDoneCv, WAIT_EVENT_PARALLEL_CREATE_INDEX_SCAN);
	ConditionVariableCancelSleep();

	memcpy(assignment, leader->assignment, sizeof(int) * nsamples);
	return (int) pg_atomic_read_u32(&shared->kmChanged);
}

/* k-means is over: hand the final centroids to the workers for the scan */
void
IvfParallelKmeansDone(IvfBuildState *bs)
{
	IvfShared  *shared = bs->leader->shared;

	memcpy(bs->leader->centroids, bs->centroids,
		   sizeof(float) * (Size) bs->lists * bs->dimensions);
	SpinLockAcquire(&shared->mutex);
	shared->kmFinished = true;
	SpinLockRelease(&shared->mutex);
	ConditionVariableBroadcast(&shared->kmCv);
}

/* take chunks of the current k-means generation until none is left */
static void
KmeansChunks(IvfShared *shared, const float *samples, const float *centroids, int *assignment)
{
	uint32		n = (uint32) shared->nsamples;

	for (;;)
	{
		uint32		first = pg_atomic_fetch_add_u32(&shared->kmNext, IVF_KMEANS_CHUNK);
		uint32		count;
		int			changed;

		if (first >= n)
			break;
		count = Min(IVF_KMEANS_CHUNK, n - first);
		changed = IvfKmeansAssignRange(samples, (int) first, (int) count, centroids,
									   shared->lists, shared->dimensions, shared->kmMetric,
									   assignment);
		pg_atomic_fetch_add_u32(&shared->kmChanged, (uint32) changed);
		if (pg_atomic_add_fetch_u32(&shared->kmDone, count) == n)
			ConditionVariableSignal(&shared->kmDoneCv);
	}
}

/* a worker's part of k-means: every generation's chunks, until it is over */
static void
KmeansParticipate(IvfShared *shared, shm_toc *toc)
{
	const float *samples = shm_toc_lookup(toc, IVF_KEY_SAMPLES, false);
	const float *centroids = shm_toc_lookup(toc, IVF_KEY_CENTROIDS, false);
	int		   *assignment = shm_toc_lookup(toc, IVF_KEY_ASSIGNMENT, false);
	int			seen = 0;

	ConditionVariablePrepareToSleep(&shared->kmCv);
	for (;;)
	{
		int			generation;
		bool		finished;

		SpinLockAcquire(&shared->mutex);
		generation = shared->kmGeneration;
		finished = shared->kmFinished;
		SpinLockRelease(&shared->mutex);
		if (finished)
			break;
		if (generation == seen)
		{
			ConditionVariableSleep(&shared->kmCv, WAIT_EVENT_PARALLEL_CREATE_INDEX_SCAN);
			continue;
		}
		seen = generation;
		KmeansChunks(shared, samples, centroids, assignment);
	}
	ConditionVariableCancelSleep();
}

/*
 * The leader's part of a parallel assignment: scan its own share, wait for
 * the workers, and leave bs->sort as the merge of every participant's run,
 * ready for tuplesort_performsort.
 */
void
IvfParallelAssign(IvfBuildState *bs, Relation heap, IndexInfo *indexInfo)
{
	IvfLeader  *leader = bs->leader;
	IvfShared  *shared = leader->shared;
	SortCoordinate coordinate;

	ScanAndSort(bs, leader->sharedSort, heap, indexInfo, leader->pb.pscan, true);

	/* a launched worker that never starts must not leave us waiting */
	WaitForParallelWorkersToAttach(leader->pb.pcxt);
	for (;;)
	{
		SpinLockAcquire(&shared->mutex);
		if (shared->participantsDone == leader->participants)
		{
			bs->heapTuples = shared->heapTuples;
			bs->indexTuples = shared->indexTuples;
			SpinLockRelease(&shared->mutex);
			break;
		}
		SpinLockRelease(&shared->mutex);
		ConditionVariableSleep(&shared->doneCv, WAIT_EVENT_PARALLEL_CREATE_INDEX_SCAN);
	}
	ConditionVariableCancelSleep();
	pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE, bs->indexTuples);

	coordinate = palloc0(sizeof(SortCoordinateData));
	coordinate->isWorker = false;
	coordinate->nParticipants = leader->participants;
	coordinate->sharedsort = leader->sharedSort;
	bs->sort = IvfBeginAssignSort(bs, maintenance_work_mem, coordinate);
}

/* after the leader's merge sort has ended: shut the workers down */
void
IvfEndParallel(IvfBuildState *bs)
{
	IvfLeader  *leader = bs->leader;

	VecParallelBuildWait(&leader->pb);
	VecParallelBuildEnd(&leader->pb);
	pfree(leader);
	bs->leader = NULL;
	bs->shared = NULL;
}

/*
 * One participant's share: scan blocks of the parallel scan, assign their
 * rows into a sorted run of the shared sort, and say so.  The run's memory
 * is maintenance_work_mem split between the participants planned.
 */
static void
ScanAndSort(IvfBuildState *bs, Sharedsort *sharedSort, Relation heap,
			IndexInfo *indexInfo, ParallelTableScanDesc pscan, bool progress)
{
	IvfShared  *shared = bs->shared;
	SortCoordinate coordinate = palloc0(sizeof(SortCoordinateData));
	TableScanDesc scan;
	double		heapTuples;

	coordinate->isWorker = true;
	coordinate->nParticipants = -1;
	coordinate->sharedsort = sharedSort;
	bs->sort = IvfBeginAssignSort(bs, Max(maintenance_work_mem / shared->scanTupleSortStates, 64),
								  coordinate);
	scan = table_beginscan_parallel(heap, pscan);
	heapTuples = table_index_build_scan(heap, bs->index, indexInfo, true, progress,
										IvfAssignCallback, bs, scan);
	tuplesort_performsort(bs->sort);

	SpinLockAcquire(&shared->mutex);
	shared->participantsDone++;
	shared->heapTuples += heapTuples;
	shared->indexTuples += bs->indexTuples;
	SpinLockRelease(&shared->mutex);
	ConditionVariableSignal(&shared->doneCv);

	tuplesort_end(bs->sort);
	bs->sort = NULL;
}

/* entry point of a parallel worker (CreateParallelContext names it) */
void
IvfParallelBuildMain(dsm_segment *seg, shm_toc *toc)
{
	IvfShared  *shared = shm_toc_lookup(toc, IVF_KEY_SHARED, false);
	Sharedsort *sharedSort;
	VecParallelWorker pw;
	IvfBuildState bs;

	VecParallelWorkerBegin(&pw, toc);
	IvfInitBuildState(&bs, pw.index);
	if (bs.dimensions != shared->dimensions || bs.lists != shared->lists ||
		bs.quantizerKind != shared->quantizerKind)
		elog(ERROR, "ivf parallel build worker sees a different index definition");

	KmeansParticipate(shared, toc);

	bs.shared = shared;
	bs.centroids = shm_toc_lookup(toc, IVF_KEY_CENTROIDS, false);
	bs.quantizer = IvfQuantizerRestore(shared->quantizerKind, shared->dimensions, shared->metric,
									   shm_toc_lookup(toc, IVF_KEY_PARAMS, false),
									   shared->paramBytes);
	IvfInitAssignSlot(&bs);

	sharedSort = shm_toc_lookup(toc, IVF_KEY_TUPLESORT, false);
	tuplesort_attach_shared(sharedSort, seg);

	ScanAndSort(&bs, sharedSort, pw.heap, pw.indexInfo, pw.pscan, false);

	ExecDropSingleTupleTableSlot(bs.slot);
	MemoryContextDelete(bs.tmpCtx);
	VecParallelWorkerEnd(&pw);
}
