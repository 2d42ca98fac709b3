/*
 * src/ivf/sq8_kernel.c
 *	  Distance kernels on sq8 codes, so a scan never decodes an entry:
 *
 *	    l2:  sum_j w[j] * (a[j] - c[j])^2   a = query in code units
 *	                                         ((q - min) / step), w = step^2
 *	    dot: sum_j a[j] * c[j]               a = q * step (the constant
 *	                                         <q, min> is added by the caller)
 *
 *	  with c[j] the uint8 codes.  A portable scalar version and an AVX2+FMA
 *	  one (8 codes widened to 8 floats per step, two accumulators).  The
 *	  choice follows vecrag.simd: the AVX2 kernels run when the active float
 *	  kernel set is avx2 or avx512 (whose CPUs all have AVX2 and FMA), the
 *	  scalar ones otherwise, so `SET vecrag.simd = scalar` checks one
 *	  against the other.  Sums are in float, like the SIMD float kernels.
 */
#include "postgres.h"

#include "core/distance.h"
#include "ivf/ivf.h"

#ifdef VEC_HAVE_X86_KERNELS
#include <immintrin.h>
#define TARGET_AVX2 __attribute__((target("avx2,fma")))
#endif

static float ScalarL2(const float *a, const float *w, const uint8 *codes, int dim);
static float ScalarDot(const float *a, const float *w, const uint8 *codes, int dim);

static float
ScalarL2(const float *a, const float *w, const uint8 *codes, int dim)
{
	float		sum = 0;

	for (int j = 0; j < dim; j++)
	{
		float		d = a[j] - (float) codes[j];

		sum += w[j] * d * d;
	}
	return sum;
}

static float
ScalarDot(const float *a, const float *w, const uint8 *codes, int dim)
{
	float		sum = 0;

	for (int j = 0; j < dim; j++)
		sum += a[j] * (float) codes[j];
	return sum;
}

#ifdef VEC_HAVE_X86_KERNELS

static float Avx2L2(const float *a, const float *w, const uint8 *codes, int dim);
static float Avx2Dot(const float *a, const float *w, const uint8 *codes, int dim);

/* 8 codes from codes[0..7] as 8 floats */
TARGET_AVX2 static inline __m256
Codes8(const uint8 *codes)
{
	return _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *) codes)));
}

TARGET_AVX2 static inline float
HorizontalSum(__m256 v)
{
	__m128		s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));

	s = _mm_add_ps(s, _mm_movehl_ps(s, s));
	s = _mm_add_ss(s, _mm_movehdup_ps(s));
	return _mm_cvtss_f32(s);
}

TARGET_AVX2 static float
Avx2L2(const float *a, const float *w, const uint8 *codes, int dim)
{
	__m256		s0 = _mm256_setzero_ps();
	__m256		s1 = _mm256_setzero_ps();
	float		sum;
	int			j = 0;

	for (; j + 16 <= dim; j += 16)
	{
		__m256		d0 = _mm256_sub_ps(_mm256_loadu_ps(a + j), Codes8(codes + j));
		__m256		d1 = _mm256_sub_ps(_mm256_loadu_ps(a + j + 8), Codes8(codes + j + 8));

		s0 = _mm256_fmadd_ps(_mm256_mul_ps(d0, d0), _mm256_loadu_ps(w + j), s0);
		s1 = _mm256_fmadd_ps(_mm256_mul_ps(d1, d1), _mm256_loadu_ps(w + j + 8), s1);
	}
	if (j + 8 <= dim)
	{
		__m256		d0 = _mm256_sub_ps(_mm256_loadu_ps(a + j), Codes8(codes + j));

		s0 = _mm256_fmadd_ps(_mm256_mul_ps(d0, d0), _mm256_loadu_ps(w + j), s0);
		j += 8;
	}
	sum = HorizontalSum(_mm256_add_ps(s0, s1));
	for (; j < dim; j++)
	{
		float		d = a[j] - (float) codes[j];

		sum += w[j] * d * d;
	}
	return sum;
}

TARGET_AVX2 static float
Avx2Dot(const float *a, const float *w, const uint8 *codes, int dim)
{
	__m256		s0 = _mm256_setzero_ps();
	__m256		s1 = _mm256_setzero_ps();
	float		sum;
	int			j = 0;

	for (; j + 16 <= dim; j += 16)
	{
		s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + j), Codes8(codes + j), s0);
		s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + j + 8), Codes8(codes + j + 8), s1);
	}
	if (j + 8 <= dim)
	{
		s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + j), Codes8(codes + j), s0);
		j += 8;
	}
	sum = HorizontalSum(_mm256_add_ps(s0, s1));
	for (; j < dim; j++)
		sum += a[j] * (float) codes[j];
	return sum;
}

#endif							/* VEC_HAVE_X86_KERNELS */

/*
 * The sq8 kernel for metric (IVF_METRIC_L2: the weighted squared distance;
 * IVF_METRIC_IP: the dot product) under the active vecrag.simd setting.
 */
IvfSq8Kernel
IvfSq8GetKernel(int metric)
{
#ifdef VEC_HAVE_X86_KERNELS
	if (VecActiveKernels == &VecAvx2Kernels || VecActiveKernels == &VecAvx512Kernels)
		return metric == IVF_METRIC_L2 ? Avx2L2 : Avx2Dot;
#endif
	return metric == IVF_METRIC_L2 ? ScalarL2 : ScalarDot;
}
