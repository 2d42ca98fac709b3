/*
 * src/hnsw/hnsw.h
 *	  The hnsw index access method: on-disk layout, scan and build state, and
 *	  prototypes grouped by defining file.
 *
 * Design note
 * -----------
 * Pages.  Block 0 is the metapage (HnswMetaPageData: dimensions, m,
 * ef_construction, entry point, last page).  Every other page is a data page
 * holding two kinds of tuples, each addressed by its (block, offset):
 *
 *	 element tuple	 level, deleted flag, heap TID, the TID of its neighbour
 *					 tuple, then the indexed value exactly as the opclass stores
 *					 it (a varlena datum; normalised first when the opclass has
 *					 a norm function), or, when that does not fit on a page, a
 *					 compact copy of it (metapage storage, compact.c) that
 *					 scans rerank with the row's exact value (rerank.c).
 *	 duplicate tuple a further heap TID of an element whose value it equals
 *					 exactly (chained from the element), so equal vectors
 *					 share one graph node;
 *	 neighbour tuple fixed-size array of element TIDs: 2*m slots for level 0,
 *					 then m slots for each level 1..level; unused slots hold an
 *					 invalid TID.  Its size never changes, so a neighbour list
 *					 is rewritten in place.
 *
 * A neighbour tuple is written on its element's page whenever both fit, so
 * expanding a node in a search usually touches one page.  Data pages form a
 * chain (opaque->nextblkno); new elements go to the last page (meta->insertPage)
 * or a fresh page appended to the chain.  Elements are never moved.
 *
 * Deletion.  VACUUM (vacuum.c) marks an element deleted and clears its heap
 * TID in ambulkdelete itself, so no scan returns a TID after the heap may
 * reuse it.  Deleted elements keep their neighbour lists and stay routable
 * (a concurrent search passing through them still finds its way); live
 * elements that pointed at them get their lists rebuilt from their own live
 * neighbours and the deleted element's neighbours, and the entry point moves
 * to a live element of the highest level.  Their space is not reused: a
 * REINDEX compacts the index.
 *
 * Locks (acquired in this order, never in reverse):
 *	 1. heavyweight page lock HNSW_UPDATE_LOCK on the index: ShareLock for an
 *		ordinary insert, ExclusiveLock for an insert whose level exceeds the
 *		entry point's and for vacuum changing the entry point;
 *	 2. metapage buffer lock (exclusive while appending an element);
 *	 3. one data-page buffer lock at a time, except while appending, which
 *		holds the last page and, when extending, the new page(s) too.
 * Searches (scans and the search half of inserts) hold at most one buffer
 * lock at a time and copy what they need.  Updating a neighbour's list is
 * optimistic: compute the new list without locks, then lock the page and
 * write only if the list is still what was read (else retry).
 *
 * WAL.  Every change after build goes through GenericXLog, at most four
 * buffers per record (metapage, last page, up to two new pages).  The build
 * writes pages through shared buffers without WAL and then logs them all with
 * log_newpage_range when the relation needs WAL.
 *
 * Support functions per opclass: 1 distance (required; smaller is nearer),
 * 2 norm (optional; values are divided by it before indexing and searching,
 * values of norm 0 are not indexed), 3 kernel (optional; returns a pointer to
 * a HnswKernel so the hot loops call C directly instead of fmgr).
 */
#ifndef VECRAG_HNSW_H
#define VECRAG_HNSW_H

#include "postgres.h"

#include "access/amapi.h"
#include "access/generic_xlog.h"
#include "access/itup.h"
#include "fmgr.h"
#include "nodes/execnodes.h"
#include "nodes/pathnodes.h"
#include "storage/bufmgr.h"
#include "utils/relcache.h"

#include "core/compat.h"
#include "core/distance.h"

#define HNSW_MAGIC_NUMBER		0x5648534E	/* "VHSN" */
#define HNSW_VERSION			1
#define HNSW_PAGE_ID			0xFF91
#define HNSW_METAPAGE_BLKNO		0
#define HNSW_UPDATE_LOCK		0

#define HNSW_DISTANCE_PROC		1
#define HNSW_NORM_PROC			2
#define HNSW_KERNEL_PROC		3

#define HNSW_MAX_DIM			2000
#define HNSW_DEFAULT_M			16
#define HNSW_MIN_M				2
#define HNSW_MAX_M				100
#define HNSW_DEFAULT_EF_CONSTRUCTION 64
#define HNSW_MIN_EF_CONSTRUCTION 4
#define HNSW_MAX_EF_CONSTRUCTION 1000
#define HNSW_DEFAULT_EF_SEARCH	40
#define HNSW_MIN_EF_SEARCH		1
#define HNSW_MAX_EF_SEARCH		1000

#define HNSW_ELEMENT_TUPLE_TYPE	1
#define HNSW_NEIGHBOR_TUPLE_TYPE 2
#define HNSW_DUP_TUPLE_TYPE		3

/* build phases shown in pg_stat_progress_create_index */
#define PROGRESS_HNSW_PHASE_LOAD		2
#define PROGRESS_HNSW_PHASE_WRITE		3

typedef enum HnswIterativeScanMode
{
	HNSW_ITERATIVE_SCAN_OFF,
	HNSW_ITERATIVE_SCAN_RELAXED,
	HNSW_ITERATIVE_SCAN_STRICT
} HnswIterativeScanMode;

/* GUCs (options.c) */
extern int	hnsw_ef_search;
extern int	hnsw_iterative_scan;
extern int	hnsw_max_scan_tuples;
extern double hnsw_scan_mem_multiplier;

typedef struct HnswOptions
{
	int32		vl_len_;		/* varlena header (do not touch directly!) */
	int			m;
	int			efConstruction;
	int			compactOffset;	/* string option "compact" */
} HnswOptions;

/* ---- on-disk structures ---- */

typedef struct HnswPageOpaqueData
{
	BlockNumber nextblkno;		/* next data page, or InvalidBlockNumber */
	uint16		unused;
	uint16		page_id;		/* HNSW_PAGE_ID, for tools */
} HnswPageOpaqueData;

typedef HnswPageOpaqueData *HnswPageOpaque;

#define HnswPageGetOpaque(page) ((HnswPageOpaque) PageGetSpecialPointer(page))

typedef struct HnswMetaPageData
{
	uint32		magicNumber;
	uint32		version;
	uint32		dimensions;
	uint16		m;
	uint16		efConstruction;
	BlockNumber entryBlkno;		/* InvalidBlockNumber when the index is empty */
	OffsetNumber entryOffno;
	int16		entryLevel;
	BlockNumber insertPage;		/* last page of the chain */
	uint8		storage;		/* HNSW_STORAGE_*: what element tuples hold
								 * (0, full, in indexes from before) */
} HnswMetaPageData;

typedef HnswMetaPageData *HnswMetaPage;

#define HnswPageGetMeta(page)	((HnswMetaPage) PageGetContents(page))

typedef struct HnswElementTupleData
{
	uint8		type;
	uint8		level;
	uint8		deleted;
	uint8		unused;
	ItemPointerData heaptid;	/* invalid once vacuumed (dups may live on) */
	ItemPointerData neighbortid;
	ItemPointerData duptid;		/* first duplicate tuple, or invalid */
	uint16		unused2;
	char		data[FLEXIBLE_ARRAY_MEMBER];	/* varlena value, 4-aligned */
} HnswElementTupleData;

typedef HnswElementTupleData *HnswElementTuple;

typedef struct HnswNeighborTupleData
{
	uint8		type;
	uint8		unused;
	uint16		count;			/* number of slots */
	ItemPointerData indextids[FLEXIBLE_ARRAY_MEMBER];
} HnswNeighborTupleData;

typedef HnswNeighborTupleData *HnswNeighborTuple;

/*
 * A further heap TID for an element whose value it duplicates exactly:
 * duplicates share one graph node (as in pgvector), which keeps the graph
 * navigable however many rows hold the same vector.
 */
typedef struct HnswDupTupleData
{
	uint8		type;
	uint8		unused;
	uint16		unused2;
	ItemPointerData heaptid;	/* invalid once vacuumed */
	ItemPointerData next;		/* next duplicate tuple, or invalid */
	ItemPointerData owner;		/* the element */
} HnswDupTupleData;

typedef HnswDupTupleData *HnswDupTuple;

#define HNSW_DUP_TUPLE_SIZE		MAXALIGN(sizeof(HnswDupTupleData))

#define HNSW_ELEMENT_TUPLE_SIZE(valsize) \
	MAXALIGN(offsetof(HnswElementTupleData, data) + (valsize))
#define HNSW_NEIGHBOR_COUNT(level, m)	((2 + (level)) * (m))
#define HNSW_NEIGHBOR_TUPLE_SIZE(level, m) \
	MAXALIGN(offsetof(HnswNeighborTupleData, indextids) + \
			 HNSW_NEIGHBOR_COUNT(level, m) * sizeof(ItemPointerData))
/* first slot and number of slots of a level in a neighbour tuple */
#define HNSW_LEVEL_START(lc, m)	((lc) == 0 ? 0 : (lc + 1) * (m))
#define HNSW_LEVEL_SLOTS(lc, m)	((lc) == 0 ? 2 * (m) : (m))

/* usable bytes of a data page */
#define HNSW_PAGE_CAPACITY \
	(BLCKSZ - MAXALIGN(SizeOfPageHeaderData) - MAXALIGN(sizeof(HnswPageOpaqueData)))
/* highest level whose neighbour tuple still fits on a page */
#define HnswMaxLevel(m) \
	Min((int) ((HNSW_PAGE_CAPACITY - sizeof(ItemIdData) - \
				offsetof(HnswNeighborTupleData, indextids) - MAXIMUM_ALIGNOF) / \
			   sizeof(ItemPointerData) / (m)) - 2, 30)

/* ---- opclass support ---- */

/*
 * What support function 3 returns: C routines over two values as stored in
 * the index (detoasted varlena pointers).  Types without one are served
 * through fmgr and support function 1.
 */
typedef struct HnswKernel
{
	int			maxDimensions;	/* most dimensions a value may have */
	float		(*distance) (const void *a, const void *b);
	int			(*dimensions) (const void *value);
	/* value divided by norm, as a new palloc'd datum */
	Datum		(*normalize) (const void *value, double norm);
	/* what distance computes (HNSW_METRIC_*), 0 if none of those */
	int			metric;
	/* the value's elements as float4, into dimensions() floats; NULL: none */
	void		(*toFloats) (const void *value, float *out);
} HnswKernel;

/* metrics a kernel may declare; cosine opclasses normalise and use IP */
#define HNSW_METRIC_L2			1	/* squared Euclidean distance */
#define HNSW_METRIC_IP			2	/* negative inner product */
#define HNSW_METRIC_L1			3	/* taxicab distance */

/* Per-index support state, cached in rd_amcache. */
typedef struct HnswSupport
{
	FmgrInfo	distanceProc;
	FmgrInfo	normProc;
	bool		hasNorm;
	const HnswKernel *kernel;	/* NULL: go through distanceProc */
	const HnswKernel *exact;	/* the opclass's kernel over full values:
								 * kernel itself unless storage is compact */
	int			storage;		/* HNSW_STORAGE_* (compact.c) */
	Oid			collation;
	int			dimensions;
	int			m;
	int			efConstruction;
} HnswSupport;

/* ---- compact copies of wide vectors (compact.c, rerank.c) ---- */

/*
 * What an element tuple holds.  FULL: the prepared value itself.  The
 * others, for columns whose full value does not fit on a page: a
 * HnswCompactData of the prepared value in half precision, 8-bit scalar
 * quantization or 1-bit codes, the first that fits; scans then rerank with
 * the exact value read from the table.
 */
#define HNSW_STORAGE_FULL		0
#define HNSW_STORAGE_HALF		1
#define HNSW_STORAGE_SQ8		2
#define HNSW_STORAGE_BIT		3
/* a query in float4, compared with SQ8 and BIT elements (never stored) */
#define HNSW_STORAGE_FLOAT		4

/* most dimensions an opclass with toFloats can index through a compact copy */
#define HNSW_MAX_WIDE_DIM		16000

extern int	vecrag_hnsw_rerank;

typedef struct HnswRerank HnswRerank;
typedef bool (*HnswNextTid) (IndexScanDesc scan, ItemPointer heaptid);

/* ---- search state (search.c) ---- */

/* An element met during a search, with everything needed to expand it. */
typedef struct HnswCandidate
{
	float		distance;
	uint8		level;
	bool		deleted;
	ItemPointerData tid;		/* element tuple */
	ItemPointerData ntid;		/* its neighbour tuple */
	ItemPointerData heaptid;	/* invalid once vacuum deleted it */
	ItemPointerData duptid;		/* first duplicate tuple */
} HnswCandidate;

/* binary heap of candidates ordered by distance (min- or max-heap) */
typedef struct HnswHeap
{
	HnswCandidate *items;
	int			count;
	int			capacity;
	bool		isMax;
} HnswHeap;

/* open-addressing set of element TIDs */
typedef struct HnswVisited
{
	uint64	   *keys;
	uint32		mask;
	uint32		count;
} HnswVisited;

/* ---- prototypes ---- */

/* handler.c */
extern Datum hnswhandler(PG_FUNCTION_ARGS);

/* options.c */
extern void HnswInit(void);
extern bytea *hnswoptions(Datum reloptions, bool validate);
extern int	HnswGetM(Relation index);
extern int	HnswGetEfConstruction(Relation index);
extern int	HnswGetCompactOption(Relation index);

/* cost.c */
extern void hnswcostestimate(PlannerInfo *root, IndexPath *path, double loop_count,
							 Cost *indexStartupCost, Cost *indexTotalCost,
							 Selectivity *indexSelectivity, double *indexCorrelation,
							 double *indexPages);

/* validate.c */
extern bool hnswvalidate(Oid opclassoid);

/* page.c */
extern void HnswInitPage(Page page);
extern Buffer HnswNewBuffer(Relation index, ForkNumber forknum);
extern void HnswReadMeta(Relation index, HnswMetaPageData *meta);
extern void HnswWriteMetaPage(Relation index, ForkNumber forknum, int dimensions,
							  int m, int efConstruction, bool wal);
extern Size HnswFreeSpace(Page page);

/* recent.c */
extern Buffer HnswReadBuffer(Relation index, BlockNumber blkno);
extern Page HnswRecentPage(Relation index, BlockNumber blkno);

/* support.c */
extern HnswSupport *HnswGetSupport(Relation index);
extern Datum HnswPrepareValue(HnswSupport *sup, Datum value, bool *ok);
extern Datum HnswPrepareFull(HnswSupport *sup, Datum value, bool *ok);
extern float HnswDistance(HnswSupport *sup, const void *a, const void *b);
extern int	HnswRandomLevel(int m, ItemPointer heaptid);
extern void HnswCheckDimensions(HnswSupport *sup, Datum value);

/* search.c */
extern void HnswHeapInit(HnswHeap *heap, int capacity, bool isMax);
extern void HnswHeapPush(HnswHeap *heap, const HnswCandidate *c);
extern HnswCandidate HnswHeapPop(HnswHeap *heap);
extern HnswCandidate *HnswHeapTop(HnswHeap *heap);
extern void HnswVisitedInit(HnswVisited *v, int capacity);
extern bool HnswVisitedAdd(HnswVisited *v, ItemPointer tid);
extern bool HnswVisitedContains(HnswVisited *v, ItemPointer tid);
extern bool HnswLoadCandidate(Relation index, HnswSupport *sup, const void *query,
							  ItemPointer tid, HnswCandidate *c);
extern int	HnswLoadCandidates(Relation index, HnswSupport *sup, const void *query,
							   ItemPointerData *tids, int n, HnswCandidate *out);
extern int	HnswLoadNeighbors(Relation index, HnswCandidate *c, int lc, int m,
							  ItemPointerData *out);
extern void HnswSearchLayer(Relation index, HnswSupport *sup, const void *query,
							HnswHeap *entries, int ef, int lc, HnswVisited *visited,
							HnswHeap *result, HnswHeap *discarded,
							int64 *tuplesVisited);
extern void HnswGreedyDescend(Relation index, HnswSupport *sup, const void *query,
							  HnswCandidate *ep, int fromLevel, int toLevel);
typedef float (*HnswPairDistance) (void *arg, int i, int j);
extern int	HnswSelectNeighbors(int n, const float *dists, int keep,
								HnswPairDistance pairdist, void *arg, int *out);
extern void HnswSortCandidates(HnswCandidate *c, int n, ItemPointer owner);
extern void *HnswLoadValue(Relation index, ItemPointer tid);
extern bool HnswSameValue(const void *a, const void *b);

/* insert.c */
extern bool hnswinsert(Relation index, Datum *values, bool *isnull,
					   ItemPointer heap_tid, Relation heap,
					   IndexUniqueCheck checkUnique, VEC_AMINSERT_INDEX_UNCHANGED_ARG
					   struct IndexInfo *indexInfo);
extern void HnswInsertValue(Relation index, HnswSupport *sup, Datum value,
							ItemPointer heaptid);
extern bool HnswAppendDuplicate(Relation index, ItemPointer owner, ItemPointer heaptid);
extern bool HnswUpdateNeighborList(Relation index, HnswSupport *sup,
								   ItemPointer ntid, ItemPointer selftid,
								   const void *selfvalue, int lc,
								   ItemPointer addtid, float adddist, bool force);

/* compact.c */
extern int	HnswChooseStorage(Relation index, int dimensions);
extern const char *HnswStorageName(int storage);
extern const HnswKernel *HnswCompactKernel(int metric);
extern Datum HnswCompactValue(HnswSupport *sup, Datum full, bool query);

/*
 * compact_kernels*.c: the sums behind distances over 8-bit and 1-bit
 * compact values, one set per instruction set.  sumCodes: sum q[i] * c[i]
 * over uint8 codes; sumSetBits: sum of q[i] over the set bits (bit i is
 * bit i % 8 of byte i / 8; bits from dim on must be 0); dotCodes: sum
 * a[i] * b[i] of two code arrays, exact; hamming: set bits of a XOR b
 * over nbytes, exact.  Float sums agree with the scalar set's to float
 * rounding in summation order.
 */
typedef struct HnswCompactKernels
{
	const char *name;
	bool		(*supported) (void);
	float		(*sumCodes) (const float *q, const uint8 *codes, int dim);
	float		(*sumSetBits) (const float *q, const uint8 *bits, int dim);
	uint64		(*dotCodes) (const uint8 *a, const uint8 *b, int dim);
	uint64		(*hamming) (const uint8 *a, const uint8 *b, int nbytes);
} HnswCompactKernels;

/* compact_kernels.c: scalar set and the choice under vecrag.simd */
extern const HnswCompactKernels HnswCompactScalarKernels;
extern const HnswCompactKernels *HnswCompactActiveKernels(void);
#ifdef VEC_HAVE_X86_KERNELS
/* compact_kernels_avx2.c */
extern const HnswCompactKernels HnswCompactAvx2Kernels;
/* compact_kernels_avx512.c */
extern const HnswCompactKernels HnswCompactAvx512Kernels;
#endif

/* rerank.c */
extern HnswRerank *HnswRerankBegin(IndexScanDesc scan, HnswSupport *sup,
								   const void *exactQuery, int depth, bool strict);
extern bool HnswRerankNext(HnswRerank *rr, HnswNextTid next, ItemPointer heaptid);
extern void HnswRerankEnd(HnswRerank *rr);

/* build.c */
extern IndexBuildResult *hnswbuild(Relation heap, Relation index, struct IndexInfo *indexInfo);
extern void hnswbuildempty(Relation index);

/* scan.c */
extern IndexScanDesc hnswbeginscan(Relation index, int nkeys, int norderbys);
extern void hnswrescan(IndexScanDesc scan, ScanKey keys, int nkeys,
					   ScanKey orderbys, int norderbys);
extern bool hnswgettuple(IndexScanDesc scan, ScanDirection dir);
extern void hnswendscan(IndexScanDesc scan);

/* vacuum.c */
extern IndexBulkDeleteResult *hnswbulkdelete(IndexVacuumInfo *info,
											 IndexBulkDeleteResult *stats,
											 IndexBulkDeleteCallback callback,
											 void *callback_state);
extern IndexBulkDeleteResult *hnswvacuumcleanup(IndexVacuumInfo *info,
												IndexBulkDeleteResult *stats);

#endif							/* VECRAG_HNSW_H */
