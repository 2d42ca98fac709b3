/*
 * src/hnsw/compact_kernels_avx2.c
 *	  AVX2+FMA compact-value kernels (HnswCompactKernels in hnsw/hnsw.h):
 *	  8 floats per instruction for the float-query sums, 32 bytes per
 *	  instruction for the code-against-code ones.
 *
 *	  Each function carries its own target attribute, so the file builds
 *	  without -mavx2 and the module still loads on any x86-64; the choice
 *	  in compact_kernels.c calls these only when the CPU runs them.
 *	    sumCodes	eight codes widened to eight floats (vpmovzxbd, vcvtdq2ps)
 *					and multiplied into four FMA accumulators;
 *	    sumSetBits	a byte of bits shifted so that bit k is the sign of lane
 *					k, then a masked load (vmaskmovps) of the query: lanes
 *					of clear bits read as 0.0, nothing is multiplied;
 *	    dotCodes	codes widened to 16 bits, vpmaddwd: pairs of products
 *					summed into 32-bit lanes, flushed to 64 bits in blocks;
 *	    hamming		popcount by nibble lookup (vpshufb) and vpsadbw.
 *	  The last elements are read with masked loads or byte by byte, never
 *	  past the end of either array.  Float sums differ from the scalar
 *	  set's only by summation order; the integer ones are exact.
 */
#include "postgres.h"

#include "hnsw/hnsw.h"

#ifdef VEC_HAVE_X86_KERNELS

#include <immintrin.h>
#include "core/avx2_inline.h"

#define TARGET_AVX2 __attribute__((target("avx2,fma,popcnt")))

static bool Avx2Supported(void);
static float Avx2SumCodes(const float *q, const uint8 *c, int dim);
static float Avx2SumSetBits(const float *q, const uint8 *bits, int dim);
static uint64 Avx2DotCodes(const uint8 *a, const uint8 *b, int dim);
static uint64 Avx2Hamming(const uint8 *a, const uint8 *b, int nbytes);

const HnswCompactKernels HnswCompactAvx2Kernels = {
	.name = "avx2",
	.supported = Avx2Supported,
	.sumCodes = Avx2SumCodes,
	.sumSetBits = Avx2SumSetBits,
	.dotCodes = Avx2DotCodes,
	.hamming = Avx2Hamming,
};

/* __builtin_cpu_supports also checks that the OS saves the YMM state */
static bool
Avx2Supported(void)
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
		__builtin_cpu_supports("popcnt");
}

TARGET_AVX2 static float
Avx2SumCodes(const float *q, const uint8 *c, int dim)
{
	__m256		s0 = _mm256_setzero_ps();
	__m256		s1 = _mm256_setzero_ps();
	__m256		s2 = _mm256_setzero_ps();
	__m256		s3 = _mm256_setzero_ps();
	int			i = 0;

	for (; i + 32 <= dim; i += 32)
	{
		s0 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i), VecAvx2Codes8(c + i), s0);
		s1 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i + 8), VecAvx2Codes8(c + i + 8), s1);
		s2 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i + 16), VecAvx2Codes8(c + i + 16), s2);
		s3 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i + 24), VecAvx2Codes8(c + i + 24), s3);
	}
	for (; i + 8 <= dim; i += 8)
		s0 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i), VecAvx2Codes8(c + i), s0);
	if (i < dim)
	{
		uint8		last[8] = {0, 0, 0, 0, 0, 0, 0, 0};

		memcpy(last, c + i, dim - i);
		s1 = _mm256_fmadd_ps(_mm256_maskload_ps(q + i, VecAvx2TailMask(dim - i)), VecAvx2Codes8(last), s1);
	}
	return VecAvx2HorizontalSum(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
}

/*
 * The query floats of the lanes whose bit is set in byte, from q: shifting
 * by 31 - k puts bit k in the sign of lane k, which is vmaskmovps's mask.
 */
TARGET_AVX2 static inline __m256
SetLanes(const float *q, uint32 byte, __m256i shift)
{
	return _mm256_maskload_ps(q, _mm256_sllv_epi32(_mm256_set1_epi32(byte), shift));
}

TARGET_AVX2 static float
Avx2SumSetBits(const float *q, const uint8 *bits, int dim)
{
	const __m256i shift = _mm256_setr_epi32(31, 30, 29, 28, 27, 26, 25, 24);
	__m256		s0 = _mm256_setzero_ps();
	__m256		s1 = _mm256_setzero_ps();
	__m256		s2 = _mm256_setzero_ps();
	__m256		s3 = _mm256_setzero_ps();
	int			i = 0;

	for (; i + 32 <= dim; i += 32)
	{
		const uint8 *b = bits + i / 8;

		s0 = _mm256_add_ps(s0, SetLanes(q + i, b[0], shift));
		s1 = _mm256_add_ps(s1, SetLanes(q + i + 8, b[1], shift));
		s2 = _mm256_add_ps(s2, SetLanes(q + i + 16, b[2], shift));
		s3 = _mm256_add_ps(s3, SetLanes(q + i + 24, b[3], shift));
	}
	for (; i + 8 <= dim; i += 8)
		s0 = _mm256_add_ps(s0, SetLanes(q + i, bits[i / 8], shift));
	if (i < dim)
	{
		/* bits from dim on are 0; the mask keeps the load inside q anyway */
		uint32		byte = bits[i / 8] & ((1u << (dim - i)) - 1);

		s1 = _mm256_add_ps(s1, SetLanes(q + i, byte, shift));
	}
	return VecAvx2HorizontalSum(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
}

/* the four 64-bit lanes of v summed */
TARGET_AVX2 static inline uint64
Sum64(__m256i v)
{
	__m128i		s = _mm_add_epi64(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));

	return (uint64) _mm_cvtsi128_si64(s) + (uint64) _mm_extract_epi64(s, 1);
}

TARGET_AVX2 static uint64
Avx2DotCodes(const uint8 *a, const uint8 *b, int dim)
{
	__m256i		total = _mm256_setzero_si256();
	uint64		sum = 0;
	int			i = 0;

	while (i + 16 <= dim)
	{
		/*
		 * A 32-bit lane gains at most 2 * 255 * 255 per 16 codes: 16,384
		 * steps (262,144 codes) stay below 2^31, then the lanes are widened
		 * into total.
		 */
		int			end = Min(dim - 15, i + 16384 * 16);
		__m256i		acc = _mm256_setzero_si256();

		for (; i < end; i += 16)
		{
			__m256i		x = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *) (a + i)));
			__m256i		y = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *) (b + i)));

			acc = _mm256_add_epi32(acc, _mm256_madd_epi16(x, y));
		}
		total = _mm256_add_epi64(total, _mm256_cvtepu32_epi64(_mm256_castsi256_si128(acc)));
		total = _mm256_add_epi64(total, _mm256_cvtepu32_epi64(_mm256_extracti128_si256(acc, 1)));
	}
	for (; i < dim; i++)
		sum += (uint32) a[i] * b[i];
	return sum + Sum64(total);
}

/* set bits per byte of v, summed in each 64-bit lane */
TARGET_AVX2 static inline __m256i
PopCount64(__m256i v)
{
	const __m256i lookup = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4,
											0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
	const __m256i low = _mm256_set1_epi8(0x0f);
	__m256i		lo = _mm256_shuffle_epi8(lookup, _mm256_and_si256(v, low));
	__m256i		hi = _mm256_shuffle_epi8(lookup, _mm256_and_si256(_mm256_srli_epi16(v, 4), low));

	return _mm256_sad_epu8(_mm256_add_epi8(lo, hi), _mm256_setzero_si256());
}

TARGET_AVX2 static uint64
Avx2Hamming(const uint8 *a, const uint8 *b, int nbytes)
{
	__m256i		acc = _mm256_setzero_si256();
	uint64		differ = 0;
	int			i = 0;

	for (; i + 32 <= nbytes; i += 32)
	{
		__m256i		x = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *) (a + i)),
										 _mm256_loadu_si256((const __m256i *) (b + i)));

		acc = _mm256_add_epi64(acc, PopCount64(x));
	}
	for (; i + 8 <= nbytes; i += 8)
	{
		uint64		wa;
		uint64		wb;

		memcpy(&wa, a + i, 8);
		memcpy(&wb, b + i, 8);
		differ += __builtin_popcountll(wa ^ wb);
	}
	for (; i < nbytes; i++)
		differ += __builtin_popcount((uint32) (a[i] ^ b[i]));
	return differ + Sum64(acc);
}

#endif							/* VEC_HAVE_X86_KERNELS */
