/*
 * src/graph/cache.c
 *	  The adjacency cache: a registered graph's edges kept in backend memory
 *	  across calls, in compact arrays, under a key that identifies exactly
 *	  which edges a snapshot sees.
 *
 * Design note.  vecrag.set_graph_cache puts a BEFORE INSERT OR UPDATE OR
 * DELETE OR TRUNCATE ... FOR EACH STATEMENT trigger (enabled ALWAYS) on the
 * edge table; it sets the table's row in vecrag.graph_versions to a fresh
 * nextval() before the statement touches any edge, in the same transaction.
 * Writers therefore serialize on that row, a transaction's edge writes
 * become visible exactly when its version does, and a later writer updates
 * the row only after the earlier one has committed (so a snapshot that sees
 * version v sees every writer up to v and none after).  Writes that fire no
 * trigger can only happen while the trigger is disabled or absent; enabling
 * or creating it again takes a lock that waits for those writers and gives
 * the trigger's pg_trigger row a new xmin.  So under snapshot S the key
 *     (table, its relfilenode, version row as S sees it,
 *      xmin of the enabled trigger row as S sees it, graph columns)
 * determines the set of edges S sees, and in which physical order.
 * GraphLookup reads the version and trigger rows under the caller's
 * snapshot; it refuses the cache (index scans instead) when either row was
 * written by the caller's own transaction, when no enabled trigger is
 * visible, or when the table is a logical replication target (apply fires
 * no statement triggers).
 *
 * An entry holds, built lazily under the caller's snapshot: for each
 * direction the edges in the order of a full scan of the index that the
 * index path would read (so traversals see edges in exactly the order an
 * index scan returns them), and the whole table in physical order for
 * PageRank and communities (so their sums run in the same order as a
 * sequential scan).  A build that needs more than vecrag.graph_cache_size
 * is abandoned and the entry marked too big: calls then read the indexes.
 * After each build the least recently used unpinned entries are dropped
 * until the cache fits the cap again.  Relcache invalidation of the table
 * or one of its indexes (any DDL) drops its entries; entries in use are
 * only marked and dropped at the end of the transaction.
 */
#include "postgres.h"

#ifndef WIN32
#include <sys/mman.h>
#endif

#include "access/xact.h"
#include "common/hashfn.h"
#include "miscadmin.h"
#include "storage/predicate.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "graph/graph.h"

/* vecrag.graph_cache_size, in kB */
static int	graph_cache_size = 131072;

static GraphCache *cache_list = NULL;
static uint64 cache_clock = 0;

static void FreeCache(GraphCache *cache);
static void InvalidateRelation(Datum arg, Oid relid);
static void EndOfTransaction(XactEvent event, void *arg);
static int64 CacheBytes(void);
static void EvictToFit(void);
static bool BuildTooBig(GraphCache *cache, MemoryContext bcxt);
static int32 InternRelation(GraphCache *cache, const char *name, int len);
static void PlaceTraversalArrays(GraphAdjacency *adj);

void
GraphCacheInit(void)
{
	DefineCustomIntVariable("vecrag.graph_cache_size",
							"Memory each backend may keep for cached graph adjacency.",
							"Graphs whose tables have a cache trigger (vecrag.set_graph_cache) are kept in backend memory up to this size; 0 turns the cache off.",
							&graph_cache_size, 131072, 0, MAX_KILOBYTES,
							PGC_USERSET, GUC_UNIT_KB, NULL, NULL, NULL);
	CacheRegisterRelcacheCallback(InvalidateRelation, (Datum) 0);
	RegisterXactCallback(EndOfTransaction, NULL);
}

/* Unlink and free one entry (never one in use). */
static void
FreeCache(GraphCache *cache)
{
	GraphCache **link;

	for (link = &cache_list; *link != NULL; link = &(*link)->next)
		if (*link == cache)
		{
			*link = cache->next;
			break;
		}
	MemoryContextDelete(cache->cxt);
}

/*
 * Relcache callback: DDL on a table or one of its indexes (relid), or a
 * cache reset (InvalidOid).  Does no catalog access.
 */
static void
InvalidateRelation(Datum arg, Oid relid)
{
	GraphCache *cache = cache_list;

	while (cache != NULL)
	{
		GraphCache *next = cache->next;

		if (relid == InvalidOid || cache->relid == relid ||
			(cache->adj[0] && cache->adj[0]->indexoid == relid) ||
			(cache->adj[1] && cache->adj[1]->indexoid == relid))
		{
			if (cache->pins > 0)
				cache->dead = true;
			else
				FreeCache(cache);
		}
		cache = next;
	}
}

/* Calls never outlive their transaction: drop pins an error left behind. */
static void
EndOfTransaction(XactEvent event, void *arg)
{
	GraphCache *cache = cache_list;

	if (event != XACT_EVENT_COMMIT && event != XACT_EVENT_ABORT &&
		event != XACT_EVENT_PARALLEL_COMMIT && event != XACT_EVENT_PARALLEL_ABORT &&
		event != XACT_EVENT_PREPARE)
		return;
	while (cache != NULL)
	{
		GraphCache *next = cache->next;

		cache->pins = 0;
		if (cache->dead)
			FreeCache(cache);
		else if (cache->toobig)
			MemoryContextDeleteChildren(cache->cxt);
		cache = next;
	}
}

static int64
CacheBytes(void)
{
	GraphCache *cache;
	int64		total = 0;

	for (cache = cache_list; cache != NULL; cache = cache->next)
		total += MemoryContextMemAllocated(cache->cxt, true);
	return total;
}

/* Drop least recently used entries not in use until the cache fits. */
static void
EvictToFit(void)
{
	int64		cap = (int64) graph_cache_size * 1024;

	while (CacheBytes() > cap)
	{
		GraphCache *cache,
				   *victim = NULL;

		for (cache = cache_list; cache != NULL; cache = cache->next)
			if (cache->pins == 0 && (victim == NULL || cache->used < victim->used))
				victim = cache;
		if (victim == NULL)
			break;
		FreeCache(victim);
	}
}

/*
 * Has a build outgrown the cap?  Then drop what it built and remember that
 * this entry is too big, so later calls go straight to the indexes.  What
 * the entry already held (another direction, the edge list) may be read by
 * another reader of the same call: it is freed when the last pin goes.
 */
static bool
BuildTooBig(GraphCache *cache, MemoryContext bcxt)
{
	int64		cap = (int64) graph_cache_size * 1024;

	CHECK_FOR_INTERRUPTS();
	if ((int64) (MemoryContextMemAllocated(bcxt, true) +
				 MemoryContextMemAllocated(cache->cxt, true)) <= cap)
		return false;
	MemoryContextDelete(bcxt);
	cache->toobig = true;
	cache->adj[0] = cache->adj[1] = NULL;
	cache->list = NULL;
	memset(cache->csr, 0, sizeof(cache->csr));
	return true;
}

/* The code of a relation name (-1 for NULL), added on first sight. */
static int32
InternRelation(GraphCache *cache, const char *name, int len)
{
	uint32		h;
	int32		slot;

	if (len < 0)
		return -1;
	if (cache->nrelations * 2 >= cache->nslots)
	{
		int32		nslots = Max(64, cache->nslots * 2);
		int32	   *slots = MemoryContextAllocZero(cache->cxt, sizeof(int32) * nslots);
		int32		i;

		for (i = 0; i < cache->nrelations; i++)
		{
			slot = hash_bytes((const unsigned char *) cache->relnames[i],
							  cache->rellens[i]) & (nslots - 1);
			while (slots[slot] != 0)
				slot = (slot + 1) & (nslots - 1);
			slots[slot] = i + 1;
		}
		if (cache->relslots)
			pfree(cache->relslots);
		cache->relslots = slots;
		cache->nslots = nslots;
	}
	h = hash_bytes((const unsigned char *) name, len);
	for (slot = h & (cache->nslots - 1); cache->relslots[slot] != 0;
		 slot = (slot + 1) & (cache->nslots - 1))
	{
		int32		code = cache->relslots[slot] - 1;

		if (cache->rellens[code] == len && memcmp(cache->relnames[code], name, len) == 0)
			return code;
	}
	if (cache->nrelations == cache->relcap)
	{
		cache->relcap = Max(16, cache->relcap * 2);
		if (cache->relnames == NULL)
		{
			cache->relnames = MemoryContextAlloc(cache->cxt, sizeof(char *) * cache->relcap);
			cache->rellens = MemoryContextAlloc(cache->cxt, sizeof(int) * cache->relcap);
		}
		else
		{
			cache->relnames = repalloc(cache->relnames, sizeof(char *) * cache->relcap);
			cache->rellens = repalloc(cache->rellens, sizeof(int) * cache->relcap);
		}
	}
	cache->relnames[cache->nrelations] = MemoryContextAlloc(cache->cxt, Max(len, 1));
	memcpy(cache->relnames[cache->nrelations], name, len);
	cache->rellens[cache->nrelations] = len;
	cache->relslots[slot] = cache->nrelations + 1;
	return cache->nrelations++;
}

/*
 * The cache entry for def's table as the caller's snapshot sees it, pinned
 * until GraphCacheRelease; NULL when the call must read the indexes
 * instead.  For callers under row-level security, this call's own
 * policy-filtered edges.  The caller has opened heap with GraphOpenTable
 * (privileges checked).
 */
GraphCache *
GraphCacheAcquire(const GraphDef *def, Relation heap)
{
	GraphCache *cache;
	MemoryContext cxt;
	Oid			relnode = VecRelFileNumber(heap);
	AttrNumber	attnos[5] = {def->src_attno, def->dst_attno, def->edge_attno,
	def->relation_attno, def->weight_attno};

	if (def->rls)
	{
		if (def->rls_edges == NULL)
			((GraphDef *) def)->rls_edges = GraphReadPolicyEdges((GraphDef *) def, heap);
		return def->rls_edges;
	}
	if (!def->cacheable || graph_cache_size == 0)
		return NULL;

	/*
	 * Reading the cache takes no page-level predicate locks: under
	 * SERIALIZABLE, lock the whole table, as a sequential scan would.
	 */
	if (IsolationIsSerializable())
		PredicateLockRelation(heap, GetActiveSnapshot());
	EvictToFit();				/* vecrag.graph_cache_size may have been lowered */
	for (cache = cache_list; cache != NULL; cache = cache->next)
		if (!cache->dead && cache->relid == def->relid && cache->relnode == relnode &&
			cache->version == def->cache_version &&
			cache->trigger_xmin == def->cache_trigger_xmin &&
			memcmp(cache->attnos, attnos, sizeof(attnos)) == 0)
		{
			if (cache->toobig)
				return NULL;
			cache->pins++;
			cache->used = ++cache_clock;
			return cache;
		}
	cxt = AllocSetContextCreate(TopMemoryContext, "vecrag graph cache",
								ALLOCSET_SMALL_SIZES);
	cache = MemoryContextAllocZero(cxt, sizeof(GraphCache));
	cache->cxt = cxt;
	cache->relid = def->relid;
	cache->relnode = relnode;
	cache->version = def->cache_version;
	cache->trigger_xmin = def->cache_trigger_xmin;
	memcpy(cache->attnos, attnos, sizeof(attnos));
	cache->pins = 1;
	cache->used = ++cache_clock;
	cache->next = cache_list;
	cache_list = cache;
	return cache;
}

void
GraphCacheRelease(GraphCache *cache)
{
	if (cache == NULL || cache->is_private)
		return;
	if (cache->pins > 0)
		cache->pins--;
	if (cache->pins == 0 && cache->dead)
		FreeCache(cache);
	else if (cache->pins == 0 && cache->toobig)
		MemoryContextDeleteChildren(cache->cxt);
}

/*
 * The edges of one direction, read through index indexoid if not yet
 * cached; NULL when they do not fit the cache (read the index instead).
 */
const GraphAdjacency *
GraphCacheAdjacency(GraphCache *cache, const GraphDef *def, Relation heap,
					bool inbound, Oid indexoid)
{
	GraphAdjacency *adj = cache->adj[inbound ? 1 : 0];
	Relation	index;
	Oid			indexnode;
	MemoryContext bcxt,
				old;
	GraphReader *reader;
	GraphEdgeRow row;
	Oid			readoid;
	int64		cap = 4096,
				keycap = 1024;

	if (cache->is_private)
		return adj;
	if (cache->toobig)
		return NULL;
	index = index_open(indexoid, AccessShareLock);
	indexnode = VecRelFileNumber(index);
	index_close(index, AccessShareLock);
	if (adj != NULL && adj->indexoid == indexoid && adj->indexnode == indexnode)
		return adj;

	/* build into a context of this call: an error frees it */
	bcxt = AllocSetContextCreate(CurrentMemoryContext, "vecrag graph cache build",
								 ALLOCSET_DEFAULT_SIZES);
	reader = GraphReaderOpenIndexed(def, heap, inbound, &readoid);
	Assert(readoid == indexoid);
	GraphReaderScanAll(reader);
	old = MemoryContextSwitchTo(bcxt);
	adj = palloc0(sizeof(GraphAdjacency));
	adj->indexoid = indexoid;
	adj->indexnode = indexnode;
	adj->keys = GraphAllocHuge(sizeof(int64) * keycap);
	adj->offsets = GraphAllocHuge(sizeof(int64) * (keycap + 1));
	adj->other = GraphAllocHuge(sizeof(int64) * cap);
	adj->weights = GraphAllocHuge(sizeof(float4) * cap);
	adj->relations = GraphAllocHuge(sizeof(int32) * cap);
	MemoryContextSwitchTo(old);
	while (GraphReaderNext(reader, &row))
	{
		int64		n = adj->nedges;

		if (adj->nkeys == 0 || row.from != adj->keys[adj->nkeys - 1])
		{
			if (adj->nkeys == keycap)
			{
				keycap *= 2;
				adj->keys = repalloc_huge(adj->keys, sizeof(int64) * keycap);
				adj->offsets = repalloc_huge(adj->offsets, sizeof(int64) * (keycap + 1));
			}
			Assert(adj->nkeys == 0 || row.from > adj->keys[adj->nkeys - 1]);
			adj->offsets[adj->nkeys] = n;
			adj->keys[adj->nkeys++] = row.from;
		}
		if (n == cap)
		{
			cap *= 2;
			adj->other = repalloc_huge(adj->other, sizeof(int64) * cap);
			adj->weights = repalloc_huge(adj->weights, sizeof(float4) * cap);
			adj->relations = repalloc_huge(adj->relations, sizeof(int32) * cap);
			if (BuildTooBig(cache, bcxt))
			{
				GraphReaderClose(reader);
				return NULL;
			}
		}
		adj->other[n] = row.to;
		adj->weights[n] = row.edge.weight;
		adj->relations[n] = InternRelation(cache, row.relation, row.relation_len);
		adj->nedges++;
		if ((n & 65535) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	GraphReaderClose(reader);
	adj->offsets[adj->nkeys] = adj->nedges;
	adj->map = GraphAdjacencyMap(adj, bcxt);
	old = MemoryContextSwitchTo(bcxt);
	GraphAdjacencyNumber(adj);
	if (adj->ids != NULL)
		PlaceTraversalArrays(adj);
	MemoryContextSwitchTo(old);
	if (BuildTooBig(cache, bcxt))
		return NULL;
	MemoryContextSetParent(bcxt, cache->cxt);
	cache->adj[inbound ? 1 : 0] = adj;
	EvictToFit();
	return adj;
}

/*
 * Size an edge list's arrays for cap edges: allocated in the current memory
 * context the first time, grown in their own afterwards.
 */
void
GraphEdgeListResize(GraphEdgeList *list, int64 cap)
{
	if (list->src == NULL)
	{
		list->src = GraphAllocHuge(sizeof(int64) * cap);
		list->dst = GraphAllocHuge(sizeof(int64) * cap);
		list->weights = GraphAllocHuge(sizeof(float4) * cap);
		list->relations = GraphAllocHuge(sizeof(int32) * cap);
		return;
	}
	list->src = repalloc_huge(list->src, sizeof(int64) * cap);
	list->dst = repalloc_huge(list->dst, sizeof(int64) * cap);
	list->weights = repalloc_huge(list->weights, sizeof(float4) * cap);
	list->relations = repalloc_huge(list->relations, sizeof(int32) * cap);
}

/*
 * Every edge of the table in physical order, read by a sequential scan if
 * not yet cached; NULL when it does not fit the cache.
 */
const GraphEdgeList *
GraphCacheEdgeList(GraphCache *cache, const GraphDef *def, Relation heap)
{
	GraphEdgeList *list = cache->list;
	MemoryContext bcxt,
				old;
	GraphReader *reader;
	GraphEdgeRow row;
	int64		cap = 4096;

	if (list != NULL || cache->is_private)
		return list;
	if (cache->toobig)
		return NULL;
	bcxt = AllocSetContextCreate(CurrentMemoryContext, "vecrag graph cache build",
								 ALLOCSET_DEFAULT_SIZES);
	reader = GraphReaderOpenSeq(def, heap, NULL, true);
	old = MemoryContextSwitchTo(bcxt);
	list = palloc0(sizeof(GraphEdgeList));
	if (heap->rd_rel->reltuples > 0)
		cap = Max(cap, (int64) Min(heap->rd_rel->reltuples * 1.05 + 1024,
								   (float8) graph_cache_size * 1024 / 24));
	GraphEdgeListResize(list, cap);
	MemoryContextSwitchTo(old);
	if (BuildTooBig(cache, bcxt))
	{
		GraphReaderClose(reader);
		return NULL;
	}
	while (GraphReaderNext(reader, &row))
	{
		int64		n = list->n;

		if (n == cap)
		{
			cap *= 2;
			GraphEdgeListResize(list, cap);
			if (BuildTooBig(cache, bcxt))
			{
				GraphReaderClose(reader);
				return NULL;
			}
		}
		list->src[n] = row.edge.src;
		list->dst[n] = row.edge.dst;
		list->weights[n] = row.edge.weight;
		list->relations[n] = InternRelation(cache, row.relation, row.relation_len);
		list->n++;
		if ((n & 65535) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	GraphReaderClose(reader);
	if (BuildTooBig(cache, bcxt))
		return NULL;
	MemoryContextSetParent(bcxt, cache->cxt);
	cache->list = list;
	EvictToFit();
	return list;
}

/*
 * Keep what a caller built in bcxt (a child of its call context) as part
 * of cache, if it fits; otherwise free it, mark the entry too big and
 * return false.
 */
bool
GraphCacheAdopt(GraphCache *cache, MemoryContext bcxt)
{
	if (BuildTooBig(cache, bcxt))
		return false;
	MemoryContextSetParent(bcxt, cache->cxt);
	EvictToFit();
	return true;
}

/* A hash map from each key of adj to its index, in cxt. */
GraphNodeMap *
GraphAdjacencyMap(const GraphAdjacency *adj, MemoryContext cxt)
{
	GraphNodeMap *map = GraphNodeMapCreate(cxt, (uint32) Min(adj->nkeys * 2L + 16, PG_UINT32_MAX / 2));
	int32		i;
	bool		found;

	for (i = 0; i < adj->nkeys; i++)
	{
		if ((i & 65535) == 0)
			CHECK_FOR_INTERRUPTS();
		GraphNodeMapInsert(map, adj->keys[i], i, &found);
	}
	return map;
}

/* words of a visited bitmap over n nodes */
#define VISITED_WORDS(n) ((Size) (n) / 64 + 1)

/* the huge pages that cached traversal arrays are placed in */
#define HUGE_PAGE_SIZE ((Size) 2 * 1024 * 1024)

/* MADV_COLLAPSE (Linux 6.1) is in the kernel's headers before libc's */
#if defined(__linux__) && defined(MADV_HUGEPAGE) && !defined(MADV_COLLAPSE)
#define MADV_COLLAPSE 25
#endif

/* how many binary searches GraphAdjacencyNodes runs in step */
#define LOCKSTEP 16

/* an id as an unsigned key that sorts as the signed id does */
#define SORTKEY(id) ((uint64) (id) ^ (UINT64CONST(1) << 63))
#define RADIX_BITS 11

/*
 * Number the nodes of adj: every end of its edges, keys and others alike,
 * by ascending id.  The numbering depends only on the set of edges, so the
 * two directions of one edge set (one cache entry) number their nodes
 * alike.  The edges are put in order of their other end by a radix sort of
 * their positions (11 bits a pass, skipping the digits in which all ids
 * agree), which is then merged with the keys.  The arrays are
 * allocated in the current memory context; adj->ids stays NULL when keys
 * are not ascending (an index in descending order) or the nodes would not
 * fit an int32.
 */
void
GraphAdjacencyNumber(GraphAdjacency *adj)
{
	int64		nedges = adj->nedges;
	const int64 *other = adj->other;
	uint32	   *perm,
			   *tmp;
	int64		i,
				j,
				k,
				n;
	int			shift;
	uint64		varying = 0;	/* the bits in which some ids differ */

	for (k = 1; k < adj->nkeys; k++)
		if (adj->keys[k] <= adj->keys[k - 1])
			return;
	if (nedges >= PG_INT32_MAX / 2)
		return;
	perm = GraphAllocHuge(sizeof(uint32) * Max(nedges, 1));
	tmp = GraphAllocHuge(sizeof(uint32) * Max(nedges, 1));
	for (i = 0; i < nedges; i++)
	{
		perm[i] = (uint32) i;
		varying |= SORTKEY(other[i]) ^ SORTKEY(other[0]);
	}
	for (shift = 0; shift < 64; shift += RADIX_BITS)
	{
		int64		count[1 << RADIX_BITS];
		int64		sum = 0;
		uint32	   *swap;
		int			d;

		CHECK_FOR_INTERRUPTS();
		if (((varying >> shift) & ((1 << RADIX_BITS) - 1)) == 0)
			continue;			/* one digit for all: order unchanged */
		memset(count, 0, sizeof(count));
		for (i = 0; i < nedges; i++)
			count[(SORTKEY(other[i]) >> shift) & ((1 << RADIX_BITS) - 1)]++;
		for (d = 0; d < (1 << RADIX_BITS); d++)
		{
			int64		c = count[d];

			count[d] = sum;
			sum += c;
		}
		for (i = 0; i < nedges; i++)
		{
			uint32		e = perm[i];

			tmp[count[(SORTKEY(other[e]) >> shift) & ((1 << RADIX_BITS) - 1)]++] = e;
		}
		swap = perm;
		perm = tmp;
		tmp = swap;
	}
	pfree(tmp);

	/* the union of keys and others, counted, then numbered */
	n = 0;
	for (i = 0, j = 0; i < adj->nkeys || j < nedges; n++)
	{
		int64		id = j >= nedges ||
			(i < adj->nkeys && adj->keys[i] <= other[perm[j]]) ?
			adj->keys[i] : other[perm[j]];

		if (i < adj->nkeys && adj->keys[i] == id)
			i++;
		while (j < nedges && other[perm[j]] == id)
			j++;
	}
	if (n >= PG_INT32_MAX / 2)
	{
		pfree(perm);
		return;
	}
	adj->ids = GraphAllocHuge(sizeof(int64) * Max(n, 1));
	adj->nodeoffsets = GraphAllocHuge(sizeof(int64) * (n + 1));
	adj->edgenodes = GraphAllocHuge(sizeof(GraphEdgeNode) * Max(nedges, 1));
	adj->visited = GraphAllocHuge0(sizeof(uint64) * VISITED_WORDS(n));
	n = 0;
	for (i = 0, j = 0; i < adj->nkeys || j < nedges; n++)
	{
		int64		id = j >= nedges ||
			(i < adj->nkeys && adj->keys[i] <= other[perm[j]]) ?
			adj->keys[i] : other[perm[j]];

		if ((n & 65535) == 0)
			CHECK_FOR_INTERRUPTS();
		adj->ids[n] = id;
		/* a node that is no key has no edges: an empty range */
		adj->nodeoffsets[n] = adj->offsets[i];
		if (i < adj->nkeys && adj->keys[i] == id)
			i++;
		while (j < nedges && other[perm[j]] == id)
		{
			adj->edgenodes[perm[j]].id = id;
			adj->edgenodes[perm[j]].node = (int32) n;
			adj->edgenodes[perm[j]].weight = adj->weights[perm[j]];
			j++;
		}
	}
	adj->nodeoffsets[n] = nedges;
	adj->nnodes = (int32) n;
	pfree(perm);
	/* each edge's other end is in edgenodes now */
	pfree(adj->other);
	adj->other = NULL;
}

/*
 * Move the arrays that traversals read at random (visited set, node
 * offsets, edges, ids) of a numbered adjacency into one block aligned to
 * HUGE_PAGE_SIZE and advise the kernel to back it with huge pages, so that
 * a traversal needs a few TLB entries where it needed one per 4 kB page it
 * touched.  A traversal right after other work (its TLB refilled by it)
 * missed the TLB on most of the pages it read: on a virtual machine each
 * such miss walks two levels of page tables.  Only worth it for arrays of
 * at least a huge page: smaller ones stay where they are.  The advice is
 * given before the block is first written, so that its pages come in huge
 * as they are faulted in; memory that malloc had already used (and
 * faulted in small pages) is then collapsed explicitly where the kernel
 * can (Linux 6.1 on).  Without madvise, or when the kernel refuses, the
 * arrays are merely moved.
 */
static void
PlaceTraversalArrays(GraphAdjacency *adj)
{
	Size		visz = MAXALIGN(sizeof(uint64) * VISITED_WORDS(adj->nnodes));
	Size		offsz = MAXALIGN(sizeof(int64) * (adj->nnodes + 1));
	Size		ensz = MAXALIGN(sizeof(GraphEdgeNode) * Max(adj->nedges, 1));
	Size		idsz = MAXALIGN(sizeof(int64) * Max(adj->nnodes, 1));
	Size		len = TYPEALIGN(HUGE_PAGE_SIZE, visz + offsz + ensz + idsz);
	char	   *block;

	if (visz + offsz + ensz + idsz < HUGE_PAGE_SIZE)
		return;
	block = (char *) TYPEALIGN(HUGE_PAGE_SIZE,
							   GraphAllocHuge(len + HUGE_PAGE_SIZE));
#ifdef MADV_HUGEPAGE
	(void) madvise(block, len, MADV_HUGEPAGE);
#endif
	memset(block, 0, visz);
	pfree(adj->visited);
	adj->visited = (uint64 *) block;
	adj->visited_dirty = false;
	block += visz;
	memcpy(block, adj->nodeoffsets, sizeof(int64) * (adj->nnodes + 1));
	pfree(adj->nodeoffsets);
	adj->nodeoffsets = (int64 *) block;
	block += offsz;
	memcpy(block, adj->edgenodes, sizeof(GraphEdgeNode) * adj->nedges);
	pfree(adj->edgenodes);
	adj->edgenodes = (GraphEdgeNode *) block;
	block += ensz;
	memcpy(block, adj->ids, sizeof(int64) * adj->nnodes);
	pfree(adj->ids);
	adj->ids = (int64 *) block;
#ifdef MADV_COLLAPSE
	(void) madvise((char *) adj->visited, len, MADV_COLLAPSE);
#endif
	adj->hugepages = true;
}

/*
 * The node numbers of ids[0..n) in adj's numbering (-1: a node without
 * edges), by binary searches run in step: every search of a sorted array
 * of the same length takes the same number of steps, so each step probes
 * all the ids at once and their cache misses overlap instead of queueing
 * (a cold call's seeds cost about one miss a step, not one per id).
 */
void
GraphAdjacencyNodes(const GraphAdjacency *adj, const int64 *ids, int n,
					int32 *nodes)
{
	const int64 *a = adj->ids;
	int64		base[LOCKSTEP];
	int			done,
				i;

	for (done = 0; done < n; done += LOCKSTEP)
	{
		int			m = Min(LOCKSTEP, n - done);
		int64		len = adj->nnodes;

		for (i = 0; i < m; i++)
			base[i] = 0;
		/* the first element >= ids[i] is in base[i]..base[i] + len */
		while (len > 1)
		{
			int64		half = len / 2;

			for (i = 0; i < m; i++)
				base[i] += a[base[i] + half] < ids[done + i] ? half : 0;
			len -= half;
		}
		for (i = 0; i < m; i++)
		{
			int64		at = base[i] + (len == 1 && a[base[i]] < ids[done + i]);

			nodes[done + i] = at < adj->nnodes && a[at] == ids[done + i] ?
				(int32) at : -1;
		}
	}
}

/*
 * A traversal's visited set over adj's node numbers: a bitmap kept with
 * the adjacency (a few cache lines that stay hot, where an array of stamps
 * made every edge a likely cache miss).  The traversal clears the bits it
 * set and calls GraphAdjacencyVisitedEnd; a traversal that errors out
 * leaves the set dirty and the next one clears all of it.  A traversal
 * runs to its end (or error) before another can start in this backend.
 */
uint64 *
GraphAdjacencyVisitedBegin(const GraphAdjacency *adj)
{
	GraphAdjacency *a = (GraphAdjacency *) adj;

	if (a->visited_dirty)
		memset(a->visited, 0, sizeof(uint64) * VISITED_WORDS(a->nnodes));
	a->visited_dirty = true;
	return a->visited;
}

/* The traversal has cleared every bit it set. */
void
GraphAdjacencyVisitedEnd(const GraphAdjacency *adj)
{
	((GraphAdjacency *) adj)->visited_dirty = false;
}

/*
 * The relation filter as a flag per relation code of cache, palloc'd in the
 * current context; NULL when every relation passes.
 */
bool *
GraphCacheFilter(const GraphCache *cache, const GraphRelationFilter *filter)
{
	bool	   *match;
	int32		i;

	if (filter == NULL)
		return NULL;
	match = palloc0(sizeof(bool) * Max(cache->nrelations, 1));
	for (i = 0; i < cache->nrelations; i++)
		match[i] = GraphRelationMatches(filter, cache->relnames[i], cache->rellens[i]);
	return match;
}

/*
 * vecrag.graph_cache_entries(): this backend's cache entries, for DBAs
 * (memory) and tests (was a call served from memory?).
 */
PG_FUNCTION_INFO_V1(graph_cache_entries);
Datum
graph_cache_entries(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Tuplestorestate *store = GraphBeginSRF(fcinfo, &tupdesc);
	GraphCache *cache;

	for (cache = cache_list; cache != NULL; cache = cache->next)
	{
		Datum		values[8];
		bool		nulls[8] = {false, false, false, false, false, false, false, false};
		int			d,
					w;
		bool		csr = false;

		for (d = 0; d < 3; d++)
			for (w = 0; w < 2; w++)
				if (cache->csr[d][w] != NULL)
					csr = true;
		values[0] = ObjectIdGetDatum(cache->relid);
		values[1] = Int64GetDatum(cache->version);
		values[2] = Int64GetDatum((int64) MemoryContextMemAllocated(cache->cxt, true));
		values[3] = BoolGetDatum(cache->adj[0] != NULL);
		values[4] = BoolGetDatum(cache->adj[1] != NULL);
		values[5] = BoolGetDatum(cache->list != NULL || csr);
		values[6] = BoolGetDatum(cache->toobig);
		values[7] = Int64GetDatum(cache->adj[0] ? cache->adj[0]->nedges :
								  cache->adj[1] ? cache->adj[1]->nedges :
								  cache->list ? cache->list->n : 0);
		tuplestore_putvalues(store, tupdesc, values, nulls);
	}
	return (Datum) 0;
}
