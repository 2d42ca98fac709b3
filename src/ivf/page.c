/*
 * src/ivf/page.c
 *	  Page helpers of the IVF access method: page initialization, reading
 *	  the metapage and the list directory, and turning the indexed column
 *	  into a float4 array with the kernel the opclass asked for.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_proc.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "core/distance.h"
#include "ivf/ivf.h"
#include "vector/vector.h"

/*
 * Distance support functions the AM knows, by C symbol: the AM computes
 * these with core/distance.h kernels on float arrays instead of calling the
 * function through fmgr for every entry.
 */
static const struct
{
	const char *symbol;
	int			metric;
	int			inputType;
}			known_distances[] = {
	{"vector_l2_squared_distance", IVF_METRIC_L2, IVF_INPUT_VECTOR},
	{"vector_negative_inner_product", IVF_METRIC_IP, IVF_INPUT_VECTOR},
};

void
IvfInitPage(Page page, Size pageSize)
{
	IvfPageOpaque opaque;

	PageInit(page, pageSize, sizeof(IvfPageOpaqueData));
	opaque = IvfPageGetOpaque(page);
	opaque->nextblkno = InvalidBlockNumber;
	opaque->page_id = IVF_PAGE_ID;
}

/*
 * Extend the index by one page; returns it pinned and exclusively locked,
 * not yet initialized.
 */
Buffer
IvfNewBuffer(Relation index, ForkNumber forkNum)
{
	Buffer		buf;

	LockRelationForExtension(index, ExclusiveLock);
	buf = ReadBufferExtended(index, forkNum, P_NEW, RBM_NORMAL, NULL);
	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	UnlockRelationForExtension(index, ExclusiveLock);
	return buf;
}

void
IvfReadMeta(Relation index, IvfMetaPageData *meta)
{
	Buffer		buf = ReadBuffer(index, IVF_METAPAGE_BLKNO);
	Page		page;

	LockBuffer(buf, BUFFER_LOCK_SHARE);
	page = BufferGetPage(buf);
	memcpy(meta, IvfPageGetMeta(page), sizeof(IvfMetaPageData));
	UnlockReleaseBuffer(buf);

	if (meta->magic != IVF_MAGIC_NUMBER)
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("index \"%s\" is not an ivf index", RelationGetRelationName(index))));
	if (meta->version != IVF_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("index \"%s\" has ivf format version %u, expected %d",
						RelationGetRelationName(index), meta->version, IVF_VERSION),
				 errhint("REINDEX the index.")));
}

/*
 * Map the opclass's support functions to a metric, input conversion and
 * normalization.  Errors if the distance function is not one we know.
 */
void
IvfGetTypeInfo(Relation index, IvfTypeInfo *info)
{
	Oid			procid = index_getprocid(index, 1, IVF_DISTANCE_PROC);
	HeapTuple	tup;
	char	   *symbol;
	bool		isnull;
	Datum		d;
	int			i;

	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(procid));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for function %u", procid);
	d = SysCacheGetAttr(PROCOID, tup, Anum_pg_proc_prosrc, &isnull);
	symbol = isnull ? pstrdup("") : TextDatumGetCString(d);
	ReleaseSysCache(tup);

	for (i = 0; i < lengthof(known_distances); i++)
	{
		if (strcmp(symbol, known_distances[i].symbol) == 0)
		{
			info->metric = known_distances[i].metric;
			info->inputType = known_distances[i].inputType;
			break;
		}
	}
	if (i == lengthof(known_distances))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("ivf does not support distance function %s", get_func_name(procid)),
				 errdetail("The operator class's support function 1 must be vector_l2_squared_distance or vector_negative_inner_product.")));
	info->normalize = OidIsValid(index_getprocid(index, 1, IVF_NORM_PROC));

	/*
	 * On unit vectors -<a, b> = |a - b|^2 / 2 - 1: the same order, so
	 * normalized indexes work in L2 throughout.  k-means then keeps plain
	 * means as centroids, which sit inside the sphere, nearer their rows
	 * than normalized centroids would: smaller residuals for rabitq.
	 */
	if (info->normalize)
		info->metric = IVF_METRIC_L2;
	pfree(symbol);
}

int
IvfDatumDimensions(const IvfTypeInfo *info, Datum value)
{
	Vector	   *v = DatumGetVector(value);

	Assert(info->inputType == IVF_INPUT_VECTOR);
	return v->dim;
}

/*
 * Copy value into out (dim floats), normalized when the opclass asks.
 * Returns false when the vector cannot be indexed: a zero vector under a
 * normalizing opclass (its cosine distance to anything is NaN).
 */
bool
IvfDatumToFloats(const IvfTypeInfo *info, Datum value, int dim, float *out)
{
	Vector	   *v = DatumGetVector(value);

	Assert(info->inputType == IVF_INPUT_VECTOR);
	if (v->dim != dim)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("expected %d dimensions, not %d", dim, v->dim)));
	memcpy(out, v->x, sizeof(float) * dim);
	if ((Pointer) v != DatumGetPointer(value))
		pfree(v);

	if (info->normalize)
	{
		double		norm = sqrt((double) VecInnerProduct(out, out, dim));

		if (norm == 0.0)
			return false;
		for (int i = 0; i < dim; i++)
			out[i] = (float) (out[i] / norm);
	}
	return true;
}

/* the AM's internal distance: smaller is nearer */
float
IvfDistance(int metric, const float *a, const float *b, int dim)
{
	if (metric == IVF_METRIC_L2)
		return VecL2SquaredDistance(a, b, dim);
	return -VecInnerProduct(a, b, dim);
}

/*
 * Read every list's centroid (lists * dim floats, palloc'd in the current
 * context) and, for each non-NULL output array, its start page, insert page
 * and the directory position of its entry.
 */
float *
IvfReadCentroids(Relation index, const IvfMetaPageData *meta,
				 BlockNumber *startPages, BlockNumber *insertPages,
				 BlockNumber *listBlocks, OffsetNumber *listOffsets)
{
	int			dim = meta->dimensions;
	float	   *centroids = palloc(sizeof(float) * dim * meta->lists);
	BlockNumber blkno = meta->listStart;
	int			n = 0;

	while (BlockNumberIsValid(blkno) && n < meta->lists)
	{
		Buffer		buf = ReadBuffer(index, blkno);
		Page		page;
		OffsetNumber maxoff;

		CHECK_FOR_INTERRUPTS();
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		page = BufferGetPage(buf);
		maxoff = PageGetMaxOffsetNumber(page);
		for (OffsetNumber off = FirstOffsetNumber; off <= maxoff && n < meta->lists; off++)
		{
			IvfList		list = (IvfList) PageGetItem(page, PageGetItemId(page, off));

			memcpy(centroids + (Size) n * dim, list->centroid, sizeof(float) * dim);
			if (startPages)
				startPages[n] = list->startPage;
			if (insertPages)
				insertPages[n] = list->insertPage;
			if (listBlocks)
				listBlocks[n] = blkno;
			if (listOffsets)
				listOffsets[n] = off;
			n++;
		}
		blkno = IvfPageGetOpaque(page)->nextblkno;
		UnlockReleaseBuffer(buf);
	}
	if (n != meta->lists)
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("index \"%s\" has %d lists in its directory, expected %d",
						RelationGetRelationName(index), n, meta->lists),
				 errhint("REINDEX the index.")));
	return centroids;
}

/*
 * The index's cached metapage, type info, quantizer and list directory,
 * loaded on first use.  The result lives in the relcache entry's context
 * and must not be freed or kept past the relation's closing.
 */
IvfCache *
IvfGetCache(Relation index)
{
	IvfCache   *cache = (IvfCache *) index->rd_amcache;
	MemoryContext old;

	if (cache != NULL)
		return cache;
	old = MemoryContextSwitchTo(index->rd_indexcxt);
	cache = palloc0(sizeof(IvfCache));
	IvfReadMeta(index, &cache->meta);
	IvfGetTypeInfo(index, &cache->type);
	if (cache->type.metric != cache->meta.metric || cache->type.normalize != (bool) cache->meta.normalized)
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("index \"%s\" was built for another operator class", RelationGetRelationName(index)),
				 errhint("REINDEX the index.")));
	cache->quantizer = IvfQuantizerLoad(index, &cache->meta);
	cache->startPages = palloc(sizeof(BlockNumber) * cache->meta.lists);
	cache->listBlocks = palloc(sizeof(BlockNumber) * cache->meta.lists);
	cache->listOffsets = palloc(sizeof(OffsetNumber) * cache->meta.lists);
	cache->centroids = IvfReadCentroids(index, &cache->meta, cache->startPages, NULL,
										cache->listBlocks, cache->listOffsets);
	MemoryContextSwitchTo(old);
	index->rd_amcache = cache;
	return cache;
}
