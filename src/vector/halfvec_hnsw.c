/*
 * src/vector/halfvec_hnsw.c
 *	  hnsw support function 3 for the halfvec opclasses (src/hnsw/hnsw.h's
 *	  HnswKernel): C distance, dimensions and normalisation over stored half
 *	  vectors, calling the halfvec kernels directly so no fmgr call sits in
 *	  the search loop.  Cosine stores unit vectors and orders by negative
 *	  inner product, like the vector opclasses.  An index keeps full values
 *	  up to 4,000 dimensions (pgvector's limit), so an element fits on a
 *	  page; wider columns (to 16,000) get a compact copy through ToFloats
 *	  (src/hnsw/compact.c).
 */
#include "postgres.h"

#include "fmgr.h"

#include "hnsw/hnsw.h"
#include "vector/halfvec.h"

#define HALFVEC_HNSW_MAX_DIM 4000

static float L2Distance(const void *a, const void *b);
static float NegInnerProduct(const void *a, const void *b);
static float L1Distance(const void *a, const void *b);
static int	Dimensions(const void *value);
static Datum Normalize(const void *value, double norm);
static void ToFloats(const void *value, float *out);

static float
L2Distance(const void *a, const void *b)
{
	const HalfVector *va = a;
	const HalfVector *vb = b;

	return HalfvecL2SquaredDistance(va->x, vb->x, va->dim);
}

static float
NegInnerProduct(const void *a, const void *b)
{
	const HalfVector *va = a;
	const HalfVector *vb = b;

	return -HalfvecInnerProduct(va->x, vb->x, va->dim);
}

static float
L1Distance(const void *a, const void *b)
{
	const HalfVector *va = a;
	const HalfVector *vb = b;

	return HalfvecL1Distance(va->x, vb->x, va->dim);
}

static int
Dimensions(const void *value)
{
	return ((const HalfVector *) value)->dim;
}

/* value / norm (norm > 0): every element shrinks, so none can overflow */
static Datum
Normalize(const void *value, double norm)
{
	const HalfVector *v = value;
	HalfVector *result = InitHalfVector(v->dim);

	for (int i = 0; i < v->dim; i++)
		result->x[i] = Float4ToHalfUnchecked((float) (HalfToFloat4(v->x[i]) / norm));
	return PointerGetDatum(result);
}

static void
ToFloats(const void *value, float *out)
{
	const HalfVector *v = value;

	for (int i = 0; i < v->dim; i++)
		out[i] = HalfToFloat4(v->x[i]);
}

static const HnswKernel l2_kernel = {HALFVEC_HNSW_MAX_DIM, L2Distance, Dimensions, NULL, HNSW_METRIC_L2, ToFloats};
static const HnswKernel ip_kernel = {HALFVEC_HNSW_MAX_DIM, NegInnerProduct, Dimensions, NULL, HNSW_METRIC_IP, ToFloats};
static const HnswKernel cosine_kernel = {HALFVEC_HNSW_MAX_DIM, NegInnerProduct, Dimensions, Normalize, HNSW_METRIC_IP, ToFloats};
static const HnswKernel l1_kernel = {HALFVEC_HNSW_MAX_DIM, L1Distance, Dimensions, NULL, HNSW_METRIC_L1, ToFloats};

PG_FUNCTION_INFO_V1(hnsw_halfvec_l2_kernel);
Datum
hnsw_halfvec_l2_kernel(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(&l2_kernel);
}

PG_FUNCTION_INFO_V1(hnsw_halfvec_ip_kernel);
Datum
hnsw_halfvec_ip_kernel(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(&ip_kernel);
}

PG_FUNCTION_INFO_V1(hnsw_halfvec_cosine_kernel);
Datum
hnsw_halfvec_cosine_kernel(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(&cosine_kernel);
}

PG_FUNCTION_INFO_V1(hnsw_halfvec_l1_kernel);
Datum
hnsw_halfvec_l1_kernel(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(&l1_kernel);
}
