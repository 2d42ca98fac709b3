/*
 * src/vector/halfvec_compare.c
 *	  Comparison operators and the btree support function for halfvec.
 *	  Order as pgvector (and PostgreSQL arrays): element by element, then
 *	  the shorter vector first.
 */
#include "postgres.h"

#include "vector/halfvec.h"

static int	Compare(HalfVector *a, HalfVector *b);

static int
Compare(HalfVector *a, HalfVector *b)
{
	int			dim = Min(a->dim, b->dim);

	for (int i = 0; i < dim; i++)
	{
		float		ax = HalfToFloat4(a->x[i]);
		float		bx = HalfToFloat4(b->x[i]);

		if (ax < bx)
			return -1;
		if (ax > bx)
			return 1;
	}
	if (a->dim < b->dim)
		return -1;
	if (a->dim > b->dim)
		return 1;
	return 0;
}

#define HALFVEC_COMPARISON(name, test) \
PG_FUNCTION_INFO_V1(name); \
Datum \
name(PG_FUNCTION_ARGS) \
{ \
	HalfVector *a = PG_GETARG_HALFVEC_P(0); \
	HalfVector *b = PG_GETARG_HALFVEC_P(1); \
	int			cmp = Compare(a, b); \
\
	PG_FREE_IF_COPY(a, 0); \
	PG_FREE_IF_COPY(b, 1); \
	PG_RETURN_BOOL(test); \
}

HALFVEC_COMPARISON(halfvec_lt, cmp < 0)
HALFVEC_COMPARISON(halfvec_le, cmp <= 0)
HALFVEC_COMPARISON(halfvec_eq, cmp == 0)
HALFVEC_COMPARISON(halfvec_ne, cmp != 0)
HALFVEC_COMPARISON(halfvec_ge, cmp >= 0)
HALFVEC_COMPARISON(halfvec_gt, cmp > 0)

PG_FUNCTION_INFO_V1(halfvec_cmp);
Datum
halfvec_cmp(PG_FUNCTION_ARGS)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);
	HalfVector *b = PG_GETARG_HALFVEC_P(1);
	int			cmp = Compare(a, b);

	PG_FREE_IF_COPY(a, 0);
	PG_FREE_IF_COPY(b, 1);
	PG_RETURN_INT32(cmp);
}
