/*
 * src/hnsw/support.c
 *	  Per-index opclass support: finds the distance, norm and kernel support
 *	  functions once per relcache entry (rd_amcache), prepares values for
 *	  the index (detoast, check dimensions, normalise; encode a compact
 *	  copy when the index stores one) and computes distances through the
 *	  kernel when the opclass has one.
 */
#include "postgres.h"

#include <math.h>

#include "access/genam.h"
#include "common/hashfn.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "hnsw/hnsw.h"

/*
 * The support state of an index, built on first use and kept in
 * rd_amcache (index memory context, freed with the relcache entry).
 */
HnswSupport *
HnswGetSupport(Relation index)
{
	HnswSupport *sup = (HnswSupport *) index->rd_amcache;
	HnswMetaPageData meta;

	if (sup != NULL)
		return sup;

	HnswReadMeta(index, &meta);
	sup = MemoryContextAllocZero(index->rd_indexcxt, sizeof(HnswSupport));
	fmgr_info_copy(&sup->distanceProc,
				   index_getprocinfo(index, 1, HNSW_DISTANCE_PROC),
				   index->rd_indexcxt);
	if (OidIsValid(index_getprocid(index, 1, HNSW_NORM_PROC)))
	{
		fmgr_info_copy(&sup->normProc,
					   index_getprocinfo(index, 1, HNSW_NORM_PROC),
					   index->rd_indexcxt);
		sup->hasNorm = true;
	}
	if (OidIsValid(index_getprocid(index, 1, HNSW_KERNEL_PROC)))
		sup->kernel = (const HnswKernel *)
			DatumGetPointer(FunctionCall1(index_getprocinfo(index, 1, HNSW_KERNEL_PROC),
										  PointerGetDatum(NULL)));
	if (sup->hasNorm && (sup->kernel == NULL || sup->kernel->normalize == NULL))
		elog(ERROR, "hnsw opclass with a norm function needs a kernel with normalize");
	sup->exact = sup->kernel;
	sup->storage = meta.storage;
	if (sup->storage != HNSW_STORAGE_FULL)
	{
		if (sup->exact == NULL || sup->exact->toFloats == NULL)
			elog(ERROR, "hnsw index \"%s\" stores compact values but its opclass cannot convert to float4",
				 RelationGetRelationName(index));
		sup->kernel = HnswCompactKernel(sup->exact->metric);
	}
	sup->collation = index->rd_indcollation[0];
	sup->dimensions = meta.dimensions;
	sup->m = meta.m;
	sup->efConstruction = meta.efConstruction;

	index->rd_amcache = sup;
	return sup;
}

/*
 * Turn a column value into the form the index stores: the full prepared
 * value (HnswPrepareFull), encoded when the index stores compact copies.
 * *ok and the result's memory context as for HnswPrepareFull.
 */
Datum
HnswPrepareValue(HnswSupport *sup, Datum value, bool *ok)
{
	Datum		v = HnswPrepareFull(sup, value, ok);

	if (*ok && sup->storage != HNSW_STORAGE_FULL)
		v = HnswCompactValue(sup, v, false);
	return v;
}

/*
 * Turn a column or query value into its full prepared form: detoasted,
 * dimensions checked, normalised when the opclass has a norm function.
 * Sets *ok to false (and returns 0) for a value of norm 0, which the index
 * cannot place (pgvector's behaviour: such rows are not indexed, such
 * queries find nothing).  The result lives in the current memory context.
 */
Datum
HnswPrepareFull(HnswSupport *sup, Datum value, bool *ok)
{
	Datum		v = PointerGetDatum(PG_DETOAST_DATUM(value));

	*ok = true;
	HnswCheckDimensions(sup, v);
	if (sup->hasNorm)
	{
		double		norm = DatumGetFloat8(FunctionCall1Coll(&sup->normProc,
															sup->collation, v));

		if (!(norm > 0) || isinf(norm))
		{
			*ok = false;
			return (Datum) 0;
		}
		v = sup->exact->normalize(DatumGetPointer(v), norm);
	}
	return v;
}

/*
 * Error out when a value's dimensions differ from the index's.
 */
void
HnswCheckDimensions(HnswSupport *sup, Datum value)
{
	int			dim;

	if (sup->exact == NULL || sup->exact->dimensions == NULL)
		return;
	dim = sup->exact->dimensions(DatumGetPointer(value));
	if (dim != sup->dimensions)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("different vector dimensions %d and %d", sup->dimensions, dim)));
}

/*
 * Distance between two prepared values (varlena pointers).
 */
float
HnswDistance(HnswSupport *sup, const void *a, const void *b)
{
	if (sup->kernel)
		return sup->kernel->distance(a, b);
	return (float) DatumGetFloat8(FunctionCall2Coll(&sup->distanceProc,
													sup->collation,
													PointerGetDatum(a),
													PointerGetDatum(b)));
}

/*
 * A level drawn from the exponential distribution with mL = 1/ln(m),
 * capped so the element's neighbour tuple fits on a page.  The uniform
 * draw is a hash of the heap TID, not a random number: the same table
 * loaded the same way builds the same graph, so tests and benchmarks are
 * reproducible, and the TID is as good as random for the distribution.
 */
int
HnswRandomLevel(int m, ItemPointer heaptid)
{
	uint64		h = hash_bytes_uint32_extended(ItemPointerGetOffsetNumber(heaptid),
											   ItemPointerGetBlockNumber(heaptid));
	double		u = ((double) (h >> 11) + 0.5) / (double) (UINT64CONST(1) << 53);
	int			level;

	level = (int) floor(-log(u) / log((double) m));
	return Min(level, HnswMaxLevel(m));
}
