/*
 * src/graph/srf.c
 *	  Set-returning plumbing shared by the graph functions: a materialized
 *	  result (tuplestore in the query's per-query context) and edge[] paths.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
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

/*
 * An edge[] of edges[0..n-1]; edge_type is the oid of vecrag.edge.  Built
 * in place (one palloc and one memcpy), as traversals emit one per row.
 */
Datum
GraphPathDatum(GraphEdge *edges, int n, Oid edge_type)
{
	Size		size;
	ArrayType  *array;

	if (n == 0)
		return PointerGetDatum(construct_empty_array(edge_type));
	size = ARR_OVERHEAD_NONULLS(1) + sizeof(GraphEdge) * n;
	array = palloc0(size);
	SET_VARSIZE(array, size);
	array->ndim = 1;
	array->dataoffset = 0;
	array->elemtype = edge_type;
	ARR_DIMS(array)[0] = n;
	ARR_LBOUND(array)[0] = 1;
	memcpy(ARR_DATA_PTR(array), edges, sizeof(GraphEdge) * n);
	return PointerGetDatum(array);
}

/*
 * A text[] of strings[0..n-1] (NULL pointers are NULL elements), built in
 * place when there is no NULL.
 */
Datum
GraphTextArrayDatum(char **strings, int n)
{
	Size		size = ARR_OVERHEAD_NONULLS(1);
	ArrayType  *array;
	char	   *p;
	int			i;

	if (n == 0)
		return PointerGetDatum(construct_empty_array(TEXTOID));
	for (i = 0; i < n; i++)
	{
		if (strings[i] == NULL)
		{
			Datum	   *elems = palloc(sizeof(Datum) * n);
			bool	   *nulls = palloc(sizeof(bool) * n);
			int			dims[1] = {n};
			int			lbs[1] = {1};

			for (i = 0; i < n; i++)
			{
				nulls[i] = strings[i] == NULL;
				elems[i] = nulls[i] ? (Datum) 0 : CStringGetTextDatum(strings[i]);
			}
			return PointerGetDatum(construct_md_array(elems, nulls, 1, dims, lbs, TEXTOID,
													  -1, false, TYPALIGN_INT));
		}
		size += INTALIGN(VARHDRSZ + strlen(strings[i]));
	}
	array = palloc0(size);
	SET_VARSIZE(array, size);
	array->ndim = 1;
	array->dataoffset = 0;
	array->elemtype = TEXTOID;
	ARR_DIMS(array)[0] = n;
	ARR_LBOUND(array)[0] = 1;
	p = ARR_DATA_PTR(array);
	for (i = 0; i < n; i++)
	{
		Size		len = strlen(strings[i]);

		SET_VARSIZE(p, VARHDRSZ + len);
		memcpy(VARDATA(p), strings[i], len);
		p += INTALIGN(VARHDRSZ + len);
	}
	return PointerGetDatum(array);
}
