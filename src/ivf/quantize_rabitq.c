/*
 * src/ivf/quantize_rabitq.c
 *	  rabitq: 1-bit codes with an error bound, after RaBitQ (Gao and Long,
 *	  SIGMOD 2024).
 *
 *	  For an entry o in the list with centroid c, let o_hat be the unit
 *	  residual (o - c) / |o - c| and u = P o_hat its random orthogonal
 *	  rotation.  The code is the sign bits of u; the quantized vector is
 *	  o_bar = (2 b - 1) / sqrt(D) in the rotated space.  Stored per entry:
 *	  |o - c|, <o_bar, u> (= sum |u_i| / sqrt(D)) and the D bits.
 *
 *	  For a query vector x (rotated: P x), the paper's estimator is
 *	  <o_hat, x> ~ <o_bar, P x> / <o_bar, u>, unbiased, with
 *	  |error| <= |x| * sqrt(1 - <o_bar,u>^2) / <o_bar,u> * eps0 / sqrt(D - 1)
 *	  with high probability (eps0 = 1.9).  From it:
 *	    L2:  |o - q|^2 = |o-c|^2 + |q-c|^2 - 2 |o-c| <o_hat, q - c>
 *	         (x = q - c, the query's residual for this list)
 *	    IP:  <o, q> = <c, q> + |o-c| <o_hat, q>           (x = q)
 *	  (cosine indexes normalize vectors and use the L2 form, whose error
 *	  scales with |q - c| rather than |q| = 1); and the bound on the inner product scales to a bound on the distance,
 *	  which gives the lower bound the scan reranks by.
 *
 *	  <o_bar, P x> = (2 * sum of (P x)_i over set bits - sum (P x)_i) / sqrt(D);
 *	  the sum over set bits is read from a table of 256 partial sums per
 *	  code byte, built once per probed list, so an entry costs D/8 lookups.
 *
 *	  The rotation P is three rounds of (random sign flips, fast
 *	  Walsh-Hadamard transform scaled by 1/sqrt(D)) on the vector padded with
 *	  zeros to D, a power of two: orthogonal, O(D log D), and fully described
 *	  by the seed kept in the metapage.
 */
#include "postgres.h"

#include <math.h>

#include "ivf/ivf.h"

#define RABITQ_ROUNDS	3
#define RABITQ_EPSILON0	1.9f

static void Fwht(float *x, int n);

/* in-place fast Walsh-Hadamard transform, unnormalized */
static void
Fwht(float *x, int n)
{
	for (int h = 1; h < n; h *= 2)
		for (int i = 0; i < n; i += 2 * h)
			for (int j = i; j < i + h; j++)
			{
				float		a = x[j];
				float		b = x[j + h];

				x[j] = a + b;
				x[j + h] = a - b;
			}
}

void
IvfRabitqInit(IvfQuantizer *q)
{
	uint64		state = q->seed;

	q->paddedDim = (int) (IvfPayloadSize(IVF_QUANTIZER_RABITQ, q->dim) - sizeof(IvfRabitqHeader)) * 8;
	q->signs = palloc(RABITQ_ROUNDS * q->paddedDim);
	for (int i = 0; i < RABITQ_ROUNDS * q->paddedDim; i++)
		q->signs[i] = (IvfRandomNext(&state) & 1) ? 1 : -1;
}

/* out (paddedDim floats) = P in (dim floats) */
void
IvfRabitqRotate(IvfQuantizer *q, const float *in, float *out)
{
	int			D = q->paddedDim;
	float		scale = 1.0f / sqrtf((float) D);

	memcpy(out, in, sizeof(float) * q->dim);
	memset(out + q->dim, 0, sizeof(float) * (D - q->dim));
	for (int r = 0; r < RABITQ_ROUNDS; r++)
	{
		const int8 *signs = q->signs + r * D;

		for (int i = 0; i < D; i++)
			out[i] *= signs[i];
		Fwht(out, D);
		for (int i = 0; i < D; i++)
			out[i] *= scale;
	}
}

void
IvfRabitqEncode(IvfQuantizer *q, const float *vec, const float *centroid, char *payload)
{
	IvfRabitqHeader *hdr = (IvfRabitqHeader *) payload;
	uint8	   *bits = (uint8 *) (payload + sizeof(IvfRabitqHeader));
	int			D = q->paddedDim;
	float	   *residual = palloc(sizeof(float) * q->dim);
	float	   *u = palloc(sizeof(float) * D);
	double		norm = 0;
	double		abssum = 0;

	for (int j = 0; j < q->dim; j++)
	{
		residual[j] = vec[j] - centroid[j];
		norm += (double) residual[j] * residual[j];
	}
	norm = sqrt(norm);
	memset(bits, 0, D / 8);
	if (norm == 0)
	{
		/* the entry is the centroid: the estimate is exact whatever dot is */
		hdr->norm = 0;
		hdr->dot = 1;
	}
	else
	{
		for (int j = 0; j < q->dim; j++)
			residual[j] = (float) (residual[j] / norm);
		IvfRabitqRotate(q, residual, u);
		for (int i = 0; i < D; i++)
		{
			if (u[i] > 0)
				bits[i / 8] |= (uint8) (1 << (i % 8));
			abssum += fabsf(u[i]);
		}
		hdr->norm = (float) norm;
		hdr->dot = (float) (abssum / sqrt((double) D));
		/* cannot be 0 for a unit vector, but keep the divisor sane */
		if (hdr->dot < 1e-6f)
			hdr->dot = 1e-6f;
	}
	pfree(residual);
	pfree(u);
}

void
IvfRabitqQueryInit(IvfQuantizer *q, const float *query, const float *centroid,
				   IvfQueryList *ql)
{
	int			D = q->paddedDim;
	float	   *x;
	double		sum = 0;
	double		sq = 0;

	if (ql->lut == NULL)
	{
		ql->lut = palloc(sizeof(float) * 256 * (D / 8));
		ql->decoded = palloc(sizeof(float) * (q->dim + D));
	}
	x = ql->decoded;			/* scratch: dim floats of input, then D rotated */

	if (q->metric == IVF_METRIC_L2)
	{
		for (int j = 0; j < q->dim; j++)
			x[j] = query[j] - centroid[j];
		ql->base = 0;
	}
	else
	{
		double		ip = 0;

		for (int j = 0; j < q->dim; j++)
		{
			x[j] = query[j];
			ip += (double) query[j] * centroid[j];
		}
		ql->base = (float) ip;
	}
	IvfRabitqRotate(q, x, x + q->dim);
	x += q->dim;
	for (int i = 0; i < D; i++)
	{
		sum += x[i];
		sq += (double) x[i] * x[i];
	}
	ql->qsum = (float) sum;
	ql->qnorm = (float) sqrt(sq);
	if (q->metric == IVF_METRIC_L2)
		ql->base = (float) sq;	/* |q - c|^2: rotation keeps norms */

	for (int g = 0; g < D / 8; g++)
	{
		float	   *lut = ql->lut + g * 256;
		const float *xs = x + g * 8;

		lut[0] = 0;
		for (int b = 1; b < 256; b++)
		{
			int			low = b & -b;
			int			bit = 0;

			while ((1 << bit) != low)
				bit++;
			lut[b] = lut[b ^ low] + xs[bit];
		}
	}
}

void
IvfRabitqEstimate(IvfQuantizer *q, IvfQueryList *ql, const char *payload,
				  float *estimate, float *lower)
{
	const IvfRabitqHeader *hdr = (const IvfRabitqHeader *) payload;
	const uint8 *bits = (const uint8 *) (payload + sizeof(IvfRabitqHeader));
	int			D = q->paddedDim;
	float		setsum = 0;
	float		ipEstimate;
	float		bound;

	for (int g = 0; g < D / 8; g++)
		setsum += ql->lut[g * 256 + bits[g]];
	/* <o_hat, x> estimated, and its error bound */
	ipEstimate = (2.0f * setsum - ql->qsum) / sqrtf((float) D) / hdr->dot;
	bound = ql->qnorm * sqrtf(Max(0.0f, 1.0f - hdr->dot * hdr->dot)) / hdr->dot *
		RABITQ_EPSILON0 / sqrtf((float) (D - 1));

	if (q->metric == IVF_METRIC_L2)
	{
		*estimate = hdr->norm * hdr->norm + ql->base - 2.0f * hdr->norm * ipEstimate;
		*lower = *estimate - 2.0f * hdr->norm * bound;
	}
	else
	{
		*estimate = -(ql->base + hdr->norm * ipEstimate);
		*lower = *estimate - hdr->norm * bound;
	}
}
