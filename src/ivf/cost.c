/*
 * src/ivf/cost.c
 *	  Cost estimate of IVF index scans: only ORDER BY scans use the index;
 *	  they read about probes/lists of the entries, mostly sequentially
 *	  (posting chains are written contiguously at build time), and nothing
 *	  comes out before the first batch of lists is read and sorted.
 */
#include "postgres.h"

#include <math.h>

#include "access/relation.h"
#include "optimizer/pathnode.h"
#include "utils/float.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/selfuncs.h"
#include "utils/spccache.h"

#include "ivf/ivf.h"

void
ivfcostestimate(PlannerInfo *root, IndexPath *path, double loop_count,
				Cost *indexStartupCost, Cost *indexTotalCost,
				Selectivity *indexSelectivity, double *indexCorrelation,
				double *indexPages)
{
	GenericCosts costs;
	Relation	index;
	IvfMetaPageData meta;
	bool		isFlat;
	int			probes;
	double		ratio;
	double		spcSeqPageCost;
	double		spcRandomPageCost;

	/* without ORDER BY the index is useless: make sure it is never picked */
	if (path->indexorderbys == NIL)
	{
		*indexStartupCost = get_float8_infinity();
		*indexTotalCost = get_float8_infinity();
		*indexSelectivity = 0;
		*indexCorrelation = 0;
		*indexPages = 0;
		return;
	}

	index = index_open(path->indexinfo->indexoid, NoLock);
	IvfReadMeta(index, &meta);
	isFlat = index->rd_amhandler != InvalidOid &&
		index->rd_indam->ambeginscan == ivfflatbeginscan;
	index_close(index, NoLock);
	probes = isFlat ? ivfflat_probes : ivf_probes;
	ratio = Min(1.0, (double) probes / Max(meta.lists, 1));

	MemSet(&costs, 0, sizeof(costs));
	costs.numIndexTuples = path->indexinfo->tuples * ratio;
	genericcostestimate(root, path, loop_count, &costs);

	/* the pages of a list are read in order: mostly sequential I/O */
	get_tablespace_page_costs(path->indexinfo->reltablespace, &spcRandomPageCost,
							  &spcSeqPageCost);
	costs.indexTotalCost -= 0.5 * costs.numIndexPages * (spcRandomPageCost - spcSeqPageCost);
	/* and the first row comes only after a whole batch */
	costs.indexStartupCost = costs.indexTotalCost;

	*indexStartupCost = costs.indexStartupCost;
	*indexTotalCost = costs.indexTotalCost;
	*indexSelectivity = costs.indexSelectivity;
	*indexCorrelation = 0;
	*indexPages = costs.numIndexPages;
}
