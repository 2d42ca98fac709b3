/*
 * src/core/distance_avx512.c
 *	  AVX-512F distance kernels, 16 floats per instruction.
 *
 *	  Each function carries its own target attribute, so the file builds
 *	  without -mavx512f and the module still loads on any x86-64; the
 *	  dispatch in distance.c calls these only when
 *	  VecAvx512Kernels.supported() says the CPU and OS run them.  Four
 *	  accumulators (64 floats per iteration) hide the FMA latency; the last
 *	  dim % 16 elements are read with a zero-masked load, so nothing past the
 *	  end of either array is touched.  Sums are in float; when one leaves
 *	  float's range the scalar kernel redoes the work (see core/distance.h).
 *	  This file needs nothing from the server, so test/bench/kernels links it
 *	  into a standalone driver.
 */
#include "postgres.h"

#include "core/distance.h"

#ifdef VEC_HAVE_X86_KERNELS

#include <float.h>
#include <immintrin.h>
#include <math.h>

#define TARGET_AVX512 __attribute__((target("avx512f")))

/* below this a cosine norm may hold subnormal terms: use the scalar kernel */
#define COSINE_MIN_NORM (FLT_MIN * 67108864.0f)	/* 2^-100 */

static bool Avx512Supported(void);
static float Avx512L2SquaredDistance(const float *a, const float *b, int dim);
static float Avx512InnerProduct(const float *a, const float *b, int dim);
static float Avx512L1Distance(const float *a, const float *b, int dim);
static double Avx512CosineSimilarity(const float *a, const float *b, int dim);

const VecDistanceKernels VecAvx512Kernels = {
	.name = "avx512",
	.description = "AVX-512F, 16 floats per instruction",
	.supported = Avx512Supported,
	.l2_squared_distance = Avx512L2SquaredDistance,
	.inner_product = Avx512InnerProduct,
	.l1_distance = Avx512L1Distance,
	.cosine_similarity = Avx512CosineSimilarity,
};

/* __builtin_cpu_supports also checks that the OS saves the ZMM state */
static bool
Avx512Supported(void)
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx512f");
}

/* lanes 0 .. rem-1 set, for a masked load of the last rem (1..15) elements */
#define TAIL_MASK(rem) ((__mmask16) ((1u << (rem)) - 1))

TARGET_AVX512 static float
Avx512L2SquaredDistance(const float *a, const float *b, int dim)
{
	__m512		s0 = _mm512_setzero_ps();
	__m512		s1 = _mm512_setzero_ps();
	__m512		s2 = _mm512_setzero_ps();
	__m512		s3 = _mm512_setzero_ps();
	__m512		d;
	float		result;
	int			i = 0;

	for (; i + 64 <= dim; i += 64)
	{
		__m512		d0 = _mm512_sub_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));
		__m512		d1 = _mm512_sub_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16));
		__m512		d2 = _mm512_sub_ps(_mm512_loadu_ps(a + i + 32), _mm512_loadu_ps(b + i + 32));
		__m512		d3 = _mm512_sub_ps(_mm512_loadu_ps(a + i + 48), _mm512_loadu_ps(b + i + 48));

		s0 = _mm512_fmadd_ps(d0, d0, s0);
		s1 = _mm512_fmadd_ps(d1, d1, s1);
		s2 = _mm512_fmadd_ps(d2, d2, s2);
		s3 = _mm512_fmadd_ps(d3, d3, s3);
	}
	for (; i + 16 <= dim; i += 16)
	{
		d = _mm512_sub_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));
		s0 = _mm512_fmadd_ps(d, d, s0);
	}
	if (i < dim)
	{
		__mmask16	mask = TAIL_MASK(dim - i);

		d = _mm512_sub_ps(_mm512_maskz_loadu_ps(mask, a + i), _mm512_maskz_loadu_ps(mask, b + i));
		s1 = _mm512_fmadd_ps(d, d, s1);
	}

	result = _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
	if (unlikely(!isfinite(result)))
		return VecScalarKernels.l2_squared_distance(a, b, dim);
	return result;
}

TARGET_AVX512 static float
Avx512InnerProduct(const float *a, const float *b, int dim)
{
	__m512		s0 = _mm512_setzero_ps();
	__m512		s1 = _mm512_setzero_ps();
	__m512		s2 = _mm512_setzero_ps();
	__m512		s3 = _mm512_setzero_ps();
	float		result;
	int			i = 0;

	for (; i + 64 <= dim; i += 64)
	{
		s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), s0);
		s1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16), s1);
		s2 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 32), _mm512_loadu_ps(b + i + 32), s2);
		s3 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 48), _mm512_loadu_ps(b + i + 48), s3);
	}
	for (; i + 16 <= dim; i += 16)
		s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), s0);
	if (i < dim)
	{
		__mmask16	mask = TAIL_MASK(dim - i);

		s1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(mask, a + i),
							 _mm512_maskz_loadu_ps(mask, b + i), s1);
	}

	result = _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
	if (unlikely(!isfinite(result)))
		return VecScalarKernels.inner_product(a, b, dim);
	return result;
}

TARGET_AVX512 static float
Avx512L1Distance(const float *a, const float *b, int dim)
{
	__m512		s0 = _mm512_setzero_ps();
	__m512		s1 = _mm512_setzero_ps();
	__m512		s2 = _mm512_setzero_ps();
	__m512		s3 = _mm512_setzero_ps();
	__m512		d;
	float		result;
	int			i = 0;

	for (; i + 64 <= dim; i += 64)
	{
		__m512		d0 = _mm512_sub_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));
		__m512		d1 = _mm512_sub_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16));
		__m512		d2 = _mm512_sub_ps(_mm512_loadu_ps(a + i + 32), _mm512_loadu_ps(b + i + 32));
		__m512		d3 = _mm512_sub_ps(_mm512_loadu_ps(a + i + 48), _mm512_loadu_ps(b + i + 48));

		s0 = _mm512_add_ps(s0, _mm512_abs_ps(d0));
		s1 = _mm512_add_ps(s1, _mm512_abs_ps(d1));
		s2 = _mm512_add_ps(s2, _mm512_abs_ps(d2));
		s3 = _mm512_add_ps(s3, _mm512_abs_ps(d3));
	}
	for (; i + 16 <= dim; i += 16)
	{
		d = _mm512_sub_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));
		s0 = _mm512_add_ps(s0, _mm512_abs_ps(d));
	}
	if (i < dim)
	{
		__mmask16	mask = TAIL_MASK(dim - i);

		d = _mm512_sub_ps(_mm512_maskz_loadu_ps(mask, a + i), _mm512_maskz_loadu_ps(mask, b + i));
		s1 = _mm512_add_ps(s1, _mm512_abs_ps(d));
	}

	result = _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
	if (unlikely(!isfinite(result)))
		return VecScalarKernels.l1_distance(a, b, dim);
	return result;
}

/* Dot product and both squared norms in one pass, two accumulators each. */
TARGET_AVX512 static double
Avx512CosineSimilarity(const float *a, const float *b, int dim)
{
	__m512		dot0 = _mm512_setzero_ps();
	__m512		dot1 = _mm512_setzero_ps();
	__m512		na0 = _mm512_setzero_ps();
	__m512		na1 = _mm512_setzero_ps();
	__m512		nb0 = _mm512_setzero_ps();
	__m512		nb1 = _mm512_setzero_ps();
	__m512		x,
				y;
	float		dot,
				na,
				nb;
	int			i = 0;

	for (; i + 32 <= dim; i += 32)
	{
		__m512		x0 = _mm512_loadu_ps(a + i);
		__m512		y0 = _mm512_loadu_ps(b + i);
		__m512		x1 = _mm512_loadu_ps(a + i + 16);
		__m512		y1 = _mm512_loadu_ps(b + i + 16);

		dot0 = _mm512_fmadd_ps(x0, y0, dot0);
		na0 = _mm512_fmadd_ps(x0, x0, na0);
		nb0 = _mm512_fmadd_ps(y0, y0, nb0);
		dot1 = _mm512_fmadd_ps(x1, y1, dot1);
		na1 = _mm512_fmadd_ps(x1, x1, na1);
		nb1 = _mm512_fmadd_ps(y1, y1, nb1);
	}
	if (i + 16 <= dim)
	{
		x = _mm512_loadu_ps(a + i);
		y = _mm512_loadu_ps(b + i);
		dot0 = _mm512_fmadd_ps(x, y, dot0);
		na0 = _mm512_fmadd_ps(x, x, na0);
		nb0 = _mm512_fmadd_ps(y, y, nb0);
		i += 16;
	}
	if (i < dim)
	{
		__mmask16	mask = TAIL_MASK(dim - i);

		x = _mm512_maskz_loadu_ps(mask, a + i);
		y = _mm512_maskz_loadu_ps(mask, b + i);
		dot1 = _mm512_fmadd_ps(x, y, dot1);
		na1 = _mm512_fmadd_ps(x, x, na1);
		nb1 = _mm512_fmadd_ps(y, y, nb1);
	}

	dot = _mm512_reduce_add_ps(_mm512_add_ps(dot0, dot1));
	na = _mm512_reduce_add_ps(_mm512_add_ps(na0, na1));
	nb = _mm512_reduce_add_ps(_mm512_add_ps(nb0, nb1));

	/* also catches zero vectors, whose NaN the scalar kernel returns */
	if (unlikely(!(na >= COSINE_MIN_NORM && nb >= COSINE_MIN_NORM &&
				   isfinite(dot) && isfinite(na) && isfinite(nb))))
		return VecScalarKernels.cosine_similarity(a, b, dim);
	return (double) dot / sqrt((double) na * (double) nb);
}

#endif							/* VEC_HAVE_X86_KERNELS */
