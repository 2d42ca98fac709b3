/*
 * src/hnsw/options.c
 *	  hnsw reloptions (m, ef_construction) and GUCs (hnsw.ef_search,
 *	  hnsw.iterative_scan, hnsw.max_scan_tuples, hnsw.scan_mem_multiplier),
 *	  with pgvector's names, defaults and ranges, and vecrag.hnsw_rerank
 *	  (our own: the rerank depth of indexes on wide vectors, rerank.c).
 */
#include "postgres.h"

#include <limits.h>

#include "access/reloptions.h"
#include "utils/guc.h"

#include "core/compat.h"
#include "hnsw/hnsw.h"

int			hnsw_ef_search = HNSW_DEFAULT_EF_SEARCH;
int			hnsw_iterative_scan = HNSW_ITERATIVE_SCAN_OFF;
int			hnsw_max_scan_tuples = 20000;
double		hnsw_scan_mem_multiplier = 1;

static relopt_kind hnsw_relopt_kind;

static const struct config_enum_entry iterative_scan_options[] = {
	{"off", HNSW_ITERATIVE_SCAN_OFF, false},
	{"relaxed_order", HNSW_ITERATIVE_SCAN_RELAXED, false},
	{"strict_order", HNSW_ITERATIVE_SCAN_STRICT, false},
	{NULL, 0, false}
};

/*
 * Register the reloptions and GUCs; called once from _PG_init.
 */
void
HnswInit(void)
{
	hnsw_relopt_kind = add_reloption_kind();
	add_int_reloption(hnsw_relopt_kind, "m", "Max number of connections",
					  HNSW_DEFAULT_M, HNSW_MIN_M, HNSW_MAX_M,
					  AccessExclusiveLock);
	add_int_reloption(hnsw_relopt_kind, "ef_construction",
					  "Size of the dynamic candidate list for construction",
					  HNSW_DEFAULT_EF_CONSTRUCTION, HNSW_MIN_EF_CONSTRUCTION,
					  HNSW_MAX_EF_CONSTRUCTION, AccessExclusiveLock);

	DefineCustomIntVariable("hnsw.ef_search",
							"Sets the size of the dynamic candidate list for search.",
							"Valid range is 1..1000.", &hnsw_ef_search,
							HNSW_DEFAULT_EF_SEARCH, HNSW_MIN_EF_SEARCH,
							HNSW_MAX_EF_SEARCH, PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomEnumVariable("hnsw.iterative_scan",
							 "Sets the mode for iterative scans.",
							 NULL, &hnsw_iterative_scan, HNSW_ITERATIVE_SCAN_OFF,
							 iterative_scan_options, PGC_USERSET, 0,
							 NULL, NULL, NULL);
	DefineCustomIntVariable("hnsw.max_scan_tuples",
							"Sets the max number of tuples to visit for iterative scans.",
							NULL, &hnsw_max_scan_tuples, 20000, 1, INT_MAX,
							PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomRealVariable("hnsw.scan_mem_multiplier",
							 "Sets the multiple of work_mem to use for iterative scans.",
							 NULL, &hnsw_scan_mem_multiplier, 1, 1, 1000,
							 PGC_USERSET, 0, NULL, NULL, NULL);
	MarkGUCPrefixReserved("hnsw");
	DefineCustomIntVariable("vecrag.hnsw_rerank",
							"Sets how many candidates an hnsw scan of compact wide vectors reranks with the exact vector.",
							"The scan reranks max(hnsw.ef_search, this) candidates at a time; 0 means hnsw.ef_search.",
							&vecrag_hnsw_rerank, 0, 0, HNSW_MAX_EF_SEARCH,
							PGC_USERSET, 0, NULL, NULL, NULL);
}

bytea *
hnswoptions(Datum reloptions, bool validate)
{
	static const relopt_parse_elt tab[] = {
		{"m", RELOPT_TYPE_INT, offsetof(HnswOptions, m)},
		{"ef_construction", RELOPT_TYPE_INT, offsetof(HnswOptions, efConstruction)},
	};

	return (bytea *) build_reloptions(reloptions, validate, hnsw_relopt_kind,
									  sizeof(HnswOptions), tab, lengthof(tab));
}

int
HnswGetM(Relation index)
{
	HnswOptions *opts = (HnswOptions *) index->rd_options;

	return opts ? opts->m : HNSW_DEFAULT_M;
}

int
HnswGetEfConstruction(Relation index)
{
	HnswOptions *opts = (HnswOptions *) index->rd_options;

	return opts ? opts->efConstruction : HNSW_DEFAULT_EF_CONSTRUCTION;
}
