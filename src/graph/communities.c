/*
 * src/graph/communities.c
 *	  vecrag.communities: hierarchical community detection (Louvain), one
 *	  row per node and level, as Microsoft GraphRAG stores communities.
 *
 * Design note.  The graph is loaded undirected (each edge in both
 * directions, weights summed over parallel edges) into CSR.  Each level
 * runs Louvain's local moving phase -- nodes in ascending id order, each
 * moved to the neighbouring community with the largest modularity gain
 * (with the resolution parameter gamma: gain = w_to_c - gamma * tot_c * k_i
 * / 2m), ties kept in place, so results are deterministic -- then collapses
 * each community into one node and repeats on the smaller graph, until a
 * level moves no node or max_levels is reached.  Level 0 is the finest
 * partition.  A community is labelled by the smallest node id in it.
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "graph/graph.h"

#define LOUVAIN_MAX_PASSES 100
#define LOUVAIN_EPSILON 1e-12

/* A level's graph: CSR with weights, self-loops included. */
typedef struct LevelGraph
{
	int32		n;
	int64	   *offsets;
	int32	   *targets;
	float8	   *weights;
} LevelGraph;

static bool LocalMoving(const LevelGraph *g, float8 resolution, int32 *comm);
static LevelGraph *Aggregate(const LevelGraph *g, const int32 *comm, int32 ncomm);

/*
 * Move nodes between communities while modularity improves.  comm must
 * start as the identity; returns whether any node moved.
 */
static bool
LocalMoving(const LevelGraph *g, float8 resolution, int32 *comm)
{
	int32		n = g->n;
	float8	   *k = GraphAllocHuge0(sizeof(float8) * Max(n, 1));
	float8	   *tot = GraphAllocHuge0(sizeof(float8) * Max(n, 1));
	float8	   *neighw = GraphAllocHuge0(sizeof(float8) * Max(n, 1));
	int32	   *touched = GraphAllocHuge(sizeof(int32) * Max(n, 1));
	float8		m2 = 0;
	bool		any = false;
	int32		i;
	int			pass;

	for (i = 0; i < n; i++)
	{
		int64		e;

		for (e = g->offsets[i]; e < g->offsets[i + 1]; e++)
			k[i] += g->weights[e];
		tot[i] = k[i];
		m2 += k[i];
	}
	if (m2 <= 0)
		return false;
	for (pass = 0; pass < LOUVAIN_MAX_PASSES; pass++)
	{
		int32		moved = 0;

		CHECK_FOR_INTERRUPTS();
		for (i = 0; i < n; i++)
		{
			int32		ci = comm[i];
			int32		ntouched = 0;
			int32		best = ci;
			float8		best_gain;
			int64		e;
			int32		t;

			for (e = g->offsets[i]; e < g->offsets[i + 1]; e++)
			{
				int32		j = g->targets[e];

				if (j == i)
					continue;
				if (neighw[comm[j]] == 0)
					touched[ntouched++] = comm[j];
				neighw[comm[j]] += g->weights[e];
			}
			tot[ci] -= k[i];
			best_gain = neighw[ci] - resolution * tot[ci] * k[i] / m2;
			for (t = 0; t < ntouched; t++)
			{
				int32		c = touched[t];
				float8		gain = neighw[c] - resolution * tot[c] * k[i] / m2;

				if (gain > best_gain + LOUVAIN_EPSILON)
				{
					best_gain = gain;
					best = c;
				}
			}
			tot[best] += k[i];
			if (best != ci)
			{
				comm[i] = best;
				moved++;
			}
			for (t = 0; t < ntouched; t++)
				neighw[touched[t]] = 0;
		}
		if (moved == 0)
			break;
		any = true;
	}
	pfree(k);
	pfree(tot);
	pfree(neighw);
	pfree(touched);
	return any;
}

/* Collapse each community (numbered 0..ncomm-1) into one node. */
static LevelGraph *
Aggregate(const LevelGraph *g, const int32 *comm, int32 ncomm)
{
	LevelGraph *a = palloc(sizeof(LevelGraph));
	int32	   *count = GraphAllocHuge0(sizeof(int32) * (ncomm + 1));
	int32	   *members;
	int32	   *cursor;
	float8	   *neighw = GraphAllocHuge0(sizeof(float8) * Max(ncomm, 1));
	int32	   *touched = GraphAllocHuge(sizeof(int32) * Max(ncomm, 1));
	int64		cap = Max(g->offsets[g->n], 1),
				nedges = 0;
	int32		c,
				i;

	/* members of each community, in node order */
	for (i = 0; i < g->n; i++)
		count[comm[i] + 1]++;
	for (c = 0; c < ncomm; c++)
		count[c + 1] += count[c];
	members = GraphAllocHuge(sizeof(int32) * Max(g->n, 1));
	cursor = GraphAllocHuge(sizeof(int32) * Max(ncomm, 1));
	memcpy(cursor, count, sizeof(int32) * ncomm);
	for (i = 0; i < g->n; i++)
		members[cursor[comm[i]]++] = i;

	a->n = ncomm;
	a->offsets = GraphAllocHuge(sizeof(int64) * (ncomm + 1));
	a->targets = GraphAllocHuge(sizeof(int32) * cap);
	a->weights = GraphAllocHuge(sizeof(float8) * cap);
	for (c = 0; c < ncomm; c++)
	{
		int32		ntouched = 0;
		int32		m,
					t;

		a->offsets[c] = nedges;
		for (m = count[c]; m < count[c + 1]; m++)
		{
			int32		v = members[m];
			int64		e;

			for (e = g->offsets[v]; e < g->offsets[v + 1]; e++)
			{
				int32		d = comm[g->targets[e]];

				if (neighw[d] == 0)
					touched[ntouched++] = d;
				neighw[d] += g->weights[e];
			}
		}
		for (t = 0; t < ntouched; t++)
		{
			/* at most one entry per (c, d), so nedges <= entries of g */
			a->targets[nedges] = touched[t];
			a->weights[nedges++] = neighw[touched[t]];
			neighw[touched[t]] = 0;
		}
	}
	a->offsets[ncomm] = nedges;
	pfree(count);
	pfree(members);
	pfree(cursor);
	pfree(neighw);
	pfree(touched);
	return a;
}

PG_FUNCTION_INFO_V1(graph_communities);
Datum
graph_communities(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Tuplestorestate *store = GraphBeginSRF(fcinfo, &tupdesc);
	MemoryContext cxt,
				old;
	GraphDef   *def;
	GraphCSR   *csr;
	GraphRelationFilter *filter;
	float8		resolution;
	int32		max_levels;
	bool		weighted;
	LevelGraph *g;
	int32	   *assign;			/* original node -> node of current level */
	int32		n,
				i,
				level;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("graph name must not be null")));
	resolution = PG_ARGISNULL(1) ? 1.0 : PG_GETARG_FLOAT8(1);
	if (!(resolution > 0) || isinf(resolution))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("resolution must be positive")));
	max_levels = PG_ARGISNULL(2) ? 10 : PG_GETARG_INT32(2);
	if (max_levels < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("max_levels must be positive")));
	weighted = !PG_ARGISNULL(4) && PG_GETARG_BOOL(4);

	cxt = AllocSetContextCreate(CurrentMemoryContext, "vecrag communities",
								ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);
	def = GraphLookup(PG_GETARG_TEXT_PP(0));
	filter = GraphRelationFilterFromArray(PG_ARGISNULL(3) ? NULL : PG_GETARG_ARRAYTYPE_P(3), def);
	if (weighted && def->weight_attno == InvalidAttrNumber && def->edge_attno == InvalidAttrNumber)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("graph \"%s\" has no weight column", def->name),
				 errhint("Use weighted => false, or register the graph with weight => 'column'.")));
	csr = GraphLoadCSR(def, GRAPH_BOTH, filter, weighted, NULL, 0, cxt);
	n = csr->nnodes;

	g = palloc(sizeof(LevelGraph));
	g->n = n;
	g->offsets = csr->offsets;
	g->targets = csr->targets;
	g->weights = csr->weights;
	assign = GraphAllocHuge(sizeof(int32) * Max(n, 1));
	for (i = 0; i < n; i++)
		assign[i] = i;

	for (level = 0; level < max_levels; level++)
	{
		int32	   *comm = GraphAllocHuge(sizeof(int32) * Max(g->n, 1));
		int32	   *dense = GraphAllocHuge(sizeof(int32) * Max(g->n, 1));
		int64	   *label;
		int32		ncomm = 0;
		bool		moved;

		for (i = 0; i < g->n; i++)
			comm[i] = i;
		moved = LocalMoving(g, resolution, comm);
		if (!moved && level > 0)
			break;
		GraphCheckMemory(cxt, "community detection");

		/*
		 * Number communities by first appearance in node order: nodes are in
		 * ascending order of their smallest original id, so the numbering is
		 * too, and the label (smallest member id) is that of the first member.
		 */
		for (i = 0; i < g->n; i++)
			dense[i] = -1;
		for (i = 0; i < g->n; i++)
			if (dense[comm[i]] < 0)
				dense[comm[i]] = ncomm++;
		for (i = 0; i < g->n; i++)
			comm[i] = dense[comm[i]];
		label = GraphAllocHuge(sizeof(int64) * Max(ncomm, 1));
		for (i = 0; i < ncomm; i++)
			label[i] = PG_INT64_MAX;
		for (i = 0; i < n; i++)
		{
			int32		c = comm[assign[i]];

			assign[i] = c;
			if (csr->ids[i] < label[c])
				label[c] = csr->ids[i];
		}
		for (i = 0; i < n; i++)
		{
			Datum		values[3];
			bool		nulls[3] = {false, false, false};

			values[0] = Int64GetDatum(csr->ids[i]);
			values[1] = Int32GetDatum(level);
			values[2] = Int64GetDatum(label[assign[i]]);
			tuplestore_putvalues(store, tupdesc, values, nulls);
		}
		if (!moved)
			break;
		g = Aggregate(g, comm, ncomm);
		pfree(comm);
		pfree(dense);
		pfree(label);
	}
	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
	return (Datum) 0;
}
