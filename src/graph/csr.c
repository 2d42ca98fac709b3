/*
 * src/graph/csr.c
 *	  Load a whole registered graph into compressed sparse rows (CSR) for the
 *	  algorithms that need every edge (PageRank, communities).
 *
 * Design note.  One sequential scan of the edge table under the caller's
 * active snapshot (visibility as in any SELECT), after the same privilege
 * and row-level security checks as traversal.  Node ids are made dense by
 * radix-sorting all edge ends (no hash table: sequential passes beat random
 * probes by far), so dense order is ascending id order and results and
 * tie-breaks are deterministic whatever the physical order of the table.
 * Loading needs about 52 bytes per edge at its peak; memory is checked
 * against work_mem as the load goes.
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"
#include "utils/memutils.h"

#include "core/sorted_find.h"
#include "graph/graph.h"

typedef struct IdIndex
{
	int64		id;
	int32		index;
} IdIndex;

static void SortById(IdIndex *items, int32 n);
static int64 EstimateEdges(Relation rel, const GraphRelationFilter *filter);
static GraphCSR *LoadCSR(const GraphDef *def, Relation rel, GraphCache *cache,
						 GraphDirection direction,
						 const GraphRelationFilter *filter, bool weighted,
						 int64 *extra_ids, int nextra, MemoryContext cxt);

/*
 * Room for the edges about to be read: the planner's row estimate when the
 * whole table is read (no regrowth and copying of large arrays), within
 * what work_mem allows; a small start when a relation filter may keep few.
 */
static int64
EstimateEdges(Relation rel, const GraphRelationFilter *filter)
{
	float8		estimate = rel->rd_rel->reltuples;
	float8		fits = (float8) GraphWorkMemBytes() / (2 * sizeof(int64) + sizeof(float4));

	if (filter != NULL || !(estimate > 0))
		return 1024;
	return (int64) Max(Min(estimate * 1.05 + 1024, Min(fits, 1 << 28)), 1024);
}


/*
 * Sort items by id (stable): LSD radix sort on id - min(id), 11 bits per
 * pass and only as many passes as the id range needs (3 for WordNet's
 * 29-bit ids), with all histograms counted in one read pass.  Several times
 * faster than qsort with a comparator on the 100k+ nodes of a real graph.
 */
static void
SortById(IdIndex *items, int32 n)
{
#define RADIX_BITS 11
#define RADIX_SIZE (1 << RADIX_BITS)
	IdIndex    *tmp;
	int32	   *count;
	IdIndex    *src = items,
			   *dst;
	int64		min = items[0].id,
				max = items[0].id;
	uint64		range;
	int			passes = 0,
				pass;
	int32		i;

	for (i = 1; i < n; i++)
	{
		if (items[i].id < min)
			min = items[i].id;
		if (items[i].id > max)
			max = items[i].id;
	}
	range = (uint64) max - (uint64) min;
	while (passes * RADIX_BITS < 64 && (range >> (passes * RADIX_BITS)) != 0)
		passes++;
	if (passes == 0)
		return;
	tmp = GraphAllocHuge(sizeof(IdIndex) * n);
	dst = tmp;
	count = GraphAllocHuge0(sizeof(int32) * RADIX_SIZE * passes);
	for (i = 0; i < n; i++)
	{
		uint64		key = (uint64) items[i].id - (uint64) min;

		for (pass = 0; pass < passes; pass++)
			count[pass * RADIX_SIZE + ((key >> (pass * RADIX_BITS)) & (RADIX_SIZE - 1))]++;
	}
	for (pass = 0; pass < passes; pass++)
	{
		int32	   *c = count + pass * RADIX_SIZE;
		int			shift = pass * RADIX_BITS;
		int32		sum = 0;
		IdIndex    *swap;

		for (i = 0; i < RADIX_SIZE; i++)
		{
			int32		k = c[i];

			c[i] = sum;
			sum += k;
		}
		for (i = 0; i < n; i++)
			dst[c[(((uint64) src[i].id - (uint64) min) >> shift) & (RADIX_SIZE - 1)]++] = src[i];
		swap = src;
		src = dst;
		dst = swap;
	}
	if (src != items)
		memcpy(items, src, sizeof(IdIndex) * n);
	pfree(tmp);
	pfree(count);
#undef RADIX_BITS
#undef RADIX_SIZE
}

/*
 * Read every edge of def that passes filter.  Direction out keeps edges as
 * stored, in reverses them, both keeps each edge in both directions.
 * Unweighted graphs (or weighted = false) give every edge weight 1;
 * weighted edges must have finite weights >= 0.  extra_ids (seeds) become
 * nodes even without edges.  Everything is allocated in cxt, except a CSR
 * kept in the adjacency cache: the caller must not change the result, and
 * releases *pinned (GraphCacheRelease) when done with it.
 */
GraphCSR *
GraphLoadCSR(const GraphDef *def, GraphDirection direction,
			 const GraphRelationFilter *filter, bool weighted,
			 int64 *extra_ids, int nextra, MemoryContext cxt,
			 GraphCache **pinned)
{
	Relation	rel = GraphOpenTable(def);
	GraphCache *cache = GraphCacheAcquire(def, rel);
	GraphCSR   *csr;

	*pinned = cache;
	if (cache != NULL && !cache->is_private && filter == NULL)
	{
		/* built without the extra ids: fine when they are nodes already */
		csr = cache->csr[direction][weighted ? 1 : 0];
		if (csr == NULL && !cache->toobig)
		{
			MemoryContext bcxt = AllocSetContextCreate(cxt, "vecrag graph cache build",
													   ALLOCSET_DEFAULT_SIZES);

			csr = LoadCSR(def, rel, cache, direction, NULL, weighted, NULL, 0, bcxt);
			if (GraphCacheAdopt(cache, bcxt))
				cache->csr[direction][weighted ? 1 : 0] = csr;
			else
				csr = NULL;
		}
		if (csr != NULL)
		{
			int			i;

			for (i = 0; i < nextra; i++)
				if (GraphCSRIndexOf(csr, extra_ids[i]) < 0)
					break;
			if (i == nextra)
			{
				table_close(rel, NoLock);
				return csr;
			}
		}
	}
	csr = LoadCSR(def, rel, cache, direction, filter, weighted, extra_ids, nextra, cxt);
	table_close(rel, NoLock);
	return csr;
}

/*
 * GraphLoadCSR's work: read the edges (from cache when it holds them) and
 * build the CSR in cxt.
 */
static GraphCSR *
LoadCSR(const GraphDef *def, Relation rel, GraphCache *cache,
		GraphDirection direction, const GraphRelationFilter *filter,
		bool weighted, int64 *extra_ids, int nextra, MemoryContext cxt)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);
	const GraphEdgeList *list = cache ? GraphCacheEdgeList(cache, def, rel) : NULL;
	GraphReader *reader = list ? NULL : GraphReaderOpenSeq(def, rel, filter, false);
	bool	   *relmatch = list ? GraphCacheFilter(cache, filter) : NULL;
	int64		next = 0;
	GraphCSR   *csr = palloc0(sizeof(GraphCSR));
	int64		cap = EstimateEdges(rel, filter),
				n = 0,
				i,
				nedges,
				pos;
	int64	   *src = GraphAllocHuge(sizeof(int64) * cap);
	int64	   *dst = GraphAllocHuge(sizeof(int64) * cap);
	float4	   *w = GraphAllocHuge(sizeof(float4) * cap);
	int32	   *from;
	int32	   *to;
	IdIndex    *ends;
	int64		nends;
	int32		nnodes = 0;
	GraphEdgeRow row;

	/* the edges in physical order, from the cache or a sequential scan */
	for (;;)
	{
		if ((n & 65535) == 0)
		{
			CHECK_FOR_INTERRUPTS();
			GraphCheckMemory(cxt, "loading the graph");
		}
		if (list != NULL)
		{
			int32		code = -1;

			while (next < list->n)
			{
				code = list->relations[next];
				if (relmatch == NULL || (code >= 0 && relmatch[code]))
					break;
				next++;
			}
			if (next >= list->n)
				break;
			row.edge.src = list->src[next];
			row.edge.dst = list->dst[next];
			row.edge.weight = list->weights[next];
			next++;
		}
		else if (!GraphReaderNext(reader, &row))
			break;
		if (weighted && !(row.edge.weight >= 0 && !isinf(row.edge.weight)))
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("edge " INT64_FORMAT "->" INT64_FORMAT " of graph \"%s\" has weight %g",
							row.edge.src, row.edge.dst, def->name, row.edge.weight),
					 errdetail("Weighted PageRank and communities need finite weights of zero or more.")));
		if (n == cap)
		{
			/* edge ends are numbered 2 * i + 1 in an int32 below */
			if (cap >= (int64) 1 << 29)
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("graph \"%s\" has too many edges to load", def->name)));
			cap *= 2;
			src = repalloc_huge(src, sizeof(int64) * cap);
			dst = repalloc_huge(dst, sizeof(int64) * cap);
			w = repalloc_huge(w, sizeof(float4) * cap);
		}
		src[n] = row.edge.src;
		dst[n] = row.edge.dst;
		w[n] = weighted ? row.edge.weight : 1.0f;
		n++;
	}
	if (reader != NULL)
		GraphReaderClose(reader);

	/*
	 * Dense ids without a hash table: sort every edge end (and the extra
	 * ids) by id, then number the distinct ids in order.  Sequential passes
	 * only, so this is much faster than hashing ids at random.
	 */
	nends = 2 * n + nextra;
	if (nends > PG_INT32_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("graph \"%s\" has too many edges to load", def->name)));
	ends = GraphAllocHuge(sizeof(IdIndex) * Max(nends, 1));
	for (i = 0; i < n; i++)
	{
		ends[2 * i].id = src[i];
		ends[2 * i].index = (int32) (2 * i);
		ends[2 * i + 1].id = dst[i];
		ends[2 * i + 1].index = (int32) (2 * i + 1);
	}
	for (i = 0; i < nextra; i++)
	{
		ends[2 * n + i].id = extra_ids[i];
		ends[2 * n + i].index = -1;
	}
	pfree(src);
	pfree(dst);
	GraphCheckMemory(cxt, "loading the graph");
	if (nends > 0)
		SortById(ends, (int32) nends);
	GraphCheckMemory(cxt, "loading the graph");
	from = GraphAllocHuge(sizeof(int32) * Max(n, 1));
	to = GraphAllocHuge(sizeof(int32) * Max(n, 1));
	csr->ids = GraphAllocHuge(sizeof(int64) * Max(nends, 1));
	for (i = 0; i < nends; i++)
	{
		int32		slot = ends[i].index;

		if (i == 0 || ends[i].id != ends[i - 1].id)
			csr->ids[nnodes++] = ends[i].id;
		if (slot < 0)
			continue;
		if (slot & 1)
			to[slot >> 1] = nnodes - 1;
		else
			from[slot >> 1] = nnodes - 1;
	}
	pfree(ends);

	/* count, prefix sums, fill */
	nedges = direction == GRAPH_BOTH ? 2 * n : n;
	csr->nnodes = nnodes;
	csr->nedges = nedges;
	csr->offsets = GraphAllocHuge0(sizeof(int64) * (nnodes + 1));
	csr->targets = GraphAllocHuge(sizeof(int32) * Max(nedges, 1));
	csr->weights = GraphAllocHuge(sizeof(float8) * Max(nedges, 1));
	GraphCheckMemory(cxt, "loading the graph");
	for (i = 0; i < n; i++)
	{
		if (direction != GRAPH_IN)
			csr->offsets[from[i] + 1]++;
		if (direction != GRAPH_OUT)
			csr->offsets[to[i] + 1]++;
	}
	for (i = 0; i < nnodes; i++)
		csr->offsets[i + 1] += csr->offsets[i];
	{
		int64	   *cursor = GraphAllocHuge(sizeof(int64) * Max(nnodes, 1));

		memcpy(cursor, csr->offsets, sizeof(int64) * nnodes);
		for (i = 0; i < n; i++)
		{
			if (direction != GRAPH_IN)
			{
				pos = cursor[from[i]]++;
				csr->targets[pos] = to[i];
				csr->weights[pos] = w[i];
			}
			if (direction != GRAPH_OUT)
			{
				pos = cursor[to[i]]++;
				csr->targets[pos] = from[i];
				csr->weights[pos] = w[i];
			}
		}
		pfree(cursor);
	}
	pfree(from);
	pfree(to);
	pfree(w);
	MemoryContextSwitchTo(old);
	return csr;
}

/* The dense index of id, or -1 when it is not a node of csr. */
int32
GraphCSRIndexOf(const GraphCSR *csr, int64 id)
{
	return (int32) SortedFindInt64(csr->ids, csr->nnodes, id);
}
