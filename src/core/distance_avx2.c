/*
 * src/core/distance_avx2.c
 *	  AVX2+FMA distance kernels, 8 floats per instruction.
 *
 *	  Each function carries its own target attribute, so the file builds
 *	  without -mavx2 and the module still loads on any x86-64; the dispatch
 *	  in distance.c calls these only when VecAvx2Kernels.supported() says the
 *	  CPU and OS run them.  Four accumulators (32 floats per iteration) hide
 *	  the FMA latency; the last dim % 8 elements are read with a masked load,
 *	  so nothing past the end of either array is touched.  Sums are in float;
 *	  when one leaves float's range the scalar kernel redoes the work (see
 *	  core/distance.h).  This file needs nothing from the server, so
 *	  test/bench/kernels links it into a standalone driver.
 */
#include "postgres.h"

#include "core/distance.h"

#ifdef VEC_HAVE_X86_KERNELS

#include <float.h>
#include <immintrin.h>
#include "core/avx2_inline.h"
#include <math.h>

#define TARGET_AVX2 __attribute__((target("avx2,fma")))

/* below this a cosine norm may hold subnormal terms: use the scalar kernel */
#define COSINE_MIN_NORM (FLT_MIN * 67108864.0f)	/* 2^-100 */

static bool Avx2Supported(void);
static float Avx2L2SquaredDistance(const float *a, const float *b, int dim);
static float Avx2InnerProduct(const float *a, const float *b, int dim);
static float Avx2L1Distance(const float *a, const float *b, int dim);
static double Avx2CosineSimilarity(const float *a, const float *b, int dim);

const VecDistanceKernels VecAvx2Kernels = {
	.name = "avx2",
	.description = "AVX2 and FMA, 8 floats per instruction",
	.supported = Avx2Supported,
	.l2_squared_distance = Avx2L2SquaredDistance,
	.inner_product = Avx2InnerProduct,
	.l1_distance = Avx2L1Distance,
	.cosine_similarity = Avx2CosineSimilarity,
};

/* __builtin_cpu_supports also checks that the OS saves the YMM state */
static bool
Avx2Supported(void)
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

TARGET_AVX2 static float
Avx2L2SquaredDistance(const float *a, const float *b, int dim)
{
	__m256		s0 = _mm256_setzero_ps();
	__m256		s1 = _mm256_setzero_ps();
	__m256		s2 = _mm256_setzero_ps();
	__m256		s3 = _mm256_setzero_ps();
	__m256		d;
	float		result;
	int			i = 0;

	for (; i + 32 <= dim; i += 32)
	{
		__m256		d0 = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
		__m256		d1 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8));
		__m256		d2 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16));
		__m256		d3 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24));

		s0 = _mm256_fmadd_ps(d0, d0, s0);
		s1 = _mm256_fmadd_ps(d1, d1, s1);
		s2 = _mm256_fmadd_ps(d2, d2, s2);
		s3 = _mm256_fmadd_ps(d3, d3, s3);
	}
	for (; i + 8 <= dim; i += 8)
	{
		d = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
		s0 = _mm256_fmadd_ps(d, d, s0);
	}
	if (i < dim)
	{
		__m256i		mask = VecAvx2TailMask(dim - i);

		d = _mm256_sub_ps(_mm256_maskload_ps(a + i, mask), _mm256_maskload_ps(b + i, mask));
		s1 = _mm256_fmadd_ps(d, d, s1);
	}

	result = VecAvx2HorizontalSum(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
	if (unlikely(!isfinite(result)))
		return VecScalarKernels.l2_squared_distance(a, b, dim);
	return result;
}

TARGET_AVX2 static float
Avx2InnerProduct(const float *a, const float *b, int dim)
{
	__m256		s0 = _mm256_setzero_ps();
	__m256		s1 = _mm256_setzero_ps();
	__m256		s2 = _mm256_setzero_ps();
	__m256		s3 = _mm256_setzero_ps();
	float		result;
	int			i = 0;

	for (; i + 32 <= dim; i += 32)
	{
		s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
		s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
		s2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16), s2);
		s3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24), s3);
	}
	for (; i + 8 <= dim; i += 8)
		s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
	if (i < dim)
	{
		__m256i		mask = VecAvx2TailMask(dim - i);

		s1 = _mm256_fmadd_ps(_mm256_maskload_ps(a + i, mask),
							 _mm256_maskload_ps(b + i, mask), s1);
	}

	result = VecAvx2HorizontalSum(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
	if (unlikely(!isfinite(result)))
		return VecScalarKernels.inner_product(a, b, dim);
	return result;
}

TARGET_AVX2 static float
Avx2L1Distance(const float *a, const float *b, int dim)
{
	const __m256 sign = _mm256_set1_ps(-0.0f);
	__m256		s0 = _mm256_setzero_ps();
	__m256		s1 = _mm256_setzero_ps();
	__m256		s2 = _mm256_setzero_ps();
	__m256		s3 = _mm256_setzero_ps();
	__m256		d;
	float		result;
	int			i = 0;

	for (; i + 32 <= dim; i += 32)
	{
		__m256		d0 = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
		__m256		d1 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8));
		__m256		d2 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16));
		__m256		d3 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24));

		s0 = _mm256_add_ps(s0, _mm256_andnot_ps(sign, d0));
		s1 = _mm256_add_ps(s1, _mm256_andnot_ps(sign, d1));
		s2 = _mm256_add_ps(s2, _mm256_andnot_ps(sign, d2));
		s3 = _mm256_add_ps(s3, _mm256_andnot_ps(sign, d3));
	}
	for (; i + 8 <= dim; i += 8)
	{
		d = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
		s0 = _mm256_add_ps(s0, _mm256_andnot_ps(sign, d));
	}
	if (i < dim)
	{
		__m256i		mask = VecAvx2TailMask(dim - i);

		d = _mm256_sub_ps(_mm256_maskload_ps(a + i, mask), _mm256_maskload_ps(b + i, mask));
		s1 = _mm256_add_ps(s1, _mm256_andnot_ps(sign, d));
	}

	result = VecAvx2HorizontalSum(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
	if (unlikely(!isfinite(result)))
		return VecScalarKernels.l1_distance(a, b, dim);
	return result;
}

/*
 * Dot product and both squared norms in one pass, two accumulators each
 * (six registers, leaving room for the loads in AVX2's sixteen).
 */
TARGET_AVX2 static double
Avx2CosineSimilarity(const float *a, const float *b, int dim)
{
	__m256		dot0 = _mm256_setzero_ps();
	__m256		dot1 = _mm256_setzero_ps();
	__m256		na0 = _mm256_setzero_ps();
	__m256		na1 = _mm256_setzero_ps();
	__m256		nb0 = _mm256_setzero_ps();
	__m256		nb1 = _mm256_setzero_ps();
	__m256		x,
				y;
	float		dot,
				na,
				nb;
	int			i = 0;

	for (; i + 16 <= dim; i += 16)
	{
		__m256		x0 = _mm256_loadu_ps(a + i);
		__m256		y0 = _mm256_loadu_ps(b + i);
		__m256		x1 = _mm256_loadu_ps(a + i + 8);
		__m256		y1 = _mm256_loadu_ps(b + i + 8);

		dot0 = _mm256_fmadd_ps(x0, y0, dot0);
		na0 = _mm256_fmadd_ps(x0, x0, na0);
		nb0 = _mm256_fmadd_ps(y0, y0, nb0);
		dot1 = _mm256_fmadd_ps(x1, y1, dot1);
		na1 = _mm256_fmadd_ps(x1, x1, na1);
		nb1 = _mm256_fmadd_ps(y1, y1, nb1);
	}
	if (i + 8 <= dim)
	{
		x = _mm256_loadu_ps(a + i);
		y = _mm256_loadu_ps(b + i);
		dot0 = _mm256_fmadd_ps(x, y, dot0);
		na0 = _mm256_fmadd_ps(x, x, na0);
		nb0 = _mm256_fmadd_ps(y, y, nb0);
		i += 8;
	}
	if (i < dim)
	{
		__m256i		mask = VecAvx2TailMask(dim - i);

		x = _mm256_maskload_ps(a + i, mask);
		y = _mm256_maskload_ps(b + i, mask);
		dot1 = _mm256_fmadd_ps(x, y, dot1);
		na1 = _mm256_fmadd_ps(x, x, na1);
		nb1 = _mm256_fmadd_ps(y, y, nb1);
	}

	dot = VecAvx2HorizontalSum(_mm256_add_ps(dot0, dot1));
	na = VecAvx2HorizontalSum(_mm256_add_ps(na0, na1));
	nb = VecAvx2HorizontalSum(_mm256_add_ps(nb0, nb1));

	/* also catches zero vectors, whose NaN the scalar kernel returns */
	if (unlikely(!(na >= COSINE_MIN_NORM && nb >= COSINE_MIN_NORM &&
				   isfinite(dot) && isfinite(na) && isfinite(nb))))
		return VecScalarKernels.cosine_similarity(a, b, dim);
	return (double) dot / sqrt((double) na * (double) nb);
}

#endif							/* VEC_HAVE_X86_KERNELS */
