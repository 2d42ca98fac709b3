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
 *	  corpus statistics (bm25_stats.c); when it differs from the version the
 *	  cached lists of the index were read under, they are dropped.  Any
 *	  committed or aborted write, TRUNCATE, compaction or rewrite therefore
 *	  invalidates the index's entries; reads between writes share them.
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "lib/ilist.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"

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
	bool		complete;		/* postings filled in */
	uint64		last_used;		/* query serial */
	Size		bytes;
	dlist_node	lru;			/* most recently used at the head */
} CacheEntry;

/* the version an index's cached entries were read under */
typedef struct CacheIndex
{
	Oid			meta;
	Bm25StatsVersion version;
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
	if (entry->value.postings != NULL)
		pfree(entry->value.postings);
	if (entry->value.stats != NULL)
		pfree(entry->value.stats);
	hash_search(cache, &entry->key, HASH_REMOVE, NULL);
}

static bool
VersionEqual(const Bm25StatsVersion *a, const Bm25StatsVersion *b)
{
	if (a->stats_file != b->stats_file || a->postings_file != b->postings_file ||
		a->nrows != b->nrows)
		return false;
	for (int i = 0; i < a->nrows; i++)
		if (!ItemPointerEquals((ItemPointer) &a->rows[i].tid, (ItemPointer) &b->rows[i].tid) ||
			a->rows[i].xmin != b->rows[i].xmin)
			return false;
	return true;
}

static Size
Budget(void)
{
	return (Size) search_bm25_cache_size * 1024;
}

/*
 * Start a search on index meta whose visible statistics have the given
 * version.  Drops the index's entries read under another version.  Returns
 * whether the cache may be used (it is enabled and the version is known).
 */
bool
Bm25CacheBegin(Oid meta, const Bm25StatsVersion *version)
{
	CacheIndex *ci;

	query_serial++;
	if (search_bm25_cache_size <= 0 || !version->valid)
	{
		if (cache != NULL)
			Bm25CacheForget(meta);
		return false;
	}
	CacheInit();
	for (ci = indexes; ci != NULL; ci = ci->next)
		if (ci->meta == meta)
			break;
	if (ci != NULL && VersionEqual(&ci->version, version))
		return true;
	Bm25CacheForget(meta);
	ci = MemoryContextAllocZero(cache_cxt, sizeof(CacheIndex));
	ci->meta = meta;
	ci->version = *version;
	ci->version.rows = MemoryContextAlloc(cache_cxt,
										  sizeof(Bm25StatsRow) * Max(version->nrows, 1));
	memcpy(ci->version.rows, version->rows, sizeof(Bm25StatsRow) * version->nrows);
	ci->next = indexes;
	indexes = ci;
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

/* the cached term of index meta, or NULL (only after Bm25CacheBegin returned true) */
Bm25CachedTerm *
Bm25CacheLookup(Oid meta, const char *term, int len)
{
	CacheKey	key;
	CacheEntry *entry;

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
	return &entry->value;
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
Bm25CacheReserve(Oid meta, const char *term, int len, int64 df)
{
	CacheKey	key;
	CacheEntry *entry;
	bool		found;
	Size		bytes = sizeof(CacheEntry) + len +
		(sizeof(Bm25Posting) + sizeof(Bm25PostingStats)) * (Size) df + 64;

	if (df < 0 || bytes > Budget() || df > (int64) (MaxAllocHugeSize / sizeof(Bm25Posting)))
		return NULL;
	while (cache_bytes + bytes > Budget() && !dlist_is_empty(&lru))
	{
		CacheEntry *victim = dlist_tail_element(CacheEntry, lru, &lru);

		if (victim->last_used == query_serial)
			return NULL;		/* the rest is in use by this search */
		RemoveEntry(victim);
	}
	MakeKey(&key, meta, term, len);
	entry = hash_search(cache, &key, HASH_FIND, NULL);
	if (entry != NULL)
		RemoveEntry(entry);
	entry = hash_search(cache, &key, HASH_ENTER, &found);
	entry->term = NULL;
	entry->value.postings = NULL;
	entry->value.stats = NULL;
	entry->value.scored = false;
	entry->complete = false;
	entry->bytes = bytes;
	entry->last_used = query_serial;
	dlist_push_head(&lru, &entry->lru);
	cache_bytes += bytes;
	entry->term = MemoryContextAlloc(cache_cxt, Max(len, 1));
	memcpy(entry->term, term, len);
	entry->value.df = df;
	entry->value.n = 0;
	entry->value.postings = df > 0 ?
		MemoryContextAllocExtended(cache_cxt, sizeof(Bm25Posting) * (Size) df, MCXT_ALLOC_HUGE) : NULL;
	entry->value.stats = df > 0 ?
		MemoryContextAllocExtended(cache_cxt, sizeof(Bm25PostingStats) * (Size) df, MCXT_ALLOC_HUGE) : NULL;
	return &entry->value;
}

/* the postings of a reserved entry are filled in */
void
Bm25CacheComplete(Bm25CachedTerm *value)
{
	CacheEntry *entry = (CacheEntry *) ((char *) value - offsetof(CacheEntry, value));

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
