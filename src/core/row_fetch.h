/*
 * src/core/row_fetch.h
 *	  Reading an index's key value back from the table row a TID points to,
 *	  under a scan's snapshot: what the exact rerank of hnsw (compact copies)
 *	  and ivf (quantized codes) needs.
 */
#ifndef VECRAG_ROW_FETCH_H
#define VECRAG_ROW_FETCH_H

#include "postgres.h"

#include "storage/itemptr.h"
#include "utils/relcache.h"
#include "utils/snapshot.h"

typedef struct VecRowFetch VecRowFetch;

extern VecRowFetch *VecRowFetchBegin(Relation heap, Relation index);
extern bool VecRowFetchValue(VecRowFetch *rf, ItemPointer tid, Snapshot snapshot,
							 Datum *value);
extern MemoryContext VecRowFetchMemory(VecRowFetch *rf);
extern void VecRowFetchRelease(VecRowFetch *rf);
extern void VecRowFetchEnd(VecRowFetch *rf);

#endif							/* VECRAG_ROW_FETCH_H */
