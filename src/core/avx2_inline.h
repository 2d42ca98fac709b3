/*
 * src/core/avx2_inline.h
 *	  Small AVX2 building blocks shared by the AVX2 kernels (core/distance_avx2.c,
 *	  hnsw/compact_kernels_avx2.c, ivf/sq8_kernel.c): a lane mask for masked
 *	  tail loads, the horizontal sum of eight floats, and eight 8-bit codes
 *	  widened to floats.  Include only under VEC_HAVE_X86_KERNELS, after
 *	  <immintrin.h>; callers are AVX2 functions, so these inline into them.
 */
#ifndef VECRAG_AVX2_INLINE_H
#define VECRAG_AVX2_INLINE_H

#include <immintrin.h>

#define VEC_TARGET_AVX2_INLINE __attribute__((target("avx2")))

/* lanes 0 .. rem-1 set (sign bit), for a masked load of rem (0..8) elements */
VEC_TARGET_AVX2_INLINE static inline __m256i
VecAvx2TailMask(int rem)
{
	return _mm256_cmpgt_epi32(_mm256_set1_epi32(rem),
							  _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/* the sum of v's eight lanes */
VEC_TARGET_AVX2_INLINE static inline float
VecAvx2HorizontalSum(__m256 v)
{
	__m128		s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));

	s = _mm_add_ps(s, _mm_movehl_ps(s, s));
	s = _mm_add_ss(s, _mm_movehdup_ps(s));
	return _mm_cvtss_f32(s);
}

/* eight codes at c as eight floats */
VEC_TARGET_AVX2_INLINE static inline __m256
VecAvx2Codes8(const uint8 *c)
{
	return _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *) c)));
}

#endif							/* VECRAG_AVX2_INLINE_H */
