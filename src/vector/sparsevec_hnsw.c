/*
 * src/vector/sparsevec_hnsw.c
 *	  hnsw support function 3 for the sparsevec opclasses (src/hnsw/hnsw.h's
 *	  HnswKernel): C distance, dimensions and normalisation over stored
 *	  sparse vectors.  An indexed value (or query) may have at most 1,000
 *	  non-zero elements (pgvector's limit), so an element fits on a page; the
 *	  dimensions callback, which the index runs on every value it prepares,
 *	  enforces it.  Cosine stores unit vectors and orders by negative inner
 *	  product.
 */
#include "postgres.h"

#include "fmgr.h"

#include "hnsw/hnsw.h"
#include "vector/sparsevec.h"

#define SPARSEVEC_HNSW_MAX_NNZ 1000

static float L2Distance(const void *a, const void *b);
static float NegInnerProduct(const void *a, const void *b);
static float L1Distance(const void *a, const void *b);
static int	Dimensions(const void *value);
static Datum Normalize(const void *value, double norm);

static float
L2Distance(const void *a, const void *b)
{
	return SparsevecL2SquaredDistance(a, b);
}

static float
NegInnerProduct(const void *a, const void *b)
{
	return -SparsevecInnerProduct(a, b);
}

static float
L1Distance(const void *a, const void *b)
{
	return SparsevecL1Distance(a, b);
}

static int
Dimensions(const void *value)
{
	const SparseVector *v = value;

	if (v->nnz > SPARSEVEC_HNSW_MAX_NNZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("sparsevec cannot have more than %d non-zero elements for hnsw index",
						SPARSEVEC_HNSW_MAX_NNZ),
				 errdetail("The value has %d non-zero elements.", v->nnz)));
	return v->dim;
}

static Datum
Normalize(const void *value, double norm)
{
	return PointerGetDatum(SparsevecDivide(value, norm));
}

static const HnswKernel l2_kernel = {SPARSEVEC_MAX_DIM, L2Distance, Dimensions, NULL};
static const HnswKernel ip_kernel = {SPARSEVEC_MAX_DIM, NegInnerProduct, Dimensions, NULL};
static const HnswKernel cosine_kernel = {SPARSEVEC_MAX_DIM, NegInnerProduct, Dimensions, Normalize};
static const HnswKernel l1_kernel = {SPARSEVEC_MAX_DIM, L1Distance, Dimensions, NULL};

PG_FUNCTION_INFO_V1(hnsw_sparsevec_l2_kernel);
Datum
hnsw_sparsevec_l2_kernel(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(&l2_kernel);
}

PG_FUNCTION_INFO_V1(hnsw_sparsevec_ip_kernel);
Datum
hnsw_sparsevec_ip_kernel(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(&ip_kernel);
}

PG_FUNCTION_INFO_V1(hnsw_sparsevec_cosine_kernel);
Datum
hnsw_sparsevec_cosine_kernel(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(&cosine_kernel);
}

PG_FUNCTION_INFO_V1(hnsw_sparsevec_l1_kernel);
Datum
hnsw_sparsevec_l1_kernel(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(&l1_kernel);
}
