/*
 * src/search/bm25_search.c
 *	  BM25 top-k retrieval and single-document scoring over a BM25 index's
 *	  postings: document-at-a-time with MaxScore pruning (design in
 *	  search.h).  Posting lists come from the session's cache of sorted
 *	  arrays (bm25_cache.c) or are read, and cached when they fit, by
 *	  index-only scans of the covering btree (term, id) INCLUDE (tf, doclen)
 *	  under the caller's snapshot, falling back to the heap for pages not
 *	  all-visible; lists that fit neither the cache nor work_mem are
 *	  streamed from the btree.  Memory is O(k) beyond the cache and work_mem,
 *	  whatever the corpus size.  A search is begun, run and ended in three
 *	  steps (Bm25TopKBegin, Bm25TopKRun, Bm25TopKEnd); when no list streams,
 *	  the run touches nothing of PostgreSQL, so hybrid_search runs it on the
 *	  backend's compute thread (Bm25TopKRunApart) beside its vector query,
 *	  and sums the windows the thread has not reached when that query ends
 *	  first (Bm25TopKSplit).
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
#include "port/atomics.h"
#include "port/pg_bitutils.h"
#include "storage/bufmgr.h"
#include "storage/predicate.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "core/compute_thread.h"
#include "core/sorted_find.h"
#include "search/search.h"

/* pruning margin: a bound below theta * this cannot reach theta despite rounding */
#define BM25_MARGIN			(1.0 - 1e-12)

/* ids per window in which the essential lists are summed list by list */
#define BM25_WINDOW			4096

/* postings merged at most for the initial threshold (SeedThreshold) */
#define BM25_SEED_POSTINGS	1024

/* binary searches at most to complete the seed's sums (SeedThreshold) */
#define BM25_SEED_SEARCHES	256

/*
 * how many terms after the essential ones are added to a window's
 * candidates by a pass over their postings there rather than by a lookup
 * per candidate (see Bm25TopK)
 */
#define BM25_SCANNED_TERMS	2

/* bytes a posting a list's presence bitmap may take (BuildDense) */
#define BM25_DENSE_BYTES	8

/*
 * A window's sums (BM25_WINDOW of them), allocated once per backend and 0
 * between searches: each search leaves them so when it completes, and one
 * ended by an error leaves window_acc_dirty set for the next to clear them.
 */
static double *window_acc = NULL;
static bool window_acc_dirty = false;

/*
 * The window sums of a search run on the compute thread (Bm25TopKRunApart):
 * its own, since a search nested in code the main thread runs meanwhile
 * uses window_acc.  0 between runs (a run stops only between windows).
 */
static double *apart_acc = NULL;

typedef struct QueryTerm
{
	SearchTerm	term;
	int64		df;
	double		weight;			/* query tf * idf */
	double		bound;			/* no posting scores more: weight * (k1 + 1), or weight *
								 * the largest factor of a list in memory */
	Bm25CachedTerm *cached;		/* its postings, when cached */
	Bm25TermVersion version;	/* its delta rows, when read (for the cache) */
} QueryTerm;

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
	bool		use_cache;
	Size		local_bytes;	/* work_mem left for lists read outside the cache */
} Bm25Query;

/*
 * A cursor over one term's postings in id order: a sorted array (cached) or
 * a btree scan (streamed).  When exhausted, done is set and id is
 * PG_INT64_MAX (which is also a valid document id).
 */
typedef struct PostingCursor
{
	QueryTerm  *term;
	const Bm25Query *q;
	bool		done;
	int64		id;
	double		factor;			/* the posting's term-frequency factor */
	/* array */
	const int64 *ids;
	const double *factors;
	const int64 *block_last;
	int64		nblocks;
	int64		n;
	int64		pos;
	int64		dense_base;
	int64		dense_words;
	const uint64 *dense_bits;	/* NULL: none */
	const uint32 *dense_rank;
	/* stream */
	bool		streaming;
	text	   *key;
	PostingScan scan;
} PostingCursor;

static void Bm25Begin(Bm25Query *q, const Bm25Index *index, text *query, double k1, double b);
static void Bm25End(Bm25Query *q);
static void PostingBegin(PostingScan *ps, Bm25Query *q, int nkeys);
static void PostingRescan(PostingScan *ps, text *term, int64 id);
static bool PostingNext(PostingScan *ps, int64 *id, int32 *tf, int32 *doclen);
static void PostingEnd(PostingScan *ps);
static void CursorBegin(PostingCursor *c, Bm25Query *q, QueryTerm *t);
static inline void CursorNext(PostingCursor *c);
static void CursorSeek(PostingCursor *c, int64 target);
static void CursorEnd(PostingCursor *c);
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

/* checks that need no index, made before it is opened */
static void
CheckQuery(text *query, double k1, double b)
{
	CheckParameters(k1, b);
	if (VARSIZE_ANY_EXHDR(query) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("query text must not be empty")));
}

/*
 * A posting's term-frequency factor tf * (k1 + 1) / (tf + k1 * (1 - b + b *
 * dl / avgdl)), at most k1 + 1; its term contributes weight * factor.
 */
static inline double
Factor(const Bm25Query *q, int32 tf, int32 doclen)
{
	double		norm = q->k1 * (1.0 - q->b + q->b * (double) doclen / q->avgdl);

	return (double) tf * (q->k1 + 1.0) / ((double) tf + norm);
}

/* the query has no terms: quote at most its first 100 bytes, not all of it */
static void
NoTermsError(text *query)
{
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

/*
 * The first part of a search: checks, parameters, corpus statistics and
 * whether the postings cache may be used
 */
static void
BeginQuery(Bm25Query *q, const Bm25Index *index, text *query, double k1, double b,
		   Bm25StatsVersion *version)
{
	CheckQuery(query, k1, b);
	q->index = *index;
	q->snapshot = GetActiveSnapshot();
	q->k1 = k1;
	q->b = b;
	Bm25CorpusStats(&q->index, q->snapshot, &q->ndocs, &q->avgdl, version);
	q->use_cache = Bm25CacheBegin(index->meta, version);
	q->local_bytes = (Size) work_mem * 1024;
	/* every document has length 0: scores are idf * (k1 + 1) * tf / (tf + k1 * (1 - b)) */
	if (q->avgdl <= 0)
		q->avgdl = 1.0;
}

/* add query term qt, of document frequency df > 0, as q's next term */
static void
AddTerm(Bm25Query *q, const SearchTerm *qt, int64 df, Bm25CachedTerm *cached,
		const Bm25TermVersion *version)
{
	QueryTerm  *t = &q->terms[q->nterms++];
	double		idf = log(1.0 + ((double) q->ndocs - (double) df + 0.5) / ((double) df + 0.5));

	t->term = *qt;
	t->df = df;
	t->weight = qt->tf * idf;
	t->bound = t->weight * (q->k1 + 1.0);
	t->cached = cached;
	t->version = *version;
}

/* the terms by decreasing upper bound (ties: term order) */
static void
SortTerms(Bm25Query *q)
{
	int			n = q->nterms;

	if (n > 32)
		qsort(q->terms, n, sizeof(QueryTerm), CompareQueryTerms);
	else
	{
		/* few terms: an insertion sort, which moves them less than qsort */
		for (int i = 1; i < n; i++)
		{
			QueryTerm	t = q->terms[i];
			int			j = i;

			for (; j > 0 && CompareQueryTerms(&q->terms[j - 1], &t) > 0; j--)
				q->terms[j] = q->terms[j - 1];
			q->terms[j] = t;
		}
	}
}

/*
 * Open the postings table and btree for the search; in serializable
 * transactions take relation-level SIREAD locks on what the search reads
 * (its reads bypass the executor)
 */
static void
OpenPostings(Bm25Query *q)
{
	q->postings = table_open(q->index.postings, AccessShareLock);
	q->postings_index = index_open(q->index.postings_index, AccessShareLock);
	if (IsolationIsSerializable())
	{
		Relation	terms = table_open(q->index.terms, AccessShareLock);
		Relation	stats = table_open(q->index.stats, AccessShareLock);

		PredicateLockRelation(q->postings, q->snapshot);
		PredicateLockRelation(terms, q->snapshot);
		PredicateLockRelation(stats, q->snapshot);
		table_close(stats, AccessShareLock);
		table_close(terms, AccessShareLock);
	}
}

/*
 * q's terms from qterms[0..nqterms): each one's document frequency from the
 * postings cache, else from the terms btree (and the cache told); terms
 * absent from the corpus are dropped (and remembered in the cache), the
 * rest sorted by decreasing upper bound.
 */
static void
LookupTerms(Bm25Query *q, const SearchTerm *qterms, int nqterms)
{
	Oid			meta = q->index.meta;
	Relation	terms = table_open(q->index.terms, AccessShareLock);
	Relation	terms_index = index_open(q->index.terms_index, AccessShareLock);

	q->nterms = 0;
	for (int i = 0; i < nqterms && q->ndocs > 0; i++)
	{
		Bm25CachedTerm *cached = NULL;
		bool		unchecked = false;
		Bm25TermVersion tversion = {-1, NULL};
		int64		df;

		if (q->use_cache)
			cached = Bm25CacheLookup(meta, qterms[i].term, qterms[i].len, &unchecked);
		if (cached != NULL && !unchecked)
			df = cached->df;
		else
		{
			df = Bm25DocumentFrequency(terms, terms_index, q->snapshot,
									   qterms[i].term, qterms[i].len,
									   q->use_cache ? &tversion : NULL);
			/* an entry read before the index changed: keep it if its term did not */
			if (cached != NULL && !Bm25CacheRecheck(cached, &tversion))
				cached = NULL;
		}

		if (df <= 0)
		{
			/* remember absent terms too */
			if (q->use_cache && cached == NULL && df == 0)
			{
				Bm25CachedTerm *value = Bm25CacheReserve(meta, qterms[i].term, qterms[i].len, 0,
														 &tversion);

				if (value != NULL)
					Bm25CacheComplete(value);
			}
			continue;
		}
		AddTerm(q, &qterms[i], df, cached, &tversion);
	}
	SortTerms(q);
	index_close(terms_index, AccessShareLock);
	table_close(terms, AccessShareLock);
}

/*
 * Read the corpus statistics of an opened index (Bm25OpenIndex) and the
 * query terms' document frequencies (LookupTerms), and open the postings.
 */
static void
Bm25Begin(Bm25Query *q, const Bm25Index *index, text *query, double k1, double b)
{
	SearchTerm *qterms;
	int			nqterms;
	int64		qlen;
	Bm25StatsVersion version;

	BeginQuery(q, index, query, k1, b, &version);
	qterms = SearchDocumentTerms(query, q->index.config, &nqterms, &qlen);
	if (nqterms == 0)
		NoTermsError(query);
	q->terms = palloc(sizeof(QueryTerm) * nqterms);
	LookupTerms(q, qterms, nqterms);
	OpenPostings(q);
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
 * Fill in a list's term-frequency factors and their maximum for this
 * search's k1, b and average length, unless they are already for those.
 */
static void
ScoreList(const Bm25Query *q, Bm25CachedTerm *list)
{
	if (list->scored && list->k1 == q->k1 && list->b == q->b && list->avgdl == q->avgdl)
		return;
	list->scored = false;		/* until complete: an error may interrupt this */
	list->max_factor = 0;
	for (int64 i = 0; i < list->n; i++)
	{
		list->factors[i] = Factor(q, list->stats[i].tf, list->stats[i].doclen);
		list->max_factor = Max(list->max_factor, list->factors[i]);
	}
	list->scored = true;
	list->k1 = q->k1;
	list->b = q->b;
	list->avgdl = q->avgdl;
}

/*
 * Read the df postings of a term into list's ids and stats and set its
 * blocks' last ids (not scored), checking there are exactly df
 */
static void
ReadPostings(Bm25Query *q, text *key, int64 df, Bm25CachedTerm *list)
{
	PostingScan ps;
	int64		id;
	Bm25PostingStats st;
	int64		n = 0;

	PostingBegin(&ps, q, 1);
	PostingRescan(&ps, key, 0);
	while (n <= df && PostingNext(&ps, &id, &st.tf, &st.doclen))
	{
		if (n < df)
		{
			list->ids[n] = id;
			list->stats[n] = st;
		}
		n++;
	}
	PostingEnd(&ps);
	for (int64 blk = 0; n == df && blk < list->nblocks; blk++)
		list->block_last[blk] = list->ids[Min(df, (blk + 1) * BM25_BLOCK) - 1];
	if (n != df)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("BM25 index \"%s\" is inconsistent: term \"%s\" has document frequency " INT64_FORMAT " but %s postings",
						get_rel_name(q->index.meta), text_to_cstring(key), df,
						n < df ? "fewer" : "more"),
				 errhint("Drop it with vecrag.bm25_drop_index and create it again.")));
}

/*
 * Give a list just read a presence bitmap of its id range, with the number
 * of postings before each word, when that takes at most
 * BM25_DENSE_BYTES bytes a posting, memory permitting (the cache's budget
 * for a cached list, work_mem for one of this search): a lookup is then a
 * bit test and a population count, instead of a search of the ids.
 */
static void
BuildDense(Bm25Query *q, Bm25CachedTerm *list, bool cached)
{
	uint64		range;
	int64		words;
	Size		bytes;
	char	   *mem;

	if (list->n == 0 || list->n > PG_UINT32_MAX)
		return;
	range = (uint64) list->ids[list->n - 1] - (uint64) list->ids[0];
	if (range / 64 >= (uint64) list->n * BM25_DENSE_BYTES / (sizeof(uint64) + sizeof(uint32)))
		return;
	words = (int64) (range / 64) + 1;
	bytes = (sizeof(uint64) + sizeof(uint32)) * (Size) words;
	if (cached)
		mem = Bm25CacheAllocExtra(list, bytes);
	else if (bytes <= q->local_bytes)
	{
		mem = palloc_extended(bytes, MCXT_ALLOC_HUGE);
		q->local_bytes -= bytes;
	}
	else
		mem = NULL;
	if (mem == NULL)
		return;
	list->dense_base = list->ids[0];
	list->dense_words = words;
	list->dense_bits = (uint64 *) mem;
	list->dense_rank = (uint32 *) (mem + sizeof(uint64) * (Size) words);
	memset(list->dense_bits, 0, sizeof(uint64) * (Size) words);
	for (int64 i = 0; i < list->n; i++)
	{
		uint64		rel = (uint64) list->ids[i] - (uint64) list->dense_base;

		list->dense_bits[rel / 64] |= UINT64CONST(1) << (rel % 64);
	}
	for (int64 w = 0, before = 0; w < words; w++)
	{
		list->dense_rank[w] = (uint32) before;
		before += pg_popcount64(list->dense_bits[w]);
	}
}

/*
 * A cursor over t's postings in memory (t->cached), before its first
 * posting (CursorPosition moves it there).  Calls nothing of PostgreSQL.
 */
static void
CursorOnList(PostingCursor *c, Bm25Query *q, QueryTerm *t)
{
	const Bm25CachedTerm *list = t->cached;
	text	   *key = c->key;

	memset(c, 0, sizeof(PostingCursor));
	c->q = q;
	c->term = t;
	c->key = key;
	c->pos = -1;
	c->ids = list->ids;
	c->factors = list->factors;
	c->block_last = list->block_last;
	c->nblocks = list->nblocks;
	c->dense_base = list->dense_base;
	c->dense_words = list->dense_words;
	c->dense_bits = list->dense_bits;
	c->dense_rank = list->dense_rank;
	c->n = list->n;
}

/*
 * Position a cursor on the first posting of term t: its cached array; else
 * read the list into the cache when it fits there, or into this search's
 * memory when it fits in what is left of work_mem; else stream it from the
 * btree.
 */
static void
CursorBegin(PostingCursor *c, Bm25Query *q, QueryTerm *t)
{
	Size		bytes = Bm25ListBytes(t->df);

	memset(c, 0, sizeof(PostingCursor));
	c->q = q;
	c->term = t;
	c->key = cstring_to_text_with_len(t->term.term, t->term.len);
	if (t->cached == NULL && q->use_cache)
	{
		Bm25CachedTerm *value = Bm25CacheReserve(q->index.meta, t->term.term, t->term.len, t->df,
												 &t->version);

		if (value != NULL)
		{
			value->n = t->df;
			ReadPostings(q, c->key, t->df, value);
			BuildDense(q, value, true);
			Bm25CacheComplete(value);
			t->cached = value;
		}
	}
	c->pos = -1;
	if (t->cached == NULL && bytes <= q->local_bytes)
	{
		/* a list of this search only, laid out as a cached one */
		Bm25CachedTerm *list = palloc0(sizeof(Bm25CachedTerm));

		Bm25ListLayout(list, palloc_extended(bytes, MCXT_ALLOC_HUGE), t->df);
		list->n = t->df;
		ReadPostings(q, c->key, t->df, list);
		q->local_bytes -= bytes;
		BuildDense(q, list, false);
		t->cached = list;
	}
	if (t->cached != NULL)
		CursorOnList(c, q, t);
	else
	{
		c->streaming = true;
		PostingBegin(&c->scan, q, 1);
		PostingRescan(&c->scan, c->key, 0);
		CursorNext(c);
	}
}

/*
 * Make an in-memory list's cursor ready (CursorBegin left it before its
 * first posting): its factors for this search's parameters, its term's
 * bound tightened to weight * the largest factor (no posting scores more),
 * and the cursor on its first posting.  Calls nothing of PostgreSQL, so
 * the search loop does it, on the compute thread when it runs there.
 */
static void
CursorPosition(PostingCursor *c)
{
	Bm25CachedTerm *list = c->term->cached;

	if (c->streaming)
		return;
	ScoreList(c->q, list);
	c->term->bound = c->term->weight * list->max_factor;
	CursorNext(c);
}

static pg_noinline void
StreamNext(PostingCursor *c)
{
	int32		tf;
	int32		doclen;

	if (c->done || !PostingNext(&c->scan, &c->id, &tf, &doclen))
	{
		c->done = true;
		c->id = PG_INT64_MAX;
	}
	else
		c->factor = Factor(c->q, tf, doclen);
}

static inline void
CursorNext(PostingCursor *c)
{
	if (unlikely(c->streaming))
	{
		StreamNext(c);
		return;
	}
	if (++c->pos >= c->n)
	{
		c->pos = c->n;
		c->done = true;
		c->id = PG_INT64_MAX;
		return;
	}
	c->id = c->ids[c->pos];
	c->factor = c->factors[c->pos];
}

/*
 * The first position after c's (whose id is below target) holding an id
 * >= target, or n: galloping over the blocks' last ids from c's block,
 * then a binary search of the one block whose last id is the first >=
 * target.
 */
static inline int64
LowerBound(const PostingCursor *c, int64 target)
{
	const int64 *last = c->block_last;
	int64		blk = c->pos / BM25_BLOCK;
	int64		start = c->pos + 1;
	const int64 *p;
	int64		len;

	if (last[blk] < target)
	{
		int64		lo = blk;
		int64		hi = blk + 1;
		int64		step = 1;

		/* last[lo] < target: find hi with last[hi] >= target */
		while (hi < c->nblocks && last[hi] < target)
		{
			lo = hi;
			step *= 2;
			hi = lo + step;
		}
		if (hi >= c->nblocks)
		{
			if (last[c->nblocks - 1] < target)
				return c->n;
			hi = c->nblocks - 1;
		}
		/* last[lo] < target <= last[hi] */
		while (hi - lo > 1)
		{
			int64		mid = lo + (hi - lo) / 2;

			if (last[mid] < target)
				lo = mid;
			else
				hi = mid;
		}
		blk = hi;
		start = blk * BM25_BLOCK;
	}
	/* the answer is in [start, end of block blk), whose last id is >= target */
	p = c->ids + start;
	len = Min(c->n, (blk + 1) * BM25_BLOCK) - start;
	while (len > 1)
	{
		int64		half = len / 2;

		p = p[half - 1] < target ? p + half : p;
		len -= half;
	}
	return p - c->ids;
}

/* position an array cursor on posting pos (n: exhausted) */
static inline void
CursorMoveTo(PostingCursor *c, int64 pos)
{
	c->pos = pos - 1;
	CursorNext(c);
}

/* advance to the first posting with id >= target (galloping on arrays) */
static void
CursorSeek(PostingCursor *c, int64 target)
{
	if (c->done || c->id >= target)
		return;
	if (c->streaming)
	{
		while (!c->done && c->id < target)
			CursorNext(c);
		return;
	}
	CursorMoveTo(c, LowerBound(c, target));
}

static void
CursorEnd(PostingCursor *c)
{
	if (c->streaming)
		PostingEnd(&c->scan);
	if (c->key != NULL)
		pfree(c->key);
}

/* a is worse than b: lower score, or the same score and a larger id */
static inline bool
HitWorse(const SearchHit *a, const SearchHit *b)
{
	return a->score < b->score || (a->score == b->score && a->id > b->id);
}

/* restore the min-heap (worst hit at the root) below position i */
static void
HeapSiftDown(SearchHit *heap, int n, int i)
{
	for (;;)
	{
		int			worst = i;
		int			l = 2 * i + 1;
		int			r = l + 1;

		if (l < n && HitWorse(&heap[l], &heap[worst]))
			worst = l;
		if (r < n && HitWorse(&heap[r], &heap[worst]))
			worst = r;
		if (worst == i)
			return;
		{
			SearchHit	t = heap[i];

			heap[i] = heap[worst];
			heap[worst] = t;
		}
		i = worst;
	}
}

static void
HeapSiftUp(SearchHit *heap, int i)
{
	while (i > 0)
	{
		int			parent = (i - 1) / 2;
		SearchHit	t;

		if (!HitWorse(&heap[i], &heap[parent]))
			return;
		t = heap[i];
		heap[i] = heap[parent];
		heap[parent] = t;
		i = parent;
	}
}

/*
 * Whether an in-memory list holds doc, and its factor if so: a test of its
 * presence bitmap, else a binary search of all its ids (the cursor does not
 * move)
 */
static inline bool
ListFind(const PostingCursor *c, int64 doc, double *factor)
{
	if (c->dense_bits != NULL)
	{
		uint64		rel = (uint64) doc - (uint64) c->dense_base;
		uint64		word;
		uint64		bit;

		if (rel / 64 >= (uint64) c->dense_words)
			return false;
		word = c->dense_bits[rel / 64];
		bit = UINT64CONST(1) << (rel % 64);
		if ((word & bit) == 0)
			return false;
		*factor = c->factors[c->dense_rank[rel / 64] + pg_popcount64(word & (bit - 1))];
		return true;
	}
	else
	{
		int64		pos = SortedFindInt64(c->ids, c->n, doc);

		if (pos < 0)
			return false;
		*factor = c->factors[pos];
		return true;
	}
}

/*
 * SeedThreshold's arrays, allocated before the search loop (which may run
 * on the compute thread, where nothing may be allocated) at their largest:
 * BM25_SEED_POSTINGS merged postings, cap documents kept
 */
typedef struct SeedBuffers
{
	SearchHit  *cur;
	SearchHit  *next;
	SearchHit  *heap;
} SeedBuffers;

static void
SeedAllocate(SeedBuffers *buf, int cap)
{
	buf->cur = palloc(sizeof(SearchHit) * BM25_SEED_POSTINGS);
	buf->next = palloc(sizeof(SearchHit) * BM25_SEED_POSTINGS);
	buf->heap = palloc(sizeof(SearchHit) * cap);
}

static void
SeedFree(SeedBuffers *buf)
{
	pfree(buf->cur);
	pfree(buf->next);
	pfree(buf->heap);
}

/*
 * The seed's terms: how many first terms have in-memory lists holding at
 * most BM25_SEED_POSTINGS postings together; 0 when they cannot give cap
 * documents
 */
static int
SeedTerms(const Bm25Query *q, const PostingCursor *cursors, int cap)
{
	int64		total = 0;
	int			nseed = 0;

	while (nseed < q->nterms && !cursors[nseed].streaming &&
		   total + cursors[nseed].n <= BM25_SEED_POSTINGS)
		total += cursors[nseed++].n;
	return total < cap ? 0 : nseed;
}

/*
 * A lower bound on the final k-th best score, from exact partial sums: the
 * first terms (in term order) whose in-memory lists hold at most
 * BM25_SEED_POSTINGS postings together are merged by id, each document's
 * contributions added in term order as the search itself adds them; the
 * cap documents with the best of those prefix sums get the contributions
 * of the later terms added too, in term order, and the smallest of their
 * sums is returned (-1 when fewer than cap documents were merged).  Every
 * contribution is non-negative and rounding is monotone, so a sum over
 * some of a document's terms in term order is at most its full score, and
 * cap distinct documents score at least this much: the search may prune
 * against it from its first window on, instead of summing every list there
 * while its heap fills.
 */
static double
SeedThreshold(const Bm25Query *q, const PostingCursor *cursors, int cap, const SeedBuffers *buf)
{
	int			nseed = SeedTerms(q, cursors, cap);
	SearchHit  *cur = buf->cur;
	SearchHit  *next = buf->next;
	int64		ncur = 0;
	SearchHit  *heap = buf->heap;
	int			nheap = 0;
	int64		searches = 0;
	double		theta;

	if (nseed == 0)
		return -1.0;
	for (int t = 0; t < nseed; t++)
	{
		const PostingCursor *c = &cursors[t];
		double		weight = c->term->weight;
		int64		i = 0;
		int64		j = 0;
		int64		n = 0;

		while (i < ncur || j < c->n)
		{
			if (j == c->n || (i < ncur && cur[i].id < c->ids[j]))
				next[n++] = cur[i++];
			else if (i == ncur || c->ids[j] < cur[i].id)
			{
				next[n].id = c->ids[j];
				next[n++].score = weight * c->factors[j++];
			}
			else
			{
				next[n].id = cur[i].id;
				next[n++].score = cur[i++].score + weight * c->factors[j++];
			}
		}
		ncur = n;
		{
			SearchHit  *swap = cur;

			cur = next;
			next = swap;
		}
	}
	if (ncur < cap)
		return -1.0;
	for (int64 i = 0; i < ncur; i++)
	{
		if (nheap < cap)
		{
			heap[nheap] = cur[i];
			HeapSiftUp(heap, nheap++);
		}
		else if (cur[i].score > heap[0].score)
		{
			heap[0] = cur[i];
			HeapSiftDown(heap, nheap, 0);
		}
	}

	/*
	 * Those cap documents' sums with the other terms too are a tighter
	 * bound: lists with a presence bitmap are looked up, the other lists in
	 * memory searched when that takes at most BM25_SEED_SEARCHES binary
	 * searches, streamed lists are left out (a sum without some terms is
	 * still at most the document's score)
	 */
	for (int t = nseed; t < q->nterms; t++)
		if (!cursors[t].streaming && cursors[t].dense_bits == NULL)
			searches += cap;
	theta = -1.0;
	for (int i = 0; i < nheap; i++)
	{
		double		score = heap[i].score;

		for (int t = nseed; t < q->nterms; t++)
		{
			const PostingCursor *c = &cursors[t];
			double		factor;

			if (!c->streaming && (c->dense_bits != NULL || searches <= BM25_SEED_SEARCHES) &&
				ListFind(c, heap[i].id, &factor))
				score += c->term->weight * factor;
		}
		theta = i == 0 ? score : Min(theta, score);
	}
	return theta;
}

/*
 * Add the contributions of c's postings in [lo, last] to a window's sums,
 * in id order, and leave c on its first posting after last.  The sums of
 * documents that are not candidates are kept at 0 (the caller zeroes each
 * candidate's sum as it takes it), so with generate a document not seen
 * yet in the window becomes a candidate with 0 + the contribution, which
 * is the contribution, without a branch; without generate, only the
 * candidates' sums change (the others get + 0, which leaves them 0).
 */
static void
AddPostings(PostingCursor *c, int64 lo, int64 last, double *acc, uint64 *seen, bool generate)
{
	double		weight = c->term->weight;

	CursorSeek(c, lo);
	if (c->streaming)
	{
		for (; !c->done && c->id <= last; CursorNext(c))
		{
			int			off = (int) (c->id - lo);
			uint64		bit = UINT64CONST(1) << (off % 64);

			if (generate || (seen[off / 64] & bit))
			{
				seen[off / 64] |= bit;
				acc[off] += weight * c->factor;
			}
		}
	}
	else
	{
		const int64 *ids = c->ids;
		const double *factors = c->factors;
		int64		pos = c->pos;
		int64		end;

		if (c->done || c->id > last)
			end = pos;
		else if (last == PG_INT64_MAX)
			end = c->n;
		else
			end = LowerBound(c, last + 1);

		if (generate)
		{
			for (; pos < end; pos++)
			{
				uint32		off = (uint32) (ids[pos] - lo);

				acc[off] += weight * factors[pos];
				seen[off / 64] |= UINT64CONST(1) << (off % 64);
			}
		}
		else
		{
			for (; pos < end; pos++)
			{
				uint32		off = (uint32) (ids[pos] - lo);
				union
				{
					double		d;
					uint64		u;
				}			x;

				/* the contribution, or +0 when off is not a candidate */
				x.d = weight * factors[pos];
				x.u &= -((seen[off / 64] >> (off % 64)) & 1);
				acc[off] += x.d;
			}
		}
		CursorMoveTo(c, pos);
	}
}

/*
 * The 64 bits of c's presence bitmap for ids base + bitpos .. + 63 (0 for
 * ids outside it)
 */
static inline uint64
DenseWord(const PostingCursor *c, int64 bitpos)
{
	int64		w = bitpos >= 0 ? bitpos / 64 : -((-bitpos + 63) / 64);
	int			shift = (int) (bitpos - w * 64);
	uint64		low = w >= 0 && w < c->dense_words ? c->dense_bits[w] : 0;
	uint64		high = w + 1 >= 0 && w + 1 < c->dense_words ? c->dense_bits[w + 1] : 0;

	return shift == 0 ? low : (low >> shift) | (high << (64 - shift));
}

/*
 * AddPostings without generate for a list with a presence bitmap: the
 * window's candidates that hold the term are found 64 at a time by
 * intersecting the candidates' bits with the bitmap's, and only their
 * postings are read.
 */
static void
DenseAdd(PostingCursor *c, int64 lo, double *acc, const uint64 *seen)
{
	double		weight = c->term->weight;
	int64		start;			/* bit of lo in the bitmap, may be negative */

	if (lo >= c->dense_base)
	{
		uint64		rel = (uint64) lo - (uint64) c->dense_base;

		if (rel / 64 >= (uint64) c->dense_words)
			return;
		start = (int64) rel;
	}
	else
	{
		uint64		before = (uint64) c->dense_base - (uint64) lo;

		if (before >= BM25_WINDOW)
			return;
		start = -(int64) before;
	}
	for (int w = 0; w < BM25_WINDOW / 64; w++)
	{
		uint64		bits = seen[w];

		if (bits == 0)
			continue;
		bits &= DenseWord(c, start + w * 64);
		while (bits != 0)
		{
			int			off = w * 64 + pg_rightmost_one_pos64(bits);
			uint64		rel = (uint64) (start + off);
			uint64		word = c->dense_bits[rel / 64];
			uint64		below = word & ((UINT64CONST(1) << (rel % 64)) - 1);

			bits &= bits - 1;
			acc[off] += weight * c->factors[c->dense_rank[rel / 64] + pg_popcount64(below)];
		}
	}
}

/*
 * A top-k search between Bm25TopKBegin and Bm25TopKEnd: the query, its
 * cursors and every buffer the search loop (Bm25TopKRun) uses, allocated
 * up front, and the loop's progress, so the loop touches nothing of
 * PostgreSQL when no list streams from the btree and can run on the
 * compute thread, and can be resumed where a stopped run left it.
 */
struct Bm25TopKState
{
	Bm25Query	q;
	int			cap;
	PostingCursor *cursors;
	double	   *remaining;		/* remaining[i]: sum of the bounds of terms i.. */
	SearchHit  *heap;
	int			nheap;
	int			essential;
	double		theta;
	double		limit;			/* theta * BM25_MARGIN: bounds below cannot reach theta */
	bool		prepared;		/* PrepareCursors done */
	bool		seeded;			/* SeedThreshold done */
	bool		finished;		/* every window summed */
	bool		apart;			/* no list streams: Bm25TopKRunApart may run it */
	SeedBuffers seed;
	uint16	   *kept;
	/* begun by Bm25TopKBeginApart: the terms are set up by BeginTerms */
	text	   *query;			/* the query text */
	char	   *lowered;		/* the tokenizer's lowercased copy */
	SearchTerm *qterms;			/* the tokenizer's terms */
	int			nqterms;		/* how many */
	bool		peeked;			/* terms set up from the cache by BeginTerms */
	bool		bail;			/* a term the cache cannot give: begin on the main thread */
	bool		no_terms;		/* the query has no terms */
	/* a loop split between the two threads (Bm25TopKSplit) */
	pg_atomic_uint64 last_id;	/* the windows end at this id (int64 bits) */
	pg_atomic_uint32 windows;	/* 1 while the loop sums windows, 2 when it is done */
	pg_atomic_uint64 window_lo; /* the first id of the window being summed */
	pg_atomic_uint64 theta_bits;	/* theta, as a double's bits */
	Bm25TopKState *part;		/* the main thread's part, after last_id */
};

/*
 * The first step of a search's loop: every in-memory cursor scored and on
 * its first posting (CursorPosition), then the suffix sums of the terms'
 * bounds.  Touches the lists' memory, nothing of PostgreSQL.
 */
static void
PrepareCursors(Bm25TopKState *st)
{
	const Bm25Query *q = &st->q;

	for (int i = 0; i < q->nterms; i++)
		CursorPosition(&st->cursors[i]);
	st->remaining[q->nterms] = 0;
	for (int i = q->nterms - 1; i >= 0; i--)
		st->remaining[i] = st->remaining[i + 1] + q->terms[i].bound;
}

/* theta as the loop has it, for Bm25TopKSplit */
static inline void
PublishTheta(Bm25TopKState *st, double theta)
{
	union
	{
		double		d;
		uint64		u;
	}			x;

	x.d = theta;
	pg_atomic_write_u64(&st->theta_bits, x.u);
}

/* the theta PublishTheta left */
static inline double
PublishedTheta(Bm25TopKState *st)
{
	union
	{
		double		d;
		uint64		u;
	}			x;

	x.u = pg_atomic_read_u64(&st->theta_bits);
	return x.d;
}

/*
 * How many of the first essential terms stay essential under limit: a
 * document with none of them cannot reach it (the later terms' bounds sum
 * below it)
 */
static inline int
EssentialTerms(const double *remaining, int essential, double limit)
{
	while (essential > 0 && remaining[essential - 1] < limit)
		essential--;
	return essential;
}

/*
 * The window loop of a search from where it stopped, summing into acc
 * (BM25_WINDOW sums, 0 on entry; left 0 at every window's end).  stop is
 * called before each window and ends the run early when it returns true;
 * the state is then that of a window boundary, and a later run resumes.
 * Nothing here calls PostgreSQL unless a cursor streams (see
 * Bm25TopKRunApart) or stop does.
 */
static void
RunWindows(Bm25TopKState *st, double *acc, bool (*stop) (void))
{
	Bm25Query  *q = &st->q;
	PostingCursor *cursors = st->cursors;
	const double *remaining = st->remaining;
	SearchHit  *heap = st->heap;
	uint16	   *kept = st->kept;
	int			cap = st->cap;
	int			nheap = st->nheap;
	int			essential = st->essential;
	double		theta = st->theta;
	double		limit = st->limit;

	if (!st->prepared)
	{
		PrepareCursors(st);
		st->prepared = true;
	}
	if (!st->seeded)
	{
		theta = SeedThreshold(q, cursors, cap, &st->seed);
		limit = theta * BM25_MARGIN;
		essential = EssentialTerms(remaining, essential, limit);
		st->seeded = true;
	}
	/* what Bm25TopKSplit reads is in place */
	PublishTheta(st, theta);
	pg_write_barrier();
	pg_atomic_write_u32(&st->windows, 1);

	for (;;)
	{
		int64		last_id = (int64) pg_atomic_read_u64(&st->last_id);
		int64		lo = PG_INT64_MAX;
		int64		last;
		bool		any = false;
		int			nessential = essential;
		int			first;
		int			nkept;
		uint64		seen[BM25_WINDOW / 64];

		if (stop())
		{
			st->nheap = nheap;
			st->essential = essential;
			st->theta = theta;
			st->limit = limit;
			return;
		}
		for (int i = 0; i < nessential; i++)
		{
			if (!cursors[i].done)
			{
				lo = Min(lo, cursors[i].id);
				any = true;
			}
		}
		if (!any || lo > last_id)
			break;
		pg_atomic_write_u64(&st->window_lo, (uint64) lo);
		last = lo > PG_INT64_MAX - (BM25_WINDOW - 1) ? PG_INT64_MAX : lo + (BM25_WINDOW - 1);
		last = Min(last, last_id);

		/*
		 * the essential terms' contributions in [lo, last], in term order: the
		 * candidates; then those of the next few terms to the candidates
		 */
		memset(seen, 0, sizeof(seen));
		for (int i = 0; i < nessential; i++)
			AddPostings(&cursors[i], lo, last, acc, seen, true);
		first = Min(nessential + BM25_SCANNED_TERMS, q->nterms);
		for (int i = nessential; i < first; i++)
		{
			if (cursors[i].dense_bits != NULL)
				DenseAdd(&cursors[i], lo, acc, seen);
			else
				AddPostings(&cursors[i], lo, last, acc, seen, false);
		}

		/*
		 * then each candidate of the window in id order, as one at a time:
		 * first a pass that keeps those not pruned at the first check (the
		 * other sums go back to 0) against theta as it is now; theta only
		 * grows, so the checks below, against theta then, prune the same
		 */
		nkept = 0;
		{
			double		bound = remaining[first];

			for (int w = 0; w < BM25_WINDOW / 64; w++)
			{
				uint64		bits = seen[w];

				while (bits != 0)
				{
					int			off = w * 64 + pg_rightmost_one_pos64(bits);

					bits &= bits - 1;
					if (acc[off] + bound < limit)
						acc[off] = 0;
					else
						kept[nkept++] = (uint16) off;
				}
			}
		}
		for (int j = 0; j < nkept; j++)
		{
			int			off = kept[j];
			int64		doc = lo + off;
			double		score = acc[off];
			bool		pruned = false;

			acc[off] = 0;
			for (int i = first; i < q->nterms; i++)
			{
				PostingCursor *c = &cursors[i];

				if (score + remaining[i] < limit)
				{
					pruned = true;
					break;
				}
				if (c->dense_bits != NULL)
				{
					double		factor;

					if (ListFind(c, doc, &factor))
						score += c->term->weight * factor;
					continue;
				}
				CursorSeek(c, doc);
				if (!c->done && c->id == doc)
					score += c->term->weight * c->factor;
			}
			if (pruned)
				continue;

			/* every earlier document has a smaller id, so a tie with the worst loses */
			if (nheap < cap)
			{
				heap[nheap].id = doc;
				heap[nheap].score = score;
				HeapSiftUp(heap, nheap++);
			}
			else if (score > heap[0].score)
			{
				heap[0].id = doc;
				heap[0].score = score;
				HeapSiftDown(heap, nheap, 0);
			}
			else
				continue;
			if (nheap == cap && heap[0].score > theta)
			{
				theta = heap[0].score;
				PublishTheta(st, theta);
				limit = theta * BM25_MARGIN;
				essential = EssentialTerms(remaining, essential, limit);
			}
		}
	}
	st->nheap = nheap;
	st->essential = essential;
	st->theta = theta;
	st->limit = limit;
	st->finished = true;
	pg_atomic_write_u32(&st->windows, 2);
}

/* what a loop shares with Bm25TopKSplit: its windows not begun, no end */
static void
InitShared(Bm25TopKState *st)
{
	pg_atomic_init_u64(&st->last_id, (uint64) PG_INT64_MAX);
	pg_atomic_init_u32(&st->windows, 0);
	pg_atomic_init_u64(&st->window_lo, 0);
	pg_atomic_init_u64(&st->theta_bits, 0);
}

/* the loop's buffers for up to nterms terms; cap from k and the corpus size */
static void
AllocateLoop(Bm25TopKState *st, int k, int nterms)
{
	st->cap = (int) Min((int64) k, Max(st->q.ndocs, 1));
	st->heap = palloc(sizeof(SearchHit) * st->cap);
	st->cursors = palloc0(sizeof(PostingCursor) * Max(nterms, 1));
	/* filled by PrepareCursors, after CursorPosition tightens the bounds */
	st->remaining = palloc(sizeof(double) * (nterms + 1));
	st->theta = -1.0;
	st->limit = -1.0 * BM25_MARGIN;
	SeedAllocate(&st->seed, st->cap);
	st->kept = palloc(sizeof(uint16) * BM25_WINDOW);
	InitShared(st);
}

/*
 * Start a top-k search (see Bm25TopK): read the query's statistics, open
 * its cursors (reading lists into the cache or this search's memory) and
 * allocate everything the search loop needs.  The result is palloc'd in
 * the caller's context; Bm25TopKEnd releases what it holds.
 */
Bm25TopKState *
Bm25TopKBegin(const Bm25Index *index, text *query, int k, double k1, double b)
{
	Bm25TopKState *st = palloc0(sizeof(Bm25TopKState));
	Bm25Query  *q = &st->q;

	SearchCheckK(k, "k");
	Bm25Begin(q, index, query, k1, b);
	AllocateLoop(st, k, q->nterms);
	st->apart = true;
	for (int i = 0; i < q->nterms; i++)
	{
		CursorBegin(&st->cursors[i], q, &q->terms[i]);
		if (st->cursors[i].streaming)
			st->apart = false;
	}
	st->essential = q->nterms;
	return st;
}

/*
 * Start a top-k search whose terms are set up later, from the postings
 * cache, by BeginTerms (on the compute thread in hybrid_search, so the
 * query's tokenizing and term lookups leave the main thread): here only
 * what needs PostgreSQL — checks, corpus statistics, the cache's version,
 * the postings' relations — and every buffer, sized for the most terms
 * the query text can hold.  NULL (nothing begun) when the index tokenizes
 * with a text search configuration or the cache cannot be used; then
 * Bm25TopKBegin.  Bm25TopKResume must follow before Bm25TopKRun.
 */
Bm25TopKState *
Bm25TopKBeginApart(const Bm25Index *index, text *query, int k, double k1, double b)
{
	Bm25TopKState *st;
	Bm25Query  *q;
	Bm25StatsVersion version;
	int			len = VARSIZE_ANY_EXHDR(query);
	int			maxterms = SearchReferenceTermsMax(len);

	SearchCheckK(k, "k");
	if (OidIsValid(index->config))
		return NULL;
	st = palloc0(sizeof(Bm25TopKState));
	q = &st->q;
	BeginQuery(q, index, query, k1, b, &version);
	if (!q->use_cache || q->ndocs <= 0)
	{
		pfree(st);
		return NULL;
	}
	st->query = query;
	st->lowered = palloc(len + 1);
	st->qterms = palloc(sizeof(SearchTerm) * maxterms);
	q->terms = palloc(sizeof(QueryTerm) * maxterms);
	q->nterms = 0;
	AllocateLoop(st, k, maxterms);
	OpenPostings(q);
	st->apart = true;
	return st;
}

/*
 * The terms of a search begun by Bm25TopKBeginApart, from the postings
 * cache: tokenize the query, find each term's list (Bm25CachePeek), weigh
 * and sort the terms, set up the cursors.  Calls nothing of PostgreSQL.
 * Sets bail when a term is not in the cache or not known current (the
 * main thread then begins the search itself), no_terms when the query has
 * none.
 */
static void
BeginTerms(Bm25TopKState *st)
{
	Bm25Query  *q = &st->q;
	static const Bm25TermVersion none = {-1, NULL};
	int			n = SearchReferenceTermsInto(VARDATA_ANY(st->query), VARSIZE_ANY_EXHDR(st->query),
											 st->lowered, st->qterms);

	st->nqterms = n;
	if (n == 0)
	{
		st->no_terms = true;
		return;
	}
	for (int i = 0; i < n; i++)
	{
		Bm25CachedTerm *cached = Bm25CachePeek(q->index.meta, st->qterms[i].term,
											   st->qterms[i].len);

		if (cached == NULL)
		{
			st->bail = true;
			return;
		}
		/* a term absent from the corpus is cached with df 0 */
		if (cached->df > 0)
			AddTerm(q, &st->qterms[i], cached->df, cached, &none);
	}
	SortTerms(q);
	for (int i = 0; i < q->nterms; i++)
		CursorOnList(&st->cursors[i], q, &q->terms[i]);
	st->essential = q->nterms;
	st->peeked = true;
}

/*
 * After a search begun by Bm25TopKBeginApart was run apart (or not run):
 * set its terms up here if the compute thread did not; when the cache
 * could not give every term, look the tokenized terms up here as
 * Bm25TopKBegin does (reading missing lists), under the same statistics.
 * Raises the error of a query without terms.  Nothing for any other search.
 */
void
Bm25TopKResume(Bm25TopKState *st)
{
	Bm25Query  *q = &st->q;

	if (st->query == NULL)
		return;
	if (!st->peeked && !st->bail && !st->no_terms)
		BeginTerms(st);
	if (st->no_terms)
		NoTermsError(st->query);
	if (st->bail)
	{
		elog(DEBUG1, "BM25 terms looked up on the main thread: a query term is not in the postings cache");
		LookupTerms(q, st->qterms, st->nqterms);
		for (int i = 0; i < q->nterms; i++)
			CursorBegin(&st->cursors[i], q, &q->terms[i]);
		st->essential = q->nterms;
		st->bail = false;
	}
}

/* whether no list streams from the btree: Bm25TopKRunApart may run the search */
bool
Bm25TopKApart(const Bm25TopKState *st)
{
	return st->apart;
}

static bool
CheckInterrupts(void)
{
	CHECK_FOR_INTERRUPTS();
	return false;
}

/*
 * Run (or finish) a search's loop on the main thread, with the window
 * sums serial searches share, serving interrupts between windows
 */
void
Bm25TopKRun(Bm25TopKState *st)
{
	if (st->finished)
		return;
	if (window_acc == NULL)
		window_acc = MemoryContextAllocZero(TopMemoryContext, sizeof(double) * BM25_WINDOW);
	else if (window_acc_dirty)
		memset(window_acc, 0, sizeof(double) * BM25_WINDOW);
	window_acc_dirty = true;
	RunWindows(st, window_acc, CheckInterrupts);
	window_acc_dirty = false;	/* every sum taken back to 0 */
}

/*
 * Prepare the window sums a run on the compute thread uses (not those of
 * serial searches, which a search nested in code the main thread runs
 * meanwhile may use); call on the main thread before starting the job.
 */
void
Bm25TopKPrepareApart(void)
{
	if (apart_acc == NULL)
		apart_acc = MemoryContextAllocZero(TopMemoryContext, sizeof(double) * BM25_WINDOW);
}

/*
 * The job of the compute thread (arg: a Bm25TopKState with apart set,
 * after Bm25TopKPrepareApart): the search loop, stopping at a window
 * boundary when the job is cancelled (Bm25TopKRun then finishes it).
 * Calls nothing of PostgreSQL: every list is an array in memory, every
 * buffer allocated, and interrupts are the main thread's.  Its window sums
 * are left 0 whether it finishes or stops (stops come between windows).
 */
void
Bm25TopKRunApart(void *arg)
{
	Bm25TopKState *st = (Bm25TopKState *) arg;

	if (st->query != NULL && !st->peeked)
	{
		BeginTerms(st);
		if (!st->peeked)
			return;
	}
	RunWindows(st, apart_acc, ComputeThreadCancelled);
}

/*
 * On the main thread while the compute thread runs a search's windows
 * (after Bm25TopKRunApart was started, before the job is taken back): when
 * more than half a window's ids lie past the window the thread sums, the
 * thread is told to stop at the middle of them, and the windows from there
 * on are summed here meanwhile, with cursors of their own on the same
 * lists, pruned against the thread's threshold (a lower bound on the final
 * one).  Bm25TopKEnd merges the two parts' hits: the result is the same,
 * since every document's score is summed in term order either way.
 * Nothing when the thread has not reached the windows or little is left.
 * Interrupts are served here: call it where an error takes the job back.
 */
void
Bm25TopKSplit(Bm25TopKState *st)
{
	const Bm25Query *q = &st->q;
	Bm25TopKState *part;
	int64		lo;
	int64		hi = PG_INT64_MIN;
	uint64		rest;
	int64		mid;

	if (st->part != NULL || pg_atomic_read_u32(&st->windows) != 1)
		return;
	pg_read_barrier();
	lo = (int64) pg_atomic_read_u64(&st->window_lo);
	for (int i = 0; i < q->nterms; i++)
	{
		const Bm25CachedTerm *list = q->terms[i].cached;

		if (list->n > 0)
			hi = Max(hi, list->ids[list->n - 1]);
	}
	/* the ids after the thread's window [lo, lo + BM25_WINDOW - 1] */
	if (hi < lo || (uint64) hi - (uint64) lo < BM25_WINDOW + BM25_WINDOW / 2)
		return;
	rest = (uint64) hi - (uint64) lo - BM25_WINDOW;
	mid = (int64) ((uint64) lo + BM25_WINDOW + rest / 2);
	pg_atomic_write_u64(&st->last_id, (uint64) (mid - 1));

	part = palloc0(sizeof(Bm25TopKState));
	part->q = st->q;
	part->cap = st->cap;
	part->remaining = st->remaining;
	part->heap = palloc(sizeof(SearchHit) * st->cap);
	part->kept = palloc(sizeof(uint16) * BM25_WINDOW);
	part->cursors = palloc0(sizeof(PostingCursor) * q->nterms);
	for (int i = 0; i < q->nterms; i++)
	{
		PostingCursor *c = &part->cursors[i];

		CursorOnList(c, &part->q, &part->q.terms[i]);
		CursorNext(c);
		CursorSeek(c, mid);
	}
	part->theta = PublishedTheta(st);
	part->limit = part->theta * BM25_MARGIN;
	part->essential = EssentialTerms(part->remaining, q->nterms, part->limit);
	part->prepared = part->seeded = part->apart = true;
	InitShared(part);
	st->part = part;
	elog(DEBUG1, "BM25 windows from id " INT64_FORMAT " summed on the main thread beside the compute thread",
		 mid);
	Bm25TopKRun(part);
}

/*
 * The hits of a split search's two parts, in one array of the best cap,
 * best first (an id both parts summed, near their boundary, counted once)
 */
static void
MergePart(Bm25TopKState *st)
{
	const Bm25TopKState *part = st->part;
	SearchHit  *all = palloc(sizeof(SearchHit) * (st->nheap + part->nheap));
	int			n = 0;

	memcpy(all, st->heap, sizeof(SearchHit) * st->nheap);
	memcpy(all + st->nheap, part->heap, sizeof(SearchHit) * part->nheap);
	qsort(all, st->nheap + part->nheap, sizeof(SearchHit), CompareHits);
	for (int i = 0; i < st->nheap + part->nheap && n < st->cap; i++)
		if (n == 0 || all[i].id != all[n - 1].id)
			all[n++] = all[i];
	st->heap = all;
	st->nheap = n;
}

/*
 * End a search after its run finished: release its cursors and relations
 * and return the hits best first (ties: smaller id first), palloc'd, and
 * their number in *nhits.
 */
SearchHit *
Bm25TopKEnd(Bm25TopKState *st, int *nhits)
{
	Assert(st->finished);
	/* the cache's record of the uses BeginTerms could not make */
	if (st->peeked)
		for (int i = 0; i < st->q.nterms; i++)
			Bm25CacheTouch(st->q.terms[i].cached);
	pfree(st->kept);
	pfree(st->remaining);
	SeedFree(&st->seed);
	for (int i = 0; i < st->q.nterms; i++)
		CursorEnd(&st->cursors[i]);
	Bm25End(&st->q);

	if (st->part != NULL)
		MergePart(st);
	else
		qsort(st->heap, st->nheap, sizeof(SearchHit), CompareHits);
	*nhits = st->nheap;
	return st->heap;
}

/*
 * The k best documents for query, best first (ties: smaller id first).
 * Returns a palloc'd array and its length in *nhits (fewer than k when
 * fewer documents match).
 *
 * Document-at-a-time MaxScore over cursors in id order.  Terms are sorted
 * by decreasing upper bound; once the k-th best score theta exceeds the
 * sum of the bounds of a suffix of the terms, those terms are
 * "non-essential": no document containing only them can enter the top k,
 * so candidates come from the essential terms alone and the others are
 * only looked up for a candidate whose score so far plus their bounds can
 * still beat theta (ListFind's bit test on a list with a presence bitmap,
 * else CursorSeek).  Each document's score is summed in term order, as
 * scoring every document would, so scores are bit-for-bit those of an
 * exhaustive evaluation and the result is exact.
 *
 * The essential lists are read in windows of BM25_WINDOW ids, list by list
 * in term order, into an accumulator (no k-way merge per document); so are
 * the BM25_SCANNED_TERMS terms after them, but only into the sums of the
 * candidates the essential lists made (DenseAdd: 64 candidates at a time
 * against a presence bitmap): nearly every candidate would be looked up
 * in those (the bound check before them rarely prunes), and one pass over
 * a list's postings in the window is cheaper than a search per candidate
 * (measured on Cranfield x 10: BM25 top-10 about 30 % faster than lookups
 * alone; scanning more or fewer terms was slower, with bitmaps too).  A
 * pass over the window's candidates then drops those the first bound
 * check prunes (most of them) and takes their sums back to 0; the others
 * go through the remaining terms and the heap in id order, exactly as
 * document at a time would: the same sums in the same order, the same
 * ties.  Terms that stop being essential within a window take effect at
 * the next window.  Before the first window, SeedThreshold gives theta a
 * lower bound from the first short lists and lookups in the others, so
 * the first window need not sum every list while the heap fills.
 * In-memory lists carry each posting's term-frequency factor (ScoreList),
 * so scoring a posting is one multiplication, and their largest factor,
 * which tightens the term's bound weight * (k1 + 1) to weight * max
 * factor: fewer terms stay essential.  The term order (and so the
 * summation order) stays that of the loose bounds, which bm25_score
 * shares; the suffix sums are valid bounds in any order.
 */
SearchHit *
Bm25TopK(const Bm25Index *index, text *query, int k, double k1, double b, int *nhits)
{
	Bm25TopKState *st = Bm25TopKBegin(index, query, k, k1, b);
	SearchHit  *hits;

	Bm25TopKRun(st);
	hits = Bm25TopKEnd(st, nhits);
	pfree(st->cursors);
	pfree(st);
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
	Bm25Index	index;
	SearchHit  *hits;
	int			nhits;

	CheckNotNull(fcinfo, 0, "bm25_index");
	CheckNotNull(fcinfo, 1, "query");
	CheckNotNull(fcinfo, 2, "k");
	CheckNotNull(fcinfo, 3, "k1");
	CheckNotNull(fcinfo, 4, "b");
	SearchCheckK(PG_GETARG_INT32(2), "k");
	CheckQuery(PG_GETARG_TEXT_PP(1), PG_GETARG_FLOAT8(3), PG_GETARG_FLOAT8(4));
	Bm25OpenIndex(PG_GETARG_OID(0), &index);
	hits = Bm25TopK(&index, PG_GETARG_TEXT_PP(1), PG_GETARG_INT32(2),
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
	Bm25Index	index;
	PostingScan probe;
	int64		docid;
	double		score = 0;

	CheckNotNull(fcinfo, 0, "bm25_index");
	CheckNotNull(fcinfo, 1, "query");
	CheckNotNull(fcinfo, 2, "id");
	CheckNotNull(fcinfo, 3, "k1");
	CheckNotNull(fcinfo, 4, "b");
	docid = PG_GETARG_INT64(2);
	CheckQuery(PG_GETARG_TEXT_PP(1), PG_GETARG_FLOAT8(3), PG_GETARG_FLOAT8(4));
	Bm25OpenIndex(PG_GETARG_OID(0), &index);
	Bm25Begin(&q, &index, PG_GETARG_TEXT_PP(1), PG_GETARG_FLOAT8(3), PG_GETARG_FLOAT8(4));
	PostingBegin(&probe, &q, 2);
	for (int i = 0; i < q.nterms; i++)
	{
		text	   *term = cstring_to_text_with_len(q.terms[i].term.term, q.terms[i].term.len);
		int64		id;
		int32		tf;
		int32		doclen;

		PostingRescan(&probe, term, docid);
		if (PostingNext(&probe, &id, &tf, &doclen))
			score += q.terms[i].weight * Factor(&q, tf, doclen);
	}
	PostingEnd(&probe);
	Bm25End(&q);
	PG_RETURN_FLOAT8(score);
}
