/*
 * src/vector/sparsevec.h
 *	  The sparsevec type, laid out on disk exactly like pgvector's: varlena
 *	  header, int32 dim, int32 nnz, int32 unused (0), nnz int32 indices
 *	  (0-based, strictly ascending), then nnz float4 values (never zero).
 *	  Text form '{1:1.5,3:2}/5' uses 1-based indices.
 */
#ifndef VECRAG_SPARSEVEC_H
#define VECRAG_SPARSEVEC_H

#include "postgres.h"

#include "fmgr.h"

#include "core/compat.h"

#define SPARSEVEC_MAX_DIM 1000000000
#define SPARSEVEC_MAX_NNZ 16000

typedef struct SparseVector
{
	int32		vl_len_;		/* varlena header (do not touch directly!) */
	int32		dim;			/* number of dimensions */
	int32		nnz;			/* number of non-zero elements */
	int32		unused;			/* reserved for future use, always zero */
	int32		indices[FLEXIBLE_ARRAY_MEMBER];
	/* float4 values[nnz] follow the indices */
} SparseVector;

#define SPARSEVEC_SIZE(_nnz) \
	(offsetof(SparseVector, indices) + (sizeof(int32) + sizeof(float)) * (Size) (_nnz))
#define SPARSEVEC_VALUES(_v) ((float *) ((_v)->indices + (_v)->nnz))
#define DatumGetSparseVector(x)		((SparseVector *) PG_DETOAST_DATUM(x))
#define PG_GETARG_SPARSEVEC_P(x)	DatumGetSparseVector(PG_GETARG_DATUM(x))
#define PG_RETURN_SPARSEVEC_P(x)	PG_RETURN_POINTER(x)

/* sparsevec.c */
extern SparseVector *InitSparseVector(int dim, int nnz);
extern void SparsevecCheckDim(int dim);
extern void SparsevecCheckExpectedDim(int32 typmod, int dim);
extern void SparsevecCheckNnz(int nnz, int dim);
extern void SparsevecCheckIndex(const int32 *indices, int i, int dim);
extern void SparsevecCheckElement(float value);
extern void SparsevecCheckSameDims(const SparseVector *a, const SparseVector *b);
extern SparseVector *SparsevecFromDense(const float *values, int dim, int32 typmod);

/* sparsevec_distance.c: merges over the sorted indices, in float */
extern float SparsevecL2SquaredDistance(const SparseVector *a, const SparseVector *b);
extern float SparsevecInnerProduct(const SparseVector *a, const SparseVector *b);
extern float SparsevecL1Distance(const SparseVector *a, const SparseVector *b);
extern SparseVector *SparsevecDivide(const SparseVector *a, double norm);

#endif							/* VECRAG_SPARSEVEC_H */
