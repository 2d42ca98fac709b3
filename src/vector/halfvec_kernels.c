/*
 * src/vector/halfvec_kernels.c
 *	  Distance kernels over half-precision arrays, computed in float like
 *	  pgvector's.  Portable scalar kernels convert each element with
 *	  HalfToFloat4; on x86-64 CPUs with F16C, FMA and AVX the F16C kernels
 *	  convert eight elements per instruction (vcvtph2ps) and accumulate with
 *	  FMA.  HalfvecKernelsInit checks the CPU once, at load time, so one
 *	  binary runs on every x86-64 machine; vecrag.simd = scalar selects the
 *	  scalar kernels here too, and while vecrag.simd runs the AVX-512 float
 *	  kernels the AVX-512 halfvec set of halfvec_kernels_avx512.c runs.
 */
#include "postgres.h"

#include <math.h>

#include "core/distance.h"
#include "vector/halfvec.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 8
#define HALFVEC_F16C 1
#elif defined(__x86_64__) && defined(__clang__) && __clang_major__ >= 7
#define HALFVEC_F16C 1
#endif

#ifdef HALFVEC_F16C
#include <cpuid.h>
#include <immintrin.h>
#define TARGET_F16C __attribute__((target("avx,f16c,fma")))
#endif

static float ScalarL2SquaredDistance(const half *a, const half *b, int dim);
static float ScalarInnerProduct(const half *a, const half *b, int dim);
static float ScalarL1Distance(const half *a, const half *b, int dim);
static double ScalarCosineSimilarity(const half *a, const half *b, int dim);

static const HalfvecKernels ScalarKernels = {
	ScalarL2SquaredDistance, ScalarInnerProduct, ScalarL1Distance, ScalarCosineSimilarity
};

#ifdef HALFVEC_F16C
/* set by HalfvecKernelsInit: the CPU runs the F16C kernels */
static bool cpu_has_f16c = false;
#endif
#ifdef VEC_HAVE_X86_KERNELS
/* set by HalfvecKernelsInit: the CPU runs HalfvecAvx512Kernels */
static bool cpu_has_avx512 = false;
#endif

static float
ScalarL2SquaredDistance(const half *a, const half *b, int dim)
{
	float		sum = 0.0f;

	for (int i = 0; i < dim; i++)
	{
		float		diff = HalfToFloat4(a[i]) - HalfToFloat4(b[i]);

		sum += diff * diff;
	}
	return sum;
}

static float
ScalarInnerProduct(const half *a, const half *b, int dim)
{
	float		sum = 0.0f;

	for (int i = 0; i < dim; i++)
		sum += HalfToFloat4(a[i]) * HalfToFloat4(b[i]);
	return sum;
}

static float
ScalarL1Distance(const half *a, const half *b, int dim)
{
	float		sum = 0.0f;

	for (int i = 0; i < dim; i++)
		sum += fabsf(HalfToFloat4(a[i]) - HalfToFloat4(b[i]));
	return sum;
}

static double
ScalarCosineSimilarity(const half *a, const half *b, int dim)
{
	float		dot = 0.0f;
	float		na = 0.0f;
	float		nb = 0.0f;

	for (int i = 0; i < dim; i++)
	{
		float		ax = HalfToFloat4(a[i]);
		float		bx = HalfToFloat4(b[i]);

		dot += ax * bx;
		na += ax * ax;
		nb += bx * bx;
	}
	return (double) dot / sqrt((double) na * (double) nb);
}

#ifdef HALFVEC_F16C

static float F16cL2SquaredDistance(const half *a, const half *b, int dim);
static float F16cInnerProduct(const half *a, const half *b, int dim);
static float F16cL1Distance(const half *a, const half *b, int dim);
static double F16cCosineSimilarity(const half *a, const half *b, int dim);
static float HorizontalSum(__m256 v);
static bool CpuHasF16c(void);

/*
 * F16C, FMA and AVX in CPUID, and the OS saving YMM state (XCR0 bits 1-2).
 */
static bool
CpuHasF16c(void)
{
	unsigned int eax,
				ebx,
				ecx,
				edx;
	unsigned int xcr0_lo,
				xcr0_hi;

	if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx))
		return false;
	if (!(ecx & bit_OSXSAVE) || !(ecx & bit_AVX) || !(ecx & bit_FMA) || !(ecx & bit_F16C))
		return false;
	__asm__ __volatile__("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
	return (xcr0_lo & 0x6) == 0x6;
}

TARGET_F16C static float
HorizontalSum(__m256 v)
{
	__m128		lo = _mm256_castps256_ps128(v);
	__m128		hi = _mm256_extractf128_ps(v, 1);
	float		lanes[4];

	lo = _mm_add_ps(lo, hi);
	_mm_storeu_ps(lanes, lo);
	return (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
}

#define LOAD8(p) _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *) (p)))

TARGET_F16C static float
F16cL2SquaredDistance(const half *a, const half *b, int dim)
{
	__m256		acc = _mm256_setzero_ps();
	float		sum;
	int			i = 0;

	for (; i + 8 <= dim; i += 8)
	{
		__m256		diff = _mm256_sub_ps(LOAD8(a + i), LOAD8(b + i));

		acc = _mm256_fmadd_ps(diff, diff, acc);
	}
	sum = HorizontalSum(acc);
	for (; i < dim; i++)
	{
		float		diff = HalfToFloat4(a[i]) - HalfToFloat4(b[i]);

		sum += diff * diff;
	}
	return sum;
}

TARGET_F16C static float
F16cInnerProduct(const half *a, const half *b, int dim)
{
	__m256		acc = _mm256_setzero_ps();
	float		sum;
	int			i = 0;

	for (; i + 8 <= dim; i += 8)
		acc = _mm256_fmadd_ps(LOAD8(a + i), LOAD8(b + i), acc);
	sum = HorizontalSum(acc);
	for (; i < dim; i++)
		sum += HalfToFloat4(a[i]) * HalfToFloat4(b[i]);
	return sum;
}

TARGET_F16C static float
F16cL1Distance(const half *a, const half *b, int dim)
{
	const __m256 abs_mask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
	__m256		acc = _mm256_setzero_ps();
	float		sum;
	int			i = 0;

	for (; i + 8 <= dim; i += 8)
	{
		__m256		diff = _mm256_sub_ps(LOAD8(a + i), LOAD8(b + i));

		acc = _mm256_add_ps(acc, _mm256_and_ps(diff, abs_mask));
	}
	sum = HorizontalSum(acc);
	for (; i < dim; i++)
		sum += fabsf(HalfToFloat4(a[i]) - HalfToFloat4(b[i]));
	return sum;
}

TARGET_F16C static double
F16cCosineSimilarity(const half *a, const half *b, int dim)
{
	__m256		dotv = _mm256_setzero_ps();
	__m256		nav = _mm256_setzero_ps();
	__m256		nbv = _mm256_setzero_ps();
	float		dot;
	float		na;
	float		nb;
	int			i = 0;

	for (; i + 8 <= dim; i += 8)
	{
		__m256		ax = LOAD8(a + i);
		__m256		bx = LOAD8(b + i);

		dotv = _mm256_fmadd_ps(ax, bx, dotv);
		nav = _mm256_fmadd_ps(ax, ax, nav);
		nbv = _mm256_fmadd_ps(bx, bx, nbv);
	}
	dot = HorizontalSum(dotv);
	na = HorizontalSum(nav);
	nb = HorizontalSum(nbv);
	for (; i < dim; i++)
	{
		float		ax = HalfToFloat4(a[i]);
		float		bx = HalfToFloat4(b[i]);

		dot += ax * bx;
		na += ax * ax;
		nb += bx * bx;
	}
	return (double) dot / sqrt((double) na * (double) nb);
}

#undef LOAD8
#endif							/* HALFVEC_F16C */

#ifdef HALFVEC_F16C
static const HalfvecKernels F16cKernels = {
	F16cL2SquaredDistance, F16cInnerProduct, F16cL1Distance, F16cCosineSimilarity
};
#endif

/*
 * Check the CPU once.  Called from _PG_init.
 */
void
HalfvecKernelsInit(void)
{
#ifdef HALFVEC_F16C
	cpu_has_f16c = CpuHasF16c();
#endif
#ifdef VEC_HAVE_X86_KERNELS
	cpu_has_avx512 = HalfvecAvx512Supported();
#endif
}

/*
 * The kernel set for this call: AVX-512 while vecrag.simd runs the AVX-512
 * float kernels (and the CPU has BW and VL), else F16C when the CPU has it and vecrag.simd
 * has not forced the portable scalar kernels.
 */
const HalfvecKernels *
HalfvecActiveKernels(void)
{
#ifdef VEC_HAVE_X86_KERNELS
	if (cpu_has_avx512 && VecActiveKernels == &VecAvx512Kernels)
		return &HalfvecAvx512Kernels;
#endif
#ifdef HALFVEC_F16C
	if (cpu_has_f16c && VecActiveKernels != &VecScalarKernels)
		return &F16cKernels;
#endif
	return &ScalarKernels;
}
