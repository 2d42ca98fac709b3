/*
 * src/search/maxsim.c
 *	  Late-interaction and feature scoring: ColBERT MaxSim over arrays of
 *	  token vectors, and a weighted sum of features for hand-tuned rerankers.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/array.h"

#include "core/distance.h"
#include "search/search.h"
#include "vector/vector.h"

/*
 * vecrag.maxsim(query vector[], document vector[]) returns float8: for each
 * query token vector the largest inner product with any document token
 * vector, summed (ColBERT's MaxSim; with unit vectors this is the sum of
 * best cosine similarities).
 */
PG_FUNCTION_INFO_V1(vecrag_maxsim);
Datum
vecrag_maxsim(PG_FUNCTION_ARGS)
{
	int			nq,
				nd,
				dim = 0;
	Vector	  **q = SearchVectorArray(fcinfo, 0, "query", &nq, &dim);
	Vector	  **d = SearchVectorArray(fcinfo, 1, "document", &nd, &dim);
	double		total = 0;

	if (nq == 0 || nd == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("maxsim needs at least one query and one document vector")));
	for (int i = 0; i < nq; i++)
	{
		double		best = -INFINITY;

		CHECK_FOR_INTERRUPTS();
		for (int j = 0; j < nd; j++)
		{
			double		s = VecInnerProduct(q[i]->x, d[j]->x, dim);

			if (s > best)
				best = s;
		}
		total += best;
	}
	PG_RETURN_FLOAT8(total);
}

/*
 * vecrag.feature_score(features float8[], weights float8[]) returns float8:
 * sum of weights[i] * features[i], for a reranker over hand-made features
 * (BM25 score, vector similarity, recency, graph centrality, ...).
 */
PG_FUNCTION_INFO_V1(vecrag_feature_score);
Datum
vecrag_feature_score(PG_FUNCTION_ARGS)
{
	int			nf,
				nw;
	double	   *f = SearchFloat8Array(PG_GETARG_ARRAYTYPE_P(0), "features", &nf);
	double	   *w = SearchFloat8Array(PG_GETARG_ARRAYTYPE_P(1), "weights", &nw);
	double		total = 0;

	if (nf != nw)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%d features but %d weights", nf, nw)));
	for (int i = 0; i < nf; i++)
		total += f[i] * w[i];
	PG_RETURN_FLOAT8(total);
}
