/*
 * src/vector/halfvec_kernels_avx512.c
 *	  AVX-512F distance kernels over half-precision arrays: vcvtph2ps turns
 *	  sixteen halves into a 512-bit float register, four independent
 *	  accumulators keep the FMA units busy, and the last 1..15 elements come
 *	  from one masked load (AVX-512BW/VL), the other lanes zero (zeros add
 *	  nothing to any of the sums).  Sums of converted halves cannot
 *	  overflow a float (65504^2 * 16000 < FLT_MAX), so unlike the float
 *	  kernels there is no scalar fallback.  halfvec_kernels.c selects this
 *	  set when vecrag.simd runs the AVX-512 float kernels and
 *	  HalfvecAvx512Supported() says the CPU has AVX-512BW and VL too.
 */
#include "postgres.h"

#include "core/distance.h"
#include "vector/halfvec.h"

#ifdef VEC_HAVE_X86_KERNELS

#include <immintrin.h>
#include <math.h>

#define TARGET_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl")))

static float Avx512L2SquaredDistance(const half *a, const half *b, int dim);
static float Avx512InnerProduct(const half *a, const half *b, int dim);
static float Avx512L1Distance(const half *a, const half *b, int dim);
static double Avx512CosineSimilarity(const half *a, const half *b, int dim);

const HalfvecKernels HalfvecAvx512Kernels = {
	Avx512L2SquaredDistance, Avx512InnerProduct, Avx512L1Distance, Avx512CosineSimilarity
};

#define LOAD16(p) _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *) (p)))

/* the last rem (1..15) halves at p, the other lanes zero */
#define LOAD_TAIL(p, rem) \
	_mm512_cvtph_ps(_mm256_maskz_loadu_epi16((__mmask16) ((1u << (rem)) - 1), (p)))

/* AVX-512F, BW and VL, with the OS saving the ZMM state */
bool
HalfvecAvx512Supported(void)
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
		__builtin_cpu_supports("avx512vl");
}

TARGET_AVX512 static float
Avx512L2SquaredDistance(const half *a, const half *b, int dim)
{
	__m512		s0 = _mm512_setzero_ps();
	__m512		s1 = _mm512_setzero_ps();
	__m512		s2 = _mm512_setzero_ps();
	__m512		s3 = _mm512_setzero_ps();
	__m512		x,
				y,
				d;
	int			i = 0;

	for (; i + 64 <= dim; i += 64)
	{
		__m512		d0 = _mm512_sub_ps(LOAD16(a + i), LOAD16(b + i));
		__m512		d1 = _mm512_sub_ps(LOAD16(a + i + 16), LOAD16(b + i + 16));
		__m512		d2 = _mm512_sub_ps(LOAD16(a + i + 32), LOAD16(b + i + 32));
		__m512		d3 = _mm512_sub_ps(LOAD16(a + i + 48), LOAD16(b + i + 48));

		s0 = _mm512_fmadd_ps(d0, d0, s0);
		s1 = _mm512_fmadd_ps(d1, d1, s1);
		s2 = _mm512_fmadd_ps(d2, d2, s2);
		s3 = _mm512_fmadd_ps(d3, d3, s3);
	}
	for (; i + 16 <= dim; i += 16)
	{
		d = _mm512_sub_ps(LOAD16(a + i), LOAD16(b + i));
		s0 = _mm512_fmadd_ps(d, d, s0);
	}
	if (i < dim)
	{
		x = LOAD_TAIL(a + i, dim - i);
		y = LOAD_TAIL(b + i, dim - i);
		d = _mm512_sub_ps(x, y);
		s1 = _mm512_fmadd_ps(d, d, s1);
	}
	return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
}

TARGET_AVX512 static float
Avx512InnerProduct(const half *a, const half *b, int dim)
{
	__m512		s0 = _mm512_setzero_ps();
	__m512		s1 = _mm512_setzero_ps();
	__m512		s2 = _mm512_setzero_ps();
	__m512		s3 = _mm512_setzero_ps();
	__m512		x,
				y;
	int			i = 0;

	for (; i + 64 <= dim; i += 64)
	{
		s0 = _mm512_fmadd_ps(LOAD16(a + i), LOAD16(b + i), s0);
		s1 = _mm512_fmadd_ps(LOAD16(a + i + 16), LOAD16(b + i + 16), s1);
		s2 = _mm512_fmadd_ps(LOAD16(a + i + 32), LOAD16(b + i + 32), s2);
		s3 = _mm512_fmadd_ps(LOAD16(a + i + 48), LOAD16(b + i + 48), s3);
	}
	for (; i + 16 <= dim; i += 16)
		s0 = _mm512_fmadd_ps(LOAD16(a + i), LOAD16(b + i), s0);
	if (i < dim)
	{
		x = LOAD_TAIL(a + i, dim - i);
		y = LOAD_TAIL(b + i, dim - i);
		s1 = _mm512_fmadd_ps(x, y, s1);
	}
	return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
}

TARGET_AVX512 static float
Avx512L1Distance(const half *a, const half *b, int dim)
{
	__m512		s0 = _mm512_setzero_ps();
	__m512		s1 = _mm512_setzero_ps();
	__m512		s2 = _mm512_setzero_ps();
	__m512		s3 = _mm512_setzero_ps();
	__m512		x,
				y;
	int			i = 0;

	for (; i + 64 <= dim; i += 64)
	{
		s0 = _mm512_add_ps(s0, _mm512_abs_ps(_mm512_sub_ps(LOAD16(a + i), LOAD16(b + i))));
		s1 = _mm512_add_ps(s1, _mm512_abs_ps(_mm512_sub_ps(LOAD16(a + i + 16), LOAD16(b + i + 16))));
		s2 = _mm512_add_ps(s2, _mm512_abs_ps(_mm512_sub_ps(LOAD16(a + i + 32), LOAD16(b + i + 32))));
		s3 = _mm512_add_ps(s3, _mm512_abs_ps(_mm512_sub_ps(LOAD16(a + i + 48), LOAD16(b + i + 48))));
	}
	for (; i + 16 <= dim; i += 16)
		s0 = _mm512_add_ps(s0, _mm512_abs_ps(_mm512_sub_ps(LOAD16(a + i), LOAD16(b + i))));
	if (i < dim)
	{
		x = LOAD_TAIL(a + i, dim - i);
		y = LOAD_TAIL(b + i, dim - i);
		s1 = _mm512_add_ps(s1, _mm512_abs_ps(_mm512_sub_ps(x, y)));
	}
	return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
}

/* dot product and both squared norms in one pass, two accumulators each */
TARGET_AVX512 static double
Avx512CosineSimilarity(const half *a, const half *b, int dim)
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
		__m512		x0 = LOAD16(a + i);
		__m512		y0 = LOAD16(b + i);
		__m512		x1 = LOAD16(a + i + 16);
		__m512		y1 = LOAD16(b + i + 16);

		dot0 = _mm512_fmadd_ps(x0, y0, dot0);
		na0 = _mm512_fmadd_ps(x0, x0, na0);
		nb0 = _mm512_fmadd_ps(y0, y0, nb0);
		dot1 = _mm512_fmadd_ps(x1, y1, dot1);
		na1 = _mm512_fmadd_ps(x1, x1, na1);
		nb1 = _mm512_fmadd_ps(y1, y1, nb1);
	}
	for (; i + 16 <= dim; i += 16)
	{
		x = LOAD16(a + i);
		y = LOAD16(b + i);
		dot0 = _mm512_fmadd_ps(x, y, dot0);
		na0 = _mm512_fmadd_ps(x, x, na0);
		nb0 = _mm512_fmadd_ps(y, y, nb0);
	}
	if (i < dim)
	{
		x = LOAD_TAIL(a + i, dim - i);
		y = LOAD_TAIL(b + i, dim - i);
		dot1 = _mm512_fmadd_ps(x, y, dot1);
		na1 = _mm512_fmadd_ps(x, x, na1);
		nb1 = _mm512_fmadd_ps(y, y, nb1);
	}
	dot = _mm512_reduce_add_ps(_mm512_add_ps(dot0, dot1));
	na = _mm512_reduce_add_ps(_mm512_add_ps(na0, na1));
	nb = _mm512_reduce_add_ps(_mm512_add_ps(nb0, nb1));
	return (double) dot / sqrt((double) na * (double) nb);
}

#endif							/* VEC_HAVE_X86_KERNELS */
