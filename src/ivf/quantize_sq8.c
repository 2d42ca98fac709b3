/*
 * src/ivf/quantize_sq8.c
 *	  sq8: scalar quantization to 8 bits per dimension.  Each dimension has
 *	  its own minimum and step, taken from the build sample's range; values
 *	  outside it (rows inserted later) are clamped.  Each entry also keeps
 *	  its reconstruction error e = |x - decoded x|, which bounds the true
 *	  distance: |q - x| >= |q - decoded| - e, and <q, x> <= <q, decoded> +
 *	  |q| e.  Distances are computed on the codes themselves, with the
 *	  query rewritten once per scan batch into code units (sq8_kernel.c).
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "ivf/ivf.h"

void
IvfSq8Train(IvfQuantizer *q, const float *samples, int nsamples)
{
	int			dim = q->dim;

	q->sqMin = palloc(sizeof(float) * dim);
	q->sqStep = palloc(sizeof(float) * dim);
	for (int j = 0; j < dim; j++)
	{
		float		lo = FLT_MAX;
		float		hi = -FLT_MAX;

		for (int i = 0; i < nsamples; i++)
		{
			float		x = samples[(Size) i * dim + j];

			lo = Min(lo, x);
			hi = Max(hi, x);
		}
		if (nsamples == 0)
		{
			lo = -1.0f;
			hi = 1.0f;
		}
		q->sqMin[j] = lo;
		q->sqStep[j] = hi > lo ? (hi - lo) / 255.0f : 1.0f;
	}
}

void
IvfSq8Encode(IvfQuantizer *q, const float *vec, char *payload)
{
	uint8	   *codes = (uint8 *) (payload + sizeof(float));
	double		err = 0;

	for (int j = 0; j < q->dim; j++)
	{
		float		c = rintf((vec[j] - q->sqMin[j]) / q->sqStep[j]);
		float		diff;

		codes[j] = (uint8) (c < 0 ? 0 : (c > 255 ? 255 : c));
		diff = vec[j] - (q->sqMin[j] + q->sqStep[j] * codes[j]);
		err += (double) diff * diff;
	}
	/* round up a little so float rounding in the kernels cannot break it */
	*(float *) payload = (float) (sqrt(err) * 1.0001 + 1e-7);
}

/*
 * The query in the terms of the code kernels (sq8_kernel.c); it does not
 * depend on the list, so it is computed once per batch (ql starts zeroed).
 */
void
IvfSq8QueryInit(IvfQuantizer *q, const float *query, IvfQueryList *ql)
{
	double		norm = 0;
	double		base = 0;

	if (ql->sqQuery != NULL)
		return;
	ql->sqQuery = palloc(sizeof(float) * q->dim);
	ql->sqWeights = palloc(sizeof(float) * q->dim);
	for (int j = 0; j < q->dim; j++)
	{
		norm += (double) query[j] * query[j];
		if (q->metric == IVF_METRIC_L2)
		{
			ql->sqQuery[j] = (query[j] - q->sqMin[j]) / q->sqStep[j];
			ql->sqWeights[j] = q->sqStep[j] * q->sqStep[j];
		}
		else
		{
			ql->sqQuery[j] = query[j] * q->sqStep[j];
			ql->sqWeights[j] = 0;
			base += (double) query[j] * q->sqMin[j];
		}
	}
	ql->qnorm = (float) sqrt(norm);
	ql->base = (float) base;
	ql->sqKernel = IvfSq8GetKernel(q->metric);
}

void
IvfSq8Estimate(IvfQuantizer *q, IvfQueryList *ql, const char *payload,
			   float *estimate, float *lower)
{
	float		err = *(const float *) payload;
	const uint8 *codes = (const uint8 *) (payload + sizeof(float));
	float		k = ql->sqKernel(ql->sqQuery, ql->sqWeights, codes, q->dim);

	if (q->metric == IVF_METRIC_L2)
	{
		float		d = sqrtf(k) - err;

		*estimate = k;
		*lower = d > 0 ? d * d : 0;
	}
	else
	{
		*estimate = -(ql->base + k);
		*lower = *estimate - ql->qnorm * err;
	}
}
