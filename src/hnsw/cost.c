/*
 * src/hnsw/cost.c
 *	  hnsw cost estimate.  An hnsw scan only serves ORDER BY col <op> value:
 *	  without an ordering operator the path is priced out.  With one, the
 *	  work is about ef_search candidates each expanding up to 2*m neighbours
 *	  on level 0 plus a greedy walk down the upper levels, all done before
 *	  the first tuple is returned, so startup cost equals total cost and a
 *	  small table still prefers a sequential scan and sort.
 */
#include "postgres.h"

#include <math.h>

#include "access/genam.h"
#include "optimizer/optimizer.h"
#include "utils/selfuncs.h"

#include "hnsw/hnsw.h"

void
hnswcostestimate(PlannerInfo *root, IndexPath *path, double loop_count,
				 Cost *indexStartupCost, Cost *indexTotalCost,
				 Selectivity *indexSelectivity, double *indexCorrelation,
				 double *indexPages)
{
	GenericCosts costs;
	Relation	index;
	int			m;
	double		reltuples = path->indexinfo->tuples;
	double		visited;

	if (path->indexorderbys == NIL)
	{
		*indexStartupCost = 1.0e10;
		*indexTotalCost = 1.0e10;
		*indexSelectivity = 1.0;
		*indexCorrelation = 0;
		*indexPages = 0;
		return;
	}

	index = index_open(path->indexinfo->indexoid, NoLock);
	m = HnswGetM(index);
	index_close(index, NoLock);

	/* distance computations: level 0 plus a few per upper level */
	visited = (double) hnsw_ef_search * 2 * m;
	if (reltuples > 1)
		visited += m * log(reltuples) / log(Max(m, 2));
	if (hnsw_iterative_scan != HNSW_ITERATIVE_SCAN_OFF)
		visited *= 2;
	if (reltuples > 0)
		visited = Min(visited, reltuples);

	MemSet(&costs, 0, sizeof(costs));
	costs.numIndexTuples = visited;
	genericcostestimate(root, path, loop_count, &costs);

	*indexStartupCost = costs.indexTotalCost;
	*indexTotalCost = costs.indexTotalCost;
	*indexSelectivity = costs.indexSelectivity;
	*indexCorrelation = 0;
	*indexPages = costs.numIndexPages;
}
