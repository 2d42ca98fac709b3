/*
 * src/graph/reader.c
 *	  The edge reader: reads the edges of many nodes at once through a btree
 *	  index of the graph's table, under the caller's active snapshot.
 *
 * Design note.  One scan per frontier: the scan key is `key = ANY(ids)`
 * (SK_SEARCHARRAY), so btree sorts and dedups the ids and returns the edges
 * grouped by key in ascending order, with no executor or SQL overhead per
 * node.  When the index holds every column the reader needs (for example
 * `(src) INCLUDE (dst, relation, weight)`), the scan is index-only: like
 * nodeIndexonlyscan.c we trust the index tuple when the visibility map says
 * the heap page is all-visible and otherwise fetch the heap tuple to check
 * visibility, so deleted and uncommitted edges stay invisible either way.
 *
 * The index used for direction out has the source as first key: the src
 * column, or the expression vecrag.edge_src(edge) in the edge form; for
 * direction in, the target.  Partial and invalid indexes are never used:
 * they may not hold every edge.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/nbtree.h"
#include "access/relscan.h"
#include "access/visibilitymap.h"
#include "catalog/namespace.h"
#include "catalog/pg_am.h"
#include "catalog/pg_opfamily.h"
#include "catalog/pg_type.h"
#include "nodes/makefuncs.h"
#include "nodes/primnodes.h"
#include "parser/parse_func.h"
#include "storage/bufmgr.h"
#include "storage/predicate.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "core/int_datum.h"
#include "graph/graph.h"

/* frontier ids are handed to btree as an int8[] built straight from int64s */
#if !FLOAT8PASSBYVAL
#error "vecrag's graph reader needs 64-bit pass-by-value Datums"
#endif

/* the values a row is built from */
enum
{
	FIELD_KEY,
	FIELD_OTHER,
	FIELD_WEIGHT,
	FIELD_RELATION,
	FIELD_EDGE,
	NFIELDS
};

struct GraphReader
{
	const GraphDef *def;
	const GraphRelationFilter *filter;
	Relation	heap;
	Relation	index;
	bool		inbound;
	bool		index_only;
	RegProcedure eqproc;		/* key column = int8 */
	Oid			subtype;
	IndexScanDesc scan;
	TableScanDesc seqscan;		/* instead of index and scan, whole table */
	TupleTableSlot *slot;
	Buffer		vmbuffer;
	AttrNumber	att[NFIELDS];	/* index attnos (index_only) or heap attnos */
	ArrayType  *keys;
	/* instead of the index: the edges cached in backend memory */
	GraphCache *cache;
	const GraphAdjacency *adj;
	bool	   *relmatch;		/* per relation code; NULL: all pass */
	int64	   *ckeys;			/* the scan's keys, sorted, distinct */
	int			nckeys;
	int			kpos;			/* next key of ckeys */
	int64		epos;			/* next edge of the current key */
	int64		eend;
	int64		ckey;
};

static Oid	FindIndex(const GraphDef *def, Relation heap, bool inbound,
					  bool *covering, RegProcedure *eqproc, Oid *subtype);
static bool IndexKeyMatches(const GraphDef *def, Relation index, bool inbound);
static void BuildRow(GraphReader *reader, Datum *vals, bool *nulls,
					 GraphEdgeRow *row, bool *valid);
static void MissingIndexError(const GraphDef *def, bool inbound);
static GraphReader *OpenIndexReader(const GraphDef *def, Relation heap,
									bool inbound,
									const GraphRelationFilter *filter,
									Oid indexoid, bool index_only,
									RegProcedure eqproc, Oid subtype);
static bool NextCached(GraphReader *reader, GraphEdgeRow *row);
static int	CompareInt64(const void *a, const void *b);

/*
 * Is the first key of index the source (inbound: target) of the graph's
 * edges?  Column form: the column itself.  Edge form: the expression
 * vecrag.edge_src(edge) (inbound: vecrag.edge_dst(edge)).
 */
static bool
IndexKeyMatches(const GraphDef *def, Relation index, bool inbound)
{
	AttrNumber	first = index->rd_index->indkey.values[0];
	List	   *exprs;
	Node	   *expr;
	FuncExpr   *func;
	Var		   *var;
	Oid			edgetype;
	Oid			funcoid;
	char	   *funcname = inbound ? "edge_dst" : "edge_src";

	if (def->edge_attno == InvalidAttrNumber)
		return first == (inbound ? def->dst_attno : def->src_attno);
	if (first != 0)
		return false;
	exprs = RelationGetIndexExpressions(index);
	if (exprs == NIL)
		return false;
	expr = (Node *) linitial(exprs);
	if (!IsA(expr, FuncExpr))
		return false;
	func = (FuncExpr *) expr;
	if (list_length(func->args) != 1 || !IsA(linitial(func->args), Var))
		return false;
	var = (Var *) linitial(func->args);
	if (var->varattno != def->edge_attno)
		return false;
	edgetype = var->vartype;
	funcoid = LookupFuncName(list_make2(makeString("vecrag"), makeString(funcname)),
							 1, &edgetype, true);
	return OidIsValid(funcoid) && func->funcid == funcoid;
}

/*
 * Choose the btree index to read edges by source (inbound: by target).
 * Prefers an index that covers every column needed (index-only scans),
 * then the narrowest.  Returns InvalidOid when there is none.
 */
static Oid
FindIndex(const GraphDef *def, Relation heap, bool inbound, bool *covering,
		  RegProcedure *eqproc, Oid *subtype)
{
	List	   *indexes = RelationGetIndexList(heap);
	ListCell   *lc;
	Oid			best = InvalidOid;
	int			best_score = PG_INT32_MIN;
	AttrNumber	needed[3];
	int			nneeded = 0;

	if (def->edge_attno != InvalidAttrNumber)
		needed[nneeded++] = def->edge_attno;
	else
	{
		needed[nneeded++] = inbound ? def->src_attno : def->dst_attno;
		if (def->weight_attno != InvalidAttrNumber)
			needed[nneeded++] = def->weight_attno;
	}
	if (def->relation_attno != InvalidAttrNumber)
		needed[nneeded++] = def->relation_attno;

	foreach(lc, indexes)
	{
		Relation	index = index_open(lfirst_oid(lc), AccessShareLock);
		bool		cover = true;
		int			score;
		int			i,
					j;
		Oid			opr;

		if (index->rd_rel->relam != BTREE_AM_OID ||
			!index->rd_index->indisvalid ||
			!heap_attisnull(index->rd_indextuple, Anum_pg_index_indpred, NULL) ||
			!IndexKeyMatches(def, index, inbound))
		{
			index_close(index, AccessShareLock);
			continue;
		}
		opr = get_opfamily_member(index->rd_opfamily[0], index->rd_opcintype[0],
								  INT8OID, BTEqualStrategyNumber);
		if (!OidIsValid(opr))
		{
			index_close(index, AccessShareLock);
			continue;
		}
		for (i = 0; i < nneeded; i++)
		{
			bool		found = false;

			for (j = 0; j < index->rd_index->indnatts; j++)
				if (index->rd_index->indkey.values[j] == needed[i])
					found = true;
			if (!found)
				cover = false;
		}
		score = (cover ? 1000 : 0) - index->rd_index->indnatts;
		if (score > best_score)
		{
			best_score = score;
			best = RelationGetRelid(index);
			*covering = cover;
			*eqproc = get_opcode(opr);
			*subtype = INT8OID;
		}
		index_close(index, AccessShareLock);
	}
	list_free(indexes);
	return best;
}

/* Has the graph's table an index to read edges by source (inbound: target)? */
bool
GraphHasIndex(const GraphDef *def, Relation heap, bool inbound)
{
	bool		covering;
	RegProcedure eqproc;
	Oid			subtype;

	return OidIsValid(FindIndex(def, heap, inbound, &covering, &eqproc, &subtype));
}

/* Error for a graph without the index a direction needs, naming it. */
static void
MissingIndexError(const GraphDef *def, bool inbound)
{
	const char *col;

	if (def->edge_attno != InvalidAttrNumber)
	{
		col = psprintf("vecrag.%s(%s)", inbound ? "edge_dst" : "edge_src",
					   get_attname(def->relid, def->edge_attno, false));
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("table %s has no btree index on %s", def->relname, col),
				 errdetail("Graph \"%s\" is read %s through a btree index whose first key is %s.",
						   def->name, inbound ? "backwards (direction 'in' or 'both')" : "forwards", col),
				 errhint("CREATE INDEX ON %s (%s);", def->relname, col)));
	}
	col = get_attname(def->relid, inbound ? def->dst_attno : def->src_attno, false);
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_OBJECT),
			 errmsg("table %s has no btree index on column \"%s\"", def->relname, col),
			 errdetail("Graph \"%s\" is read %s through a btree index whose first key is column \"%s\".",
					   def->name, inbound ? "backwards (direction 'in' or 'both')" : "forwards", col),
			 errhint("CREATE INDEX ON %s (%s) INCLUDE (%s);", def->relname, col,
					 get_attname(def->relid, inbound ? def->src_attno : def->dst_attno, false))));
}

/*
 * Open a reader of heap's edges by source (inbound: by target).  Errors
 * with a hint naming the index to create when there is none.  Reads the
 * edges cached in backend memory when the cache holds them for the
 * caller's snapshot (cache.c), or this call's policy-filtered edges under
 * row-level security; otherwise the index.  The reader and its scan live
 * in the current memory context.
 */
GraphReader *
GraphReaderOpen(const GraphDef *def, Relation heap, bool inbound,
				const GraphRelationFilter *filter)
{
	Oid			indexoid;
	bool		index_only;
	RegProcedure eqproc;
	Oid			subtype;
	GraphCache *cache;

	indexoid = FindIndex(def, heap, inbound, &index_only, &eqproc, &subtype);
	if (!OidIsValid(indexoid))
		MissingIndexError(def, inbound);
	cache = GraphCacheAcquire(def, heap);
	if (cache != NULL)
	{
		const GraphAdjacency *adj = GraphCacheAdjacency(cache, def, heap, inbound, indexoid);

		if (adj != NULL)
		{
			GraphReader *reader = palloc0(sizeof(GraphReader));

			reader->def = def;
			reader->filter = filter;
			reader->heap = heap;
			reader->inbound = inbound;
			reader->cache = cache;
			reader->adj = adj;
			reader->relmatch = GraphCacheFilter(cache, filter);
			return reader;
		}
		GraphCacheRelease(cache);
	}
	return OpenIndexReader(def, heap, inbound, filter, indexoid, index_only,
						   eqproc, subtype);
}

/*
 * Open a reader of every edge through the index a direction uses, never
 * the cache (which it fills); *indexoid is set to that index.
 */
GraphReader *
GraphReaderOpenIndexed(const GraphDef *def, Relation heap, bool inbound,
					   Oid *indexoid)
{
	bool		index_only;
	RegProcedure eqproc;
	Oid			subtype;

	*indexoid = FindIndex(def, heap, inbound, &index_only, &eqproc, &subtype);
	if (!OidIsValid(*indexoid))
		MissingIndexError(def, inbound);
	return OpenIndexReader(def, heap, inbound, NULL, *indexoid, index_only,
						   eqproc, subtype);
}

static GraphReader *
OpenIndexReader(const GraphDef *def, Relation heap, bool inbound,
				const GraphRelationFilter *filter, Oid indexoid,
				bool index_only, RegProcedure eqproc, Oid subtype)
{
	GraphReader *reader = palloc0(sizeof(GraphReader));
	int			i,
				j;

	reader->index_only = index_only;
	reader->eqproc = eqproc;
	reader->subtype = subtype;
	reader->def = def;
	reader->filter = filter;
	reader->heap = heap;
	reader->inbound = inbound;
	reader->index = index_open(indexoid, AccessShareLock);
	reader->vmbuffer = InvalidBuffer;
	reader->slot = table_slot_create(heap, NULL);

	/* where each field comes from: heap attnos, mapped to index attnos */
	for (i = 0; i < NFIELDS; i++)
		reader->att[i] = InvalidAttrNumber;
	if (def->edge_attno != InvalidAttrNumber)
		reader->att[FIELD_EDGE] = def->edge_attno;
	else
	{
		reader->att[FIELD_KEY] = inbound ? def->dst_attno : def->src_attno;
		reader->att[FIELD_OTHER] = inbound ? def->src_attno : def->dst_attno;
		reader->att[FIELD_WEIGHT] = def->weight_attno;
	}
	reader->att[FIELD_RELATION] = def->relation_attno;
	if (reader->index_only)
	{
		for (i = 0; i < NFIELDS; i++)
		{
			AttrNumber	heapatt = reader->att[i];

			if (heapatt == InvalidAttrNumber)
				continue;
			reader->att[i] = InvalidAttrNumber;
			for (j = 0; j < reader->index->rd_index->indnatts; j++)
				if (reader->index->rd_index->indkey.values[j] == heapatt)
				{
					reader->att[i] = j + 1;
					break;
				}
			Assert(reader->att[i] != InvalidAttrNumber);
		}
	}
	return reader;
}

/* Scan every entry of an index reader's index, in index order. */
void
GraphReaderScanAll(GraphReader *reader)
{
	Assert(reader->index != NULL && reader->scan == NULL);
	reader->scan = index_beginscan(reader->heap, reader->index,
								   GetActiveSnapshot(), 0, 0);
	reader->scan->xs_want_itup = reader->index_only;
	index_rescan(reader->scan, NULL, 0, NULL, 0);
}

static int
CompareInt64(const void *a, const void *b)
{
	int64		x = *(const int64 *) a;
	int64		y = *(const int64 *) b;

	return x < y ? -1 : (x > y ? 1 : 0);
}

/*
 * Start reading the edges of keys[0..nkeys-1] (any order, duplicates
 * allowed).  Ends any previous scan of this reader.
 */
void
GraphReaderScan(GraphReader *reader, int64 *keys, int nkeys)
{
	ScanKeyData key;

	if (reader->adj != NULL)
	{
		/* as btree does with = ANY: keys sorted and distinct */
		int			i,
					n = 0;

		if (reader->ckeys != NULL)
			pfree(reader->ckeys);
		reader->ckeys = palloc(sizeof(int64) * Max(nkeys, 1));
		memcpy(reader->ckeys, keys, sizeof(int64) * nkeys);
		qsort(reader->ckeys, nkeys, sizeof(int64), CompareInt64);
		for (i = 0; i < nkeys; i++)
			if (n == 0 || reader->ckeys[i] != reader->ckeys[n - 1])
				reader->ckeys[n++] = reader->ckeys[i];
		reader->nckeys = n;
		reader->kpos = 0;
		reader->epos = reader->eend = 0;
		return;
	}
	if (reader->keys != NULL)
		pfree(reader->keys);
	reader->keys = construct_array((Datum *) keys, nkeys, INT8OID, sizeof(int64),
								   FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
	ScanKeyEntryInitialize(&key, SK_SEARCHARRAY, 1, BTEqualStrategyNumber,
						   reader->subtype, InvalidOid, reader->eqproc,
						   PointerGetDatum(reader->keys));
	if (reader->scan == NULL)
	{
		reader->scan = index_beginscan(reader->heap, reader->index,
									   GetActiveSnapshot(), 1, 0);
		reader->scan->xs_want_itup = reader->index_only;
	}
	index_rescan(reader->scan, &key, 1, NULL, 0);
}

/*
 * Turn the values of one tuple into a row; *valid is false for rows to skip
 * (NULL target, relation filtered out).
 */
static void
BuildRow(GraphReader *reader, Datum *vals, bool *nulls, GraphEdgeRow *row,
		 bool *valid)
{
	const GraphDef *def = reader->def;

	*valid = false;
	if (reader->att[FIELD_EDGE] != InvalidAttrNumber)
	{
		if (nulls[FIELD_EDGE])
			return;
		row->edge = *DatumGetGraphEdgeP(vals[FIELD_EDGE]);
	}
	else
	{
		int64		key,
					other;

		if (nulls[FIELD_KEY] || nulls[FIELD_OTHER])
			return;
		key = IntDatumGetInt64(vals[FIELD_KEY], reader->inbound ? def->dst_type : def->src_type);
		other = IntDatumGetInt64(vals[FIELD_OTHER], reader->inbound ? def->src_type : def->dst_type);
		row->edge.src = reader->inbound ? other : key;
		row->edge.dst = reader->inbound ? key : other;
		row->edge.pad = 0;
		row->edge.weight = 1.0f;
		if (reader->att[FIELD_WEIGHT] != InvalidAttrNumber && !nulls[FIELD_WEIGHT])
		{
			switch (def->weight_type)
			{
				case FLOAT4OID:
					row->edge.weight = DatumGetFloat4(vals[FIELD_WEIGHT]);
					break;
				case FLOAT8OID:
					row->edge.weight = (float4) DatumGetFloat8(vals[FIELD_WEIGHT]);
					break;
				default:
					row->edge.weight = (float4) IntDatumGetInt64(vals[FIELD_WEIGHT], def->weight_type);
					break;
			}
		}
	}
	row->from = reader->inbound ? row->edge.dst : row->edge.src;
	row->to = reader->inbound ? row->edge.src : row->edge.dst;
	row->relation = NULL;
	row->relation_len = -1;
	if (reader->att[FIELD_RELATION] != InvalidAttrNumber && !nulls[FIELD_RELATION])
	{
		struct varlena *t = pg_detoast_datum_packed((struct varlena *) DatumGetPointer(vals[FIELD_RELATION]));

		row->relation = VARDATA_ANY(t);
		row->relation_len = VARSIZE_ANY_EXHDR(t);
	}
	if (!GraphRelationMatches(reader->filter, row->relation, row->relation_len))
		return;
	*valid = true;
}

/*
 * The next visible edge of the current scan, or false at its end.  The
 * row's relation points into scan memory, valid until the next call.
 */
bool
GraphReaderNext(GraphReader *reader, GraphEdgeRow *row)
{
	IndexScanDesc scan = reader->scan;
	Datum		vals[NFIELDS];
	bool		nulls[NFIELDS];
	int			i;
	bool		valid;

	if (reader->adj != NULL)
		return NextCached(reader, row);
	for (;;)
	{
		if (reader->index_only)
		{
			ItemPointer tid = index_getnext_tid(scan, ForwardScanDirection);

			if (tid == NULL)
				return false;
			if (!VM_ALL_VISIBLE(reader->heap, ItemPointerGetBlockNumber(tid),
								&reader->vmbuffer))
			{
				/* not known visible to all: check this tuple's visibility */
				if (!index_fetch_heap(scan, reader->slot))
					continue;
				ExecClearTuple(reader->slot);
				if (scan->xs_heap_continue)
					elog(ERROR, "non-MVCC snapshots are not supported in graph index-only scans");
			}
			else
				PredicateLockPage(reader->heap, ItemPointerGetBlockNumber(tid),
								  scan->xs_snapshot);
			for (i = 0; i < NFIELDS; i++)
				if (reader->att[i] != InvalidAttrNumber)
					vals[i] = index_getattr(scan->xs_itup, reader->att[i],
											scan->xs_itupdesc, &nulls[i]);
		}
		else
		{
			if (reader->seqscan != NULL)
			{
				if (!table_scan_getnextslot(reader->seqscan, ForwardScanDirection,
											reader->slot))
					return false;
			}
			else if (!index_getnext_slot(scan, ForwardScanDirection, reader->slot))
				return false;
			for (i = 0; i < NFIELDS; i++)
				if (reader->att[i] != InvalidAttrNumber)
					vals[i] = slot_getattr(reader->slot, reader->att[i], &nulls[i]);
		}
		BuildRow(reader, vals, nulls, row, &valid);
		if (valid)
			return true;
	}
}

/*
 * Add to counts[i] the number of edges of keys[i] (keys ascending and
 * distinct) that GraphReaderNext would return after a scan of those keys,
 * by walking the index's leaf pages (degree.c) instead of descending once
 * per key.  Returns false, counting nothing, for a reader that cannot: one
 * served from the cache or reading the heap for its columns, or an index
 * whose first column is not in integer_ops ascending NULLS LAST order.
 */
bool
GraphReaderCount(GraphReader *reader, const int64 *keys, int nkeys,
				 int32 *counts)
{
	GraphCountSpec spec;

	if (reader->index == NULL || !reader->index_only ||
		reader->index->rd_opfamily[0] != INTEGER_BTREE_FAM_OID ||
		reader->index->rd_indoption[0] != 0)
		return false;
	spec.heap = reader->heap;
	spec.index = reader->index;
	spec.check_att = reader->att[FIELD_EDGE] != InvalidAttrNumber ?
		reader->att[FIELD_EDGE] : reader->att[FIELD_OTHER];
	spec.relation_att = reader->att[FIELD_RELATION];
	spec.filter = reader->filter;
	Assert(spec.filter == NULL || spec.relation_att != InvalidAttrNumber);
	GraphIndexCount(&spec, keys, nkeys, counts);
	return true;
}

/*
 * The next edge from the cache, in the order an index scan with the same
 * keys would return it: keys ascending, each key's edges in index order.
 */
static bool
NextCached(GraphReader *reader, GraphEdgeRow *row)
{
	const GraphAdjacency *adj = reader->adj;
	const GraphCache *cache = reader->cache;

	for (;;)
	{
		while (reader->epos < reader->eend)
		{
			int64		e = reader->epos++;
			int32		code = adj->relations[e];

			if (reader->relmatch != NULL && (code < 0 || !reader->relmatch[code]))
				continue;
			row->from = reader->ckey;
			row->to = GraphAdjacencyOther(adj, e);
			row->edge.src = reader->inbound ? row->to : row->from;
			row->edge.dst = reader->inbound ? row->from : row->to;
			row->edge.weight = adj->weights[e];
			row->edge.pad = 0;
			if (code < 0)
			{
				row->relation = NULL;
				row->relation_len = -1;
			}
			else
			{
				row->relation = cache->relnames[code];
				row->relation_len = cache->rellens[code];
			}
			return true;
		}
		if (reader->kpos >= reader->nckeys)
			return false;
		reader->ckey = reader->ckeys[reader->kpos++];
		{
			int32		k = GraphNodeMapLookup(adj->map, reader->ckey);

			if (k >= 0)
			{
				reader->epos = adj->offsets[k];
				reader->eend = adj->offsets[k + 1];
			}
		}
	}
}

/*
 * The adjacency a reader serves from the cache, or NULL when it reads an
 * index.  *cache is the cache it pins (valid until GraphReaderClose),
 * *relmatch its relation filter by relation code (NULL: every edge
 * passes), *inbound whether the adjacency is by target.
 */
const GraphAdjacency *
GraphReaderCached(GraphReader *reader, const GraphCache **cache,
				  const bool **relmatch, bool *inbound)
{
	*cache = reader->cache;
	*relmatch = reader->relmatch;
	*inbound = reader->inbound;
	return reader->adj;
}

/*
 * Open a reader of every edge of heap, in physical order, by a sequential
 * scan under the active snapshot (for algorithms that load the whole graph).
 * The scan never starts mid-table (no synchronized scans), so the order is
 * the same on every call that sees the same edges.  want_relation reads the
 * relation even without a filter.
 */
GraphReader *
GraphReaderOpenSeq(const GraphDef *def, Relation heap,
				   const GraphRelationFilter *filter, bool want_relation)
{
	GraphReader *reader = palloc0(sizeof(GraphReader));
	int			i;

	reader->def = def;
	reader->filter = filter;
	reader->heap = heap;
	reader->vmbuffer = InvalidBuffer;
	reader->slot = table_slot_create(heap, NULL);
	for (i = 0; i < NFIELDS; i++)
		reader->att[i] = InvalidAttrNumber;
	if (def->edge_attno != InvalidAttrNumber)
		reader->att[FIELD_EDGE] = def->edge_attno;
	else
	{
		reader->att[FIELD_KEY] = def->src_attno;
		reader->att[FIELD_OTHER] = def->dst_attno;
		reader->att[FIELD_WEIGHT] = def->weight_attno;
	}
	/* whole-graph loads keep no relation names: read them only to filter */
	if (filter != NULL || want_relation)
		reader->att[FIELD_RELATION] = def->relation_attno;
	reader->seqscan = table_beginscan_strat(heap, GetActiveSnapshot(), 0, NULL,
											true, false);
	return reader;
}

void
GraphReaderClose(GraphReader *reader)
{
	if (reader->cache != NULL)
	{
		GraphCacheRelease(reader->cache);
		return;
	}
	if (reader->seqscan != NULL)
		table_endscan(reader->seqscan);
	if (reader->scan != NULL)
		index_endscan(reader->scan);
	if (BufferIsValid(reader->vmbuffer))
		ReleaseBuffer(reader->vmbuffer);
	ExecDropSingleTupleTableSlot(reader->slot);
	if (reader->index != NULL)
		index_close(reader->index, NoLock);
}
