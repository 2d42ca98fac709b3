/*
 * src/graph/srf.c
 *	  Set-returning plumbing shared by the graph functions: a materialized
 *	  result (tuplestore in the query's per-query context) and edge[] paths.
 */
#include "postgres.h"

#include "funcapi.h"
#include "miscadmin.h"
#include "utils/lsyscache.h"

#include "graph/graph.h"

/*
 * Check that the caller accepts a materialized set and return the
 * tuplestore to fill, with the result row descriptor in *tupdesc.
 */
Tuplestorestate *
GraphBeginSRF(FunctionCallInfo fcinfo, TupleDesc *tupdesc)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext old;
	Tuplestorestate *store;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo) ||
		(rsinfo->allowedModes & SFRM_Materialize) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("set-valued function called in context that cannot accept a set")));
	if (get_call_result_type(fcinfo, NULL, tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	old = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	*tupdesc = CreateTupleDescCopy(*tupdesc);
	store = tuplestore_begin_heap(true, false, work_mem);
	MemoryContextSwitchTo(old);
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = store;
	rsinfo->setDesc = *tupdesc;
	return store;
}

/* An edge[] of edges[0..n-1]; edge_type is the oid of vecrag.edge. */
Datum
GraphPathDatum(GraphEdge *edges, int n, Oid edge_type)
{
	Datum	   *elems;
	int			i;

	if (n == 0)
		return PointerGetDatum(construct_empty_array(edge_type));
	elems = palloc(sizeof(Datum) * n);
	for (i = 0; i < n; i++)
		elems[i] = PointerGetDatum(&edges[i]);
	return PointerGetDatum(construct_array(elems, n, edge_type, sizeof(GraphEdge),
										   false, TYPALIGN_DOUBLE));
}
