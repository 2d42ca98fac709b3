/*
 * src/hnsw/page.c
 *	  hnsw page helpers: initialising data pages, extending the relation,
 *	  reading and creating the metapage.  Layout: see the design note in
 *	  hnsw.h.
 */
#include "postgres.h"

#include "access/generic_xlog.h"
#include "storage/bufmgr.h"
#include "storage/lmgr.h"

#include "hnsw/hnsw.h"

void
HnswInitPage(Page page)
{
	HnswPageOpaque opaque;

	PageInit(page, BLCKSZ, sizeof(HnswPageOpaqueData));
	opaque = HnswPageGetOpaque(page);
	opaque->nextblkno = InvalidBlockNumber;
	opaque->page_id = HNSW_PAGE_ID;
}

/*
 * Append a new block to the fork and return it pinned and exclusively
 * locked (its contents are not initialised).  Takes the relation extension
 * lock when other backends may extend concurrently.
 */
Buffer
HnswNewBuffer(Relation index, ForkNumber forknum)
{
	Buffer		buf;
	bool		needLock = !RELATION_IS_LOCAL(index);

	if (needLock)
		LockRelationForExtension(index, ExclusiveLock);
	buf = ReadBufferExtended(index, forknum, P_NEW, RBM_NORMAL, NULL);
	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	if (needLock)
		UnlockRelationForExtension(index, ExclusiveLock);
	return buf;
}

/*
 * Copy the metapage into *meta (share lock held only while copying).
 */
void
HnswReadMeta(Relation index, HnswMetaPageData *meta)
{
	Buffer		buf;
	Page		page;
	HnswMetaPage m;

	buf = ReadBuffer(index, HNSW_METAPAGE_BLKNO);
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	page = BufferGetPage(buf);
	m = HnswPageGetMeta(page);
	if (m->magicNumber != HNSW_MAGIC_NUMBER)
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("index \"%s\" is not an hnsw index",
						RelationGetRelationName(index))));
	if (m->version != HNSW_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("hnsw index \"%s\" has version %u, expected %d",
						RelationGetRelationName(index), m->version, HNSW_VERSION),
				 errhint("Run REINDEX on it.")));
	*meta = *m;
	UnlockReleaseBuffer(buf);
}

/*
 * Create the metapage as block 0 of the fork.  With wal, through GenericXLog
 * (used for the init fork of unlogged indexes); the build logs its pages
 * itself.
 */
void
HnswWriteMetaPage(Relation index, ForkNumber forknum, int dimensions, int m,
				  int efConstruction, bool wal)
{
	Buffer		buf = HnswNewBuffer(index, forknum);
	GenericXLogState *state = NULL;
	Page		page;
	HnswMetaPage meta;

	if (BufferGetBlockNumber(buf) != HNSW_METAPAGE_BLKNO)
		elog(ERROR, "hnsw metapage must be block 0, got %u", BufferGetBlockNumber(buf));

	if (wal)
	{
		state = GenericXLogStart(index);
		page = GenericXLogRegisterBuffer(state, buf, GENERIC_XLOG_FULL_IMAGE);
	}
	else
		page = BufferGetPage(buf);

	HnswInitPage(page);
	meta = HnswPageGetMeta(page);
	meta->magicNumber = HNSW_MAGIC_NUMBER;
	meta->version = HNSW_VERSION;
	meta->dimensions = dimensions;
	meta->m = m;
	meta->efConstruction = efConstruction;
	meta->entryBlkno = InvalidBlockNumber;
	meta->entryOffno = InvalidOffsetNumber;
	meta->entryLevel = -1;
	meta->insertPage = InvalidBlockNumber;
	meta->storage = HnswChooseStorage(index, dimensions);
	((PageHeader) page)->pd_lower =
		((char *) meta + sizeof(HnswMetaPageData)) - (char *) page;

	if (wal)
		GenericXLogFinish(state);
	else
		MarkBufferDirty(buf);
	UnlockReleaseBuffer(buf);
}

/*
 * Free bytes for new tuples, counting each one's line pointer separately.
 */
Size
HnswFreeSpace(Page page)
{
	return PageGetExactFreeSpace(page);
}
