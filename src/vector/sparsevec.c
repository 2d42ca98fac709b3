/*
 * src/vector/sparsevec.c
 *	  Building and checking sparse vectors: allocation, the checks on
 *	  dimensions, element counts, indices and values that input, casts and
 *	  operators share, and the dense -> sparse conversion.  Messages match
 *	  pgvector's.
 */
#include "postgres.h"

#include <math.h>

#include "vector/sparsevec.h"

/*
 * Allocate a zeroed sparse vector in the current memory context.  The
 * caller has checked dim and nnz.
 */
SparseVector *
InitSparseVector(int dim, int nnz)
{
	Size		size = SPARSEVEC_SIZE(nnz);
	SparseVector *result = (SparseVector *) palloc0(size);

	SET_VARSIZE(result, size);
	result->dim = dim;
	result->nnz = nnz;
	return result;
}

void
SparsevecCheckDim(int dim)
{
	if (dim < 1)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("sparsevec must have at least 1 dimension")));
	if (dim > SPARSEVEC_MAX_DIM)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("sparsevec cannot have more than %d dimensions", SPARSEVEC_MAX_DIM)));
}

void
SparsevecCheckExpectedDim(int32 typmod, int dim)
{
	if (typmod != -1 && typmod != dim)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("expected %d dimensions, not %d", typmod, dim)));
}

void
SparsevecCheckNnz(int nnz, int dim)
{
	if (nnz < 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("sparsevec cannot have negative number of elements")));
	if (nnz > SPARSEVEC_MAX_NNZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("sparsevec cannot have more than %d non-zero elements", SPARSEVEC_MAX_NNZ)));
	if (nnz > dim)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("sparsevec cannot have more elements than dimensions")));
}

/*
 * indices[i] is 0-based; it must lie within dim and follow indices[i - 1].
 */
void
SparsevecCheckIndex(const int32 *indices, int i, int dim)
{
	int32		index = indices[i];

	if (index < 0 || index >= dim)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("sparsevec index out of bounds"),
				 errdetail("Index %lld is outside 1..%d.", (long long) index + 1, dim)));
	if (i > 0 && index < indices[i - 1])
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("sparsevec indices must be in ascending order"),
				 errdetail("Index %d follows index %d.", index + 1, indices[i - 1] + 1)));
	if (i > 0 && index == indices[i - 1])
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("sparsevec indices must not contain duplicates"),
				 errdetail("Index %d appears twice.", index + 1)));
}

void
SparsevecCheckElement(float value)
{
	if (isnan(value))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("NaN not allowed in sparsevec")));
	if (isinf(value))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("infinite value not allowed in sparsevec")));
}

void
SparsevecCheckSameDims(const SparseVector *a, const SparseVector *b)
{
	if (a->dim != b->dim)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("different sparsevec dimensions %d and %d", a->dim, b->dim)));
}

/*
 * The sparse form of a dense float array: zeros dropped, every other value
 * checked (NaN and infinity are errors).
 */
SparseVector *
SparsevecFromDense(const float *values, int dim, int32 typmod)
{
	SparseVector *result;
	float	   *rvalues;
	int			nnz = 0;
	int			j = 0;

	SparsevecCheckDim(dim);
	SparsevecCheckExpectedDim(typmod, dim);
	for (int i = 0; i < dim; i++)
	{
		SparsevecCheckElement(values[i]);
		if (values[i] != 0.0f)
			nnz++;
	}
	SparsevecCheckNnz(nnz, dim);

	result = InitSparseVector(dim, nnz);
	rvalues = SPARSEVEC_VALUES(result);
	for (int i = 0; i < dim; i++)
	{
		if (values[i] != 0.0f)
		{
			result->indices[j] = i;
			rvalues[j] = values[i];
			j++;
		}
	}
	return result;
}
