/*
 * src/hnsw/kernel.c
 *	  hnsw support function 3 for the vector opclasses: C distance,
 *	  dimensions and normalisation over stored vectors, calling the SIMD
 *	  kernels of core/distance.h directly so no fmgr call sits in the search
 *	  loop.  Cosine stores unit vectors and orders by negative inner product.
 */
#include "postgres.h"

#include "fmgr.h"

#include "core/distance.h"
#include "hnsw/hnsw.h"
#include "vector/vector.h"

static float L2Distance(const void *a, const void *b);
static float NegInnerProduct(const void *a, const void *b);
static float L1Distance(const void *a, const void *b);
static int	Dimensions(const void *value);
static Datum Normalize(const void *value, double norm);
static void ToFloats(const void *value, float *out);

static float
L2Distance(const void *a, const void *b)
{
	const Vector *va = a;
	const Vector *vb = b;

	return VecL2SquaredDistance(va->x, vb->x, va->dim);
}

static float
NegInnerProduct(const void *a, const void *b)
{
	const Vector *va = a;
	const Vector *vb = b;

	return -VecInnerProduct(va->x, vb->x, va->dim);
}

static float
L1Distance(const void *a, const void *b)
{
	const Vector *va = a;
	const Vector *vb = b;

	return VecL1Distance(va->x, vb->x, va->dim);
}

static int
Dimensions(const void *value)
{
	return ((const Vector *) value)->dim;
}

static Datum
Normalize(const void *value, double norm)
{
	const Vector *v = value;
	Vector	   *result = InitVector(v->dim);
	int			i;

	for (i = 0; i < v->dim; i++)
		result->x[i] = (float) (v->x[i] / norm);
	return PointerGetDatum(result);
}

static void
ToFloats(const void *value, float *out)
{
	const Vector *v = value;

	memcpy(out, v->x, sizeof(float) * v->dim);
}

static const HnswKernel l2_kernel = {HNSW_MAX_DIM, L2Distance, Dimensions, NULL, HNSW_METRIC_L2, ToFloats};
static const HnswKernel ip_kernel = {HNSW_MAX_DIM, NegInnerProduct, Dimensions, NULL, HNSW_METRIC_IP, ToFloats};
static const HnswKernel cosine_kernel = {HNSW_MAX_DIM, NegInnerProduct, Dimensions, Normalize, HNSW_METRIC_IP, ToFloats};
static const HnswKernel l1_kernel = {HNSW_MAX_DIM, L1Distance, Dimensions, NULL, HNSW_METRIC_L1, ToFloats};

PG_FUNCTION_INFO_V1(hnsw_vector_l2_kernel);
Datum
hnsw_vector_l2_kernel(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(&l2_kernel);
}

PG_FUNCTION_INFO_V1(hnsw_vector_ip_kernel);
Datum
hnsw_vector_ip_kernel(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(&ip_kernel);
}

PG_FUNCTION_INFO_V1(hnsw_vector_cosine_kernel);
Datum
hnsw_vector_cosine_kernel(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(&cosine_kernel);
}

PG_FUNCTION_INFO_V1(hnsw_vector_l1_kernel);
Datum
hnsw_vector_l1_kernel(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(&l1_kernel);
}
