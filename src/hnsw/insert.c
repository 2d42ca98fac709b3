/*
 * src/hnsw/insert.c
 *	  Inserting into an hnsw index on disk: aminsert, and the element-by-
 *	  element insert the build falls back to when its in-memory graph
 *	  outgrows maintenance_work_mem.
 *
 *	  An insert searches the graph like a scan (search.c), appends its
 *	  element and neighbour tuples in one GenericXLog record (with the
 *	  metapage when the last page or the entry point change), then adds a
 *	  back link to each chosen neighbour, one record per neighbour list.
 *	  Lock order and concurrency: see the design note in hnsw.h.
 */
#include "postgres.h"

#include "access/generic_xlog.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "storage/lmgr.h"
#include "utils/memutils.h"

#include "hnsw/hnsw.h"

/* values of candidates, for the selection heuristic's pair distances */
typedef struct PairArg
{
	HnswSupport *sup;
	void	  **values;
} PairArg;

static float PairDistance(void *arg, int i, int j);
static void AppendElement(Relation index, HnswElementTuple etup, Size esize,
						  HnswNeighborTuple ntup, Size nsize, bool setEntry,
						  ItemPointer etid, ItemPointer ntid);

static float
PairDistance(void *arg, int i, int j)
{
	PairArg    *pa = arg;

	return HnswDistance(pa->sup, pa->values[i], pa->values[j]);
}

/*
 * Append an element and its neighbour tuple at the end of the page chain,
 * extending the relation when they do not fit, and make the element the
 * entry point when setEntry.  One GenericXLog record: metapage, last page
 * and up to two new pages.  Returns the new tuples' TIDs.
 */
static void
AppendElement(Relation index, HnswElementTuple etup, Size esize,
			  HnswNeighborTuple ntup, Size nsize, bool setEntry,
			  ItemPointer etid, ItemPointer ntid)
{
	Buffer		metabuf;
	Buffer		bufs[3] = {InvalidBuffer, InvalidBuffer, InvalidBuffer};
	Page		pages[3] = {NULL, NULL, NULL};
	int			npages = 0;
	int			epage;
	int			npage;
	GenericXLogState *state;
	Page		metapage;
	HnswMetaPage meta;
	Size		both = esize + nsize + 2 * sizeof(ItemIdData);
	OffsetNumber off;
	int			i;

	metabuf = ReadBuffer(index, HNSW_METAPAGE_BLKNO);
	LockBuffer(metabuf, BUFFER_LOCK_EXCLUSIVE);
	state = GenericXLogStart(index);
	metapage = GenericXLogRegisterBuffer(state, metabuf, 0);
	meta = HnswPageGetMeta(metapage);

	if (BlockNumberIsValid(meta->insertPage))
	{
		bufs[0] = ReadBuffer(index, meta->insertPage);
		LockBuffer(bufs[0], BUFFER_LOCK_EXCLUSIVE);
		pages[0] = GenericXLogRegisterBuffer(state, bufs[0], 0);
		npages = 1;
	}

	/* choose pages: both together when possible, else split */
	if (npages == 1 && HnswFreeSpace(pages[0]) >= both)
		epage = npage = 0;
	else if (both <= HNSW_PAGE_CAPACITY)
		epage = npage = npages;
	else if (npages == 1 && HnswFreeSpace(pages[0]) >= esize + sizeof(ItemIdData))
	{
		epage = 0;
		npage = 1;
	}
	else
	{
		epage = npages;
		npage = npages + 1;
	}

	while (npages <= Max(epage, npage))
	{
		bufs[npages] = HnswNewBuffer(index, MAIN_FORKNUM);
		pages[npages] = GenericXLogRegisterBuffer(state, bufs[npages],
												  GENERIC_XLOG_FULL_IMAGE);
		HnswInitPage(pages[npages]);
		if (npages > 0)
			HnswPageGetOpaque(pages[npages - 1])->nextblkno =
				BufferGetBlockNumber(bufs[npages]);
		meta->insertPage = BufferGetBlockNumber(bufs[npages]);
		npages++;
	}

	off = PageAddItem(pages[npage], (Item) ntup, nsize, InvalidOffsetNumber, false, false);
	if (off == InvalidOffsetNumber)
		elog(ERROR, "failed to add hnsw neighbor tuple to \"%s\"",
			 RelationGetRelationName(index));
	ItemPointerSet(ntid, BufferGetBlockNumber(bufs[npage]), off);
	etup->neighbortid = *ntid;
	off = PageAddItem(pages[epage], (Item) etup, esize, InvalidOffsetNumber, false, false);
	if (off == InvalidOffsetNumber)
		elog(ERROR, "failed to add hnsw element tuple to \"%s\"",
			 RelationGetRelationName(index));
	ItemPointerSet(etid, BufferGetBlockNumber(bufs[epage]), off);

	if (setEntry)
	{
		meta->entryBlkno = ItemPointerGetBlockNumber(etid);
		meta->entryOffno = ItemPointerGetOffsetNumber(etid);
		meta->entryLevel = etup->level;
	}

	GenericXLogFinish(state);
	for (i = 0; i < npages; i++)
		UnlockReleaseBuffer(bufs[i]);
	UnlockReleaseBuffer(metabuf);
}

/*
 * Record heaptid as a duplicate of the element owner: a duplicate tuple at
 * the end of the page chain, linked first in the element's chain.  One
 * GenericXLog record: metapage, last page, maybe a new page, and the
 * element's page.  Returns false (and changes nothing) when the element
 * was deleted meanwhile.
 */
bool
HnswAppendDuplicate(Relation index, ItemPointer owner, ItemPointer heaptid)
{
	Buffer		metabuf;
	Buffer		lastbuf = InvalidBuffer;
	Buffer		newbuf = InvalidBuffer;
	Buffer		ownerbuf = InvalidBuffer;
	Buffer		target;
	Page		lastpage = NULL;
	Page		targetpage;
	Page		ownerpage = NULL;
	GenericXLogState *state;
	HnswMetaPage meta;
	HnswElementTuple etup;
	HnswDupTupleData dup;
	BlockNumber ownerblk = ItemPointerGetBlockNumber(owner);
	OffsetNumber off;

	metabuf = ReadBuffer(index, HNSW_METAPAGE_BLKNO);
	LockBuffer(metabuf, BUFFER_LOCK_EXCLUSIVE);
	state = GenericXLogStart(index);
	meta = HnswPageGetMeta(GenericXLogRegisterBuffer(state, metabuf, 0));

	if (BlockNumberIsValid(meta->insertPage))
	{
		lastbuf = ReadBuffer(index, meta->insertPage);
		LockBuffer(lastbuf, BUFFER_LOCK_EXCLUSIVE);
		lastpage = GenericXLogRegisterBuffer(state, lastbuf, 0);
		if (meta->insertPage == ownerblk)
		{
			ownerbuf = lastbuf;
			ownerpage = lastpage;
		}
	}
	if (!BufferIsValid(ownerbuf))
	{
		ownerbuf = ReadBuffer(index, ownerblk);
		LockBuffer(ownerbuf, BUFFER_LOCK_EXCLUSIVE);
		ownerpage = GenericXLogRegisterBuffer(state, ownerbuf, 0);
	}
	etup = (HnswElementTuple) PageGetItem(ownerpage,
										  PageGetItemId(ownerpage, ItemPointerGetOffsetNumber(owner)));
	if (etup->type != HNSW_ELEMENT_TUPLE_TYPE || etup->deleted)
	{
		GenericXLogAbort(state);
		if (BufferIsValid(lastbuf))
			UnlockReleaseBuffer(lastbuf);
		if (ownerbuf != lastbuf)
			UnlockReleaseBuffer(ownerbuf);
		UnlockReleaseBuffer(metabuf);
		return false;
	}

	if (BufferIsValid(lastbuf) &&
		HnswFreeSpace(lastpage) >= HNSW_DUP_TUPLE_SIZE + sizeof(ItemIdData))
	{
		target = lastbuf;
		targetpage = lastpage;
	}
	else
	{
		newbuf = HnswNewBuffer(index, MAIN_FORKNUM);
		targetpage = GenericXLogRegisterBuffer(state, newbuf, GENERIC_XLOG_FULL_IMAGE);
		HnswInitPage(targetpage);
		if (BufferIsValid(lastbuf))
			HnswPageGetOpaque(lastpage)->nextblkno = BufferGetBlockNumber(newbuf);
		meta->insertPage = BufferGetBlockNumber(newbuf);
		target = newbuf;
	}

	MemSet(&dup, 0, sizeof(dup));
	dup.type = HNSW_DUP_TUPLE_TYPE;
	dup.heaptid = *heaptid;
	dup.next = etup->duptid;
	dup.owner = *owner;
	off = PageAddItem(targetpage, (Item) &dup, HNSW_DUP_TUPLE_SIZE, InvalidOffsetNumber, false, false);
	if (off == InvalidOffsetNumber)
		elog(ERROR, "failed to add hnsw duplicate tuple to \"%s\"",
			 RelationGetRelationName(index));
	ItemPointerSet(&etup->duptid, BufferGetBlockNumber(target), off);

	GenericXLogFinish(state);
	if (BufferIsValid(newbuf))
		UnlockReleaseBuffer(newbuf);
	if (ownerbuf != lastbuf)
		UnlockReleaseBuffer(ownerbuf);
	if (BufferIsValid(lastbuf))
		UnlockReleaseBuffer(lastbuf);
	UnlockReleaseBuffer(metabuf);
	return true;
}

/*
 * Add addtid (at distance adddist from the element selftid) to level lc of
 * the neighbour tuple ntid.  A free slot takes it; a full list is re-chosen
 * with the selection heuristic over its members plus addtid, dropping
 * deleted members; with force, a list that would drop addtid drops its
 * least preferred member instead (so a new element gets an in-link).
 * Optimistic: computed without locks, written only when the list is
 * unchanged since it was read, retried otherwise.  Returns whether addtid
 * is in the list afterwards.
 */
bool
HnswUpdateNeighborList(Relation index, HnswSupport *sup, ItemPointer ntid,
					   ItemPointer selftid, const void *selfvalue, int lc,
					   ItemPointer addtid, float adddist, bool force)
{
	bool		linked = false;
	int			m = sup->m;
	int			start = HNSW_LEVEL_START(lc, m);
	int			slots = HNSW_LEVEL_SLOTS(lc, m);
	ItemPointerData *old = palloc(sizeof(ItemPointerData) * slots);
	ItemPointerData *new = palloc(sizeof(ItemPointerData) * slots);
	int			attempt;

	for (attempt = 0; attempt < 10; attempt++)
	{
		Buffer		buf;
		Page		page;
		HnswNeighborTuple ntup;
		int			freeslot = -1;
		bool		present = false;
		bool		changed = true;
		int			i;

		CHECK_FOR_INTERRUPTS();

		/* read the current list */
		buf = ReadBuffer(index, ItemPointerGetBlockNumber(ntid));
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		page = BufferGetPage(buf);
		ntup = (HnswNeighborTuple) PageGetItem(page,
											   PageGetItemId(page, ItemPointerGetOffsetNumber(ntid)));
		if (ntup->type != HNSW_NEIGHBOR_TUPLE_TYPE || start + slots > ntup->count)
			elog(ERROR, "hnsw index \"%s\" has a bad neighbor tuple at (%u,%u)",
				 RelationGetRelationName(index), ItemPointerGetBlockNumber(ntid),
				 ItemPointerGetOffsetNumber(ntid));
		memcpy(old, &ntup->indextids[start], sizeof(ItemPointerData) * slots);
		UnlockReleaseBuffer(buf);

		for (i = 0; i < slots; i++)
		{
			if (!ItemPointerIsValid(&old[i]))
			{
				if (freeslot < 0)
					freeslot = i;
			}
			else if (ItemPointerEquals(&old[i], addtid))
				present = true;
		}
		if (present)
		{
			linked = true;
			break;
		}

		memcpy(new, old, sizeof(ItemPointerData) * slots);
		if (freeslot >= 0)
			ItemPointerCopy(addtid, &new[freeslot]);
		else
		{
			/* full: re-select among the members and the new element */
			HnswCandidate *cands = palloc(sizeof(HnswCandidate) * (slots + 1));
			float	   *dists = palloc(sizeof(float) * (slots + 1));
			void	  **values = palloc(sizeof(void *) * (slots + 1));
			int		   *chosen = palloc(sizeof(int) * slots);
			const void *self = selfvalue;
			PairArg		pa;
			int			n = 0;
			int			nchosen;
			bool		keepsNew = false;

			if (self == NULL)
				self = HnswLoadValue(index, selftid);
			if (self == NULL)
				break;
			for (i = 0; i < slots; i++)
			{
				if (HnswLoadCandidate(index, sup, self, &old[i], &cands[n]) &&
					!cands[n].deleted)
					n++;
			}
			cands[n].distance = adddist;
			ItemPointerCopy(addtid, &cands[n].tid);
			n++;
			HnswSortCandidates(cands, n, selftid);
			for (i = 0; i < n; i++)
			{
				dists[i] = cands[i].distance;
				values[i] = HnswLoadValue(index, &cands[i].tid);
			}
			pa.sup = sup;
			pa.values = values;
			for (i = 0; i < n; i++)
			{
				if (values[i] == NULL)
					values[i] = (void *) self;	/* unreadable: never kept */
			}
			nchosen = HnswSelectNeighbors(n, dists, slots, PairDistance, &pa, chosen);
			for (i = 0; i < slots; i++)
				ItemPointerSetInvalid(&new[i]);
			for (i = 0; i < nchosen; i++)
			{
				new[i] = cands[chosen[i]].tid;
				if (ItemPointerEquals(&new[i], addtid))
					keepsNew = true;
			}
			if (!keepsNew && force)
			{
				/* replace the least preferred member (the last chosen) */
				if (nchosen < slots)
					new[nchosen] = *addtid;
				else
					new[nchosen - 1] = *addtid;
				keepsNew = true;
			}
			if (!keepsNew)
				changed = false;
		}
		if (!changed)
			break;

		/* write it if nobody changed the list meanwhile */
		buf = ReadBuffer(index, ItemPointerGetBlockNumber(ntid));
		LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
		page = BufferGetPage(buf);
		ntup = (HnswNeighborTuple) PageGetItem(page,
											   PageGetItemId(page, ItemPointerGetOffsetNumber(ntid)));
		if (memcmp(&ntup->indextids[start], old, sizeof(ItemPointerData) * slots) == 0)
		{
			GenericXLogState *state = GenericXLogStart(index);

			page = GenericXLogRegisterBuffer(state, buf, 0);
			ntup = (HnswNeighborTuple) PageGetItem(page,
												   PageGetItemId(page, ItemPointerGetOffsetNumber(ntid)));
			memcpy(&ntup->indextids[start], new, sizeof(ItemPointerData) * slots);
			GenericXLogFinish(state);
			UnlockReleaseBuffer(buf);
			linked = true;
			break;
		}
		UnlockReleaseBuffer(buf);
	}
	pfree(old);
	pfree(new);
	return linked;
}

/*
 * Insert a prepared value (see HnswPrepareValue) for heaptid.  Runs in the
 * caller's (short-lived) memory context and leaks into it.
 */
void
HnswInsertValue(Relation index, HnswSupport *sup, Datum value, ItemPointer heaptid)
{
	const void *v = DatumGetPointer(value);
	int			m = sup->m;
	int			level = HnswRandomLevel(m, heaptid);
	LOCKMODE	lockmode = ShareLock;
	HnswMetaPageData meta;
	HnswElementTuple etup;
	HnswNeighborTuple ntup;
	Size		valsize = VARSIZE_ANY(v);
	Size		esize = HNSW_ELEMENT_TUPLE_SIZE(valsize);
	Size		nsize = HNSW_NEIGHBOR_TUPLE_SIZE(level, m);
	ItemPointerData etid;
	ItemPointerData ntidNew;
	HnswCandidate **chosen;
	int		   *nchosen;
	int			top = -1;
	int			lc;
	int			i;

	LockPage(index, HNSW_UPDATE_LOCK, lockmode);
	HnswReadMeta(index, &meta);
	if (!BlockNumberIsValid(meta.entryBlkno) || level > meta.entryLevel)
	{
		UnlockPage(index, HNSW_UPDATE_LOCK, lockmode);
		lockmode = ExclusiveLock;
		LockPage(index, HNSW_UPDATE_LOCK, lockmode);
		HnswReadMeta(index, &meta);
	}

	etup = palloc0(esize);
	etup->type = HNSW_ELEMENT_TUPLE_TYPE;
	etup->level = level;
	etup->heaptid = *heaptid;
	ItemPointerSetInvalid(&etup->duptid);
	memcpy(etup->data, v, valsize);
	ntup = palloc0(nsize);
	ntup->type = HNSW_NEIGHBOR_TUPLE_TYPE;
	ntup->count = HNSW_NEIGHBOR_COUNT(level, m);
	for (i = 0; i < ntup->count; i++)
		ItemPointerSetInvalid(&ntup->indextids[i]);

	chosen = palloc0(sizeof(HnswCandidate *) * (level + 1));
	nchosen = palloc0(sizeof(int) * (level + 1));

	if (BlockNumberIsValid(meta.entryBlkno))
	{
		ItemPointerData eptid;
		HnswCandidate ep;
		HnswHeap	entries;

		ItemPointerSet(&eptid, meta.entryBlkno, meta.entryOffno);
		if (!HnswLoadCandidate(index, sup, v, &eptid, &ep))
			elog(ERROR, "hnsw index \"%s\" has a bad entry point",
				 RelationGetRelationName(index));
		HnswGreedyDescend(index, sup, v, &ep, meta.entryLevel, level);
		HnswHeapInit(&entries, 1, false);
		HnswHeapPush(&entries, &ep);
		top = Min(level, meta.entryLevel);

		for (lc = top; lc >= 0; lc--)
		{
			HnswVisited visited;
			HnswHeap	w;
			HnswCandidate *sorted;
			float	   *dists;
			void	  **values;
			int		   *idx;
			int			n = 0;
			int			keep = HNSW_LEVEL_SLOTS(lc, m);
			PairArg		pa;

			HnswVisitedInit(&visited, sup->efConstruction * m);
			for (i = 0; i < entries.count; i++)
				HnswVisitedAdd(&visited, &entries.items[i].tid);
			HnswHeapInit(&w, sup->efConstruction + 1, true);
			HnswSearchLayer(index, sup, v, &entries, sup->efConstruction, lc,
							&visited, &w, NULL, NULL);

			/* next level starts from everything found here */
			entries.count = 0;
			sorted = palloc(sizeof(HnswCandidate) * w.count);
			for (i = 0; i < w.count; i++)
			{
				HnswHeapPush(&entries, &w.items[i]);
				if (!w.items[i].deleted)
					sorted[n++] = w.items[i];
			}
			HnswSortCandidates(sorted, n, heaptid);
			dists = palloc(sizeof(float) * Max(n, 1));
			values = palloc(sizeof(void *) * Max(n, 1));
			idx = palloc(sizeof(int) * keep);
			for (i = 0; i < n; i++)
			{
				dists[i] = sorted[i].distance;
				values[i] = HnswLoadValue(index, &sorted[i].tid);
				if (values[i] == NULL)
					values[i] = (void *) v;
			}
			/* an exact duplicate of the nearest element joins it */
			if (lc == top && n > 0 && HnswSameValue(values[0], v) &&
				HnswAppendDuplicate(index, &sorted[0].tid, heaptid))
			{
				UnlockPage(index, HNSW_UPDATE_LOCK, lockmode);
				return;
			}
			pa.sup = sup;
			pa.values = values;
			nchosen[lc] = HnswSelectNeighbors(n, dists, keep, PairDistance, &pa, idx);
			chosen[lc] = palloc(sizeof(HnswCandidate) * Max(nchosen[lc], 1));
			for (i = 0; i < nchosen[lc]; i++)
			{
				chosen[lc][i] = sorted[idx[i]];
				ntup->indextids[HNSW_LEVEL_START(lc, m) + i] = sorted[idx[i]].tid;
			}
		}
	}

	AppendElement(index, etup, esize, ntup, nsize,
				  !BlockNumberIsValid(meta.entryBlkno) || level > meta.entryLevel,
				  &etid, &ntidNew);

	/* back links; on level 0 at least one, or nothing would reach it */
	for (lc = top; lc >= 0; lc--)
	{
		bool		anyLinked = false;

		for (i = 0; i < nchosen[lc]; i++)
			anyLinked |= HnswUpdateNeighborList(index, sup, &chosen[lc][i].ntid,
												&chosen[lc][i].tid, NULL, lc, &etid,
												chosen[lc][i].distance, false);
		if (lc == 0 && !anyLinked && nchosen[0] > 0)
			HnswUpdateNeighborList(index, sup, &chosen[0][0].ntid,
								   &chosen[0][0].tid, NULL, 0, &etid,
								   chosen[0][0].distance, true);
	}

	UnlockPage(index, HNSW_UPDATE_LOCK, lockmode);
}

bool
hnswinsert(Relation index, Datum *values, bool *isnull, ItemPointer heap_tid,
		   Relation heap, IndexUniqueCheck checkUnique, bool indexUnchanged,
		   IndexInfo *indexInfo)
{
	MemoryContext ctx;
	MemoryContext oldctx;
	HnswSupport *sup;
	Datum		value;
	bool		ok;

	if (isnull[0])
		return false;

	sup = HnswGetSupport(index);
	ctx = AllocSetContextCreate(CurrentMemoryContext, "hnsw insert",
								ALLOCSET_DEFAULT_SIZES);
	oldctx = MemoryContextSwitchTo(ctx);
	value = HnswPrepareValue(sup, values[0], &ok);
	if (ok)
		HnswInsertValue(index, sup, value, heap_tid);
	MemoryContextSwitchTo(oldctx);
	MemoryContextDelete(ctx);
	return false;
}
