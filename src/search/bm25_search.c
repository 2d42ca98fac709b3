/*
 * src/search/bm25_search.c
 *	  BM25 top-k retrieval and single-document scoring over a BM25 index's
 *	  postings: term-at-a-time with MaxScore-style pruning (design in
 *	  search.h).  Postings are read by index-only scans of the covering
 *	  btree (term, id) INCLUDE (tf, doclen) under the caller's snapshot,
 *	  falling back to the heap for pages not all-visible.
 *
 *	  score(d, q) = sum over query terms t (each occurrence counted) of
 *		idf(t) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl))
 *	  idf(t) = ln(1 + (N - df + 0.5) / (df + 0.5))
 */
#include "postgres.h"

#include <math.h>

#include "access/genam.h"
#include "access/relscan.h"
#include "access/skey.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/visibilitymap.h"
#include "access/xact.h"
#include "catalog/pg_collation.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "storage/predicate.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "search/search.h"

/* probe (term, id) per candidate when candidates * this < df */
#define BM25_PROBE_FACTOR	8
/* bytes per candidate (two merge arrays and a scratch score), for the work_mem cap */
#define BM25_ACC_BYTES		40

typedef struct QueryTerm
{
	SearchTerm	term;
	int64		df;
	double		weight;			/* query tf * idf */
	double		bound;			/* weight * (k1 + 1): no posting scores more */
} QueryTerm;

typedef struct Accumulator
{
	int64		id;
	double		score;
} Accumulator;

/* a scan over postings, index-only where the visibility map allows */
typedef struct PostingScan
{
	Relation	heap;
	Relation	index;
	IndexScanDesc scan;
	TupleTableSlot *slot;
	Buffer		vmbuffer;
	int			nkeys;
	ScanKeyData keys[2];
} PostingScan;

typedef struct Bm25Query
{
	Bm25Index	index;
	Snapshot	snapshot;
	Relation	postings;
	Relation	postings_index;
	int64		ndocs;
	double		avgdl;
	double		k1;
	double		b;
	int			nterms;
	QueryTerm  *terms;
} Bm25Query;

static void Bm25Begin(Bm25Query *q, Oid meta, text *query, double k1, double b);
static void Bm25End(Bm25Query *q);
static void PostingBegin(PostingScan *ps, Bm25Query *q, int nkeys);
static void PostingRescan(PostingScan *ps, text *term, int64 id);
static bool PostingNext(PostingScan *ps, int64 *id, int32 *tf, int32 *doclen);
static void PostingEnd(PostingScan *ps);
static double KthScore(const Accumulator *acc, int n, int k, double *scratch);
static int	CompareQueryTerms(const void *a, const void *b);
static int	CompareHits(const void *a, const void *b);

static void
CheckParameters(double k1, double b)
{
	if (!(k1 >= 0) || isinf(k1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("k1 must be a finite number not less than zero")));
	if (!(b >= 0 && b <= 1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("b must be between 0 and 1")));
}

/* one term's contribution for a posting */
static inline double
TermScore(const Bm25Query *q, const QueryTerm *t, int32 tf, int32 doclen)
{
	double		norm = q->k1 * (1.0 - q->b + q->b * (double) doclen / q->avgdl);

	return t->weight * (double) tf * (q->k1 + 1.0) / ((double) tf + norm);
}

/*
 * Open the index, read the corpus statistics and the query terms' document
 * frequencies.  Terms absent from the corpus are dropped; the rest are
 * sorted by decreasing upper bound.
 */
static void
Bm25Begin(Bm25Query *q, Oid meta, text *query, double k1, double b)
{
	Relation	terms;
	Relation	terms_index;
	SearchTerm *qterms;
	int			nqterms;
	int64		qlen;
	int			n = 0;

	CheckParameters(k1, b);
	if (VARSIZE_ANY_EXHDR(query) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("query text must not be empty")));
	Bm25OpenIndex(meta, &q->index);
	q->snapshot = GetActiveSnapshot();
	q->k1 = k1;
	q->b = b;

	qterms = SearchDocumentTerms(query, q->index.config, &nqterms, &qlen);
	if (nqterms == 0)
	{
		/* quote at most the first 100 bytes of the query, not all of it */
		const char *qtext = VARDATA_ANY(query);
		int			qbytes = VARSIZE_ANY_EXHDR(query);
		int			shown = pg_mbcliplen(qtext, qbytes, 100);

		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("query has no searchable terms"),
				 errdetail("The tokenizer found no terms in \"%.*s%s\"; terms longer than %d bytes are ignored.",
						   shown, qtext, shown < qbytes ? "..." : "",
						   VECRAG_BM25_MAX_TERM_LEN)));
	}

	Bm25CorpusStats(&q->index, q->snapshot, &q->ndocs, &q->avgdl);
	q->terms = palloc(sizeof(QueryTerm) * nqterms);
	terms = table_open(q->index.terms, AccessShareLock);
	terms_index = index_open(q->index.terms_index, AccessShareLock);
	for (int i = 0; i < nqterms && q->ndocs > 0; i++)
	{
		int64		df = Bm25DocumentFrequency(terms, terms_index, q->snapshot,
											   qterms[i].term, qterms[i].len);
		double		idf;

		if (df <= 0)
			continue;
		idf = log(1.0 + ((double) q->ndocs - (double) df + 0.5) / ((double) df + 0.5));
		q->terms[n].term = qterms[i];
		q->terms[n].df = df;
		q->terms[n].weight = qterms[i].tf * idf;
		q->terms[n].bound = q->terms[n].weight * (k1 + 1.0);
		n++;
	}
	q->nterms = n;
	qsort(q->terms, n, sizeof(QueryTerm), CompareQueryTerms);

	q->postings = table_open(q->index.postings, AccessShareLock);
	q->postings_index = index_open(q->index.postings_index, AccessShareLock);

	/*
	 * Serializable transactions: the reads above bypass the executor, so
	 * take relation-level SIREAD locks on what they depend on.
	 */
	if (IsolationIsSerializable())
	{
		Relation	stats = table_open(q->index.stats, AccessShareLock);

		PredicateLockRelation(q->postings, q->snapshot);
		PredicateLockRelation(terms, q->snapshot);
		PredicateLockRelation(stats, q->snapshot);
		table_close(stats, AccessShareLock);
	}
	index_close(terms_index, AccessShareLock);
	table_close(terms, AccessShareLock);
	/* every document has length 0: scores are idf * (k1 + 1) * tf / (tf + k1 * (1 - b)) */
	if (q->avgdl <= 0)
		q->avgdl = 1.0;
}

static void
Bm25End(Bm25Query *q)
{
	index_close(q->postings_index, AccessShareLock);
	table_close(q->postings, AccessShareLock);
}

static int
CompareQueryTerms(const void *a, const void *b)
{
	const QueryTerm *x = (const QueryTerm *) a;
	const QueryTerm *y = (const QueryTerm *) b;

	if (x->bound != y->bound)
		return x->bound > y->bound ? -1 : 1;
	return SearchTermCompare(&x->term, &y->term);
}

/* best score first, then smaller id */
static int
CompareHits(const void *a, const void *b)
{
	const SearchHit *x = (const SearchHit *) a;
	const SearchHit *y = (const SearchHit *) b;

	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

static void
PostingBegin(PostingScan *ps, Bm25Query *q, int nkeys)
{
	ps->heap = q->postings;
	ps->index = q->postings_index;
	ps->nkeys = nkeys;
	ps->vmbuffer = InvalidBuffer;
	ps->slot = table_slot_create(ps->heap, NULL);
	ps->scan = index_beginscan(ps->heap, ps->index, q->snapshot, nkeys, 0);
	ps->scan->xs_want_itup = true;
}

/* position on the postings of term (and, for a probe, of one id) */
static void
PostingRescan(PostingScan *ps, text *term, int64 id)
{
	ScanKeyEntryInitialize(&ps->keys[0], 0, 1, BTEqualStrategyNumber, InvalidOid,
						   C_COLLATION_OID, F_TEXTEQ, PointerGetDatum(term));
	if (ps->nkeys > 1)
		ScanKeyEntryInitialize(&ps->keys[1], 0, 2, BTEqualStrategyNumber, InvalidOid,
							   InvalidOid, F_INT8EQ, Int64GetDatum(id));
	index_rescan(ps->scan, ps->keys, ps->nkeys, NULL, 0);
}

/*
 * Next visible posting.  Like an index-only scan: the values come from the
 * index tuple; the heap is visited only to check visibility on pages the
 * visibility map does not mark all-visible.
 */
static bool
PostingNext(PostingScan *ps, int64 *id, int32 *tf, int32 *doclen)
{
	ItemPointer tid;

	while ((tid = index_getnext_tid(ps->scan, ForwardScanDirection)) != NULL)
	{
		Datum		values[INDEX_MAX_KEYS];
		bool		isnull[INDEX_MAX_KEYS];

		CHECK_FOR_INTERRUPTS();
		if (!VM_ALL_VISIBLE(ps->heap, ItemPointerGetBlockNumber(tid), &ps->vmbuffer))
		{
			if (!index_fetch_heap(ps->scan, ps->slot))
				continue;
			ExecClearTuple(ps->slot);
		}
		if (ps->scan->xs_itup == NULL)
			elog(ERROR, "BM25 postings index did not return index tuples");
		index_deform_tuple(ps->scan->xs_itup, ps->scan->xs_itupdesc, values, isnull);
		*id = DatumGetInt64(values[1]);
		*tf = DatumGetInt32(values[2]);
		*doclen = DatumGetInt32(values[3]);
		return true;
	}
	return false;
}

static void
PostingEnd(PostingScan *ps)
{
	index_endscan(ps->scan);
	if (BufferIsValid(ps->vmbuffer))
		ReleaseBuffer(ps->vmbuffer);
	ExecDropSingleTupleTableSlot(ps->slot);
}

/*
 * The k-th largest of n scores (n >= k), by quickselect on a scratch copy:
 * a lower bound on the final k-th score, since scores only grow.
 */
static double
KthScore(const Accumulator *acc, int n, int k, double *scratch)
{
	int			lo = 0;
	int			hi = n - 1;
	int			want = k - 1;	/* index in descending order */

	for (int i = 0; i < n; i++)
		scratch[i] = acc[i].score;
	while (lo < hi)
	{
		double		pivot = scratch[lo + (hi - lo) / 2];
		int			i = lo;
		int			j = hi;

		while (i <= j)
		{
			while (scratch[i] > pivot)
				i++;
			while (scratch[j] < pivot)
				j--;
			if (i <= j)
			{
				double		t = scratch[i];

				scratch[i++] = scratch[j];
				scratch[j--] = t;
			}
		}
		if (want <= j)
			hi = j;
		else if (want >= i)
			lo = i;
		else
			break;
	}
	return scratch[want];
}

/*
 * The k best documents for query, best first (ties: smaller id first).
 * Returns a palloc'd array and its length in *nhits (fewer than k when
 * fewer documents match).
 *
 * Candidates are an array sorted by id; each posting list arrives sorted by
 * id from the (term, id) btree, so adding a term is a merge, and once
 * pruning starts an in-place walk (no hashing).
 */
SearchHit *
Bm25TopK(Oid meta, text *query, int k, double k1, double b, int *nhits)
{
	Bm25Query	q;
	double	   *remaining;
	bool		pruning = false;
	long		maxentries = Max((long) work_mem * 1024L / BM25_ACC_BYTES, 1024L);
	PostingScan list;
	PostingScan probe;
	Accumulator *acc = NULL;
	int			acc_cap = 0;
	int			nacc = 0;
	Accumulator *next = NULL;
	int			next_cap = 0;
	double	   *scratch = NULL;
	int			scratch_cap = 0;
	SearchHit  *hits;

	SearchCheckK(k, "k");
	Bm25Begin(&q, meta, query, k1, b);

	remaining = palloc(sizeof(double) * (q.nterms + 1));
	remaining[q.nterms] = 0;
	for (int i = q.nterms - 1; i >= 0; i--)
		remaining[i] = remaining[i + 1] + q.terms[i].bound;

	PostingBegin(&list, &q, 1);
	PostingBegin(&probe, &q, 2);
	for (int i = 0; i < q.nterms; i++)
	{
		QueryTerm  *t = &q.terms[i];
		text	   *term = cstring_to_text_with_len(t->term.term, t->term.len);
		double		theta = nacc >= k ? KthScore(acc, nacc, k, scratch) : -1.0;
		int64		id;
		int32		tf;
		int32		doclen;

		/*
		 * No unseen document can reach the k-th score: stop adding
		 * documents, and drop candidates that can no longer reach it.
		 */
		if (theta > 0 && remaining[i] < theta * (1.0 - 1e-12))
		{
			int			n = 0;

			pruning = true;
			for (int j = 0; j < nacc; j++)
				if (acc[j].score + remaining[i] >= theta * (1.0 - 1e-12))
					acc[n++] = acc[j];
			nacc = n;
		}

		if (pruning && (int64) nacc * BM25_PROBE_FACTOR < t->df)
		{
			/* probe the surviving candidates in this term's postings */
			for (int j = 0; j < nacc; j++)
			{
				PostingRescan(&probe, term, acc[j].id);
				if (PostingNext(&probe, &id, &tf, &doclen))
					acc[j].score += TermScore(&q, t, tf, doclen);
			}
		}
		else if (pruning)
		{
			/* walk the list alongside the candidates, updating in place */
			int			j = 0;

			PostingRescan(&list, term, 0);
			while (j < nacc && PostingNext(&list, &id, &tf, &doclen))
			{
				while (j < nacc && acc[j].id < id)
					j++;
				if (j < nacc && acc[j].id == id)
					acc[j++].score += TermScore(&q, t, tf, doclen);
			}
		}
		else
		{
			/* merge the list into the candidates */
			int			j = 0;
			int			n = 0;
			int64		need = nacc + t->df;

			if (need > next_cap)
			{
				if (need > maxentries)
					ereport(ERROR,
							(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
							 errmsg("BM25 search needs more than work_mem for its candidates"),
							 errdetail("About " INT64_FORMAT " documents contain the query's most selective terms.",
									   need),
							 errhint("Raise work_mem, or use more selective query terms.")));
				if (next != NULL)
					pfree(next);
				next_cap = (int) need + 64;
				next = palloc(sizeof(Accumulator) * next_cap);
			}
			PostingRescan(&list, term, 0);
			while (PostingNext(&list, &id, &tf, &doclen))
			{
				double		s = TermScore(&q, t, tf, doclen);

				while (j < nacc && acc[j].id < id)
					next[n++] = acc[j++];
				if (n >= next_cap)
					elog(ERROR, "BM25 term \"%s\" has more postings than its document frequency",
						 text_to_cstring(term));
				next[n].id = id;
				if (j < nacc && acc[j].id == id)
					next[n++].score = acc[j++].score + s;
				else
					next[n++].score = s;
			}
			while (j < nacc)
				next[n++] = acc[j++];
			{
				Accumulator *swap = acc;
				int			swapcap = acc_cap;

				acc = next;
				acc_cap = next_cap;
				next = swap;
				next_cap = swapcap;
				nacc = n;
			}
			if (acc_cap > scratch_cap)
			{
				if (scratch != NULL)
					pfree(scratch);
				scratch_cap = acc_cap;
				scratch = palloc(sizeof(double) * scratch_cap);
			}
		}
		pfree(term);
	}
	PostingEnd(&probe);
	PostingEnd(&list);
	Bm25End(&q);

	hits = palloc(sizeof(SearchHit) * Max(nacc, 1));
	for (int j = 0; j < nacc; j++)
	{
		hits[j].id = acc[j].id;
		hits[j].score = acc[j].score;
	}
	qsort(hits, nacc, sizeof(SearchHit), CompareHits);
	*nhits = Min(nacc, k);
	return hits;
}

static void
CheckNotNull(FunctionCallInfo fcinfo, int argno, const char *name)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be NULL", name)));
}

/*
 * vecrag.bm25_search(bm25_index regclass, query text, k int, k1 float8,
 *					  b float8) returns table (id bigint, score float8, rank int)
 */
PG_FUNCTION_INFO_V1(vecrag_bm25_search);
Datum
vecrag_bm25_search(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Tuplestorestate *store;
	SearchHit  *hits;
	int			nhits;

	CheckNotNull(fcinfo, 0, "bm25_index");
	CheckNotNull(fcinfo, 1, "query");
	CheckNotNull(fcinfo, 2, "k");
	CheckNotNull(fcinfo, 3, "k1");
	CheckNotNull(fcinfo, 4, "b");
	hits = Bm25TopK(PG_GETARG_OID(0), PG_GETARG_TEXT_PP(1), PG_GETARG_INT32(2),
					PG_GETARG_FLOAT8(3), PG_GETARG_FLOAT8(4), &nhits);
	store = SearchBeginResult(fcinfo, &tupdesc);
	for (int i = 0; i < nhits; i++)
	{
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		values[0] = Int64GetDatum(hits[i].id);
		values[1] = Float8GetDatum(hits[i].score);
		values[2] = Int32GetDatum(i + 1);
		tuplestore_putvalues(store, tupdesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * vecrag.bm25_score(bm25_index regclass, query text, id bigint, k1, b)
 * returns float8: one document's score (0 when it matches no query term).
 */
PG_FUNCTION_INFO_V1(vecrag_bm25_score);
Datum
vecrag_bm25_score(PG_FUNCTION_ARGS)
{
	Bm25Query	q;
	PostingScan probe;
	int64		docid;
	double		score = 0;

	CheckNotNull(fcinfo, 0, "bm25_index");
	CheckNotNull(fcinfo, 1, "query");
	CheckNotNull(fcinfo, 2, "id");
	CheckNotNull(fcinfo, 3, "k1");
	CheckNotNull(fcinfo, 4, "b");
	docid = PG_GETARG_INT64(2);
	Bm25Begin(&q, PG_GETARG_OID(0), PG_GETARG_TEXT_PP(1), PG_GETARG_FLOAT8(3), PG_GETARG_FLOAT8(4));
	PostingBegin(&probe, &q, 2);
	for (int i = 0; i < q.nterms; i++)
	{
		text	   *term = cstring_to_text_with_len(q.terms[i].term.term, q.terms[i].term.len);
		int64		id;
		int32		tf;
		int32		doclen;

		PostingRescan(&probe, term, docid);
		if (PostingNext(&probe, &id, &tf, &doclen))
			score += TermScore(&q, &q.terms[i], tf, doclen);
	}
	PostingEnd(&probe);
	Bm25End(&q);
	PG_RETURN_FLOAT8(score);
}
