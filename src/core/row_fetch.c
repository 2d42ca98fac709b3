/*
 * src/core/row_fetch.c
 *	  Reading an index's key value back from the table row a TID points to,
 *	  under a scan's snapshot (the exact rerank of hnsw and ivf scans).
 *
 *	  The value and whatever the caller derives from it (a detoasted copy,
 *	  a converted array) live in VecRowFetchMemory, a per-row context that
 *	  VecRowFetchRelease resets together with the fetched row.
 */
#include "postgres.h"

#include "access/tableam.h"
#include "catalog/index.h"
#include "executor/executor.h"
#include "utils/memutils.h"

#include "core/row_fetch.h"

struct VecRowFetch
{
	IndexFetchTableData *fetch;
	TupleTableSlot *slot;
	IndexInfo  *indexInfo;
	EState	   *estate;
};

/* Set up heap access for index's keys, in the current memory context. */
VecRowFetch *
VecRowFetchBegin(Relation heap, Relation index)
{
	VecRowFetch *rf = palloc(sizeof(VecRowFetch));

	rf->fetch = table_index_fetch_begin(heap);
	rf->slot = table_slot_create(heap, NULL);
	rf->indexInfo = BuildIndexInfo(index);
	rf->estate = CreateExecutorState();
	return rf;
}

/*
 * The index key of the row at tid as snapshot sees it, formed in
 * VecRowFetchMemory.  False when the row is not visible or its key is NULL;
 * call VecRowFetchRelease after either answer.
 */
bool
VecRowFetchValue(VecRowFetch *rf, ItemPointer tid, Snapshot snapshot, Datum *value)
{
	ItemPointerData t = *tid;
	bool		callAgain = false;
	bool		allDead = false;
	Datum		values[INDEX_MAX_KEYS];
	bool		isnull[INDEX_MAX_KEYS];
	ExprContext *econtext = GetPerTupleExprContext(rf->estate);
	MemoryContext old;

	if (!table_index_fetch_tuple(rf->fetch, &t, snapshot, rf->slot,
								 &callAgain, &allDead))
		return false;

	old = MemoryContextSwitchTo(econtext->ecxt_per_tuple_memory);
	econtext->ecxt_scantuple = rf->slot;
	FormIndexDatum(rf->indexInfo, rf->slot, rf->estate, values, isnull);
	MemoryContextSwitchTo(old);
	*value = values[0];
	return !isnull[0];
}

/* The per-row context the fetched value lives in. */
MemoryContext
VecRowFetchMemory(VecRowFetch *rf)
{
	return GetPerTupleExprContext(rf->estate)->ecxt_per_tuple_memory;
}

/* Forget the fetched row and everything allocated for it. */
void
VecRowFetchRelease(VecRowFetch *rf)
{
	ResetExprContext(GetPerTupleExprContext(rf->estate));
	ExecClearTuple(rf->slot);
}

/* Release the heap access (the struct goes with its memory context). */
void
VecRowFetchEnd(VecRowFetch *rf)
{
	table_index_fetch_end(rf->fetch);
	ExecDropSingleTupleTableSlot(rf->slot);
	FreeExecutorState(rf->estate);
}
