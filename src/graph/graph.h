/*
 * src/graph/graph.h
 *	  Graph room: the vecrag.edge type, registered graphs, the edge reader
 *	  that reads a table's edges through its btree indexes, and the shared
 *	  helpers of the graph algorithms (traverse, shortest_path, pagerank,
 *	  communities).
 *
 * Design note.  A graph is an ordinary table of edges, registered once by
 * name in vecrag.graph_definitions.  Every call looks the definition up,
 * re-validates it against the table (columns may have been renamed or
 * dropped since) and checks the caller's SELECT privilege.  Where
 * row-level security applies to the caller, edges come from an SPI query
 * that the planner applies the policies to (rls.c).  Otherwise they come
 * from the adjacency cache when it holds them under a key that is exact
 * for the caller's snapshot (cache.c), or are read under the caller's
 * active snapshot, so deleted or uncommitted edges are never seen:
 *   - traversals read the neighbours of a whole frontier with one btree scan
 *     whose key is `src = ANY(frontier)` (SK_SEARCHARRAY), index-only when
 *     the index covers every column needed and the heap page is all-visible;
 *   - whole-graph algorithms (PageRank, communities) read the table once
 *     with a heap scan into a compact CSR structure.
 * All working memory lives in one memory context per call and is checked
 * against work_mem; exceeding it is an error that says which limit was hit.
 */
#ifndef VECRAG_GRAPH_H
#define VECRAG_GRAPH_H

#include "postgres.h"

#include "access/genam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "utils/memutils.h"
#include "utils/array.h"
#include "utils/relcache.h"
#include "utils/tuplestore.h"

#include "core/compat.h"

/*
 * The vecrag.edge type: fixed size (24 bytes, double aligned), passed by
 * reference.  pad is always zero so the bytes of equal edges are equal.
 */
typedef struct GraphEdge
{
	int64		src;
	int64		dst;
	float4		weight;
	int32		pad;
} GraphEdge;

#define DatumGetGraphEdgeP(d)	((GraphEdge *) DatumGetPointer(d))
#define PG_GETARG_GRAPHEDGE_P(n) DatumGetGraphEdgeP(PG_GETARG_DATUM(n))

typedef enum GraphDirection
{
	GRAPH_OUT,
	GRAPH_IN,
	GRAPH_BOTH
} GraphDirection;

/*
 * A registered graph, resolved against the current catalog.  Attribute
 * numbers are InvalidAttrNumber where the graph has no such column.  Either
 * src_attno and dst_attno are set (column form) or edge_attno (edge form).
 */
typedef struct GraphDef
{
	char	   *name;
	Oid			relid;
	char	   *relname;		/* qualified, for messages */
	AttrNumber	src_attno;
	AttrNumber	dst_attno;
	AttrNumber	edge_attno;
	AttrNumber	relation_attno;
	AttrNumber	weight_attno;
	Oid			src_type;		/* int2, int4 or int8 */
	Oid			dst_type;
	Oid			weight_type;	/* float4, float8, int2, int4 or int8 */
	/* adjacency cache (cache.c): may this call use it, and under which key */
	bool		cacheable;
	int64		cache_version;	/* the edge table's version row, as seen */
	TransactionId cache_trigger_xmin;	/* xmin of its trigger's pg_trigger row */
	/* row-level security applies to the caller: edges are read through SPI */
	bool		rls;
	struct GraphCache *rls_edges;	/* this call's policy-filtered edges */
} GraphDef;

/* The relations an algorithm may follow; NULL filter follows all. */
typedef struct GraphRelationFilter
{
	int			count;
	char	  **names;
	int		   *lengths;
} GraphRelationFilter;

/* One edge as the reader returns it, seen from the side that was scanned. */
typedef struct GraphEdgeRow
{
	int64		from;			/* the key that matched (src for out) */
	int64		to;				/* the other end */
	GraphEdge	edge;			/* the edge as stored (src -> dst) */
	const char *relation;		/* not terminated; valid until the next row */
	int			relation_len;	/* -1 when NULL or no relation column */
} GraphEdgeRow;

typedef struct GraphReader GraphReader;
typedef struct GraphNodeMap GraphNodeMap;

/*
 * The edges of one direction in the order the btree index returns them
 * (grouped by key ascending): keys[i]'s edges are offsets[i]..offsets[i+1).
 */
typedef struct GraphAdjacency
{
	Oid			indexoid;		/* the index it was read through */
	Oid			indexnode;		/* and that index's relfilenode */
	int32		nkeys;
	int64		nedges;
	int64	   *keys;
	int64	   *offsets;
	int64	   *other;			/* the other end of each edge; NULL when
								 * numbered: edgenodes[e].id instead */
	float4	   *weights;
	int32	   *relations;		/* relation code, -1 for NULL */
	struct GraphNodeMap *map;	/* key -> index in keys */

	/*
	 * Every end of the edges numbered densely, ascending by id: the same
	 * numbering in both directions of one edge set, used by traversals to
	 * index a visited bitmap instead of hashing ids (GraphAdjacencyNumber).
	 * ids is NULL when the nodes do not fit an int32.
	 */
	int32		nnodes;
	int64	   *ids;			/* node number -> id */
	int64	   *nodeoffsets;	/* node n's edges: nodeoffsets[n]..[n + 1] */
	struct GraphEdgeNode *edgenodes;	/* each edge's other end and weight */
	uint64	   *visited;		/* a traversal's visited set: a bit per node */
	bool		visited_dirty;	/* in use, or left set by an error */
	bool		hugepages;		/* the arrays above share one block advised
								 * to the kernel as huge pages */
} GraphAdjacency;

/*
 * What a traversal reads of an edge, together in one array: the other
 * end's id beside its number, so that expanding a node reads one run of
 * memory (and a cold call misses one cache line and TLB entry, not two).
 */
typedef struct GraphEdgeNode
{
	int64		id;				/* the other end */
	int32		node;			/* its node number */
	float4		weight;
} GraphEdgeNode;

/* The other end of edge e of adj, whether numbered or not. */
static inline int64
GraphAdjacencyOther(const struct GraphAdjacency *adj, int64 e)
{
	return adj->other != NULL ? adj->other[e] : adj->edgenodes[e].id;
}

/* Every edge of the table in physical order, for whole-graph loads. */
typedef struct GraphEdgeList
{
	int64		n;
	int64	   *src;
	int64	   *dst;
	float4	   *weights;
	int32	   *relations;
} GraphEdgeList;

/*
 * A snapshot of a graph table's edges: kept across calls in backend memory
 * under an MVCC-exact key (cache.c), or built for one call from the rows
 * that row-level security lets the caller see.
 */
typedef struct GraphCache
{
	struct GraphCache *next;
	MemoryContext cxt;
	/* the key */
	Oid			relid;
	Oid			relnode;
	int64		version;
	TransactionId trigger_xmin;
	AttrNumber	attnos[5];		/* src, dst, edge, relation, weight */
	/* relation names, interned: code -> name */
	int32		nrelations;
	int32		relcap;
	char	  **relnames;
	int		   *rellens;
	int32	   *relslots;		/* open addressing: slot -> code + 1 */
	int32		nslots;
	GraphAdjacency *adj[2];		/* [inbound] */
	GraphEdgeList *list;
	struct GraphCSR *csr[3][2];	/* [direction][weighted], no filter */
	bool		toobig;			/* a build passed the memory cap: give up */
	bool		is_private;		/* one call's policy-filtered edges */
	int			pins;
	bool		dead;			/* invalidated while pinned */
	uint64		used;
} GraphCache;

/* edge.c */
extern Datum GraphEdgeGetDatum(const GraphEdge *edge);

/* lookup.c */
extern GraphDef *GraphLookup(text *name);

/* registry.c */
extern GraphDef *GraphResolve(const char *graphname, bool registered,
							  Oid relid, const char *src, const char *dst,
							  const char *edge, const char *relation,
							  const char *weight);
extern GraphDirection GraphParseDirection(text *direction);
extern GraphRelationFilter *GraphRelationFilterFromArray(ArrayType *relations,
														 const GraphDef *def);
extern Relation GraphOpenTable(const GraphDef *def);
extern int64 GraphWorkMemBytes(void);
extern void GraphCheckMemory(MemoryContext cxt, const char *what);

/* reader.c */
extern GraphReader *GraphReaderOpen(const GraphDef *def, Relation heap,
									bool inbound,
									const GraphRelationFilter *filter);
extern void GraphReaderScan(GraphReader *reader, int64 *keys, int nkeys);
extern bool GraphReaderNext(GraphReader *reader, GraphEdgeRow *row);
extern void GraphReaderClose(GraphReader *reader);
extern GraphReader *GraphReaderOpenSeq(const GraphDef *def, Relation heap,
									   const GraphRelationFilter *filter,
									   bool want_relation);
extern GraphReader *GraphReaderOpenIndexed(const GraphDef *def, Relation heap,
										   bool inbound, Oid *indexoid);
extern void GraphReaderScanAll(GraphReader *reader);
extern bool GraphHasIndex(const GraphDef *def, Relation heap, bool inbound);
extern const GraphAdjacency *GraphReaderCached(GraphReader *reader,
											   const GraphCache **cache,
											   const bool **relmatch,
											   bool *inbound);
extern bool GraphRelationMatches(const GraphRelationFilter *filter,
								 const char *relation, int len);
extern bool GraphReaderCount(GraphReader *reader, const int64 *keys,
							 int nkeys, int32 *counts);

/* degree.c: what a covering index reader counts edges by */
typedef struct GraphCountSpec
{
	Relation	heap;
	Relation	index;
	AttrNumber	check_att;		/* index attno that must not be NULL */
	AttrNumber	relation_att;	/* index attno of the relation */
	const GraphRelationFilter *filter;
} GraphCountSpec;

extern void GraphIndexCount(const GraphCountSpec *spec, const int64 *keys,
							int nkeys, int32 *counts);

/* cache.c */
extern void GraphCacheInit(void);
extern GraphCache *GraphCacheAcquire(const GraphDef *def, Relation heap);
extern void GraphEdgeListResize(GraphEdgeList *list, int64 cap);
extern void GraphCacheRelease(GraphCache *cache);
extern const GraphAdjacency *GraphCacheAdjacency(GraphCache *cache,
												 const GraphDef *def,
												 Relation heap, bool inbound,
												 Oid indexoid);
extern const GraphEdgeList *GraphCacheEdgeList(GraphCache *cache,
											   const GraphDef *def,
											   Relation heap);
extern bool GraphCacheAdopt(GraphCache *cache, MemoryContext bcxt);
extern GraphNodeMap *GraphAdjacencyMap(const GraphAdjacency *adj,
									   MemoryContext cxt);
extern void GraphAdjacencyNumber(GraphAdjacency *adj);
extern void GraphAdjacencyNodes(const GraphAdjacency *adj, const int64 *ids,
								int n, int32 *nodes);
extern uint64 *GraphAdjacencyVisitedBegin(const GraphAdjacency *adj);
extern void GraphAdjacencyVisitedEnd(const GraphAdjacency *adj);
extern bool *GraphCacheFilter(const GraphCache *cache,
							  const GraphRelationFilter *filter);

/* rls.c */
extern GraphCache *GraphReadPolicyEdges(GraphDef *def, Relation heap);

/* nodemap.c: int64 node id -> dense int32 index */
extern GraphNodeMap *GraphNodeMapCreate(MemoryContext cxt, uint32 size);
extern int32 GraphNodeMapLookup(GraphNodeMap *map, int64 id);
extern int32 GraphNodeMapInsert(GraphNodeMap *map, int64 id, int32 index,
								bool *found);
extern uint32 GraphNodeMapCount(GraphNodeMap *map);

/* csr.c: the whole graph in compressed sparse rows */
typedef struct GraphCSR
{
	int32		nnodes;
	int64		nedges;
	int64	   *ids;			/* dense index -> node id, ascending ids */
	int64	   *offsets;		/* nnodes + 1 */
	int32	   *targets;		/* nedges */
	float8	   *weights;		/* nedges */
} GraphCSR;

extern GraphCSR *GraphLoadCSR(const GraphDef *def, GraphDirection direction,
							  const GraphRelationFilter *filter,
							  bool weighted, int64 *extra_ids, int nextra,
							  MemoryContext cxt, GraphCache **pinned);
extern int32 GraphCSRIndexOf(const GraphCSR *csr, int64 id);

/*
 * Arrays sized by a graph's nodes or edges may pass 1 GB within a large
 * work_mem: allocate them as huge chunks (work_mem is still the cap).
 */
#define GraphAllocHuge(size) MemoryContextAllocHuge(CurrentMemoryContext, (size))
#define GraphAllocHuge0(size) \
	MemoryContextAllocExtended(CurrentMemoryContext, (size), MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO)

/*
 * A hint to start loading the cache line at p: traversals of the adjacency
 * cache fetch the edge lists of nodes a few ahead of the one they expand,
 * so that their cache misses overlap instead of queueing.
 */
#if defined(__GNUC__) || defined(__clang__)
#define GraphPrefetch(p) __builtin_prefetch(p)
#else
#define GraphPrefetch(p) ((void) 0)
#endif

/* srf.c */
typedef struct GraphRowWriter
{
	Tuplestorestate *store;
	TupleDesc	desc;
	TupleTableSlot *slot;		/* putting it forms the row in the store */
	int			natts;
	int16	   *attlen;			/* desc's attributes, copied compactly */
	char	   *attalign;
	bool	   *attbyval;
	char	   *scratch;		/* the caller's varlena values */
	Size		scratch_cap;
	/* the row being put */
	const Datum *values;
	const bool *nulls;
	bool		fixed;			/* it has the layout below */
	/* the layout of rows with the last nulls seen (GraphRowFixedLayout) */
	bool		layout_known;	/* layout_nulls were examined */
	bool		layout_valid;	/* and such rows have one size (fixed) */
	bool	   *layout_nulls;	/* their nulls */
	int			layout_count;	/* their values (not NULL): */
	int			layout_n8;		/* fixed: first those of 8 bytes by value */
	int			layout_n4;		/* then of 4, then the rest */
	int		   *layout_att;		/* each one's column */
	int16	   *layout_kind;	/* its length (fixed: minus it when by reference) */
	uint8	   *layout_align;	/* varying: its alignment less one */
	uint32	   *layout_off;		/* fixed: its offset in the row */
	uint64	   *layout_row;		/* the header (fixed: the row with zero values) */
	int			layout_words;	/* fixed: the row's length in words */
	Size		layout_hoff;	/* the header's length */
	Size		layout_len;		/* fixed: the row's length */
} GraphRowWriter;

extern Tuplestorestate *GraphBeginSRF(FunctionCallInfo fcinfo,
									  TupleDesc *tupdesc);
extern GraphRowWriter *GraphRowWriterCreate(Tuplestorestate *store,
											TupleDesc desc);
extern char *GraphRowScratch(GraphRowWriter *writer, Size size);
extern void GraphRowPut(GraphRowWriter *writer, const Datum *values,
						const bool *nulls);
extern bool GraphRowFixedLayout(GraphRowWriter *writer, const bool *nulls);
extern void GraphRowPutFixed(GraphRowWriter *writer, const Datum *values);
extern void GraphRowWriterFree(GraphRowWriter *writer);

#endif							/* VECRAG_GRAPH_H */
