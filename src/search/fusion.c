/*
 * src/search/fusion.c
 *	  Rank fusion of ranked id lists: reciprocal rank fusion and weighted
 *	  fusion of normalised scores (min-max, z-score, distance-to-similarity),
 *	  shared by vecrag.rrf, vecrag.weighted_fusion and vecrag.hybrid_search.
 *
 *	  rrf:      score(d) = sum over lists l containing d of w_l / (k + rank_l(d))
 *	  weighted: score(d) = sum over lists l containing d of w_l * norm_l(s_l(d))
 *		minmax    (s - min) / (max - min), 1 when all scores are equal
 *		zscore    (s - mean) / stddev (population), 0 when all are equal
 *		distance  1 / (1 + d) for a distance d >= 0 (smaller is better)
 *		none      s as given
 *	  A document absent from a list gets nothing from it.  Within a list only
 *	  the first occurrence of an id counts.  Ties: smaller id first.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "search/search.h"

#define FUSION_MAX_LISTS 4

/*
 * Which result row holds an id: an open-addressing table of result
 * positions + 1 (0: empty slot), at most half full, probed linearly from a
 * mixed hash of the id.  A dynahash table cost more to create and destroy
 * (a memory context of its own) than fusing two top-10 lists.
 */
typedef struct FusedIndex
{
	int		   *slots;
	uint64		mask;
} FusedIndex;

static int	CompareFused(const void *a, const void *b);

/* splitmix64's finaliser: every bit of the id reaches the low bits */
static inline uint64
MixId(int64 id)
{
	uint64		x = (uint64) id;

	x = (x ^ (x >> 30)) * UINT64CONST(0xbf58476d1ce4e5b9);
	x = (x ^ (x >> 27)) * UINT64CONST(0x94d049bb133111eb);
	return x ^ (x >> 31);
}

/*
 * The result row of id, or a new one at result[*n] (with ranks 0 and values
 * NaN) when id is not there yet.
 */
static SearchFused *
FusedRow(FusedIndex *index, SearchFused *result, int *n, int64 id)
{
	uint64		slot = MixId(id) & index->mask;

	while (index->slots[slot] != 0)
	{
		SearchFused *row = &result[index->slots[slot] - 1];

		if (row->id == id)
			return row;
		slot = (slot + 1) & index->mask;
	}
	index->slots[slot] = ++(*n);
	result[*n - 1].id = id;
	return &result[*n - 1];
}

static void Normalize(SearchList *list, SearchNormalization norm, double *out);

static int
CompareFused(const void *a, const void *b)
{
	const SearchFused *x = (const SearchFused *) a;
	const SearchFused *y = (const SearchFused *) b;

	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

/* normalised scores of one list into out[0 .. list->n - 1] */
static void
Normalize(SearchList *list, SearchNormalization norm, double *out)
{
	double		min = INFINITY,
				max = -INFINITY,
				sum = 0,
				sumsq = 0,
				scale = 1.0;

	for (int i = 0; i < list->n; i++)
	{
		double		s = list->scores[i];

		if (isinf(s))
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("scores to fuse must be finite")));
		min = Min(min, s);
		max = Max(max, s);
	}

	/*
	 * minmax and zscore do not change when every score is divided by the
	 * same positive number: dividing by the largest magnitude keeps max -
	 * min, sums and squares finite for scores near DBL_MAX.
	 */
	if (norm == SEARCH_NORM_MINMAX || norm == SEARCH_NORM_ZSCORE)
		scale = Max(fabs(min), fabs(max));
	if (scale == 0)
		scale = 1.0;
	min /= scale;
	max /= scale;
	for (int i = 0; i < list->n; i++)
		sum += list->scores[i] / scale;
	for (int i = 0; i < list->n; i++)
	{
		double		s = list->scores[i] / scale;

		switch (norm)
		{
			case SEARCH_NORM_NONE:
				out[i] = s;
				break;
			case SEARCH_NORM_MINMAX:
				out[i] = max > min ? (s - min) / (max - min) : 1.0;
				break;
			case SEARCH_NORM_ZSCORE:
				{
					double		mean = sum / list->n;
					double		sd;

					if (i == 0)
					{
						sumsq = 0;
						for (int j = 0; j < list->n; j++)
							sumsq += (list->scores[j] / scale - mean) * (list->scores[j] / scale - mean);
					}
					sd = sqrt(sumsq / list->n);
					out[i] = sd > 0 ? (s - mean) / sd : 0.0;
				}
				break;
			case SEARCH_NORM_DISTANCE:
				if (s < 0)
					ereport(ERROR,
							(errcode(ERRCODE_DATA_EXCEPTION),
							 errmsg("distance normalization needs distances of zero or more, not %g", s),
							 errhint("Use 'minmax' or 'zscore' for scores that can be negative, such as <#>.")));
				out[i] = 1.0 / (1.0 + s);
				break;
		}
	}
}

/*
 * Fuse nlists ranked lists.  rrf selects reciprocal rank fusion with
 * constant rrf_k, otherwise weighted fusion with norms[l] per list (every
 * list then needs scores).  Returns the fused rows best first, palloc'd;
 * each row's ranks[l] is its 1-based rank in list l (0 if absent) and
 * values[l] its normalised score in list l (NaN if absent; for rrf, the
 * list's own score when it has scores).
 */
SearchFused *
SearchFuse(SearchList *lists, int nlists, bool rrf, int rrf_k,
		   SearchNormalization *norms, int *nresult)
{
	FusedIndex	seen;
	uint64		cap = 16;
	int			total = 0;
	int			n = 0;
	SearchFused *result;
	int		   *ranks;
	double	   *values;

	for (int l = 0; l < nlists; l++)
	{
		total += lists[l].n;
		if (!rrf && lists[l].scores == NULL)
			elog(ERROR, "weighted fusion needs scores");
		if (isnan(lists[l].weight) || isinf(lists[l].weight))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("weights must be finite numbers")));
	}
	if (rrf && rrf_k < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("k must not be negative")));

	while (cap < 2 * (uint64) total)
		cap *= 2;
	seen.slots = palloc0(sizeof(int) * cap);
	seen.mask = cap - 1;
	result = palloc(sizeof(SearchFused) * Max(total, 1));
	ranks = palloc0(sizeof(int) * nlists * Max(total, 1));
	values = palloc(sizeof(double) * nlists * Max(total, 1));
	for (int i = 0; i < nlists * total; i++)
		values[i] = NAN;

	for (int l = 0; l < nlists; l++)
	{
		SearchList *list = &lists[l];
		double	   *norm = NULL;

		if (list->scores != NULL)
		{
			norm = palloc(sizeof(double) * Max(list->n, 1));
			if (rrf)
				memcpy(norm, list->scores, sizeof(double) * list->n);
			else
				Normalize(list, norms[l], norm);
		}
		for (int i = 0; i < list->n; i++)
		{
			int			had = n;
			SearchFused *row = FusedRow(&seen, result, &n, list->ids[i]);

			if (n != had)
			{
				row->score = 0;
				row->ranks = &ranks[nlists * had];
				row->values = &values[nlists * had];
			}
			if (row->ranks[l] != 0)
				continue;		/* repeated id: its first rank counts */
			row->ranks[l] = i + 1;
			if (norm != NULL)
				row->values[l] = norm[i];
			if (rrf)
				row->score += list->weight / ((double) rrf_k + i + 1);
			else
				row->score += list->weight * norm[i];
		}
	}
	pfree(seen.slots);

	/*
	 * Finite inputs can still sum past DBL_MAX (normalization 'none' with
	 * scores near it, or large weights): Infinity would tie and NaN would
	 * not sort, so the ranking would be wrong.  Refuse instead.
	 */
	for (int i = 0; i < n; i++)
		if (!isfinite(result[i].score))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("fused score of id " INT64_FORMAT " is out of range", result[i].id),
					 errdetail("The weighted sum of its scores exceeds the range of double precision."),
					 errhint("Use normalization 'minmax' or 'zscore', or smaller weights.")));
	if (n > 32)
		qsort(result, n, sizeof(SearchFused), CompareFused);
	else
	{
		/* a few rows (two top-10 lists): an insertion sort costs less than qsort */
		for (int i = 1; i < n; i++)
		{
			SearchFused row = result[i];
			int			j = i;

			for (; j > 0 && CompareFused(&result[j - 1], &row) > 0; j--)
				result[j] = result[j - 1];
			result[j] = row;
		}
	}
	*nresult = n;
	return result;
}

/* read up to FUSION_MAX_LISTS (ids[, scores]) argument groups */
static int
ReadLists(FunctionCallInfo fcinfo, int first, int stride, int maxlists, bool scores,
		  int weightsarg, SearchList *lists)
{
	int			nlists = 0;
	static const char *const idnames[] = {"list1", "list2", "list3", "list4"};
	static const char *const scorenames[] = {"scores1", "scores2", "scores3", "scores4"};

	for (int l = 0; l < maxlists; l++)
	{
		int			arg = first + l * stride;
		SearchList *list = &lists[nlists];

		if (PG_ARGISNULL(arg) || (scores && PG_ARGISNULL(arg + 1)))
		{
			if (l < 2)
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("%s must not be NULL", PG_ARGISNULL(arg) ? idnames[l] : scorenames[l]),
						 errhint("Pass an empty array for a retriever that found nothing.")));
			if (PG_ARGISNULL(arg) != PG_ARGISNULL(arg + (scores ? 1 : 0)))
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("%s and %s must both be given or both be NULL",
								idnames[l], scorenames[l])));
			continue;
		}
		list->ids = SearchInt8Array(PG_GETARG_ARRAYTYPE_P(arg), idnames[l], &list->n);
		list->scores = NULL;
		if (scores)
		{
			int			ns;

			list->scores = SearchFloat8Array(PG_GETARG_ARRAYTYPE_P(arg + 1), scorenames[l], &ns);
			if (ns != list->n)
				ereport(ERROR,
						(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
						 errmsg("%s has %d elements but %s has %d", idnames[l], list->n,
								scorenames[l], ns)));
		}
		list->weight = 1.0;
		nlists++;
	}
	if (!PG_ARGISNULL(weightsarg))
	{
		int			nw;
		double	   *w = SearchFloat8Array(PG_GETARG_ARRAYTYPE_P(weightsarg), "weights", &nw);

		if (nw != nlists)
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("%d weights given for %d lists", nw, nlists)));
		for (int l = 0; l < nlists; l++)
			lists[l].weight = w[l];
	}
	return nlists;
}

static void
ReturnFused(FunctionCallInfo fcinfo, SearchFused *rows, int n, int nlists, int limitarg)
{
	TupleDesc	tupdesc;
	Tuplestorestate *store;

	if (!PG_ARGISNULL(limitarg))
	{
		int			limit = PG_GETARG_INT32(limitarg);

		SearchCheckK(limit, "top_k");
		n = Min(n, limit);
	}
	store = SearchBeginResult(fcinfo, &tupdesc);
	for (int i = 0; i < n; i++)
	{
		Datum		values[5];
		bool		nulls[5] = {false, false, false, false, false};
		Datum	   *ranks = palloc(sizeof(Datum) * nlists);
		Datum	   *norms = palloc(sizeof(Datum) * nlists);
		bool	   *ranknulls = palloc(sizeof(bool) * nlists);
		bool	   *normnulls = palloc(sizeof(bool) * nlists);
		int			dims[1] = {nlists};
		int			lbs[1] = {1};

		for (int l = 0; l < nlists; l++)
		{
			ranks[l] = Int32GetDatum(rows[i].ranks[l]);
			ranknulls[l] = rows[i].ranks[l] == 0;
			norms[l] = Float8GetDatum(rows[i].values[l]);
			normnulls[l] = isnan(rows[i].values[l]);
		}
		values[0] = Int64GetDatum(rows[i].id);
		values[1] = Float8GetDatum(rows[i].score);
		values[2] = Int32GetDatum(i + 1);
		values[3] = PointerGetDatum(construct_md_array(ranks, ranknulls, 1, dims, lbs, INT4OID,
													   4, true, TYPALIGN_INT));
		values[4] = PointerGetDatum(construct_md_array(norms, normnulls, 1, dims, lbs, FLOAT8OID,
													   8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
		tuplestore_putvalues(store, tupdesc, values, nulls);
	}
}

/*
 * vecrag.rrf(list1 bigint[], list2 bigint[], list3 bigint[], list4 bigint[],
 *			  k int, weights float8[], top_k int)
 *	 returns table (id bigint, score float8, rank int, ranks int[])
 */
PG_FUNCTION_INFO_V1(vecrag_rrf);
Datum
vecrag_rrf(PG_FUNCTION_ARGS)
{
	SearchList	lists[FUSION_MAX_LISTS];
	int			nlists = ReadLists(fcinfo, 0, 1, FUSION_MAX_LISTS, false, 5, lists);
	SearchFused *rows;
	int			n;

	if (PG_ARGISNULL(4))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("k must not be NULL")));
	rows = SearchFuse(lists, nlists, true, PG_GETARG_INT32(4), NULL, &n);
	ReturnFused(fcinfo, rows, n, nlists, 6);
	return (Datum) 0;
}

/*
 * vecrag.weighted_fusion(list1 bigint[], scores1 float8[], list2, scores2,
 *						  list3, scores3, list4, scores4, weights float8[],
 *						  normalization text[], top_k int)
 *	 returns table (id bigint, score float8, rank int, ranks int[],
 *					normalized float8[])
 */
PG_FUNCTION_INFO_V1(vecrag_weighted_fusion);
Datum
vecrag_weighted_fusion(PG_FUNCTION_ARGS)
{
	SearchList	lists[FUSION_MAX_LISTS];
	SearchNormalization norms[FUSION_MAX_LISTS];
	int			nlists = ReadLists(fcinfo, 0, 2, FUSION_MAX_LISTS, true, 8, lists);
	Datum	   *elems;
	bool	   *nulls;
	int			nnorm;
	SearchFused *rows;
	int			n;

	if (PG_ARGISNULL(9))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("normalization must not be NULL")));
	deconstruct_array(PG_GETARG_ARRAYTYPE_P(9), TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &nulls, &nnorm);
	if (nnorm != 1 && nnorm != nlists)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%d normalizations given for %d lists", nnorm, nlists),
				 errhint("Give one normalization for all lists or one per list.")));
	for (int l = 0; l < nlists; l++)
	{
		int			j = nnorm == 1 ? 0 : l;

		if (nulls[j])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("normalization must not contain NULLs")));
		norms[l] = SearchParseNormalization(TextDatumGetCString(elems[j]));
	}
	rows = SearchFuse(lists, nlists, false, 0, norms, &n);
	ReturnFused(fcinfo, rows, n, nlists, 10);
	return (Datum) 0;
}
