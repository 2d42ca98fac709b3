/*
 * src/graph/pagerank.c
 *	  vecrag.pagerank: personalized PageRank from a weighted seed set
 *	  (HippoRAG-style), or global PageRank when no seeds are given.
 *
 * Design note.  The graph is loaded once into CSR by in-edges (csr.c); the
 * scores are the fixed point of
 *     r = d * (P^T r + dangling(r) * p) + (1 - d) * p
 * where P moves a node's score along its out-edges in proportion to their
 * weight, p is the personalization vector (the normalized seed weights, or
 * uniform), and the score of nodes without out-edges (dangling) goes back
 * to p, as in HippoRAG and networkx.  Scores sum to 1.
 *
 * Each iteration is a Gauss-Seidel sweep: nodes pull from their in-edges
 * and are updated in place, so later nodes of the same sweep already use
 * the new scores.  It reaches the same fixed point as power iteration in
 * about half the sweeps, and pulling reads memory at random instead of
 * writing it at random.  Iteration stops when a sweep changes the scores by
 * less than tolerance (L1) or after max_iterations sweeps.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "graph/graph.h"

typedef struct ScoredNode
{
	int32		index;
	float8		score;
	int64		id;
} ScoredNode;

static int	CompareScored(const void *a, const void *b);
static int32 SelectTop(ScoredNode *items, int32 n, int32 k);
static int64 *ArrayToIds(ArrayType *arr, const char *what, int *n);

/* by score descending, then id ascending */
static int
CompareScored(const void *a, const void *b)
{
	const ScoredNode *x = a;
	const ScoredNode *y = b;

	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return x->id < y->id ? -1 : (x->id > y->id ? 1 : 0);
}

/*
 * Move the k best items (by CompareScored) to the front, unordered, and
 * return how many there are: a min-heap of the best k seen, O(n log k),
 * so asking for the top 100 of 100,000 nodes does not sort them all.
 */
static int32
SelectTop(ScoredNode *items, int32 n, int32 k)
{
	int32		size = 0,
				i;

	if (k >= n)
		return n;
	for (i = 0; i < n; i++)
	{
		ScoredNode	item = items[i];
		int32		at;

		if (size == k)
		{
			/* the heap root is the worst of the best k */
			if (CompareScored(&item, &items[0]) >= 0)
				continue;
			at = 0;
			for (;;)
			{
				int32		c = 2 * at + 1;

				if (c >= size)
					break;
				if (c + 1 < size && CompareScored(&items[c + 1], &items[c]) > 0)
					c++;
				if (CompareScored(&items[c], &item) <= 0)
					break;
				items[at] = items[c];
				at = c;
			}
			items[at] = item;
		}
		else
		{
			at = size++;
			while (at > 0 && CompareScored(&items[(at - 1) / 2], &item) < 0)
			{
				items[at] = items[(at - 1) / 2];
				at = (at - 1) / 2;
			}
			items[at] = item;
		}
	}
	return size;
}

/* The non-NULL elements of a bigint[]. */
static int64 *
ArrayToIds(ArrayType *arr, const char *what, int *n)
{
	Datum	   *elems;
	bool	   *nulls;
	int			count,
				i;
	int64	   *ids;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must be a one-dimensional array", what)));
	deconstruct_array(arr, INT8OID, sizeof(int64), FLOAT8PASSBYVAL,
					  TYPALIGN_DOUBLE, &elems, &nulls, &count);
	ids = palloc(sizeof(int64) * Max(count, 1));
	*n = 0;
	for (i = 0; i < count; i++)
		if (!nulls[i])
			ids[(*n)++] = DatumGetInt64(elems[i]);
	return ids;
}

PG_FUNCTION_INFO_V1(graph_pagerank);
Datum
graph_pagerank(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Tuplestorestate *store = GraphBeginSRF(fcinfo, &tupdesc);
	MemoryContext cxt,
				old;
	GraphDef   *def;
	GraphCSR   *csr;
	GraphCache *pinned;
	GraphRelationFilter *filter;
	GraphDirection direction;
	bool		weighted;
	float8		damping;
	int32		max_iterations;
	float8		tolerance;
	int64	   *seeds = NULL;
	float8	   *seed_weights = NULL;
	int			nseeds = 0;
	float8	   *p,
			   *r,
			   *x,
			   *outw,
			   *scale;
	int32	   *dangling_nodes;
	int32		ndangling = 0;
	int32		nnodes,
				i,
				iter;
	int64		e;
	ScoredNode *scored;
	int32		nscored = 0;
	int32		top_n;
	bool		restricted = !PG_ARGISNULL(6);

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("graph name must not be null")));
	damping = PG_ARGISNULL(3) ? 0.85 : PG_GETARG_FLOAT8(3);
	if (!(damping >= 0 && damping < 1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("damping must be at least 0 and less than 1")));
	max_iterations = PG_ARGISNULL(4) ? 100 : PG_GETARG_INT32(4);
	if (max_iterations < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("max_iterations must be positive")));
	tolerance = PG_ARGISNULL(5) ? 1e-6 : PG_GETARG_FLOAT8(5);
	if (!(tolerance >= 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("tolerance must be zero or positive")));
	top_n = PG_ARGISNULL(7) ? -1 : PG_GETARG_INT32(7);
	if (!PG_ARGISNULL(7) && top_n < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("top_n must be positive")));
	direction = GraphParseDirection(PG_ARGISNULL(8) ? NULL : PG_GETARG_TEXT_PP(8));
	weighted = !PG_ARGISNULL(10) && PG_GETARG_BOOL(10);

	cxt = AllocSetContextCreate(CurrentMemoryContext, "vecrag pagerank",
								ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);

	/* seeds and their weights */
	if (!PG_ARGISNULL(1))
	{
		ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(1);
		Datum	   *elems;
		bool	   *nulls;
		int			count;

		if (ARR_NDIM(arr) > 1)
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("seeds must be a one-dimensional array")));
		deconstruct_array(arr, INT8OID, sizeof(int64), FLOAT8PASSBYVAL,
						  TYPALIGN_DOUBLE, &elems, &nulls, &count);
		seeds = palloc(sizeof(int64) * Max(count, 1));
		seed_weights = palloc(sizeof(float8) * Max(count, 1));
		if (!PG_ARGISNULL(2))
		{
			ArrayType  *warr = PG_GETARG_ARRAYTYPE_P(2);
			Datum	   *welems;
			bool	   *wnulls;
			int			wcount;

			deconstruct_array(warr, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL,
							  TYPALIGN_DOUBLE, &welems, &wnulls, &wcount);
			if (ARR_NDIM(warr) > 1 || wcount != count)
				ereport(ERROR,
						(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
						 errmsg("seed_weights must have one element per seed (%d), not %d", count, wcount)));
			for (i = 0; i < count; i++)
			{
				float8		wt = wnulls[i] ? 0 : DatumGetFloat8(welems[i]);

				if (!(wt >= 0) || isinf(wt))
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("seed weights must be finite and zero or positive")));
				if (!nulls[i] && !wnulls[i])
				{
					seeds[nseeds] = DatumGetInt64(elems[i]);
					seed_weights[nseeds++] = wt;
				}
			}
		}
		else
			for (i = 0; i < count; i++)
				if (!nulls[i])
				{
					seeds[nseeds] = DatumGetInt64(elems[i]);
					seed_weights[nseeds++] = 1.0;
				}
		{
			float8		sum = 0;

			for (i = 0; i < nseeds; i++)
				sum += seed_weights[i];
			if (!(sum > 0))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("personalized PageRank needs at least one seed with a positive weight"),
						 errhint("Pass seeds => NULL for global PageRank.")));
		}
	}

	def = GraphLookup(PG_GETARG_TEXT_PP(0));
	filter = GraphRelationFilterFromArray(PG_ARGISNULL(9) ? NULL : PG_GETARG_ARRAYTYPE_P(9), def);
	if (weighted && def->weight_attno == InvalidAttrNumber && def->edge_attno == InvalidAttrNumber)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("graph \"%s\" has no weight column", def->name),
				 errhint("Use weighted => false, or register the graph with weight => 'column'.")));
	/* pull along in-edges: load the graph reversed with respect to the flow */
	csr = GraphLoadCSR(def, direction == GRAPH_OUT ? GRAPH_IN :
					   direction == GRAPH_IN ? GRAPH_OUT : GRAPH_BOTH,
					   filter, weighted, seeds, nseeds, cxt, &pinned);
	nnodes = csr->nnodes;

	p = GraphAllocHuge0(sizeof(float8) * Max(nnodes, 1));
	r = GraphAllocHuge(sizeof(float8) * Max(nnodes, 1));
	x = GraphAllocHuge(sizeof(float8) * Max(nnodes, 1));
	outw = GraphAllocHuge0(sizeof(float8) * Max(nnodes, 1));
	scale = GraphAllocHuge(sizeof(float8) * Max(nnodes, 1));
	dangling_nodes = GraphAllocHuge(sizeof(int32) * Max(nnodes, 1));
	GraphCheckMemory(cxt, "PageRank");
	if (seeds != NULL)
	{
		float8		sum = 0;

		for (i = 0; i < nseeds; i++)
			sum += seed_weights[i];
		for (i = 0; i < nseeds; i++)
			p[GraphCSRIndexOf(csr, seeds[i])] += seed_weights[i] / sum;
	}
	else
		for (i = 0; i < nnodes; i++)
			p[i] = 1.0 / nnodes;
	/* out-weight of each node in the flow direction */
	for (e = 0; e < csr->nedges; e++)
		outw[csr->targets[e]] += csr->weights[e];
	/*
	 * x[u] = r[u] * scale[u], scale[u] = d / outw[u]: what u passes along
	 * each unit of weight (a multiplication per node and sweep instead of a
	 * division).  Nodes without out-weight (dangling) have scale -1 and
	 * x 0, and are listed once, in ascending order, so each sweep sums
	 * their scores without a pass over every node.
	 */
	for (i = 0; i < nnodes; i++)
	{
		r[i] = p[i];
		if (outw[i] > 0)
		{
			scale[i] = damping / outw[i];
			x[i] = r[i] * scale[i];
		}
		else
		{
			scale[i] = -1;
			x[i] = 0;
			dangling_nodes[ndangling++] = i;
		}
	}
	pfree(outw);

	{
		/*
		 * Local restrict pointers: the stores to x and r cannot alias the
		 * CSR arrays, so the compiler keeps them in registers.
		 */
		const int64 *restrict offsets = csr->offsets;
		const int32 *restrict targets = csr->targets;
		const float8 *restrict weights = csr->weights;
		const float8 *restrict pv = p;
		const float8 *restrict sc = scale;
		const int32 *restrict dn = dangling_nodes;
		float8	   *restrict rv = r;
		float8	   *restrict xv = x;

		for (iter = 0; iter < max_iterations && nnodes > 0; iter++)
		{
			float8		dangling = 0;
			float8		diff = 0;

			CHECK_FOR_INTERRUPTS();
			for (i = 0; i < ndangling; i++)
				dangling += rv[dn[i]];
			for (i = 0; i < nnodes; i++)
			{
				float8		sum = 0;
				float8		next;
				int64		end = offsets[i + 1];

				if (weighted)
					for (e = offsets[i]; e < end; e++)
						sum += xv[targets[e]] * weights[e];
				else
					for (e = offsets[i]; e < end; e++)
						sum += xv[targets[e]];
				next = sum + (1 - damping + damping * dangling) * pv[i];
				diff += fabs(next - rv[i]);
				if (sc[i] >= 0)
					xv[i] = next * sc[i];
				else
					dangling += next - rv[i];
				rv[i] = next;
			}
			if (diff < tolerance)
				break;
		}
	}

	/* the nodes to report: restrict_to, or every node with a score */
	scored = GraphAllocHuge(sizeof(ScoredNode) * Max(nnodes, 1));
	if (restricted)
	{
		int			nrestrict;
		int64	   *restrict_ids = ArrayToIds(PG_GETARG_ARRAYTYPE_P(6), "restrict_to", &nrestrict);
		bool	   *taken = GraphAllocHuge0(sizeof(bool) * Max(nnodes, 1));

		for (i = 0; i < nrestrict; i++)
		{
			int32		k = GraphCSRIndexOf(csr, restrict_ids[i]);

			if (k < 0 || taken[k])
				continue;
			taken[k] = true;
			scored[nscored].index = k;
			scored[nscored].id = csr->ids[k];
			scored[nscored++].score = r[k];
		}
	}
	else
		for (i = 0; i < nnodes; i++)
			if (r[i] > 0)
			{
				scored[nscored].index = i;
				scored[nscored].id = csr->ids[i];
				scored[nscored++].score = r[i];
			}
	if (top_n >= 0)
		nscored = SelectTop(scored, nscored, top_n);
	qsort(scored, nscored, sizeof(ScoredNode), CompareScored);
	for (i = 0; i < nscored; i++)
	{
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		values[0] = Int64GetDatum(scored[i].id);
		values[1] = Float8GetDatum(scored[i].score);
		values[2] = Int32GetDatum(i + 1);
		tuplestore_putvalues(store, tupdesc, values, nulls);
	}
	GraphCacheRelease(pinned);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
	return (Datum) 0;
}
