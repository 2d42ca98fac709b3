/*
 * src/ivf/kmeans.c
 *	  k-means for the IVF build: k-means++ seeding on the sample, then a
 *	  bounded number of Lloyd iterations.  Under the inner-product metric
 *	  (the ip opclass) centroids are kept at unit length (spherical k-means),
 *	  so that probing by inner product does not favour long centroids; the
 *	  cosine opclass clusters unit vectors in L2 (see IvfGetTypeInfo).  Deterministic (fixed seed), interruptible, and it uses no
 *	  memory beyond the centroids and two arrays of nsamples.
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "miscadmin.h"

#include "core/distance.h"
#include "ivf/ivf.h"

#define KMEANS_MAX_ITERATIONS	15
#define KMEANS_SEED				UINT64CONST(0x9E3779B97F4A7C15)


static double RandomFraction(uint64 *state);
static void NormalizeRows(float *rows, int n, int dim);
static int	AssignSerial(void *arg, const float *samples, int nsamples, const float *centroids,
						 int k, int dim, int metric, int *assignment);

/* splitmix64: small, portable and the same on every platform */
uint64
IvfRandomNext(uint64 *state)
{
	uint64		z = (*state += UINT64CONST(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64CONST(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64CONST(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

static double
RandomFraction(uint64 *state)
{
	return (IvfRandomNext(state) >> 11) * (1.0 / 9007199254740992.0);
}

static void
NormalizeRows(float *rows, int n, int dim)
{
	for (int i = 0; i < n; i++)
	{
		float	   *r = rows + (Size) i * dim;
		double		norm = sqrt((double) VecInnerProduct(r, r, dim));

		if (norm > 0)
			for (int j = 0; j < dim; j++)
				r[j] = (float) (r[j] / norm);
	}
}

/*
 * Index of the centroid nearest to vec under metric (IvfDistance).
 */
int
IvfNearestCentroid(const float *vec, const float *centroids, int k, int dim, int metric)
{
	int			best = 0;
	float		bestDistance = FLT_MAX;

	for (int c = 0; c < k; c++)
	{
		float		d = IvfDistance(metric, vec, centroids + (Size) c * dim, dim);

		if (d < bestDistance)
		{
			bestDistance = d;
			best = c;
		}
	}
	return best;
}

/*
 * Assign samples[first .. first + n) to their nearest centroid, updating
 * assignment[]; returns how many changed.  One Lloyd step's work, or a
 * parallel participant's chunk of it.
 */
int
IvfKmeansAssignRange(const float *samples, int first, int n, const float *centroids,
					 int k, int dim, int metric, int *assignment)
{
	int			changed = 0;

	for (int i = first; i < first + n; i++)
	{
		int			c;

		if ((i & 255) == 0)
			CHECK_FOR_INTERRUPTS();
		c = IvfNearestCentroid(samples + (Size) i * dim, centroids, k, dim, metric);
		if (c != assignment[i])
		{
			assignment[i] = c;
			changed++;
		}
	}
	return changed;
}

static int
AssignSerial(void *arg, const float *samples, int nsamples, const float *centroids,
			 int k, int dim, int metric, int *assignment)
{
	return IvfKmeansAssignRange(samples, 0, nsamples, centroids, k, dim, metric, assignment);
}

/*
 * Cluster nsamples rows of samples (dim floats each) into k centroids,
 * written to centroids (k * dim floats, allocated by the caller).  With
 * fewer samples than k, the remaining centroids are random points drawn
 * around the samples (or in [-1, 1] with no samples at all), so every list
 * exists and later inserts have somewhere to go.  assign (NULL: serially
 * here) does the assignment step of each Lloyd iteration; a parallel build
 * passes one that shares it with its workers (build_parallel.c), which
 * gives the same result.
 */
void
IvfKmeans(float *samples, int nsamples, int dim, int k, bool normalize,
		  int metric, float *centroids, IvfKmeansAssign assign, void *arg)
{
	uint64		rng = KMEANS_SEED;
	bool		spherical = (metric == IVF_METRIC_IP);
	float	   *minDistance;
	int		   *assignment;
	int		   *counts;
	int			seeded;

	/* k-means++ seeding: each next centroid drawn with probability ~ D^2 */
	seeded = Min(k, nsamples);
	if (seeded > 0)
	{
		minDistance = palloc(sizeof(float) * nsamples);
		memcpy(centroids, samples + (Size) (IvfRandomNext(&rng) % nsamples) * dim,
			   sizeof(float) * dim);
		for (int i = 0; i < nsamples; i++)
			minDistance[i] = VecL2SquaredDistance(samples + (Size) i * dim, centroids, dim);
		for (int c = 1; c < seeded; c++)
		{
			double		total = 0;
			double		target;
			int			chosen = nsamples - 1;
			float	   *centroid = centroids + (Size) c * dim;

			CHECK_FOR_INTERRUPTS();
			for (int i = 0; i < nsamples; i++)
				total += minDistance[i];
			target = RandomFraction(&rng) * total;
			for (int i = 0; i < nsamples; i++)
			{
				target -= minDistance[i];
				if (target <= 0 && minDistance[i] > 0)
				{
					chosen = i;
					break;
				}
			}
			memcpy(centroid, samples + (Size) chosen * dim, sizeof(float) * dim);
			for (int i = 0; i < nsamples; i++)
			{
				float		d = VecL2SquaredDistance(samples + (Size) i * dim, centroid, dim);

				if (d < minDistance[i])
					minDistance[i] = d;
			}
		}
		pfree(minDistance);
	}

	/* lists beyond the sample: random points so that every list exists */
	for (int c = seeded; c < k; c++)
	{
		float	   *centroid = centroids + (Size) c * dim;
		const float *base = nsamples > 0 ? samples + (Size) (IvfRandomNext(&rng) % nsamples) * dim : NULL;

		for (int j = 0; j < dim; j++)
		{
			float		noise = (float) (RandomFraction(&rng) * 2.0 - 1.0);

			centroid[j] = base ? base[j] + 0.01f * noise : noise;
		}
	}

	if (nsamples == 0 || k >= nsamples)
	{
		if (spherical || normalize)
			NormalizeRows(centroids, k, dim);
		return;
	}

	/* Lloyd iterations, bounded, stopping early when assignments settle */
	assignment = palloc(sizeof(int) * nsamples);
	counts = palloc(sizeof(int) * k);
	for (int i = 0; i < nsamples; i++)
		assignment[i] = -1;
	if (spherical)
		NormalizeRows(centroids, k, dim);

	if (assign == NULL)
		assign = AssignSerial;
	for (int iter = 0; iter < KMEANS_MAX_ITERATIONS; iter++)
	{
		int			changed;

		changed = assign(arg, samples, nsamples, centroids, k, dim,
						 spherical ? IVF_METRIC_IP : IVF_METRIC_L2, assignment);
		if (iter > 0 && changed <= nsamples / 1000)
			break;

		memset(centroids, 0, sizeof(float) * dim * k);
		memset(counts, 0, sizeof(int) * k);
		for (int i = 0; i < nsamples; i++)
		{
			float	   *centroid = centroids + (Size) assignment[i] * dim;
			const float *row = samples + (Size) i * dim;

			for (int j = 0; j < dim; j++)
				centroid[j] += row[j];
			counts[assignment[i]]++;
		}
		for (int c = 0; c < k; c++)
		{
			float	   *centroid = centroids + (Size) c * dim;

			if (counts[c] == 0)
			{
				/* empty cluster: restart it at a random sample */
				memcpy(centroid, samples + (Size) (IvfRandomNext(&rng) % nsamples) * dim,
					   sizeof(float) * dim);
				continue;
			}
			for (int j = 0; j < dim; j++)
				centroid[j] /= counts[c];
		}
		if (spherical)
			NormalizeRows(centroids, k, dim);
	}

	pfree(assignment);
	pfree(counts);
}
