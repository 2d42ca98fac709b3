/*
 * src/hnsw/vacuum.c
 *	  VACUUM for hnsw.
 *
 *	  ambulkdelete runs three passes over the data pages:
 *	  1. mark: each element whose heap TID the callback reports dead is
 *		 marked deleted and its heap TID cleared, one GenericXLog record per
 *		 page, before bulkdelete returns (the heap may then reuse the TID);
 *	  2. repair: each live element with a deleted neighbour on some level
 *		 gets that level's list re-chosen, with the selection heuristic,
 *		 from its live neighbours plus the deleted neighbours' neighbours;
 *	  3. entry point: when the entry point was deleted, the live element of
 *		 the highest level found in pass 1 replaces it (under the
 *		 exclusive update lock, so no insert raises the entry meanwhile).
 *	  Deleted elements keep their own lists, so scans running concurrently
 *	  still route through them; their space is not reused (REINDEX
 *	  compacts).  amvacuumcleanup reports the index size and live count.
 */
#include "postgres.h"

#include "access/generic_xlog.h"
#include "commands/vacuum.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "storage/lmgr.h"
#include "utils/memutils.h"

#include "hnsw/hnsw.h"

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
static bool IsDeleted(HnswVisited *deleted, ItemPointer tid);
static void RepairElement(Relation index, HnswSupport *sup, LiveElement *le,
						  HnswVisited *deleted);
static void RepairLevel(Relation index, HnswSupport *sup, LiveElement *le,
						int lc, ItemPointerData *old, HnswVisited *deleted);

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
 * elements, then write it if nobody changed it meanwhile.
 */
static void
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
		HnswCandidate c;

		if (!ItemPointerIsValid(&old[i]) || !HnswVisitedAdd(&seen, &old[i]))
			continue;
		if (!HnswLoadCandidate(index, sup, le->value, &old[i], &c))
			continue;
		if (!c.deleted && !IsDeleted(deleted, &c.tid))
			cands[n++] = c;
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

	HnswSortCandidates(cands, n);
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
	nchosen = HnswSelectNeighbors(n, dists, slots, PairDistance, &pa, chosen);
	for (i = 0; i < slots; i++)
		ItemPointerSetInvalid(&new[i]);
	for (i = 0; i < nchosen; i++)
		new[i] = cands[chosen[i]].tid;

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
	}
	/* else a concurrent insert rewrote it; the next vacuum looks again */
	UnlockReleaseBuffer(buf);
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

	if (stats == NULL)
		stats = palloc0(sizeof(IndexBulkDeleteResult));
	ctx = AllocSetContextCreate(CurrentMemoryContext, "hnsw vacuum",
								ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(ctx);
	HnswVisitedInit(&deleted, 1024);
	ItemPointerSetInvalid(&best);
	nblocks = RelationGetNumberOfBlocks(index);

	/* pass 1: mark */
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
			HnswElementTuple etup = (HnswElementTuple) PageGetItem(page, PageGetItemId(page, off));
			ItemPointerData tid;

			if (etup->type != HNSW_ELEMENT_TUPLE_TYPE)
				continue;
			ItemPointerSet(&tid, blk, off);
			if (etup->deleted)
			{
				HnswVisitedAdd(&deleted, &tid);
				continue;
			}
			if (callback(&etup->heaptid, callback_state))
			{
				if (state == NULL)
				{
					state = GenericXLogStart(index);
					page = GenericXLogRegisterBuffer(state, buf, 0);
					etup = (HnswElementTuple) PageGetItem(page, PageGetItemId(page, off));
				}
				etup->deleted = 1;
				ItemPointerSetInvalid(&etup->heaptid);
				HnswVisitedAdd(&deleted, &tid);
				newlyDeleted++;
				stats->tuples_removed++;
			}
			else
			{
				stats->num_index_tuples++;
				if (etup->level > bestLevel)
				{
					bestLevel = etup->level;
					best = tid;
				}
			}
		}
		if (state)
			GenericXLogFinish(state);
		UnlockReleaseBuffer(buf);
	}

	/* pass 2: repair links to deleted elements */
	if (newlyDeleted > 0)
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

	MemoryContextSwitchTo(old);
	MemoryContextDelete(ctx);
	stats->num_pages = nblocks;
	return stats;
}

IndexBulkDeleteResult *
hnswvacuumcleanup(IndexVacuumInfo *info, IndexBulkDeleteResult *stats)
{
	Relation	index = info->index;
	BlockNumber nblocks;
	BlockNumber blk;

	if (info->analyze_only)
		return stats;
	if (stats != NULL)
		return stats;

	/* no bulkdelete ran: count live elements */
	stats = palloc0(sizeof(IndexBulkDeleteResult));
	nblocks = RelationGetNumberOfBlocks(index);
	for (blk = 1; blk < nblocks; blk++)
	{
		Buffer		buf;
		Page		page;
		OffsetNumber off;
		OffsetNumber maxoff;

		vacuum_delay_point();
		buf = ReadBufferExtended(index, MAIN_FORKNUM, blk, RBM_NORMAL, info->strategy);
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		page = BufferGetPage(buf);
		maxoff = PageGetMaxOffsetNumber(page);
		for (off = FirstOffsetNumber; off <= maxoff; off++)
		{
			HnswElementTuple etup = (HnswElementTuple) PageGetItem(page, PageGetItemId(page, off));

			if (etup->type == HNSW_ELEMENT_TUPLE_TYPE && !etup->deleted)
				stats->num_index_tuples++;
		}
		UnlockReleaseBuffer(buf);
	}
	stats->num_pages = nblocks;
	return stats;
}
