/*
 * src/hnsw/options.c
 *	  hnsw reloptions (m, ef_construction) and GUCs (hnsw.ef_search,
 *	  hnsw.iterative_scan, hnsw.max_scan_tuples, hnsw.scan_mem_multiplier),
 *	  with pgvector's names, defaults and ranges; and our own: the
 *	  reloption compact (force a compact copy, compact.c) and the GUC
 *	  vecrag.hnsw_rerank (the rerank depth of such indexes, rerank.c).
 */
#include "postgres.h"

#include <limits.h>

#include "access/reloptions.h"
#include "utils/guc.h"
#include "utils/rel.h"

#include "core/compat.h"
#include "hnsw/hnsw.h"

int			hnsw_ef_search = HNSW_DEFAULT_EF_SEARCH;
int			hnsw_iterative_scan = HNSW_ITERATIVE_SCAN_OFF;
int			hnsw_max_scan_tuples = 20000;
double		hnsw_scan_mem_multiplier = 1;

static relopt_kind hnsw_relopt_kind;

/* values of the reloption "compact", indexed by HNSW_STORAGE_* ("auto": full) */
static const char *const compact_names[] = {"auto", "half", "sq8", "bit"};

static int	ParseCompact(const char *value);
static void ValidateCompact(const char *value);

static int
ParseCompact(const char *value)
{
	for (int i = 0; i < lengthof(compact_names); i++)
		if (pg_strcasecmp(value, compact_names[i]) == 0)
			return i;
	return -1;
}

static void
ValidateCompact(const char *value)
{
	if (value != NULL && ParseCompact(value) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid value for hnsw option \"compact\": \"%s\"", value),
				 errdetail("Valid values are \"auto\", \"half\", \"sq8\" and \"bit\".")));
}

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
	add_string_reloption(hnsw_relopt_kind, "compact",
						 "Compact copy kept in the index instead of the full value (auto: only when that does not fit a page)",
						 "auto", ValidateCompact, AccessExclusiveLock);

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
		{"compact", RELOPT_TYPE_STRING, offsetof(HnswOptions, compactOffset)},
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

/*
 * The storage the reloption "compact" asks for: HNSW_STORAGE_HALF, _SQ8 or
 * _BIT, or HNSW_STORAGE_FULL for "auto" (a compact copy only where the full
 * value does not fit, compact.c).
 */
int
HnswGetCompactOption(Relation index)
{
	HnswOptions *opts = (HnswOptions *) index->rd_options;
	int			storage;

	if (opts == NULL || opts->compactOffset == 0)
		return HNSW_STORAGE_FULL;
	storage = ParseCompact((char *) opts + opts->compactOffset);
	return storage < 0 ? HNSW_STORAGE_FULL : storage;
}
