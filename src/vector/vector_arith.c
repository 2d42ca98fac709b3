/*
 * src/vector/vector_arith.c
 *	  Element-wise arithmetic and reshaping of vectors: the +, -, * and ||
 *	  operators, l2_normalize, subvector and binary_quantize.  Results that
 *	  leave float4's range are errors (as for PostgreSQL's real type), never
 *	  infinities stored in a vector.
 */
#include "postgres.h"

#include <math.h>

#include "utils/float.h"
#include "utils/varbit.h"

#include "vector/vector.h"

static void CheckOverflow(const Vector *result);

/*
 * Error out if any element of a freshly computed vector overflowed float4.
 * Inputs are finite (every vector is checked on the way in), so an infinity
 * here can only come from the arithmetic.
 */
static void
CheckOverflow(const Vector *result)
{
	for (int i = 0; i < result->dim; i++)
		if (isinf(result->x[i]))
			float_overflow_error();
}

PG_FUNCTION_INFO_V1(vector_add);
Datum
vector_add(PG_FUNCTION_ARGS)
{
	Vector	   *a = PG_GETARG_VECTOR_P(0);
	Vector	   *b = PG_GETARG_VECTOR_P(1);
	Vector	   *result;

	VecCheckSameDims(a, b);
	result = InitVector(a->dim);
	for (int i = 0; i < a->dim; i++)
		result->x[i] = a->x[i] + b->x[i];
	CheckOverflow(result);
	PG_RETURN_VECTOR_P(result);
}

PG_FUNCTION_INFO_V1(vector_sub);
Datum
vector_sub(PG_FUNCTION_ARGS)
{
	Vector	   *a = PG_GETARG_VECTOR_P(0);
	Vector	   *b = PG_GETARG_VECTOR_P(1);
	Vector	   *result;

	VecCheckSameDims(a, b);
	result = InitVector(a->dim);
	for (int i = 0; i < a->dim; i++)
		result->x[i] = a->x[i] - b->x[i];
	CheckOverflow(result);
	PG_RETURN_VECTOR_P(result);
}

/*
 * Element-wise (Hadamard) product.  Like float4mul, a product of two
 * non-zero elements that rounds to zero is an underflow error rather than a
 * silent zero.
 */
PG_FUNCTION_INFO_V1(vector_mul);
Datum
vector_mul(PG_FUNCTION_ARGS)
{
	Vector	   *a = PG_GETARG_VECTOR_P(0);
	Vector	   *b = PG_GETARG_VECTOR_P(1);
	Vector	   *result;

	VecCheckSameDims(a, b);
	result = InitVector(a->dim);
	for (int i = 0; i < a->dim; i++)
		result->x[i] = a->x[i] * b->x[i];
	CheckOverflow(result);
	for (int i = 0; i < a->dim; i++)
		if (result->x[i] == 0.0f && a->x[i] != 0.0f && b->x[i] != 0.0f)
			float_underflow_error();
	PG_RETURN_VECTOR_P(result);
}

PG_FUNCTION_INFO_V1(vector_concat);
Datum
vector_concat(PG_FUNCTION_ARGS)
{
	Vector	   *a = PG_GETARG_VECTOR_P(0);
	Vector	   *b = PG_GETARG_VECTOR_P(1);
	Vector	   *result;

	VecCheckDim(a->dim + b->dim);
	result = InitVector(a->dim + b->dim);
	memcpy(result->x, a->x, sizeof(float) * a->dim);
	memcpy(result->x + a->dim, b->x, sizeof(float) * b->dim);
	PG_RETURN_VECTOR_P(result);
}

/*
 * Divide by the Euclidean norm (summed in double).  A zero vector has no
 * direction and comes back as itself, as in pgvector.  Dividing finite
 * floats by a norm of at least their largest magnitude cannot overflow, but
 * a subnormal-only vector's norm can round so that it does: keep the check.
 */
PG_FUNCTION_INFO_V1(l2_normalize);
Datum
l2_normalize(PG_FUNCTION_ARGS)
{
	Vector	   *a = PG_GETARG_VECTOR_P(0);
	Vector	   *result = InitVector(a->dim);
	double		norm = 0.0;

	for (int i = 0; i < a->dim; i++)
		norm += (double) a->x[i] * (double) a->x[i];
	norm = sqrt(norm);
	if (norm > 0.0)
	{
		for (int i = 0; i < a->dim; i++)
			result->x[i] = (float) ((double) a->x[i] / norm);
		CheckOverflow(result);
	}
	PG_RETURN_VECTOR_P(result);
}

/*
 * subvector(v, start, count): count elements from 1-based position start,
 * with substring()'s rules: a start before 1 still counts from start (so
 * subvector('[1,2,3]', 0, 2) is '[1]'), a range running past the end is
 * cut at the end, and an empty result is an error since a vector has at
 * least one dimension.
 */
PG_FUNCTION_INFO_V1(subvector);
Datum
subvector(PG_FUNCTION_ARGS)
{
	Vector	   *a = PG_GETARG_VECTOR_P(0);
	int32		start = PG_GETARG_INT32(1);
	int32		count = PG_GETARG_INT32(2);
	int64		first;
	int64		end;
	Vector	   *result;

	if (count < 1)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("vector must have at least 1 dimension"),
				 errdetail("The element count must be positive, not %d.", count)));

	/* int64 arithmetic: start + count cannot overflow */
	end = Min((int64) start + count, (int64) a->dim + 1);
	first = Max((int64) start, 1);
	if (first > a->dim || end <= first)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("vector must have at least 1 dimension"),
				 errdetail_plural("Positions %d to %lld select no element of a vector with %d dimension.",
								  "Positions %d to %lld select no element of a vector with %d dimensions.",
								  a->dim,
								  start, (long long) start + count - 1, a->dim)));

	result = InitVector((int) (end - first));
	memcpy(result->x, a->x + (first - 1), sizeof(float) * result->dim);
	PG_RETURN_VECTOR_P(result);
}

/*
 * One bit per element, set where the element is positive, in a built-in
 * bit(n) value (first element in the most significant bit, as bit strings
 * print left to right).
 */
PG_FUNCTION_INFO_V1(binary_quantize);
Datum
binary_quantize(PG_FUNCTION_ARGS)
{
	Vector	   *a = PG_GETARG_VECTOR_P(0);
	Size		size = VARBITTOTALLEN(a->dim);
	VarBit	   *result = (VarBit *) palloc0(size);
	bits8	   *bits = VARBITS(result);

	SET_VARSIZE(result, size);
	VARBITLEN(result) = a->dim;
	for (int i = 0; i < a->dim; i++)
		if (a->x[i] > 0.0f)
			bits[i / BITS_PER_BYTE] |= (bits8) (0x80 >> (i % BITS_PER_BYTE));
	PG_RETURN_VARBIT_P(result);
}
