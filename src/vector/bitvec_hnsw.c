/*
 * src/vector/bitvec_hnsw.c
 *	  hnsw support function 3 for bit_hamming_ops and bit_jaccard_ops
 *	  (src/hnsw/hnsw.h's HnswKernel): C Hamming and Jaccard distances over
 *	  stored bit strings, with the bit length as dimensions.  An index takes
 *	  bit strings of up to 64,000 bits (pgvector's limit; 8,000 bytes), so an
 *	  element fits on a page.
 */
#include "postgres.h"

#include "fmgr.h"

#include "hnsw/hnsw.h"
#include "vector/bitvec.h"

#define BIT_HNSW_MAX_DIM 64000

static float HammingDistance(const void *a, const void *b);
static float JaccardDistance(const void *a, const void *b);
static int	Dimensions(const void *value);

static float
HammingDistance(const void *a, const void *b)
{
	return (float) BitHammingDistance(a, b);
}

static float
JaccardDistance(const void *a, const void *b)
{
	return (float) BitJaccardDistance(a, b);
}

static int
Dimensions(const void *value)
{
	return VARBITLEN((const VarBit *) value);
}

static const HnswKernel hamming_kernel = {BIT_HNSW_MAX_DIM, HammingDistance, Dimensions, NULL};
static const HnswKernel jaccard_kernel = {BIT_HNSW_MAX_DIM, JaccardDistance, Dimensions, NULL};

PG_FUNCTION_INFO_V1(hnsw_bit_hamming_kernel);
Datum
hnsw_bit_hamming_kernel(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(&hamming_kernel);
}

PG_FUNCTION_INFO_V1(hnsw_bit_jaccard_kernel);
Datum
hnsw_bit_jaccard_kernel(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(&jaccard_kernel);
}
