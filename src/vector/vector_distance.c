/*
 * src/vector/vector_distance.c
 *	  SQL-callable distances between vectors (the functions behind <->, <#>,
 *	  <=>, <+> and the index support functions), vector_dims and vector_norm.
 *	  The arithmetic lives in core/distance.c's kernels.
 */
#include "postgres.h"

#include <math.h>

#include "utils/float.h"

#include "core/distance.h"
#include "vector/vector.h"

PG_FUNCTION_INFO_V1(l2_distance);
Datum
l2_distance(PG_FUNCTION_ARGS)
{
	Vector	   *a = PG_GETARG_VECTOR_P(0);
	Vector	   *b = PG_GETARG_VECTOR_P(1);

	VecCheckSameDims(a, b);
	PG_RETURN_FLOAT8(sqrt((double) VecL2SquaredDistance(a->x, b->x, a->dim)));
}

PG_FUNCTION_INFO_V1(vector_l2_squared_distance);
Datum
vector_l2_squared_distance(PG_FUNCTION_ARGS)
{
	Vector	   *a = PG_GETARG_VECTOR_P(0);
	Vector	   *b = PG_GETARG_VECTOR_P(1);

	VecCheckSameDims(a, b);
	PG_RETURN_FLOAT8((double) VecL2SquaredDistance(a->x, b->x, a->dim));
}

PG_FUNCTION_INFO_V1(inner_product);
Datum
inner_product(PG_FUNCTION_ARGS)
{
	Vector	   *a = PG_GETARG_VECTOR_P(0);
	Vector	   *b = PG_GETARG_VECTOR_P(1);

	VecCheckSameDims(a, b);
	PG_RETURN_FLOAT8((double) VecInnerProduct(a->x, b->x, a->dim));
}

PG_FUNCTION_INFO_V1(vector_negative_inner_product);
Datum
vector_negative_inner_product(PG_FUNCTION_ARGS)
{
	Vector	   *a = PG_GETARG_VECTOR_P(0);
	Vector	   *b = PG_GETARG_VECTOR_P(1);

	VecCheckSameDims(a, b);
	PG_RETURN_FLOAT8((double) -VecInnerProduct(a->x, b->x, a->dim));
}

/*
 * 1 - cosine similarity, clamped to [0, 2].  NaN when either vector is zero,
 * as pgvector returns.
 */
PG_FUNCTION_INFO_V1(cosine_distance);
Datum
cosine_distance(PG_FUNCTION_ARGS)
{
	Vector	   *a = PG_GETARG_VECTOR_P(0);
	Vector	   *b = PG_GETARG_VECTOR_P(1);
	double		similarity;

	VecCheckSameDims(a, b);
	similarity = VecCosineSimilarity(a->x, b->x, a->dim);
	if (isnan(similarity))
		PG_RETURN_FLOAT8(get_float8_nan());
	if (similarity > 1.0)
		similarity = 1.0;
	else if (similarity < -1.0)
		similarity = -1.0;
	PG_RETURN_FLOAT8(1.0 - similarity);
}

/*
 * Angular distance acos(a . b) / pi for unit vectors, in [0, 1]: unlike
 * cosine distance it satisfies the triangle inequality, which index code
 * that clusters normalized vectors relies on.  The inner product is clamped
 * so rounding never takes acos out of its domain.
 */
PG_FUNCTION_INFO_V1(vector_spherical_distance);
Datum
vector_spherical_distance(PG_FUNCTION_ARGS)
{
	Vector	   *a = PG_GETARG_VECTOR_P(0);
	Vector	   *b = PG_GETARG_VECTOR_P(1);
	double		dot;

	VecCheckSameDims(a, b);
	dot = (double) VecInnerProduct(a->x, b->x, a->dim);
	if (dot > 1.0)
		dot = 1.0;
	else if (dot < -1.0)
		dot = -1.0;
	PG_RETURN_FLOAT8(acos(dot) / M_PI);
}

PG_FUNCTION_INFO_V1(l1_distance);
Datum
l1_distance(PG_FUNCTION_ARGS)
{
	Vector	   *a = PG_GETARG_VECTOR_P(0);
	Vector	   *b = PG_GETARG_VECTOR_P(1);

	VecCheckSameDims(a, b);
	PG_RETURN_FLOAT8((double) VecL1Distance(a->x, b->x, a->dim));
}

PG_FUNCTION_INFO_V1(vector_dims);
Datum
vector_dims(PG_FUNCTION_ARGS)
{
	Vector	   *a = PG_GETARG_VECTOR_P(0);

	PG_RETURN_INT32(a->dim);
}

PG_FUNCTION_INFO_V1(vector_norm);
Datum
vector_norm(PG_FUNCTION_ARGS)
{
	Vector	   *a = PG_GETARG_VECTOR_P(0);
	double		norm = 0.0;

	for (int i = 0; i < a->dim; i++)
		norm += (double) a->x[i] * (double) a->x[i];
	PG_RETURN_FLOAT8(sqrt(norm));
}
