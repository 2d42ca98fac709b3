/*
 * src/hnsw/scan.c
 *	  hnsw index scans: ORDER BY col <op> value through amgettuple.
 *
 *	  The first call descends greedily from the entry point and searches
 *	  level 0 with ef = hnsw.ef_search, then returns that batch nearest
 *	  first.  With hnsw.iterative_scan on, elements evaluated but not kept
 *	  (the "discarded" heap) seed the next batch, with the visited set kept
 *	  across batches, until hnsw.max_scan_tuples distance evaluations or
 *	  work_mem * hnsw.scan_mem_multiplier of scan memory; after that the
 *	  remaining discarded elements are returned as they are.  strict_order
 *	  drops any element nearer than one already returned, relaxed_order
 *	  returns batches in order within each batch only.  When nothing is
 *	  left to search, a scan that never met the entry point searches on
 *	  from it: level 0 is a directed graph, and the element the descent
 *	  ends at need not reach all that the entry point reaches, while
 *	  VACUUM makes the entry point reach every live element (vacuum.c,
 *	  pass 4); so a relaxed_order scan run to the end returns every row
 *	  the last VACUUM saw (strict_order drops those of them nearer than a
 *	  row already returned, as it drops any late find).
 *
 *	  On an index of compact copies of wide vectors (compact.c) the search
 *	  runs with ef = max(hnsw.ef_search, vecrag.hnsw_rerank) and its
 *	  candidates go through the exact rerank of rerank.c before they are
 *	  returned.
 *
 *	  An element's duplicates (equal values, see hnsw.h) are returned right
 *	  after it.  The executor does not recheck: rows come out in index order and the
 *	  ORDER BY expression is computed by the executor when it is selected.
 */
#include "postgres.h"

#include <float.h>

#include "access/relscan.h"
#include "miscadmin.h"
#include "utils/memutils.h"

#include "hnsw/hnsw.h"

typedef struct HnswScanOpaqueData
{
	bool		first;
	bool		done;
	MemoryContext ctx;			/* everything of one rescan cycle */
	HnswSupport *sup;
	void	   *query;			/* prepared query value, NULL: no rows */
	int			ef;				/* candidate list size of this scan */
	HnswRerank *rerank;			/* exact rerank, for compact storage */
	HnswVisited visited;
	HnswHeap	discarded;		/* min-heap, iterative scans only */
	HnswCandidate *batch;		/* current batch, nearest first */
	int			nbatch;
	int			pos;
	int64		tuples;			/* distance evaluations so far */
	float		previousDistance;
	Size		maxMemory;
	HnswCandidate entry;		/* the entry point, for the last search */
	bool		entryPending;	/* that search is still to be tried */
	ItemPointerData dupnext;	/* next duplicate of the last element */
} HnswScanOpaqueData;

typedef HnswScanOpaqueData *HnswScanOpaque;

static void FirstBatch(IndexScanDesc scan);
static void NextBatch(IndexScanDesc scan);
static void TakeBatch(HnswScanOpaque so, HnswHeap *w);
static bool NextDuplicate(IndexScanDesc scan, ItemPointer heaptid);
static bool NextTid(IndexScanDesc scan, ItemPointer heaptid);

/*
 * Follow the duplicate chain of the element last returned: the next live
 * heap TID in *heaptid, or false at the end of the chain.
 */
static bool
NextDuplicate(IndexScanDesc scan, ItemPointer heaptid)
{
	HnswScanOpaque so = (HnswScanOpaque) scan->opaque;

	while (ItemPointerIsValid(&so->dupnext))
	{
		Buffer		buf;
		Page		page;
		HnswDupTuple dup;
		bool		found = false;

		CHECK_FOR_INTERRUPTS();
		buf = HnswReadBuffer(scan->indexRelation, ItemPointerGetBlockNumber(&so->dupnext));
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		page = BufferGetPage(buf);
		dup = (HnswDupTuple) PageGetItem(page, PageGetItemId(page, ItemPointerGetOffsetNumber(&so->dupnext)));
		if (dup->type != HNSW_DUP_TUPLE_TYPE)
			elog(ERROR, "hnsw index \"%s\" has a bad duplicate link",
				 RelationGetRelationName(scan->indexRelation));
		so->dupnext = dup->next;
		if (ItemPointerIsValid(&dup->heaptid))
		{
			*heaptid = dup->heaptid;
			found = true;
		}
		UnlockReleaseBuffer(buf);
		if (found)
			return true;
	}
	return false;
}

IndexScanDesc
hnswbeginscan(Relation index, int nkeys, int norderbys)
{
	IndexScanDesc scan = RelationGetIndexScan(index, nkeys, norderbys);
	HnswScanOpaque so = palloc0(sizeof(HnswScanOpaqueData));
	double		maxMemory;

	so->ctx = AllocSetContextCreate(CurrentMemoryContext, "hnsw scan",
									ALLOCSET_DEFAULT_SIZES);
	so->sup = HnswGetSupport(index);
	maxMemory = (double) work_mem * 1024.0 * hnsw_scan_mem_multiplier;
	so->maxMemory = (Size) Min(maxMemory, (double) (SIZE_MAX / 2));
	so->first = true;
	scan->opaque = so;
	return scan;
}

void
hnswrescan(IndexScanDesc scan, ScanKey keys, int nkeys, ScanKey orderbys,
		   int norderbys)
{
	HnswScanOpaque so = (HnswScanOpaque) scan->opaque;

	if (keys && scan->numberOfKeys > 0)
		memmove(scan->keyData, keys, scan->numberOfKeys * sizeof(ScanKeyData));
	if (orderbys && scan->numberOfOrderBys > 0)
		memmove(scan->orderByData, orderbys, scan->numberOfOrderBys * sizeof(ScanKeyData));
	if (so->rerank)
		HnswRerankEnd(so->rerank);
	so->rerank = NULL;
	MemoryContextReset(so->ctx);
	so->first = true;
	so->done = false;
	so->query = NULL;
	so->batch = NULL;
	so->nbatch = 0;
	so->pos = 0;
	so->tuples = 0;
	so->previousDistance = -FLT_MAX;
	so->discarded.count = 0;
	so->entryPending = false;
	ItemPointerSetInvalid(&so->dupnext);
}

/* Move the result max-heap w into so->batch, nearest first. */
static void
TakeBatch(HnswScanOpaque so, HnswHeap *w)
{
	int			n = w->count;

	so->batch = palloc(sizeof(HnswCandidate) * Max(n, 1));
	while (w->count > 0)
		so->batch[w->count - 1] = HnswHeapPop(w);
	so->nbatch = n;
	so->pos = 0;
	pfree(w->items);
}

static void
FirstBatch(IndexScanDesc scan)
{
	HnswScanOpaque so = (HnswScanOpaque) scan->opaque;
	Relation	index = scan->indexRelation;
	ScanKey		key = &scan->orderByData[0];
	HnswMetaPageData meta;
	ItemPointerData eptid;
	HnswCandidate ep;
	HnswCandidate entry;
	HnswHeap	entries;
	HnswHeap	w;
	bool		ok;
	Datum		q;

	so->done = true;
	if (key->sk_flags & SK_ISNULL)
		return;
	q = HnswPrepareFull(so->sup, key->sk_argument, &ok);
	if (!ok)
		return;
	so->ef = hnsw_ef_search;
	if (so->sup->storage != HNSW_STORAGE_FULL)
	{
		so->ef = Max(hnsw_ef_search, vecrag_hnsw_rerank);
		so->rerank = HnswRerankBegin(scan, so->sup, DatumGetPointer(q),
									 hnsw_iterative_scan == HNSW_ITERATIVE_SCAN_OFF ? 0 : so->ef,
									 hnsw_iterative_scan == HNSW_ITERATIVE_SCAN_STRICT);
		q = HnswCompactValue(so->sup, q, true);
	}
	so->query = DatumGetPointer(q);

	HnswReadMeta(index, &meta);
	if (!BlockNumberIsValid(meta.entryBlkno))
		return;
	ItemPointerSet(&eptid, meta.entryBlkno, meta.entryOffno);
	if (!HnswLoadCandidate(index, so->sup, so->query, &eptid, &ep))
		elog(ERROR, "hnsw index \"%s\" has a bad entry point",
			 RelationGetRelationName(index));
	entry = ep;
	HnswGreedyDescend(index, so->sup, so->query, &ep, meta.entryLevel, 0);

	/* about what a search at this ef visits; the set grows when needed */
	HnswVisitedInit(&so->visited, so->ef * so->sup->m);
	HnswVisitedAdd(&so->visited, &ep.tid);
	if (hnsw_iterative_scan != HNSW_ITERATIVE_SCAN_OFF)
	{
		HnswHeapInit(&so->discarded, so->ef * 4, false);
		so->entry = entry;
		so->entryPending = true;
	}
	HnswHeapInit(&entries, 1, false);
	HnswHeapPush(&entries, &ep);
	HnswHeapInit(&w, so->ef + 1, true);
	HnswSearchLayer(index, so->sup, so->query, &entries, so->ef, 0,
					&so->visited, &w,
					hnsw_iterative_scan != HNSW_ITERATIVE_SCAN_OFF ? &so->discarded : NULL,
					&so->tuples);
	TakeBatch(so, &w);
	so->done = false;
}

/*
 * Iterative scans: the next batch, searched from the nearest discarded
 * elements; or, past the limits, the discarded elements themselves.
 */
static void
NextBatch(IndexScanDesc scan)
{
	HnswScanOpaque so = (HnswScanOpaque) scan->opaque;
	HnswHeap	entries;
	HnswHeap	w;

	pfree(so->batch);
	so->batch = NULL;
	so->nbatch = 0;
	/* searched out: go on from the entry point if the scan never met it */
	if (so->discarded.count == 0 && so->entryPending)
	{
		so->entryPending = false;
		if (HnswVisitedAdd(&so->visited, &so->entry.tid))
			HnswHeapPush(&so->discarded, &so->entry);
	}
	if (so->discarded.count == 0)
	{
		so->done = true;
		return;
	}

	if (so->tuples >= hnsw_max_scan_tuples ||
		MemoryContextMemAllocated(so->ctx, true) > so->maxMemory)
	{
		HnswCandidate c = HnswHeapPop(&so->discarded);

		so->batch = palloc(sizeof(HnswCandidate));
		so->batch[0] = c;
		so->nbatch = 1;
		so->pos = 0;
		return;
	}

	HnswHeapInit(&entries, so->ef, false);
	while (entries.count < so->ef && so->discarded.count > 0)
	{
		HnswCandidate c = HnswHeapPop(&so->discarded);

		HnswHeapPush(&entries, &c);
	}
	HnswHeapInit(&w, so->ef + 1, true);
	HnswSearchLayer(scan->indexRelation, so->sup, so->query, &entries,
					so->ef, 0, &so->visited, &w, &so->discarded,
					&so->tuples);
	pfree(entries.items);
	TakeBatch(so, &w);
}

/*
 * The next heap TID in the order of the stored values' distances (exact
 * for full storage, estimated for compact copies), in *heaptid; false at
 * the end.  Called in the scan's memory context.
 */
static bool
NextTid(IndexScanDesc scan, ItemPointer heaptid)
{
	HnswScanOpaque so = (HnswScanOpaque) scan->opaque;

	while (!so->done)
	{
		HnswCandidate *c;

		CHECK_FOR_INTERRUPTS();
		if (NextDuplicate(scan, heaptid))
			return true;
		if (so->pos >= so->nbatch)
		{
			if (hnsw_iterative_scan == HNSW_ITERATIVE_SCAN_OFF)
				break;
			NextBatch(scan);
			continue;
		}
		c = &so->batch[so->pos++];
		if (c->deleted)
			continue;
		/* with a rerank, the order is enforced on exact distances there */
		if (hnsw_iterative_scan == HNSW_ITERATIVE_SCAN_STRICT && so->rerank == NULL)
		{
			if (c->distance < so->previousDistance)
				continue;
			so->previousDistance = c->distance;
		}
		so->dupnext = c->duptid;
		if (!ItemPointerIsValid(&c->heaptid))
			continue;			/* vacuumed; its duplicates come next */
		*heaptid = c->heaptid;
		return true;
	}
	return false;
}

bool
hnswgettuple(IndexScanDesc scan, ScanDirection dir)
{
	HnswScanOpaque so = (HnswScanOpaque) scan->opaque;
	MemoryContext oldctx;
	ItemPointerData heaptid;
	bool		found;

	if (scan->numberOfOrderBys == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot scan hnsw index without order"),
				 errhint("Use ORDER BY with a distance operator and LIMIT.")));

	oldctx = MemoryContextSwitchTo(so->ctx);
	if (so->first)
	{
		so->first = false;
		FirstBatch(scan);
	}
	if (so->rerank)
		found = HnswRerankNext(so->rerank, NextTid, &heaptid);
	else
		found = NextTid(scan, &heaptid);
	MemoryContextSwitchTo(oldctx);
	if (!found)
		return false;
	scan->xs_heaptid = heaptid;
	scan->xs_recheck = false;
	scan->xs_recheckorderby = false;
	return true;
}

void
hnswendscan(IndexScanDesc scan)
{
	HnswScanOpaque so = (HnswScanOpaque) scan->opaque;

	if (so->rerank)
		HnswRerankEnd(so->rerank);
	MemoryContextDelete(so->ctx);
	pfree(so);
	scan->opaque = NULL;
}
