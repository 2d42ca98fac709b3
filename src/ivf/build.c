/*
 * src/ivf/build.c
 *	  Building an IVF index: sample rows (reservoir sampling over one table
 *	  scan), k-means on the sample, train the quantizer, then a second scan
 *	  assigns every row to its nearest centroid and feeds (list, entry) to a
 *	  tuplesort that spills past maintenance_work_mem; the sorted stream is
 *	  written list by list into posting pages.  Pages are written without
 *	  WAL and logged at the end with log_newpage_range.  When the planner
 *	  grants maintenance workers, they share k-means' assignment steps and
 *	  the assignment scan (build_parallel.c); sampling, the quantizer's
 *	  training and the writing stay here.
 *
 *	  Block order: metapage, parameter pages, list directory, posting
 *	  chains (see ivf.h).  Progress goes to pg_stat_progress_create_index.
 */
#include "postgres.h"

#include "access/tableam.h"
#include "access/xloginsert.h"
#include "catalog/index.h"
#include "catalog/pg_operator_d.h"
#include "catalog/pg_type_d.h"
#include "commands/progress.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/bufmgr.h"
#include "optimizer/optimizer.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/tuplesort.h"

#include "ivf/ivf.h"

/* samples per list, as pgvector: enough for k-means, cheap to cluster */
#define IVF_SAMPLES_PER_LIST	50
#define IVF_MIN_SAMPLES			10000

static void SampleCallback(Relation index, ItemPointer tid, Datum *values,
						   bool *isnull, bool tupleIsAlive, void *state);
static void WriteIndex(IvfBuildState *bs, ForkNumber forkNum);
static void BuildIndex(Relation heap, Relation index, IndexInfo *indexInfo,
					   IvfBuildState *bs, ForkNumber forkNum);

/* checks the column and sets up what every participant needs */
void
IvfInitBuildState(IvfBuildState *bs, Relation index)
{
	int			typmod = TupleDescAttr(RelationGetDescr(index), 0)->atttypmod;
	Size		centroidBytes;
	Size		budget;

	memset(bs, 0, sizeof(IvfBuildState));
	bs->index = index;
	IvfGetTypeInfo(index, &bs->type);
	bs->lists = IvfGetLists(index);
	bs->quantizerKind = IvfGetQuantizer(index);

	if (typmod < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("column does not have dimensions"),
				 errhint("Declare the column with its dimensions, for example vector(100).")));
	if (typmod > IVF_MAX_DIM)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("column cannot have more than %d dimensions for ivf index", IVF_MAX_DIM)));
	bs->dimensions = typmod;

	/* centroids and sample must fit in maintenance_work_mem */
	centroidBytes = sizeof(float) * (Size) bs->dimensions * bs->lists;
	budget = (Size) maintenance_work_mem * 1024;
	if (centroidBytes * 2 > budget)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("memory required is %zu MB, maintenance_work_mem is %d MB",
						centroidBytes * 2 / (1024 * 1024) + 1, maintenance_work_mem / 1024),
				 errhint("Increase maintenance_work_mem or use fewer lists.")));
	bs->maxSamples = Max(bs->lists * IVF_SAMPLES_PER_LIST, IVF_MIN_SAMPLES);
	bs->maxSamples = Min((Size) bs->maxSamples,
						 (budget - centroidBytes) / 2 / (sizeof(float) * bs->dimensions));
	bs->maxSamples = Max(bs->maxSamples, 1);
	bs->rng = UINT64CONST(0x5EED5EED);
	bs->entrySize = MAXALIGN(IVF_ENTRY_HEADER + IvfPayloadSize(bs->quantizerKind, bs->dimensions));
	bs->vec = palloc(sizeof(float) * bs->dimensions);
	bs->entry = palloc0(bs->entrySize);
	bs->tmpCtx = AllocSetContextCreate(CurrentMemoryContext, "ivf build temporary context",
									   ALLOCSET_DEFAULT_SIZES);
}

/* reservoir sampling (algorithm R) of the indexable rows */
static void
SampleCallback(Relation index, ItemPointer tid, Datum *values,
			   bool *isnull, bool tupleIsAlive, void *state)
{
	IvfBuildState *bs = (IvfBuildState *) state;
	MemoryContext old;
	int			slot;

	if (isnull[0])
		return;
	old = MemoryContextSwitchTo(bs->tmpCtx);
	if (IvfDatumToFloats(&bs->type, values[0], bs->dimensions, bs->vec))
	{
		bs->rowsSeen++;
		if (bs->nsamples < bs->maxSamples)
			slot = bs->nsamples++;
		else
		{
			uint64		r = IvfRandomNext(&bs->rng) % (uint64) bs->rowsSeen;

			slot = r < (uint64) bs->maxSamples ? (int) r : -1;
		}
		if (slot >= 0)
			memcpy(bs->samples + (Size) slot * bs->dimensions, bs->vec,
				   sizeof(float) * bs->dimensions);
	}
	MemoryContextSwitchTo(old);
	MemoryContextReset(bs->tmpCtx);
}

/*
 * Assign one row to its list and queue (list, entry) for the sort.  In a
 * parallel build each participant adds its count to the shared total,
 * which the leader reports.
 */
void
IvfAssignCallback(Relation index, ItemPointer tid, Datum *values,
			   bool *isnull, bool tupleIsAlive, void *state)
{
	IvfBuildState *bs = (IvfBuildState *) state;
	MemoryContext old;
	int			list;

	if (isnull[0])
		return;
	old = MemoryContextSwitchTo(bs->tmpCtx);
	if (IvfDatumToFloats(&bs->type, values[0], bs->dimensions, bs->vec))
	{
		bytea	   *item = palloc(VARHDRSZ + bs->entrySize);

		list = IvfNearestCentroid(bs->vec, bs->centroids, bs->lists, bs->dimensions,
								  bs->type.metric);
		memset(bs->entry, 0, bs->entrySize);
		bs->entry->heaptid = *tid;
		IvfEncode(bs->quantizer, bs->vec, bs->centroids + (Size) list * bs->dimensions,
				  bs->entry->payload);
		SET_VARSIZE(item, VARHDRSZ + bs->entrySize);
		memcpy(VARDATA(item), bs->entry, bs->entrySize);

		ExecClearTuple(bs->slot);
		bs->slot->tts_values[0] = Int32GetDatum(list);
		bs->slot->tts_isnull[0] = false;
		bs->slot->tts_values[1] = PointerGetDatum(item);
		bs->slot->tts_isnull[1] = false;
		ExecStoreVirtualTuple(bs->slot);
		tuplesort_puttupleslot(bs->sort, bs->slot);
		bs->indexTuples++;
		if ((bs->indexTuples & 1023) == 0)
			IvfReportAssigned(bs, 1024);
	}
	MemoryContextSwitchTo(old);
	MemoryContextReset(bs->tmpCtx);
}

/* the tuple descriptor and slot of the (list, entry) sort */
void
IvfInitAssignSlot(IvfBuildState *bs)
{
	bs->sortDesc = CreateTemplateTupleDesc(2);
	TupleDescInitEntry(bs->sortDesc, (AttrNumber) 1, "list", INT4OID, -1, 0);
	TupleDescInitEntry(bs->sortDesc, (AttrNumber) 2, "entry", BYTEAOID, -1, 0);
	bs->slot = MakeSingleTupleTableSlot(bs->sortDesc, &TTSOpsMinimalTuple);
}

/*
 * A sort of (list, entry) by list: serial (coordinate NULL), a parallel
 * participant's or the leader's merge of theirs.
 */
Tuplesortstate *
IvfBeginAssignSort(IvfBuildState *bs, int workMem, SortCoordinate coordinate)
{
	AttrNumber	attNums[] = {1};
	Oid			sortOperators[] = {Int4LessOperator};
	Oid			sortCollations[] = {InvalidOid};
	bool		nullsFirst[] = {false};

	return tuplesort_begin_heap(bs->sortDesc, 1, attNums, sortOperators,
								sortCollations, nullsFirst, workMem,
								coordinate, VEC_TUPLESORT_NONE);
}

/*
 * Start a new page after prev (if valid, linked and released); returns the
 * new buffer locked.  Build-time only: no WAL.
 */
static Buffer
NextPage(Relation index, ForkNumber forkNum, Buffer prev)
{
	Buffer		buf = IvfNewBuffer(index, forkNum);

	IvfInitPage(BufferGetPage(buf), BufferGetPageSize(buf));
	if (BufferIsValid(prev))
	{
		IvfPageGetOpaque(BufferGetPage(prev))->nextblkno = BufferGetBlockNumber(buf);
		MarkBufferDirty(prev);
		UnlockReleaseBuffer(prev);
	}
	return buf;
}

static void
WriteIndex(IvfBuildState *bs, ForkNumber forkNum)
{
	Relation	index = bs->index;
	Buffer		metaBuf;
	Buffer		buf = InvalidBuffer;
	IvfMetaPageData meta;
	char	   *params;
	int			paramBytes;
	BlockNumber *listBlocks = palloc(sizeof(BlockNumber) * bs->lists);
	OffsetNumber *listOffsets = palloc(sizeof(OffsetNumber) * bs->lists);
	BlockNumber *startPages = palloc(sizeof(BlockNumber) * bs->lists);
	BlockNumber *insertPages = palloc(sizeof(BlockNumber) * bs->lists);
	Size		listSize = IVF_LIST_SIZE(bs->dimensions);
	IvfList		listItem = palloc0(listSize);
	TupleTableSlot *slot = bs->slot;
	bool		haveTuple = false;
	int64		loaded = 0;

	memset(&meta, 0, sizeof(meta));
	meta.magic = IVF_MAGIC_NUMBER;
	meta.version = IVF_VERSION;
	meta.dimensions = bs->dimensions;
	meta.lists = bs->lists;
	meta.quantizer = bs->quantizerKind;
	meta.metric = bs->type.metric;
	meta.normalized = bs->type.normalize;
	meta.entrySize = bs->entrySize;
	meta.paddedDim = bs->quantizer->paddedDim;
	meta.seed = bs->quantizer->seed;

	metaBuf = IvfNewBuffer(index, forkNum);
	Assert(BufferGetBlockNumber(metaBuf) == IVF_METAPAGE_BLKNO);
	IvfInitPage(BufferGetPage(metaBuf), BufferGetPageSize(metaBuf));

	/* parameter pages: the blob in consecutive pages */
	params = IvfQuantizerParams(bs->quantizer, &paramBytes);
	meta.paramStart = InvalidBlockNumber;
	meta.paramBytes = paramBytes;
	for (int done = 0; done < paramBytes;)
	{
		Buffer		pbuf = IvfNewBuffer(index, forkNum);
		Page		page = BufferGetPage(pbuf);
		int			n;

		IvfInitPage(page, BufferGetPageSize(pbuf));
		if (meta.paramPages++ == 0)
			meta.paramStart = BufferGetBlockNumber(pbuf);
		n = Min(paramBytes - done, (int) (PageGetExactFreeSpace(page) & ~7));
		memcpy(PageGetContents(page), params + done, n);
		((PageHeader) page)->pd_lower += n;
		done += n;
		MarkBufferDirty(pbuf);
		UnlockReleaseBuffer(pbuf);
	}

	/* list directory, with start pages filled in below */
	for (int i = 0; i < bs->lists; i++)
	{
		Page		page;
		OffsetNumber off;

		if (!BufferIsValid(buf) || PageGetFreeSpace(BufferGetPage(buf)) < listSize)
		{
			buf = NextPage(index, forkNum, buf);
			if (i == 0)
				meta.listStart = BufferGetBlockNumber(buf);
		}
		page = BufferGetPage(buf);
		listItem->startPage = InvalidBlockNumber;
		listItem->insertPage = InvalidBlockNumber;
		memcpy(listItem->centroid, bs->centroids + (Size) i * bs->dimensions,
			   sizeof(float) * bs->dimensions);
		off = PageAddItem(page, (Item) listItem, listSize, InvalidOffsetNumber, false, false);
		if (off == InvalidOffsetNumber)
			elog(ERROR, "failed to add list %d to ivf index \"%s\"", i, RelationGetRelationName(index));
		listBlocks[i] = BufferGetBlockNumber(buf);
		listOffsets[i] = off;
	}
	MarkBufferDirty(buf);
	UnlockReleaseBuffer(buf);

	/* posting chains, one per list, from the sorted stream */
	pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, IVF_PHASE_LOAD);
	if (bs->sort)
		haveTuple = tuplesort_gettupleslot(bs->sort, true, false, slot, NULL);
	for (int i = 0; i < bs->lists; i++)
	{
		bool		isnull;

		buf = NextPage(index, forkNum, InvalidBuffer);
		startPages[i] = BufferGetBlockNumber(buf);
		while (haveTuple && DatumGetInt32(slot_getattr(slot, 1, &isnull)) == i)
		{
			bytea	   *item = DatumGetByteaPP(slot_getattr(slot, 2, &isnull));

			CHECK_FOR_INTERRUPTS();
			if (PageGetFreeSpace(BufferGetPage(buf)) < bs->entrySize)
				buf = NextPage(index, forkNum, buf);
			if (PageAddItem(BufferGetPage(buf), (Item) VARDATA_ANY(item), bs->entrySize,
							InvalidOffsetNumber, false, false) == InvalidOffsetNumber)
				elog(ERROR, "failed to add entry to ivf index \"%s\"", RelationGetRelationName(index));
			if ((++loaded & 1023) == 0)
				pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE, loaded);
			haveTuple = tuplesort_gettupleslot(bs->sort, true, false, slot, NULL);
		}
		insertPages[i] = BufferGetBlockNumber(buf);
		MarkBufferDirty(buf);
		UnlockReleaseBuffer(buf);
	}
	if (haveTuple)
		elog(ERROR, "ivf build of \"%s\" sorted an entry past the last list", RelationGetRelationName(index));
	pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE, loaded);

	/* fill in the directory */
	buf = InvalidBuffer;
	for (int i = 0; i < bs->lists; i++)
	{
		IvfList		list;
		Page		page;

		if (!BufferIsValid(buf) || BufferGetBlockNumber(buf) != listBlocks[i])
		{
			if (BufferIsValid(buf))
			{
				MarkBufferDirty(buf);
				UnlockReleaseBuffer(buf);
			}
			buf = ReadBufferExtended(index, forkNum, listBlocks[i], RBM_NORMAL, NULL);
			LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
		}
		page = BufferGetPage(buf);
		list = (IvfList) PageGetItem(page, PageGetItemId(page, listOffsets[i]));
		list->startPage = startPages[i];
		list->insertPage = insertPages[i];
	}
	MarkBufferDirty(buf);
	UnlockReleaseBuffer(buf);

	/* and the metapage */
	{
		Page		page = BufferGetPage(metaBuf);

		memcpy(PageGetContents(page), &meta, sizeof(meta));
		((PageHeader) page)->pd_lower = ((char *) PageGetContents(page) + sizeof(meta)) - (char *) page;
		MarkBufferDirty(metaBuf);
		UnlockReleaseBuffer(metaBuf);
	}

	if (RelationNeedsWAL(index) || forkNum == INIT_FORKNUM)
		log_newpage_range(index, forkNum, 0, RelationGetNumberOfBlocksInFork(index, forkNum), true);
}

static void
BuildIndex(Relation heap, Relation index, IndexInfo *indexInfo,
		   IvfBuildState *bs, ForkNumber forkNum)
{
	IvfInitBuildState(bs, index);

	/* 1. sample */
	bs->samples = palloc(sizeof(float) * (Size) bs->maxSamples * bs->dimensions);
	if (heap != NULL)
	{
		pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, IVF_PHASE_SAMPLE);
		table_index_build_scan(heap, index, indexInfo, false, true, SampleCallback, bs, NULL);
		if (bs->rowsSeen < bs->lists)
			ereport(NOTICE,
					(errmsg("ivf index \"%s\" has fewer rows (" INT64_FORMAT ") than lists (%d)",
							RelationGetRelationName(index), bs->rowsSeen, bs->lists),
					 errdetail("Lists without rows have random centroids, which lowers recall."),
					 errhint("Create the index after loading the data, or use fewer lists.")));
	}

	/* 2. train the quantizer; start the workers if the planner grants some */
	bs->quantizer = IvfQuantizerCreate(bs->quantizerKind, bs->dimensions, bs->type.metric,
									   bs->samples, bs->nsamples);
	if (heap != NULL)
	{
		int			request = plan_create_index_workers(RelationGetRelid(heap),
														RelationGetRelid(index));

		if (request > 0)
			IvfBeginParallel(bs, heap, indexInfo, request);
	}

	/* 3. cluster, with the workers if any */
	pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, IVF_PHASE_KMEANS);
	bs->centroids = palloc(sizeof(float) * (Size) bs->lists * bs->dimensions);
	IvfKmeans(bs->samples, bs->nsamples, bs->dimensions, bs->lists,
			  bs->type.normalize, bs->type.metric, bs->centroids,
			  bs->leader ? IvfParallelKmeansAssign : NULL, bs);
	if (bs->leader)
		IvfParallelKmeansDone(bs);
	pfree(bs->samples);
	bs->samples = NULL;

	/* 4. assign every row, sorted by list */
	IvfInitAssignSlot(bs);
	if (heap != NULL)
	{
		pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, IVF_PHASE_ASSIGN);
		pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_TOTAL, bs->rowsSeen);
		if (bs->leader)
			IvfParallelAssign(bs, heap, indexInfo);
		else
		{
			bs->sort = IvfBeginAssignSort(bs, maintenance_work_mem, NULL);
			bs->heapTuples = table_index_build_scan(heap, index, indexInfo, false, true,
													IvfAssignCallback, bs, NULL);
			pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE, bs->indexTuples);
		}
		tuplesort_performsort(bs->sort);
	}

	/* 5. write pages */
	WriteIndex(bs, forkNum);

	if (bs->sort)
		tuplesort_end(bs->sort);
	if (bs->leader)
		IvfEndParallel(bs);
	ExecDropSingleTupleTableSlot(bs->slot);
	MemoryContextDelete(bs->tmpCtx);
}

IndexBuildResult *
ivfbuild(Relation heap, Relation index, IndexInfo *indexInfo)
{
	IvfBuildState bs;
	IndexBuildResult *result;

	if (RelationGetNumberOfBlocks(index) != 0)
		elog(ERROR, "index \"%s\" already contains data", RelationGetRelationName(index));
	BuildIndex(heap, index, indexInfo, &bs, MAIN_FORKNUM);

	result = palloc(sizeof(IndexBuildResult));
	result->heap_tuples = bs.heapTuples;
	result->index_tuples = (double) bs.indexTuples;
	return result;
}

/* the init fork of an unlogged index: centroids without data */
void
ivfbuildempty(Relation index)
{
	IvfBuildState bs;

	BuildIndex(NULL, index, NULL, &bs, INIT_FORKNUM);
}
