/*
 * src/vector/vector.h
 *	  The vector type: on-disk layout (identical to pgvector's, so dumps and
 *	  binary COPY interoperate), size limits and the helpers every room uses
 *	  to build and check vectors.  This is the one installed header.
 */
#ifndef VECRAG_VECTOR_H
#define VECRAG_VECTOR_H

#include "postgres.h"

#include "fmgr.h"
#include "utils/array.h"

#include "core/compat.h"

#define VECTOR_MAX_DIM 16000

/*
 * varlena header, then int16 dimensions, int16 unused (always 0), then the
 * float4 elements.  The binary wire format is the same fields in network
 * byte order.
 */
typedef struct Vector
{
	int32		vl_len_;		/* varlena header (do not touch directly!) */
	int16		dim;			/* number of dimensions */
	int16		unused;			/* reserved for future use, always zero */
	float		x[FLEXIBLE_ARRAY_MEMBER];
} Vector;

#define VECTOR_SIZE(_dim)		(offsetof(Vector, x) + sizeof(float) * (_dim))
#define DatumGetVector(x)		((Vector *) PG_DETOAST_DATUM(x))
#define PG_GETARG_VECTOR_P(x)	DatumGetVector(PG_GETARG_DATUM(x))
#define PG_RETURN_VECTOR_P(x)	PG_RETURN_POINTER(x)

/* vector.c */
extern Vector *InitVector(int dim);
extern void VecCheckDim(int dim);
extern void VecCheckExpectedDim(int32 typmod, int dim);
extern void VecCheckElement(float value);
extern void VecCheckSameDims(const Vector *a, const Vector *b);
extern int32 VecTypmodIn(ArrayType *ta, const char *typname, int maxdim);

/* vector_compare.c */
extern int	VecCompare(const Vector *a, const Vector *b);

#endif							/* VECRAG_VECTOR_H */
