/*
 * src/vector/sparsevec_compare.c
 *	  Comparison operators and the btree support function for sparsevec.
 *	  Sparse vectors order as their dense forms do (element by element, then
 *	  the one with fewer dimensions first), like pgvector's.
 */
#include "postgres.h"

#include <limits.h>

#include "vector/sparsevec.h"

static int	Compare(const SparseVector *a, const SparseVector *b);

/*
 * Walk both index lists in step; positions missing from one side are zero
 * there, and positions missing from both are equal and skipped.
 */
static int
Compare(const SparseVector *a, const SparseVector *b)
{
	const float *ax = SPARSEVEC_VALUES(a);
	const float *bx = SPARSEVEC_VALUES(b);
	int32		mindim = Min(a->dim, b->dim);
	int			i = 0;
	int			j = 0;

	for (;;)
	{
		int32		ai = i < a->nnz ? a->indices[i] : INT_MAX;
		int32		bj = j < b->nnz ? b->indices[j] : INT_MAX;
		int32		k = Min(ai, bj);
		float		av = 0.0f;
		float		bv = 0.0f;

		if (k >= mindim)
			break;
		if (ai == k)
			av = ax[i++];
		if (bj == k)
			bv = bx[j++];
		if (av < bv)
			return -1;
		if (av > bv)
			return 1;
	}
	if (a->dim < b->dim)
		return -1;
	if (a->dim > b->dim)
		return 1;
	return 0;
}

#define SPARSEVEC_COMPARISON(name, test) \
PG_FUNCTION_INFO_V1(name); \
Datum \
name(PG_FUNCTION_ARGS) \
{ \
	SparseVector *a = PG_GETARG_SPARSEVEC_P(0); \
	SparseVector *b = PG_GETARG_SPARSEVEC_P(1); \
	int			cmp = Compare(a, b); \
\
	PG_FREE_IF_COPY(a, 0); \
	PG_FREE_IF_COPY(b, 1); \
	PG_RETURN_BOOL(test); \
}

SPARSEVEC_COMPARISON(sparsevec_lt, cmp < 0)
SPARSEVEC_COMPARISON(sparsevec_le, cmp <= 0)
SPARSEVEC_COMPARISON(sparsevec_eq, cmp == 0)
SPARSEVEC_COMPARISON(sparsevec_ne, cmp != 0)
SPARSEVEC_COMPARISON(sparsevec_ge, cmp >= 0)
SPARSEVEC_COMPARISON(sparsevec_gt, cmp > 0)

PG_FUNCTION_INFO_V1(sparsevec_cmp);
Datum
sparsevec_cmp(PG_FUNCTION_ARGS)
{
	SparseVector *a = PG_GETARG_SPARSEVEC_P(0);
	SparseVector *b = PG_GETARG_SPARSEVEC_P(1);
	int			cmp = Compare(a, b);

	PG_FREE_IF_COPY(a, 0);
	PG_FREE_IF_COPY(b, 1);
	PG_RETURN_INT32(cmp);
}
