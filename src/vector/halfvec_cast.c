/*
 * src/vector/halfvec_cast.c
 *	  Casts to and from halfvec: the typmod coercion halfvec(n), vector <->
 *	  halfvec, integer[]/real[]/double precision[]/numeric[] -> halfvec and
 *	  halfvec -> real[].  Values too large for half precision are errors.
 *	  Also the array reader sparsevec's casts share.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"

#include "vector/halfvec.h"
#include "vector/vector.h"

/*
 * Read a one-dimensional integer[], real[], double precision[] or numeric[]
 * without nulls into a palloc'd float array of *count elements.  Elements
 * outside the range of real are an error; NaN and infinity pass through for
 * the caller's element check to reject.
 */
float *
HalfvecArrayToFloats(ArrayType *array, int *count)
{
	Oid			elemtype = ARR_ELEMTYPE(array);
	int16		typlen;
	bool		typbyval;
	char		typalign;
	Datum	   *elems;
	int			n;
	float	   *result;

	if (ARR_NDIM(array) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("array must be 1-D")));
	if (ARR_HASNULL(array) && array_contains_nulls(array))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("array must not contain nulls")));
	if (elemtype != INT4OID && elemtype != FLOAT4OID &&
		elemtype != FLOAT8OID && elemtype != NUMERICOID)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("unsupported array type"),
				 errdetail("Arrays of integer, real, double precision and numeric convert.")));

	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	deconstruct_array(array, elemtype, typlen, typbyval, typalign, &elems, NULL, &n);

	result = palloc(sizeof(float) * Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		if ((i & 1023) == 0)
			CHECK_FOR_INTERRUPTS();
		if (elemtype == INT4OID)
			result[i] = (float) DatumGetInt32(elems[i]);
		else if (elemtype == FLOAT4OID)
			result[i] = DatumGetFloat4(elems[i]);
		else if (elemtype == FLOAT8OID)
		{
			float8		d = DatumGetFloat8(elems[i]);

			result[i] = (float) d;
			if (isinf(result[i]) && !isinf(d))
				float_overflow_error();
		}
		else
			result[i] = DatumGetFloat4(DirectFunctionCall1(numeric_float4, elems[i]));
	}
	pfree(elems);
	*count = n;
	return result;
}

/*
 * Cast halfvec to halfvec(n): the length coercion run on assignment to a
 * column with a typmod.
 */
PG_FUNCTION_INFO_V1(halfvec);
Datum
halfvec(PG_FUNCTION_ARGS)
{
	HalfVector *vec = PG_GETARG_HALFVEC_P(0);
	int32		typmod = PG_GETARG_INT32(1);

	HalfvecCheckExpectedDim(typmod, vec->dim);
	PG_RETURN_HALFVEC_P(vec);
}

PG_FUNCTION_INFO_V1(array_to_halfvec);
Datum
array_to_halfvec(PG_FUNCTION_ARGS)
{
	ArrayType  *array = PG_GETARG_ARRAYTYPE_P(0);
	int32		typmod = PG_GETARG_INT32(1);
	int			n;
	float	   *values = HalfvecArrayToFloats(array, &n);
	HalfVector *result;

	HalfvecCheckDim(n);
	HalfvecCheckExpectedDim(typmod, n);
	result = InitHalfVector(n);
	for (int i = 0; i < n; i++)
	{
		result->x[i] = Float4ToHalf(values[i]);
		HalfvecCheckElement(result->x[i]);
	}
	pfree(values);
	PG_RETURN_HALFVEC_P(result);
}

PG_FUNCTION_INFO_V1(halfvec_to_float4);
Datum
halfvec_to_float4(PG_FUNCTION_ARGS)
{
	HalfVector *vec = PG_GETARG_HALFVEC_P(0);
	Datum	   *datums = palloc(sizeof(Datum) * vec->dim);
	ArrayType  *result;

	for (int i = 0; i < vec->dim; i++)
		datums[i] = Float4GetDatum(HalfToFloat4(vec->x[i]));
	result = construct_array(datums, vec->dim, FLOAT4OID, sizeof(float4),
							 true, TYPALIGN_INT);
	pfree(datums);
	PG_RETURN_ARRAYTYPE_P(result);
}

PG_FUNCTION_INFO_V1(vector_to_halfvec);
Datum
vector_to_halfvec(PG_FUNCTION_ARGS)
{
	Vector	   *vec = PG_GETARG_VECTOR_P(0);
	int32		typmod = PG_GETARG_INT32(1);
	HalfVector *result;

	HalfvecCheckDim(vec->dim);
	HalfvecCheckExpectedDim(typmod, vec->dim);
	result = InitHalfVector(vec->dim);
	for (int i = 0; i < vec->dim; i++)
		result->x[i] = Float4ToHalf(vec->x[i]);
	PG_RETURN_HALFVEC_P(result);
}

PG_FUNCTION_INFO_V1(halfvec_to_vector);
Datum
halfvec_to_vector(PG_FUNCTION_ARGS)
{
	HalfVector *vec = PG_GETARG_HALFVEC_P(0);
	int32		typmod = PG_GETARG_INT32(1);
	Vector	   *result;

	VecCheckDim(vec->dim);
	VecCheckExpectedDim(typmod, vec->dim);
	result = InitVector(vec->dim);
	for (int i = 0; i < vec->dim; i++)
		result->x[i] = HalfToFloat4(vec->x[i]);
	PG_RETURN_VECTOR_P(result);
}
