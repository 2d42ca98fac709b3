/*
 * src/search/bm25_cache.c
 *	  A per-backend cache of decoded BM25 posting lists and document
 *	  frequencies, so repeated queries read sorted arrays instead of walking
 *	  the postings btree.  Bounded by vecrag.bm25_cache_size, least recently
 *	  used terms evicted first.
 *
 *	  Exactness: every statement that changes an index's postings also
 *	  appends a row to its _stats table in the same transaction (and folds
 *	  replace rows by new ones), so two snapshots that see exactly the same
 *	  _stats tuples (same TIDs, same inserting transactions, same relfilenodes
 *	  of _stats and _postings) see exactly the same postings and document
 *	  frequencies.  Each search computes that version while it sums the
 *	  corpus statistics (bm25_stats.c); while it equals the version the cache
 *	  last saw, every entry is current.  When it differs, each entry is
 *	  rechecked on its next use, term by term: every statement that changes
 *	  a posting of a term (documents are deleted and inserted whole, so a
 *	  changed length counts) also appends a delta row for the term to the
 *	  _terms table, and folds replace such rows, so a term whose visible
 *	  _terms tuples (TIDs, inserting transactions) are those its entry was
 *	  read under has the same postings and df; the entry is kept, else
 *	  dropped.  A write therefore costs a search one btree probe per cached
 *	  term it uses (the df lookup a miss makes anyway) instead of reloading
 *	  every list.  TRUNCATE and rewrites (new relfilenodes) drop the index's
 *	  entries.  The corpus statistics (N, average length) are always those of
 *	  the search's snapshot: factors are recomputed when the average length
 *	  differs from the one they were computed for.
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "lib/ilist.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"

#include "core/compute_thread.h"
#include "search/search.h"

typedef struct CacheKey
{
	Oid			meta;
	int32		len;
	uint64		hash;
} CacheKey;

typedef struct CacheEntry
{
	CacheKey	key;			/* hash key: must be first */
	char	   *term;			/* len bytes, the term the entry holds */
	Bm25CachedTerm value;
	Bm25TermVersion version;	/* the term's delta rows the value was read under */
	uint64		checked;		/* its index's generation when last known current */
	bool		complete;		/* postings filled in */
	uint64		last_used;		/* query serial */
	Size		bytes;
	dlist_node	lru;			/* most recently used at the head */
} CacheEntry;

/*
 * The index version the cache last saw, and its generation: bumped when
 * the version changes under the same relfilenodes, after which each entry
 * is rechecked against its term's delta rows on its next use.
 */
typedef struct CacheIndex
{
	Oid			meta;
	Bm25StatsVersion version;
	uint64		generation;
	struct CacheIndex *next;
} CacheIndex;

int			search_bm25_cache_size = 65536; /* kB */

static MemoryContext cache_cxt = NULL;
static HTAB *cache = NULL;
static dlist_head lru = DLIST_STATIC_INIT(lru);
static CacheIndex *indexes = NULL;
static Size cache_bytes = 0;
static uint64 query_serial = 0;

static void
CacheInit(void)
{
	HASHCTL		ctl;

	if (cache != NULL)
		return;
	cache_cxt = AllocSetContextCreate(TopMemoryContext, "vecrag BM25 postings cache",
									  ALLOCSET_DEFAULT_SIZES);
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(CacheKey);
	ctl.entrysize = sizeof(CacheEntry);
	ctl.hcxt = cache_cxt;
	cache = hash_create("vecrag BM25 postings cache", 256, &ctl,
						HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
}

static void
RemoveEntry(CacheEntry *entry)
{
	dlist_delete(&entry->lru);
	cache_bytes -= entry->bytes;
	if (entry->term != NULL)
		pfree(entry->term);
	if (entry->value.ids != NULL)
		pfree(entry->value.ids);	/* every array of the list */
	if (entry->value.dense_bits != NULL)
		pfree(entry->value.dense_bits);
	if (entry->version.rows != NULL)
		pfree(entry->version.rows);
	hash_search(cache, &entry->key, HASH_REMOVE, NULL);
}

/* the same tables: no TRUNCATE or rewrite in between */
static bool
FilesEqual(const Bm25StatsVersion *a, const Bm25StatsVersion *b)
{
	return a->stats_file == b->stats_file && a->postings_file == b->postings_file &&
		a->terms_file == b->terms_file;
}

/* the same n version rows: the same tuples, inserted by the same transactions */
static bool
RowsEqual(const Bm25StatsRow *a, const Bm25StatsRow *b, int n)
{
	for (int i = 0; i < n; i++)
		if (!ItemPointerEquals((ItemPointer) &a[i].tid, (ItemPointer) &b[i].tid) ||
			a[i].xmin != b[i].xmin)
			return false;
	return true;
}

static bool
VersionEqual(const Bm25StatsVersion *a, const Bm25StatsVersion *b)
{
	return FilesEqual(a, b) && a->nrows == b->nrows && RowsEqual(a->rows, b->rows, a->nrows);
}

static Size
Budget(void)
{
	return (Size) search_bm25_cache_size * 1024;
}

static CacheIndex *
FindIndex(Oid meta)
{
	CacheIndex *ci;

	for (ci = indexes; ci != NULL; ci = ci->next)
		if (ci->meta == meta)
			break;
	return ci;
}

/*
 * Start a search on index meta whose visible statistics have the given
 * version.  When the version differs from the one the cache last saw, the
 * index's entries must be rechecked term by term before use (a new
 * generation), or are dropped when its tables were truncated or rewritten.
 * Returns whether the cache may be used (it is enabled and the version is
 * known).
 *
 * Never while a job runs on the compute thread: it reads cached lists
 * (hybrid_search's BM25 loop), so a search nested in code the main thread
 * runs meanwhile bypasses the cache, which then stays exactly as it is (no
 * entry added, rescored, evicted or dropped).
 */
bool
Bm25CacheBegin(Oid meta, const Bm25StatsVersion *version)
{
	CacheIndex *ci;
	uint64		generation = 0;

	if (ComputeThreadActive())
		return false;
	query_serial++;
	if (search_bm25_cache_size <= 0 || !version->valid)
	{
		if (cache != NULL)
			Bm25CacheForget(meta);
		return false;
	}
	CacheInit();
	ci = FindIndex(meta);
	if (ci != NULL && VersionEqual(&ci->version, version))
		return true;
	if (ci != NULL && FilesEqual(&ci->version, version))
	{
		generation = ci->generation + 1;
		pfree(ci->version.rows);
	}
	else
	{
		Bm25CacheForget(meta);
		ci = MemoryContextAllocZero(cache_cxt, sizeof(CacheIndex));
		ci->meta = meta;
		ci->next = indexes;
		indexes = ci;
	}
	ci->version = *version;
	ci->version.rows = MemoryContextAlloc(cache_cxt,
										  sizeof(Bm25StatsRow) * Max(version->nrows, 1));
	memcpy(ci->version.rows, version->rows, sizeof(Bm25StatsRow) * version->nrows);
	ci->generation = generation;
	return true;
}

/* drop every entry of index meta and its version */
void
Bm25CacheForget(Oid meta)
{
	HASH_SEQ_STATUS status;
	CacheEntry *entry;
	CacheIndex **prev = &indexes;

	if (cache == NULL)
		return;
	hash_seq_init(&status, cache);
	while ((entry = hash_seq_search(&status)) != NULL)
		if (entry->key.meta == meta)
			RemoveEntry(entry);
	while (*prev != NULL)
	{
		CacheIndex *ci = *prev;

		if (ci->meta == meta)
		{
			*prev = ci->next;
			pfree(ci->version.rows);
			pfree(ci);
		}
		else
			prev = &ci->next;
	}
}

static void
MakeKey(CacheKey *key, Oid meta, const char *term, int len)
{
	memset(key, 0, sizeof(CacheKey));
	key->meta = meta;
	key->len = len;
	key->hash = hash_bytes_extended((const unsigned char *) term, len, 0);
}

static CacheEntry *
EntryOf(Bm25CachedTerm *value)
{
	return (CacheEntry *) ((char *) value - offsetof(CacheEntry, value));
}

/*
 * The cached term of index meta, or NULL (only after Bm25CacheBegin
 * returned true).  *unchecked is set when the index changed since the
 * entry was last known current: the caller must then read the term's
 * version and call Bm25CacheRecheck before using the value.
 */
Bm25CachedTerm *
Bm25CacheLookup(Oid meta, const char *term, int len, bool *unchecked)
{
	CacheKey	key;
	CacheEntry *entry;

	*unchecked = false;
	MakeKey(&key, meta, term, len);
	entry = hash_search(cache, &key, HASH_FIND, NULL);
	if (entry == NULL)
		return NULL;
	if (!entry->complete || memcmp(entry->term, term, len) != 0)
	{
		/* a load that failed half-way, or another term with the same hash */
		RemoveEntry(entry);
		return NULL;
	}
	entry->last_used = query_serial;
	dlist_move_head(&lru, &entry->lru);
	*unchecked = entry->checked != FindIndex(meta)->generation;
	return &entry->value;
}

/*
 * Bm25CacheLookup changing nothing, for the compute thread: the cached term
 * of index meta when its entry is complete, holds term and is known
 * current; NULL otherwise (the caller then looks it up on the main thread).
 * Safe beside the main thread because the cache changes only inside
 * searches, and a search nested in the main thread's work meanwhile
 * bypasses it (Bm25CacheBegin).  Bm25CacheTouch records the use afterwards.
 */
Bm25CachedTerm *
Bm25CachePeek(Oid meta, const char *term, int len)
{
	CacheKey	key;
	CacheEntry *entry;

	MakeKey(&key, meta, term, len);
	entry = hash_search(cache, &key, HASH_FIND, NULL);
	if (entry == NULL || !entry->complete || memcmp(entry->term, term, len) != 0 ||
		entry->checked != FindIndex(meta)->generation)
		return NULL;
	return &entry->value;
}

/* record a use of a term found by Bm25CachePeek, as Bm25CacheLookup does */
void
Bm25CacheTouch(Bm25CachedTerm *value)
{
	CacheEntry *entry = EntryOf(value);

	entry->last_used = query_serial;
	dlist_move_head(&lru, &entry->lru);
}

/*
 * Keep an unchecked entry when the term's delta rows the search sees are
 * those its postings were read under (then they are the same postings);
 * else drop it.  Returns whether it was kept.
 */
bool
Bm25CacheRecheck(Bm25CachedTerm *value, const Bm25TermVersion *version)
{
	CacheEntry *entry = EntryOf(value);

	if (entry->version.nrows >= 0 && version->nrows == entry->version.nrows &&
		RowsEqual(entry->version.rows, version->rows, version->nrows))
	{
		entry->checked = FindIndex(entry->key.meta)->generation;
		return true;
	}
	RemoveEntry(entry);
	return false;
}

/*
 * Evict least recently used terms of earlier searches until bytes more fit
 * the budget; false when they cannot
 */
static bool
MakeRoom(Size bytes)
{
	if (bytes > Budget())
		return false;
	while (cache_bytes + bytes > Budget() && !dlist_is_empty(&lru))
	{
		CacheEntry *victim = dlist_tail_element(CacheEntry, lru, &lru);

		if (victim->last_used == query_serial)
			return false;		/* the rest is in use by this search */
		RemoveEntry(victim);
	}
	return cache_bytes + bytes <= Budget();
}

/*
 * Room for the n postings of a term with document frequency df and their
 * score factors, evicting least recently used terms of earlier searches;
 * NULL when they do not fit.  The caller fills in the ids and stats (the
 * factors are filled by whoever scores with them) and then calls
 * Bm25CacheComplete; an
 * entry left incomplete by an error is discarded on its next lookup.
 */
Bm25CachedTerm *
Bm25CacheReserve(Oid meta, const char *term, int len, int64 df, const Bm25TermVersion *version)
{
	CacheKey	key;
	CacheEntry *entry;
	bool		found;
	Size		bytes = sizeof(CacheEntry) + len +
		sizeof(Bm25StatsRow) * (Size) Max(version->nrows, 0) + 64;

	if (df < 0 || df > (int64) (MaxAllocHugeSize / 32))
		return NULL;
	bytes += Bm25ListBytes(df);
	if (bytes > Budget())
		return NULL;
	if (!MakeRoom(bytes))
		return NULL;
	MakeKey(&key, meta, term, len);
	entry = hash_search(cache, &key, HASH_FIND, NULL);
	if (entry != NULL)
		RemoveEntry(entry);
	entry = hash_search(cache, &key, HASH_ENTER, &found);
	entry->term = NULL;
	entry->value.ids = NULL;
	entry->value.dense_bits = NULL;
	entry->version.nrows = -1;
	entry->version.rows = NULL;
	entry->checked = FindIndex(meta)->generation;
	entry->value.scored = false;
	entry->complete = false;
	entry->bytes = bytes;
	entry->last_used = query_serial;
	dlist_push_head(&lru, &entry->lru);
	cache_bytes += bytes;
	entry->term = MemoryContextAlloc(cache_cxt, Max(len, 1));
	memcpy(entry->term, term, len);
	if (version->nrows >= 0)
	{
		entry->version.rows = MemoryContextAlloc(cache_cxt,
												 sizeof(Bm25StatsRow) * Max(version->nrows, 1));
		memcpy(entry->version.rows, version->rows, sizeof(Bm25StatsRow) * version->nrows);
		entry->version.nrows = version->nrows;
	}
	if (df > 0)
		Bm25ListLayout(&entry->value,
					   MemoryContextAllocExtended(cache_cxt, Bm25ListBytes(df), MCXT_ALLOC_HUGE),
					   df);
	else
		Bm25ListLayout(&entry->value, NULL, 0);
	return &entry->value;
}

/* bytes of the arrays of a list of df postings (Bm25ListLayout) */
Size
Bm25ListBytes(int64 df)
{
	Size		nblocks = ((Size) df + BM25_BLOCK - 1) / BM25_BLOCK;

	return (sizeof(int64) + sizeof(double) + sizeof(Bm25PostingStats)) * (Size) df +
		sizeof(int64) * nblocks;
}

/*
 * Lay out the arrays of a list of df postings in mem (Bm25ListBytes of
 * it, or NULL when df is 0), ids first (freeing ids frees them all); none
 * filled in, the list not scored
 */
void
Bm25ListLayout(Bm25CachedTerm *list, char *mem, int64 df)
{
	list->df = df;
	list->n = 0;
	list->nblocks = (df + BM25_BLOCK - 1) / BM25_BLOCK;
	list->scored = false;
	list->max_factor = 0;
	list->dense_base = 0;
	list->dense_words = 0;
	list->dense_bits = NULL;
	list->dense_rank = NULL;
	if (mem == NULL)
	{
		list->ids = NULL;
		list->factors = NULL;
		list->block_last = NULL;
		list->stats = NULL;
		return;
	}
	list->ids = (int64 *) mem;
	list->factors = (double *) (mem + sizeof(int64) * (Size) df);
	list->block_last = (int64 *) (mem + (sizeof(int64) + sizeof(double)) * (Size) df);
	list->stats = (Bm25PostingStats *) (list->block_last + list->nblocks);
}

/*
 * bytes more for an entry being filled in (its dense_bits: freed with it),
 * counted in its size; NULL when they do not fit
 */
void *
Bm25CacheAllocExtra(Bm25CachedTerm *value, Size bytes)
{
	CacheEntry *entry = EntryOf(value);

	Assert(!entry->complete && value->dense_bits == NULL);
	if (!MakeRoom(bytes))
		return NULL;
	entry->bytes += bytes;
	cache_bytes += bytes;
	return MemoryContextAllocExtended(cache_cxt, bytes, MCXT_ALLOC_HUGE);
}

/* the postings of a reserved entry are filled in */
void
Bm25CacheComplete(Bm25CachedTerm *value)
{
	CacheEntry *entry = EntryOf(value);

	entry->complete = true;
}

void
Bm25CacheDefineSettings(void)
{
	DefineCustomIntVariable("vecrag.bm25_cache_size",
							"Memory per session for decoded BM25 posting lists.",
							"bm25_search and hybrid_search keep the posting lists they read in sorted "
							"arrays and reuse them until the index changes; 0 disables the cache.",
							&search_bm25_cache_size, 65536, 0, MAX_KILOBYTES,
							PGC_USERSET, GUC_UNIT_KB, NULL, NULL, NULL);
}
