/*
 * src/hnsw/compact_kernels.c
 *	  The portable scalar set of the compact-value kernels (the sums behind
 *	  8-bit and 1-bit distances, see compact.c and HnswCompactKernels in
 *	  hnsw/hnsw.h) and the choice of a set under vecrag.simd.
 *
 *	  The choice follows the float kernels of core/distance.c, so one
 *	  setting drives every kernel: "scalar" runs this file's set, "avx2"
 *	  the AVX2 set (compact_kernels_avx2.c), "avx512" the AVX-512 set
 *	  (compact_kernels_avx512.c) when the CPU also has AVX-512BW and VL,
 *	  else the AVX2 one; "auto" is whichever of those the float kernels run.
 *	  Tests compare the sets by switching vecrag.simd (sql/hnsw_compact_kernels.sql).
 */
#include "postgres.h"

#include "hnsw/hnsw.h"
#include "vector/bitvec.h"

static bool ScalarSupported(void);
static float ScalarSumCodes(const float *q, const uint8 *c, int dim);
static float ScalarSumSetBits(const float *q, const uint8 *bits, int dim);
static uint64 ScalarDotCodes(const uint8 *a, const uint8 *b, int dim);

const HnswCompactKernels HnswCompactScalarKernels = {
	.name = "scalar",
	.supported = ScalarSupported,
	.sumCodes = ScalarSumCodes,
	.sumSetBits = ScalarSumSetBits,
	.dotCodes = ScalarDotCodes,
	.hamming = BitHammingBytes,
};

static bool
ScalarSupported(void)
{
	return true;
}

/*
 * Eight float accumulators: independent chains the CPU overlaps,
 * branch-free on bits; float is ample for ordering.
 */
static float
ScalarSumCodes(const float *q, const uint8 *c, int dim)
{
	float		a[8] = {0, 0, 0, 0, 0, 0, 0, 0};
	int			i = 0;
	int			k;

	for (; i + 8 <= dim; i += 8)
		for (k = 0; k < 8; k++)
			a[k] += q[i + k] * (float) c[i + k];
	for (; i < dim; i++)
		a[0] += q[i] * (float) c[i];
	return ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
}

static float
ScalarSumSetBits(const float *q, const uint8 *bits, int dim)
{
	float		a[8] = {0, 0, 0, 0, 0, 0, 0, 0};
	int			i = 0;
	int			k;

	for (; i + 8 <= dim; i += 8)
	{
		uint8		byte = bits[i / 8];

		for (k = 0; k < 8; k++)
			a[k] += q[i + k] * (float) ((byte >> k) & 1);
	}
	for (; i < dim; i++)
		a[0] += q[i] * (float) ((bits[i / 8] >> (i % 8)) & 1);
	return ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
}

static uint64
ScalarDotCodes(const uint8 *a, const uint8 *b, int dim)
{
	uint32		acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
	uint64		sum = 0;
	int			i = 0;
	int			k;

	/* eight lanes of at most 65,535 / 8 products of 255 * 255: no overflow */
	Assert(dim <= PG_UINT16_MAX);
	for (; i + 8 <= dim; i += 8)
		for (k = 0; k < 8; k++)
			acc[k] += (uint32) a[i + k] * b[i + k];
	for (; i < dim; i++)
		sum += (uint32) a[i] * b[i];
	for (k = 0; k < 8; k++)
		sum += acc[k];
	return sum;
}

/*
 * The kernel set for this call, under the current vecrag.simd.  The CPU
 * checks run once per backend.
 */
const HnswCompactKernels *
HnswCompactActiveKernels(void)
{
#ifdef VEC_HAVE_X86_KERNELS
	static int	avx2 = -1;
	static int	avx512 = -1;

	if (VecActiveKernels == &VecScalarKernels)
		return &HnswCompactScalarKernels;
	if (avx2 < 0)
	{
		avx2 = HnswCompactAvx2Kernels.supported();
		avx512 = HnswCompactAvx512Kernels.supported();
	}
	if (avx512 && VecActiveKernels == &VecAvx512Kernels)
		return &HnswCompactAvx512Kernels;
	if (avx2)
		return &HnswCompactAvx2Kernels;
#endif
	return &HnswCompactScalarKernels;
}
