/*
 * src/core/parallel_build.h
 *	  The launch and teardown of a parallel index build, shared by hnsw and
 *	  ivf, in the shape of PostgreSQL's btree build (nbtsort.c): parallel
 *	  mode and context, the heap scan's snapshot and parallel table scan,
 *	  the statement's text for the workers, and each worker's WalUsage and
 *	  BufferUsage, added to the leader's at the end so pg_stat_statements
 *	  and EXPLAIN-less accounting of CREATE INDEX count the workers' buffer
 *	  reads and WAL.  The access method keeps its own shared state, keys
 *	  and work.
 *
 *	  Leader:
 *		VecParallelBuildBegin		enter parallel mode, create the context
 *		(estimate the AM's chunks and keys in pb->pcxt->estimator)
 *		VecParallelBuildInitialize	create the segment, fill our part
 *		(allocate and insert the AM's chunks in pb->pcxt->toc)
 *		VecParallelBuildLaunch		start the workers
 *		(the leader's own work)
 *		VecParallelBuildWait		wait for the workers, take their usage
 *		VecParallelBuildEnd			destroy the context, leave parallel mode
 *
 *	  Worker (the entry point named in Begin):
 *		VecParallelWorkerBegin		statement text, relations, usage start
 *		(the worker's own work)
 *		VecParallelWorkerEnd		usage into its slot, relations closed
 *
 *	  Table-of-contents keys 0xA0C0000000000000 to 0xA0C00000000000FF are
 *	  this module's; an access method uses keys outside that range (hnsw
 *	  0xA0A0..., ivf 0xA000...).
 */
#ifndef VECRAG_PARALLEL_BUILD_H
#define VECRAG_PARALLEL_BUILD_H

#include "postgres.h"

#include "access/parallel.h"
#include "access/relscan.h"
#include "executor/instrument.h"
#include "nodes/execnodes.h"
#include "storage/lockdefs.h"
#include "utils/relcache.h"
#include "utils/snapshot.h"

/* the leader's handle; palloc'd by the caller or on its stack */
typedef struct VecParallelBuild
{
	ParallelContext *pcxt;
	Relation	heap;
	Oid			indexRelid;
	bool		isConcurrent;
	Snapshot	snapshot;		/* SnapshotAny, or MVCC when CONCURRENTLY */
	ParallelTableScanDesc pscan;	/* the heap scan every participant shares */
	WalUsage   *walUsage;		/* one per worker */
	BufferUsage *bufferUsage;	/* one per worker */
} VecParallelBuild;

/* what a worker gets from VecParallelWorkerBegin */
typedef struct VecParallelWorker
{
	shm_toc    *toc;
	Relation	heap;
	Relation	index;
	IndexInfo  *indexInfo;
	ParallelTableScanDesc pscan;
	LOCKMODE	heapLockmode;
	LOCKMODE	indexLockmode;
} VecParallelWorker;

extern void VecParallelBuildBegin(VecParallelBuild *pb, const char *workerMain,
								  int nworkers, Relation heap, Relation index,
								  IndexInfo *indexInfo);
extern bool VecParallelBuildInitialize(VecParallelBuild *pb);
extern int	VecParallelBuildLaunch(VecParallelBuild *pb);
extern void VecParallelBuildWait(VecParallelBuild *pb);
extern void VecParallelBuildEnd(VecParallelBuild *pb);

extern void VecParallelWorkerBegin(VecParallelWorker *pw, shm_toc *toc);
extern void VecParallelWorkerEnd(VecParallelWorker *pw);

#endif							/* VECRAG_PARALLEL_BUILD_H */
