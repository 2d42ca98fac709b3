/*
 * src/hnsw/rerank.c
 *	  The exact rerank of scans on indexes that store compact copies of
 *	  wide vectors (compact.c): candidates come from the graph search in
 *	  estimated order, a chunk of them (vecrag.hnsw_rerank, at least
 *	  hnsw.ef_search) is read back from the table, sorted by the exact
 *	  distance between the query and the row's value, and returned in that
 *	  order.
 *
 *	  Why the table and not a full copy in the index: the full value is
 *	  exactly what does not fit on an index page.  The price is one heap
 *	  fetch per candidate (the same access as ivf's rerank, src/ivf/rerank.c);
 *	  in return the fetch applies the scan's snapshot, so rows the scan
 *	  cannot see are dropped before they take a place in the order.
 *
 *	  With hnsw.iterative_scan off the graph search yields one batch of
 *	  max(hnsw.ef_search, vecrag.hnsw_rerank) elements, reranked as a
 *	  whole with their duplicates: the rows come out in exact order.  Iterative scans rerank
 *	  chunk after chunk: exact order within a chunk; strict_order also
 *	  drops a row nearer than one already returned.
 */
#include "postgres.h"

#include "access/relscan.h"
#include "miscadmin.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "core/row_fetch.h"
#include "hnsw/hnsw.h"

int			vecrag_hnsw_rerank = 0;

typedef struct RerankItem
{
	float		exact;
	ItemPointerData tid;
} RerankItem;

struct HnswRerank
{
	IndexScanDesc scan;
	HnswSupport *sup;
	const void *query;			/* full prepared query */
	int			depth;			/* candidates per chunk, 0: all */
	bool		strict;
	bool		exhausted;		/* the candidate stream has ended */
	float		previous;		/* exact distance last returned */
	bool		returned;		/* whether any row was returned */
	RerankItem *items;			/* the current chunk, nearest first */
	int			capacity;
	int			nitems;
	int			pos;
	VecRowFetch *row;			/* heap access */
};

static bool ExactDistance(HnswRerank *rr, ItemPointer tid, float *exact);
static int	CompareItems(const void *a, const void *b);
static void FillChunk(HnswRerank *rr, HnswNextTid next);

/*
 * Set up the rerank of a scan in the current memory context (the scan's);
 * exactQuery must live as long.  depth candidates are reranked at a time,
 * or with 0 all the stream yields (one batch of a non-iterative scan, with
 * its duplicates).  HnswRerankEnd releases the heap access.
 */
HnswRerank *
HnswRerankBegin(IndexScanDesc scan, HnswSupport *sup, const void *exactQuery,
				int depth, bool strict)
{
	HnswRerank *rr = palloc0(sizeof(HnswRerank));

	if (scan->heapRelation == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("hnsw scan of an index with compact values needs its table for the rerank")));
	rr->scan = scan;
	rr->sup = sup;
	rr->query = exactQuery;
	rr->depth = Max(depth, 0);
	rr->strict = strict;
	rr->capacity = rr->depth > 0 ? rr->depth : 64;
	rr->items = palloc(sizeof(RerankItem) * rr->capacity);
	rr->row = VecRowFetchBegin(scan->heapRelation, scan->indexRelation);
	return rr;
}

/*
 * Exact distance between the query and the value of the row at tid as the
 * scan's snapshot sees it.  False when the row is not visible, or its value
 * is NULL or cannot be indexed (norm 0 under cosine).
 */
static bool
ExactDistance(HnswRerank *rr, ItemPointer tid, float *exact)
{
	Datum		value;
	bool		ok = false;

	if (VecRowFetchValue(rr->row, tid, rr->scan->xs_snapshot, &value))
	{
		MemoryContext old = MemoryContextSwitchTo(VecRowFetchMemory(rr->row));
		Datum		v = HnswPrepareFull(rr->sup, value, &ok);

		if (ok)
			*exact = rr->sup->exact->distance(rr->query, DatumGetPointer(v));
		MemoryContextSwitchTo(old);
	}
	VecRowFetchRelease(rr->row);
	return ok;
}

static int
CompareItems(const void *a, const void *b)
{
	const RerankItem *x = a;
	const RerankItem *y = b;

	if (x->exact != y->exact)
		return x->exact < y->exact ? -1 : 1;
	return ItemPointerCompare((ItemPointer) &x->tid, (ItemPointer) &y->tid);
}

/* Read the next chunk of candidates from next and sort it by exact distance. */
static void
FillChunk(HnswRerank *rr, HnswNextTid next)
{
	int			taken = 0;

	rr->nitems = 0;
	rr->pos = 0;
	while (rr->depth == 0 || taken < rr->depth)
	{
		ItemPointerData tid;
		RerankItem *it;

		CHECK_FOR_INTERRUPTS();
		if (!next(rr->scan, &tid))
		{
			rr->exhausted = true;
			break;
		}
		taken++;
		if (rr->nitems == rr->capacity)
		{
			rr->capacity *= 2;
			rr->items = repalloc_huge(rr->items, sizeof(RerankItem) * rr->capacity);
		}
		it = &rr->items[rr->nitems];
		if (ExactDistance(rr, &tid, &it->exact))
		{
			it->tid = tid;
			rr->nitems++;
		}
	}
	qsort(rr->items, rr->nitems, sizeof(RerankItem), CompareItems);
}

/*
 * The next row of the scan in exact order, into *heaptid; false at the end.
 * next yields the candidates in estimated order.
 */
bool
HnswRerankNext(HnswRerank *rr, HnswNextTid next, ItemPointer heaptid)
{
	for (;;)
	{
		RerankItem *it;

		CHECK_FOR_INTERRUPTS();
		if (rr->pos >= rr->nitems)
		{
			if (rr->exhausted)
				return false;
			FillChunk(rr, next);
			continue;
		}
		it = &rr->items[rr->pos++];
		if (rr->strict && rr->returned && it->exact < rr->previous)
			continue;
		rr->previous = it->exact;
		rr->returned = true;
		*heaptid = it->tid;
		return true;
	}
}

/*
 * Release the heap access of a rerank (its memory goes with the scan's
 * context).
 */
void
HnswRerankEnd(HnswRerank *rr)
{
	VecRowFetchEnd(rr->row);
}
