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
#include "access/tableam.h"
#include "catalog/index.h"
#include "executor/executor.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "ivf/ivf.h"

void
IvfRerankBegin(IndexScanDesc scan)
{
	IvfScanOpaque so = (IvfScanOpaque) scan->opaque;

	if (scan->heapRelation == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("ivf scan of a quantized index needs its table for the rerank")));
	so->fetch = table_index_fetch_begin(scan->heapRelation);
	so->slot = table_slot_create(scan->heapRelation, NULL);
	so->indexInfo = BuildIndexInfo(scan->indexRelation);
	so->estate = CreateExecutorState();
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
	ItemPointerData t = *tid;
	bool		callAgain = false;
	bool		allDead = false;
	Datum		values[INDEX_MAX_KEYS];
	bool		isnull[INDEX_MAX_KEYS];
	bool		ok = false;
	ExprContext *econtext = GetPerTupleExprContext(so->estate);
	MemoryContext old;

	if (!table_index_fetch_tuple(so->fetch, &t, scan->xs_snapshot, so->slot,
								 &callAgain, &allDead))
		return false;

	old = MemoryContextSwitchTo(econtext->ecxt_per_tuple_memory);
	econtext->ecxt_scantuple = so->slot;
	FormIndexDatum(so->indexInfo, so->slot, so->estate, values, isnull);
	if (!isnull[0] && IvfDatumToFloats(&so->type, values[0], so->dimensions, so->scratch))
	{
		*exact = IvfDistance(so->type.metric, so->query, so->scratch, so->dimensions);
		ok = true;
	}
	MemoryContextSwitchTo(old);
	ResetExprContext(econtext);
	ExecClearTuple(so->slot);
	return ok;
}

void
IvfRerankEnd(IndexScanDesc scan)
{
	IvfScanOpaque so = (IvfScanOpaque) scan->opaque;

	table_index_fetch_end(so->fetch);
	ExecDropSingleTupleTableSlot(so->slot);
	FreeExecutorState(so->estate);
	so->fetch = NULL;
}
