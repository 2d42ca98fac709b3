/*
 * src/graph/csr.c
 *	  Load a whole registered graph into compressed sparse rows (CSR) for the
 *	  algorithms that need every edge (PageRank, communities).
 *
 * Design note.  One sequential scan of the edge table under the caller's
 * active snapshot (visibility as in any SELECT), after the same privilege
 * and row-level security checks as traversal.  Ids are mapped to dense
 * indexes on the fly (12 bytes per edge while loading), then renumbered so
 * that dense order is ascending id order: results and tie-breaks are then
 * deterministic whatever the physical order of the table.  Memory is
 * checked against work_mem as the load goes.
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"
#include "utils/memutils.h"

#include "graph/graph.h"

typedef struct IdIndex
{
	int64		id;
	int32		index;
} IdIndex;

static int	CompareIdIndex(const void *a, const void *b);

static int
CompareIdIndex(const void *a, const void *b)
{
	int64		x = ((const IdIndex *) a)->id;
	int64		y = ((const IdIndex *) b)->id;

	return x < y ? -1 : (x > y ? 1 : 0);
}

/*
 * Read every edge of def that passes filter.  Direction out keeps edges as
 * stored, in reverses them, both keeps each edge in both directions.
 * Unweighted graphs (or weighted = false) give every edge weight 1;
 * weighted edges must have finite weights >= 0.  extra_ids (seeds) become
 * nodes even without edges.  Everything is allocated in cxt.
 */
GraphCSR *
GraphLoadCSR(const GraphDef *def, GraphDirection direction,
			 const GraphRelationFilter *filter, bool weighted,
			 int64 *extra_ids, int nextra, MemoryContext cxt)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);
	Relation	rel = GraphOpenTable(def);
	GraphReader *reader = GraphReaderOpenSeq(def, rel, filter);
	GraphNodeMap *map = GraphNodeMapCreate(cxt, 1024);
	GraphCSR   *csr = palloc0(sizeof(GraphCSR));
	int64		cap = 1024,
				n = 0,
				i;
	int32	   *from = palloc(sizeof(int32) * cap);
	int32	   *to = palloc(sizeof(int32) * cap);
	float4	   *w = palloc(sizeof(float4) * cap);
	int32		idcap = 1024;
	int64	   *ids = palloc(sizeof(int64) * idcap);
	int32		nnodes = 0;
	GraphEdgeRow row;
	IdIndex    *order;
	int32	   *renumber;
	int64		nedges,
				pos;

	for (;;)
	{
		int64		ends[2];
		int32		dense[2];
		int			e;

		if ((n & 65535) == 0)
		{
			CHECK_FOR_INTERRUPTS();
			GraphCheckMemory(cxt, "loading the graph");
		}
		if (!GraphReaderNext(reader, &row))
			break;
		if (weighted && (row.edge.weight < 0 || isnan(row.edge.weight)))
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("edge " INT64_FORMAT "->" INT64_FORMAT " of graph \"%s\" has negative weight %g",
							row.edge.src, row.edge.dst, def->name, row.edge.weight),
					 errdetail("Weighted PageRank and communities need weights of zero or more.")));
		if (n == cap)
		{
			if (cap >= (int64) (MaxAllocSize / sizeof(int32) / 2))
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("graph \"%s\" has too many edges to load", def->name)));
			cap *= 2;
			from = repalloc(from, sizeof(int32) * cap);
			to = repalloc(to, sizeof(int32) * cap);
			w = repalloc(w, sizeof(float4) * cap);
		}
		ends[0] = row.edge.src;
		ends[1] = row.edge.dst;
		for (e = 0; e < 2; e++)
		{
			bool		found;

			dense[e] = GraphNodeMapInsert(map, ends[e], nnodes, &found);
			if (!found)
			{
				if (nnodes == idcap)
				{
					idcap *= 2;
					ids = repalloc(ids, sizeof(int64) * idcap);
				}
				ids[nnodes++] = ends[e];
			}
		}
		from[n] = dense[0];
		to[n] = dense[1];
		w[n] = weighted ? row.edge.weight : 1.0f;
		n++;
	}
	GraphReaderClose(reader);
	table_close(rel, NoLock);
	for (i = 0; i < nextra; i++)
	{
		bool		found;

		GraphNodeMapInsert(map, extra_ids[i], nnodes, &found);
		if (!found)
		{
			if (nnodes == idcap)
			{
				idcap *= 2;
				ids = repalloc(ids, sizeof(int64) * idcap);
			}
			ids[nnodes++] = extra_ids[i];
		}
	}

	/* renumber nodes in ascending id order */
	order = palloc(sizeof(IdIndex) * Max(nnodes, 1));
	for (i = 0; i < nnodes; i++)
	{
		order[i].id = ids[i];
		order[i].index = (int32) i;
	}
	qsort(order, nnodes, sizeof(IdIndex), CompareIdIndex);
	renumber = palloc(sizeof(int32) * Max(nnodes, 1));
	csr->ids = palloc(sizeof(int64) * Max(nnodes, 1));
	for (i = 0; i < nnodes; i++)
	{
		renumber[order[i].index] = (int32) i;
		csr->ids[i] = order[i].id;
	}
	pfree(order);
	pfree(ids);

	/* count, prefix sums, fill */
	nedges = direction == GRAPH_BOTH ? 2 * n : n;
	csr->nnodes = nnodes;
	csr->nedges = nedges;
	csr->offsets = palloc0(sizeof(int64) * (nnodes + 1));
	csr->targets = palloc(sizeof(int32) * Max(nedges, 1));
	csr->weights = palloc(sizeof(float8) * Max(nedges, 1));
	GraphCheckMemory(cxt, "loading the graph");
	for (i = 0; i < n; i++)
	{
		from[i] = renumber[from[i]];
		to[i] = renumber[to[i]];
		if (direction != GRAPH_IN)
			csr->offsets[from[i] + 1]++;
		if (direction != GRAPH_OUT)
			csr->offsets[to[i] + 1]++;
	}
	for (i = 0; i < nnodes; i++)
		csr->offsets[i + 1] += csr->offsets[i];
	/* fill in edge order, using renumber as each row's cursor */
	pfree(renumber);
	{
		int64	   *cursor = palloc(sizeof(int64) * Max(nnodes, 1));

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
	int32		lo = 0,
				hi = csr->nnodes - 1;

	while (lo <= hi)
	{
		int32		mid = lo + (hi - lo) / 2;

		if (csr->ids[mid] == id)
			return mid;
		if (csr->ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}
