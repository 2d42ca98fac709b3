/*
 * src/vecrag.c
 *	  Module magic and _PG_init: each room registers its GUCs and state here.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/guc.h"

#include "core/compat.h"
#include "core/distance.h"
#include "graph/graph.h"
#include "hnsw/hnsw.h"
#include "ivf/ivf.h"
#include "search/search.h"
#include "vector/halfvec.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

void
_PG_init(void)
{
	VecDistanceInit();
	HalfvecKernelsInit();
	HnswInit();
	IvfInit();
	SearchInit();
	GraphCacheInit();
	/* every vecrag.* setting exists now: reject misspelt ones */
	MarkGUCPrefixReserved("vecrag");
}
