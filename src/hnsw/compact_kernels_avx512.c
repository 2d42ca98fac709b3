/*
 * src/hnsw/compact_kernels_avx512.c
 *	  AVX-512 compact-value kernels (HnswCompactKernels in hnsw/hnsw.h):
 *	  16 floats per instruction for the float-query sums, 64 bytes per
 *	  instruction for the code-against-code ones.  Needs AVX-512F, BW and VL
 *	  (byte-masked loads, 512-bit byte shuffles).
 *
 *	  Each function carries its own target attribute, so the file builds
 *	  without -mavx512f and the module still loads on any x86-64; the
 *	  choice in compact_kernels.c calls these only when the CPU runs them.
 *	    sumCodes	sixteen codes widened to sixteen floats, four FMA
 *					accumulators;
 *	    sumSetBits	two bytes of bits are the write mask of a zero-masked
 *					load of sixteen query floats: lanes of clear bits are
 *					0.0, nothing is multiplied;
 *	    dotCodes	codes widened to 16 bits, vpmaddwd into 32-bit lanes,
 *					flushed to 64 bits in blocks;
 *	    hamming		popcount by nibble lookup (vpshufb) and vpsadbw, which
 *					needs only BW (not the newer VPOPCNTDQ).
 *	  The last elements come from one masked load, the other lanes zero,
 *	  so nothing past the end of either array is touched.  Float sums
 *	  differ from the scalar set's only by summation order; the integer
 *	  ones are exact.
 */
#include "postgres.h"

#include "hnsw/hnsw.h"

#ifdef VEC_HAVE_X86_KERNELS

#include <immintrin.h>

#define TARGET_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl")))

static bool Avx512Supported(void);
static float Avx512SumCodes(const float *q, const uint8 *c, int dim);
static float Avx512SumSetBits(const float *q, const uint8 *bits, int dim);
static uint64 Avx512DotCodes(const uint8 *a, const uint8 *b, int dim);
static uint64 Avx512Hamming(const uint8 *a, const uint8 *b, int nbytes);

const HnswCompactKernels HnswCompactAvx512Kernels = {
	.name = "avx512",
	.supported = Avx512Supported,
	.sumCodes = Avx512SumCodes,
	.sumSetBits = Avx512SumSetBits,
	.dotCodes = Avx512DotCodes,
	.hamming = Avx512Hamming,
};

/* AVX-512F, BW and VL, with the OS saving the ZMM state */
static bool
Avx512Supported(void)
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
		__builtin_cpu_supports("avx512vl");
}

/* sixteen codes at c (or those of mask, the others 0) as sixteen floats */
#define CODES16(c) _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *) (c))))
#define CODES16_MASKED(m, c) _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8((m), (c))))

TARGET_AVX512 static float
Avx512SumCodes(const float *q, const uint8 *c, int dim)
{
	__m512		s0 = _mm512_setzero_ps();
	__m512		s1 = _mm512_setzero_ps();
	__m512		s2 = _mm512_setzero_ps();
	__m512		s3 = _mm512_setzero_ps();
	int			i = 0;

	for (; i + 64 <= dim; i += 64)
	{
		s0 = _mm512_fmadd_ps(_mm512_loadu_ps(q + i), CODES16(c + i), s0);
		s1 = _mm512_fmadd_ps(_mm512_loadu_ps(q + i + 16), CODES16(c + i + 16), s1);
		s2 = _mm512_fmadd_ps(_mm512_loadu_ps(q + i + 32), CODES16(c + i + 32), s2);
		s3 = _mm512_fmadd_ps(_mm512_loadu_ps(q + i + 48), CODES16(c + i + 48), s3);
	}
	for (; i + 16 <= dim; i += 16)
		s0 = _mm512_fmadd_ps(_mm512_loadu_ps(q + i), CODES16(c + i), s0);
	if (i < dim)
	{
		__mmask16	m = (__mmask16) ((1u << (dim - i)) - 1);

		s1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, q + i), CODES16_MASKED(m, c + i), s1);
	}
	return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
}

TARGET_AVX512 static float
Avx512SumSetBits(const float *q, const uint8 *bits, int dim)
{
	__m512		s0 = _mm512_setzero_ps();
	__m512		s1 = _mm512_setzero_ps();
	__m512		s2 = _mm512_setzero_ps();
	__m512		s3 = _mm512_setzero_ps();
	int			i = 0;

	for (; i + 64 <= dim; i += 64)
	{
		uint64		w;

		memcpy(&w, bits + i / 8, 8);
		s0 = _mm512_add_ps(s0, _mm512_maskz_loadu_ps((__mmask16) w, q + i));
		s1 = _mm512_add_ps(s1, _mm512_maskz_loadu_ps((__mmask16) (w >> 16), q + i + 16));
		s2 = _mm512_add_ps(s2, _mm512_maskz_loadu_ps((__mmask16) (w >> 32), q + i + 32));
		s3 = _mm512_add_ps(s3, _mm512_maskz_loadu_ps((__mmask16) (w >> 48), q + i + 48));
	}
	for (; i + 16 <= dim; i += 16)
	{
		uint16		w;

		memcpy(&w, bits + i / 8, 2);
		s0 = _mm512_add_ps(s0, _mm512_maskz_loadu_ps(w, q + i));
	}
	if (i < dim)
	{
		/* bits from dim on are 0; the mask keeps the load inside q anyway */
		uint32		w = bits[i / 8];

		if (dim - i > 8)
			w |= (uint32) bits[i / 8 + 1] << 8;
		w &= (1u << (dim - i)) - 1;
		s1 = _mm512_add_ps(s1, _mm512_maskz_loadu_ps((__mmask16) w, q + i));
	}
	return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
}

TARGET_AVX512 static uint64
Avx512DotCodes(const uint8 *a, const uint8 *b, int dim)
{
	__m512i		total = _mm512_setzero_si512();
	int			i = 0;

	while (i < dim)
	{
		/*
		 * A 32-bit lane gains at most 2 * 255 * 255 per 32 codes: 16,384
		 * steps (524,288 codes) stay below 2^31, then the lanes are widened
		 * into total.
		 */
		int			end = Min(dim, i + 16384 * 32);
		__m512i		acc = _mm512_setzero_si512();

		for (; i + 32 <= end; i += 32)
		{
			__m512i		x = _mm512_cvtepu8_epi16(_mm256_loadu_si256((const __m256i *) (a + i)));
			__m512i		y = _mm512_cvtepu8_epi16(_mm256_loadu_si256((const __m256i *) (b + i)));

			acc = _mm512_add_epi32(acc, _mm512_madd_epi16(x, y));
		}
		if (i < end)
		{
			/* only at the end of the array: blocks are multiples of 32 */
			__mmask32	m = (__mmask32) ((1u << (end - i)) - 1);
			__m512i		x = _mm512_cvtepu8_epi16(_mm256_maskz_loadu_epi8(m, a + i));
			__m512i		y = _mm512_cvtepu8_epi16(_mm256_maskz_loadu_epi8(m, b + i));

			acc = _mm512_add_epi32(acc, _mm512_madd_epi16(x, y));
			i = end;
		}
		total = _mm512_add_epi64(total, _mm512_cvtepu32_epi64(_mm512_castsi512_si256(acc)));
		total = _mm512_add_epi64(total, _mm512_cvtepu32_epi64(_mm512_extracti64x4_epi64(acc, 1)));
	}
	return (uint64) _mm512_reduce_add_epi64(total);
}

/* set bits per byte of v, summed in each 64-bit lane */
TARGET_AVX512 static inline __m512i
PopCount64(__m512i v)
{
	const __m512i lookup = _mm512_broadcast_i32x4(_mm_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3,
																1, 2, 2, 3, 2, 3, 3, 4));
	const __m512i low = _mm512_set1_epi8(0x0f);
	__m512i		lo = _mm512_shuffle_epi8(lookup, _mm512_and_si512(v, low));
	__m512i		hi = _mm512_shuffle_epi8(lookup, _mm512_and_si512(_mm512_srli_epi16(v, 4), low));

	return _mm512_sad_epu8(_mm512_add_epi8(lo, hi), _mm512_setzero_si512());
}

TARGET_AVX512 static uint64
Avx512Hamming(const uint8 *a, const uint8 *b, int nbytes)
{
	__m512i		acc = _mm512_setzero_si512();
	int			i = 0;

	for (; i + 64 <= nbytes; i += 64)
	{
		__m512i		x = _mm512_xor_si512(_mm512_loadu_si512(a + i), _mm512_loadu_si512(b + i));

		acc = _mm512_add_epi64(acc, PopCount64(x));
	}
	if (i < nbytes)
	{
		__mmask64	m = (__mmask64) ((UINT64CONST(1) << (nbytes - i)) - 1);
		__m512i		x = _mm512_xor_si512(_mm512_maskz_loadu_epi8(m, a + i),
										 _mm512_maskz_loadu_epi8(m, b + i));

		acc = _mm512_add_epi64(acc, PopCount64(x));
	}
	return (uint64) _mm512_reduce_add_epi64(acc);
}

#endif							/* VEC_HAVE_X86_KERNELS */
