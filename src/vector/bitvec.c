/*
 * src/vector/bitvec.c
 *	  Bit vectors for binary quantization, on PostgreSQL's own bit type:
 *	  binary_quantize(halfvec) (bit i is set when element i is positive,
 *	  first element in the most significant bit, as pgvector and as
 *	  binary_quantize(vector) in vector_arith.c), and the Hamming and Jaccard
 *	  distances behind <~> and <%>.
 *	  Counting uses 64-bit popcounts with a byte-table tail.
 */
#include "postgres.h"

#include "port/pg_bitutils.h"
#include "utils/varbit.h"

#include "vector/bitvec.h"
#include "vector/halfvec.h"

static VarBit *InitBitVector(int bits);
static void CheckSameLength(VarBit *a, VarBit *b);

static VarBit *
InitBitVector(int bits)
{
	Size		size = VARBITTOTALLEN(bits);
	VarBit	   *result = (VarBit *) palloc0(size);

	SET_VARSIZE(result, size);
	VARBITLEN(result) = bits;
	return result;
}

static void
CheckSameLength(VarBit *a, VarBit *b)
{
	if (VARBITLEN(a) != VARBITLEN(b))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("different bit lengths %u and %u", VARBITLEN(a), VARBITLEN(b))));
}

PG_FUNCTION_INFO_V1(halfvec_binary_quantize);
Datum
halfvec_binary_quantize(PG_FUNCTION_ARGS)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);
	VarBit	   *result = InitBitVector(a->dim);
	bits8	   *rx = VARBITS(result);

	/* positive: sign bit clear and not zero (NaN cannot be stored) */
	for (int i = 0; i < a->dim; i++)
		rx[i / 8] |= ((a->x[i] & 0x8000) == 0 && !HalfIsZero(a->x[i])) << (7 - (i % 8));
	PG_RETURN_VARBIT_P(result);
}

/* Bits set in a XOR b over nbytes bytes, 8 bytes at a time then a byte-table tail. */
uint64
BitHammingBytes(const uint8 *a, const uint8 *b, int nbytes)
{
	uint64		distance = 0;
	int			i = 0;

	for (; i + 8 <= nbytes; i += 8)
	{
		uint64		x;
		uint64		y;

		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		distance += pg_popcount64(x ^ y);
	}
	for (; i < nbytes; i++)
		distance += pg_number_of_ones[a[i] ^ b[i]];
	return distance;
}

/* Bits set in a XOR b. */
uint64
BitHammingDistance(const VarBit *a, const VarBit *b)
{
	return BitHammingBytes(VARBITS(a), VARBITS(b), VARBITBYTES(a));
}

/*
 * 1 - |a AND b| / |a OR b|; 1 when the vectors share no set bit (also when
 * both are all zeros), as pgvector.
 */
double
BitJaccardDistance(const VarBit *a, const VarBit *b)
{
	const bits8 *ax = VARBITS(a);
	const bits8 *bx = VARBITS(b);
	int			bytes = VARBITBYTES(a);
	uint64		both = 0;
	uint64		either = 0;
	int			i = 0;

	for (; i + 8 <= bytes; i += 8)
	{
		uint64		x;
		uint64		y;

		memcpy(&x, ax + i, 8);
		memcpy(&y, bx + i, 8);
		both += pg_popcount64(x & y);
		either += pg_popcount64(x | y);
	}
	for (; i < bytes; i++)
	{
		both += pg_number_of_ones[ax[i] & bx[i]];
		either += pg_number_of_ones[ax[i] | bx[i]];
	}
	if (both == 0)
		return 1.0;
	return 1.0 - (double) both / (double) either;
}

PG_FUNCTION_INFO_V1(hamming_distance);
Datum
hamming_distance(PG_FUNCTION_ARGS)
{
	VarBit	   *a = PG_GETARG_VARBIT_P(0);
	VarBit	   *b = PG_GETARG_VARBIT_P(1);

	CheckSameLength(a, b);
	PG_RETURN_FLOAT8((double) BitHammingDistance(a, b));
}

PG_FUNCTION_INFO_V1(jaccard_distance);
Datum
jaccard_distance(PG_FUNCTION_ARGS)
{
	VarBit	   *a = PG_GETARG_VARBIT_P(0);
	VarBit	   *b = PG_GETARG_VARBIT_P(1);

	CheckSameLength(a, b);
	PG_RETURN_FLOAT8(BitJaccardDistance(a, b));
}
