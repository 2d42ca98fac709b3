/*
 * src/vector/vector_cast.c
 *	  Casts between vector and arrays: integer[], real[], double precision[]
 *	  and numeric[] to vector (assignment casts that also apply a column's
 *	  typmod), and vector to real[].
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/lsyscache.h"

#include "vector/vector.h"

static float ElementToFloat(Datum value, Oid type);

/*
 * One array element as a vector element.  A double beyond float4's range is
 * an out-of-range error (as in a cast to real), not an infinite element; a
 * double too small for float4 becomes zero, as pgvector converts it.
 * numeric goes through numeric_float4, which rounds once and reports its
 * own range errors.
 */
static float
ElementToFloat(Datum value, Oid type)
{
	float8		d;

	switch (type)
	{
		case INT4OID:
			return (float) DatumGetInt32(value);
		case FLOAT4OID:
			return DatumGetFloat4(value);
		case NUMERICOID:
			return DatumGetFloat4(DirectFunctionCall1(numeric_float4, value));
		case FLOAT8OID:
			d = DatumGetFloat8(value);
			if (!isnan(d) && !isinf(d) && fabs(d) > FLT_MAX)
				ereport(ERROR,
						(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						 errmsg("\"%g\" is out of range for type vector", d),
						 errdetail("Vector elements are single precision (real) numbers.")));
			return (float) d;
		default:
			/* the SQL signatures admit only the four types above */
			elog(ERROR, "unsupported array element type %u", type);
	}
	return 0.0f;				/* keep compiler quiet */
}

/*
 * array_to_vector(array, typmod, explicit): the cast function for all four
 * array types (the element type is read from the array).
 */
PG_FUNCTION_INFO_V1(array_to_vector);
Datum
array_to_vector(PG_FUNCTION_ARGS)
{
	ArrayType  *array = PG_GETARG_ARRAYTYPE_P(0);
	int32		typmod = PG_GETARG_INT32(1);
	Oid			elemtype = ARR_ELEMTYPE(array);
	int16		typlen;
	bool		typbyval;
	char		typalign;
	Datum	   *elems;
	int			n;
	Vector	   *result;

	if (ARR_NDIM(array) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("array must be 1-D"),
				 errdetail("The array has %d dimensions; a vector is built from a one-dimensional array.",
						   ARR_NDIM(array))));
	if (array_contains_nulls(array))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("array must not contain nulls")));

	n = ArrayGetNItems(ARR_NDIM(array), ARR_DIMS(array));
	VecCheckDim(n);
	VecCheckExpectedDim(typmod, n);

	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	deconstruct_array(array, elemtype, typlen, typbyval, typalign, &elems, NULL, &n);
	result = InitVector(n);
	for (int i = 0; i < n; i++)
	{
		result->x[i] = ElementToFloat(elems[i], elemtype);
		VecCheckElement(result->x[i]);
	}
	pfree(elems);
	PG_RETURN_VECTOR_P(result);
}

PG_FUNCTION_INFO_V1(vector_to_float4);
Datum
vector_to_float4(PG_FUNCTION_ARGS)
{
	Vector	   *vec = PG_GETARG_VECTOR_P(0);
	Datum	   *datums = palloc(sizeof(Datum) * vec->dim);
	ArrayType  *result;

	for (int i = 0; i < vec->dim; i++)
		datums[i] = Float4GetDatum(vec->x[i]);
	result = construct_array(datums, vec->dim, FLOAT4OID,
							 sizeof(float4), true, TYPALIGN_INT);
	pfree(datums);
	PG_RETURN_ARRAYTYPE_P(result);
}
