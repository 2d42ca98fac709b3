/*
 * src/hnsw/search.c
 *	  Searching the graph on disk, shared by scans and inserts: candidate
 *	  heaps, the visited set, reading elements and neighbour lists, the
 *	  layer search of the HNSW paper (algorithm 2), the greedy descent
 *	  through upper levels, and the neighbour-selection heuristic
 *	  (algorithm 4) that build and insert share.
 *
 *	  Every read takes one buffer's share lock, copies or computes what it
 *	  needs while the page is locked, and releases it before the next read.
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "utils/memutils.h"

#include "hnsw/hnsw.h"

static int	CompareCandidates(const void *a, const void *b);
static bool ReadCandidate(Page page, HnswSupport *sup, const void *query,
						  ItemPointer tid, HnswCandidate *c);

#if defined(__GNUC__) || defined(__clang__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void) 0)
#endif

/* seed for tie-breaks between equal distances (HnswSortCandidates) */
static uint64 tieSalt;

/* ---- candidate heap ---- */

void
HnswHeapInit(HnswHeap *heap, int capacity, bool isMax)
{
	heap->capacity = Max(capacity, 8);
	heap->items = palloc(sizeof(HnswCandidate) * heap->capacity);
	heap->count = 0;
	heap->isMax = isMax;
}

/* true when a must sit above b */
#define HEAP_ABOVE(h, a, b) \
	((h)->isMax ? (a)->distance > (b)->distance : (a)->distance < (b)->distance)

void
HnswHeapPush(HnswHeap *heap, const HnswCandidate *c)
{
	int			i;

	if (heap->count == heap->capacity)
	{
		heap->capacity *= 2;
		heap->items = repalloc(heap->items, sizeof(HnswCandidate) * heap->capacity);
	}
	i = heap->count++;
	while (i > 0)
	{
		int			parent = (i - 1) / 2;

		if (!HEAP_ABOVE(heap, c, &heap->items[parent]))
			break;
		heap->items[i] = heap->items[parent];
		i = parent;
	}
	heap->items[i] = *c;
}

HnswCandidate
HnswHeapPop(HnswHeap *heap)
{
	HnswCandidate top = heap->items[0];
	HnswCandidate last;
	int			i = 0;
	int			n;

	Assert(heap->count > 0);
	n = --heap->count;
	if (n == 0)
		return top;
	last = heap->items[n];
	for (;;)
	{
		int			child = 2 * i + 1;

		if (child >= n)
			break;
		if (child + 1 < n && HEAP_ABOVE(heap, &heap->items[child + 1], &heap->items[child]))
			child++;
		if (!HEAP_ABOVE(heap, &heap->items[child], &last))
			break;
		heap->items[i] = heap->items[child];
		i = child;
	}
	heap->items[i] = last;
	return top;
}

HnswCandidate *
HnswHeapTop(HnswHeap *heap)
{
	return heap->count > 0 ? &heap->items[0] : NULL;
}

/* ---- visited set ---- */

#define TID_KEY(tid) \
	((((uint64) ItemPointerGetBlockNumber(tid)) << 16 | ItemPointerGetOffsetNumber(tid)) + 1)

void
HnswVisitedInit(HnswVisited *v, int capacity)
{
	uint32		size = 64;

	while (size < (uint32) capacity * 2)
		size <<= 1;
	v->keys = MemoryContextAllocExtended(CurrentMemoryContext, sizeof(uint64) * size,
										 MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	v->mask = size - 1;
	v->count = 0;
}

/*
 * Add tid; returns false when it was already there.
 */
bool
HnswVisitedAdd(HnswVisited *v, ItemPointer tid)
{
	uint64		key = TID_KEY(tid);
	uint32		i;

	if (v->count * 2 >= v->mask)
	{
		uint64	   *old = v->keys;
		uint32		oldsize = v->mask + 1;
		uint32		j;

		/* grow in the set's own context, which may not be the current one */
		v->mask = oldsize * 2 - 1;
		v->keys = MemoryContextAllocExtended(GetMemoryChunkContext(old),
											 sizeof(uint64) * (v->mask + 1),
											 MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
		for (j = 0; j < oldsize; j++)
		{
			if (old[j] == 0)
				continue;
			i = (uint32) ((old[j] * UINT64CONST(0x9E3779B97F4A7C15)) >> 32) & v->mask;
			while (v->keys[i] != 0)
				i = (i + 1) & v->mask;
			v->keys[i] = old[j];
		}
		pfree(old);
	}

	i = (uint32) ((key * UINT64CONST(0x9E3779B97F4A7C15)) >> 32) & v->mask;
	while (v->keys[i] != 0)
	{
		if (v->keys[i] == key)
			return false;
		i = (i + 1) & v->mask;
	}
	v->keys[i] = key;
	v->count++;
	return true;
}

bool
HnswVisitedContains(HnswVisited *v, ItemPointer tid)
{
	uint64		key = TID_KEY(tid);
	uint32		i = (uint32) ((key * UINT64CONST(0x9E3779B97F4A7C15)) >> 32) & v->mask;

	while (v->keys[i] != 0)
	{
		if (v->keys[i] == key)
			return true;
		i = (i + 1) & v->mask;
	}
	return false;
}

/* ---- reading the graph ---- */

/*
 * The element tuple at tid on page (share-locked by the caller), or NULL
 * when tid holds no element (cannot happen in a consistent index, but a
 * search never trusts a link blindly).
 */
static HnswElementTuple
PageElement(Page page, ItemPointer tid)
{
	OffsetNumber off = ItemPointerGetOffsetNumber(tid);
	ItemId		iid;
	HnswElementTuple etup;

	if (off > PageGetMaxOffsetNumber(page))
		return NULL;
	iid = PageGetItemId(page, off);
	etup = (HnswElementTuple) PageGetItem(page, iid);
	if (!ItemIdIsNormal(iid) || etup->type != HNSW_ELEMENT_TUPLE_TYPE)
		return NULL;
	return etup;
}

/*
 * Fill *c from the element at tid on page (share-locked by the caller),
 * with its distance to query (0 when query is NULL: only its links are
 * wanted); false when tid holds no element.
 */
static bool
ReadCandidate(Page page, HnswSupport *sup, const void *query, ItemPointer tid,
			  HnswCandidate *c)
{
	HnswElementTuple etup = PageElement(page, tid);

	if (etup == NULL)
		return false;
	c->distance = query != NULL ? HnswDistance(sup, query, etup->data) : 0;
	c->level = etup->level;
	c->deleted = etup->deleted != 0;
	c->tid = *tid;
	c->ntid = etup->neighbortid;
	c->heaptid = etup->heaptid;
	c->duptid = etup->duptid;
	return true;
}

/*
 * Read the element at tid and its distance to query (NULL: none) into *c.
 * Returns false when tid holds no element.
 */
bool
HnswLoadCandidate(Relation index, HnswSupport *sup, const void *query,
				  ItemPointer tid, HnswCandidate *c)
{
	Buffer		buf;
	bool		found;

	buf = HnswReadBuffer(index, ItemPointerGetBlockNumber(tid));
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	found = ReadCandidate(BufferGetPage(buf), sup, query, tid, c);
	UnlockReleaseBuffer(buf);
	return found;
}

/*
 * HnswLoadCandidate for n elements at once (tids get sorted): their
 * candidates go to out, and the number found is returned.  Elements on one
 * page are read under one pin and lock (the build writes neighbours close
 * together).  A search is bound by cache misses on scattered pages and
 * tuples, so first the line pointers of all elements are prefetched, then
 * their tuples, and only then is each page pinned, locked and read in
 * turn; the misses overlap instead of queueing.  The prefetch addresses
 * come from the buffers the pages were last seen in (HnswRecentPage),
 * read without pin or lock: they are only hints (a wrong one costs
 * nothing).  Every real read is done under a pin and the share lock, one
 * page at a time: holding more than a few pins at once would move the
 * backend's buffer reference counts from their small array into a hash
 * table, which costs more than the lookups saved.
 */
int
HnswLoadCandidates(Relation index, HnswSupport *sup, const void *query,
				   ItemPointerData *tids, int n, HnswCandidate *out)
{
	uint64		keys[HNSW_MAX_M * 2];
	Page		hints[HNSW_MAX_M * 2];
	int			nout = 0;
	int			i;

	Assert(n <= HNSW_MAX_M * 2);

	/* insertion sort of (block, offset) keys: n is at most 2*m */
	for (i = 0; i < n; i++)
	{
		uint64		k = (uint64) ItemPointerGetBlockNumber(&tids[i]) << 16 |
			ItemPointerGetOffsetNumber(&tids[i]);
		int			j = i - 1;

		while (j >= 0 && keys[j] > k)
		{
			keys[j + 1] = keys[j];
			j--;
		}
		keys[j + 1] = k;
	}
	for (i = 0; i < n; i++)
		ItemPointerSet(&tids[i], (BlockNumber) (keys[i] >> 16),
					   (OffsetNumber) (keys[i] & 0xFFFF));

	for (i = 0; i < n; i++)
	{
		if (i == 0 || keys[i] >> 16 != keys[i - 1] >> 16)
		{
			hints[i] = HnswRecentPage(index, (BlockNumber) (keys[i] >> 16));
			if (hints[i])
				PREFETCH(hints[i]);
		}
		else
			hints[i] = hints[i - 1];
		if (hints[i])
			PREFETCH(PageGetItemId(hints[i], (OffsetNumber) (keys[i] & 0xFFFF)));
	}
	/*
	 * then the tuples (not in a Valgrind-instrumented server, which marks
	 * unpinned buffers inaccessible)
	 */
#ifndef USE_VALGRIND
	for (i = 0; i < n; i++)
	{
		ItemIdData	iid;
		const char *tup;
		Size		len;
		Size		k;

		if (hints[i] == NULL)
			continue;
		iid = *PageGetItemId(hints[i], (OffsetNumber) (keys[i] & 0xFFFF));
		tup = (const char *) hints[i] + ItemIdGetOffset(&iid);
		len = Min(ItemIdGetLength(&iid), 8 * 64);
		for (k = 0; k < len; k += 64)
			PREFETCH(tup + k);
	}
#endif
	for (i = 0; i < n;)
	{
		BlockNumber blk = (BlockNumber) (keys[i] >> 16);
		Buffer		buf = HnswReadBuffer(index, blk);
		Page		page = BufferGetPage(buf);

		LockBuffer(buf, BUFFER_LOCK_SHARE);
		for (; i < n && (BlockNumber) (keys[i] >> 16) == blk; i++)
			if (ReadCandidate(page, sup, query, &tids[i], &out[nout]))
				nout++;
		UnlockReleaseBuffer(buf);
	}
	return nout;
}

/*
 * A palloc'd copy of the value stored in the element at tid, or NULL.
 */
void *
HnswLoadValue(Relation index, ItemPointer tid)
{
	Buffer		buf;
	HnswElementTuple etup;
	void	   *result = NULL;

	buf = HnswReadBuffer(index, ItemPointerGetBlockNumber(tid));
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	etup = PageElement(BufferGetPage(buf), tid);
	if (etup != NULL)
	{
		Size		len = VARSIZE_ANY(etup->data);

		result = palloc(len);
		memcpy(result, etup->data, len);
	}
	UnlockReleaseBuffer(buf);
	return result;
}

/*
 * Whether two stored values are the same bytes (duplicates).
 */
bool
HnswSameValue(const void *a, const void *b)
{
	return VARSIZE_ANY(a) == VARSIZE_ANY(b) && memcmp(a, b, VARSIZE_ANY(a)) == 0;
}

/*
 * Copy the valid neighbour TIDs of level lc of candidate c into out (room
 * for 2*m) and return how many there are.
 */
int
HnswLoadNeighbors(Relation index, HnswCandidate *c, int lc, int m,
				  ItemPointerData *out)
{
	Buffer		buf;
	Page		page;
	OffsetNumber off = ItemPointerGetOffsetNumber(&c->ntid);
	int			n = 0;

	if (lc > c->level || !ItemPointerIsValid(&c->ntid))
		return 0;
	buf = HnswReadBuffer(index, ItemPointerGetBlockNumber(&c->ntid));
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	page = BufferGetPage(buf);
	if (off <= PageGetMaxOffsetNumber(page))
	{
		ItemId		iid = PageGetItemId(page, off);
		HnswNeighborTuple ntup = (HnswNeighborTuple) PageGetItem(page, iid);

		if (ItemIdIsNormal(iid) && ntup->type == HNSW_NEIGHBOR_TUPLE_TYPE &&
			HNSW_LEVEL_START(lc, m) + HNSW_LEVEL_SLOTS(lc, m) <= ntup->count)
		{
			int			start = HNSW_LEVEL_START(lc, m);
			int			i;

			for (i = 0; i < HNSW_LEVEL_SLOTS(lc, m); i++)
			{
				ItemPointer t = &ntup->indextids[start + i];

				if (ItemPointerIsValid(t))
					out[n++] = *t;
			}
		}
	}
	UnlockReleaseBuffer(buf);
	return n;
}

/*
 * Layer search (HNSW paper, algorithm 2).  entries holds already visited
 * and loaded entry points; on return result is a max-heap of at most ef
 * nearest elements found.  Elements evaluated but pushed out of (or never
 * admitted to) the result go to discarded when it is not NULL, so an
 * iterative scan can resume from them.  *tuplesVisited counts distance
 * evaluations when not NULL.
 */
void
HnswSearchLayer(Relation index, HnswSupport *sup, const void *query,
				HnswHeap *entries, int ef, int lc, HnswVisited *visited,
				HnswHeap *result, HnswHeap *discarded, int64 *tuplesVisited)
{
	HnswHeap	cand;
	ItemPointerData *nbrs = palloc(sizeof(ItemPointerData) * 2 * sup->m);
	HnswCandidate *loaded = palloc(sizeof(HnswCandidate) * 2 * sup->m);
	int			i;

	HnswHeapInit(&cand, ef * 2, false);
	for (i = 0; i < entries->count; i++)
	{
		HnswHeapPush(&cand, &entries->items[i]);
		HnswHeapPush(result, &entries->items[i]);
		if (result->count > ef)
		{
			HnswCandidate out = HnswHeapPop(result);

			if (discarded)
				HnswHeapPush(discarded, &out);
		}
	}

	while (cand.count > 0)
	{
		HnswCandidate c = HnswHeapPop(&cand);
		int			n;
		int			nnew;

		if (result->count >= ef && c.distance > HnswHeapTop(result)->distance)
			break;

		CHECK_FOR_INTERRUPTS();
		n = HnswLoadNeighbors(index, &c, lc, sup->m, nbrs);
		nnew = 0;
		for (i = 0; i < n; i++)
			if (HnswVisitedAdd(visited, &nbrs[i]))
				nbrs[nnew++] = nbrs[i];
		n = HnswLoadCandidates(index, sup, query, nbrs, nnew, loaded);
		for (i = 0; i < n; i++)
		{
			HnswCandidate e = loaded[i];

			if (tuplesVisited)
				(*tuplesVisited)++;
			if (result->count < ef || e.distance < HnswHeapTop(result)->distance)
			{
				HnswHeapPush(&cand, &e);
				HnswHeapPush(result, &e);
				if (result->count > ef)
				{
					HnswCandidate out = HnswHeapPop(result);

					if (discarded)
						HnswHeapPush(discarded, &out);
				}
			}
			else if (discarded)
				HnswHeapPush(discarded, &e);
		}
	}
	pfree(cand.items);
	pfree(nbrs);
	pfree(loaded);
}

/*
 * Walk greedily from *ep towards query on levels fromLevel down to
 * toLevel + 1, leaving the nearest element found in *ep.
 */
void
HnswGreedyDescend(Relation index, HnswSupport *sup, const void *query,
				  HnswCandidate *ep, int fromLevel, int toLevel)
{
	ItemPointerData *nbrs = palloc(sizeof(ItemPointerData) * 2 * sup->m);
	int			lc;

	for (lc = fromLevel; lc > toLevel; lc--)
	{
		bool		changed = true;

		while (changed)
		{
			int			n = HnswLoadNeighbors(index, ep, lc, sup->m, nbrs);
			int			i;

			CHECK_FOR_INTERRUPTS();
			changed = false;
			for (i = 0; i < n; i++)
			{
				HnswCandidate e;

				if (!HnswLoadCandidate(index, sup, query, &nbrs[i], &e))
					continue;
				if (e.distance < ep->distance)
				{
					*ep = e;
					changed = true;
				}
			}
		}
	}
	pfree(nbrs);
}

/* ---- neighbour selection ---- */

static int
CompareCandidates(const void *a, const void *b)
{
	const HnswCandidate *ca = a;
	const HnswCandidate *cb = b;
	uint32		ha;
	uint32		hb;

	if (ca->distance < cb->distance)
		return -1;
	if (ca->distance > cb->distance)
		return 1;
	/* duplicates: spread links over them (see CompareMemCand in build.c) */
	ha = hash_bytes_uint32_extended(ItemPointerGetBlockNumber(&ca->tid) * 65536 +
									ItemPointerGetOffsetNumber(&ca->tid), tieSalt);
	hb = hash_bytes_uint32_extended(ItemPointerGetBlockNumber(&cb->tid) * 65536 +
									ItemPointerGetOffsetNumber(&cb->tid), tieSalt);
	if (ha != hb)
		return ha < hb ? -1 : 1;
	return ItemPointerCompare((ItemPointer) &ca->tid, (ItemPointer) &cb->tid);
}

/*
 * Sort candidates nearest first.  Equal distances (duplicate vectors) are
 * ordered by a hash of the TID salted with owner, the element whose list
 * is being chosen, so that different lists keep different duplicates.
 */
void
HnswSortCandidates(HnswCandidate *c, int n, ItemPointer owner)
{
	tieSalt = owner ? ((uint64) ItemPointerGetBlockNumber(owner) << 16 |
					   ItemPointerGetOffsetNumber(owner)) : 0;
	qsort(c, n, sizeof(HnswCandidate), CompareCandidates);
}

/*
 * Neighbour-selection heuristic (HNSW paper, algorithm 4, without
 * extending candidates, keeping pruned connections): candidates 0..n-1 are
 * sorted by dists (their distance to the new element); a candidate is kept
 * when it is strictly nearer to the new element than to every candidate
 * kept before it, which spreads links over directions; the nearest pruned
 * ones then fill the list up to keep, so lists stay full and the graph
 * stays well connected.  Writes up to keep indexes into out and returns
 * how many.
 */
int
HnswSelectNeighbors(int n, const float *dists, int keep,
					HnswPairDistance pairdist, void *arg, int *out)
{
	int			nout = 0;
	int		   *pruned;
	int			npruned = 0;
	int			i;

	if (n <= keep)
	{
		for (i = 0; i < n; i++)
			out[i] = i;
		return n;
	}
	pruned = palloc(sizeof(int) * n);
	for (i = 0; i < n && nout < keep; i++)
	{
		bool		good = true;
		int			j;

		for (j = 0; j < nout; j++)
		{
			if (pairdist(arg, i, out[j]) <= dists[i])
			{
				good = false;
				break;
			}
		}
		if (good)
			out[nout++] = i;
		else
			pruned[npruned++] = i;
	}
	for (i = 0; i < npruned && nout < keep; i++)
		out[nout++] = pruned[i];
	pfree(pruned);
	return nout;
}
