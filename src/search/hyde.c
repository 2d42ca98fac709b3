/*
 * src/search/hyde.c
 *	  HyDE (Gao et al. 2022, "Precise Zero-Shot Dense Retrieval without
 *	  Relevance Labels"): the search vector is the mean of the query's
 *	  embedding and the embeddings of N hypothetical documents,
 *		v = (f(q) + sum f(d_i)) / (N + 1),
 *	  as in the paper's equation, then scaled to unit length so cosine and
 *	  inner-product indexes rank alike.  The end-to-end form that calls the
 *	  user's generator and embedder is SQL (vecrag.hyde_vector(text)).
 */
#include "postgres.h"

#include <math.h>

#include "search/search.h"

/*
 * vecrag.hyde_vector(query vector, hypothetical vector[],
 *					  include_query boolean) returns vector
 */
PG_FUNCTION_INFO_V1(vecrag_hyde_vector);
Datum
vecrag_hyde_vector(PG_FUNCTION_ARGS)
{
	Vector	   *query;
	Vector	  **docs;
	Vector	   *result;
	double	   *sum;
	double		norm = 0;
	int			n,
				dim;
	bool		include_query;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be NULL",
						PG_ARGISNULL(0) ? "query" : PG_ARGISNULL(1) ? "hypothetical" : "include_query")));
	query = PG_GETARG_VECTOR_P(0);
	include_query = PG_GETARG_BOOL(2);
	dim = query->dim;
	docs = SearchVectorArray(fcinfo, 1, "hypothetical", &n, &dim);
	if (n == 0 && !include_query)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("no vectors to average"),
				 errhint("Pass at least one hypothetical document vector, or include the query.")));

	sum = palloc0(sizeof(double) * dim);
	if (include_query)
		for (int j = 0; j < dim; j++)
			sum[j] = query->x[j];
	for (int i = 0; i < n; i++)
		for (int j = 0; j < dim; j++)
			sum[j] += docs[i]->x[j];
	/* the mean's direction is the sum's: dividing by N + 1 cancels in the normalisation */
	for (int j = 0; j < dim; j++)
		norm += sum[j] * sum[j];
	norm = sqrt(norm);
	if (norm == 0 || !isfinite(norm))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("the mean of the HyDE vectors is %s and cannot be normalised",
						norm == 0 ? "the zero vector" : "not finite")));
	result = InitVector(dim);
	for (int j = 0; j < dim; j++)
		result->x[j] = (float) (sum[j] / norm);
	PG_RETURN_VECTOR_P(result);
}
