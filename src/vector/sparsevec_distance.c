/*
 * src/vector/sparsevec_distance.c
 *	  SQL-callable distances between sparse vectors (the functions behind
 *	  <->, <#>, <=>, <+> and the index support functions), l2_norm and
 *	  l2_normalize.  Each distance is one merge over the two sorted index
 *	  lists, O(nnz(a) + nnz(b)), accumulated in float like pgvector.
 */
#include "postgres.h"

#include <math.h>

#include "utils/float.h"

#include "vector/sparsevec.h"

float
SparsevecL2SquaredDistance(const SparseVector *a, const SparseVector *b)
{
	const float *ax = SPARSEVEC_VALUES(a);
	const float *bx = SPARSEVEC_VALUES(b);
	float		sum = 0.0f;
	int			i = 0;
	int			j = 0;

	while (i < a->nnz && j < b->nnz)
	{
		if (a->indices[i] == b->indices[j])
		{
			float		diff = ax[i++] - bx[j++];

			sum += diff * diff;
		}
		else if (a->indices[i] < b->indices[j])
		{
			sum += ax[i] * ax[i];
			i++;
		}
		else
		{
			sum += bx[j] * bx[j];
			j++;
		}
	}
	for (; i < a->nnz; i++)
		sum += ax[i] * ax[i];
	for (; j < b->nnz; j++)
		sum += bx[j] * bx[j];
	return sum;
}

float
SparsevecInnerProduct(const SparseVector *a, const SparseVector *b)
{
	const float *ax = SPARSEVEC_VALUES(a);
	const float *bx = SPARSEVEC_VALUES(b);
	float		sum = 0.0f;
	int			i = 0;
	int			j = 0;

	while (i < a->nnz && j < b->nnz)
	{
		if (a->indices[i] == b->indices[j])
			sum += ax[i++] * bx[j++];
		else if (a->indices[i] < b->indices[j])
			i++;
		else
			j++;
	}
	return sum;
}

float
SparsevecL1Distance(const SparseVector *a, const SparseVector *b)
{
	const float *ax = SPARSEVEC_VALUES(a);
	const float *bx = SPARSEVEC_VALUES(b);
	float		sum = 0.0f;
	int			i = 0;
	int			j = 0;

	while (i < a->nnz && j < b->nnz)
	{
		if (a->indices[i] == b->indices[j])
			sum += fabsf(ax[i++] - bx[j++]);
		else if (a->indices[i] < b->indices[j])
			sum += fabsf(ax[i++]);
		else
			sum += fabsf(bx[j++]);
	}
	for (; i < a->nnz; i++)
		sum += fabsf(ax[i]);
	for (; j < b->nnz; j++)
		sum += fabsf(bx[j]);
	return sum;
}

PG_FUNCTION_INFO_V1(sparsevec_l2_distance);
Datum
sparsevec_l2_distance(PG_FUNCTION_ARGS)
{
	SparseVector *a = PG_GETARG_SPARSEVEC_P(0);
	SparseVector *b = PG_GETARG_SPARSEVEC_P(1);

	SparsevecCheckSameDims(a, b);
	PG_RETURN_FLOAT8(sqrt((double) SparsevecL2SquaredDistance(a, b)));
}

PG_FUNCTION_INFO_V1(sparsevec_l2_squared_distance);
Datum
sparsevec_l2_squared_distance(PG_FUNCTION_ARGS)
{
	SparseVector *a = PG_GETARG_SPARSEVEC_P(0);
	SparseVector *b = PG_GETARG_SPARSEVEC_P(1);

	SparsevecCheckSameDims(a, b);
	PG_RETURN_FLOAT8((double) SparsevecL2SquaredDistance(a, b));
}

PG_FUNCTION_INFO_V1(sparsevec_inner_product);
Datum
sparsevec_inner_product(PG_FUNCTION_ARGS)
{
	SparseVector *a = PG_GETARG_SPARSEVEC_P(0);
	SparseVector *b = PG_GETARG_SPARSEVEC_P(1);

	SparsevecCheckSameDims(a, b);
	PG_RETURN_FLOAT8((double) SparsevecInnerProduct(a, b));
}

PG_FUNCTION_INFO_V1(sparsevec_negative_inner_product);
Datum
sparsevec_negative_inner_product(PG_FUNCTION_ARGS)
{
	SparseVector *a = PG_GETARG_SPARSEVEC_P(0);
	SparseVector *b = PG_GETARG_SPARSEVEC_P(1);

	SparsevecCheckSameDims(a, b);
	PG_RETURN_FLOAT8((double) -SparsevecInnerProduct(a, b));
}

/*
 * 1 - cosine similarity, clamped to [0, 2]; NaN when either vector is zero.
 */
PG_FUNCTION_INFO_V1(sparsevec_cosine_distance);
Datum
sparsevec_cosine_distance(PG_FUNCTION_ARGS)
{
	SparseVector *a = PG_GETARG_SPARSEVEC_P(0);
	SparseVector *b = PG_GETARG_SPARSEVEC_P(1);
	const float *ax = SPARSEVEC_VALUES(a);
	const float *bx = SPARSEVEC_VALUES(b);
	float		na = 0.0f;
	float		nb = 0.0f;
	double		similarity;

	SparsevecCheckSameDims(a, b);
	for (int i = 0; i < a->nnz; i++)
		na += ax[i] * ax[i];
	for (int j = 0; j < b->nnz; j++)
		nb += bx[j] * bx[j];
	similarity = (double) SparsevecInnerProduct(a, b) / sqrt((double) na * (double) nb);
	if (isnan(similarity))
		PG_RETURN_FLOAT8(get_float8_nan());
	if (similarity > 1.0)
		similarity = 1.0;
	else if (similarity < -1.0)
		similarity = -1.0;
	PG_RETURN_FLOAT8(1.0 - similarity);
}

PG_FUNCTION_INFO_V1(sparsevec_l1_distance);
Datum
sparsevec_l1_distance(PG_FUNCTION_ARGS)
{
	SparseVector *a = PG_GETARG_SPARSEVEC_P(0);
	SparseVector *b = PG_GETARG_SPARSEVEC_P(1);

	SparsevecCheckSameDims(a, b);
	PG_RETURN_FLOAT8((double) SparsevecL1Distance(a, b));
}

PG_FUNCTION_INFO_V1(sparsevec_l2_norm);
Datum
sparsevec_l2_norm(PG_FUNCTION_ARGS)
{
	SparseVector *a = PG_GETARG_SPARSEVEC_P(0);
	const float *ax = SPARSEVEC_VALUES(a);
	double		norm = 0.0;

	for (int i = 0; i < a->nnz; i++)
		norm += (double) ax[i] * (double) ax[i];
	PG_RETURN_FLOAT8(sqrt(norm));
}

/*
 * a / norm, with values that underflow to zero dropped so the result stays a
 * valid sparsevec.  norm > 0.  The result is palloc'd in the current context.
 */
SparseVector *
SparsevecDivide(const SparseVector *a, double norm)
{
	const float *ax = SPARSEVEC_VALUES(a);
	int			nnz = 0;
	SparseVector *result;
	float	   *rx;
	int			j = 0;

	for (int i = 0; i < a->nnz; i++)
		if ((float) (ax[i] / norm) != 0.0f)
			nnz++;
	result = InitSparseVector(a->dim, nnz);
	rx = SPARSEVEC_VALUES(result);
	for (int i = 0; i < a->nnz; i++)
	{
		float		value = (float) (ax[i] / norm);

		if (value == 0.0f)
			continue;
		if (isinf(value))
			float_overflow_error();
		result->indices[j] = a->indices[i];
		rx[j] = value;
		j++;
	}
	return result;
}

/*
 * a / |a|; a zero vector stays zero.
 */
PG_FUNCTION_INFO_V1(sparsevec_l2_normalize);
Datum
sparsevec_l2_normalize(PG_FUNCTION_ARGS)
{
	SparseVector *a = PG_GETARG_SPARSEVEC_P(0);
	const float *ax = SPARSEVEC_VALUES(a);
	double		norm = 0.0;

	for (int i = 0; i < a->nnz; i++)
		norm += (double) ax[i] * (double) ax[i];
	norm = sqrt(norm);
	if (norm == 0.0)
		PG_RETURN_SPARSEVEC_P(InitSparseVector(a->dim, 0));
	PG_RETURN_SPARSEVEC_P(SparsevecDivide(a, norm));
}
