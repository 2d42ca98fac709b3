/*
 * src/vector/halfvec_distance.c
 *	  SQL-callable distances between half vectors (the functions behind <->,
 *	  <#>, <=>, <+> and the index support functions), vector_dims, l2_norm
 *	  and l2_normalize for halfvec.  The arithmetic runs in float in the
 *	  kernels of halfvec_kernels.c.
 */
#include "postgres.h"

#include <math.h>

#include "utils/float.h"

#include "vector/halfvec.h"

PG_FUNCTION_INFO_V1(halfvec_l2_distance);
Datum
halfvec_l2_distance(PG_FUNCTION_ARGS)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);
	HalfVector *b = PG_GETARG_HALFVEC_P(1);

	HalfvecCheckSameDims(a, b);
	PG_RETURN_FLOAT8(sqrt((double) HalfvecL2SquaredDistance(a->x, b->x, a->dim)));
}

PG_FUNCTION_INFO_V1(halfvec_l2_squared_distance);
Datum
halfvec_l2_squared_distance(PG_FUNCTION_ARGS)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);
	HalfVector *b = PG_GETARG_HALFVEC_P(1);

	HalfvecCheckSameDims(a, b);
	PG_RETURN_FLOAT8((double) HalfvecL2SquaredDistance(a->x, b->x, a->dim));
}

PG_FUNCTION_INFO_V1(halfvec_inner_product);
Datum
halfvec_inner_product(PG_FUNCTION_ARGS)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);
	HalfVector *b = PG_GETARG_HALFVEC_P(1);

	HalfvecCheckSameDims(a, b);
	PG_RETURN_FLOAT8((double) HalfvecInnerProduct(a->x, b->x, a->dim));
}

PG_FUNCTION_INFO_V1(halfvec_negative_inner_product);
Datum
halfvec_negative_inner_product(PG_FUNCTION_ARGS)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);
	HalfVector *b = PG_GETARG_HALFVEC_P(1);

	HalfvecCheckSameDims(a, b);
	PG_RETURN_FLOAT8((double) -HalfvecInnerProduct(a->x, b->x, a->dim));
}

/*
 * 1 - cosine similarity, clamped to [0, 2].  NaN when either vector is zero,
 * as pgvector returns.
 */
PG_FUNCTION_INFO_V1(halfvec_cosine_distance);
Datum
halfvec_cosine_distance(PG_FUNCTION_ARGS)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);
	HalfVector *b = PG_GETARG_HALFVEC_P(1);
	double		similarity;

	HalfvecCheckSameDims(a, b);
	similarity = HalfvecCosineSimilarity(a->x, b->x, a->dim);
	if (isnan(similarity))
		PG_RETURN_FLOAT8(get_float8_nan());
	if (similarity > 1.0)
		similarity = 1.0;
	else if (similarity < -1.0)
		similarity = -1.0;
	PG_RETURN_FLOAT8(1.0 - similarity);
}

/*
 * Angular distance of two unit vectors, for spherical k-means (an IVF index
 * on cosine or inner product); it satisfies the triangle inequality.
 */
PG_FUNCTION_INFO_V1(halfvec_spherical_distance);
Datum
halfvec_spherical_distance(PG_FUNCTION_ARGS)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);
	HalfVector *b = PG_GETARG_HALFVEC_P(1);
	double		dot;

	HalfvecCheckSameDims(a, b);
	dot = (double) HalfvecInnerProduct(a->x, b->x, a->dim);
	if (dot > 1.0)
		dot = 1.0;
	else if (dot < -1.0)
		dot = -1.0;
	PG_RETURN_FLOAT8(acos(dot) / M_PI);
}

PG_FUNCTION_INFO_V1(halfvec_l1_distance);
Datum
halfvec_l1_distance(PG_FUNCTION_ARGS)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);
	HalfVector *b = PG_GETARG_HALFVEC_P(1);

	HalfvecCheckSameDims(a, b);
	PG_RETURN_FLOAT8((double) HalfvecL1Distance(a->x, b->x, a->dim));
}

PG_FUNCTION_INFO_V1(halfvec_vector_dims);
Datum
halfvec_vector_dims(PG_FUNCTION_ARGS)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);

	PG_RETURN_INT32(a->dim);
}

PG_FUNCTION_INFO_V1(halfvec_l2_norm);
Datum
halfvec_l2_norm(PG_FUNCTION_ARGS)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);
	double		norm = 0.0;

	for (int i = 0; i < a->dim; i++)
	{
		double		x = (double) HalfToFloat4(a->x[i]);

		norm += x * x;
	}
	PG_RETURN_FLOAT8(sqrt(norm));
}

/*
 * a / |a|; a zero vector stays zero (pgvector's behaviour).  Elements that
 * fall below the smallest half become zero.
 */
PG_FUNCTION_INFO_V1(halfvec_l2_normalize);
Datum
halfvec_l2_normalize(PG_FUNCTION_ARGS)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);
	HalfVector *result = InitHalfVector(a->dim);
	double		norm = 0.0;

	for (int i = 0; i < a->dim; i++)
	{
		double		x = (double) HalfToFloat4(a->x[i]);

		norm += x * x;
	}
	norm = sqrt(norm);
	if (norm > 0)
	{
		for (int i = 0; i < a->dim; i++)
			result->x[i] = Float4ToHalf((float) (HalfToFloat4(a->x[i]) / norm));
	}
	PG_RETURN_HALFVEC_P(result);
}
