/*
 * src/vector/halfvec.h
 *	  The halfvec type: IEEE 754 half-precision elements, laid out on disk
 *	  exactly like pgvector's halfvec (varlena header, int16 dim, int16
 *	  unused, then the 16-bit elements), so dumps and binary COPY
 *	  interoperate.  Also the scalar half <-> float conversions and the
 *	  distance kernels every halfvec function and index goes through.
 *
 *	  Conversions are done in integer arithmetic so they are exact on every
 *	  platform: half -> float is exact (every half is a float); float -> half
 *	  rounds to nearest, ties to even, including into the subnormal range,
 *	  like IEEE conversion instructions (F16C's vcvtps2ph with mode 0).
 */
#ifndef VECRAG_HALFVEC_H
#define VECRAG_HALFVEC_H

#include "postgres.h"

#include "fmgr.h"
#include "utils/array.h"

#include "core/compat.h"

#define HALFVEC_MAX_DIM 16000
#define HALF_MAX 65504.0f

typedef uint16 half;

typedef struct HalfVector
{
	int32		vl_len_;		/* varlena header (do not touch directly!) */
	int16		dim;			/* number of dimensions */
	int16		unused;			/* reserved for future use, always zero */
	half		x[FLEXIBLE_ARRAY_MEMBER];
} HalfVector;

#define HALFVEC_SIZE(_dim)		(offsetof(HalfVector, x) + sizeof(half) * (_dim))
#define DatumGetHalfVector(x)	((HalfVector *) PG_DETOAST_DATUM(x))
#define PG_GETARG_HALFVEC_P(x)	DatumGetHalfVector(PG_GETARG_DATUM(x))
#define PG_RETURN_HALFVEC_P(x)	PG_RETURN_POINTER(x)

#define HALF_EXP_MASK	0x7C00
#define HALF_MANT_MASK	0x03FF

static inline bool
HalfIsInf(half h)
{
	return (h & 0x7FFF) == HALF_EXP_MASK;
}

static inline bool
HalfIsNan(half h)
{
	return (h & HALF_EXP_MASK) == HALF_EXP_MASK && (h & HALF_MANT_MASK) != 0;
}

static inline bool
HalfIsZero(half h)
{
	return (h & 0x7FFF) == 0;
}

/* Exact: every half value is representable as a float. */
static inline float
HalfToFloat4(half h)
{
	union
	{
		uint32		i;
		float		f;
	}			u;
	uint32		sign = ((uint32) (h & 0x8000)) << 16;
	uint32		exponent = (h >> 10) & 0x1F;
	uint32		mantissa = h & HALF_MANT_MASK;

	if (exponent == 0)
	{
		/* zero or subnormal: mantissa * 2^-24, exact in float */
		float		f = (float) mantissa * 5.9604644775390625e-08f;

		return sign ? -f : f;
	}
	if (exponent == 0x1F)
		u.i = sign | 0x7F800000 | (mantissa << 13);
	else
		u.i = sign | ((exponent + 112) << 23) | (mantissa << 13);
	return u.f;
}

/*
 * Round to nearest, ties to even.  Magnitudes of 65520 and above (which round
 * past HALF_MAX) become infinity; the caller decides whether that is an error.
 */
static inline half
Float4ToHalfUnchecked(float f)
{
	union
	{
		uint32		i;
		float		f;
	}			u;
	uint32		x;
	uint16		sign;

	u.f = f;
	x = u.i & 0x7FFFFFFF;
	sign = (uint16) ((u.i >> 16) & 0x8000);

	if (x >= 0x7F800000)
	{
		/* infinity stays infinity, NaN stays a (quiet) NaN */
		if (x == 0x7F800000)
			return sign | HALF_EXP_MASK;
		return sign | 0x7E00 | ((x >> 13) & HALF_MANT_MASK);
	}
	if (x >= 0x477FF000)		/* 65520: rounds up past HALF_MAX */
		return sign | HALF_EXP_MASK;
	if (x < 0x38800000)			/* below 2^-14: subnormal half or zero */
	{
		uint32		mantissa;
		uint32		shift;
		uint32		result;
		uint32		rem;
		uint32		halfway;

		if (x <= 0x33000000)	/* 2^-25 or less rounds (to even) to zero */
			return sign;
		/* value = (0x800000 | m) * 2^(e-150); result = value * 2^24 */
		mantissa = (x & 0x7FFFFF) | 0x800000;
		shift = 126 - (x >> 23);	/* 14..24 for e in 102..112 */
		result = mantissa >> shift;
		rem = mantissa & ((1U << shift) - 1);
		halfway = 1U << (shift - 1);
		if (rem > halfway || (rem == halfway && (result & 1)))
			result++;
		/* result 0x400 is the smallest normal half: the encoding agrees */
		return sign | (uint16) result;
	}
	else
	{
		uint32		result = ((x >> 23) - 112) << 10 | ((x >> 13) & HALF_MANT_MASK);
		uint32		rem = x & 0x1FFF;

		/* a carry out of the mantissa correctly bumps the exponent */
		if (rem > 0x1000 || (rem == 0x1000 && (result & 1)))
			result++;
		return sign | (uint16) result;
	}
}

/* halfvec.c */
extern HalfVector *InitHalfVector(int dim);
extern half Float4ToHalf(float value);
extern void HalfvecCheckDim(int dim);
extern void HalfvecCheckExpectedDim(int32 typmod, int dim);
extern void HalfvecCheckElement(half value);
extern void HalfvecCheckSameDims(const HalfVector *a, const HalfVector *b);

/*
 * halfvec_kernels.c: distance kernels over halves, computed in float.  The
 * F16C set runs when the CPU has it, unless vecrag.simd = scalar asks for
 * portable code everywhere (which is how the tests reach the scalar set).
 */
typedef struct HalfvecKernels
{
	float		(*l2_squared_distance) (const half *a, const half *b, int dim);
	float		(*inner_product) (const half *a, const half *b, int dim);
	float		(*l1_distance) (const half *a, const half *b, int dim);
	/* dot(a,b) / (|a| |b|); NaN when either vector is zero */
	double		(*cosine_similarity) (const half *a, const half *b, int dim);
} HalfvecKernels;

extern const HalfvecKernels *HalfvecActiveKernels(void);
extern void HalfvecKernelsInit(void);

/* halfvec_kernels_avx512.c (x86-64 only): used while the AVX-512 float kernels are active */
extern const HalfvecKernels HalfvecAvx512Kernels;
extern bool HalfvecAvx512Supported(void);

#define HalfvecL2SquaredDistance(a, b, dim) (HalfvecActiveKernels()->l2_squared_distance((a), (b), (dim)))
#define HalfvecInnerProduct(a, b, dim) (HalfvecActiveKernels()->inner_product((a), (b), (dim)))
#define HalfvecL1Distance(a, b, dim) (HalfvecActiveKernels()->l1_distance((a), (b), (dim)))
#define HalfvecCosineSimilarity(a, b, dim) (HalfvecActiveKernels()->cosine_similarity((a), (b), (dim)))

/* halfvec_cast.c */
extern float *HalfvecArrayToFloats(ArrayType *array, int *count);

#endif							/* VECRAG_HALFVEC_H */
