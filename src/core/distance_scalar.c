/*
 * src/core/distance_scalar.c
 *	  Portable scalar distance kernels: the fallback on every CPU and the
 *	  reference the SIMD kernels are tested against.
 *
 *	  They accumulate in double: a float product widened to double is exact,
 *	  and a double sum of up to 16,000 terms stays far below float's rounding,
 *	  so the result is the exact value rounded once.  Four independent
 *	  accumulators break the add latency chain; this costs no accuracy.  It
 *	  also never overflows or underflows inside the sum for finite float
 *	  input, which is why the SIMD kernels call these when their own float
 *	  sums leave float's range.  This file needs nothing from the server, so
 *	  test/bench/kernels links it into a standalone driver.
 */
#include "postgres.h"

#include <math.h>

#include "core/distance.h"

static bool ScalarSupported(void);
static float ScalarL2SquaredDistance(const float *a, const float *b, int dim);
static float ScalarInnerProduct(const float *a, const float *b, int dim);
static float ScalarL1Distance(const float *a, const float *b, int dim);
static double ScalarCosineSimilarity(const float *a, const float *b, int dim);

const VecDistanceKernels VecScalarKernels = {
	.name = "scalar",
	.description = "portable C, double-precision sums",
	.supported = ScalarSupported,
	.l2_squared_distance = ScalarL2SquaredDistance,
	.inner_product = ScalarInnerProduct,
	.l1_distance = ScalarL1Distance,
	.cosine_similarity = ScalarCosineSimilarity,
};

static bool
ScalarSupported(void)
{
	return true;
}

static float
ScalarL2SquaredDistance(const float *a, const float *b, int dim)
{
	double		s0 = 0.0,
				s1 = 0.0,
				s2 = 0.0,
				s3 = 0.0;
	int			i = 0;

	for (; i + 4 <= dim; i += 4)
	{
		double		d0 = (double) a[i] - b[i];
		double		d1 = (double) a[i + 1] - b[i + 1];
		double		d2 = (double) a[i + 2] - b[i + 2];
		double		d3 = (double) a[i + 3] - b[i + 3];

		s0 += d0 * d0;
		s1 += d1 * d1;
		s2 += d2 * d2;
		s3 += d3 * d3;
	}
	for (; i < dim; i++)
	{
		double		d = (double) a[i] - b[i];

		s0 += d * d;
	}
	return (float) ((s0 + s1) + (s2 + s3));
}

static float
ScalarInnerProduct(const float *a, const float *b, int dim)
{
	double		s0 = 0.0,
				s1 = 0.0,
				s2 = 0.0,
				s3 = 0.0;
	int			i = 0;

	for (; i + 4 <= dim; i += 4)
	{
		s0 += (double) a[i] * b[i];
		s1 += (double) a[i + 1] * b[i + 1];
		s2 += (double) a[i + 2] * b[i + 2];
		s3 += (double) a[i + 3] * b[i + 3];
	}
	for (; i < dim; i++)
		s0 += (double) a[i] * b[i];
	return (float) ((s0 + s1) + (s2 + s3));
}

static float
ScalarL1Distance(const float *a, const float *b, int dim)
{
	double		s0 = 0.0,
				s1 = 0.0,
				s2 = 0.0,
				s3 = 0.0;
	int			i = 0;

	for (; i + 4 <= dim; i += 4)
	{
		s0 += fabs((double) a[i] - b[i]);
		s1 += fabs((double) a[i + 1] - b[i + 1]);
		s2 += fabs((double) a[i + 2] - b[i + 2]);
		s3 += fabs((double) a[i + 3] - b[i + 3]);
	}
	for (; i < dim; i++)
		s0 += fabs((double) a[i] - b[i]);
	return (float) ((s0 + s1) + (s2 + s3));
}

static double
ScalarCosineSimilarity(const float *a, const float *b, int dim)
{
	double		dot0 = 0.0,
				dot1 = 0.0,
				na0 = 0.0,
				na1 = 0.0,
				nb0 = 0.0,
				nb1 = 0.0;
	int			i = 0;

	for (; i + 2 <= dim; i += 2)
	{
		double		a0 = a[i],
					a1 = a[i + 1],
					b0 = b[i],
					b1 = b[i + 1];

		dot0 += a0 * b0;
		dot1 += a1 * b1;
		na0 += a0 * a0;
		na1 += a1 * a1;
		nb0 += b0 * b0;
		nb1 += b1 * b1;
	}
	if (i < dim)
	{
		double		a0 = a[i],
					b0 = b[i];

		dot0 += a0 * b0;
		na0 += a0 * a0;
		nb0 += b0 * b0;
	}

	/* 0 / 0 gives NaN for a zero vector, as pgvector returns */
	return (dot0 + dot1) / sqrt((na0 + na1) * (nb0 + nb1));
}
