/*
 * src/ivf/vacuum.c
 *	  VACUUM of IVF indexes: bulkdelete walks every list's posting chain
 *	  and removes the entries whose rows are dead (one GenericXLog record
 *	  per changed page); cleanup reports the counts.  Freed space is reused
 *	  by inserts on the chain's last page; pages are never unlinked, so
 *	  concurrent scans and inserts always find the chain intact.
 */
#include "postgres.h"

#include "access/generic_xlog.h"
#include "commands/vacuum.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "utils/rel.h"

#include "ivf/ivf.h"

IndexBulkDeleteResult *
ivfbulkdelete(IndexVacuumInfo *info, IndexBulkDeleteResult *stats,
			  IndexBulkDeleteCallback callback, void *callback_state)
{
	Relation	index = info->index;
	IvfMetaPageData meta;
	BlockNumber *startPages;
	float	   *centroids;

	if (stats == NULL)
		stats = (IndexBulkDeleteResult *) palloc0(sizeof(IndexBulkDeleteResult));
	IvfReadMeta(index, &meta);
	startPages = palloc(sizeof(BlockNumber) * meta.lists);
	centroids = IvfReadCentroids(index, &meta, startPages, NULL, NULL, NULL);
	pfree(centroids);

	for (int i = 0; i < meta.lists; i++)
	{
		BlockNumber blkno = startPages[i];

		while (BlockNumberIsValid(blkno))
		{
			Buffer		buf;
			Page		page;
			OffsetNumber maxoff;
			OffsetNumber deletable[MaxOffsetNumber];
			int			ndeletable = 0;
			BlockNumber next;

			vacuum_delay_point();
			buf = ReadBufferExtended(index, MAIN_FORKNUM, blkno, RBM_NORMAL, info->strategy);
			LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
			page = BufferGetPage(buf);
			maxoff = PageGetMaxOffsetNumber(page);
			for (OffsetNumber off = FirstOffsetNumber; off <= maxoff; off++)
			{
				IvfEntry	entry = (IvfEntry) PageGetItem(page, PageGetItemId(page, off));

				if (callback(&entry->heaptid, callback_state))
					deletable[ndeletable++] = off;
				else
					stats->num_index_tuples++;
			}
			/* read the link first: GenericXLogFinish frees the page copy */
			next = IvfPageGetOpaque(page)->nextblkno;
			if (ndeletable > 0)
			{
				GenericXLogState *state = GenericXLogStart(index);

				page = GenericXLogRegisterBuffer(state, buf, 0);
				PageIndexMultiDelete(page, deletable, ndeletable);
				GenericXLogFinish(state);
				stats->tuples_removed += ndeletable;
			}
			blkno = next;
			UnlockReleaseBuffer(buf);
		}
	}
	pfree(startPages);
	return stats;
}

IndexBulkDeleteResult *
ivfvacuumcleanup(IndexVacuumInfo *info, IndexBulkDeleteResult *stats)
{
	Relation	index = info->index;

	if (info->analyze_only)
		return stats;
	if (stats == NULL)
	{
		/* no bulkdelete pass ran: count the entries */
		IvfMetaPageData meta;
		BlockNumber *startPages;

		stats = (IndexBulkDeleteResult *) palloc0(sizeof(IndexBulkDeleteResult));
		IvfReadMeta(index, &meta);
		startPages = palloc(sizeof(BlockNumber) * meta.lists);
		pfree(IvfReadCentroids(index, &meta, startPages, NULL, NULL, NULL));
		for (int i = 0; i < meta.lists; i++)
		{
			BlockNumber blkno = startPages[i];

			while (BlockNumberIsValid(blkno))
			{
				Buffer		buf;
				Page		page;

				vacuum_delay_point();
				buf = ReadBufferExtended(index, MAIN_FORKNUM, blkno, RBM_NORMAL, info->strategy);
				LockBuffer(buf, BUFFER_LOCK_SHARE);
				page = BufferGetPage(buf);
				stats->num_index_tuples += PageGetMaxOffsetNumber(page);
				blkno = IvfPageGetOpaque(page)->nextblkno;
				UnlockReleaseBuffer(buf);
			}
		}
		pfree(startPages);
	}
	stats->num_pages = RelationGetNumberOfBlocks(index);
	return stats;
}
