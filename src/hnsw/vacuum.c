/*
 * src/hnsw/vacuum.c
 *	  VACUUM for hnsw.
 *
 *	  ambulkdelete runs these passes over the data pages:
 *	  1. clear: every element or duplicate heap TID the callback reports
 *		 dead is cleared, one GenericXLog record per page, before
 *		 bulkdelete returns (the heap may then reuse the TID); then (1b) an
 *		 element left with no live heap TID, its own or a duplicate's, is
 *		 marked deleted (unless a duplicate joined it meanwhile);
 *	  2. repair: each live element with a deleted neighbour on some level
 *		 keeps its live links on that level and fills the freed slots, with
 *		 the selection heuristic, from the deleted neighbours' neighbours
 *		 (never dropping a live link, so no live element loses an in-link);
 *	  3. entry point: when the entry point was deleted, the live element of
 *		 the highest level found in pass 1 replaces it (under the
 *		 exclusive update lock, so no insert raises the entry meanwhile);
 *	  4. reconnect: a breadth-first walk of level 0 from the entry point
 *		 (through deleted elements too, as scans route through them) finds
 *		 the live elements no search can reach, and each is searched for
 *		 like an insert and linked from its nearest elements.  Unreached
 *		 elements arise because an insert adding a back link to a full list
 *		 re-chooses it and drops one member, which may have been that
 *		 member's last in-link (as in pgvector); they need not lack
 *		 in-links: a few can link only to each other (an island, seen in
 *		 020_hnsw_crash.pl), so counting in-links is not enough.  Linking
 *		 an element into full lists drops members in turn, so the walk is
 *		 repeated until it reaches every live element (at most
 *		 HNSW_REACH_ROUNDS walks).  The entry point itself gets an in-link
 *		 when no live element has one to it.  Afterwards every live element
 *		 is reachable from the entry point, which iterative scans also
 *		 start from (scan.c), so a scan run to the end returns every row.
 *	  Deleted elements keep their own lists, so scans running concurrently
 *	  still route through them; their space is not reused (REINDEX
 *	  compacts).  amvacuumcleanup runs the same passes when no bulkdelete
 *	  ran (nothing deleted), for the counts and the reconnect pass.
 */
#include "postgres.h"

#include "access/generic_xlog.h"
#include "commands/vacuum.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "storage/lmgr.h"
#include "utils/memutils.h"

#include "hnsw/hnsw.h"

/* most level-0 walks (and reconnect rounds) of pass 4 per vacuum */
#define HNSW_REACH_ROUNDS	4

/* what pass 2 needs of a live element */
typedef struct LiveElement
{
	ItemPointerData tid;
	ItemPointerData ntid;
	int			level;
	void	   *value;
} LiveElement;

typedef struct PairArg
{
	HnswSupport *sup;
	void	  **values;
} PairArg;

static float PairDistance(void *arg, int i, int j);
static bool NothingDead(ItemPointer itemptr, void *state);
static bool IsDeleted(HnswVisited *deleted, ItemPointer tid);
static void RepairElement(Relation index, HnswSupport *sup, LiveElement *le,
						  HnswVisited *deleted);
static bool RepairLevel(Relation index, HnswSupport *sup, LiveElement *le,
						int lc, ItemPointerData *old, HnswVisited *deleted);
static bool Reconnect(Relation index, HnswSupport *sup, LiveElement *le);
static bool ReachFromEntry(Relation index, HnswSupport *sup, ItemPointer entry,
						   HnswVisited *reached);
static int	ReconnectUnreached(Relation index, HnswSupport *sup, LiveElement *all,
							   int nall);

/* bulkdelete callback of a cleanup-only vacuum */
static bool
NothingDead(ItemPointer itemptr, void *state)
{
	return false;
}

static float
PairDistance(void *arg, int i, int j)
{
	PairArg    *pa = arg;

	return HnswDistance(pa->sup, pa->values[i], pa->values[j]);
}

/* HnswVisited doubles as the set of deleted element TIDs */
static bool
IsDeleted(HnswVisited *deleted, ItemPointer tid)
{
	return HnswVisitedContains(deleted, tid);
}

/*
 * Re-choose level lc of le's list (currently old) without deleted
 * elements, then write it if nobody changed it meanwhile.  On success the
 * new list is left in old and true returned.
 */
static bool
RepairLevel(Relation index, HnswSupport *sup, LiveElement *le, int lc,
			ItemPointerData *old, HnswVisited *deleted)
{
	int			m = sup->m;
	int			slots = HNSW_LEVEL_SLOTS(lc, m);
	int			start = HNSW_LEVEL_START(lc, m);
	int			maxc = slots * (2 * m + 1);
	HnswCandidate *cands = palloc(sizeof(HnswCandidate) * maxc);
	ItemPointerData *nbrs = palloc(sizeof(ItemPointerData) * 2 * m);
	ItemPointerData *new = palloc(sizeof(ItemPointerData) * slots);
	ItemPointerData *kept = palloc(sizeof(ItemPointerData) * slots);
	int			nkept = 0;
	HnswVisited seen;
	float	   *dists;
	void	  **values;
	int		   *chosen;
	PairArg		pa;
	int			n = 0;
	int			nchosen;
	int			i;
	Buffer		buf;
	Page		page;
	HnswNeighborTuple ntup;

	HnswVisitedInit(&seen, maxc);
	HnswVisitedAdd(&seen, &le->tid);
	for (i = 0; i < slots; i++)
	{
		if (ItemPointerIsValid(&old[i]))
			HnswVisitedAdd(&seen, &old[i]);
	}
	for (i = 0; i < slots; i++)
	{
		HnswCandidate c;

		if (!ItemPointerIsValid(&old[i]))
			continue;
		if (!HnswLoadCandidate(index, sup, le->value, &old[i], &c))
			continue;
		if (!c.deleted && !IsDeleted(deleted, &c.tid))
			kept[nkept++] = c.tid;
		else
		{
			int			k;
			int			nn = HnswLoadNeighbors(index, &c, lc, m, nbrs);

			for (k = 0; k < nn && n < maxc; k++)
			{
				HnswCandidate c2;

				if (!HnswVisitedAdd(&seen, &nbrs[k]))
					continue;
				if (HnswLoadCandidate(index, sup, le->value, &nbrs[k], &c2) &&
					!c2.deleted && !IsDeleted(deleted, &c2.tid))
					cands[n++] = c2;
			}
		}
	}

	/* live links stay; freed slots take the best of the deleted' neighbours */
	HnswSortCandidates(cands, n, &le->tid);
	dists = palloc(sizeof(float) * Max(n, 1));
	values = palloc(sizeof(void *) * Max(n, 1));
	chosen = palloc(sizeof(int) * slots);
	for (i = 0; i < n; i++)
	{
		dists[i] = cands[i].distance;
		values[i] = HnswLoadValue(index, &cands[i].tid);
		if (values[i] == NULL)
			values[i] = le->value;
	}
	pa.sup = sup;
	pa.values = values;
	nchosen = HnswSelectNeighbors(n, dists, slots - nkept, PairDistance, &pa, chosen);
	for (i = 0; i < slots; i++)
		ItemPointerSetInvalid(&new[i]);
	for (i = 0; i < nkept; i++)
		new[i] = kept[i];
	for (i = 0; i < nchosen; i++)
		new[nkept + i] = cands[chosen[i]].tid;

	buf = ReadBuffer(index, ItemPointerGetBlockNumber(&le->ntid));
	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	page = BufferGetPage(buf);
	ntup = (HnswNeighborTuple) PageGetItem(page,
										   PageGetItemId(page, ItemPointerGetOffsetNumber(&le->ntid)));
	if (memcmp(&ntup->indextids[start], old, sizeof(ItemPointerData) * slots) == 0)
	{
		GenericXLogState *state = GenericXLogStart(index);

		page = GenericXLogRegisterBuffer(state, buf, 0);
		ntup = (HnswNeighborTuple) PageGetItem(page,
											   PageGetItemId(page, ItemPointerGetOffsetNumber(&le->ntid)));
		memcpy(&ntup->indextids[start], new, sizeof(ItemPointerData) * slots);
		GenericXLogFinish(state);
		UnlockReleaseBuffer(buf);
		memcpy(old, new, sizeof(ItemPointerData) * slots);
		return true;
	}
	/* a concurrent insert rewrote it; the next vacuum looks again */
	UnlockReleaseBuffer(buf);
	return false;
}

/*
 * Give a live element that no search reaches on level 0 new in-links:
 * search for it as an insert would and add it to its nearest live
 * elements' lists.  The entry point itself is searched for from itself.
 * Returns whether some list now links to it.
 */
static bool
Reconnect(Relation index, HnswSupport *sup, LiveElement *le)
{
	HnswMetaPageData meta;
	ItemPointerData eptid;
	HnswCandidate ep;
	HnswHeap	entries;
	HnswHeap	w;
	HnswVisited visited;
	HnswCandidate *sorted;
	int			n = 0;
	int			added = 0;
	int			i;

	HnswReadMeta(index, &meta);
	if (!BlockNumberIsValid(meta.entryBlkno))
		return false;
	ItemPointerSet(&eptid, meta.entryBlkno, meta.entryOffno);
	if (!HnswLoadCandidate(index, sup, le->value, &eptid, &ep))
		return false;
	HnswGreedyDescend(index, sup, le->value, &ep, meta.entryLevel, 0);
	HnswVisitedInit(&visited, sup->efConstruction * sup->m);
	HnswVisitedAdd(&visited, &ep.tid);
	HnswVisitedAdd(&visited, &le->tid);
	HnswHeapInit(&entries, 1, false);
	HnswHeapPush(&entries, &ep);
	HnswHeapInit(&w, sup->efConstruction + 1, true);
	HnswSearchLayer(index, sup, le->value, &entries, sup->efConstruction, 0,
					&visited, &w, NULL, NULL);
	sorted = palloc(sizeof(HnswCandidate) * Max(w.count, 1));
	for (i = 0; i < w.count; i++)
	{
		if (!w.items[i].deleted && !ItemPointerEquals(&w.items[i].tid, &le->tid))
			sorted[n++] = w.items[i];
	}
	HnswSortCandidates(sorted, n, &le->tid);
	for (i = 0; i < n && added < sup->m; i++)
	{
		if (HnswUpdateNeighborList(index, sup, &sorted[i].ntid, &sorted[i].tid,
								   NULL, 0, &le->tid, sorted[i].distance, false))
			added++;
	}
	if (added == 0 && n > 0 &&
		HnswUpdateNeighborList(index, sup, &sorted[0].ntid, &sorted[0].tid,
							   NULL, 0, &le->tid, sorted[0].distance, true))
		added++;
	return added > 0;
}

/*
 * Walk level 0 breadth-first from the entry point, through live and
 * deleted elements alike (scans route through both), adding every element
 * reached to reached.  Returns whether a live element links to the entry
 * point on level 0.
 */
static bool
ReachFromEntry(Relation index, HnswSupport *sup, ItemPointer entry,
			   HnswVisited *reached)
{
	Size		cap = 1024;
	Size		head = 0;
	Size		tail = 0;
	ItemPointerData *queue = palloc(sizeof(ItemPointerData) * cap);
	ItemPointerData *nbrs = palloc(sizeof(ItemPointerData) * 2 * sup->m);
	bool		entryLinked = false;

	HnswVisitedAdd(reached, entry);
	queue[tail++] = *entry;
	while (head < tail)
	{
		HnswCandidate c;
		int			n;
		int			i;

		vacuum_delay_point();
		if (!HnswLoadCandidate(index, sup, NULL, &queue[head++], &c))
			continue;
		n = HnswLoadNeighbors(index, &c, 0, sup->m, nbrs);
		for (i = 0; i < n; i++)
		{
			if (!c.deleted && ItemPointerEquals(&nbrs[i], entry))
				entryLinked = true;
			if (!HnswVisitedAdd(reached, &nbrs[i]))
				continue;
			if (tail == cap)
			{
				cap *= 2;
				queue = repalloc_huge(queue, sizeof(ItemPointerData) * cap);
			}
			queue[tail++] = nbrs[i];
		}
	}
	pfree(queue);
	pfree(nbrs);
	return entryLinked;
}

/*
 * One round of pass 4: reconnect every element of all (the live elements
 * of pass 2) that the walk from the entry point does not reach, and the
 * entry point when no live element links to it.  Returns how many elements
 * got a new in-link.
 */
static int
ReconnectUnreached(Relation index, HnswSupport *sup, LiveElement *all, int nall)
{
	MemoryContext roundctx;
	MemoryContext old;
	HnswMetaPageData meta;
	ItemPointerData entryTid;
	HnswVisited reached;
	bool		entryLinked;
	int			nfixed = 0;
	int			i;

	HnswReadMeta(index, &meta);
	if (!BlockNumberIsValid(meta.entryBlkno))
		return 0;
	ItemPointerSet(&entryTid, meta.entryBlkno, meta.entryOffno);
	roundctx = AllocSetContextCreate(CurrentMemoryContext, "hnsw vacuum reach",
									 ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(roundctx);
	HnswVisitedInit(&reached, nall + 1);
	entryLinked = ReachFromEntry(index, sup, &entryTid, &reached);

	for (i = 0; i < nall; i++)
	{
		MemoryContext tmp;

		vacuum_delay_point();
		if (ItemPointerEquals(&all[i].tid, &entryTid) ?
			entryLinked || nall == 1 :
			HnswVisitedContains(&reached, &all[i].tid))
			continue;
		tmp = AllocSetContextCreate(roundctx, "hnsw vacuum reconnect",
									ALLOCSET_DEFAULT_SIZES);
		MemoryContextSwitchTo(tmp);
		all[i].value = HnswLoadValue(index, &all[i].tid);
		if (all[i].value != NULL)
		{
			LockPage(index, HNSW_UPDATE_LOCK, ShareLock);
			if (Reconnect(index, sup, &all[i]))
				nfixed++;
			UnlockPage(index, HNSW_UPDATE_LOCK, ShareLock);
		}
		all[i].value = NULL;
		MemoryContextSwitchTo(roundctx);
		MemoryContextDelete(tmp);
	}
	MemoryContextSwitchTo(old);
	MemoryContextDelete(roundctx);
	return nfixed;
}

/*
 * Repair every level of le's neighbour tuple that points at a deleted
 * element.  No lock is held on entry or exit.
 */
static void
RepairElement(Relation index, HnswSupport *sup, LiveElement *le,
			  HnswVisited *deleted)
{
	int			m = sup->m;
	int			lc;

	for (lc = 0; lc <= le->level; lc++)
	{
		int			slots = HNSW_LEVEL_SLOTS(lc, m);
		ItemPointerData *old = palloc(sizeof(ItemPointerData) * slots);
		Buffer		buf;
		Page		page;
		HnswNeighborTuple ntup;
		bool		needs = false;
		int			i;

		buf = ReadBuffer(index, ItemPointerGetBlockNumber(&le->ntid));
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		page = BufferGetPage(buf);
		ntup = (HnswNeighborTuple) PageGetItem(page,
											   PageGetItemId(page, ItemPointerGetOffsetNumber(&le->ntid)));
		memcpy(old, &ntup->indextids[HNSW_LEVEL_START(lc, m)],
			   sizeof(ItemPointerData) * slots);
		UnlockReleaseBuffer(buf);

		for (i = 0; i < slots && !needs; i++)
			needs = ItemPointerIsValid(&old[i]) && IsDeleted(deleted, &old[i]);
		if (needs)
			RepairLevel(index, sup, le, lc, old, deleted);
		pfree(old);
	}
}

IndexBulkDeleteResult *
hnswbulkdelete(IndexVacuumInfo *info, IndexBulkDeleteResult *stats,
			   IndexBulkDeleteCallback callback, void *callback_state)
{
	Relation	index = info->index;
	HnswSupport *sup = HnswGetSupport(index);
	MemoryContext ctx;
	MemoryContext old;
	HnswVisited deleted;
	BlockNumber nblocks;
	BlockNumber blk;
	int			newlyDeleted = 0;
	ItemPointerData best;
	int			bestLevel = -1;
	HnswMetaPageData meta;
	HnswVisited hasLiveDup;
	LiveElement *cand;
	int			ncand = 0;
	int			candcap = 1024;
	int			i;
	LiveElement *all;
	int			nall = 0;
	int			allcap = 1024;

	if (stats == NULL)
		stats = palloc0(sizeof(IndexBulkDeleteResult));
	ctx = AllocSetContextCreate(CurrentMemoryContext, "hnsw vacuum",
								ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(ctx);
	HnswVisitedInit(&deleted, 1024);
	HnswVisitedInit(&hasLiveDup, 1024);
	cand = palloc(sizeof(LiveElement) * candcap);
	all = palloc(sizeof(LiveElement) * allcap);
	ItemPointerSetInvalid(&best);
	nblocks = RelationGetNumberOfBlocks(index);

	/* pass 1: clear dead heap TIDs of elements and duplicates */
	for (blk = 1; blk < nblocks; blk++)
	{
		Buffer		buf;
		Page		page;
		GenericXLogState *state = NULL;
		OffsetNumber off;
		OffsetNumber maxoff;

		vacuum_delay_point();
		buf = ReadBufferExtended(index, MAIN_FORKNUM, blk, RBM_NORMAL, info->strategy);
		LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
		page = BufferGetPage(buf);
		maxoff = PageGetMaxOffsetNumber(page);
		for (off = FirstOffsetNumber; off <= maxoff; off++)
		{
			char	   *item = PageGetItem(page, PageGetItemId(page, off));
			uint8		type = *(uint8 *) item;
			ItemPointer heaptid;
			ItemPointerData tid;

			if (type == HNSW_ELEMENT_TUPLE_TYPE)
			{
				if (((HnswElementTuple) item)->deleted)
				{
					ItemPointerSet(&tid, blk, off);
					HnswVisitedAdd(&deleted, &tid);
					continue;
				}
				heaptid = &((HnswElementTuple) item)->heaptid;
			}
			else if (type == HNSW_DUP_TUPLE_TYPE)
				heaptid = &((HnswDupTuple) item)->heaptid;
			else
				continue;

			if (ItemPointerIsValid(heaptid) && callback(heaptid, callback_state))
			{
				if (state == NULL)
				{
					state = GenericXLogStart(index);
					page = GenericXLogRegisterBuffer(state, buf, 0);
					item = PageGetItem(page, PageGetItemId(page, off));
					heaptid = type == HNSW_ELEMENT_TUPLE_TYPE ?
						&((HnswElementTuple) item)->heaptid :
						&((HnswDupTuple) item)->heaptid;
				}
				ItemPointerSetInvalid(heaptid);
				stats->tuples_removed++;
			}

			if (type == HNSW_DUP_TUPLE_TYPE)
			{
				if (ItemPointerIsValid(heaptid))
				{
					stats->num_index_tuples++;
					HnswVisitedAdd(&hasLiveDup, &((HnswDupTuple) item)->owner);
				}
			}
			else if (!ItemPointerIsValid(heaptid))
			{
				/* dead unless a duplicate lives: decided in pass 1b */
				if (ncand == candcap)
				{
					candcap *= 2;
					cand = repalloc_huge(cand, sizeof(LiveElement) * candcap);
				}
				ItemPointerSet(&cand[ncand].tid, blk, off);
				cand[ncand].level = ((HnswElementTuple) item)->level;
				cand[ncand].ntid = ((HnswElementTuple) item)->duptid;	/* head seen */
				ncand++;
			}
			else
			{
				stats->num_index_tuples++;
				if (((HnswElementTuple) item)->level > bestLevel)
				{
					bestLevel = ((HnswElementTuple) item)->level;
					ItemPointerSet(&best, blk, off);
				}
			}
		}
		if (state)
			GenericXLogFinish(state);
		UnlockReleaseBuffer(buf);
	}

	/* pass 1b: mark deleted the elements without any live heap TID */
	for (i = 0; i < ncand;)
	{
		BlockNumber cblk = ItemPointerGetBlockNumber(&cand[i].tid);
		Buffer		buf = InvalidBuffer;
		GenericXLogState *state = NULL;
		Page		page = NULL;

		vacuum_delay_point();
		for (; i < ncand && ItemPointerGetBlockNumber(&cand[i].tid) == cblk; i++)
		{
			HnswElementTuple etup;

			if (HnswVisitedContains(&hasLiveDup, &cand[i].tid))
			{
				if (cand[i].level > bestLevel)
				{
					bestLevel = cand[i].level;
					best = cand[i].tid;
				}
				continue;
			}
			if (state == NULL)
			{
				buf = ReadBufferExtended(index, MAIN_FORKNUM, cblk, RBM_NORMAL, info->strategy);
				LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
				state = GenericXLogStart(index);
				page = GenericXLogRegisterBuffer(state, buf, 0);
			}
			etup = (HnswElementTuple) PageGetItem(page,
												  PageGetItemId(page, ItemPointerGetOffsetNumber(&cand[i].tid)));
			/* a duplicate joined since pass 1 (it is linked first): keep */
			if (!ItemPointerEquals(&etup->duptid, &cand[i].ntid))
				continue;
			etup->deleted = 1;
			HnswVisitedAdd(&deleted, &cand[i].tid);
			newlyDeleted++;
		}
		if (state)
		{
			GenericXLogFinish(state);
			UnlockReleaseBuffer(buf);
		}
	}

	/* pass 2: repair links to deleted elements, note the live elements */
	{
		MemoryContext pagectx = AllocSetContextCreate(ctx, "hnsw vacuum page",
													  ALLOCSET_DEFAULT_SIZES);

		for (blk = 1; blk < nblocks; blk++)
		{
			Buffer		buf;
			Page		page;
			OffsetNumber off;
			OffsetNumber maxoff;
			LiveElement *live;
			int			nlive = 0;
			int			i;

			vacuum_delay_point();
			MemoryContextSwitchTo(pagectx);
			buf = ReadBufferExtended(index, MAIN_FORKNUM, blk, RBM_NORMAL, info->strategy);
			LockBuffer(buf, BUFFER_LOCK_SHARE);
			page = BufferGetPage(buf);
			maxoff = PageGetMaxOffsetNumber(page);
			live = palloc(sizeof(LiveElement) * Max(maxoff, 1));
			for (off = FirstOffsetNumber; off <= maxoff; off++)
			{
				HnswElementTuple etup = (HnswElementTuple) PageGetItem(page, PageGetItemId(page, off));
				Size		len;

				if (etup->type != HNSW_ELEMENT_TUPLE_TYPE || etup->deleted)
					continue;
				ItemPointerSet(&live[nlive].tid, blk, off);
				live[nlive].ntid = etup->neighbortid;
				live[nlive].level = etup->level;
				len = VARSIZE_ANY(etup->data);
				live[nlive].value = palloc(len);
				memcpy(live[nlive].value, etup->data, len);
				nlive++;
			}
			UnlockReleaseBuffer(buf);

			for (i = 0; i < nlive; i++)
			{
				CHECK_FOR_INTERRUPTS();
				RepairElement(index, sup, &live[i], &deleted);
				MemoryContextSwitchTo(ctx);
				if (nall == allcap)
				{
					allcap *= 2;
					all = repalloc_huge(all, sizeof(LiveElement) * allcap);
				}
				all[nall] = live[i];
				all[nall++].value = NULL;
				MemoryContextSwitchTo(pagectx);
			}
			MemoryContextSwitchTo(ctx);
			MemoryContextReset(pagectx);
		}
	}

	/* pass 3: entry point */
	HnswReadMeta(index, &meta);
	if (BlockNumberIsValid(meta.entryBlkno))
	{
		ItemPointerData eptid;

		ItemPointerSet(&eptid, meta.entryBlkno, meta.entryOffno);
		if (IsDeleted(&deleted, &eptid))
		{
			Buffer		metabuf;
			GenericXLogState *state;
			HnswMetaPage m;

			LockPage(index, HNSW_UPDATE_LOCK, ExclusiveLock);
			metabuf = ReadBuffer(index, HNSW_METAPAGE_BLKNO);
			LockBuffer(metabuf, BUFFER_LOCK_EXCLUSIVE);
			state = GenericXLogStart(index);
			m = HnswPageGetMeta(GenericXLogRegisterBuffer(state, metabuf, 0));
			if (m->entryBlkno == meta.entryBlkno && m->entryOffno == meta.entryOffno)
			{
				if (ItemPointerIsValid(&best))
				{
					m->entryBlkno = ItemPointerGetBlockNumber(&best);
					m->entryOffno = ItemPointerGetOffsetNumber(&best);
					m->entryLevel = bestLevel;
				}
				else
				{
					m->entryBlkno = InvalidBlockNumber;
					m->entryOffno = InvalidOffsetNumber;
					m->entryLevel = -1;
				}
				GenericXLogFinish(state);
			}
			else
				GenericXLogAbort(state);
			UnlockReleaseBuffer(metabuf);
			UnlockPage(index, HNSW_UPDATE_LOCK, ExclusiveLock);
		}
	}

	/* pass 4: reconnect what the entry point does not reach, until it does */
	for (i = 0; i < HNSW_REACH_ROUNDS; i++)
	{
		if (ReconnectUnreached(index, sup, all, nall) == 0)
			break;
	}

	MemoryContextSwitchTo(old);
	MemoryContextDelete(ctx);
	stats->num_pages = nblocks;
	return stats;
}

IndexBulkDeleteResult *
hnswvacuumcleanup(IndexVacuumInfo *info, IndexBulkDeleteResult *stats)
{
	if (info->analyze_only || stats != NULL)
		return stats;

	/*
	 * No bulkdelete ran (nothing was deleted, e.g. an insert-only table):
	 * run its passes anyway, to count live tuples and re-link elements that
	 * inserts left without in-links.
	 */
	return hnswbulkdelete(info, NULL, NothingDead, NULL);
}
