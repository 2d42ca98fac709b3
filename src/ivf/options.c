/*
 * src/ivf/options.c
 *	  Settings of the IVF access method: the GUCs of both spellings (ivf.*
 *	  for ours, ivfflat.* with pgvector's names and defaults) and the index
 *	  reloptions (lists, quantizer; the ivfflat spelling takes lists only).
 */
#include "postgres.h"

#include "access/reloptions.h"
#include "utils/guc.h"
#include "utils/rel.h"

#include "ivf/ivf.h"

int			ivf_probes = 10;
int			ivf_rerank = 200;
int			ivf_iterative_scan = IVF_ITERATIVE_RELAXED;
int			ivf_max_scan_tuples = 20000;
int			ivfflat_probes = 1;
int			ivfflat_iterative_scan = IVF_ITERATIVE_OFF;
int			ivfflat_max_probes = IVF_MAX_LISTS;

static relopt_kind ivf_relopt_kind;
static relopt_kind ivfflat_relopt_kind;

static const struct config_enum_entry iterative_scan_options[] = {
	{"off", IVF_ITERATIVE_OFF, false},
	{"relaxed_order", IVF_ITERATIVE_RELAXED, false},
	{NULL, 0, false}
};

static const char *const quantizer_names[] = {"none", "sq8", "rabitq"};

static void ValidateQuantizer(const char *value);
static int	ParseQuantizer(const char *value);

const char *
IvfQuantizerName(int kind)
{
	return quantizer_names[kind];
}

static int
ParseQuantizer(const char *value)
{
	for (int i = 0; i < lengthof(quantizer_names); i++)
		if (pg_strcasecmp(value, quantizer_names[i]) == 0)
			return i;
	return -1;
}

static void
ValidateQuantizer(const char *value)
{
	if (value != NULL && ParseQuantizer(value) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid value for ivf option \"quantizer\": \"%s\"", value),
				 errdetail("Valid values are \"none\", \"sq8\" and \"rabitq\".")));
}

/*
 * Register reloptions and GUCs; called once from _PG_init.
 */
void
IvfInit(void)
{
	ivf_relopt_kind = add_reloption_kind();
	add_int_reloption(ivf_relopt_kind, "lists", "Number of inverted lists",
					  IVF_DEFAULT_LISTS, 1, IVF_MAX_LISTS, AccessExclusiveLock);
	add_string_reloption(ivf_relopt_kind, "quantizer",
						 "How list entries are stored: none, sq8 or rabitq",
						 "none", ValidateQuantizer, AccessExclusiveLock);

	ivfflat_relopt_kind = add_reloption_kind();
	add_int_reloption(ivfflat_relopt_kind, "lists", "Number of inverted lists",
					  IVF_DEFAULT_LISTS, 1, IVF_MAX_LISTS, AccessExclusiveLock);

	DefineCustomIntVariable("ivf.probes", "Number of lists an ivf scan probes first",
							"More probes raise recall and cost.",
							&ivf_probes, 10, 1, IVF_MAX_LISTS,
							PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("ivf.rerank",
							"Candidates of a quantized ivf scan reranked with the exact vector at a time",
							"0 returns rows in estimated order without reading the table.",
							&ivf_rerank, 200, 0, 100000,
							PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomEnumVariable("ivf.iterative_scan",
							 "Whether an ivf scan probes more lists when the first ones run out",
							 "relaxed_order keeps returning rows (for filtered queries) in order within each batch of lists.",
							 &ivf_iterative_scan, IVF_ITERATIVE_RELAXED, iterative_scan_options,
							 PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("ivf.max_scan_tuples",
							"Index entries an iterative ivf scan visits at most",
							"The first batch of ivf.probes lists is always read in full.",
							&ivf_max_scan_tuples, 20000, 1, INT_MAX,
							PGC_USERSET, 0, NULL, NULL, NULL);
	MarkGUCPrefixReserved("ivf");

	DefineCustomIntVariable("ivfflat.probes", "Sets the number of probes",
							"Valid range is 1..lists.",
							&ivfflat_probes, 1, 1, IVF_MAX_LISTS,
							PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomEnumVariable("ivfflat.iterative_scan", "Sets the mode for iterative scans",
							 NULL, &ivfflat_iterative_scan, IVF_ITERATIVE_OFF,
							 iterative_scan_options, PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("ivfflat.max_probes", "Sets the max number of probes for iterative scans",
							NULL, &ivfflat_max_probes, IVF_MAX_LISTS, 1, IVF_MAX_LISTS,
							PGC_USERSET, 0, NULL, NULL, NULL);
	MarkGUCPrefixReserved("ivfflat");
}

bytea *
ivfoptions(Datum reloptions, bool validate)
{
	static const relopt_parse_elt tab[] = {
		{"lists", RELOPT_TYPE_INT, offsetof(IvfOptions, lists)},
		{"quantizer", RELOPT_TYPE_STRING, offsetof(IvfOptions, quantizerOffset)},
	};

	return (bytea *) build_reloptions(reloptions, validate, ivf_relopt_kind,
									  sizeof(IvfOptions), tab, lengthof(tab));
}

bytea *
ivfflatoptions(Datum reloptions, bool validate)
{
	static const relopt_parse_elt tab[] = {
		{"lists", RELOPT_TYPE_INT, offsetof(IvfOptions, lists)},
	};

	return (bytea *) build_reloptions(reloptions, validate, ivfflat_relopt_kind,
									  sizeof(IvfOptions), tab, lengthof(tab));
}

int
IvfGetLists(Relation index)
{
	IvfOptions *opts = (IvfOptions *) index->rd_options;

	return opts ? opts->lists : IVF_DEFAULT_LISTS;
}

/*
 * The quantizer named in the index options; ivfflat indexes (whose options
 * have no quantizer) and indexes without options store full vectors.
 */
int
IvfGetQuantizer(Relation index)
{
	IvfOptions *opts = (IvfOptions *) index->rd_options;

	if (opts == NULL || opts->quantizerOffset == 0)
		return IVF_QUANTIZER_NONE;
	return ParseQuantizer((char *) opts + opts->quantizerOffset);
}
