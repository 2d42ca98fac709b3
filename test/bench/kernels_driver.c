/*
 * test/bench/kernels_driver.c
 *	  Standalone driver for test/bench/kernels: times each distance kernel
 *	  set of src/core (scalar, AVX2, AVX-512) outside the server, so what is
 *	  timed is the kernel alone, called through a function pointer as the
 *	  server calls it.
 *
 *	  For each dimension it makes a query and enough base vectors to fill
 *	  32 kB (in L1 cache: the kernel's own speed) and then 512 kB (in L2, as
 *	  hot index or heap pages are: closer to what a scan sees), then times a
 *	  fixed batch of query-to-base calls per kernel set, in this thread's CPU
 *	  time (time spent waiting for a core does not count).  The sets take
 *	  turns, round after round, and the fastest of 15 rounds counts: on a
 *	  shared machine the best round is the one least disturbed, and the sets
 *	  are compared under the same conditions.
 *	  Before timing it checks every set against the scalar one on the same
 *	  data and prints the largest difference: relative for L2, relative to
 *	  |a| |b| for the inner product, absolute for the cosine similarity.
 */
#include "postgres.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/distance.h"

/* port.h maps printf to libpgport's; this program links only the kernels */
#undef printf

#define ROUNDS 15
#define MAX_SETS 3

static const VecDistanceKernels *sets[MAX_SETS];
static int	nsets;
static volatile double sink;

static double
Now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* deterministic values in [-1, 1) */
static float
NextValue(unsigned long *state)
{
	*state = *state * 6364136223846793005UL + 1442695040888963407UL;
	return (float) ((double) (*state >> 40) / (double) (1UL << 23) - 1.0);
}

/* metric 0: L2 squared, 1: inner product, 2: cosine similarity */
static double
Call(const VecDistanceKernels *k, int metric, const float *a, const float *b, int dim)
{
	switch (metric)
	{
		case 0:
			return k->l2_squared_distance(a, b, dim);
		case 1:
			return k->inner_product(a, b, dim);
		default:
			return k->cosine_similarity(a, b, dim);
	}
}

/* seconds for calls query-to-base calls, cycling over the base */
static double
TimeBatch(const VecDistanceKernels *k, int metric, const float *query,
		  const float *base, int nbase, int dim, long calls)
{
	double		start = Now();
	double		acc = 0.0;
	int			j = 0;

	for (long c = 0; c < calls; c++)
	{
		acc += Call(k, metric, query, base + (size_t) j * dim, dim);
		if (++j == nbase)
			j = 0;
	}
	sink = acc;
	return Now() - start;
}

int
main(int argc, char **argv)
{
	static const int sizes[] = {32, 512};	/* kB of base vectors */
	static const int dims[] = {100, 768, 1536};
	static const char *const metrics[] = {"l2", "inner product", "cosine"};
	double		budget = argc > 1 ? atof(argv[1]) : 0.02;	/* seconds per batch */

	sets[nsets++] = &VecScalarKernels;
#ifdef VEC_HAVE_X86_KERNELS
	if (VecAvx2Kernels.supported())
		sets[nsets++] = &VecAvx2Kernels;
	if (VecAvx512Kernels.supported())
		sets[nsets++] = &VecAvx512Kernels;
#endif

	printf("%-6s %-6s %-14s %-7s %10s %12s %9s %10s\n",
		   "data", "dim", "metric", "kernel", "ns/call", "Mcalls/s", "x scalar", "max diff");
	for (int si = 0; si < (int) lengthof(sizes); si++)
	for (int di = 0; di < (int) lengthof(dims); di++)
	{
		int			dim = dims[di];
		int			nbase = Max(2, sizes[si] * 1024 / (dim * (int) sizeof(float)));
		float	   *query = malloc(sizeof(float) * dim);
		float	   *base = malloc(sizeof(float) * dim * nbase);
		unsigned long state = 42 + dim;

		for (int i = 0; i < dim; i++)
			query[i] = NextValue(&state);
		for (long i = 0; i < (long) dim * nbase; i++)
			base[i] = NextValue(&state);

		for (int m = 0; m < (int) lengthof(metrics); m++)
		{
			double		best[MAX_SETS];
			double		maxdiff[MAX_SETS] = {0};
			long		calls;
			double		t;

			/* accuracy against scalar, on the same data */
			for (int s = 1; s < nsets; s++)
				for (int j = 0; j < nbase; j++)
				{
					double		ref = Call(sets[0], m, query, base + (size_t) j * dim, dim);
					double		got = Call(sets[s], m, query, base + (size_t) j * dim, dim);
					/* relative for L2, to |a||b| (~dim/3) for IP, absolute for cosine */
					double		scale = m == 0 ? fabs(ref) : m == 1 ? dim / 3.0 : 1.0;

					if (fabs(got - ref) / scale > maxdiff[s])
						maxdiff[s] = fabs(got - ref) / scale;
				}

			/* calibrate the batch on scalar, the slowest set */
			calls = nbase;
			while ((t = TimeBatch(sets[0], m, query, base, nbase, dim, calls)) < budget)
				calls *= 2;

			for (int s = 0; s < nsets; s++)
				best[s] = INFINITY;
			for (int r = 0; r < ROUNDS; r++)
				for (int s = 0; s < nsets; s++)
				{
					t = TimeBatch(sets[s], m, query, base, nbase, dim, calls);
					if (t < best[s])
						best[s] = t;
				}

			for (int s = 0; s < nsets; s++)
				printf("%-6s %-6d %-14s %-7s %10.1f %12.2f %9.2f %10.1e\n",
					   sizes[si] == 32 ? "32kB" : "512kB", dim, metrics[m], sets[s]->name, best[s] / calls * 1e9,
					   calls / best[s] / 1e6, best[0] / best[s], maxdiff[s]);
		}
		free(query);
		free(base);
	}
	return 0;
}
