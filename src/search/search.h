/*
 * src/search/search.h
 *	  Hybrid search: BM25 over ordinary tables, rank fusion, rerank scoring
 *	  and HyDE query vectors.  One private header for src/search.
 *
 * Design of the BM25 index
 * ------------------------
 * vecrag.bm25_create_index() (SQL, in the install script) registers a text,
 * varchar or tsvector column and creates four ordinary tables next to the
 * source table, all owned by the source table's owner:
 *
 *	 <name>				one row: source table, columns, tokenizer config and the
 *						tables below (the "index" users name); the btrees are
 *						found from the catalog, so a restored dump, whose
 *						indexes are built after its data, works
 *	 <name>_postings	(term, id, tf, doclen), btree (term, id) and btree (id)
 *	 <name>_terms		(term, df) document-frequency deltas, btree (term)
 *	 <name>_stats		(n, len) document-count and total-length deltas
 *
 * Statement-level AFTER triggers with transition tables keep them in step
 * with INSERT, UPDATE (only rows whose text or id changed), DELETE and
 * TRUNCATE, set-based (one INSERT ... SELECT per statement, not per row);
 * row-level triggers enabled only under session_replication_role = replica
 * do the same for logical replication's apply, which fires row triggers only;
 * through a SECURITY DEFINER function owned by the table owner so writers
 * need no rights on the side tables.
 *
 * Why ordinary tables maintained in the writer's transaction: a reader's
 * snapshot then sees N, the average length, every df and every posting
 * exactly as of the same snapshot as the source rows it can see.  Scores are
 * the scores of the visible corpus, never of uncommitted or half-applied
 * changes, with no extra locking; crash safety, WAL, standbys, dump/restore
 * and VACUUM come for free.  The statistics are stored as deltas (each
 * statement appends rows such as ('heat', +3) and (+3 docs, +412 tokens))
 * rather than updated in place, so concurrent writers never wait on one hot
 * row (every document contains "the"); readers sum the deltas of a term
 * through the btree.  Every 32nd writing statement folds the deltas of the
 * terms it touched (under a try-lock, READ COMMITTED only), and
 * vecrag.bm25_compact() folds everything: reads stay exact either way, and
 * frequent terms, being touched often, never carry many deltas.
 *
 * Why not statistics from a GIN index: GIN has no per-term document counts
 * or document lengths, so BM25 would need a heap visit per candidate and a
 * full count per term; ts_rank over GIN scores every matching row.  Here
 * the postings carry tf and the document length, so scoring reads only the
 * btree-ordered postings of the query terms.
 *
 * Top-k retrieval is MaxScore (bm25_search.c): terms sorted by decreasing
 * score upper bound idf * (k1 + 1); once the k-th best score theta exceeds
 * the summed bounds of a suffix of the terms, those terms no longer produce
 * candidates and are only looked up for documents that can still reach
 * theta: a bit test in the list's presence bitmap when it has one (lists
 * dense in their id range), else a galloping seek over the last ids of its
 * blocks of 64 postings and a binary search of one block.  The other
 * (essential) lists are summed list by list over windows of ids (and the
 * next two lists, into the sums of those candidates only: 64 candidates at
 * a time against a presence bitmap), whose candidates then go through the
 * lookups in id order; a lower bound on theta from the shortest lists'
 * partial sums, completed by lookups in the other lists, lets pruning
 * start at the first window.  Scores are summed in term order, as an
 * exhaustive evaluation would, so the result is exact.  Memory is O(k)
 * besides the postings cache.  Lists in memory carry each posting's
 * term-frequency factor in an array parallel to the ids, so a posting
 * scores with one multiplication, and their largest factor tightens the
 * term's bound.
 *
 * Postings cache (bm25_cache.c): decoded posting lists, their factors for
 * the last (k1, b) used, and dfs, per session, reused while the index's
 * visible _stats tuples are unchanged; every write adds or replaces _stats
 * rows, so that set versions what a snapshot sees of the postings exactly.
 * After a write, a cached term is rechecked against its own visible _terms
 * delta rows, which every write to one of its postings adds or folds, and
 * kept when they are unchanged.
 *
 * Dependencies (bm25_depend.c): the side objects are tied to the source
 * table and the extension in pg_depend.  Columns (bm25_columns.c): known
 * by attribute number, from the _apply_update trigger's column list, so an
 * index follows RENAME COLUMN (its maintenance function, which reads them by
 * name, notices the rename and makes itself again).
 *
 * Tokenizer: the default (config NULL) is vecrag's reference tokenizer:
 * ASCII-lowercase the text and take maximal runs of [a-z0-9] as tokens,
 * every occurrence counted, no stemming, no stop words (the tokens of
 * Python's re.findall("[a-z0-9]+", text.lower()) for ASCII text; other
 * bytes separate tokens).  PostgreSQL's 'simple' configuration differs: its
 * parser keeps "boundary-layer" as a compound plus its parts, "1.5" and
 * "2.5e-3" as single number tokens, e-mail addresses, URLs and file paths as
 * single tokens, and non-ASCII letters inside words.  Any regconfig can be
 * chosen instead (terms and frequencies then come from to_tsvector); a
 * tsvector column is used as stored (tf = number of positions, 1 when
 * stripped; PostgreSQL keeps at most 256 positions per lexeme).
 */
#ifndef VECRAG_SEARCH_H
#define VECRAG_SEARCH_H

#include "postgres.h"

#include "catalog/pg_class.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "storage/itemptr.h"
#include "storage/lockdefs.h"
#include "utils/array.h"
#include "utils/snapshot.h"

#include "vector/vector.h"

/* longest token indexed; longer runs are skipped (a btree entry must fit a page) */
#define VECRAG_BM25_MAX_TERM_LEN	1000

/* one distinct term of a document or query */
typedef struct SearchTerm
{
	char	   *term;			/* not NUL-terminated */
	int			len;
	int			tf;				/* occurrences */
} SearchTerm;

/* a registered BM25 index, as read from its metadata table */
typedef struct Bm25Index
{
	Oid			meta;
	Oid			source;
	char	   *text_column;
	char	   *id_column;
	Oid			config;			/* InvalidOid: vecrag tokenizer */
	bool		source_is_tsvector;
	Oid			postings;
	Oid			postings_index; /* btree (term, id) */
	Oid			terms;
	Oid			terms_index;	/* btree (term) */
	Oid			stats;
} Bm25Index;

/* what a posting's factor is computed from */
typedef struct Bm25PostingStats
{
	int32		tf;
	int32		doclen;
} Bm25PostingStats;

/* postings per block of a list in memory (a seek skips whole blocks) */
#define BM25_BLOCK			64

/*
 * A term's document frequency and postings sorted by id, as cached (or
 * read for one search), in parallel arrays: the ids, each posting's
 * term-frequency factor tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl /
 * avgdl)) for one (k1, b, average length), and the stats they are computed
 * from; a search with other parameters recomputes the factors.  Per block
 * of BM25_BLOCK postings, its last id: a seek gallops over these, then
 * searches one block (8 bytes of ids a posting, not 16 with the factor).
 * A list whose ids are dense in their range may also have a presence
 * bitmap of that range with the number of postings before each 64-bit
 * word, so a document's posting is found by a bit test and a population
 * count (bm25_search.c, BuildDense).
 */
typedef struct Bm25CachedTerm
{
	int64		df;
	int64		n;				/* postings filled in (df once complete) */
	int64	   *ids;			/* df entries, ascending */
	double	   *factors;		/* df entries */
	Bm25PostingStats *stats;	/* df entries */
	int64		nblocks;		/* ceil(df / BM25_BLOCK) */
	int64	   *block_last;		/* nblocks entries: last id of each block */
	double		max_factor;		/* the largest factor */
	/* optional presence bitmap of ids dense_base .. + 64 * dense_words - 1 */
	int64		dense_base;
	int64		dense_words;
	uint64	   *dense_bits;		/* NULL when the list has none */
	uint32	   *dense_rank;		/* postings before each word */
	bool		scored;			/* factors and max_factor hold values for: */
	double		k1;
	double		b;
	double		avgdl;
} Bm25CachedTerm;

/* one visible row of an index's _stats table, for Bm25StatsVersion */
typedef struct Bm25StatsRow
{
	ItemPointerData tid;
	TransactionId xmin;
} Bm25StatsRow;

/*
 * Which _stats tuples a snapshot sees: equal versions see equal postings
 * (see bm25_cache.c).  valid is false when it cannot be told (a table
 * access method other than heap).
 */
typedef struct Bm25StatsVersion
{
	bool		valid;
	Oid			stats_file;
	Oid			postings_file;
	Oid			terms_file;
	int			nrows;
	Bm25StatsRow *rows;			/* in scan order */
} Bm25StatsVersion;

/*
 * Which delta rows of one term a snapshot sees in the _terms table: every
 * statement that changes a posting of the term adds or folds such a row, so
 * equal sets (under the same relfilenodes) see equal postings of the term.
 * nrows is -1 when it cannot be told (a table access method other than
 * heap).
 */
typedef struct Bm25TermVersion
{
	int			nrows;
	Bm25StatsRow *rows;			/* in scan order */
} Bm25TermVersion;

/* one scored document */
typedef struct SearchHit
{
	int64		id;
	double		score;
} SearchHit;

/* a ranked list as fusion sees it: ids best first, optional scores */
typedef struct SearchList
{
	int			n;
	int64	   *ids;
	double	   *scores;			/* NULL when the list has ranks only */
	double		weight;
} SearchList;

/* a fused result row: per-list rank (0 = absent) and normalised score */
typedef struct SearchFused
{
	int64		id;
	double		score;
	int		   *ranks;			/* nlists entries */
	double	   *values;			/* nlists entries: input scores, NaN if absent */
} SearchFused;

typedef enum SearchNormalization
{
	SEARCH_NORM_NONE,
	SEARCH_NORM_MINMAX,
	SEARCH_NORM_ZSCORE,
	SEARCH_NORM_DISTANCE
} SearchNormalization;

/* guc.c */
extern char *search_reranker;
extern char *search_hyde_generator;
extern char *search_hyde_embedder;
extern bool search_hybrid_parallel;
extern int	search_bm25_cache_size;
extern void SearchInit(void);

/* tokenize.c */
extern SearchTerm *SearchDocumentTerms(text *doc, Oid config, int *nterms, int64 *doclen);
extern SearchTerm *SearchTsvectorTerms(Datum tsvector, int *nterms, int64 *doclen);
extern int	SearchTermCompare(const void *a, const void *b);
extern int	SearchReferenceTermsInto(const char *src, int len, char *buf, SearchTerm *terms);

/* the most tokens text of len bytes can hold (one byte and a separator each) */
#define SearchReferenceTermsMax(len)	((len) / 2 + 1)

/* util.c */
extern Tuplestorestate *SearchBeginResult(FunctionCallInfo fcinfo, TupleDesc *tupdesc);
extern void SearchCheckK(int k, const char *what);
extern void SearchCheckTableAccess(Oid relid, const char **columns, int ncolumns);
extern void SearchLockRelation(Oid relid, LOCKMODE lockmode);
extern SearchNormalization SearchParseNormalization(const char *name);
extern int64 *SearchInt8Array(ArrayType *array, const char *what, int *n);
extern double *SearchFloat8Array(ArrayType *array, const char *what, int *n);
extern Vector **SearchVectorArray(FunctionCallInfo fcinfo, int argno, const char *what,
								  int *n, int *dim);

/* bm25_stats.c */
extern FormData_pg_class SearchClassRow(Oid relid);
extern void Bm25OpenIndex(Oid meta, Bm25Index *index);
extern Oid	Bm25FindIndex(Oid source);
extern void Bm25CorpusStats(Bm25Index *index, Snapshot snapshot, int64 *ndocs, double *avgdl,
							Bm25StatsVersion *version);
extern int64 Bm25DocumentFrequency(Relation terms, Relation terms_index, Snapshot snapshot,
								   const char *term, int len, Bm25TermVersion *version);

/* bm25_columns.c */
extern bool Bm25IndexColumns(Oid meta, Oid source, AttrNumber *textatt, AttrNumber *idatt);

/* bm25_cache.c */
extern void Bm25CacheDefineSettings(void);
extern bool Bm25CacheBegin(Oid meta, const Bm25StatsVersion *version);
extern void Bm25CacheForget(Oid meta);
extern Bm25CachedTerm *Bm25CacheLookup(Oid meta, const char *term, int len, bool *unchecked);
extern Bm25CachedTerm *Bm25CachePeek(Oid meta, const char *term, int len);
extern void Bm25CacheTouch(Bm25CachedTerm *value);
extern bool Bm25CacheRecheck(Bm25CachedTerm *value, const Bm25TermVersion *version);
extern Bm25CachedTerm *Bm25CacheReserve(Oid meta, const char *term, int len, int64 df,
										const Bm25TermVersion *version);
extern void Bm25CacheComplete(Bm25CachedTerm *value);
extern void *Bm25CacheAllocExtra(Bm25CachedTerm *value, Size bytes);
extern Size Bm25ListBytes(int64 df);
extern void Bm25ListLayout(Bm25CachedTerm *list, char *mem, int64 df);

/* bm25_search.c */
typedef struct Bm25TopKState Bm25TopKState;
extern SearchHit *Bm25TopK(const Bm25Index *index, text *query, int k, double k1, double b,
						   int *nhits);
extern Bm25TopKState *Bm25TopKBegin(const Bm25Index *index, text *query, int k, double k1,
									double b);
extern Bm25TopKState *Bm25TopKBeginApart(const Bm25Index *index, text *query, int k, double k1,
										 double b);
extern void Bm25TopKResume(Bm25TopKState *st);
extern bool Bm25TopKApart(const Bm25TopKState *st);
extern void Bm25TopKRun(Bm25TopKState *st);
extern void Bm25TopKPrepareApart(void);
extern void Bm25TopKRunApart(void *arg);
extern void Bm25TopKSplit(Bm25TopKState *st);
extern SearchHit *Bm25TopKEnd(Bm25TopKState *st, int *nhits);

/* index_order_scan.c */
extern bool SearchIndexOrderScan(SPIPlanPtr plan, Oid relid, AttrNumber idatt, const char *idcol,
								 AttrNumber vecatt, Datum query, int limit, MemoryContext cxt,
								 SearchList *list);

/* fusion.c */
extern SearchFused *SearchFuse(SearchList *lists, int nlists, bool rrf, int rrf_k,
							   SearchNormalization *norms, int *nresult);

#endif							/* VECRAG_SEARCH_H */
