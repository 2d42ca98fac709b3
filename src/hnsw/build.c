/*
 * src/hnsw/build.c
 *	  Building an hnsw index.
 *
 *	  Phase "loading tuples": every heap tuple's value is prepared and
 *	  inserted into an in-memory graph (element arrays with neighbour
 *	  indexes and their distances, so pruning a full list costs no distance
 *	  recomputation).  Phase "writing pages": element and neighbour tuples
 *	  are laid out in build order, TIDs assigned in a first pass, pages
 *	  written through shared buffers in a second, then all logged with
 *	  log_newpage_range when the index needs WAL.
 *
 *	  When the graph outgrows maintenance_work_mem, what is built so far is
 *	  written out that way and every remaining tuple goes through the
 *	  on-disk insert (insert.c, GenericXLog): slower, same graph rules.
 */
#include "postgres.h"

#include <math.h>

#include "access/genam.h"
#include "access/tableam.h"
#include "access/xloginsert.h"
#include "catalog/index.h"
#include "common/hashfn.h"
#include "commands/progress.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/bufmgr.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "hnsw/hnsw.h"

/*
 * In memory a level's list has room for half as many links again as on
 * disk: a full list is pruned back with the selection heuristic only when
 * that room is used up, which amortises the heuristic's O(slots^2)
 * distances over slots/2 additions.  Lists are pruned to their on-disk
 * size before they are written.
 */
#define MEM_CAP(lc, m)		(HNSW_LEVEL_SLOTS(lc, m) + HNSW_LEVEL_SLOTS(lc, m) / 2)
#define MEM_START(lc, m)	((lc) == 0 ? 0 : MEM_CAP(0, m) + ((lc) - 1) * MEM_CAP(1, m))
#define MEM_COUNT(level, m) (MEM_CAP(0, m) + (level) * MEM_CAP(1, m))

/* one element of the in-memory graph */
typedef struct MemElement
{
	ItemPointerData heaptid;
	int			level;
	int32	   *nbr;			/* MEM_COUNT slots, by level */
	float	   *ndist;			/* distance to each neighbour */
	uint8	   *ncount;			/* neighbours used per level */
	void	   *value;
	ItemPointerData etid;		/* assigned when written */
	ItemPointerData ntid;
	ItemPointerData *dups;		/* heap TIDs of equal values, or NULL */
	ItemPointerData *duptids;	/* their duplicate tuples, when written */
	int			ndups;
	int			dupcap;
} MemElement;

#if defined(__GNUC__) || defined(__clang__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void) 0)
#endif

/* (distance, element) pair in a search */
typedef struct MemCand
{
	float		d;
	int32		i;
} MemCand;

typedef struct MemHeap
{
	MemCand    *items;
	int			count;
	int			capacity;
	bool		isMax;
} MemHeap;

typedef struct BuildState
{
	Relation	heap;
	Relation	index;
	HnswSupport *sup;
	int			m;
	int			efConstruction;
	double		indtuples;
	double		reltuples;
	bool		onDisk;			/* graph flushed: insert on disk */
	MemoryContext graphCtx;
	MemoryContext tmpCtx;
	Size		memLimit;
	MemElement **elements;
	int			nelements;
	int			capacity;
	uint32	   *visited;		/* stamp per element */
	uint32		stamp;
	int			entry;
	int			entryLevel;
} BuildState;

/* owner of the list being sorted, for tie-breaks (CompareMemCand) */
static uint32 tieSalt;

typedef struct MemPairArg
{
	BuildState *bs;
	int		   *idx;
} MemPairArg;

static void HeapInit(MemHeap *h, int capacity, bool isMax);
static void HeapPush(MemHeap *h, float d, int32 i);
static MemCand HeapPop(MemHeap *h);
static int	CompareMemCand(const void *a, const void *b);
static float MemPairDistance(void *arg, int i, int j);
static void MemSearchLayer(BuildState *bs, const void *q, MemHeap *entries,
						   int ef, int lc, MemHeap *w);
static int	SelectFromSorted(BuildState *bs, MemCand *sorted, int n, int keep,
							 MemCand *out);
static void PruneList(BuildState *bs, int n, int lc, int keep);
static void AddLink(BuildState *bs, int n, int lc, int q, float d);
static bool InsertInMemory(BuildState *bs, int q);
static void AddToGraph(BuildState *bs, Datum value, ItemPointer heaptid);
static void BuildCallback(Relation index, ItemPointer tid, Datum *values,
						  bool *isnull, bool tupleIsAlive, void *state);
static void WriteGraph(BuildState *bs);
static int	CheckDimensions(Relation index);

/* ---- small heap over MemCand ---- */

#define MEM_ABOVE(h, a, b) ((h)->isMax ? (a)->d > (b)->d : (a)->d < (b)->d)

static void
HeapInit(MemHeap *h, int capacity, bool isMax)
{
	h->capacity = Max(capacity, 8);
	h->items = palloc(sizeof(MemCand) * h->capacity);
	h->count = 0;
	h->isMax = isMax;
}

static void
HeapPush(MemHeap *h, float d, int32 idx)
{
	MemCand		c = {d, idx};
	int			i;

	if (h->count == h->capacity)
	{
		h->capacity *= 2;
		h->items = repalloc(h->items, sizeof(MemCand) * h->capacity);
	}
	i = h->count++;
	while (i > 0)
	{
		int			p = (i - 1) / 2;

		if (!MEM_ABOVE(h, &c, &h->items[p]))
			break;
		h->items[i] = h->items[p];
		i = p;
	}
	h->items[i] = c;
}

static MemCand
HeapPop(MemHeap *h)
{
	MemCand		top = h->items[0];
	MemCand		last;
	int			n = --h->count;
	int			i = 0;

	if (n == 0)
		return top;
	last = h->items[n];
	for (;;)
	{
		int			c = 2 * i + 1;

		if (c >= n)
			break;
		if (c + 1 < n && MEM_ABOVE(h, &h->items[c + 1], &h->items[c]))
			c++;
		if (!MEM_ABOVE(h, &h->items[c], &last))
			break;
		h->items[i] = h->items[c];
		i = c;
	}
	h->items[i] = last;
	return top;
}

static int
CompareMemCand(const void *a, const void *b)
{
	const MemCand *x = a;
	const MemCand *y = b;

	uint32		hx;
	uint32		hy;

	if (x->d != y->d)
		return x->d < y->d ? -1 : 1;

	/*
	 * Equal distances mean duplicate vectors.  Breaking those ties by
	 * element number would always keep the oldest duplicates in every list,
	 * leaving newer ones without in-links (unreachable); a hash salted with
	 * the list's owner spreads the links over all of them, deterministically.
	 */
	hx = murmurhash32((uint32) x->i ^ tieSalt);
	hy = murmurhash32((uint32) y->i ^ tieSalt);
	if (hx != hy)
		return hx < hy ? -1 : 1;
	return x->i < y->i ? -1 : (x->i > y->i);
}

static float
MemPairDistance(void *arg, int i, int j)
{
	MemPairArg *pa = arg;
	BuildState *bs = pa->bs;

	return HnswDistance(bs->sup, bs->elements[pa->idx[i]]->value,
						bs->elements[pa->idx[j]]->value);
}

/* ---- in-memory graph ---- */

/*
 * Layer search over the in-memory graph; entries (min-heap) are consumed,
 * w receives at most ef nearest (max-heap).
 */
static void
MemSearchLayer(BuildState *bs, const void *q, MemHeap *entries, int ef,
			   int lc, MemHeap *w)
{
	MemHeap		cand;
	int			m = bs->m;
	int32	   *todo = palloc(sizeof(int32) * MEM_CAP(0, m));
	int			ntodo;
	int			i;

	bs->stamp++;
	HeapInit(&cand, ef * 2, false);
	for (i = 0; i < entries->count; i++)
	{
		MemCand    *e = &entries->items[i];

		bs->visited[e->i] = bs->stamp;
		HeapPush(&cand, e->d, e->i);
		HeapPush(w, e->d, e->i);
		if (w->count > ef)
			HeapPop(w);
	}
	while (cand.count > 0)
	{
		MemCand		c = HeapPop(&cand);
		MemElement *ce = bs->elements[c.i];
		int32	   *nbr;
		int			n;

		if (w->count >= ef && c.d > w->items[0].d)
			break;
		nbr = ce->nbr + MEM_START(lc, m);
		n = ce->ncount[lc];

		/*
		 * Collect the unvisited neighbours and prefetch their values first:
		 * the graph walk is bound by cache misses on scattered elements.
		 */
		ntodo = 0;
		for (i = 0; i < n; i++)
		{
			int32		e = nbr[i];

			if (bs->visited[e] == bs->stamp)
				continue;
			bs->visited[e] = bs->stamp;
			todo[ntodo++] = e;
			PREFETCH(bs->elements[e]);
		}
		for (i = 0; i < ntodo; i++)
		{
			const char *val = bs->elements[todo[i]]->value;

			PREFETCH(val);
			PREFETCH(val + 64);
			PREFETCH(val + 128);
		}
		for (i = 0; i < ntodo; i++)
		{
			int32		e = todo[i];
			float		d;

			d = HnswDistance(bs->sup, q, bs->elements[e]->value);
			if (w->count < ef || d < w->items[0].d)
			{
				HeapPush(&cand, d, e);
				HeapPush(w, d, e);
				if (w->count > ef)
					HeapPop(w);
			}
		}
	}
	pfree(cand.items);
	pfree(todo);
}

/*
 * Apply the selection heuristic to sorted (nearest first) candidates.
 */
static int
SelectFromSorted(BuildState *bs, MemCand *sorted, int n, int keep, MemCand *out)
{
	float	   *dists = palloc(sizeof(float) * Max(n, 1));
	int		   *idx = palloc(sizeof(int) * Max(n, 1));
	int		   *chosen = palloc(sizeof(int) * Max(keep, 1));
	MemPairArg	pa;
	int			nchosen;
	int			i;

	for (i = 0; i < n; i++)
	{
		dists[i] = sorted[i].d;
		idx[i] = sorted[i].i;
	}
	pa.bs = bs;
	pa.idx = idx;
	nchosen = HnswSelectNeighbors(n, dists, keep, MemPairDistance, &pa, chosen);
	for (i = 0; i < nchosen; i++)
		out[i] = sorted[chosen[i]];
	pfree(dists);
	pfree(idx);
	pfree(chosen);
	return nchosen;
}

/*
 * Prune n's level-lc list to keep links with the selection heuristic.
 */
static void
PruneList(BuildState *bs, int n, int lc, int keep)
{
	MemElement *ne = bs->elements[n];
	int32	   *nbr = ne->nbr + MEM_START(lc, bs->m);
	float	   *nd = ne->ndist + MEM_START(lc, bs->m);
	int			count = ne->ncount[lc];
	MemCand    *cands;
	MemCand    *out;
	int			nout;
	int			i;

	if (count <= keep)
		return;
	cands = palloc(sizeof(MemCand) * count);
	out = palloc(sizeof(MemCand) * keep);
	for (i = 0; i < count; i++)
	{
		cands[i].d = nd[i];
		cands[i].i = nbr[i];
	}
	tieSalt = murmurhash32((uint32) n);
	qsort(cands, count, sizeof(MemCand), CompareMemCand);
	nout = SelectFromSorted(bs, cands, count, keep, out);
	for (i = 0; i < nout; i++)
	{
		nbr[i] = out[i].i;
		nd[i] = out[i].d;
	}
	ne->ncount[lc] = nout;
	pfree(cands);
	pfree(out);
}

/* Add q (at distance d) to n's level-lc list, pruning when it is full. */
static void
AddLink(BuildState *bs, int n, int lc, int q, float d)
{
	MemElement *ne = bs->elements[n];

	if (ne->ncount[lc] == MEM_CAP(lc, bs->m))
		PruneList(bs, n, lc, HNSW_LEVEL_SLOTS(lc, bs->m));
	ne->nbr[MEM_START(lc, bs->m) + ne->ncount[lc]] = q;
	ne->ndist[MEM_START(lc, bs->m) + ne->ncount[lc]] = d;
	ne->ncount[lc]++;
}

/*
 * Link element q into the in-memory graph (HNSW paper, algorithm 1).
 * Returns false when q instead joined an element of equal value as a
 * duplicate (q is then unused).
 */
static bool
InsertInMemory(BuildState *bs, int q)
{
	MemElement *qe = bs->elements[q];
	const void *v = qe->value;
	int			level = qe->level;
	MemHeap		entries;
	int			ep;
	float		epd;
	int			lc;

	if (bs->entry < 0)
	{
		bs->entry = q;
		bs->entryLevel = level;
		return true;
	}

	ep = bs->entry;
	epd = HnswDistance(bs->sup, v, bs->elements[ep]->value);
	for (lc = bs->entryLevel; lc > level; lc--)
	{
		bool		changed = true;

		while (changed)
		{
			MemElement *e = bs->elements[ep];
			int32	   *nbr = e->nbr + MEM_START(lc, bs->m);
			int			i;

			changed = false;
			for (i = 0; i < e->ncount[lc]; i++)
			{
				float		d = HnswDistance(bs->sup, v, bs->elements[nbr[i]]->value);

				if (d < epd)
				{
					epd = d;
					ep = nbr[i];
					changed = true;
				}
			}
		}
	}

	HeapInit(&entries, bs->efConstruction, false);
	HeapPush(&entries, epd, ep);
	for (lc = Min(level, bs->entryLevel); lc >= 0; lc--)
	{
		MemHeap		w;
		MemCand    *sorted;
		MemCand    *out;
		int			keep = HNSW_LEVEL_SLOTS(lc, bs->m);
		int			n;
		int			nout;
		int			i;

		HeapInit(&w, bs->efConstruction + 1, true);
		MemSearchLayer(bs, v, &entries, bs->efConstruction, lc, &w);
		n = w.count;
		sorted = palloc(sizeof(MemCand) * Max(n, 1));
		memcpy(sorted, w.items, sizeof(MemCand) * n);
		tieSalt = murmurhash32((uint32) q);
		qsort(sorted, n, sizeof(MemCand), CompareMemCand);
		/* an exact duplicate of the nearest element joins it */
		if (lc == Min(level, bs->entryLevel) && n > 0 &&
			HnswSameValue(bs->elements[sorted[0].i]->value, v))
		{
			MemElement *dupOf = bs->elements[sorted[0].i];
			MemoryContext old = MemoryContextSwitchTo(bs->graphCtx);

			if (dupOf->ndups == dupOf->dupcap)
			{
				dupOf->dupcap = Max(4, dupOf->dupcap * 2);
				dupOf->dups = dupOf->dups ?
					repalloc(dupOf->dups, sizeof(ItemPointerData) * dupOf->dupcap) :
					palloc(sizeof(ItemPointerData) * dupOf->dupcap);
			}
			dupOf->dups[dupOf->ndups++] = qe->heaptid;
			MemoryContextSwitchTo(old);
			pfree(w.items);
			pfree(sorted);
			pfree(entries.items);
			return false;
		}
		out = palloc(sizeof(MemCand) * keep);
		nout = SelectFromSorted(bs, sorted, n, keep, out);
		for (i = 0; i < nout; i++)
		{
			qe->nbr[MEM_START(lc, bs->m) + i] = out[i].i;
			qe->ndist[MEM_START(lc, bs->m) + i] = out[i].d;
		}
		qe->ncount[lc] = nout;
		for (i = 0; i < nout; i++)
			AddLink(bs, out[i].i, lc, q, out[i].d);

		/* the next level starts from everything found on this one */
		entries.count = 0;
		for (i = 0; i < n; i++)
			HeapPush(&entries, sorted[i].d, sorted[i].i);
		pfree(w.items);
		pfree(sorted);
		pfree(out);
	}
	pfree(entries.items);

	if (level > bs->entryLevel)
	{
		bs->entry = q;
		bs->entryLevel = level;
	}
	return true;
}

/*
 * Copy a prepared value into the graph and link it; when the graph then
 * exceeds maintenance_work_mem, write it out and continue on disk.
 */
static void
AddToGraph(BuildState *bs, Datum value, ItemPointer heaptid)
{
	MemoryContext old = MemoryContextSwitchTo(bs->graphCtx);
	Size		valsize = VARSIZE_ANY(DatumGetPointer(value));
	int			level = HnswRandomLevel(bs->m, heaptid);
	int			slots = MEM_COUNT(level, bs->m);
	MemElement *e;
	char	   *p;
	int			q;

	if (bs->nelements == bs->capacity)
	{
		bs->capacity *= 2;
		bs->elements = repalloc_huge(bs->elements, sizeof(MemElement *) * bs->capacity);
		bs->visited = repalloc_huge(bs->visited, sizeof(uint32) * bs->capacity);
	}
	p = palloc(MAXALIGN(sizeof(MemElement)) + MAXALIGN(valsize) +
			   slots * (sizeof(int32) + sizeof(float)) + level + 1);
	e = (MemElement *) p;
	p += MAXALIGN(sizeof(MemElement));
	e->value = p;
	memcpy(p, DatumGetPointer(value), valsize);
	p += MAXALIGN(valsize);
	e->nbr = (int32 *) p;
	p += slots * sizeof(int32);
	e->ndist = (float *) p;
	p += slots * sizeof(float);
	e->ncount = (uint8 *) p;
	memset(e->ncount, 0, level + 1);
	e->heaptid = *heaptid;
	e->level = level;
	e->dups = NULL;
	e->duptids = NULL;
	e->ndups = 0;
	e->dupcap = 0;
	q = bs->nelements++;
	bs->elements[q] = e;
	bs->visited[q] = 0;
	MemoryContextSwitchTo(old);

	if (!InsertInMemory(bs, q))
	{
		bs->nelements--;
		pfree(e);
	}

	if (MemoryContextMemAllocated(bs->graphCtx, true) > bs->memLimit)
	{
		ereport(NOTICE,
				(errmsg("hnsw graph no longer fits into maintenance_work_mem after %d tuples",
						bs->nelements),
				 errdetail("Building will take significantly more time."),
				 errhint("Increase maintenance_work_mem to speed up builds.")));
		WriteGraph(bs);
		bs->onDisk = true;
		pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE,
									 PROGRESS_HNSW_PHASE_LOAD);
	}
}

static void
BuildCallback(Relation index, ItemPointer tid, Datum *values, bool *isnull,
			  bool tupleIsAlive, void *state)
{
	BuildState *bs = state;
	MemoryContext old;
	Datum		value;
	bool		ok;

	if (isnull[0])
		return;
	old = MemoryContextSwitchTo(bs->tmpCtx);
	value = HnswPrepareValue(bs->sup, values[0], &ok);
	if (ok)
	{
		if (bs->onDisk)
			HnswInsertValue(index, bs->sup, value, tid);
		else
			AddToGraph(bs, value, tid);
		bs->indtuples++;
		pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE,
									 (int64) bs->indtuples);
	}
	MemoryContextSwitchTo(old);
	MemoryContextReset(bs->tmpCtx);
	CHECK_FOR_INTERRUPTS();
}

/* ---- writing pages ---- */

/*
 * Write the in-memory graph after the metapage: pass 1 assigns every
 * tuple its TID exactly as pass 2 will place it (element, then its
 * neighbour tuple, on the current page or the next), pass 2 writes the
 * pages in order, then the metapage gets the entry point and last page.
 * Frees the graph.
 */
static void
WriteGraph(BuildState *bs)
{
	Relation	index = bs->index;
	int			m = bs->m;
	BlockNumber blk = 1;
	Size		freeSpace = HNSW_PAGE_CAPACITY;
	OffsetNumber off = 0;
	Buffer		buf = InvalidBuffer;
	Buffer		metabuf;
	HnswMetaPage meta;
	int			i;
	int			k;

	pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE,
								 PROGRESS_HNSW_PHASE_WRITE);

	if (bs->nelements == 0)
		goto done;

	/* pass 1: TIDs */
	for (i = 0; i < bs->nelements; i++)
	{
		MemElement *e = bs->elements[i];
		Size		esize = HNSW_ELEMENT_TUPLE_SIZE(VARSIZE_ANY(e->value)) + sizeof(ItemIdData);
		Size		nsize = HNSW_NEIGHBOR_TUPLE_SIZE(e->level, m) + sizeof(ItemIdData);

		if (esize + nsize > freeSpace &&
			(esize + nsize <= HNSW_PAGE_CAPACITY || esize > freeSpace))
		{
			blk++;
			freeSpace = HNSW_PAGE_CAPACITY;
			off = 0;
		}
		ItemPointerSet(&e->etid, blk, ++off);
		freeSpace -= esize;
		if (nsize > freeSpace)
		{
			blk++;
			freeSpace = HNSW_PAGE_CAPACITY;
			off = 0;
		}
		ItemPointerSet(&e->ntid, blk, ++off);
		freeSpace -= nsize;
		if (e->ndups > 0)
			e->duptids = palloc(sizeof(ItemPointerData) * e->ndups);
		for (k = 0; k < e->ndups; k++)
		{
			if (HNSW_DUP_TUPLE_SIZE + sizeof(ItemIdData) > freeSpace)
			{
				blk++;
				freeSpace = HNSW_PAGE_CAPACITY;
				off = 0;
			}
			ItemPointerSet(&e->duptids[k], blk, ++off);
			freeSpace -= HNSW_DUP_TUPLE_SIZE + sizeof(ItemIdData);
		}
	}

	/* pass 2: pages */
	for (i = 0; i < bs->nelements; i++)
	{
		MemElement *e = bs->elements[i];
		Size		valsize = VARSIZE_ANY(e->value);
		Size		esize = HNSW_ELEMENT_TUPLE_SIZE(valsize);
		Size		nsize = HNSW_NEIGHBOR_TUPLE_SIZE(e->level, m);
		HnswElementTuple etup = palloc0(esize);
		HnswNeighborTuple ntup = palloc0(nsize);
		HnswDupTupleData dup;
		int			lc;

		CHECK_FOR_INTERRUPTS();
		for (lc = 0; lc <= e->level; lc++)
			PruneList(bs, i, lc, HNSW_LEVEL_SLOTS(lc, m));
		etup->type = HNSW_ELEMENT_TUPLE_TYPE;
		etup->level = e->level;
		etup->heaptid = e->heaptid;
		etup->neighbortid = e->ntid;
		if (e->ndups > 0)
			etup->duptid = e->duptids[0];
		else
			ItemPointerSetInvalid(&etup->duptid);
		memcpy(etup->data, e->value, valsize);
		ntup->type = HNSW_NEIGHBOR_TUPLE_TYPE;
		ntup->count = HNSW_NEIGHBOR_COUNT(e->level, m);
		for (k = 0; k < ntup->count; k++)
			ItemPointerSetInvalid(&ntup->indextids[k]);
		for (lc = 0; lc <= e->level; lc++)
			for (k = 0; k < e->ncount[lc]; k++)
				ntup->indextids[HNSW_LEVEL_START(lc, m) + k] =
					bs->elements[e->nbr[MEM_START(lc, m) + k]]->etid;

		MemSet(&dup, 0, sizeof(dup));
		dup.type = HNSW_DUP_TUPLE_TYPE;
		dup.owner = e->etid;
		for (k = 0; k < 2 + e->ndups; k++)
		{
			ItemPointer tid = k == 0 ? &e->etid : k == 1 ? &e->ntid : &e->duptids[k - 2];
			Item		item = k == 0 ? (Item) etup : k == 1 ? (Item) ntup : (Item) &dup;
			Size		size = k == 0 ? esize : k == 1 ? nsize : sizeof(HnswDupTupleData);

			if (k >= 2)
			{
				dup.heaptid = e->dups[k - 2];
				if (k - 2 + 1 < e->ndups)
					dup.next = e->duptids[k - 1];
				else
					ItemPointerSetInvalid(&dup.next);
			}

			if (!BufferIsValid(buf) || BufferGetBlockNumber(buf) != ItemPointerGetBlockNumber(tid))
			{
				Buffer		next = HnswNewBuffer(index, MAIN_FORKNUM);

				if (BufferGetBlockNumber(next) != ItemPointerGetBlockNumber(tid))
					elog(ERROR, "hnsw build expected block %u, got %u",
						 ItemPointerGetBlockNumber(tid), BufferGetBlockNumber(next));
				HnswInitPage(BufferGetPage(next));
				if (BufferIsValid(buf))
				{
					HnswPageGetOpaque(BufferGetPage(buf))->nextblkno = BufferGetBlockNumber(next);
					MarkBufferDirty(buf);
					UnlockReleaseBuffer(buf);
				}
				buf = next;
			}
			if (PageAddItem(BufferGetPage(buf), item, size,
							ItemPointerGetOffsetNumber(tid), false, false) !=
				ItemPointerGetOffsetNumber(tid))
				elog(ERROR, "failed to add hnsw tuple to \"%s\"",
					 RelationGetRelationName(index));
		}
		pfree(etup);
		pfree(ntup);
	}
	MarkBufferDirty(buf);
	UnlockReleaseBuffer(buf);

	metabuf = ReadBuffer(index, HNSW_METAPAGE_BLKNO);
	LockBuffer(metabuf, BUFFER_LOCK_EXCLUSIVE);
	meta = HnswPageGetMeta(BufferGetPage(metabuf));
	meta->entryBlkno = ItemPointerGetBlockNumber(&bs->elements[bs->entry]->etid);
	meta->entryOffno = ItemPointerGetOffsetNumber(&bs->elements[bs->entry]->etid);
	meta->entryLevel = bs->entryLevel;
	meta->insertPage = blk;
	MarkBufferDirty(metabuf);
	UnlockReleaseBuffer(metabuf);

done:
	if (RelationNeedsWAL(index))
		log_newpage_range(index, MAIN_FORKNUM, 0,
						  RelationGetNumberOfBlocks(index), true);
	MemoryContextReset(bs->graphCtx);
	bs->elements = NULL;
	bs->visited = NULL;
	bs->nelements = 0;
}

/*
 * The indexed column's dimensions from its typmod, checked against the
 * opclass kernel's limit; 0 for opclasses without a kernel.
 */
static int
CheckDimensions(Relation index)
{
	int			dim = TupleDescAttr(index->rd_att, 0)->atttypmod;
	const HnswKernel *kernel;

	if (!OidIsValid(index_getprocid(index, 1, HNSW_KERNEL_PROC)))
		return dim;
	kernel = (const HnswKernel *)
		DatumGetPointer(FunctionCall1(index_getprocinfo(index, 1, HNSW_KERNEL_PROC),
									  PointerGetDatum(NULL)));
	if (dim < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("column does not have dimensions"),
				 errhint("Declare the column with a fixed size, for example vector(3).")));
	/* wider columns get a compact copy (compact.c) where the kernel allows */
	if (dim > kernel->maxDimensions &&
		(kernel->toFloats == NULL || kernel->metric == 0 || dim > HNSW_MAX_WIDE_DIM))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("column cannot have more than %d dimensions for hnsw index",
						kernel->toFloats && kernel->metric ?
						Max(kernel->maxDimensions, HNSW_MAX_WIDE_DIM) :
						kernel->maxDimensions)));
	return dim;
}

IndexBuildResult *
hnswbuild(Relation heap, Relation index, IndexInfo *indexInfo)
{
	IndexBuildResult *result;
	BuildState	bs;
	int			dim;
	int			m = HnswGetM(index);
	int			efConstruction = HnswGetEfConstruction(index);

	if (RelationGetNumberOfBlocks(index) != 0)
		elog(ERROR, "index \"%s\" already contains data",
			 RelationGetRelationName(index));
	if (efConstruction < 2 * m)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("ef_construction must be greater than or equal to 2 * m")));
	dim = CheckDimensions(index);

	HnswWriteMetaPage(index, MAIN_FORKNUM, dim, m, efConstruction, false);

	MemSet(&bs, 0, sizeof(bs));
	bs.heap = heap;
	bs.index = index;
	bs.sup = HnswGetSupport(index);
	bs.m = m;
	bs.efConstruction = efConstruction;
	bs.entry = -1;
	bs.entryLevel = -1;
	bs.memLimit = (Size) maintenance_work_mem * 1024;
	bs.graphCtx = AllocSetContextCreate(CurrentMemoryContext, "hnsw build graph",
										ALLOCSET_DEFAULT_SIZES);
	bs.tmpCtx = AllocSetContextCreate(CurrentMemoryContext, "hnsw build tuple",
									  ALLOCSET_DEFAULT_SIZES);
	bs.capacity = 1024;
	bs.elements = MemoryContextAlloc(bs.graphCtx, sizeof(MemElement *) * bs.capacity);
	bs.visited = MemoryContextAlloc(bs.graphCtx, sizeof(uint32) * bs.capacity);

	pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, PROGRESS_HNSW_PHASE_LOAD);
	if (heap->rd_rel->reltuples > 0)
		pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_TOTAL,
									 (int64) heap->rd_rel->reltuples);
	bs.reltuples = table_index_build_scan(heap, index, indexInfo, true, true,
										  BuildCallback, &bs, NULL);
	if (!bs.onDisk)
		WriteGraph(&bs);

	MemoryContextDelete(bs.graphCtx);
	MemoryContextDelete(bs.tmpCtx);

	result = palloc(sizeof(IndexBuildResult));
	result->heap_tuples = bs.reltuples;
	result->index_tuples = bs.indtuples;
	return result;
}

/*
 * The init fork of an unlogged index: just the metapage, WAL-logged.
 */
void
hnswbuildempty(Relation index)
{
	HnswWriteMetaPage(index, INIT_FORKNUM, CheckDimensions(index),
					  HnswGetM(index), HnswGetEfConstruction(index), true);
}
