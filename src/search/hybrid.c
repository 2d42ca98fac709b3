/*
 * src/search/hybrid.c
 *	  vecrag.hybrid_search: BM25 top candidates and vector top candidates
 *	  from one table, fused by RRF or weighted normalised scores, with each
 *	  retriever's rank and score.  The vector side is one saved query
 *	  ORDER BY col <op> $1 LIMIT n, so an hnsw or ivf index on the column is
 *	  used when the planner finds it cheaper, and the caller's snapshot
 *	  applies; when its plan is that index scan, the scan is run without
 *	  the executor (index_order_scan.c), else the query runs through SPI.
 *	  BM25's search loop runs on the backend's compute thread meanwhile
 *	  when vecrag.hybrid_parallel allows (the same computation, so the same
 *	  results, on a second core).
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "core/compute_thread.h"
#include "search/search.h"
#include "vector/vector.h"

/* saved vector candidate plans per session */
#define VECTOR_PLANS	8

/*
 * What a vector candidate query's text is made from besides the current
 * names of the table, its schema and the vector type's schema.
 */
typedef struct VectorKey
{
	Oid			relid;
	Oid			vectype;
	const char *op;				/* a constant of DistanceOperator */
	int			candidates;
	char	   *idcol;
	char	   *veccol;
} VectorKey;

/*
 * A saved plan and its query text; keyed is set while the key's table,
 * schemas and type have had no invalidation since the text was built (the
 * text is then still what building it again would give).
 */
typedef struct VectorPlanSlot
{
	char	   *text;
	SPIPlanPtr	plan;
	bool		keyed;
	VectorKey	key;
} VectorPlanSlot;

static VectorPlanSlot vector_plans[VECTOR_PLANS];
static int	vector_plans_next = 0;
static bool vector_callbacks = false;
static uint64 vector_invalidations = 0;	/* callbacks run so far */

/* the vector candidates of one query */
static SearchList VectorCandidates(Oid relid, const char *idcol, const char *veccol,
								   const char *distance, Datum query, Oid vectype,
								   int candidates);

static const char *
DistanceOperator(const char *distance)
{
	if (strcmp(distance, "cosine") == 0)
		return "<=>";
	if (strcmp(distance, "l2") == 0)
		return "<->";
	if (strcmp(distance, "inner_product") == 0)
		return "<#>";
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown distance \"%s\"", distance),
			 errhint("Use 'cosine', 'l2' or 'inner_product'.")));
	return NULL;				/* keep compiler quiet */
}

/* a relation changed (renamed, moved, dropped): its queries' texts may differ */
static void
VectorRelcacheCallback(Datum arg, Oid relid)
{
	vector_invalidations++;
	for (int i = 0; i < VECTOR_PLANS; i++)
		if (relid == InvalidOid || vector_plans[i].key.relid == relid)
			vector_plans[i].keyed = false;
}

/* a schema or type changed (renamed, moved): every text may differ */
static void
VectorSyscacheCallback(Datum arg, int cacheid, uint32 hashvalue)
{
	vector_invalidations++;
	for (int i = 0; i < VECTOR_PLANS; i++)
		vector_plans[i].keyed = false;
}

static bool
VectorKeyEqual(const VectorKey *a, const VectorKey *b)
{
	return a->relid == b->relid && a->vectype == b->vectype && a->op == b->op &&
		a->candidates == b->candidates && strcmp(a->idcol, b->idcol) == 0 &&
		strcmp(a->veccol, b->veccol) == 0;
}

/* the saved plan of key whose text is still current, or NULL */
static SPIPlanPtr
VectorPlanByKey(const VectorKey *key)
{
	for (int i = 0; i < VECTOR_PLANS; i++)
		if (vector_plans[i].keyed && VectorKeyEqual(&vector_plans[i].key, key))
			return vector_plans[i].plan;
	return NULL;
}

static void
RegisterVectorCallbacks(void)
{
	if (vector_callbacks)
		return;
	CacheRegisterRelcacheCallback(VectorRelcacheCallback, (Datum) 0);
	CacheRegisterSyscacheCallback(NAMESPACEOID, VectorSyscacheCallback, (Datum) 0);
	CacheRegisterSyscacheCallback(TYPEOID, VectorSyscacheCallback, (Datum) 0);
	vector_callbacks = true;
}

/* free a slot's key names */
static void
ForgetKey(VectorPlanSlot *slot)
{
	slot->keyed = false;
	if (slot->key.idcol != NULL)
		pfree(slot->key.idcol);
	if (slot->key.veccol != NULL)
		pfree(slot->key.veccol);
	slot->key.idcol = slot->key.veccol = NULL;
}

/*
 * The saved plan of a vector candidate query, prepared once per session
 * and query text (the text names the table, columns, operator and limit, so
 * a renamed column or table gets a new plan).  The plan cache replans
 * after DDL on the table or its indexes, and the executor checks privileges
 * and row-level security at every execution.  The text is also remembered
 * under key, unless an invalidation ran since inval_before (the names the
 * text was built from may then be stale).
 */
static SPIPlanPtr
VectorPlan(const char *sql, Oid vectype, const VectorKey *key, uint64 inval_before)
{
	VectorPlanSlot *slot = NULL;

	for (int i = 0; i < VECTOR_PLANS && slot == NULL; i++)
		if (vector_plans[i].text != NULL && strcmp(vector_plans[i].text, sql) == 0)
			slot = &vector_plans[i];
	if (slot == NULL)
	{
		SPIPlanPtr	plan = SPI_prepare(sql, 1, &vectype);

		if (plan == NULL)
			elog(ERROR, "vector candidate query could not be prepared: %s",
				 SPI_result_code_string(SPI_result));
		if (SPI_keepplan(plan) != 0)
			elog(ERROR, "SPI_keepplan failed");
		slot = &vector_plans[vector_plans_next];
		vector_plans_next = (vector_plans_next + 1) % VECTOR_PLANS;
		ForgetKey(slot);
		if (slot->text != NULL)
		{
			pfree(slot->text);
			slot->text = NULL;
			SPI_freeplan(slot->plan);
		}
		slot->plan = plan;
		slot->text = MemoryContextStrdup(TopMemoryContext, sql);
	}
	ForgetKey(slot);
	if (vector_invalidations == inval_before)
	{
		slot->key = *key;
		slot->key.idcol = MemoryContextStrdup(TopMemoryContext, key->idcol);
		slot->key.veccol = MemoryContextStrdup(TopMemoryContext, key->veccol);
		slot->keyed = true;
	}
	return slot->plan;
}

static SearchList
VectorCandidates(Oid relid, const char *idcol, const char *veccol, const char *distance,
				 Datum query, Oid vectype, int candidates)
{
	AttrNumber	attnum = get_attnum(relid, veccol);
	HeapTuple	typtup;
	char	   *typschema;
	const char *op = DistanceOperator(distance);
	Vector	   *qv = DatumGetVector(query);
	int32		typmod;
	Oid			atttype;
	Oid			attcoll;
	StringInfoData sql;
	VectorKey	key;
	SPIPlanPtr	plan;
	Datum		args[1];
	SearchList	list;
	MemoryContext callercxt = CurrentMemoryContext;
	int			ret;
	int			n = 0;

	if (attnum == InvalidAttrNumber)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" of table %s does not exist", veccol, get_rel_name(relid))));
	get_atttypetypmodcoll(relid, attnum, &atttype, &typmod, &attcoll);
	if (atttype != vectype)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("column \"%s\" of table %s is not of type vector", veccol, get_rel_name(relid))));
	if (typmod != -1 && typmod != qv->dim)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("query vector has %d dimensions but column \"%s\" has %d", qv->dim, veccol, typmod)));

	key.relid = relid;
	key.vectype = vectype;
	key.op = op;
	key.candidates = candidates;
	key.idcol = unconstify(char *, idcol);
	key.veccol = unconstify(char *, veccol);
	args[0] = query;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	RegisterVectorCallbacks();
	plan = VectorPlanByKey(&key);
	if (plan == NULL)
	{
		uint64		inval_before = vector_invalidations;

		typtup = SearchSysCache1(TYPEOID, ObjectIdGetDatum(vectype));
		if (!HeapTupleIsValid(typtup))
			elog(ERROR, "cache lookup failed for type %u", vectype);
		typschema = get_namespace_name(((Form_pg_type) GETSTRUCT(typtup))->typnamespace);
		ReleaseSysCache(typtup);

		initStringInfo(&sql);
		appendStringInfo(&sql,
						 "SELECT %s::pg_catalog.int8, (%s OPERATOR(%s.%s) $1)::pg_catalog.float8 "
						 "FROM %s WHERE %s IS NOT NULL ORDER BY %s OPERATOR(%s.%s) $1 LIMIT %d",
						 quote_identifier(idcol), quote_identifier(veccol), quote_identifier(typschema), op,
						 quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
													get_rel_name(relid)),
						 quote_identifier(veccol), quote_identifier(veccol), quote_identifier(typschema), op,
						 candidates);
		plan = VectorPlan(sql.data, vectype, &key, inval_before);
	}
	if (SearchIndexOrderScan(plan, relid, get_attnum(relid, idcol), idcol, attnum, query,
							 candidates, callercxt, &list))
	{
		SPI_finish();
		return list;
	}
	ret = SPI_execute_plan(plan, args, NULL, true, candidates);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "vector candidate query failed: %s", SPI_result_code_string(ret));
	list.n = (int) SPI_processed;
	list.ids = MemoryContextAlloc(callercxt, sizeof(int64) * Max(list.n, 1));
	list.scores = MemoryContextAlloc(callercxt, sizeof(double) * Max(list.n, 1));
	list.weight = 1.0;
	for (int i = 0; i < (int) SPI_processed; i++)
	{
		bool		isnull1,
					isnull2;
		Datum		id = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull1);
		Datum		d = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2, &isnull2);

		if (isnull1)
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("column \"%s\" of table %s contains NULL ids", idcol, get_rel_name(relid))));
		/* a zero vector has no cosine distance (NaN): it is no candidate */
		if (isnull2 || isnan(DatumGetFloat8(d)))
			continue;
		list.ids[n] = DatumGetInt64(id);
		list.scores[n] = DatumGetFloat8(d);
		n++;
	}
	list.n = n;
	SPI_finish();
	return list;
}

static void
RequireArg(FunctionCallInfo fcinfo, int argno, const char *name)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be NULL", name)));
}

/*
 * vecrag.hybrid_search(tbl regclass, query_text text, query_vector vector,
 *		k int, vector_column text, bm25_index regclass, candidates int,
 *		fusion text, rrf_k int, weights float8[], normalization text[],
 *		distance text, k1 float8, b float8)
 * returns table (id bigint, score float8, rank int, bm25_rank int,
 *		bm25_score float8, vector_rank int, vector_distance float8)
 */
PG_FUNCTION_INFO_V1(vecrag_hybrid_search);
Datum
vecrag_hybrid_search(PG_FUNCTION_ARGS)
{
	static const char *const names[] = {
		"tbl", "query_text", "query_vector", "k", "vector_column", NULL, NULL,
		"fusion", "rrf_k", "weights", "normalization", "distance", "k1", "b"
	};
	Oid			relid;
	Oid			meta;
	Bm25Index	index;
	int			k;
	int			candidates;
	char	   *fusion;
	bool		rrf;
	SearchList	lists[2];
	SearchList	raw[2];
	SearchNormalization norms[2] = {SEARCH_NORM_MINMAX, SEARCH_NORM_DISTANCE};
	Bm25TopKState *bm25;
	bool		apart = false;
	SearchHit  *hits;
	int			nhits;
	SearchFused *rows;
	int			nrows;
	double	   *w;
	int			nw;
	char	   *distance;
	const char *cols[1];
	TupleDesc	tupdesc;
	Tuplestorestate *store;

	/* the compute thread wakes while the arguments are checked and BM25 begins */
	if (search_hybrid_parallel)
		ComputeThreadWake();
	for (int i = 0; i < lengthof(names); i++)
		if (names[i] != NULL)
			RequireArg(fcinfo, i, names[i]);
	relid = PG_GETARG_OID(0);
	k = PG_GETARG_INT32(3);
	/* NULL: as deep as the result (Elasticsearch's rank_window_size default) */
	candidates = PG_ARGISNULL(6) ? k : PG_GETARG_INT32(6);
	SearchCheckK(k, "k");
	SearchCheckK(candidates, "candidates");
	fusion = text_to_cstring(PG_GETARG_TEXT_PP(7));
	if (strcmp(fusion, "rrf") == 0)
		rrf = true;
	else if (strcmp(fusion, "weighted") == 0)
		rrf = false;
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown fusion \"%s\"", fusion),
				 errhint("Use 'rrf' or 'weighted'.")));
	distance = text_to_cstring(PG_GETARG_TEXT_PP(11));
	(void) DistanceOperator(distance);
	w = SearchFloat8Array(PG_GETARG_ARRAYTYPE_P(9), "weights", &nw);
	if (nw != 2)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("weights must have 2 elements (BM25, vector), not %d", nw)));
	{
		Datum	   *elems;
		bool	   *nulls;
		int			nn;

		deconstruct_array(PG_GETARG_ARRAYTYPE_P(10), TEXTOID, -1, false, TYPALIGN_INT,
						  &elems, &nulls, &nn);
		if (nn != 2 || nulls[0] || nulls[1])
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("normalization must have 2 elements (BM25, vector)")));
		norms[0] = SearchParseNormalization(TextDatumGetCString(elems[0]));
		norms[1] = SearchParseNormalization(TextDatumGetCString(elems[1]));
	}

	SearchLockRelation(relid, AccessShareLock);
	meta = PG_ARGISNULL(5) ? Bm25FindIndex(relid) : PG_GETARG_OID(5);
	Bm25OpenIndex(meta, &index);
	if (index.source != relid)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("BM25 index \"%s\" is not on table %s", get_rel_name(meta), get_rel_name(relid))));
	cols[0] = text_to_cstring(PG_GETARG_TEXT_PP(4));
	SearchCheckTableAccess(relid, cols, 1);

	/*
	 * BM25 begins here (everything that reads the catalog, the postings or
	 * the cache's version); with the setting on, the compute thread then
	 * tokenizes the query, takes its terms' lists from the postings cache
	 * and runs the search loop while the vector query runs here.  When a
	 * term's list is not cached, its terms are looked up here afterwards
	 * (Bm25TopKResume); when the cache cannot be used at all, it begins
	 * here first and its loop runs apart only if every list is in memory,
	 * else before the vector query as a serial search.  An error in the
	 * vector query stops the thread's work before it escapes.
	 */
	bm25 = NULL;
	if (search_hybrid_parallel)
		bm25 = Bm25TopKBeginApart(&index, PG_GETARG_TEXT_PP(1), candidates, PG_GETARG_FLOAT8(12),
								  PG_GETARG_FLOAT8(13));
	if (bm25 == NULL)
		bm25 = Bm25TopKBegin(&index, PG_GETARG_TEXT_PP(1), candidates, PG_GETARG_FLOAT8(12),
							 PG_GETARG_FLOAT8(13));
	if (search_hybrid_parallel && Bm25TopKApart(bm25))
	{
		Bm25TopKPrepareApart();
		apart = ComputeThreadStart(Bm25TopKRunApart, bm25);
	}
	if (apart)
	{
		PG_TRY();
		{
			raw[1] = VectorCandidates(relid, index.id_column, cols[0], distance, PG_GETARG_DATUM(2),
									  get_fn_expr_argtype(fcinfo->flinfo, 2), candidates);
			/* what the thread has not reached yet, split with this thread */
			Bm25TopKSplit(bm25);
		}
		PG_CATCH();
		{
			ComputeThreadStop();
			PG_RE_THROW();
		}
		PG_END_TRY();
		/*
		 * Take the loop back rather than wait for it: usually it has ended;
		 * if the thread started late (a busy core) it stops at its next
		 * window, or never starts, and the rest runs here, so a late thread
		 * costs no more than the serial search.
		 */
		ComputeThreadStop();
		elog(DEBUG1, "hybrid_search: BM25 search loop posted to the compute thread");
	}
	/* the whole loop, or what the compute thread left of it */
	Bm25TopKResume(bm25);
	Bm25TopKRun(bm25);
	hits = Bm25TopKEnd(bm25, &nhits);
	raw[0].n = nhits;
	raw[0].ids = palloc(sizeof(int64) * Max(nhits, 1));
	raw[0].scores = palloc(sizeof(double) * Max(nhits, 1));
	raw[0].weight = w[0];
	for (int i = 0; i < nhits; i++)
	{
		raw[0].ids[i] = hits[i].id;
		raw[0].scores[i] = hits[i].score;
	}
	if (!apart)
		raw[1] = VectorCandidates(relid, index.id_column, cols[0], distance, PG_GETARG_DATUM(2),
								  get_fn_expr_argtype(fcinfo->flinfo, 2), candidates);
	raw[1].weight = w[1];

	/* weighted fusion normalises "higher is better": negate distances unless 'distance' */
	lists[0] = raw[0];
	lists[1] = raw[1];
	if (!rrf && norms[1] != SEARCH_NORM_DISTANCE)
	{
		lists[1].scores = palloc(sizeof(double) * Max(raw[1].n, 1));
		for (int i = 0; i < raw[1].n; i++)
			lists[1].scores[i] = -raw[1].scores[i];
	}
	rows = SearchFuse(lists, 2, rrf, PG_GETARG_INT32(8), norms, &nrows);

	store = SearchBeginResult(fcinfo, &tupdesc);
	for (int i = 0; i < Min(nrows, k); i++)
	{
		Datum		values[7];
		bool		nulls[7] = {false, false, false, false, false, false, false};

		values[0] = Int64GetDatum(rows[i].id);
		values[1] = Float8GetDatum(rows[i].score);
		values[2] = Int32GetDatum(i + 1);
		for (int l = 0; l < 2; l++)
		{
			int			r = rows[i].ranks[l];

			nulls[3 + 2 * l] = nulls[4 + 2 * l] = (r == 0);
			if (r != 0)
			{
				values[3 + 2 * l] = Int32GetDatum(r);
				values[4 + 2 * l] = Float8GetDatum(raw[l].scores[r - 1]);
			}
		}
		tuplestore_putvalues(store, tupdesc, values, nulls);
	}
	return (Datum) 0;
}
