/*
 * src/vector/vector_compare.c
 *	  Total order on vectors for the btree opclass vector_ops and the
 *	  < <= = <> >= > operators: element by element, then the shorter vector
 *	  first (the order PostgreSQL gives arrays), exactly as pgvector orders
 *	  them, so ORDER BY, DISTINCT, UNIQUE and merge joins agree with it.
 */
#include "postgres.h"

#include "vector/vector.h"

/*
 * -1, 0 or 1 as a sorts before, with or after b.  Elements are never NaN,
 * so float comparison is a total order here; -0 and +0 compare equal.
 */
int
VecCompare(const Vector *a, const Vector *b)
{
	int			dim = Min(a->dim, b->dim);

	for (int i = 0; i < dim; i++)
	{
		if (a->x[i] < b->x[i])
			return -1;
		if (a->x[i] > b->x[i])
			return 1;
	}
	if (a->dim != b->dim)
		return a->dim < b->dim ? -1 : 1;
	return 0;
}

/* detoast both arguments, compare, free detoasted copies */
#define COMPARE_ARGS(fcinfo, cmp) \
	do { \
		Vector	   *a_ = PG_GETARG_VECTOR_P(0); \
		Vector	   *b_ = PG_GETARG_VECTOR_P(1); \
		(cmp) = VecCompare(a_, b_); \
		PG_FREE_IF_COPY(a_, 0); \
		PG_FREE_IF_COPY(b_, 1); \
	} while (0)

PG_FUNCTION_INFO_V1(vector_cmp);
Datum
vector_cmp(PG_FUNCTION_ARGS)
{
	int			cmp;

	COMPARE_ARGS(fcinfo, cmp);
	PG_RETURN_INT32(cmp);
}

PG_FUNCTION_INFO_V1(vector_lt);
Datum
vector_lt(PG_FUNCTION_ARGS)
{
	int			cmp;

	COMPARE_ARGS(fcinfo, cmp);
	PG_RETURN_BOOL(cmp < 0);
}

PG_FUNCTION_INFO_V1(vector_le);
Datum
vector_le(PG_FUNCTION_ARGS)
{
	int			cmp;

	COMPARE_ARGS(fcinfo, cmp);
	PG_RETURN_BOOL(cmp <= 0);
}

PG_FUNCTION_INFO_V1(vector_eq);
Datum
vector_eq(PG_FUNCTION_ARGS)
{
	int			cmp;

	COMPARE_ARGS(fcinfo, cmp);
	PG_RETURN_BOOL(cmp == 0);
}

PG_FUNCTION_INFO_V1(vector_ne);
Datum
vector_ne(PG_FUNCTION_ARGS)
{
	int			cmp;

	COMPARE_ARGS(fcinfo, cmp);
	PG_RETURN_BOOL(cmp != 0);
}

PG_FUNCTION_INFO_V1(vector_ge);
Datum
vector_ge(PG_FUNCTION_ARGS)
{
	int			cmp;

	COMPARE_ARGS(fcinfo, cmp);
	PG_RETURN_BOOL(cmp >= 0);
}

PG_FUNCTION_INFO_V1(vector_gt);
Datum
vector_gt(PG_FUNCTION_ARGS)
{
	int			cmp;

	COMPARE_ARGS(fcinfo, cmp);
	PG_RETURN_BOOL(cmp > 0);
}
