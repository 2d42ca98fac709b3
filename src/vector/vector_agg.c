/*
 * src/vector/vector_agg.c
 *	  The avg(vector) aggregate: transition, combine and final functions.
 *	  The state is a float8[] (as float4_accum's is): element 0 counts the
 *	  rows, elements 1..dim hold the running sums in double precision.  The
 *	  initial state '{0}' has no sums yet; the first row sets the dimensions.
 *	  Being a plain array, the state needs no serialize functions for
 *	  parallel aggregation.  sum(vector) uses vector_add (vector_arith.c).
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/float.h"

#include "vector/vector.h"

static float8 *CheckState(ArrayType *state, int *dim);
static ArrayType *MakeState(float8 count, const float8 *sums, int dim);

/*
 * Check that state is an aggregate state array and return its values and
 * number of sums.  These functions are callable from SQL with any array,
 * so a malformed one is a user error, not an internal one.
 */
static float8 *
CheckState(ArrayType *state, int *dim)
{
	if (ARR_NDIM(state) != 1 || ARR_DIMS(state)[0] < 1 ||
		ARR_HASNULL(state) || ARR_ELEMTYPE(state) != FLOAT8OID ||
		ARR_DIMS(state)[0] - 1 > VECTOR_MAX_DIM)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("invalid state for a vector aggregate"),
				 errdetail("The state must be a one-dimensional double precision array without nulls holding a count and at most %d sums.",
						   VECTOR_MAX_DIM)));
	*dim = ARR_DIMS(state)[0] - 1;
	return (float8 *) ARR_DATA_PTR(state);
}

/*
 * A new state array with count and dim sums (sums NULL: zeros), in the
 * current memory context.
 */
static ArrayType *
MakeState(float8 count, const float8 *sums, int dim)
{
	Datum	   *datums = palloc(sizeof(Datum) * (dim + 1));
	ArrayType  *result;

	datums[0] = Float8GetDatum(count);
	for (int i = 0; i < dim; i++)
		datums[i + 1] = Float8GetDatum(sums ? sums[i] : 0.0);
	result = construct_array(datums, dim + 1, FLOAT8OID,
							 sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
	pfree(datums);
	return result;
}

/*
 * Add one vector to the state.  Called as an aggregate transition function,
 * it updates the state in place (the executor owns it, as in float8_accum);
 * called directly, it returns a new array and leaves its argument alone.
 */
PG_FUNCTION_INFO_V1(vector_accum);
Datum
vector_accum(PG_FUNCTION_ARGS)
{
	ArrayType  *state = PG_GETARG_ARRAYTYPE_P(0);
	Vector	   *v = PG_GETARG_VECTOR_P(1);
	int			dim;
	float8	   *values = CheckState(state, &dim);
	float8	   *sums;

	if (dim == 0)
	{
		state = MakeState(values[0], NULL, v->dim);
		values = (float8 *) ARR_DATA_PTR(state);
	}
	else
	{
		VecCheckExpectedDim(dim, v->dim);
		if (!AggCheckCallContext(fcinfo, NULL))
			state = MakeState(values[0], values + 1, dim);
		values = (float8 *) ARR_DATA_PTR(state);
	}

	values[0] += 1.0;
	sums = values + 1;
	for (int i = 0; i < v->dim; i++)
	{
		sums[i] += (double) v->x[i];
		if (isinf(sums[i]))
			float_overflow_error();
	}
	PG_RETURN_ARRAYTYPE_P(state);
}

/*
 * Merge two partial states (parallel aggregation).  Always returns a new
 * array: either input may be the other worker's state.
 */
PG_FUNCTION_INFO_V1(vector_combine);
Datum
vector_combine(PG_FUNCTION_ARGS)
{
	ArrayType  *state1 = PG_GETARG_ARRAYTYPE_P(0);
	ArrayType  *state2 = PG_GETARG_ARRAYTYPE_P(1);
	int			dim1;
	int			dim2;
	float8	   *values1 = CheckState(state1, &dim1);
	float8	   *values2 = CheckState(state2, &dim2);
	ArrayType  *result;
	float8	   *sums;

	if (dim1 == 0)
		PG_RETURN_ARRAYTYPE_P(MakeState(values1[0] + values2[0], values2 + 1, dim2));
	if (dim2 == 0)
		PG_RETURN_ARRAYTYPE_P(MakeState(values1[0] + values2[0], values1 + 1, dim1));

	VecCheckExpectedDim(dim1, dim2);
	result = MakeState(values1[0] + values2[0], values1 + 1, dim1);
	sums = (float8 *) ARR_DATA_PTR(result) + 1;
	for (int i = 0; i < dim1; i++)
	{
		sums[i] += values2[i + 1];
		if (isinf(sums[i]))
			float_overflow_error();
	}
	PG_RETURN_ARRAYTYPE_P(result);
}

/*
 * The mean: sums divided by the count, rounded to float4.  No rows gives
 * NULL, as avg() of no values does in SQL.
 */
PG_FUNCTION_INFO_V1(vector_avg);
Datum
vector_avg(PG_FUNCTION_ARGS)
{
	ArrayType  *state = PG_GETARG_ARRAYTYPE_P(0);
	int			dim;
	float8	   *values = CheckState(state, &dim);
	Vector	   *result;

	if (values[0] == 0.0)
		PG_RETURN_NULL();
	VecCheckDim(dim);
	result = InitVector(dim);
	for (int i = 0; i < dim; i++)
	{
		result->x[i] = (float) (values[i + 1] / values[0]);
		VecCheckElement(result->x[i]);
	}
	PG_RETURN_VECTOR_P(result);
}
