/*
 * src/ivf/rerank.c
 *	  Exact distances for the rerank step of quantized IVF scans, from the
 *	  row's vector in the table.
 *
 *	  Why the table and not a full vector in the index: keeping float4
 *	  vectors next to the codes would make an rabitq index larger than a
 *	  quantizer-none one, defeating the point of quantizing.  The price is
 *	  one heap fetch per reranked candidate (ivf.rerank bounds them), and
 *	  in return the fetch applies the scan's snapshot, so rows the scan
 *	  cannot see are dropped before they take a place in the top k.
 */
#include "postgres.h"

#include "access/relscan.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "core/row_fetch.h"
#include "ivf/ivf.h"

void
IvfRerankBegin(IndexScanDesc scan)
{
	IvfScanOpaque so = (IvfScanOpaque) scan->opaque;

	if (scan->heapRelation == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("ivf scan of a quantized index needs its table for the rerank")));
	so->row = VecRowFetchBegin(scan->heapRelation, scan->indexRelation);
	so->scratch = palloc(sizeof(float) * so->dimensions);
}

/*
 * Exact internal distance between the query and the row at tid, as seen by
 * the scan's snapshot.  False when the row is not visible (or its value is
 * NULL or cannot be indexed).
 */
bool
IvfRerankExact(IndexScanDesc scan, ItemPointer tid, float *exact)
{
	IvfScanOpaque so = (IvfScanOpaque) scan->opaque;
	Datum		value;
	bool		ok = false;

	if (VecRowFetchValue(so->row, tid, scan->xs_snapshot, &value))
	{
		MemoryContext old = MemoryContextSwitchTo(VecRowFetchMemory(so->row));

		if (IvfDatumToFloats(&so->type, value, so->dimensions, so->scratch))
		{
			*exact = IvfDistance(so->type.metric, so->query, so->scratch, so->dimensions);
			ok = true;
		}
		MemoryContextSwitchTo(old);
	}
	VecRowFetchRelease(so->row);
	return ok;
}

void
IvfRerankEnd(IndexScanDesc scan)
{
	IvfScanOpaque so = (IvfScanOpaque) scan->opaque;

	VecRowFetchEnd(so->row);
	so->row = NULL;
}
