/*
 * src/search/mmr.c
 *	  Maximal marginal relevance (Carbonell & Goldstein 1998): greedily pick
 *	  the candidate maximising
 *		lambda * relevance(d) - (1 - lambda) * max over picked p of sim(d, p)
 *	  with cosine similarity between embeddings.  relevance is the cosine
 *	  similarity to the query vector, or the caller's scores when given.
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"

#include "core/distance.h"
#include "search/search.h"

/* cosine similarity, 0 for a zero vector (no direction, nothing in common) */
static double
Similarity(const Vector *a, const Vector *b)
{
	double		s = VecCosineSimilarity(a->x, b->x, a->dim);

	return isnan(s) ? 0.0 : s;
}

/*
 * vecrag.mmr(query vector, ids bigint[], embeddings vector[], k int,
 *			  lambda float8, scores float8[])
 *	 returns table (id bigint, score float8, rank int)
 * score is the candidate's marginal relevance when it was picked.
 */
PG_FUNCTION_INFO_V1(vecrag_mmr);
Datum
vecrag_mmr(PG_FUNCTION_ARGS)
{
	static const char *const names[] = {"query", "ids", "embeddings", "k", "lambda"};
	Vector	   *query;
	int64	   *ids;
	Vector	  **emb;
	double	   *rel;
	double	   *maxsim;
	bool	   *picked;
	int			n,
				ne,
				dim,
				k;
	double		lambda;
	TupleDesc	tupdesc;
	Tuplestorestate *store;

	for (int i = 0; i < lengthof(names); i++)
		if (PG_ARGISNULL(i))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not be NULL", names[i])));
	query = PG_GETARG_VECTOR_P(0);
	dim = query->dim;
	ids = SearchInt8Array(PG_GETARG_ARRAYTYPE_P(1), "ids", &n);
	emb = SearchVectorArray(fcinfo, 2, "embeddings", &ne, &dim);
	k = PG_GETARG_INT32(3);
	lambda = PG_GETARG_FLOAT8(4);
	SearchCheckK(k, "k");
	if (!(lambda >= 0 && lambda <= 1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("lambda must be between 0 and 1")));
	if (ne != n)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%d ids but %d embeddings", n, ne)));
	if (PG_ARGISNULL(5))
	{
		rel = palloc(sizeof(double) * Max(n, 1));
		for (int i = 0; i < n; i++)
			rel[i] = Similarity(query, emb[i]);
	}
	else
	{
		int			ns;

		rel = SearchFloat8Array(PG_GETARG_ARRAYTYPE_P(5), "scores", &ns);
		if (ns != n)
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("%d ids but %d scores", n, ns)));
	}

	maxsim = palloc(sizeof(double) * Max(n, 1));
	picked = palloc0(sizeof(bool) * Max(n, 1));
	for (int i = 0; i < n; i++)
		maxsim[i] = -INFINITY;
	store = SearchBeginResult(fcinfo, &tupdesc);
	for (int r = 0; r < Min(k, n); r++)
	{
		int			best = -1;
		double		bestscore = 0;

		CHECK_FOR_INTERRUPTS();
		for (int i = 0; i < n; i++)
		{
			double		s;

			if (picked[i])
				continue;
			s = lambda * rel[i] - (r == 0 ? 0 : (1 - lambda) * maxsim[i]);
			/* ties: earlier candidate (the input is usually best first) */
			if (best < 0 || s > bestscore)
			{
				best = i;
				bestscore = s;
			}
		}
		picked[best] = true;
		{
			Datum		values[3];
			bool		nulls[3] = {false, false, false};

			values[0] = Int64GetDatum(ids[best]);
			values[1] = Float8GetDatum(bestscore);
			values[2] = Int32GetDatum(r + 1);
			tuplestore_putvalues(store, tupdesc, values, nulls);
		}
		for (int i = 0; i < n; i++)
			if (!picked[i])
				maxsim[i] = Max(maxsim[i], Similarity(emb[i], emb[best]));
	}
	return (Datum) 0;
}
