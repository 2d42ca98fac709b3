/*
 * src/ivf/insert.c
 *	  Inserting one row into a built IVF index: find the nearest centroid,
 *	  encode the entry and append it to that list's last posting page,
 *	  extending the chain when the page is full.  Every change is one
 *	  GenericXLog record: the page alone, or the full page plus the new page
 *	  it links to; moving the list's insertPage hint is a second record, so
 *	  a crash between the two leaves a stale hint that inserts follow along
 *	  the chain.  Lock order in ivf.h.
 */
#include "postgres.h"

#include "access/generic_xlog.h"
#include "storage/bufmgr.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "ivf/ivf.h"

static void AddEntry(Relation index, IvfCache *cache, int list, IvfEntry entry);

static void
AddEntry(Relation index, IvfCache *cache, int list, IvfEntry entry)
{
	Size		entrySize = cache->meta.entrySize;
	BlockNumber blkno;
	Buffer		buf;
	Page		page;
	GenericXLogState *state;

	/* the insertion hint, from the directory */
	buf = ReadBuffer(index, cache->listBlocks[list]);
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	page = BufferGetPage(buf);
	blkno = ((IvfList) PageGetItem(page, PageGetItemId(page, cache->listOffsets[list])))->insertPage;
	UnlockReleaseBuffer(buf);

	for (;;)
	{
		BlockNumber next;

		buf = ReadBuffer(index, blkno);
		LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
		page = BufferGetPage(buf);
		if (PageGetFreeSpace(page) >= entrySize)
		{
			state = GenericXLogStart(index);
			page = GenericXLogRegisterBuffer(state, buf, 0);
			if (PageAddItem(page, (Item) entry, entrySize, InvalidOffsetNumber, false, false) == InvalidOffsetNumber)
				elog(ERROR, "failed to add entry to ivf index \"%s\"", RelationGetRelationName(index));
			GenericXLogFinish(state);
			UnlockReleaseBuffer(buf);
			return;
		}
		next = IvfPageGetOpaque(page)->nextblkno;
		if (!BlockNumberIsValid(next))
			break;
		UnlockReleaseBuffer(buf);
		blkno = next;
	}

	/* the last page is full: extend the chain, holding it */
	{
		Buffer		newbuf = IvfNewBuffer(index, MAIN_FORKNUM);
		BlockNumber newblkno = BufferGetBlockNumber(newbuf);
		Page		newpage;
		IvfList		item;

		state = GenericXLogStart(index);
		page = GenericXLogRegisterBuffer(state, buf, 0);
		newpage = GenericXLogRegisterBuffer(state, newbuf, GENERIC_XLOG_FULL_IMAGE);
		IvfInitPage(newpage, BufferGetPageSize(newbuf));
		if (PageAddItem(newpage, (Item) entry, entrySize, InvalidOffsetNumber, false, false) == InvalidOffsetNumber)
			elog(ERROR, "failed to add entry to ivf index \"%s\"", RelationGetRelationName(index));
		IvfPageGetOpaque(page)->nextblkno = newblkno;
		GenericXLogFinish(state);
		UnlockReleaseBuffer(buf);
		UnlockReleaseBuffer(newbuf);

		/* move the hint forward */
		buf = ReadBuffer(index, cache->listBlocks[list]);
		LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
		state = GenericXLogStart(index);
		page = GenericXLogRegisterBuffer(state, buf, 0);
		item = (IvfList) PageGetItem(page, PageGetItemId(page, cache->listOffsets[list]));
		item->insertPage = newblkno;
		GenericXLogFinish(state);
		UnlockReleaseBuffer(buf);
	}
}

bool
ivfinsert(Relation index, Datum *values, bool *isnull, ItemPointer heap_tid,
		  Relation heap, IndexUniqueCheck checkUnique, VEC_AMINSERT_INDEX_UNCHANGED_ARG
		  IndexInfo *indexInfo)
{
	IvfCache   *cache;
	MemoryContext tmpCtx;
	MemoryContext old;
	float	   *vec;
	IvfEntry	entry;
	int			list;
	int			dim;

	if (isnull[0])
		return false;
	cache = IvfGetCache(index);
	dim = cache->meta.dimensions;

	tmpCtx = AllocSetContextCreate(CurrentMemoryContext, "ivf insert temporary context",
								   ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(tmpCtx);
	vec = palloc(sizeof(float) * dim);
	if (IvfDatumToFloats(&cache->type, values[0], dim, vec))
	{
		list = IvfNearestCentroid(vec, cache->centroids, cache->meta.lists, dim,
								  cache->type.metric);
		entry = palloc0(cache->meta.entrySize);
		entry->heaptid = *heap_tid;
		IvfEncode(cache->quantizer, vec, cache->centroids + (Size) list * dim, entry->payload);
		AddEntry(index, cache, list, entry);
	}
	MemoryContextSwitchTo(old);
	MemoryContextDelete(tmpCtx);
	return false;
}
