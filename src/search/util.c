/*
 * src/search/util.c
 *	  Helpers every search function shares: set-returning result setup,
 *	  argument checks, privilege and row-level-security checks on the tables
 *	  a search reads, and array unpacking.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/lsyscache.h"
#include "utils/rls.h"
#include "utils/syscache.h"

#include "search/search.h"

/*
 * Set up a materialised set-returning result: check the caller accepts one,
 * take the result tuple descriptor the executor expects (or build it from
 * the function's declared result type), and return a tuplestore in the
 * per-query context (work_mem bounded, spills to disk).
 */
Tuplestorestate *
SearchBeginResult(FunctionCallInfo fcinfo, TupleDesc *tupdesc)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext oldcontext;
	Tuplestorestate *store;
	TupleDesc	desc;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo) ||
		(rsinfo->allowedModes & SFRM_Materialize) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("set-valued function called in context that cannot accept a set")));

	/*
	 * A function scan passes the row type it expects, built from our OUT
	 * parameters: take it rather than build it again from pg_proc (an array
	 * unpacking and a type lookup per column at every call).
	 */
	if (rsinfo->expectedDesc != NULL)
		desc = rsinfo->expectedDesc;
	else if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");

	oldcontext = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	desc = CreateTupleDescCopy(desc);
	store = tuplestore_begin_heap(true, false, work_mem);
	MemoryContextSwitchTo(oldcontext);

	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = store;
	rsinfo->setDesc = desc;
	*tupdesc = desc;
	return store;
}

void
SearchCheckK(int k, const char *what)
{
	if (k <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be greater than zero", what)));
}

/*
 * Take lockmode on relid and check it still exists: a stale OID, or a table
 * dropped while the caller waited for the lock, gets a 42P01 error instead
 * of table_open's internal "could not open relation".  The lock is held to
 * the end of the transaction, so later opens of relid cannot fail.
 */
void
SearchLockRelation(Oid relid, LOCKMODE lockmode)
{
	LockRelationOid(relid, lockmode);
	if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(relid)))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid),
				 errdetail("It was dropped, possibly while this statement waited for it.")));
}

/*
 * The caller must be able to SELECT the named columns of relid, and must not
 * be subject to row-level security on it: search functions read derived
 * data (postings, candidate lists) that a policy could not filter, so they
 * refuse rather than read past it.
 */
void
SearchCheckTableAccess(Oid relid, const char **columns, int ncolumns)
{
	Oid			user = GetUserId();
	char	   *relname = get_rel_name(relid);

	if (relname == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	if (pg_class_aclcheck(relid, user, ACL_SELECT) != ACLCHECK_OK)
	{
		for (int i = 0; i < ncolumns; i++)
		{
			AttrNumber	attnum = get_attnum(relid, columns[i]);

			if (attnum == InvalidAttrNumber ||
				pg_attribute_aclcheck(relid, attnum, user, ACL_SELECT) != ACLCHECK_OK)
				ereport(ERROR,
						(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
						 errmsg("permission denied for table %s", relname),
						 errdetail("Searching needs SELECT on column \"%s\".", columns[i])));
		}
	}
	if (check_enable_rls(relid, InvalidOid, false) == RLS_ENABLED)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("row-level security is enabled on table %s", relname),
				 errdetail("BM25 statistics and postings are computed over all rows, so policies cannot be honoured."),
				 errhint("Search as a role that bypasses row-level security, or search a table without policies.")));
}

SearchNormalization
SearchParseNormalization(const char *name)
{
	if (strcmp(name, "minmax") == 0)
		return SEARCH_NORM_MINMAX;
	if (strcmp(name, "zscore") == 0)
		return SEARCH_NORM_ZSCORE;
	if (strcmp(name, "distance") == 0)
		return SEARCH_NORM_DISTANCE;
	if (strcmp(name, "none") == 0)
		return SEARCH_NORM_NONE;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown normalization \"%s\"", name),
			 errhint("Use 'minmax', 'zscore', 'distance' or 'none'.")));
	return SEARCH_NORM_NONE;	/* keep compiler quiet */
}

/* a one-dimensional bigint array without NULLs, as a palloc'd C array */
int64 *
SearchInt8Array(ArrayType *array, const char *what, int *n)
{
	Datum	   *elems;
	bool	   *nulls;
	int64	   *result;

	if (ARR_NDIM(array) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must be a one-dimensional array", what)));
	deconstruct_array(array, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &elems, &nulls, n);
	result = palloc(sizeof(int64) * Max(*n, 1));
	for (int i = 0; i < *n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not contain NULLs", what)));
		result[i] = DatumGetInt64(elems[i]);
	}
	return result;
}

/* a one-dimensional float8 array without NULLs or NaN, as a palloc'd C array */
double *
SearchFloat8Array(ArrayType *array, const char *what, int *n)
{
	Datum	   *elems;
	bool	   *nulls;
	double	   *result;

	if (ARR_NDIM(array) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must be a one-dimensional array", what)));
	deconstruct_array(array, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &elems, &nulls, n);
	result = palloc(sizeof(double) * Max(*n, 1));
	for (int i = 0; i < *n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not contain NULLs", what)));
		result[i] = DatumGetFloat8(elems[i]);
		if (isnan(result[i]))
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("%s must not contain NaN", what)));
	}
	return result;
}

/*
 * The vectors of a vector[] argument, detoasted, all of one dimension;
 * *dim is set from the first (or checked against it when already > 0).
 */
Vector	  **
SearchVectorArray(FunctionCallInfo fcinfo, int argno, const char *what, int *n, int *dim)
{
	ArrayType  *array = PG_GETARG_ARRAYTYPE_P(argno);
	Oid			elemtype = ARR_ELEMTYPE(array);
	int16		typlen;
	bool		typbyval;
	char		typalign;
	Datum	   *elems;
	bool	   *nulls;
	Vector	  **result;

	if (ARR_NDIM(array) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must be a one-dimensional array", what)));
	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	deconstruct_array(array, elemtype, typlen, typbyval, typalign, &elems, &nulls, n);
	result = palloc(sizeof(Vector *) * Max(*n, 1));
	for (int i = 0; i < *n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not contain NULLs", what)));
		result[i] = DatumGetVector(elems[i]);
		if (*dim == 0)
			*dim = result[i]->dim;
		else if (result[i]->dim != *dim)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("different vector dimensions %d and %d", *dim, result[i]->dim),
					 errdetail("Element %d of %s has %d dimensions.", i + 1, what, result[i]->dim)));
	}
	return result;
}
