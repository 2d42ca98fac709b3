/*
 * src/ivf/ivf.h
 *	  The IVF index access method (spelled `ivf`, and `ivfflat` for pgvector
 *	  schemas): on-disk layout, scan state and prototypes grouped by file.
 *
 * Page layout (all pages carry an IvfPageOpaque special area):
 *
 *	  block 0             metapage: IvfMetaPageData (dimensions, lists,
 *	                      quantizer, where the other parts start)
 *	  blocks 1..P         quantizer parameters, a byte blob spread over P
 *	                      consecutive pages (sq8: per-dimension minimum and
 *	                      step; rabitq: nothing but the seed in the metapage;
 *	                      none: P = 0)
 *	  blocks L..          list directory: one IvfListData item per list
 *	                      (centroid, first and insertion page of its posting
 *	                      chain), in list order, chained by nextblkno
 *	  the rest            posting pages: one chain per list, linked by
 *	                      nextblkno; every item is an IvfEntry (heap TID and
 *	                      the quantized or full vector), all of one size
 *
 * Quantizers, per entry payload:
 *	  none     float4[dim] (normalized for cosine)
 *	  sq8      float4 |x - decoded x| (the reconstruction error, for a
 *	           lower bound), then uint8[dim]: (x - min[i]) / step[i],
 *	           rounded and clamped
 *	  rabitq   float4 residual norm |o - c|, float4 <o_bar, o_hat>,
 *	           then ceil(D/8) bytes of sign bits of the rotated residual,
 *	           D = dimensions rounded up to a power of two (the rotation is
 *	           three rounds of random signs and a Walsh-Hadamard transform)
 *
 * Locking: scans and VACUUM lock one page at a time.  Inserts read the list
 * directory page (share, released), then lock posting pages in chain order;
 * when the last page is full they extend the chain while holding it, and
 * only then lock the directory page to move insertPage forward.  Nobody
 * waits for a posting page while holding a directory page, so there is no
 * deadlock.  Every change after the build goes through GenericXLog; the
 * build writes pages unlogged and then calls log_newpage_range.
 */
#ifndef VECRAG_IVF_H
#define VECRAG_IVF_H

#include "postgres.h"

#include "access/amapi.h"
#include "access/generic_xlog.h"
#include "access/reloptions.h"
#include "lib/pairingheap.h"
#include "nodes/execnodes.h"
#include "storage/bufmgr.h"
#include "storage/dsm.h"
#include "storage/shm_toc.h"
#include "utils/relcache.h"
#include "utils/tuplesort.h"

#include "core/compat.h"

#define IVF_MAGIC_NUMBER		0x56524946	/* "VRIF" */
#define IVF_VERSION				1
#define IVF_METAPAGE_BLKNO		0
#define IVF_PAGE_ID				0xFF90

#define IVF_DEFAULT_LISTS		100
#define IVF_MAX_LISTS			32768
/* a centroid must fit on one directory page */
#define IVF_MAX_DIM				2000

/* support function numbers */
#define IVF_DISTANCE_PROC		1
#define IVF_NORM_PROC			2
#define IVF_NPROCS				2

/* quantizers */
#define IVF_QUANTIZER_NONE		0
#define IVF_QUANTIZER_SQ8		1
#define IVF_QUANTIZER_RABITQ	2

/* metrics the distance support function maps to */
#define IVF_METRIC_L2			0	/* squared Euclidean distance */
#define IVF_METRIC_IP			1	/* negative inner product */

/* iterative scan modes */
#define IVF_ITERATIVE_OFF		0
#define IVF_ITERATIVE_RELAXED	1

/* build phases for pg_stat_progress_create_index */
#define IVF_PHASE_SAMPLE		2
#define IVF_PHASE_KMEANS		3
#define IVF_PHASE_ASSIGN		4
#define IVF_PHASE_LOAD			5

typedef struct IvfPageOpaqueData
{
	BlockNumber nextblkno;
	uint16		unused;
	uint16		page_id;		/* IVF_PAGE_ID, for pg_filedump and checks */
} IvfPageOpaqueData;

typedef IvfPageOpaqueData *IvfPageOpaque;

#define IvfPageGetOpaque(page)	((IvfPageOpaque) PageGetSpecialPointer(page))

typedef struct IvfMetaPageData
{
	uint32		magic;
	uint32		version;
	int32		dimensions;
	int32		lists;
	int32		quantizer;
	int32		metric;			/* for checks: what the build used */
	int32		normalized;
	int32		entrySize;		/* MAXALIGNed size of one posting item */
	int32		paddedDim;		/* rabitq: power of two >= dimensions */
	uint32		seed;			/* rabitq rotation seed */
	BlockNumber paramStart;		/* first parameter page, or Invalid */
	int32		paramPages;
	int32		paramBytes;
	BlockNumber listStart;		/* first list directory page */
} IvfMetaPageData;

typedef IvfMetaPageData *IvfMetaPage;

#define IvfPageGetMeta(page)	((IvfMetaPage) PageGetContents(page))

typedef struct IvfListData
{
	BlockNumber startPage;		/* first posting page */
	BlockNumber insertPage;		/* last posting page (a hint: follow next) */
	float		centroid[FLEXIBLE_ARRAY_MEMBER];
} IvfListData;

typedef IvfListData *IvfList;

#define IVF_LIST_SIZE(dim)	MAXALIGN(offsetof(IvfListData, centroid) + sizeof(float) * (dim))

typedef struct IvfEntryData
{
	ItemPointerData heaptid;
	uint16		unused;
	char		payload[FLEXIBLE_ARRAY_MEMBER];
} IvfEntryData;

typedef IvfEntryData *IvfEntry;

#define IVF_ENTRY_HEADER	offsetof(IvfEntryData, payload)

/* rabitq payload header */
typedef struct IvfRabitqHeader
{
	float		norm;			/* |o - c| */
	float		dot;			/* <o_bar, o_hat>, the estimator's divisor */
} IvfRabitqHeader;

/* reloptions */
typedef struct IvfOptions
{
	int32		vl_len_;
	int			lists;
	int			quantizerOffset;	/* string option */
} IvfOptions;

/*
 * How the index reads its column: the opclass's distance function, mapped
 * to a kernel by its C symbol, and whether vectors are normalized (the norm
 * support function is present).  A new input type (halfvec) adds a row to
 * the table in page.c and a conversion to float4 there.
 */
typedef struct IvfTypeInfo
{
	int			metric;			/* IVF_METRIC_* */
	bool		normalize;
	int			inputType;		/* IVF_INPUT_*: how to turn a datum into floats */
} IvfTypeInfo;

#define IVF_INPUT_VECTOR	0
#define IVF_INPUT_HALFVEC	1

/*
 * Quantizer state for one index: everything needed to encode a vector and
 * estimate distances, loaded from the metapage and parameter pages.
 */
typedef struct IvfQuantizer
{
	int			kind;
	int			dim;
	int			metric;
	int			payloadSize;
	/* sq8 */
	float	   *sqMin;
	float	   *sqStep;
	/* rabitq */
	int			paddedDim;
	uint32		seed;
	int8	   *signs;			/* 3 rounds of paddedDim random signs */
} IvfQuantizer;

/*
 * Per-list query state of a quantized scan: whatever the estimator needs
 * that depends only on the query and the list's centroid.
 */
typedef float (*IvfSq8Kernel) (const float *a, const float *w, const uint8 *codes, int dim);

typedef struct IvfQueryList
{
	float		base;			/* rabitq: |q - c|^2 (L2) or <c, q> (IP);
								 * sq8 IP: <q, min> */
	float		qnorm;			/* norm of the query (sq8) or of the vector fed
								 * to the LUT (rabitq) */
	float		qsum;			/* rabitq: sum of rotated query elements */
	float	   *lut;			/* rabitq: per byte position, 256 partial sums */
	float	   *query;			/* none: the query */
	float	   *decoded;		/* rabitq: scratch */
	/* sq8: the query in the kernel's terms (see sq8_kernel.c) */
	float	   *sqQuery;		/* L2: (q - min) / step; IP: q * step */
	float	   *sqWeights;		/* L2: step^2 */
	IvfSq8Kernel sqKernel;
} IvfQueryList;

/* a candidate of a scan: 16 bytes, as batches hold thousands */
typedef struct IvfCandidate
{
	float		key;			/* estimated distance (exact for none) */
	float		lower;			/* lower bound of the distance */
	ItemPointerData tid;
	bool		done;			/* taken into a rerank chunk already */
} IvfCandidate;

/* a reranked candidate */
typedef struct IvfReranked
{
	pairingheap_node ph;
	ItemPointerData tid;
	float		exact;
} IvfReranked;

/* a list to probe, by centroid distance */
typedef struct IvfProbe
{
	float		distance;
	BlockNumber startPage;
	int			list;
} IvfProbe;

typedef struct IvfScanOpaqueData
{
	bool		isFlat;			/* opened through the ivfflat spelling */
	IvfTypeInfo type;
	IvfQuantizer *quantizer;
	int			dimensions;
	int			lists;
	int			probes;			/* lists in the first batch */
	int			iterative;
	int			maxProbes;		/* bound on lists over all batches */
	int64		maxTuples;		/* bound on entries over all batches */
	int			rerank;			/* candidates reranked per chunk */

	/* query */
	bool		first;
	bool		emptyQuery;		/* e.g. zero vector under cosine */
	float	   *query;

	/* lists by centroid distance, and how far we probed */
	IvfProbe   *order;
	int			nextProbe;
	int64		tuplesSeen;

	/* candidates of the current batch */
	IvfCandidate *cands;
	int			ncands;			/* the first ncands are a min-heap by key */
	int			candsAlloc;
	IvfReranked *reranked;		/* the current rerank chunk (2 * rerank) */
	pairingheap *exactHeap;		/* reranked, by exact distance */

	/* rerank: heap access (NULL until the first rerank) */
	struct VecRowFetch *row;
	float	   *scratch;

	MemoryContext tmpCtx;
} IvfScanOpaqueData;

typedef IvfScanOpaqueData *IvfScanOpaque;

/*
 * What every insert and scan needs and that only a rebuild changes (REINDEX
 * and TRUNCATE give the index a new relfilenode, which invalidates the
 * relcache entry): kept in rd_amcache, in the index's relcache context.
 */
typedef struct IvfCache
{
	IvfMetaPageData meta;
	IvfTypeInfo type;
	IvfQuantizer *quantizer;
	float	   *centroids;		/* lists * dimensions */
	BlockNumber *startPages;
	BlockNumber *listBlocks;	/* directory page of each list's entry */
	OffsetNumber *listOffsets;
} IvfCache;

/* options.c: GUCs and reloptions */
extern int	ivf_probes;
extern int	ivf_rerank;
extern int	ivf_iterative_scan;
extern int	ivf_max_scan_tuples;
extern int	ivfflat_probes;
extern int	ivfflat_iterative_scan;
extern int	ivfflat_max_probes;
extern void IvfInit(void);
extern bytea *ivfoptions(Datum reloptions, bool validate);
extern bytea *ivfflatoptions(Datum reloptions, bool validate);
extern int	IvfGetLists(Relation index);
extern int	IvfGetQuantizer(Relation index);
extern const char *IvfQuantizerName(int kind);

/* handler.c */
extern char *ivfbuildphasename(int64 phasenum);

/* cost.c */
extern void ivfcostestimate(struct PlannerInfo *root, struct IndexPath *path,
							double loop_count, Cost *indexStartupCost,
							Cost *indexTotalCost, Selectivity *indexSelectivity,
							double *indexCorrelation, double *indexPages);

/* validate.c */
extern bool ivfvalidate(Oid opclassoid);

/*
 * State of one build participant: the leader (which also samples, clusters
 * and writes the pages) or a parallel worker (which only assigns rows).
 */
typedef struct IvfBuildState
{
	Relation	index;
	IvfTypeInfo type;
	int			dimensions;
	int			lists;
	int			quantizerKind;

	/* sampling (leader) */
	float	   *samples;
	int			maxSamples;
	int			nsamples;
	int64		rowsSeen;		/* indexable rows seen while sampling */
	uint64		rng;

	/* assignment */
	float	   *centroids;
	IvfQuantizer *quantizer;
	float	   *vec;
	Size		entrySize;
	IvfEntry	entry;
	Tuplesortstate *sort;
	TupleDesc	sortDesc;
	TupleTableSlot *slot;
	double		heapTuples;
	int64		indexTuples;

	/* parallel build: shared state, and the leader's handle (leader only) */
	struct IvfShared *shared;
	struct IvfLeader *leader;

	MemoryContext tmpCtx;
} IvfBuildState;

/* build.c */
extern IndexBuildResult *ivfbuild(Relation heap, Relation index, IndexInfo *indexInfo);
extern void ivfbuildempty(Relation index);
extern void IvfInitBuildState(IvfBuildState *bs, Relation index);
extern void IvfInitAssignSlot(IvfBuildState *bs);
extern Tuplesortstate *IvfBeginAssignSort(IvfBuildState *bs, int workMem,
										  SortCoordinate coordinate);
extern void IvfAssignCallback(Relation index, ItemPointer tid, Datum *values,
							  bool *isnull, bool tupleIsAlive, void *state);

/* build_parallel.c: k-means and the assignment scan in parallel workers */
extern bool IvfBeginParallel(IvfBuildState *bs, Relation heap, IndexInfo *indexInfo,
							 int request);
extern int	IvfParallelKmeansAssign(void *arg, const float *samples, int nsamples,
									const float *centroids, int k, int dim, int metric,
									int *assignment);
extern void IvfParallelKmeansDone(IvfBuildState *bs);
extern void IvfParallelAssign(IvfBuildState *bs, Relation heap, IndexInfo *indexInfo);
extern void IvfEndParallel(IvfBuildState *bs);
extern void IvfReportAssigned(IvfBuildState *bs, int n);
extern PGDLLEXPORT void IvfParallelBuildMain(dsm_segment *seg, shm_toc *toc);

/* kmeans.c */
extern uint64 IvfRandomNext(uint64 *state);
typedef int (*IvfKmeansAssign) (void *arg, const float *samples, int nsamples,
								const float *centroids, int k, int dim, int metric,
								int *assignment);
extern void IvfKmeans(float *samples, int nsamples, int dim, int k,
					  bool normalize, int metric, float *centroids,
					  IvfKmeansAssign assign, void *arg);
extern int	IvfKmeansAssignRange(const float *samples, int first, int n,
								 const float *centroids, int k, int dim, int metric,
								 int *assignment);
extern int	IvfNearestCentroid(const float *vec, const float *centroids,
							   int k, int dim, int metric);

/* insert.c */
extern bool ivfinsert(Relation index, Datum *values, bool *isnull,
					  ItemPointer heap_tid, Relation heap,
					  IndexUniqueCheck checkUnique, VEC_AMINSERT_INDEX_UNCHANGED_ARG
					  IndexInfo *indexInfo);

/* scan.c */
extern IndexScanDesc ivfbeginscan(Relation index, int nkeys, int norderbys);
extern IndexScanDesc ivfflatbeginscan(Relation index, int nkeys, int norderbys);
extern void ivfrescan(IndexScanDesc scan, ScanKey keys, int nkeys,
					  ScanKey orderbys, int norderbys);
extern bool ivfgettuple(IndexScanDesc scan, ScanDirection dir);
extern void ivfendscan(IndexScanDesc scan);

/* rerank.c */
extern void IvfRerankBegin(IndexScanDesc scan);
extern bool IvfRerankExact(IndexScanDesc scan, ItemPointer tid, float *exact);
extern void IvfRerankEnd(IndexScanDesc scan);

/* vacuum.c */
extern IndexBulkDeleteResult *ivfbulkdelete(IndexVacuumInfo *info,
											IndexBulkDeleteResult *stats,
											IndexBulkDeleteCallback callback,
											void *callback_state);
extern IndexBulkDeleteResult *ivfvacuumcleanup(IndexVacuumInfo *info,
											   IndexBulkDeleteResult *stats);

/* page.c: pages, metapage, lists, input conversion */
extern void IvfInitPage(Page page, Size pageSize);
extern Buffer IvfNewBuffer(Relation index, ForkNumber forkNum);
extern void IvfReadMeta(Relation index, IvfMetaPageData *meta);
extern void IvfGetTypeInfo(Relation index, IvfTypeInfo *info);
extern bool IvfDatumToFloats(const IvfTypeInfo *info, Datum value, int dim,
							 float *out);
extern int	IvfDatumDimensions(const IvfTypeInfo *info, Datum value);
extern float IvfDistance(int metric, const float *a, const float *b, int dim);
extern IvfCache *IvfGetCache(Relation index);
extern float *IvfReadCentroids(Relation index, const IvfMetaPageData *meta,
							   BlockNumber *startPages, BlockNumber *insertPages,
							   BlockNumber *listBlocks, OffsetNumber *listOffsets);

/* quantize.c: the quantizer interface */
extern Size IvfPayloadSize(int kind, int dim);
extern IvfQuantizer *IvfQuantizerCreate(int kind, int dim, int metric,
										const float *samples, int nsamples);
extern char *IvfQuantizerParams(IvfQuantizer *q, int *nbytes);
extern IvfQuantizer *IvfQuantizerLoad(Relation index, const IvfMetaPageData *meta);
extern IvfQuantizer *IvfQuantizerRestore(int kind, int dim, int metric,
										 const char *params, int nbytes);
extern void IvfEncode(IvfQuantizer *q, const float *vec, const float *centroid,
					  char *payload);
extern void IvfQueryListInit(IvfQuantizer *q, const float *query,
							 const float *centroid, IvfQueryList *ql);
extern void IvfEstimate(IvfQuantizer *q, IvfQueryList *ql, const char *payload,
						float *estimate, float *lower);

/* quantize_sq8.c */
extern void IvfSq8Train(IvfQuantizer *q, const float *samples, int nsamples);
extern void IvfSq8Encode(IvfQuantizer *q, const float *vec, char *payload);
extern void IvfSq8QueryInit(IvfQuantizer *q, const float *query, IvfQueryList *ql);
extern void IvfSq8Estimate(IvfQuantizer *q, IvfQueryList *ql, const char *payload,
						   float *estimate, float *lower);

/* sq8_kernel.c */
extern IvfSq8Kernel IvfSq8GetKernel(int metric);

/* quantize_rabitq.c */
extern void IvfRabitqInit(IvfQuantizer *q);
extern void IvfRabitqRotate(IvfQuantizer *q, const float *in, float *out);
extern void IvfRabitqEncode(IvfQuantizer *q, const float *vec, const float *centroid,
							char *payload);
extern void IvfRabitqQueryInit(IvfQuantizer *q, const float *query,
							   const float *centroid, IvfQueryList *ql);
extern void IvfRabitqEstimate(IvfQuantizer *q, IvfQueryList *ql, const char *payload,
							  float *estimate, float *lower);

#endif							/* VECRAG_IVF_H */
