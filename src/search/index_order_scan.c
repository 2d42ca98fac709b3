/*
 * src/search/index_order_scan.c
 *	  Run hybrid_search's vector candidate query as the index scan its
 *	  plan chose, without the executor: when the saved plan of
 *	  SELECT id::int8, (col <op> $1)::float8 FROM tbl WHERE col IS NOT NULL
 *	  ORDER BY col <op> $1 LIMIT n is a Limit over an index scan ordered by
 *	  that distance, the same scan is driven through the index AM directly
 *	  (index_beginscan / index_getnext_slot under the active snapshot) and
 *	  each row's id and distance read from its heap tuple, as the plan's
 *	  projection would.  Starting and ending the executor through SPI for a
 *	  query of ten rows costs 25,000-30,000 instructions, about 5 % of an
 *	  hnsw top-10 over 14,000 rows.  Any other plan shape (no usable index,
 *	  a sort the planner found cheaper, an index whose distances need
 *	  rechecking) is left to SPI.
 */
#include "postgres.h"

#include <math.h>

#include "access/genam.h"
#include "access/relscan.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "nodes/plannodes.h"
#include "nodes/primnodes.h"
#include "utils/lsyscache.h"
#include "utils/plancache.h"
#include "utils/resowner.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "core/compat.h"
#include "core/int_datum.h"
#include "search/search.h"

/*
 * The index and ordering operator of plan's generic plan when it is a
 * Limit over an IndexScan ordered by one operator on the index's first
 * column against $1; false otherwise.
 */
static bool
PlannedIndexOrder(SPIPlanPtr plan, Oid *indexid, Oid *opno, Oid *inputcollid)
{
	CachedPlan *cplan = SPI_plan_get_cached_plan(plan);
	bool		ok = false;

	if (cplan == NULL)
		return false;
	if (list_length(cplan->stmt_list) == 1)
	{
		PlannedStmt *stmt = linitial_node(PlannedStmt, cplan->stmt_list);
		Plan	   *top = stmt->planTree;

		if (stmt->commandType == CMD_SELECT && top != NULL && IsA(top, Limit) &&
			top->lefttree != NULL && IsA(top->lefttree, IndexScan))
		{
			IndexScan  *scan = (IndexScan *) top->lefttree;
			OpExpr	   *order = list_length(scan->indexorderby) == 1 ?
				(OpExpr *) linitial(scan->indexorderby) : NULL;

			if (order != NULL && IsA(order, OpExpr) && list_length(order->args) == 2 &&
				scan->indexqual == NIL && !ScanDirectionIsBackward(scan->indexorderdir) &&
				IsA(linitial(order->args), Var) &&
				((Var *) linitial(order->args))->varattno == 1 &&
				IsA(lsecond(order->args), Param) &&
				((Param *) lsecond(order->args))->paramkind == PARAM_EXTERN &&
				((Param *) lsecond(order->args))->paramid == 1)
			{
				*indexid = scan->indexid;
				*opno = order->opno;
				*inputcollid = order->inputcollid;
				ok = true;
			}
		}
	}
	VecReleaseSPICachedPlan(cplan);
	return ok;
}

/*
 * Fill list with the rows plan's query returns for query (see the file
 * comment), at most limit of them, leaving out rows whose distance is NaN
 * (a zero vector's cosine distance) as the SPI path does; list's arrays
 * are allocated in cxt.  Returns false, having returned nothing, when the
 * plan is not such an index scan or the id column is not an integer; the
 * caller then runs the query through SPI.  idcol names the id column for
 * errors.  The caller has checked its SELECT rights on both columns and
 * refused row-level security (SearchCheckTableAccess), which the executor
 * would otherwise check.
 */
bool
SearchIndexOrderScan(SPIPlanPtr plan, Oid relid, AttrNumber idatt, const char *idcol,
					 AttrNumber vecatt, Datum query, int limit, MemoryContext cxt,
					 SearchList *list)
{
	Oid			indexid;
	Oid			opno;
	Oid			collation;
	Oid			idtype = get_atttype(relid, idatt);
	Relation	heap;
	Relation	index;
	Oid			opfamily;
	int			strategy;
	Oid			lefttype;
	Oid			righttype;
	RegProcedure opcode;
	ScanKeyData key;
	FmgrInfo	distance;
	IndexScanDesc scan;
	TupleTableSlot *slot;
	int			taken = 0;
	int			n = 0;
	int			cap = Min(limit, 64);
	bool		recheck = false;

	if (idtype != INT2OID && idtype != INT4OID && idtype != INT8OID)
		return false;
	if (!PlannedIndexOrder(plan, &indexid, &opno, &collation))
		return false;
	index = index_open(indexid, AccessShareLock);
	/* its first key must be the vector column itself, of relid */
	if (index->rd_index->indrelid != relid || index->rd_index->indkey.values[0] != vecatt)
	{
		index_close(index, AccessShareLock);
		return false;
	}
	heap = table_open(relid, AccessShareLock);
	opfamily = index->rd_opfamily[0];
	get_op_opfamily_properties(opno, opfamily, true, &strategy, &lefttype, &righttype);
	opcode = get_opcode(opno);
	fmgr_info(opcode, &distance);
	ScanKeyEntryInitialize(&key, SK_ORDER_BY, 1, strategy, righttype, collation, opcode, query);

	scan = index_beginscan(heap, index, GetActiveSnapshot(), 0, 1);
	index_rescan(scan, NULL, 0, &key, 1);
	slot = table_slot_create(heap, NULL);
	list->ids = MemoryContextAlloc(cxt, sizeof(int64) * cap);
	list->scores = MemoryContextAlloc(cxt, sizeof(double) * cap);
	list->weight = 1.0;
	while (taken < limit && index_getnext_slot(scan, ForwardScanDirection, slot))
	{
		bool		vecnull;
		bool		idnull;
		Datum		vec;
		Datum		id;
		double		d;

		CHECK_FOR_INTERRUPTS();
		/* distances the index only approximates need the executor's reordering */
		if (scan->xs_recheckorderby)
		{
			recheck = true;
			break;
		}
		vec = slot_getattr(slot, vecatt, &vecnull);
		if (vecnull)
			continue;
		taken++;
		id = slot_getattr(slot, idatt, &idnull);
		if (idnull)
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("column \"%s\" of table %s contains NULL ids", idcol,
							RelationGetRelationName(heap))));
		d = DatumGetFloat8(FunctionCall2Coll(&distance, collation, vec, query));
		/* a zero vector has no cosine distance (NaN): it is no candidate */
		if (isnan(d))
			continue;
		if (n == cap)
		{
			cap = (int) Min((int64) limit, (int64) cap * 2);
			list->ids = repalloc(list->ids, sizeof(int64) * cap);
			list->scores = repalloc(list->scores, sizeof(double) * cap);
		}
		list->ids[n] = IntDatumGetInt64(id, idtype);
		list->scores[n] = d;
		n++;
	}
	ExecDropSingleTupleTableSlot(slot);
	index_endscan(scan);
	if (!recheck)
		elog(DEBUG1, "hybrid_search: vector candidates by a scan of index \"%s\"",
			 RelationGetRelationName(index));
	index_close(index, AccessShareLock);
	table_close(heap, AccessShareLock);
	if (recheck)
	{
		pfree(list->ids);
		pfree(list->scores);
		return false;
	}
	list->n = n;
	return true;
}
