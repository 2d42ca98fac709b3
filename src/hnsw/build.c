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
 *
 *	  Parallel build (max_parallel_maintenance_workers, the table's
 *	  parallel_workers): the leader and its workers scan the heap with a
 *	  parallel table scan and insert into one graph in a dynamic shared
 *	  memory arena sized from maintenance_work_mem.  The graph is addressed
 *	  by offsets from the arena's start (each process maps it elsewhere;
 *	  a serial build uses base 0, so offsets are plain addresses).  Locks:
 *	  entryLock (shared to read the entry point, exclusive for the whole
 *	  insert of an element that becomes the new entry point), then one
 *	  element lock at a time (its lists and duplicates; values never change
 *	  after allocation).  No process holds two element locks, so there is no
 *	  lock order among them.  An element gets its lists on every level
 *	  before any other element links to it, so no search enters a list that
 *	  is not filled yet.  When the arena is full, inserting processes
 *	  finish, one of them writes the graph out while the others wait on a
 *	  condition variable (interruptibly), then all continue on disk.  The
 *	  leader writes the graph out at the end when no one did.  Launch,
 *	  teardown, the shared heap scan and the workers' statement text and
 *	  buffer/WAL accounting are core/parallel_build.c's.
 */
#include "postgres.h"

#include <math.h>

#include "access/genam.h"
#include "access/parallel.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xloginsert.h"
#include "common/hashfn.h"
#include "commands/progress.h"
#include "miscadmin.h"
#include "optimizer/optimizer.h"
#include "pgstat.h"
#include "port/atomics.h"
#include "storage/bufmgr.h"
#include "storage/condition_variable.h"
#include "storage/lwlock.h"
#include "storage/spin.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "core/parallel_build.h"
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

/*
 * One element of the in-memory graph, followed in the same allocation by
 * its value (EVALUE), MEM_COUNT neighbour slots (ENBR), their distances
 * (ENDIST) and the number used per level (ENCOUNT): no pointers inside, so
 * it can live in shared memory mapped at different addresses.
 */
typedef struct MemElement
{
	ItemPointerData heaptid;
	int			level;
	bool		unused;			/* joined an equal element instead */
	uint32		valsize;
	uintptr_t	dups;			/* graph offset of heap TIDs of equal
								 * values, or 0 */
	ItemPointerData *duptids;	/* their duplicate tuples, when written
								 * (private to the writing process) */
	int			ndups;
	int			dupcap;
	ItemPointerData etid;		/* assigned when written */
	ItemPointerData ntid;
	LWLock		lock;			/* parallel build: guards lists and dups */
} MemElement;

#define EVALUE(e)		((char *) (e) + MAXALIGN(sizeof(MemElement)))
#define ENBR(e)			((int32 *) (EVALUE(e) + MAXALIGN((e)->valsize)))
#define ENDIST(e, m)	((float *) (ENBR(e) + MEM_COUNT((e)->level, m)))
#define ENCOUNT(e, m)	((uint16 *) (ENDIST(e, m) + MEM_COUNT((e)->level, m)))
#define ELEMENT_SIZE(valsize, level, m) \
	(MAXALIGN(sizeof(MemElement)) + MAXALIGN(valsize) + \
	 MEM_COUNT(level, m) * (sizeof(int32) + sizeof(float)) + \
	 ((level) + 1) * sizeof(uint16))
#define ELEM(bs, i)		((MemElement *) ((bs)->base + (bs)->elems[i]))
#define EDUPS(bs, e)	((ItemPointerData *) ((bs)->base + (e)->dups))

/*
 * What a parallel build shares (the graph arena and the element offsets
 * follow in their own shm_toc entries; the relations and the heap scan are
 * core/parallel_build.c's).
 */
typedef struct HnswShared
{
	/* set by the leader before launch */
	int			lwtranche;
	Size		arenaSize;
	int			maxElements;

	/* protected by mutex */
	slock_t		mutex;
	int			nelements;
	Size		arenaUsed;
	int			ninserting;		/* in-memory inserts under way */
	bool		full;			/* arena exhausted: no new in-memory inserts */
	bool		flushing;		/* a process is writing the graph out */
	bool		flushed;		/* graph written: insert on disk */
	double		reltuples;		/* heap tuples scanned by finished workers */
	pg_atomic_uint64 indtuples; /* tuples indexed, all processes */
	ConditionVariable cv;		/* ninserting reached 0, or flushed */

	/* the graph's entry point */
	LWLock		entryLock;
	int			entry;
	int			entryLevel;
} HnswShared;

#define HNSW_SHM_SHARED		UINT64CONST(0xA0A0000000000001)
#define HNSW_SHM_ELEMS		UINT64CONST(0xA0A0000000000002)
#define HNSW_SHM_ARENA		UINT64CONST(0xA0A0000000000003)

/* result of one in-memory insert */
typedef enum InsertResult
{
	INSERT_LINKED,
	INSERT_DUPLICATE,
	INSERT_FULL					/* no room: insert it on disk instead */
} InsertResult;

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
	HnswShared *shared;			/* parallel build, else NULL */
	bool		isLeader;		/* reports progress */
	uintptr_t	base;			/* graph offsets are relative to this */
	uintptr_t  *elems;			/* element i is at base + elems[i] */
	int			nelements;		/* serial; in shared->nelements if parallel */
	int			capacity;
	uint32	   *visited;		/* stamp per element */
	uint32		stamp;
	int			entry;			/* serial; in shared->entry if parallel */
	int			entryLevel;
	/* the opclass kernel's distance, called directly; NULL: HnswDistance */
	float		(*distance) (const void *a, const void *b);
} BuildState;

typedef struct MemPairArg
{
	BuildState *bs;
	int		   *idx;
} MemPairArg;

static void HeapInit(MemHeap *h, int capacity, bool isMax);
static void HeapPush(MemHeap *h, float d, int32 i);
static MemCand HeapPop(MemHeap *h);
static inline bool CandBefore(const MemCand *x, const MemCand *y, uint32 salt);
static void SortCands(MemCand *c, int n, int owner);
static inline float MemDistance(BuildState *bs, const void *a, const void *b);
static float MemPairDistance(void *arg, int i, int j);
static void MemSearchLayer(BuildState *bs, const void *q, MemHeap *entries,
						   int ef, int lc, MemHeap *w);
static int	SelectFromSorted(BuildState *bs, MemCand *sorted, int n, int keep,
							 MemCand *out);
static void PruneList(BuildState *bs, int n, int lc, int keep);
static void AddLink(BuildState *bs, int n, int lc, int q, float d);
static int	CopyNeighbors(BuildState *bs, MemElement *e, int lc, int32 *out);
static void SetOwnList(BuildState *bs, MemElement *qe, int lc,
					   MemCand *out, int nout);
static uintptr_t GraphAlloc(BuildState *bs, Size size);
static bool AddDuplicate(BuildState *bs, MemElement *dupOf, ItemPointer heaptid);
static InsertResult InsertInMemory(BuildState *bs, int q);
static InsertResult AddToGraph(BuildState *bs, Datum value, ItemPointer heaptid);
static void BuildCallback(Relation index, ItemPointer tid, Datum *values,
						  bool *isnull, bool tupleIsAlive, void *state);
static void ParallelInsert(BuildState *bs, Datum value, ItemPointer tid);
static void FlushShared(BuildState *bs);
static void FoldElement(BuildState *bs, int from, int into, int *remap);
static int *MergeEqualElements(BuildState *bs);
static int *LayoutOrder(BuildState *bs, const int *remap);
static void WriteGraph(BuildState *bs);
static int	CheckDimensions(Relation index);
static void InitBuildState(BuildState *bs, Relation heap, Relation index,
						   HnswShared *shared, shm_toc *toc);
static bool BuildParallel(BuildState *bs, IndexInfo *indexInfo, int nworkers);
static Size ArenaSize(Relation heap, int m);
static void ScanShared(BuildState *bs, IndexInfo *indexInfo,
					   ParallelTableScanDesc pscan, bool progress);
PGDLLEXPORT void HnswParallelBuildMain(dsm_segment *seg, shm_toc *toc);

/* ---- small heap over MemCand ---- */

/* isMax is a local copy: stores to items could alias h->isMax */
#define MEM_ABOVE(isMax, a, b) ((isMax) ? (a)->d > (b)->d : (a)->d < (b)->d)

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
	const bool	isMax = h->isMax;
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

		if (!MEM_ABOVE(isMax, &c, &h->items[p]))
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
	const bool	isMax = h->isMax;
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
		if (c + 1 < n && MEM_ABOVE(isMax, &h->items[c + 1], &h->items[c]))
			c++;
		if (!MEM_ABOVE(isMax, &h->items[c], &last))
			break;
		h->items[i] = h->items[c];
		i = c;
	}
	h->items[i] = last;
	return top;
}

/*
 * Whether x sorts before y in a neighbour list owned by the element whose
 * hash is salt: nearer first.
 */
static inline bool
CandBefore(const MemCand *x, const MemCand *y, uint32 salt)
{
	uint32		hx;
	uint32		hy;

	if (x->d != y->d)
		return x->d < y->d;

	/*
	 * Equal distances mean duplicate vectors.  Breaking those ties by
	 * element number would always keep the oldest duplicates in every list,
	 * leaving newer ones without in-links (unreachable); a hash salted with
	 * the list's owner spreads the links over all of them, deterministically.
	 */
	hx = murmurhash32((uint32) x->i ^ salt);
	hy = murmurhash32((uint32) y->i ^ salt);
	if (hx != hy)
		return hx < hy;
	return x->i < y->i;
}

/*
 * Sort the candidates of owner's list, nearest first (CandBefore).  An
 * insertion sort with the comparison inlined: lists are short (at most
 * ef_construction or MEM_CAP entries) and often nearly sorted already,
 * where qsort's indirect comparator calls cost more than the moves.
 */
static void
SortCands(MemCand *c, int n, int owner)
{
	uint32		salt = murmurhash32((uint32) owner);
	int			i;

	for (i = 1; i < n; i++)
	{
		MemCand		x = c[i];
		int			j = i;

		while (j > 0 && CandBefore(&x, &c[j - 1], salt))
		{
			c[j] = c[j - 1];
			j--;
		}
		c[j] = x;
	}
}

/* distance between two prepared values, skipping HnswDistance's dispatch */
static inline float
MemDistance(BuildState *bs, const void *a, const void *b)
{
	if (bs->distance)
		return bs->distance(a, b);
	return HnswDistance(bs->sup, a, b);
}

static float
MemPairDistance(void *arg, int i, int j)
{
	MemPairArg *pa = arg;
	BuildState *bs = pa->bs;

	return MemDistance(bs, EVALUE(ELEM(bs, pa->idx[i])),
					   EVALUE(ELEM(bs, pa->idx[j])));
}

/* ---- in-memory graph ---- */

/*
 * Copy e's level-lc neighbours into out (room for MEM_CAP(0, m)); returns
 * how many.  In a parallel build the element's lock is held while copying.
 */
static int
CopyNeighbors(BuildState *bs, MemElement *e, int lc, int32 *out)
{
	int			n;

	if (bs->shared)
		LWLockAcquire(&e->lock, LW_SHARED);
	n = ENCOUNT(e, bs->m)[lc];
	memcpy(out, ENBR(e) + MEM_START(lc, bs->m), sizeof(int32) * n);
	if (bs->shared)
		LWLockRelease(&e->lock);
	return n;
}

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
	int32	   *nbr = palloc(sizeof(int32) * MEM_CAP(0, m));
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
		int			n;

		if (w->count >= ef && c.d > w->items[0].d)
			break;
		n = CopyNeighbors(bs, ELEM(bs, c.i), lc, nbr);

		/*
		 * The visit stamps and element offsets of the neighbours are
		 * scattered over arrays larger than the caches: fetch them all
		 * before testing any, so the misses overlap.
		 */
		for (i = 0; i < n; i++)
		{
			PREFETCH(&bs->visited[nbr[i]]);
			PREFETCH(&bs->elems[nbr[i]]);
		}

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
			PREFETCH(ELEM(bs, e));
		}
		for (i = 0; i < ntodo; i++)
		{
			const char *val = EVALUE(ELEM(bs, todo[i]));

			PREFETCH(val);
			PREFETCH(val + 64);
			PREFETCH(val + 128);
		}
		for (i = 0; i < ntodo; i++)
		{
			int32		e = todo[i];
			float		d;

			d = MemDistance(bs, q, EVALUE(ELEM(bs, e)));
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
	pfree(nbr);
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

	/*
	 * The heuristic compares candidates pairwise, scattered in memory:
	 * start fetching their values (when it will compare them) now.
	 */
	if (n > keep)
		for (i = 0; i < n; i++)
			PREFETCH(EVALUE(ELEM(bs, idx[i])));
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
 * Parallel build: the caller holds n's lock exclusively (or is alone).
 */
static void
PruneList(BuildState *bs, int n, int lc, int keep)
{
	MemElement *ne = ELEM(bs, n);
	int32	   *nbr = ENBR(ne) + MEM_START(lc, bs->m);
	float	   *nd = ENDIST(ne, bs->m) + MEM_START(lc, bs->m);
	int			count = ENCOUNT(ne, bs->m)[lc];
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
	SortCands(cands, count, n);
	nout = SelectFromSorted(bs, cands, count, keep, out);
	for (i = 0; i < nout; i++)
	{
		nbr[i] = out[i].i;
		nd[i] = out[i].d;
	}
	ENCOUNT(ne, bs->m)[lc] = nout;
	pfree(cands);
	pfree(out);
}

/*
 * Add q (at distance d) to n's level-lc list, pruning when it is full.
 * Takes n's lock in a parallel build.
 */
static void
AddLink(BuildState *bs, int n, int lc, int q, float d)
{
	MemElement *ne = ELEM(bs, n);
	uint16	   *ncount = ENCOUNT(ne, bs->m);

	if (bs->shared)
		LWLockAcquire(&ne->lock, LW_EXCLUSIVE);
	if (ncount[lc] == MEM_CAP(lc, bs->m))
		PruneList(bs, n, lc, HNSW_LEVEL_SLOTS(lc, bs->m));
	ENBR(ne)[MEM_START(lc, bs->m) + ncount[lc]] = q;
	ENDIST(ne, bs->m)[MEM_START(lc, bs->m) + ncount[lc]] = d;
	ncount[lc]++;
	if (bs->shared)
		LWLockRelease(&ne->lock);
}

/*
 * Give q its chosen level-lc list.  No other process can reach q yet
 * (InsertInMemory links to it only once all its lists are set), so there
 * is nothing to merge; the lock orders these stores before the back-links
 * that publish q.
 */
static void
SetOwnList(BuildState *bs, MemElement *qe, int lc, MemCand *out, int nout)
{
	int32	   *nbr = ENBR(qe) + MEM_START(lc, bs->m);
	float	   *nd = ENDIST(qe, bs->m) + MEM_START(lc, bs->m);
	int			i;

	if (bs->shared)
		LWLockAcquire(&qe->lock, LW_EXCLUSIVE);
	for (i = 0; i < nout; i++)
	{
		nbr[i] = out[i].i;
		nd[i] = out[i].d;
	}
	ENCOUNT(qe, bs->m)[lc] = nout;
	if (bs->shared)
		LWLockRelease(&qe->lock);
}

/*
 * size bytes of graph memory: an offset from bs->base, or 0 when the
 * shared arena is full (a serial build allocates in graphCtx and checks
 * maintenance_work_mem after each element instead).
 */
static uintptr_t
GraphAlloc(BuildState *bs, Size size)
{
	HnswShared *shared = bs->shared;
	uintptr_t	off = 0;

	if (shared == NULL)
		return (uintptr_t) MemoryContextAlloc(bs->graphCtx, size);
	size = MAXALIGN(size);
	SpinLockAcquire(&shared->mutex);
	if (shared->arenaUsed + size <= shared->arenaSize)
	{
		off = shared->arenaUsed;
		shared->arenaUsed += size;
	}
	else
		shared->full = true;
	SpinLockRelease(&shared->mutex);
	return off;
}

/*
 * Record heaptid as a duplicate of dupOf; false when there is no room
 * left in the shared arena.
 */
static bool
AddDuplicate(BuildState *bs, MemElement *dupOf, ItemPointer heaptid)
{
	bool		ok = true;

	if (bs->shared)
		LWLockAcquire(&dupOf->lock, LW_EXCLUSIVE);
	if (dupOf->ndups == dupOf->dupcap)
	{
		int			cap = Max(4, dupOf->dupcap * 2);
		uintptr_t	off = GraphAlloc(bs, sizeof(ItemPointerData) * cap);

		if (off == 0)
			ok = false;
		else
		{
			if (dupOf->ndups > 0)
			{
				memcpy((char *) (bs->base + off), EDUPS(bs, dupOf),
					   sizeof(ItemPointerData) * dupOf->ndups);
				if (bs->shared == NULL)
					pfree(EDUPS(bs, dupOf));
			}
			dupOf->dups = off;
			dupOf->dupcap = cap;
		}
	}
	if (ok)
		EDUPS(bs, dupOf)[dupOf->ndups++] = *heaptid;
	if (bs->shared)
		LWLockRelease(&dupOf->lock);
	return ok;
}

/*
 * Link element q into the in-memory graph (HNSW paper, algorithm 1).
 * INSERT_DUPLICATE when q instead joined an element of equal value as a
 * duplicate, INSERT_FULL when that needed memory the shared arena no longer
 * has; q is then unused (marked so).
 */
static InsertResult
InsertInMemory(BuildState *bs, int q)
{
	MemElement *qe = ELEM(bs, q);
	const void *v = EVALUE(qe);
	int			level = qe->level;
	int			m = bs->m;
	HnswShared *shared = bs->shared;
	bool		entryHeld = false;
	MemHeap		entries;
	int32	   *nbr;
	int			ep;
	int			entryLevel;
	float		epd;
	int			top;
	MemCand   **outs;
	int		   *nouts;
	int			lc;
	int			i;

	/*
	 * The entry point.  An element that will be above it (or the first one)
	 * keeps entryLock exclusively until it is linked, so that levels above
	 * the old entry point are built by one insert at a time.
	 */
	if (shared)
	{
		LWLockAcquire(&shared->entryLock, LW_SHARED);
		if (shared->entry < 0 || level > shared->entryLevel)
		{
			LWLockRelease(&shared->entryLock);
			LWLockAcquire(&shared->entryLock, LW_EXCLUSIVE);
			entryHeld = shared->entry < 0 || level > shared->entryLevel;
			if (!entryHeld)
			{
				LWLockRelease(&shared->entryLock);
				LWLockAcquire(&shared->entryLock, LW_SHARED);
			}
		}
		ep = shared->entry;
		entryLevel = shared->entryLevel;
		if (!entryHeld)
			LWLockRelease(&shared->entryLock);
	}
	else
	{
		ep = bs->entry;
		entryLevel = bs->entryLevel;
	}

	if (ep < 0)
	{
		if (shared)
		{
			shared->entry = q;
			shared->entryLevel = level;
			LWLockRelease(&shared->entryLock);
		}
		else
		{
			bs->entry = q;
			bs->entryLevel = level;
		}
		return INSERT_LINKED;
	}

	nbr = palloc(sizeof(int32) * MEM_CAP(0, m));
	epd = MemDistance(bs, v, EVALUE(ELEM(bs, ep)));
	for (lc = entryLevel; lc > level; lc--)
	{
		bool		changed = true;

		while (changed)
		{
			int			n = CopyNeighbors(bs, ELEM(bs, ep), lc, nbr);

			changed = false;
			for (i = 0; i < n; i++)
			{
				float		d = MemDistance(bs, v, EVALUE(ELEM(bs, nbr[i])));

				if (d < epd)
				{
					epd = d;
					ep = nbr[i];
					changed = true;
				}
			}
		}
	}
	pfree(nbr);

	/*
	 * Choose q's lists on every level first and link to q only then.  Were
	 * q linked level by level, another process could reach it on a level
	 * above and descend into its still empty list below: that search then
	 * finds only q, links its element to q alone, and once q's list prunes
	 * that far link the element has no in-link left and no scan reaches it
	 * (parallel builds lost dozens of rows that way; serial ones none).
	 */
	top = Min(level, entryLevel);
	outs = palloc(sizeof(MemCand *) * (top + 1));
	nouts = palloc(sizeof(int) * (top + 1));
	HeapInit(&entries, bs->efConstruction, false);
	HeapPush(&entries, epd, ep);
	for (lc = top; lc >= 0; lc--)
	{
		MemHeap		w;
		MemCand    *sorted;
		int			keep = HNSW_LEVEL_SLOTS(lc, m);
		int			n;

		HeapInit(&w, bs->efConstruction + 1, true);
		MemSearchLayer(bs, v, &entries, bs->efConstruction, lc, &w);
		n = w.count;
		sorted = palloc(sizeof(MemCand) * Max(n, 1));
		/* popping the max-heap sorts by distance; SortCands orders ties */
		for (i = n - 1; i >= 0; i--)
			sorted[i] = HeapPop(&w);
		SortCands(sorted, n, q);
		/* an exact duplicate of the nearest element joins it */
		if (lc == top && n > 0 &&
			HnswSameValue(EVALUE(ELEM(bs, sorted[0].i)), v))
		{
			bool		ok = AddDuplicate(bs, ELEM(bs, sorted[0].i), &qe->heaptid);

			qe->unused = true;
			if (entryHeld)
				LWLockRelease(&shared->entryLock);
			pfree(w.items);
			pfree(sorted);
			pfree(entries.items);
			pfree(outs);
			pfree(nouts);
			return ok ? INSERT_DUPLICATE : INSERT_FULL;
		}
		outs[lc] = palloc(sizeof(MemCand) * keep);
		nouts[lc] = SelectFromSorted(bs, sorted, n, keep, outs[lc]);
		SetOwnList(bs, qe, lc, outs[lc], nouts[lc]);

		/* the next level starts from everything found on this one */
		entries.count = 0;
		for (i = 0; i < n; i++)
			HeapPush(&entries, sorted[i].d, sorted[i].i);
		pfree(w.items);
		pfree(sorted);
	}
	pfree(entries.items);
	for (lc = top; lc >= 0; lc--)
	{
		for (i = 0; i < nouts[lc]; i++)
			AddLink(bs, outs[lc][i].i, lc, q, outs[lc][i].d);
		pfree(outs[lc]);
	}
	pfree(outs);
	pfree(nouts);

	if (level > entryLevel)
	{
		if (shared)
		{
			shared->entry = q;
			shared->entryLevel = level;
		}
		else
		{
			bs->entry = q;
			bs->entryLevel = level;
		}
	}
	if (entryHeld)
		LWLockRelease(&shared->entryLock);
	return INSERT_LINKED;
}

/*
 * Copy a prepared value into the graph and link it.  Serial build: when
 * the graph then exceeds maintenance_work_mem, write it out and continue
 * on disk.  Parallel build: INSERT_FULL when the arena has no room for it.
 */
static InsertResult
AddToGraph(BuildState *bs, Datum value, ItemPointer heaptid)
{
	HnswShared *shared = bs->shared;
	Size		valsize = VARSIZE_ANY(DatumGetPointer(value));
	int			level = HnswRandomLevel(bs->m, heaptid);
	uintptr_t	off;
	MemElement *e;
	InsertResult res;
	int			q;

	if (shared)
	{
		off = GraphAlloc(bs, ELEMENT_SIZE(valsize, level, bs->m));
		if (off == 0)
			return INSERT_FULL;
		SpinLockAcquire(&shared->mutex);
		if (shared->nelements < shared->maxElements)
			q = shared->nelements++;
		else
		{
			q = -1;
			shared->full = true;
		}
		SpinLockRelease(&shared->mutex);
		if (q < 0)
			return INSERT_FULL;
	}
	else
	{
		if (bs->nelements == bs->capacity)
		{
			bs->capacity *= 2;
			bs->elems = repalloc_huge(bs->elems, sizeof(uintptr_t) * bs->capacity);
			bs->visited = repalloc_huge(bs->visited, sizeof(uint32) * bs->capacity);
		}
		off = GraphAlloc(bs, ELEMENT_SIZE(valsize, level, bs->m));
		q = bs->nelements++;
		bs->visited[q] = 0;
	}
	e = (MemElement *) (bs->base + off);
	memset(e, 0, sizeof(MemElement));
	e->heaptid = *heaptid;
	e->level = level;
	e->valsize = valsize;
	memcpy(EVALUE(e), DatumGetPointer(value), valsize);
	memset(ENCOUNT(e, bs->m), 0, (level + 1) * sizeof(uint16));
	if (shared)
		LWLockInitialize(&e->lock, shared->lwtranche);
	bs->elems[q] = off;

	res = InsertInMemory(bs, q);
	if (shared)
		return res;

	if (res != INSERT_LINKED)
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
	return res;
}

/*
 * Parallel build: the shared arena is full.  The first process to get
 * here waits for the in-memory inserts under way to finish and writes the
 * graph out; the others wait for that.  Condition-variable sleeps are
 * interruptible.
 */
static void
FlushShared(BuildState *bs)
{
	HnswShared *shared = bs->shared;
	bool		flusher = false;

	SpinLockAcquire(&shared->mutex);
	if (!shared->flushing && !shared->flushed)
		shared->flushing = flusher = true;
	SpinLockRelease(&shared->mutex);

	if (flusher)
	{
		for (;;)
		{
			bool		idle;

			SpinLockAcquire(&shared->mutex);
			idle = shared->ninserting == 0;
			SpinLockRelease(&shared->mutex);
			if (idle)
				break;
			ConditionVariableSleep(&shared->cv, WAIT_EVENT_PARALLEL_CREATE_INDEX_SCAN);
		}
		ConditionVariableCancelSleep();
		ereport(NOTICE,
				(errmsg("hnsw graph no longer fits into maintenance_work_mem after %d tuples",
						shared->nelements),
				 errdetail("Building will take significantly more time."),
				 errhint("Increase maintenance_work_mem to speed up builds.")));
		bs->nelements = shared->nelements;
		bs->entry = shared->entry;
		bs->entryLevel = shared->entryLevel;
		WriteGraph(bs);
		SpinLockAcquire(&shared->mutex);
		shared->flushed = true;
		SpinLockRelease(&shared->mutex);
		ConditionVariableBroadcast(&shared->cv);
		return;
	}

	for (;;)
	{
		bool		done;

		SpinLockAcquire(&shared->mutex);
		done = shared->flushed;
		SpinLockRelease(&shared->mutex);
		if (done)
			break;
		ConditionVariableSleep(&shared->cv, WAIT_EVENT_PARALLEL_CREATE_INDEX_SCAN);
	}
	ConditionVariableCancelSleep();
}

/*
 * Parallel build: insert one prepared value into the shared graph, or on
 * disk once the graph has been written out.
 */
static void
ParallelInsert(BuildState *bs, Datum value, ItemPointer tid)
{
	HnswShared *shared = bs->shared;
	InsertResult res = INSERT_FULL;
	bool		inMemory;

	SpinLockAcquire(&shared->mutex);
	inMemory = !shared->full;
	if (inMemory)
		shared->ninserting++;
	SpinLockRelease(&shared->mutex);

	if (inMemory)
	{
		/* an error here aborts the whole build: no count to undo */
		res = AddToGraph(bs, value, tid);
		SpinLockAcquire(&shared->mutex);
		shared->ninserting--;
		SpinLockRelease(&shared->mutex);
		ConditionVariableBroadcast(&shared->cv);
	}
	if (res == INSERT_FULL)
	{
		if (!bs->onDisk)
		{
			FlushShared(bs);
			bs->onDisk = true;
		}
		HnswInsertValue(bs->index, bs->sup, value, tid);
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
		if (bs->shared)
			ParallelInsert(bs, value, tid);
		else if (bs->onDisk)
			HnswInsertValue(index, bs->sup, value, tid);
		else
			AddToGraph(bs, value, tid);
		bs->indtuples++;
		if (bs->shared)
		{
			uint64		all = pg_atomic_add_fetch_u64(&bs->shared->indtuples, 1);

			if (bs->isLeader)
				pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE,
											 (int64) all);
		}
		else
			pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE,
										 (int64) bs->indtuples);
	}
	MemoryContextSwitchTo(old);
	MemoryContextReset(bs->tmpCtx);
	CHECK_FOR_INTERRUPTS();
}

/* ---- writing pages ---- */

/*
 * Make element from a duplicate of element into: its heap TID and its own
 * duplicates join into's (in a private array: only the writing process
 * reads them now), and links to it will be written as links to into.
 */
static void
FoldElement(BuildState *bs, int from, int into, int *remap)
{
	MemElement *f = ELEM(bs, from);
	MemElement *t = ELEM(bs, into);
	int			n = t->ndups + 1 + f->ndups;
	ItemPointerData *d = palloc(sizeof(ItemPointerData) * n);

	if (t->ndups > 0)
		memcpy(d, EDUPS(bs, t), sizeof(ItemPointerData) * t->ndups);
	d[t->ndups] = f->heaptid;
	if (f->ndups > 0)
		memcpy(d + t->ndups + 1, EDUPS(bs, f), sizeof(ItemPointerData) * f->ndups);
	/* an offset from base that wraps around to the private array */
	t->dups = (uintptr_t) d - bs->base;
	t->ndups = t->dupcap = n;
	f->ndups = 0;
	f->unused = true;
	remap[from] = into;
}

/*
 * Parallel build: two processes inserting equal values at the same time
 * can each miss the other and create two elements of one value; the
 * selection heuristic then keeps dropping links to one of them (they are
 * at distance 0 from each other), which can leave it unreachable.  Fold
 * every such element into one element of its value, as the serial build
 * does at insert time (the one of highest level stays, so the entry point
 * does).  Returns remap: for each element, the element written in its
 * place (itself unless folded).  palloc'd.
 */
static int *
MergeEqualElements(BuildState *bs)
{
	int			n = bs->nelements;
	int		   *remap = palloc(sizeof(int) * Max(n, 1));
	uint32		size = 64;
	int		   *table;
	int			i;

	while (size < (uint32) n * 2)
		size <<= 1;
	table = palloc(sizeof(int) * size);
	memset(table, -1, sizeof(int) * size);
	for (i = 0; i < n; i++)
	{
		MemElement *e = ELEM(bs, i);
		uint32		j;

		remap[i] = i;
		if (e->unused)
			continue;
		j = hash_bytes((const unsigned char *) EVALUE(e), e->valsize) & (size - 1);
		while (table[j] >= 0 &&
			   !HnswSameValue(EVALUE(ELEM(bs, table[j])), EVALUE(e)))
			j = (j + 1) & (size - 1);
		if (table[j] < 0)
			table[j] = i;
		else if (e->level > ELEM(bs, table[j])->level)
		{
			FoldElement(bs, table[j], i, remap);
			table[j] = i;
		}
		else
			FoldElement(bs, i, table[j], remap);
	}
	/* an element folded into one that was folded later: follow the chain */
	for (i = 0; i < n; i++)
		while (remap[remap[i]] != remap[i])
			remap[i] = remap[remap[i]];
	pfree(table);
	return remap;
}

/*
 * The order elements are written in: breadth-first over level 0 from the
 * entry point (then any element that walk does not reach), so an element's
 * neighbours tend to share its page or the next ones, and a search expanding
 * it reads fewer pages (HnswLoadCandidates reads the elements of one page
 * under one pin and lock).  palloc'd, bs->nelements entries.
 */
static int *
LayoutOrder(BuildState *bs, const int *remap)
{
	int			n = bs->nelements;
	int		   *order = palloc(sizeof(int) * Max(n, 1));
	bool	   *placed = palloc0(sizeof(bool) * Max(n, 1));
	int			head = 0;
	int			tail = 0;
	int			next = 0;
	int			i;

	if (bs->entry >= 0)
	{
		order[tail++] = bs->entry;
		placed[bs->entry] = true;
	}
	for (;;)
	{
		while (head < tail)
		{
			MemElement *e = ELEM(bs, order[head++]);
			int32	   *nbr = ENBR(e);
			int			cnt = ENCOUNT(e, bs->m)[0];
			int			k;

			for (k = 0; k < cnt; k++)
			{
				int			t = remap[nbr[k]];

				if (!placed[t])
				{
					placed[t] = true;
					order[tail++] = t;
				}
			}
		}
		/* continue from the first element not reached yet, if any */
		while (next < n && (placed[next] || ELEM(bs, next)->unused))
			next++;
		if (next == n)
			break;
		placed[next] = true;
		order[tail++] = next;
	}
	/* unused elements (joined an equal one) are skipped by the writer */
	for (i = 0; i < n; i++)
		if (!placed[i])
			order[tail++] = i;
	pfree(placed);
	return order;
}

/*
 * Write the in-memory graph after the metapage: pass 1 assigns every
 * tuple its TID exactly as pass 2 will place it (element, then its
 * neighbour tuple, on the current page or the next), pass 2 writes the
 * pages in order, then the metapage gets the entry point and last page.
 * Frees a serial build's graph.  Runs in one process at a time.
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
	int		   *order = NULL;
	int		   *remap;
	int			entry;
	int			pos;
	int			i;
	int			k;

	pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE,
								 PROGRESS_HNSW_PHASE_WRITE);

	if (bs->nelements == 0 || bs->entry < 0)
		goto done;
	if (bs->shared)
		remap = MergeEqualElements(bs);
	else
	{
		remap = palloc(sizeof(int) * bs->nelements);
		for (i = 0; i < bs->nelements; i++)
			remap[i] = i;
	}
	entry = remap[bs->entry];
	order = LayoutOrder(bs, remap);

	/* pass 1: TIDs */
	for (pos = 0; pos < bs->nelements; pos++)
	{
		MemElement *e = ELEM(bs, order[pos]);
		Size		esize = HNSW_ELEMENT_TUPLE_SIZE(e->valsize) + sizeof(ItemIdData);
		Size		nsize = HNSW_NEIGHBOR_TUPLE_SIZE(e->level, m) + sizeof(ItemIdData);

		if (e->unused)
			continue;
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
	for (pos = 0; pos < bs->nelements; pos++)
	{
		MemElement *e = ELEM(bs, order[pos]);
		Size		valsize = e->valsize;
		Size		esize = HNSW_ELEMENT_TUPLE_SIZE(valsize);
		Size		nsize = HNSW_NEIGHBOR_TUPLE_SIZE(e->level, m);
		HnswElementTuple etup;
		HnswNeighborTuple ntup;
		HnswDupTupleData dup;
		uint16	   *ncount = ENCOUNT(e, m);
		int			lc;

		CHECK_FOR_INTERRUPTS();
		if (e->unused)
			continue;
		etup = palloc0(esize);
		ntup = palloc0(nsize);
		for (lc = 0; lc <= e->level; lc++)
			PruneList(bs, order[pos], lc, HNSW_LEVEL_SLOTS(lc, m));
		etup->type = HNSW_ELEMENT_TUPLE_TYPE;
		etup->level = e->level;
		etup->heaptid = e->heaptid;
		etup->neighbortid = e->ntid;
		if (e->ndups > 0)
			etup->duptid = e->duptids[0];
		else
			ItemPointerSetInvalid(&etup->duptid);
		memcpy(etup->data, EVALUE(e), valsize);
		ntup->type = HNSW_NEIGHBOR_TUPLE_TYPE;
		ntup->count = HNSW_NEIGHBOR_COUNT(e->level, m);
		for (k = 0; k < ntup->count; k++)
			ItemPointerSetInvalid(&ntup->indextids[k]);
		for (lc = 0; lc <= e->level; lc++)
		{
			ItemPointer slots = ntup->indextids + HNSW_LEVEL_START(lc, m);
			int32		kept[MEM_CAP(0, HNSW_MAX_M)];
			int			nslots = 0;

			/*
			 * links to folded elements go to the element kept (once);
			 * remapped numbers stand for the TIDs, being as distinct
			 */
			for (k = 0; k < ncount[lc]; k++)
			{
				int32		t = remap[ENBR(e)[MEM_START(lc, m) + k]];
				int			j;

				if (t == order[pos])
					continue;
				for (j = 0; j < nslots; j++)
					if (kept[j] == t)
						break;
				if (j == nslots)
				{
					kept[nslots] = t;
					slots[nslots++] = ELEM(bs, t)->etid;
				}
			}
		}

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
				dup.heaptid = EDUPS(bs, e)[k - 2];
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
		if (e->duptids)
		{
			pfree(e->duptids);
			e->duptids = NULL;
		}
	}
	MarkBufferDirty(buf);
	UnlockReleaseBuffer(buf);

	metabuf = ReadBuffer(index, HNSW_METAPAGE_BLKNO);
	LockBuffer(metabuf, BUFFER_LOCK_EXCLUSIVE);
	meta = HnswPageGetMeta(BufferGetPage(metabuf));
	meta->entryBlkno = ItemPointerGetBlockNumber(&ELEM(bs, entry)->etid);
	meta->entryOffno = ItemPointerGetOffsetNumber(&ELEM(bs, entry)->etid);
	meta->entryLevel = bs->entryLevel;
	meta->insertPage = blk;
	MarkBufferDirty(metabuf);
	UnlockReleaseBuffer(metabuf);

	pfree(remap);
done:
	if (order)
		pfree(order);
	if (RelationNeedsWAL(index))
		log_newpage_range(index, MAIN_FORKNUM, 0,
						  RelationGetNumberOfBlocks(index), true);
	if (bs->shared == NULL)
	{
		MemoryContextReset(bs->graphCtx);
		bs->elems = NULL;
		bs->visited = NULL;
		bs->nelements = 0;
	}
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

/*
 * Fill in a build state.  shared is NULL for a serial build; otherwise the
 * process attaches to the shared graph found in toc.
 */
static void
InitBuildState(BuildState *bs, Relation heap, Relation index,
			   HnswShared *shared, shm_toc *toc)
{
	MemSet(bs, 0, sizeof(*bs));
	bs->heap = heap;
	bs->index = index;
	bs->sup = HnswGetSupport(index);
	bs->distance = bs->sup->kernel ? bs->sup->kernel->distance : NULL;
	bs->m = HnswGetM(index);
	bs->efConstruction = HnswGetEfConstruction(index);
	bs->entry = -1;
	bs->entryLevel = -1;
	bs->memLimit = (Size) maintenance_work_mem * 1024;
	bs->graphCtx = AllocSetContextCreate(CurrentMemoryContext, "hnsw build graph",
										 ALLOCSET_DEFAULT_SIZES);
	bs->tmpCtx = AllocSetContextCreate(CurrentMemoryContext, "hnsw build tuple",
									   ALLOCSET_DEFAULT_SIZES);
	bs->shared = shared;
	if (shared)
	{
		bs->elems = shm_toc_lookup(toc, HNSW_SHM_ELEMS, false);
		bs->base = (uintptr_t) shm_toc_lookup(toc, HNSW_SHM_ARENA, false);
		bs->capacity = shared->maxElements;
		/* this process's visit stamps, for every element there may be */
		bs->visited = MemoryContextAllocExtended(bs->graphCtx,
												 sizeof(uint32) * shared->maxElements,
												 MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
		LWLockRegisterTranche(shared->lwtranche, "hnsw_build");
	}
	else
	{
		bs->capacity = 1024;
		bs->elems = MemoryContextAlloc(bs->graphCtx, sizeof(uintptr_t) * bs->capacity);
		bs->visited = MemoryContextAlloc(bs->graphCtx, sizeof(uint32) * bs->capacity);
	}
}

/*
 * Bytes of shared memory for the graph of a parallel build:
 * maintenance_work_mem, or less when the table is clearly smaller (the
 * values' bytes are at most the heap's and TOAST's, plus the links per
 * tuple), so a small table does not reserve a large segment.
 */
static Size
ArenaSize(Relation heap, int m)
{
	Size		limit = (Size) maintenance_work_mem * 1024;
	BlockNumber pages = RelationGetNumberOfBlocks(heap);
	double		bytes = (double) pages * BLCKSZ;
	double		tuples;

	if (OidIsValid(heap->rd_rel->reltoastrelid))
	{
		Relation	toast = table_open(heap->rd_rel->reltoastrelid, AccessShareLock);

		bytes += (double) RelationGetNumberOfBlocks(toast) * BLCKSZ;
		table_close(toast, AccessShareLock);
	}
	/* tuples now, at the density pg_class last saw (as the planner does) */
	if (heap->rd_rel->reltuples <= 0 || heap->rd_rel->relpages == 0)
		return limit;
	tuples = heap->rd_rel->reltuples / heap->rd_rel->relpages * Max(pages, 1);
	bytes += tuples * ELEMENT_SIZE(0, 1, m);
	bytes = bytes * 1.25 + 1024 * 1024;
	return bytes < (double) limit ? (Size) bytes : limit;
}

/*
 * Scan this process's share of the heap into the shared graph.
 */
static void
ScanShared(BuildState *bs, IndexInfo *indexInfo, ParallelTableScanDesc pscan,
		   bool progress)
{
	TableScanDesc scan = table_beginscan_parallel(bs->heap, pscan);
	double		reltuples;

	reltuples = table_index_build_scan(bs->heap, bs->index, indexInfo, true,
									   progress, BuildCallback, bs, scan);
	SpinLockAcquire(&bs->shared->mutex);
	bs->shared->reltuples += reltuples;
	SpinLockRelease(&bs->shared->mutex);
}

/*
 * Parallel build with up to nworkers workers; the leader takes part.
 * Returns false, having done nothing, when no worker could be launched.
 */
static bool
BuildParallel(BuildState *bs, IndexInfo *indexInfo, int nworkers)
{
	Relation	heap = bs->heap;
	Relation	index = bs->index;
	VecParallelBuild pb;
	ParallelContext *pcxt;
	HnswShared *shared;
	Size		arenaSize = ArenaSize(heap, bs->m);
	int			maxElements;
	int			launched;
	uintptr_t  *elems;
	char	   *arena;
	BuildState *pbs;

	/* room for an offset per element of the smallest size */
	maxElements = (int) Min((double) arenaSize / ELEMENT_SIZE(0, 0, bs->m),
							(double) (MaxAllocHugeSize / sizeof(uintptr_t)));
	maxElements = Min(maxElements, INT_MAX / 2);

	VecParallelBuildBegin(&pb, "HnswParallelBuildMain", nworkers, heap, index, indexInfo);
	pcxt = pb.pcxt;
	shm_toc_estimate_chunk(&pcxt->estimator, sizeof(HnswShared));
	shm_toc_estimate_chunk(&pcxt->estimator, sizeof(uintptr_t) * maxElements);
	shm_toc_estimate_chunk(&pcxt->estimator, arenaSize);
	shm_toc_estimate_keys(&pcxt->estimator, 3);
	if (!VecParallelBuildInitialize(&pb))
		return false;			/* no dynamic shared memory: build serially */

	shared = shm_toc_allocate(pcxt->toc, sizeof(HnswShared));
	MemSet(shared, 0, sizeof(HnswShared));
	shared->lwtranche = LWLockNewTrancheId();
	shared->arenaSize = arenaSize;
	shared->maxElements = maxElements;
	SpinLockInit(&shared->mutex);
	/* offset 0 means "no memory": start the arena's allocations past it */
	shared->arenaUsed = MAXIMUM_ALIGNOF;
	pg_atomic_init_u64(&shared->indtuples, 0);
	ConditionVariableInit(&shared->cv);
	LWLockInitialize(&shared->entryLock, shared->lwtranche);
	shared->entry = -1;
	shared->entryLevel = -1;
	elems = shm_toc_allocate(pcxt->toc, sizeof(uintptr_t) * maxElements);
	arena = shm_toc_allocate(pcxt->toc, arenaSize);
	shm_toc_insert(pcxt->toc, HNSW_SHM_SHARED, shared);
	shm_toc_insert(pcxt->toc, HNSW_SHM_ELEMS, elems);
	shm_toc_insert(pcxt->toc, HNSW_SHM_ARENA, arena);

	launched = VecParallelBuildLaunch(&pb);
	ereport(DEBUG1,
			(errmsg_internal("hnsw build of \"%s\": %d of %d parallel workers launched",
							 RelationGetRelationName(index), launched, nworkers)));
	if (launched == 0)
		return false;

	/*
	 * The leader scans too (as btree's does, unless
	 * parallel_leader_participation is off), with its own state attached to
	 * the graph; it also writes the graph out at the end.
	 */
	pbs = palloc(sizeof(BuildState));
	InitBuildState(pbs, heap, index, shared, pcxt->toc);
	pbs->isLeader = true;
	if (parallel_leader_participation)
		ScanShared(pbs, indexInfo, pb.pscan, true);
	VecParallelBuildWait(&pb);

	if (!shared->flushed)
	{
		pbs->nelements = shared->nelements;
		pbs->entry = shared->entry;
		pbs->entryLevel = shared->entryLevel;
		WriteGraph(pbs);
	}
	bs->reltuples = shared->reltuples;
	bs->indtuples = (double) pg_atomic_read_u64(&shared->indtuples);
	MemoryContextDelete(pbs->graphCtx);
	MemoryContextDelete(pbs->tmpCtx);
	pfree(pbs);

	VecParallelBuildEnd(&pb);
	return true;
}

/*
 * Entry point of a parallel build worker (see CreateParallelContext).
 */
void
HnswParallelBuildMain(dsm_segment *seg, shm_toc *toc)
{
	HnswShared *shared = shm_toc_lookup(toc, HNSW_SHM_SHARED, false);
	VecParallelWorker pw;
	BuildState	bs;

	VecParallelWorkerBegin(&pw, toc);
	InitBuildState(&bs, pw.heap, pw.index, shared, toc);
	ScanShared(&bs, pw.indexInfo, pw.pscan, false);
	MemoryContextDelete(bs.graphCtx);
	MemoryContextDelete(bs.tmpCtx);
	VecParallelWorkerEnd(&pw);
}

IndexBuildResult *
hnswbuild(Relation heap, Relation index, IndexInfo *indexInfo)
{
	IndexBuildResult *result;
	BuildState	bs;
	int			dim;
	int			m = HnswGetM(index);
	int			efConstruction = HnswGetEfConstruction(index);
	int			nworkers = 0;

	if (RelationGetNumberOfBlocks(index) != 0)
		elog(ERROR, "index \"%s\" already contains data",
			 RelationGetRelationName(index));
	if (efConstruction < 2 * m)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("ef_construction must be greater than or equal to 2 * m")));
	dim = CheckDimensions(index);

	HnswWriteMetaPage(index, MAIN_FORKNUM, dim, m, efConstruction, false);

	InitBuildState(&bs, heap, index, NULL, NULL);

	pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, PROGRESS_HNSW_PHASE_LOAD);
	if (heap->rd_rel->reltuples > 0)
		pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_TOTAL,
									 (int64) heap->rd_rel->reltuples);

	/*
	 * Workers as for a btree build: max_parallel_maintenance_workers, the
	 * table's parallel_workers, its size.  (Core computes this only for
	 * btree before PostgreSQL 17, and only for AMs that ask since.)
	 */
	if (IsNormalProcessingMode() && !IsParallelWorker())
		nworkers = plan_create_index_workers(RelationGetRelid(heap),
											 RelationGetRelid(index));
	if (nworkers == 0 || !BuildParallel(&bs, indexInfo, nworkers))
	{
		bs.reltuples = table_index_build_scan(heap, index, indexInfo, true, true,
											  BuildCallback, &bs, NULL);
		if (!bs.onDisk)
			WriteGraph(&bs);
	}

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
