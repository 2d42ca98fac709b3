/*
 * src/core/distance.c
 *	  Portable scalar distance kernels and the dispatch that points the
 *	  kernel pointers of core/distance.h at them.
 */
#include "postgres.h"

#include <math.h>

#include "core/distance.h"

static float ScalarL2SquaredDistance(const float *a, const float *b, int dim);
static float ScalarInnerProduct(const float *a, const float *b, int dim);
static float ScalarL1Distance(const float *a, const float *b, int dim);
static double ScalarCosineSimilarity(const float *a, const float *b, int dim);

float		(*VecL2SquaredDistance) (const float *a, const float *b, int dim) = ScalarL2SquaredDistance;
float		(*VecInnerProduct) (const float *a, const float *b, int dim) = ScalarInnerProduct;
float		(*VecL1Distance) (const float *a, const float *b, int dim) = ScalarL1Distance;
double		(*VecCosineSimilarity) (const float *a, const float *b, int dim) = ScalarCosineSimilarity;

static float
ScalarL2SquaredDistance(const float *a, const float *b, int dim)
{
	float		sum = 0.0f;

	for (int i = 0; i < dim; i++)
	{
		float		diff = a[i] - b[i];

		sum += diff * diff;
	}
	return sum;
}

static float
ScalarInnerProduct(const float *a, const float *b, int dim)
{
	float		sum = 0.0f;

	for (int i = 0; i < dim; i++)
		sum += a[i] * b[i];
	return sum;
}

static float
ScalarL1Distance(const float *a, const float *b, int dim)
{
	float		sum = 0.0f;

	for (int i = 0; i < dim; i++)
		sum += fabsf(a[i] - b[i]);
	return sum;
}

static double
ScalarCosineSimilarity(const float *a, const float *b, int dim)
{
	float		dot = 0.0f;
	float		na = 0.0f;
	float		nb = 0.0f;

	for (int i = 0; i < dim; i++)
	{
		dot += a[i] * b[i];
		na += a[i] * a[i];
		nb += b[i] * b[i];
	}
	return (double) dot / sqrt((double) na * (double) nb);
}

/*
 * Choose kernels for this CPU.  Called once from _PG_init.
 */
void
VecDistanceInit(void)
{
	VecL2SquaredDistance = ScalarL2SquaredDistance;
	VecInnerProduct = ScalarInnerProduct;
	VecL1Distance = ScalarL1Distance;
	VecCosineSimilarity = ScalarCosineSimilarity;
}
