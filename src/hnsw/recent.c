/*
 * src/hnsw/recent.c
 *	  Pinning graph pages without the buffer mapping lookup.
 *
 *	  A search hop pins a few dozen scattered index pages, and profiles of
 *	  scans show the shared buffer mapping lookup (hash of the tag, the
 *	  partition lock, the hash-table probe: cache misses on every page) as
 *	  the largest single cost of a hop after the tuples themselves.  This
 *	  file remembers, per index and block, the buffer a block was last
 *	  found in, and pins it again through ReadRecentBuffer, which checks
 *	  the buffer's tag under its header lock and pins it in one step; when
 *	  the block has moved it falls back to ReadBuffer and remembers the new
 *	  buffer.  A stale entry is harmless: the tag check rejects it.
 *
 *	  ReadRecentBuffer does not raise the buffer's usage count (ReadBuffer
 *	  does), so every HNSW_RECENT_BUMP-th read goes through ReadBuffer
 *	  anyway: hot index pages keep a usage count, and the clock sweep does
 *	  not prefer them for eviction.
 *
 *	  The remembered buffers are backend-local and live outside the
 *	  relcache (whose rd_amcache is freed without its other allocations
 *	  when an open index is invalidated): a few slots keyed by index OID and
 *	  relfilenode, least recently used replaced first, in their own memory
 *	  context.  Temporary indexes (local buffers) and PostgreSQL 13 (no
 *	  ReadRecentBuffer) always use ReadBuffer.
 */
#include "postgres.h"

#include "storage/bufmgr.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "core/compat.h"
#include "hnsw/hnsw.h"

/* indexes whose buffers are remembered at once */
#define HNSW_RECENT_SLOTS	4
/* one read in this many goes through ReadBuffer (usage count) */
#define HNSW_RECENT_BUMP	16

typedef struct RecentSlot
{
	Oid			relid;			/* InvalidOid: free */
	Oid			relfile;
	uint64		lastUse;
	BlockNumber nblocks;		/* entries in bufs */
	Buffer	   *bufs;			/* per block; InvalidBuffer: unknown */
} RecentSlot;

static MemoryContext recentCxt = NULL;
static RecentSlot slots[HNSW_RECENT_SLOTS];
static RecentSlot *lastSlot = NULL;
static uint64 useClock = 0;
static uint32 readCount = 0;

static RecentSlot *TakeSlot(Relation index);

/* the slot of index: most calls are for the index of the call before */
static inline RecentSlot *
FindSlot(Relation index)
{
	if (likely(lastSlot != NULL && lastSlot->relid == RelationGetRelid(index) &&
			   lastSlot->relfile == VecRelFileNumber(index)))
		return lastSlot;
	return TakeSlot(index);
}

/*
 * The slot of index, taken over from the least recently used index when it
 * has none.
 */
static RecentSlot *
TakeSlot(Relation index)
{
	Oid			relid = RelationGetRelid(index);
	Oid			relfile = VecRelFileNumber(index);
	RecentSlot *victim = &slots[0];
	int			i;

	if (recentCxt == NULL)
		recentCxt = AllocSetContextCreate(TopMemoryContext, "hnsw recent buffers",
										  ALLOCSET_SMALL_SIZES);
	for (i = 0; i < HNSW_RECENT_SLOTS; i++)
	{
		if (slots[i].relid == relid && slots[i].relfile == relfile)
		{
			victim = &slots[i];
			break;
		}
		if (slots[i].lastUse < victim->lastUse)
			victim = &slots[i];
	}
	if (victim->relid != relid || victim->relfile != relfile)
	{
		if (victim->bufs)
			pfree(victim->bufs);
		victim->relid = relid;
		victim->relfile = relfile;
		victim->nblocks = 0;
		victim->bufs = NULL;
	}
	victim->lastUse = ++useClock;
	lastSlot = victim;
	return victim;
}

/*
 * ReadBuffer(index, blkno) for reading graph pages, pinned through the
 * buffer the block was last found in when it is still there.  The caller
 * locks and releases the buffer as after ReadBuffer.
 */
Buffer
HnswReadBuffer(Relation index, BlockNumber blkno)
{
	RecentSlot *slot;
	Buffer		buf;

	if (RelationUsesLocalBuffers(index))
		return ReadBuffer(index, blkno);
	slot = FindSlot(index);
	if (blkno < slot->nblocks && BufferIsValid(slot->bufs[blkno]) &&
		++readCount % HNSW_RECENT_BUMP != 0 &&
		VecReadRecentBuffer(index, blkno, slot->bufs[blkno]))
		return slot->bufs[blkno];

	buf = ReadBuffer(index, blkno);
	if (blkno >= slot->nblocks)
	{
		/* room for the whole index as it is now, at least */
		BlockNumber n = Max(Max(blkno + 1, slot->nblocks * 2),
							RelationGetNumberOfBlocks(index));

		if (slot->bufs == NULL)
			slot->bufs = MemoryContextAllocExtended(recentCxt, sizeof(Buffer) * n,
													MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
		else
		{
			slot->bufs = repalloc_huge(slot->bufs, sizeof(Buffer) * n);
			memset(slot->bufs + slot->nblocks, 0,
				   sizeof(Buffer) * (n - slot->nblocks));
		}
		slot->nblocks = n;
	}
	slot->bufs[blkno] = buf;
	return buf;
}

/*
 * The page of the buffer block blkno of index was last found in, or NULL:
 * an address to prefetch from, nothing more.  It is not pinned, so it may
 * hold another block by now; never read it as the block.
 */
Page
HnswRecentPage(Relation index, BlockNumber blkno)
{
	RecentSlot *slot;

	if (RelationUsesLocalBuffers(index))
		return NULL;
	slot = FindSlot(index);
	if (blkno < slot->nblocks && BufferIsValid(slot->bufs[blkno]))
		return BufferGetPage(slot->bufs[blkno]);
	return NULL;
}
