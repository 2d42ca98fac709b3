/*
 * src/core/parallel_build.c
 *	  The launch and teardown of a parallel index build, shared by hnsw and
 *	  ivf (see parallel_build.h for the calling sequence), as PostgreSQL's
 *	  btree build does them (_bt_begin_parallel, _bt_end_parallel,
 *	  _bt_parallel_build_main): the heap scan's snapshot and parallel table
 *	  scan, the statement's text for the workers' pg_stat_activity and
 *	  error context, and each worker's buffer and WAL usage, which the
 *	  leader adds to its own so that the statement's totals
 *	  (pg_stat_statements, log_statement_stats) include the workers'.
 *
 *	  Errors: a failed build aborts the transaction, which destroys the
 *	  parallel context (terminating the workers), leaves parallel mode and
 *	  releases the snapshot, so only the success and fall-back paths tear
 *	  down here.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/index.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "tcop/tcopprot.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "core/parallel_build.h"

/* our keys of the table of contents: see the range in parallel_build.h */
#define VEC_PARALLEL_KEY_SHARED			UINT64CONST(0xA0C0000000000001)
#define VEC_PARALLEL_KEY_QUERY_TEXT		UINT64CONST(0xA0C0000000000002)
#define VEC_PARALLEL_KEY_WAL_USAGE		UINT64CONST(0xA0C0000000000003)
#define VEC_PARALLEL_KEY_BUFFER_USAGE	UINT64CONST(0xA0C0000000000004)

/* what the workers need to open the relations; the parallel scan follows */
typedef struct VecParallelShared
{
	Oid			heapRelid;
	Oid			indexRelid;
	bool		isConcurrent;
} VecParallelShared;

#define ParallelScanFromShared(shared) \
	((ParallelTableScanDesc) ((char *) (shared) + BUFFERALIGN(sizeof(VecParallelShared))))

/*
 * Enter parallel mode and create the context for up to nworkers workers
 * running workerMain (a PGDLLEXPORT function of this library), and take
 * the heap scan's snapshot: SnapshotAny, as a serial build's scan, unless
 * the build is CONCURRENTLY, which needs an MVCC snapshot the workers can
 * restore.  The caller then estimates its own chunks and keys in
 * pb->pcxt->estimator and calls VecParallelBuildInitialize.
 */
void
VecParallelBuildBegin(VecParallelBuild *pb, const char *workerMain, int nworkers,
					  Relation heap, Relation index, IndexInfo *indexInfo)
{
	memset(pb, 0, sizeof(VecParallelBuild));
	pb->heap = heap;
	pb->indexRelid = RelationGetRelid(index);
	pb->isConcurrent = indexInfo->ii_Concurrent;

	EnterParallelMode();
	pb->pcxt = CreateParallelContext("vecrag", workerMain, nworkers);
	if (!indexInfo->ii_Concurrent)
		pb->snapshot = SnapshotAny;
	else
		pb->snapshot = RegisterSnapshot(GetTransactionSnapshot());
}

/*
 * Create the dynamic shared memory segment and fill in our part: the
 * relations, the parallel scan (pb->pscan), the statement's text and the
 * workers' usage slots.  Returns false, with everything torn down, when no
 * segment could be had: the caller then builds serially.
 */
bool
VecParallelBuildInitialize(VecParallelBuild *pb)
{
	ParallelContext *pcxt = pb->pcxt;
	Size		sharedSize;
	Size		queryLen = 0;
	VecParallelShared *shared;

	sharedSize = add_size(BUFFERALIGN(sizeof(VecParallelShared)),
						  table_parallelscan_estimate(pb->heap, pb->snapshot));
	shm_toc_estimate_chunk(&pcxt->estimator, sharedSize);
	shm_toc_estimate_chunk(&pcxt->estimator, mul_size(sizeof(WalUsage), pcxt->nworkers));
	shm_toc_estimate_chunk(&pcxt->estimator, mul_size(sizeof(BufferUsage), pcxt->nworkers));
	shm_toc_estimate_keys(&pcxt->estimator, 3);
	if (debug_query_string)
	{
		queryLen = strlen(debug_query_string);
		shm_toc_estimate_chunk(&pcxt->estimator, queryLen + 1);
		shm_toc_estimate_keys(&pcxt->estimator, 1);
	}

	InitializeParallelDSM(pcxt);
	if (pcxt->seg == NULL)
	{
		VecParallelBuildEnd(pb);
		return false;
	}

	shared = shm_toc_allocate(pcxt->toc, sharedSize);
	shared->heapRelid = RelationGetRelid(pb->heap);
	shared->indexRelid = pb->indexRelid;
	shared->isConcurrent = pb->isConcurrent;
	pb->pscan = ParallelScanFromShared(shared);
	table_parallelscan_initialize(pb->heap, pb->pscan, pb->snapshot);
	shm_toc_insert(pcxt->toc, VEC_PARALLEL_KEY_SHARED, shared);
	if (debug_query_string)
	{
		char	   *query = shm_toc_allocate(pcxt->toc, queryLen + 1);

		memcpy(query, debug_query_string, queryLen + 1);
		shm_toc_insert(pcxt->toc, VEC_PARALLEL_KEY_QUERY_TEXT, query);
	}
	pb->walUsage = shm_toc_allocate(pcxt->toc, mul_size(sizeof(WalUsage), pcxt->nworkers));
	shm_toc_insert(pcxt->toc, VEC_PARALLEL_KEY_WAL_USAGE, pb->walUsage);
	pb->bufferUsage = shm_toc_allocate(pcxt->toc, mul_size(sizeof(BufferUsage), pcxt->nworkers));
	shm_toc_insert(pcxt->toc, VEC_PARALLEL_KEY_BUFFER_USAGE, pb->bufferUsage);
	return true;
}

/*
 * Launch the workers; returns how many started.  When none did, everything
 * is torn down (as VecParallelBuildWait and VecParallelBuildEnd) and the
 * caller builds serially.
 */
int
VecParallelBuildLaunch(VecParallelBuild *pb)
{
	int			launched;

	LaunchParallelWorkers(pb->pcxt);
	launched = pb->pcxt->nworkers_launched;
	if (launched == 0)
	{
		VecParallelBuildWait(pb);
		VecParallelBuildEnd(pb);
	}
	return launched;
}

/*
 * Wait until every launched worker has exited (an error in one is raised
 * here), and add their buffer and WAL usage to this backend's.  Once only.
 */
void
VecParallelBuildWait(VecParallelBuild *pb)
{
	WaitForParallelWorkersToFinish(pb->pcxt);
	for (int i = 0; i < pb->pcxt->nworkers_launched; i++)
		InstrAccumParallelQuery(&pb->bufferUsage[i], &pb->walUsage[i]);
}

/*
 * Release the snapshot, destroy the context (and with it the shared
 * memory: nothing in it may be used after this) and leave parallel mode.
 */
void
VecParallelBuildEnd(VecParallelBuild *pb)
{
	if (IsMVCCSnapshot(pb->snapshot))
		UnregisterSnapshot(pb->snapshot);
	DestroyParallelContext(pb->pcxt);
	ExitParallelMode();
	pb->pcxt = NULL;
	pb->pscan = NULL;
	pb->walUsage = NULL;
	pb->bufferUsage = NULL;
}

/*
 * A worker's start: show the leader's statement (pg_stat_activity, error
 * context), open the relations under the locks the leader holds (as
 * _bt_parallel_build_main: a worker shares its leader's lock group, so
 * these do not wait), and start counting its buffer and WAL usage.
 */
void
VecParallelWorkerBegin(VecParallelWorker *pw, shm_toc *toc)
{
	VecParallelShared *shared;

	debug_query_string = shm_toc_lookup(toc, VEC_PARALLEL_KEY_QUERY_TEXT, true);
	pgstat_report_activity(STATE_RUNNING, debug_query_string);

	shared = shm_toc_lookup(toc, VEC_PARALLEL_KEY_SHARED, false);
	pw->toc = toc;
	if (!shared->isConcurrent)
	{
		pw->heapLockmode = ShareLock;
		pw->indexLockmode = AccessExclusiveLock;
	}
	else
	{
		pw->heapLockmode = ShareUpdateExclusiveLock;
		pw->indexLockmode = RowExclusiveLock;
	}
	pw->heap = table_open(shared->heapRelid, pw->heapLockmode);
	pw->index = index_open(shared->indexRelid, pw->indexLockmode);
	pw->indexInfo = BuildIndexInfo(pw->index);
	pw->indexInfo->ii_Concurrent = shared->isConcurrent;
	pw->pscan = ParallelScanFromShared(shared);

	InstrStartParallelQuery();
}

/*
 * A worker's end: store its buffer and WAL usage in its slot for the
 * leader, and close the relations.
 */
void
VecParallelWorkerEnd(VecParallelWorker *pw)
{
	WalUsage   *walUsage = shm_toc_lookup(pw->toc, VEC_PARALLEL_KEY_WAL_USAGE, false);
	BufferUsage *bufferUsage = shm_toc_lookup(pw->toc, VEC_PARALLEL_KEY_BUFFER_USAGE, false);

	InstrEndParallelQuery(&bufferUsage[ParallelWorkerNumber], &walUsage[ParallelWorkerNumber]);
	index_close(pw->index, pw->indexLockmode);
	table_close(pw->heap, pw->heapLockmode);
}
