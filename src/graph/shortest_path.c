/*
 * src/graph/shortest_path.c
 *	  vecrag.shortest_path: one shortest path between two nodes, by hops
 *	  (breadth-first, bidirectional when the table has the indexes to read
 *	  edges both ways) or by weight (Dijkstra; weights must be >= 0).
 *
 * Design note.  The bidirectional search expands, one whole level at a
 * time, whichever side has the smaller frontier; the first level that meets
 * the other side holds a shortest path, and the best meeting node of that
 * level is taken (see the proof sketch at ExpandSide).  Each level is read
 * with one index scan per 8192 frontier nodes, as in traverse.c.  Dijkstra
 * settles nodes from a binary heap with lazy deletion and reads one node's
 * edges per scan.  A path is returned as one row per hop; no path, an
 * empty result.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/memutils.h"

#include "graph/graph.h"

#define PATH_BATCH 8192

typedef struct PathNode
{
	int64		id;
	int32		parent;			/* -1 at the side's start node */
	int32		depth;
	float8		dist;			/* Dijkstra: best distance so far */
	bool		settled;
	GraphEdge	edge;			/* edge between this node and its parent */
	char	   *relation;
} PathNode;

/* One search side: the nodes it reached and its readers. */
typedef struct PathSide
{
	GraphNodeMap *map;
	PathNode   *nodes;
	int32		nnodes;
	int32		capacity;
	int32		start;			/* frontier is nodes[start..nnodes) */
	GraphReader *readers[2];
	int			nreaders;
} PathSide;

typedef struct HeapItem
{
	float8		dist;
	int32		node;
} HeapItem;

static void InitSide(PathSide *side, int64 start);
static int32 AddPathNode(PathSide *side, int64 id, int32 parent,
						 const GraphEdgeRow *row, bool *found);
static void ExpandSide(PathSide *side, PathSide *other, MemoryContext cxt,
					   int32 *meet_side, int32 *meet_other, int32 *best);
static void HeapPush(HeapItem **heap, int *n, int *cap, float8 dist, int32 node);
static HeapItem HeapPop(HeapItem *heap, int *n);
static void EmitPath(Tuplestorestate *store, TupleDesc tupdesc,
					 PathSide *fwd, int32 fnode, PathSide *bwd, int32 bnode);

static void
InitSide(PathSide *side, int64 start)
{
	bool		found;

	side->map = GraphNodeMapCreate(CurrentMemoryContext, 256);
	side->capacity = 256;
	side->nodes = palloc(sizeof(PathNode) * side->capacity);
	side->nnodes = 0;
	side->start = 0;
	side->nreaders = 0;
	AddPathNode(side, start, -1, NULL, &found);
}

static int32
AddPathNode(PathSide *side, int64 id, int32 parent, const GraphEdgeRow *row,
			bool *found)
{
	int32		index = GraphNodeMapInsert(side->map, id, side->nnodes, found);
	PathNode   *node;

	if (*found)
		return index;
	if (side->nnodes == side->capacity)
	{
		if (side->capacity >= (int32) (PG_INT32_MAX / 2))
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("shortest path search reached more than %d nodes", side->capacity)));
		side->capacity *= 2;
		side->nodes = repalloc_huge(side->nodes, sizeof(PathNode) * side->capacity);
	}
	node = &side->nodes[index];
	node->id = id;
	node->parent = parent;
	node->depth = parent < 0 ? 0 : side->nodes[parent].depth + 1;
	node->dist = parent < 0 ? 0 : get_float8_infinity();
	node->settled = false;
	node->relation = NULL;
	if (row != NULL)
	{
		node->edge = row->edge;
		if (row->relation_len >= 0)
			node->relation = pnstrdup(row->relation, row->relation_len);
	}
	else
		memset(&node->edge, 0, sizeof(GraphEdge));
	side->nnodes++;
	return index;
}

/*
 * Expand side's frontier by one level.  Nodes reached for the first time
 * that the other side has already reached are meeting points; keep the one
 * with the fewest hops in *best (*meet_side, *meet_other: its index in each
 * side).  Before this level no node was reached by both sides, so every
 * path is longer than the sum of the two sides' depths; a shortest path of
 * length df + 1 + db therefore has its node at depth df + 1 reached now,
 * and the minimum over this level's meetings is a shortest path.
 */
static void
ExpandSide(PathSide *side, PathSide *other, MemoryContext cxt,
		   int32 *meet_side, int32 *meet_other, int32 *best)
{
	int32		start = side->start;
	int32		end = side->nnodes;
	int64	   *ids = palloc(sizeof(int64) * PATH_BATCH);
	int32		batch;
	int			r;

	for (r = 0; r < side->nreaders; r++)
	{
		for (batch = start; batch < end; batch += PATH_BATCH)
		{
			int			n = Min(PATH_BATCH, end - batch);
			int			i;
			GraphEdgeRow row;
			int64		last_from = 0;
			int32		parent = -1;
			uint32		rows = 0;

			CHECK_FOR_INTERRUPTS();
			for (i = 0; i < n; i++)
				ids[i] = side->nodes[batch + i].id;
			GraphReaderScan(side->readers[r], ids, n);
			while (GraphReaderNext(side->readers[r], &row))
			{
				bool		found;
				int32		index;
				int32		there;

				if ((++rows & 8191) == 0)
					CHECK_FOR_INTERRUPTS();
				if (parent < 0 || row.from != last_from)
				{
					parent = GraphNodeMapLookup(side->map, row.from);
					last_from = row.from;
				}
				index = AddPathNode(side, row.to, parent, &row, &found);
				if (found)
					continue;
				if ((side->nnodes & 1023) == 0)
					GraphCheckMemory(cxt, "shortest path search");
				there = GraphNodeMapLookup(other->map, row.to);
				if (there >= 0 &&
					(*best < 0 ||
					 side->nodes[index].depth + other->nodes[there].depth < *best))
				{
					*best = side->nodes[index].depth + other->nodes[there].depth;
					*meet_side = index;
					*meet_other = there;
				}
			}
		}
	}
	side->start = end;
	pfree(ids);
}

static void
HeapPush(HeapItem **heap, int *n, int *cap, float8 dist, int32 node)
{
	int			i;

	if (*n == *cap)
	{
		*cap *= 2;
		*heap = repalloc(*heap, sizeof(HeapItem) * *cap);
	}
	i = (*n)++;
	while (i > 0)
	{
		int			p = (i - 1) / 2;

		if ((*heap)[p].dist <= dist)
			break;
		(*heap)[i] = (*heap)[p];
		i = p;
	}
	(*heap)[i].dist = dist;
	(*heap)[i].node = node;
}

static HeapItem
HeapPop(HeapItem *heap, int *n)
{
	HeapItem	top = heap[0];
	HeapItem	last = heap[--(*n)];
	int			i = 0;

	for (;;)
	{
		int			c = 2 * i + 1;

		if (c >= *n)
			break;
		if (c + 1 < *n && heap[c + 1].dist < heap[c].dist)
			c++;
		if (last.dist <= heap[c].dist)
			break;
		heap[i] = heap[c];
		i = c;
	}
	if (*n > 0)
		heap[i] = last;
	return top;
}

/*
 * Emit the path source .. fwd node fnode (== bwd node bnode) .. target as
 * rows (depth, id, edge, relation, path_weight); bwd may be NULL.
 */
static void
EmitPath(Tuplestorestate *store, TupleDesc tupdesc, PathSide *fwd,
		 int32 fnode, PathSide *bwd, int32 bnode)
{
	int			nf = fwd->nodes[fnode].depth;
	int			nb = bwd ? bwd->nodes[bnode].depth : 0;
	int			total = nf + nb;
	GraphEdge  *edges = palloc(sizeof(GraphEdge) * (total + 1));
	char	  **relations = palloc(sizeof(char *) * (total + 1));
	int64	   *ids = palloc(sizeof(int64) * (total + 1));
	int32		at;
	int			k;
	float8		weight = 0;

	/* forward half: walk parents back to the source */
	at = fnode;
	for (k = nf; k >= 0; k--)
	{
		ids[k] = fwd->nodes[at].id;
		edges[k] = fwd->nodes[at].edge;
		relations[k] = fwd->nodes[at].relation;
		at = fwd->nodes[at].parent;
	}
	/* backward half: the meeting node's edge leads one hop toward target */
	if (bwd != NULL)
	{
		at = bnode;
		for (k = nf + 1; k <= total; k++)
		{
			edges[k] = bwd->nodes[at].edge;
			relations[k] = bwd->nodes[at].relation;
			at = bwd->nodes[at].parent;
			ids[k] = bwd->nodes[at].id;
		}
	}
	for (k = 0; k <= total; k++)
	{
		Datum		values[5];
		bool		nulls[5] = {false, false, false, false, false};

		values[0] = Int32GetDatum(k);
		values[1] = Int64GetDatum(ids[k]);
		if (k == 0)
		{
			nulls[2] = true;
			nulls[3] = true;
		}
		else
		{
			weight += edges[k].weight;
			values[2] = GraphEdgeGetDatum(&edges[k]);
			if (relations[k] != NULL)
				values[3] = CStringGetTextDatum(relations[k]);
			else
				nulls[3] = true;
		}
		values[4] = Float8GetDatum(weight);
		tuplestore_putvalues(store, tupdesc, values, nulls);
	}
}

PG_FUNCTION_INFO_V1(graph_shortest_path);
Datum
graph_shortest_path(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Tuplestorestate *store = GraphBeginSRF(fcinfo, &tupdesc);
	MemoryContext cxt,
				old;
	GraphDef   *def;
	Relation	rel;
	GraphDirection direction;
	GraphRelationFilter *filter;
	int64		source,
				target;
	bool		weighted;
	PathSide	fwd,
				bwd;
	int			r;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("graph name must not be null")));
	weighted = !PG_ARGISNULL(3) && PG_GETARG_BOOL(3);
	direction = GraphParseDirection(PG_ARGISNULL(4) ? NULL : PG_GETARG_TEXT_PP(4));
	cxt = AllocSetContextCreate(CurrentMemoryContext, "vecrag shortest_path",
								ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);
	def = GraphLookup(PG_GETARG_TEXT_PP(0));
	filter = GraphRelationFilterFromArray(PG_ARGISNULL(5) ? NULL : PG_GETARG_ARRAYTYPE_P(5), def);
	if (weighted && def->weight_attno == InvalidAttrNumber && def->edge_attno == InvalidAttrNumber)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("graph \"%s\" has no weight column", def->name),
				 errhint("Use weighted => false, or register the graph with weight => 'column'.")));
	rel = GraphOpenTable(def);
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		/* a path from or to NULL does not exist */
		table_close(rel, NoLock);
		MemoryContextSwitchTo(old);
		MemoryContextDelete(cxt);
		return (Datum) 0;
	}
	source = PG_GETARG_INT64(1);
	target = PG_GETARG_INT64(2);

	InitSide(&fwd, source);
	if (direction != GRAPH_IN)
		fwd.readers[fwd.nreaders++] = GraphReaderOpen(def, rel, false, filter);
	if (direction != GRAPH_OUT)
		fwd.readers[fwd.nreaders++] = GraphReaderOpen(def, rel, true, filter);

	if (source == target)
		EmitPath(store, tupdesc, &fwd, 0, NULL, 0);
	else if (!weighted && (direction == GRAPH_BOTH ||
						   GraphHasIndex(def, rel, direction == GRAPH_OUT)))
	{
		/* bidirectional BFS: the target side follows edges backwards */
		int32		meet_f = -1,
					meet_b = -1,
					best = -1;

		InitSide(&bwd, target);
		if (direction != GRAPH_OUT)
			bwd.readers[bwd.nreaders++] = GraphReaderOpen(def, rel, false, filter);
		if (direction != GRAPH_IN)
			bwd.readers[bwd.nreaders++] = GraphReaderOpen(def, rel, true, filter);
		while (best < 0 && fwd.start < fwd.nnodes && bwd.start < bwd.nnodes)
		{
			if (fwd.nnodes - fwd.start <= bwd.nnodes - bwd.start)
				ExpandSide(&fwd, &bwd, cxt, &meet_f, &meet_b, &best);
			else
				ExpandSide(&bwd, &fwd, cxt, &meet_b, &meet_f, &best);
		}
		if (best >= 0)
			EmitPath(store, tupdesc, &fwd, meet_f, &bwd, meet_b);
		for (r = 0; r < bwd.nreaders; r++)
			GraphReaderClose(bwd.readers[r]);
	}
	else if (!weighted)
	{
		/* one-sided BFS: the target is met when it is first reached */
		int32		meet_f = -1,
					meet_b = -1,
					best = -1;

		InitSide(&bwd, target);
		while (best < 0 && fwd.start < fwd.nnodes)
			ExpandSide(&fwd, &bwd, cxt, &meet_f, &meet_b, &best);
		if (best >= 0)
			EmitPath(store, tupdesc, &fwd, meet_f, NULL, 0);
	}
	else
	{
		/* Dijkstra */
		int			cap = 256,
					n = 0;
		HeapItem   *heap = palloc(sizeof(HeapItem) * cap);
		int32		found_at = -1;
		uint32		steps = 0;

		HeapPush(&heap, &n, &cap, 0, 0);
		while (n > 0)
		{
			HeapItem	item = HeapPop(heap, &n);
			PathNode   *node = &fwd.nodes[item.node];
			int64		id = node->id;
			float8		dist = node->dist;
			int32		from = item.node;

			if (node->settled || item.dist > node->dist)
				continue;
			node->settled = true;
			if (id == target)
			{
				found_at = from;
				break;
			}
			if ((++steps & 255) == 0)
			{
				CHECK_FOR_INTERRUPTS();
				GraphCheckMemory(cxt, "shortest path search");
			}
			for (r = 0; r < fwd.nreaders; r++)
			{
				GraphEdgeRow row;

				GraphReaderScan(fwd.readers[r], &id, 1);
				while (GraphReaderNext(fwd.readers[r], &row))
				{
					float8		w = row.edge.weight;
					bool		seen;
					int32		to;
					PathNode   *tn;

					if (w < 0 || isnan(w))
						ereport(ERROR,
								(errcode(ERRCODE_DATA_EXCEPTION),
								 errmsg("edge " INT64_FORMAT "->" INT64_FORMAT " of graph \"%s\" has negative weight %g",
										row.edge.src, row.edge.dst, def->name, w),
								 errdetail("Weighted shortest paths (Dijkstra) need weights of zero or more.")));
					to = AddPathNode(&fwd, row.to, from, &row, &seen);
					tn = &fwd.nodes[to];
					if (tn->settled)
						continue;
					if (!seen || dist + w < tn->dist)
					{
						tn->dist = dist + w;
						tn->parent = from;
						tn->depth = fwd.nodes[from].depth + 1;
						tn->edge = row.edge;
						tn->relation = row.relation_len >= 0 ?
							pnstrdup(row.relation, row.relation_len) : NULL;
						HeapPush(&heap, &n, &cap, tn->dist, to);
					}
				}
			}
		}
		if (found_at >= 0)
			EmitPath(store, tupdesc, &fwd, found_at, NULL, 0);
	}
	for (r = 0; r < fwd.nreaders; r++)
		GraphReaderClose(fwd.readers[r]);
	table_close(rel, NoLock);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
	return (Datum) 0;
}
