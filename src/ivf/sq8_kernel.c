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
#include "core/avx2_inline.h"
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

TARGET_AVX2 static float
Avx2L2(const float *a, const float *w, const uint8 *codes, int dim)
{
	__m256		s0 = _mm256_setzero_ps();
	__m256		s1 = _mm256_setzero_ps();
	float		sum;
	int			j = 0;

	for (; j + 16 <= dim; j += 16)
	{
		__m256		d0 = _mm256_sub_ps(_mm256_loadu_ps(a + j), VecAvx2Codes8(codes + j));
		__m256		d1 = _mm256_sub_ps(_mm256_loadu_ps(a + j + 8), VecAvx2Codes8(codes + j + 8));

		s0 = _mm256_fmadd_ps(_mm256_mul_ps(d0, d0), _mm256_loadu_ps(w + j), s0);
		s1 = _mm256_fmadd_ps(_mm256_mul_ps(d1, d1), _mm256_loadu_ps(w + j + 8), s1);
	}
	if (j + 8 <= dim)
	{
		__m256		d0 = _mm256_sub_ps(_mm256_loadu_ps(a + j), VecAvx2Codes8(codes + j));

		s0 = _mm256_fmadd_ps(_mm256_mul_ps(d0, d0), _mm256_loadu_ps(w + j), s0);
		j += 8;
	}
	sum = VecAvx2HorizontalSum(_mm256_add_ps(s0, s1));
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
		s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + j), VecAvx2Codes8(codes + j), s0);
		s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + j + 8), VecAvx2Codes8(codes + j + 8), s1);
	}
	if (j + 8 <= dim)
	{
		s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + j), VecAvx2Codes8(codes + j), s0);
		j += 8;
	}
	sum = VecAvx2HorizontalSum(_mm256_add_ps(s0, s1));
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
