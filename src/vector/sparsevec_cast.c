/*
 * src/vector/sparsevec_cast.c
 *	  Casts to and from sparsevec: the typmod coercion sparsevec(n), vector
 *	  and halfvec <-> sparsevec, and integer[]/real[]/double precision[]/
 *	  numeric[] -> sparsevec.  Dense -> sparse drops zeros; sparse -> dense
 *	  fails beyond the dense types' 16,000 dimensions.
 */
#include "postgres.h"

#include "utils/array.h"

#include "vector/halfvec.h"
#include "vector/sparsevec.h"
#include "vector/vector.h"

PG_FUNCTION_INFO_V1(sparsevec);
Datum
sparsevec(PG_FUNCTION_ARGS)
{
	SparseVector *vec = PG_GETARG_SPARSEVEC_P(0);
	int32		typmod = PG_GETARG_INT32(1);

	SparsevecCheckExpectedDim(typmod, vec->dim);
	PG_RETURN_SPARSEVEC_P(vec);
}

PG_FUNCTION_INFO_V1(vector_to_sparsevec);
Datum
vector_to_sparsevec(PG_FUNCTION_ARGS)
{
	Vector	   *vec = PG_GETARG_VECTOR_P(0);
	int32		typmod = PG_GETARG_INT32(1);

	PG_RETURN_SPARSEVEC_P(SparsevecFromDense(vec->x, vec->dim, typmod));
}

PG_FUNCTION_INFO_V1(halfvec_to_sparsevec);
Datum
halfvec_to_sparsevec(PG_FUNCTION_ARGS)
{
	HalfVector *vec = PG_GETARG_HALFVEC_P(0);
	int32		typmod = PG_GETARG_INT32(1);
	float	   *values = palloc(sizeof(float) * vec->dim);
	SparseVector *result;

	for (int i = 0; i < vec->dim; i++)
		values[i] = HalfToFloat4(vec->x[i]);
	result = SparsevecFromDense(values, vec->dim, typmod);
	pfree(values);
	PG_RETURN_SPARSEVEC_P(result);
}

PG_FUNCTION_INFO_V1(array_to_sparsevec);
Datum
array_to_sparsevec(PG_FUNCTION_ARGS)
{
	ArrayType  *array = PG_GETARG_ARRAYTYPE_P(0);
	int32		typmod = PG_GETARG_INT32(1);
	int			n;
	float	   *values = HalfvecArrayToFloats(array, &n);
	SparseVector *result = SparsevecFromDense(values, n, typmod);

	pfree(values);
	PG_RETURN_SPARSEVEC_P(result);
}

PG_FUNCTION_INFO_V1(sparsevec_to_vector);
Datum
sparsevec_to_vector(PG_FUNCTION_ARGS)
{
	SparseVector *svec = PG_GETARG_SPARSEVEC_P(0);
	int32		typmod = PG_GETARG_INT32(1);
	const float *values = SPARSEVEC_VALUES(svec);
	Vector	   *result;

	VecCheckDim(svec->dim);
	VecCheckExpectedDim(typmod, svec->dim);
	result = InitVector(svec->dim);
	for (int i = 0; i < svec->nnz; i++)
		result->x[svec->indices[i]] = values[i];
	PG_RETURN_VECTOR_P(result);
}

PG_FUNCTION_INFO_V1(sparsevec_to_halfvec);
Datum
sparsevec_to_halfvec(PG_FUNCTION_ARGS)
{
	SparseVector *svec = PG_GETARG_SPARSEVEC_P(0);
	int32		typmod = PG_GETARG_INT32(1);
	const float *values = SPARSEVEC_VALUES(svec);
	HalfVector *result;

	HalfvecCheckDim(svec->dim);
	HalfvecCheckExpectedDim(typmod, svec->dim);
	result = InitHalfVector(svec->dim);
	for (int i = 0; i < svec->nnz; i++)
		result->x[svec->indices[i]] = Float4ToHalf(values[i]);
	PG_RETURN_HALFVEC_P(result);
}
