/*
 * src/vector/halfvec_arith.c
 *	  Element-wise arithmetic (+ - *), concatenation (||), subvector and the
 *	  avg(halfvec) aggregate's transition, combine and final functions.
 *	  Arithmetic runs in float and rounds once to half; a result that
 *	  overflows half precision is an error, as in pgvector.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/float.h"

#include "vector/halfvec.h"

static HalfVector *Arith(HalfVector *a, HalfVector *b, char op);
static float8 *CheckStateArray(ArrayType *state, const char *caller, int *dim);
static ArrayType *BuildStateArray(float8 *values, int dim);

/*
 * a op b element-wise.  Multiplication that underflows to zero from two
 * non-zero factors is an error like float4 multiplication's.
 */
static HalfVector *
Arith(HalfVector *a, HalfVector *b, char op)
{
	HalfVector *result;

	HalfvecCheckSameDims(a, b);
	result = InitHalfVector(a->dim);
	for (int i = 0; i < a->dim; i++)
	{
		float		ax = HalfToFloat4(a->x[i]);
		float		bx = HalfToFloat4(b->x[i]);
		float		r;

		if (op == '+')
			r = ax + bx;
		else if (op == '-')
			r = ax - bx;
		else
			r = ax * bx;
		result->x[i] = Float4ToHalfUnchecked(r);
		if (HalfIsInf(result->x[i]))
			float_overflow_error();
		if (op == '*' && HalfIsZero(result->x[i]) && ax != 0.0f && bx != 0.0f)
			float_underflow_error();
	}
	return result;
}

PG_FUNCTION_INFO_V1(halfvec_add);
Datum
halfvec_add(PG_FUNCTION_ARGS)
{
	PG_RETURN_HALFVEC_P(Arith(PG_GETARG_HALFVEC_P(0), PG_GETARG_HALFVEC_P(1), '+'));
}

PG_FUNCTION_INFO_V1(halfvec_sub);
Datum
halfvec_sub(PG_FUNCTION_ARGS)
{
	PG_RETURN_HALFVEC_P(Arith(PG_GETARG_HALFVEC_P(0), PG_GETARG_HALFVEC_P(1), '-'));
}

PG_FUNCTION_INFO_V1(halfvec_mul);
Datum
halfvec_mul(PG_FUNCTION_ARGS)
{
	PG_RETURN_HALFVEC_P(Arith(PG_GETARG_HALFVEC_P(0), PG_GETARG_HALFVEC_P(1), '*'));
}

PG_FUNCTION_INFO_V1(halfvec_concat);
Datum
halfvec_concat(PG_FUNCTION_ARGS)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);
	HalfVector *b = PG_GETARG_HALFVEC_P(1);
	HalfVector *result;

	HalfvecCheckDim(a->dim + b->dim);
	result = InitHalfVector(a->dim + b->dim);
	memcpy(result->x, a->x, sizeof(half) * a->dim);
	memcpy(result->x + a->dim, b->x, sizeof(half) * b->dim);
	PG_RETURN_HALFVEC_P(result);
}

/*
 * subvector(a, start, count): count elements from 1-based start, clipped to
 * the vector like substring(); an empty result is an error.
 */
PG_FUNCTION_INFO_V1(halfvec_subvector);
Datum
halfvec_subvector(PG_FUNCTION_ARGS)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);
	int64		start = PG_GETARG_INT32(1);
	int64		count = PG_GETARG_INT32(2);
	int64		end = start + count;
	HalfVector *result;

	if (count < 1)
		HalfvecCheckDim(0);
	if (start < 1)
		start = 1;
	if (end > (int64) a->dim + 1)
		end = (int64) a->dim + 1;
	if (start > a->dim || end <= start)
		HalfvecCheckDim(0);

	result = InitHalfVector((int) (end - start));
	memcpy(result->x, a->x + (start - 1), sizeof(half) * (end - start));
	PG_RETURN_HALFVEC_P(result);
}

/*
 * The aggregate state is a float8[]: the count, then one running sum per
 * dimension (like float4_accum's array).  An empty state is just {0}.
 */
static float8 *
CheckStateArray(ArrayType *state, const char *caller, int *dim)
{
	if (ARR_NDIM(state) != 1 || ARR_DIMS(state)[0] < 1 ||
		ARR_HASNULL(state) || ARR_ELEMTYPE(state) != FLOAT8OID)
		elog(ERROR, "%s: expected state array", caller);
	*dim = ARR_DIMS(state)[0] - 1;
	return (float8 *) ARR_DATA_PTR(state);
}

static ArrayType *
BuildStateArray(float8 *values, int dim)
{
	Datum	   *datums = palloc(sizeof(Datum) * (dim + 1));
	ArrayType  *result;

	for (int i = 0; i <= dim; i++)
		datums[i] = Float8GetDatum(values[i]);
	result = construct_array(datums, dim + 1, FLOAT8OID, sizeof(float8),
							 FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
	pfree(datums);
	return result;
}

PG_FUNCTION_INFO_V1(halfvec_accum);
Datum
halfvec_accum(PG_FUNCTION_ARGS)
{
	ArrayType  *state = PG_GETARG_ARRAYTYPE_P(0);
	HalfVector *value = PG_GETARG_HALFVEC_P(1);
	int			dim;
	float8	   *sums = CheckStateArray(state, "halfvec_accum", &dim);
	float8	   *next;
	ArrayType  *result;

	if (dim == 0)
		dim = value->dim;
	else
		HalfvecCheckExpectedDim(dim, value->dim);

	next = palloc0(sizeof(float8) * (dim + 1));
	next[0] = sums[0] + 1.0;
	for (int i = 0; i < dim; i++)
	{
		float8		prev = ARR_DIMS(state)[0] > 1 ? sums[i + 1] : 0.0;

		next[i + 1] = prev + (float8) HalfToFloat4(value->x[i]);
		if (isinf(next[i + 1]))
			float_overflow_error();
	}
	result = BuildStateArray(next, dim);
	pfree(next);
	PG_RETURN_ARRAYTYPE_P(result);
}

PG_FUNCTION_INFO_V1(halfvec_combine);
Datum
halfvec_combine(PG_FUNCTION_ARGS)
{
	ArrayType  *state1 = PG_GETARG_ARRAYTYPE_P(0);
	ArrayType  *state2 = PG_GETARG_ARRAYTYPE_P(1);
	int			dim1;
	int			dim2;
	float8	   *sums1 = CheckStateArray(state1, "halfvec_combine", &dim1);
	float8	   *sums2 = CheckStateArray(state2, "halfvec_combine", &dim2);
	float8	   *next;
	ArrayType  *result;
	int			dim;

	if (sums1[0] == 0.0)
		PG_RETURN_ARRAYTYPE_P(BuildStateArray(sums2, dim2));
	if (sums2[0] == 0.0)
		PG_RETURN_ARRAYTYPE_P(BuildStateArray(sums1, dim1));
	HalfvecCheckExpectedDim(dim1, dim2);
	dim = dim1;

	next = palloc(sizeof(float8) * (dim + 1));
	next[0] = sums1[0] + sums2[0];
	for (int i = 1; i <= dim; i++)
	{
		next[i] = sums1[i] + sums2[i];
		if (isinf(next[i]))
			float_overflow_error();
	}
	result = BuildStateArray(next, dim);
	pfree(next);
	PG_RETURN_ARRAYTYPE_P(result);
}

PG_FUNCTION_INFO_V1(halfvec_avg);
Datum
halfvec_avg(PG_FUNCTION_ARGS)
{
	ArrayType  *state = PG_GETARG_ARRAYTYPE_P(0);
	int			dim;
	float8	   *sums = CheckStateArray(state, "halfvec_avg", &dim);
	HalfVector *result;

	/* SQL defines the average of no rows as NULL */
	if (sums[0] == 0.0)
		PG_RETURN_NULL();

	HalfvecCheckDim(dim);
	result = InitHalfVector(dim);
	for (int i = 0; i < dim; i++)
		result->x[i] = Float4ToHalf((float) (sums[i + 1] / sums[0]));
	PG_RETURN_HALFVEC_P(result);
}
