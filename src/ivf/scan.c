/*
 * src/ivf/scan.c
 *	  Distance-ordered scans of an IVF index (ORDER BY col <op> $1 LIMIT k).
 *
 *	  The first call ranks all centroids by distance to the query.  A batch
 *	  reads the entries of the next `probes` lists, one page locked at a
 *	  time, and estimates each entry's distance (exact for quantizer none).
 *	  Without quantization the batch is sorted and returned in order.  With
 *	  sq8 or rabitq, candidates are taken in order of their lower bound and
 *	  reranked with the row's exact vector read from the table (rerank.c);
 *	  a reranked row is returned once its exact distance is no larger than
 *	  the next candidate's lower bound, so the order is exact as far as the
 *	  bounds hold.  At most `ivf.rerank` candidates per batch are reranked;
 *	  past that, the rest of the batch follows in estimated order.
 *
 *	  When a batch runs out and the executor still wants rows (a filter
 *	  removed some), iterative scans read the next batch of lists, until
 *	  every list (or ivfflat.max_probes lists, or ivf.max_scan_tuples
 *	  entries) has been read.  Batches are each in order; across batches
 *	  the order is relaxed, as pgvector's relaxed_order.
 */
#include "postgres.h"

#include <float.h>

#include "access/relscan.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/bufmgr.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "ivf/ivf.h"

static IndexScanDesc BeginScan(Relation index, int nkeys, int norderbys, bool isFlat);
static int	CompareProbes(const void *a, const void *b);
static inline bool Before(const IvfCandidate *a, const IvfCandidate *b);
static void SiftDown(IvfCandidate *heap, int n, int i);
static IvfCandidate *PopCandidate(IvfScanOpaque so);
static int	CompareExact(const pairingheap_node *a, const pairingheap_node *b, void *arg);
static void LoadBatch(IndexScanDesc scan);
static bool NextCandidate(IndexScanDesc scan, ItemPointer tid);

static int
CompareProbes(const void *a, const void *b)
{
	float		da = ((const IvfProbe *) a)->distance;
	float		db = ((const IvfProbe *) b)->distance;

	return da < db ? -1 : (da > db ? 1 : 0);
}

/* by estimated distance, then by TID so that ties come out stably */
static inline bool
Before(const IvfCandidate *a, const IvfCandidate *b)
{
	if (a->key != b->key)
		return a->key < b->key;
	return ItemPointerCompare((ItemPointer) &a->tid, (ItemPointer) &b->tid) < 0;
}

static void
SiftDown(IvfCandidate *heap, int n, int i)
{
	IvfCandidate tmp = heap[i];

	for (;;)
	{
		int			child = 2 * i + 1;

		if (child >= n)
			break;
		if (child + 1 < n && Before(&heap[child + 1], &heap[child]))
			child++;
		if (!Before(&heap[child], &tmp))
			break;
		heap[i] = heap[child];
		i = child;
	}
	heap[i] = tmp;
}

/*
 * The batch's candidates are a binary min-heap rather than a sorted array:
 * a LIMIT k scan pops a few of the thousands it scored.  A popped candidate
 * moves just past the heap's end, where it stays put.
 */
static IvfCandidate *
PopCandidate(IvfScanOpaque so)
{
	IvfCandidate tmp;

	if (so->ncands == 0)
		return NULL;
	so->ncands--;
	tmp = so->cands[0];
	so->cands[0] = so->cands[so->ncands];
	so->cands[so->ncands] = tmp;
	if (so->ncands > 1)
		SiftDown(so->cands, so->ncands, 0);
	return &so->cands[so->ncands];
}

/* pairing heaps keep the greatest first: invert for nearest first */
static int
CompareExact(const pairingheap_node *a, const pairingheap_node *b, void *arg)
{
	const IvfReranked *ca = pairingheap_const_container(IvfReranked, ph, a);
	const IvfReranked *cb = pairingheap_const_container(IvfReranked, ph, b);

	if (ca->exact != cb->exact)
		return ca->exact < cb->exact ? 1 : -1;
	return -ItemPointerCompare((ItemPointer) &ca->tid, (ItemPointer) &cb->tid);
}

static IndexScanDesc
BeginScan(Relation index, int nkeys, int norderbys, bool isFlat)
{
	IndexScanDesc scan = RelationGetIndexScan(index, nkeys, norderbys);
	IvfScanOpaque so = palloc0(sizeof(IvfScanOpaqueData));
	IvfCache   *cache = IvfGetCache(index);

	so->isFlat = isFlat;
	so->type = cache->type;
	so->quantizer = cache->quantizer;
	so->dimensions = cache->meta.dimensions;
	so->lists = cache->meta.lists;
	if (isFlat)
	{
		so->probes = ivfflat_probes;
		so->iterative = ivfflat_iterative_scan;
		so->maxProbes = ivfflat_max_probes;
		so->maxTuples = PG_INT64_MAX;
		so->rerank = 0;
	}
	else
	{
		so->probes = ivf_probes;
		so->iterative = ivf_iterative_scan;
		so->maxProbes = so->lists;
		so->maxTuples = ivf_max_scan_tuples;
		so->rerank = ivf_rerank;
	}
	so->probes = Min(so->probes, so->lists);
	so->maxProbes = Max(Min(so->maxProbes, so->lists), so->probes);
	so->query = palloc(sizeof(float) * so->dimensions);
	so->order = palloc(sizeof(IvfProbe) * so->lists);
	so->exactHeap = pairingheap_allocate(CompareExact, NULL);
	so->tmpCtx = AllocSetContextCreate(CurrentMemoryContext, "ivf scan batch context",
									   ALLOCSET_DEFAULT_SIZES);
	scan->opaque = so;
	return scan;
}

IndexScanDesc
ivfbeginscan(Relation index, int nkeys, int norderbys)
{
	return BeginScan(index, nkeys, norderbys, false);
}

IndexScanDesc
ivfflatbeginscan(Relation index, int nkeys, int norderbys)
{
	return BeginScan(index, nkeys, norderbys, true);
}

void
ivfrescan(IndexScanDesc scan, ScanKey keys, int nkeys, ScanKey orderbys, int norderbys)
{
	IvfScanOpaque so = (IvfScanOpaque) scan->opaque;

	if (keys && scan->numberOfKeys > 0)
		memmove(scan->keyData, keys, scan->numberOfKeys * sizeof(ScanKeyData));
	if (orderbys && scan->numberOfOrderBys > 0)
		memmove(scan->orderByData, orderbys, scan->numberOfOrderBys * sizeof(ScanKeyData));

	so->first = true;
	so->emptyQuery = false;
	so->ncands = 0;
	pairingheap_reset(so->exactHeap);
	MemoryContextReset(so->tmpCtx);
	so->cands = NULL;
	so->reranked = NULL;
}

/*
 * Read the entries of the next batch of lists into so->cands, sorted by
 * lower bound (= distance for quantizer none).  Locks one page at a time.
 */
static void
LoadBatch(IndexScanDesc scan)
{
	IvfScanOpaque so = (IvfScanOpaque) scan->opaque;
	Relation	index = scan->indexRelation;
	IvfCache   *cache = IvfGetCache(index);
	int			entrySize = cache->meta.entrySize;
	int			last = Min(so->nextProbe + so->probes, so->maxProbes);
	IvfQueryList ql;
	MemoryContext old;

	pairingheap_reset(so->exactHeap);
	MemoryContextReset(so->tmpCtx);
	old = MemoryContextSwitchTo(so->tmpCtx);
	memset(&ql, 0, sizeof(ql));
	so->candsAlloc = 1024;
	so->cands = palloc(sizeof(IvfCandidate) * so->candsAlloc);
	so->ncands = 0;
	so->reranked = so->rerank > 0 ? palloc(sizeof(IvfReranked) * 2 * so->rerank) : NULL;

	for (; so->nextProbe < last; so->nextProbe++)
	{
		IvfProbe   *probe = &so->order[so->nextProbe];
		BlockNumber blkno = probe->startPage;

		IvfQueryListInit(so->quantizer, so->query,
						 cache->centroids + (Size) probe->list * so->dimensions, &ql);
		while (BlockNumberIsValid(blkno))
		{
			Buffer		buf;
			Page		page;
			OffsetNumber maxoff;

			CHECK_FOR_INTERRUPTS();
			buf = ReadBuffer(index, blkno);
			LockBuffer(buf, BUFFER_LOCK_SHARE);
			page = BufferGetPage(buf);
			maxoff = PageGetMaxOffsetNumber(page);
			if (so->ncands + maxoff > so->candsAlloc)
			{
				so->candsAlloc = Max(so->candsAlloc * 2, so->ncands + maxoff);
				so->cands = repalloc_huge(so->cands, sizeof(IvfCandidate) * so->candsAlloc);
			}
			for (OffsetNumber off = FirstOffsetNumber; off <= maxoff; off++)
			{
				ItemId		iid = PageGetItemId(page, off);
				IvfEntry	entry;
				IvfCandidate *c = &so->cands[so->ncands];

				if (!ItemIdIsNormal(iid) || ItemIdGetLength(iid) != entrySize)
					continue;
				entry = (IvfEntry) PageGetItem(page, iid);
				c->tid = entry->heaptid;
				c->done = false;
				IvfEstimate(so->quantizer, &ql, entry->payload, &c->key, &c->lower);
				so->ncands++;
			}
			blkno = IvfPageGetOpaque(page)->nextblkno;
			UnlockReleaseBuffer(buf);
		}
	}
	so->tuplesSeen += so->ncands;
	pgstat_count_index_tuples(index, so->ncands);
	for (int i = so->ncands / 2 - 1; i >= 0; i--)
		SiftDown(so->cands, so->ncands, i);
	MemoryContextSwitchTo(old);
}

/* rerank one candidate into the chunk (dropped if the row is not visible) */
static void
Rerank(IndexScanDesc scan, IvfCandidate *c, int *nreranked, float *worst)
{
	IvfScanOpaque so = (IvfScanOpaque) scan->opaque;
	IvfReranked *r = &so->reranked[*nreranked];

	c->done = true;
	r->tid = c->tid;
	if (IvfRerankExact(scan, &r->tid, &r->exact))
	{
		pairingheap_add(so->exactHeap, &r->ph);
		(*nreranked)++;
		*worst = Max(*worst, r->exact);
	}
}

/*
 * The next candidate of the current batch in output order, into *tid;
 * false when the batch is exhausted.
 */
static bool
NextCandidate(IndexScanDesc scan, ItemPointer tid)
{
	IvfScanOpaque so = (IvfScanOpaque) scan->opaque;

	if (so->quantizer->kind == IVF_QUANTIZER_NONE || so->rerank == 0)
	{
		IvfCandidate *c = PopCandidate(so);

		if (c == NULL)
			return false;
		*tid = c->tid;
		return true;
	}

	/* rerank the next chunk of candidates when the reranked ones ran out */
	while (pairingheap_is_empty(so->exactHeap) && so->ncands > 0)
	{
		int			taken = 0;
		int			extra = 0;
		int			nreranked = 0;
		float		worst = -FLT_MAX;

		/* the next ivf.rerank candidates by estimated distance */
		while (taken < so->rerank)
		{
			IvfCandidate *c = PopCandidate(so);

			if (c == NULL)
				break;
			if (c->done)
				continue;
			taken++;
			Rerank(scan, c, &nreranked, &worst);
		}

		/*
		 * and every later candidate whose lower bound says it may be nearer
		 * than one of those (up to as many again), so that the chunk comes
		 * out in the right order relative to the rest of the batch
		 */
		for (int i = 0; i < so->ncands && extra < so->rerank; i++)
		{
			IvfCandidate *c = &so->cands[i];
			float		ignored = 0;

			if (c->done || c->lower >= worst)
				continue;
			extra++;
			Rerank(scan, c, &nreranked, &ignored);
		}
	}
	if (pairingheap_is_empty(so->exactHeap))
		return false;
	*tid = pairingheap_container(IvfReranked, ph, pairingheap_remove_first(so->exactHeap))->tid;
	return true;
}

bool
ivfgettuple(IndexScanDesc scan, ScanDirection dir)
{
	IvfScanOpaque so = (IvfScanOpaque) scan->opaque;
	IvfCache   *cache = IvfGetCache(scan->indexRelation);

	if (!ScanDirectionIsForward(dir))
		elog(ERROR, "ivf index scans only go forward");
	if (scan->orderByData == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot scan ivf index without order"),
				 errhint("Use ORDER BY column <operator> value with a LIMIT.")));

	if (so->first)
	{
		ScanKey		orderby = &scan->orderByData[0];

		so->first = false;
		/* the table is known only after ambeginscan */
		if (so->quantizer->kind != IVF_QUANTIZER_NONE && so->rerank > 0 && so->row == NULL)
			IvfRerankBegin(scan);
		so->nextProbe = 0;
		so->tuplesSeen = 0;
		/* a NULL query orders by distance to the zero vector, as pgvector */
		if (orderby->sk_flags & SK_ISNULL)
		{
			memset(so->query, 0, sizeof(float) * so->dimensions);
			so->emptyQuery = so->type.normalize;
		}
		else
			so->emptyQuery = !IvfDatumToFloats(&so->type, orderby->sk_argument,
											   so->dimensions, so->query);
		if (so->emptyQuery)
			return false;
		for (int i = 0; i < so->lists; i++)
		{
			so->order[i].list = i;
			so->order[i].startPage = cache->startPages[i];
			so->order[i].distance = IvfDistance(so->type.metric, so->query,
												cache->centroids + (Size) i * so->dimensions,
												so->dimensions);
		}
		qsort(so->order, so->lists, sizeof(IvfProbe), CompareProbes);
		LoadBatch(scan);
	}
	if (so->emptyQuery)
		return false;

	for (;;)
	{
		if (NextCandidate(scan, &scan->xs_heaptid))
		{
			scan->xs_recheck = false;
			scan->xs_recheckorderby = false;
			return true;
		}
		if (so->iterative == IVF_ITERATIVE_OFF || so->nextProbe >= so->maxProbes ||
			so->tuplesSeen >= so->maxTuples)
			return false;
		LoadBatch(scan);
	}
}

void
ivfendscan(IndexScanDesc scan)
{
	IvfScanOpaque so = (IvfScanOpaque) scan->opaque;

	if (so->row != NULL)
		IvfRerankEnd(scan);
	pairingheap_free(so->exactHeap);
	MemoryContextDelete(so->tmpCtx);
	pfree(so->query);
	pfree(so->order);
	pfree(so);
	scan->opaque = NULL;
}
