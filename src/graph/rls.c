/*
 * src/graph/rls.c
 *	  Graph edges under row-level security: read through SPI, so that the
 *	  planner applies the table's policies for the calling role, into this
 *	  call's own adjacency.
 *
 * Design note.  The index and heap scans of reader.c see every visible row
 * and could not apply policies (their expressions may call any function,
 * see other tables, or depend on the role).  So when row-level security
 * applies to the caller, one query `SELECT <graph columns> FROM ONLY table
 * ORDER BY <them>` runs as the caller under the active snapshot; the rows
 * the policies let through become a private GraphCache: the edge list in
 * that order (for PageRank and communities) and, per direction, the edges
 * grouped by key, stable (so by key, then the other columns).  Nothing of it is shared with other
 * calls.  Memory is checked against work_mem; the whole table is read on
 * every call, so graphs under row-level security cost a full read per call.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "core/int_datum.h"
#include "graph/graph.h"

typedef struct KeyedEdge
{
	int64		key;
	int64		pos;
} KeyedEdge;

static int	CompareKeyed(const void *a, const void *b);
static GraphAdjacency *GroupByKey(const GraphEdgeList *list, bool inbound);
static int32 PolicyRelationCode(GraphCache *cache, text *t);

static int
CompareKeyed(const void *a, const void *b)
{
	const KeyedEdge *x = a;
	const KeyedEdge *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->pos < y->pos ? -1 : (x->pos > y->pos ? 1 : 0);
}

/* Relation codes: few distinct names, so a linear search is enough. */
static int32
PolicyRelationCode(GraphCache *cache, text *t)
{
	const char *name = VARDATA_ANY(t);
	int			len = VARSIZE_ANY_EXHDR(t);
	int32		i;

	for (i = 0; i < cache->nrelations; i++)
		if (cache->rellens[i] == len && memcmp(cache->relnames[i], name, len) == 0)
			return i;
	if (cache->nrelations == cache->relcap)
	{
		cache->relcap = Max(16, cache->relcap * 2);
		cache->relnames = cache->relnames ?
			repalloc(cache->relnames, sizeof(char *) * cache->relcap) :
			palloc(sizeof(char *) * cache->relcap);
		cache->rellens = cache->rellens ?
			repalloc(cache->rellens, sizeof(int) * cache->relcap) :
			palloc(sizeof(int) * cache->relcap);
	}
	cache->relnames[cache->nrelations] = pnstrdup(name, len);
	cache->rellens[cache->nrelations] = len;
	return cache->nrelations++;
}

/* The list's edges grouped by source (inbound: target), stable. */
static GraphAdjacency *
GroupByKey(const GraphEdgeList *list, bool inbound)
{
	GraphAdjacency *adj = palloc0(sizeof(GraphAdjacency));
	KeyedEdge  *items = GraphAllocHuge(sizeof(KeyedEdge) * Max(list->n, 1));
	int64		i;

	for (i = 0; i < list->n; i++)
	{
		items[i].key = inbound ? list->dst[i] : list->src[i];
		items[i].pos = i;
	}
	qsort(items, list->n, sizeof(KeyedEdge), CompareKeyed);
	adj->keys = GraphAllocHuge(sizeof(int64) * Max(list->n, 1));
	adj->offsets = GraphAllocHuge(sizeof(int64) * (list->n + 1));
	adj->other = GraphAllocHuge(sizeof(int64) * Max(list->n, 1));
	adj->weights = GraphAllocHuge(sizeof(float4) * Max(list->n, 1));
	adj->relations = GraphAllocHuge(sizeof(int32) * Max(list->n, 1));
	for (i = 0; i < list->n; i++)
	{
		int64		p = items[i].pos;

		if (adj->nkeys == 0 || items[i].key != adj->keys[adj->nkeys - 1])
		{
			adj->offsets[adj->nkeys] = i;
			adj->keys[adj->nkeys++] = items[i].key;
		}
		adj->other[i] = inbound ? list->src[p] : list->dst[p];
		adj->weights[i] = list->weights[p];
		adj->relations[i] = list->relations[p];
	}
	adj->offsets[adj->nkeys] = list->n;
	adj->nedges = list->n;
	adj->map = GraphAdjacencyMap(adj, CurrentMemoryContext);
	pfree(items);
	GraphAdjacencyNumber(adj);
	return adj;
}

/*
 * Read the edges of def's table that the caller's policies let through,
 * as SELECT would, into a private GraphCache in the current memory
 * context (freed with the call).
 */
GraphCache *
GraphReadPolicyEdges(GraphDef *def, Relation heap)
{
	MemoryContext cxt = CurrentMemoryContext;
	GraphCache *cache = palloc0(sizeof(GraphCache));
	GraphEdgeList *list = palloc0(sizeof(GraphEdgeList));
	StringInfoData query;
	Portal		portal;
	int64		cap = 4096;
	bool		edge_form = def->edge_attno != InvalidAttrNumber;

#define COL(attno) quote_identifier(get_attname(def->relid, (attno), false))
	initStringInfo(&query);
	if (edge_form)
		appendStringInfo(&query, "SELECT %s, NULL::float8", COL(def->edge_attno));
	else if (def->weight_attno != InvalidAttrNumber)
		appendStringInfo(&query, "SELECT %s, %s, %s::float8", COL(def->src_attno),
						 COL(def->dst_attno), COL(def->weight_attno));
	else
		appendStringInfo(&query, "SELECT %s, %s, NULL::float8", COL(def->src_attno),
						 COL(def->dst_attno));
	if (def->relation_attno != InvalidAttrNumber)
		appendStringInfo(&query, ", %s::text", COL(def->relation_attno));
	else
		appendStringInfoString(&query, ", NULL::text");
	/*
	 * Sorted by every column read, so the order does not depend on where
	 * rows sit in the table (rows equal in all of them are interchangeable),
	 * and without ctid, which column-level SELECT does not cover.
	 */
	appendStringInfo(&query, " FROM ONLY %s ORDER BY 1, 2, 3%s", def->relname,
					 edge_form ? "" : ", 4");
#undef COL

	cache->is_private = true;
	cache->cxt = cxt;
	cache->relid = def->relid;
	GraphEdgeListResize(list, cap);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	portal = SPI_cursor_open_with_args(NULL, query.data, 0, NULL, NULL, NULL,
									   true, 0);
	for (;;)
	{
		uint64		r;

		CHECK_FOR_INTERRUPTS();
		SPI_cursor_fetch(portal, true, 8192);
		if (SPI_processed == 0)
			break;
		for (r = 0; r < SPI_processed; r++)
		{
			HeapTuple	tup = SPI_tuptable->vals[r];
			TupleDesc	desc = SPI_tuptable->tupdesc;
			bool		isnull1,
						isnull2,
						wnull,
						rnull;
			Datum		d1 = SPI_getbinval(tup, desc, 1, &isnull1);
			Datum		d2 = edge_form ? (Datum) 0 : SPI_getbinval(tup, desc, 2, &isnull2);
			int			wcol = edge_form ? 2 : 3;
			Datum		w = SPI_getbinval(tup, desc, wcol, &wnull);
			Datum		rel = SPI_getbinval(tup, desc, wcol + 1, &rnull);
			int64		n = list->n;
			MemoryContext old;

			if (isnull1 || (!edge_form && isnull2))
				continue;		/* as the readers: no edge without both ends */
			old = MemoryContextSwitchTo(cxt);
			if (n == cap)
			{
				cap *= 2;
				GraphEdgeListResize(list, cap);
				GraphCheckMemory(cxt, "reading edges under row-level security");
			}
			if (edge_form)
			{
				GraphEdge  *e = DatumGetGraphEdgeP(d1);

				list->src[n] = e->src;
				list->dst[n] = e->dst;
				list->weights[n] = e->weight;
			}
			else
			{
				list->src[n] = IntDatumGetInt64(d1, def->src_type);
				list->dst[n] = IntDatumGetInt64(d2, def->dst_type);
				list->weights[n] = wnull ? 1.0f : (float4) DatumGetFloat8(w);
			}
			list->relations[n] = rnull ? -1 : PolicyRelationCode(cache, DatumGetTextPP(rel));
			list->n++;
			MemoryContextSwitchTo(old);
		}
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(portal);
	SPI_finish();

	cache->list = list;
	cache->adj[0] = GroupByKey(list, false);
	cache->adj[1] = GroupByKey(list, true);
	GraphCheckMemory(cxt, "reading edges under row-level security");
	return cache;
}
