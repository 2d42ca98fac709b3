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
 *
 * method => 'leiden' adds the refinement phase of Leiden (Traag, Waltman
 * and van Eck 2019): after local moving, each community S is split again
 * into singletons that are merged, in ascending node order, only into
 * sub-communities that are well connected to the rest of S
 * (E(R, S - R) >= gamma * K_R * (K_S - K_R) / 2m) and only when that does
 * not lower modularity; the graph is then aggregated by these refined
 * sub-communities, and the next level starts from the unrefined partition.
 * So every community stays connected, which Louvain does not guarantee.
 * The paper picks the merge at random (randomness theta); we take the best
 * merge (the theta -> 0 limit), so results are deterministic.  Levels are
 * reported when the partition of the original nodes changed.
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "graph/graph.h"

#define LOUVAIN_MAX_PASSES 100
#define LOUVAIN_EPSILON 1e-12
/* Leiden may aggregate without a new level: bound the rounds */
#define COMMUNITY_MAX_ROUNDS 1000

/* A level's graph: CSR with weights, self-loops included. */
typedef struct LevelGraph
{
	int32		n;
	int64	   *offsets;
	int32	   *targets;
	float8	   *weights;
} LevelGraph;

static bool LocalMoving(const LevelGraph *g, float8 resolution, int32 *comm);
static int32 Renumber(int32 *comm, int32 n);
static int32 Refine(const LevelGraph *g, float8 resolution, const int32 *comm,
					int32 *refined);
static LevelGraph *Aggregate(const LevelGraph *g, const int32 *comm, int32 ncomm);

/*
 * Move nodes between communities while modularity improves, starting from
 * the partition in comm (community numbers < n); returns whether any node
 * moved.
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
		tot[comm[i]] += k[i];
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

/*
 * Number communities 0..count-1 by first appearance in node order; returns
 * the count.
 */
static int32
Renumber(int32 *comm, int32 n)
{
	int32	   *dense = GraphAllocHuge(sizeof(int32) * Max(n, 1));
	int32		count = 0,
				i;

	for (i = 0; i < n; i++)
		dense[i] = -1;
	for (i = 0; i < n; i++)
		if (dense[comm[i]] < 0)
			dense[comm[i]] = count++;
	for (i = 0; i < n; i++)
		comm[i] = dense[comm[i]];
	pfree(dense);
	return count;
}

/*
 * Leiden's refinement: split each community of comm (numbered 0..n-1) into
 * well-connected sub-communities, written to refined (numbered densely);
 * returns how many there are.
 */
static int32
Refine(const LevelGraph *g, float8 resolution, const int32 *comm, int32 *refined)
{
	int32		n = g->n;
	float8	   *k = GraphAllocHuge0(sizeof(float8) * Max(n, 1));
	float8	   *ktot = GraphAllocHuge0(sizeof(float8) * Max(n, 1));	/* K_S */
	float8	   *rtot = GraphAllocHuge0(sizeof(float8) * Max(n, 1));	/* K_R */
	float8	   *ext = GraphAllocHuge0(sizeof(float8) * Max(n, 1));	/* E(R, S - R) */
	int32	   *size = GraphAllocHuge(sizeof(int32) * Max(n, 1));
	float8	   *neighw = GraphAllocHuge0(sizeof(float8) * Max(n, 1));
	int32	   *touched = GraphAllocHuge(sizeof(int32) * Max(n, 1));
	float8		m2 = 0;
	int32		i;

	for (i = 0; i < n; i++)
	{
		int64		e;

		for (e = g->offsets[i]; e < g->offsets[i + 1]; e++)
		{
			k[i] += g->weights[e];
			if (g->targets[e] != i && comm[g->targets[e]] == comm[i])
				ext[i] += g->weights[e];
		}
		ktot[comm[i]] += k[i];
		rtot[i] = k[i];
		size[i] = 1;
		refined[i] = i;
		m2 += k[i];
	}
	for (i = 0; i < n && m2 > 0; i++)
	{
		int32		s = comm[i];
		int32		ntouched = 0;
		int32		best = -1;
		float8		best_gain = 0;
		int64		e;
		int32		t;

		if ((i & 1023) == 0)
			CHECK_FOR_INTERRUPTS();
		/* only singletons move, and only when well connected to S */
		if (size[refined[i]] != 1 ||
			ext[i] < resolution * k[i] * (ktot[s] - k[i]) / m2)
			continue;
		for (e = g->offsets[i]; e < g->offsets[i + 1]; e++)
		{
			int32		j = g->targets[e];
			int32		r = refined[j];

			if (j == i || comm[j] != s)
				continue;
			if (neighw[r] == 0)
				touched[ntouched++] = r;
			neighw[r] += g->weights[e];
		}
		for (t = 0; t < ntouched; t++)
		{
			int32		r = touched[t];
			float8		gain;

			/* into well-connected sub-communities only, never losing modularity */
			if (ext[r] < resolution * rtot[r] * (ktot[s] - rtot[r]) / m2)
				continue;
			gain = neighw[r] - resolution * rtot[r] * k[i] / m2;
			if (gain >= 0 && (best < 0 || gain > best_gain + LOUVAIN_EPSILON))
			{
				best = r;
				best_gain = gain;
			}
		}
		if (best >= 0)
		{
			/* edges between i and best become internal to best */
			ext[best] += ext[i] - 2 * neighw[best];
			rtot[best] += k[i];
			size[best]++;
			size[i] = 0;
			refined[i] = best;
		}
		for (t = 0; t < ntouched; t++)
			neighw[touched[t]] = 0;
	}
	pfree(k);
	pfree(ktot);
	pfree(rtot);
	pfree(ext);
	pfree(size);
	pfree(neighw);
	pfree(touched);
	return Renumber(refined, n);
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
	GraphCache *pinned;
	GraphRelationFilter *filter;
	float8		resolution;
	int32		max_levels;
	bool		weighted;
	LevelGraph *g;
	int32	   *assign;			/* original node -> node of current level */
	int32	   *comm;			/* node of current level -> its community */
	bool		leiden = false;
	int32		n,
				i,
				level,
				round;

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
	/* method came in 0.1.1: a database still on the 0.1.0 SQL passes 5 */
	if (PG_NARGS() > 5 && !PG_ARGISNULL(5))
	{
		char	   *method = text_to_cstring(PG_GETARG_TEXT_PP(5));

		if (pg_strcasecmp(method, "leiden") == 0)
			leiden = true;
		else if (pg_strcasecmp(method, "louvain") != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid community detection method \"%s\"", method),
					 errhint("Use 'louvain' or 'leiden'.")));
	}

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
	csr = GraphLoadCSR(def, GRAPH_BOTH, filter, weighted, NULL, 0, cxt, &pinned);
	n = csr->nnodes;

	g = palloc(sizeof(LevelGraph));
	g->n = n;
	g->offsets = csr->offsets;
	g->targets = csr->targets;
	g->weights = csr->weights;
	assign = GraphAllocHuge(sizeof(int32) * Max(n, 1));
	for (i = 0; i < n; i++)
		assign[i] = i;
	comm = GraphAllocHuge(sizeof(int32) * Max(n, 1));
	for (i = 0; i < n; i++)
		comm[i] = i;

	for (level = 0, round = 0; level < max_levels && round < COMMUNITY_MAX_ROUNDS; round++)
	{
		int64	   *label;
		int32		ncomm;
		bool		moved;

		moved = LocalMoving(g, resolution, comm);
		if (!leiden && !moved && level > 0)
			break;
		GraphCheckMemory(cxt, "community detection");

		/*
		 * Number communities by first appearance in node order: nodes are in
		 * ascending order of their smallest original id, so the numbering is
		 * too, and the label (smallest member id) is that of the first member.
		 */
		ncomm = Renumber(comm, g->n);

		/* a level is a new partition of the original nodes */
		if (moved || level == 0)
		{
			label = GraphAllocHuge(sizeof(int64) * Max(ncomm, 1));
			for (i = 0; i < ncomm; i++)
				label[i] = PG_INT64_MAX;
			for (i = 0; i < n; i++)
			{
				int32		c = comm[assign[i]];

				if (csr->ids[i] < label[c])
					label[c] = csr->ids[i];
			}
			for (i = 0; i < n; i++)
			{
				Datum		values[3];
				bool		nulls[3] = {false, false, false};

				values[0] = Int64GetDatum(csr->ids[i]);
				values[1] = Int32GetDatum(level);
				values[2] = Int64GetDatum(label[comm[assign[i]]]);
				tuplestore_putvalues(store, tupdesc, values, nulls);
			}
			pfree(label);
			level++;
		}
		if (!leiden)
		{
			if (!moved)
				break;
			for (i = 0; i < n; i++)
				assign[i] = comm[assign[i]];
			g = Aggregate(g, comm, ncomm);
			comm = GraphAllocHuge(sizeof(int32) * Max(g->n, 1));
			for (i = 0; i < g->n; i++)
				comm[i] = i;
		}
		else
		{
			int32	   *refined = GraphAllocHuge(sizeof(int32) * Max(g->n, 1));
			int32		nrefined = Refine(g, resolution, comm, refined);
			int32	   *start;

			/* converged, or no progress left to make */
			if (!moved && (nrefined == ncomm || nrefined == g->n))
				break;
			/* aggregate by the refined partition, start from the unrefined */
			start = GraphAllocHuge(sizeof(int32) * Max(nrefined, 1));
			for (i = 0; i < g->n; i++)
				start[refined[i]] = comm[i];
			for (i = 0; i < n; i++)
				assign[i] = refined[assign[i]];
			g = Aggregate(g, refined, nrefined);
			comm = start;
		}
	}
	GraphCacheRelease(pinned);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
	return (Datum) 0;
}
