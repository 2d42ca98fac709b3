/*
 * src/vector/halfvec.c
 *	  Building and checking half vectors: allocation, the checked float ->
 *	  half conversion, and the dimension and element checks every halfvec
 *	  function shares.  Messages match pgvector's.
 */
#include "postgres.h"

#include <math.h>

#include "common/shortest_dec.h"

#include "vector/halfvec.h"

/*
 * Allocate a zeroed half vector of dim dimensions in the current memory
 * context.  The caller has checked dim with HalfvecCheckDim.
 */
HalfVector *
InitHalfVector(int dim)
{
	Size		size = HALFVEC_SIZE(dim);
	HalfVector *result = (HalfVector *) palloc0(size);

	SET_VARSIZE(result, size);
	result->dim = dim;
	return result;
}

/*
 * Convert to half precision; a finite value too large for a half is an
 * error rather than a silent infinity.
 */
half
Float4ToHalf(float value)
{
	half		result = Float4ToHalfUnchecked(value);

	if (unlikely(HalfIsInf(result)) && !isinf(value))
	{
		char		buf[FLOAT_SHORTEST_DECIMAL_LEN];

		float_to_shortest_decimal_buf(value, buf);
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("\"%s\" is out of range for type halfvec", buf),
				 errdetail("Half precision holds magnitudes up to 65504.")));
	}
	return result;
}

void
HalfvecCheckDim(int dim)
{
	if (dim < 1)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("halfvec must have at least 1 dimension")));
	if (dim > HALFVEC_MAX_DIM)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("halfvec cannot have more than %d dimensions", HALFVEC_MAX_DIM)));
}

/*
 * Check dim against a column's typmod (-1 means any number of dimensions).
 */
void
HalfvecCheckExpectedDim(int32 typmod, int dim)
{
	if (typmod != -1 && typmod != dim)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("expected %d dimensions, not %d", typmod, dim)));
}

void
HalfvecCheckElement(half value)
{
	if (HalfIsNan(value))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("NaN not allowed in halfvec")));
	if (HalfIsInf(value))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("infinite value not allowed in halfvec")));
}

void
HalfvecCheckSameDims(const HalfVector *a, const HalfVector *b)
{
	if (a->dim != b->dim)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("different halfvec dimensions %d and %d", a->dim, b->dim)));
}
