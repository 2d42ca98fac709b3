/*
 * src/graph/traverse.c
 *	  vecrag.traverse: breadth-first k-hop expansion from a set of seeds.
 *
 * Design note.  Nodes live in one array in discovery order, so the nodes of
 * each depth are a contiguous slice and that slice is the next frontier.
 * A frontier is expanded with one index scan per 8192 nodes (key = ANY of
 * their ids); each newly seen node is appended once, at the minimum depth,
 * with its parent and the edge that reached it, so paths are rebuilt at the
 * end by walking parents (a node keeps the weight and direction of its edge;
 * the ends are its own and its parent's ids).  Through the indexes the
 * visited set is a simplehash map from id to array index.  Everything
 * lives in one memory context checked against work_mem.
 *
 * degree is the number of edges of a node in the traversal direction that
 * pass the relation filter (out-degree for 'out', in-degree for 'in', their
 * sum for 'both'); nodes that the traversal did not expand (the last depth,
 * or those found after max_nodes stopped the traversal) are counted
 * afterwards, so degree never depends on how far the traversal went.
 * They are usually most of the nodes: through an index they are counted
 * in id order by walking its leaf pages (degree.c), one visit per page
 * instead of one descent per node; count_degree => false skips the count
 * and returns degree NULL.
 * with_paths => false returns path and relation_path NULL, for callers
 * that want only the nodes and their depth: building two arrays per row
 * is about a quarter of a traversal served from the adjacency cache.
 *
 * Served from the adjacency cache (or from the policy-filtered edges of a
 * caller under row-level security), a frontier is expanded straight from
 * the cached arrays: its nodes are put in the order an index scan would
 * return their edges (the adjacency's key order), so results are the same
 * as through the index, without a row per edge or a parent lookup per key.
 * When every direction is served by one cache entry, nodes are known by the
 * entry's dense node numbers (ascending ids, so in key order too): the
 * visited set is a bitmap kept with the entry's adjacency, cleared again
 * by the nodes found, and a node's edges are found by its number, with no
 * hashing at all (each edge holds its other end's number and id, so a
 * node's expansion reads one run of memory; cache.c puts these arrays in
 * huge pages).  Measured on a warm WordNet 3-hop (1,292 rows) this took the
 * function itself (its tuplestore copies included) from 1.48M to 0.71M
 * instructions, most of what is left being the rows (README, Benchmark).
 * Rows are formed in one reused buffer (GraphRowWriter), arrays included;
 * without paths every row has the same layout, computed once.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "graph/graph.h"

#define TRAVERSE_BATCH 8192

/* how many nodes ahead a cached expansion prefetches edges */
#define PREFETCH_AHEAD 8

/*
 * The node array starts as large as the last traversal's result (up to
 * this many nodes), so that repeated calls do not copy it while it grows.
 */
#define TRAVERSE_HINT_MAX 16384

static int32 last_nnodes = 0;

/*
 * A node found, with the edge that reached it: (parent's id -> id), or
 * (id -> parent's id) when it was followed inbound, and its weight.  Only
 * what every traversal needs (40 bytes): each node found is written once,
 * and a call that starts with cold CPU caches misses on every line of it.
 */
typedef struct TraverseNode
{
	int64		id;
	float8		path_weight;
	int32		parent;			/* index of the parent, -1 for seeds */
	int32		depth;
	int32		degree;
	int32		node;			/* the cache's node number, or -1 */
	float4		weight;
	bool		inbound;
} TraverseNode;

/* What only some traversals need of a node: a parallel array, or none. */
typedef struct TraverseExtra
{
	const char *relation;		/* the edge's relation (not terminated), or NULL */
	int32		relation_len;
	int32		followed;		/* edges considered for expansion */
} TraverseExtra;

/*
 * The node array of the last traversal (up to TRAVERSE_HINT_MAX nodes),
 * kept for the next one in a context of its own: a call takes it by making
 * that context a child of its own, so that work_mem counts it and an error
 * frees it with the call (the context's reset callback then forgets it),
 * and gives it back at its end.  The next call neither allocates nor grows
 * (copies) it.  A traversal that finds it taken (one run by a row-level
 * security policy of another) allocates its own.
 */
static MemoryContext spare_cxt = NULL;
static TraverseNode *spare_nodes = NULL;
static int32 spare_capacity = 0;
static bool spare_taken = false;

typedef struct TraverseState
{
	MemoryContext cxt;

	/*
	 * The visited set: when every reader is served by one cache entry
	 * whose adjacencies number their nodes, the node numbers index the
	 * bitmap visited, and outside holds the seeds that have no edges;
	 * otherwise map, from id to index in nodes.
	 */
	uint64	   *visited;
	GraphNodeMap *outside;
	GraphNodeMap *map;
	TraverseNode *nodes;
	TraverseExtra *extra;		/* when relations are kept or fanout capped */
	bool		spare;			/* nodes is the spare array */
	int32		nnodes;
	int32		capacity;
	int32		max_fanout;		/* -1: no limit */
	int32		max_nodes;		/* -1: no limit */
	bool		stopped;		/* max_nodes reached */
	bool		keep_relation;
	int32	   *hops;			/* PathArray: a path's nodes, first hop first */
	int32		hops_cap;
} TraverseState;

static void TakeNodes(TraverseState *st);
static void GiveBackNodes(TraverseState *st);
static void ForgetSpare(void *arg);
static int32 AddNode(TraverseState *st, int64 id, int32 node, int32 parent,
					 float4 weight, bool inbound, const char *relation,
					 int relation_len, bool copy_relation);
static void ExpandLevel(TraverseState *st, GraphReader *reader,
						int32 start, int32 end, bool follow);
static void ExpandLevelCached(TraverseState *st, GraphReader *reader,
							  int32 start, int32 end, bool follow);
static void Expand(TraverseState *st, GraphReader *reader, int32 start,
				   int32 end, bool follow);
static void CountDegrees(TraverseState *st, GraphReader *reader,
						 int32 start, int32 end);
static int	CompareUint64(const void *a, const void *b);
static void SortPairs(uint64 *pairs, uint64 *tmp, int n);
static Datum PathArray(GraphRowWriter *writer, TraverseState *st, int32 at,
					   Oid edgetype, Datum *relation_path, bool *rnull);
static bool UseNumbering(GraphReader **readers, int nreaders,
						 const GraphAdjacency **numbered);

/*
 * Append node id (node: its number in the cache's numbering, or -1) reached
 * from parent over an edge of weight, followed inbound or not
 * (relation_len < 0: no relation); returns its index, or -1 when id was
 * already visited.  The relation is copied when copy_relation is set, else
 * it must outlive st.
 */
static pg_attribute_always_inline int32
AddNode(TraverseState *st, int64 id, int32 node, int32 parent, float4 weight,
		bool inbound, const char *relation, int relation_len,
		bool copy_relation)
{
	bool		found;
	int32		index = st->nnodes;
	TraverseNode *n;

	if (st->visited != NULL && node >= 0)
	{
		uint64		bit = UINT64CONST(1) << (node & 63);

		if (st->visited[node >> 6] & bit)
			return -1;
		st->visited[node >> 6] |= bit;
	}
	else if (st->visited != NULL)
	{
		if (st->outside == NULL)
			st->outside = GraphNodeMapCreate(st->cxt, 16);
		GraphNodeMapInsert(st->outside, id, index, &found);
		if (found)
			return -1;
	}
	else
	{
		index = GraphNodeMapInsert(st->map, id, index, &found);
		if (found)
			return -1;
	}
	if (st->nnodes == st->capacity)
	{
		if (st->capacity >= (int32) (PG_INT32_MAX / 2))
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("traversal reached more than %d nodes", st->capacity)));
		st->capacity *= 2;
		st->nodes = repalloc_huge(st->nodes, sizeof(TraverseNode) * st->capacity);
		if (st->extra)
			st->extra = repalloc_huge(st->extra, sizeof(TraverseExtra) * st->capacity);
		GraphCheckMemory(st->cxt, "traversal");
	}
	n = &st->nodes[index];
	n->id = id;
	n->node = node;
	n->parent = parent;
	n->degree = 0;
	n->weight = weight;
	n->inbound = inbound;
	if (parent < 0)
	{
		n->depth = 0;
		n->path_weight = 0;
	}
	else
	{
		n->depth = st->nodes[parent].depth + 1;
		n->path_weight = st->nodes[parent].path_weight + weight;
	}
	if (st->extra)
	{
		TraverseExtra *x = &st->extra[index];

		x->followed = 0;
		x->relation = NULL;
		x->relation_len = -1;
		if (parent >= 0 && st->keep_relation && relation_len >= 0)
		{
			x->relation = copy_relation ? pnstrdup(relation, relation_len) : relation;
			x->relation_len = relation_len;
		}
	}
	st->nnodes++;
	if ((st->nnodes & 1023) == 0)
		GraphCheckMemory(st->cxt, "traversal");
	if (st->max_nodes >= 0 && st->nnodes >= st->max_nodes)
		st->stopped = true;
	return index;
}

/*
 * Give st a node array: the spare one when it is free (made a child of
 * st's context for this call), else one of its own in st's context.
 */
static void
TakeNodes(TraverseState *st)
{
	if (spare_taken)
	{
		st->spare = false;
		st->capacity = Max(256, Min(last_nnodes, TRAVERSE_HINT_MAX));
		st->nodes = palloc(sizeof(TraverseNode) * st->capacity);
		return;
	}
	if (spare_cxt == NULL)
	{
		MemoryContextCallback *forget;

		spare_cxt = AllocSetContextCreate(TopMemoryContext, "vecrag traverse nodes",
										  ALLOCSET_SMALL_SIZES);
		forget = MemoryContextAlloc(spare_cxt, sizeof(MemoryContextCallback));
		forget->func = ForgetSpare;
		forget->arg = NULL;
		MemoryContextRegisterResetCallback(spare_cxt, forget);
		spare_capacity = Max(256, Min(last_nnodes, TRAVERSE_HINT_MAX));
		spare_nodes = MemoryContextAllocHuge(spare_cxt,
											 sizeof(TraverseNode) * spare_capacity);
	}
	MemoryContextSetParent(spare_cxt, st->cxt);
	spare_taken = true;
	st->spare = true;
	st->nodes = spare_nodes;
	st->capacity = spare_capacity;
}

/* At the end of a call: keep the spare array for the next, unless too big. */
static void
GiveBackNodes(TraverseState *st)
{
	if (!st->spare)
		return;
	if (st->capacity > TRAVERSE_HINT_MAX)
	{
		MemoryContextDelete(spare_cxt);	/* ForgetSpare clears the rest */
		return;
	}
	MemoryContextSetParent(spare_cxt, TopMemoryContext);
	spare_nodes = st->nodes;
	spare_capacity = st->capacity;
	spare_taken = false;
}

/* The spare context is being deleted (with a call that failed, or above). */
static void
ForgetSpare(void *arg)
{
	spare_cxt = NULL;
	spare_nodes = NULL;
	spare_capacity = 0;
	spare_taken = false;
}

/*
 * Read the edges of nodes[start..end) through reader: count their degree
 * and, when follow is set, append the nodes they reach for the first time.
 */
static void
ExpandLevel(TraverseState *st, GraphReader *reader, int32 start, int32 end,
			bool follow)
{
	int64	   *ids = palloc(sizeof(int64) * TRAVERSE_BATCH);
	int32		batch;
	const GraphCache *cache;
	const bool *relmatch;
	bool		reader_inbound;

	(void) GraphReaderCached(reader, &cache, &relmatch, &reader_inbound);
	for (batch = start; batch < end; batch += TRAVERSE_BATCH)
	{
		int			n = Min(TRAVERSE_BATCH, end - batch);
		int			i;
		GraphEdgeRow row;
		int64		last_from = 0;
		int32		parent = -1;
		uint32		rows = 0;

		CHECK_FOR_INTERRUPTS();
		for (i = 0; i < n; i++)
			ids[i] = st->nodes[batch + i].id;
		GraphReaderScan(reader, ids, n);
		while (GraphReaderNext(reader, &row))
		{
			if ((++rows & 8191) == 0)
				CHECK_FOR_INTERRUPTS();
			if (parent < 0 || row.from != last_from)
			{
				parent = GraphNodeMapLookup(st->map, row.from);
				last_from = row.from;
				Assert(parent >= 0);
			}
			st->nodes[parent].degree++;
			if (!follow || st->stopped)
				continue;
			if (st->max_fanout >= 0 && st->extra[parent].followed >= st->max_fanout)
				continue;
			if (st->max_fanout >= 0)
				st->extra[parent].followed++;
			AddNode(st, row.to, -1, parent, row.edge.weight, reader_inbound,
					row.relation, row.relation_len, true);
		}
	}
	pfree(ids);
}

/* Expand nodes[start..end) through reader: from the cache when it can. */
static void
Expand(TraverseState *st, GraphReader *reader, int32 start, int32 end,
	   bool follow)
{
	const GraphCache *cache;
	const bool *relmatch;
	bool		inbound;

	if (GraphReaderCached(reader, &cache, &relmatch, &inbound) != NULL)
		ExpandLevelCached(st, reader, start, end, follow);
	else
		ExpandLevel(st, reader, start, end, follow);
}

/*
 * Count the edges of nodes[start..end) without following them.  Through an
 * index the nodes go in id order to GraphReaderCount, which reads each
 * leaf page once for all the ids on it; otherwise as ExpandLevel does.
 */
static void
CountDegrees(TraverseState *st, GraphReader *reader, int32 start, int32 end)
{
	const GraphCache *cache;
	const bool *relmatch;
	bool		inbound;
	int32		n = end - start;
	uint64	   *pairs;
	int64	   *ids;
	int32	   *counts;
	int32		i;

	if (n <= 0)
		return;
	if (GraphReaderCached(reader, &cache, &relmatch, &inbound) != NULL)
	{
		ExpandLevelCached(st, reader, start, end, false);
		return;
	}
	/* (id, index) pairs: ids are distinct, so sorting by id alone */
	pairs = palloc_extended(sizeof(uint64) * 2 * n, MCXT_ALLOC_HUGE);
	ids = palloc_extended(sizeof(int64) * n, MCXT_ALLOC_HUGE);
	counts = palloc_extended(sizeof(int32) * n, MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	GraphCheckMemory(st->cxt, "traversal");
	for (i = 0; i < n; i++)
	{
		pairs[2 * i] = (uint64) st->nodes[start + i].id ^ ((uint64) 1 << 63);
		pairs[2 * i + 1] = (uint64) (start + i);
	}
	qsort(pairs, n, 2 * sizeof(uint64), CompareUint64);
	for (i = 0; i < n; i++)
		ids[i] = (int64) (pairs[2 * i] ^ ((uint64) 1 << 63));
	if (GraphReaderCount(reader, ids, n, counts))
	{
		for (i = 0; i < n; i++)
			st->nodes[pairs[2 * i + 1]].degree += counts[i];
	}
	else
		ExpandLevel(st, reader, start, end, false);
	pfree(pairs);
	pfree(ids);
	pfree(counts);
}

static int
CompareUint64(const void *a, const void *b)
{
	uint64		x = *(const uint64 *) a;
	uint64		y = *(const uint64 *) b;

	return x < y ? -1 : (x > y ? 1 : 0);
}

/*
 * Sort n (key index << 32 | node index) pairs, distinct, by key index:
 * insertion sort when few, else a radix sort on the bytes of the key index
 * (as many as the largest has) through tmp, room for n more.  A frontier
 * is sorted at every depth, where qsort's comparator calls were a tenth of
 * a cached traversal.
 */
static void
SortPairs(uint64 *pairs, uint64 *tmp, int n)
{
	uint64		maxkey = 0;
	int			shift,
				i;

	if (n <= 32)
	{
		for (i = 1; i < n; i++)
		{
			uint64		x = pairs[i];
			int			j = i;

			for (; j > 0 && pairs[j - 1] > x; j--)
				pairs[j] = pairs[j - 1];
			pairs[j] = x;
		}
		return;
	}
	for (i = 0; i < n; i++)
		maxkey = Max(maxkey, pairs[i] >> 32);
	for (shift = 32; shift < 64 && (maxkey >> (shift - 32)) != 0; shift += 8)
	{
		int			count[256] = {0};
		int			sum = 0,
					d;
		uint64	   *swap;

		for (i = 0; i < n; i++)
			count[(pairs[i] >> shift) & 255]++;
		for (d = 0; d < 256; d++)
		{
			int			c = count[d];

			count[d] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			tmp[count[(pairs[i] >> shift) & 255]++] = pairs[i];
		swap = pairs;
		pairs = tmp;
		tmp = swap;
	}
	/* an odd number of passes left the result in the caller's tmp */
	if (((shift - 32) / 8) % 2 == 1)
		memcpy(tmp, pairs, sizeof(uint64) * n);
}

/*
 * ExpandLevel for a reader served by the adjacency cache: the same rows in
 * the same order (per batch, keys ascending, each key's edges in index
 * order), read from the cached arrays.  Each frontier node is paired with
 * its position in the adjacency, whose keys are ascending, so sorting the
 * pairs by position sorts them by id; nodes without edges drop out first.
 */
static void
ExpandLevelCached(TraverseState *st, GraphReader *reader, int32 start,
				  int32 end, bool follow)
{
	const GraphCache *cache;
	const bool *relmatch;
	bool		inbound;
	const GraphAdjacency *adj = GraphReaderCached(reader, &cache, &relmatch, &inbound);
	uint64	   *pairs = palloc(sizeof(uint64) * 2 * Min(TRAVERSE_BATCH, Max(end - start, 1)));
	int32		batch;
	uint32		visits = 0;
	bool		need_code = relmatch != NULL || st->keep_relation;

	for (batch = start; batch < end; batch += TRAVERSE_BATCH)
	{
		int			n = Min(TRAVERSE_BATCH, end - batch);
		int			npairs = 0;
		int			i;

		CHECK_FOR_INTERRUPTS();
		for (i = 0; i < n; i++)
		{
			const TraverseNode *node = &st->nodes[batch + i];
			int32		k;

			if (st->visited != NULL && i + PREFETCH_AHEAD < n &&
				node[PREFETCH_AHEAD].node >= 0)
				GraphPrefetch(&adj->nodeoffsets[node[PREFETCH_AHEAD].node]);

			/* numbered: node numbers are in key order too */
			if (st->visited == NULL)
				k = GraphNodeMapLookup(adj->map, node->id);
			else if (node->node >= 0 &&
					 adj->nodeoffsets[node->node] < adj->nodeoffsets[node->node + 1])
				k = node->node;
			else
				k = -1;
			if (k >= 0)
				pairs[npairs++] = ((uint64) (uint32) k << 32) | (uint32) (batch + i);
		}
		/* only following edges depends on their order */
		if (follow)
			SortPairs(pairs, pairs + npairs, npairs);
		for (i = 0; i < npairs; i++)
		{
			int32		k = (int32) (pairs[i] >> 32);
			int32		parent = (int32) (pairs[i] & 0xFFFFFFFF);
			const int64 *offsets = st->visited ? adj->nodeoffsets : adj->offsets;
			int64		e,
						eend = offsets[k + 1];

			/* the edges of a node further on, while this one's are read */
			if (follow && i + PREFETCH_AHEAD < npairs)
			{
				int64		ahead = offsets[pairs[i + PREFETCH_AHEAD] >> 32];

				if (adj->other == NULL)
					GraphPrefetch(&adj->edgenodes[ahead]);
				else
				{
					GraphPrefetch(&adj->weights[ahead]);
					GraphPrefetch(&adj->other[ahead]);
				}
				if (need_code)
					GraphPrefetch(&adj->relations[ahead]);
			}

			/* degree only, no relation filter: the length of the edge list */
			if (!follow && relmatch == NULL)
			{
				st->nodes[parent].degree += (int32) (eend - offsets[k]);
				continue;
			}

			/*
			 * Numbered, no relation codes, no fanout limit: every edge counts
			 * and is followed, so only each edge's other end is read (the
			 * loop below, without its per-edge tests).
			 */
			if (follow && st->visited != NULL && !need_code && st->max_fanout < 0)
			{
				st->nodes[parent].degree += (int32) (eend - offsets[k]);
				if (st->stopped)
					continue;
				visits += (uint32) (eend - offsets[k]);
				if (visits >= 8192)
				{
					visits = 0;
					CHECK_FOR_INTERRUPTS();
				}
				for (e = offsets[k]; e < eend && !st->stopped; e++)
				{
					const GraphEdgeNode *en = &adj->edgenodes[e];
					int32		node = en->node;

					if ((st->visited[node >> 6] & (UINT64CONST(1) << (node & 63))) == 0)
						AddNode(st, en->id, node, parent, en->weight,
								inbound, NULL, -1, false);
				}
				continue;
			}
			for (e = offsets[k]; e < eend; e++)
			{
				int32		code = -1;
				int32		node;
				int64		id;
				float4		weight;

				/* relation codes only when filtered or returned */
				if (need_code)
				{
					code = adj->relations[e];
					if (relmatch != NULL && (code < 0 || !relmatch[code]))
						continue;
				}
				if ((++visits & 8191) == 0)
					CHECK_FOR_INTERRUPTS();
				/* nodes may move when AddNode grows the array */
				st->nodes[parent].degree++;
				if (!follow || st->stopped)
					continue;
				if (st->max_fanout >= 0 && st->extra[parent].followed >= st->max_fanout)
					continue;
				if (st->max_fanout >= 0)
					st->extra[parent].followed++;
				node = -1;
				if (st->visited != NULL)
				{
					const GraphEdgeNode *en = &adj->edgenodes[e];

					node = en->node;
					/* seen: read nothing more of this edge */
					if (st->visited[node >> 6] & (UINT64CONST(1) << (node & 63)))
						continue;
					id = en->id;
					weight = en->weight;
				}
				else
				{
					id = GraphAdjacencyOther(adj, e);
					weight = adj->weights[e];
				}
				if (code < 0)
					AddNode(st, id, node, parent, weight,
							inbound, NULL, -1, false);
				else
					AddNode(st, id, node, parent, weight,
							inbound, cache->relnames[code], cache->rellens[code],
							false);
			}
		}
	}
	pfree(pairs);
}

/*
 * The path of node at as an edge[] (and, when st keeps relations, its
 * relation_path as a text[] in *relation_path), built in the writer's
 * scratch buffer: valid until the next row.
 */
static Datum
PathArray(GraphRowWriter *writer, TraverseState *st, int32 at, Oid edgetype,
		  Datum *relation_path, bool *rnull)
{
	int32		depth = st->nodes[at].depth;
	Size		path_size = depth == 0 ? sizeof(ArrayType) :
		ARR_OVERHEAD_NONULLS(1) + sizeof(GraphEdge) * depth;
	Size		rel_size = 0;
	bool		relnulls = false;
	char	   *scratch;
	ArrayType  *path,
			   *rels = NULL;
	GraphEdge  *edges = NULL;
	bits8	   *bitmap = NULL;
	char	   *p = NULL;
	int64		from;
	int32		k,
				walk;

	if (depth > st->hops_cap)
	{
		st->hops_cap = Max(depth, 2 * st->hops_cap);
		st->hops = st->hops ? repalloc(st->hops, sizeof(int32) * st->hops_cap) :
			palloc(sizeof(int32) * st->hops_cap);
	}
	/* the path's nodes, first hop first, and the size of their relations */
	for (k = depth - 1, walk = at; k >= 0; k--, walk = st->nodes[walk].parent)
	{
		st->hops[k] = walk;
		if (!st->keep_relation || st->extra[walk].relation == NULL)
			relnulls = true;
		else
			rel_size += INTALIGN(VARHDRSZ + st->extra[walk].relation_len);
	}
	*rnull = !st->keep_relation;
	if (!st->keep_relation)
		rel_size = 0;
	else if (depth == 0)
		rel_size = sizeof(ArrayType);
	else
		rel_size += relnulls ? ARR_OVERHEAD_WITHNULLS(1, depth) : ARR_OVERHEAD_NONULLS(1);
	scratch = GraphRowScratch(writer, MAXALIGN(path_size) + rel_size);
	memset(scratch, 0, MAXALIGN(path_size) + rel_size);

	path = (ArrayType *) scratch;
	SET_VARSIZE(path, path_size);
	path->elemtype = edgetype;
	if (depth > 0)
	{
		path->ndim = 1;
		ARR_DIMS(path)[0] = depth;
		ARR_LBOUND(path)[0] = 1;
		edges = (GraphEdge *) ARR_DATA_PTR(path);
	}
	if (st->keep_relation)
	{
		rels = (ArrayType *) (scratch + MAXALIGN(path_size));
		SET_VARSIZE(rels, rel_size);
		rels->elemtype = TEXTOID;
		if (depth > 0)
		{
			rels->ndim = 1;
			ARR_DIMS(rels)[0] = depth;
			ARR_LBOUND(rels)[0] = 1;
			if (relnulls)
				rels->dataoffset = ARR_OVERHEAD_WITHNULLS(1, depth);
			bitmap = ARR_NULLBITMAP(rels);
			p = ARR_DATA_PTR(rels);
		}
		*relation_path = PointerGetDatum(rels);
	}

	/* each hop's edge, and its relation: one hop's end is the next's start */
	from = depth > 0 ? st->nodes[st->nodes[st->hops[0]].parent].id : 0;
	for (k = 0; k < depth; k++)
	{
		const TraverseNode *hop = &st->nodes[st->hops[k]];
		const TraverseExtra *x;

		edges[k].src = hop->inbound ? hop->id : from;
		edges[k].dst = hop->inbound ? from : hop->id;
		edges[k].weight = hop->weight;
		edges[k].pad = 0;
		from = hop->id;
		if (rels == NULL || st->extra[st->hops[k]].relation == NULL)
			continue;
		x = &st->extra[st->hops[k]];
		if (bitmap)
			bitmap[k / 8] |= 1 << (k % 8);
		SET_VARSIZE(p, VARHDRSZ + x->relation_len);
		memcpy(VARDATA(p), x->relation, x->relation_len);
		p += INTALIGN(VARHDRSZ + x->relation_len);
	}
	return PointerGetDatum(path);
}

/*
 * Can the traversal use node numbers?  When every reader is served by one
 * cache entry whose adjacencies number their nodes: *numbered is one of
 * them (to number the seeds; its visited set serves the traversal).
 * Otherwise false: it hashes ids.
 */
static bool
UseNumbering(GraphReader **readers, int nreaders,
			 const GraphAdjacency **numbered)
{
	const GraphCache *shared = NULL;
	int			r;

	*numbered = NULL;
	for (r = 0; r < nreaders; r++)
	{
		const GraphCache *cache;
		const bool *relmatch;
		bool		inbound;
		const GraphAdjacency *adj = GraphReaderCached(readers[r], &cache,
													  &relmatch, &inbound);

		if (adj == NULL || adj->ids == NULL ||
			(shared != NULL && cache != shared) ||
			(*numbered != NULL && adj->nnodes != (*numbered)->nnodes))
		{
			*numbered = NULL;
			return false;
		}
		shared = cache;
		if (*numbered == NULL)
			*numbered = adj;
	}
	return *numbered != NULL;
}

PG_FUNCTION_INFO_V1(graph_traverse);
Datum
graph_traverse(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Tuplestorestate *store = GraphBeginSRF(fcinfo, &tupdesc);
	MemoryContext cxt,
				old;
	TraverseState st;
	GraphRowWriter *writer;
	GraphDef   *def;
	Relation	rel;
	GraphDirection direction;
	GraphRelationFilter *filter;
	GraphReader *readers[2];
	int			nreaders = 0;
	int32		max_depth;
	Datum	   *seeds;
	bool	   *seednulls;
	int64	   *seedids;
	int32	   *seednodes;
	int			nseeds,
				i,
				r;
	int32		start,
				end,
				depth;
	Oid			edgetype = get_element_type(TupleDescAttr(tupdesc, 2)->atttypid);
	bool		count_degree = PG_ARGISNULL(7) || PG_GETARG_BOOL(7);
	const GraphAdjacency *numbered;
	Datum		values[6];
	bool		nulls[6];
	bool		fixed;

	/* with_paths came in 0.1.1: a database still on the 0.1.0 SQL passes 8 */
	bool		with_paths = PG_NARGS() < 9 || PG_ARGISNULL(8) || PG_GETARG_BOOL(8);

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("graph name must not be null")));
	if (PG_ARGISNULL(2) || PG_GETARG_INT32(2) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("max_depth must be zero or positive"),
				 errdetail("max_depth is the number of hops to expand from the seeds; 0 returns the seeds only.")));
	max_depth = PG_GETARG_INT32(2);
	if (!PG_ARGISNULL(5) && PG_GETARG_INT32(5) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("max_fanout must be zero or positive")));
	if (!PG_ARGISNULL(6) && PG_GETARG_INT32(6) < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("max_nodes must be positive")));
	direction = GraphParseDirection(PG_ARGISNULL(3) ? NULL : PG_GETARG_TEXT_PP(3));

	cxt = AllocSetContextCreate(CurrentMemoryContext, "vecrag traverse",
								ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);
	def = GraphLookup(PG_GETARG_TEXT_PP(0));
	filter = GraphRelationFilterFromArray(PG_ARGISNULL(4) ? NULL : PG_GETARG_ARRAYTYPE_P(4), def);
	rel = GraphOpenTable(def);
	if (direction != GRAPH_IN)
		readers[nreaders++] = GraphReaderOpen(def, rel, false, filter);
	if (direction != GRAPH_OUT)
		readers[nreaders++] = GraphReaderOpen(def, rel, true, filter);

	st.cxt = cxt;
	st.max_fanout = PG_ARGISNULL(5) ? -1 : PG_GETARG_INT32(5);
	st.keep_relation = with_paths && def->relation_attno != InvalidAttrNumber;
	TakeNodes(&st);
	st.extra = st.keep_relation || st.max_fanout >= 0 ?
		palloc(sizeof(TraverseExtra) * st.capacity) : NULL;
	st.nnodes = 0;
	st.visited = NULL;
	st.outside = NULL;
	st.map = NULL;
	if (UseNumbering(readers, nreaders, &numbered))
		st.visited = GraphAdjacencyVisitedBegin(numbered);
	else
		st.map = GraphNodeMapCreate(cxt, 1024);
	st.max_nodes = PG_ARGISNULL(6) ? -1 : PG_GETARG_INT32(6);
	st.stopped = false;
	st.hops = NULL;
	st.hops_cap = 0;

	/* seeds, at depth 0, in the order given, duplicates and NULLs dropped */
	nseeds = 0;
	if (!PG_ARGISNULL(1))
	{
		ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(1);

		if (ARR_NDIM(arr) > 1)
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("seeds must be a one-dimensional array")));
		deconstruct_array(arr, INT8OID, sizeof(int64), FLOAT8PASSBYVAL,
						  TYPALIGN_DOUBLE, &seeds, &seednulls, &nseeds);
	}
	seedids = palloc(sizeof(int64) * Max(nseeds, 1));
	seednodes = palloc(sizeof(int32) * Max(nseeds, 1));
	for (i = 0; i < nseeds; i++)
	{
		seedids[i] = seednulls[i] ? 0 : DatumGetInt64(seeds[i]);
		seednodes[i] = -1;
	}
	if (numbered)
		GraphAdjacencyNodes(numbered, seedids, nseeds, seednodes);
	for (i = 0; i < nseeds && !st.stopped; i++)
		if (!seednulls[i])
			AddNode(&st, seedids[i], seednodes[i], -1, 0, false, NULL, -1, false);

	/* breadth first: nodes[start..end) is the frontier at depth */
	start = 0;
	end = st.nnodes;
	for (depth = 0; depth < max_depth && start < end && !st.stopped; depth++)
	{
		for (r = 0; r < nreaders; r++)
			Expand(&st, readers[r], start, end, true);
		start = end;
		end = st.nnodes;
	}
	/* count the edges of the nodes that were not expanded */
	if (count_degree)
		for (r = 0; r < nreaders; r++)
			CountDegrees(&st, readers[r], start, st.nnodes);

	/*
	 * Emit rows in discovery order: by depth, seeds first.  The readers stay
	 * open until then: relations may point into the cache they pin.
	 */
	writer = GraphRowWriterCreate(store, tupdesc);
	nulls[0] = nulls[1] = nulls[3] = false;
	nulls[2] = nulls[5] = !with_paths;
	nulls[4] = !count_degree;
	/* without paths every row has the same layout */
	fixed = !with_paths && GraphRowFixedLayout(writer, nulls);
	for (i = 0; i < st.nnodes; i++)
	{
		TraverseNode *node = &st.nodes[i];

		/* leave the cache entry's visited set clear for the next traversal */
		if (st.visited != NULL && node->node >= 0)
			st.visited[node->node >> 6] = 0;
		values[0] = Int64GetDatum(node->id);
		values[1] = Int32GetDatum(node->depth);
		values[3] = Float8GetDatum(node->path_weight);
		values[4] = Int32GetDatum(node->degree);
		if (fixed)
			GraphRowPutFixed(writer, values);
		else
		{
			if (with_paths)
				values[2] = PathArray(writer, &st, i, edgetype, &values[5], &nulls[5]);
			GraphRowPut(writer, values, nulls);
		}
		if ((i & 1023) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	GraphRowWriterFree(writer);
	if (st.visited != NULL)
		GraphAdjacencyVisitedEnd(numbered);
	last_nnodes = st.nnodes;
	GiveBackNodes(&st);
	for (r = 0; r < nreaders; r++)
		GraphReaderClose(readers[r]);
	table_close(rel, NoLock);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
	return (Datum) 0;
}
